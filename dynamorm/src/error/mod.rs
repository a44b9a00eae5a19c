//! The one error type every dynamorm operation returns.
//!
//! Callers match on the variants ([`Error::ConditionFailed`],
//! [`Error::AlreadyExists`], [`Error::Validation`], ...) or ask the predicates
//! ([`Error::is_throttling`], [`Error::is_retryable`], [`Error::is_not_found`]).

mod sdk;
mod transaction;
mod validation;

use std::fmt;

use crate::item::Item;
use crate::schema::{TableChange, TableDef};

pub use transaction::{CancellationReason, TransactionAction};
pub use validation::{FieldError, ValidationErrors};

use sdk::sdk_detail;
use transaction::{failed_actions, listed_actions};

/// A boxed error from the AWS SDK or the network below it.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `Result<T, dynamorm::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in dynamorm.
///
/// Every message names the model and, where one is involved, the table and
/// the field, so a log line alone says what failed.
///
/// ```
/// use dynamorm::Error;
///
/// fn explain(err: &Error) -> &'static str {
///     match err {
///         Error::Validation { .. } => "fix the input",
///         Error::ConditionFailed { .. } | Error::AlreadyExists { .. } => "someone else got there first",
///         e if e.is_retryable() => "try again later",
///         _ => "bug or outage",
///     }
/// }
/// # let _ = explain;
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The model (or a raw document) failed validation; nothing was written.
    #[error("{model} (table {table}) is invalid: {errors}")]
    Validation {
        /// The model's Rust name.
        model: &'static str,
        /// The full table name (prefix included), or the declared name where
        /// no [`Db`](crate::Db) was involved.
        table: String,
        /// Every failure, with its field path.
        errors: ValidationErrors,
    },

    /// A write's condition (`.when(..)`) did not hold, or an update found no
    /// item with its key; nothing was written.
    #[error("condition failed on {model} in table {table}: {condition}")]
    ConditionFailed {
        /// The model's Rust name.
        model: &'static str,
        /// The full table name (prefix included).
        table: String,
        /// The condition as rendered, for the log.
        condition: String,
        /// The stored item the condition was checked against, when the
        /// engine returned it (`None` when there was no item).
        item: Option<Box<Item>>,
    },

    /// Optimistic locking: the stored item's `#[dynamo(version)]` is not the
    /// one the write expected (someone else saved it first, or a new item's
    /// key is taken); nothing was written. Reload and try again.
    #[error("{model} with key {key} in table {table} was changed concurrently: {}", version_detail(*expected, *found))]
    VersionConflict {
        /// The model's Rust name.
        model: &'static str,
        /// The full table name (prefix included).
        table: String,
        /// The key, rendered for the log.
        key: String,
        /// The version the write expected to find (0: no item).
        expected: u64,
        /// The version stored, when the engine returned the item.
        found: Option<u64>,
    },

    /// An update that reads the item first (a model with validation, a
    /// nested path) found it changed by another writer between its read and
    /// its write on every attempt ([`Db::retry`](crate::Db::retry) says how
    /// many, with backoff between them); nothing was written. Retryable: the
    /// caller's own conditions did not fail.
    #[error("{model} with key {key} in table {table} kept changing between read and write ({attempts} attempts): try again")]
    Contention {
        /// The model's Rust name.
        model: &'static str,
        /// The full table name (prefix included).
        table: String,
        /// The key, rendered for the log.
        key: String,
        /// How many times the item was read and the write tried.
        attempts: u32,
    },

    /// `save(..).unique()` found an item with the same key; nothing was written.
    #[error("{model} with key {key} already exists in table {table}")]
    AlreadyExists {
        /// The model's Rust name.
        model: &'static str,
        /// The full table name (prefix included).
        table: String,
        /// The key, rendered for the log.
        key: String,
    },

    /// A transaction was canceled; `reasons` has one entry per action, in
    /// order. The message lists the actions that failed, each with its
    /// position, model, table and key.
    #[error("transaction canceled: {}", failed_actions(reasons))]
    TransactionCanceled {
        /// One reason per action of the transaction, in the order they were added.
        reasons: Vec<CancellationReason>,
    },

    /// A batch still had items that were not processed after every retry.
    #[error(
        "{model}: {} item(s) not processed in table {table} after retries{}",
        unprocessed.len(),
        last_error_suffix(source)
    )]
    Unprocessed {
        /// The model's Rust name.
        model: &'static str,
        /// The full table name (prefix included).
        table: String,
        /// Exactly the items (or keys) that were not processed: whole items
        /// for `put_batch`, key maps for `get_batch` and `delete_batch`.
        unprocessed: Vec<Item>,
        /// The last error a request of the batch failed with, when one did
        /// (rather than DynamoDB returning the entries as unprocessed).
        source: Option<Box<Error>>,
    },

    /// A typed read of an entity found an item tagged as another entity
    /// under its key (or in its query): nothing was decoded.
    #[error("{model} (table {table}) read an item of entity `{found}`, not `{expected}`")]
    WrongEntity {
        /// The model's Rust name.
        model: &'static str,
        /// The full table name (prefix included).
        table: String,
        /// The tag the model writes.
        expected: &'static str,
        /// The tag the item carries.
        found: String,
    },

    /// A collection read an item whose tag names none of its members (or
    /// that has no tag): nothing was decoded. `.skip_unknown()` on the read
    /// skips such items instead.
    #[error(
        "{model} (table {table}) read the item {key}, {}, which is none of its entities [{}]",
        match tag { Some(tag) => format!("tagged `{tag}`"), None => "without an entity tag".to_owned() },
        members.join(", ")
    )]
    UnknownEntity {
        /// The collection's Rust name.
        model: &'static str,
        /// The full table name (prefix included).
        table: String,
        /// The item's tag; `None` when it has none.
        tag: Option<String>,
        /// The item's key attributes, formatted.
        key: String,
        /// The tags the collection's members answer to.
        members: Vec<&'static str>,
    },

    /// A change stream record (from the Streams API or an AWS Lambda event)
    /// did not decode into the model: `source` says why (a [`Error::Codec`],
    /// [`Error::Validation`], [`Error::WrongEntity`] ...). Nothing is
    /// skipped: the stream goes on with the next record.
    #[error("{model} (table {table}): the change record {sequence_number} of key {key} does not decode: {source}")]
    StreamRecord {
        /// The model's (or collection's) Rust name.
        model: &'static str,
        /// The full table name (prefix included).
        table: String,
        /// The record's sequence number.
        sequence_number: String,
        /// The record's key attributes, formatted.
        key: String,
        /// Why it did not decode.
        #[source]
        source: Box<Error>,
    },

    /// A query or condition was malformed: unknown field or operator, missing hash key, bad value.
    #[error("invalid query on {model} (table {table}): {message}")]
    InvalidQuery {
        /// The model's Rust name.
        model: &'static str,
        /// The full table name (prefix included), or the declared name where
        /// no [`Db`](crate::Db) was involved ([`Cond::kw`](crate::Cond::kw)).
        table: String,
        /// What was wrong, naming the field and operator.
        message: String,
    },

    /// The item is larger than DynamoDB's 400 KB limit; checked before any request.
    #[error(
        "{model} item is {size} bytes, over DynamoDB's limit of {limit} bytes (table {table})"
    )]
    ItemTooLarge {
        /// The model's Rust name.
        model: &'static str,
        /// The full table name (prefix included).
        table: String,
        /// The item's size as DynamoDB counts it.
        size: usize,
        /// The limit, 400 KB.
        limit: usize,
    },

    /// A model could not be turned into an item or back.
    #[error(
        "cannot {direction} {model} (table {table}){}: {message}",
        field_suffix(path)
    )]
    Codec {
        /// The model's Rust name.
        model: &'static str,
        /// The full table name (prefix included), or the declared name where
        /// no [`Db`](crate::Db) was involved ([`codec::to_item`](crate::codec::to_item)).
        table: String,
        /// Which way: model to item, or item to model.
        direction: Direction,
        /// The attribute path that failed, when known.
        path: Option<String>,
        /// What serde said.
        message: String,
    },

    /// The DynamoDB API (or the network) returned an error dynamorm does not map to another variant.
    #[error(
        "{operation} on table {table} ({model}) failed: {}",
        sdk_detail(code, message, source)
    )]
    Sdk {
        /// The API operation, e.g. `"PutItem"`.
        operation: &'static str,
        /// The model's Rust name.
        model: &'static str,
        /// The full table name (prefix included).
        table: String,
        /// The service error code, e.g. `"ResourceNotFoundException"`, when the service answered.
        code: Option<Box<str>>,
        /// The service's message, when it answered.
        message: Option<Box<str>>,
        /// True for dispatch failures and timeouts (no answer from the service).
        transport: bool,
        /// The HTTP status of the service's answer, when there was one.
        status: Option<u16>,
        /// The underlying SDK error.
        #[source]
        source: BoxError,
    },

    /// The table exists but does not match the model: its keys differ, or an
    /// index the model declares is missing or keyed differently
    /// ([`create_if_not_exists`](crate::ops::table::TableHandle::create_if_not_exists)).
    #[error("table {table} does not match {model}: {}", differences.join("; "))]
    SchemaMismatch {
        /// The model's Rust name.
        model: &'static str,
        /// The full table name (prefix included).
        table: String,
        /// Each difference, e.g. "hash key is `pk`, the model declares `id`".
        differences: Vec<String>,
    },

    /// A model's hook ([`Hooks`](crate::model::Hooks)) refused the
    /// operation (a `before_*` hook: nothing was written) or the model read
    /// (`after_load`).
    #[error("{hook} hook of {model} (table {table}) failed: {source}")]
    Hook {
        /// The model's Rust name.
        model: &'static str,
        /// The full table name (prefix included).
        table: String,
        /// The hook, e.g. `"before_save"`.
        hook: &'static str,
        /// What the hook returned.
        #[source]
        source: BoxError,
    },

    /// [`TableHandle::update`](crate::ops::table::TableHandle::update) could
    /// not make one change: the engine refused it (`source` is then
    /// [`Error::Sdk`] with the engine's code and message), or accepted it but
    /// the table does not show it afterwards (`source` is then
    /// [`Error::SchemaMismatch`] saying what the table shows). The changes
    /// planned before this one were made; the ones after it were not.
    #[error("table {table} ({model}): could not make the change \"{change}\": {source}")]
    TableUpdate {
        /// The model's Rust name.
        model: &'static str,
        /// The full table name (prefix included).
        table: String,
        /// The change that failed.
        change: Box<TableChange>,
        /// Why it failed.
        #[source]
        source: Box<Error>,
    },

    /// A transaction's request failed as a whole: the engine refused it or
    /// did not answer (a cancellation is [`Error::TransactionCanceled`]).
    /// `source` is the [`Error::Sdk`]; [`code`](Error::code),
    /// [`is_retryable`](Error::is_retryable) and the other predicates look
    /// through to it.
    #[error("{operation} failed ({}): {source}", listed_actions(actions))]
    Transaction {
        /// `"TransactWriteItems"` or `"TransactGetItems"`.
        operation: &'static str,
        /// Every action of the transaction, in order.
        actions: Vec<TransactionAction>,
        /// Why the request failed.
        #[source]
        source: Box<Error>,
    },

    /// A table did not reach the state an operation waits for (ACTIVE after
    /// a create or update, gone after a delete) in time.
    #[error("table {table} ({model}): {waiting_for} after {waited:?}")]
    TableWait {
        /// The model's Rust name.
        model: &'static str,
        /// The full table name (prefix included).
        table: String,
        /// What was waited for, e.g. "still not ACTIVE".
        waiting_for: String,
        /// How long.
        waited: std::time::Duration,
    },

    /// An engine could not be started or opened.
    #[error("{engine} engine failed: {message}")]
    Engine {
        /// Which engine.
        engine: EngineKind,
        /// What went wrong.
        message: String,
    },
}

