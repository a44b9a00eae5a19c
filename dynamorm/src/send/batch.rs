//! A batch sent: BatchWriteItem in chunks of 25 with every entry's
//! lifecycle (its `before_*` hook once, its signals, the `after_*` hook of
//! exactly the entries written), and BatchGetItem in chunks of 100. What
//! DynamoDB leaves unprocessed is retried by [`chunks`](super::chunks).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemInput;
use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemInput;
use aws_sdk_dynamodb::types::builders::KeysAndAttributesBuilder;
use aws_sdk_dynamodb::types::WriteRequest;
use tracing::Instrument;

use crate::db::Db;
use crate::error::{Error, ErrorContext, Result};
use crate::item::Item;
use crate::key_id::{key_id, KeyId};
use crate::model::DynaModel;
use crate::rate_limit::{self, RateLimit};
use crate::schema::TableDef;
use crate::send::chunks::{run_chunks, ChunkAnswer, Outcome};
use crate::send::lifecycle::{self, Lifecycle};
use crate::send::{signal, trace};
use crate::wire::operations::FoundItem;

/// Writes per BatchWriteItem request (DynamoDB's limit).
pub(crate) const WRITES_PER_REQUEST: usize = 25;

/// Keys per BatchGetItem request (DynamoDB's limit).
pub(crate) const KEYS_PER_REQUEST: usize = 100;

/// How each entry of a batch write renders: the same entry every time it
/// is asked (a write whose request failed is rendered again as it was sent).
pub(crate) type Render<'r, W> = &'r (dyn Fn(&W) -> Result<WriteRequest> + Send + Sync);

/// Sends `writes` (puts or deletes of `M`, one per key; `positions` says
/// where each key's write is) to `table`: every entry's `before` hook, then
/// every entry rendered, before any request; then the `Pre*` signal of each
/// entry, the chunks, the after-hook of each entry written and the `Post*`
/// signal of each with its outcome. Which entries were written is known by
/// position, so the cost stays linear in the entries.
pub(crate) async fn write_all<M, W>(
    db: &Db,
    table: &str,
    writes: &[W],
    positions: HashMap<KeyId, usize>,
    render: Render<'_, W>,
    budget: Option<&RateLimit>,
) -> Result<()>
where
    M: DynaModel,
    W: Lifecycle<M> + Sync,
{
    let def = M::table_def();
    let at = ErrorContext::new(def, table);
    let mut first = Vec::with_capacity(writes.len());
    for write in writes {
        write.before(at)?;
        first.push(render(write)?);
    }
    let slots = Slots {
        def,
        slots: Mutex::new(first.into_iter().map(Some).collect()),
        positions,
        render: &|i| match writes.get(i) {
            Some(write) => render(write),
            None => Err(lost_entry(at)),
        },
    };
    let observed = db.observed();
    let hooked = lifecycle::hooked::<M>();
    let total = writes.len();
    // Each entry's key, rendered once for the signals before and after.
    let shown: Vec<String> = if observed {
        writes.iter().map(|w| format!("{:?}", w.key())).collect()
    } else {
        Vec::new()
    };
    for key in &shown {
        signal::emit::<M>(db, W::PRE, table, &RenderedKey(key), None);
    }
    let slots = &slots;
    let send = |positions: Vec<usize>| async move {
        let writes = positions
            .iter()
            .map(|&i| slots.take(i))
            .collect::<Result<Vec<_>>>()?;
        let answer = send_writes(db, at, writes, budget).await?;
        let left = answer
            .left
            .into_iter()
            .map(|write| slots.keep(write).ok_or_else(|| lost_entry(at)))
            .collect::<Result<Vec<_>>>()?;
        Ok(ChunkAnswer::<usize, ()> {
            left,
            found: Vec::new(),
        })
    };
    let outcome: Outcome<usize, ()> =
        run_chunks(db, (0..total).collect(), WRITES_PER_REQUEST, send).await;
    let mut written = vec![true; if observed || hooked { total } else { 0 }];
    for &i in outcome.left() {
        if let Some(entry) = written.get_mut(i) {
            *entry = false;
        }
    }
    let report = |i: usize| slots.take(i).map(written_item).unwrap_or_default();
    let result = outcome.into_result(at, total, report).map(drop);
    if hooked {
        for (write, _) in writes.iter().zip(&written).filter(|(_, written)| **written) {
            write.after(None);
        }
    }
    if observed {
        let failure = result.as_ref().err().map(ToString::to_string);
        for (key, written) in shown.iter().zip(&written) {
            let outcome = match (&failure, written) {
                (Some(failure), false) => Err(failure.clone()),
                _ => Ok(()),
            };
            signal::emit::<M>(db, W::POST, table, &RenderedKey(key), Some(outcome));
        }
    }
    result
}

