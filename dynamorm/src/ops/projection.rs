//! [`Projection`]: what a read decodes each item into — the model itself,
//! another model of the same table (`.project::<P>()` of a `DynaModel`: its
//! attributes only), or a `#[derive(DynaProjection)]` struct (its attribute
//! paths only, nested ones included).

use aws_sdk_dynamodb::types::AttributeValue;

use crate::codec;
use crate::error::{Direction, Error, ErrorContext, Result};
use crate::expr::{AttrPath, Segment};
use crate::item::Item;
use crate::model::DynaModel;
use crate::schema::{IndexDef, ProjectionDef};
use crate::validate;

/// What a read of `M`'s items decodes into: `M` itself, another model of
/// `M`'s table, or a struct deriving [`DynaProjection`](crate::DynaProjection)
/// with `#[dynamo(of = M)]`. `.project::<P>()` on a get, query, scan, index
/// query or batch get requests only `P`'s attribute paths (and the keys, which
/// page cursors are built from).
///
/// ```
/// use dynamorm::prelude::*;
/// use dynamorm::ops::projection::Projection;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Debug, Serialize, Deserialize)]
/// struct Child { sub: String }
///
/// #[derive(Debug, Serialize, Deserialize, DynaModel)]
/// #[dynamo(table = "things", billing = "on_demand")]
/// struct Thing { #[dynamo(hash_key)] id: String, child: Child, tags: Vec<String> }
///
/// #[derive(Debug, PartialEq, Deserialize, DynaProjection)]
/// #[dynamo(of = Thing)]
/// struct Card { id: String, #[dynamo(path = "child.sub")] sub: Option<String> }
///
/// assert_eq!(<Card as Projection<Thing>>::projected_paths(), Some(vec!["id", "child.sub"]));
/// # async fn demo() -> dynamorm::Result<()> {
/// let db = Db::embedded().await?;
/// Thing::table(&db).create().await?;
/// Thing { id: "t".into(), child: Child { sub: "s".into() }, tags: vec![] }.save(&db).await?;
/// let cards = Thing::query(&db, "t").project::<Card>().all().await?;
/// assert_eq!(cards, [Card { id: "t".into(), sub: Some("s".into()) }]);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub trait Projection<M: DynaModel>: Send + Sync + Sized + 'static {
    /// The Rust name, for errors.
    fn projection_name() -> &'static str;

    /// The attribute paths read (`"name"`, `"child.sub"`, `"things[0]"`);
    /// `None`: the whole item.
    fn projected_paths() -> Option<Vec<&'static str>>;

    /// Builds the value from an item holding (at least) those paths, read
    /// from the table called `table` (or its `index`). Not meant to be
    /// called by hand.
    #[doc(hidden)]
    fn from_item(item: Item, table: &str, index: Option<&'static IndexDef>) -> Result<Self>;

    /// Whether [`from_text`](Self::from_text) reads an item's JSON text
    /// straight into the value, so a read of `table` (or its `index`) may
    /// leave pages as text. Not meant to be called by hand.
    #[doc(hidden)]
    fn reads_text(_index: Option<&'static IndexDef>) -> bool {
        false
    }

    /// [`from_item`](Self::from_item) of an item's JSON text, for a read
    /// [`reads_text`](Self::reads_text) accepts. Not meant to be called by
    /// hand.
    #[doc(hidden)]
    fn from_text(text: &[u8], table: &str, index: Option<&'static IndexDef>) -> Result<Self> {
        let at = ErrorContext {
            model: Self::projection_name(),
            table,
        };
        Self::from_item(codec::parse_text(text, at)?, table, index)
    }
}

impl<M: DynaModel, O: DynaModel> Projection<M> for O {
    fn projection_name() -> &'static str {
        O::table_def().model
    }

    fn projected_paths() -> Option<Vec<&'static str>> {
        (std::any::TypeId::of::<M>() != std::any::TypeId::of::<O>())
            .then(|| O::table_def().all_fields().map(|f| f.name).collect())
    }

    fn from_item(item: Item, table: &str, index: Option<&'static IndexDef>) -> Result<Self> {
        decode_as::<M, O>(item, ErrorContext::new(O::table_def(), table), index)
    }

    /// The model itself, read whole (a table's item, or an index's that
    /// holds every attribute), when the codec reads its items from text.
    fn reads_text(index: Option<&'static IndexDef>) -> bool {
        std::any::TypeId::of::<M>() == std::any::TypeId::of::<O>()
            && index.is_none_or(|i| i.projection == ProjectionDef::All)
            && codec::reads_text::<O>()
    }

    fn from_text(text: &[u8], table: &str, index: Option<&'static IndexDef>) -> Result<Self> {
        let at = ErrorContext::new(O::table_def(), table);
        if !<Self as Projection<M>>::reads_text(index) {
            return <Self as Projection<M>>::from_item(codec::parse_text(text, at)?, table, index);
        }
        let mut model: O = codec::decode_text(text, at)?;
        validate::loaded(&mut model, at)?;
        Ok(model)
    }
}

