//! Collections: the entities of one shared table read together. One Query
//! (or Scan, or GetItem) returns items of several entities, each decoded as
//! the entity its tag names (`UserItems::query(&db, "u1")`).

use aws_sdk_dynamodb::operation::query::QueryInput;
use aws_sdk_dynamodb::operation::scan::ScanInput;
use std::fmt;
use std::future::IntoFuture;
use std::marker::PhantomData;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, ConsumedCapacity};
use futures::Stream;
use tracing::Instrument;

use crate::db::Db;
use crate::error::{Error, ErrorContext, Result};
use crate::expr::{compare_keys, limits, AttrPath, Cond, Placeholders};
use crate::future::OpFuture;
use crate::item::{describe_attributes, Item};
use crate::model::{DynaCollection, DynaModel, DynaTable, TableSource};
use crate::ops::item::get_item;
use crate::ops::page::{Cursor, Page};
use crate::ops::read::{self, tagged_as, Fetch, Fetched, ReadOptions, Want};
use crate::schema::{IndexDef, KeyDef, ScalarType, TableDef};
use crate::send::trace;

/// The options every collection read shares: the table (or index) read,
/// the filter, limits, and whether items of entities outside the
/// collection are skipped or an error.
struct CollectionRead<C: DynaCollection> {
    options: ReadOptions<C::Table>,
    skip_unknown: bool,
}

impl<C: DynaCollection> CollectionRead<C> {
    /// The same read, decoding into the collection `P` of the same table
    /// (and index): its members' projections. A collection of another
    /// index is an error when the read is awaited.
    fn into_projection<P: DynaCollection<Table = C::Table>>(self) -> CollectionRead<P> {
        let mut options = self.options;
        if P::INDEX != C::INDEX {
            options.error = Some(format!(
                "project::<{}>(): it reads {}, the collection {} reads {}",
                P::NAME,
                P::INDEX.map_or("the table".to_owned(), |i| format!("index `{i}`")),
                C::NAME,
                C::INDEX.map_or("the table".to_owned(), |i| format!("index `{i}`")),
            ));
        }
        CollectionRead {
            options,
            skip_unknown: self.skip_unknown,
        }
    }
}

impl<C: DynaCollection> Clone for CollectionRead<C> {
    fn clone(&self) -> Self {
        CollectionRead {
            options: self.options.clone(),
            skip_unknown: self.skip_unknown,
        }
    }
}

impl<C: DynaCollection> fmt::Debug for CollectionRead<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CollectionRead")
            .field("collection", &C::NAME)
            .field("options", &self.options)
            .field("skip_unknown", &self.skip_unknown)
            .finish()
    }
}

impl<C: DynaCollection> CollectionRead<C> {
    fn new(db: &Db) -> Self {
        let def = table_def::<C>();
        let (index, error) = match C::INDEX {
            None => (None, None),
            Some(name) => match def.index(name) {
                Some(index) => (Some(index), None),
                None => (None, Some(format!("{} has no index `{name}`", def.model))),
            },
        };
        let mut options = ReadOptions::new(db, index, error);
        options.model = C::NAME;
        CollectionRead {
            options,
            skip_unknown: false,
        }
    }

    /// ANDs a condition on member `E`'s fields onto the filter; a condition
    /// on a model outside the collection, or on a key of the table or index
    /// read, is recorded as a mistake.
    fn filter<E: DynaModel>(&mut self, cond: Cond<E>) {
        let member = E::table_def();
        if !C::members().iter().any(|m| std::ptr::eq(m(), member)) {
            self.options.fail(format!(
                "`.filter({cond})` is on {}, which is not an entity of {}",
                member.model,
                C::NAME
            ));
            return;
        }
        let (hash, range) = self.options.keys();
        if let Some(key) = std::iter::once(hash)
            .chain(range)
            .find(|k| cond.mentions(k.name))
        {
            self.options.fail(format!(
                "the filter uses `{}`, a key attribute of the table or index read; \
                 DynamoDB filters only other attributes",
                key.name
            ));
            return;
        }
        self.options.and_filter(cond.shaped_for(member));
    }

