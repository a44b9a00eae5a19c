//! What every batch shares: telling keys apart (duplicates), and running
//! chunks concurrently, each retried with backoff until done or out of
//! attempts.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::future::Future;

use aws_sdk_dynamodb::types::AttributeValue;
use futures::stream::{self, StreamExt};

use crate::db::Db;
use crate::error::{Error, Result, Scope};
use crate::item::Item;
use crate::number::Number;
use crate::retry::Retry;
use crate::schema::TableDef;

/// A primary key's identity: its hash and (if any) range attribute, as
/// DynamoDB compares keys (numbers by value), in one buffer: per attribute a
/// type tag, the length and the bytes (a number in canonical form).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct KeyId(Vec<u8>);

/// The identity of the key of `item` (a whole item or a key map) of `def`'s table.
pub(super) fn key_id(def: &TableDef, item: &Item) -> KeyId {
    let mut id = Vec::with_capacity(40);
    let mut push = |tag: u8, bytes: &[u8]| {
        id.push(tag);
        id.extend_from_slice(&bytes.len().to_le_bytes());
        id.extend_from_slice(bytes);
    };
    for name in def.key_names() {
        match item.get(name) {
            None => push(0, &[]),
            Some(AttributeValue::S(s)) => push(1, s.as_bytes()),
            Some(AttributeValue::N(n)) if is_plain_integer(n) => {
                push(2, integer_canonical(n).as_bytes())
            }
            Some(AttributeValue::N(n)) => match Number::parse(n) {
                Ok(number) => push(2, number.canonical().as_bytes()),
                Err(_) => push(3, n.as_bytes()),
            },
            Some(AttributeValue::B(b)) => push(4, b.as_ref()),
            Some(other) => push(5, format!("{other:?}").as_bytes()),
        }
    }
    KeyId(id)
}

/// True for an integer written plainly (`0`, `42`, `-7`: no `+`, no
/// leading zeros, not `-0`), as keys usually are.
fn is_plain_integer(n: &str) -> bool {
    let digits = n.strip_prefix('-').unwrap_or(n);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && if digits == "0" {
            digits.len() == n.len()
        } else {
            !digits.starts_with('0')
        }
}

/// [`Number::canonical`] of a plain integer, without parsing it: the sign,
/// the digits without trailing zeros, `e` and the digit count.
fn integer_canonical(n: &str) -> String {
    use std::fmt::Write;
    let (sign, digits) = match n.strip_prefix('-') {
        Some(digits) => ("-", digits),
        None => ("", n),
    };
    let significant = digits.trim_end_matches('0');
    if significant.is_empty() {
        return "0".to_owned();
    }
    let mut text = String::with_capacity(n.len() + 6);
    text.push_str(sign);
    text.push_str(significant);
    // Writing to a String cannot fail.
    let _ = write!(text, "e{}", digits.len());
    text
}

/// Entries with distinct keys, in the order their keys were first given.
pub(super) struct Dedup<E> {
    def: &'static TableDef,
    positions: HashMap<KeyId, usize>,
    entries: Vec<E>,
}

impl<E> Dedup<E> {
    pub(super) fn new(def: &'static TableDef) -> Self {
        Self::with_capacity(def, 0)
    }

    /// [`new`](Self::new), with room for `n` entries.
    pub(super) fn with_capacity(def: &'static TableDef, n: usize) -> Self {
        Dedup {
            def,
            positions: HashMap::with_capacity(n),
            entries: Vec::with_capacity(n),
        }
    }

    /// The identity of the key of `item`.
    pub(super) fn key_of(&self, item: &Item) -> KeyId {
        key_id(self.def, item)
    }

    /// Adds `entry`, replacing an earlier one with the same key.
    pub(super) fn insert_last_wins(&mut self, key: KeyId, entry: E) {
        match self.positions.entry(key) {
            Entry::Occupied(at) => self.entries[*at.get()] = entry,
            Entry::Vacant(at) => {
                at.insert(self.entries.len());
                self.entries.push(entry);
            }
        }
    }

    /// Adds `entry` unless one with the same key is there already.
    pub(super) fn insert_first_wins(&mut self, key: KeyId, entry: E) {
        if let Entry::Vacant(at) = self.positions.entry(key) {
            at.insert(self.entries.len());
            self.entries.push(entry);
        }
    }

    /// The entries, and where each key's entry is.
    pub(super) fn into_parts(self) -> (Vec<E>, HashMap<KeyId, usize>) {
        (self.entries, self.positions)
    }
}

