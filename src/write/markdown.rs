//! Markdown (CommonMark) that pandoc, GitHub and markmap read back as the map's outline.
//!
//! Shape (documented in the README):
//! - The root is a `#` heading. By default the main topics are `##` headings and deeper topics
//!   nested `- ` lists, two spaces per level. [`WriteOptions::heading_levels`] sets how many
//!   levels are headings (never deeper than `######`); 0 writes every topic, the root too, as a
//!   list item. All topics at one depth have the same form, so a list is never followed by a
//!   deeper heading under the same parent (markmap would drop such a list).
//! - Several sheets: written one after the other, each starting with a comment line
//!   `<!-- Sheet N: TITLE -->`.
//! - Floating topics: after the sheet's tree, under a `# Floating topics` heading (a top-level
//!   `- Floating topics` item in the list-only style), each one like a main topic.
//! - Titles are literal text: every character with a meaning in CommonMark, GFM or pandoc's
//!   `commonmark_x` is backslash-escaped where it would have that meaning; leading and trailing
//!   white space is written as character references (`&#32;`). A title with several lines keeps
//!   them as hard line breaks (`\` at the end of a line) in a list item; in a heading, which holds
//!   one line, the lines are joined with a space. An empty (or blank) title is written `&nbsp;`:
//!   markmap drops an empty node that has children, and an empty item right after its parent's
//!   title would turn that title into a heading.
//! - Extras go in a block quote right below the title, inside the topic's list item, so that
//!   markmap shows them in the node: `**Labels:** a, b`, `**Markers:** P1, 50%` (see
//!   [`crate::markers`]), `![image](…)`, `**Note:** …` (rich notes converted from HTML, see
//!   `html.rs`), `**Comment (author, date):** …`, `**Relationship (title):** → [other](#anchor)`,
//!   `**Boundary (first … last):** title`, then summaries and callouts as list items
//!   `- **Summary (first … last):** title` and `- **Callout:** title` with their own subtrees.
//!   A topic written as a heading has its block quote right below the heading (markmap does not
//!   show it there; choose fewer heading levels for markmap).
//! - Links: a web, file or other link wraps the title, `[title](url)`; a topic link points at
//!   the target's anchor, `[title](#topic-ID)`, and every topic that a link or relationship
//!   points at gets one, `<a id="topic-ID"></a>`, before its title. An image or attachment
//!   stored in the map (`xap:resources/…`) is written with its path in the archive
//!   (`resources/…`), which resolves when that folder is extracted next to the Markdown file.
//!   A link that cannot wrap the title (empty title, topic not in the output) is a
//!   `**Link:** …` or `**Topic link:** …` line in the block quote.

// Also used by the HTML emitter's note sanitiser (its tag reader and entity decoder).
pub(super) mod html;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::rc::Rc;

use super::{Extra, WriteOptions, Writer};
use crate::markers::{self, MarkerStyle};
use crate::model::{
    BoundaryRange, ChildRange, Document, LinkKind, Sheet, Topic, TopicId, TopicKind,
};

/// The Markdown emitter.
pub struct Markdown;

/// Heading levels when [`WriteOptions::heading_levels`] is `None`: the root and main topics.
const DEFAULT_HEADING_LEVELS: usize = 2;
/// Topic flags: written in this output; has an anchor; has relationships to write.
const WRITTEN: u8 = 1;
const ANCHORED: u8 = 2;
const RELATED: u8 = 4;
/// The output is handed on when this much is ready (whole lines; a large note may take more).
/// Larger than the CLI's buffer, so that it passes through without another copy.
const FLUSH_AT: usize = 64 << 10;
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
    fn write(&self, doc: &Document, opts: &WriteOptions, out: &mut dyn Write) -> io::Result<()> {
        let mut w = Doc::new(doc, opts);
        // Links and relationships need to know which topics are written, before writing.
        w.mark_written();
        w.find_link_targets();
        w.traverse(out)
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

/// Why a topic is written.
#[derive(Debug, Clone, Copy)]
enum Role {
    /// An attached, floating or root topic.
    Topic,
    /// The topic of `parent`'s summary number `index`.
    Summary { parent: TopicId, index: usize },
    /// A callout.
    Callout,
}

enum Task {
    Topic {
        id: TopicId,
        depth: usize,
        place: Place,
        role: Role,
    },
    /// The heading of the floating topics' section.
    FloatingSection,
    /// A blank line before what follows (after a heading's block quote).
    Break,
}

/// What goes before the text of a line.
struct Prefix<'p> {
    ctx: &'p str,
    pad: usize,
    tail: &'p str,
}

/// How a topic's link is written.
enum LinkForm {
    /// Around the title: `[title](dest)`.
    Wrap(String),
    /// A paragraph of its own in the block quote.
    Alone(String),
}