/// The writes of a batch, by position. Each goes out the first time as it
/// is (moved into the request, not copied); one DynamoDB leaves unprocessed
/// comes back from the response into its slot; one whose request failed is
/// rendered again (`render`, which gives the write as it was sent) for the
/// next attempt or the report.
struct Slots<'s> {
    def: &'static TableDef,
    slots: Mutex<Vec<Option<WriteRequest>>>,
    positions: HashMap<KeyId, usize>,
    render: &'s (dyn Fn(usize) -> Result<WriteRequest> + Send + Sync),
}

impl Slots<'_> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Option<WriteRequest>>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The write at `i`, to send or report: as stored, or rendered again.
    fn take(&self, i: usize) -> Result<WriteRequest> {
        let stored = self.lock().get_mut(i).and_then(Option::take);
        match stored {
            Some(write) => Ok(write),
            None => (self.render)(i),
        }
    }

    /// Keeps a write DynamoDB left unprocessed in its slot; its position.
    fn keep(&self, write: WriteRequest) -> Option<usize> {
        let key = match (&write.put_request, &write.delete_request) {
            (Some(put), _) => key_id(self.def, &put.item),
            (None, Some(delete)) => key_id(self.def, &delete.key),
            (None, None) => return None,
        };
        let i = *self.positions.get(&key)?;
        *self.lock().get_mut(i)? = Some(write);
        Some(i)
    }
}

/// A batch entry that cannot be found again: the engine returned an
/// unprocessed write the batch did not send (or a position past the end).
fn lost_entry(at: ErrorContext<'_>) -> Error {
    Error::invalid_query(
        at,
        "a batch write lost track of an entry: the engine returned an unprocessed write the batch did not send",
    )
}

/// A key already rendered, shown as is in a signal.
struct RenderedKey<'k>(&'k str);

impl fmt::Debug for RenderedKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// One BatchWriteItem, within `budget` when there is one: returns the
/// writes DynamoDB left unprocessed.
async fn send_writes(
    db: &Db,
    at: ErrorContext<'_>,
    entries: Vec<WriteRequest>,
    budget: Option<&RateLimit>,
) -> Result<ChunkAnswer<WriteRequest, Item>> {
    let span = trace::span("BatchWriteItem", at.table, at.model);
    // What the entries cost, counted only when a budget draws on it.
    let sent_units = budget.map(|_| entry_write_units(&entries));
    let reserved = match budget {
        Some(budget) => budget.acquire(sent_units).await,
        None => 0.0,
    };
    let request = BatchWriteItemInput::builder()
        .request_items(at.table, entries)
        .set_return_consumed_capacity(trace::capacity_wanted_by(budget.is_some(), &span));
    let output = db
        .send(request)
        .instrument(span.clone())
        .await
        .map_err(|e| unanswered(budget, reserved, Error::sdk(at, "BatchWriteItem", e)))?;
    trace::record(&span, output.consumed_capacity());
    let left = output
        .unprocessed_items
        .and_then(|mut tables| tables.remove(at.table))
        .unwrap_or_default();
    if let (Some(budget), Some(sent_units)) = (budget, sent_units) {
        let units = rate_limit::reported(output.consumed_capacity.iter().flatten())
            .unwrap_or_else(|| sent_units - entry_write_units(&left));
        budget.spend(reserved, units);
        if !left.is_empty() {
            budget.throttled();
        }
    }
    Ok(ChunkAnswer {
        left,
        found: Vec::new(),
    })
}

