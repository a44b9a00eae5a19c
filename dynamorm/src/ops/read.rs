//! What query and scan share: fetching pages and the terminals built on it
//! (`all`, `first`, `count`, `page`, `stream`).

use futures::stream::{self, Stream, TryStreamExt};

use crate::codec::{self, Item};
use crate::error::{Error, Result};
use crate::expr::{AttrPath, Cond, Placeholders};
use crate::model::{DynaModel, IndexDef, ProjectionDef};
use crate::ops::item::OpFuture;
use crate::ops::page::{Cursor, Page};
use crate::validate;

/// One response: the items (or only their count) and where to resume.
pub(crate) struct Fetched {
    pub items: Vec<Item>,
    pub count: usize,
    pub last_key: Option<Item>,
}

impl Fetched {
    /// From a Query or Scan response's parts.
    pub(crate) fn new(count: i32, items: Option<Vec<Item>>, last_key: Option<Item>) -> Self {
        Fetched {
            count: usize::try_from(count).unwrap_or(0),
            items: items.unwrap_or_default(),
            last_key: last_key.filter(|k| !k.is_empty()),
        }
    }
}

/// The options query and scan share.
pub(crate) struct ReadOptions<M> {
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
    /// A mistake found while building (bad `__` term, unknown index),
    /// reported when awaited, before any request.
    pub error: Option<String>,
}

impl<M> Clone for ReadOptions<M> {
    fn clone(&self) -> Self {
        ReadOptions {
            index: self.index,
            filter: self.filter.clone(),
            limit: self.limit,
            page_size: self.page_size,
            consistent: self.consistent,
            error: self.error.clone(),
        }
    }
}

impl<M: DynaModel> ReadOptions<M> {
    pub(crate) fn new(index: Option<&'static IndexDef>, error: Option<Error>) -> Self {
        ReadOptions {
            index,
            filter: None,
            limit: None,
            page_size: None,
            consistent: false,
            error: error.map(message_of),
        }
    }

    /// Records a mistake found while building, to report when awaited.
    pub(crate) fn fail(&mut self, error: Error) {
        self.error = Some(message_of(error));
    }

    pub(crate) fn and_filter(&mut self, cond: Cond<M>) {
        Cond::and_into(&mut self.filter, cond);
    }

    pub(crate) fn set_page_size(&mut self, n: u32) {
        self.page_size = Some(i32::try_from(n.max(1)).unwrap_or(i32::MAX));
    }

    fn invalid(message: String) -> Error {
        Error::InvalidQuery {
            model: M::table_def().model,
            message,
        }
    }

    /// Fails with the mistake recorded while building, if any.
    pub(crate) fn check(&self) -> Result<()> {
        match &self.error {
            Some(message) => Err(Self::invalid(message.clone())),
            None => Ok(()),
        }
    }

    /// The rendered filter and projection of one request reading `O`s.
    pub(crate) fn render<O: DynaModel>(
        &self,
        count_only: bool,
        placeholders: &mut Placeholders,
    ) -> Result<(Option<String>, Option<String>)> {
        let filter = match &self.filter {
            Some(f) => Some(
                f.render_for(Some(M::table_def()), placeholders)
                    .map_err(Self::invalid)?,
            ),
            None => None,
        };
        let projection = if count_only {
            None
        } else {
            projection::<M, O>(self.index, placeholders)?
        };
        Ok((filter, projection))
    }
}

/// The message of an error found while building: an `InvalidQuery`'s own
/// message (it is re-raised as an `InvalidQuery` naming the model), or the
/// whole error otherwise.
fn message_of(error: Error) -> String {
    match error {
        Error::InvalidQuery { message, .. } => message,
        other => other.to_string(),
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
    };
}
pub(crate) use read_option_methods;