struct Doc<'a> {
    doc: &'a Document,
    opts: &'a WriteOptions,
    /// Levels written as headings (0 to 6).
    headings: usize,
    /// [`WRITTEN`], [`ANCHORED`] and [`RELATED`] for each topic, per sheet, indexed like
    /// `Sheet::topics`: the maps below are only looked up for the few topics flagged.
    flags: Vec<Vec<u8>>,
    /// Anchor names of the topics that links or relationships point at.
    anchors: HashMap<(usize, TopicId), String>,
    /// The topics that topic links point at, by id (`None`: no topic has that id).
    by_id: HashMap<&'a str, Option<(usize, TopicId)>>,
    /// Relationships to write in a topic's block quote: index into `Sheet::relationships`, and
    /// whether this topic is the first end.
    rels: HashMap<(usize, TopicId), Vec<(usize, bool)>>,
    /// Each sheet's floating topics, when [`Doc::mark_written`] found them.
    floating: Vec<Option<Vec<TopicId>>>,
    /// An empty context, shared by the items of the top-level lists.
    top: Rc<str>,
    o: Out,
}

impl<'a> Doc<'a> {
    fn new(doc: &'a Document, opts: &'a WriteOptions) -> Self {
        Doc {
            doc,
            opts,
            headings: opts.heading_levels.unwrap_or(DEFAULT_HEADING_LEVELS).min(6),
            flags: doc.sheets.iter().map(|s| vec![0; s.len()]).collect(),
            anchors: HashMap::new(),
            by_id: HashMap::new(),
            rels: HashMap::new(),
            floating: vec![None; doc.sheets.len()],
            top: Rc::from(""),
            o: Out {
                buf: String::with_capacity(FLUSH_AT + (8 << 10)),
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

    fn child_place(&self, place: &Place, depth: usize) -> Place {
        match place {
            Place::Heading(_) => self.place(depth + 1),
            Place::Item { ctx, indent } => Place::Item {
                ctx: ctx.clone(),
                indent: indent + 1,
            },
        }
    }

    /// Marks the topics that [`Doc::traverse`] writes, when links or relationships need to
    /// know: the same walk, without writing. Nothing to mark in a map without topic links or
    /// relationships.
    fn mark_written(&mut self) {
        let opts = self.opts;
        let doc = self.doc;
        let links = opts.wants(Extra::Links, true)
            && doc.sheets.iter().any(|s| {
                s.topics
                    .iter()
                    .any(|t| t.link.as_deref().is_some_and(|l| l.kind == LinkKind::Topic))
            });
        let rels = opts.wants(Extra::Relationships, true)
            && doc.sheets.iter().any(|s| !s.relationships.is_empty());
        if !links && !rels {
            return;
        }
        let summaries = opts.wants(Extra::Summaries, true);
        let callouts = opts.wants(Extra::Callouts, true);
        let floating = opts.wants(Extra::Floating, true) && opts.within_depth(1);
        if summaries && callouts && floating && opts.depth.is_none() {
            // Every topic the walk for floating topics reaches is written, and no other: one
            // walk does both.
            for (s, sheet) in doc.sheets.iter().enumerate() {
                self.floating[s] = Some(floating_topics_marking(sheet, &mut self.flags[s]));
            }
            return;
        }
        let mut stack: Vec<(TopicId, usize)> = Vec::new();
        for (s, sheet) in doc.sheets.iter().enumerate() {
            stack.push((TopicId::ROOT, 0));
            if floating {
                let found = sheet.floating_topics();
                stack.extend(found.iter().map(|&id| (id, 1)));
                self.floating[s] = Some(found);
            }
            let flags = &mut self.flags[s];
            while let Some((id, depth)) = stack.pop() {
                flags[id.index()] |= WRITTEN;
                let t = sheet.topic(id);
                let children_shown = opts.within_depth(depth + 1);
                if summaries && children_shown {
                    stack.extend(
                        t.summaries
                            .iter()
                            .filter_map(|sm| sm.topic.map(|st| (st, depth + 1))),
                    );
                }
                if callouts {
                    stack.extend(t.callouts.iter().map(|&c| (c, depth + 1)));
                }
                if children_shown {
                    stack.extend(t.children.iter().map(|&c| (c, depth + 1)));
                }
            }
        }
    }

    /// Walks every sheet with an explicit stack and writes it.
    fn traverse(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let doc = self.doc;
        let several = doc.sheets.len() > 1;
        for (s, sheet) in doc.sheets.iter().enumerate() {
            if several {
                let line = format!("<!-- Sheet {}: {} -->", s + 1, comment_text(&sheet.title));
                self.o.blank = true;
                self.o.line(&Prefix::none(), &line);
                self.o.blank = true;
            }
            let mut stack = Vec::new();
            if self.opts.wants(Extra::Floating, true) && self.opts.within_depth(1) {
                let floating = self.floating[s]
                    .take()
                    .unwrap_or_else(|| sheet.floating_topics());
                if !floating.is_empty() {
                    for &id in floating.iter().rev() {
                        stack.push(Task::Topic {
                            id,
                            depth: 1,
                            place: self.place(1),
                            role: Role::Topic,
                        });
                    }
                    stack.push(Task::FloatingSection);
                }
            }
            stack.push(Task::Topic {
                id: TopicId::ROOT,
                depth: 0,
                place: self.place(0),
                role: Role::Topic,
            });
            while let Some(task) = stack.pop() {
                match task {
                    Task::Break => self.o.blank = true,
                    Task::FloatingSection => {
                        if self.headings > 0 {
                            self.o.heading(1, FLOATING);
                        } else {
                            self.o.line(&Prefix::none(), &format!("- {FLOATING}"));
                        }
                    }
                    Task::Topic {
                        id,
                        depth,
                        place,
                        role,
                    } => self.topic(s, id, depth, place, role, &mut stack),
                }
                if self.o.buf.len() >= FLUSH_AT {
                    out.write_all(self.o.buf.as_bytes())?;
                    self.o.buf.clear();
                }
            }
        }
        out.write_all(self.o.buf.as_bytes())?;
        self.o.buf.clear();
        Ok(())
    }

    fn topic(
        &mut self,
        s: usize,
        id: TopicId,
        depth: usize,
        place: Place,
        role: Role,
        stack: &mut Vec<Task>,
    ) {
        let doc = self.doc;
        let t = doc.sheets[s].topic(id);
        let children_shown = self.opts.within_depth(depth + 1);

        // Summaries (when the children they cover are shown) and callouts: list items in the
        // block quote, each with its own subtree.
        let mut subs: Vec<(TopicId, Role)> = Vec::new();
        if self.opts.wants(Extra::Summaries, true) && children_shown {
            for (index, sm) in t.summaries.iter().enumerate() {
                if let Some(st) = sm.topic {
                    subs.push((st, Role::Summary { parent: id, index }));
                }
            }
        }
        if self.opts.wants(Extra::Callouts, true) {
            subs.extend(t.callouts.iter().map(|&c| (c, Role::Callout)));
        }

        let link = self.link_form(t);
        self.title(s, id, &place, role, link.as_ref());
        let (ctx, pad): (&str, usize) = match &place {
            Place::Heading(_) => ("", 0),
            Place::Item { ctx, indent } => (ctx, indent + 1),
        };
        let quote = Prefix {
            ctx,
            pad,
            tail: "> ",
        };
        let paras = self.extras(s, id, depth, link.as_ref(), &quote);
        if paras > 0 && !subs.is_empty() {
            self.o.quote_line(&quote, "");
        }
        let quoted = paras > 0 || !subs.is_empty();

        if children_shown {
            for &c in t.children.iter().rev() {
                stack.push(Task::Topic {
                    id: c,
                    depth: depth + 1,
                    place: self.child_place(&place, depth),
                    role: Role::Topic,
                });
            }
        }
        if quoted && matches!(place, Place::Heading(_)) {
            stack.push(Task::Break);
        }
        if !subs.is_empty() {
            let ctx: Rc<str> = match &place {
                Place::Heading(_) => Rc::from("> "),
                Place::Item { ctx, indent } => {
                    Rc::from(format!("{ctx}{}> ", "  ".repeat(indent + 1)))
                }
            };
            for &(st, role) in subs.iter().rev() {
                stack.push(Task::Topic {
                    id: st,
                    depth: depth + 1,
                    place: Place::Item {
                        ctx: ctx.clone(),
                        indent: 0,
                    },
                    role,
                });
            }
        }
    }

    /// Writes a topic's title line(s).
    fn title(&mut self, s: usize, id: TopicId, place: &Place, role: Role, link: Option<&LinkForm>) {
        let doc = self.doc;
        let sheet = &doc.sheets[s];
        let t = sheet.topic(id);
        // A blank title is written `&nbsp;`: markmap drops a node whose text is empty or white
        // space when it has children (or is an only child), and a bare `-` right after its
        // parent's title would turn that title into a setext heading. Pandoc reads the title back
        // as white space.
        let blank = t.title.trim().is_empty();
        let wrap = match link {
            Some(LinkForm::Wrap(dest)) if !blank => Some(dest.as_str()),
            _ => None,
        };
        let anchor = match self.flags[s][id.index()] & ANCHORED {
            0 => None,
            _ => self.anchors.get(&(s, id)).map(String::as_str),
        };
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
                        text.push_str(&escape_line(&joined, true));
                        text.push_str(&format!("]({dest})"));
                    }
                    None => text.push_str(&escape_line(&joined, true)),
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
                o.buf.push_str(&role_label(sheet, role));
                if let Some(a) = anchor {
                    o.buf.push_str("<a id=\"");
                    o.buf.push_str(a);
                    o.buf.push_str("\"></a>");
                }
                if wrap.is_some() {
                    o.buf.push('[');
                }
                if blank {
                    o.buf.push_str("&nbsp;");
                } else if !t.title.contains('\n') {
                    escape_line_into(&mut o.buf, &t.title, false);
                } else {
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
        let opts = self.opts;
        let doc = self.doc;
        let sheet = &doc.sheets[s];
        let t = sheet.topic(id);
        self.o.paras = 0;
        if opts.wants(Extra::Labels, true) && !t.labels.is_empty() {
            let o = &mut self.o;
            o.para(q);
            let k = o.quote_start(q);
            o.buf.push_str("**Labels:** ");
            for (i, l) in t.labels.iter().enumerate() {
                if i > 0 {
                    o.buf.push_str(", ");
                }
                if l.contains('\n') {
                    escape_into(&mut o.buf, &l.replace('\n', " "), false, false);
                } else {
                    escape_into(&mut o.buf, l, false, false);
                }
            }
            o.quote_end(k);
        }
        if opts.wants(Extra::Markers, true) && !t.markers.is_empty() {
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
                escape_into(&mut o.buf, &shown, false, false);
            }
            o.quote_end(k);
        }
        match link {
            Some(LinkForm::Alone(md)) => {
                self.o.para(q);
                self.o.quote_line(q, md);
            }
            Some(LinkForm::Wrap(dest)) if t.title.trim().is_empty() => {
                let text = match t.link.as_deref() {
                    Some(l) if l.kind == LinkKind::Topic => self
                        .target(l.target_name())
                        .map(|(ts, tid)| reference(&doc.sheets[ts], tid))
                        .unwrap_or_default(),
                    Some(l) => {
                        let mut e = String::new();
                        escape_into(&mut e, &fold(&l.href), false, false);
                        e
                    }
                    None => String::new(),
                };
                self.o.para(q);
                self.o.quote_line(q, &format!("**Link:** [{text}]({dest})"));
            }
            _ => {}
        }
        if opts.wants(Extra::Images, true) {
            if let Some(img) = &t.image {
                self.o.para(q);
                let k = self.o.quote_start(q);
                self.o.buf.push_str("![image](");
                link_dest_into(&mut self.o.buf, &opts.media_link(&img.src));
                self.o.buf.push(')');
                self.o.quote_end(k);
            }
        }
        if opts.wants(Extra::Notes, true) {
            if let Some(n) = &t.notes {
                let mut lines = n
                    .html
                    .as_deref()
                    .map(|h| html::html_to_lines(h, &|src: &str| opts.media_link(src)))
                    .unwrap_or_default();
                if lines
                    .iter()
                    .all(|l| l.marker.is_none() && l.text.is_empty())
                {
                    lines = html::plain_to_lines(&n.plain);
                }
                let md = html::render(&lines);
                if !md.is_empty() {
                    let starts_with_text = lines
                        .iter()
                        .find(|l| l.marker.is_some() || !l.text.is_empty())
                        .is_some_and(|l| l.marker.is_none() && l.col == 0);
                    let o = &mut self.o;
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
            }
        }
        if opts.wants(Extra::Comments, true) {
            for c in &t.comments {
                let o = &mut self.o;
                o.para(q);
                let author = !c.author.trim().is_empty();
                let date = c.time.and_then(date);
                o.scratch.clear();
                text_lines_into(&mut o.scratch, &c.content);
                let lines = std::mem::take(&mut o.scratch);
                for (i, l) in lines.split('\n').enumerate() {
                    let k = o.quote_start(q);
                    if i == 0 {
                        o.buf.push_str("**Comment");
                        if author || date.is_some() {
                            o.buf.push_str(" (");
                            if author {
                                escape_into(&mut o.buf, &fold(&c.author), false, false);
                            }
                            if let Some(d) = &date {
                                if author {
                                    o.buf.push_str(", ");
                                }
                                o.buf.push_str(d);
                            }
                            o.buf.push(')');
                        }
                        o.buf.push_str(":** ");
                    }
                    o.buf.push_str(l);
                    o.quote_end(k);
                }
                o.scratch = lines;
            }
        }
        if opts.wants(Extra::Relationships, true) && self.flags[s][id.index()] & RELATED != 0 {
            for &(r, outgoing) in self.rels.get(&(s, id)).into_iter().flatten() {
                let line = self.relationship(s, r, outgoing);
                self.o.para(q);
                self.o.quote_line(q, &line);
            }
        }
        let children_shown = opts.within_depth(depth + 1);
        if opts.wants(Extra::Boundaries, true) {
            for b in &t.boundaries {
                let label = match b.range {
                    BoundaryRange::Master => "Boundary (whole topic)".to_string(),
                    BoundaryRange::Children(r) if children_shown => {
                        format!("Boundary ({})", range_text(sheet, t, r))
                    }
                    BoundaryRange::Children(_) => continue,
                    BoundaryRange::Unknown => "Boundary".to_string(),
                };
                self.o.para(q);
                self.o.quote_line(q, &labelled(&label, &b.title));
            }
        }
        if opts.wants(Extra::Summaries, true) && children_shown {
            // Summaries whose topic is missing; the others are list items.
            for sm in t.summaries.iter().filter(|sm| sm.topic.is_none()) {
                let label = match sm.range {
                    Some(r) => format!("Summary ({})", range_text(sheet, t, r)),
                    None => "Summary".to_string(),
                };
                self.o.para(q);
                self.o.quote_line(q, &format!("**{label}**"));
            }
        }
        self.o.paras
    }

    fn relationship(&self, s: usize, r: usize, outgoing: bool) -> String {
        let sheet = &self.doc.sheets[s];
        let rel = &sheet.relationships[r];
        let (other, other_id, arrow) = if outgoing {
            (rel.to, &rel.end2, "→")
        } else {
            (rel.from, &rel.end1, "←")
        };
        let target = match other {
            Some(o) if self.written(s, o) => {
                let anchor = self.anchors.get(&(s, o)).cloned().unwrap_or_default();
                format!("[{}](#{anchor})", reference(sheet, o))
            }
            Some(o) => format!("{} (not in this output)", reference(sheet, o)),
            None => {
                let mut e = String::new();
                escape_into(&mut e, &fold(other_id), false, false);
                format!("(missing topic {e})")
            }
        };
        let label = if rel.title.trim().is_empty() {
            "**Relationship:**".to_string()
        } else {
            let mut e = String::new();
            escape_into(&mut e, &fold(&rel.title), false, false);
            format!("**Relationship ({e}):**")
        };
        format!("{label} {arrow} {target}")
    }

    fn link_form(&self, t: &Topic) -> Option<LinkForm> {
        if !self.opts.wants(Extra::Links, true) {
            return None;
        }
        let l = t.link.as_deref()?;
        Some(match l.kind {
            LinkKind::Topic => match self.target(l.target_name()) {
                Some((ts, tid)) if self.written(ts, tid) => {
                    match self.anchors.get(&(ts, tid)) {
                        Some(a) => LinkForm::Wrap(format!("#{a}")),
                        // Only during the first pass, which writes nothing.
                        None => LinkForm::Wrap(String::new()),
                    }
                }
                Some((ts, tid)) => LinkForm::Alone(format!(
                    "**Topic link:** {} (not in this output)",
                    reference(&self.doc.sheets[ts], tid)
                )),
                None => {
                    let mut e = String::new();
                    escape_into(&mut e, &fold(&l.href), false, false);
                    LinkForm::Alone(format!("**Topic link:** {e} (no such topic)"))
                }
            },
            LinkKind::Attachment => LinkForm::Wrap(link_dest(&self.opts.media_link(&l.href))),
            LinkKind::Web => LinkForm::Wrap(link_dest(l.href.trim())),
            // Renderers refuse `file:` links (markmap shows the brackets, GitHub drops the
            // link), and script or data links are no links to click: written as text.
            LinkKind::File => LinkForm::Alone(labelled("File link", &l.href)),
            LinkKind::Other if unsafe_scheme(&l.href) => LinkForm::Alone(labelled("Link", &l.href)),
            LinkKind::Other => LinkForm::Wrap(link_dest(l.href.trim())),
        })
    }

    /// After the first pass: which topics links and relationships point at (they get anchors),
    /// and where each relationship is written.
    fn find_link_targets(&mut self) {
        let doc = self.doc;
        let mut wanted: HashSet<(usize, TopicId)> = HashSet::new();
        if self.opts.wants(Extra::Links, true) {
            let any = doc.sheets.iter().any(|s| {
                s.topics
                    .iter()
                    .any(|t| t.link.as_deref().is_some_and(|l| l.kind == LinkKind::Topic))
            });
            if any {
                // Only the ids that links point at are indexed; the first topic with an id wins.
                for sheet in &doc.sheets {
                    for t in &sheet.topics {
                        if let Some(l) = t.link.as_deref().filter(|l| l.kind == LinkKind::Topic) {
                            self.by_id.insert(l.target_name(), None);
                        }
                    }
                }
                for (s, sheet) in doc.sheets.iter().enumerate() {
                    for (i, t) in sheet.topics.iter().enumerate() {
                        if t.id.is_empty() {
                            continue;
                        }
                        if let Some(slot @ None) = self.by_id.get_mut(t.id.as_str()) {
                            *slot = Some((s, TopicId(i as u32)));
                        }
                    }
                }
                for (s, sheet) in doc.sheets.iter().enumerate() {
                    for (i, t) in sheet.topics.iter().enumerate() {
                        let Some(l) = t.link.as_deref() else { continue };
                        if l.kind != LinkKind::Topic || !self.written(s, TopicId(i as u32)) {
                            continue;
                        }
                        if let Some((ts, tid)) = self.target(l.target_name()) {
                            if self.written(ts, tid) {
                                wanted.insert((ts, tid));
                            }
                        }
                    }
                }
            }
        }
        if self.opts.wants(Extra::Relationships, true) {
            for (s, sheet) in doc.sheets.iter().enumerate() {
                let flags = &mut self.flags[s];
                for (r, rel) in sheet.relationships.iter().enumerate() {
                    let shown = |t: Option<TopicId>| t.filter(|t| flags[t.index()] & WRITTEN != 0);
                    let (at, outgoing, other) = match (shown(rel.from), shown(rel.to)) {
                        (Some(f), to) => (f, true, to),
                        (None, Some(t)) => (t, false, None),
                        (None, None) => continue,
                    };
                    self.rels.entry((s, at)).or_default().push((r, outgoing));
                    flags[at.index()] |= RELATED;
                    if let Some(o) = other {
                        wanted.insert((s, o));
                    }
                }
            }
        }
        let mut wanted: Vec<_> = wanted.into_iter().collect();
        wanted.sort();
        let mut used = HashSet::new();
        for (s, id) in wanted {
            let t = self.doc.sheets[s].topic(id);
            let mut base: String =
                t.id.chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                            c
                        } else {
                            '-'
                        }
                    })
                    .collect();
            if base.is_empty() {
                base = format!("{}-{}", s + 1, id.0);
            }
            let mut name = format!("topic-{base}");
            let mut n = 2;
            while !used.insert(name.clone()) {
                name = format!("topic-{base}-{n}");
                n += 1;
            }
            self.anchors.insert((s, id), name);
            self.flags[s][id.index()] |= ANCHORED;
        }
    }

