//! Small encoders for the HTML page: the Content-Security-Policy hashes of its own style sheet
//! and script, and `data:` URIs with the media type of a stored file.

use sha2::{Digest, Sha256};

/// A Content-Security-Policy source for an inline script or style: `'sha256-…'`.
pub(super) fn csp_hash(text: &str) -> String {
    let mut out = String::from("'sha256-");
    crate::base64::encode_into(&mut out, &Sha256::digest(text.as_bytes()));
    out.push('\'');
    out
}

/// The media type of a stored file, from its first bytes, else its extension;
/// `application/octet-stream` when neither tells.
pub(super) fn media_type(name: &str, bytes: &[u8]) -> &'static str {
    let magic: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"BM", "image/bmp"),
        (b"%PDF-", "application/pdf"),
    ];
    if let Some((_, t)) = magic.iter().find(|(m, _)| bytes.starts_with(m)) {
        return t;
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return "image/webp";
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        _ => "application/octet-stream",
    }
}

/// A `data:` URI holding `bytes`.
pub(super) fn data_uri(name: &str, bytes: &[u8]) -> String {
    let mut out = format!("data:{};base64,", media_type(name, bytes));
    crate::base64::encode_into(&mut out, bytes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_hashes_are_sha256_in_base64() {
        assert_eq!(
            csp_hash("abc"),
            "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='"
        );
    }

    #[test]
    fn media_types_come_from_magic_bytes_then_extensions() {
        assert_eq!(media_type("x.bin", b"\x89PNG\r\n\x1a\n...."), "image/png");
        assert_eq!(media_type("x.png", b"\xff\xd8\xff\xe0"), "image/jpeg");
        assert_eq!(media_type("x", b"RIFF\0\0\0\0WEBPVP8 "), "image/webp");
        assert_eq!(media_type("a/b.SVG", b"<svg"), "image/svg+xml");
        assert_eq!(media_type("notes", b"hello"), "application/octet-stream");
        assert_eq!(
            data_uri("a.gif", b"GIF89a"),
            "data:image/gif;base64,R0lGODlh"
        );
    }
}
