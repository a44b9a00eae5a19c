//! Transactions: [`TransactWrite`] (`db.transact_write()`: puts, updates,
//! deletes and condition checks on any models, all or nothing) and
//! [`TransactGet`] (`db.transact_get()`: a consistent snapshot of several
//! items, typed, in request order).
//!
//! A transaction is made of the same request values single writes send
//! ([`PutRequest`], [`UpdateRequest`], [`DeleteRequest`],
//! [`ConditionCheck`]), rendered by the same write pipeline: models are
//! validated and size-checked, updates of models with validation are read,
//! applied and validated first, and every action asks for the stored item
//! when its condition fails.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::future::IntoFuture;
use std::hash::{BuildHasher, Hasher};
use std::marker::PhantomData;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Get, TransactGetItem, TransactWriteItem};
use futures::future::BoxFuture;

use tracing::Instrument;

use crate::codec;
use crate::db::Db;
use crate::error::{CancellationReason, Error, ErrorContext, Result};
use crate::events::EventKind;
use crate::expr::Cond;
use crate::future::OpFuture;
use crate::item::Item;
use crate::model::{DynaModel, IntoKey, ModelHooks};
use crate::ops::update::{applied, read_current};
use crate::ops::{signal, trace};
use crate::request::{
    build_update, key_item, version_of, ConditionCheck, DeleteRequest, Plan, PutRequest,
    TransactPut, UpdateRequest,
};
use crate::validate;

/// The most actions one transaction takes (DynamoDB's limit for
/// TransactWriteItems and TransactGetItems).
pub const MAX_TRANSACTION_ACTIONS: usize = 100;

/// Who a transaction-level error is about.
fn transaction_scope(operation: &'static str) -> ErrorContext<'static> {
    ErrorContext {
        model: operation,
        table: "(several tables)",
    }
}

/// An action of a write transaction, rendered when the transaction is sent.
trait WriteAction: Send + Sync {
    /// Tells `db`'s observers about the action: before the transaction
    /// (`outcome` `None`) and after it.
    fn announce(&self, db: &Db, outcome: Option<Result<(), String>>);
    /// Runs the model's `after_*` hook once the transaction is applied.
    fn after(&self);
    /// The table and key map of the item the action is on.
    fn target(&self, db: &Db) -> Result<(String, Item)>;
    /// The action as sent, with the version it expects the stored item to
    /// have (a put or update of a versioned model).
    fn render<'s>(&'s self, db: &'s Db) -> BoxFuture<'s, Result<(TransactWriteItem, Option<u64>)>>;
    fn describe(&self) -> String;
    /// What the action is, for its cancellation reason.
    fn about(&self) -> About;
}

/// What an action is, for the reason of a canceled transaction.
struct About {
    operation: &'static str,
    def: &'static crate::schema::TableDef,
    key: String,
}

impl About {
    fn of<M: DynaModel>(operation: &'static str, key: &M::Key) -> Self {
        About {
            operation,
            def: M::table_def(),
            key: format!("{key:?}"),
        }
    }
}

/// The table and key map of the item with `key`.
fn target_of<M: DynaModel>(db: &Db, key: &M::Key) -> Result<(String, Item)> {
    let table = db.table_name(M::table_def());
    let item = key_item::<M>(key, ErrorContext::new(M::table_def(), &table))?;
    Ok((table, item))
}

struct PutAction<'m, M: DynaModel>(PutRequest<'m, M>);
struct UpdateAction<M: DynaModel>(UpdateRequest<M>);
struct DeleteAction<M: DynaModel>(DeleteRequest<M>);
struct CheckAction<M: DynaModel>(ConditionCheck<M>);