    fn written(&self, s: usize, id: TopicId) -> bool {
        self.flags[s][id.index()] & WRITTEN != 0
    }

    /// The topic that a topic link's target id names, if any.
    fn target(&self, id: &str) -> Option<(usize, TopicId)> {
        self.by_id.get(id).copied().flatten()
    }
}

/// The Markdown being written: whole lines, handed on in blocks of [`FLUSH_AT`] bytes or more.
struct Out {
    buf: String,
    /// Something has been written.
    started: bool,
    /// A blank line is due before the next line.
    blank: bool,
    /// Paragraphs written so far in the current block quote.
    paras: usize,
    /// Room for the escaped lines of a multi-line text.
    scratch: String,
}

impl Out {
    /// Starts a line: a blank line first when one is due, then the prefix.
    fn start(&mut self, p: &Prefix<'_>) {
        if self.blank && self.started {
            self.buf.push('\n');
        }
        self.blank = false;
        self.started = true;
        self.buf.push_str(p.ctx);
        push_spaces(&mut self.buf, p.pad * 2);
        self.buf.push_str(p.tail);
    }

    /// Writes one line.
    fn line(&mut self, p: &Prefix<'_>, text: &str) {
        self.start(p);
        self.buf.push_str(text);
        self.buf.push('\n');
    }

