//! Markdown (CommonMark, GFM tables and task lists) through pulldown-cmark, whose parser is
//! iterative: headings give the levels (level N at depth N-1), list items nest under the last
//! heading, an item's first paragraph is its title, other blocks become its note (rich HTML and
//! plain text), a link around the whole title is the topic's link, a lone image its image,
//! `[ ]` / `[x]` items get `task-start` / `task-done`. When the outline has more than one
//! topic at its top level, they hang under one root titled by the front matter's `title`, else
//! by the file name. Blocks before the first heading or item are the root's note.
//!
//! Our own Markdown reads back as far as our writer carries it: `<!-- Sheet N: TITLE -->`
//! starts a sheet, `<a id="topic-ID"></a>` gives an id and `[title](#topic-ID)` a topic link,
//! the writer's block quote below a title gives labels, markers (by their words or emoji, see
//! [`crate::markers::from_word`]), links, the image and the note, and a last top-level
//! `Floating topics` holds the root's floating topics. The writer's comment, relationship,
//! boundary, summary and callout lines are left out with a `-v` warning.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::ReadOptions;
use super::common::{Outline, decode, depth_limit};
use crate::error::Result;
use crate::model::{Document, Image, Link, Notes, Sheet, Topic, TopicKind};

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
    let mut warnings = Vec::new();
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
                    // Only at the top level: inside a list item it is the item's note (the
                    // item indexes the sheet being read).
                    if let Some(title) =
                        sheet_comment(&note).filter(|_| open.is_empty() && lists == 0)
                    {
                        // Our writer's `<!-- Sheet N: TITLE -->`: the sheet so far is done.
                        if !items.is_empty() {
                            let done = std::mem::take(&mut items);
                            let pre = std::mem::take(&mut pre_note);
                            sheets.push(build(
                                done,
                                pre,
                                &front_title,
                                options,
                                sheet_title,
                                &mut warnings,
                            ));
                        }
                        sheet_title = title;
                        heading = None;
                        mode = Mode::Normal;
                        continue;
                    }
                    let owner = open.last().copied().or(heading.map(|_| items.len() - 1));
                    match owner.and_then(|i| items.get_mut(i)) {
                        Some(item) => item.note.extend(note),
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
        sheets.push(build(
            items,
            pre_note,
            &front_title,
            options,
            sheet_title,
            &mut warnings,
        ));
    }
    let mut doc = Document {
        sheets,
        warnings,
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
    warnings: &mut Vec<String>,
) -> Sheet {
    let min = items.iter().map(|i| i.depth).min().unwrap_or(0);
    let tops: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].depth == min)
        .collect();
    let first_is_top = tops.first() == Some(&0);
    // Our writer's `# Floating topics` (`- Floating topics` with --list-only): the second of two
    // top-level topics, so titled and with nothing else, holds the root's floating topics.
    let floating =
        (tops.len() == 2 && first_is_top && is_floating_section(&items[tops[1]])).then(|| tops[1]);
    let single = (tops.len() == 1 && first_is_top) || floating.is_some();
    let mut items = items.into_iter().enumerate();
    let (mut outline, shift) = if single {
        let (_, mut first) = items.next().expect("one top item");
        let mut note = pre_note;
        note.append(&mut first.note);
        extras(&mut first.topic, note, warnings);
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
    let mut in_floating = false;
    for (i, mut item) in items {
        if floating == Some(i) {
            in_floating = true;
            continue;
        }
        let level = item.depth - min + shift;
        let note = std::mem::take(&mut item.note);
        extras(&mut item.topic, note, warnings);
        if in_floating && level == 1 {
            outline.push_as(1, TopicKind::Floating, item.topic);
        } else {
            outline.push(level, item.topic);
        }
    }
    let mut sheet = outline.sheet;
    sheet.title = title;
    sheet
}

/// Whether an item is our writer's `Floating topics` section head.
fn is_floating_section(item: &Item) -> bool {
    item.topic.title == "Floating topics" && item.note.is_empty() && item.topic.link.is_none()
}