    /// Decodes `item` as the member its tag names; an item of another
    /// entity (or without a tag) is skipped when told so, else
    /// [`Error::UnknownEntity`].
    fn decode(&self, mut item: Item) -> Option<Result<C>> {
        if !C::tag_of(&item).is_some_and(is_member::<C>) {
            return self.unknown(&item);
        }
        // The tag is checked: take it out (the member's decoding would
        // remove it anyway) rather than copy it.
        let tag = match item.remove(<C::Table as DynaTable>::ENTITY_ATTRIBUTE) {
            Some(AttributeValue::S(tag)) => tag,
            _ => String::new(),
        };
        let decoded = C::decode_member(&tag, item, &self.options.table, self.options.index);
        Some(decoded.unwrap_or_else(|| {
            Err(Error::invalid_query(
                self.options.scope(),
                format!("no member of {} decodes entity `{tag}`", C::NAME),
            ))
        }))
    }

    /// An item none of the members answers to: `None` when skipped, else
    /// the error naming its tag and key.
    fn unknown(&self, item: &Item) -> Option<Result<C>> {
        if self.skip_unknown {
            return None;
        }
        let key = describe_key(item, self.options.def(), self.options.index);
        Some(Err(Error::unknown_entity(
            self.options.scope(),
            C::tag_of(item).map(str::to_owned),
            key,
            C::member_tags(),
        )))
    }

    /// How many of `items` are of member entities (for `count()`); an item
    /// of another entity is an error unless skipped.
    fn count_members(&self, items: &[Item]) -> Result<usize> {
        let mut count = 0;
        for item in items {
            if C::tag_of(item).is_some_and(is_member::<C>) {
                count += 1;
            } else if let Some(Err(e)) = self.unknown(item) {
                return Err(e);
            }
        }
        Ok(count)
    }

    /// `ProjectionExpression` of one request: for counting, the tag and the
    /// keys (a count reads each item's tag to tell members from other
    /// entities); for a collection of projections, their paths too; `None`
    /// (whole items) when a member is an entity read whole.
    fn projection(
        &self,
        count_only: bool,
        placeholders: &mut Placeholders,
    ) -> Result<Option<String>> {
        let paths = match (count_only, C::member_paths()) {
            (true, _) => Vec::new(),
            (false, Some(paths)) => paths,
            (false, None) => return Ok(None),
        };
        let tag = <C::Table as DynaTable>::ENTITY_ATTRIBUTE;
        let keys = read::key_attributes(self.options.def(), self.options.index);
        let mut requested: Vec<AttrPath> = std::iter::once(tag)
            .chain(keys.iter().map(|k| k.name))
            .map(AttrPath::new)
            .collect();
        for text in paths {
            let path = AttrPath::parse(text).ok_or_else(|| {
                Error::invalid_query(
                    self.options.scope(),
                    format!("`{text}` is not an attribute path"),
                )
            })?;
            if !requested.contains(&path) {
                requested.push(path);
            }
        }
        read::expression_of(&requested, placeholders)
            .map(Some)
            .map_err(|why| Error::invalid_query(self.options.scope(), why))
    }

    /// The response of one request, its items counted when `count_only`,
    /// with the capacity it reports `consumed`.
    fn fetched(
        &self,
        count_only: bool,
        items: Option<Vec<Item>>,
        count: i32,
        last_key: Option<Item>,
        consumed: Option<&ConsumedCapacity>,
    ) -> Result<Fetched> {
        if count_only {
            let counted = self.count_members(items.as_deref().unwrap_or_default())?;
            let mut fetched = Fetched::new(0, None, last_key).consumed(consumed);
            fetched.count = counted;
            return Ok(fetched);
        }
        Ok(Fetched::new(count, items, last_key).consumed(consumed))
    }
}

/// The shared table's schema.
fn table_def<C: DynaCollection>() -> &'static TableDef {
    <C::Table as TableSource>::table_def()
}

/// Whether one of `C`'s members answers to `tag`.
fn is_member<C: DynaCollection>(tag: &str) -> bool {
    C::member_for_tag(tag).is_some()
}

/// The item's key attributes, for an error message: `{pk = "USER#u1", sk = "PROFILE"}`.
fn describe_key(item: &Item, def: &TableDef, index: Option<&IndexDef>) -> String {
    let mut keys: Vec<KeyDef> = def.hash_key_and_range().collect();
    keys.extend(index.into_iter().flat_map(IndexDef::hash_key_and_range));
    describe_attributes(item, keys.iter().map(|k| k.name))
}

