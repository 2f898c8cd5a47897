//! Base64 (RFC 4648) both ways: encoding for the HTML page's `data:` URIs and
//! Content-Security-Policy hashes, decoding for the salts and IVs of password-protected maps.
//!
//! Written here rather than taken from the `base64` crate: the decoder must be lenient the way
//! XMind's manifests need (padding optional, white space ignored, the URL-safe `-` and `_`
//! accepted beside `+` and `/`), which no single engine of that crate is, and both halves
//! together are forty lines with the RFC's test vectors below.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Appends the standard base64 encoding of `bytes`, with `=` padding.
pub(crate) fn encode_into(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (k, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if k <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
}

/// Decodes base64 with either alphabet (`+/` or `-_`), padding optional, white space ignored;
/// `None` on any other character.
pub(crate) fn decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            c if c.is_ascii_whitespace() => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4648, section 10.
    const VECTORS: [(&str, &str); 7] = [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ];

    #[test]
    fn encoding_matches_rfc_4648() {
        for (input, want) in VECTORS {
            let mut out = String::new();
            encode_into(&mut out, input.as_bytes());
            assert_eq!(out, want, "{input:?}");
        }
        let mut out = String::new();
        encode_into(&mut out, &[0xfb, 0xff, 0xbf]);
        assert_eq!(out, "+/+/");
    }

    #[test]
    fn decoding_is_the_inverse_and_lenient() {
        for (want, input) in VECTORS {
            assert_eq!(decode(input).unwrap(), want.as_bytes(), "{input:?}");
        }
        assert_eq!(decode("aGVsbG8").unwrap(), b"hello");
        assert_eq!(decode("AAEC\n/w==").unwrap(), [0, 1, 2, 255]);
        assert_eq!(decode("-_-_").unwrap(), [0xfb, 0xff, 0xbf]);
        assert_eq!(decode("a!b"), None);
    }
}
