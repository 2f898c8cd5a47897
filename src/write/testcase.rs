//! The test-case rules of xmind2testcase 1.5.0, in one place for every format that writes test
//! cases (`-t testlink`, `-t zentao`, `--table-style testcase` of `-t csv` and `-t xlsx`): which
//! topics are products, suites, cases, steps and expected results, and what each field holds.
//!
//! The rules are specified in docs/formats/testlink.md ("Which topics are what"), shown as the
//! rustdoc of [`TestLink`](super::TestLink); docs/formats/zentao.md, csv.md and xlsx.md say how
//! each of the other formats writes the fields.
//!
//! Implementation notes: the rules were read from xmind2testcase's `parser.py` (and the XMind SDK
//! it reads maps with). [`Case::importance`] is on xmind2testcase's scale, 1 (high) to 3 (low);
//! each writer turns it into its own. Nothing here recurses: the search keeps its own stack.

use super::{Extra, Plan};
use crate::model::{Sheet, Topic, TopicId};

/// The characters that, ending the root title, join the titles of a case name.
const SEPARATORS: &str = "&>+/-";
/// The characters that make a topic (or a note, comment, label) be skipped when they start it.
pub(crate) const IGNORE: [char; 3] = ['#', '!', '！'];
/// What joins the notes of a case's preconditions and the comments of its summary.
const JOIN: &str = "\n----\n";

/// One sheet's test cases.
pub(crate) struct Product {
    /// The sheet's root title, without the separator character.
    pub name: String,
    /// The root topic's note, as it is.
    pub details: Option<String>,
    pub suites: Vec<Suite>,
}

/// A main topic and the cases below it.
pub(crate) struct Suite {
    /// The main topic's title, as it is.
    pub name: String,
    /// The main topic's note, as it is.
    pub details: Option<String>,
    pub cases: Vec<Case>,
}

/// One test case.
pub(crate) struct Case {
    pub name: String,
    /// The notes of the path, joined; empty when none.
    pub preconditions: String,
    /// The comments of the path, joined; empty when none.
    pub summary: String,
    /// 1 manual, 2 automatic.
    pub execution_type: u8,
    /// The last digit of the case's first priority marker.
    pub priority: Option<u32>,
    pub steps: Vec<Step>,
}

impl Case {
    /// 1 (high) to 3 (low) in xmind2testcase's terms: the priority, 2 when none.
    pub fn importance(&self) -> u32 {
        self.priority.filter(|&p| p != 0).unwrap_or(2)
    }
    /// The preconditions, `无` ("none") when empty, as xmind2testcase writes them.
    pub fn preconditions_or_none(&self) -> &str {
        if self.preconditions.is_empty() {
            "无"
        } else {
            &self.preconditions
        }
    }
    /// The summary, the case name when empty, as xmind2testcase writes it.
    pub fn summary_or_name(&self) -> &str {
        if self.summary.is_empty() {
            &self.name
        } else {
            &self.summary
        }
    }
}

/// One step of a case.
pub(crate) struct Step {
    /// From 1.
    pub number: usize,
    /// The step topic's title, as it is.
    pub actions: String,
    /// The title of the step's first subtopic, as it is.
    pub expected: Option<String>,
}

/// The test cases of every sheet of a plan, and what `-v` says about them.
pub(crate) struct TestCases {
    /// One per sheet that has a product, with the sheet's index.
    pub products: Vec<(usize, Product)>,
    pub warnings: Vec<String>,
}

impl TestCases {
    /// How many cases there are.
    pub fn count(&self) -> usize {
        self.products
            .iter()
            .flat_map(|(_, p)| &p.suites)
            .map(|s| s.cases.len())
            .sum()
    }
}

