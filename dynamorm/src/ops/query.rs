//! Query: the items under one hash key of the table or of an index,
//! optionally narrowed by a range-key condition and filtered.

use aws_sdk_dynamodb::operation::query::QueryInput;
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::{AttributeValue, Select};
use futures::Stream;
use serde_json::Value;

use crate::db::Db;
use crate::error::{Error, Result};
use crate::expr::{compare_keys, AttrPath, Cond, Placeholders};
use crate::expr::{kw, limits};
use crate::future::OpFuture;
use crate::item::Item;
use crate::key_range::{self, KeyRange};
use crate::model::DynaModel;
use crate::ops::page::{Cursor, Page};
use crate::ops::projection::Projection;
use crate::ops::read::{
    self, read_option_methods, Fetch, Fetched, FilterAndProjection, ReadOptions, Want,
};
use crate::schema::{IndexDef, KeyDef, ScalarType};
use crate::send::trace;

/// A query on `M`'s table or one of its indexes: `Book::query(&db, "isbn-1")`,
/// `Thing::BY_COLOR.query(&db, "red")`.
///
/// Items decode into `O`: `M` itself, or a smaller model chosen with
/// [`project`](Query::project).
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
pub struct Query<'a, M: DynaModel, O: Projection<M> = M> {
    db: &'a Db,
    hash: Option<AttributeValue>,
    range: Option<Cond<M>>,
    reverse: bool,
    options: ReadOptions<M>,
    _output: PhantomData<fn() -> O>,
}

impl<'a, M: DynaModel> Query<'a, M> {
    /// A query for the items whose hash key is `hash`.
    pub fn new(db: &'a Db, hash: M::HashKey) -> Self {
        Query::build(db, None, Some(M::hash_key_value(&hash)), None)
    }

    /// A query on the secondary index `index` (see [`Index`](crate::ops::index::Index)).
    pub(crate) fn on_index(
        db: &'a Db,
        index: Result<&'static IndexDef, String>,
        hash: AttributeValue,
    ) -> Self {
        match index {
            Ok(index) => Query::build(db, Some(index), Some(hash), None),
            Err(e) => Query::build(db, None, None, Some(e)),
        }
    }

    /// A query from DynamORM's double-under terms:
    /// `Book::query_kw(&db, [("isbn", "1".into()), ("year__gt", 2000.into())])`.
    ///
    /// The hash key's `eq` and one range-key operator (eq, lt, lte, gt, gte,
    /// between, begins_with) form the key condition; every other term is a
    /// filter. A bad term is [`Error::InvalidQuery`] when awaited, before any request.
    pub fn from_kw<K: AsRef<str>>(
        db: &'a Db,
        index: Option<&'static IndexDef>,
        terms: impl IntoIterator<Item = (K, Value)>,
    ) -> Self {
        let def = M::table_def();
        let (hash_key, range_key) = match index {
            Some(i) => (i.hash_key, i.range_key),
            None => (def.hash_key, def.range_key),
        };
        let mut query = Query::build(db, index, None, None);
        if let Err(e) = query.apply_kw(hash_key, range_key, terms) {
            query.options.fail(e);
        }
        query
    }

    fn apply_kw<K: AsRef<str>>(
        &mut self,
        hash_key: KeyDef,
        range_key: Option<KeyDef>,
        terms: impl IntoIterator<Item = (K, Value)>,
    ) -> Result<(), kw::Invalid> {
        let def = M::table_def();
        let (hash_template, range_template) = self.entity_templates();
        let hash_field = hash_template.and_then(|t| {
            let mut fields = t.fields();
            match (fields.next(), fields.next()) {
                (Some(only), None) => Some(only),
                _ => None,
            }
        });
        for (key, value) in terms {
            let term = kw::parse(def, key.as_ref())?;
            if let Some(field) = hash_field.filter(|f| term.is_on(f)) {
                // An entity's hash template field: the stored hash key is
                // the template rendered with its value.
                if term.op_name != "eq" || self.hash.is_some() {
                    return Err(format!(
                        "`{}`: the hash key template's field `{field}` takes one eq in a query",
                        term.key
                    ));
                }
                let value = kw::key_value(&term, &value)?;
                self.hash = Some(match self.options.index {
                    Some(index) => {
                        crate::codec::entity::entity_index_hash_value(def, index.name, value)
                    }
                    None => crate::codec::entity::entity_hash_value(def, value),
                });
                continue;
            }
            if range_template.is_some_and(|t| t.uses(term.field.name))
                && term.path.segments().len() == 1
                && term.op.is_key_operator()
            {
                // A range template field: translated with the others into
                // one key condition.
                let cond = kw::condition(&term, &value)?;
                Cond::and_into(&mut self.range, cond);
                continue;
            }
            if term.is_on(hash_key.name) {
                if term.op_name != "eq" {
                    return Err(format!(
                        "`{}`: the hash key `{}` only takes eq in a query, not {}",
                        term.key, hash_key.name, term.op_name
                    ));
                }
                if self.hash.is_some() {
                    return Err(format!(
                        "`{}`: the hash key `{}` is given twice",
                        term.key, hash_key.name
                    ));
                }
                self.hash = Some(hash_value(&term.key, hash_key, &value)?);
            } else if range_key.is_some_and(|r| term.is_on(r.name)) {
                if !term.op.is_key_operator() || self.range.is_some() {
                    return Err(format!(
                        "`{}`: the range key `{}` takes one of eq, lt, lte, gt, gte, between, begins_with in a query, not {}",
                        term.key, term.field.name, term.op_name
                    ));
                }
                self.range = Some(kw::condition(&term, &value)?);
            } else {
                let cond = kw::condition(&term, &value)?;
                self.options.and_filter(cond);
            }
        }
        if self.hash.is_none() {
            return Err(format!(
                "a query needs the hash key: add (\"{}\", value)",
                hash_field.unwrap_or(hash_key.name)
            ));
        }
        Ok(())
    }
}

