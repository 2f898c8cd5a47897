//! The zip container: recognise what the input is, check the limits, find the content entry and
//! read it (and comments.xml / markers/markerSheet.xml for XMind 8) as UTF-8 text.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read, Seek, SeekFrom};

use zip::ZipArchive;
use zip::result::ZipError;

use super::crypto::{self, DecryptError, Manifest};
use crate::error::{Error, Result};
use crate::model::Source;
use crate::read::Limits;

/// The text entries a reader needs, already decompressed and decoded, and the archive for
/// reading media later.
pub(super) struct Content<R> {
    pub source: Source,
    /// Name of the content entry as stored (`content.json`, `/content.xml`, `map/content.xml`).
    pub entry: String,
    pub text: ContentText,
    pub comments: Option<String>,
    pub marker_sheet: Option<String>,
    pub warnings: Vec<String>,
    /// `None` for a bare content.json / content.xml.
    pub archive: Option<Archive<R>>,
    /// Whether the content entry was decrypted with a password (so that a parse error means a
    /// wrong password).
    pub decrypted: bool,
}

/// An open archive, to read further entries from.
pub(super) struct Archive<R> {
    zip: ZipArchive<R>,
    entries: Entries,
    archive_len: u64,
    /// The folder holding the content entry (`""` at the root): `xap:` references are relative
    /// to it.
    folder: String,
    /// Encrypted entries, and the password to decrypt them.
    manifest: Manifest,
    password: Option<String>,
}

impl<R: Read + Seek> Archive<R> {
    /// Reads the entries that `xap:` references name (`resources/a.png`), under the limits. A
    /// missing or unreadable one is left out with a warning.
    pub fn read_media<'n>(
        &mut self,
        names: impl IntoIterator<Item = &'n str>,
        limits: &Limits,
        warnings: &mut Vec<String>,
    ) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        for name in names {
            // Entry names are listed without a leading `/`.
            let key = name.strip_prefix('/').unwrap_or(name);
            let path = if self.folder.is_empty() {
                key.to_string()
            } else {
                format!("{}/{key}", self.folder)
            };
            let Some(&i) = self.entries.by_name.get(path.as_str()) else {
                warnings.push(format!("{name} is referenced but not in the archive"));
                continue;
            };
            let read = read_entry(&mut self.zip, i, &path, limits, self.archive_len);
            let read = match read {
                Ok(b) if self.manifest.entries.contains_key(&path) => {
                    decrypt_entry(&self.manifest, &path, self.password.as_deref(), &b)
                }
                other => other,
            };
            match read {
                Ok(bytes) => {
                    out.insert(name.to_string(), bytes);
                }
                Err(e) => warnings.push(format!("{name} was not read: {e}")),
            }
        }
        out
    }
}

const ZIP_MAGIC: &[u8] = b"PK";
const SEVEN_ZIP_MAGIC: &[u8] = b"7z\xBC\xAF\x27\x1C";

