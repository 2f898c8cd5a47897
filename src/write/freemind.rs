//! FreeMind / Freeplane `.mm`: `<map version="1.0.1">` holding exactly one root `<node>`.
//!
//! Choices (documented in the README):
//! - One sheet: its root topic is the map's root node. Several sheets: a root node named after
//!   the file (`map` for standard input) with one child per sheet, each sheet's root topic
//!   carrying an attribute `sheet` with the sheet's title. `--sheet N` picks one sheet.
//! - The file is pure ASCII, as FreeMind writes it: every other character is a character
//!   reference (`&#x4e2d;`), so it opens the same whatever encoding the reading program assumes;
//!   a line break in a title is `&#10;`, a tab `&#9;`. Characters XML cannot carry (control
//!   characters) become U+FFFD.
//! - Every node has an `ID`: `ID_` and the topic's XMind id with characters other than ASCII
//!   letters, digits, `-`, `_` and `.` replaced by `_` (an XML name, never starting with a
//!   digit), made unique with `_2`, `_3`…; `ID_<sheet>_<n>` for a topic without id.
//! - Extras (all on by default): notes as `<richcontent TYPE="NOTE">` HTML, one `<p>` per line
//!   of the plain note; web, file and other links as `LINK` (white space and characters URIs
//!   forbid percent-encoded), stored attachments as their path (`resources/…`, see
//!   `--extract-media`), topic links as `LINK="#ID_…"` when the target is written; markers as
//!   `<icon BUILTIN>` when FreeMind has a matching icon ([`icon`]), else an attribute `marker`
//!   with the marker's word; labels as attributes `label`; relationships as
//!   `<arrowlink DESTINATION>` on the first end (Freeplane's `MIDDLE_LABEL` for the title), or
//!   an attribute `relationship` when an end is not written; a whole-topic boundary as
//!   `<cloud/>`, other boundaries as attributes `boundary`; images as an attribute `image`;
//!   comments as attributes `comment`; a folded branch as `FOLDED="true"`.
//! - Summary topics and callouts are child nodes after the attached children, with an attribute
//!   `type` (`summary`, with `summary of` naming the children it covers, or `callout`).
//!   Floating topics are children of the sheet's root node after everything else, with a hidden
//!   edge (`<edge STYLE="hide_edge"/>`) and `type` `floating`.
//! - Attributes, icons, clouds and arrowlinks are all part of FreeMind's own schema
//!   (`freemind.xsd` of FreeMind 1.0.1); only `MIDDLE_LABEL` is Freeplane's addition.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::shared::{self, Ctx, Ids, Kind, TopicIds, Visit};
use super::{Extra, WriteOptions, Writer};
use crate::markers;
use crate::model::{BoundaryRange, Document, LinkKind, TopicId};

/// The FreeMind emitter.
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
    fn write(&self, doc: &Document, opts: &WriteOptions, out: &mut dyn Write) -> io::Result<()> {
        let ctx = Ctx::new(doc, opts, &Extra::ALL);
        let mut ids = Ids::default();
        let several = doc.sheets.len() > 1;
        let root_id = if several {
            Some(ids.unique("ID_sheets"))
        } else {
            None
        };
        let node_ids = node_ids(doc, ids);
        let mut w = MapOut {
            ctx: &ctx,
            ids: &node_ids,
            out,
            line: String::new(),
        };
        w.out.write_all(b"<map version=\"1.0.1\">\n")?;
        if let Some(root_id) = root_id {
            let name = doc.name.as_deref().unwrap_or("map");
            let name = name
                .strip_suffix(".xmind")
                .or_else(|| name.strip_suffix(".XMIND"))
                .unwrap_or(name);
            w.line.push_str("<node ID=\"");
            w.line.push_str(&root_id);
            w.line.push_str("\" TEXT=\"");
            escape_into(&mut w.line, name);
            w.line.push_str("\">");
            w.flush()?;
        }
        for s in 0..doc.sheets.len() {
            w.sheet(s, several)?;
        }
        if several {
            w.out.write_all(b"</node>\n")?;
        }
        w.out.write_all(b"</map>\n")
    }
}

/// The `ID` of every topic of every sheet, unique in the document, after the names `ids` gave.
fn node_ids(doc: &Document, ids: Ids) -> TopicIds {
    TopicIds::new(doc, ids, |s, i, t, buf| {
        if t.id.is_empty() {
            let _ = write!(buf, "ID_{}_{i}", s + 1);
        } else {
            buf.push_str("ID_");
            buf.extend(t.id.chars().map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            }));
        }
    })
}

