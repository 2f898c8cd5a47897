//! What XMind's marker ids mean, as a word or an emoji, for emitters that write markers as text.
//!
//! The ids are those of XMind 8's marker sheet and of the XMind Zen / 2020+ SDK (notes in
//! `docs/xmind-format.md` §4 of the shared documentation). Families with a colour in the id
//! (`flag-red`, `star-dark-blue`, `people-green`, `half-star-gray`, `tag-orange`) accept any
//! colour: `flag-dark-blue` is `dark blue flag`. An id that is not in the table (custom markers
//! have random ids) is written with its name from the map's legend ([`Document::marker_names`])
//! when there is one, else as the id itself; see [`display`].
//!
//! | family | ids | word | emoji |
//! | --- | --- | --- | --- |
//! | priority | `priority-1` … `priority-9` | `P1` … `P9` | 1️⃣ … 9️⃣ |
//! | task progress | `task-start`, `-oct`, `-quarter`, `-3oct`, `-half`, `-5oct`, `-3quar`, `-7oct`, `-done`, `-pause` | `0%`, `12%`, `25%`, `38%`, `50%`, `62%`, `75%`, `88%`, `done`, `paused` | ⬜ ◔ ◔ ◑ ◑ ◕ ◕ ◕ ✅ ⏸️ |
//! | smiley | `smiley-smile`, `-laugh`, `-angry`, `-cry`, `-surprise`, `-boring`, `-embarrass` | smile, laugh, angry, cry, surprise, boring, embarrassed | 🙂 😄 😠 😢 😮 😑 😳 |
//! | flag, star, person, half star, tag | `flag-<colour>`, `star-<colour>`, `people-<colour>`, `half-star-<colour>`, `tag-<colour>` | `<colour> flag`, `<colour> star`, `<colour> person`, `<colour> half star`, `<colour> tag` | 🚩 ⭐ 👤 ⭐ 🏷️ |
//! | arrow | `arrow-up`, `-up-right`, `-right`, `-down-right`, `-down`, `-down-left`, `-left`, `-up-left`, `-left-right`, `-up-down`, `-refresh` | `up arrow`, `up-right arrow`, …, `refresh` | ⬆️ ↗️ ➡️ ↘️ ⬇️ ↙️ ⬅️ ↖️ ↔️ ↕️ 🔄 |
//! | symbol (also the old `c_simbol-*`) | `symbol-plus`, `-minus`, `-question`, `-exclam`, `-info`, `-attention`, `-wrong`, `-right`, `-pause`, `-no-entry`, `-divide`, `-equality`, `-code`, `-image`, `-pin` | plus, minus, question, exclamation, info, attention, wrong, right, pause, no entry, divide, equals, code, image, pin | ➕ ➖ ❓ ❗ ℹ️ ⚠️ ❌ ✔️ ⏸️ ⛔ ➗ 🟰 💻 🖼️ 📌 |
//! | picture symbol | `c_symbol_heart`, `_broken_heart`, `_like`, `_dislike`, `_music`, `_lock`, `_hourglass`, `_quote`, `_apostrophe`, `_contact`, `_telephone`, `_pen`, `_money`, `_bar_chart`, `_pie_chart`, `_line_graph`, `_shopping_cart`, `_medals`, `_trophy`, `_exercise`, `_flight`, `_drink`, `_thermometer` | heart, broken heart, like, dislike, music, lock, hourglass, quote, apostrophe, contact, phone, pen, money, bar chart, pie chart, line graph, cart, medal, trophy, exercise, flight, drink, thermometer | ❤️ 💔 👍 👎 🎵 🔒 ⏳ ❝ ’ 📇 ☎️ 🖊️ 💰 📊 🥧 📈 🛒 🏅 🏆 🏃 ✈️ 🥤 🌡️ |
//! | month, week | `month-jan` … `month-dec`, `week-sun` … `week-sat` (also `week-web`) | `Jan` … `Dec`, `Sun` … `Sat` | 📅 |
//! | other | `other-calendar`, `-email`, `-phone`, `-phone2`, `-fax`, `-people`, `-people2`, `-clock`, `-coffee-cup`, `-question`, `-exclam`, `-lightbulb`, `-businesscard`, `-social`, `-chat`, `-note`, `-lock`, `-unlock`, `-yes`, `-no`, `-bomb` | calendar, email, phone, phone, fax, people, people, clock, coffee, question, exclamation, idea, card, social, chat, note, locked, unlocked, yes, no, bomb | 📅 📧 📞 📞 📠 👥 👥 🕐 ☕ ❓ ❗ 💡 📇 🌐 💬 📝 🔒 🔓 ✅ ❌ 💣 |
//!
//! [`Document::marker_names`]: crate::model::Document::marker_names

