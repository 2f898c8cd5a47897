//! Plain-text pieces that several writers write the same way: folded titles, references to other
//! topics, ranges of children, labels of summaries, boundaries, comments and relationships, and
//! the extras as short lines of text for formats that put them inside a topic's box. Nothing
//! here escapes: each writer escapes what it takes for its own syntax.

use super::{Extra, Plan};
use crate::markers;
use crate::model::{BoundaryRange, ChildRange, Comment, Link, LinkKind, Sheet, Topic, TopicId};

/// Appends `n` spaces.
pub(crate) fn pad(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut left = n;
    while left > 0 {
        let k = left.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        left -= k;
    }
}

/// Whether `s` is empty or white space only (`s.trim().is_empty()`), answered from its first
/// character when that is not white space: most titles, without a scan from both ends.
pub(crate) fn blank(s: &str) -> bool {
    // Told from the first byte, without decoding, when it is a printable ASCII character or
    // starts a character from U+4000 on (CJK and beyond): none of those is white space (a test
    // compares with the general answer).
    if matches!(s.as_bytes().first(), Some(0x21..=0x7e | 0xe4..)) {
        return false;
    }
    match s.chars().next() {
        None => true,
        Some(c) if !c.is_whitespace() => false,
        Some(_) => s.trim().is_empty(),
    }
}

