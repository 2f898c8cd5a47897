//! Markdown (CommonMark) that pandoc, GitHub and markmap read back as the map's outline.
//!
//! What it writes is specified in `docs/formats/markdown.md`, shown as the rustdoc of
//! [`Markdown`]. The writer walks the plan once (`Doc::write`), with a frame for each topic it
//! is inside (where its title went, the prefix of its block quote); escaping is in `escape.rs`,
//! rich notes in `note.rs`, and whole lines with their prefixes in `out.rs`.

mod escape;
mod note;
mod out;

use std::collections::HashMap;
use std::io::Write;
use std::rc::Rc;

use super::{Buf, Event, Extra, Order, Plan, Role, Writer, fmt, ids};
use crate::error::Result;
use crate::markers::{self, MarkerStyle};
use crate::model::{LinkKind, Topic, TopicId};
use crate::url;
pub(crate) use escape::{At, escape_into, escape_line, link_dest, link_dest_into};
use escape::{escape_line_checked, text_lines_into};
use out::{Out, Prefix};

#[doc = include_str!("../../../docs/formats/markdown.md")]
pub struct Markdown;

/// Heading levels when [`super::WriteOptions::heading_levels`] is `None`: the root and main
/// topics.
const DEFAULT_HEADING_LEVELS: usize = 2;
/// Title of the section that holds floating topics.
const FLOATING: &str = "Floating topics";

impl Writer for Markdown {
    fn name(&self) -> &'static str {
        "markdown"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["md"]
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["md", "markdown"]
    }
    fn description(&self) -> &'static str {
        "Markdown: root and main topics as headings, deeper topics as nested lists, extras in block quotes"
    }
    fn order(&self) -> Order {
        Order::SubtopicsFirst
    }
    fn min_size(&self, plan: &Plan<'_>) -> u64 {
        // List items are indented two spaces a level below the headings (a lower bound: the
        // levels written as headings are counted too, at most six of them per topic).
        let headings = plan
            .opts()
            .heading_levels
            .unwrap_or(DEFAULT_HEADING_LEVELS)
            .min(6) as u64;
        plan.indentation(2)
            .saturating_sub(2 * headings * plan.topics())
    }
    fn write_plan(&self, plan: &Plan<'_>, out: &mut dyn Write) -> Result<()> {
        Doc::new(plan).write(out)
    }
}

/// Where a topic's title goes.
#[derive(Debug, Clone)]
enum Place {
    /// An ATX heading of this level (1 to 6).
    Heading(usize),
    /// A `- ` list item: `ctx` is written before every line (the block quote markers of the
    /// enclosing items), then two spaces per `indent`.
    Item { ctx: Rc<str>, indent: usize },
}

/// A topic being written, while the walk is below it.
struct Frame {
    place: Place,
    /// Levels below the root or the floating section, for the places of its children.
    layout: usize,
    /// Its block quote holds something (extras or summary and callout items).
    quoted: bool,
    /// An attached child has been written.
    children_started: bool,
    /// The prefix of the summary and callout items in its block quote.
    sub_ctx: Option<Rc<str>>,
}

/// How a topic's link is written.
enum LinkForm {
    /// Around the title: `[title](dest)`.
    Wrap(String),
    /// A paragraph of its own in the block quote.
    Alone(String),
}

struct Doc<'a> {
    plan: &'a Plan<'a>,
    /// Levels written as headings (0 to 6).
    headings: usize,
    /// Anchor names of the topics that links or relationships point at.
    anchors: HashMap<(usize, TopicId), String>,
    /// An empty context, shared by the items of the top-level lists.
    top: Rc<str>,
    o: Out,
}

impl<'a> Doc<'a> {
    fn new(plan: &'a Plan<'a>) -> Self {
        Doc {
            plan,
            headings: plan
                .opts()
                .heading_levels
                .unwrap_or(DEFAULT_HEADING_LEVELS)
                .min(6),
            anchors: ids::anchors(plan, true, |_, _, t| t.id.to_string()),
            top: Rc::from(""),
            o: Out {
                buf: String::new(),
                started: false,
                blank: false,
                paras: 0,
                scratch: String::new(),
            },
        }
    }

    /// The place of a topic `depth` levels below the root (or below the floating section).
    fn place(&self, depth: usize) -> Place {
        if depth < self.headings {
            Place::Heading(depth + 1)
        } else {
            Place::Item {
                ctx: self.top.clone(),
                indent: depth - self.headings,
            }
        }
    }

    /// The place of an attached child of a topic at `place`, `depth` levels down.
    fn child_place(&self, place: &Place, depth: usize) -> Place {
        match place {
            Place::Heading(_) => self.place(depth + 1),
            Place::Item { ctx, indent } => Place::Item {
                ctx: ctx.clone(),
                indent: indent + 1,
            },
        }
    }

