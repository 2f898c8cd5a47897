//! Markdown (CommonMark, GFM tables and task lists) through pulldown-cmark, whose parser is
//! iterative: headings give the levels (level N at depth N-1), list items nest under the last
//! heading, an item's first paragraph is its title, other blocks become its note (rich HTML and
//! plain text), a link around the whole title is the topic's link, a lone image its image,
//! `[ ]` / `[x]` items get `task-start` / `task-done`. When the outline has more than one
//! topic at its top level, they hang under one root titled by the front matter's `title`, else
//! by the file name. Blocks before the first heading or item are the root's note.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::ReadOptions;
use super::common::{Outline, decode, depth_limit};
use crate::error::Result;
use crate::model::{Document, Image, Link, Notes, Sheet, Topic};
use crate::notes::plain_text;

const FORMAT: &str = "markdown";

struct Item<'a> {
    depth: usize,
    topic: Topic,
    note: Vec<Event<'a>>,
}

enum Mode<'a> {
    Normal,
    /// Collecting a title's inline events; `para` when it ends with its paragraph.
    Title {
        events: Vec<Event<'a>>,
        para: bool,
        heading: bool,
    },
    /// Collecting a block for a note, `nest` tags deep.
    Note {
        events: Vec<Event<'a>>,
        nest: usize,
    },
}

pub(super) fn read(bytes: &[u8], options: &ReadOptions) -> Result<Document> {
    let text = decode(bytes, FORMAT)?;
    let text = &*line_feeds(text);
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let mut items: Vec<Item> = Vec::new();
    let mut pre_note: Vec<Event> = Vec::new();
    let mut heading: Option<usize> = None;
    let mut lists = 0usize;
    let mut open: Vec<usize> = Vec::new();
    let mut mode = Mode::Normal;
    let mut in_meta = false;
    let mut front_title: Option<String> = None;
    let mut sheets: Vec<Sheet> = Vec::new();
    let mut sheet_title = String::new();
    let limits = &options.limits;
    let mut events = Parser::new_ext(text, opts);
    let mut pending: Option<Event> = None;
    while let Some(event) = pending.take().or_else(|| events.next()) {
        match &mut mode {
            Mode::Title {
                events: title,
                para,
                heading: is_heading,
            } => {
                let end = match &event {
                    Event::End(TagEnd::Heading(_)) => true,
                    Event::End(TagEnd::Paragraph) if *para => true,
                    Event::Start(Tag::Paragraph) if !*para && title.is_empty() => {
                        *para = true;
                        continue;
                    }
                    Event::TaskListMarker(done) if !*is_heading && title.is_empty() => {
                        if let Some(&i) = open.last() {
                            let id = if *done { "task-done" } else { "task-start" };
                            items[i].topic.markers.push(id.to_string());
                        }
                        continue;
                    }
                    Event::Start(t) if !*para && !*is_heading && is_block(t) => {
                        pending = Some(event.clone());
                        true
                    }
                    Event::End(TagEnd::Item) if !*para => {
                        pending = Some(event.clone());
                        true
                    }
                    _ => false,
                };
                if !end {
                    title.push(event);
                    continue;
                }
                let title = std::mem::take(title);
                let target = if *is_heading {
                    items.len() - 1
                } else {
                    *open.last().expect("an item is open")
                };
                set_title(&mut items[target].topic, &title);
                mode = Mode::Normal;
            }
            Mode::Note { events: note, nest } => {
                match &event {
                    Event::Start(_) => *nest += 1,
                    Event::End(_) => *nest -= 1,
                    _ => {}
                }
                note.push(event);
                if *nest == 0 {
                    let note = std::mem::take(note);
                    if let Some(title) = sheet_comment(&note) {
                        // Our writer's `<!-- Sheet N: TITLE -->`: the sheet so far is done.
                        if !items.is_empty() {
                            let done = std::mem::take(&mut items);
                            let pre = std::mem::take(&mut pre_note);
                            sheets.push(build(done, pre, &front_title, options, sheet_title));
                        }
                        sheet_title = title;
                        heading = None;
                        mode = Mode::Normal;
                        continue;
                    }
                    let owner = open.last().copied().or(heading.map(|_| items.len() - 1));
                    match owner {
                        Some(i) => items[i].note.extend(note),
                        None => pre_note.extend(note),
                    }
                    mode = Mode::Normal;
                }
            }
            Mode::Normal => match event {
                Event::Start(Tag::MetadataBlock(_)) => in_meta = true,
                Event::End(TagEnd::MetadataBlock(_)) => in_meta = false,
                Event::Text(t) if in_meta => {
                    for line in t.lines() {
                        if let Some(v) = line.strip_prefix("title:") {
                            let v = v.trim().trim_matches(|c| c == '"' || c == '\'');
                            front_title = Some(v.to_string());
                        }
                    }
                }
                Event::Start(Tag::Heading { level, .. }) if open.is_empty() && lists == 0 => {
                    let depth = level as usize - 1;
                    heading = Some(depth);
                    items.push(Item {
                        depth,
                        topic: Topic::default(),
                        note: Vec::new(),
                    });
                    mode = Mode::Title {
                        events: Vec::new(),
                        para: false,
                        heading: true,
                    };
                }
                Event::Start(Tag::List(_)) => lists += 1,
                Event::End(TagEnd::List(_)) => lists -= 1,
                Event::Start(Tag::Item) => {
                    let depth = heading.map_or(0, |d| d + 1) + lists - 1;
                    if depth > limits.max_depth {
                        return Err(depth_limit(FORMAT, limits));
                    }
                    open.push(items.len());
                    items.push(Item {
                        depth,
                        topic: Topic::default(),
                        note: Vec::new(),
                    });
                    mode = Mode::Title {
                        events: Vec::new(),
                        para: false,
                        heading: false,
                    };
                }
                Event::End(TagEnd::Item) => {
                    open.pop();
                }
                Event::Start(_) => {
                    mode = Mode::Note {
                        events: vec![event],
                        nest: 1,
                    };
                }
                other => {
                    // A rule or stray inline content: part of the owner's note.
                    let owner = open.last().copied().or(heading.map(|_| items.len() - 1));
                    match owner {
                        Some(i) => items[i].note.push(other),
                        None => pre_note.push(other),
                    }
                }
            },
        }
    }
    if let Mode::Title {
        events, heading, ..
    } = mode
    {
        let target = if heading {
            items.len() - 1
        } else {
            *open.last().expect("an item is open")
        };
        set_title(&mut items[target].topic, &events);
    }

    if !items.is_empty() || sheets.is_empty() {
        sheets.push(build(items, pre_note, &front_title, options, sheet_title));
    }
    let mut doc = Document {
        sheets,
        ..Document::default()
    };
    super::xmind::finish::resolve(&mut doc, Default::default());
    Ok(doc)
}