    /// Starts a line of a block quote (`q` ends in `> `); returns where its text starts.
    fn quote_start(&mut self, q: &Prefix<'_>) -> usize {
        self.start(q);
        self.buf.len()
    }

    /// Ends a line of a block quote; an empty one is written `>`, without the space.
    fn quote_end(&mut self, text_start: usize) {
        if self.buf.len() == text_start {
            self.buf.pop();
        }
        self.buf.push('\n');
    }

    fn quote_line(&mut self, q: &Prefix<'_>, text: &str) {
        let k = self.quote_start(q);
        self.buf.push_str(text);
        self.quote_end(k);
    }

    /// Starts a paragraph of a block quote: an empty quote line after the previous one.
    fn para(&mut self, q: &Prefix<'_>) {
        if self.paras > 0 {
            self.quote_line(q, "");
        }
        self.paras += 1;
    }

    fn heading(&mut self, level: usize, text: &str) {
        self.blank = true;
        self.start(&Prefix::none());
        for _ in 0..level {
            self.buf.push('#');
        }
        if !text.is_empty() {
            self.buf.push(' ');
            self.buf.push_str(text);
        }
        self.buf.push('\n');
        self.blank = true;
    }
}

impl Prefix<'static> {
    fn none() -> Self {
        Prefix {
            ctx: "",
            pad: 0,
            tail: "",
        }
    }
}

