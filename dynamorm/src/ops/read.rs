//! What query and scan share: fetching pages and the terminals built on it
//! (`all`, `first`, `count`, `page`, `stream`).

use aws_sdk_dynamodb::types::{AttributeValue, ConsumedCapacity, ReturnConsumedCapacity};
use futures::stream::{self, Stream, TryStreamExt};
use tracing::Instrument;

use crate::codec;
use crate::cursor_keys::CursorKeys;
use crate::db::Db;
use crate::error::{Error, ErrorContext, Result};
use crate::expr::{limits, AttrPath, Cond, Placeholders};
use crate::future::OpFuture;
use crate::item::Item;
use crate::model::{DynaModel, TableSource};
use crate::ops::page::{Cursor, Page};
use crate::ops::projection::Projection;
use crate::rate_limit::{self, RateLimit};
use crate::retry::Retry;
use crate::schema::{IndexDef, KeyDef, ProjectionDef, TableDef};
use crate::send::trace;
use crate::wire::operations::{KeepsItemsAsText, PageItems, TextPage};

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// The number of matching items only.
    Count,
    /// The items, parsed.
    Items,
    /// The items, left as text where the read decodes them from text
    /// (see [`Fetch::decode_text`]).
    Text,
}

/// One response: the items (or only their count) and where to resume.
pub(crate) struct Fetched {
    pub items: PageItems,
    pub count: usize,
    pub last_key: Option<Item>,
    /// The capacity units the response reports consumed, if it does.
    pub consumed: Option<f64>,
}

impl Fetched {
    /// From a Query or Scan response's parts.
    pub(crate) fn new(count: i32, items: Option<Vec<Item>>, last_key: Option<Item>) -> Self {
        Fetched::from_page(TextPage {
            items: PageItems::Parsed(items.unwrap_or_default()),
            count,
            last_evaluated_key: last_key,
            consumed_capacity: None,
        })
    }

    /// From a page whose items may still be text.
    pub(crate) fn from_page(page: TextPage) -> Self {
        Fetched {
            count: usize::try_from(page.count).unwrap_or(0),
            items: page.items,
            last_key: page.last_evaluated_key.filter(|k| !k.is_empty()),
            consumed: None,
        }
    }

    /// The items, parsed (a page's text parsed here); errors name `at`.
    pub(crate) fn parsed_items(&mut self, at: ErrorContext<'_>) -> Result<Vec<Item>> {
        match std::mem::take(&mut self.items) {
            PageItems::Parsed(items) => Ok(items),
            PageItems::Text(texts) => texts
                .iter()
                .map(|text| codec::parse_text(text, at))
                .collect(),
        }
    }

    /// With the capacity the response reports consumed.
    pub(crate) fn consumed<'c>(
        mut self,
        consumed: impl IntoIterator<Item = &'c ConsumedCapacity>,
    ) -> Self {
        self.consumed = rate_limit::reported(consumed);
        self
    }
}

/// Sends one Query or Scan `request` (`operation`) in `span`, its items
/// left as text when `as_text`; errors name `at`.
pub(crate) async fn send_page<B: KeepsItemsAsText<Text = TextPage>>(
    db: &Db,
    request: B,
    as_text: bool,
    operation: &'static str,
    span: &tracing::Span,
    at: ErrorContext<'_>,
) -> Result<Fetched> {
    let mut page = db
        .send_keeping_text(request, as_text)
        .instrument(span.clone())
        .await
        .map_err(|e| Error::sdk(at, operation, e))?;
    trace::record(span, page.consumed_capacity.as_ref());
    let consumed = page.consumed_capacity.take();
    Ok(Fetched::from_page(page).consumed(consumed.as_ref()))
}

/// A request's rendered `FilterExpression` and `ProjectionExpression`.
pub(crate) type FilterAndProjection = (Option<String>, Option<String>);

