//! XMind 8 (`-t xmind8`): a `.xmind` archive with `content.xml` in
//! `urn:xmind:xmap:xmlns:content:2.0`, `META-INF/manifest.xml`, `meta.xml`, `comments.xml` and
//! `attachments/`, for XMind 8 and the tools that read only it (xmind2testcase and many others).
//! The full description is `docs/formats/xmind8.md`.

use std::io::{BufWriter, Cursor, Write};

use zip::ZipWriter;

use super::package::{Names, Resources, options, zip_error};
use super::{Extra, Plan, Writer};
use crate::error::Result;
use crate::model::{BoundaryRange, LinkKind, Topic, TopicId, TopicKind};
use crate::notes::{Token, Tokens, decode_entities};
use crate::xml::{ATTRIBUTE, TEXT, escape_into};

#[doc = include_str!("../../docs/formats/xmind8.md")]
pub struct Xmind8;

impl Writer for Xmind8 {
    fn name(&self) -> &'static str {
        "xmind8"
    }
    fn extensions(&self) -> &'static [&'static str] {
        // Never chosen by extension (`-o map.xmind` is XMind 2020+), only by name.
        &["xmind"]
    }
    fn description(&self) -> &'static str {
        "XMind 8 (.xmind with content.xml), for XMind 8 and tools that read only it"
    }
    fn wants_media(&self) -> bool {
        true
    }
    fn binary(&self) -> bool {
        true
    }
    fn write_plan(&self, plan: &Plan<'_>, out: &mut dyn Write) -> Result<()> {
        let mut names = Names::new(plan.doc());
        let mut resources = Resources::new(plan.doc(), "attachments/");
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let mut comments = String::new();
        zip.start_file("content.xml", options(true))
            .map_err(zip_error)?;
        {
            let mut w = BufWriter::with_capacity(128 << 10, &mut zip);
            content(plan, &mut names, &mut resources, &mut comments, &mut w)?;
            w.flush()?;
        }
        zip.start_file("meta.xml", options(true))
            .map_err(zip_error)?;
        write!(
            zip,
            "{DECLARATION}<meta xmlns=\"urn:xmind:xmap:xmlns:meta:2.0\" version=\"2.0\"><Creator><Name>xmindconv</Name><Version>{}</Version></Creator></meta>",
            env!("CARGO_PKG_VERSION")
        )?;
        if !comments.is_empty() {
            zip.start_file("comments.xml", options(true))
                .map_err(zip_error)?;
            write!(
                zip,
                "{DECLARATION}<comments xmlns=\"urn:xmind:xmap:xmlns:comments:2.0\" version=\"2.0\">{comments}</comments>"
            )?;
        }
        for (name, bytes) in &resources.written {
            zip.start_file(name.as_str(), options(false))
                .map_err(zip_error)?;
            zip.write_all(bytes)?;
        }
        zip.start_file("META-INF/manifest.xml", options(true))
            .map_err(zip_error)?;
        let mut m = format!(
            "{DECLARATION}<manifest xmlns=\"urn:xmind:xmap:xmlns:manifest:1.0\" password-hint=\"\">"
        );
        let mut entry = |path: &str, media: &str| {
            m.push_str("<file-entry full-path=\"");
            escape_into(&mut m, path, ATTRIBUTE);
            m.push_str("\" media-type=\"");
            m.push_str(media);
            m.push_str("\"/>");
        };
        entry("content.xml", "text/xml");
        entry("META-INF/", "");
        entry("META-INF/manifest.xml", "text/xml");
        entry("meta.xml", "text/xml");
        if !comments.is_empty() {
            entry("comments.xml", "text/xml");
        }
        if !resources.written.is_empty() {
            entry("attachments/", "");
        }
        for name in resources.written.keys() {
            entry(name, "");
        }
        m.push_str("</manifest>");
        zip.write_all(m.as_bytes())?;
        let bytes = zip.finish().map_err(zip_error)?.into_inner();
        out.write_all(&bytes)?;
        Ok(out.flush()?)
    }
}

const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>"#;