impl<M: DynaModel> WriteAction for PutAction<'_, M> {
    fn announce(&self, db: &Db, outcome: Option<Result<(), String>>) {
        let kind = if outcome.is_none() {
            EventKind::PreSave
        } else {
            EventKind::PostSave
        };
        let table = db.table_name(M::table_def());
        signal::emit::<M>(db, kind, &table, &self.0.model().key(), outcome);
    }

    fn after(&self) {
        <M::Hooks as ModelHooks<M>>::after_save(self.0.model());
    }

    fn target(&self, db: &Db) -> Result<(String, Item)> {
        target_of::<M>(db, &self.0.model().key())
    }

    fn render<'s>(&'s self, db: &'s Db) -> BoxFuture<'s, Result<(TransactWriteItem, Option<u64>)>> {
        Box::pin(async move {
            let def = M::table_def();
            let table = db.table_name(def);
            match self.0.to_transact_item(&table)? {
                TransactPut::Ready(item, expected) => Ok((*item, expected)),
                TransactPut::Wide {
                    prepared,
                    created_at,
                } => {
                    let at = ErrorContext::new(def, &table);
                    let key = self.0.model().key();
                    let stored = read_current::<M>(db, &table, &key, at)
                        .await?
                        .and_then(|mut item| item.remove(created_at));
                    self.0
                        .finish_wide(&table, prepared, created_at, stored.as_ref())
                }
            }
        })
    }

    fn describe(&self) -> String {
        format!("Put {} {:?}", M::table_def().model, self.0.model().key())
    }

    fn about(&self) -> About {
        About::of::<M>("Put", &self.0.model().key())
    }
}

impl<M: DynaModel> WriteAction for UpdateAction<M> {
    fn announce(&self, db: &Db, outcome: Option<Result<(), String>>) {
        let kind = if outcome.is_none() {
            EventKind::PreUpdate
        } else {
            EventKind::PostUpdate
        };
        let table = db.table_name(M::table_def());
        signal::emit::<M>(db, kind, &table, self.0.key(), outcome);
    }

    fn after(&self) {
        <M::Hooks as ModelHooks<M>>::after_update(self.0.key(), None);
    }

    fn target(&self, db: &Db) -> Result<(String, Item)> {
        target_of::<M>(db, self.0.key())
    }

    fn render<'s>(&'s self, db: &'s Db) -> BoxFuture<'s, Result<(TransactWriteItem, Option<u64>)>> {
        Box::pin(async move {
            let def = M::table_def();
            let table = db.table_name(def);
            let at = ErrorContext::new(def, &table);
            let request = &self.0;
            let actions = request.actions(at)?;
            // As a single update: straight, with its range conditions, or
            // read, applied and checked, guarded against changes since the
            // read. A missing item is left to the engine: the transaction is
            // canceled with the reason at this action's position.
            let (current, ranges) = match request.plan(&actions, at)? {
                Plan::Direct(ranges) => (None, ranges),
                Plan::Read => {
                    let current = read_current::<M>(db, &table, request.key(), at).await?;
                    if let Some(current) = &current {
                        applied::<M>(&actions, current, at)?;
                    }
                    (current, None)
                }
            };
            let prepared = request.prepare(&actions, current.as_ref(), ranges.as_ref(), at)?;
            let item = TransactWriteItem::builder()
                .update(build_update(&table, prepared, at)?)
                .build();
            Ok((item, request.expected_version()))
        })
    }

    fn about(&self) -> About {
        About::of::<M>("Update", self.0.key())
    }

    fn describe(&self) -> String {
        format!(
            "Update {} {:?}: {}",
            M::table_def().model,
            self.0.key(),
            self.0.updates()
        )
    }
}

impl<M: DynaModel> WriteAction for DeleteAction<M> {
    fn announce(&self, db: &Db, outcome: Option<Result<(), String>>) {
        let kind = if outcome.is_none() {
            EventKind::PreDelete
        } else {
            EventKind::PostDelete
        };
        let table = db.table_name(M::table_def());
        signal::emit::<M>(db, kind, &table, self.0.key(), outcome);
    }

    fn after(&self) {
        <M::Hooks as ModelHooks<M>>::after_delete(self.0.key());
    }

    fn target(&self, db: &Db) -> Result<(String, Item)> {
        target_of::<M>(db, self.0.key())
    }

    fn render<'s>(&'s self, db: &'s Db) -> BoxFuture<'s, Result<(TransactWriteItem, Option<u64>)>> {
        Box::pin(async move {
            let def = M::table_def();
            let table = db.table_name(def);
            let delete = self.0.to_delete(&table)?;
            Ok((TransactWriteItem::builder().delete(delete).build(), None))
        })
    }

    fn about(&self) -> About {
        About::of::<M>("Delete", self.0.key())
    }

    fn describe(&self) -> String {
        format!("Delete {} {:?}", M::table_def().model, self.0.key())
    }
}

impl<M: DynaModel> WriteAction for CheckAction<M> {
    fn announce(&self, _: &Db, _: Option<Result<(), String>>) {}

