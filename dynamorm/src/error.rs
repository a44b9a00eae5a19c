//! The one error type every dynamorm operation returns.
//!
//! Callers match on the variants ([`Error::ConditionFailed`],
//! [`Error::AlreadyExists`], [`Error::Validation`], ...) or ask the predicates
//! ([`Error::is_throttling`], [`Error::is_retryable`], [`Error::is_not_found`]).

use std::fmt;

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::item::Item;
use crate::schema::{TableChange, TableDef};

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

/// One action of a transaction, as an error about the whole transaction
/// lists it: `action 1 (Update Account "bob" in table dev-accounts)`.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, count: i64 }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?;
/// // No table: the request fails as a whole, naming every action.
/// let err = db.transact_write()
///     .update(Thing::update_op("t1").add(Thing::COUNT, 1))
///     .delete::<Thing>("t2")
///     .await.unwrap_err();
/// let dynamorm::Error::Transaction { actions, .. } = &err else { panic!("{err}") };
/// assert_eq!(actions[1].to_string(), r#"action 1 (Delete Thing "t2" in table things)"#);
/// assert!(err.is_not_found());
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransactionAction {
    /// Its position in the transaction, from 0.
    pub position: usize,
    /// `"Put"`, `"Update"`, `"Delete"`, `"ConditionCheck"` or `"Get"`.
    pub operation: &'static str,
    /// The model's Rust name.
    pub model: &'static str,
    /// The full table name (prefix included).
    pub table: String,
    /// The key, rendered for the log.
    pub key: String,
}

impl fmt::Display for TransactionAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "action {} ({} {} {} in table {})",
            self.position, self.operation, self.model, self.key, self.table
        )
    }
}

/// The first few actions of a transaction, for a message.
fn listed_actions(actions: &[TransactionAction]) -> String {
    const SHOWN: usize = 3;
    let mut listed: Vec<String> = actions
        .iter()
        .take(SHOWN)
        .map(ToString::to_string)
        .collect();
    if actions.len() > SHOWN {
        listed.push(format!("{} more", actions.len() - SHOWN));
    }
    listed.join("; ")
}

/// What an SDK error says: the service's code and message, or, when the
/// service never answered, the chain of causes (connection refused, timeout,
/// bad endpoint ...).
fn sdk_detail(code: &Option<Box<str>>, message: &Option<Box<str>>, source: &BoxError) -> String {
    match (code, message) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        (None, Some(message)) => message.to_string(),
        (None, None) => DisplayErrorContext(source.as_ref()).to_string(),
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

/// Service error codes that mean "slow down".
const THROTTLING_CODES: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "Throttling",
    "TooManyRequestsException",
];