/// Our writer's extras, read back from the block quote right below a title: `**Labels:** a, b`,
/// `**Markers:** P1, 50%`, `**Link:** …`, `**File link:** …`, an image, and `**Note:** …` up to
/// the next of its own lines. Lines this reader does not map back (comments, relationships,
/// boundaries, summaries and callouts, topic links to topics not written) are left out, with a
/// `-v` warning. Everything else below the title is the topic's note, as for any Markdown.
fn extras(topic: &mut Topic, events: Vec<Event>, warnings: &mut Vec<String>) {
    let quote_len = match events.first() {
        Some(Event::Start(Tag::BlockQuote(_))) => block_len(&events),
        _ => 0,
    };
    if quote_len < 2 || !starts_with_key(&events[1..quote_len - 1]) {
        topic.notes = notes(&events);
        return;
    }
    let mut rest: Vec<Event> = Vec::new();
    let mut note: Option<Vec<Event>> = None;
    let inner = &events[1..quote_len - 1];
    let mut at = 0;
    while at < inner.len() {
        let len = block_len(&inner[at..]).max(1);
        let block = &inner[at..at + len];
        at += len;
        let key = key_of(block);
        match key.as_deref() {
            Some("Labels:") => topic.labels.extend(split_list(&text_after_key(block))),
            Some("Markers:") => topic.markers.extend(markers_of(&text_after_key(block))),
            Some("Link:") => {
                if let Some(href) = first_link(block) {
                    topic.link = Some(Box::new(Link::new(href)));
                }
            }
            Some("File link:") => {
                let href = text_after_key(block);
                topic.link = Some(Box::new(Link::new(href.trim())));
            }
            Some("Note:") => {
                // The paragraph's text after the key, then the blocks up to the next line of
                // our own.
                let after = after_key_owned(block);
                let mut n = Vec::new();
                if !after.is_empty() {
                    n.push(Event::Start(Tag::Paragraph));
                    n.extend(after);
                    n.push(Event::End(TagEnd::Paragraph));
                }
                note = Some(n);
                continue;
            }
            Some("Topic link:") => {
                // `**Topic link:** xmind:#ID (no such topic)` keeps the link as it was.
                let text = text_after_key(block);
                if let Some(href) = text.strip_suffix(" (no such topic)") {
                    topic.link = Some(Box::new(Link::new(href)));
                } else {
                    warnings.push(format!(
                        "markdown: the topic link below \"{}\" points at a topic not written",
                        topic.title
                    ));
                }
            }
            Some(k) if is_writer_key(k) => {
                warnings.push(format!(
                    "markdown: \"{k}\" below \"{}\" is not read back",
                    topic.title
                ));
                // The note, if one was open, ends here.
                if let Some(n) = note.take() {
                    rest.splice(0..0, n);
                }
                continue;
            }
            _ => {}
        }
        if key.is_some() {
            continue;
        }
        match &mut note {
            Some(n) => n.extend(block.iter().cloned()),
            None => match lone_image(block) {
                Some(src) if topic.image.is_none() => {
                    topic.image = Some(Box::new(Image {
                        src,
                        ..Image::default()
                    }));
                }
                _ => rest.extend(block.iter().cloned()),
            },
        }
    }
    if let Some(n) = note {
        rest.splice(0..0, n);
    }
    rest.extend(events[quote_len..].iter().cloned());
    topic.notes = notes(&rest);
}

/// The number of events of the block (or single event) that starts `events`.
fn block_len(events: &[Event]) -> usize {
    let mut nest = 0usize;
    for (i, e) in events.iter().enumerate() {
        match e {
            Event::Start(_) => nest += 1,
            Event::End(_) => nest = nest.saturating_sub(1),
            _ => {}
        }
        if nest == 0 {
            return i + 1;
        }
    }
    events.len()
}

/// The bold key a paragraph of ours starts with (`Labels:`, `Note:`, `Comment (Ann, …):`), or
/// a list whose first item starts with `Summary (…):` or `Callout:`.
fn key_of(block: &[Event]) -> Option<String> {
    let inline = match block {
        [Event::Start(Tag::Paragraph), rest @ ..] => rest,
        [
            Event::Start(Tag::List(_)),
            Event::Start(Tag::Item),
            rest @ ..,
        ] => rest,
        _ => return None,
    };
    let [Event::Start(Tag::Strong), rest @ ..] = inline else {
        return None;
    };
    let mut key = String::new();
    for e in rest {
        match e {
            Event::Text(t) => key.push_str(t),
            Event::End(TagEnd::Strong) => break,
            _ => return None,
        }
    }
    let known = matches!(
        key.as_str(),
        "Labels:" | "Markers:" | "Link:" | "File link:" | "Topic link:" | "Note:"
    ) || is_writer_key(&key);
    known.then_some(key)
}