/// The builder methods every collection read has, over its `read` field.
macro_rules! collection_read_methods {
    () => {
        /// Keeps only items matching `cond`, a condition on one of the
        /// collection's entities (`Order::TOTAL.gt(10)`); items of the other
        /// entities, which lack the attribute, do not match it. Several
        /// calls combine with AND. A condition on a model outside the
        /// collection is [`Error::InvalidQuery`] when awaited.
        pub fn filter<E: DynaModel>(mut self, cond: Cond<E>) -> Self {
            self.read.filter(cond);
            self
        }

        /// At most `n` items in total (per page for [`page`](Self::page)).
        pub fn limit(mut self, n: usize) -> Self {
            self.read.options.limit = Some(n);
            self
        }

        /// At most `n` items per request (DynamoDB's `Limit`).
        pub fn page_size(mut self, n: u32) -> Self {
            self.read.options.set_page_size(n);
            self
        }

        /// Strongly consistent reads (not available on global indexes).
        pub fn consistent(mut self) -> Self {
            self.read.options.consistent = true;
            self
        }

        /// Reads at most `per_second` read capacity units per second over
        /// every request of the read, as a model's query does
        /// ([`Query::max_read_units`](crate::ops::query::Query::max_read_units)).
        pub fn max_read_units(mut self, per_second: f64) -> Self {
            self.read.options.limit_reads(per_second);
            self
        }

        /// Skips items of entities outside the collection (or without a
        /// tag) instead of failing with [`Error::UnknownEntity`].
        pub fn skip_unknown(mut self) -> Self {
            self.read.skip_unknown = true;
            self
        }

        /// Every matching item, fetching page after page.
        pub async fn all(self) -> Result<Vec<C>> {
            read::all(self).await
        }

        /// The first matching item, if any.
        pub async fn first(self) -> Result<Option<C>> {
            Ok(read::all(self.limit(1)).await?.into_iter().next())
        }

        /// How many items of the collection's entities match, across all
        /// pages. Each item's tag is read (not the whole item), so an item of
        /// another entity is [`Error::UnknownEntity`] unless
        /// [`skip_unknown`](Self::skip_unknown), as for the other terminals.
        pub async fn count(self) -> Result<usize> {
            read::count(self).await
        }

        /// One page, starting at `cursor` (`None` for the first), with the
        /// cursor to the next.
        pub async fn page(self, cursor: impl Into<Option<Cursor>>) -> Result<Page<C>> {
            read::page(self, cursor.into()).await
        }

        /// The matching items as a stream; each page is requested only when
        /// the previous one has been consumed.
        pub fn stream(self) -> impl Stream<Item = Result<C>> + Send + 'a {
            read::stream(self, None)
        }
    };
}

/// A query of a collection: the items of every member entity under one
/// hash key, in range-key order, in one Query per page.
///
/// Made by [`CollectionOps::query`](crate::CollectionOps::query); see
/// [`DynaCollection`] for a whole example.
///
/// ```
/// # use dynamorm::prelude::*;
/// # use serde::{Deserialize, Serialize};
/// # #[derive(DynaTable)]
/// # #[dynamo(table = "app", hash_key = "pk", range_key = "sk")]
/// # struct App;
/// # #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
/// # #[dynamo(table = App, entity = "user", key(hash = "USER#{id}", range = "PROFILE"))]
/// # struct User { id: String, name: String }
/// # #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
/// # #[dynamo(table = App, entity = "order", key(hash = "USER#{user_id}", range = "ORDER#{id}"))]
/// # struct Order { user_id: String, id: String, total: i64 }
/// # #[derive(Debug, Clone, PartialEq, DynaCollection)]
/// # #[dynamo(table = App)]
/// # enum UserItems { User(User), Order(Order) }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; App::table(&db).create().await?;
/// User { id: "u1".into(), name: "Ada".into() }.save(&db).await?;
/// for (id, total) in [("o1", 5), ("o2", 50)] {
///     Order { user_id: "u1".into(), id: id.into(), total }.save(&db).await?;
/// }
/// let big = UserItems::query(&db, "u1").filter(Order::TOTAL.gt(10)).all().await?;
/// assert!(matches!(big.as_slice(), [UserItems::Order(o)] if o.id == "o2"));
/// assert_eq!(UserItems::query(&db, "u1").count().await?, 3);
/// let newest_first = UserItems::query(&db, "u1").reverse().first().await?;
/// assert!(matches!(newest_first, Some(UserItems::User(_))));   // "PROFILE" > "ORDER#.."
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a query does nothing until a terminal (all, first, count, page, stream) is awaited"]
pub struct CollectionQuery<'a, C: DynaCollection> {
    db: &'a Db,
    hash: AttributeValue,
    reverse: bool,
    read: CollectionRead<C>,
}