    /// Walks every sheet's plan and writes it.
    fn write(mut self, out: &mut dyn Write) -> Result<()> {
        let plan = self.plan;
        let doc = plan.doc();
        let several = doc.sheets.len() > 1;
        let mut b = Buf::new(out);
        let mut frames: Vec<Frame> = Vec::new();
        for (s, sheet) in doc.sheets.iter().enumerate() {
            if several {
                let line = format!("<!-- Sheet {}: {} -->", s + 1, comment_text(&sheet.title));
                self.o.blank = true;
                self.o.line(&Prefix::none(), &line);
                self.o.blank = true;
            }
            let mut floating_started = false;
            for event in plan.walk(s) {
                match event {
                    Event::Enter(e) => {
                        let place = match (e.role, frames.last_mut()) {
                            (Role::Floating, _) if e.level == 0 => {
                                if !floating_started {
                                    floating_started = true;
                                    if self.headings > 0 {
                                        self.o.heading(1, FLOATING);
                                    } else {
                                        self.o.line(&Prefix::none(), &format!("- {FLOATING}"));
                                    }
                                }
                                self.place(1)
                            }
                            (_, None) => self.place(0),
                            (Role::Summary(_) | Role::Callout, Some(parent)) => {
                                let ctx =
                                    parent.sub_ctx.get_or_insert_with(|| match &parent.place {
                                        Place::Heading(_) => Rc::from("> "),
                                        Place::Item { ctx, indent } => {
                                            Rc::from(format!("{ctx}{}> ", "  ".repeat(indent + 1)))
                                        }
                                    });
                                Place::Item {
                                    ctx: ctx.clone(),
                                    indent: 0,
                                }
                            }
                            (_, Some(parent)) => {
                                // A blank line after a heading's block quote, before its
                                // first child.
                                let heading = matches!(parent.place, Place::Heading(_));
                                if heading && parent.quoted && !parent.children_started {
                                    self.o.blank = true;
                                }
                                parent.children_started = true;
                                self.child_place(&parent.place, parent.layout)
                            }
                        };
                        // A floating topic's tree is laid out one level below the root.
                        let layout = e.level + usize::from(floating_started);
                        let quoted = self.topic(s, e.id, e.depth, e.role, e.subtopics, &place);
                        frames.push(Frame {
                            place,
                            layout,
                            quoted,
                            children_started: false,
                            sub_ctx: None,
                        });
                    }
                    Event::Leave(_) => {
                        frames.pop();
                        // Leaving writes nothing.
                        continue;
                    }
                }
                // Whole lines are handed on in blocks (tested here first: most topics do not
                // fill one).
                if self.o.buf.len() >= Buf::BLOCK {
                    std::mem::swap(&mut self.o.buf, &mut b.s);
                    b.flush_full()?;
                    std::mem::swap(&mut self.o.buf, &mut b.s);
                }
            }
        }
        std::mem::swap(&mut self.o.buf, &mut b.s);
        Ok(b.finish()?)
    }

    /// Writes a topic's title and its block quote; returns whether the block quote holds
    /// anything (extras, or `subtopics` summary and callout items to follow).
    fn topic(
        &mut self,
        s: usize,
        id: TopicId,
        depth: usize,
        role: Role,
        subtopics: usize,
        place: &Place,
    ) -> bool {
        let t = self.plan.doc().sheets[s].topic(id);
        let link = self.link_form(t);
        self.title(s, id, place, role, link.as_ref());
        let (ctx, pad): (&str, usize) = match place {
            Place::Heading(_) => ("", 0),
            Place::Item { ctx, indent } => (ctx, indent + 1),
        };
        let quote = Prefix {
            ctx,
            pad,
            tail: "> ",
        };
        let paras = self.extras(s, id, depth, link.as_ref(), &quote);
        if paras > 0 && subtopics > 0 {
            self.o.quote_line(&quote, "");
        }
        paras > 0 || subtopics > 0
    }