/// A read that returns pages: a query or a scan (segment).
pub(crate) trait Fetch: Send + Sync {
    /// The model read.
    type Model: DynaModel;
    /// What each item decodes into.
    type Output: DynaModel;
    /// Sends one request starting at `start`, asking for at most `limit` items.
    fn fetch(
        &self,
        start: Option<Item>,
        limit: Option<i32>,
        count_only: bool,
    ) -> OpFuture<'_, Fetched>;
    /// The shared options.
    fn options(&self) -> &ReadOptions<Self::Model>;
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

/// Decodes and validates one item; a field missing because an index does not
/// project it gets an error saying so.
fn decode<F: Fetch>(read: &F, item: Item) -> Result<F::Output> {
    let model: F::Output = codec::from_item(item).map_err(|err| explain_projection(read, err))?;
    validate::check(&model)?;
    Ok(model)
}

fn explain_projection<F: Fetch>(read: &F, err: Error) -> Error {
    let Some(index) = read.options().index else {
        return err;
    };
    if index.projection == ProjectionDef::All {
        return err;
    }
    match err {
        Error::Codec {
            model,
            direction,
            path,
            message,
        } if message.contains("missing field") => Error::Codec {
            model,
            direction,
            path,
            message: format!(
                "{message}: index `{}` does not project it; make the field an Option or \
                 #[serde(default)], or read only projected attributes with .project::<P>()",
                index.name
            ),
        },
        other => other,
    }
}

/// The items, lazily: the next page is requested only when consumed.
pub(crate) fn stream<'a, F: Fetch + 'a>(
    read: F,
    start: Option<Item>,
) -> impl Stream<Item = Result<F::Output>> + Send + 'a {
    struct State<F> {
        read: F,
        start: Option<Item>,
        done: bool,
        remaining: Option<usize>,
    }
    let remaining = read.options().limit;
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
            let decoded: Vec<Result<F::Output>> = items
                .into_iter()
                .map(|item| decode(&state.read, item))
                .collect();
            Ok(Some((stream::iter(decoded), state)))
        },
    );
    pages.try_flatten()
}

/// Every item.
pub(crate) async fn all<F: Fetch>(read: F) -> Result<Vec<F::Output>> {
    stream(read, None).try_collect().await
}

/// The number of matching items across all pages (`Select=COUNT`).
pub(crate) async fn count<F: Fetch>(read: F) -> Result<usize> {
    let mut total = 0usize;
    let mut start = None;
    loop {
        let fetched = read.fetch(start, read.options().page_size, true).await?;
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
    let def = <F::Model as DynaModel>::table_def();
    let index_keys: Vec<&str> = read
        .options()
        .index
        .map(|i| i.key_names().collect())
        .unwrap_or_default();
    let start = match &cursor {
        Some(c) => Some(c.to_key(def, &index_keys)?),
        None => None,
    };
    let limit = request_limit(&read, read.options().limit);
    let fetched = read.fetch(start, limit, false).await?;
    let mut raw = fetched.items;
    let mut last_key = fetched.last_key;
    if let Some(total) = read.options().limit {
        if raw.len() > total {
            // A filtered page can hold more than the limit: resume after the
            // last item kept, not after the last one DynamoDB evaluated.
            raw.truncate(total);
            last_key = raw
                .last()
                .map(|item| key_of(item, def.key_names().chain(index_keys.iter().copied())));
        }
    }
    let items = raw
        .into_iter()
        .map(|item| decode(&read, item))
        .collect::<Result<Vec<_>>>()?;
    Ok(Page {
        items,
        next: last_key.as_ref().map(Cursor::from_key),
    })
}

/// The key attributes `names` of `item`, as an `ExclusiveStartKey`.
fn key_of<'n>(item: &Item, names: impl Iterator<Item = &'n str>) -> Item {
    names
        .filter_map(|name| item.get(name).map(|v| (name.to_owned(), v.clone())))
        .collect()
}

/// `ProjectionExpression` for reading only `O`'s attributes, when `O` is not
/// the model itself. Every attribute of `O` must be one of `M`'s and, on an
/// index that does not project everything, one the index holds.
pub(crate) fn projection<M: DynaModel, O: DynaModel>(
    index: Option<&'static IndexDef>,
    placeholders: &mut Placeholders,
) -> Result<Option<String>> {
    if std::any::TypeId::of::<M>() == std::any::TypeId::of::<O>() {
        return Ok(None);
    }
    let def = M::table_def();
    let projection = O::table_def();
    let invalid = |message: String| Error::InvalidQuery {
        model: def.model,
        message,
    };
    for field in projection.fields {
        if def.field(field.name).is_none() {
            return Err(invalid(format!(
                "project::<{}>(): `{}` is not an attribute of {}",
                projection.model, field.name, def.model
            )));
        }
        if let Some(index) = index {
            let held = match index.projection {
                ProjectionDef::All => true,
                ProjectionDef::KeysOnly => false,
                ProjectionDef::Include(names) => names.contains(&field.name),
            } || def
                .key_names()
                .chain(index.key_names())
                .any(|k| k == field.name);
            if !held {
                return Err(invalid(format!(
                    "project::<{}>(): index `{}` does not hold `{}`",
                    projection.model, index.name, field.name
                )));
            }
        }
    }
    let names: Vec<String> = projection
        .fields
        .iter()
        .map(|f| placeholders.path(&AttrPath::new(f.name)))
        .collect();
    Ok(Some(names.join(", ")))
}