/// Service error codes worth retrying besides throttling.
const TRANSIENT_CODES: &[&str] = &[
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "TransactionInProgressException",
    "TransactionConflictException",
];

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

    /// [`Error::Sdk`] from an SDK error, keeping its code and message.
    pub(crate) fn sdk<E>(
        at: ErrorContext<'_>,
        operation: &'static str,
        err: SdkError<E, HttpResponse>,
    ) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let transport = matches!(
            err,
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)
        );
        let code = err.code().map(Box::from);
        let message = err.message().map(Box::from);
        let status = err.raw_response().map(|r| r.status().as_u16());
        Error::Sdk {
            operation,
            model: at.model,
            table: at.table.to_owned(),
            code,
            message,
            transport,
            status,
            source: Box::new(err),
        }
    }

    /// The service error code for [`Error::Sdk`] (and for an
    /// [`Error::TableUpdate`] the engine refused), e.g. `"ResourceNotFoundException"`.
    ///
    /// ```
    /// # let err = dynamorm::Error::engine(dynamorm::error::EngineKind::Embedded, "x");
    /// assert_eq!(err.code(), None);
    /// ```
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Sdk { code, .. } => code.as_deref(),
            Error::TableUpdate { source, .. } | Error::Transaction { source, .. } => source.code(),
            _ => None,
        }
    }

    /// True when DynamoDB throttled the request (provisioned throughput
    /// exceeded, request limit exceeded, throttling).
    ///
    /// ```
    /// # let err = dynamorm::Error::engine(dynamorm::error::EngineKind::Embedded, "x");
    /// assert!(!err.is_throttling());
    /// ```
    pub fn is_throttling(&self) -> bool {
        self.code().is_some_and(|c| THROTTLING_CODES.contains(&c))
    }

    /// True when the same request may succeed if sent again: throttling,
    /// transient server errors, timeouts and connection failures.
    ///
    /// ```
    /// # let err = dynamorm::Error::engine(dynamorm::error::EngineKind::Embedded, "x");
    /// assert!(!err.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Sdk {
                transport,
                code,
                status,
                ..
            } => {
                *transport
                    || self.is_throttling()
                    || code
                        .as_deref()
                        .is_some_and(|c| TRANSIENT_CODES.contains(&c))
                    || status.is_some_and(|s| s >= 500)
            }
            Error::Unprocessed { .. } | Error::Contention { .. } => true,
            Error::TableUpdate { source, .. } | Error::Transaction { source, .. } => {
                source.is_retryable()
            }
            _ => false,
        }
    }

    /// True when the table (or index) does not exist.
    ///
    /// ```
    /// # let err = dynamorm::Error::engine(dynamorm::error::EngineKind::Embedded, "x");
    /// assert!(!err.is_not_found());
    /// ```
    pub fn is_not_found(&self) -> bool {
        self.code() == Some("ResourceNotFoundException")
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

/// Why one action of a canceled transaction failed (or `code` `"None"`:
/// that it was fine), with the action it is about.
///
/// Its message names the action's position, what it was, the model, the
/// table and the key: `action 1 (Update Account "bob" in table dev-accounts):
/// ConditionalCheckFailed: The conditional request failed`.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, count: i64 }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// Thing { id: "t1".into(), count: 0 }.save(&db).await?;
/// let err = db.transact_write()
///     .update(Thing::update_op("t1").add(Thing::COUNT, 1))
///     .check::<Thing>("t1-twin", Thing::COUNT.exists())
///     .await.unwrap_err();
/// let dynamorm::Error::TransactionCanceled { reasons } = &err else { panic!("{err}") };
/// assert!(reasons[0].is_none());
/// let failed = &reasons[1];
/// assert!(failed.is_condition_failed());
/// assert_eq!((failed.position, failed.operation, failed.model), (1, "ConditionCheck", "Thing"));
/// assert_eq!(failed.key, r#""t1-twin""#);
/// assert!(err.to_string().contains(r#"action 1 (ConditionCheck Thing "t1-twin" in table things)"#));
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CancellationReason {
    /// The reason code, e.g. `"ConditionalCheckFailed"` or `"None"` for actions that were fine.
    pub code: String,
    /// The service's message, if any.
    pub message: Option<String>,
    /// The stored item, when the action asked for it and the engine returned
    /// it (the item a failed condition was checked against).
    pub item: Option<Item>,
    /// The action's position in the transaction (0 for the first added).
    pub position: usize,
    /// What the action was: `"Put"`, `"Update"`, `"Delete"` or `"ConditionCheck"`.
    pub operation: &'static str,
    /// The model the action is on (its Rust name).
    pub model: &'static str,
    /// The full table name (prefix included).
    pub table: String,
    /// The action's key, rendered for the log.
    pub key: String,
    /// The version the action expected, for a put or update of a
    /// `#[dynamo(version)]` model (0: no item).
    pub expected_version: Option<u64>,
    /// The version of the stored item the engine returned, for such an action.
    pub found_version: Option<u64>,
}

impl CancellationReason {
    /// True when this action was fine (code `"None"`): another one failed.
    pub fn is_none(&self) -> bool {
        self.code == "None"
    }

    /// True when this action's condition did not hold.
    pub fn is_condition_failed(&self) -> bool {
        self.code == "ConditionalCheckFailed"
    }

    /// True when this action is a put or update of a `#[dynamo(version)]`
    /// model whose stored version is not the one it expected: the model it
    /// wrote is stale (reload it and try again).
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "docs")]
    /// # struct Doc { #[dynamo(hash_key)] id: String, #[dynamo(version)] #[serde(default)] version: u64 }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?; Doc::table(&db).create().await?;
    /// let mut doc = Doc { id: "d1".into(), version: 0 };
    /// doc.save(&db).await?;                       // stored version 1
    /// let stale = doc.clone();                    // still says version 0
    /// let err = db.transact_write().put(&stale).await.unwrap_err();
    /// assert!(err.is_version_conflict());
    /// let dynamorm::Error::TransactionCanceled { reasons } = &err else { panic!("{err}") };
    /// assert!(reasons[0].is_version_conflict());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn is_version_conflict(&self) -> bool {
        let Some(expected) = self.expected_version else {
            return false;
        };
        self.is_condition_failed()
            && match (self.item.is_some(), self.found_version) {
                (false, _) => expected != 0,
                (true, found) => expected == 0 || found != Some(expected),
            }
    }
}

impl fmt::Display for CancellationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "action {} ({} {} {} in table {}): {}",
            self.position, self.operation, self.model, self.key, self.table, self.code
        )?;
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if self.is_version_conflict() {
            f.write_str(" (the stored version is not the one the action expected)")?;
        }
        Ok(())
    }
}

/// The reasons of the actions that failed, for the message (all of them
/// when none says it failed).
fn failed_actions(reasons: &[CancellationReason]) -> String {
    let failed: Vec<String> = reasons
        .iter()
        .filter(|r| !r.is_none())
        .map(ToString::to_string)
        .collect();
    if failed.is_empty() {
        let all: Vec<String> = reasons.iter().map(ToString::to_string).collect();
        return all.join("; ");
    }
    failed.join("; ")
}