    /// Writes a topic's title line(s).
    fn title(&mut self, s: usize, id: TopicId, place: &Place, role: Role, link: Option<&LinkForm>) {
        let sheet = &self.plan.doc().sheets[s];
        let t = sheet.topic(id);
        // A blank title is written `&nbsp;`: markmap drops a node whose text is empty or white
        // space when it has children (or is an only child), and a bare `-` right after its
        // parent's title would turn that title into a setext heading. Pandoc reads the title back
        // as white space.
        let blank = fmt::blank(&t.title);
        let wrap = match link {
            Some(LinkForm::Wrap(dest)) if !blank => Some(dest.as_str()),
            _ => None,
        };
        let anchor = self.anchors.get(&(s, id)).map(String::as_str);
        match place {
            Place::Heading(level) => {
                let joined = t.title.split('\n').collect::<Vec<_>>().join(" ");
                let mut text = anchor
                    .map(|a| format!("<a id=\"{a}\"></a>"))
                    .unwrap_or_default();
                match wrap {
                    _ if blank => text.push_str("&nbsp;"),
                    Some(dest) => {
                        text.push('[');
                        text.push_str(&escape_line(&joined, At::Heading));
                        text.push_str(&format!("]({dest})"));
                    }
                    None => text.push_str(&escape_line(&joined, At::Heading)),
                }
                self.o.heading(*level, &text);
            }
            Place::Item { ctx, indent } => {
                let o = &mut self.o;
                o.start(&Prefix {
                    ctx,
                    pad: *indent,
                    tail: "- ",
                });
                match role {
                    Role::Summary(i) => {
                        o.buf.push_str("**");
                        escape_into(&mut o.buf, &fmt::summary_label_of(sheet, id, i), At::Inline);
                        o.buf.push_str(":** ");
                    }
                    Role::Callout => o.buf.push_str("**Callout:** "),
                    _ => {}
                }
                if let Some(a) = anchor {
                    o.buf.push_str("<a id=\"");
                    o.buf.push_str(a);
                    o.buf.push_str("\"></a>");
                }
                if wrap.is_some() {
                    o.buf.push('[');
                }
                // A title is escaped as one line first: that scan tells whether it has several
                // (rare), which then replace what it wrote.
                let start = o.buf.len();
                if blank {
                    o.buf.push_str("&nbsp;");
                } else if escape_line_checked(&mut o.buf, &t.title, At::Line) {
                    o.buf.truncate(start);
                    let cont = Prefix {
                        ctx,
                        pad: indent + 1,
                        tail: "",
                    };
                    o.scratch.clear();
                    text_lines_into(&mut o.scratch, &t.title);
                    let lines = std::mem::take(&mut o.scratch);
                    for (i, l) in lines.split('\n').enumerate() {
                        if i > 0 {
                            o.buf.push('\n');
                            o.start(&cont);
                        }
                        o.buf.push_str(l);
                    }
                    o.scratch = lines;
                }
                if let Some(dest) = wrap {
                    o.buf.push_str("](");
                    o.buf.push_str(dest);
                    o.buf.push(')');
                }
                o.buf.push('\n');
            }
        }
    }

    /// Writes the paragraphs of a topic's block quote, each line after `q`, and returns how
    /// many there are.
    fn extras(
        &mut self,
        s: usize,
        id: TopicId,
        depth: usize,
        link: Option<&LinkForm>,
        q: &Prefix<'_>,
    ) -> usize {
        // Most topics have none of the extras: told from a few emptiness tests, without the
        // general path's look at each extra (a test compares both).
        if link.is_none() && self.bare(s, id) {
            self.o.paras = 0;
            return 0;
        }
        self.all_extras(s, id, depth, link, q)
    }

    /// Whether topic `id` of sheet `s` has nothing the block quote could hold (its link
    /// aside): no labels, markers, image, notes, comments, relationships, boundaries or
    /// summaries.
    fn bare(&self, s: usize, id: TopicId) -> bool {
        let t = self.plan.doc().sheets[s].topic(id);
        t.labels.is_empty()
            && t.markers.is_empty()
            && t.image.is_none()
            && t.notes.is_none()
            && t.comments.is_empty()
            && t.boundaries.is_empty()
            && t.summaries.is_empty()
            && self.plan.relationship_ends(s, id).is_empty()
    }

