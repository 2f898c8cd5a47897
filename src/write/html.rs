//! One self-contained HTML page: a collapsible outline with a search box, readable in light and
//! dark mode, that needs no network (inline CSS and JavaScript; a Content-Security-Policy with
//! `default-src 'none'` and the hashes of our own style and script makes the browser refuse
//! anything else, scripts and remote loads alike).
//!
//! What it writes is specified in docs/formats/html.md, shown as the rustdoc of [`Html`].
//!
//! Implementation notes:
//! - Markup: a topic with subtopics or extras is `<details class="topic">` whose `<summary>`
//!   holds the title, markers and labels; a topic with neither is `<div class="topic leaf">`.
//!   Its extras are in a `<div class="x">` below the summary. An empty title's "(no title)" comes
//!   from the CSS only, so it is not part of the page's text.
//! - Rich notes go through the allow-list in `html/sanitize.rs`.
//! - Stored files are embedded when the map was read with its media ([`Document::media`], which
//!   the command line asks for, see [`Writer::wants_media`]); with [`WriteOptions::media_dir`]
//!   (`--extract-media DIR`), or when a file is missing, they link to their path instead
//!   ([`WriteOptions::media_link`]).
//! - Depth: the spec's 24 and 64 containers are [`INDENT_NESTING`] and [`FLAT_NESTING`]; a note
//!   inside a topic adds up to [`sanitize::MAX_NESTING`] more elements to the nesting that
//!   Chromium's parser limits to 512.
//!
//! [`Document::media`]: crate::model::Document::media
//! [`WriteOptions::media_dir`]: super::WriteOptions::media_dir
//! [`WriteOptions::media_link`]: super::WriteOptions::media_link

mod encode;
mod sanitize;

use std::io::Write;

use super::{Buf, Event, Extra, Order, Plan, Role, Writer, fmt};
use crate::error::Result;
use crate::markers::{self, MarkerStyle};
use crate::model::{Image, Link, LinkKind, Topic, TopicId};
use crate::{notes, url, xml};
use encode::{csp_hash, data_uri};

#[doc = include_str!("../../docs/formats/html.md")]
pub struct Html;

/// Nesting of topic containers past which topics are written flat.
const FLAT_NESTING: usize = 64;
/// Nesting of topic containers past which topics are not indented further (and say their
/// level instead), so that deep branches stay readable on a narrow screen.
const INDENT_NESTING: usize = 24;

const STYLE: &str = include_str!("html/page.css");
const SCRIPT: &str = include_str!("html/page.js");

impl Writer for Html {
    fn name(&self) -> &'static str {
        "html"
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["html", "htm"]
    }
    fn description(&self) -> &'static str {
        "one self-contained HTML page: collapsible outline, search, notes, images embedded"
    }
    fn order(&self) -> Order {
        Order::SubtopicsFirst
    }
    fn wants_media(&self) -> bool {
        true
    }
    fn write_plan(&self, plan: &Plan<'_>, out: &mut dyn Write) -> Result<()> {
        Page {
            plan,
            b: Buf::new(out),
        }
        .write()
    }
}

/// Appends `text` escaped for HTML text and attribute values.
fn escape_into(out: &mut String, text: &str) {
    xml::escape_into(out, text, xml::HTML);
}

/// A topic being written, while the walk is below it.
struct Frame {
    /// Topic containers open around its children.
    nest: usize,
    /// Written flat: everything below it is too.
    flat: bool,
    /// What closes it.
    close: &'static str,
    /// Its extras box is open for its summary and callout topics.
    box_open: bool,
}

struct Page<'a, 'o> {
    plan: &'a Plan<'a>,
    b: Buf<'o>,
}

