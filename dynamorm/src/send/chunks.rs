//! Sending a batch in chunks: up to [`Db::concurrency`] requests at once,
//! each chunk retried with backoff until nothing is left, an error retrying
//! cannot fix comes back, or the attempts run out.

use std::future::Future;

use futures::stream::{self, StreamExt};

use crate::db::Db;
use crate::error::{Error, ErrorContext, Result};
use crate::item::Item;
use crate::retry::Retry;

/// What one request did: the entries it left unprocessed and what it found
/// (the items of a read).
pub(crate) struct ChunkAnswer<E, T> {
    pub left: Vec<E>,
    pub found: Vec<T>,
}

/// What a whole batch did: everything found, every entry left (in chunk
/// order) and the first error a chunk that left entries gave up with.
pub(crate) struct Outcome<E, T> {
    found: Vec<T>,
    left: Vec<E>,
    error: Option<Error>,
}

impl<E, T> Outcome<E, T> {
    /// The entries left unwritten or unread, in chunk order.
    pub(crate) fn left(&self) -> &[E] {
        &self.left
    }

    /// `Ok` with everything found when no entry is left. Otherwise
    /// [`Error::Unprocessed`] listing each left entry (as `report` renders
    /// it), with the error that stopped its chunk as the source, if any; but
    /// when no entry at all was processed because of an error retrying
    /// cannot fix (a missing table, a refused request), that error as it is.
    pub(crate) fn into_result(
        self,
        at: ErrorContext<'_>,
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
pub(crate) async fn run_chunks<E, T, F, Fut>(
    db: &Db,
    entries: Vec<E>,
    size: usize,
    send: F,
) -> Outcome<E, T>
where
    E: Clone,
    F: Fn(Vec<E>) -> Fut,
    Fut: Future<Output = Result<ChunkAnswer<E, T>>>,
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
    Fut: Future<Output = Result<ChunkAnswer<E, T>>>,
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