pub(super) fn open<R: Read + Seek>(
    mut reader: R,
    limits: &Limits,
    password: Option<&str>,
) -> Result<Content<R>> {
    let mut head = [0u8; 64];
    let n = read_up_to(&mut reader, &mut head)?;
    let head = &head[..n];
    reader.seek(SeekFrom::Start(0))?;
    if !head.starts_with(ZIP_MAGIC) {
        if let Some(source) = bare_content(head) {
            return read_bare(reader, source, limits);
        }
        return Err(Error::NotZip {
            what: describe_non_zip(head),
        });
    }
    let archive_len = check_entry_count(&mut reader, limits)?;
    let mut zip = ZipArchive::new(reader).map_err(zip_error)?;
    let mut warnings = Vec::new();
    let entries = Entries::list(&mut zip, &mut warnings)?;
    let manifest = check_encryption(&mut zip, &entries, limits, archive_len, password)?;

    let (source, index, entry) = entries.content().ok_or_else(|| Error::NoContent {
        entries: entries.summary(),
    })?;
    let mut bytes = read_entry(&mut zip, index, &entry, limits, archive_len)?;
    let decrypted = manifest.entries.contains_key(entry.trim_start_matches('/'));
    if decrypted {
        bytes = decrypt_entry(&manifest, &entry, password, &bytes)?;
    }
    let text = ContentText::decode(bytes);
    let mut content = Content {
        source,
        entry,
        text,
        comments: None,
        marker_sheet: None,
        warnings,
        archive: None,
        decrypted,
    };
    let folder = content
        .entry
        .rsplit_once('/')
        .map_or("", |(f, _)| f)
        .to_string();
    if source == Source::Xml {
        let sibling = |name: &str| {
            if folder.is_empty() {
                name.to_string()
            } else {
                format!("{folder}/{name}")
            }
        };
        for (name, slot) in [
            ("comments.xml", &mut content.comments),
            ("markers/markerSheet.xml", &mut content.marker_sheet),
        ] {
            let name = sibling(name);
            if let Some(&i) = entries.by_name.get(name.as_str()) {
                *slot = Some(read_text(
                    &mut zip,
                    i,
                    &name,
                    limits,
                    archive_len,
                    &mut content.warnings,
                )?);
            }
        }
    }
    content.archive = Some(Archive {
        zip,
        entries,
        archive_len,
        folder,
        manifest,
        password: password.map(str::to_string),
    });
    Ok(content)
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// An unzipped `content.json` or `content.xml` given directly: read it as the map.
fn bare_content(head: &[u8]) -> Option<Source> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let first = head.iter().find(|b| !b.is_ascii_whitespace())?;
    match first {
        b'[' => Some(Source::Json),
        b'<' if !head.starts_with(b"<!DOCTYPE html") && !head.starts_with(b"<html") => {
            Some(Source::Xml)
        }
        _ => None,
    }
}

fn read_bare<R: Read>(reader: R, source: Source, limits: &Limits) -> Result<Content<R>> {
    let entry = match source {
        Source::Xml => "content.xml",
        // `bare_content` gives only the two entries.
        Source::Json | Source::Format(_) => "content.json",
    };
    let mut bytes = Vec::new();
    reader
        .take(limits.max_entry_size.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limits.max_entry_size {
        return Err(size_limit(entry, limits));
    }
    let warnings = Vec::new();
    let text = ContentText::decode(bytes);
    Ok(Content {
        source,
        entry: entry.to_string(),
        text,
        comments: None,
        marker_sheet: None,
        warnings,
        archive: None,
        decrypted: false,
    })
}

fn describe_non_zip(head: &[u8]) -> String {
    if head.is_empty() {
        return "the file is empty".into();
    }
    if head.starts_with(SEVEN_ZIP_MAGIC) {
        return "this is a 7-Zip archive, not a zip; XMind files are zip archives \
                (open it with 7-Zip and convert the map inside)"
            .into();
    }
    if head.starts_with(b"version https://git-lfs.github.com/spec/") {
        return "this is a Git LFS pointer file, not the map itself; \
                fetch the real file with `git lfs pull`"
            .into();
    }
    let known: &[(&[u8], &str)] = &[
        (b"Rar!", "a RAR archive"),
        (b"\x1f\x8b", "a gzip file"),
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (
            b"{",
            "a JSON object (content.json holds an array of sheets)",
        ),
    ];
    for (magic, what) in known {
        if head.starts_with(magic) {
            return format!("this is {what}, not a zip archive");
        }
    }
    let hex: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("not a zip archive (starts with bytes {})", hex.join(" "))
}

/// Reads the entry count from the end-of-central-directory record before the zip library loads
/// the whole directory into memory.
/// Returns the archive's length.
fn check_entry_count<R: Read + Seek>(reader: &mut R, limits: &Limits) -> Result<u64> {
    let len = reader.seek(SeekFrom::End(0))?;
    let tail_len = len.min(22 + 65_535 + 20 + 56);
    reader.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = vec![0u8; tail_len as usize];
    reader.read_exact(&mut tail)?;
    reader.seek(SeekFrom::Start(0))?;
    let Some(eocd) = tail.windows(4).rposition(|w| w == b"PK\x05\x06") else {
        return Ok(len); // let the zip library report what is wrong
    };
    let rec = &tail[eocd..];
    let mut count = rec
        .get(10..12)
        .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]) as u64);
    if count == 0xFFFF {
        // zip64: the real count is in the zip64 end record, located just before the locator.
        if let Some(z) = tail[..eocd].windows(4).rposition(|w| w == b"PK\x06\x06") {
            if let Some(b) = tail.get(z + 32..z + 40) {
                count = u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
            }
        }
    }
    if count > limits.max_entries {
        return Err(Error::Limit {
            entry: "archive".into(),
            what: "number of entries",
            limit: limits.max_entries.to_string(),
            option: "--max-entries",
        });
    }
    Ok(len)
}