    /// [`Doc::extras`], the general path.
    fn all_extras(
        &mut self,
        s: usize,
        id: TopicId,
        depth: usize,
        link: Option<&LinkForm>,
        q: &Prefix<'_>,
    ) -> usize {
        let plan = self.plan;
        let opts = plan.opts();
        let doc = plan.doc();
        let sheet = &doc.sheets[s];
        let t = sheet.topic(id);
        self.o.paras = 0;
        if plan.wants(Extra::Labels) && !t.labels.is_empty() {
            let o = &mut self.o;
            o.para(q);
            let k = o.quote_start(q);
            o.buf.push_str("**Labels:** ");
            for (i, l) in t.labels.iter().enumerate() {
                if i > 0 {
                    o.buf.push_str(", ");
                }
                if l.contains('\n') {
                    escape_into(&mut o.buf, &l.replace('\n', " "), At::Inline);
                } else {
                    escape_into(&mut o.buf, l, At::Inline);
                }
            }
            o.quote_end(k);
        }
        if plan.wants(Extra::Markers) && !t.markers.is_empty() {
            let sep = match opts.marker_style {
                MarkerStyle::Emoji => " ",
                _ => ", ",
            };
            let o = &mut self.o;
            o.para(q);
            let k = o.quote_start(q);
            o.buf.push_str("**Markers:** ");
            for (i, m) in t.markers.iter().enumerate() {
                if i > 0 {
                    o.buf.push_str(sep);
                }
                let shown = markers::display(m, opts.marker_style, &doc.marker_names);
                escape_into(&mut o.buf, &shown, At::Inline);
            }
            o.quote_end(k);
        }
        match link {
            Some(LinkForm::Alone(md)) => {
                self.o.para(q);
                self.o.quote_line(q, md);
            }
            Some(LinkForm::Wrap(dest)) if fmt::blank(&t.title) => {
                let text = match t.link.as_deref() {
                    Some(l) if l.kind == LinkKind::Topic => plan
                        .link_target(l)
                        .map(|r| reference(&doc.sheets[r.sheet], r.topic))
                        .unwrap_or_default(),
                    Some(l) => escaped(&fmt::fold(&l.href)),
                    None => String::new(),
                };
                self.o.para(q);
                self.o.quote_line(q, &format!("**Link:** [{text}]({dest})"));
            }
            _ => {}
        }
        if plan.wants(Extra::Images) {
            if let Some(img) = &t.image {
                self.o.para(q);
                let k = self.o.quote_start(q);
                self.o.buf.push_str("![image](");
                link_dest_into(&mut self.o.buf, &opts.media_link(&img.src));
                self.o.buf.push(')');
                self.o.quote_end(k);
            }
        }
        if plan.wants(Extra::Notes) {
            if let Some(n) = &t.notes {
                let lines = n
                    .html
                    .as_deref()
                    .map(|h| note::html_to_lines(h, &|src: &str| opts.media_link(src)))
                    .filter(|lines| {
                        lines
                            .iter()
                            .any(|l| l.marker.is_some() || !l.text.is_empty())
                    });
                match lines {
                    Some(lines) => note_lines(&mut self.o, q, &lines),
                    None => plain_note(&mut self.o, q, &n.plain),
                }
            }
        }
        if plan.wants(Extra::Comments) {
            for c in &t.comments {
                let o = &mut self.o;
                o.para(q);
                o.scratch.clear();
                text_lines_into(&mut o.scratch, &c.content);
                let lines = std::mem::take(&mut o.scratch);
                for (i, l) in lines.split('\n').enumerate() {
                    let k = o.quote_start(q);
                    if i == 0 {
                        o.buf.push_str("**");
                        escape_into(&mut o.buf, &fmt::comment_label(c), At::Inline);
                        o.buf.push_str(":** ");
                    }
                    o.buf.push_str(l);
                    o.quote_end(k);
                }
                o.scratch = lines;
            }
        }
        for (r, first) in plan.relationships_at(s, id) {
            let line = self.relationship(s, r, first);
            self.o.para(q);
            self.o.quote_line(q, &line);
        }
        let children_shown = plan.children_shown(depth);
        if plan.wants(Extra::Boundaries) {
            for b in &t.boundaries {
                if let Some(label) = fmt::boundary_label(sheet, t, b.range, children_shown) {
                    self.o.para(q);
                    self.o.quote_line(q, &labelled(&label, &b.title));
                }
            }
        }
        if plan.wants(Extra::Summaries) && children_shown {
            // Summaries whose topic is missing; the others are list items.
            for (i, sm) in t.summaries.iter().enumerate() {
                if sm.topic.is_none() {
                    let label = escaped(&fmt::summary_label(sheet, t, i));
                    self.o.para(q);
                    self.o.quote_line(q, &format!("**{label}**"));
                }
            }
        }
        self.o.paras
    }

    fn relationship(&self, s: usize, r: usize, first: bool) -> String {
        let plan = self.plan;
        let sheet = &plan.doc().sheets[s];
        let rel = &sheet.relationships[r];
        let (other, arrow) = if first {
            (rel.to, "→")
        } else {
            (rel.from, "←")
        };
        let target = match other {
            Some(o) if plan.written(s, o) => {
                let anchor = self.anchors.get(&(s, o)).cloned().unwrap_or_default();
                format!("[{}](#{anchor})", reference(sheet, o))
            }
            _ => escaped(
                fmt::relationship_end(plan, s, r, first)
                    .trim_start_matches(arrow)
                    .trim_start(),
            ),
        };
        let label = escaped(&fmt::labelled("Relationship", &rel.title));
        format!("**{label}:** {arrow} {target}")
    }

