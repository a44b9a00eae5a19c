//! Reading a table's stream: the requests (DescribeTable for the stream,
//! DescribeStream for its shards, GetShardIterator and GetRecords per
//! shard), each in a tracing span and retried by the [`Db`]'s policy, and
//! the state that turns them into one ordered stream of changes.

use std::collections::VecDeque;
use std::future::Future;
use std::marker::PhantomData;
use std::time::Instant;

use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use aws_sdk_dynamodbstreams::Client as StreamsClient;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use tracing::Instrument;

use super::shards::{Described, ShardStart, Shards, StreamStart};
use super::wire;
use crate::db::Db;
use crate::error::{Direction, Error, ErrorContext, Result};
use crate::retry::{sleep, Retry};
use crate::schema::StreamView;
use crate::send::trace;
use crate::stream::record::Record;
use crate::stream::view::view_for;
use crate::stream::{Change, ChangeSource};

/// What a change stream was asked for.
#[derive(Debug, Clone)]
pub(super) struct Options {
    pub start: StreamStart,
    pub until_now: bool,
    pub skip_unknown: bool,
}

/// Who the requests are about, for spans and errors.
#[derive(Debug, Clone)]
struct Target {
    model: &'static str,
    table: String,
}

impl Target {
    fn at(&self) -> ErrorContext<'_> {
        ErrorContext {
            model: self.model,
            table: &self.table,
        }
    }
}

/// One shard read: its records and the iterator after them.
struct Read {
    records: Vec<Record>,
    next: Option<String>,
}

/// The stream being read, once found.
struct Found {
    arn: String,
    view: StreamView,
}

/// A change stream's state between two items.
pub(super) struct Reader<S: ChangeSource> {
    db: Db,
    client: StreamsClient,
    target: Target,
    options: Options,
    found: Option<Found>,
    shards: Shards,
    in_flight: FuturesUnordered<BoxFuture<'static, (usize, Result<Read>)>>,
    ready: VecDeque<Result<Change<S>>>,
    /// A shard closed since the shards were last listed (a split may have
    /// made children to read).
    relist: bool,
    finished: bool,
    _source: PhantomData<fn() -> S>,
}

impl<S: ChangeSource> Reader<S> {
    pub(super) fn new(db: Db, options: Options) -> Self {
        let table = db.table_name(S::stream_table());
        Reader {
            client: db.streams_client(),
            db,
            target: Target {
                model: S::source_name(),
                table,
            },
            options,
            found: None,
            shards: Shards::default(),
            in_flight: FuturesUnordered::new(),
            ready: VecDeque::new(),
            relist: false,
            finished: false,
            _source: PhantomData,
        }
    }

    /// The next change; `None` at the end (a stream that ends at now, or
    /// after an error no retry cured).
    pub(super) async fn next(&mut self) -> Option<Result<Change<S>>> {
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Some(item);
            }
            if self.finished {
                return None;
            }
            if let Err(e) = self.step().await {
                self.finished = true;
                return Some(Err(e));
            }
        }
    }

    /// One step: find the stream, list shards when due, start the reads
    /// that may start, then wait for one to answer (or for a shard to be due).
    async fn step(&mut self) -> Result<()> {
        if self.found.is_none() {
            let found = find_stream::<S>(&self.db, &self.target).await?;
            let shards =
                list_shards(&self.client, &found.arn, &self.target, self.db.retry()).await?;
            self.shards
                .add(shards, &self.options.start, true, Instant::now());
            self.found = Some(found);
        }
        let Some(found) = &self.found else {
            return Ok(());
        };
        if std::mem::take(&mut self.relist) && !self.options.until_now {
            let shards =
                list_shards(&self.client, &found.arn, &self.target, self.db.retry()).await?;
            self.shards
                .add(shards, &self.options.start, false, Instant::now());
        }
        let now = Instant::now();
        for index in self.shards.due(now) {
            if self.in_flight.len() >= self.db.concurrency() {
                break;
            }
            let Some(shard) = self.shards.get_mut(index) else {
                continue;
            };
            let read = read_shard(
                self.client.clone(),
                found.arn.clone(),
                shard.id.clone(),
                shard.iterator.take(),
                shard.resume(),
                self.target.clone(),
                self.db.retry(),
            );
            self.shards.reading(index);
            self.in_flight
                .push(read.map(move |result| (index, result)).boxed());
        }
        if self.in_flight.is_empty() {
            if self.shards.all_done() {
                self.finished = true;
            } else {
                let wake = self
                    .shards
                    .next_due()
                    .unwrap_or(now + std::time::Duration::from_millis(50));
                sleep(wake.saturating_duration_since(Instant::now())).await;
            }
            return Ok(());
        }
        let Some((index, result)) = self.in_flight.next().await else {
            return Ok(());
        };
        let read = result?;
        let count = read.records.len();
        let drained = read.next.is_none();
        let view = found.view;
        if let Some(shard) = self.shards.get_mut(index) {
            if let Some(last) = read.records.last() {
                shard.last = Some(last.sequence_number.clone());
            }
        }
        for record in read.records {
            if let StreamStart::After(position) = &self.options.start {
                if !position.is_before(&record.sequence_number) {
                    continue;
                }
            }
            if let Some(change) =
                record.into_change::<S>(view, &self.target.table, self.options.skip_unknown)
            {
                self.ready.push_back(change);
            }
        }
        self.relist |= drained;
        self.shards.read(
            index,
            count,
            read.next,
            self.options.until_now,
            Instant::now(),
        );
        Ok(())
    }
}

