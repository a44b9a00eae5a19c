//! Typed handles to secondary indexes: `Thing::BY_COLOR.query(&db, "red")`.

use std::fmt;
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;
use serde_json::Value;

use crate::db::Db;
use crate::error::{Error, ErrorContext, Result};
use crate::expr::Untyped;
use crate::model::{DynaModel, KeyPart};
use crate::ops::query::Query;
use crate::ops::scan::Scan;
use crate::schema::IndexDef;

/// A global or local secondary index of model `M` whose hash key values are `H`.
///
/// The derive generates one per index as an associated const named after the
/// index (`by-color` → `Thing::BY_COLOR`).
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things", billing = "on_demand")]
/// # #[dynamo(global_index(name = "by-color", hash_key = "color", range_key = "name", projection = "all"))]
/// # struct Thing { #[dynamo(hash_key)] id: String, color: Option<String>, name: Option<String> }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// Thing { id: "1".into(), color: Some("red".into()), name: Some("apple".into()) }.save(&db).await?;
/// Thing { id: "2".into(), color: None, name: Some("ghost".into()) }.save(&db).await?;
/// let red = Thing::BY_COLOR.query(&db, "red").range(Thing::NAME.begins_with("a")).all().await?;
/// assert_eq!(red.len(), 1);
/// assert_eq!(Thing::BY_COLOR.scan(&db).count().await?, 1); // sparse: no color, not indexed
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub struct Index<M, H> {
    name: &'static str,
    _types: PhantomData<fn() -> (M, H)>,
}

impl<M, H> Clone for Index<M, H> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M, H> Copy for Index<M, H> {}

impl<M, H> fmt::Debug for Index<M, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Index({})", self.name)
    }
}

impl<M, H> Index<M, H> {
    /// The handle for index `name` (used by the derive).
    pub const fn new(name: &'static str) -> Self {
        Index {
            name,
            _types: PhantomData,
        }
    }

    /// The index name.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

/// A value the index's `query` accepts for its hash key `H`: anything that
/// converts into a key type, or, for a key field of an enum or other serde
/// type (`H` = [`Untyped`]), any value that serializes to a string, number or
/// binary.
pub trait IndexHashValue<H> {
    /// The value as DynamoDB sees it; `Err` says why it cannot be a key.
    fn into_key_attr(self) -> std::result::Result<AttributeValue, String>;
}

impl<K: KeyPart, T: Into<K>> IndexHashValue<K> for T {
    fn into_key_attr(self) -> std::result::Result<AttributeValue, String> {
        Ok(self.into().to_attr())
    }
}

impl<V: Serialize> IndexHashValue<Untyped> for V {
    fn into_key_attr(self) -> std::result::Result<AttributeValue, String> {
        match crate::codec::value_of(&self) {
            Ok(value @ (AttributeValue::S(_) | AttributeValue::N(_) | AttributeValue::B(_))) => {
                Ok(value)
            }
            Ok(other) => Err(format!(
                "an index key must be a string, number or binary, got {other:?}"
            )),
            Err(e) => Err(e.to_string()),
        }
    }
}

impl<M: DynaModel, H> Index<M, H> {
    /// The index's definition; [`Error::InvalidQuery`] when the model
    /// declares no index of this name (a handle made by hand).
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # #[dynamo(global_index(name = "by-color", hash_key = "color", projection = "all"))]
    /// # struct Thing { #[dynamo(hash_key)] id: String, color: Option<String> }
    /// assert_eq!(Thing::BY_COLOR.def()?.hash_key.name, "color");
    /// # Ok::<(), dynamorm::Error>(())
    /// ```
    pub fn def(&self) -> Result<&'static IndexDef> {
        self.lookup().map_err(|message| {
            Error::invalid_query(ErrorContext::declared(M::table_def()), message)
        })
    }

    fn lookup(&self) -> Result<&'static IndexDef, String> {
        M::table_def()
            .index(self.name)
            .ok_or_else(|| format!("{} has no index `{}`", M::table_def().model, self.name))
    }

    /// Queries the index for items whose index hash key is `hash`.
    pub fn query<'a>(&self, db: &'a Db, hash: impl IndexHashValue<H>) -> Query<'a, M> {
        let def = self.lookup().and_then(|def| {
            hash.into_key_attr()
                .map(|value| {
                    (
                        def,
                        crate::codec::entity::entity_index_hash_value(
                            M::table_def(),
                            def.name,
                            value,
                        ),
                    )
                })
                .map_err(|message| format!("index `{}` hash key: {message}", self.name))
        });
        match def {
            Ok((def, value)) => Query::on_index(db, Ok(def), value),
            Err(e) => Query::on_index(db, Err(e), AttributeValue::Null(true)),
        }
    }

    /// Queries the index with DynamORM's double-under terms (see [`Query::from_kw`]).
    pub fn query_kw<'a, K: AsRef<str>>(
        &self,
        db: &'a Db,
        terms: impl IntoIterator<Item = (K, Value)>,
    ) -> Query<'a, M> {
        match self.lookup() {
            Ok(def) => Query::from_kw(db, Some(def), terms),
            Err(e) => Query::on_index(db, Err(e), AttributeValue::Null(true)),
        }
    }

    /// Scans the index.
    pub fn scan<'a>(&self, db: &'a Db) -> Scan<'a, M> {
        Scan::on_index(db, self.lookup())
    }

    /// Scans the index with a filter of DynamORM's double-under terms
    /// (DynamORM's `Index.scan(**kw)`): `[("name__begins_with", "a".into())]`.
    /// A bad term is [`Error::InvalidQuery`] when awaited, before any request.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # #[dynamo(global_index(name = "by-color", hash_key = "color", projection = "all"))]
    /// # struct Thing { #[dynamo(hash_key)] id: String, color: Option<String>, count: i64 }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
    /// for (id, color, count) in [("a", Some("red"), 1), ("b", Some("red"), 5), ("c", None, 9)] {
    ///     Thing { id: id.into(), color: color.map(Into::into), count }.save(&db).await?;
    /// }
    /// // Only items with a color are in the index; the filter keeps count > 2.
    /// let found = Thing::BY_COLOR.scan_kw(&db, [("count__gt", 2.into())]).all().await?;
    /// assert_eq!(found.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["b"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn scan_kw<'a, K: AsRef<str>>(
        &self,
        db: &'a Db,
        terms: impl IntoIterator<Item = (K, Value)>,
    ) -> Scan<'a, M> {
        match self.lookup() {
            Ok(def) => Scan::from_kw(db, Some(def), terms),
            Err(e) => Scan::on_index(db, Err(e)),
        }
    }
}
