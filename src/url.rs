//! URLs in what the writers write: which schemes are links at all, and percent-encoding.
//!
//! The `percent-encoding` crate always encodes every character outside ASCII; a map's links
//! keep theirs as they are (`https://例え.jp/中 文` → `https://例え.jp/中%20文`, which every
//! consumer here reads), so the encoder is these few lines instead.

/// Whether a link would run code or carry data instead of pointing somewhere (`javascript:`,
/// `vbscript:`, `data:`, also with white space or control characters inside the scheme, which
/// browsers drop): such links are written as text, never as links.
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

/// `href` as a link a reader can follow safely: `http`, `https`, `mailto` and `ftp` as they are,
/// a bare `www.` host with `http://` in front; `None` for anything else.
pub(crate) fn web_href(href: &str) -> Option<String> {
    if unsafe_scheme(href) {
        return None;
    }
    let lower = href.get(..8).unwrap_or(href).to_ascii_lowercase();
    if ["http://", "https://", "mailto:", "ftp://"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        Some(href.to_string())
    } else if lower.starts_with("www.") {
        Some(format!("http://{href}"))
    } else {
        None
    }
}

/// Appends `%XX` for each byte of `bytes`.
pub(crate) fn push_percent(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in bytes {
        out.push('%');
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
}

/// `url` with white space, control characters and the characters in `also` percent-encoded,
/// everything else (other characters outside ASCII included) as it is.
pub(crate) fn percent_encode(url: &str, also: &[char]) -> String {
    let mut out = String::with_capacity(url.len());
    let mut buf = [0u8; 4];
    for c in url.chars() {
        if c.is_whitespace() || c.is_control() || also.contains(&c) {
            push_percent(&mut out, c.encode_utf8(&mut buf).as_bytes());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_percent_encoded() {
        assert_eq!(percent_encode("a b\n[c]", &['[', ']']), "a%20b%0A%5Bc%5D");
        assert_eq!(percent_encode("中 文", &[]), "中%20文");
        assert_eq!(percent_encode("\u{3000}", &[]), "%E3%80%80");
    }

    #[test]
    fn only_safe_schemes_are_links() {
        assert!(unsafe_scheme("JavaScript:alert(1)"));
        assert!(unsafe_scheme(" java\tscript:x"));
        assert!(unsafe_scheme("data:text/html,x"));
        assert!(!unsafe_scheme("https://example.com"));
        assert_eq!(web_href("HTTPS://a.b").as_deref(), Some("HTTPS://a.b"));
        assert_eq!(web_href("www.a.b").as_deref(), Some("http://www.a.b"));
        assert_eq!(web_href("file:///etc/passwd"), None);
        assert_eq!(web_href("javascript:alert(1)"), None);
        assert_eq!(web_href("中"), None);
    }
}
