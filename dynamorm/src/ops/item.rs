//! Single-item operations: put (save), put_json, get, delete.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;

use crate::codec::{self, Item};
use crate::db::Db;
use crate::error::{Error, Result, ValidationErrors};
use crate::expr::{AttrPath, Cond, Placeholders};
use crate::model::DynaModel;
use crate::validate;

/// The future every builder turns into.
pub type OpFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// A rendered condition expression with its placeholders.
struct Rendered {
    expression: Option<String>,
    placeholders: Placeholders,
}

fn render_condition<M: DynaModel>(cond: Option<&Cond<M>>) -> Result<Rendered> {
    let mut placeholders = Placeholders::default();
    let expression = match cond {
        Some(cond) => Some(
            cond.render_for(Some(M::table_def()), &mut placeholders)
                .map_err(|message| Error::InvalidQuery {
                    model: M::table_def().model,
                    message: format!("condition {cond}: {message}"),
                })?,
        ),
        None => None,
    };
    Ok(Rendered {
        expression,
        placeholders,
    })
}

/// The conditions a write carries: `.unique()` and any `.when(..)`s (ANDed).
struct WriteConditions<M> {
    unique: bool,
    when: Option<Cond<M>>,
}

impl<M: DynaModel> WriteConditions<M> {
    fn new() -> Self {
        WriteConditions {
            unique: false,
            when: None,
        }
    }
}

/// The condition "no item with this key exists yet".
fn unique_condition<M: DynaModel>() -> Cond<M> {
    Cond::not_exists(AttrPath::new(M::table_def().hash_key.name))
}

/// Writes one model (PutItem): `thing.save(&db)` or `Thing::put(&db, &thing)`.
///
/// Validates first; an invalid model is never written.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, name: Option<String> }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// let thing = Thing { id: "t1".into(), name: Some("One".into()) };
/// thing.save(&db).await?;
/// let err = thing.save(&db).unique().await.unwrap_err();
/// assert!(matches!(err, dynamorm::Error::AlreadyExists { .. }));
/// let err = thing.save(&db).when(Thing::NAME.eq("Two")).await.unwrap_err();
/// assert!(matches!(err, dynamorm::Error::ConditionFailed { .. }));
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a write does nothing until awaited"]
pub struct Put<'a, M: DynaModel> {
    db: &'a Db,
    model: &'a M,
    conditions: WriteConditions<M>,
}

impl<'a, M: DynaModel> Put<'a, M> {
    /// A put of `model` on `db`.
    pub fn new(db: &'a Db, model: &'a M) -> Self {
        Put {
            db,
            model,
            conditions: WriteConditions::new(),
        }
    }

    /// Fail with [`Error::AlreadyExists`] instead of replacing an item with the
    /// same key (hash and, if any, range key).
    pub fn unique(mut self) -> Self {
        self.conditions.unique = true;
        self
    }

    /// Write only if `cond` holds for the stored item; otherwise
    /// [`Error::ConditionFailed`]. Several calls combine with AND.
    pub fn when(mut self, cond: Cond<M>) -> Self {
        Cond::and_into(&mut self.conditions.when, cond);
        self
    }

    async fn send(self) -> Result<()> {
        validate::check(self.model)?;
        let item = codec::to_item(self.model)?;
        put_item(self.db, item, self.conditions, self.model).await
    }
}