/// Which way a [`Error::Codec`] failed.
///
/// ```
/// assert_eq!(dynamorm::error::Direction::Encode.to_string(), "encode");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// A model (or value) into a DynamoDB item (or attribute value).
    Encode,
    /// A DynamoDB item into a model.
    Decode,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Encode => "encode",
            Direction::Decode => "decode",
        })
    }
}

/// Which engine an [`Error::Engine`] is about.
///
/// ```
/// assert_eq!(dynamorm::error::EngineKind::Embedded.to_string(), "embedded");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EngineKind {
    /// The in-process engine (`Db::embedded`).
    Embedded,
    /// Amazon's DynamoDB Local, started by the `dynamorm-local` launcher.
    DynamoDbLocal,
}

impl fmt::Display for EngineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EngineKind::Embedded => "embedded",
            EngineKind::DynamoDbLocal => "DynamoDB Local",
        })
    }
}

fn last_error_suffix(source: &Option<Box<Error>>) -> String {
    match source {
        Some(e) => format!(" (last error: {e})"),
        None => String::new(),
    }
}

/// What a version conflict found, for its message.
fn version_detail(expected: u64, found: Option<u64>) -> String {
    match (expected, found) {
        (0, Some(_)) => "a new item's key is already taken".to_owned(),
        (_, None) => format!("expected version {expected}, but the item is gone"),
        (_, Some(found)) => format!("expected version {expected}, found {found}"),
    }
}