/// The options query and scan share.
pub(crate) struct ReadOptions<M> {
    /// The full table name (prefix included).
    pub table: String,
    /// What errors name as the model: the model read, or the collection.
    pub model: &'static str,
    /// The index read, if any.
    pub index: Option<&'static IndexDef>,
    /// The filter, ANDed over `.filter(..)` calls.
    pub filter: Option<Cond<M>>,
    /// The total number of items wanted (`.limit(n)`).
    pub limit: Option<usize>,
    /// Items per request (`.page_size(n)`).
    pub page_size: Option<i32>,
    /// Strongly consistent reads.
    pub consistent: bool,
    /// An entity's read also returns items without a tag: a query, whose
    /// key condition keeps to keys the entity's templates write (an item
    /// another program wrote under them is read as the entity, as a `get`
    /// reads it). A scan returns tagged items only.
    pub untagged: bool,
    /// A mistake found while building (bad `__` term, unknown index),
    /// reported as [`Error::InvalidQuery`] when awaited, before any request.
    pub error: Option<String>,
    /// The keys page cursors are signed with (none: unsigned).
    pub cursor_keys: CursorKeys,
    /// The read budget (`.max_read_units(..)`), shared by every request.
    pub read_limit: Option<RateLimit>,
    /// How a throttled request of a rate-limited read is retried.
    pub retry: Retry,
}

impl<M> Clone for ReadOptions<M> {
    fn clone(&self) -> Self {
        ReadOptions {
            table: self.table.clone(),
            model: self.model,
            index: self.index,
            filter: self.filter.clone(),
            limit: self.limit,
            page_size: self.page_size,
            consistent: self.consistent,
            untagged: self.untagged,
            error: self.error.clone(),
            cursor_keys: self.cursor_keys.clone(),
            read_limit: self.read_limit.clone(),
            retry: self.retry,
        }
    }
}

impl<M> std::fmt::Debug for ReadOptions<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadOptions")
            .field("table", &self.table)
            .field("index", &self.index.map(|i| i.name))
            .field("filter", &self.filter)
            .field("limit", &self.limit)
            .field("page_size", &self.page_size)
            .field("consistent", &self.consistent)
            .field("error", &self.error)
            .finish()
    }
}

impl<M: TableSource> ReadOptions<M> {
    /// Options for reading `M`'s table (or `index`) on `db`; `error` is a
    /// mistake already found while building.
    pub(crate) fn new(db: &Db, index: Option<&'static IndexDef>, error: Option<String>) -> Self {
        let def = <M as TableSource>::table_def();
        ReadOptions {
            table: db.table_name(def),
            model: def.model,
            index,
            filter: None,
            limit: None,
            page_size: None,
            consistent: false,
            untagged: false,
            error,
            cursor_keys: db.cursor_keys().clone(),
            read_limit: None,
            retry: db.retry(),
        }
    }

    /// Sets the read budget, or the error a bad one is.
    pub(crate) fn limit_reads(&mut self, per_second: f64) {
        match RateLimit::new(per_second, "max_read_units") {
            Ok(limit) => self.read_limit = Some(limit),
            Err(why) => self.error = Some(why),
        }
    }

    /// `ReturnConsumedCapacity` for a request traced by `span`: `TOTAL` when
    /// the read is rate-limited or traced.
    pub(crate) fn capacity_wanted(&self, span: &tracing::Span) -> Option<ReturnConsumedCapacity> {
        trace::capacity_wanted_by(self.read_limit.is_some(), span)
    }