impl Page<'_, '_> {
    fn write(mut self) -> Result<()> {
        let doc = self.plan.doc();
        let name = doc
            .name
            .clone()
            .or_else(|| doc.sheets.first().map(|s| fmt::fold(&s.root().title)))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "Mind map".to_string());
        let images = if self.needs_local_files() {
            "data: 'self' file:"
        } else {
            "data:"
        };
        let b = &mut self.b.s;
        b.push_str("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n");
        b.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        b.push_str("<meta name=\"color-scheme\" content=\"light dark\">\n");
        b.push_str("<meta name=\"generator\" content=\"xmindconv\">\n");
        b.push_str(&format!(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             img-src {images}; style-src {}; script-src {}; base-uri 'none'; form-action 'none'\">\n",
            csp_hash(STYLE),
            csp_hash(SCRIPT)
        ));
        b.push_str("<title>");
        escape_into(b, &name);
        b.push_str("</title>\n<style>");
        b.push_str(STYLE);
        b.push_str("</style>\n</head>\n<body>\n<header>\n<h1>");
        escape_into(b, &name);
        b.push_str(
            "</h1>\n<div class=\"tools\" id=\"tools\" hidden>\
             <input type=\"search\" id=\"q\" placeholder=\"Search topics\" \
             aria-label=\"Search topics\" autocomplete=\"off\">\
             <button type=\"button\" id=\"expand\">Expand all</button>\
             <button type=\"button\" id=\"collapse\">Collapse all</button>\
             <span id=\"count\" role=\"status\"></span></div>\n</header>\n<main>\n",
        );
        if doc.sheets.len() > 1 {
            b.push_str("<nav aria-label=\"Sheets\"><ol>");
            for (s, sheet) in doc.sheets.iter().enumerate() {
                b.push_str(&format!("<li><a href=\"#sheet-{}\">", s + 1));
                escape_into(b, &fmt::sheet_title(sheet, s));
                b.push_str("</a></li>");
            }
            b.push_str("</ol></nav>\n");
        }
        for s in 0..doc.sheets.len() {
            self.sheet(s)?;
        }
        let b = &mut self.b.s;
        b.push_str("</main>\n<script>");
        b.push_str(SCRIPT);
        b.push_str("</script>\n</body>\n</html>\n");
        Ok(self.b.finish()?)
    }

    /// Whether the page links to files next to it (extracted or not embedded), which the
    /// Content-Security-Policy must then allow as images.
    fn needs_local_files(&self) -> bool {
        let doc = self.plan.doc();
        self.plan.opts().media_dir.is_some()
            || crate::media::referenced(doc)
                .iter()
                .any(|entry| !doc.media.contains_key(entry))
    }

    fn sheet(&mut self, s: usize) -> Result<()> {
        let plan = self.plan;
        let sheet = &plan.doc().sheets[s];
        self.b.s.push_str(&format!(
            "<section class=\"sheet\" id=\"sheet-{}\">\n<h2>",
            s + 1
        ));
        escape_into(&mut self.b.s, &fmt::sheet_title(sheet, s));
        self.b.s.push_str("</h2>\n<div class=\"tree\">\n");
        let mut frames: Vec<Frame> = Vec::new();
        let mut floating_started = false;
        for event in plan.walk(s) {
            match event {
                Event::Enter(e) => {
                    if e.level == 0 && e.role == Role::Floating && !floating_started {
                        floating_started = true;
                        self.b.s.push_str(
                            "</div>\n<h3>Floating topics</h3>\n<div class=\"tree floating\">\n",
                        );
                    }
                    let (nest, flat) = match frames.last_mut() {
                        None => (0, false),
                        Some(p) => {
                            let sub = matches!(e.role, Role::Summary(_) | Role::Callout);
                            if !sub && p.box_open {
                                p.box_open = false;
                                self.b.s.push_str("</div>\n");
                            }
                            let nest = if p.flat {
                                p.nest
                            } else {
                                p.nest + if sub { 2 } else { 1 }
                            };
                            (nest, p.flat || nest >= FLAT_NESTING)
                        }
                    };
                    let frame = self.topic(
                        s,
                        e.id,
                        e.depth,
                        e.role,
                        e.has_below(),
                        e.subtopics,
                        nest,
                        flat,
                    );
                    frames.push(frame);
                }
                Event::Leave(_) => {
                    if let Some(f) = frames.pop() {
                        if f.box_open {
                            self.b.s.push_str("</div>\n");
                        }
                        self.b.s.push_str(f.close);
                    }
                }
            }
            self.b.flush_full()?;
        }
        self.b.s.push_str("</div>\n</section>\n");
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn topic(
        &mut self,
        s: usize,
        id: TopicId,
        depth: usize,
        role: Role,
        below: bool,
        subtopics: usize,
        nest: usize,
        flat: bool,
    ) -> Frame {
        let plan = self.plan;
        let t = plan.doc().sheets[s].topic(id);
        let extras = self.extras(s, id, depth);
        let head = self.head(s, id, role);
        let anchor = format!("t{s}-{}", id.0);
        let b = &mut self.b.s;
        let frame = |close, box_open| Frame {
            nest,
            flat,
            close,
            box_open,
        };

        if flat {
            // Flat: this topic complete, then what is below it as the following siblings.
            b.push_str(&format!(
                "<div class=\"topic flat\" id=\"{anchor}\"><div class=\"s\"><span class=\"lv\">level {depth}</span>"
            ));
            b.push_str(&head);
            b.push_str("</div>");
            if !extras.is_empty() {
                b.push_str("<div class=\"x\">");
                b.push_str(&extras);
                b.push_str("</div>");
            }
            b.push_str("</div>\n");
            return frame("", false);
        }

        let (deep, level) = if nest >= INDENT_NESTING {
            (" deep", format!("<span class=\"lv\">level {depth}</span>"))
        } else {
            ("", String::new())
        };
        if !below && extras.is_empty() {
            b.push_str(&format!(
                "<div class=\"topic leaf{deep}\" id=\"{anchor}\"><div class=\"s\">{level}"
            ));
            b.push_str(&head);
            b.push_str("</div></div>\n");
            return frame("", false);
        }
        b.push_str(&format!("<details class=\"topic{deep}\" id=\"{anchor}\""));
        if !t.folded {
            b.push_str(" open");
        }
        b.push_str("><summary>");
        b.push_str(&level);
        b.push_str(&head);
        b.push_str("</summary>\n");
        let mut box_open = false;
        if !extras.is_empty() || subtopics > 0 {
            b.push_str("<div class=\"x\">");
            b.push_str(&extras);
            if subtopics == 0 {
                b.push_str("</div>\n");
            } else {
                b.push('\n');
                box_open = true;
            }
        }
        frame("</details>\n", box_open)
    }

    /// The phrasing content of a topic's summary: role, title (a link when it has a clickable
    /// one), markers, labels.
    fn head(&self, s: usize, id: TopicId, role: Role) -> String {
        let plan = self.plan;
        let opts = plan.opts();
        let doc = plan.doc();
        let sheet = &doc.sheets[s];
        let t = sheet.topic(id);
        let mut h = String::new();
        match role {
            Role::Callout => h.push_str("<span class=\"role\">Callout</span>"),
            Role::Summary(i) => {
                h.push_str("<span class=\"role\">");
                escape_into(&mut h, &fmt::summary_label_of(sheet, id, i));
                h.push_str("</span>");
            }
            Role::Root | Role::Attached | Role::Floating => {}
        }
        match self.link(t) {
            Some(LinkForm::Href { href, download }) => {
                h.push_str("<a class=\"t\" href=\"");
                escape_into(&mut h, &href);
                h.push('"');
                if let Some(name) = download {
                    h.push_str(" download=\"");
                    escape_into(&mut h, &name);
                    h.push('"');
                } else if !href.starts_with('#') {
                    h.push_str(" rel=\"noopener noreferrer\"");
                }
                h.push('>');
                escape_into(&mut h, &t.title);
                h.push_str("</a>");
            }
            _ => {
                h.push_str("<span class=\"t\">");
                escape_into(&mut h, &t.title);
                h.push_str("</span>");
            }
        }
        if plan.wants(Extra::Markers) {
            for m in &t.markers {
                let shown = markers::display(m, opts.marker_style, &doc.marker_names);
                let other = match opts.marker_style {
                    MarkerStyle::Emoji => MarkerStyle::Words,
                    _ => MarkerStyle::Emoji,
                };
                let alt = markers::display(m, other, &doc.marker_names);
                h.push_str("<span class=\"m\" title=\"");
                if alt != shown {
                    escape_into(&mut h, &alt);
                    h.push_str(" · ");
                }
                escape_into(&mut h, m);
                h.push_str("\">");
                escape_into(&mut h, &shown);
                h.push_str("</span>");
            }
        }
        if plan.wants(Extra::Labels) {
            for l in &t.labels {
                h.push_str("<span class=\"lb\">");
                escape_into(&mut h, l);
                h.push_str("</span>");
            }
        }
        h
    }

    /// How a topic's link is written, when links are on and it has one.
    fn link(&self, t: &Topic) -> Option<LinkForm> {
        let plan = self.plan;
        if !plan.wants(Extra::Links) {
            return None;
        }
        let l: &Link = t.link.as_deref()?;
        let href = l.href.trim();
        Some(match l.kind {
            LinkKind::Web => LinkForm::Href {
                href: url::web_href(href).unwrap_or_else(|| href.to_string()),
                download: None,
            },
            LinkKind::Topic => match plan.link_target(l) {
                Some(r) if plan.written(r.sheet, r.topic) => LinkForm::Href {
                    href: format!("#t{}-{}", r.sheet, r.topic.0),
                    download: None,
                },
                Some(r) => LinkForm::Text(format!(
                    "Topic link: {} (not in this output)",
                    fmt::reference(&plan.doc().sheets[r.sheet], r.topic)
                )),
                None => LinkForm::Text(format!("Topic link: {} (no such topic)", fmt::fold(href))),
            },
            LinkKind::Attachment => {
                let entry = l.target_name().trim();
                match self.embedded(entry) {
                    Some(bytes) => LinkForm::Href {
                        href: data_uri(entry, bytes),
                        download: Some(file_name(entry, &t.title)),
                    },
                    None => LinkForm::Href {
                        href: plan.opts().media_link(href),
                        download: None,
                    },
                }
            }
            LinkKind::File => LinkForm::Text(format!("File link: {}", fmt::fold(href))),
            LinkKind::Other => LinkForm::Text(format!("Link: {}", fmt::fold(href))),
        })
    }

    /// The bytes of a stored file, when the page embeds it (media read, not extracted).
    fn embedded(&self, entry: &str) -> Option<&[u8]> {
        if self.plan.opts().media_dir.is_some() {
            return None;
        }
        self.plan.doc().media.get(entry).map(Vec::as_slice)
    }

    /// The extras of a topic, as HTML blocks (without the container); empty when none.
    fn extras(&self, s: usize, id: TopicId, depth: usize) -> String {
        let plan = self.plan;
        let sheet = &plan.doc().sheets[s];
        let t = sheet.topic(id);
        let mut x = String::new();
        if plan.wants(Extra::Images) {
            if let Some(img) = &t.image {
                self.image(&mut x, img);
            }
        }
        if plan.wants(Extra::Notes) {
            if let Some(n) = &t.notes {
                let rich = n
                    .html
                    .as_deref()
                    .map(|h| sanitize::sanitize(h, &NoteLinks { page: self }))
                    .filter(|h| notes::shows_something(h));
                match rich {
                    Some(h) => {
                        x.push_str("<div class=\"note\">");
                        x.push_str(&h);
                        x.push_str("</div>");
                    }
                    None if !n.plain.trim().is_empty() => {
                        x.push_str("<div class=\"note plain\">");
                        escape_into(&mut x, n.plain.trim_end());
                        x.push_str("</div>");
                    }
                    None => {}
                }
            }
        }
        if let Some(LinkForm::Text(text)) = self.link(t) {
            x.push_str("<div class=\"link\">");
            escape_into(&mut x, &text);
            x.push_str("</div>");
        }
        if plan.wants(Extra::Comments) {
            for c in &t.comments {
                x.push_str("<div class=\"comment\"><span class=\"k\">");
                escape_into(&mut x, &fmt::comment_label(c));
                x.push_str("</span><span class=\"c\">");
                escape_into(&mut x, c.content.trim_end());
                x.push_str("</span></div>");
            }
        }
        // Relationships at both ends: `→ other` at the first, `← other` at the second.
        for &(r, first) in plan.relationship_ends(s, id) {
            self.relationship(&mut x, s, r, first);
        }
        let children_shown = plan.children_shown(depth);
        if plan.wants(Extra::Boundaries) {
            for bd in &t.boundaries {
                if let Some(label) = fmt::boundary_label(sheet, t, bd.range, children_shown) {
                    x.push_str("<div class=\"boundary\"><span class=\"k\">");
                    escape_into(&mut x, &label);
                    x.push_str("</span>");
                    escape_into(&mut x, &fmt::fold(&bd.title));
                    x.push_str("</div>");
                }
            }
        }
        if plan.wants(Extra::Summaries) && children_shown {
            for (i, sm) in t.summaries.iter().enumerate() {
                if sm.topic.is_none() {
                    x.push_str("<div class=\"summary\"><span class=\"k\">");
                    escape_into(&mut x, &fmt::summary_label(sheet, t, i));
                    x.push_str("</span></div>");
                }
            }
        }
        x
    }

    fn image(&self, x: &mut String, img: &Image) {
        let src = img.src.trim();
        let size = |v: Option<f64>, name: &str| match v {
            Some(v) if (1.0..=100_000.0).contains(&v) => {
                format!(" {name}=\"{}\"", v.round() as u32)
            }
            _ => String::new(),
        };
        let dims = format!("{}{}", size(img.width, "width"), size(img.height, "height"));
        match self.image_src(src) {
            Some(src_url) => {
                x.push_str("<img class=\"image\" src=\"");
                escape_into(x, &src_url);
                x.push_str(&format!("\" alt=\"\"{dims}>"));
            }
            None => match url::web_href(src) {
                Some(href) => {
                    x.push_str("<div class=\"link\"><span class=\"k\">Image</span><a href=\"");
                    escape_into(x, &href);
                    x.push_str("\" rel=\"noopener noreferrer\">");
                    escape_into(x, src);
                    x.push_str("</a></div>");
                }
                None => {
                    x.push_str("<div class=\"link\"><span class=\"k\">Image</span>");
                    escape_into(x, &fmt::fold(src));
                    x.push_str("</div>");
                }
            },
        }
    }

    /// The `src` of an image the page shows: a stored file embedded or linked, or a `data:`
    /// image. `None` for images elsewhere (on the web: not loaded) and other sources.
    fn image_src(&self, src: &str) -> Option<String> {
        if let Some(entry) = src.strip_prefix("xap:") {
            let entry = entry.trim();
            return Some(match self.embedded(entry) {
                Some(bytes) => data_uri(entry, bytes),
                None => self.plan.opts().media_link(src),
            })
            .filter(|s| !s.is_empty());
        }
        let lower = src.get(..11).unwrap_or(src).to_ascii_lowercase();
        lower.starts_with("data:image/").then(|| src.to_string())
    }

    fn relationship(&self, x: &mut String, s: usize, r: usize, first: bool) {
        let plan = self.plan;
        let sheet = &plan.doc().sheets[s];
        let rel = &sheet.relationships[r];
        let (other, arrow) = if first {
            (rel.to, "→")
        } else {
            (rel.from, "←")
        };
        x.push_str("<div class=\"rel\"><span class=\"k\">");
        escape_into(x, &fmt::labelled("Relationship", &rel.title));
        x.push_str("</span>");
        match other {
            Some(o) if plan.written(s, o) => {
                x.push_str(arrow);
                x.push_str(&format!(" <a href=\"#t{s}-{}\">", o.0));
                escape_into(x, &fmt::reference(sheet, o));
                x.push_str("</a>");
            }
            _ => escape_into(x, &fmt::relationship_end(plan, s, r, first)),
        }
        x.push_str("</div>");
    }
}