/// A member of a collection (`#[derive(DynaCollection)]`): an entity, read
/// whole, or a projection of one (`#[derive(DynaProjection)]` with
/// `#[dynamo(of = User)]`), read from its entity's items. A collection of
/// projections requests only their paths (with the tag and the keys).
pub trait CollectionMember: Send + Sync + Sized + 'static {
    /// The entity whose items the member is read from.
    type Entity: DynaModel;

    /// The attribute paths read; `None`: the whole item.
    fn member_paths() -> Option<Vec<&'static str>>;

    /// Builds the member from one of its entity's items read from `table`
    /// (or its `index`). Not meant to be called by hand.
    #[doc(hidden)]
    fn decode_member(item: Item, table: &str, index: Option<&'static IndexDef>) -> Result<Self>;
}

impl<M: DynaModel> CollectionMember for M {
    type Entity = M;

    fn member_paths() -> Option<Vec<&'static str>> {
        None
    }

    fn decode_member(item: Item, table: &str, index: Option<&'static IndexDef>) -> Result<Self> {
        decode_as::<M, M>(item, ErrorContext::new(M::table_def(), table), index)
    }
}

/// A `DynaProjection`'s fields and where each lies in an item DynamoDB
/// returns for its paths, worked out once per type (the derive keeps it in
/// a static). Not meant to be built by hand.
#[derive(Debug)]
pub struct ProjectedPaths {
    /// Each field, named as serde reads it, and its path in a returned
    /// item; `Err` names a path that could not be read.
    fields: std::result::Result<Vec<(&'static str, AttrPath)>, &'static str>,
}

impl ProjectedPaths {
    /// The fields `(serde name, path)`. DynamoDB returns the list elements
    /// a projection names as a list of just those elements, in index
    /// order: each index is read at its place among them.
    pub fn new(fields: &[(&'static str, &'static str)]) -> Self {
        let parsed = fields
            .iter()
            .map(|(_, path)| AttrPath::parse(path).ok_or(*path))
            .collect::<std::result::Result<Vec<_>, _>>();
        ProjectedPaths {
            fields: parsed.map(|paths| {
                fields
                    .iter()
                    .zip(&paths)
                    .map(|((field, _), path)| (*field, as_returned(path, &paths)))
                    .collect()
            }),
        }
    }

    /// Builds `P` from `item`: each field from the value at its path (a
    /// path missing from the item leaves the field out: an `Option` field
    /// is `None`). `name` is `P`'s Rust name, for errors.
    pub fn decode<P: serde::de::DeserializeOwned>(
        &self,
        item: &Item,
        name: &'static str,
        table: &str,
    ) -> Result<P> {
        let at = ErrorContext { model: name, table };
        let fields = self.fields.as_ref().map_err(|path| {
            Error::invalid_query(at, format!("`{path}` is not an attribute path"))
        })?;
        let mut flat = Item::with_capacity(fields.len());
        for (field, path) in fields {
            if let Some(value) = path.value_in(item) {
                flat.insert((*field).to_owned(), value.clone());
            }
        }
        codec::read_value(AttributeValue::M(flat))
            .map_err(|message| Error::codec(at, Direction::Decode, None, message))
    }
}

/// Where `path` lies in an item DynamoDB returned for the projection of
/// `all`: each list index replaced by its rank among the indexes projected
/// from the same list (unless the whole list is projected too).
fn as_returned(path: &AttrPath, all: &[AttrPath]) -> AttrPath {
    let segments = path.segments();
    let mut returned = AttrPath::new(path.root());
    for (k, segment) in segments.iter().enumerate().skip(1) {
        returned = match segment {
            Segment::Name(name) => returned.key(name.clone()),
            Segment::Index(index) => {
                let prefix = &segments[..k];
                let whole_list = all.iter().any(|p| p.segments() == prefix);
                let mut projected: Vec<usize> = all
                    .iter()
                    .filter(|p| p.segments().len() > k && &p.segments()[..k] == prefix)
                    .filter_map(|p| match &p.segments()[k] {
                        Segment::Index(i) => Some(*i),
                        Segment::Name(_) => None,
                    })
                    .collect();
                projected.sort_unstable();
                projected.dedup();
                let rank = projected.iter().position(|i| i == index).unwrap_or(*index);
                returned.at(if whole_list { *index } else { rank })
            }
        };
    }
    returned
}

/// Decodes and validates one item of `M`'s table (or `index`) read as `O`
/// (`M` itself, or a projection of it chosen with `.project::<O>()`).
pub(crate) fn decode_as<M: DynaModel, O: DynaModel>(
    mut item: Item,
    at: ErrorContext<'_>,
    index: Option<&IndexDef>,
) -> Result<O> {
    if std::any::TypeId::of::<M>() != std::any::TypeId::of::<O>() {
        // A projection also reads the keys (for cursors): hand the output
        // model only its own attributes (it may deny unknown fields).
        let output = O::table_def();
        item.retain(|name, _| output.field(name).is_some());
    }
    if let Some(index) = index.filter(|i| i.projection != ProjectionDef::All) {
        let output = O::table_def();
        if let Some(missing) = output
            .all_fields()
            .find(|f| f.required && !item.contains_key(f.name))
        {
            return Err(Error::codec(
                at,
                Direction::Decode,
                Some(missing.name.to_owned()),
                format!(
                    "missing field `{}`: index `{}` does not project it; make the field an \
                     Option or #[serde(default)], or read only projected attributes with \
                     .project::<P>()",
                    missing.name, index.name
                ),
            ));
        }
    }
    let mut model: O = codec::decode(item, at)?;
    validate::loaded(&mut model, at)?;
    Ok(model)
}