/// The hash key value of a `__` query, checked against the key's type.
fn hash_value(key: &str, hash_key: KeyDef, value: &Value) -> Result<AttributeValue, kw::Invalid> {
    match (hash_key.scalar, value) {
        (ScalarType::S, Value::String(s)) => Ok(AttributeValue::S(s.clone())),
        (ScalarType::N, Value::Number(n)) => Ok(AttributeValue::N(n.to_string())),
        (ScalarType::B, Value::String(s)) => Ok(AttributeValue::B(s.as_bytes().to_vec().into())),
        (scalar, other) => Err(format!(
            "`{key}`: the hash key `{}` is of type {scalar:?}, got {other}",
            hash_key.name
        )),
    }
}

impl<'a, M: DynaModel, O: Projection<M>> Query<'a, M, O> {
    fn build(
        db: &'a Db,
        index: Option<&'static IndexDef>,
        hash: Option<AttributeValue>,
        error: Option<String>,
    ) -> Self {
        let mut options = ReadOptions::new(db, index, error);
        options.untagged = true;
        Query {
            db,
            hash,
            range: None,
            reverse: false,
            options,
            _output: PhantomData,
        }
    }

    read_option_methods!();

    /// A key condition on the range key (of the table, or of the index
    /// queried): `eq`, `lt`, `lte`, `gt`, `gte`, `between` or `begins_with`.
    /// Anything else fails with [`Error::InvalidQuery`] before any request.
    ///
    /// On an entity of a shared table, the condition is on the fields of
    /// the range key template and is translated into one condition on the
    /// stored attribute: equalities on a leading run of the template's
    /// fields, then at most one of those operators on the next field
    /// (`Order::PLACED.begins_with("2026-01")` on `ORDER#{placed}#{id}` reads
    /// `begins_with(sk, "ORDER#2026-01")`). Comparisons of an integer
    /// rendered without padding are refused: its keys do not sort as its
    /// values.
    pub fn range(mut self, cond: Cond<M>) -> Self {
        self.range = Some(cond);
        self
    }

    /// Descending range-key order.
    pub fn reverse(mut self) -> Self {
        self.reverse = true;
        self
    }