struct MapOut<'a, 'o> {
    ctx: &'a Ctx<'a>,
    ids: &'a TopicIds,
    out: &'o mut dyn Write,
    /// The element being built; written out by [`MapOut::flush`].
    line: String,
}

impl MapOut<'_, '_> {
    fn flush(&mut self) -> io::Result<()> {
        self.line.push('\n');
        self.out.write_all(self.line.as_bytes())?;
        self.line.clear();
        Ok(())
    }

    fn sheet(&mut self, s: usize, several: bool) -> io::Result<()> {
        let ctx = self.ctx;
        let sheet = &ctx.doc.sheets[s];
        let mut seen = vec![false; sheet.len()];
        let floating = ctx.floating(sheet);
        ctx.walk(
            sheet,
            TopicId::ROOT,
            0,
            Kind::Root,
            &mut seen,
            |v| match v {
                Visit::Enter(n) => {
                    self.node(s, n.id, n.depth, n.kind, several, !floating.is_empty())
                }
                // The root is closed after its floating topics.
                Visit::Leave(n) if n.kind == Kind::Root => Ok(()),
                Visit::Leave(_) => self.out.write_all(b"</node>\n"),
            },
        )?;
        for f in floating {
            ctx.walk(sheet, f, 1, Kind::Floating, &mut seen, |v| match v {
                Visit::Enter(n) => self.node(s, n.id, n.depth, n.kind, several, false),
                Visit::Leave(_) => self.out.write_all(b"</node>\n"),
            })?;
        }
        self.out.write_all(b"</node>\n")
    }