/// Runs of white space folded into one space, trimmed.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whether a text format writes `c` as U+FFFD: control characters other than tab and line feed
/// (carriage returns, DEL and the C1 controls too), and the non-characters U+FFFE and U+FFFF.
pub(crate) fn unprintable(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// A topic's title on one line, for references (`(no title)` when empty).
pub(crate) fn reference(sheet: &Sheet, id: TopicId) -> String {
    let title = fold(&sheet.topic(id).title);
    if title.is_empty() {
        "(no title)".to_string()
    } else {
        title
    }
}

/// The children a range covers: `first … last`, or one title.
pub(crate) fn range_text(sheet: &Sheet, t: &Topic, r: ChildRange) -> String {
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

/// `Label (text)`, or `Label` when the text is blank; the text on one line.
pub(crate) fn labelled(label: &str, text: &str) -> String {
    let text = fold(text);
    if text.is_empty() {
        label.to_string()
    } else {
        format!("{label} ({text})")
    }
}

/// Who wrote a comment and when: `author, YYYY-MM-DD` with the parts it has (date in UTC).
pub(crate) fn comment_who(c: &Comment) -> Option<String> {
    let author = fold(&c.author);
    let date = c.time.and_then(date);
    match (author.is_empty(), date) {
        (true, None) => None,
        (true, Some(d)) => Some(d),
        (false, None) => Some(author),
        (false, Some(d)) => Some(format!("{author}, {d}")),
    }
}

/// `Comment (author, date)`, with the parts the comment has.
pub(crate) fn comment_label(c: &Comment) -> String {
    match comment_who(c) {
        Some(who) => format!("Comment ({who})"),
        None => "Comment".to_string(),
    }
}

/// The head of a summary topic: `Summary (first … last)` for summary `index` of `parent`, or
/// `Summary` when its range is unknown.
pub(crate) fn summary_label(sheet: &Sheet, parent: &Topic, index: usize) -> String {
    match parent.summaries.get(index).and_then(|s| s.range) {
        Some(r) => format!("Summary ({})", range_text(sheet, parent, r)),
        None => "Summary".to_string(),
    }
}

/// The head of a summary topic `id` (see [`summary_label`]), found through its parent.
pub(crate) fn summary_label_of(sheet: &Sheet, id: TopicId, index: usize) -> String {
    match sheet.topic(id).parent() {
        Some(p) => summary_label(sheet, sheet.topic(p), index),
        None => "Summary".to_string(),
    }
}

/// The head of a boundary of `t`: `Boundary (whole topic)`, `Boundary (first … last)` (only
/// when the children are shown; `None` otherwise), `Boundary`.
pub(crate) fn boundary_label(
    sheet: &Sheet,
    t: &Topic,
    range: BoundaryRange,
    children_shown: bool,
) -> Option<String> {
    Some(match range {
        BoundaryRange::Master => "Boundary (whole topic)".to_string(),
        BoundaryRange::Children(r) if children_shown => {
            format!("Boundary ({})", range_text(sheet, t, r))
        }
        BoundaryRange::Children(_) => return None,
        BoundaryRange::Unknown => "Boundary".to_string(),
    })
}

/// The file name without a `.xmind` extension (any case): `map.XMind` → `map`.
pub(crate) fn file_stem(name: &str) -> &str {
    let n = name.len();
    if n > 6 && name.is_char_boundary(n - 6) && name[n - 6..].eq_ignore_ascii_case(".xmind") {
        &name[..n - 6]
    } else {
        name
    }
}

/// A sheet's title on one line, `Sheet N` (counting from 1) when it has none.
pub(crate) fn sheet_title(sheet: &Sheet, index: usize) -> String {
    let t = fold(&sheet.title);
    if t.is_empty() {
        format!("Sheet {}", index + 1)
    } else {
        t
    }
}

/// The date of a time in milliseconds since the Unix epoch, `YYYY-MM-DD` (UTC). The standard
/// days-to-civil computation: a date crate would be a dependency for these fifteen lines.
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

/// The other end of relationship `r` of sheet `s` seen from one end, as text: its title,
/// `TITLE (not in this output)` when it is not written, `(missing topic ID)` when it does not
/// exist; with the arrow, `→` from the first end and `←` from the second.
pub(crate) fn relationship_end(plan: &Plan<'_>, s: usize, r: usize, first_end: bool) -> String {
    let sheet = &plan.doc().sheets[s];
    let rel = &sheet.relationships[r];
    let (other, other_id, arrow) = if first_end {
        (rel.to, &rel.end2, "→")
    } else {
        (rel.from, &rel.end1, "←")
    };
    let target = match other {
        Some(o) if plan.written(s, o) => reference(sheet, o),
        Some(o) => format!("{} (not in this output)", reference(sheet, o)),
        None => format!("(missing topic {})", fold(other_id)),
    };
    format!("{arrow} {target}")
}

/// A relationship seen from one end: `Relationship (title): → other end` (see
/// [`relationship_end`]).
pub(crate) fn relationship_text(plan: &Plan<'_>, s: usize, r: usize, first_end: bool) -> String {
    let rel = &plan.doc().sheets[s].relationships[r];
    format!(
        "{}: {}",
        labelled("Relationship", &rel.title),
        relationship_end(plan, s, r, first_end)
    )
}

/// A link as text: the URL (an archive entry through `--extract-media`), or for a topic link
/// `→ TITLE` of the target (`(not in this output)` when it is not written).
pub(crate) fn link_text(plan: &Plan<'_>, l: &Link) -> String {
    match l.kind {
        LinkKind::Topic => match plan.link_target(l) {
            Some(r) => {
                let title = reference(&plan.doc().sheets[r.sheet], r.topic);
                if plan.written(r.sheet, r.topic) {
                    format!("→ {title}")
                } else {
                    format!("→ {title} (not in this output)")
                }
            }
            None => fold(&l.href),
        },
        LinkKind::Attachment => fold(&plan.opts().media_link(&l.href)),
        _ => fold(&l.href),
    }
}

/// The marker ids of `t` as words or emoji (`--marker-style`), see [`crate::markers`].
pub(crate) fn marker_names(plan: &Plan<'_>, t: &Topic) -> Vec<String> {
    let doc = plan.doc();
    t.markers
        .iter()
        .map(|m| markers::display(m, plan.opts().marker_style, &doc.marker_names).into_owned())
        .collect()
}

/// The extras of topic `id` of sheet `s` (written at `depth`) as lines of plain text, for
/// formats that write them inside the topic's box: `Labels: …`, `Markers: …`, `Link: …`,
/// `Image: …`, `Note: …` (one line per line of the note), `Comment (author, date): …`,
/// `Relationship (title): → other`, `Boundary (first … last): title`, and `Summary (first …
/// last)` for a summary whose topic is missing. Extras in `skip` are left out (a format that
/// writes them in its own way). A line that continues the previous one (the lines of a note or
/// comment) comes with `true`.
pub(crate) fn extra_lines(
    plan: &Plan<'_>,
    s: usize,
    id: TopicId,
    depth: usize,
    skip: &[Extra],
) -> Vec<(String, bool)> {
    let wants = |e: Extra| plan.wants(e) && !skip.contains(&e);
    // The extras written here; none wanted (a format's defaults, `--titles-only`): no lines.
    const HERE: [Extra; 9] = [
        Extra::Labels,
        Extra::Markers,
        Extra::Links,
        Extra::Images,
        Extra::Notes,
        Extra::Comments,
        Extra::Relationships,
        Extra::Boundaries,
        Extra::Summaries,
    ];
    if !HERE.iter().any(|&e| wants(e)) {
        return Vec::new();
    }
    let sheet = &plan.doc().sheets[s];
    let t = sheet.topic(id);
    let mut out = Vec::new();
    let lines = |out: &mut Vec<(String, bool)>, head: String, text: &str| {
        for (i, line) in text.split('\n').enumerate() {
            out.push(if i == 0 {
                (format!("{head}{line}"), false)
            } else {
                (line.to_string(), true)
            });
        }
    };
    if wants(Extra::Labels) && !t.labels.is_empty() {
        let labels: Vec<String> = t.labels.iter().map(|l| fold(l)).collect();
        out.push((format!("Labels: {}", labels.join(", ")), false));
    }
    if wants(Extra::Markers) && !t.markers.is_empty() {
        out.push((
            format!("Markers: {}", marker_names(plan, t).join(", ")),
            false,
        ));
    }
    if wants(Extra::Links) {
        if let Some(l) = t.link.as_deref() {
            out.push((format!("Link: {}", link_text(plan, l)), false));
        }
    }
    if wants(Extra::Images) {
        if let Some(img) = t.image.as_deref() {
            let src = fold(&plan.opts().media_link(&img.src));
            out.push((format!("Image: {src}"), false));
        }
    }
    if wants(Extra::Notes) {
        if let Some(n) = t.notes.as_deref() {
            let text = n.plain.trim_end();
            if !text.trim().is_empty() {
                lines(&mut out, "Note: ".into(), text);
            }
        }
    }
    if wants(Extra::Comments) {
        for c in t.comments.iter() {
            lines(
                &mut out,
                format!("{}: ", comment_label(c)),
                c.content.trim_end(),
            );
        }
    }
    if wants(Extra::Relationships) {
        for (r, first) in plan.relationships_at(s, id) {
            out.push((relationship_text(plan, s, r, first), false));
        }
    }
    let children_shown = plan.children_shown(depth);
    if wants(Extra::Boundaries) {
        for b in t.boundaries.iter() {
            if let Some(head) = boundary_label(sheet, t, b.range, children_shown) {
                let title = fold(&b.title);
                out.push((
                    if title.is_empty() {
                        head
                    } else {
                        format!("{head}: {title}")
                    },
                    false,
                ));
            }
        }
    }
    if wants(Extra::Summaries) && children_shown {
        for (i, sm) in t.summaries.iter().enumerate() {
            if sm.topic.is_none() {
                out.push((summary_label(sheet, t, i), false));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_from_the_first_byte_agrees_with_trimming() {
        let chars = (0..=0x10ffff_u32).filter_map(char::from_u32);
        for c in chars {
            for s in [
                c.to_string(),
                format!("{c}x"),
                format!("{c} "),
                format!("{c}\u{3000}"),
            ] {
                assert_eq!(blank(&s), s.trim().is_empty(), "{:?}", s);
            }
        }
        assert!(blank(""));
    }

    #[test]
    fn dates_are_civil_dates_in_utc() {
        assert_eq!(date(0).as_deref(), Some("1970-01-01"));
        assert_eq!(date(1_700_000_000_000).as_deref(), Some("2023-11-14"));
        assert_eq!(date(-86_400_000).as_deref(), Some("1969-12-31"));
        assert_eq!(date(i64::MAX), None);
    }

    #[test]
    fn stems_drop_the_xmind_extension_in_any_case() {
        assert_eq!(file_stem("map.xmind"), "map");
        assert_eq!(file_stem("Map.XMind"), "Map");
        assert_eq!(file_stem(".xmind"), ".xmind");
        assert_eq!(file_stem("中文.xmind"), "中文");
        assert_eq!(file_stem("a.md"), "a.md");
    }

    #[test]
    fn comments_say_who_and_when() {
        let mut c = Comment::default();
        assert_eq!(comment_label(&c), "Comment");
        c.author = " Ann  B ".into();
        assert_eq!(comment_label(&c), "Comment (Ann B)");
        c.time = Some(0);
        assert_eq!(comment_label(&c), "Comment (Ann B, 1970-01-01)");
        c.author.clear();
        assert_eq!(comment_label(&c), "Comment (1970-01-01)");
    }
}