fn push_spaces(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// [`Sheet::floating_topics`] (the same walk, so the same order), marking every topic it
/// reaches as [`WRITTEN`].
fn floating_topics_marking(sheet: &Sheet, flags: &mut [u8]) -> Vec<TopicId> {
    let mut out = Vec::new();
    let mut stack = vec![TopicId::ROOT];
    while let Some(id) = stack.pop() {
        flags[id.index()] |= WRITTEN;
        let t = sheet.topic(id);
        if t.kind == TopicKind::Floating {
            out.push(id);
        }
        let summary_topics = t.summaries.iter().filter_map(|s| s.topic);
        let start = stack.len();
        stack.extend(t.children.iter().copied());
        stack.extend(t.floating.iter().copied());
        stack.extend(t.callouts.iter().copied());
        stack.extend(summary_topics);
        stack[start..].reverse();
    }
    out
}

/// What goes before the title of a summary or callout topic.
fn role_label(sheet: &Sheet, role: Role) -> Cow<'static, str> {
    match role {
        Role::Topic => Cow::Borrowed(""),
        Role::Callout => Cow::Borrowed("**Callout:** "),
        Role::Summary { parent, index } => {
            let p = sheet.topic(parent);
            match p.summaries.get(index).and_then(|sm| sm.range) {
                Some(r) => format!("**Summary ({}):** ", range_text(sheet, p, r)).into(),
                None => Cow::Borrowed("**Summary:** "),
            }
        }
    }
}

