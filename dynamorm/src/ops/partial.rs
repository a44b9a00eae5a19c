//! Partial saves (DynamORM's `save(partial=True)`): write only the fields
//! that changed since a model was loaded, as one UpdateItem.
//!
//! Two ways in: `Thing::get(&db, key).tracked()` returns a [`Tracked`]
//! model that remembers what was loaded, and `thing.save_changes(&db,
//! &before)` compares with a copy you kept. Either way the update goes
//! through the same pipeline as any other (validation, the version check,
//! `updated_at`, hooks and signals), and an unchanged model sends nothing.

use std::fmt;
use std::future::IntoFuture;
use std::ops::{Deref, DerefMut};

use aws_sdk_dynamodb::types::ReturnValue;

use crate::codec;
use crate::db::Db;
use crate::error::{Direction, Error, ErrorContext, Result};
use crate::expr::update::{Op, Resolved};
use crate::expr::{AttrPath, Cond, Updates};
use crate::future::OpFuture;
use crate::item::{same_value, Item};
use crate::model::DynaModel;
use crate::request::{version_of, UpdateRequest};
use crate::schema::TableDef;
use crate::send;
use crate::validate;

/// A model loaded with [`Get::tracked`](crate::ops::item::Get::tracked): use
/// it as the model (it derefs to it), then [`save_changes`](Tracked::save_changes) writes
/// only what changed.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, name: String, count: i64 }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// Thing { id: "t1".into(), name: "One".into(), count: 1 }.save(&db).await?;
/// let mut thing = Thing::get(&db, "t1").tracked().await?.unwrap();
/// assert!(!thing.save_changes(&db).await?, "unchanged: nothing sent");
/// thing.name = "Uno".into();                  // only `name` is written
/// assert!(thing.save_changes(&db).await?);
/// assert_eq!(Thing::get(&db, "t1").await?.unwrap().name, "Uno");
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub struct Tracked<M> {
    model: M,
    /// The model as loaded (or last saved), as it encodes. Encoded from the
    /// model itself rather than kept as the engine returned it, so a field
    /// whose encoding has no fixed order (a `HashSet` inside a nested
    /// struct is stored as a list) compares equal while untouched.
    original: Item,
}

impl<M: DynaModel> Tracked<M> {
    /// Tracks `model`, read from the stored item `loaded`.
    pub(crate) fn new(model: M, loaded: Item) -> Self {
        let original = baseline(&model, loaded);
        Tracked { model, original }
    }

    /// Writes the fields that changed since the model was loaded (or last
    /// saved through this wrapper) as one UpdateItem; resolves to `true`
    /// when something was written, `false` when nothing changed (and
    /// nothing was sent). Afterwards the model holds what is stored.
    pub fn save_changes<'a>(&'a mut self, db: &'a Db) -> SaveChanges<'a, M> {
        SaveChanges {
            db,
            model: &mut self.model,
            before: Baseline::Loaded(&mut self.original),
            when: None,
        }
    }

    /// [`save_changes`](Self::save_changes), under the name a model's full
    /// save has: a tracked model's save writes only what changed.
    #[deprecated(note = "use `save_changes`: `save` on a model is a whole PutItem")]
    pub fn save<'a>(&'a mut self, db: &'a Db) -> SaveChanges<'a, M> {
        self.save_changes(db)
    }

    /// The attributes that differ from what was loaded.
    ///
    /// ```
    /// # use dynamorm::prelude::*;
    /// # #[derive(Debug, serde::Serialize, serde::Deserialize, DynaModel)]
    /// # #[dynamo(table = "things")]
    /// # struct Thing { #[dynamo(hash_key)] id: String, name: String, count: i64 }
    /// # async fn demo() -> dynamorm::Result<()> {
    /// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
    /// # Thing { id: "t1".into(), name: "One".into(), count: 1 }.save(&db).await?;
    /// let mut thing = Thing::get(&db, "t1").tracked().await?.unwrap();
    /// thing.count += 1;
    /// assert_eq!(thing.changed_fields()?, ["count"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn changed_fields(&self) -> Result<Vec<&'static str>> {
        let def = M::table_def();
        let now = codec::encode(&self.model, ErrorContext::declared(def))?;
        Ok(changed(def, &self.original, &now)
            .map(|(name, _)| name)
            .collect())
    }

    /// The model, no longer tracked.
    pub fn into_inner(self) -> M {
        self.model
    }
}

impl<M> Deref for Tracked<M> {
    type Target = M;
    fn deref(&self) -> &M {
        &self.model
    }
}

impl<M> DerefMut for Tracked<M> {
    fn deref_mut(&mut self) -> &mut M {
        &mut self.model
    }
}

impl<M: fmt::Debug> fmt::Debug for Tracked<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tracked")
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