    /// The model and table errors name.
    pub(crate) fn scope(&self) -> ErrorContext<'_> {
        ErrorContext {
            model: self.model,
            table: &self.table,
        }
    }

    /// The table read.
    pub(crate) fn def(&self) -> &'static TableDef {
        <M as TableSource>::table_def()
    }

    /// The key attributes of the table or index read: (hash, range).
    pub(crate) fn keys(&self) -> (KeyDef, Option<KeyDef>) {
        match self.index {
            Some(i) => (i.hash_key, i.range_key),
            None => (self.def().hash_key, self.def().range_key),
        }
    }

    /// Whether `attribute` is a key of the table or index read (DynamoDB
    /// filters no key attribute).
    pub(crate) fn is_key(&self, attribute: &str) -> bool {
        let (hash, range) = self.keys();
        hash.name == attribute || range.is_some_and(|k| k.name == attribute)
    }

    /// Records a mistake found while building, to report when awaited.
    pub(crate) fn fail(&mut self, message: String) {
        self.error = Some(message);
    }

    pub(crate) fn and_filter(&mut self, cond: Cond<M>) {
        Cond::and_into(&mut self.filter, cond);
    }

    pub(crate) fn set_page_size(&mut self, n: u32) {
        self.page_size = Some(i32::try_from(n.max(1)).unwrap_or(i32::MAX));
    }

    /// Fails with the mistake recorded while building, if any.
    pub(crate) fn check(&self) -> Result<()> {
        match &self.error {
            Some(message) => Err(Error::invalid_query(self.scope(), message.clone())),
            None => Ok(()),
        }
    }

    /// For an entity of a shared table, the filter ANDed with "the item is
    /// tagged as this entity" (or one of its aliases; or has no tag, for a
    /// query, whose key condition keeps to the entity's keys), so queries
    /// and scans return its items only; `None` for a model with its own table, or when
    /// the tag is a key of the table or index read (DynamoDB filters no key
    /// attribute).
    fn entity_filter(&self) -> Option<Cond<M>> {
        let entity = self.def().entity?;
        if self.is_key(entity.tag_attribute) {
            return self.filter.clone();
        }
        let mut tagged = tagged_as(
            entity.tag_attribute,
            std::iter::once(entity.name).chain(entity.aliases.iter().copied()),
        )?;
        if self.untagged {
            tagged = tagged.or(Cond::not_exists(AttrPath::new(entity.tag_attribute)));
        }
        Some(match &self.filter {
            Some(filter) => filter.clone().and(tagged),
            None => tagged,
        })
    }

    /// The rendered filter (with the entity tag's, for an entity), its
    /// length checked; a mistake recorded while building comes first.
    pub(crate) fn render_filter(&self, placeholders: &mut Placeholders) -> Result<Option<String>> {
        self.check()?;
        let tagged = self.entity_filter();
        let Some(cond) = tagged.as_ref().or(self.filter.as_ref()) else {
            return Ok(None);
        };
        let filter = cond
            .render_for(Some(self.def()), placeholders)
            .map_err(|message| Error::invalid_query(self.scope(), message))?;
        limits::check_length("FilterExpression", &filter)
            .map_err(|message| Error::invalid_query(self.scope(), message))?;
        Ok(Some(filter))
    }
}

/// "The item is tagged as one of `tags`", on the tag attribute `attribute`;
/// `None` for no tags.
pub(crate) fn tagged_as<'t, M>(
    attribute: &'static str,
    tags: impl IntoIterator<Item = &'t str>,
) -> Option<Cond<M>> {
    let tag =
        |name: &str| Cond::equals(AttrPath::new(attribute), AttributeValue::S(name.to_owned()));
    tags.into_iter()
        .map(tag)
        .reduce(|either, other| either.or(other))
}

impl<M: DynaModel> ReadOptions<M> {
    /// The rendered filter and projection of one request reading `O`s; a
    /// mistake recorded while building comes first.
    pub(crate) fn render<O: Projection<M>>(
        &self,
        count_only: bool,
        placeholders: &mut Placeholders,
    ) -> Result<FilterAndProjection> {
        let filter = self.render_filter(placeholders)?;
        let projection = if count_only {
            None
        } else {
            projection::<M, O>(self.index, placeholders)
                .map_err(|message| Error::invalid_query(self.scope(), message))?
        };
        Ok((filter, projection))
    }
}

/// The builder methods query and scan share, over their `options` field.
macro_rules! read_option_methods {
    () => {
        /// Keeps only items matching `cond` (several calls combine with AND).
        pub fn filter(mut self, cond: Cond<M>) -> Self {
            self.options.and_filter(cond);
            self
        }

        /// At most `n` items in total (per page for [`page`](Self::page)).
        pub fn limit(mut self, n: usize) -> Self {
            self.options.limit = Some(n);
            self
        }

        /// At most `n` items per request (DynamoDB's `Limit`).
        pub fn page_size(mut self, n: u32) -> Self {
            self.options.set_page_size(n);
            self
        }

        /// Strongly consistent reads (not available on global indexes).
        pub fn consistent(mut self) -> Self {
            self.options.consistent = true;
            self
        }

        /// Reads at most `per_second` read capacity units per second, over
        /// every request of the read (every segment of a parallel scan, every
        /// page, and `count()`): each request waits until the units the
        /// ones before it consumed are paid for at that rate (the first
        /// never waits). Units are what each response reports consumed
        /// (ConsumedCapacity is asked for), or, from an engine that reports
        /// none, what DynamoDB bills for the items returned (4 KB blocks,
        /// half for eventually consistent reads). A throttled request halves
        /// the rate, which then recovers gradually, and is sent again (as
        /// often as [`Db::retry`](crate::Db::retry) allows); nothing is read
        /// twice or skipped. Not a positive number: [`Error::InvalidQuery`]
        /// when awaited.
        pub fn max_read_units(mut self, per_second: f64) -> Self {
            self.options.limit_reads(per_second);
            self
        }
    };
}
pub(crate) use read_option_methods;