/// One validation failure: where (a dotted field path) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field path, e.g. `"name"` or `"children[0].name"`; empty for the model as a whole.
    pub path: String,
    /// A short code such as `"length"` or `"type"`.
    pub code: String,
    /// A human-readable message.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Every validation failure of one model, in field order.
///
/// ```
/// use dynamorm::ValidationErrors;
///
/// let mut errors = ValidationErrors::new();
/// errors.add("color", "choice", "must be one of purple, red, yellow");
/// assert_eq!(errors.to_string(), "color: must be one of purple, red, yellow");
/// assert_eq!(errors.fields().collect::<Vec<_>>(), ["color"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors {
    errors: Vec<FieldError>,
}

impl ValidationErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a failure at `path`.
    pub fn add(
        &mut self,
        path: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.errors.push(FieldError {
            path: path.into(),
            code: code.into(),
            message: message.into(),
        });
    }

    /// True when nothing failed.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The failures.
    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// The field paths that failed, in order (a path appears once per failure).
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.errors.iter().map(|e| e.path.as_str())
    }

    /// True when some failure is at `path`.
    pub fn has_field(&self, path: &str) -> bool {
        self.errors.iter().any(|e| e.path == path)
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

impl From<&str> for ValidationErrors {
    fn from(message: &str) -> Self {
        let mut errors = ValidationErrors::new();
        errors.add("", "custom", message);
        errors
    }
}

impl From<String> for ValidationErrors {
    fn from(message: String) -> Self {
        ValidationErrors::from(message.as_str())
    }
}

impl From<FieldError> for ValidationErrors {
    fn from(error: FieldError) -> Self {
        ValidationErrors {
            errors: vec![error],
        }
    }
}

impl From<Vec<FieldError>> for ValidationErrors {
    fn from(errors: Vec<FieldError>) -> Self {
        ValidationErrors { errors }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::operation::put_item::PutItemError;
    use aws_sdk_dynamodb::types::error::ProvisionedThroughputExceededException;

    fn meta(code: &str, message: &str) -> aws_sdk_dynamodb::error::ErrorMetadata {
        aws_sdk_dynamodb::error::ErrorMetadata::builder()
            .code(code)
            .message(message)
            .build()
    }

    fn service_error(err: PutItemError) -> Error {
        let raw = aws_sdk_dynamodb::config::http::HttpResponse::new(
            400u16.try_into().expect("status"),
            "".into(),
        );
        let at = ErrorContext {
            model: "Thing",
            table: "t",
        };
        Error::sdk(at, "PutItem", SdkError::service_error(err, raw))
    }

    #[test]
    fn throttling_is_detected_and_retryable() {
        let err = service_error(PutItemError::ProvisionedThroughputExceededException(
            ProvisionedThroughputExceededException::builder()
                .message("slow down")
                .meta(meta("ProvisionedThroughputExceededException", "slow down"))
                .build(),
        ));
        assert!(err.is_throttling());
        assert!(err.is_retryable());
        assert_eq!(err.code(), Some("ProvisionedThroughputExceededException"));
        assert_eq!(
            err.to_string(),
            "PutItem on table t (Thing) failed: ProvisionedThroughputExceededException: slow down"
        );
    }

    /// Clippy's `result_large_err` flags every function returning a
    /// `Result` whose error is 128 bytes or more: keep callers free of it.
    #[test]
    fn errors_stay_small_enough_to_return() {
        assert!(
            std::mem::size_of::<Error>() < 128,
            "{}",
            std::mem::size_of::<Error>()
        );
    }

    #[test]
    fn a_table_update_names_the_change_and_looks_through_to_the_reason() {
        let at = ErrorContext {
            model: "Thing",
            table: "t",
        };
        let refused = service_error(PutItemError::ProvisionedThroughputExceededException(
            ProvisionedThroughputExceededException::builder()
                .message("slow down")
                .meta(meta("LimitExceededException", "one index at a time"))
                .build(),
        ));
        let change = TableChange::CreateIndex {
            name: "by-color".into(),
        };
        let err = Error::table_update(at, change, refused);
        assert_eq!(err.code(), Some("LimitExceededException"));
        assert_eq!(
            err.to_string(),
            "table t (Thing): could not make the change \"create global index `by-color`\": \
             PutItem on table t (Thing) failed: LimitExceededException: one index at a time"
        );
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn not_found_is_not_retryable() {
        let err = service_error(PutItemError::ResourceNotFoundException(
            aws_sdk_dynamodb::types::error::ResourceNotFoundException::builder()
                .message("no table")
                .meta(meta("ResourceNotFoundException", "no table"))
                .build(),
        ));
        assert!(err.is_not_found());
        assert!(!err.is_retryable());
        assert!(!err.is_throttling());
    }
}