/// What one request did: the entries it left unprocessed and what it found
/// (the items of a read).
pub(super) struct Sent<E, T> {
    pub left: Vec<E>,
    pub found: Vec<T>,
}

/// What a whole batch did: everything found, every entry left (in chunk
/// order) and the first error a chunk that left entries gave up with.
pub(super) struct Outcome<E, T> {
    found: Vec<T>,
    left: Vec<E>,
    error: Option<Error>,
}

impl<E, T> Outcome<E, T> {
    /// `Ok` with everything found when no entry is left. Otherwise
    /// [`Error::Unprocessed`] listing each left entry (as `report` renders
    /// it), with the error that stopped its chunk as the source, if any; but
    /// when no entry at all was processed because of an error retrying
    /// cannot fix (a missing table, a refused request), that error as it is.
    pub(super) fn into_result(
        self,
        at: Scope<'_>,
        total: usize,
        report: impl Fn(E) -> Item,
    ) -> Result<Vec<T>> {
        if self.left.is_empty() {
            return Ok(self.found);
        }
        match self.error {
            Some(error) if self.left.len() == total && !error.is_retryable() => Err(error),
            source => Err(Error::Unprocessed {
                model: at.model,
                table: at.table.to_owned(),
                unprocessed: self.left.into_iter().map(report).collect(),
                source: source.map(Box::new),
            }),
        }
    }
}

/// Sends `entries` in chunks of `size`, up to [`Db::concurrency`] chunks at
/// once; each chunk is retried as [`Db::retry`] says. Every chunk runs to
/// completion whatever the others do.
pub(super) async fn run_chunks<E, T, F, Fut>(
    db: &Db,
    entries: Vec<E>,
    size: usize,
    send: F,
) -> Outcome<E, T>
where
    E: Clone,
    F: Fn(Vec<E>) -> Fut,
    Fut: Future<Output = Result<Sent<E, T>>>,
{
    let retry = db.retry();
    let mut chunks = Vec::with_capacity(entries.len().div_ceil(size.max(1)));
    let mut rest = entries.into_iter();
    loop {
        let chunk: Vec<E> = rest.by_ref().take(size.max(1)).collect();
        if chunk.is_empty() {
            break;
        }
        chunks.push(chunk);
    }
    let send = &send;
    let outcomes: Vec<Outcome<E, T>> = stream::iter(chunks)
        .map(|chunk| run_chunk(retry, chunk, send))
        .buffered(db.concurrency())
        .collect()
        .await;
    let mut all = Outcome {
        found: Vec::new(),
        left: Vec::new(),
        error: None,
    };
    for outcome in outcomes {
        all.found.extend(outcome.found);
        if !outcome.left.is_empty() {
            all.left.extend(outcome.left);
            if all.error.is_none() {
                all.error = outcome.error;
            }
        }
    }
    all
}

/// Sends one chunk until nothing is left, an error retrying cannot fix
/// comes back, or the attempts run out; sleeps with backoff between tries.
async fn run_chunk<E, T, F, Fut>(retry: Retry, mut pending: Vec<E>, send: &F) -> Outcome<E, T>
where
    E: Clone,
    F: Fn(Vec<E>) -> Fut,
    Fut: Future<Output = Result<Sent<E, T>>>,
{
    let mut found = Vec::new();
    let mut attempts = 0;
    let error = loop {
        attempts += 1;
        let error = match send(pending.clone()).await {
            Ok(sent) => {
                found.extend(sent.found);
                pending = sent.left;
                None
            }
            Err(e) if !e.is_retryable() => break Some(e),
            Err(e) => Some(e),
        };
        if pending.is_empty() || !retry.allows_another(attempts) {
            break error;
        }
        tracing::debug!(
            left = pending.len(),
            attempt = attempts,
            error = error.as_ref().map(tracing::field::display),
            "batch chunk incomplete, backing off"
        );
        retry.pause(attempts).await;
    };
    Outcome {
        found,
        left: pending,
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_integers_have_the_numbers_canonical_text() {
        for n in ["0", "7", "-7", "42", "100", "-1200", "9223372036854775807"] {
            assert!(is_plain_integer(n), "{n}");
            let parsed = Number::parse(n).map(|n| n.canonical());
            assert_eq!(Ok(integer_canonical(n)), parsed, "{n}");
        }
        for n in ["-0", "007", "+1", "1.0", "1e3", "", "-"] {
            assert!(!is_plain_integer(n), "{n}");
        }
    }
}