use std::borrow::Cow;
use std::collections::BTreeMap;

/// How an emitter writes markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum MarkerStyle {
    /// A short word: `P1`, `50%`, `red flag`.
    #[default]
    Words,
    /// An emoji: 1️⃣, ◑, 🚩.
    Emoji,
}

/// Ids with a fixed word and emoji.
const FIXED: &[(&str, &str, &str)] = &[
    ("task-start", "0%", "⬜"),
    ("task-oct", "12%", "◔"),
    ("task-quarter", "25%", "◔"),
    ("task-3oct", "38%", "◑"),
    ("task-half", "50%", "◑"),
    ("task-5oct", "62%", "◕"),
    ("task-3quar", "75%", "◕"),
    ("task-7oct", "88%", "◕"),
    ("task-done", "done", "✅"),
    ("task-pause", "paused", "⏸️"),
    ("smiley-smile", "smile", "🙂"),
    ("smiley-laugh", "laugh", "😄"),
    ("smiley-angry", "angry", "😠"),
    ("smiley-cry", "cry", "😢"),
    ("smiley-surprise", "surprise", "😮"),
    ("smiley-boring", "boring", "😑"),
    ("smiley-embarrass", "embarrassed", "😳"),
    ("arrow-up", "up arrow", "⬆️"),
    ("arrow-up-right", "up-right arrow", "↗️"),
    ("arrow-right", "right arrow", "➡️"),
    ("arrow-down-right", "down-right arrow", "↘️"),
    ("arrow-down", "down arrow", "⬇️"),
    ("arrow-down-left", "down-left arrow", "↙️"),
    ("arrow-left", "left arrow", "⬅️"),
    ("arrow-up-left", "up-left arrow", "↖️"),
    ("arrow-left-right", "left-right arrow", "↔️"),
    ("arrow-up-down", "up-down arrow", "↕️"),
    ("arrow-refresh", "refresh", "🔄"),
    ("c_symbol_heart", "heart", "❤️"),
    ("c_symbol_broken_heart", "broken heart", "💔"),
    ("c_symbol_like", "like", "👍"),
    ("c_symbol_dislike", "dislike", "👎"),
    ("c_symbol_music", "music", "🎵"),
    ("c_symbol_lock", "lock", "🔒"),
    ("c_symbol_hourglass", "hourglass", "⏳"),
    ("c_symbol_quote", "quote", "❝"),
    ("c_symbol_apostrophe", "apostrophe", "’"),
    ("c_symbol_contact", "contact", "📇"),
    ("c_symbol_telephone", "phone", "☎️"),
    ("c_symbol_pen", "pen", "🖊️"),
    ("c_symbol_money", "money", "💰"),
    ("c_symbol_bar_chart", "bar chart", "📊"),
    ("c_symbol_pie_chart", "pie chart", "🥧"),
    ("c_symbol_line_graph", "line graph", "📈"),
    ("c_symbol_shopping_cart", "cart", "🛒"),
    ("c_symbol_medals", "medal", "🏅"),
    ("c_symbol_trophy", "trophy", "🏆"),
    ("c_symbol_exercise", "exercise", "🏃"),
    ("c_symbol_flight", "flight", "✈️"),
    ("c_symbol_drink", "drink", "🥤"),
    ("c_symbol_thermometer", "thermometer", "🌡️"),
    ("other-calendar", "calendar", "📅"),
    ("other-email", "email", "📧"),
    ("other-phone", "phone", "📞"),
    ("other-phone2", "phone", "📞"),
    ("other-fax", "fax", "📠"),
    ("other-people", "people", "👥"),
    ("other-people2", "people", "👥"),
    ("other-clock", "clock", "🕐"),
    ("other-coffee-cup", "coffee", "☕"),
    ("other-question", "question", "❓"),
    ("other-exclam", "exclamation", "❗"),
    ("other-lightbulb", "idea", "💡"),
    ("other-businesscard", "card", "📇"),
    ("other-social", "social", "🌐"),
    ("other-chat", "chat", "💬"),
    ("other-note", "note", "📝"),
    ("other-lock", "locked", "🔒"),
    ("other-unlock", "unlocked", "🔓"),
    ("other-yes", "yes", "✅"),
    ("other-no", "no", "❌"),
    ("other-bomb", "bomb", "💣"),
];

/// How every id of [`FIXED`] starts.
const FIXED_FAMILIES: [&str; 5] = ["task-", "smiley-", "arrow-", "c_symbol_", "other-"];