    fn after(&self) {}

    fn target(&self, db: &Db) -> Result<(String, Item)> {
        target_of::<M>(db, self.0.key())
    }

    fn render<'s>(&'s self, db: &'s Db) -> BoxFuture<'s, Result<(TransactWriteItem, Option<u64>)>> {
        Box::pin(async move {
            let def = M::table_def();
            let table = db.table_name(def);
            let check = self.0.to_condition_check(&table)?;
            Ok((
                TransactWriteItem::builder().condition_check(check).build(),
                None,
            ))
        })
    }

    fn about(&self) -> About {
        About::of::<M>("ConditionCheck", self.0.key())
    }

    fn describe(&self) -> String {
        format!(
            "ConditionCheck {} {:?}: {}",
            M::table_def().model,
            self.0.key(),
            self.0.condition()
        )
    }
}

/// A write transaction (TransactWriteItems): every action succeeds, or none
/// does. Start one with [`Db::transact_write`].
///
/// Actions may be on any models and tables, up to
/// [`MAX_TRANSACTION_ACTIONS`]; more, or two actions on one item, is
/// [`Error::InvalidQuery`] before anything is sent. When a condition fails
/// (or DynamoDB cancels for another reason) the transaction is
/// [`Error::TransactionCanceled`], with one [`CancellationReason`] per
/// action, by position: its code, message, and the stored item a failed
/// condition was checked against.
///
/// Every transaction carries an idempotency token (`ClientRequestToken`,
/// [`token`](Self::token) or a generated one), so a retry after a transient
/// error (the SDK's, or dynamorm's own on throttling and conflicts) never
/// applies it twice. An update that needs the stored item checked (a
/// model with validation, a nested path) reads it when the transaction is
/// sent and guards against changes since: if another writer changes the item
/// in between, the transaction is canceled (a condition failure at that
/// position); send it again. Sending such a transaction again with the same
/// token after it was applied is a different request
/// (`IdempotentParameterMismatchException`), not a second application. An
/// update of a missing item cancels the transaction at its position.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, name: Option<String>, count: i64 }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// # for id in ["t1", "t2", "t3"] { Thing { id: id.into(), name: Some(id.into()), count: 0 }.save(&db).await?; }
/// let a = Thing { id: "a".into(), name: None, count: 1 };
/// db.transact_write()
///     .put(&a)
///     .update(Thing::update_op("t1").add(Thing::COUNT, 1))
///     .delete::<Thing>("t2")
///     .check::<Thing>("t3", Thing::NAME.exists())
///     .token("order-42")
///     .await?;
/// assert_eq!(Thing::get(&db, "t1").await?.unwrap().count, 1);
///
/// let err = db.transact_write()
///     .update(Thing::update_op("t1").add(Thing::COUNT, 1))
///     .check::<Thing>("t3", Thing::NAME.eq("nope"))
///     .await.unwrap_err();
/// let dynamorm::Error::TransactionCanceled { reasons } = err else { panic!() };
/// assert!(reasons[0].is_none() && reasons[1].is_condition_failed());
/// assert_eq!(Thing::get(&db, "t1").await?.unwrap().count, 1); // nothing applied
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a transaction does nothing until awaited"]
pub struct TransactWrite<'a> {
    db: &'a Db,
    actions: Vec<Box<dyn WriteAction + 'a>>,
    token: Option<String>,
}

impl Db {
    /// A write transaction on this engine; see [`TransactWrite`].
    pub fn transact_write(&self) -> TransactWrite<'_> {
        TransactWrite {
            db: self,
            actions: Vec::new(),
            token: None,
        }
    }

    /// A read transaction on this engine; see [`TransactGet`].
    pub fn transact_get(&self) -> TransactGet<'_> {
        TransactGet {
            db: self,
            gets: Vec::new(),
        }
    }
}

impl<'a> TransactWrite<'a> {
    /// Puts `model` (a `&M`), or a [`PutRequest`] with its conditions
    /// (`PutRequest::new(&m).unique()`).
    pub fn put<M: DynaModel>(mut self, put: impl Into<PutRequest<'a, M>>) -> Self {
        self.actions.push(Box::new(PutAction(put.into())));
        self
    }