    fn link_form(&self, t: &Topic) -> Option<LinkForm> {
        let plan = self.plan;
        if !plan.wants(Extra::Links) {
            return None;
        }
        let l = t.link.as_deref()?;
        Some(match l.kind {
            LinkKind::Topic => match plan.link_target(l) {
                Some(r) if plan.written(r.sheet, r.topic) => {
                    let a = self
                        .anchors
                        .get(&(r.sheet, r.topic))
                        .cloned()
                        .unwrap_or_default();
                    LinkForm::Wrap(format!("#{a}"))
                }
                Some(r) => LinkForm::Alone(format!(
                    "**Topic link:** {} (not in this output)",
                    reference(&plan.doc().sheets[r.sheet], r.topic)
                )),
                None => LinkForm::Alone(format!(
                    "**Topic link:** {} (no such topic)",
                    escaped(&fmt::fold(&l.href))
                )),
            },
            LinkKind::Attachment => LinkForm::Wrap(link_dest(&plan.opts().media_link(&l.href))),
            LinkKind::Web => LinkForm::Wrap(link_dest(l.href.trim())),
            // Renderers refuse `file:` links (markmap shows the brackets, GitHub drops the
            // link), and script or data links are no links to click: written as text.
            LinkKind::File => LinkForm::Alone(labelled("File link", &l.href)),
            LinkKind::Other if url::unsafe_scheme(&l.href) => {
                LinkForm::Alone(labelled("Link", &l.href))
            }
            LinkKind::Other => LinkForm::Wrap(link_dest(l.href.trim())),
        })
    }
}

/// `text` escaped inside a line.
fn escaped(text: &str) -> String {
    let mut e = String::with_capacity(text.len());
    escape_into(&mut e, text, At::Inline);
    e
}

/// `**label:** text`, or `**label**` when the text is empty; text on one line.
fn labelled(label: &str, text: &str) -> String {
    let text = fmt::fold(text);
    if text.is_empty() {
        format!("**{label}**")
    } else {
        format!("**{label}:** {}", escaped(&text))
    }
}

/// A topic's title on one line, escaped, for references (`(no title)` when empty).
fn reference(sheet: &crate::model::Sheet, id: TopicId) -> String {
    escaped(&fmt::reference(sheet, id))
}