/// `symbol-<name>` (and the misspelt legacy `c_simbol-<name>`).
const SYMBOLS: &[(&str, &str, &str)] = &[
    ("plus", "plus", "➕"),
    ("minus", "minus", "➖"),
    ("question", "question", "❓"),
    ("exclam", "exclamation", "❗"),
    ("info", "info", "ℹ️"),
    ("attention", "attention", "⚠️"),
    ("wrong", "wrong", "❌"),
    ("right", "right", "✔️"),
    ("pause", "pause", "⏸️"),
    ("no-entry", "no entry", "⛔"),
    ("divide", "divide", "➗"),
    ("equality", "equals", "🟰"),
    ("code", "code", "💻"),
    ("image", "image", "🖼️"),
    ("pin", "pin", "📌"),
];

/// `<family>-<colour>` ids: prefix, noun, emoji. `half-star-` comes before `star-`.
const COLOURED: &[(&str, &str, &str)] = &[
    ("flag-", "flag", "🚩"),
    ("half-star-", "half star", "⭐"),
    ("star-", "star", "⭐"),
    ("people-", "person", "👤"),
    ("tag-", "tag", "🏷️"),
];

const KEYCAPS: [&str; 9] = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"];
const PRIORITIES: [&str; 9] = ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9"];

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// The word and emoji of a known marker id.
fn lookup(id: &str) -> Option<(Cow<'static, str>, &'static str)> {
    // The most common family first; no id of the table starts with it.
    if let Some(n) = id.strip_prefix("priority-") {
        let d = n.parse::<usize>().ok().filter(|d| (1..=9).contains(d))?;
        return Some((Cow::Borrowed(PRIORITIES[d - 1]), KEYCAPS[d - 1]));
    }
    if FIXED_FAMILIES.iter().any(|f| id.starts_with(f)) {
        if let Some(&(_, word, emoji)) = FIXED.iter().find(|(i, _, _)| *i == id) {
            return Some((Cow::Borrowed(word), emoji));
        }
    }
    if let Some(name) = id
        .strip_prefix("symbol-")
        .or_else(|| id.strip_prefix("c_simbol-"))
    {
        let &(_, word, emoji) = SYMBOLS.iter().find(|(n, _, _)| *n == name)?;
        return Some((Cow::Borrowed(word), emoji));
    }
    if let Some(m) = id.strip_prefix("month-") {
        MONTHS.iter().find(|x| **x == m)?;
        return Some((Cow::Owned(capitalised(m)), "📅"));
    }
    if let Some(w) = id.strip_prefix("week-") {
        // The official generator writes `week-web` for Wednesday.
        let w = if w == "web" { "wed" } else { w };
        WEEKDAYS.iter().find(|x| **x == w)?;
        return Some((Cow::Owned(capitalised(w)), "📅"));
    }
    for &(prefix, noun, emoji) in COLOURED {
        if let Some(colour) = id.strip_prefix(prefix) {
            let valid = !colour.is_empty()
                && colour.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
                && !colour.starts_with('-')
                && !colour.ends_with('-');
            if valid {
                let mut word = String::with_capacity(colour.len() + 1 + noun.len());
                word.extend(colour.chars().map(|c| if c == '-' { ' ' } else { c }));
                word.push(' ');
                word.push_str(noun);
                return Some((Cow::Owned(word), emoji));
            }
        }
    }
    None
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The word for a known marker id (`priority-1` → `P1`, `flag-dark-blue` → `dark blue flag`).
pub fn word(id: &str) -> Option<Cow<'static, str>> {
    lookup(id).map(|(w, _)| w)
}

/// The emoji for a known marker id (`priority-1` → 1️⃣, `task-done` → ✅).
pub fn emoji(id: &str) -> Option<&'static str> {
    lookup(id).map(|(_, e)| e)
}

