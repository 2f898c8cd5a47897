//! Org mode: one heading per topic, `*` for the root, `**` for main topics and so on; extras in
//! the heading's body, labels and markers as tags.
//!
//! What it writes is specified in docs/formats/org.md, shown as the rustdoc of [`Org`].

use std::collections::{HashMap, HashSet};
use std::io::Write;

use super::{Buf, Event, Extra, Plan, Role, Writer, fmt, ids};
use crate::error::Result;
use crate::markers::{self, MarkerStyle};
use crate::model::{LinkKind, Topic, TopicId};
use crate::url;

#[doc = include_str!("../../docs/formats/org.md")]
pub struct Org;

/// Org's escape character.
const ZWSP: char = '\u{200B}';

impl Writer for Org {
    fn name(&self) -> &'static str {
        "org"
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["org"]
    }
    fn description(&self) -> &'static str {
        "Org mode: headings by depth, notes as body text, labels and markers as tags"
    }
    fn min_size(&self, plan: &Plan<'_>) -> u64 {
        plan.indentation(1)
    }
    fn write_plan(&self, plan: &Plan<'_>, out: &mut dyn Write) -> Result<()> {
        let doc = plan.doc();
        let mut w = OrgOut {
            anchors: ids::anchors(plan, true, |_, _, t| t.id.to_string()),
            plan,
            b: Buf::new(out),
            blank: false,
        };
        let several = doc.sheets.len() > 1;
        for (s, sheet) in doc.sheets.iter().enumerate() {
            if several {
                let line = format!("# Sheet {}: {}", s + 1, fmt::fold(&sheet.title));
                w.line(line.trim_end());
            }
            for e in plan.walk(s) {
                if let Event::Enter(e) = e {
                    w.topic(s, e.id, e.depth, e.level + 1, e.role, e.has_below());
                    w.b.flush_full()?;
                }
            }
        }
        Ok(w.b.finish()?)
    }
}

struct OrgOut<'a, 'o> {
    plan: &'a Plan<'a>,
    anchors: HashMap<(usize, TopicId), String>,
    b: Buf<'o>,
    /// A blank line is due before the next heading.
    blank: bool,
}

/// How a topic's link is written.
enum LinkForm {
    /// Around the title: `[[target][title]]`.
    Wrap(String),
    /// A paragraph of the body, already escaped.
    Alone(String),
}

impl OrgOut<'_, '_> {
    fn line(&mut self, text: &str) {
        self.b.s.push_str(text);
        self.b.s.push('\n');
    }

    fn topic(
        &mut self,
        s: usize,
        id: TopicId,
        depth: usize,
        level: usize,
        role: Role,
        below: bool,
    ) {
        let plan = self.plan;
        let sheet = &plan.doc().sheets[s];
        let t = sheet.topic(id);
        if std::mem::take(&mut self.blank) {
            self.b.s.push('\n');
        }

        // The heading line.
        let mut head = "*".repeat(level);
        head.push(' ');
        let prefix = match role {
            Role::Summary(i) => Some(format!("{}: ", fmt::summary_label_of(sheet, id, i))),
            Role::Callout => Some("Callout: ".to_string()),
            _ => None,
        };
        let link = self.link_form(t);
        let blank_title = t.title.trim().is_empty();
        match (&link, prefix) {
            (Some(LinkForm::Wrap(target)), prefix) if !blank_title => {
                if let Some(p) = prefix {
                    head.push_str(&heading_text(&p));
                }
                head.push_str("[[");
                head.push_str(target);
                head.push_str("][");
                head.push_str(&link_description(&t.title));
                head.push_str("]]");
            }
            (_, Some(p)) => head.push_str(&heading_text(&format!("{p}{}", t.title))),
            (_, None) => head.push_str(&heading_text(&t.title)),
        }
        let tags = tags(plan, t);
        if !tags.is_empty() {
            head.push_str(" :");
            head.push_str(&tags.join(":"));
            head.push(':');
        }
        self.line(&head);

        // The property drawer.
        let mut props = Vec::new();
        if let Some(a) = self.anchors.get(&(s, id)) {
            props.push(format!(":CUSTOM_ID: {a}"));
        }
        if t.folded && below {
            props.push(":VISIBILITY: folded".to_string());
        }
        if !props.is_empty() {
            self.line(":PROPERTIES:");
            for p in props {
                self.line(&p);
            }
            self.line(":END:");
        }

        // The body: one paragraph per extra.
        let mut paras: Vec<Vec<String>> = Vec::new();
        match link {
            Some(LinkForm::Alone(text)) => paras.push(vec![text]),
            Some(LinkForm::Wrap(target)) if blank_title => {
                paras.push(vec![format!("Link: [[{target}]]")]);
            }
            _ => {}
        }
        if plan.wants(Extra::Images) {
            if let Some(img) = t.image.as_deref() {
                let src = plan.opts().media_link(&img.src);
                let target = match img.entry() {
                    Some(_) => format!("file:{src}"),
                    None => src,
                };
                paras.push(vec![format!("[[{}]]", link_url(&target))]);
            }
        }
        if plan.wants(Extra::Notes) {
            if let Some(n) = t.notes.as_deref() {
                paras.extend(text_paragraphs(n.plain.trim_end(), ""));
            }
        }
        if plan.wants(Extra::Comments) {
            for c in t.comments.iter() {
                let label = format!("{}: ", fmt::comment_label(c));
                paras.extend(text_paragraphs(c.content.trim_end(), &label));
            }
        }
        for (r, first) in plan.relationships_at(s, id) {
            paras.push(vec![self.relationship(s, r, first)]);
        }
        let plain = fmt::extra_lines(
            plan,
            s,
            id,
            depth,
            &[
                Extra::Labels,
                Extra::Markers,
                Extra::Links,
                Extra::Images,
                Extra::Notes,
                Extra::Comments,
                Extra::Relationships,
            ],
        );
        paras.extend(plain.iter().map(|(p, _)| vec![body_line(p)]));
        for (i, para) in paras.iter().enumerate() {
            if i > 0 {
                self.b.s.push('\n');
            }
            for l in para {
                self.line(l);
            }
        }
        self.blank = !paras.is_empty();
    }

