//! [`DeleteRequest`]: a key to delete, with its condition.

use std::fmt;

use aws_sdk_dynamodb::types::{self, ReturnValuesOnConditionCheckFailure, WriteRequest};

use super::update::version_is;
use super::write::{
    key_item, prepare_key, set_condition, unconditional, version_of, DisplayCondition,
    KeyAndCondition,
};
use crate::error::{Error, ErrorContext, Result};
use crate::expr::Cond;
use crate::item::Item;
use crate::model::{DynaModel, IntoKey};

/// A delete of one item by key (DeleteItem, a transaction's `Delete`, a
/// batch's `DeleteRequest`), as a value: `DeleteRequest::<Thing>::new("t1")`.
///
/// It holds no [`Db`](crate::Db); `Thing::delete(&db, key)` sends one.
/// Rendering runs no hook: `before_delete` and `after_delete` run when
/// dynamorm sends the request.
///
/// ```
/// use dynamorm::prelude::*;
/// use dynamorm::DeleteRequest;
///
/// #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
/// #[dynamo(table = "things")]
/// struct Thing { #[dynamo(hash_key)] id: String, name: Option<String> }
///
/// let delete = DeleteRequest::<Thing>::new("t1").when(Thing::NAME.exists());
/// let rendered = delete.to_delete("things")?;
/// assert_eq!(rendered.condition_expression(), Some("attribute_exists(#n0)"));
/// assert_eq!(rendered.key()["id"], dynamorm::AttributeValue::S("t1".into()));
/// // A batch cannot carry the condition.
/// assert!(delete.to_write_request("things").is_err());
/// # Ok::<(), dynamorm::Error>(())
/// ```
#[must_use = "a request value does nothing until sent"]
pub struct DeleteRequest<M: DynaModel> {
    key: M::Key,
    when: Option<Cond<M>>,
    expected_version: Option<u64>,
}

impl<M: DynaModel> DeleteRequest<M> {
    /// A delete of the item with `key` (a bare value, or `(hash, range)`).
    pub fn new(key: impl IntoKey<M::Key>) -> Self {
        Self::for_key(key.into_key())
    }

    /// A delete of the item with the model's own key type (as
    /// [`DynaModel::key`] returns it).
    pub fn for_key(key: M::Key) -> Self {
        DeleteRequest {
            key,
            when: None,
            expected_version: None,
        }
    }

    /// Delete only if `cond` holds; otherwise [`Error::ConditionFailed`].
    /// Several calls combine with AND.
    pub fn when(mut self, cond: Cond<M>) -> Self {
        Cond::and_into(&mut self.when, cond);
        self
    }

    /// The key of the item deleted.
    pub fn key(&self) -> &M::Key {
        &self.key
    }

    /// The condition, if any.
    pub fn condition(&self) -> Option<&Cond<M>> {
        self.when.as_ref()
    }

    /// Requires the stored `#[dynamo(version)]` to be `version` (the delete
    /// of a loaded model): [`Error::VersionConflict`] otherwise.
    pub(crate) fn expect_version(&mut self, version: u64) {
        self.expected_version = Some(version);
    }

    /// The condition sent: the caller's and the version's.
    fn combined(&self) -> Option<Cond<M>> {
        let mut condition = self.when.clone();
        if let (Some(expected), Some(name)) = (self.expected_version, M::table_def().version) {
            Cond::and_into(&mut condition, version_is::<M>(name, expected));
        }
        condition
    }

    /// The key map and the condition rendered. Runs no hook.
    pub(crate) fn render(&self, at: ErrorContext<'_>) -> Result<KeyAndCondition> {
        prepare_key::<M>(&self.key, self.combined().as_ref(), at)
    }

    /// The error for a failed condition, with the stored item the engine
    /// returned, if any.
    pub(crate) fn condition_failure(&self, at: ErrorContext<'_>, current: Option<Item>) -> Error {
        if let Some(expected) = self.expected_version {
            let name = M::table_def().version;
            let found = current
                .as_ref()
                .zip(name)
                .map(|(item, name)| version_of(item, name));
            if found != Some(expected) && !(expected == 0 && found.is_none()) {
                return Error::version_conflict(at, &self.key, expected, found);
            }
        }
        Error::condition_failed_on(at, DisplayCondition(self.when.as_ref()), current)
    }

    /// What to ask for when the condition fails: the stored item.
    pub(crate) fn on_failure(&self) -> Option<ReturnValuesOnConditionCheckFailure> {
        (self.when.is_some() || self.expected_version.is_some())
            .then_some(ReturnValuesOnConditionCheckFailure::AllOld)
    }

    /// The delete for table `table` (a transaction's `Delete`).
    pub fn to_delete(&self, table: &str) -> Result<types::Delete> {
        let at = ErrorContext::new(M::table_def(), table);
        let KeyAndCondition { item, condition } = self.render(at)?;
        set_condition!(
            types::Delete::builder()
                .table_name(table)
                .set_key(Some(item)),
            condition
        )
        .set_return_values_on_condition_check_failure(self.on_failure())
        .build()
        .map_err(|e| Error::invalid_query(at, format!("cannot build a Delete: {e}")))
    }

    /// The delete as one entry of a BatchWriteItem for table `table`. A batch
    /// cannot carry conditions: a conditional delete is [`Error::InvalidQuery`].
    pub fn to_write_request(&self, table: &str) -> Result<WriteRequest> {
        self.batch_entry(table)
    }

    /// The delete as a batch entry (refused when it carries a condition).
    pub(crate) fn batch_entry(&self, table: &str) -> Result<WriteRequest> {
        let at = ErrorContext::new(M::table_def(), table);
        unconditional(self.combined().as_ref(), at)?;
        let item = key_item::<M>(&self.key, at)?;
        let delete = types::DeleteRequest::builder()
            .set_key(Some(item))
            .build()
            .map_err(|e| Error::invalid_query(at, format!("cannot build a DeleteRequest: {e}")))?;
        Ok(WriteRequest::builder().delete_request(delete).build())
    }
}

impl<M: DynaModel> fmt::Debug for DeleteRequest<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeleteRequest")
            .field("model", &M::table_def().model)
            .field("key", &self.key)
            .field("when", &self.when)
            .field("expected_version", &self.expected_version)
            .finish()
    }
}