/// The marker id a word or emoji of the table stands for (`P1` → `priority-1`, `done` →
/// `task-done`, `dark blue flag` → `flag-dark-blue`, ✅ → `task-done`), for readers of formats
/// that write markers as text. Words shared by several ids (`question`, `phone`) give the first
/// in the table's order: `symbol-` before `other-`.
pub fn from_word(word: &str) -> Option<String> {
    let w = word.trim();
    if let Some(i) = PRIORITIES.iter().position(|p| *p == w) {
        return Some(format!("priority-{}", i + 1));
    }
    if let Some(i) = KEYCAPS.iter().position(|p| *p == w) {
        return Some(format!("priority-{}", i + 1));
    }
    let lower = w.to_lowercase();
    if let Some(&(name, _, _)) = SYMBOLS.iter().find(|(_, word, _)| *word == lower) {
        return Some(format!("symbol-{name}"));
    }
    if let Some(&(id, _, _)) = FIXED
        .iter()
        .find(|(_, word, emoji)| *word == lower || *emoji == w)
    {
        return Some(id.to_string());
    }
    if let Some(m) = MONTHS.iter().find(|m| **m == lower) {
        return Some(format!("month-{m}"));
    }
    if let Some(d) = WEEKDAYS.iter().find(|d| **d == lower) {
        return Some(format!("week-{d}"));
    }
    for &(prefix, noun, _) in COLOURED {
        if let Some(colour) = lower.strip_suffix(noun).and_then(|c| c.strip_suffix(' ')) {
            let valid = !colour.is_empty()
                && colour.bytes().all(|b| b.is_ascii_lowercase() || b == b' ')
                && !colour.starts_with(' ');
            if valid {
                return Some(format!("{prefix}{}", colour.replace(' ', "-")));
            }
        }
    }
    None
}

/// How marker `id` is written in `style`: the table's word or emoji; for an unknown id, its name
/// from `names` (the map's legend, [`Document::marker_names`]), else the id unchanged.
///
/// [`Document::marker_names`]: crate::model::Document::marker_names
pub fn display<'a>(
    id: &'a str,
    style: MarkerStyle,
    names: &'a BTreeMap<String, String>,
) -> Cow<'a, str> {
    match (lookup(id), style) {
        (Some((word, _)), MarkerStyle::Words) => word,
        (Some((_, emoji)), MarkerStyle::Emoji) => Cow::Borrowed(emoji),
        (None, _) => Cow::Borrowed(names.get(id).map_or(id, String::as_str)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_lead_back_to_their_ids() {
        for id in [
            "priority-3",
            "task-done",
            "task-half",
            "smiley-cry",
            "symbol-plus",
            "month-jan",
            "week-sat",
            "flag-dark-blue",
            "half-star-red",
            "people-green",
            "other-bomb",
        ] {
            assert_eq!(from_word(&word(id).unwrap()).as_deref(), Some(id), "{id}");
        }
        assert_eq!(from_word("✅").as_deref(), Some("task-done"));
        assert_eq!(from_word("no such marker"), None);
    }

    #[test]
    fn every_fixed_id_is_in_a_fixed_family() {
        for (id, _, _) in FIXED {
            assert!(FIXED_FAMILIES.iter().any(|f| id.starts_with(f)), "{id}");
            assert!(!id.starts_with("priority-"), "{id}");
        }
    }

    #[test]
    fn families_map_to_words_and_emoji() {
        let cases = [
            ("priority-1", "P1", "1️⃣"),
            ("priority-9", "P9", "9️⃣"),
            ("task-half", "50%", "◑"),
            ("task-done", "done", "✅"),
            ("smiley-embarrass", "embarrassed", "😳"),
            ("flag-dark-blue", "dark blue flag", "🚩"),
            ("star-yellow", "yellow star", "⭐"),
            ("half-star-green", "green half star", "⭐"),
            ("people-red", "red person", "👤"),
            ("tag-orange", "orange tag", "🏷️"),
            ("arrow-up-right", "up-right arrow", "↗️"),
            ("symbol-no-entry", "no entry", "⛔"),
            ("c_simbol-exclam", "exclamation", "❗"),
            ("c_symbol_shopping_cart", "cart", "🛒"),
            ("month-aug", "Aug", "📅"),
            ("week-web", "Wed", "📅"),
            ("other-lightbulb", "idea", "💡"),
        ];
        for (id, w, e) in cases {
            assert_eq!(word(id).as_deref(), Some(w), "{id}");
            assert_eq!(emoji(id), Some(e), "{id}");
        }
    }

    #[test]
    fn unknown_ids_pass_through_by_name() {
        let mut names = BTreeMap::new();
        names.insert("3kq9x".to_string(), "Blocked".to_string());
        for style in [MarkerStyle::Words, MarkerStyle::Emoji] {
            assert_eq!(display("3kq9x", style, &names), "Blocked");
            assert_eq!(display("task-ongoing", style, &names), "task-ongoing");
        }
        for id in [
            "priority-0",
            "priority-10",
            "flag-",
            "star--x",
            "symbol-nope",
            "month-x",
        ] {
            assert_eq!(word(id), None, "{id}");
        }
        assert_eq!(display("priority-2", MarkerStyle::Emoji, &names), "2️⃣");
    }
}
