//! FreeMind / Freeplane `.mm`: `<map version="1.0.1">` holding exactly one root `<node>`.
//!
//! What it writes is specified in docs/formats/freemind.md, shown as the rustdoc of [`FreeMind`].
//! The markers that become FreeMind icons are those [`icon`] maps.

use std::fmt::Write as _;
use std::io::Write;

use super::ids::{Ids, TopicIds, sanitize_into};
use super::{Buf, Event, Extra, Plan, Role, Writer, fmt};
use crate::error::Result;
use crate::markers::{self, MarkerStyle};
use crate::model::{BoundaryRange, Document, LinkKind, TopicId};
use crate::url;
use crate::xml::{self, ASCII};

#[doc = include_str!("../../docs/formats/freemind.md")]
pub struct FreeMind;

impl Writer for FreeMind {
    fn name(&self) -> &'static str {
        "freemind"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["mm"]
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["mm"]
    }
    fn description(&self) -> &'static str {
        "FreeMind / Freeplane map: one root node, notes, icons, links, arrow links"
    }
    fn write_plan(&self, plan: &Plan<'_>, out: &mut dyn Write) -> Result<()> {
        let doc = plan.doc();
        let mut ids = Ids::default();
        let several = doc.sheets.len() > 1;
        let root_id = several.then(|| ids.unique("ID_sheets"));
        let node_ids = node_ids(doc, ids);
        let mut w = MapOut {
            plan,
            ids: &node_ids,
            b: Buf::new(out),
        };
        w.b.s.push_str("<map version=\"1.0.1\">\n");
        if let Some(root_id) = root_id {
            let name = fmt::file_stem(doc.name.as_deref().unwrap_or("map"));
            w.b.s.push_str("<node ID=\"");
            w.b.s.push_str(&root_id);
            w.b.s.push_str("\" TEXT=\"");
            escape_into(&mut w.b.s, name);
            w.b.s.push_str("\">\n");
        }
        for s in 0..doc.sheets.len() {
            w.sheet(s, several)?;
        }
        if several {
            w.b.s.push_str("</node>\n");
        }
        w.b.s.push_str("</map>\n");
        Ok(w.b.finish()?)
    }
}

/// The `ID` of every topic of every sheet, unique in the document, after the names `ids` gave.
fn node_ids(doc: &Document, ids: Ids) -> TopicIds {
    TopicIds::new(doc, ids, |s, i, t, buf| {
        if t.id.is_empty() {
            let _ = write!(buf, "ID_{}_{i}", s + 1);
        } else {
            buf.push_str("ID_");
            sanitize_into(buf, &t.id, true, '_');
        }
    })
}

/// Appends `text` for an XML attribute value or element content, in ASCII (see
/// [`crate::xml::ASCII`]).
fn escape_into(out: &mut String, text: &str) {
    xml::escape_into(out, text, ASCII);
}

struct MapOut<'a, 'o> {
    plan: &'a Plan<'a>,
    ids: &'a TopicIds,
    b: Buf<'o>,
}

impl MapOut<'_, '_> {
    fn sheet(&mut self, s: usize, several: bool) -> Result<()> {
        let plan = self.plan;
        let has_floating = !plan.floating(s).is_empty();
        for event in plan.walk(s) {
            match event {
                Event::Enter(e) => {
                    let has_children = e.has_below() || (e.role == Role::Root && has_floating);
                    self.start_tag(s, e.id, has_children);
                    self.body(s, e.id, e.depth, e.role, several);
                }
                // The root is closed after the floating topics, which are its children.
                Event::Leave(e) if e.role == Role::Root => {}
                Event::Leave(_) => self.b.s.push_str("</node>\n"),
            }
            self.b.flush_full()?;
        }
        self.b.s.push_str("</node>\n");
        Ok(())
    }

    /// `<node ID TEXT [FOLDED] [LINK]>`; a link that is no URI goes into the body instead.
    fn start_tag(&mut self, s: usize, id: TopicId, has_children: bool) {
        let plan = self.plan;
        let t = plan.doc().sheets[s].topic(id);
        let link = self.link_uri(s, id);
        let line = &mut self.b.s;
        line.push_str("<node ID=\"");
        line.push_str(self.ids.get(s, id));
        line.push_str("\" TEXT=\"");
        escape_into(line, &t.title);
        line.push('"');
        if t.folded && has_children {
            line.push_str(" FOLDED=\"true\"");
        }
        if let Some(href) = link {
            line.push_str(" LINK=\"");
            escape_into(line, &href);
            line.push('"');
        }
        line.push_str(">\n");
    }