/// `**label:** text`, or `**label**` when the text is empty; text on one line.
fn labelled(label: &str, text: &str) -> String {
    let text = fold(text);
    if text.is_empty() {
        format!("**{label}**")
    } else {
        let mut e = String::new();
        escape_into(&mut e, &text, false, false);
        format!("**{label}:** {e}")
    }
}

/// A topic's title on one line, escaped, for references (`(no title)` when empty).
fn reference(sheet: &Sheet, id: TopicId) -> String {
    let title = fold(&sheet.topic(id).title);
    if title.is_empty() {
        return "(no title)".to_string();
    }
    let mut e = String::new();
    escape_into(&mut e, &title, false, false);
    e
}

/// The children a range covers: `first … last`, or one title.
fn range_text(sheet: &Sheet, t: &Topic, r: ChildRange) -> String {
    let title = |i: usize| {
        t.children
            .get(i)
            .map_or_else(|| "(no title)".to_string(), |&c| reference(sheet, c))
    };
    if r.start == r.end {
        title(r.start)
    } else {
        format!("{} … {}", title(r.start), title(r.end))
    }
}

/// Whether a link's scheme runs code or embeds data (`javascript:`, `vbscript:`, `data:`).
pub(crate) fn unsafe_scheme(href: &str) -> bool {
    let h: String = href
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(11)
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|p| h.starts_with(p))
}