    fn link_form(&self, t: &Topic) -> Option<LinkForm> {
        let plan = self.plan;
        if !plan.wants(Extra::Links) {
            return None;
        }
        let l = t.link.as_deref()?;
        Some(match l.kind {
            LinkKind::Topic => match plan.link_target(l) {
                Some(r) => match self.anchors.get(&(r.sheet, r.topic)) {
                    Some(a) => LinkForm::Wrap(format!("#{a}")),
                    None => LinkForm::Alone(body_line(&format!(
                        "Topic link: {}",
                        fmt::link_text(plan, l)
                    ))),
                },
                None => LinkForm::Alone(body_line(&format!(
                    "Topic link: {}",
                    fmt::link_text(plan, l)
                ))),
            },
            _ if url::unsafe_scheme(&l.href) => {
                LinkForm::Alone(body_line(&format!("Link: {}", fmt::fold(&l.href))))
            }
            LinkKind::Attachment => LinkForm::Wrap(link_url(&format!(
                "file:{}",
                plan.opts().media_link(&l.href)
            ))),
            LinkKind::Web if l.href.trim_start().to_ascii_lowercase().starts_with("www.") => {
                LinkForm::Wrap(link_url(&format!("http://{}", l.href.trim())))
            }
            _ => LinkForm::Wrap(link_url(l.href.trim())),
        })
    }

    /// `Relationship (title): → [[#topic-ID][other end]]`, escaped.
    fn relationship(&self, s: usize, r: usize, first: bool) -> String {
        let plan = self.plan;
        let sheet = &plan.doc().sheets[s];
        let rel = &sheet.relationships[r];
        let (other, arrow) = if first {
            (rel.to, "→")
        } else {
            (rel.from, "←")
        };
        let label = body_line(&format!(
            "{}: {arrow} ",
            fmt::labelled("Relationship", &rel.title)
        ));
        match other.and_then(|o| self.anchors.get(&(s, o)).map(|a| (o, a))) {
            Some((o, a)) => format!(
                "{label}[[#{a}][{}]]",
                link_description(&fmt::reference(sheet, o))
            ),
            None => body_line(&fmt::relationship_text(plan, s, r, first)),
        }
    }
}

/// Labels, then markers as words, as Org tags: characters other than letters, digits and
/// `_ @ # %` become `_`; empty and repeated tags are dropped.
fn tags(plan: &Plan<'_>, t: &Topic) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    if plan.wants(Extra::Labels) {
        words.extend(t.labels.iter().cloned());
    }
    if plan.wants(Extra::Markers) {
        words.extend(t.markers.iter().map(|m| {
            markers::display(m, MarkerStyle::Words, &plan.doc().marker_names).into_owned()
        }));
    }
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for w in words {
        let tag = tag(&w);
        if !tag.is_empty() && seen.insert(tag.clone()) {
            out.push(tag);
        }
    }
    out
}

