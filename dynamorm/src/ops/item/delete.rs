//! [`Delete`]: one item by key (DeleteItem).

use std::fmt;
use std::future::IntoFuture;

use crate::codec;
use crate::db::Db;
use crate::error::Result;
use crate::expr::Cond;
use crate::future::OpFuture;
use crate::model::DynaModel;
use crate::request::{version_of, DeleteRequest};
use crate::send;

/// Deletes one item by key (DeleteItem): `Thing::delete(&db, key)` or `thing.delete(&db)`.
///
/// Deleting a key that does not exist succeeds (as in DynamoDB) unless a
/// `.when(..)` condition requires something of the item. Sends a
/// [`DeleteRequest`].
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, name: Option<String> }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// Thing { id: "t1".into(), name: None }.save(&db).await?;
/// let err = Thing::delete(&db, "t1").when(Thing::NAME.exists()).await.unwrap_err();
/// assert!(matches!(err, dynamorm::Error::ConditionFailed { .. }));
/// Thing::delete(&db, "t1").await?;
/// assert_eq!(Thing::get(&db, "t1").await?, None);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a delete does nothing until awaited"]
pub struct Delete<'a, M: DynaModel> {
    db: &'a Db,
    request: DeleteRequest<M>,
}

impl<'a, M: DynaModel> Delete<'a, M> {
    /// A delete of the item with `key`.
    pub fn new(db: &'a Db, key: M::Key) -> Self {
        Delete {
            db,
            request: DeleteRequest::for_key(key),
        }
    }

    /// A delete of `model`'s item; for a model with a `#[dynamo(version)]`,
    /// only while the stored version is still `model`'s
    /// ([`Error::VersionConflict`](crate::Error::VersionConflict) otherwise).
    pub fn for_instance(db: &'a Db, model: &M) -> Self {
        let mut request = DeleteRequest::for_key(model.key());
        if let Some(name) = M::table_def().version {
            // Encoding cannot fail for a model that was saved; if it does,
            // the version 0 expected makes the delete a conflict, not a blind delete.
            let version = codec::to_item(model).map_or(0, |item| version_of(&item, name));
            request.expect_version(version);
        }
        Delete { db, request }
    }

    /// Delete only if `cond` holds; otherwise [`Error::ConditionFailed`](crate::Error::ConditionFailed).
    /// Several calls combine with AND.
    pub fn when(mut self, cond: Cond<M>) -> Self {
        self.request = self.request.when(cond);
        self
    }

    /// The request this builder sends.
    pub fn request(&self) -> &DeleteRequest<M> {
        &self.request
    }

    async fn send(self) -> Result<()> {
        let table = self.db.table_name(M::table_def());
        send::write::delete(self.db, &table, &self.request).await
    }
}

impl<M: DynaModel> fmt::Debug for Delete<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delete")
            .field("db", self.db)
            .field("request", &self.request)
            .finish()
    }
}

impl<'a, M: DynaModel> IntoFuture for Delete<'a, M> {
    type Output = Result<()>;
    type IntoFuture = OpFuture<'a, ()>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