impl<'a, M: DynaModel> IntoFuture for Put<'a, M> {
    type Output = Result<()>;
    type IntoFuture = OpFuture<'a, ()>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

async fn put_item<M: DynaModel>(
    db: &Db,
    item: Item,
    conditions: WriteConditions<M>,
    model: &M,
) -> Result<()> {
    let WriteConditions { unique, when } = conditions;
    let combined = unique && when.is_some();
    let def = M::table_def();
    let table = db.table_name(def);
    codec::check_size(def, &table, &item)?;
    let condition = match (unique, when) {
        (true, Some(when)) => Some(unique_condition::<M>() & when),
        (true, None) => Some(unique_condition::<M>()),
        (false, when) => when,
    };
    let rendered = render_condition(condition.as_ref())?;
    let (names, values) = rendered.placeholders.into_maps();
    tracing::debug!(table = %table, model = def.model, "PutItem");
    let result = db
        .client()
        .put_item()
        .table_name(&table)
        .set_item(Some(item))
        .set_condition_expression(rendered.expression)
        .set_expression_attribute_names(names)
        .set_expression_attribute_values(values)
        .set_return_values_on_condition_check_failure(
            // With both `unique` and `when`, the old item tells which one failed.
            combined.then_some(ReturnValuesOnConditionCheckFailure::AllOld),
        )
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(err) => match err.as_service_error() {
            Some(e) if e.is_conditional_check_failed_exception() => {
                let existed = match &e {
                    aws_sdk_dynamodb::operation::put_item::PutItemError::ConditionalCheckFailedException(c) => {
                        c.item().is_some()
                    }
                    _ => false,
                };
                // Alone, `unique` is the only condition that can fail; with
                // `when`, the returned old item says whether the key existed.
                if unique && (!combined || existed) {
                    Err(Error::AlreadyExists {
                        model: def.model,
                        table,
                        key: format!("{:?}", model.key()),
                    })
                } else {
                    Err(Error::ConditionFailed {
                        model: def.model,
                        table,
                        condition: condition.map(|c| c.to_string()).unwrap_or_default(),
                    })
                }
            }
            _ => Err(Error::sdk("PutItem", &table, err)),
        },
    }
}

/// Writes a raw JSON document as a model: `Thing::put_json(&db, json!({...}))`.
///
/// The document is checked against the model first: a wrong type, a missing
/// required field or an unknown field is [`Error::Validation`] naming the
/// field, then the model's own validation runs. Nothing is written unless all
/// pass. Resolves to the model that was written.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, count: i64 }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// use serde_json::json;
/// Thing::put_json(&db, json!({"id": "t1", "count": 3})).await?;
/// let err = Thing::put_json(&db, json!({"id": "t2", "count": "three"})).await.unwrap_err();
/// assert!(err.validation_errors().unwrap().has_field("count"));
/// assert_eq!(Thing::get(&db, "t2").await?, None);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a write does nothing until awaited"]
pub struct PutJson<'a, M: DynaModel> {
    db: &'a Db,
    doc: serde_json::Value,
    conditions: WriteConditions<M>,
}

impl<'a, M: DynaModel> PutJson<'a, M> {
    /// A put of the document `doc` as an `M`.
    pub fn new(db: &'a Db, doc: serde_json::Value) -> Self {
        PutJson {
            db,
            doc,
            conditions: WriteConditions::new(),
        }
    }

    /// As [`Put::unique`].
    pub fn unique(mut self) -> Self {
        self.conditions.unique = true;
        self
    }

    /// As [`Put::when`].
    pub fn when(mut self, cond: Cond<M>) -> Self {
        Cond::and_into(&mut self.conditions.when, cond);
        self
    }

    async fn send(self) -> Result<M> {
        let model: M = model_from_json(self.doc)?;
        validate::check(&model)?;
        let item = codec::to_item(&model)?;
        put_item(self.db, item, self.conditions, &model).await?;
        Ok(model)
    }
}

impl<'a, M: DynaModel> IntoFuture for PutJson<'a, M> {
    type Output = Result<M>;
    type IntoFuture = OpFuture<'a, M>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Builds a model from a JSON document, reporting every problem as a field error.
pub(crate) fn model_from_json<M: DynaModel>(doc: serde_json::Value) -> Result<M> {
    let def = M::table_def();
    let invalid = |errors: ValidationErrors| Error::Validation {
        model: def.model,
        errors,
    };
    let serde_json::Value::Object(map) = &doc else {
        let mut errors = ValidationErrors::new();
        errors.add("", "type", format!("expected a JSON object, got {doc}"));
        return Err(invalid(errors));
    };
    let mut errors = ValidationErrors::new();
    for key in map.keys() {
        if def.field(key).is_none() {
            errors.add(
                key.clone(),
                "unknown",
                format!("unknown field `{key}`: {} has no such attribute", def.model),
            );
        }
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    serde_path_to_error::deserialize::<_, M>(doc).map_err(|e| {
        let message = e.inner().to_string();
        let path = e.path().to_string();
        let mut errors = ValidationErrors::new();
        match missing_field(&message) {
            Some(field) if path == "." => errors.add(
                field,
                "required",
                format!("missing required field `{field}`"),
            ),
            _ => errors.add(
                if path == "." { String::new() } else { path },
                "type",
                message,
            ),
        }
        invalid(errors)
    })
}

/// The field named by serde's "missing field `x`" message.
fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// Reads one item by key (GetItem): `Thing::get(&db, key)`.
///
/// Resolves to `None` when no item has the key. The item is decoded and
/// validated; attributes the model does not declare are ignored.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "books")]
/// # struct Book { #[dynamo(hash_key)] isbn: String, #[dynamo(range_key)] edition: i64 }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Book::table(&db).create().await?;
/// Book { isbn: "i1".into(), edition: 2 }.save(&db).await?;
/// let book = Book::get(&db, ("i1", 2)).consistent().await?;
/// assert_eq!(book, Some(Book { isbn: "i1".into(), edition: 2 }));
/// assert_eq!(Book::get(&db, ("i1", 3)).await?, None);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a read does nothing until awaited"]
pub struct Get<'a, M: DynaModel> {
    db: &'a Db,
    key: M::Key,
    consistent: bool,
}

impl<'a, M: DynaModel> Get<'a, M> {
    /// A read of the item with `key`.
    pub fn new(db: &'a Db, key: M::Key) -> Self {
        Get {
            db,
            key,
            consistent: false,
        }
    }

