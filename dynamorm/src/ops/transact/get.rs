//! [`TransactGet`]: a consistent snapshot of several items on any models
//! (TransactGetItems), typed, in request order.

use std::fmt;
use std::future::IntoFuture;
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::{Get, TransactGetItem};

use crate::codec;
use crate::db::Db;
use crate::error::{Error, ErrorContext, Result, TransactionAction};
use crate::future::OpFuture;
use crate::item::Item;
use crate::model::{DynaModel, IntoKey};
use crate::request::key_item;
use crate::send::transaction;
use crate::validate;

use super::MAX_TRANSACTION_ACTIONS;

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
    gets: Vec<Result<(TransactGetItem, TransactionAction)>>,
}

impl<'a> TransactGet<'a> {
    pub(crate) fn new(db: &'a Db) -> Self {
        TransactGet {
            db,
            gets: Vec::new(),
        }
    }
}

impl TransactGet<'_> {
    /// Adds a read of the item of `M` with `key`; the [`Slot`] says where
    /// it lands in the result.
    pub fn get<M: DynaModel>(&mut self, key: impl IntoKey<M::Key>) -> Slot<M> {
        let def = M::table_def();
        let table = self.db.table_name(def);
        let key = key.into_key();
        let at = ErrorContext::new(def, &table);
        let about = TransactionAction {
            position: self.gets.len(),
            operation: "Get",
            model: def.model,
            table: table.clone(),
            key: format!("{key:?}"),
        };
        let get = key_item::<M>(&key, at).and_then(|key| {
            Get::builder()
                .table_name(&table)
                .set_key(Some(key))
                .build()
                .map(|get| TransactGetItem::builder().get(get).build())
                .map_err(|e| Error::invalid_query(at, format!("cannot build a Get: {e}")))
        });
        let index = self.gets.len();
        self.gets.push(get.map(|get| (get, about)));
        Slot {
            index,
            _model: PhantomData,
        }
    }

    async fn send(self) -> Result<TransactItems> {
        if let Some(Ok((_, over))) = self.gets.get(MAX_TRANSACTION_ACTIONS) {
            return Err(Error::invalid_query(
                ErrorContext {
                    model: over.model,
                    table: &over.table,
                },
                format!(
                    "a transaction reads at most {MAX_TRANSACTION_ACTIONS} items, got {} ({over} is one too many)",
                    self.gets.len()
                ),
            ));
        }
        // One Get per item: DynamoDB refuses two on one item, so slots that
        // ask for the same item share one.
        let mut items: Vec<TransactGetItem> = Vec::with_capacity(self.gets.len());
        let mut sent: Vec<TransactionAction> = Vec::with_capacity(self.gets.len());
        let mut tables = Vec::with_capacity(self.gets.len());
        let mut positions = Vec::with_capacity(self.gets.len());
        for get in self.gets {
            let (get, about) = get?;
            let same = items.iter().position(|earlier| {
                earlier.get().map(|g| (g.table_name(), g.key()))
                    == get.get().map(|g| (g.table_name(), g.key()))
            });
            positions.push(same.unwrap_or(items.len()));
            tables.push((about.model, about.table.clone()));
            if same.is_none() {
                items.push(get);
                sent.push(about);
            }
        }
        let responses = transaction::get(self.db, items, sent).await?;
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