/// What a partial save compares with.
enum Baseline<'a, M> {
    /// A copy of the model as it was loaded.
    Model(&'a M),
    /// The item as loaded (a [`Tracked`] model); updated after the save.
    Loaded(&'a mut Item),
}

/// A partial save: `thing.save_changes(&db, &before)` or
/// [`Tracked::save_changes`]. Resolves to `true` when something was written.
///
/// Only the fields that differ are sent (`SET` for new values, `REMOVE` for
/// fields that became absent), conditioned like any update: the item must
/// exist, `.when(..)` holds, and for a `#[dynamo(version)]` model the
/// stored version is still the one loaded ([`Error::VersionConflict`]
/// otherwise). The whole model is validated first. A change of the key is
/// [`Error::InvalidQuery`]: save the model under its new key instead.
///
/// ```
/// # use dynamorm::prelude::*;
/// # #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// # #[dynamo(table = "things")]
/// # struct Thing { #[dynamo(hash_key)] id: String, name: String, note: Option<String> }
/// # async fn demo() -> dynamorm::Result<()> {
/// # let db = Db::embedded().await?; Thing::table(&db).create().await?;
/// let mut thing = Thing { id: "t1".into(), name: "One".into(), note: Some("n".into()) };
/// thing.save(&db).await?;
/// let before = thing.clone();
/// thing.note = None;                                   // REMOVE note
/// assert!(thing.save_changes(&db, &before).await?);
/// assert_eq!(Thing::get(&db, "t1").await?.unwrap().note, None);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a save does nothing until awaited"]
pub struct SaveChanges<'a, M: DynaModel> {
    db: &'a Db,
    model: &'a mut M,
    before: Baseline<'a, M>,
    when: Option<Cond<M>>,
}

impl<'a, M: DynaModel> SaveChanges<'a, M> {
    /// A partial save of `model` compared with `before`.
    pub fn new(db: &'a Db, model: &'a mut M, before: &'a M) -> Self {
        SaveChanges {
            db,
            model,
            before: Baseline::Model(before),
            when: None,
        }
    }

    /// Save only if `cond` holds for the stored item; otherwise
    /// [`Error::ConditionFailed`]. Several calls combine with AND.
    pub fn when(mut self, cond: Cond<M>) -> Self {
        Cond::and_into(&mut self.when, cond);
        self
    }

    async fn send(self) -> Result<bool> {
        let def = M::table_def();
        let table = self.db.table_name(def);
        let at = ErrorContext::new(def, &table);
        let before = match &self.before {
            Baseline::Model(model) => codec::encode(*model, at)?,
            Baseline::Loaded(item) => (**item).clone(),
        };
        validate::check(&*self.model, at)?;
        let now = codec::encode(&*self.model, at)?;
        for key in def.key_names() {
            if before.get(key) != now.get(key) {
                return Err(Error::invalid_query(
                    at,
                    format!("the key `{key}` changed: save the model under its new key instead"),
                ));
            }
        }
        let mut updates = Updates::new();
        for (name, value) in changed(def, &before, &now) {
            match value {
                Some(value) => updates.push(Op::Set, AttrPath::new(name), Some(Ok(value.clone()))),
                None => updates.push(Op::Remove, AttrPath::new(name), None),
            }
        }
        if updates.is_empty() {
            return Ok(false);
        }
        let mut request = UpdateRequest::with_updates(self.model.key(), updates);
        if let Some(when) = self.when {
            request = request.when(when);
        }
        if let Some(version) = def.version {
            request.expect_version(version_of(&before, version));
        }
        let decode = |attributes: Option<Item>| -> Result<(M, Item)> {
            let stored = attributes.ok_or_else(|| {
                Error::codec(
                    at,
                    Direction::Decode,
                    None,
                    "the engine returned no attributes for ALL_NEW",
                )
            })?;
            let mut model: M = codec::decode(stored.clone(), at)?;
            validate::loaded(&mut model, at)?;
            Ok((model, stored))
        };
        let no_check = |_: &[Resolved]| Ok(());
        let (model, stored) = send::write::update(
            self.db,
            &table,
            &request,
            ReturnValue::AllNew,
            no_check,
            decode,
            |(model, _)| Some(model),
        )
        .await?;
        *self.model = model;
        if let Baseline::Loaded(original) = self.before {
            *original = baseline(&*self.model, stored);
        }
        Ok(true)
    }
}

/// What a partial save compares `model` with later: the model as it
/// encodes, or the item it was read from when it does not encode (the save
/// then fails on encoding it, as any write would).
fn baseline<M: DynaModel>(model: &M, read_from: Item) -> Item {
    codec::encode(model, ErrorContext::declared(M::table_def())).unwrap_or(read_from)
}

/// The declared fields whose stored value differs between `before` and
/// `now`, with the new value (`None`: now absent), compared as DynamoDB
/// compares values (a set is the same set whatever order its elements come
/// in, at any depth). Keys and what the pipeline maintains (version,
/// timestamps) are left out.
fn changed<'i>(
    def: &'static TableDef,
    before: &'i Item,
    now: &'i Item,
) -> impl Iterator<
    Item = (
        &'static str,
        Option<&'i aws_sdk_dynamodb::types::AttributeValue>,
    ),
> + 'i {
    let managed = [def.version, def.created_at, def.updated_at];
    def.all_fields()
        .map(|f| f.name)
        .filter(move |name| !def.key_names().any(|k| k == *name))
        .filter(move |name| !managed.contains(&Some(*name)))
        .filter(move |name| match (before.get(*name), now.get(*name)) {
            (Some(was), Some(is)) => !same_value(was, is),
            (was, is) => was.is_some() != is.is_some(),
        })
        .map(move |name| (name, now.get(name)))
}

impl<M: DynaModel> fmt::Debug for SaveChanges<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SaveChanges")
            .field("db", self.db)
            .field("model", &M::table_def().model)
            .field("key", &self.model.key())
            .field("when", &self.when)
            .finish()
    }
}

impl<'a, M: DynaModel> IntoFuture for SaveChanges<'a, M> {
    type Output = Result<bool>;
    type IntoFuture = OpFuture<'a, bool>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