/// One word as an Org tag.
fn tag(word: &str) -> String {
    let mut out = String::new();
    for c in fmt::fold(word).chars() {
        if c.is_alphanumeric() || matches!(c, '_' | '@' | '#' | '%') {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// A link target inside `[[…]]`: white space, control characters, brackets and backslashes
/// percent-encoded.
fn link_url(target: &str) -> String {
    url::percent_encode(target, &['[', ']', '\\'])
}

/// A title as the text of a heading (the escaping rules are in docs/formats/org.md, the rustdoc
/// of [`Org`]).
pub(crate) fn heading_text(title: &str) -> String {
    let joined = title.split('\n').collect::<Vec<_>>().join(" ");
    if joined.is_empty() {
        return ZWSP.to_string();
    }
    let mut out = String::new();
    let first_word = joined.split([' ', '\t']).next().unwrap_or("");
    if joined.starts_with(char::is_whitespace) || matches!(first_word, "TODO" | "DONE" | "COMMENT")
    {
        escape(&mut out);
    }
    inline_into(&mut out, &joined, false);
    if joined.ends_with(char::is_whitespace) {
        escape(&mut out);
    }
    if out.ends_with(':') {
        // Before the last `:`, which would end a tag list.
        out.pop();
        escape(&mut out);
        out.push(':');
    }
    out
}

/// A title as the description of a link, `[[target][description]]`.
fn link_description(title: &str) -> String {
    let joined = title.split('\n').collect::<Vec<_>>().join(" ");
    let mut out = String::new();
    if joined.starts_with(char::is_whitespace) {
        escape(&mut out);
    }
    inline_into(&mut out, &joined, true);
    if joined.ends_with(char::is_whitespace) {
        escape(&mut out);
    }
    out
}

/// Lines of text as paragraphs of a body: a blank line starts a new paragraph, other line
/// breaks are kept with Org's `\\`. `label` goes before the first line.
fn text_paragraphs(text: &str, label: &str) -> Vec<Vec<String>> {
    let mut paras: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for (i, l) in text.split('\n').enumerate() {
        if l.trim().is_empty() {
            if !current.is_empty() {
                paras.push(std::mem::take(&mut current));
            }
            continue;
        }
        let line = if i == 0 {
            format!("{label}{l}")
        } else {
            l.to_string()
        };
        current.push(body_line(&line));
    }
    if !current.is_empty() {
        paras.push(current);
    }
    if paras.is_empty() && !label.is_empty() {
        paras.push(vec![body_line(label.trim_end())]);
    }
    for p in &mut paras {
        let n = p.len();
        for l in &mut p[..n - 1] {
            l.push_str(" \\\\");
        }
    }
    paras
}

/// One line of body text: escaped like a title, with a zero-width space first when the line
/// would otherwise start a block (heading, list item, table, drawer, fixed-width line, keyword,
/// comment, rule, footnote definition, planning line).
pub(crate) fn body_line(line: &str) -> String {
    let mut out = String::new();
    let rest = line.trim_start();
    let starts_block = rest.starts_with(|c: char| c.is_ascii_punctuation())
        || list_marker(rest)
        || ["DEADLINE:", "SCHEDULED:", "CLOSED:", "CLOCK:"]
            .iter()
            .any(|k| rest.starts_with(k));
    if starts_block {
        escape(&mut out);
    }
    inline_into(&mut out, line, false);
    out
}

/// Whether `s` starts like an ordered list item: letters or digits, then `.` or `)`, then white
/// space or the end.
fn list_marker(s: &str) -> bool {
    let n = s.chars().take_while(char::is_ascii_alphanumeric).count();
    let mut rest = s.chars().skip(n);
    n > 0 && matches!(rest.next(), Some('.' | ')')) && rest.next().is_none_or(char::is_whitespace)
}

/// Appends `text` with a zero-width space wherever Org would read markup (see docs/formats/org.md,
/// the rustdoc of [`Org`]); inside a link description, also after every `]`.
fn inline_into(out: &mut String, text: &str, in_link: bool) {
    let chars: Vec<char> = text.chars().collect();
    for (k, &c) in chars.iter().enumerate() {
        let next = chars.get(k + 1).copied();
        match c {
            ZWSP => {
                // A zero-width space of the title itself: two of them (see [`escape`]).
                out.push(ZWSP);
                out.push(ZWSP);
                continue;
            }
            c if fmt::unprintable(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
        let escape = match c {
            '\\' | '_' | '^' | '$' | '<' | '[' => true,
            ']' => in_link,
            '*' | '/' | '=' | '~' | '+' => next.is_none_or(|n| !n.is_ascii_alphanumeric()),
            '-' | '.' | '{' | '@' => next == Some(c),
            _ => false,
        };
        if escape {
            self::escape(out);
        }
    }
}

/// Appends Org's escape, a zero-width space, unless `out` already ends with one that escapes.
///
/// Titles can hold zero-width spaces of their own, so the two are told apart by count: a title's
/// own zero-width space is written as two, an escape as one, and a run of `k` zero-width spaces
/// in the output stands for `k / 2` (rounded down) of the title's. An escape next to an escape
/// adds nothing (one already separates the characters around it), so every run is twice the
/// title's own plus at most one.
fn escape(out: &mut String) {
    let run = out.chars().rev().take_while(|&c| c == ZWSP).count();
    if run % 2 == 0 {
        out.push(ZWSP);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Document, Link, Notes, Relationship, Sheet, TopicKind, TopicRef};
    use crate::write::WriteOptions;

    fn org(doc: &Document, opts: &WriteOptions) -> String {
        let mut out = Vec::new();
        Org.write(doc, opts, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn doc(sheet: Sheet) -> Document {
        Document {
            sheets: vec![sheet],
            ..Document::default()
        }
    }

    /// `s` with the zero-width spaces shown as `|`.
    fn shown(s: &str) -> String {
        s.replace(ZWSP, "|")
    }

    #[test]
    fn markup_in_titles_is_broken_by_zero_width_spaces() {
        let cases = [
            ("plain title", "plain title"),
            ("*bold* /it/ =v= ~c~ +s+", "*bold*| /it/| =v=| ~c~| +s+|"),
            ("a*b*c", "a*b*c"),
            ("_under_ a_b x^2", "_|under_| a_|b x^|2"),
            (
                "[[x][y]] <<t>> {{{m}}} @@html:x@@",
                "[|[|x][|y]] <|<|t>> {|{|{m}}} @|@html:x@|@",
            ),
            (r"\alpha \\ back\slash\", r"\|alpha \|\| back\|slash\|"),
            ("$x$ 5$", "$|x$| 5$|"),
            ("a -- b --- c ... d", "a -|- b -|-|- c .|.|. d"),
            ("TODO later", "|TODO later"),
            ("DONE", "|DONE"),
            ("COMMENT x", "|COMMENT x"),
            ("TODOS fine", "TODOS fine"),
            ("tags :a:b:", "tags :a:b|:"),
            ("  spaces  ", "|  spaces  |"),
            ("", "|"),
            ("line one\nline two", "line one line two"),
            ("[#A] prio [1/2]", "[|#A] prio [|1/2]"),
            ("# not a comment", "# not a comment"),
        ];
        for (title, want) in cases {
            assert_eq!(shown(&heading_text(title)), want, "{title:?}");
        }
    }

    /// What a reader gets back: each run of `k` zero-width spaces stands for `k / 2` of them.
    fn decoded(org: &str) -> String {
        let mut out = String::new();
        let mut run = 0;
        for c in org.chars().chain(std::iter::once('\n')) {
            if c == ZWSP {
                run += 1;
                continue;
            }
            out.extend(std::iter::repeat_n(ZWSP, run / 2));
            run = 0;
            out.push(c);
        }
        out.pop();
        out
    }

    #[test]
    fn zero_width_spaces_of_the_title_are_told_from_escapes() {
        let z = ZWSP;
        for title in [
            format!("{z}"),
            format!("{z}{z}"),
            format!("a{z}b"),
            format!("_{z}x"),
            format!("x_{z}"),
            format!("{z}TODO"),
            format!("tags :a:{z}:"),
            format!("a-{z}-b"),
            format!(" {z} "),
            format!("[{z}[x]]"),
            format!("\\{z}\\"),
        ] {
            let joined = title.clone();
            assert_eq!(decoded(&heading_text(&title)), joined, "{title:?}");
            assert_eq!(decoded(&body_line(&title)), joined, "{title:?}");
            assert_eq!(decoded(&link_description(&title)), joined, "{title:?}");
        }
        // Escapes alone decode to nothing.
        assert_eq!(decoded(&heading_text("_a_ --- [x]")), "_a_ --- [x]");
        assert_eq!(decoded(&heading_text("")), "");
    }

    #[test]
    fn body_lines_never_start_a_block() {
        let cases = [
            ("* not a heading", "|*| not a heading"),
            ("- item", "|- item"),
            ("1. item", "|1. item"),
            ("a) item", "|a) item"),
            ("#+TITLE: x", "|#+TITLE: x"),
            ("| table |", "|| table |"),
            (": fixed", "|: fixed"),
            ("DEADLINE: <2024-01-01>", "|DEADLINE: <|2024-01-01>"),
            ("plain 1. text", "plain 1. text"),
            ("e.g. fine", "e.g. fine"),
        ];
        for (line, want) in cases {
            assert_eq!(shown(&body_line(line)), want, "{line:?}");
        }
    }

    #[test]
    fn tags_use_orgs_characters() {
        assert_eq!(tag("red flag"), "red_flag");
        assert_eq!(tag(" 2"), "2");
        assert_eq!(tag("50%"), "50%");
        assert_eq!(tag("中文 ok!"), "中文_ok");
        assert_eq!(tag("--"), "");
    }

    #[test]
    fn headings_extras_and_links() {
        let mut s = Sheet::new("root");
        let mut a = Topic::new("a");
        a.id = "a1".into();
        a.labels = vec!["x y".into()].into();
        a.markers = vec!["priority-1".into()].into();
        a.notes = Some(Box::new(Notes {
            plain: "- one\ntwo\n\n* three".into(),
            html: None,
        }));
        a.folded = true;
        let a = s.add(TopicId::ROOT, TopicKind::Attached, a);
        s.add(a, TopicKind::Attached, Topic::new("deep"));
        let mut b = Topic::new("b");
        let mut l = Link::new("xmind:#a1");
        l.target = Some(TopicRef { sheet: 0, topic: a });
        b.link = Some(Box::new(l));
        let b = s.add(TopicId::ROOT, TopicKind::Attached, b);
        let mut w = Topic::new("web");
        w.link = Some(Box::new(Link::new("https://e.com/a b[1]")));
        s.add(TopicId::ROOT, TopicKind::Attached, w);
        s.relationships.push(Relationship {
            from: Some(b),
            to: Some(a),
            title: "see".into(),
            ..Relationship::default()
        });
        let d = doc(s);
        assert_eq!(
            shown(&org(&d, &WriteOptions::default())),
            "* root\n\
             ** a :x_y:P1:\n\
             :PROPERTIES:\n:CUSTOM_ID: topic-a1\n:VISIBILITY: folded\n:END:\n\
             |- one \\\\\ntwo\n\n|*| three\n\n\
             *** deep\n\
             ** [[#topic-a1][b]]\n\
             Relationship (see): → [[#topic-a1][a]]\n\n\
             ** [[https://e.com/a%20b%5B1%5D][web]]\n"
        );
        let mut titles = WriteOptions::default();
        titles.titles_only();
        titles.depth = Some(1);
        assert_eq!(org(&d, &titles), "* root\n** a\n** b\n** web\n");
    }

    #[test]
    fn several_sheets_floating_topics_summaries_and_callouts() {
        let mut s = Sheet::new("one");
        s.title = "First".into();
        let a = s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("a"));
        s.add(a, TopicKind::Floating, Topic::new("float"));
        s.add(TopicId::ROOT, TopicKind::Callout, Topic::new("call"));
        let z = s.add(TopicId::ROOT, TopicKind::Summary, Topic::new("sum"));
        s.topics[0].summaries[0].range = Some(crate::model::ChildRange { start: 0, end: 0 });
        let _ = z;
        let d = Document {
            sheets: vec![s, Sheet::new("two")],
            ..Document::default()
        };
        assert_eq!(
            shown(&org(&d, &WriteOptions::default())),
            "# Sheet 1: First\n* one\n** a\n** Summary (a): sum\n** Callout: call\n* float\n\
             # Sheet 2:\n* two\n"
        );
    }

    #[test]
    fn a_very_deep_chain_is_written_without_recursion() {
        let mut s = Sheet::new("root");
        let mut parent = TopicId::ROOT;
        for i in 0..5_000 {
            parent = s.add(parent, TopicKind::Attached, Topic::new(i.to_string()));
        }
        let out = org(&doc(s), &WriteOptions::default());
        let last = out.lines().last().unwrap();
        assert_eq!(last, format!("{} 4999", "*".repeat(5_001)));
    }
}