/// Work left while writing nested topics.
enum Task {
    Topic(TopicId),
    Raw(&'static str),
}

fn content(
    plan: &Plan<'_>,
    names: &mut Names,
    resources: &mut Resources<'_>,
    comments: &mut String,
    out: &mut impl Write,
) -> Result<()> {
    let doc = plan.doc();
    out.write_all(DECLARATION.as_bytes())?;
    out.write_all(
        br#"<xmap-content xmlns="urn:xmind:xmap:xmlns:content:2.0" xmlns:fo="http://www.w3.org/1999/XSL/Format" xmlns:svg="http://www.w3.org/2000/svg" xmlns:xhtml="http://www.w3.org/1999/xhtml" xmlns:xlink="http://www.w3.org/1999/xlink" version="2.0">"#,
    )?;
    let mut buf = String::new();
    for (s, sheet) in doc.sheets.iter().enumerate() {
        buf.clear();
        buf.push_str("<sheet id=\"");
        escape_into(&mut buf, names.ids.name(names.sheets[s]), ATTRIBUTE);
        buf.push_str("\">");
        out.write_all(buf.as_bytes())?;
        tree(plan, s, names, resources, comments, out)?;
        buf.clear();
        buf.push_str("<title>");
        escape_into(&mut buf, &sheet.title, TEXT);
        buf.push_str("</title>");
        if plan.wants(Extra::Relationships) {
            let mut any = false;
            for (r, rel) in sheet.relationships.iter().enumerate() {
                // Kept even when an end is missing: XMind 8 saved such lines itself.
                // An end naming a boundary follows the boundary's new id.
                let end = |t: Option<TopicId>, raw: &str| match t {
                    Some(t) if plan.written(s, t) => Some(names.topic(s, t).to_string()),
                    Some(_) => None,
                    None => Some(names.boundary_end(s, raw).unwrap_or(raw).to_string()),
                };
                let (Some(a), Some(b)) = (end(rel.from, &rel.end1), end(rel.to, &rel.end2)) else {
                    continue;
                };
                if !any {
                    buf.push_str("<relationships>");
                    any = true;
                }
                buf.push_str("<relationship id=\"");
                escape_into(
                    &mut buf,
                    names.ids.name(names.relationships[s][r]),
                    ATTRIBUTE,
                );
                buf.push_str("\" end1=\"");
                escape_into(&mut buf, &a, ATTRIBUTE);
                buf.push_str("\" end2=\"");
                escape_into(&mut buf, &b, ATTRIBUTE);
                buf.push_str("\">");
                if !rel.title.is_empty() {
                    buf.push_str("<title>");
                    escape_into(&mut buf, &rel.title, TEXT);
                    buf.push_str("</title>");
                }
                buf.push_str("</relationship>");
            }
            if any {
                buf.push_str("</relationships>");
            }
        }
        buf.push_str("</sheet>");
        out.write_all(buf.as_bytes())?;
    }
    out.write_all(b"</xmap-content>")?;
    Ok(())
}

/// The root topic of sheet `s` and everything written below it, with an explicit stack.
fn tree(
    plan: &Plan<'_>,
    s: usize,
    names: &mut Names,
    resources: &mut Resources<'_>,
    comments: &mut String,
    out: &mut impl Write,
) -> Result<()> {
    let sheet = &plan.doc().sheets[s];
    let mut done = vec![false; sheet.len()];
    done[0] = true;
    let mut stack = vec![Task::Topic(TopicId::ROOT)];
    let mut tail: Vec<Task> = Vec::new();
    let mut summary_topics: Vec<TopicId> = Vec::new();
    let mut buf = String::new();
    while let Some(task) = stack.pop() {
        let id = match task {
            Task::Raw(s) => {
                out.write_all(s.as_bytes())?;
                continue;
            }
            Task::Topic(id) => id,
        };
        let t = sheet.topic(id);
        buf.clear();
        head(plan, s, id, t, names, resources, &mut buf);
        if plan.wants(Extra::Comments) {
            for c in t.comments.iter() {
                comments.push_str("<comment author=\"");
                escape_into(comments, &c.author, ATTRIBUTE);
                comments.push_str("\" object-id=\"");
                escape_into(comments, names.topic(s, id), ATTRIBUTE);
                comments.push('"');
                if let Some(time) = c.time {
                    comments.push_str(&format!(" time=\"{time}\""));
                }
                comments.push_str("><content>");
                escape_into(comments, &c.content, TEXT);
                comments.push_str("</content></comment>");
            }
        }
        let mut take = |c: TopicId| {
            let fresh = plan.written(s, c) && !done[c.index()];
            if fresh {
                done[c.index()] = true;
            }
            fresh
        };
        let attached: Vec<TopicId> = t.children.iter().copied().filter(|&c| take(c)).collect();
        summary_topics.clear();
        if plan.wants(Extra::Summaries) {
            let mut first = true;
            for (i, sm) in t.summaries.iter().enumerate() {
                let (Some(r), Some(st)) = (sm.range, sm.topic) else {
                    continue;
                };
                if r.end >= attached.len() || !take(st) {
                    continue;
                }
                summary_topics.push(st);
                if first {
                    buf.push_str("<summaries>");
                    first = false;
                }
                let sid = names.fresh("u", s, id, i);
                buf.push_str("<summary id=\"");
                escape_into(&mut buf, &sid, ATTRIBUTE);
                buf.push_str(&format!("\" range=\"({},{})\" topic-id=\"", r.start, r.end));
                escape_into(&mut buf, names.topic(s, st), ATTRIBUTE);
                buf.push_str("\"/>");
            }
            if !first {
                buf.push_str("</summaries>");
            }
        }
        if plan.wants(Extra::Boundaries) {
            let mut first = true;
            for (i, b) in t.boundaries.iter().enumerate() {
                let range = match b.range {
                    BoundaryRange::Master => "master".to_string(),
                    BoundaryRange::Children(r) if r.end < attached.len() => {
                        format!("({},{})", r.start, r.end)
                    }
                    _ => continue,
                };
                if first {
                    buf.push_str("<boundaries>");
                    first = false;
                }
                buf.push_str("<boundary id=\"");
                escape_into(&mut buf, names.boundary(s, id, i), ATTRIBUTE);
                buf.push_str("\" range=\"");
                buf.push_str(&range);
                buf.push_str("\">");
                if !b.title.is_empty() {
                    buf.push_str("<title>");
                    escape_into(&mut buf, &b.title, TEXT);
                    buf.push_str("</title>");
                }
                buf.push_str("</boundary>");
            }
            if !first {
                buf.push_str("</boundaries>");
            }
        }
        out.write_all(buf.as_bytes())?;
        let floating: Vec<TopicId> = t.floating.iter().copied().filter(|&c| take(c)).collect();
        let callouts: Vec<TopicId> = t.callouts.iter().copied().filter(|&c| take(c)).collect();
        tail.clear();
        let mut any = false;
        let groups: [(&'static str, &[TopicId]); 4] = [
            ("<topics type=\"attached\">", &attached),
            ("<topics type=\"detached\">", &floating),
            ("<topics type=\"summary\">", &summary_topics),
            ("<topics type=\"callout\">", &callouts),
        ];
        for (open, ids) in groups {
            if ids.is_empty() {
                continue;
            }
            if !any {
                tail.push(Task::Raw("<children>"));
                any = true;
            }
            tail.push(Task::Raw(open));
            tail.extend(ids.iter().map(|&c| Task::Topic(c)));
            tail.push(Task::Raw("</topics>"));
        }
        if any {
            tail.push(Task::Raw("</children>"));
        }
        tail.push(Task::Raw("</topic>"));
        stack.extend(tail.drain(..).rev());
    }
    Ok(())
}

/// `<topic …>` with its title, image, markers, labels and notes; the caller writes the rest.
fn head(
    plan: &Plan<'_>,
    s: usize,
    id: TopicId,
    t: &Topic,
    names: &Names,
    resources: &mut Resources<'_>,
    buf: &mut String,
) {
    buf.push_str("<topic id=\"");
    escape_into(buf, names.topic(s, id), ATTRIBUTE);
    buf.push('"');
    if t.kind == TopicKind::Root {
        buf.push_str(" structure-class=\"org.xmind.ui.logic.right\"");
    }
    if t.folded {
        buf.push_str(" branch=\"folded\"");
    }
    if plan.wants(Extra::Links) {
        if let Some(l) = &t.link {
            let href = match l.kind {
                LinkKind::Topic => match plan.link_target(l) {
                    Some(r) if plan.written(r.sheet, r.topic) => {
                        Some(format!("xmind:#{}", names.topic(r.sheet, r.topic)))
                    }
                    _ => Some(l.href.to_string()),
                },
                LinkKind::Attachment => resources.src(&l.href),
                _ => Some(l.href.to_string()),
            };
            if let Some(href) = href {
                buf.push_str(" xlink:href=\"");
                escape_into(buf, &href, ATTRIBUTE);
                buf.push('"');
            }
        }
    }
    buf.push_str("><title>");
    escape_into(buf, &t.title, TEXT);
    buf.push_str("</title>");
    if t.kind == TopicKind::Floating {
        // The model keeps no position: floating topics go in a column below the map.
        buf.push_str(&format!(
            "<position svg:x=\"0\" svg:y=\"{}\"/>",
            200 + 60 * (id.0 % 1000)
        ));
    }
    if plan.wants(Extra::Images) {
        if let Some(img) = &t.image {
            if let Some(src) = resources.src(&img.src) {
                buf.push_str("<xhtml:img");
                for (key, v) in [("svg:width", img.width), ("svg:height", img.height)] {
                    if let Some(n) = v.filter(|v| v.is_finite() && *v >= 0.0) {
                        buf.push_str(&format!(" {key}=\"{n}\""));
                    }
                }
                buf.push_str(" xhtml:src=\"");
                escape_into(buf, &src, ATTRIBUTE);
                buf.push_str("\"/>");
            }
        }
    }
    if plan.wants(Extra::Markers) && !t.markers.is_empty() {
        buf.push_str("<marker-refs>");
        for m in t.markers.iter() {
            buf.push_str("<marker-ref marker-id=\"");
            escape_into(buf, m, ATTRIBUTE);
            buf.push_str("\"/>");
        }
        buf.push_str("</marker-refs>");
    }
    if plan.wants(Extra::Labels) && !t.labels.is_empty() {
        buf.push_str("<labels>");
        for l in t.labels.iter() {
            buf.push_str("<label>");
            escape_into(buf, l, TEXT);
            buf.push_str("</label>");
        }
        buf.push_str("</labels>");
    }
    if plan.wants(Extra::Notes) {
        if let Some(n) = &t.notes {
            buf.push_str("<notes><plain>");
            escape_into(buf, &n.plain, TEXT);
            buf.push_str("</plain>");
            if let Some(h) = &n.html {
                buf.push_str("<html>");
                xhtml(&resources.html(h), buf);
                buf.push_str("</html>");
            }
            buf.push_str("</notes>");
        }
    }
}

/// A rich note as the XHTML XMind 8 keeps in `<notes><html>`: the elements XMind 8 writes
/// (`p`, `span`, `a`, `img`, `br`, `strong`, `em`, `u`, `ul`, `ol`, `li`; `b`, `i` and `div` as
/// their XMind 8 names), always well formed (an end tag closes what is open above it, unknown
/// end tags are dropped, everything is closed at the end), text outside any paragraph in one.
/// Other elements keep only their text.
fn xhtml(html: &str, out: &mut String) {
    let mut open: Vec<&'static str> = Vec::new();
    for token in Tokens::new(html, &["script", "style"]) {
        match token {
            Token::Text(text) => {
                if open.is_empty() {
                    out.push_str("<xhtml:p>");
                    open.push("p");
                }
                escape_into(out, &decode_entities(text), TEXT);
            }
            Token::Tag(tag) => {
                let name = match tag.name.as_str() {
                    "p" | "div" => "p",
                    "span" => "span",
                    "a" => "a",
                    "img" => "img",
                    "br" => "br",
                    "strong" | "b" => "strong",
                    "em" | "i" => "em",
                    "u" => "u",
                    "ul" => "ul",
                    "ol" => "ol",
                    "li" => "li",
                    _ => continue,
                };
                if tag.closing {
                    if let Some(at) = open.iter().rposition(|&o| o == name) {
                        while open.len() > at {
                            let o = open.pop().unwrap_or_default();
                            out.push_str(&format!("</xhtml:{o}>"));
                        }
                    }
                    continue;
                }
                match name {
                    "br" => out.push_str("<xhtml:br/>"),
                    "img" => {
                        if let Some(src) = tag.attr("src") {
                            out.push_str("<xhtml:img xhtml:src=\"");
                            escape_into(out, src, ATTRIBUTE);
                            out.push_str("\"/>");
                        }
                    }
                    _ => {
                        // A paragraph does not nest in another (HTML closes the first).
                        if name == "p" {
                            while let Some(at) = open.iter().rposition(|&o| o == "p") {
                                while open.len() > at {
                                    let o = open.pop().unwrap_or_default();
                                    out.push_str(&format!("</xhtml:{o}>"));
                                }
                            }
                        }
                        if open.is_empty() && name != "p" && name != "ul" && name != "ol" {
                            out.push_str("<xhtml:p>");
                            open.push("p");
                        }
                        out.push_str("<xhtml:");
                        out.push_str(name);
                        if name == "a" {
                            if let Some(href) = tag.attr("href") {
                                out.push_str(" xlink:href=\"");
                                escape_into(out, href, ATTRIBUTE);
                                out.push('"');
                            }
                        }
                        if tag.self_closing {
                            out.push_str("/>");
                        } else {
                            out.push('>');
                            open.push(name);
                        }
                    }
                }
            }
        }
    }
    while let Some(o) = open.pop() {
        out.push_str(&format!("</xhtml:{o}>"));
    }
}
