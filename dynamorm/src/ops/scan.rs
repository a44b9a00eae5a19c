//! Scan: every item of the table or of an index, optionally filtered, in
//! parallel segments.

use aws_sdk_dynamodb::operation::scan::ScanInput;
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::Select;
use futures::stream::{self, Stream, StreamExt, TryStreamExt};
use serde_json::Value;

use crate::db::Db;
use crate::error::{Error, Result};
use crate::expr::{kw, Cond, Placeholders};
use crate::future::OpFuture;
use crate::item::Item;
use crate::model::DynaModel;
use crate::ops::page::{Cursor, Page};
use crate::ops::projection::Projection;
use crate::ops::read::{self, read_option_methods, Fetch, Fetched, ReadOptions, Want};
use crate::schema::IndexDef;
use crate::send::trace;

/// DynamoDB's largest `TotalSegments`.
const MAX_SEGMENTS: u32 = 1_000_000;

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
pub struct Scan<'a, M: DynaModel, O: Projection<M> = M> {
    db: &'a Db,
    segments: u32,
    segment: Option<i32>,
    options: ReadOptions<M>,
    _output: PhantomData<fn() -> O>,
}

impl<M: DynaModel, O: Projection<M>> Clone for Scan<'_, M, O> {
    fn clone(&self) -> Self {
        Scan {
            db: self.db,
            segments: self.segments,
            segment: self.segment,
            options: self.options.clone(),
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
    pub(crate) fn on_index(db: &'a Db, index: Result<&'static IndexDef, String>) -> Self {
        match index {
            Ok(index) => Scan::build(db, Some(index), None),
            Err(e) => Scan::build(db, None, Some(e)),
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
        match kw::all(M::table_def(), terms) {
            Ok(filter) => {
                let mut scan = Scan::build(db, index, None);
                scan.options.filter = filter;
                scan
            }
            Err(e) => Scan::build(db, index, Some(e)),
        }
    }
}

impl<'a, M: DynaModel, O: Projection<M>> Scan<'a, M, O> {
    fn build(db: &'a Db, index: Option<&'static IndexDef>, error: Option<String>) -> Self {
        Scan {
            db,
            segments: 1,
            segment: None,
            options: ReadOptions::new(db, index, error),
            _output: PhantomData,
        }
    }

    read_option_methods!();

    /// A parallel scan in `n` segments (1 to 1,000,000, DynamoDB's limit;
    /// anything else is [`Error::InvalidQuery`] when awaited), merged into one
    /// result (order across segments is unspecified). At most
    /// [`Db::concurrency`] segments are read at once.
    pub fn segments(mut self, n: u32) -> Self {
        if (1..=MAX_SEGMENTS).contains(&n) {
            self.segments = n;
        } else {
            self.options.fail(format!(
                "segments({n}): a scan has 1 to {MAX_SEGMENTS} segments"
            ));
        }
        self
    }

    /// Requests only `P`'s attributes and decodes items into `P`: a model
    /// declaring a subset of `M`'s fields, or a
    /// [`DynaProjection`](crate::DynaProjection) of `M`, nested paths included.
    pub fn project<P: Projection<M>>(self) -> Scan<'a, M, P> {
        Scan {
            db: self.db,
            segments: self.segments,
            segment: self.segment,
            options: self.options,
            _output: PhantomData,
        }
    }

    /// One scan per segment, made as they are read (a scan may have up to
    /// a million segments).
    fn segment_scans(self) -> impl Iterator<Item = Scan<'a, M, O>> + Send + 'a {
        let segmented = self.segments > 1;
        (0..self.segments).map(move |i| Scan {
            segment: segmented.then(|| i32::try_from(i).unwrap_or(i32::MAX)),
            ..self.clone()
        })
    }

    /// The matching items as a stream; up to [`Db::concurrency`] segments are
    /// read at once and each segment's next page is requested only when
    /// consumed.
    pub fn stream(self) -> impl Stream<Item = Result<O>> + Send + 'a {
        let limit = self.options.limit;
        // With limit(0) no segment is polled: report mistakes all the same.
        let mistake = match limit {
            Some(0) => self.check().err(),
            _ => None,
        };
        let concurrency = self.db.concurrency();
        let merged = stream::iter(self.segment_scans())
            .map(|scan| read::stream(scan, None).boxed())
            .flatten_unordered(concurrency);
        stream::iter(mistake.map(Err)).chain(merged.take(limit.unwrap_or(usize::MAX)))
    }

    /// Every matching item. Each page is decoded straight into the result
    /// (a segmented scan's pages in the order they arrive), not item by
    /// item through [`stream`](Self::stream).
    pub async fn all(self) -> Result<Vec<O>> {
        if self.segments == 1 {
            return read::all(self).await;
        }
        let limit = self.options.limit;
        if limit == Some(0) {
            self.check()?;
            return Ok(Vec::new());
        }
        let concurrency = self.db.concurrency();
        let pages = stream::iter(self.segment_scans())
            .map(|scan| read::pages(scan).boxed())
            .flatten_unordered(concurrency);
        collect_pages(pages, limit.unwrap_or(usize::MAX)).await
    }

    /// The first matching item, if any.
    pub async fn first(self) -> Result<Option<O>> {
        Ok(self.limit(1).all().await?.into_iter().next())
    }

    /// How many items match (`Select=COUNT`), summed over segments and pages.
    pub async fn count(self) -> Result<usize> {
        let limit = self.options.limit;
        let concurrency = self.db.concurrency();
        let total = stream::iter(self.segment_scans())
            .map(read::count)
            .buffer_unordered(concurrency)
            .try_fold(0usize, |total, count| async move { Ok(total + count) })
            .await?;
        Ok(limit.map_or(total, |l| total.min(l)))
    }

    /// One page, starting at `cursor` (`None` for the first), with the cursor
    /// to the next. Not available for a segmented scan.
    pub async fn page(self, cursor: impl Into<Option<Cursor>>) -> Result<Page<O>> {
        let cursor = cursor.into();
        if self.segments > 1 {
            return Err(Error::invalid_query(
                self.options.scope(),
                "page() reads one sequence of pages; it cannot be combined with segments()",
            ));
        }
        read::page(self, cursor).await
    }
}

