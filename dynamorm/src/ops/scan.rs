//! Scan: every item of the table or of an index, optionally filtered, in
//! parallel segments.

use std::marker::PhantomData;

use aws_sdk_dynamodb::types::Select;
use futures::stream::{self, Stream, StreamExt, TryStreamExt};
use serde_json::Value;

use crate::codec::Item;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::expr::{Cond, Placeholders};
use crate::model::{DynaModel, IndexDef, TableDef};
use crate::ops::item::OpFuture;
use crate::ops::page::{Cursor, Page};
use crate::ops::read::{self, Fetch, Fetched};

/// A scan of `M`'s table or index: `Book::scan(&db)`, `Thing::BY_COLOR.scan(&db)`.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "books")]
/// # struct Book { #[dynamo(hash_key)] isbn: String, author: String }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Book::table(&db).create().await?;
/// Book { isbn: "1".into(), author: "Mr. Bar".into() }.save(&db).await?;
/// Book { isbn: "2".into(), author: "Ms. Baz".into() }.save(&db).await?;
/// let books = Book::scan(&db).filter(Book::AUTHOR.ne("Mr. Bar")).segments(4).all().await?;
/// assert_eq!(books, [Book { isbn: "2".into(), author: "Ms. Baz".into() }]);
/// let same = Book::scan_kw(&db, [("author__ne", "Mr. Bar".into())]).all().await?;
/// assert_eq!(same, books);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a scan does nothing until a terminal (all, first, count, page, stream) is awaited"]
pub struct Scan<'a, M: DynaModel, O: DynaModel = M> {
    db: &'a Db,
    index: Option<&'static IndexDef>,
    filter: Option<Cond<M>>,
    limit: Option<usize>,
    page_size: Option<i32>,
    consistent: bool,
    segments: u32,
    segment: Option<i32>,
    error: Option<String>,
    _output: PhantomData<fn() -> O>,
}

impl<M: DynaModel, O: DynaModel> Clone for Scan<'_, M, O> {
    fn clone(&self) -> Self {
        Scan {
            db: self.db,
            index: self.index,
            filter: self.filter.clone(),
            limit: self.limit,
            page_size: self.page_size,
            consistent: self.consistent,
            segments: self.segments,
            segment: self.segment,
            error: self.error.clone(),
            _output: PhantomData,
        }
    }
}

impl<'a, M: DynaModel> Scan<'a, M> {
    /// A scan of the whole table.
    pub fn new(db: &'a Db) -> Self {
        Scan::build(db, None, None)
    }

    /// A scan of the secondary index `index`.
    pub(crate) fn on_index(db: &'a Db, index: Result<&'static IndexDef>) -> Self {
        match index {
            Ok(index) => Scan::build(db, Some(index), None),
            Err(e) => Scan::build(db, None, Some(e.to_string())),
        }
    }

    /// A scan filtered by DynamORM's double-under terms, ANDed:
    /// `Book::scan_kw(&db, [("author__ne", "Mr. Bar".into())])`. A bad term
    /// is [`Error::InvalidQuery`] when awaited, before any request.
    pub fn from_kw<K: AsRef<str>>(
        db: &'a Db,
        index: Option<&'static IndexDef>,
        terms: impl IntoIterator<Item = (K, Value)>,
    ) -> Self {
        match Cond::<M>::kw_all(terms) {
            Ok(filter) => Scan {
                filter,
                ..Scan::build(db, index, None)
            },
            Err(Error::InvalidQuery { message, .. }) => Scan::build(db, index, Some(message)),
            Err(other) => Scan::build(db, index, Some(other.to_string())),
        }
    }
}

impl<'a, M: DynaModel, O: DynaModel> Scan<'a, M, O> {
    fn build(db: &'a Db, index: Option<&'static IndexDef>, error: Option<String>) -> Self {
        Scan {
            db,
            index,
            filter: None,
            limit: None,
            page_size: None,
            consistent: false,
            segments: 1,
            segment: None,
            error,
            _output: PhantomData,
        }
    }