fn zip_error(e: ZipError) -> Error {
    match e {
        ZipError::UnsupportedArchive(m) if m.contains("assword") => Error::UnsupportedEncryption {
            entry: "the archive".into(),
            what: "zip encryption (not XMind's)".into(),
        },
        other => Error::BadZip(describe_zip_error(&other.to_string())),
    }
}

/// The zip library's message, worded like ours: lower case, and plain words for the usual
/// damage.
fn describe_zip_error(msg: &str) -> String {
    let msg = msg.strip_prefix("invalid Zip archive: ").unwrap_or(msg);
    if msg.contains("EOCD") || msg.contains("end of central directory") {
        return "the zip directory at the end of the file is missing (truncated download?)".into();
    }
    if msg.contains("larger than its declared") {
        return "the entry holds more than its header declares (a zip bomb?)".into();
    }
    let mut chars = msg.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => "unknown damage".into(),
    }
}

/// The archive's file entries, by name with one leading `/` removed (Baidu Naotu writes
/// `/content.xml`).
struct Entries {
    names: Vec<(String, usize)>,
    by_name: HashMap<String, usize>,
}

impl Entries {
    fn list<R: Read + Seek>(zip: &mut ZipArchive<R>, warnings: &mut Vec<String>) -> Result<Self> {
        if zip.has_duplicate_names() {
            // The zip library keeps one entry per name: the last one in the directory.
            warnings.push(
                "the archive lists an entry name more than once; the last copy was read".into(),
            );
        }
        let mut names = Vec::with_capacity(zip.len());
        let mut by_name = HashMap::with_capacity(zip.len());
        for i in 0..zip.len() {
            let Some(name) = zip.name_for_index(i) else {
                continue;
            };
            let name = name.map_err(zip_error)?;
            if name.ends_with('/') {
                continue; // a directory, even one called content.json/
            }
            let key = name.strip_prefix('/').unwrap_or(&name).to_string();
            if by_name.contains_key(&key) {
                continue; // `content.json` and `/content.json`: the first one counts
            }
            by_name.insert(key.clone(), i);
            names.push((key, i));
        }
        Ok(Entries { names, by_name })
    }

    /// content.json, else content.xml, at the root; else the same one folder down (a re-zipped
    /// folder).
    fn content(&self) -> Option<(Source, usize, String)> {
        for (name, source) in [("content.json", Source::Json), ("content.xml", Source::Xml)] {
            if let Some(&i) = self.by_name.get(name) {
                return Some((source, i, name.to_string()));
            }
        }
        for (file, source) in [("content.json", Source::Json), ("content.xml", Source::Xml)] {
            let nested = self.names.iter().find(|(n, _)| {
                n.rsplit_once('/').is_some_and(|(dir, f)| {
                    f == file && !dir.is_empty() && !dir.contains(['/', '\\']) && dir != ".."
                })
            });
            if let Some((n, i)) = nested {
                return Some((source, *i, n.clone()));
            }
        }
        None
    }

    fn summary(&self) -> String {
        if self.names.is_empty() {
            return "none".into();
        }
        let mut s: Vec<&str> = self.names.iter().take(5).map(|(n, _)| n.as_str()).collect();
        if self.names.len() > 5 {
            s.push("…");
        }
        s.join(", ")
    }
}

