//! Password-protected maps of the JSON generation: `manifest.json` gives, per encrypted entry,
//! `encryption-data` with a PBKDF2-HMAC-SHA512 salt and iteration count and an AES-CBC IV. The
//! key is PBKDF2(password, salt, iterations, size/8 bytes); the entry is AES-CBC ciphertext with
//! PKCS#7 padding. No checksum is stored, so a wrong password shows as bad padding or as a
//! decrypted entry that is not JSON.

use std::collections::HashMap;

use aes::{Aes128, Aes192, Aes256};
use cbc::Decryptor;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, KeyIvInit};

/// How one entry is encrypted.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct EncryptionData {
    salt: Vec<u8>,
    iv: Vec<u8>,
    iterations: u32,
    key_bits: usize,
    key_derivation: String,
    algorithm: String,
}

/// The encrypted entries listed in a `manifest.json`, and its password hint.
#[derive(Debug, Default)]
pub(super) struct Manifest {
    pub entries: HashMap<String, EncryptionData>,
    pub hint: Option<String>,
}

impl Manifest {
    /// Reads `{"file-entries": {NAME: {"encryption-data": {…}}}, "password-hint": "…"}`.
    /// Anything unreadable counts as not encrypted: the manifest is not needed to read a map.
    pub fn parse(text: &str) -> Manifest {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
            return Manifest::default();
        };
        let mut entries = HashMap::new();
        if let Some(files) = v.get("file-entries").and_then(|e| e.as_object()) {
            for (name, entry) in files {
                let Some(e) = entry.get("encryption-data") else {
                    continue;
                };
                let text = |k: &str| e.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                let number = |k: &str| {
                    e.get(k).and_then(|v| {
                        v.as_u64()
                            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                    })
                };
                let data = EncryptionData {
                    salt: crate::base64::decode(&text("salt")).unwrap_or_default(),
                    iv: crate::base64::decode(&text("iv")).unwrap_or_default(),
                    iterations: number("iteration-count").unwrap_or(1024).min(10_000_000) as u32,
                    key_bits: number("size").unwrap_or(128) as usize,
                    key_derivation: text("key-derivation-name"),
                    algorithm: text("algorithm-name"),
                };
                entries.insert(name.trim_start_matches('/').to_string(), data);
            }
        }
        let hint = v
            .get("password-hint")
            .and_then(|h| h.as_str())
            .filter(|h| !h.is_empty())
            .map(str::to_string);
        Manifest { entries, hint }
    }
}

/// Why an entry could not be decrypted.
#[derive(Debug, PartialEq)]
pub(super) enum DecryptError {
    /// The scheme is not the one XMind uses (named).
    Unsupported(String),
    /// The padding did not check out: almost surely a wrong password.
    WrongPassword,
}

/// Decrypts one entry.
pub(super) fn decrypt(
    data: &EncryptionData,
    password: &str,
    ciphertext: &[u8],
) -> Result<Vec<u8>, DecryptError> {
    if !data
        .key_derivation
        .eq_ignore_ascii_case("PBKDF2WithHmacSHA512")
    {
        return Err(DecryptError::Unsupported(format!(
            "key derivation {:?}",
            data.key_derivation
        )));
    }
    let algorithm = data.algorithm.to_ascii_uppercase();
    if !(algorithm.starts_with("AES/CBC/") && algorithm.contains("PADDING")) {
        return Err(DecryptError::Unsupported(format!(
            "cipher {:?}",
            data.algorithm
        )));
    }
    if data.iv.len() != 16 {
        return Err(DecryptError::Unsupported(
            "an IV that is not 16 bytes".into(),
        ));
    }
    let mut key = vec![0u8; data.key_bits / 8];
    pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password.as_bytes(), &data.salt, data.iterations, &mut key);
    let mut buf = ciphertext.to_vec();
    let plain_len = match key.len() {
        16 => unpad::<Aes128>(&key, &data.iv, &mut buf),
        24 => unpad::<Aes192>(&key, &data.iv, &mut buf),
        32 => unpad::<Aes256>(&key, &data.iv, &mut buf),
        _ => {
            return Err(DecryptError::Unsupported(format!(
                "a {}-bit key",
                data.key_bits
            )));
        }
    }?;
    buf.truncate(plain_len);
    Ok(buf)
}

fn unpad<C>(key: &[u8], iv: &[u8], buf: &mut [u8]) -> Result<usize, DecryptError>
where
    C: cbc::cipher::BlockCipherDecrypt + cbc::cipher::KeyInit,
    Decryptor<C>: KeyIvInit + BlockModeDecrypt,
{
    let dec = Decryptor::<C>::new_from_slices(key, iv)
        .map_err(|_| DecryptError::Unsupported("a key or IV of the wrong length".into()))?;
    dec.decrypt_padded::<Pkcs7>(buf)
        .map(<[u8]>::len)
        .map_err(|_| DecryptError::WrongPassword)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_schemes_are_named() {
        let data = EncryptionData {
            salt: vec![1; 8],
            iv: vec![0; 16],
            iterations: 1,
            key_bits: 128,
            key_derivation: "PKCS12".into(),
            algorithm: "AES/CBC/PKCS5Padding".into(),
        };
        assert_eq!(
            decrypt(&data, "x", &[0; 16]),
            Err(DecryptError::Unsupported(
                "key derivation \"PKCS12\"".into()
            ))
        );
    }
}