    /// Requests only `P`'s attributes and decodes items into `P`: a model
    /// declaring a subset of `M`'s fields (e.g. what an index projects), or
    /// a [`DynaProjection`](crate::DynaProjection) of `M`, nested paths
    /// included. The keys are read too, so page cursors keep working.
    pub fn project<P: Projection<M>>(self) -> Query<'a, M, P> {
        Query {
            db: self.db,
            hash: self.hash,
            range: self.range,
            reverse: self.reverse,
            options: self.options,
            _output: PhantomData,
        }
    }

    /// Every matching item, fetching page after page.
    pub async fn all(self) -> Result<Vec<O>> {
        read::all(self).await
    }

    /// The first matching item, if any.
    pub async fn first(self) -> Result<Option<O>> {
        Ok(read::all(self.limit(1)).await?.into_iter().next())
    }

    /// How many items match, across all pages (`Select=COUNT`: no items are transferred).
    pub async fn count(self) -> Result<usize> {
        read::count(self).await
    }

    /// One page, starting at `cursor` (`None` for the first), with the cursor to the next.
    pub async fn page(self, cursor: impl Into<Option<Cursor>>) -> Result<Page<O>> {
        let cursor = cursor.into();
        read::page(self, cursor).await
    }

    /// The matching items as a stream; each page is requested only when the
    /// previous one has been consumed, so memory stays bounded.
    pub fn stream(self) -> impl Stream<Item = Result<O>> + Send + 'a {
        read::stream(self, None)
    }

    fn key_condition(&self, placeholders: &mut Placeholders) -> Result<String> {
        let def = M::table_def();
        let invalid = |message: String| Error::invalid_query(self.options.scope(), message);
        let (hash_key, range_key) = match self.options.index {
            Some(i) => (i.hash_key, i.range_key),
            None => (def.hash_key, def.range_key),
        };
        let hash = self.hash.clone().ok_or_else(|| {
            invalid(format!(
                "a query needs a value for the hash key `{}`",
                hash_key.name
            ))
        })?;
        crate::codec::check_value_at(&hash, hash_key.name)
            .map_err(|(path, why)| invalid(format!("`{path}`: {why}")))?;
        let hash_path = placeholders.path(&AttrPath::new(hash_key.name));
        let hash_value = placeholders.value(hash);
        let mut expression = format!("{hash_path} = {hash_value}");
        if let (None, Some(range_key)) = (&self.range, range_key) {
            if let Some(template) = self.entity_range_template() {
                // An entity's items under the hash key: those whose range key
                // its template could have written.
                let range_path = placeholders.path(&AttrPath::new(range_key.name));
                if template.is_constant() {
                    let value = placeholders.value(AttributeValue::S(template.text.to_owned()));
                    expression.push_str(&format!(" AND {range_path} = {value}"));
                } else if !template.prefix().is_empty() {
                    let value = placeholders.value(AttributeValue::S(template.prefix().to_owned()));
                    expression.push_str(&format!(" AND begins_with({range_path}, {value})"));
                }
            }
        }
        if let Some(range) = &self.range {
            let Some(range_key) = range_key else {
                return Err(invalid(format!(
                    "{} has no range key, so `.range({range})` cannot apply",
                    self.target_name()
                )));
            };
            if let Some(template) = self
                .entity_range_template()
                .filter(|_| !range.is_key_condition_on(range_key.name))
            {
                let condition = template_range(template, range_key, range, placeholders)
                    .map_err(|why| invalid(format!("`.range({range})`: {why}")))?;
                expression.push_str(" AND ");
                expression.push_str(&condition);
                return Ok(expression);
            }
            if !range.is_key_condition_on(range_key.name) {
                return Err(invalid(format!(
                    "`.range({range})` must be one eq, lt, lte, gt, gte, between or begins_with on the range key `{}`",
                    range_key.name
                )));
            }
            let rendered = range.render_for(Some(def), placeholders).map_err(invalid)?;
            expression.push_str(" AND ");
            expression.push_str(&rendered);
        }
        Ok(expression)
    }

    /// The key condition, filter and projection of one request; a mistake
    /// recorded while building comes first.
    fn expressions(
        &self,
        count_only: bool,
        placeholders: &mut Placeholders,
    ) -> Result<(String, FilterAndProjection)> {
        self.options.check()?;
        let def = M::table_def();
        let keys = match self.options.index {
            Some(i) => (i.hash_key, i.range_key),
            None => (def.hash_key, def.range_key),
        };
        let filter = self.options.filter.as_ref();
        if let Some(key) = std::iter::once(keys.0)
            .chain(keys.1)
            .find(|k| filter.is_some_and(|f| f.mentions(k.name)))
        {
            return Err(Error::invalid_query(
                self.options.scope(),
                format!(
                    "the filter uses `{}`, a key of {}; DynamoDB filters only other \
                     attributes (put a condition on the range key in .range(..))",
                    key.name,
                    self.target_name()
                ),
            ));
        }
        let key_condition = self.key_condition(placeholders)?;
        limits::check_length("KeyConditionExpression", &key_condition)
            .map_err(|message| Error::invalid_query(self.options.scope(), message))?;
        let rest = self.options.render::<O>(count_only, placeholders)?;
        Ok((key_condition, rest))
    }

    /// The template an entity writes the queried range key with, if any.
    fn entity_range_template(&self) -> Option<&'static crate::schema::KeyTemplate> {
        self.entity_templates().1
    }

    /// The templates an entity writes the queried hash and range keys with.
    fn entity_templates(
        &self,
    ) -> (
        Option<&'static crate::schema::KeyTemplate>,
        Option<&'static crate::schema::KeyTemplate>,
    ) {
        let Some(entity) = M::table_def().entity else {
            return (None, None);
        };
        match self.options.index {
            None => (entity.hash.as_ref(), entity.range.as_ref()),
            Some(i) => match entity.index(i.name) {
                Some(keys) => (Some(&keys.hash), keys.range.as_ref()),
                None => (None, None),
            },
        }
    }

    fn target_name(&self) -> String {
        match self.options.index {
            Some(i) => format!("index `{}`", i.name),
            None => M::table_def().model.to_owned(),
        }
    }
}