    /// The `LINK` of topic `id`, when it has a link FreeMind can follow.
    fn link_uri(&self, s: usize, id: TopicId) -> Option<String> {
        let plan = self.plan;
        if !plan.wants(Extra::Links) {
            return None;
        }
        let l = plan.doc().sheets[s].topic(id).link.as_deref()?;
        match l.kind {
            LinkKind::Topic => plan
                .link_target(l)
                .filter(|r| plan.written(r.sheet, r.topic))
                .map(|r| format!("#{}", self.ids.get(r.sheet, r.topic))),
            _ if url::unsafe_scheme(&l.href) => None,
            LinkKind::Attachment => Some(uri(&plan.opts().media_link(&l.href))),
            _ => Some(uri(l.href.trim())),
        }
    }

    /// Everything inside a topic's node before its child nodes: edge, note, icons, attributes,
    /// arrow links, cloud.
    fn body(&mut self, s: usize, id: TopicId, depth: usize, role: Role, several: bool) {
        let plan = self.plan;
        let sheet = &plan.doc().sheets[s];
        let t = sheet.topic(id);
        let link_in_tag = self.link_uri(s, id).is_some();
        let ids = self.ids;
        let line = &mut self.b.s;
        if role == Role::Floating {
            line.push_str("<edge STYLE=\"hide_edge\"/>\n");
        }
        if plan.wants(Extra::Notes) {
            if let Some(n) = t.notes.as_deref() {
                let text = n.plain.trim_end();
                if !text.trim().is_empty() {
                    line.push_str("<richcontent TYPE=\"NOTE\"><html><head></head><body>");
                    for l in text.split('\n') {
                        line.push_str("<p>");
                        escape_into(line, l);
                        line.push_str("</p>");
                    }
                    line.push_str("</body></html></richcontent>\n");
                }
            }
        }
        let mut attrs: Vec<(&str, String)> = Vec::new();
        if several && role == Role::Root {
            attrs.push(("sheet", sheet.title.clone()));
        }
        match role {
            Role::Summary(i) => {
                attrs.push(("type", "summary".into()));
                let parent = t.parent().map(|p| sheet.topic(p));
                if let Some((p, r)) =
                    parent.and_then(|p| p.summaries.get(i).and_then(|sm| sm.range).map(|r| (p, r)))
                {
                    attrs.push(("summary of", fmt::range_text(sheet, p, r)));
                }
            }
            Role::Callout => attrs.push(("type", "callout".into())),
            Role::Floating => attrs.push(("type", "floating".into())),
            Role::Root | Role::Attached => {}
        }
        if plan.wants(Extra::Markers) {
            for m in t.markers.iter() {
                match icon(m) {
                    Some(name) => {
                        line.push_str("<icon BUILTIN=\"");
                        line.push_str(name);
                        line.push_str("\"/>\n");
                    }
                    None => {
                        let word =
                            markers::display(m, MarkerStyle::Words, &plan.doc().marker_names);
                        attrs.push(("marker", word.into_owned()));
                    }
                }
            }
        }
        if plan.wants(Extra::Labels) {
            attrs.extend(t.labels.iter().map(|l| ("label", l.clone())));
        }
        if let Some(l) = t.link.as_deref() {
            if plan.wants(Extra::Links) && !link_in_tag {
                attrs.push(("link", fmt::link_text(plan, l)));
            }
        }
        if plan.wants(Extra::Images) {
            if let Some(img) = t.image.as_deref() {
                attrs.push(("image", plan.opts().media_link(&img.src)));
            }
        }
        if plan.wants(Extra::Comments) {
            for c in t.comments.iter() {
                let value = match fmt::comment_who(c) {
                    Some(who) => format!("{who}: {}", c.content),
                    None => c.content.clone(),
                };
                attrs.push(("comment", value));
            }
        }
        let children_shown = plan.children_shown(depth);
        let mut cloud = false;
        if plan.wants(Extra::Boundaries) {
            for b in t.boundaries.iter() {
                let title = b.title.trim();
                match b.range {
                    BoundaryRange::Master => {
                        cloud = true;
                        if !title.is_empty() {
                            attrs.push(("boundary", b.title.clone()));
                        }
                    }
                    BoundaryRange::Children(r) if children_shown => {
                        let range = fmt::range_text(sheet, t, r);
                        attrs.push((
                            "boundary",
                            if title.is_empty() {
                                range
                            } else {
                                format!("{range}: {}", b.title)
                            },
                        ));
                    }
                    BoundaryRange::Children(_) => {}
                    BoundaryRange::Unknown => attrs.push(("boundary", b.title.clone())),
                }
            }
        }
        if plan.wants(Extra::Summaries) && children_shown {
            for sm in t.summaries.iter().filter(|sm| sm.topic.is_none()) {
                attrs.push((
                    "summary",
                    sm.range
                        .map(|r| fmt::range_text(sheet, t, r))
                        .unwrap_or_default(),
                ));
            }
        }
        // A relationship whose two ends are written is an arrow link at its first end; one
        // with an end missing or not written is an attribute at the end that carries it.
        let mut arrows = Vec::new();
        for (r, first) in plan.relationships_at(s, id) {
            let rel = &sheet.relationships[r];
            match rel.to.filter(|&to| first && plan.written(s, to)) {
                Some(to) => arrows.push((to, rel.title.as_str())),
                None => attrs.push(("relationship", fmt::relationship_text(plan, s, r, first))),
            }
        }
        for (name, value) in attrs {
            line.push_str("<attribute NAME=\"");
            escape_into(line, name);
            line.push_str("\" VALUE=\"");
            escape_into(line, &value);
            line.push_str("\"/>\n");
        }
        for (to, title) in arrows {
            line.push_str("<arrowlink DESTINATION=\"");
            line.push_str(ids.get(s, to));
            line.push_str("\" STARTARROW=\"None\" ENDARROW=\"Default\"");
            if !title.trim().is_empty() {
                line.push_str(" MIDDLE_LABEL=\"");
                escape_into(line, title);
                line.push('"');
            }
            line.push_str("/>\n");
        }
        if cloud {
            line.push_str("<cloud/>\n");
        }
    }
}