impl<'a, C: DynaCollection> CollectionQuery<'a, C> {
    /// A query of the items whose hash key the first member's template
    /// renders from `hash`.
    pub fn new(db: &'a Db, hash: C::HashKey) -> Self {
        CollectionQuery {
            db,
            hash: C::hash_key_value(&hash),
            reverse: false,
            read: CollectionRead::new(db),
        }
    }

    collection_read_methods!();

    /// Reads each item as a member of `P`, a collection of the same table
    /// whose members are projections of these entities
    /// (`#[derive(DynaProjection)]`): only their paths are requested (with
    /// the tag and the keys), e.g. `UserItems::query(&db, "u1").project::<UserCards>()`.
    pub fn project<P: DynaCollection<Table = C::Table>>(self) -> CollectionQuery<'a, P> {
        CollectionQuery {
            db: self.db,
            hash: self.hash,
            reverse: self.reverse,
            read: self.read.into_projection(),
        }
    }

    /// Descending range-key order.
    pub fn reverse(mut self) -> Self {
        self.reverse = true;
        self
    }

    fn key_condition(&self, placeholders: &mut Placeholders) -> Result<String> {
        let (hash_key, _) = self.read.options.keys();
        crate::codec::check_value_at(&self.hash, hash_key.name).map_err(|(path, why)| {
            Error::invalid_query(self.read.options.scope(), format!("`{path}`: {why}"))
        })?;
        let path = placeholders.path(&AttrPath::new(hash_key.name));
        let value = placeholders.value(self.hash.clone());
        let condition = format!("{path} = {value}");
        limits::check_length("KeyConditionExpression", &condition)
            .map_err(|message| Error::invalid_query(self.read.options.scope(), message))?;
        Ok(condition)
    }
}

impl<C: DynaCollection> fmt::Debug for CollectionQuery<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CollectionQuery")
            .field("db", self.db)
            .field("hash", &self.hash)
            .field("reverse", &self.reverse)
            .field("read", &self.read)
            .finish()
    }
}