fn field_suffix(path: &Option<String>) -> String {
    match path {
        Some(p) if !p.is_empty() && p != "." => format!(" (field `{p}`)"),
        _ => String::new(),
    }
}

impl Error {
    /// [`Error::Validation`]: the model at `at` failed validation.
    pub(crate) fn validation(at: ErrorContext<'_>, errors: ValidationErrors) -> Self {
        Error::Validation {
            model: at.model,
            table: at.table.to_owned(),
            errors,
        }
    }

    /// [`Error::ConditionFailed`]: `condition` (rendered readably) did not hold.
    pub(crate) fn condition_failed(at: ErrorContext<'_>, condition: impl fmt::Display) -> Self {
        Self::condition_failed_on(at, condition, None)
    }

    /// [`Error::ConditionFailed`] with the stored item the engine returned.
    pub(crate) fn condition_failed_on(
        at: ErrorContext<'_>,
        condition: impl fmt::Display,
        item: Option<Item>,
    ) -> Self {
        Error::ConditionFailed {
            model: at.model,
            table: at.table.to_owned(),
            condition: condition.to_string(),
            item: item.map(Box::new),
        }
    }

    /// [`Error::VersionConflict`]: the item with `key` does not have version `expected`.
    pub(crate) fn version_conflict(
        at: ErrorContext<'_>,
        key: &impl fmt::Debug,
        expected: u64,
        found: Option<u64>,
    ) -> Self {
        Error::VersionConflict {
            model: at.model,
            table: at.table.to_owned(),
            key: format!("{key:?}"),
            expected,
            found,
        }
    }

