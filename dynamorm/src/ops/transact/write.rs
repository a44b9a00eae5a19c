//! [`TransactWrite`]: puts, updates, deletes and condition checks on any
//! models, all or nothing (TransactWriteItems).

use std::fmt;
use std::future::IntoFuture;

use crate::db::Db;
use crate::error::Result;
use crate::expr::Cond;
use crate::future::OpFuture;
use crate::model::{DynaModel, IntoKey};
use crate::request::{ConditionCheck, DeleteRequest, PutRequest, UpdateRequest};
use crate::send::transaction;

/// A write transaction (TransactWriteItems): every action succeeds, or none
/// does. Start one with [`Db::transact_write`].
///
/// Actions may be on any models and tables, up to
/// [`MAX_TRANSACTION_ACTIONS`](super::MAX_TRANSACTION_ACTIONS); more, or two actions on one item, is
/// [`Error::InvalidQuery`](crate::Error::InvalidQuery) before anything is sent. When a condition fails
/// (or DynamoDB cancels for another reason) the transaction is
/// [`Error::TransactionCanceled`](crate::Error::TransactionCanceled), with one [`CancellationReason`](crate::CancellationReason) per
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
    actions: Vec<Box<dyn transaction::Action + 'a>>,
    token: Option<String>,
}

impl<'a> TransactWrite<'a> {
    pub(crate) fn new(db: &'a Db) -> Self {
        TransactWrite {
            db,
            actions: Vec::new(),
            token: None,
        }
    }

    /// Puts `model` (a `&M`), or a [`PutRequest`] with its conditions
    /// (`PutRequest::new(&m).unique()`).
    pub fn put<M: DynaModel>(mut self, put: impl Into<PutRequest<'a, M>>) -> Self {
        self.actions
            .push(Box::new(transaction::PutAction(put.into())));
        self
    }

    /// Applies an [`UpdateRequest`] (`Thing::update_op(key).add(..)`).
    pub fn update<M: DynaModel>(mut self, update: UpdateRequest<M>) -> Self {
        self.actions
            .push(Box::new(transaction::UpdateAction(update)));
        self
    }

    /// Deletes the item with `key`: `.delete::<Thing>("t2")`.
    pub fn delete<M: DynaModel>(self, key: impl IntoKey<M::Key>) -> Self {
        self.delete_request(DeleteRequest::<M>::new(key))
    }

    /// Applies a [`DeleteRequest`], with its condition.
    pub fn delete_request<M: DynaModel>(mut self, delete: DeleteRequest<M>) -> Self {
        self.actions
            .push(Box::new(transaction::DeleteAction(delete)));
        self
    }

    /// Requires `condition` of the item with `key`, which the transaction
    /// does not write: `.check::<Thing>("t3", Thing::NAME.exists())`.
    pub fn check<M: DynaModel>(mut self, key: impl IntoKey<M::Key>, condition: Cond<M>) -> Self {
        self.actions
            .push(Box::new(transaction::CheckAction(ConditionCheck::new(
                key, condition,
            ))));
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
        transaction::write(self.db, &self.actions, self.token.as_deref()).await
    }
}

impl fmt::Debug for TransactWrite<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let actions: Vec<String> = (self.actions.iter().enumerate())
            .map(|(position, a)| a.about(self.db, position).to_string())
            .collect();
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
