//! Scan: every item of the table, optionally filtered, in parallel segments.

use std::marker::PhantomData;

use aws_sdk_dynamodb::types::Select;
use futures::stream::{self, Stream, StreamExt, TryStreamExt};

use crate::codec::Item;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::expr::{Cond, Placeholders};
use crate::model::DynaModel;
use crate::ops::item::OpFuture;
use crate::ops::page::{Cursor, Page};
use crate::ops::read::{self, Fetch, Fetched};

/// A scan of `M`'s table: `Book::scan(&db)`.
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
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a scan does nothing until a terminal (all, first, count, page, stream) is awaited"]
pub struct Scan<'a, M: DynaModel> {
    db: &'a Db,
    filter: Option<Cond<M>>,
    limit: Option<usize>,
    page_size: Option<i32>,
    consistent: bool,
    segments: u32,
    segment: Option<i32>,
    _model: PhantomData<fn() -> M>,
}

impl<M: DynaModel> Clone for Scan<'_, M> {
    fn clone(&self) -> Self {
        Scan {
            db: self.db,
            filter: self.filter.clone(),
            limit: self.limit,
            page_size: self.page_size,
            consistent: self.consistent,
            segments: self.segments,
            segment: self.segment,
            _model: PhantomData,
        }
    }
}

impl<'a, M: DynaModel> Scan<'a, M> {
    /// A scan of the whole table.
    pub fn new(db: &'a Db) -> Self {
        Scan {
            db,
            filter: None,
            limit: None,
            page_size: None,
            consistent: false,
            segments: 1,
            segment: None,
            _model: PhantomData,
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

    /// Strongly consistent reads.
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

    fn segment_scans(&self) -> Vec<Scan<'a, M>> {
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
    pub fn stream(self) -> impl Stream<Item = Result<M>> + Send + 'a {
        let limit = self.limit;
        let merged = stream::select_all(
            self.segment_scans()
                .into_iter()
                .map(|scan| read::stream::<M, _>(scan, None).boxed()),
        );
        merged.take(limit.unwrap_or(usize::MAX))
    }

    /// Every matching item.
    pub async fn all(self) -> Result<Vec<M>> {
        self.stream().try_collect().await
    }

    /// The first matching item, if any.
    pub async fn first(self) -> Result<Option<M>> {
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
    pub async fn page(self, cursor: Option<Cursor>) -> Result<Page<M>> {
        let def = M::table_def();
        if self.segments > 1 {
            return Err(Error::InvalidQuery {
                model: def.model,
                message:
                    "page() reads one sequence of pages; it cannot be combined with segments()"
                        .into(),
            });
        }
        let start = match &cursor {
            Some(c) => Some(c.to_key(def, &[])?),
            None => None,
        };
        read::page(self, start).await
    }
}

impl<M: DynaModel> Fetch for Scan<'_, M> {
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
            let total_segments = self
                .segment
                .map(|_| i32::try_from(self.segments).unwrap_or(i32::MAX));
            tracing::debug!(table = %table, model = def.model, segment = ?self.segment, "Scan");
            let output = self
                .db
                .client()
                .scan()
                .table_name(&table)
                .set_filter_expression(filter)
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
}