    /// [`Error::Contention`]: the item with `key` changed under every one of
    /// `attempts` guarded writes.
    pub(crate) fn contention(at: ErrorContext<'_>, key: &impl fmt::Debug, attempts: u32) -> Self {
        Error::Contention {
            model: at.model,
            table: at.table.to_owned(),
            key: format!("{key:?}"),
            attempts,
        }
    }

    /// [`Error::AlreadyExists`]: an item with `key` is already stored.
    pub(crate) fn already_exists(at: ErrorContext<'_>, key: &impl fmt::Debug) -> Self {
        Error::AlreadyExists {
            model: at.model,
            table: at.table.to_owned(),
            key: format!("{key:?}"),
        }
    }

    /// [`Error::WrongEntity`]: the item is tagged `found`, the model `expected`.
    pub(crate) fn wrong_entity(
        at: ErrorContext<'_>,
        expected: &'static str,
        found: String,
    ) -> Self {
        Error::WrongEntity {
            model: at.model,
            table: at.table.to_owned(),
            expected,
            found,
        }
    }

    /// [`Error::UnknownEntity`]: the item keyed `key` is tagged `tag`, which
    /// none of `members` answers to.
    pub(crate) fn unknown_entity(
        at: ErrorContext<'_>,
        tag: Option<String>,
        key: String,
        members: Vec<&'static str>,
    ) -> Self {
        Error::UnknownEntity {
            model: at.model,
            table: at.table.to_owned(),
            tag,
            key,
            members,
        }
    }

