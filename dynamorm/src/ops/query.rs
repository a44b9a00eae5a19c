//! Query: the items under one hash key, optionally narrowed by a range-key
//! condition and filtered.

use std::marker::PhantomData;

use aws_sdk_dynamodb::types::{AttributeValue, Select};
use futures::Stream;

use crate::codec::Item;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::expr::{AttrPath, Cond, Placeholders};
use crate::model::{DynaModel, KeyPart};
use crate::ops::item::OpFuture;
use crate::ops::page::{Cursor, Page};
use crate::ops::read::{self, Fetch, Fetched};

/// A query on `M`'s table: `Book::query(&db, "isbn-1")`.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "books")]
/// # struct Book { #[dynamo(hash_key)] isbn: String, #[dynamo(range_key)] edition: i64, year: i64 }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Book::table(&db).create().await?;
/// for edition in 1..=4 {
///     Book { isbn: "i1".into(), edition, year: 1999 + edition }.save(&db).await?;
/// }
/// let books = Book::query(&db, "i1")
///     .range(Book::EDITION.between(2, 4))
///     .filter(Book::YEAR.gt(2001))
///     .reverse()
///     .all()
///     .await?;
/// assert_eq!(books.iter().map(|b| b.edition).collect::<Vec<_>>(), [4, 3]);
/// assert_eq!(Book::query(&db, "i1").count().await?, 4);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a query does nothing until a terminal (all, first, count, page, stream) is awaited"]
pub struct Query<'a, M: DynaModel> {
    db: &'a Db,
    hash: AttributeValue,
    range: Option<Cond<M>>,
    filter: Option<Cond<M>>,
    reverse: bool,
    limit: Option<usize>,
    page_size: Option<i32>,
    consistent: bool,
    _model: PhantomData<fn() -> M>,
}

impl<'a, M: DynaModel> Query<'a, M> {
    /// A query for the items whose hash key is `hash`.
    pub fn new(db: &'a Db, hash: M::HashKey) -> Self {
        Query {
            db,
            hash: hash.to_attr(),
            range: None,
            filter: None,
            reverse: false,
            limit: None,
            page_size: None,
            consistent: false,
            _model: PhantomData,
        }
    }

    /// A key condition on the range key: `eq`, `lt`, `lte`, `gt`, `gte`,
    /// `between` or `begins_with`. Anything else fails with
    /// [`Error::InvalidQuery`] before any request.
    pub fn range(mut self, cond: Cond<M>) -> Self {
        self.range = Some(cond);
        self
    }

    /// Keeps only items matching `cond` (several calls combine with AND).
    pub fn filter(mut self, cond: Cond<M>) -> Self {
        self.filter = Some(match self.filter.take() {
            Some(existing) => existing & cond,
            None => cond,
        });
        self
    }

    /// Descending range-key order.
    pub fn reverse(mut self) -> Self {
        self.reverse = true;
        self
    }

    /// At most `n` items in total.
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// At most `n` items per request (DynamoDB's `Limit`).
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(i32::try_from(n.max(1)).unwrap_or(i32::MAX));
        self
    }

    /// Strongly consistent reads.
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// Every matching item, fetching page after page.
    pub async fn all(self) -> Result<Vec<M>> {
        read::all(self).await
    }

    /// The first matching item, if any.
    pub async fn first(self) -> Result<Option<M>> {
        Ok(read::all::<M, _>(self.limit(1)).await?.into_iter().next())
    }

    /// How many items match, across all pages (`Select=COUNT`: no items are transferred).
    pub async fn count(self) -> Result<usize> {
        read::count(self).await
    }

    /// One page, starting at `cursor` (`None` for the first), with the cursor to the next.
    pub async fn page(self, cursor: Option<Cursor>) -> Result<Page<M>> {
        let start = match &cursor {
            Some(c) => Some(c.to_key(M::table_def(), &[])?),
            None => None,
        };
        read::page(self, start).await
    }

    /// The matching items as a stream; each page is requested only when the
    /// previous one has been consumed.
    pub fn stream(self) -> impl Stream<Item = Result<M>> + Send + 'a {
        read::stream::<M, _>(self, None)
    }

    fn key_condition(&self, placeholders: &mut Placeholders) -> Result<String> {
        let def = M::table_def();
        let invalid = |message: String| Error::InvalidQuery {
            model: def.model,
            message,
        };
        let hash_path = placeholders.path(&AttrPath::new(def.hash_key.name));
        let hash_value = placeholders.value(self.hash.clone());
        let mut expression = format!("{hash_path} = {hash_value}");
        if let Some(range) = &self.range {
            let Some(range_key) = def.range_key else {
                return Err(invalid(format!(
                    "{} has no range key, so `.range({range})` cannot apply",
                    def.model
                )));
            };
            if !range.is_key_condition_on(range_key.name) {
                return Err(invalid(format!(
                    "`.range({range})` must be one eq, lt, lte, gt, gte, between or begins_with on the range key `{}`",
                    range_key.name
                )));
            }
            let rendered = range.render(placeholders).map_err(invalid)?;
            expression.push_str(" AND ");
            expression.push_str(&rendered);
        }
        Ok(expression)
    }
}

impl<M: DynaModel> Fetch for Query<'_, M> {
    fn fetch(
        &self,
        start: Option<Item>,
        limit: Option<i32>,
        count_only: bool,
    ) -> OpFuture<'_, Fetched> {
        Box::pin(async move {
            let def = M::table_def();
            let table = self.db.table_name(def);
            let mut placeholders = Placeholders::default();
            let key_condition = self.key_condition(&mut placeholders)?;
            let filter =
                match &self.filter {
                    Some(f) => Some(f.render(&mut placeholders).map_err(|message| {
                        Error::InvalidQuery {
                            model: def.model,
                            message,
                        }
                    })?),
                    None => None,
                };
            let (names, values) = placeholders.into_maps();
            tracing::debug!(table = %table, model = def.model, "Query");
            let output = self
                .db
                .client()
                .query()
                .table_name(&table)
                .key_condition_expression(key_condition)
                .set_filter_expression(filter)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .scan_index_forward(!self.reverse)
                .consistent_read(self.consistent)
                .set_limit(limit)
                .set_exclusive_start_key(start)
                .set_select(count_only.then_some(Select::Count))
                .send()
                .await
                .map_err(|e| Error::sdk("Query", &table, e))?;
            Ok(Fetched {
                count: usize::try_from(output.count).unwrap_or(0),
                items: output.items.unwrap_or_default(),
                last_key: output.last_evaluated_key.filter(|k| !k.is_empty()),
            })
        })
    }

    fn total_limit(&self) -> Option<usize> {
        self.limit
    }

    fn page_size(&self) -> Option<i32> {
        self.page_size
    }

    fn filtered(&self) -> bool {
        self.filter.is_some()
    }
}