/// The title in `<!-- Sheet N: TITLE -->`, when a block is only that comment.
fn sheet_comment(events: &[Event]) -> Option<String> {
    let [
        Event::Start(Tag::HtmlBlock),
        Event::Html(h),
        Event::End(TagEnd::HtmlBlock),
    ] = events
    else {
        return None;
    };
    let inner = h.trim().strip_prefix("<!-- Sheet ")?.strip_suffix("-->")?;
    let (n, title) = inner
        .split_once(": ")
        .unwrap_or((inner.trim_end().trim_end_matches(':'), ""));
    n.parse::<usize>().ok()?;
    Some(title.trim_end_matches(' ').to_string())
}

/// One sheet from its items in document order.
fn build(
    items: Vec<Item>,
    pre_note: Vec<Event>,
    front_title: &Option<String>,
    options: &ReadOptions,
    title: String,
) -> Sheet {
    let min = items.iter().map(|i| i.depth).min().unwrap_or(0);
    let tops = items.iter().filter(|i| i.depth == min).count();
    let single = tops == 1 && items.first().is_some_and(|i| i.depth == min);
    let mut items = items.into_iter();
    let (mut outline, shift) = if single {
        let mut first = items.next().expect("one top item");
        let mut note = pre_note;
        note.append(&mut first.note);
        first.topic.notes = notes(&note);
        (Outline::new(first.topic), 0)
    } else {
        let title = front_title
            .clone()
            .or_else(|| options.name.clone())
            .unwrap_or_default();
        let mut root = Topic::new(title);
        root.notes = notes(&pre_note);
        (Outline::new(root), 1)
    };
    for mut item in items {
        item.topic.notes = notes(&item.note);
        outline.push(item.depth - min + shift, item.topic);
    }
    let mut sheet = outline.sheet;
    sheet.title = title;
    sheet
}