    /// Strongly consistent read.
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    async fn send(self) -> Result<Option<M>> {
        let def = M::table_def();
        let table = self.db.table_name(def);
        tracing::debug!(table = %table, model = def.model, "GetItem");
        let output = self
            .db
            .client()
            .get_item()
            .table_name(&table)
            .set_key(Some(M::key_item(&self.key)))
            .consistent_read(self.consistent)
            .send()
            .await
            .map_err(|e| Error::sdk("GetItem", &table, e))?;
        match output.item {
            None => Ok(None),
            Some(item) => {
                let model: M = codec::from_item(item)?;
                validate::check(&model)?;
                Ok(Some(model))
            }
        }
    }
}

impl<'a, M: DynaModel> IntoFuture for Get<'a, M> {
    type Output = Result<Option<M>>;
    type IntoFuture = OpFuture<'a, Option<M>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Deletes one item by key (DeleteItem): `Thing::delete(&db, key)` or `thing.delete(&db)`.
///
/// Deleting a key that does not exist succeeds (as in DynamoDB) unless a
/// `.when(..)` condition requires something of the item.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, name: Option<String> }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// Thing { id: "t1".into(), name: None }.save(&db).await?;
/// let err = Thing::delete(&db, "t1").when(Thing::NAME.exists()).await.unwrap_err();
/// assert!(matches!(err, dynamorm::Error::ConditionFailed { .. }));
/// Thing::delete(&db, "t1").await?;
/// assert_eq!(Thing::get(&db, "t1").await?, None);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a delete does nothing until awaited"]
pub struct Delete<'a, M: DynaModel> {
    db: &'a Db,
    key: M::Key,
    when: Option<Cond<M>>,
}

impl<'a, M: DynaModel> Delete<'a, M> {
    /// A delete of the item with `key`.
    pub fn new(db: &'a Db, key: M::Key) -> Self {
        Delete {
            db,
            key,
            when: None,
        }
    }

    /// Delete only if `cond` holds; otherwise [`Error::ConditionFailed`].
    /// Several calls combine with AND.
    pub fn when(mut self, cond: Cond<M>) -> Self {
        Cond::and_into(&mut self.when, cond);
        self
    }

    async fn send(self) -> Result<()> {
        let def = M::table_def();
        let table = self.db.table_name(def);
        let rendered = render_condition(self.when.as_ref())?;
        let (names, values) = rendered.placeholders.into_maps();
        tracing::debug!(table = %table, model = def.model, "DeleteItem");
        let result = self
            .db
            .client()
            .delete_item()
            .table_name(&table)
            .set_key(Some(M::key_item(&self.key)))
            .set_condition_expression(rendered.expression)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) => match err.as_service_error() {
                Some(e) if e.is_conditional_check_failed_exception() => {
                    Err(Error::ConditionFailed {
                        model: def.model,
                        table,
                        condition: self.when.map(|c| c.to_string()).unwrap_or_default(),
                    })
                }
                _ => Err(Error::sdk("DeleteItem", &table, err)),
            },
        }
    }
}

impl<'a, M: DynaModel> IntoFuture for Delete<'a, M> {
    type Output = Result<()>;
    type IntoFuture = OpFuture<'a, ()>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