    /// Applies an [`UpdateRequest`] (`Thing::update_op(key).add(..)`).
    pub fn update<M: DynaModel>(mut self, update: UpdateRequest<M>) -> Self {
        self.actions.push(Box::new(UpdateAction(update)));
        self
    }

    /// Deletes the item with `key`: `.delete::<Thing>("t2")`.
    pub fn delete<M: DynaModel>(self, key: impl IntoKey<M::Key>) -> Self {
        self.delete_request(DeleteRequest::<M>::new(key))
    }

    /// Applies a [`DeleteRequest`], with its condition.
    pub fn delete_request<M: DynaModel>(mut self, delete: DeleteRequest<M>) -> Self {
        self.actions.push(Box::new(DeleteAction(delete)));
        self
    }

    /// Requires `condition` of the item with `key`, which the transaction
    /// does not write: `.check::<Thing>("t3", Thing::NAME.exists())`.
    pub fn check<M: DynaModel>(mut self, key: impl IntoKey<M::Key>, condition: Cond<M>) -> Self {
        self.actions
            .push(Box::new(CheckAction(ConditionCheck::new(key, condition))));
        self
    }

    /// The idempotency token (`ClientRequestToken`, at most 36 characters):
    /// the same transaction sent again with the same token within 10 minutes
    /// is applied once. Without one, a token is generated per transaction.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The number of actions so far.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// True when there are no actions.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    async fn send(self) -> Result<()> {
        if self.actions.is_empty() {
            return Ok(());
        }
        let observed = self.db.observed();
        if observed {
            for action in &self.actions {
                action.announce(self.db, None);
            }
        }
        let result = self.write().await;
        if result.is_ok() {
            for action in &self.actions {
                action.after();
            }
        }
        if observed {
            let outcome = signal::outcome(&result);
            for action in &self.actions {
                action.announce(self.db, outcome.clone());
            }
        }
        result
    }

    async fn write(&self) -> Result<()> {
        let at = transaction_scope("TransactWriteItems");
        if self.actions.len() > MAX_TRANSACTION_ACTIONS {
            return Err(Error::invalid_query(
                at,
                format!(
                    "a transaction takes at most {MAX_TRANSACTION_ACTIONS} actions, got {}",
                    self.actions.len()
                ),
            ));
        }
        // Two actions on one item are refused before any read or write.
        let mut targets: Vec<(String, Item)> = Vec::with_capacity(self.actions.len());
        for (position, action) in self.actions.iter().enumerate() {
            let target = action.target(self.db)?;
            if let Some(earlier) = targets.iter().position(|t| *t == target) {
                return Err(Error::invalid_query(
                    at,
                    format!(
                        "actions {earlier} and {position} of the transaction are on the same \
                         item ({}); DynamoDB takes one action per item",
                        action.describe()
                    ),
                ));
            }
            targets.push(target);
        }
        let mut items: Vec<TransactWriteItem> = Vec::with_capacity(self.actions.len());
        let mut expected = Vec::with_capacity(self.actions.len());
        for action in &self.actions {
            let (item, version) = action.render(self.db).await?;
            items.push(item);
            expected.push(version);
        }
        let token = match self.token.clone() {
            Some(token) if token.is_empty() || token.len() > 36 => {
                return Err(Error::invalid_query(
                    at,
                    format!("a transaction token has 1 to 36 characters, got {token:?}"),
                ))
            }
            Some(token) => token,
            None => generated_token(),
        };
        // Throttling, transient server errors and transaction conflicts are
        // retried with the same token, so the transaction applies once.
        let retry = self.db.retry();
        let mut attempts = 0;
        loop {
            attempts += 1;
            let span = trace::span("TransactWriteItems", "(several tables)", at.model);
            let result = self
                .db
                .client()
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .client_request_token(&token)
                .set_return_consumed_capacity(trace::capacity_wanted(&span))
                .send()
                .instrument(span.clone())
                .await;
            let err = match result {
                Ok(output) => {
                    trace::record(&span, output.consumed_capacity());
                    return Ok(());
                }
                Err(err) => match err.as_service_error() {
                    Some(TransactWriteItemsError::TransactionCanceledException(canceled)) => {
                        let reasons = self.reasons(canceled.cancellation_reasons(), &expected);
                        let retriable =
                            |r: &CancellationReason| TRANSIENT_REASONS.contains(&r.code.as_str());
                        let transient = reasons.iter().any(retriable)
                            && reasons.iter().all(|r| r.is_none() || retriable(r));
                        if transient && retry.allows_another(attempts) {
                            retry.pause(attempts).await;
                            continue;
                        }
                        return Err(Error::TransactionCanceled { reasons });
                    }
                    _ => Error::sdk(at, "TransactWriteItems", err),
                },
            };
            if err.is_retryable() && retry.allows_another(attempts) {
                retry.pause(attempts).await;
                continue;
            }
            return Err(err);
        }
    }
}