/// The write units DynamoDB bills for `entries`: each put's item in 1 KB
/// blocks, a delete as one unit (the size of the item it deletes is not known).
fn entry_write_units(entries: &[WriteRequest]) -> f64 {
    entries
        .iter()
        .map(|entry| match &entry.put_request {
            Some(put) => rate_limit::write_units([&put.item]),
            None => 1.0,
        })
        .sum()
}

/// `error` of a request that set `reserved` units of `budget` aside: they
/// are given back, and the rate halved when the error is throttling.
fn unanswered(budget: Option<&RateLimit>, reserved: f64, error: Error) -> Error {
    if let Some(budget) = budget {
        budget.release(reserved);
        if error.is_throttling() {
            budget.throttled();
        }
    }
    error
}

/// What an unprocessed write reports: the whole item of a put, the key of a delete.
fn written_item(write: WriteRequest) -> Item {
    match (write.put_request, write.delete_request) {
        (Some(put), _) => put.item,
        (None, Some(delete)) => delete.key,
        (None, None) => Item::new(),
    }
}

/// Reads the items with the key maps `keys` from `at.table` in chunks of
/// 100 (each request shaped by `template`: consistency, projection),
/// resolving to every item found, in no particular order: as its text when
/// `as_text` and the transport keeps it (and no budget needs the parsed
/// items to count what they cost), else parsed.
pub(crate) async fn get_all(
    db: &Db,
    at: ErrorContext<'_>,
    template: KeysAndAttributesBuilder,
    keys: Vec<Item>,
    budget: Option<&RateLimit>,
    as_text: bool,
) -> Result<Vec<FoundItem>> {
    let total = keys.len();
    let consistent = template.get_consistent_read().unwrap_or(false);
    let as_text = as_text && budget.is_none();
    let send = |entries: Vec<Item>| {
        send_gets(
            db,
            at,
            template.clone(),
            entries,
            budget,
            consistent,
            as_text,
        )
    };
    let outcome = run_chunks(db, keys, KEYS_PER_REQUEST, send).await;
    outcome.into_result(at, total, |key| key)
}

/// One BatchGetItem, within `budget` when there is one: the items found
/// (as text when `as_text`) and the keys DynamoDB left unprocessed.
async fn send_gets(
    db: &Db,
    at: ErrorContext<'_>,
    template: KeysAndAttributesBuilder,
    keys: Vec<Item>,
    budget: Option<&RateLimit>,
    consistent: bool,
    as_text: bool,
) -> Result<ChunkAnswer<Item, FoundItem>> {
    let span = trace::span("BatchGetItem", at.table, at.model);
    let request = template
        .set_keys(Some(keys))
        .build()
        .map_err(|e| Error::invalid_query(at, format!("cannot build KeysAndAttributes: {e}")))?;
    let reserved = match budget {
        Some(budget) => budget.acquire(None).await,
        None => 0.0,
    };
    let request = BatchGetItemInput::builder()
        .request_items(at.table, request)
        .set_return_consumed_capacity(trace::capacity_wanted_by(budget.is_some(), &span));
    let mut output = db
        .send_keeping_text(request, as_text)
        .instrument(span.clone())
        .await
        .map_err(|e| unanswered(budget, reserved, Error::sdk(at, "BatchGetItem", e)))?;
    trace::record(&span, output.consumed_capacity.iter().flatten());
    let found = output.found.remove(at.table).unwrap_or_default();
    let left = output
        .unprocessed_keys
        .and_then(|mut tables| tables.remove(at.table))
        .map(|keys| keys.keys)
        .unwrap_or_default();
    if let Some(budget) = budget {
        let units = rate_limit::reported(output.consumed_capacity.iter().flatten())
            .unwrap_or_else(|| rate_limit::batch_read_units(found.parsed(), consistent));
        budget.spend(reserved, units);
        if !left.is_empty() {
            budget.throttled();
        }
    }
    Ok(ChunkAnswer {
        left,
        found: found.into_found(),
    })
}