    /// [`Error::StreamRecord`]: record `sequence_number`, keyed `key`, of
    /// `model`'s table failed to decode with `source`.
    pub(crate) fn stream_record(
        model: &'static str,
        table: &str,
        sequence_number: String,
        key: String,
        source: Error,
    ) -> Self {
        Error::StreamRecord {
            model,
            table: table.to_owned(),
            sequence_number,
            key,
            source: Box::new(source),
        }
    }

    /// [`Error::InvalidQuery`]: `message` says what was wrong, naming the
    /// field and operator.
    pub(crate) fn invalid_query(at: ErrorContext<'_>, message: impl Into<String>) -> Self {
        Error::InvalidQuery {
            model: at.model,
            table: at.table.to_owned(),
            message: message.into(),
        }
    }

    /// [`Error::ItemTooLarge`]: the encoded item is `size` bytes.
    pub(crate) fn item_too_large(at: ErrorContext<'_>, size: usize, limit: usize) -> Self {
        Error::ItemTooLarge {
            model: at.model,
            table: at.table.to_owned(),
            size,
            limit,
        }
    }

    /// [`Error::Codec`]: the model could not be encoded (`"encode"`) or
    /// decoded (`"decode"`); `path` is the attribute path that failed.
    pub(crate) fn codec(
        at: ErrorContext<'_>,
        direction: Direction,
        path: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Codec {
            model: at.model,
            table: at.table.to_owned(),
            direction,
            path,
            message: message.into(),
        }
    }

    /// [`Error::Transaction`]: the request of a transaction made of
    /// `actions` failed with `source`.
    pub(crate) fn transaction(
        operation: &'static str,
        actions: Vec<TransactionAction>,
        source: Error,
    ) -> Self {
        Error::Transaction {
            operation,
            actions,
            source: Box::new(source),
        }
    }

    /// [`Error::TableWait`]: the table at `at` is `waiting_for` after `waited`.
    pub(crate) fn table_wait(
        at: ErrorContext<'_>,
        waiting_for: impl Into<String>,
        waited: std::time::Duration,
    ) -> Self {
        Error::TableWait {
            model: at.model,
            table: at.table.to_owned(),
            waiting_for: waiting_for.into(),
            waited,
        }
    }

    /// [`Error::Engine`]: `engine` could not be started or opened.
    ///
    /// ```
    /// use dynamorm::error::{EngineKind, Error};
    /// let err = Error::engine(EngineKind::DynamoDbLocal, "java not found");
    /// assert_eq!(err.to_string(), "DynamoDB Local engine failed: java not found");
    /// ```
    pub fn engine(engine: EngineKind, message: impl Into<String>) -> Self {
        Error::Engine {
            engine,
            message: message.into(),
        }
    }

    /// [`Error::Hook`]: `hook` of the model at `at` returned `source`.
    pub(crate) fn hook(at: ErrorContext<'_>, hook: &'static str, source: BoxError) -> Self {
        Error::Hook {
            model: at.model,
            table: at.table.to_owned(),
            hook,
            source,
        }
    }