/// The items of `pages` (segments' pages, in the order they arrive), up to
/// `limit` in all: the first `limit` items arrived win, as with
/// [`Scan::stream`], and an error after them is not reached.
async fn collect_pages<O>(
    pages: impl Stream<Item = Result<Vec<O>>>,
    limit: usize,
) -> Result<Vec<O>> {
    let mut pages = std::pin::pin!(pages);
    let mut items = Vec::new();
    while items.len() < limit {
        let Some(page) = pages.try_next().await? else {
            break;
        };
        let wanted = page.len().min(limit - items.len());
        items.extend(page.into_iter().take(wanted));
    }
    Ok(items)
}

impl<M: DynaModel, O: Projection<M>> std::fmt::Debug for Scan<'_, M, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scan")
            .field("db", self.db)
            .field("model", &M::table_def().model)
            .field("output", &O::projection_name())
            .field("segments", &self.segments)
            .field("segment", &self.segment)
            .field("options", &self.options)
            .finish()
    }
}

impl<M: DynaModel, O: Projection<M>> Fetch for Scan<'_, M, O> {
    type Model = M;
    type Output = O;

    fn fetch(&self, start: Option<Item>, limit: Option<i32>, want: Want) -> OpFuture<'_, Fetched> {
        Box::pin(async move {
            let count_only = want == Want::Count;
            let def = M::table_def();
            let table = &self.options.table;
            let mut placeholders = Placeholders::default();
            let (filter, projection) = self.options.render::<O>(count_only, &mut placeholders)?;
            let (names, values) = placeholders.into_maps();
            let total_segments = self
                .segment
                .map(|_| i32::try_from(self.segments).unwrap_or(i32::MAX));
            let span = trace::span("Scan", table, def.model);
            let request = ScanInput::builder()
                .table_name(table)
                .set_index_name(self.options.index.map(|i| i.name.to_owned()))
                .set_filter_expression(filter)
                .set_projection_expression(projection)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .consistent_read(self.options.consistent)
                .set_limit(limit)
                .set_exclusive_start_key(start)
                .set_segment(self.segment)
                .set_total_segments(total_segments)
                .set_select(count_only.then_some(Select::Count))
                .set_return_consumed_capacity(self.options.capacity_wanted(&span));
            let as_text = want == Want::Text && O::reads_text(self.options.index);
            let at = self.options.scope();
            read::send_page(self.db, request, as_text, "Scan", &span, at).await
        })
    }

    fn options(&self) -> &ReadOptions<M> {
        &self.options
    }

    fn decode(&self, item: Item) -> Option<Result<O>> {
        let options = &self.options;
        Some(O::from_item(item, &options.table, options.index))
    }

    fn decode_text(&self, text: &[u8]) -> Option<Result<O>> {
        let options = &self.options;
        Some(O::from_text(text, &options.table, options.index))
    }

    fn check(&self) -> Result<()> {
        self.options
            .render::<O>(false, &mut Placeholders::default())
            .map(drop)
    }

    fn binding(&self) -> Result<String> {
        let mut placeholders = Placeholders::default();
        let (filter, projection) = self.options.render::<O>(false, &mut placeholders)?;
        let operation = match self.segment {
            Some(segment) => format!("Scan segment {segment} of {}", self.segments),
            None => "Scan".to_owned(),
        };
        Ok(read::binding(
            &operation,
            &self.options,
            true,
            [None, filter.as_deref(), projection.as_deref()],
            placeholders,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorContext;

    /// Pages as segments deliver them: two good ones, then a failure.
    fn pages() -> impl Stream<Item = Result<Vec<u32>>> {
        let failure = Error::invalid_query(
            ErrorContext {
                model: "Thing",
                table: "things",
            },
            "item 6 does not decode",
        );
        stream::iter([Ok(vec![1, 2, 3]), Ok(vec![4, 5]), Err(failure)])
    }

    #[tokio::test]
    async fn collected_pages_keep_the_first_items_up_to_the_limit() {
        assert_eq!(collect_pages(pages(), 0).await.unwrap(), Vec::<u32>::new());
        assert_eq!(collect_pages(pages(), 2).await.unwrap(), [1, 2]);
        assert_eq!(collect_pages(pages(), 5).await.unwrap(), [1, 2, 3, 4, 5]);
    }

    #[tokio::test]
    async fn an_error_within_the_limit_fails_the_collection() {
        let err = collect_pages(pages(), 6).await.unwrap_err();
        assert!(err.to_string().contains("item 6"), "{err}");
        assert!(collect_pages(pages(), usize::MAX).await.is_err());
    }
}
