//! Cursor keys: the secrets a [`Db`](crate::Db) signs page cursors with, and
//! the signed cursor's form — a version byte, the position and an
//! HMAC-SHA256 tag over the version, the query the cursor belongs to and
//! the position, in URL-safe base64 without padding.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The shortest key accepted.
pub(crate) const MIN_KEY_LEN: usize = 16;
/// The signed form's version: the first byte of every signed cursor.
const VERSION: u8 = 1;
/// HMAC-SHA256's tag length.
const TAG_LEN: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// The keys a `Db` signs cursors with: the first signs, every one verifies
/// (so a key can be rotated out). None: cursors are not signed.
#[derive(Clone, Default)]
pub(crate) struct CursorKeys {
    keys: Arc<[Box<[u8]>]>,
    /// Why the keys given cannot be used; every use of a cursor says so.
    refused: Option<Arc<str>>,
}

impl std::fmt::Debug for CursorKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key bytes.
        f.debug_struct("CursorKeys")
            .field("keys", &self.keys.len())
            .field("refused", &self.refused)
            .finish()
    }
}

impl CursorKeys {
    /// The keys, first one signing; an empty list or a key shorter than
    /// [`MIN_KEY_LEN`] bytes is kept as a refusal, reported by every use.
    pub(crate) fn new<K: AsRef<[u8]>>(keys: impl IntoIterator<Item = K>) -> Self {
        let keys: Vec<Box<[u8]>> = keys.into_iter().map(|k| Box::from(k.as_ref())).collect();
        let refused = if keys.is_empty() {
            Some("no cursor key was given".to_owned())
        } else {
            keys.iter().position(|k| k.len() < MIN_KEY_LEN).map(|i| {
                format!(
                    "cursor key {} is {} bytes long; a cursor key needs at least {MIN_KEY_LEN} \
                     random bytes",
                    i + 1,
                    keys[i].len()
                )
            })
        };
        CursorKeys {
            keys: keys.into(),
            refused: refused.map(Arc::from),
        }
    }

    /// True when cursors are signed (or keys were given but refused).
    pub(crate) fn signs(&self) -> bool {
        !self.keys.is_empty() || self.refused.is_some()
    }

    /// `Err` with the reason when the keys given cannot be used.
    pub(crate) fn usable(&self) -> Result<(), String> {
        match &self.refused {
            Some(why) => Err(why.to_string()),
            None => Ok(()),
        }
    }

    /// The signed cursor for `position` within the query `binding`.
    pub(crate) fn seal(&self, binding: &[u8], position: &[u8]) -> Result<String, String> {
        self.usable()?;
        let key = self.keys.first().ok_or("no cursor key was given")?;
        let mut token = Vec::with_capacity(1 + position.len() + TAG_LEN);
        token.push(VERSION);
        token.extend_from_slice(position);
        token.extend_from_slice(&tag(key, binding, position)?);
        Ok(URL_SAFE_NO_PAD.encode(token))
    }

    /// The position a signed cursor holds, when one of the keys signed it
    /// for the query `binding`; else why not. Tags are compared in
    /// constant time.
    pub(crate) fn open(&self, binding: &[u8], cursor: &str) -> Result<Vec<u8>, String> {
        self.usable()?;
        let mut bytes = decode(cursor)?;
        let tag_given = bytes.split_off(bytes.len() - TAG_LEN);
        let position = &bytes[1..];
        for key in self.keys.iter() {
            if mac(key, binding, position)?
                .verify_slice(&tag_given)
                .is_ok()
            {
                return Ok(position.to_vec());
            }
        }
        Err(
            "it was not issued for this query (another query, table, index or \
             direction), or it was altered"
                .to_owned(),
        )
    }
}

/// Whether `text` has the signed form (without checking its tag).
pub(crate) fn looks_signed(text: &str) -> bool {
    decode(text).is_ok()
}

/// A signed cursor's bytes: the version, the position (at least one byte)
/// and the tag.
fn decode(text: &str) -> Result<Vec<u8>, String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| "not a cursor dynamorm signed".to_owned())?;
    match bytes.first() {
        Some(&VERSION) if bytes.len() > 1 + TAG_LEN => Ok(bytes),
        Some(&VERSION) => Err("the signed cursor is cut short".to_owned()),
        Some(version) => Err(format!("unknown cursor version {version}")),
        None => Err("the cursor is empty".to_owned()),
    }
}

fn mac(key: &[u8], binding: &[u8], position: &[u8]) -> Result<HmacSha256, String> {
    let mut mac = HmacSha256::new_from_slice(key).map_err(|e| e.to_string())?;
    mac.update(&[VERSION]);
    mac.update(
        &u64::try_from(binding.len())
            .unwrap_or(u64::MAX)
            .to_be_bytes(),
    );
    mac.update(binding);
    mac.update(position);
    Ok(mac)
}

fn tag(key: &[u8], binding: &[u8], position: &[u8]) -> Result<Vec<u8>, String> {
    Ok(mac(key, binding, position)?
        .finalize()
        .into_bytes()
        .to_vec())
}