/// A read that returns pages: a query or a scan (segment).
pub(crate) trait Fetch: Send + Sync {
    /// The model (or shared table) read.
    type Model: TableSource;
    /// What each item decodes into.
    type Output: Send;
    /// Sends one request starting at `start`, asking for at most `limit`
    /// items (or their count), as `want` says.
    fn fetch(&self, start: Option<Item>, limit: Option<i32>, want: Want) -> OpFuture<'_, Fetched>;
    /// The shared options.
    fn options(&self) -> &ReadOptions<Self::Model>;
    /// Decodes and validates one item; `None` skips it (a collection's
    /// item of an entity it does not hold, when told to skip those).
    fn decode(&self, item: Item) -> Option<Result<Self::Output>>;
    /// [`decode`](Self::decode) of an item's JSON text, for a read that
    /// fetches pages as text: parsed, then decoded, unless the read decodes
    /// the text straight into its output.
    fn decode_text(&self, text: &[u8]) -> Option<Result<Self::Output>> {
        match codec::parse_text(text, self.options().scope()) {
            Ok(item) => self.decode(item),
            Err(e) => Some(Err(e)),
        }
    }
    /// Checks a cursor's key against what this read covers (a query's hash
    /// key and range condition); `Err` says why it cannot start here.
    fn check_start(&self, _start: &Item) -> Result<(), String> {
        Ok(())
    }
    /// Renders the request without sending it, so a read that needs no
    /// request (`limit(0)`) reports the same mistakes as one that does.
    fn check(&self) -> Result<()>;

    /// What a signed cursor of this read is bound to (see [`binding`]).
    fn binding(&self) -> Result<String>;
}

/// What a signed page cursor is bound to: the operation, table, index and
/// direction, and the request's expressions (key condition, filter,
/// projection) with every name and value they use — so the cursor of one
/// read is refused by any other.
pub(crate) fn binding(
    operation: &str,
    options: &ReadOptions<impl Sized>,
    forward: bool,
    expressions: [Option<&str>; 3],
    placeholders: Placeholders,
) -> String {
    let (names, values) = placeholders.into_maps();
    let mut names: Vec<(String, String)> = names.unwrap_or_default().into_iter().collect();
    names.sort();
    let mut values: Vec<(String, String)> = values
        .unwrap_or_default()
        .into_iter()
        .map(|(name, value)| (name, format!("{value:?}")))
        .collect();
    values.sort();
    format!(
        "{operation}\n{}\n{}\n{forward}\n{expressions:?}\n{names:?}\n{values:?}",
        options.table,
        options.index.map_or("", |i| i.name),
    )
}

/// DynamoDB's `Limit` for the next request.
fn request_limit<F: Fetch>(read: &F, remaining: Option<usize>) -> Option<i32> {
    let options = read.options();
    match (options.page_size, remaining) {
        (Some(size), _) => Some(size),
        (None, Some(left)) if options.filter.is_none() => {
            Some(i32::try_from(left).unwrap_or(i32::MAX))
        }
        _ => None,
    }
}

/// Where a read of page after page stands: the key to resume from, whether
/// the last page was read, and how many more items are wanted.
struct PageReader<F> {
    read: F,
    start: Option<Item>,
    done: bool,
    remaining: Option<usize>,
}

impl<F: Fetch> PageReader<F> {
    /// A reader of `read`'s pages from `start` (`None`: the first).
    fn new(read: F, start: Option<Item>) -> Self {
        let remaining = read.options().limit;
        PageReader {
            read,
            start,
            done: false,
            remaining,
        }
    }