/// White space runs folded into one space, trimmed.
fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A sheet title inside `<!-- … -->`: one line, and never `--`.
fn comment_text(title: &str) -> String {
    let mut out = String::new();
    for c in fold(title).chars() {
        if c == '-' && out.ends_with('-') {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// The date of a time in milliseconds since the Unix epoch, `YYYY-MM-DD` (UTC).
pub(crate) fn date(ms: i64) -> Option<String> {
    let days = ms.div_euclid(86_400_000);
    // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
    let z = days.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (0..=9999)
        .contains(&y)
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// The lines of a multi-line text for a paragraph: each escaped, all but the last ending in a
/// hard line break (`\`), an empty line (when there are several) written `&#32;` so that it
/// does not end the paragraph. Never empty; a single empty text gives one empty line.
#[cfg(test)]
fn text_lines(text: &str) -> Vec<String> {
    let mut out = String::new();
    text_lines_into(&mut out, text);
    out.split('\n').map(str::to_string).collect()
}

/// [`text_lines`], appended to `out` with the lines separated by `\n` (which no line holds).
fn text_lines_into(out: &mut String, text: &str) {
    if !text.contains('\n') {
        escape_line_into(out, text, false);
        return;
    }
    for (i, l) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("\\\n");
        }
        let start = out.len();
        escape_line_into(out, l, false);
        if out.len() == start {
            out.push_str("&#32;");
        }
    }
}

/// A whole line of literal text: [`escape_into`] at the start of a line, with leading and
/// trailing spaces and tabs written as character references (Markdown would drop them, or
/// read them as indentation or a hard line break).
fn escape_line(text: &str, heading: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_line_into(&mut out, text, heading);
    out
}

/// [`escape_line`], appended to `out`.
fn escape_line_into(out: &mut String, text: &str, heading: bool) {
    if !text.starts_with([' ', '\t']) && !text.ends_with([' ', '\t']) {
        escape_into(out, text, true, heading);
        return;
    }
    let body = text.trim_start_matches([' ', '\t']);
    for c in text[..text.len() - body.len()].chars() {
        out.push_str(if c == '\t' { "&#9;" } else { "&#32;" });
    }
    let inner = body.trim_end_matches([' ', '\t']);
    escape_into(out, inner, true, heading);
    for c in body[inner.len()..].chars() {
        out.push_str(if c == '\t' { "&#9;" } else { "&#32;" });
    }
}

/// Appends `text` (one line, no `\n`) so that CommonMark, GFM and pandoc's `commonmark_x` read it
/// back as exactly that text. Escaped with a backslash:
/// - always: `` \ ` * [ ] < | ~ ^ $ " ' { `` (code, emphasis, links, raw HTML, tables,
///   strikeout, sub- and superscript, math, smart quotes, attributes);
/// - `_` unless between two ASCII letters or digits; `&` that starts a character reference
///   (`&amp;`, `&#35;`); `:` before `name:` (an emoji code); runs of two or more `-` and of three or
///   more `.` (smart dashes and ellipses);
/// - when `at_start`: a first `# - + = > ( :`, and the `.` or `)` of a list marker like `1.`,
///   `a)`, `iv.` (pandoc's fancy lists);
/// - when `heading`: a `#` after white space, which could close the heading.
pub(crate) fn escape_into(out: &mut String, text: &str, at_start: bool, heading: bool) {
    // Every character escaped, and every character the decision looks at, is ASCII; the bytes
    // of other characters are all 0x80 or above and match none of the tests. So the text is
    // scanned as bytes, and copied in runs between the escapes.
    let b = text.as_bytes();
    // A list marker at the start: letters or digits, then `.` or `)`, then a space or the end.
    let mut marker = usize::MAX;
    if at_start {
        let j = b.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
        if j > 0
            && matches!(b.get(j), Some(b'.' | b')'))
            && b.get(j + 1).is_none_or(|&c| c == b' ' || c == b'\t')
        {
            marker = j;
        }
    }
    let mut copied = 0;
    // Length of the run of `.` the scan is in.
    let mut dots = 0;
    for (k, &c) in b.iter().enumerate() {
        if !MAY_NEED_ESCAPE[c as usize] {
            continue;
        }
        let prev = k.checked_sub(1).map(|p| b[p]);
        let next = b.get(k + 1).copied();
        let first = at_start && k == 0;
        let escape = match c {
            b'\\' | b'`' | b'*' | b'[' | b']' | b'<' | b'|' | b'~' | b'^' | b'$' | b'"' | b'\''
            | b'{' => true,
            b'_' => {
                !(prev.is_some_and(|p| p.is_ascii_alphanumeric())
                    && next.is_some_and(|x| x.is_ascii_alphanumeric()))
            }
            b'&' => entity_follows(&b[k + 1..]),
            b'#' => first || (heading && prev.is_none_or(|p| p == b' ' || p == b'\t')),
            b'-' => first || prev == Some(b'-') || next == Some(b'-'),
            b'.' => {
                if prev != Some(b'.') {
                    dots = b[k..].iter().take_while(|&&c| c == b'.').count();
                }
                marker == k || dots >= 3
            }
            b')' => marker == k,
            b':' => first || emoji_code_follows(&b[k + 1..]),
            b'+' | b'=' | b'>' | b'(' => first,
            _ => false,
        };
        if escape {
            out.push_str(&text[copied..k]);
            out.push('\\');
            copied = k;
        }
    }
    out.push_str(&text[copied..]);
}

/// The bytes [`escape_into`] might escape, or looks at to decide.
const MAY_NEED_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let special = b"\\`*[]<|~^$\"'{_&#-.):+=>(";
    let mut i = 0;
    while i < special.len() {
        table[special[i] as usize] = true;
        i += 1;
    }
    table
};

/// Whether `rest` (after a `&`) starts like a character reference: `amp;`, `#35;`, `#x1F;`.
fn entity_follows(rest: &[u8]) -> bool {
    let rest = rest.strip_prefix(b"#").unwrap_or(rest);
    let name = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    name > 0 && rest.get(name) == Some(&b';')
}

/// Whether `rest` (after a `:`) starts with `name:`, as in an emoji code `:smile:`.
fn emoji_code_follows(rest: &[u8]) -> bool {
    let name = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'+' | b'-'))
        .count();
    name > 0 && rest.get(name) == Some(&b':')
}

