//! The send pipeline: everything that happens between a request value and
//! the engine, in one place, whichever way a write goes out.
//!
//! - [`lifecycle`]: validation and the `before_*` hook once per write, the
//!   `after_*` hook once it is applied, the `Pre*` / `Post*` signals;
//! - [`write`]: a put, update or delete sent alone: stamped, its failed
//!   condition explained, retried while another writer keeps changing an
//!   item it read first;
//! - [`batch`] and [`chunks`]: BatchWriteItem / BatchGetItem in chunks,
//!   with what DynamoDB leaves unprocessed retried;
//! - [`transaction`]: TransactWriteItems / TransactGetItems, retried with
//!   one idempotency token, cancellation reasons by action;
//! - [`item`]: the single-item requests themselves; [`trace`]: the
//!   tracing span of every request; [`signal`]: the events for observers.
//!
//! Operations (`ops`) build request values and hand them here; request
//! values (`request`) render to the SDK's types and nothing else.

pub(crate) mod batch;
pub(crate) mod chunks;
pub(crate) mod item;
pub(crate) mod lifecycle;
pub(crate) mod signal;
pub(crate) mod trace;
pub(crate) mod transaction;
pub(crate) mod write;
