//! Markdown (CommonMark) that pandoc, GitHub and markmap read back as the map's outline.
//!
//! Shape (documented in the README):
//! - The root is a `#` heading. By default the main topics are `##` headings and deeper topics
//!   nested `- ` lists, two spaces per level. [`EmitOptions::heading_levels`] sets how many
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

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::rc::Rc;

use super::{EmitOptions, Emitter, Extra};
use crate::markers::{self, MarkerStyle};
use crate::model::{BoundaryRange, ChildRange, Document, LinkKind, Sheet, Topic, TopicId};

/// The Markdown emitter.
pub struct Markdown;

/// Heading levels when [`EmitOptions::heading_levels`] is `None`: the root and main topics.
const DEFAULT_HEADING_LEVELS: usize = 2;
/// Title of the section that holds floating topics.
const FLOATING: &str = "Floating topics";

impl Emitter for Markdown {
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
    fn emit(&self, doc: &Document, opts: &EmitOptions, out: &mut dyn Write) -> io::Result<()> {
        let mut w = Writer::new(doc, opts);
        // A first pass finds which topics are written, so that links know their targets.
        w.traverse(&mut io::sink(), true)?;
        w.find_link_targets();
        w.traverse(out, false)
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

struct Writer<'a> {
    doc: &'a Document,
    opts: &'a EmitOptions,
    /// Levels written as headings (0 to 6).
    headings: usize,
    /// Whether each topic is written, per sheet, indexed like `Sheet::topics`.
    written: Vec<Vec<bool>>,
    /// Anchor names of the topics that links or relationships point at.
    anchors: HashMap<(usize, TopicId), String>,
    /// Every topic by its id, for topic links.
    by_id: HashMap<&'a str, (usize, TopicId)>,
    /// Relationships to write in a topic's block quote: index into `Sheet::relationships`, and
    /// whether this topic is the first end.
    rels: HashMap<(usize, TopicId), Vec<(usize, bool)>>,
    /// An empty context, shared by the items of the top-level lists.
    top: Rc<str>,
    /// Something has been written.
    started: bool,
    /// A blank line is due before the next line.
    blank: bool,
}

impl<'a> Writer<'a> {
    fn new(doc: &'a Document, opts: &'a EmitOptions) -> Self {
        Writer {
            doc,
            opts,
            headings: opts.heading_levels.unwrap_or(DEFAULT_HEADING_LEVELS).min(6),
            written: doc.sheets.iter().map(|s| vec![false; s.len()]).collect(),
            anchors: HashMap::new(),
            by_id: HashMap::new(),
            rels: HashMap::new(),
            top: Rc::from(""),
            started: false,
            blank: false,
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

    /// Walks every sheet with an explicit stack; writes to `out` unless `dry`, when it only
    /// records which topics are written.
    fn traverse(&mut self, out: &mut dyn Write, dry: bool) -> io::Result<()> {
        let doc = self.doc;
        let several = doc.sheets.len() > 1;
        for (s, sheet) in doc.sheets.iter().enumerate() {
            if several && !dry {
                let line = format!("<!-- Sheet {}: {} -->", s + 1, comment_text(&sheet.title));
                self.blank = true;
                self.line(out, &Prefix::none(), &line)?;
                self.blank = true;
            }
            let mut stack = Vec::new();
            if self.opts.wants(Extra::Floating, true) && self.opts.within_depth(1) {
                let floating = sheet.floating_topics();
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
                    Task::Break => self.blank = true,
                    Task::FloatingSection => {
                        if !dry {
                            if self.headings > 0 {
                                self.heading(out, 1, FLOATING)?;
                            } else {
                                self.line(out, &Prefix::none(), &format!("- {FLOATING}"))?;
                            }
                        }
                    }
                    Task::Topic {
                        id,
                        depth,
                        place,
                        role,
                    } => self.topic(s, id, depth, place, role, out, dry, &mut stack)?,
                }
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn topic(
        &mut self,
        s: usize,
        id: TopicId,
        depth: usize,
        place: Place,
        role: Role,
        out: &mut dyn Write,
        dry: bool,
        stack: &mut Vec<Task>,
    ) -> io::Result<()> {
        let doc = self.doc;
        let t = doc.sheets[s].topic(id);
        self.written[s][id.index()] = true;
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

        let mut quoted = !subs.is_empty();
        if !dry {
            let paras = self.extras(s, id, depth);
            quoted |= !paras.is_empty();
            self.title(out, s, id, &place, role)?;
            let (ctx, pad): (&str, usize) = match &place {
                Place::Heading(_) => ("", 0),
                Place::Item { ctx, indent } => (ctx, indent + 1),
            };
            let quote = Prefix {
                ctx,
                pad,
                tail: "> ",
            };
            let empty = Prefix {
                ctx,
                pad,
                tail: ">",
            };
            for (i, para) in paras.iter().enumerate() {
                if i > 0 {
                    self.line(out, &empty, "")?;
                }
                for l in para {
                    if l.is_empty() {
                        self.line(out, &empty, "")?;
                    } else {
                        self.line(out, &quote, l)?;
                    }
                }
            }
            if !paras.is_empty() && !subs.is_empty() {
                self.line(out, &empty, "")?;
            }
        }

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
        Ok(())
    }

    /// Writes a topic's title line(s).
    fn title(
        &mut self,
        out: &mut dyn Write,
        s: usize,
        id: TopicId,
        place: &Place,
        role: Role,
    ) -> io::Result<()> {
        let doc = self.doc;
        let sheet = &doc.sheets[s];
        let t = sheet.topic(id);
        // A blank title is written `&nbsp;`: markmap drops a node whose text is empty or white
        // space when it has children (or is an only child), and a bare `-` right after its
        // parent's title would turn that title into a setext heading. Pandoc reads the title back
        // as white space.
        let blank = t.title.trim().is_empty();
        let wrap = match self.link_form(t) {
            Some(LinkForm::Wrap(dest)) if !blank => Some(dest),
            _ => None,
        };
        let anchor = self
            .anchors
            .get(&(s, id))
            .map(|a| format!("<a id=\"{a}\"></a>"))
            .unwrap_or_default();
        match place {
            Place::Heading(level) => {
                let joined = t.title.split('\n').collect::<Vec<_>>().join(" ");
                let mut text = anchor;
                match wrap {
                    _ if blank => text.push_str("&nbsp;"),
                    Some(dest) => {
                        text.push('[');
                        text.push_str(&escape_line(&joined, true));
                        text.push_str(&format!("]({dest})"));
                    }
                    None => text.push_str(&escape_line(&joined, true)),
                }
                self.heading(out, *level, &text)
            }
            Place::Item { ctx, indent } => {
                let mut lines = if blank {
                    vec!["&nbsp;".to_string()]
                } else {
                    text_lines(&t.title)
                };
                if let Some(dest) = wrap {
                    lines[0].insert(0, '[');
                    if let Some(last) = lines.last_mut() {
                        last.push_str(&format!("]({dest})"));
                    }
                }
                let mut first = self.role_label(sheet, role);
                first.push_str(&anchor);
                first.push_str(&lines[0]);
                let item = Prefix {
                    ctx,
                    pad: *indent,
                    tail: "- ",
                };
                self.line(out, &item, &first)?;
                let cont = Prefix {
                    ctx,
                    pad: indent + 1,
                    tail: "",
                };
                for l in &lines[1..] {
                    self.line(out, &cont, l)?;
                }
                Ok(())
            }
        }
    }

    fn role_label(&self, sheet: &Sheet, role: Role) -> String {
        match role {
            Role::Topic => String::new(),
            Role::Callout => "**Callout:** ".to_string(),
            Role::Summary { parent, index } => {
                let p = sheet.topic(parent);
                match p.summaries.get(index).and_then(|sm| sm.range) {
                    Some(r) => format!("**Summary ({}):** ", range_text(sheet, p, r)),
                    None => "**Summary:** ".to_string(),
                }
            }
        }
    }

    /// The paragraphs of a topic's block quote (lines without the quote prefix; an empty line
    /// is a blank line inside the quote).
    fn extras(&self, s: usize, id: TopicId, depth: usize) -> Vec<Vec<String>> {
        let opts = self.opts;
        let sheet = &self.doc.sheets[s];
        let t = sheet.topic(id);
        let mut paras = Vec::new();
        if opts.wants(Extra::Labels, true) && !t.labels.is_empty() {
            let mut line = "**Labels:** ".to_string();
            for (i, l) in t.labels.iter().enumerate() {
                if i > 0 {
                    line.push_str(", ");
                }
                escape_into(&mut line, &l.replace('\n', " "), false, false);
            }
            paras.push(vec![line]);
        }
        if opts.wants(Extra::Markers, true) && !t.markers.is_empty() {
            let sep = match opts.marker_style {
                MarkerStyle::Emoji => " ",
                _ => ", ",
            };
            let mut line = "**Markers:** ".to_string();
            for (i, m) in t.markers.iter().enumerate() {
                if i > 0 {
                    line.push_str(sep);
                }
                let shown = markers::display(m, opts.marker_style, &self.doc.marker_names);
                escape_into(&mut line, &shown, false, false);
            }
            paras.push(vec![line]);
        }
        match self.link_form(t) {
            Some(LinkForm::Alone(md)) => paras.push(vec![md]),
            Some(LinkForm::Wrap(dest)) if t.title.trim().is_empty() => {
                let text = match t.link.as_deref() {
                    Some(l) if l.kind == LinkKind::Topic => self
                        .by_id
                        .get(l.target_name())
                        .map(|&(ts, tid)| reference(&self.doc.sheets[ts], tid))
                        .unwrap_or_default(),
                    Some(l) => {
                        let mut e = String::new();
                        escape_into(&mut e, &fold(&l.href), false, false);
                        e
                    }
                    None => String::new(),
                };
                paras.push(vec![format!("**Link:** [{text}]({dest})")]);
            }
            _ => {}
        }
        if opts.wants(Extra::Images, true) {
            if let Some(img) = &t.image {
                paras.push(vec![format!(
                    "![image]({})",
                    link_dest(&opts.media_link(&img.src))
                )]);
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
                let mut md = html::render(&lines);
                if !md.is_empty() {
                    let starts_with_text = lines
                        .iter()
                        .find(|l| l.marker.is_some() || !l.text.is_empty())
                        .is_some_and(|l| l.marker.is_none() && l.col == 0);
                    if starts_with_text {
                        md[0].insert_str(0, "**Note:** ");
                    } else {
                        md.insert(0, String::new());
                        md.insert(0, "**Note:**".to_string());
                    }
                    paras.push(md);
                }
            }
        }
        if opts.wants(Extra::Comments, true) {
            for c in &t.comments {
                let mut who = Vec::new();
                if !c.author.trim().is_empty() {
                    let mut a = String::new();
                    escape_into(&mut a, &fold(&c.author), false, false);
                    who.push(a);
                }
                if let Some(date) = c.time.and_then(date) {
                    who.push(date);
                }
                let label = if who.is_empty() {
                    "**Comment:** ".to_string()
                } else {
                    format!("**Comment ({}):** ", who.join(", "))
                };
                let mut lines = text_lines(&c.content);
                lines[0].insert_str(0, &label);
                paras.push(lines);
            }
        }
        if opts.wants(Extra::Relationships, true) {
            for &(r, outgoing) in self.rels.get(&(s, id)).into_iter().flatten() {
                paras.push(vec![self.relationship(s, r, outgoing)]);
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
                paras.push(vec![labelled(&label, &b.title)]);
            }
        }
        if opts.wants(Extra::Summaries, true) && children_shown {
            // Summaries whose topic is missing; the others are list items.
            for sm in t.summaries.iter().filter(|sm| sm.topic.is_none()) {
                let label = match sm.range {
                    Some(r) => format!("Summary ({})", range_text(sheet, t, r)),
                    None => "Summary".to_string(),
                };
                paras.push(vec![format!("**{label}**")]);
            }
        }
        paras
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
            Some(o) if self.written[s][o.index()] => {
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
            LinkKind::Topic => match self.by_id.get(l.target_name()) {
                Some(&(ts, tid)) if self.written[ts][tid.index()] => {
                    match self.anchors.get(&(ts, tid)) {
                        Some(a) => LinkForm::Wrap(format!("#{a}")),
                        // Only during the first pass, which writes nothing.
                        None => LinkForm::Wrap(String::new()),
                    }
                }
                Some(&(ts, tid)) => LinkForm::Alone(format!(
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
                for (s, sheet) in doc.sheets.iter().enumerate() {
                    for (i, t) in sheet.topics.iter().enumerate() {
                        self.by_id
                            .entry(t.id.as_str())
                            .or_insert((s, TopicId(i as u32)));
                    }
                }
                self.by_id.remove("");
                for (s, sheet) in doc.sheets.iter().enumerate() {
                    for (i, t) in sheet.topics.iter().enumerate() {
                        let Some(l) = t.link.as_deref() else { continue };
                        if l.kind != LinkKind::Topic || !self.written[s][i] {
                            continue;
                        }
                        if let Some(&(ts, tid)) = self.by_id.get(l.target_name()) {
                            if self.written[ts][tid.index()] {
                                wanted.insert((ts, tid));
                            }
                        }
                    }
                }
            }
        }
        if self.opts.wants(Extra::Relationships, true) {
            for (s, sheet) in doc.sheets.iter().enumerate() {
                let shown = |t: Option<TopicId>| t.filter(|t| self.written[s][t.index()]);
                for (r, rel) in sheet.relationships.iter().enumerate() {
                    let (at, outgoing, other) = match (shown(rel.from), shown(rel.to)) {
                        (Some(f), to) => (f, true, to),
                        (None, Some(t)) => (t, false, None),
                        (None, None) => continue,
                    };
                    self.rels.entry((s, at)).or_default().push((r, outgoing));
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
        }
    }

    /// Writes one line; a blank line first when one is due.
    fn line(&mut self, out: &mut dyn Write, p: &Prefix<'_>, text: &str) -> io::Result<()> {
        if self.blank && self.started {
            out.write_all(b"\n")?;
        }
        self.blank = false;
        self.started = true;
        out.write_all(p.ctx.as_bytes())?;
        write_spaces(out, p.pad * 2)?;
        out.write_all(p.tail.as_bytes())?;
        out.write_all(text.as_bytes())?;
        out.write_all(b"\n")
    }

    fn heading(&mut self, out: &mut dyn Write, level: usize, text: &str) -> io::Result<()> {
        self.blank = true;
        let hashes = "#".repeat(level);
        let line = if text.is_empty() {
            hashes
        } else {
            format!("{hashes} {text}")
        };
        self.line(out, &Prefix::none(), &line)?;
        self.blank = true;
        Ok(())
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

fn write_spaces(out: &mut dyn Write, mut n: usize) -> io::Result<()> {
    const SPACES: &[u8; 64] = b"                                                                ";
    while n > 0 {
        let k = n.min(SPACES.len());
        out.write_all(&SPACES[..k])?;
        n -= k;
    }
    Ok(())
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
fn text_lines(text: &str) -> Vec<String> {
    let several = text.contains('\n');
    if !several {
        return vec![escape_line(text, false)];
    }
    let mut lines: Vec<String> = text
        .split('\n')
        .map(|l| {
            let e = escape_line(l, false);
            if e.is_empty() && several {
                "&#32;".to_string()
            } else {
                e
            }
        })
        .collect();
    let n = lines.len();
    for l in &mut lines[..n - 1] {
        l.push('\\');
    }
    lines
}

/// A whole line of literal text: [`escape_into`] at the start of a line, with leading and
/// trailing spaces and tabs written as character references (Markdown would drop them, or
/// read them as indentation or a hard line break).
fn escape_line(text: &str, heading: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    if !text.starts_with([' ', '\t']) && !text.ends_with([' ', '\t']) {
        escape_into(&mut out, text, true, heading);
        return out;
    }
    let body = text.trim_start_matches([' ', '\t']);
    for c in text[..text.len() - body.len()].chars() {
        out.push_str(if c == '\t' { "&#9;" } else { "&#32;" });
    }
    let inner = body.trim_end_matches([' ', '\t']);
    escape_into(&mut out, inner, true, heading);
    for c in body[inner.len()..].chars() {
        out.push_str(if c == '\t' { "&#9;" } else { "&#32;" });
    }
    out
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
    // Most titles hold none of the characters below (all ASCII, so a byte scan is exact).
    if !text.bytes().any(may_need_escape) {
        out.push_str(text);
        return;
    }
    let chars: Vec<char> = text.chars().collect();
    // A list marker at the start: letters or digits, then `.` or `)`, then a space or the end.
    let mut marker = None;
    if at_start {
        let j = chars
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        if j > 0
            && matches!(chars.get(j), Some('.' | ')'))
            && chars.get(j + 1).is_none_or(|c| *c == ' ' || *c == '\t')
        {
            marker = Some(j);
        }
    }
    for (k, &c) in chars.iter().enumerate() {
        let prev = k.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(k + 1).copied();
        let first = at_start && k == 0;
        let escape = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '|' | '~' | '^' | '$' | '"' | '\'' | '{' => true,
            '_' => {
                !(prev.is_some_and(|p| p.is_ascii_alphanumeric())
                    && next.is_some_and(|x| x.is_ascii_alphanumeric()))
            }
            '&' => entity_follows(&chars[k + 1..]),
            '#' => first || (heading && prev.is_none_or(|p| p == ' ' || p == '\t')),
            '-' => first || prev == Some('-') || next == Some('-'),
            '.' => marker == Some(k) || dot_run(&chars, k) >= 3,
            ')' => marker == Some(k),
            ':' => first || emoji_code_follows(&chars[k + 1..]),
            '+' | '=' | '>' | '(' => first,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Whether [`escape_into`] might escape this byte, or look at it to decide.
fn may_need_escape(b: u8) -> bool {
    matches!(
        b,
        b'\\'
            | b'`'
            | b'*'
            | b'['
            | b']'
            | b'<'
            | b'|'
            | b'~'
            | b'^'
            | b'$'
            | b'"'
            | b'\''
            | b'{'
            | b'_'
            | b'&'
            | b'#'
            | b'-'
            | b'.'
            | b')'
            | b':'
            | b'+'
            | b'='
            | b'>'
            | b'('
    )
}

/// Length of the run of `.` that includes position `k`.
fn dot_run(chars: &[char], k: usize) -> usize {
    let left = chars[..k].iter().rev().take_while(|&&c| c == '.').count();
    let right = chars[k..].iter().take_while(|&&c| c == '.').count();
    left + right
}

/// Whether `rest` (after a `&`) starts like a character reference: `amp;`, `#35;`, `#x1F;`.
fn entity_follows(rest: &[char]) -> bool {
    let rest = rest.strip_prefix(&['#']).unwrap_or(rest);
    let name = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    name > 0 && rest.get(name) == Some(&';')
}

/// Whether `rest` (after a `:`) starts with `name:`, as in an emoji code `:smile:`.
fn emoji_code_follows(rest: &[char]) -> bool {
    let name = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-'))
        .count();
    name > 0 && rest.get(name) == Some(&':')
}

/// A link destination: white space and control characters percent-encoded, `<` and `>` too;
/// parentheses, backslashes and an `&` that starts a character reference backslash-escaped. Empty: `<>`.
pub(crate) fn link_dest(url: &str) -> String {
    if url.is_empty() {
        return "<>".to_string();
    }
    // The usual URL has nothing to encode (white space and controls other than ASCII are
    // multi-byte, so they fail the ASCII test).
    if url
        .bytes()
        .all(|b| b.is_ascii_graphic() && !matches!(b, b'(' | b')' | b'\\' | b'&' | b'<' | b'>'))
    {
        return url.to_string();
    }
    let chars: Vec<char> = url.chars().collect();
    let mut out = String::with_capacity(url.len());
    for (k, &c) in chars.iter().enumerate() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '&' if entity_follows(&chars[k + 1..]) => out.push_str("\\&"),
            c if c.is_whitespace() || c.is_control() || c == '<' || c == '>' => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Link, Notes, Relationship, TopicKind};

    fn esc(text: &str) -> String {
        escape_line(text, false)
    }

    fn md(doc: &Document, opts: &EmitOptions) -> String {
        crate::emit::to_string(&Markdown, doc, opts).unwrap()
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

    fn titles_only() -> EmitOptions {
        let mut o = EmitOptions::default();
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
        o.max_depth = Some(1);
        assert_eq!(
            md(&doc(chain(3)), &o),
            "# root\n\n## level 1\n\n## leaf 1\n"
        );
        o.max_depth = Some(0);
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
        let out = md(&d, &EmitOptions::default());
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
        let mut o = EmitOptions {
            marker_style: MarkerStyle::Emoji,
            ..EmitOptions::default()
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
        let out = md(&d, &EmitOptions::default());
        let last = out.lines().last().unwrap();
        assert_eq!(last.trim_start(), "- 4999");
        assert_eq!(last.len() - "- 4999".len(), 2 * (5_000 - 2));
    }
}