    /// Writes the start tag of a topic's node and everything inside it before its child nodes.
    fn node(
        &mut self,
        s: usize,
        id: TopicId,
        depth: usize,
        kind: Kind,
        several: bool,
        root_has_floating: bool,
    ) -> io::Result<()> {
        let ctx = self.ctx;
        let sheet = &ctx.doc.sheets[s];
        let t = sheet.topic(id);
        self.line.push_str("<node ID=\"");
        self.line.push_str(self.ids.get(s, id));
        self.line.push_str("\" TEXT=\"");
        escape_into(&mut self.line, &t.title);
        self.line.push('"');
        let has_children =
            ctx.has_below(sheet, id, depth) || (kind == Kind::Root && root_has_floating);
        if t.folded && has_children {
            self.line.push_str(" FOLDED=\"true\"");
        }
        let mut link_attr = None;
        if ctx.wants(Extra::Links) {
            if let Some(l) = t.link.as_deref() {
                let target = match l.kind {
                    LinkKind::Topic => ctx
                        .link_target(l)
                        .map(|(ts, tid)| format!("#{}", self.ids.get(ts, tid))),
                    _ if shared::unsafe_scheme(&l.href) => None,
                    LinkKind::Attachment => Some(uri(&ctx.opts.media_link(&l.href))),
                    _ => Some(uri(l.href.trim())),
                };
                match target {
                    Some(href) => {
                        self.line.push_str(" LINK=\"");
                        escape_into(&mut self.line, &href);
                        self.line.push('"');
                    }
                    None => link_attr = Some(ctx.link_text(l)),
                }
            }
        }
        self.line.push('>');
        self.flush()?;

        if kind == Kind::Floating {
            self.line.push_str("<edge STYLE=\"hide_edge\"/>");
            self.flush()?;
        }
        if ctx.wants(Extra::Notes) {
            if let Some(n) = t.notes.as_deref() {
                let text = n.plain.trim_end();
                if !text.trim().is_empty() {
                    self.line
                        .push_str("<richcontent TYPE=\"NOTE\"><html><head></head><body>");
                    for l in text.split('\n') {
                        self.line.push_str("<p>");
                        escape_into(&mut self.line, l);
                        self.line.push_str("</p>");
                    }
                    self.line.push_str("</body></html></richcontent>");
                    self.flush()?;
                }
            }
        }
        let mut attrs: Vec<(&str, String)> = Vec::new();
        if several && kind == Kind::Root {
            attrs.push(("sheet", sheet.title.clone()));
        }
        match kind {
            Kind::Summary(i) => {
                attrs.push(("type", "summary".into()));
                let parent = t.parent().map(|p| sheet.topic(p));
                if let Some((p, r)) =
                    parent.and_then(|p| p.summaries.get(i).and_then(|sm| sm.range).map(|r| (p, r)))
                {
                    attrs.push(("summary of", shared::range_text(sheet, p, r)));
                }
            }
            Kind::Callout => attrs.push(("type", "callout".into())),
            Kind::Floating => attrs.push(("type", "floating".into())),
            Kind::Root | Kind::Attached => {}
        }
        if ctx.wants(Extra::Markers) {
            for m in t.markers.iter() {
                match icon(m) {
                    Some(name) => {
                        self.line.push_str("<icon BUILTIN=\"");
                        self.line.push_str(name);
                        self.line.push_str("\"/>");
                        self.flush()?;
                    }
                    None => {
                        let word = markers::display(
                            m,
                            crate::markers::MarkerStyle::Words,
                            &ctx.doc.marker_names,
                        );
                        attrs.push(("marker", word.into_owned()));
                    }
                }
            }
        }
        if ctx.wants(Extra::Labels) {
            attrs.extend(t.labels.iter().map(|l| ("label", l.clone())));
        }
        if let Some(text) = link_attr {
            attrs.push(("link", text));
        }
        if ctx.wants(Extra::Images) {
            if let Some(img) = t.image.as_deref() {
                attrs.push(("image", ctx.opts.media_link(&img.src)));
            }
        }
        if ctx.wants(Extra::Comments) {
            for c in t.comments.iter() {
                let label = shared::comment_label(c);
                let who = label
                    .strip_prefix("Comment (")
                    .and_then(|w| w.strip_suffix(')'));
                let value = match who {
                    Some(w) => format!("{w}: {}", c.content),
                    None => c.content.clone(),
                };
                attrs.push(("comment", value));
            }
        }
        let children_shown = ctx.opts.within_depth(depth + 1);
        let mut cloud = false;
        if ctx.wants(Extra::Boundaries) {
            for b in t.boundaries.iter() {
                let (covered, title) = (b.range, b.title.trim());
                match covered {
                    BoundaryRange::Master => {
                        cloud = true;
                        if !title.is_empty() {
                            attrs.push(("boundary", b.title.clone()));
                        }
                    }
                    BoundaryRange::Children(r) if children_shown => {
                        let range = shared::range_text(sheet, t, r);
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
        if ctx.wants(Extra::Summaries) && children_shown {
            for sm in t.summaries.iter().filter(|sm| sm.topic.is_none()) {
                attrs.push((
                    "summary",
                    sm.range
                        .map(|r| shared::range_text(sheet, t, r))
                        .unwrap_or_default(),
                ));
            }
        }
        let mut arrows = Vec::new();
        if ctx.wants(Extra::Relationships) {
            for &(r, first) in ctx.relationships_at(s, id) {
                let rel = &sheet.relationships[r];
                match rel.to.filter(|&to| first && ctx.is_written(s, to)) {
                    Some(to) => arrows.push((to, rel.title.clone())),
                    None => attrs.push(("relationship", ctx.relationship_text(s, r, first))),
                }
            }
        }
        for (name, value) in attrs {
            self.line.push_str("<attribute NAME=\"");
            escape_into(&mut self.line, name);
            self.line.push_str("\" VALUE=\"");
            escape_into(&mut self.line, &value);
            self.line.push_str("\"/>");
            self.flush()?;
        }
        for (to, title) in arrows {
            self.line.push_str("<arrowlink DESTINATION=\"");
            self.line.push_str(self.ids.get(s, to));
            self.line
                .push_str("\" STARTARROW=\"None\" ENDARROW=\"Default\"");
            if !title.trim().is_empty() {
                self.line.push_str(" MIDDLE_LABEL=\"");
                escape_into(&mut self.line, &title);
                self.line.push('"');
            }
            self.line.push_str("/>");
            self.flush()?;
        }
        if cloud {
            self.line.push_str("<cloud/>");
            self.flush()?;
        }
        Ok(())
    }
}

/// A link value as a URI: white space, control characters and characters URIs forbid are
/// percent-encoded (FreeMind and Freeplane parse `LINK` as a URI).
fn uri(href: &str) -> String {
    shared::percent_encode(href, &['<', '>', '"', '{', '}', '|', '\\', '^', '`'])
}

/// Appends `text` escaped for an XML attribute value or element content, in ASCII: `& < > "`
/// as entities, LF, CR and tab and every non-ASCII character as character references,
/// characters XML forbids as U+FFFD.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            c if shared::is_forbidden_control(c) => out.push_str("&#xfffd;"),
            c if c.is_ascii() => out.push(c),
            c => out.push_str(&format!("&#x{:x};", c as u32)),
        }
    }
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