impl TransactWrite<'_> {
    /// The SDK's cancellation reasons as dynamorm's, one per action, each
    /// with the action it is about (`expected`: the version each action
    /// expected, by position).
    fn reasons(
        &self,
        sdk: &[aws_sdk_dynamodb::types::CancellationReason],
        expected: &[Option<u64>],
    ) -> Vec<CancellationReason> {
        sdk.iter()
            .enumerate()
            .map(|(position, r)| {
                let about = self.actions.get(position).map(|a| a.about());
                let item = r.item().cloned();
                let version = about.as_ref().and_then(|a| a.def.version);
                let found_version = item
                    .as_ref()
                    .zip(version)
                    .map(|(item, name)| version_of(item, name));
                CancellationReason {
                    code: r.code().unwrap_or("None").to_owned(),
                    message: r.message().map(str::to_owned),
                    item,
                    position,
                    operation: about.as_ref().map_or("", |a| a.operation),
                    model: about.as_ref().map_or("", |a| a.def.model),
                    table: about
                        .as_ref()
                        .map(|a| self.db.table_name(a.def))
                        .unwrap_or_default(),
                    key: about.map(|a| a.key).unwrap_or_default(),
                    expected_version: expected.get(position).copied().flatten(),
                    found_version,
                }
            })
            .collect()
    }
}

/// Cancellation reasons that go away when the transaction is sent again.
const TRANSIENT_REASONS: &[&str] = &[
    "TransactionConflict",
    "ThrottlingError",
    "ProvisionedThroughputExceeded",
];

/// A fresh 32-character idempotency token.
fn generated_token() -> String {
    let random = RandomState::new();
    let mut first = random.build_hasher();
    first.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    let mut second = random.build_hasher();
    second.write_u64(first.finish());
    format!("{:016x}{:016x}", first.finish(), second.finish())
}

impl fmt::Debug for TransactWrite<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let actions: Vec<String> = self.actions.iter().map(|a| a.describe()).collect();
        f.debug_struct("TransactWrite")
            .field("db", self.db)
            .field("actions", &actions)
            .field("token", &self.token)
            .finish()
    }
}

impl<'a> IntoFuture for TransactWrite<'a> {
    type Output = Result<()>;
    type IntoFuture = OpFuture<'a, ()>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Where one item of a [`TransactGet`] lands: pass it to
/// [`TransactItems::get`] for the typed result.
#[derive(Debug)]
pub struct Slot<M> {
    index: usize,
    _model: PhantomData<fn() -> M>,
}

impl<M> Clone for Slot<M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M> Copy for Slot<M> {}

impl<M> Slot<M> {
    /// The item's position in the transaction.
    pub fn index(&self) -> usize {
        self.index
    }
}

/// A read transaction (TransactGetItems): several items, on any models,
/// read as one consistent snapshot. Start one with [`Db::transact_get`];
/// [`get`](Self::get) returns a typed [`Slot`] for each item.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String }
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "books")]
/// # struct Book { #[dynamo(hash_key)] isbn: String, #[dynamo(range_key)] edition: i64 }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?; Book::table(&db).create().await?;
/// Thing { id: "t1".into() }.save(&db).await?;
/// Book { isbn: "b".into(), edition: 2 }.save(&db).await?;
/// let mut tx = db.transact_get();
/// let thing = tx.get::<Thing>("t1");
/// let book = tx.get::<Book>(("b", 2));
/// let missing = tx.get::<Thing>("nope");
/// let items = tx.await?;
/// assert_eq!(items.get(thing)?, Some(Thing { id: "t1".into() }));
/// assert_eq!(items.get(book)?.map(|b| b.edition), Some(2));
/// assert_eq!(items.get(missing)?, None);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a transaction does nothing until awaited"]
pub struct TransactGet<'a> {
    db: &'a Db,
    gets: Vec<Result<(TransactGetItem, &'static str, String)>>,
}