    /// [`Error::SchemaMismatch`]: the table at `at` differs from the model.
    pub(crate) fn schema_mismatch(at: ErrorContext<'_>, differences: Vec<String>) -> Self {
        Error::SchemaMismatch {
            model: at.model,
            table: at.table.to_owned(),
            differences,
        }
    }

    /// [`Error::TableUpdate`]: making `change` on the table at `at` failed
    /// with `source`.
    pub(crate) fn table_update(at: ErrorContext<'_>, change: TableChange, source: Error) -> Self {
        Error::TableUpdate {
            model: at.model,
            table: at.table.to_owned(),
            change: Box::new(change),
            source: Box::new(source),
        }
    }

    /// True for [`Error::ConditionFailed`], [`Error::AlreadyExists`] and
    /// [`Error::VersionConflict`]: a condition on the stored item did not hold.
    ///
    /// ```
    /// # let err = dynamorm::Error::engine(dynamorm::error::EngineKind::Embedded, "x");
    /// assert!(!err.is_condition_failed());
    /// ```
    pub fn is_condition_failed(&self) -> bool {
        matches!(
            self,
            Error::ConditionFailed { .. }
                | Error::AlreadyExists { .. }
                | Error::VersionConflict { .. }
        )
    }

    /// True for [`Error::Contention`]: other writers kept changing the item
    /// an update read first; sending the update again may succeed.
    ///
    /// ```
    /// # let err = dynamorm::Error::engine(dynamorm::error::EngineKind::Embedded, "x");
    /// assert!(!err.is_contention());
    /// ```
    pub fn is_contention(&self) -> bool {
        matches!(self, Error::Contention { .. })
    }

    /// True for [`Error::VersionConflict`], and for a
    /// [`Error::TransactionCanceled`] one of whose actions wrote a stale
    /// versioned model ([`CancellationReason::is_version_conflict`]):
    /// optimistic locking refused a stale write.
    ///
    /// ```
    /// # let err = dynamorm::Error::engine(dynamorm::error::EngineKind::Embedded, "x");
    /// assert!(!err.is_version_conflict());
    /// ```
    pub fn is_version_conflict(&self) -> bool {
        match self {
            Error::VersionConflict { .. } => true,
            Error::TransactionCanceled { reasons } => {
                reasons.iter().any(CancellationReason::is_version_conflict)
            }
            _ => false,
        }
    }

    /// The stored item a failed condition was checked against, when the
    /// engine returned it ([`Error::ConditionFailed`]).
    ///
    /// ```
    /// # let err = dynamorm::Error::engine(dynamorm::error::EngineKind::Embedded, "x");
    /// assert!(err.current_item().is_none());
    /// ```
    pub fn current_item(&self) -> Option<&Item> {
        match self {
            Error::ConditionFailed { item, .. } => item.as_deref(),
            _ => None,
        }
    }

    /// The validation failures, for [`Error::Validation`].
    ///
    /// ```
    /// # let err = dynamorm::Error::engine(dynamorm::error::EngineKind::Embedded, "x");
    /// assert!(err.validation_errors().is_none());
    /// ```
    pub fn validation_errors(&self) -> Option<&ValidationErrors> {
        match self {
            Error::Validation { errors, .. } => Some(errors),
            _ => None,
        }
    }
}

/// Who an error is about: a model and its table. Every constructor of
/// [`Error`] that names a model takes one, so every message names both.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErrorContext<'a> {
    /// The model's Rust name.
    pub model: &'static str,
    /// The full table name, or the declared one where no `Db` is involved.
    pub table: &'a str,
}

impl<'a> ErrorContext<'a> {
    /// `def`'s model on the table called `table` (prefix included).
    pub(crate) fn new(def: &TableDef, table: &'a str) -> Self {
        ErrorContext {
            model: def.model,
            table,
        }
    }

    /// `def`'s model on its declared table name, for errors raised without a
    /// [`Db`](crate::Db) (no prefix is known there).
    pub(crate) fn declared(def: &TableDef) -> ErrorContext<'static> {
        ErrorContext {
            model: def.model,
            table: def.name,
        }
    }
}
