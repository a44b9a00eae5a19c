//! [`Changes`]: a table's change stream read through the DynamoDB Streams
//! API, as typed [`Change`]s — `Thing::table(&db).changes()`.

mod reader;
mod shards;
mod wire;

use std::marker::PhantomData;

use futures::Stream;

use crate::db::Db;
use crate::error::Result;
use crate::stream::{Change, ChangeSource, Position};
use reader::{Options, Reader};
use shards::StreamStart;

/// The changes of a table's stream, typed as `S` (a model, or a collection
/// of entities): `Thing::table(&db).changes()`, `UserItems::changes(&db)`.
///
/// [`stream`](Self::stream) reads every shard of the stream, a parent shard
/// to its end before its children (after a split), each shard's records in
/// order — so the changes of one item come in the order they were made.
/// Shards are read concurrently, at most [`Db::concurrency`] at once.
/// Throttling, passing server errors and expired shard iterators are
/// retried as the [`Db::retry`] policy says; each request runs in a
/// `dynamorm` tracing span. The DynamoDB Streams client is
/// [`Db::streams_client`].
///
/// Where it starts: [`from_start`](Self::from_start) (the default: every
/// record the stream still holds), [`from_now`](Self::from_now) or
/// [`after`](Self::after) a [`Position`] saved before. Without
/// [`until_now`](Self::until_now) the stream never ends: it polls each open
/// shard for new records, pausing from 50 ms up to 1 s while there are none.
///
/// Before reading, the table's stream is checked: a table without a stream,
/// or whose view is not the one the model declares, makes the stream's
/// first item an [`Error::SchemaMismatch`](crate::Error::SchemaMismatch).
/// A record that does not decode is an
/// [`Error::StreamRecord`](crate::Error::StreamRecord) item naming its
/// sequence number and key, and the stream goes on; an error of the API
/// that retries did not cure is the last item.
///
/// ```
/// use dynamorm::prelude::*;
/// use dynamorm::stream::{Change, Position};
/// use futures::StreamExt;
///
/// #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// #[dynamo(table = "things", billing = "on_demand", stream = "new_image")]
/// struct Thing { #[dynamo(hash_key)] id: String }
///
/// # async fn demo() -> dynamorm::Result<()> {
/// let db = Db::embedded().await?;
/// Thing::table(&db).create().await?;
/// Thing { id: "a".into() }.save(&db).await?;
///
/// let first: Vec<Change<Thing>> = Thing::table(&db).changes().until_now().stream()
///     .collect::<Vec<_>>().await.into_iter().collect::<dynamorm::Result<_>>()?;
/// let saved: Position = first[0].position();     // persist it
///
/// Thing { id: "b".into() }.save(&db).await?;
/// let next: Vec<Change<Thing>> = Thing::table(&db).changes().after(&saved).until_now().stream()
///     .collect::<Vec<_>>().await.into_iter().collect::<dynamorm::Result<_>>()?;
/// assert_eq!(next.len(), 1);
/// assert_eq!(next[0].key, "b");
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a change stream reads nothing until `.stream()` is polled"]
pub struct Changes<S> {
    db: Db,
    options: Options,
    _source: PhantomData<fn() -> S>,
}

impl<S> std::fmt::Debug for Changes<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Changes")
            .field("db", &self.db)
            .field("options", &self.options)
            .finish()
    }
}

impl<S: ChangeSource> Changes<S> {
    /// The changes of `S`'s table on `db`, from the oldest record.
    pub fn new(db: &Db) -> Self {
        Changes {
            db: db.clone(),
            options: Options {
                start: StreamStart::Oldest,
                until_now: false,
                skip_unknown: false,
            },
            _source: PhantomData,
        }
    }

    /// Starts at the oldest record the stream holds (`TRIM_HORIZON`; records
    /// stay 24 hours). The default.
    pub fn from_start(mut self) -> Self {
        self.options.start = StreamStart::Oldest;
        self
    }

    /// Starts with the records written from now on (`LATEST`).
    pub fn from_now(mut self) -> Self {
        self.options.start = StreamStart::Now;
        self
    }

    /// Starts right after the record at `position` (a change's
    /// [`position`](Change::position), saved): its shard from the next
    /// record on, the shards before it (its ancestors) not at all, and
    /// every other shard from its oldest record, leaving out records up to
    /// `position`'s sequence number. Within one shard this is exact; across
    /// shards it relies on DynamoDB's sequence numbers growing with time,
    /// as they do. A position without a shard (from a Lambda event) reads
    /// every shard that way.
    pub fn after(mut self, position: &Position) -> Self {
        self.options.start = StreamStart::After(position.clone());
        self
    }

    /// Ends the stream once every shard is read up to the records it held
    /// when reading started (an open shard is done at its first read that
    /// finds nothing new), instead of waiting for new records.
    pub fn until_now(mut self) -> Self {
        self.options.until_now = true;
        self
    }

    /// For a collection: leaves out records of entities outside it instead
    /// of yielding [`Error::UnknownEntity`](crate::Error::UnknownEntity) for
    /// them, as `skip_unknown` does for a collection's queries.
    pub fn skip_unknown(mut self) -> Self {
        self.options.skip_unknown = true;
        self
    }

    /// The changes, read lazily as the stream is polled (`Unpin`, so
    /// `stream.next().await` works as is).
    pub fn stream(self) -> impl Stream<Item = Result<Change<S>>> + Send + Unpin + 'static {
        Box::pin(futures::stream::unfold(
            Reader::<S>::new(self.db, self.options),
            |mut reader| async move {
                let item = reader.next().await?;
                Some((item, reader))
            },
        ))
    }
}