impl<C: DynaCollection> Fetch for CollectionQuery<'_, C> {
    type Model = C::Table;
    type Output = C;

    fn fetch(&self, start: Option<Item>, limit: Option<i32>, want: Want) -> OpFuture<'_, Fetched> {
        Box::pin(async move {
            // A collection decodes parsed items only (each names its entity).
            let count_only = want == Want::Count;
            let options = &self.read.options;
            let mut placeholders = Placeholders::default();
            let key_condition = self.key_condition(&mut placeholders)?;
            let filter = options.render_filter(&mut placeholders)?;
            let projection = self.read.projection(count_only, &mut placeholders)?;
            let (names, values) = placeholders.into_maps();
            let span = trace::span("Query", &options.table, C::NAME);
            let request = QueryInput::builder()
                .table_name(&options.table)
                .set_index_name(options.index.map(|i| i.name.to_owned()))
                .key_condition_expression(key_condition)
                .set_filter_expression(filter)
                .set_projection_expression(projection)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .scan_index_forward(!self.reverse)
                .consistent_read(options.consistent)
                .set_limit(limit)
                .set_exclusive_start_key(start)
                .set_return_consumed_capacity(options.capacity_wanted(&span));
            let mut output = self
                .db
                .send(request)
                .instrument(span.clone())
                .await
                .map_err(|e| Error::sdk(options.scope(), "Query", e))?;
            trace::record(&span, output.consumed_capacity());
            let consumed = output.consumed_capacity.take();
            self.read.fetched(
                count_only,
                output.items,
                output.count,
                output.last_evaluated_key,
                consumed.as_ref(),
            )
        })
    }

    fn options(&self) -> &ReadOptions<C::Table> {
        &self.read.options
    }

    fn decode(&self, item: Item) -> Option<Result<C>> {
        self.read.decode(item)
    }

    fn check(&self) -> Result<()> {
        let mut placeholders = Placeholders::default();
        self.key_condition(&mut placeholders)?;
        self.read.options.render_filter(&mut placeholders).map(drop)
    }

    fn binding(&self) -> Result<String> {
        let mut placeholders = Placeholders::default();
        let key_condition = self.key_condition(&mut placeholders)?;
        let filter = self.read.options.render_filter(&mut placeholders)?;
        let projection = self.read.projection(false, &mut placeholders)?;
        Ok(read::binding(
            &format!("Query of collection {}", C::NAME),
            &self.read.options,
            !self.reverse,
            [
                Some(&key_condition),
                filter.as_deref(),
                projection.as_deref(),
            ],
            placeholders,
        ))
    }

    fn check_start(&self, start: &Item) -> Result<(), String> {
        let (hash_key, _) = self.read.options.keys();
        match start.get(hash_key.name) {
            Some(value) if compare_keys(&self.hash, value) != Some(std::cmp::Ordering::Equal) => {
                Err(format!(
                    "it was made for another `{}` than this query's",
                    hash_key.name
                ))
            }
            _ => Ok(()),
        }
    }
}

/// A scan of a collection: every item of its member entities in the table
/// (or the collection's index), each decoded as its entity. Items of other
/// entities are left out by a filter on the tag (or, when the tag is a key
/// of the index scanned, come back as [`Error::UnknownEntity`] unless
/// [`skip_unknown`](Self::skip_unknown)).
///
/// ```
/// # use dynamorm::prelude::*;
/// # use serde::{Deserialize, Serialize};
/// # #[derive(DynaTable)]
/// # #[dynamo(table = "app", hash_key = "pk", range_key = "sk")]
/// # struct App;
/// # #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
/// # #[dynamo(table = App, entity = "user", key(hash = "USER#{id}", range = "PROFILE"))]
/// # struct User { id: String }
/// # #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
/// # #[dynamo(table = App, entity = "note", key(hash = "NOTE#{id}", range = "NOTE"))]
/// # struct Note { id: String }
/// # #[derive(Debug, Clone, PartialEq, DynaCollection)]
/// # #[dynamo(table = App)]
/// # enum Users { User(User) }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; App::table(&db).create().await?;
/// User { id: "u1".into() }.save(&db).await?;
/// Note { id: "n1".into() }.save(&db).await?;      // not a member: filtered out
/// assert_eq!(Users::scan(&db).all().await?, [Users::User(User { id: "u1".into() })]);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a scan does nothing until a terminal (all, first, count, page, stream) is awaited"]
pub struct CollectionScan<'a, C: DynaCollection> {
    db: &'a Db,
    read: CollectionRead<C>,
}

impl<'a, C: DynaCollection> CollectionScan<'a, C> {
    /// A scan of the collection's table (or index) for its members' items.
    pub fn new(db: &'a Db) -> Self {
        let mut read = CollectionRead::<C>::new(db);
        let tag = <C::Table as DynaTable>::ENTITY_ATTRIBUTE;
        if !read.options.is_key(tag) {
            if let Some(members) = tagged_as(tag, C::member_tags()) {
                read.options.and_filter(members);
            }
        }
        CollectionScan { db, read }
    }

    collection_read_methods!();

    /// Reads each item as a member of `P`, a collection of the same table
    /// whose members are projections of these entities: only their paths
    /// are requested (with the tag and the keys).
    pub fn project<P: DynaCollection<Table = C::Table>>(self) -> CollectionScan<'a, P> {
        CollectionScan {
            db: self.db,
            read: self.read.into_projection(),
        }
    }
}

impl<C: DynaCollection> fmt::Debug for CollectionScan<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CollectionScan")
            .field("db", self.db)
            .field("read", &self.read)
            .finish()
    }
}