/// Runs `request` until it succeeds, fails for good, or the retry policy
/// gives up on errors that may pass (throttling, 5xx, no answer).
async fn retried<T, F, Fut>(retry: Retry, mut request: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut attempts = 0;
    loop {
        attempts += 1;
        match request().await {
            Err(e) if e.is_retryable() && retry.allows_another(attempts) => {
                retry.pause(attempts).await;
            }
            other => return other,
        }
    }
}

/// The table's stream and its view, checked against `S`'s declared view.
async fn find_stream<S: ChangeSource>(db: &Db, target: &Target) -> Result<Found> {
    let description = retried(db.retry(), || async {
        db.client()
            .describe_table()
            .table_name(&target.table)
            .send()
            .instrument(trace::span("DescribeTable", &target.table, target.model))
            .await
            .map_err(|e| Error::sdk(target.at(), "DescribeTable", e))
    })
    .await?;
    let table = description.table();
    let specification = table.and_then(|t| t.stream_specification());
    let view = specification
        .filter(|s| s.stream_enabled())
        .and_then(|s| s.stream_view_type())
        .and_then(StreamView::from_sdk);
    let arn = table.and_then(|t| t.latest_stream_arn());
    let view = view_for::<S>(&target.table, view.filter(|_| arn.is_some()))?;
    Ok(Found {
        arn: arn.unwrap_or_default().to_owned(),
        view,
    })
}

/// Every shard of the stream `arn` (DescribeStream, page by page).
async fn list_shards(
    client: &StreamsClient,
    arn: &str,
    target: &Target,
    retry: Retry,
) -> Result<Vec<Described>> {
    let mut shards = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = retried(retry, || async {
            client
                .describe_stream()
                .stream_arn(arn)
                .set_exclusive_start_shard_id(after.clone())
                .send()
                .instrument(trace::span("DescribeStream", &target.table, target.model))
                .await
                .map_err(|e| Error::sdk(target.at(), "DescribeStream", e))
        })
        .await?;
        let Some(description) = page.stream_description else {
            break;
        };
        for shard in description.shards.unwrap_or_default() {
            let Some(id) = shard.shard_id else {
                continue;
            };
            shards.push(Described {
                closed: shard
                    .sequence_number_range
                    .is_some_and(|r| r.ending_sequence_number.is_some()),
                parent: shard.parent_shard_id,
                id,
            });
        }
        match description.last_evaluated_shard_id {
            Some(last) if after.as_ref() != Some(&last) => after = Some(last),
            _ => break,
        }
    }
    Ok(shards)
}

/// One read of shard `shard`: an iterator first when there is none (or the
/// one held expired), then GetRecords; throttling and passing errors are
/// retried as `retry` says.
async fn read_shard(
    client: StreamsClient,
    arn: String,
    shard: String,
    mut iterator: Option<String>,
    resume: ShardStart,
    target: Target,
    retry: Retry,
) -> Result<Read> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let current = match iterator.take() {
            Some(it) => Ok(Some(it)),
            None => shard_iterator(&client, &arn, &shard, &resume, &target).await,
        };
        let result = match current {
            Ok(Some(it)) => get_records(&client, it, &shard, &target).await,
            // No iterator: a closed shard with nothing left.
            Ok(None) => Ok(Read {
                records: Vec::new(),
                next: None,
            }),
            Err(e) => Err(e),
        };
        match result {
            Err(e)
                if e.code() == Some("ExpiredIteratorException")
                    && retry.allows_another(attempts) => {}
            Err(e) if e.is_retryable() && retry.allows_another(attempts) => {
                retry.pause(attempts).await;
            }
            other => return other,
        }
    }
}

async fn shard_iterator(
    client: &StreamsClient,
    arn: &str,
    shard: &str,
    resume: &ShardStart,
    target: &Target,
) -> Result<Option<String>> {
    let (kind, sequence) = match resume {
        ShardStart::Oldest => (ShardIteratorType::TrimHorizon, None),
        ShardStart::Latest => (ShardIteratorType::Latest, None),
        ShardStart::After(sequence) => (
            ShardIteratorType::AfterSequenceNumber,
            Some(sequence.clone()),
        ),
    };
    let output = client
        .get_shard_iterator()
        .stream_arn(arn)
        .shard_id(shard)
        .shard_iterator_type(kind)
        .set_sequence_number(sequence)
        .send()
        .instrument(trace::span("GetShardIterator", &target.table, target.model))
        .await
        .map_err(|e| Error::sdk(target.at(), "GetShardIterator", e))?;
    Ok(output.shard_iterator)
}

async fn get_records(
    client: &StreamsClient,
    iterator: String,
    shard: &str,
    target: &Target,
) -> Result<Read> {
    let output = client
        .get_records()
        .shard_iterator(iterator)
        .send()
        .instrument(trace::span("GetRecords", &target.table, target.model))
        .await
        .map_err(|e| Error::sdk(target.at(), "GetRecords", e))?;
    let records = output
        .records
        .unwrap_or_default()
        .into_iter()
        .map(|raw| {
            wire::record(raw, shard).map_err(|why| {
                Error::codec(
                    target.at(),
                    Direction::Decode,
                    None,
                    format!("shard {shard} of the stream holds {why}"),
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Read {
        records,
        next: output.next_shard_iterator,
    })
}