/// Our writer's lines that this reader leaves out.
fn is_writer_key(key: &str) -> bool {
    let key = key.trim_end_matches(':');
    key == "Callout"
        || key.starts_with("Comment (")
        || key.starts_with("Relationship")
        || key.starts_with("Boundary")
        || key.starts_with("Summary")
}

/// Whether a block quote holds our writer's extras: its first block is one of its key lines or
/// a lone image.
fn starts_with_key(inner: &[Event]) -> bool {
    let first = &inner[..block_len(inner).min(inner.len())];
    key_of(first).is_some() || lone_image(first).is_some()
}

/// The inline events of a key paragraph after the key and the space after it.
fn after_key<'e, 'a>(block: &'e [Event<'a>]) -> &'e [Event<'a>] {
    let Some(end) = block
        .iter()
        .position(|e| matches!(e, Event::End(TagEnd::Strong)))
    else {
        return &[];
    };
    let Some(rest) = block.get(end + 1..block.len().saturating_sub(1)) else {
        return &[];
    };
    match rest.first() {
        Some(Event::Text(t)) if t.trim().is_empty() => &rest[1..],
        _ => rest,
    }
}

/// The inline events after a key, with the one space our writer puts after it removed.
fn after_key_owned<'a>(block: &[Event<'a>]) -> Vec<Event<'a>> {
    let mut out = after_key(block).to_vec();
    if let Some(Event::Text(t)) = out.first_mut() {
        if let Some(rest) = t.strip_prefix(' ') {
            *t = rest.to_string().into();
        }
    }
    out
}

