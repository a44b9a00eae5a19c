//! What query and scan share: fetching pages and the terminals built on it
//! (`all`, `first`, `count`, `page`, `stream`).

use futures::stream::{self, Stream, TryStreamExt};

use crate::codec::{self, Item};
use crate::error::Result;
use crate::model::DynaModel;
use crate::ops::item::OpFuture;
use crate::ops::page::{Cursor, Page};
use crate::validate;

/// One response: the items (or only their count) and where to resume.
pub(crate) struct Fetched {
    pub items: Vec<Item>,
    pub count: usize,
    pub last_key: Option<Item>,
}

/// A read that returns pages: a query or a scan (segment).
pub(crate) trait Fetch: Send + Sync {
    /// Sends one request starting at `start`, asking for at most `limit` items.
    fn fetch(
        &self,
        start: Option<Item>,
        limit: Option<i32>,
        count_only: bool,
    ) -> OpFuture<'_, Fetched>;
    /// The total number of items wanted (`.limit(n)`), if any.
    fn total_limit(&self) -> Option<usize>;
    /// Items per request (`.page_size(n)`), if set.
    fn page_size(&self) -> Option<i32>;
    /// True when a filter drops items after DynamoDB's per-request limit.
    fn filtered(&self) -> bool;
}

/// DynamoDB's `Limit` for the next request.
fn request_limit<F: Fetch>(read: &F, remaining: Option<usize>) -> Option<i32> {
    match (read.page_size(), remaining) {
        (Some(size), _) => Some(size),
        (None, Some(left)) if !read.filtered() => Some(i32::try_from(left).unwrap_or(i32::MAX)),
        _ => None,
    }
}

pub(crate) fn decode<M: DynaModel>(item: Item) -> Result<M> {
    let model: M = codec::from_item(item)?;
    validate::check(&model)?;
    Ok(model)
}

/// The items, lazily: the next page is requested only when consumed.
pub(crate) fn stream<'a, M: DynaModel, F: Fetch + 'a>(
    read: F,
    start: Option<Item>,
) -> impl Stream<Item = Result<M>> + Send + 'a {
    struct State<F> {
        read: F,
        start: Option<Item>,
        done: bool,
        remaining: Option<usize>,
    }
    let remaining = read.total_limit();
    let pages = stream::try_unfold(
        State {
            read,
            start,
            done: false,
            remaining,
        },
        |mut state| async move {
            if state.done || state.remaining == Some(0) {
                return Ok(None);
            }
            let limit = request_limit(&state.read, state.remaining);
            let fetched = state.read.fetch(state.start.take(), limit, false).await?;
            let mut items = fetched.items;
            if let Some(left) = state.remaining.as_mut() {
                items.truncate(*left);
                *left -= items.len();
            }
            state.done = fetched.last_key.is_none();
            state.start = fetched.last_key;
            Ok(Some((stream::iter(items.into_iter().map(Ok)), state)))
        },
    );
    pages
        .try_flatten()
        .and_then(|item| async move { decode::<M>(item) })
}

/// Every item.
pub(crate) async fn all<M: DynaModel, F: Fetch>(read: F) -> Result<Vec<M>> {
    stream::<M, F>(read, None).try_collect().await
}

/// The number of matching items across all pages (`Select=COUNT`).
pub(crate) async fn count<F: Fetch>(read: F) -> Result<usize> {
    let mut total = 0usize;
    let mut start = None;
    loop {
        let fetched = read.fetch(start, read.page_size(), true).await?;
        total += fetched.count;
        if let Some(limit) = read.total_limit() {
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
pub(crate) async fn page<M: DynaModel, F: Fetch>(read: F, start: Option<Item>) -> Result<Page<M>> {
    let limit = request_limit(&read, read.total_limit());
    let fetched = read.fetch(start, limit, false).await?;
    let items = fetched
        .items
        .into_iter()
        .map(decode::<M>)
        .collect::<Result<Vec<M>>>()?;
    Ok(Page {
        items,
        next: fetched.last_key.as_ref().map(Cursor::from_key),
    })
}