impl<C: DynaCollection> Fetch for CollectionScan<'_, C> {
    type Model = C::Table;
    type Output = C;

    fn fetch(&self, start: Option<Item>, limit: Option<i32>, want: Want) -> OpFuture<'_, Fetched> {
        Box::pin(async move {
            // A collection decodes parsed items only (each names its entity).
            let count_only = want == Want::Count;
            let options = &self.read.options;
            let mut placeholders = Placeholders::default();
            let filter = options.render_filter(&mut placeholders)?;
            let projection = self.read.projection(count_only, &mut placeholders)?;
            let (names, values) = placeholders.into_maps();
            let span = trace::span("Scan", &options.table, C::NAME);
            let request = ScanInput::builder()
                .table_name(&options.table)
                .set_index_name(options.index.map(|i| i.name.to_owned()))
                .set_filter_expression(filter)
                .set_projection_expression(projection)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .consistent_read(options.consistent)
                .set_limit(limit)
                .set_exclusive_start_key(start)
                .set_return_consumed_capacity(options.capacity_wanted(&span));
            let mut output = self
                .db
                .send(request)
                .instrument(span.clone())
                .await
                .map_err(|e| Error::sdk(options.scope(), "Scan", e))?;
            trace::record(&span, output.consumed_capacity());
            let consumed = output.consumed_capacity.take();
            self.read.fetched(
                count_only,
                output.items,
                output.count,
                output.last_evaluated_key,
                consumed.as_ref(),
            )
        })
    }

    fn options(&self) -> &ReadOptions<C::Table> {
        &self.read.options
    }

    fn decode(&self, item: Item) -> Option<Result<C>> {
        self.read.decode(item)
    }

    fn check(&self) -> Result<()> {
        self.read
            .options
            .render_filter(&mut Placeholders::default())
            .map(drop)
    }

    fn binding(&self) -> Result<String> {
        let mut placeholders = Placeholders::default();
        let filter = self.read.options.render_filter(&mut placeholders)?;
        let projection = self.read.projection(false, &mut placeholders)?;
        Ok(read::binding(
            &format!("Scan of collection {}", C::NAME),
            &self.read.options,
            true,
            [None, filter.as_deref(), projection.as_deref()],
            placeholders,
        ))
    }
}

/// One value of a raw key: what the shared table stores under a key
/// attribute (`"USER#u1"`, a number, bytes).
pub trait RawKeyValue {
    /// The value as DynamoDB stores it.
    fn into_key_value(self) -> AttributeValue;
}

macro_rules! raw_key_values {
    (strings: $($s:ty),*; numbers: $($n:ty),*) => {
        $(impl RawKeyValue for $s {
            fn into_key_value(self) -> AttributeValue {
                AttributeValue::S(self.into())
            }
        })*
        $(impl RawKeyValue for $n {
            fn into_key_value(self) -> AttributeValue {
                AttributeValue::N(self.to_string())
            }
        })*
        $(impl RawKey for $s {
            fn into_key_values(self) -> Vec<AttributeValue> {
                vec![self.into_key_value()]
            }
        })*
        $(impl RawKey for $n {
            fn into_key_values(self) -> Vec<AttributeValue> {
                vec![self.into_key_value()]
            }
        })*
    };
}

raw_key_values!(strings: &str, String, &String; numbers: i32, i64, u32, u64, f64);

impl RawKeyValue for Vec<u8> {
    fn into_key_value(self) -> AttributeValue {
        AttributeValue::B(Blob::new(self))
    }
}

impl RawKeyValue for &[u8] {
    fn into_key_value(self) -> AttributeValue {
        AttributeValue::B(Blob::new(self.to_vec()))
    }
}

impl RawKeyValue for AttributeValue {
    fn into_key_value(self) -> AttributeValue {
        self
    }
}

/// A raw primary key of a shared table: the stored key attribute values,
/// `("USER#u1", "PROFILE")` (or one value for a table without a range key).
pub trait RawKey {
    /// The hash value, then the range value if any.
    fn into_key_values(self) -> Vec<AttributeValue>;
}

impl<A: RawKeyValue, B: RawKeyValue> RawKey for (A, B) {
    fn into_key_values(self) -> Vec<AttributeValue> {
        vec![self.0.into_key_value(), self.1.into_key_value()]
    }
}

