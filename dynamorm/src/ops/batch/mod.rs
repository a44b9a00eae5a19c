//! Batches: [`PutBatch`] (`Thing::put_batch`), [`GetBatch`]
//! (`Thing::get_batch`) and [`DeleteBatch`] (`Thing::delete_batch`).
//!
//! Each takes any number of items or keys, removes duplicate keys, checks
//! every entry when awaited before the first request (a put runs every item
//! through the one write pipeline, as [`PutRequest::to_write_request`](crate::PutRequest::to_write_request)
//! does: validation, its `before_save` hook once, encoding), and sends them
//! in chunks (25 writes per BatchWriteItem, 100 keys per BatchGetItem), up to
//! [`Db::concurrency`](crate::Db::concurrency) requests at once. What DynamoDB leaves unprocessed,
//! and requests that fail with throttling or a transient error, are retried
//! with exponential backoff and full jitter as [`Db::retry`](crate::Db::retry) says. If entries
//! are still left when the attempts run out, the batch fails with
//! [`Error::Unprocessed`](crate::Error::Unprocessed) listing exactly those entries, across all chunks
//! (the other chunks still run to completion); a chunk whose last request
//! failed with an error counts every entry it still had, and the error is the
//! `source`. When no entry at all was processed because of an error retrying
//! cannot fix (a missing table, a request DynamoDB refuses), that error is
//! returned as it is. (After a timeout or a lost connection the engine may
//! have executed a request whose entries are reported; sending them again is
//! safe, since batch writes are unconditional.)

mod get;
mod write;

pub use get::GetBatch;
pub use write::{DeleteBatch, PutBatch};

use std::collections::HashMap;

use crate::error::{ErrorContext, Result};
use crate::key_id::KeyId;
use crate::model::DynaModel;
use crate::rate_limit::RateLimit;
use crate::send::batch::{KEYS_PER_REQUEST, WRITES_PER_REQUEST};

/// The budget of `per_second` units a batch of `M` on `table` asked for
/// with `what` (`max_read_units` ...); when it cannot be one, `entries`
/// becomes the [`Error::InvalidQuery`](crate::Error::InvalidQuery) saying why, reported when the batch
/// is awaited, before any request.
fn budget<M: DynaModel, T>(
    per_second: f64,
    what: &str,
    table: &str,
    entries: &mut Result<T>,
) -> Option<RateLimit> {
    match RateLimit::new(per_second, what) {
        Ok(limit) => Some(limit),
        Err(why) => {
            *entries = Err(crate::Error::invalid_query(
                ErrorContext::new(M::table_def(), table),
                why,
            ));
            None
        }
    }
}

/// Writes per BatchWriteItem request (DynamoDB's limit).
///
/// ```
/// assert_eq!(dynamorm::ops::batch::MAX_WRITES_PER_REQUEST, 25);
/// ```
pub const MAX_WRITES_PER_REQUEST: usize = WRITES_PER_REQUEST;

/// Keys per BatchGetItem request (DynamoDB's limit).
///
/// ```
/// assert_eq!(dynamorm::ops::batch::MAX_KEYS_PER_REQUEST, 100);
/// ```
pub const MAX_KEYS_PER_REQUEST: usize = KEYS_PER_REQUEST;

/// Entries with distinct keys, and where each key's entry is.
type Keyed<E> = (Vec<E>, HashMap<KeyId, usize>);