/// A link value as a URI: white space, control characters and characters URIs forbid are
/// percent-encoded (FreeMind and Freeplane parse `LINK` as a URI).
fn uri(href: &str) -> String {
    url::percent_encode(href, &['<', '>', '"', '{', '}', '|', '\\', '^', '`'])
}

/// The FreeMind built-in icon for an XMind marker id, when FreeMind has one that means the
/// same thing (FreeMind 1.0.1's icon set; Freeplane has the same names):
///
/// | XMind marker | FreeMind icon |
/// | --- | --- |
/// | `priority-1` … `priority-9` | `full-1` … `full-9` |
/// | `task-done`, `symbol-right` | `button_ok` |
/// | `symbol-wrong` | `button_cancel` |
/// | `symbol-question`, `other-question` | `help` |
/// | `symbol-exclam`, `other-exclam` | `yes` (the "important" exclamation mark) |
/// | `symbol-attention` | `messagebox_warning` |
/// | `symbol-info` | `info` |
/// | `symbol-no-entry` | `closed` |
/// | `other-lightbulb` | `idea` |
/// | `smiley-smile`, `smiley-laugh` | `ksmiletris` |
/// | `smiley-angry` | `smiley-angry` |
/// | `smiley-cry` | `smily_bad` |
/// | `smiley-surprise` | `smiley-oh` |
/// | `smiley-boring` | `smiley-neutral` |
/// | `flag-red`, `flag-orange`, `flag-yellow`, `flag-green`, `flag-blue`, `flag-black` | `flag`, `flag-orange`, `flag-yellow`, `flag-green`, `flag-blue`, `flag-black` |
/// | `star-yellow` | `bookmark` |
/// | `arrow-left`, `arrow-right`, `arrow-up`, `arrow-down` | `back`, `forward`, `up`, `down` |
/// | `other-calendar`, `other-clock`, `c_symbol_hourglass` | `calendar`, `clock`, `hourglass` |
/// | `other-email` | `Mail` |
/// | `other-people`, `other-people2` | `group` |
/// | `other-bomb` | `clanbomber` |
/// | `c_symbol_music`, `c_symbol_pen` | `knotify`, `pencil` |
///
/// Other markers (task progress, other colours, months, custom markers…) are written as an
/// attribute `marker` with their word (`25%`, `purple flag`, `Jan`).
pub(crate) fn icon(marker: &str) -> Option<&'static str> {
    const FULL: [&str; 9] = [
        "full-1", "full-2", "full-3", "full-4", "full-5", "full-6", "full-7", "full-8", "full-9",
    ];
    if let Some(n) = marker.strip_prefix("priority-") {
        return n
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=9).contains(n))
            .map(|n| FULL[n - 1]);
    }
    Some(match marker {
        "task-done" | "symbol-right" | "c_simbol-right" => "button_ok",
        "symbol-wrong" | "c_simbol-wrong" => "button_cancel",
        "symbol-question" | "c_simbol-question" | "other-question" => "help",
        "symbol-exclam" | "c_simbol-exclam" | "other-exclam" => "yes",
        "symbol-attention" | "c_simbol-attention" => "messagebox_warning",
        "symbol-info" | "c_simbol-info" => "info",
        "symbol-no-entry" | "c_simbol-no-entry" => "closed",
        "other-lightbulb" => "idea",
        "smiley-smile" | "smiley-laugh" => "ksmiletris",
        "smiley-angry" => "smiley-angry",
        "smiley-cry" => "smily_bad",
        "smiley-surprise" => "smiley-oh",
        "smiley-boring" => "smiley-neutral",
        "flag-red" => "flag",
        "flag-orange" => "flag-orange",
        "flag-yellow" => "flag-yellow",
        "flag-green" => "flag-green",
        "flag-blue" => "flag-blue",
        "flag-black" => "flag-black",
        "star-yellow" => "bookmark",
        "arrow-left" => "back",
        "arrow-right" => "forward",
        "arrow-up" => "up",
        "arrow-down" => "down",
        "other-calendar" => "calendar",
        "other-clock" => "clock",
        "c_symbol_hourglass" => "hourglass",
        "other-email" => "Mail",
        "other-people" | "other-people2" => "group",
        "other-bomb" => "clanbomber",
        "c_symbol_music" => "knotify",
        "c_symbol_pen" => "pencil",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Link, Notes, Relationship, Sheet, Topic, TopicKind, TopicRef};
    use crate::write::WriteOptions;

    fn mm(doc: &Document, opts: &WriteOptions) -> String {
        let mut out = Vec::new();
        FreeMind.write(doc, opts, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn doc(sheets: Vec<Sheet>) -> Document {
        Document {
            name: Some("m.xmind".into()),
            sheets,
            ..Document::default()
        }
    }

    #[test]
    fn text_is_escaped_to_ascii() {
        let mut s = String::new();
        escape_into(&mut s, "a&b <c> \"d\" 'e'\nf\tg 中😢\u{1}");
        assert_eq!(
            s,
            "a&amp;b &lt;c&gt; &quot;d&quot; 'e'&#10;f&#9;g &#x4e2d;&#x1f622;&#xfffd;"
        );
    }

    #[test]
    fn ids_never_start_with_a_digit_and_are_unique() {
        let mut s = Sheet::new("root");
        s.topics[0].id = "4daq1j".into();
        for id in ["a b", "a_b", "", "ü"] {
            let mut t = Topic::new("x");
            t.id = id.into();
            s.add(TopicId::ROOT, TopicKind::Attached, t);
        }
        let ids = node_ids(&doc(vec![s]), Ids::default());
        let ids: Vec<&str> = (0..5).map(|i| ids.get(0, TopicId(i))).collect();
        assert_eq!(ids, ["ID_4daq1j", "ID_a_b", "ID_a_b_2", "ID_1_3", "ID__"]);
    }

    #[test]
    fn one_root_for_several_sheets() {
        let out = mm(
            &doc(vec![Sheet::new("one"), Sheet::new("two")]),
            &WriteOptions::default(),
        );
        assert_eq!(
            out,
            "<map version=\"1.0.1\">\n<node ID=\"ID_sheets\" TEXT=\"m\">\n\
             <node ID=\"ID_1_0\" TEXT=\"one\">\n<attribute NAME=\"sheet\" VALUE=\"\"/>\n</node>\n\
             <node ID=\"ID_2_0\" TEXT=\"two\">\n<attribute NAME=\"sheet\" VALUE=\"\"/>\n</node>\n\
             </node>\n</map>\n"
        );
    }

    #[test]
    fn extras_become_freemind_elements() {
        let mut s = Sheet::new("root");
        s.topics[0].id = "r".into();
        let mut a = Topic::new("a");
        a.id = "a".into();
        a.markers = vec!["priority-2".into(), "task-half".into()].into();
        a.labels = vec!["x".into()].into();
        a.notes = Some(Box::new(Notes {
            plain: "n1\n<n2>".into(),
            html: None,
        }));
        a.folded = true;
        let a = s.add(TopicId::ROOT, TopicKind::Attached, a);
        let mut b = Topic::new("b");
        b.id = "b".into();
        let mut l = Link::new("xmind:#a");
        l.target = Some(TopicRef { sheet: 0, topic: a });
        b.link = Some(Box::new(l));
        let b = s.add(a, TopicKind::Attached, b);
        let mut j = Topic::new("js");
        j.link = Some(Box::new(Link::new("javascript:alert(1)")));
        s.add(TopicId::ROOT, TopicKind::Attached, j);
        s.relationships.push(Relationship {
            from: Some(b),
            to: Some(TopicId::ROOT),
            title: "up".into(),
            ..Relationship::default()
        });
        let d = doc(vec![s]);
        let out = mm(&d, &WriteOptions::default());
        assert_eq!(
            out,
            "<map version=\"1.0.1\">\n<node ID=\"ID_r\" TEXT=\"root\">\n\
             <node ID=\"ID_a\" TEXT=\"a\" FOLDED=\"true\">\n\
             <richcontent TYPE=\"NOTE\"><html><head></head><body><p>n1</p><p>&lt;n2&gt;</p></body></html></richcontent>\n\
             <icon BUILTIN=\"full-2\"/>\n\
             <attribute NAME=\"marker\" VALUE=\"50%\"/>\n\
             <attribute NAME=\"label\" VALUE=\"x\"/>\n\
             <node ID=\"ID_b\" TEXT=\"b\" LINK=\"#ID_a\">\n\
             <arrowlink DESTINATION=\"ID_r\" STARTARROW=\"None\" ENDARROW=\"Default\" MIDDLE_LABEL=\"up\"/>\n\
             </node>\n</node>\n\
             <node ID=\"ID_1_3\" TEXT=\"js\">\n\
             <attribute NAME=\"link\" VALUE=\"javascript:alert(1)\"/>\n</node>\n\
             </node>\n</map>\n"
        );
        let mut titles = WriteOptions::default();
        titles.titles_only();
        titles.depth = Some(1);
        assert_eq!(
            mm(&d, &titles),
            "<map version=\"1.0.1\">\n<node ID=\"ID_r\" TEXT=\"root\">\n\
             <node ID=\"ID_a\" TEXT=\"a\">\n</node>\n\
             <node ID=\"ID_1_3\" TEXT=\"js\">\n</node>\n</node>\n</map>\n"
        );
    }

    #[test]
    fn marker_icons() {
        assert_eq!(icon("priority-1"), Some("full-1"));
        assert_eq!(icon("priority-10"), None);
        assert_eq!(icon("flag-red"), Some("flag"));
        assert_eq!(icon("flag-purple"), None);
        assert_eq!(icon("task-done"), Some("button_ok"));
    }

    #[test]
    fn a_very_deep_chain_is_written_without_recursion() {
        let mut s = Sheet::new("root");
        let mut parent = TopicId::ROOT;
        for i in 0..20_000 {
            parent = s.add(parent, TopicKind::Attached, Topic::new(i.to_string()));
        }
        let out = mm(&doc(vec![s]), &WriteOptions::default());
        assert_eq!(out.matches("<node ").count(), 20_001);
        assert_eq!(out.matches("</node>").count(), 20_001);
    }
}
