//! [`Change`]: one record of a table's stream, typed; [`ChangeKind`]: what
//! the write did.

use std::time::SystemTime;

use super::position::Position;
use super::source::ChangeSource;
use crate::item::{same_value, Item};
use crate::schema::TableDef;

/// What a write did to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// A new item was written (`INSERT`).
    Insert,
    /// An existing item was replaced or updated (`MODIFY`).
    Modify,
    /// The item was deleted, by a write or by TTL (`REMOVE`).
    Remove,
}

impl ChangeKind {
    /// The kind a stream record's `eventName` names.
    ///
    /// ```
    /// use dynamorm::stream::ChangeKind;
    /// assert_eq!(ChangeKind::from_event_name("MODIFY"), Some(ChangeKind::Modify));
    /// assert_eq!(ChangeKind::from_event_name("modify"), None);
    /// ```
    pub fn from_event_name(name: &str) -> Option<Self> {
        match name {
            "INSERT" => Some(ChangeKind::Insert),
            "MODIFY" => Some(ChangeKind::Modify),
            "REMOVE" => Some(ChangeKind::Remove),
            _ => None,
        }
    }

    /// The stream's name for it: `INSERT`, `MODIFY` or `REMOVE`.
    ///
    /// ```
    /// assert_eq!(dynamorm::stream::ChangeKind::Remove.event_name(), "REMOVE");
    /// ```
    pub fn event_name(self) -> &'static str {
        match self {
            ChangeKind::Insert => "INSERT",
            ChangeKind::Modify => "MODIFY",
            ChangeKind::Remove => "REMOVE",
        }
    }
}

impl std::fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.event_name())
    }
}

/// One change to an item, from the table's stream or an AWS Lambda event,
/// decoded as `S`: a model (`Change<Thing>`) or a collection of entities
/// (`Change<UserItems>`, whose key is the item's raw key attributes).
///
/// Which images are present follows the stream view the model declares
/// (`#[dynamo(stream = "..")]`; the table's own when the model declares
/// none): `keys_only`: neither; `new_image`: `new` (not on a remove);
/// `old_image`: `old` (not on an insert); `new_and_old_images`: both
/// that exist for the kind.
///
/// ```
/// use dynamorm::prelude::*;
/// use dynamorm::stream::{Change, ChangeKind};
/// use futures::StreamExt;
///
/// #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, DynaModel)]
/// #[dynamo(table = "things", billing = "on_demand", stream = "new_and_old_images")]
/// struct Thing { #[dynamo(hash_key)] id: String, count: i64 }
///
/// # async fn demo() -> dynamorm::Result<()> {
/// let db = Db::embedded().await?;
/// Thing::table(&db).create().await?;
/// Thing { id: "t1".into(), count: 1 }.save(&db).await?;
/// Thing::update(&db, "t1").add(Thing::COUNT, 1).await?;
///
/// let changes: Vec<Change<Thing>> = Thing::table(&db).changes().from_start().until_now()
///     .stream().collect::<Vec<_>>().await.into_iter().collect::<dynamorm::Result<_>>()?;
/// assert_eq!(changes[0].kind, ChangeKind::Insert);
/// assert_eq!(changes[1].kind, ChangeKind::Modify);
/// assert_eq!(changes[1].key, "t1");
/// assert_eq!(changes[1].old.as_ref().map(|t| t.count), Some(1));
/// assert_eq!(changes[1].new.as_ref().map(|t| t.count), Some(2));
/// assert_eq!(changes[1].changed_fields(), ["count"]);
/// let resume_after = changes[1].position();       // persist it; `.after(&it)` resumes
/// # let _ = resume_after;
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Change<S: ChangeSource> {
    /// What the write did.
    pub kind: ChangeKind,
    /// The item's key: the model's key, or for a collection the item's key
    /// attributes as stored.
    pub key: S::Key,
    /// The item before the write, when the stream view carries it.
    pub old: Option<S>,
    /// The item after the write, when the stream view carries it.
    pub new: Option<S>,
    pub(crate) meta: RecordMeta,
}

/// What a change keeps of its record besides the decoded values.
#[derive(Debug, Clone)]
pub(crate) struct RecordMeta {
    pub sequence_number: String,
    pub shard: Option<String>,
    pub created: Option<SystemTime>,
    pub keys: Item,
    pub old: Option<Item>,
    pub new: Option<Item>,
    /// The schema of the entity the record holds, for `changed_fields`.
    pub def: &'static TableDef,
}

impl<S: ChangeSource> Change<S> {
    /// The record's sequence number (decimal digits), which orders the
    /// records of one item.
    pub fn sequence_number(&self) -> &str {
        &self.meta.sequence_number
    }

    /// When the record was written, to the second or better as the engine
    /// reports it; `None` when the record does not say.
    pub fn created_at(&self) -> Option<SystemTime> {
        self.meta.created
    }

    /// Where the record sits in the stream: persist it and pass it to
    /// [`Changes::after`](crate::ops::changes::Changes::after) to resume
    /// right after this change.
    pub fn position(&self) -> Position {
        match &self.meta.shard {
            Some(shard) => Position::new(shard.clone(), self.meta.sequence_number.clone()),
            None => Position::of_sequence_number(self.meta.sequence_number.clone()),
        }
    }

    /// The names of the model's attributes whose stored values differ
    /// between the old and the new image, in the model's field order:
    /// numbers compared by value, sets as sets, lists, maps and nested
    /// fields by their whole stored value (a change inside `child` lists
    /// `child`). An insert lists every attribute the new image has, a
    /// remove every one the old image had. A modify under a view without
    /// both images lists nothing: there is nothing to compare.
    pub fn changed_fields(&self) -> Vec<&'static str> {
        let (old, new) = match (self.kind, &self.meta.old, &self.meta.new) {
            (ChangeKind::Modify, Some(old), Some(new)) => (Some(old), Some(new)),
            (ChangeKind::Insert, _, Some(new)) => (None, Some(new)),
            (ChangeKind::Remove, Some(old), _) => (Some(old), None),
            _ => return Vec::new(),
        };
        self.meta
            .def
            .all_fields()
            .map(|f| f.name)
            .filter(|name| {
                match (
                    old.and_then(|i| i.get(*name)),
                    new.and_then(|i| i.get(*name)),
                ) {
                    (None, None) => false,
                    (Some(a), Some(b)) => !same_value(a, b),
                    _ => true,
                }
            })
            .collect()
    }

    /// The item's key attributes as the record stores them.
    pub fn keys_item(&self) -> &Item {
        &self.meta.keys
    }

    /// The old image as the record stores it (before decoding).
    pub fn old_item(&self) -> Option<&Item> {
        self.meta.old.as_ref()
    }

    /// The new image as the record stores it (before decoding).
    pub fn new_item(&self) -> Option<&Item> {
        self.meta.new.as_ref()
    }
}