    /// Keeps only items matching `cond` (several calls combine with AND).
    pub fn filter(mut self, cond: Cond<M>) -> Self {
        self.filter = Some(match self.filter.take() {
            Some(existing) => existing & cond,
            None => cond,
        });
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

    /// Strongly consistent reads (not available on global indexes).
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// A parallel scan in `n` segments, read concurrently and merged into
    /// one result (order across segments is unspecified).
    pub fn segments(mut self, n: u32) -> Self {
        self.segments = n.clamp(1, 1_000_000);
        self
    }

    /// Requests only `P`'s attributes and decodes items into `P`.
    pub fn project<P: DynaModel>(self) -> Scan<'a, M, P> {
        Scan {
            db: self.db,
            index: self.index,
            filter: self.filter,
            limit: self.limit,
            page_size: self.page_size,
            consistent: self.consistent,
            segments: self.segments,
            segment: self.segment,
            error: self.error,
            _output: PhantomData,
        }
    }

    fn segment_scans(&self) -> Vec<Scan<'a, M, O>> {
        if self.segments <= 1 {
            return vec![self.clone()];
        }
        (0..self.segments)
            .map(|i| Scan {
                segment: Some(i32::try_from(i).unwrap_or(i32::MAX)),
                ..self.clone()
            })
            .collect()
    }

    /// The matching items as a stream; segments are read concurrently and
    /// each segment's next page is requested only when consumed.
    pub fn stream(self) -> impl Stream<Item = Result<O>> + Send + 'a {
        let limit = self.limit;
        let merged = stream::select_all(
            self.segment_scans()
                .into_iter()
                .map(|scan| read::stream(scan, None).boxed()),
        );
        merged.take(limit.unwrap_or(usize::MAX))
    }

    /// Every matching item.
    pub async fn all(self) -> Result<Vec<O>> {
        self.stream().try_collect().await
    }

    /// The first matching item, if any.
    pub async fn first(self) -> Result<Option<O>> {
        Ok(self.limit(1).all().await?.into_iter().next())
    }

    /// How many items match (`Select=COUNT`), summed over segments and pages.
    pub async fn count(self) -> Result<usize> {
        let limit = self.limit;
        let counts =
            futures::future::try_join_all(self.segment_scans().into_iter().map(read::count))
                .await?;
        let total: usize = counts.into_iter().sum();
        Ok(limit.map_or(total, |l| total.min(l)))
    }

    /// One page, starting at `cursor` (`None` for the first), with the cursor
    /// to the next. Not available for a segmented scan.
    pub async fn page(self, cursor: impl Into<Option<Cursor>>) -> Result<Page<O>> {
        let cursor = cursor.into();
        if self.segments > 1 {
            return Err(Error::InvalidQuery {
                model: M::table_def().model,
                message:
                    "page() reads one sequence of pages; it cannot be combined with segments()"
                        .into(),
            });
        }
        read::page(self, cursor).await
    }
}

impl<M: DynaModel, O: DynaModel> Fetch for Scan<'_, M, O> {
    type Output = O;

    fn fetch(
        &self,
        start: Option<Item>,
        limit: Option<i32>,
        count_only: bool,
    ) -> OpFuture<'_, Fetched> {
        Box::pin(async move {
            let def = M::table_def();
            if let Some(message) = &self.error {
                return Err(Error::InvalidQuery {
                    model: def.model,
                    message: message.clone(),
                });
            }
            let table = self.db.table_name(def);
            let mut placeholders = Placeholders::default();
            let filter = match &self.filter {
                Some(f) => Some(
                    f.render_for(Some(def), &mut placeholders)
                        .map_err(|message| Error::InvalidQuery {
                            model: def.model,
                            message,
                        })?,
                ),
                None => None,
            };
            let projection = if count_only {
                None
            } else {
                read::projection::<M, O>(self.index, &mut placeholders)?
            };
            let (names, values) = placeholders.into_maps();
            let total_segments = self
                .segment
                .map(|_| i32::try_from(self.segments).unwrap_or(i32::MAX));
            tracing::debug!(table = %table, model = def.model, segment = ?self.segment, "Scan");
            let output = self
                .db
                .client()
                .scan()
                .table_name(&table)
                .set_index_name(self.index.map(|i| i.name.to_owned()))
                .set_filter_expression(filter)
                .set_projection_expression(projection)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .consistent_read(self.consistent)
                .set_limit(limit)
                .set_exclusive_start_key(start)
                .set_segment(self.segment)
                .set_total_segments(total_segments)
                .set_select(count_only.then_some(Select::Count))
                .send()
                .await
                .map_err(|e| Error::sdk("Scan", &table, e))?;
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

    fn index(&self) -> Option<&'static IndexDef> {
        self.index
    }

    fn table_def(&self) -> &'static TableDef {
        M::table_def()
    }
}