/// Password-protected maps list `encryption-data` for their entries in the manifest. Returns
/// the encrypted entries of a JSON-generation map (decrypted later with the password); refuses an
/// XMind 8 map whose `META-INF/manifest.xml` lists encrypted entries.
fn check_encryption<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    entries: &Entries,
    limits: &Limits,
    archive_len: u64,
    password: Option<&str>,
) -> Result<Manifest> {
    let small = Limits {
        max_entry_size: limits.max_entry_size.min(16 << 20),
        ..limits.clone()
    };
    let mut ignored = Vec::new();
    let mut manifest = Manifest::default();
    if let Some(&i) = entries.by_name.get("manifest.json") {
        // A manifest we cannot read is not fatal: the manifest is not needed to read the map.
        if let Ok(text) = read_text(zip, i, "manifest.json", &small, archive_len, &mut ignored) {
            manifest = Manifest::parse(&text);
        }
    }
    if let Some(&i) = entries.by_name.get("META-INF/manifest.xml") {
        if let Ok(text) = read_text(
            zip,
            i,
            "META-INF/manifest.xml",
            &small,
            archive_len,
            &mut ignored,
        ) {
            if let Some(at) = text.find("<encryption-data") {
                let entry = text[..at]
                    .rfind("full-path=\"")
                    .map(|p| {
                        let rest = &text[p + 11..at];
                        rest[..rest.find('"').unwrap_or(rest.len())].to_string()
                    })
                    .unwrap_or_else(|| "content.xml".into());
                if password.is_some() {
                    return Err(Error::UnsupportedEncryption {
                        entry,
                        what: "XMind 8's scheme".into(),
                    });
                }
                let hint = text.find("password-hint=\"").map(|p| {
                    let rest = &text[p + 15..];
                    &rest[..rest.find('"').unwrap_or(0)]
                });
                return Err(encrypted_error(entry, hint));
            }
        }
    }
    Ok(manifest)
}

/// Decrypts an entry the manifest lists as encrypted, or explains why not.
fn decrypt_entry(
    manifest: &Manifest,
    entry: &str,
    password: Option<&str>,
    bytes: &[u8],
) -> Result<Vec<u8>> {
    let key = entry.trim_start_matches('/');
    let Some(data) = manifest.entries.get(key) else {
        return Ok(bytes.to_vec());
    };
    let Some(password) = password else {
        return Err(encrypted_error(key.to_string(), manifest.hint.as_deref()));
    };
    crypto::decrypt(data, password, bytes).map_err(|e| match e {
        DecryptError::WrongPassword => Error::WrongPassword {
            entry: key.to_string(),
        },
        DecryptError::Unsupported(what) => Error::UnsupportedEncryption {
            entry: key.to_string(),
            what,
        },
    })
}

fn encrypted_error(entry: String, hint: Option<&str>) -> Error {
    let hint = match hint {
        Some(h) if !h.is_empty() => format!(", password hint: {h:?}"),
        _ => String::new(),
    };
    Error::Encrypted { entry, hint }
}

fn size_limit(entry: &str, limits: &Limits) -> Error {
    Error::Limit {
        entry: entry.to_string(),
        what: "uncompressed size",
        limit: format_bytes(limits.max_entry_size),
        option: "--max-size",
    }
}

fn ratio_limit(entry: &str, limits: &Limits) -> Error {
    Error::Limit {
        entry: entry.to_string(),
        what: "compression ratio (a zip-bomb guard)",
        limit: format!("{}:1", limits.max_ratio),
        option: "--max-ratio",
    }
}

pub(crate) fn format_bytes(n: u64) -> String {
    if n >= 1 << 30 && n % (1 << 30) == 0 {
        format!("{} GiB", n >> 30)
    } else if n >= 1 << 20 && n % (1 << 20) == 0 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// Below this many bytes out, the ratio is not checked (tiny entries compress very well).
const RATIO_FLOOR: u64 = 1 << 20;

/// Decompresses one entry under the limits and decodes it as UTF-8.
fn read_text<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    index: usize,
    name: &str,
    limits: &Limits,
    archive_len: u64,
    warnings: &mut Vec<String>,
) -> Result<String> {
    let bytes = read_entry(zip, index, name, limits, archive_len)?;
    Ok(decode(bytes, name, warnings))
}