impl RawKey for AttributeValue {
    fn into_key_values(self) -> Vec<AttributeValue> {
        vec![self]
    }
}

/// A read of one item of a collection by its raw key (the stored key
/// attribute values), decoded as the entity its tag names.
///
/// ```
/// # use dynamorm::prelude::*;
/// # use serde::{Deserialize, Serialize};
/// # #[derive(DynaTable)]
/// # #[dynamo(table = "app", hash_key = "pk", range_key = "sk")]
/// # struct App;
/// # #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
/// # #[dynamo(table = App, entity = "user", key(hash = "USER#{id}", range = "PROFILE"))]
/// # struct User { id: String }
/// # #[derive(Debug, Clone, PartialEq, DynaCollection)]
/// # #[dynamo(table = App)]
/// # enum UserItems { User(User) }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; App::table(&db).create().await?;
/// User { id: "u1".into() }.save(&db).await?;
/// let found = UserItems::get(&db, ("USER#u1", "PROFILE")).await?;
/// assert_eq!(found, Some(UserItems::User(User { id: "u1".into() })));
/// assert_eq!(UserItems::get(&db, ("USER#u2", "PROFILE")).await?, None);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a read does nothing until awaited"]
pub struct CollectionGet<'a, C: DynaCollection> {
    db: &'a Db,
    key: Vec<AttributeValue>,
    consistent: bool,
    _collection: PhantomData<fn() -> C>,
}

impl<'a, C: DynaCollection> CollectionGet<'a, C> {
    /// A read of the item whose stored key is `key`.
    pub fn new(db: &'a Db, key: impl RawKey) -> Self {
        CollectionGet {
            db,
            key: key.into_key_values(),
            consistent: false,
            _collection: PhantomData,
        }
    }

    /// A strongly consistent read.
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    /// The key map, its values checked against the table's key attributes.
    fn key_item(&self, at: ErrorContext<'_>) -> Result<Item> {
        let def = table_def::<C>();
        let keys: Vec<KeyDef> = def.hash_key_and_range().collect();
        if keys.len() != self.key.len() {
            return Err(Error::invalid_query(
                at,
                format!(
                    "the table's key is ({}): {} value(s) expected, got {}",
                    keys.iter().map(|k| k.name).collect::<Vec<_>>().join(", "),
                    keys.len(),
                    self.key.len()
                ),
            ));
        }
        let mut item = Item::with_capacity(keys.len());
        for (key, value) in keys.iter().zip(&self.key) {
            let fits = matches!(
                (key.scalar, value),
                (ScalarType::S, AttributeValue::S(_))
                    | (ScalarType::N, AttributeValue::N(_))
                    | (ScalarType::B, AttributeValue::B(_))
            );
            if !fits {
                return Err(Error::invalid_query(
                    at,
                    format!(
                        "the key attribute `{}` is of type {:?}, got {value:?}",
                        key.name, key.scalar
                    ),
                ));
            }
            crate::codec::check_value_at(value, key.name)
                .map_err(|(path, why)| Error::invalid_query(at, format!("`{path}`: {why}")))?;
            item.insert(key.name.to_owned(), value.clone());
        }
        Ok(item)
    }

    async fn send(self) -> Result<Option<C>> {
        let def = table_def::<C>();
        let table = self.db.table_name(def);
        let at = ErrorContext {
            model: C::NAME,
            table: &table,
        };
        let key = self.key_item(at)?;
        let Some(item) = get_item(self.db, at, key, self.consistent, None).await? else {
            return Ok(None);
        };
        let mut read = CollectionRead::<C>::new(self.db);
        read.options.index = None;
        read.decode(item).transpose()
    }
}

impl<C: DynaCollection> fmt::Debug for CollectionGet<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CollectionGet")
            .field("db", self.db)
            .field("collection", &C::NAME)
            .field("key", &self.key)
            .field("consistent", &self.consistent)
            .finish()
    }
}

impl<'a, C: DynaCollection> IntoFuture for CollectionGet<'a, C> {
    type Output = Result<Option<C>>;
    type IntoFuture = OpFuture<'a, Option<C>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