/// A link destination: white space and control characters percent-encoded, `<` and `>` too;
/// parentheses, backslashes and an `&` that starts a character reference backslash-escaped. Empty: `<>`.
pub(crate) fn link_dest(url: &str) -> String {
    let mut out = String::with_capacity(url.len() + 2);
    link_dest_into(&mut out, url);
    out
}

/// [`link_dest`], appended to `out`.
pub(crate) fn link_dest_into(out: &mut String, url: &str) {
    if url.is_empty() {
        out.push_str("<>");
        return;
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let b = url.as_bytes();
    let mut copied = 0;
    let mut k = 0;
    while k < b.len() {
        let c = b[k];
        if c.is_ascii_graphic() && !matches!(c, b'(' | b')' | b'\\' | b'&' | b'<' | b'>') {
            k += 1;
            continue;
        }
        // `k` starts a character: ASCII here, or the first byte of a longer one.
        let ch = url[k..].chars().next().unwrap_or_default();
        let len = ch.len_utf8();
        let percent = ch.is_whitespace() || ch.is_control() || ch == '<' || ch == '>';
        let backslash =
            matches!(ch, '(' | ')' | '\\') || (ch == '&' && entity_follows(&b[k + 1..]));
        if percent || backslash {
            out.push_str(&url[copied..k]);
            if backslash {
                out.push('\\');
                out.push(ch);
            } else {
                for &byte in &b[k..k + len] {
                    out.push('%');
                    out.push(HEX[usize::from(byte >> 4)] as char);
                    out.push(HEX[usize::from(byte & 15)] as char);
                }
            }
            copied = k + len;
        }
        k += len;
    }
    out.push_str(&url[copied..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Link, Notes, Relationship, TopicKind};

    fn esc(text: &str) -> String {
        escape_line(text, false)
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
        escape_into(&mut s, "# 1. - + > (a)", false, false);
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
        assert_eq!(escape_line("C# and # and #x", true), r"C# and \# and \#x");
        assert_eq!(escape_line("# x #", true), r"\# x \#");
        assert_eq!(escape_line("C# and # x", false), r"C# and # x");
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