fn is_block(t: &Tag) -> bool {
    !matches!(
        t,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

/// The text with every line ending (CRLF, or a lone CR as old Mac files have) a line feed.
/// CommonMark allows all three, but pulldown-cmark does not end a fenced code block's lines at a
/// lone CR, so such a block would swallow the rest of the file.
fn line_feeds(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\r') {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// The note made of these block events: the HTML pulldown-cmark renders, and its plain text.
fn notes(events: &[Event]) -> Option<Box<Notes>> {
    if events.is_empty() {
        return None;
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.iter().cloned());
    let html = html.trim_end().to_string();
    let plain = plain_text(&html);
    if plain.trim().is_empty() && !html.contains("<img") {
        return None;
    }
    Some(Box::new(Notes {
        plain: plain.into(),
        html: Some(html.into()),
    }))
}

/// Title, link, image and anchor id from a title's inline events.
fn set_title(topic: &mut Topic, events: &[Event]) {
    let mut title = String::new();
    let significant: Vec<&Event> = events
        .iter()
        .filter(|e| match e {
            Event::InlineHtml(h) => {
                if let Some(id) = h
                    .strip_prefix("<a id=\"topic-")
                    .and_then(|r| r.strip_suffix("\"></a>").or_else(|| r.strip_suffix("\">")))
                {
                    topic.id = id.into();
                }
                false
            }
            Event::Text(t) => !t.trim().is_empty(),
            _ => true,
        })
        .collect();
    let wrapped =
        |start: fn(&Tag) -> bool, end: TagEnd| match (significant.first(), significant.last()) {
            (Some(Event::Start(t)), Some(Event::End(e))) if start(t) && *e == end => {
                // The first element must close only at the end.
                let mut depth = 0usize;
                let mut closes = 0;
                for e in &significant {
                    match e {
                        Event::Start(t) if start(t) => depth += 1,
                        Event::End(x) if *x == end => {
                            depth -= 1;
                            if depth == 0 {
                                closes += 1;
                            }
                        }
                        _ => {}
                    }
                }
                closes == 1
            }
            _ => false,
        };
    if wrapped(|t| matches!(t, Tag::Link { .. }), TagEnd::Link) {
        if let Some(Event::Start(Tag::Link { dest_url, .. })) = significant.first() {
            let href = match dest_url.strip_prefix("#topic-") {
                Some(id) => format!("xmind:#{id}"),
                None => dest_url.to_string(),
            };
            topic.link = Some(Box::new(Link::new(href)));
        }
    } else if wrapped(|t| matches!(t, Tag::Image { .. }), TagEnd::Image) {
        if let Some(Event::Start(Tag::Image { dest_url, .. })) = significant.first() {
            topic.image = Some(Box::new(Image {
                src: dest_url.to_string(),
                ..Image::default()
            }));
        }
    }
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => title.push_str(t),
            Event::SoftBreak => title.push(' '),
            Event::HardBreak => title.push('\n'),
            _ => {}
        }
    }
    // Our writer writes an empty or blank title as `&nbsp;`.
    if title.chars().all(|c| c.is_whitespace()) {
        title.clear();
    }
    topic.title = title.into();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TopicId;

    fn tree(md: &str) -> String {
        let doc = read(md.as_bytes(), &ReadOptions::default()).unwrap();
        let s = &doc.sheets[0];
        let mut out = String::new();
        s.walk(TopicId::ROOT, |id, d| {
            out.push_str(&format!("{}{}\n", "  ".repeat(d), s.topic(id).title));
            true
        });
        out
    }

    #[test]
    fn headings_and_lists_nest() {
        assert_eq!(
            tree("# R\n\n## A\n\n- a1\n  - a11\n- a2\n\n## B\n\ntext\n"),
            "R\n  A\n    a1\n      a11\n    a2\n  B\n"
        );
        assert_eq!(tree("# A\n# B\n"), "\n  A\n  B\n");
        assert_eq!(tree("---\ntitle: T\n---\n- a\n- b\n"), "T\n  a\n  b\n");
        // Skipped heading levels: later headings of the same level are siblings.
        assert_eq!(
            tree("# R\n\n#### a\n\n#### b\n\n## c\n"),
            "R\n  a\n  b\n  c\n"
        );
        // Bare CR line ends, in a fenced block too.
        assert_eq!(tree("# R\r\r```js\rx\r```\r\r## B\r"), "R\n  B\n");
    }

    #[test]
    fn items_get_links_markers_and_notes() {
        let doc = read(
            b"# R\n\n- [ ] [Site](https://x.org)\n- [x] done\n\n  more *text*\n",
            &ReadOptions::default(),
        )
        .unwrap();
        let s = &doc.sheets[0];
        let a = s.topic(s.root().children[0]);
        assert_eq!(a.title, "Site");
        assert_eq!(a.link.as_ref().unwrap().href, "https://x.org");
        assert_eq!(a.markers, ["task-start"]);
        let b = s.topic(s.root().children[1]);
        assert_eq!(b.markers, ["task-done"]);
        let n = b.notes.as_ref().unwrap();
        assert_eq!(n.plain, "more text");
        assert_eq!(n.html.as_deref(), Some("<p>more <em>text</em></p>"));
    }

    #[test]
    fn deep_input_costs_no_stack() {
        let mut md = String::new();
        for i in 0..3000 {
            md.push_str(&"  ".repeat(i));
            md.push_str("- x\n");
        }
        let doc = read(md.as_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(doc.sheets[0].len(), 3000);
        let quotes = ">".repeat(100_000) + " deep\n";
        read(quotes.as_bytes(), &ReadOptions::default()).unwrap();
    }
}