/// Decompresses one entry under the limits.
fn read_entry<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    index: usize,
    name: &str,
    limits: &Limits,
    archive_len: u64,
) -> Result<Vec<u8>> {
    let mut file = match zip.by_index(index) {
        Ok(f) => f,
        Err(ZipError::UnsupportedArchive(m)) if m.contains("assword") => {
            return Err(Error::UnsupportedEncryption {
                entry: name.to_string(),
                what: "zip encryption (not XMind's)".into(),
            });
        }
        Err(e) => return Err(entry_error(name, e)),
    };
    // The declared compressed size cannot exceed the archive; a larger one would loosen the
    // ratio check.
    let compressed = file.compressed_size().min(archive_len).max(1);
    let declared = file.size();
    // An honest header is enough to refuse at once; a lying one is caught while reading.
    if declared > limits.max_entry_size {
        return Err(size_limit(name, limits));
    }
    if declared > RATIO_FLOOR && declared / compressed > limits.max_ratio {
        return Err(ratio_limit(name, limits));
    }
    let max_by_ratio = compressed.saturating_mul(limits.max_ratio).max(RATIO_FLOOR);
    let cap = limits.max_entry_size.min(max_by_ratio);
    // Inflated straight into the buffer (no copy through a chunk), sized by the header plus
    // one byte, so that an honest entry fills it in place and the read that returns 0 (where
    // the checksum is checked) has room. A lying header makes it grow by doubling, never past
    // `cap + 1` bytes: one byte more than allowed is an error below.
    let room = |len: usize| -> usize { (len.max(64 << 10) * 2).min(cap as usize + 1) };
    let mut bytes = vec![0u8; declared.min(cap) as usize + 1];
    let mut filled = 0;
    loop {
        if filled == bytes.len() {
            bytes.resize(room(filled), 0);
        }
        let n = match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(entry_io_error(name, e)),
        };
        filled += n;
        let out = filled as u64;
        if out > limits.max_entry_size {
            return Err(size_limit(name, limits));
        }
        if out > max_by_ratio {
            return Err(ratio_limit(name, limits));
        }
    }
    bytes.truncate(filled);
    Ok(bytes)
}

fn entry_error(name: &str, e: ZipError) -> Error {
    Error::BadZip(format!("{name}: {}", describe_zip_error(&e.to_string())))
}

fn entry_io_error(name: &str, e: io::Error) -> Error {
    let msg = e.to_string();
    if msg.contains("checksum") || msg.contains("CRC") {
        Error::BadZip(format!("{name}: checksum mismatch, the entry is corrupt"))
    } else {
        Error::BadZip(format!("{name}: {}", describe_zip_error(&msg)))
    }
}

/// The content entry's text, kept as the bytes read until it is parsed: checked to be UTF-8
/// once, by simdutf8 (several times faster than `std::str::from_utf8` on text with CJK; this
/// entry is the one large text), where it is used ([`ContentText::text`]), so that a valid entry,
/// the usual case, is checked once and never copied. A byte-order mark is skipped.
pub(super) struct ContentText {
    bytes: Vec<u8>,
    start: usize,
}

impl ContentText {
    fn decode(bytes: Vec<u8>) -> ContentText {
        let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        ContentText { bytes, start }
    }

    /// The text; bytes that are not UTF-8 are replaced as [`decode`] does, with its warning.
    pub(super) fn text(&self, name: &str, warnings: &mut Vec<String>) -> Cow<'_, str> {
        let bytes = self.bytes.get(self.start..).unwrap_or_default();
        match simdutf8::basic::from_utf8(bytes) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => Cow::Owned(decode(bytes.to_vec(), name, warnings)),
        }
    }
}

/// UTF-8 with an optional byte-order mark. Invalid sequences become U+FFFD, with a warning.
fn decode(mut bytes: Vec<u8>, name: &str, warnings: &mut Vec<String>) -> String {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            warnings.push(format!(
                "{name}: invalid UTF-8 at byte {at}; invalid bytes were replaced with U+FFFD"
            ));
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    }
}