    /// The next page's items as DynamoDB returned them (as text, when the
    /// read decodes text); `None` once the last page was read or no more
    /// items are wanted.
    async fn next_raw(&mut self) -> Result<Option<PageItems>> {
        if self.done || self.remaining == Some(0) {
            return Ok(None);
        }
        let limit = request_limit(&self.read, self.remaining);
        let fetched = fetch(&self.read, self.start.take(), limit, Want::Text).await?;
        self.done = fetched.last_key.is_none();
        self.start = fetched.last_key;
        Ok(Some(fetched.items))
    }

    /// How many of a page's `raw` items can still be wanted.
    fn wanted(&self, raw: usize) -> usize {
        self.remaining.map_or(raw, |left| left.min(raw))
    }

    /// Decodes a page's items in order, up to the limit, each counted
    /// against it (skipped ones are not), handing each (or the error it
    /// is) to `take` until `take` says stop.
    fn decode_page(&mut self, raw: PageItems, mut take: impl FnMut(Result<F::Output>) -> bool) {
        let mut keep = |remaining: &mut Option<usize>, decoded: Option<Result<F::Output>>| {
            let Some(output) = decoded else {
                return true;
            };
            if let Some(left) = remaining.as_mut() {
                *left -= 1;
            }
            take(output)
        };
        match raw {
            PageItems::Parsed(items) => {
                for item in items {
                    if self.remaining == Some(0)
                        || !keep(&mut self.remaining, self.read.decode(item))
                    {
                        break;
                    }
                }
            }
            PageItems::Text(texts) => {
                for text in texts.iter() {
                    if self.remaining == Some(0)
                        || !keep(&mut self.remaining, self.read.decode_text(text))
                    {
                        break;
                    }
                }
            }
        }
    }

    /// A page's items, each decoded (or the error it is), up to the limit.
    fn decode_each(&mut self, raw: PageItems) -> Vec<Result<F::Output>> {
        let mut decoded = Vec::with_capacity(self.wanted(raw.len()));
        self.decode_page(raw, |output| {
            decoded.push(output);
            true
        });
        decoded
    }

    /// Decodes a page's items into `out`, up to the limit, each raw item
    /// released as soon as it is decoded; stops at the first that fails
    /// (the ones before it are in `out`).
    fn decode_into(&mut self, raw: PageItems, out: &mut Vec<F::Output>) -> Result<()> {
        out.reserve(self.wanted(raw.len()));
        let mut failed = None;
        self.decode_page(raw, |output| match output {
            Ok(output) => {
                out.push(output);
                true
            }
            Err(e) => {
                failed = Some(e);
                false
            }
        });
        failed.map_or(Ok(()), Err)
    }
}

/// The items, lazily: the next page is requested only when consumed.
pub(crate) fn stream<'a, F: Fetch + 'a>(
    read: F,
    start: Option<Item>,
) -> impl Stream<Item = Result<F::Output>> + Send + 'a {
    struct State<F> {
        pages: PageReader<F>,
        /// `limit(0)`: no request is sent, but the mistakes any request
        /// would report are reported once, before ending.
        check_only: bool,
    }
    let check_only = read.options().limit == Some(0);
    let state = State {
        pages: PageReader::new(read, start),
        check_only,
    };
    let pages = stream::try_unfold(state, |mut state| async move {
        if std::mem::take(&mut state.check_only) {
            state.pages.read.check()?;
        }
        let Some(raw) = state.pages.next_raw().await? else {
            return Ok(None);
        };
        let decoded = state.pages.decode_each(raw);
        Ok(Some((stream::iter(decoded), state)))
    });
    pages.try_flatten()
}

/// The items page by page, each page decoded into a `Vec` of its own; a
/// page with an item that fails to decode is followed by that error, which
/// ends the stream. The next page is requested only when consumed.
pub(crate) fn pages<'a, F: Fetch + 'a>(
    read: F,
) -> impl Stream<Item = Result<Vec<F::Output>>> + Send + 'a {
    struct State<F> {
        pages: PageReader<F>,
        /// The error that ended the last page, reported next.
        failed: Option<Error>,
    }
    let state = State {
        pages: PageReader::new(read, None),
        failed: None,
    };
    stream::unfold(Some(state), |state| async move {
        let mut state = state?;
        if let Some(e) = state.failed.take() {
            return Some((Err(e), None));
        }
        match state.pages.next_raw().await {
            Ok(Some(raw)) => {
                let mut items = Vec::new();
                state.failed = state.pages.decode_into(raw, &mut items).err();
                Some((Ok(items), Some(state)))
            }
            Ok(None) => None,
            Err(e) => Some((Err(e), None)),
        }
    })
}