/// A sheet title inside `<!-- … -->`: one line, and never `--`.
fn comment_text(title: &str) -> String {
    let mut out = String::new();
    for c in fmt::fold(title).chars() {
        if c == '-' && out.ends_with('-') {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Writes a note's lines (from [`note::html_to_lines`] or [`note::plain_to_lines`]) as a
/// `**Note:**` paragraph of the block quote `q`; nothing when they hold no text.
fn note_lines(o: &mut Out, q: &Prefix<'_>, lines: &[note::Line]) {
    let md = note::render(lines);
    if md.is_empty() {
        return;
    }
    let starts_with_text = lines
        .iter()
        .find(|l| l.marker.is_some() || !l.text.is_empty())
        .is_some_and(|l| l.marker.is_none() && l.col == 0);
    o.para(q);
    let mut md = md.iter();
    if starts_with_text {
        let k = o.quote_start(q);
        o.buf.push_str("**Note:** ");
        o.buf.push_str(md.next().map_or("", String::as_str));
        o.quote_end(k);
    } else {
        o.quote_line(q, "**Note:**");
        o.quote_line(q, "");
    }
    for l in md {
        o.quote_line(q, l);
    }
}

/// [`note_lines`] of [`note::plain_to_lines`]`(text)`, written straight into `o` with no
/// lines in between (a plain note is the common case: one in ten topics of the benchmark
/// maps). The same rules: each line without its surrounding spaces and tabs, escaped; lines
/// in a row joined by hard breaks; runs of blank lines one empty quote line; blank lines at
/// either end dropped. A test compares both over odd shapes.
fn plain_note(o: &mut Out, q: &Prefix<'_>, text: &str) {
    // Whether a line has been started (it is left open for a hard break), and whether blank
    // lines came since.
    let mut open = false;
    let mut gap = false;
    for l in text.split('\n') {
        let l = l.trim_matches([' ', '\t']);
        if l.is_empty() {
            gap = open;
            continue;
        }
        if !open {
            o.para(q);
            o.quote_start(q);
            o.buf.push_str("**Note:** ");
        } else {
            if !gap {
                o.buf.push('\\');
            }
            o.buf.push('\n');
            if gap {
                o.quote_line(q, "");
            }
            o.quote_start(q);
        }
        escape_into(&mut o.buf, l, At::Line);
        open = true;
        gap = false;
    }
    if open {
        o.buf.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Document, Link, Notes, Relationship, Sheet, TopicKind};
    use crate::url::unsafe_scheme;
    use crate::write::WriteOptions;
    use crate::write::fmt::date;
    use escape::text_lines;

    fn esc(text: &str) -> String {
        escape_line(text, At::Line)
    }

    #[test]
    fn plain_notes_are_written_as_their_lines_would_be() {
        let cases = [
            "",
            "\n",
            " \t ",
            "one",
            " one \t",
            "one\ntwo",
            "one\n\ntwo",
            "one\n \n\t\ntwo\n",
            "\n\none\n\n",
            "a\nb\nc",
            "# h\n- item\n1. x",
            "a\r\nb",
            "*x*\n\n\n`y`\n ",
            "中文\n\n— & <b>",
            "a\n\nb\nc\n\n\nd",
        ];
        let q = Prefix {
            ctx: "  > ",
            pad: 2,
            tail: "> ",
        };
        let fresh = || Out {
            buf: String::new(),
            started: true,
            blank: false,
            paras: 1,
            scratch: String::new(),
        };
        for text in cases {
            let (mut fast, mut general) = (fresh(), fresh());
            plain_note(&mut fast, &q, text);
            note_lines(&mut general, &q, &note::plain_to_lines(text));
            assert_eq!(fast.buf, general.buf, "{text:?}");
            assert_eq!(fast.paras, general.paras, "{text:?}");
        }
        let mut o = fresh();
        plain_note(&mut o, &q, "one\ntwo\n\nthree");
        assert_eq!(
            o.buf,
            "  >     >\n  >     > **Note:** one\\\n  >     > two\n  >     >\n  >     > three\n"
        );
    }

    #[test]
    fn bare_topics_get_what_the_general_extras_path_writes() {
        let mut s = Sheet::new("root");
        let mut add = |f: &dyn Fn(&mut Topic)| {
            let mut t = Topic::new("t");
            f(&mut t);
            s.add(TopicId::ROOT, TopicKind::Attached, t)
        };
        add(&|_| {});
        add(&|t| t.labels.push("l".into()));
        add(&|t| t.markers.push("priority-1".into()));
        add(&|t| {
            t.notes = Some(Box::new(Notes {
                plain: "n".into(),
                html: None,
            }))
        });
        add(&|t| t.link = Some(Box::new(Link::new("https://example.org"))));
        add(&|t| t.title = "".into());
        add(&|t| {
            t.link = Some(Box::new(Link::new("https://example.org")));
            t.title = " ".into();
        });
        let a = add(&|_| {});
        let b = add(&|_| {});
        s.relationships.push(Relationship {
            from: Some(a),
            to: Some(b),
            title: "r".into(),
            ..Relationship::default()
        });
        let d = doc(s);
        let opts = WriteOptions::default();
        let plan = Plan::new(&d, &opts, &Markdown);
        let q = Prefix {
            ctx: "",
            pad: 1,
            tail: "> ",
        };
        let mut bare = 0;
        for i in 0..d.sheets[0].len() {
            let id = TopicId(i as u32);
            let mut fast = Doc::new(&plan);
            let mut general = Doc::new(&plan);
            let t = d.sheets[0].topic(id);
            let link = fast.link_form(t);
            bare += usize::from(link.is_none() && fast.bare(0, id));
            let n = fast.extras(0, id, 1, link.as_ref(), &q);
            let m = general.all_extras(0, id, 1, link.as_ref(), &q);
            assert_eq!((n, &fast.o.buf), (m, &general.o.buf), "{i}");
        }
        assert_eq!(bare, 3);
    }

    fn md(doc: &Document, opts: &WriteOptions) -> String {
        crate::write::to_string(&Markdown, doc, opts).unwrap()
    }

    fn doc(sheet: Sheet) -> Document {
        Document {
            sheets: vec![sheet],
            ..Document::default()
        }
    }

    /// A root with a chain of `depth` topics below it, each with a sibling leaf.
    fn chain(depth: usize) -> Sheet {
        let mut s = Sheet::new("root");
        let mut parent = TopicId::ROOT;
        for i in 1..=depth {
            let next = s.add(
                parent,
                TopicKind::Attached,
                Topic::new(format!("level {i}")),
            );
            s.add(parent, TopicKind::Attached, Topic::new(format!("leaf {i}")));
            parent = next;
        }
        s
    }

    fn titles_only() -> WriteOptions {
        let mut o = WriteOptions::default();
        o.titles_only();
        o
    }

    #[test]
    fn block_syntax_at_the_start_of_a_line_is_escaped() {
        let cases = [
            ("# not a heading", r"\# not a heading"),
            ("1. not a list", r"1\. not a list"),
            ("1) paren", r"1\) paren"),
            ("A. Smith", r"A\. Smith"),
            ("iv) roman", r"iv\) roman"),
            ("(a) fancy", r"\(a) fancy"),
            ("- dash", r"\- dash"),
            ("+ plus", r"\+ plus"),
            ("> quote", r"\> quote"),
            ("===", r"\==="),
            ("::: div", r"\::: div"),
            (": definition", r"\: definition"),
            ("1.5 is a number", "1.5 is a number"),
            ("e.g. fine", "e.g. fine"),
        ];
        for (input, expected) in cases {
            assert_eq!(esc(input), expected, "{input:?}");
        }
        // The same text later in a line is left alone.
        let mut s = String::new();
        escape_into(&mut s, "# 1. - + > (a)", At::Inline);
        assert_eq!(s, "# 1. - + > (a)");
    }

    #[test]
    fn inline_syntax_is_escaped_anywhere() {
        let cases = [
            ("a*b*c", r"a\*b\*c"),
            ("_under_", r"\_under\_"),
            ("snake_case_name", "snake_case_name"),
            ("`code`", r"\`code\`"),
            ("[link](x)", r"\[link\](x)"),
            ("<b> & <https://a.b>", r"\<b> & \<https://a.b>"),
            ("&amp; &#35; & x &b=2 A&B", r"\&amp; \&#35; & x &b=2 A&B"),
            ("a|b", r"a\|b"),
            ("~~s~~ x^2^ $m$", r"\~\~s\~\~ x\^2\^ \$m\$"),
            ("\"q\" don't", r#"\"q\" don\'t"#),
            ("a -- b --- c - d", r"a \-\- b \-\-\- c - d"),
            ("wait... .. .", r"wait\.\.\. .. ."),
            (":smile: 12:30 a:b:", r"\:smile: 12:30 a\:b:"),
            ("x{#id}", r"x\{#id}"),
            (r"back\slash\", r"back\\slash\\"),
            ("C# (v2) [beta] {x}", r"C# (v2) \[beta\] \{x}"),
        ];
        for (input, expected) in cases {
            assert_eq!(esc(input), expected, "{input:?}");
        }
    }

    #[test]
    fn white_space_at_the_ends_becomes_character_references() {
        assert_eq!(esc("  two  "), "&#32;&#32;two&#32;&#32;");
        assert_eq!(esc("\tx"), "&#9;x");
        assert_eq!(esc("tab\there"), "tab\there");
        assert_eq!(esc("   "), "&#32;&#32;&#32;");
    }

    #[test]
    fn headings_escape_a_hash_that_could_close_them() {
        assert_eq!(
            escape_line("C# and # and #x", At::Heading),
            r"C# and \# and \#x"
        );
        assert_eq!(escape_line("# x #", At::Heading), r"\# x \#");
        assert_eq!(escape_line("C# and # x", At::Line), r"C# and # x");
    }

    #[test]
    fn multi_line_titles_stay_in_their_item() {
        assert_eq!(text_lines("a\nb"), ["a\\", "b"]);
        assert_eq!(text_lines("a\n\nb\n"), ["a\\", "&#32;\\", "b\\", "&#32;"]);
        assert_eq!(text_lines(r"end\"), [r"end\\"]);
        assert_eq!(text_lines(""), [""]);

        let mut s = Sheet::new("root");
        let a = s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("main"));
        s.add(a, TopicKind::Attached, Topic::new("line one\n- two\n"));
        s.add(a, TopicKind::Attached, Topic::new(""));
        s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("x\ny"));
        assert_eq!(
            md(&doc(s), &titles_only()),
            "# root\n\n## main\n\n- line one\\\n  \\- two\\\n  &#32;\n- &nbsp;\n\n## x y\n"
        );
    }

    /// Heading levels of each line (0 for a list item), checking that no heading is deeper
    /// than `######` and no list is followed by a deeper heading under the same parent.
    fn check_shape(md: &str) -> Vec<usize> {
        let mut levels = Vec::new();
        let mut last_heading = 0;
        let mut list_since_heading = false;
        for line in md.lines() {
            let hashes = line.chars().take_while(|&c| c == '#').count();
            if hashes > 0 && line[hashes..].chars().next().is_none_or(|c| c == ' ') {
                assert!(hashes <= 6, "{line}");
                if list_since_heading {
                    assert!(
                        hashes <= last_heading,
                        "a list before a deeper heading: {md}"
                    );
                }
                last_heading = hashes;
                list_since_heading = false;
                levels.push(hashes);
            } else if line.trim_start().starts_with("- ") {
                list_since_heading = true;
                levels.push(0);
            }
        }
        levels
    }

    #[test]
    fn heading_levels_are_bounded_and_lists_come_below_them() {
        let d = doc(chain(10));
        for levels in [None, Some(0), Some(1), Some(3), Some(6), Some(99)] {
            let mut o = titles_only();
            o.heading_levels = levels;
            let out = md(&d, &o);
            let shape = check_shape(&out);
            assert_eq!(shape.len(), 21, "{out}");
            // Depths 0 to h-1 are headings: one chain topic at each, one leaf at each but 0.
            let h = levels.unwrap_or(2).min(6);
            let headings = shape.iter().filter(|&&l| l > 0).count();
            assert_eq!(headings, (2 * h).saturating_sub(1), "{levels:?}: {out}");
        }
        let mut o = titles_only();
        o.heading_levels = Some(0);
        assert_eq!(
            md(&doc(chain(2)), &o),
            "- root\n  - level 1\n    - level 2\n    - leaf 2\n  - leaf 1\n"
        );
        o.heading_levels = None;
        assert_eq!(
            md(&doc(chain(3)), &o),
            "# root\n\n## level 1\n\n- level 2\n  - level 3\n  - leaf 3\n- leaf 2\n\n## leaf 1\n"
        );
    }

    #[test]
    fn depth_limits_the_tree() {
        let mut o = titles_only();
        o.depth = Some(1);
        assert_eq!(
            md(&doc(chain(3)), &o),
            "# root\n\n## level 1\n\n## leaf 1\n"
        );
        o.depth = Some(0);
        assert_eq!(md(&doc(chain(3)), &o), "# root\n");
    }

    #[test]
    fn extras_go_in_a_block_quote_inside_the_item() {
        let mut s = Sheet::new("root");
        let a = s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("main"));
        let mut t = Topic::new("task");
        t.id = "t1".into();
        t.labels = vec!["x".into(), "y z".into()].into();
        t.markers = vec!["priority-2".into(), "custom".into()].into();
        t.notes = Some(Box::new(Notes {
            plain: "1. step\n\nmore".into(),
            html: None,
        }));
        let t1 = s.add(a, TopicKind::Attached, t);
        let mut l = Topic::new("see task");
        l.link = Some(Box::new(Link::new("xmind:#t1")));
        let l1 = s.add(a, TopicKind::Attached, l);
        let mut w = Topic::new("web");
        w.link = Some(Box::new(Link::new("https://e.com/a b(c)")));
        s.add(a, TopicKind::Attached, w);
        s.relationships.push(Relationship {
            end1: "x".into(),
            end2: "t1".into(),
            from: Some(l1),
            to: Some(t1),
            title: "needs".into(),
            ..Relationship::default()
        });
        let mut d = doc(s);
        d.marker_names.insert("custom".into(), "My *own*".into());
        let out = md(&d, &WriteOptions::default());
        assert_eq!(
            out,
            "# root\n\n## main\n\n\
             - <a id=\"topic-t1\"></a>task\n\
             \x20 > **Labels:** x, y z\n\
             \x20 >\n\
             \x20 > **Markers:** P2, My \\*own\\*\n\
             \x20 >\n\
             \x20 > **Note:** 1\\. step\n\
             \x20 >\n\
             \x20 > more\n\
             - [see task](#topic-t1)\n\
             \x20 > **Relationship (needs):** → [task](#topic-t1)\n\
             - [web](https://e.com/a%20b\\(c\\))\n"
        );
        let mut o = WriteOptions {
            marker_style: MarkerStyle::Emoji,
            ..WriteOptions::default()
        };
        o.set(Extra::Notes, false);
        o.set(Extra::Relationships, false);
        o.set(Extra::Labels, false);
        let out = md(&d, &o);
        assert!(
            out.contains("> **Markers:** 2️⃣ My \\*own\\*\n- [see"),
            "{out}"
        );
        assert_eq!(
            md(&d, &titles_only()),
            "# root\n\n## main\n\n- task\n- see task\n- web\n"
        );
    }

    #[test]
    fn link_destinations_are_escaped() {
        assert_eq!(link_dest("https://a.b/?x=1&y=2"), "https://a.b/?x=1&y=2");
        assert_eq!(
            link_dest("https://a.b/?x=1&amp;"),
            "https://a.b/?x=1\\&amp;"
        );
        assert_eq!(link_dest("a (1).png"), "a%20\\(1\\).png");
        assert_eq!(link_dest("<x>\n"), "%3Cx%3E%0A");
        assert_eq!(link_dest(""), "<>");
        assert!(unsafe_scheme(" JavaScript:alert(1)"));
        assert!(!unsafe_scheme("obsidian://open"));
    }

    #[test]
    fn sheet_titles_in_comments_never_close_them() {
        assert_eq!(comment_text("a --> b\n---"), "a - -> b - - -");
    }

    #[test]
    fn comment_dates_are_utc_days() {
        assert_eq!(date(0).as_deref(), Some("1970-01-01"));
        assert_eq!(date(1_700_000_000_000).as_deref(), Some("2023-11-14"));
        assert_eq!(date(951_782_400_000).as_deref(), Some("2000-02-29"));
        assert_eq!(date(-86_400_000).as_deref(), Some("1969-12-31"));
        assert_eq!(date(i64::MAX), None);
    }

    #[test]
    fn a_very_deep_chain_is_written_without_recursion() {
        let mut s = Sheet::new("root");
        let mut parent = TopicId::ROOT;
        for i in 0..5_000 {
            parent = s.add(parent, TopicKind::Attached, Topic::new(i.to_string()));
            if i % 500 == 0 {
                let mut sub = Topic::new("callout");
                sub.notes = Some(Box::new(Notes {
                    plain: "note".into(),
                    html: None,
                }));
                s.add(parent, TopicKind::Callout, sub);
            }
        }
        let d = doc(s);
        let out = md(&d, &WriteOptions::default());
        let last = out.lines().last().unwrap();
        assert_eq!(last.trim_start(), "- 4999");
        assert_eq!(last.len() - "- 4999".len(), 2 * (5_000 - 2));
    }
}