/// Python's `str.isspace` for one character (Rust's white space, and the separators
/// U+001C to U+001F).
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.strip()`.
pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(py_space)
}

/// Whether xmind2testcase skips a topic for its title.
fn skipped(title: &str) -> bool {
    py_strip(title).is_empty() || title.starts_with(IGNORE)
}

/// xmind2testcase's `filter_empty_or_ignore_element`: the texts that are not blank and do not
/// start with an ignore character, trimmed.
fn kept_texts<'t>(texts: impl Iterator<Item = Option<&'t str>>) -> Vec<&'t str> {
    texts
        .flatten()
        .filter(|t| !py_strip(t).is_empty() && !t.starts_with(IGNORE))
        .map(py_strip)
        .collect()
}

/// The value of xmind2testcase's `get_priority`: the last digit of the first marker whose id
/// starts with `priority` (`None` when it does not end in a digit, where xmind2testcase fails).
fn priority(t: &Topic) -> Option<u32> {
    let m = t.markers.iter().find(|m| m.starts_with("priority"))?;
    m.chars().last()?.to_digit(10)
}

/// Reads the test cases of every sheet of `plan`.
pub(crate) fn read(plan: &Plan<'_>) -> TestCases {
    let mut out = TestCases {
        products: Vec::new(),
        warnings: Vec::new(),
    };
    for (s, sheet) in plan.doc().sheets.iter().enumerate() {
        match product(plan, sheet, s, &mut out.warnings) {
            Some(p) => out.products.push((s, p)),
            None => out.warnings.push(format!(
                "sheet {}: the root topic has no subtopics, so the sheet has no test suites",
                s + 1
            )),
        }
    }
    if out.count() == 0 {
        out.warnings.push(
            "the map has no test cases (the rules are xmind2testcase's: main topics are suites, \
             the topics below them cases); the output has the header only"
                .to_string(),
        );
    }
    out
}

struct Reader<'p> {
    plan: &'p Plan<'p>,
    sheet: &'p Sheet,
    notes: bool,
    comments: bool,
    labels: bool,
    markers: bool,
    /// Topics reached already (a hand-built document may link a topic twice).
    seen: Vec<bool>,
    /// Topics skipped for an empty title.
    untitled: usize,
}

impl Reader<'_> {
    /// The subtopics of `id` (at `depth`) that the rules read.
    fn kids(&mut self, id: TopicId, depth: usize) -> Vec<TopicId> {
        if !self.plan.children_shown(depth) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for &c in self.sheet.topic(id).children.iter() {
            let Some(seen) = self.seen.get_mut(c.index()) else {
                continue;
            };
            if *seen {
                continue;
            }
            let title = &self.sheet.topic(c).title;
            if skipped(title) {
                self.untitled += usize::from(py_strip(title).is_empty());
                continue;
            }
            *seen = true;
            out.push(c);
        }
        out
    }

    fn note(&self, t: &Topic) -> Option<String> {
        if !self.notes {
            return None;
        }
        t.notes.as_ref().map(|n| n.plain.to_string())
    }

    fn priority(&self, t: &Topic) -> Option<u32> {
        if self.markers { priority(t) } else { None }
    }
}

fn product(
    plan: &Plan<'_>,
    sheet: &Sheet,
    s: usize,
    warnings: &mut Vec<String>,
) -> Option<Product> {
    let root = sheet.root();
    let has_children = plan.children_shown(0) && !root.children.is_empty();
    if !has_children {
        return None;
    }
    let mut r = Reader {
        plan,
        sheet,
        notes: plan.wants(Extra::Notes),
        comments: plan.wants(Extra::Comments),
        labels: plan.wants(Extra::Labels),
        markers: plan.wants(Extra::Markers),
        seen: vec![false; sheet.len()],
        untitled: 0,
    };
    if let Some(seen) = r.seen.first_mut() {
        *seen = true;
    }
    let title: &str = &root.title;
    let (name, sep) = match title.chars().last() {
        Some(c) if SEPARATORS.contains(c) => (&title[..title.len() - c.len_utf8()], c),
        _ => (title, ' '),
    };
    let sep = if sep == ' ' {
        " ".to_string()
    } else {
        format!(" {sep} ")
    };
    let mut product = Product {
        name: name.to_string(),
        details: r.note(root),
        suites: Vec::new(),
    };
    for suite_id in r.kids(TopicId::ROOT, 0) {
        let st = sheet.topic(suite_id);
        let mut suite = Suite {
            name: st.title.to_string(),
            details: r.note(st),
            cases: Vec::new(),
        };
        // Depth first, in order, with an explicit stack; `path` holds the topics from below the
        // suite down to the one being looked at.
        let mut stack: Vec<(TopicId, usize)> = r
            .kids(suite_id, 1)
            .into_iter()
            .rev()
            .map(|c| (c, 2))
            .collect();
        let mut path: Vec<TopicId> = Vec::new();
        while let Some((id, depth)) = stack.pop() {
            path.truncate(depth - 2);
            path.push(id);
            let t = sheet.topic(id);
            let kids = r.kids(id, depth);
            // Markers find the cases even when they are not written (`--without markers`).
            let is_case = priority(t).is_some_and(|p| p != 0) || kids.is_empty();
            if !is_case {
                stack.extend(kids.into_iter().rev().map(|c| (c, depth + 1)));
                continue;
            }
            suite.cases.push(case(&mut r, &path, kids, depth, &sep));
        }
        product.suites.push(suite);
    }
    if r.untitled > 0 {
        warnings.push(format!(
            "sheet {}: {} left out with {} subtopics, as xmind2testcase leaves them out",
            s + 1,
            if r.untitled == 1 {
                "1 topic without a title".to_string()
            } else {
                format!("{} topics without a title", r.untitled)
            },
            if r.untitled == 1 { "its" } else { "their" }
        ));
    }
    Some(product)
}

fn case(
    r: &mut Reader<'_>,
    path: &[TopicId],
    steps: Vec<TopicId>,
    depth: usize,
    sep: &str,
) -> Case {
    let sheet = r.sheet;
    let topics = || path.iter().map(|&p| sheet.topic(p));
    let name = kept_texts(topics().map(|t| Some(&*t.title))).join(sep);
    let notes: Vec<Option<String>> = topics().map(|t| r.note(t)).collect();
    let preconditions = kept_texts(notes.iter().map(|n| n.as_deref())).join(JOIN);
    let comments: Vec<Option<String>> = topics()
        .map(|t| {
            (r.comments && !t.comments.is_empty()).then(|| {
                t.comments
                    .iter()
                    .map(|c| c.content.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        })
        .collect();
    let summary = kept_texts(comments.iter().map(|c| c.as_deref())).join(JOIN);
    let labels = kept_texts(topics().map(|t| {
        if r.labels {
            t.labels.first().map(String::as_str)
        } else {
            None
        }
    }));
    let mut execution_type = 1;
    for l in labels.iter().rev() {
        let l = l.to_lowercase();
        if ["自动", "auto", "automate", "automation"].contains(&l.as_str()) {
            execution_type = 2;
            break;
        }
        if ["手动", "手工", "manual"].contains(&l.as_str()) {
            break;
        }
    }
    let last = sheet.topic(*path.last().unwrap_or(&TopicId::ROOT));
    let priority = r.priority(last);
    let steps = steps
        .into_iter()
        .enumerate()
        .map(|(i, step)| {
            let expected = r
                .kids(step, depth + 1)
                .first()
                .map(|&e| sheet.topic(e).title.to_string());
            Step {
                number: i + 1,
                actions: sheet.topic(step).title.to_string(),
                expected,
            }
        })
        .collect();
    Case {
        name,
        preconditions,
        summary,
        execution_type,
        priority,
        steps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Comment, Document, Notes, TopicKind};
    use crate::write::{WriteOptions, Writer};

    /// A writer that carries every extra, for planning.
    struct Any;
    impl Writer for Any {
        fn name(&self) -> &'static str {
            "any"
        }
        fn extensions(&self) -> &'static [&'static str] {
            &[]
        }
        fn description(&self) -> &'static str {
            ""
        }
        fn write_plan(&self, _: &Plan<'_>, _: &mut dyn std::io::Write) -> crate::Result<()> {
            Ok(())
        }
    }

    fn topic(title: &str, markers: &[&str], note: Option<&str>, label: Option<&str>) -> Topic {
        let mut t = Topic::new(title);
        t.markers = markers
            .iter()
            .map(|m| m.to_string())
            .collect::<Vec<_>>()
            .into();
        t.notes = note.map(|n| {
            Box::new(Notes {
                plain: n.into(),
                html: None,
            })
        });
        t.labels = label
            .map(|l| vec![l.to_string()])
            .unwrap_or_default()
            .into();
        t
    }

    fn read_doc(sheet: Sheet, opts: &WriteOptions) -> TestCases {
        let doc = Document {
            sheets: vec![sheet],
            ..Document::default()
        };
        read(&Plan::new(&doc, opts, &Any))
    }

    #[test]
    fn the_rules_of_xmind2testcase() {
        let mut s = Sheet::new("Product -");
        let suite = s.add(
            TopicId::ROOT,
            TopicKind::Attached,
            topic("Suite", &[], Some("about"), None),
        );
        let group = s.add(
            suite,
            TopicKind::Attached,
            topic(" Group ", &[], Some("logged in"), Some("自动")),
        );
        // A priority marker makes a case of a topic with subtopics; the last digit counts.
        let case = s.add(
            group,
            TopicKind::Attached,
            topic("Case", &["priority-3"], Some("#not a precondition"), None),
        );
        let mut c = s.topic(case).clone();
        c.comments = vec![Comment {
            author: "a".into(),
            time: None,
            content: "first".into(),
        }]
        .into();
        s.topics[case.index()] = c;
        let step = s.add(case, TopicKind::Attached, Topic::new("step one"));
        s.add(step, TopicKind::Attached, Topic::new("result one"));
        s.add(
            step,
            TopicKind::Attached,
            Topic::new("second result, not read"),
        );
        s.add(case, TopicKind::Attached, Topic::new("#skipped step"));
        s.add(case, TopicKind::Attached, Topic::new("step two"));
        // Untitled topics are left out: `d` is then a leaf, so a case.
        let d = s.add(group, TopicKind::Attached, Topic::new("d"));
        s.add(d, TopicKind::Attached, Topic::new("  "));
        let manual = s.add(
            group,
            TopicKind::Attached,
            topic("manual", &[], None, Some("Manual")),
        );
        s.add(manual, TopicKind::Attached, Topic::new("leaf"));
        let got = read_doc(s, &WriteOptions::default());
        let (_, p) = &got.products[0];
        assert_eq!(p.name, "Product ");
        assert_eq!(p.suites[0].details.as_deref(), Some("about"));
        let cases = &p.suites[0].cases;
        let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["Group - Case", "Group - d", "Group - manual - leaf"]
        );
        let c = &cases[0];
        assert_eq!(
            (c.priority, c.importance(), c.execution_type),
            (Some(3), 3, 2)
        );
        assert_eq!(c.preconditions, "logged in");
        assert_eq!(c.summary, "first");
        let steps: Vec<(usize, &str, Option<&str>)> = c
            .steps
            .iter()
            .map(|s| (s.number, s.actions.as_str(), s.expected.as_deref()))
            .collect();
        assert_eq!(
            steps,
            [(1, "step one", Some("result one")), (2, "step two", None)]
        );
        assert_eq!(
            (cases[1].importance(), cases[1].summary_or_name()),
            (2, "Group - d")
        );
        assert_eq!(cases[1].preconditions_or_none(), "logged in");
        assert_eq!(cases[2].execution_type, 1, "the last known label wins");
        assert_eq!(
            got.warnings,
            [
                "sheet 1: 1 topic without a title left out with its subtopics, as xmind2testcase \
              leaves them out"
            ]
        );
        assert_eq!(got.count(), 3);
    }

    #[test]
    fn a_deep_chain_is_one_case_without_recursion() {
        let mut s = Sheet::new("root/");
        let mut parent = TopicId::ROOT;
        for i in 1..=100_000 {
            parent = s.add(parent, TopicKind::Attached, Topic::new(i.to_string()));
        }
        let got = read_doc(s, &WriteOptions::default());
        let case = &got.products[0].1.suites[0].cases[0];
        assert!(case.name.starts_with("2 / 3 / 4 / "));
        assert!(case.name.ends_with(" / 99999 / 100000"));
    }
}