/// One request of `read`, within its read budget when it has one: it waits
/// for the budget, then draws the units the response reports consumed (or
/// the ones DynamoDB bills for what it returned); a throttled request
/// halves the budget's rate and is sent again, as the retry policy allows.
async fn fetch<F: Fetch>(
    read: &F,
    start: Option<Item>,
    limit: Option<i32>,
    want: Want,
) -> Result<Fetched> {
    let options = read.options();
    let Some(budget) = &options.read_limit else {
        return read.fetch(start, limit, want).await;
    };
    // The units a response bills are counted from its parsed items.
    let want = match want {
        Want::Text => Want::Items,
        other => other,
    };
    let mut attempts = 0;
    loop {
        let reserved = budget.acquire(None).await;
        attempts += 1;
        match read.fetch(start.clone(), limit, want).await {
            Ok(fetched) => {
                let units = fetched.consumed.unwrap_or_else(|| {
                    let items = fetched.items.parsed();
                    rate_limit::query_read_units(items, fetched.count, options.consistent)
                });
                budget.spend(reserved, units);
                return Ok(fetched);
            }
            Err(e) => {
                budget.release(reserved);
                if !(e.is_throttling() && options.retry.allows_another(attempts)) {
                    return Err(e);
                }
                budget.throttled();
            }
        }
    }
}

/// Every item, page by page: each page's items are decoded straight into
/// the result (reserved from the page's count), each raw item released as
/// soon as it is decoded, with no stream in between.
pub(crate) async fn all<F: Fetch>(read: F) -> Result<Vec<F::Output>> {
    if read.options().limit == Some(0) {
        read.check()?;
        return Ok(Vec::new());
    }
    let mut pages = PageReader::new(read, None);
    let mut items = Vec::new();
    while let Some(raw) = pages.next_raw().await? {
        pages.decode_into(raw, &mut items)?;
    }
    Ok(items)
}

/// The number of matching items across all pages (`Select=COUNT`).
pub(crate) async fn count<F: Fetch>(read: F) -> Result<usize> {
    if read.options().limit == Some(0) {
        read.check()?;
        return Ok(0);
    }
    let mut total = 0usize;
    let mut start = None;
    loop {
        let fetched = fetch(&read, start, read.options().page_size, Want::Count).await?;
        total += fetched.count;
        if let Some(limit) = read.options().limit {
            if total >= limit {
                return Ok(limit);
            }
        }
        match fetched.last_key {
            Some(key) => start = Some(key),
            None => return Ok(total),
        }
    }
}

/// One page starting at `cursor`, with the cursor to the next.
pub(crate) async fn page<F: Fetch>(read: F, cursor: Option<Cursor>) -> Result<Page<F::Output>> {
    let options = read.options();
    options.check()?;
    let signer = &options.cursor_keys;
    let binding = if signer.signs() {
        signer.usable().map_err(|why| {
            Error::invalid_query(options.scope(), format!("cannot sign cursors: {why}"))
        })?;
        read.binding()?
    } else {
        String::new()
    };
    let keys = key_attributes(options.def(), options.index);
    let start = match &cursor {
        Some(c) => {
            let start = c.open(options.scope(), &keys, signer, binding.as_bytes())?;
            read.check_start(&start).map_err(|why| {
                Error::invalid_query(options.scope(), format!("invalid cursor: {why}"))
            })?;
            Some(start)
        }
        None => None,
    };
    if options.limit == Some(0) {
        // Nothing wanted: DynamoDB refuses Limit=0, and there is no next page.
        read.check()?;
        return Ok(Page {
            items: Vec::new(),
            next: None,
        });
    }
    let limit = request_limit(&read, options.limit);
    let mut fetched = fetch(&read, start, limit, Want::Items).await?;
    let raw = fetched.parsed_items(options.scope())?;
    let mut last_key = fetched.last_key;
    let raw_count = raw.len();
    let mut items = Vec::with_capacity(raw_count);
    for (position, item) in raw.into_iter().enumerate() {
        // A filtered page can hold more than the limit: resume after the
        // last item kept, not after the last one DynamoDB evaluated. Its
        // key attributes are always read (see `projection`).
        let last_wanted = options.limit == Some(items.len() + 1) && position + 1 < raw_count;
        let key = last_wanted.then(|| key_of(&item, keys.iter().map(|k| k.name)));
        if let Some(output) = read.decode(item) {
            items.push(output?);
            if key.is_some() {
                last_key = key;
                break;
            }
        }
    }
    let next = last_key
        .as_ref()
        .map(|key| Cursor::issue(key, signer, binding.as_bytes()))
        .transpose()
        .map_err(|why| {
            Error::invalid_query(options.scope(), format!("cannot sign cursors: {why}"))
        })?;
    Ok(Page { items, next })
}