/// The text of a key paragraph after the key, without its leading space.
fn text_after_key(block: &[Event]) -> String {
    let mut out = String::new();
    for e in after_key(block) {
        match e {
            Event::Text(t) | Event::Code(t) => out.push_str(t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    out.strip_prefix(' ').map(str::to_string).unwrap_or(out)
}

/// `a, b` as our writer joins labels and markers.
fn split_list(text: &str) -> Vec<String> {
    text.split(", ").map(str::to_string).collect()
}

/// Marker ids from their words (`P1, 50%`) or emoji (`1️⃣ ◑`); a word the table does not know
/// is a custom marker's name or an unknown id, kept as it is.
fn markers_of(text: &str) -> Vec<String> {
    let words = split_list(text);
    if words.len() == 1 && crate::markers::from_word(&words[0]).is_none() {
        let parts: Vec<&str> = words[0].split(' ').collect();
        if parts.len() > 1 && parts.iter().all(|p| crate::markers::from_word(p).is_some()) {
            return parts
                .iter()
                .filter_map(|p| crate::markers::from_word(p))
                .collect();
        }
    }
    words
        .into_iter()
        .map(|w| crate::markers::from_word(&w).unwrap_or(w))
        .collect()
}

/// The first link's destination in a block, topic anchors as `xmind:#ID`.
fn first_link(block: &[Event]) -> Option<String> {
    block.iter().find_map(|e| match e {
        Event::Start(Tag::Link { dest_url, .. }) => Some(match dest_url.strip_prefix("#topic-") {
            Some(id) => format!("xmind:#{id}"),
            None => dest_url.to_string(),
        }),
        _ => None,
    })
}

/// The source of a paragraph that is one image and nothing else.
fn lone_image(block: &[Event]) -> Option<String> {
    match block {
        [
            Event::Start(Tag::Paragraph),
            Event::Start(Tag::Image { dest_url, .. }),
            ..,
            Event::End(TagEnd::Image),
            Event::End(TagEnd::Paragraph),
        ] => {
            let inner = &block[2..block.len() - 2];
            inner
                .iter()
                .all(|e| matches!(e, Event::Text(_)))
                .then(|| dest_url.to_string())
        }
        _ => None,
    }
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
    let plain = plain_of(events);
    if plain.trim().is_empty() && !html.contains("<img") {
        return None;
    }
    Some(Box::new(Notes {
        plain: plain.into(),
        html: Some(html.into()),
    }))
}

/// The plain text of a note's blocks: the text as written (no markup), a line break a new line,
/// blocks apart by an empty line, list items and table rows a line each, the cells of a row apart
/// by a tab. (Taken from the events, not from the rendered HTML, whose own line ends would
/// count twice.)
fn plain_of(events: &[Event]) -> String {
    fn end_line(out: &mut String) {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
    }
    fn end_block(out: &mut String) {
        let kept = out.trim_end_matches('\n').len();
        out.truncate(kept);
        if !out.is_empty() {
            out.push_str("\n\n");
        }
    }
    let mut out = String::new();
    let mut in_image = 0usize;
    let mut cells = 0usize;
    for e in events {
        match e {
            Event::Start(Tag::Image { .. }) => in_image += 1,
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            _ if in_image > 0 => {}
            Event::Text(t) | Event::Code(t) => out.push_str(t),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::Start(Tag::TableRow | Tag::TableHead) => cells = 0,
            Event::Start(Tag::TableCell) => {
                if cells > 0 {
                    out.push('\t');
                }
                cells += 1;
            }
            Event::End(TagEnd::Item | TagEnd::TableRow | TagEnd::TableHead) => end_line(&mut out),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::Table
                | TagEnd::List(_),
            ) => end_block(&mut out),
            _ => {}
        }
    }
    let kept = out.trim_end_matches('\n').len();
    out.truncate(kept);
    out
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
    fn our_writers_extras_read_back() {
        let md = "<!-- Sheet 1: Plan -->\n\n# Trip\n\n> **Labels:** a, b c\n>\n\
                  > **Markers:** P1, 50%, Mine\n>\n> ![image](resources/x.png)\n>\n\
                  > **Note:** Plan it **all**\\\n> before May\n>\n> - one\n>\n\
                  > **Relationship (see):** → [B](#topic-b)\n\n\
                  ## <a id=\"topic-b\"></a>B\n\n> **Link:** [https://x.org](https://x.org)\n\n\
                  ## C\n\n> **Topic link:** xmind:#gone (no such topic)\n\n\
                  # Floating topics\n\n## Idea\n\n- sub\n";
        let doc = read(md.as_bytes(), &ReadOptions::default()).unwrap();
        let s = &doc.sheets[0];
        assert_eq!(s.title, "Plan");
        let r = s.root();
        assert_eq!(r.title, "Trip");
        assert_eq!(r.labels, ["a", "b c"]);
        assert_eq!(r.markers, ["priority-1", "task-half", "Mine"]);
        assert_eq!(r.image.as_ref().unwrap().src, "resources/x.png");
        let n = r.notes.as_ref().unwrap();
        assert_eq!(n.plain, "Plan it all\nbefore May\n\none");
        assert!(n.html.as_deref().unwrap().contains("<strong>all</strong>"));
        assert_eq!(doc.warnings.len(), 1, "{:?}", doc.warnings);
        let b = s.topic(r.children[0]);
        assert_eq!((b.id.as_str(), b.title.as_str()), ("b", "B"));
        assert_eq!(b.link.as_ref().unwrap().href, "https://x.org");
        assert!(b.notes.is_none());
        let c = s.topic(r.children[1]);
        assert_eq!(c.link.as_ref().unwrap().href, "xmind:#gone");
        assert_eq!(r.children.len(), 2);
        assert_eq!(r.floating.len(), 1);
        let idea = s.topic(r.floating[0]);
        assert_eq!(idea.title, "Idea");
        assert_eq!(s.topic(idea.children[0]).title, "sub");
        // A block quote of the user's own stays a note, and a heading so titled with more
        // top-level headings is a heading like any other.
        let doc = read(
            b"# A\n\n> quoted\n\n# Floating topics\n\n# C\n",
            &ReadOptions::default(),
        )
        .unwrap();
        let s = &doc.sheets[0];
        assert_eq!(s.root().children.len(), 3);
        assert_eq!(
            s.topic(s.root().children[0]).notes.as_ref().unwrap().plain,
            "quoted"
        );
    }

    #[test]
    fn a_sheet_comment_inside_an_item_is_its_note() {
        // Found by the property test: the comment ended the sheet while the item was open.
        let doc = read(b"- <!-- Sheet 1: x -->\n  > q", &ReadOptions::default()).unwrap();
        assert_eq!(doc.sheets.len(), 1);
        let doc = read(
            b"# A\n\n<!-- Sheet 2: B -->\n\n# B\n",
            &ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(doc.sheets.len(), 2);
        assert_eq!(doc.sheets[1].title, "B");
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