/// A range condition on an entity's template fields, as one key condition
/// on the stored range attribute.
fn template_range<M>(
    template: &crate::schema::KeyTemplate,
    range_key: KeyDef,
    range: &Cond<M>,
    placeholders: &mut Placeholders,
) -> Result<String, String> {
    if range_key.scalar != ScalarType::S {
        return Err(format!(
            "conditions on template fields need a string range key; `{}` is {:?}",
            range_key.name, range_key.scalar
        ));
    }
    let terms = range.key_terms()?;
    let translated = key_range::translate(template, &terms)?;
    let path = placeholders.path(&AttrPath::new(range_key.name));
    let mut value = |text: String| placeholders.value(AttributeValue::S(text));
    Ok(match translated {
        KeyRange::Eq(key) => format!("{path} = {}", value(key)),
        KeyRange::BeginsWith(prefix) => format!("begins_with({path}, {})", value(prefix)),
        KeyRange::Between(low, high) => {
            let low = value(low);
            format!("{path} BETWEEN {low} AND {}", value(high))
        }
    })
}

impl<M: DynaModel, O: Projection<M>> std::fmt::Debug for Query<'_, M, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query")
            .field("db", self.db)
            .field("model", &M::table_def().model)
            .field("output", &O::projection_name())
            .field("hash", &self.hash)
            .field("range", &self.range)
            .field("reverse", &self.reverse)
            .field("options", &self.options)
            .finish()
    }
}

impl<M: DynaModel, O: Projection<M>> Fetch for Query<'_, M, O> {
    type Model = M;
    type Output = O;

    fn fetch(&self, start: Option<Item>, limit: Option<i32>, want: Want) -> OpFuture<'_, Fetched> {
        Box::pin(async move {
            let count_only = want == Want::Count;
            let def = M::table_def();
            let table = &self.options.table;
            let mut placeholders = Placeholders::default();
            let (key_condition, (filter, projection)) =
                self.expressions(count_only, &mut placeholders)?;
            let (names, values) = placeholders.into_maps();
            let index = self.options.index.map(|i| i.name);
            let span = trace::span("Query", table, def.model);
            let request = QueryInput::builder()
                .table_name(table)
                .set_index_name(index.map(str::to_owned))
                .key_condition_expression(key_condition)
                .set_filter_expression(filter)
                .set_projection_expression(projection)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .scan_index_forward(!self.reverse)
                .consistent_read(self.options.consistent)
                .set_limit(limit)
                .set_exclusive_start_key(start)
                .set_select(count_only.then_some(Select::Count))
                .set_return_consumed_capacity(self.options.capacity_wanted(&span));
            let as_text = want == Want::Text && O::reads_text(self.options.index);
            let at = self.options.scope();
            read::send_page(self.db, request, as_text, "Query", &span, at).await
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
        self.expressions(false, &mut Placeholders::default())
            .map(drop)
    }

    fn binding(&self) -> Result<String> {
        let mut placeholders = Placeholders::default();
        let (key_condition, (filter, projection)) = self.expressions(false, &mut placeholders)?;
        Ok(read::binding(
            "Query",
            &self.options,
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
        let def = M::table_def();
        let (hash_key, range_key) = match self.options.index {
            Some(i) => (i.hash_key, i.range_key),
            None => (def.hash_key, def.range_key),
        };
        if let (Some(hash), Some(value)) = (&self.hash, start.get(hash_key.name)) {
            if compare_keys(hash, value) != Some(std::cmp::Ordering::Equal) {
                return Err(format!(
                    "it was made for another `{}` than this query's",
                    hash_key.name
                ));
            }
        }
        let range = self.range.as_ref().zip(range_key);
        if let Some((range, range_key)) = range.filter(|(r, k)| r.is_key_condition_on(k.name)) {
            let field = def.field(range_key.name);
            let outside = start
                .get(range_key.name)
                .is_some_and(|value| range.admits_key(field, value) == Some(false));
            if outside {
                return Err(format!(
                    "its `{}` is outside this query's range({range})",
                    range_key.name
                ));
            }
        }
        Ok(())
    }
}