/// The key attributes a read's cursor holds: the table's keys and, on an
/// index, the index's keys, each once.
pub(crate) fn key_attributes(def: &TableDef, index: Option<&IndexDef>) -> Vec<KeyDef> {
    let mut keys: Vec<KeyDef> = def.hash_key_and_range().collect();
    for key in index.into_iter().flat_map(IndexDef::hash_key_and_range) {
        if !keys.iter().any(|k| k.name == key.name) {
            keys.push(key);
        }
    }
    keys
}

/// The key attributes `names` of `item`, as an `ExclusiveStartKey`.
fn key_of<'n>(item: &Item, names: impl Iterator<Item = &'n str>) -> Item {
    names
        .filter_map(|name| item.get(name).map(|v| (name.to_owned(), v.clone())))
        .collect()
}

/// `ProjectionExpression` for reading only `O`'s attribute paths, when `O`
/// is not the model itself. Every path must start at one of `M`'s
/// attributes and, on an index that does not project everything, one the
/// index holds.
pub(crate) fn projection<M: DynaModel, O: Projection<M>>(
    index: Option<&'static IndexDef>,
    placeholders: &mut Placeholders,
) -> Result<Option<String>, String> {
    let Some(paths) = O::projected_paths() else {
        return Ok(None);
    };
    let def = M::table_def();
    let name = O::projection_name();
    let mut requested: Vec<AttrPath> = Vec::with_capacity(paths.len() + 2);
    for text in paths {
        let path = AttrPath::parse(text)
            .ok_or_else(|| format!("project::<{name}>(): `{text}` is not an attribute path"))?;
        let root = path.root();
        if def.field(root).is_none() {
            return Err(format!(
                "project::<{name}>(): `{root}` is not an attribute of {}",
                def.model
            ));
        }
        if let Some(index) = index {
            let held = match index.projection {
                ProjectionDef::All => true,
                ProjectionDef::KeysOnly => false,
                ProjectionDef::Include(names) => names.contains(&root),
            } || def.key_names().chain(index.key_names()).any(|k| k == root);
            if !held {
                return Err(format!(
                    "project::<{name}>(): index `{}` does not hold `{root}`",
                    index.name
                ));
            }
        }
        if !requested.contains(&path) {
            requested.push(path);
        }
    }
    // The key attributes are always requested, whatever `O` holds: a page
    // builds its cursor from the last item's keys (table and index keys).
    for key in key_attributes(def, index) {
        if !requested
            .iter()
            .any(|p| p.segments().len() == 1 && p.root() == key.name)
        {
            requested.push(AttrPath::new(key.name));
        }
    }
    expression_of(&requested, placeholders).map(Some)
}

/// The `ProjectionExpression` naming `paths`, each through `placeholders`;
/// `Err` when it is longer than DynamoDB accepts.
pub(crate) fn expression_of(
    paths: &[AttrPath],
    placeholders: &mut Placeholders,
) -> Result<String, String> {
    let projection = paths
        .iter()
        .map(|path| placeholders.path(path))
        .collect::<Vec<_>>()
        .join(", ");
    limits::check_length("ProjectionExpression", &projection)?;
    Ok(projection)
}