impl TransactGet<'_> {
    /// Reads the item of model `M` with `key`; its result is at the returned slot.
    pub fn get<M: DynaModel>(&mut self, key: impl IntoKey<M::Key>) -> Slot<M> {
        let def = M::table_def();
        let table = self.db.table_name(def);
        let get = key_item::<M>(&key.into_key(), ErrorContext::new(def, &table)).and_then(|key| {
            Get::builder()
                .table_name(&table)
                .set_key(Some(key))
                .build()
                .map(|get| TransactGetItem::builder().get(get).build())
                .map_err(|e| {
                    Error::invalid_query(
                        ErrorContext::new(def, &table),
                        format!("cannot build a Get: {e}"),
                    )
                })
        });
        let index = self.gets.len();
        self.gets.push(get.map(|get| (get, def.model, table)));
        Slot {
            index,
            _model: PhantomData,
        }
    }

    async fn send(self) -> Result<TransactItems> {
        let at = transaction_scope("TransactGetItems");
        if self.gets.len() > MAX_TRANSACTION_ACTIONS {
            return Err(Error::invalid_query(
                at,
                format!(
                    "a transaction reads at most {MAX_TRANSACTION_ACTIONS} items, got {}",
                    self.gets.len()
                ),
            ));
        }
        // One Get per item: DynamoDB refuses two on one item, so slots that
        // ask for the same item share one.
        let mut items: Vec<TransactGetItem> = Vec::with_capacity(self.gets.len());
        let mut tables = Vec::with_capacity(self.gets.len());
        let mut positions = Vec::with_capacity(self.gets.len());
        for get in self.gets {
            let (get, model, table) = get?;
            let same = items.iter().position(|earlier| {
                earlier.get().map(|g| (g.table_name(), g.key()))
                    == get.get().map(|g| (g.table_name(), g.key()))
            });
            positions.push(same.unwrap_or(items.len()));
            if same.is_none() {
                items.push(get);
            }
            tables.push((model, table));
        }
        if items.is_empty() {
            return Ok(TransactItems {
                items: Vec::new(),
                tables,
            });
        }
        let span = trace::span("TransactGetItems", "(several tables)", at.model);
        let output = self
            .db
            .client()
            .transact_get_items()
            .set_transact_items(Some(items))
            .set_return_consumed_capacity(trace::capacity_wanted(&span))
            .send()
            .instrument(span.clone())
            .await
            .map_err(|e| Error::sdk(at, "TransactGetItems", e))?;
        trace::record(&span, output.consumed_capacity());
        let responses: Vec<Option<Item>> = output
            .responses
            .unwrap_or_default()
            .into_iter()
            .map(|response| response.item)
            .collect();
        let items = positions
            .into_iter()
            .map(|i| responses.get(i).cloned().flatten())
            .collect();
        Ok(TransactItems { items, tables })
    }
}

impl fmt::Debug for TransactGet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransactGet")
            .field("db", self.db)
            .field("items", &self.gets.len())
            .finish()
    }
}

impl<'a> IntoFuture for TransactGet<'a> {
    type Output = Result<TransactItems>;
    type IntoFuture = OpFuture<'a, TransactItems>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// The items a [`TransactGet`] read, in request order.
#[derive(Debug)]
pub struct TransactItems {
    items: Vec<Option<Item>>,
    tables: Vec<(&'static str, String)>,
}

impl TransactItems {
    /// The item at `slot`, decoded and validated; `None` when no item has the key.
    pub fn get<M: DynaModel>(&self, slot: Slot<M>) -> Result<Option<M>> {
        let def = M::table_def();
        let table = self
            .tables
            .get(slot.index)
            .map_or_else(|| def.name.to_owned(), |(_, table)| table.clone());
        let at = ErrorContext::new(def, &table);
        match self.items.get(slot.index).cloned().flatten() {
            None => Ok(None),
            Some(item) => {
                let mut model: M = codec::decode(item, at)?;
                validate::loaded(&mut model, at)?;
                Ok(Some(model))
            }
        }
    }

    /// The number of items asked for.
    pub fn len(&self) -> usize {
        self.tables.len()
    }

    /// True when nothing was asked for.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// The raw item at position `index`, if it exists.
    pub fn raw(&self, index: usize) -> Option<&Item> {
        self.items.get(index).and_then(Option::as_ref)
    }
}