/// How a topic's link is written.
enum LinkForm {
    /// Around the title.
    Href {
        href: String,
        /// The file name to save a `data:` attachment under.
        download: Option<String>,
    },
    /// A line of text in the extras.
    Text(String),
}

/// Links and images inside rich notes, resolved like the topic's own.
struct NoteLinks<'p, 'a, 'o> {
    page: &'p Page<'a, 'o>,
}

impl sanitize::Resolve for NoteLinks<'_, '_, '_> {
    fn link(&self, href: &str) -> Option<String> {
        let plan = self.page.plan;
        if let Some(id) = href.strip_prefix("xmind:#") {
            // A link to another topic follows the links switch, like the topic's own link.
            if !plan.wants(Extra::Links) {
                return None;
            }
            return plan
                .topic_by_id(id)
                .filter(|r| plan.written(r.sheet, r.topic))
                .map(|r| format!("#t{}-{}", r.sheet, r.topic.0));
        }
        if href.starts_with("xap:") {
            return Some(plan.opts().media_link(href)).filter(|s| !s.is_empty());
        }
        url::web_href(href)
    }

    fn image(&self, src: &str) -> Option<String> {
        self.page.image_src(src)
    }
}

/// The name to save an attachment under: the topic's title when it looks like a file name
/// (XMind titles attachments with their original name), else the entry's own name.
fn file_name(entry: &str, title: &str) -> String {
    let title = title.trim();
    if !title.is_empty() && title.contains('.') && !title.contains(['/', '\\', '\n']) {
        title.to_string()
    } else {
        entry.rsplit('/').next().unwrap_or(entry).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChildRange, Comment, Document, Notes, Relationship, Sheet, TopicKind};
    use crate::write::WriteOptions;

    fn html(doc: &Document, opts: &WriteOptions) -> String {
        crate::write::to_string(&Html, doc, opts).unwrap()
    }

    fn doc(sheets: Vec<Sheet>) -> Document {
        Document {
            name: Some("map.xmind".into()),
            sheets,
            ..Document::default()
        }
    }

    /// The page without its style sheet and script, which are the same on every page.
    fn body(page: &str) -> &str {
        let start = page.find("<main>").unwrap();
        let end = page.find("</main>").unwrap();
        &page[start..end]
    }

    /// Every element that is opened is closed.
    fn assert_balanced(page: &str) {
        for tag in ["details", "div", "section", "summary", "span", "a"] {
            let open = page.matches(&format!("<{tag} ")).count()
                + page.matches(&format!("<{tag}>")).count();
            let close = page.matches(&format!("</{tag}>")).count();
            assert_eq!(open, close, "<{tag}> opened {open} times, closed {close}");
        }
    }

    #[test]
    fn everything_from_the_map_is_escaped() {
        let mut s = Sheet::new("<script>alert(1)</script> & \"q\" 'a'");
        s.title = "</title><script>x</script>".into();
        let mut t = Topic::new("  two  spaces\nand <b>a line</b>  ");
        t.labels = vec!["<i>label</i>".into()].into();
        t.markers = vec!["<custom>".into()].into();
        t.notes = Some(Box::new(Notes {
            plain: "<img src=x onerror=alert(1)>".into(),
            html: None,
        }));
        t.comments = vec![Comment {
            author: "<me>".into(),
            time: Some(0),
            content: "</div>".into(),
        }]
        .into();
        s.add(TopicId::ROOT, TopicKind::Attached, t);
        let mut d = doc(vec![s, Sheet::new("second")]);
        d.name = Some("<x>.xmind".into());
        d.marker_names
            .insert("<custom>".into(), "<u>mine</u>".into());
        let page = html(&d, &WriteOptions::default());
        assert_eq!(page.matches("<script").count(), 1, "only ours");
        assert!(!body(&page).contains("<b>") && !body(&page).contains("<img"));
        for escaped in [
            "<title>&lt;x&gt;.xmind</title>",
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;a&#39;",
            "&lt;/title&gt;&lt;script&gt;x&lt;/script&gt;",
            "<span class=\"t\">  two  spaces\nand &lt;b&gt;a line&lt;/b&gt;  </span>",
            "<span class=\"lb\">&lt;i&gt;label&lt;/i&gt;</span>",
            "<span class=\"m\" title=\"&lt;custom&gt;\">&lt;u&gt;mine&lt;/u&gt;</span>",
            "<div class=\"note plain\">&lt;img src=x onerror=alert(1)&gt;</div>",
            "Comment (&lt;me&gt;, 1970-01-01)</span><span class=\"c\">&lt;/div&gt;</span>",
        ] {
            assert!(page.contains(escaped), "{escaped} not in {page}");
        }
        assert_balanced(&page);
    }

    #[test]
    fn only_safe_links_are_clickable() {
        let mut s = Sheet::new("root");
        let mut target = Topic::new("target");
        target.id = "tg".into();
        s.add(TopicId::ROOT, TopicKind::Attached, target);
        for href in [
            "javascript:alert(1)",
            " JaVaScRiPt:alert(1)",
            "data:text/html,<script>x</script>",
            "vbscript:x",
            "obsidian://open?vault=x",
            "file:///etc/passwd",
            "https://example.com/?a=1&b=\"2\"",
            "www.example.com",
            "mailto:me@example.com",
            "xmind:#tg",
            "xmind:#nothing",
        ] {
            let mut t = Topic::new(href.trim());
            t.link = Some(Box::new(Link::new(href)));
            s.add(TopicId::ROOT, TopicKind::Attached, t);
        }
        let page = html(&doc(vec![s]), &WriteOptions::default());
        let b = body(&page);
        let hrefs: Vec<&str> = b
            .split("href=\"")
            .skip(1)
            .map(|h| h.split('"').next().unwrap())
            .collect();
        assert_eq!(
            hrefs,
            [
                "https://example.com/?a=1&amp;b=&quot;2&quot;",
                "http://www.example.com",
                "mailto:me@example.com",
                "#t0-1",
            ]
        );
        for text in [
            "Link: javascript:alert(1)",
            "Link: JaVaScRiPt:alert(1)",
            "Link: data:text/html,&lt;script&gt;x&lt;/script&gt;",
            "Link: obsidian://open?vault=x",
            "File link: file:///etc/passwd",
            "Topic link: xmind:#nothing (no such topic)",
        ] {
            assert!(b.contains(text), "{text} not in {b}");
        }
        let mut o = WriteOptions::default();
        o.set(Extra::Links, false);
        assert!(!body(&html(&doc(vec![Sheet::new("x")]), &o)).contains("href"));
    }

    fn with_image() -> Document {
        let mut s = Sheet::new("root");
        let mut t = Topic::new("pic");
        t.image = Some(Box::new(Image {
            src: "xap:resources/a.png".into(),
            width: Some(120.4),
            height: Some(f64::NAN),
        }));
        t.notes = Some(Box::new(Notes {
            plain: "see".into(),
            html: Some(
                "<p>see <img src=\"xap:resources/a.png\"> \
                        <img src=\"https://tracker.example/x.gif\"></p>"
                    .into(),
            ),
        }));
        s.add(TopicId::ROOT, TopicKind::Attached, t);
        let mut a = Topic::new("report.pdf");
        a.link = Some(Box::new(Link::new("xap:attachments/1.pdf")));
        s.add(TopicId::ROOT, TopicKind::Attached, a);
        doc(vec![s])
    }

    #[test]
    fn stored_files_are_embedded_when_read_and_linked_when_extracted() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let mut d = with_image();
        d.media.insert("resources/a.png".into(), png.to_vec());
        d.media
            .insert("attachments/1.pdf".into(), b"%PDF-1.4".to_vec());
        let page = html(&d, &WriteOptions::default());
        let data = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==";
        assert!(
            page.contains(&format!(
                "<img class=\"image\" src=\"{data}\" alt=\"\" width=\"120\">"
            )),
            "{page}"
        );
        assert!(page.contains(&format!("<p>see <img src=\"{data}\" alt=\"\"> <a href=\"https://tracker.example/x.gif\" rel=\"noopener noreferrer\">image</a></p>")));
        assert!(page.contains(
            "href=\"data:application/pdf;base64,JVBERi0xLjQ=\" download=\"report.pdf\">report.pdf</a>"
        ));
        assert!(page.contains("img-src data:;"), "nothing but data: images");

        let o = WriteOptions {
            media_dir: Some("out/media/".into()),
            ..WriteOptions::default()
        };
        let page = html(&d, &o);
        assert!(page.contains("<img class=\"image\" src=\"out/media/resources/a.png\""));
        assert!(page.contains("href=\"out/media/attachments/1.pdf\" rel"));
        assert!(page.contains("img-src data: 'self' file:;"));

        // Read without media: links to where the files would be extracted.
        let page = html(&with_image(), &WriteOptions::default());
        assert!(page.contains("<img class=\"image\" src=\"resources/a.png\""));
        assert!(page.contains("img-src data: 'self' file:;"));
        let mut o = WriteOptions::default();
        o.set(Extra::Images, false);
        o.set(Extra::Notes, false);
        assert!(!html(&d, &o).contains("<img"));
    }

    #[test]
    fn folded_branches_start_collapsed_and_leaves_are_not_details() {
        let mut s = Sheet::new("root");
        let mut f = Topic::new("folded");
        f.folded = true;
        let f = s.add(TopicId::ROOT, TopicKind::Attached, f);
        s.add(f, TopicKind::Attached, Topic::new("hidden child"));
        s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("leaf"));
        let page = html(&doc(vec![s]), &WriteOptions::default());
        assert!(page.contains("<details class=\"topic\" id=\"t0-0\" open><summary>"));
        assert!(page.contains("<details class=\"topic\" id=\"t0-1\"><summary>"));
        assert!(page.contains("<div class=\"topic leaf\" id=\"t0-3\"><div class=\"s\">"));
        let o = WriteOptions {
            depth: Some(1),
            ..WriteOptions::default()
        };
        let page = html(
            &doc(vec![{
                let mut s = Sheet::new("root");
                let a = s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("a"));
                s.add(a, TopicKind::Attached, Topic::new("too deep"));
                s
            }]),
            &o,
        );
        assert!(!page.contains("too deep"));
    }

    #[test]
    fn relationships_link_both_ends_and_summaries_and_callouts_are_trees() {
        let mut s = Sheet::new("root");
        let a = s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("a"));
        let b = s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("b"));
        let sm = s.add(TopicId::ROOT, TopicKind::Summary, Topic::new("sum"));
        s.topics[0].summaries[0].range = Some(ChildRange { start: 0, end: 1 });
        s.add(sm, TopicKind::Attached, Topic::new("under the summary"));
        s.add(b, TopicKind::Callout, Topic::new("call"));
        s.relationships = vec![Relationship {
            end1: "x".into(),
            end2: "y".into(),
            from: Some(a),
            to: Some(b),
            title: "needs <this>".into(),
            ..Relationship::default()
        }];
        let page = html(&doc(vec![s]), &WriteOptions::default());
        assert!(page.contains("Relationship (needs &lt;this&gt;)</span>→ <a href=\"#t0-2\">b</a>"));
        assert!(page.contains("Relationship (needs &lt;this&gt;)</span>← <a href=\"#t0-1\">a</a>"));
        assert!(
            page.contains(
                "<span class=\"role\">Summary (a … b)</span><span class=\"t\">sum</span>"
            )
        );
        assert!(page.contains("under the summary"));
        assert!(page.contains("<span class=\"role\">Callout</span><span class=\"t\">call</span>"));
        assert_balanced(&page);
        let mut o = WriteOptions::default();
        o.titles_only();
        let page = html(&doc(vec![Sheet::new("x")]), &o);
        assert!(!page.contains("class=\"x\""));
    }

    #[test]
    fn a_topic_two_summaries_point_at_is_written_once() {
        let mut s = Sheet::new("root");
        s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("a"));
        let sm = s.add(TopicId::ROOT, TopicKind::Summary, Topic::new("twice"));
        let once = s.topics[0].summaries[0].clone();
        s.topics[0].summaries = vec![once.clone(), once].into();
        assert_eq!(s.topics[0].summaries.len(), 2);
        let page = html(&doc(vec![s]), &WriteOptions::default());
        assert_eq!(page.matches(&format!("id=\"t0-{}\"", sm.0)).count(), 1);
        assert_balanced(&page);
    }

    #[test]
    fn deep_chains_are_nested_then_flat_without_recursion() {
        let mut s = Sheet::new("root");
        let mut parent = TopicId::ROOT;
        for i in 1..=10_000 {
            parent = s.add(
                parent,
                TopicKind::Attached,
                Topic::new(format!("level {i}")),
            );
        }
        let page = html(&doc(vec![s]), &WriteOptions::default());
        assert_eq!(page.matches("<details").count(), FLAT_NESTING);
        assert_eq!(
            page.matches("<details class=\"topic deep\"").count(),
            FLAT_NESTING - INDENT_NESTING
        );
        assert_eq!(
            page.matches("<div class=\"topic flat\"").count(),
            10_001 - FLAT_NESTING
        );
        assert!(page.contains(
            "<div class=\"topic flat\" id=\"t0-10000\"><div class=\"s\"><span class=\"lv\">level 10000</span><span class=\"t\">level 10000</span></div></div>"
        ));
        assert_balanced(&page);
    }

    #[test]
    fn inline_style_and_script_match_their_hashes() {
        assert!(!SCRIPT.contains("</script") && !SCRIPT.contains("<!--"));
        assert!(!STYLE.contains("</style"));
        let page = html(&doc(vec![Sheet::new("x")]), &WriteOptions::default());
        let between = |open: &str, close: &str| {
            let start = page.find(open).unwrap() + open.len();
            page[start..start + page[start..].find(close).unwrap()].to_string()
        };
        let csp = between("Content-Security-Policy\" content=\"", "\"");
        assert!(csp.starts_with("default-src 'none';"), "{csp}");
        assert!(csp.contains(&format!(
            "style-src {};",
            csp_hash(&between("<style>", "</style>"))
        )));
        assert!(csp.contains(&format!(
            "script-src {};",
            csp_hash(&between("<script>", "</script>"))
        )));
    }
}
