//! [`ChangeSource`]: what a stream record decodes into — every model, and
//! every collection of entities (`#[derive(DynaCollection)]` implements it).

use std::fmt::Debug;

use aws_sdk_dynamodb::types::AttributeValue;

use super::key::key_fields;
use crate::codec;
use crate::error::{Direction, Error, ErrorContext, Result};
use crate::item::{describe_attributes, Item};
use crate::model::{DynaCollection, DynaModel, TableSource};
use crate::schema::{EntityDef, TableDef};
use crate::validate;

/// What a stream record decodes into: a model (`Change<Thing>`), or a
/// collection of entities of a shared table (`Change<UserItems>`, each
/// record decoded as the entity its tag names). Implemented for every
/// [`DynaModel`]; `#[derive(DynaCollection)]` implements it for a collection.
pub trait ChangeSource: Sized + Send + Sync + 'static {
    /// The key a change carries: the model's key, or for a collection the
    /// item's key attributes as stored.
    type Key: Clone + Debug + Send + Sync + 'static;

    /// The Rust name, for errors.
    fn source_name() -> &'static str;

    /// The table whose stream holds the records, with the view declared.
    fn stream_table() -> &'static TableDef;

    /// Decodes one record's images: `Ok(None)` for a record of another
    /// entity of the table (or, with `skip_unknown`, of an entity outside a
    /// collection). Not meant to be called by hand.
    #[doc(hidden)]
    fn decode_change(
        images: Images<'_>,
        table: &str,
        skip_unknown: bool,
    ) -> Result<Option<Decoded<Self>>>;
}

/// A record's key attributes and images, as stored. Not public API.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Images<'a> {
    /// The key attributes.
    pub keys: &'a Item,
    /// The item before the write, when the view carries it.
    pub old: Option<&'a Item>,
    /// The item after the write, when the view carries it.
    pub new: Option<&'a Item>,
}

/// A record decoded. Not public API.
#[doc(hidden)]
#[derive(Debug)]
pub struct Decoded<S: ChangeSource> {
    /// The key.
    pub key: S::Key,
    /// The old image, decoded.
    pub old: Option<S>,
    /// The new image, decoded.
    pub new: Option<S>,
    /// The schema of the entity the record holds.
    pub def: &'static TableDef,
}

impl<M: DynaModel> ChangeSource for M {
    type Key = M::Key;

    fn source_name() -> &'static str {
        M::table_def().model
    }

    fn stream_table() -> &'static TableDef {
        M::table_def()
    }

    fn decode_change(images: Images<'_>, table: &str, _: bool) -> Result<Option<Decoded<M>>> {
        let def = M::table_def();
        let at = ErrorContext::new(def, table);
        if let Some(entity) = def.entity {
            if !holds_entity(def, entity, images) {
                return Ok(None);
            }
        }
        let old = images.old.map(|i| load::<M>(i.clone(), at)).transpose()?;
        let new = images.new.map(|i| load::<M>(i.clone(), at)).transpose()?;
        let key = match new.as_ref().or(old.as_ref()) {
            Some(model) => model.key(),
            None => key_of::<M>(images.keys, at)?,
        };
        Ok(Some(Decoded { key, old, new, def }))
    }
}

/// Whether a record of an entity's shared table is of that entity: by the
/// tag its images carry, else (keys only, or an item another program wrote
/// without a tag) by whether its keys have the shape the entity's
/// templates write.
fn holds_entity(def: &TableDef, entity: &EntityDef, images: Images<'_>) -> bool {
    let tag = images
        .new
        .or(images.old)
        .and_then(|item| tag_of(item, entity.tag_attribute));
    match tag {
        Some(tag) => entity.answers_to(tag),
        None => key_fields(def, images.keys).is_some(),
    }
}

fn tag_of<'i>(item: &'i Item, attribute: &str) -> Option<&'i str> {
    match item.get(attribute) {
        Some(AttributeValue::S(tag)) => Some(tag),
        _ => None,
    }
}

/// A model built from an image, as every read builds one: decoded, its
/// `after_load` hook run, validated.
fn load<M: DynaModel>(item: Item, at: ErrorContext<'_>) -> Result<M> {
    let mut model: M = codec::decode(item, at)?;
    validate::loaded(&mut model, at)?;
    Ok(model)
}

/// The model's key, read from a record's key attributes.
fn key_of<M: DynaModel>(keys: &Item, at: ErrorContext<'_>) -> Result<M::Key> {
    let def = M::table_def();
    let unreadable = |message: String| Error::codec(at, Direction::Decode, None, message);
    let fields = key_fields(def, keys).ok_or_else(|| {
        unreadable("the key attributes do not have the shape the key templates write".to_owned())
    })?;
    match M::key_from_fields(&fields) {
        Some(key) => key.map_err(|why| unreadable(format!("cannot read the key: {why}"))),
        None => Err(unreadable(
            "the model cannot read its key from key attributes (its DynaModel impl is not derived)"
                .to_owned(),
        )),
    }
}

/// [`ChangeSource::decode_change`] for a collection `C`: each image decoded
/// as the member its tag names; a keys-only record is of the first member
/// whose key templates fit its keys. A record of no member is
/// [`Error::UnknownEntity`], or `Ok(None)` when `skip_unknown`.
pub fn decode_collection_change<C: DynaCollection + ChangeSource<Key = Item>>(
    images: Images<'_>,
    table: &str,
    skip_unknown: bool,
) -> Result<Option<Decoded<C>>> {
    let old = member_image::<C>(images.old, table)?;
    let new = member_image::<C>(images.new, table)?;
    let decoded = match (old, new) {
        (MemberImage::Unknown, _) | (_, MemberImage::Unknown) => None,
        (old, new) => new
            .def()
            .or(old.def())
            .or_else(|| {
                C::members()
                    .iter()
                    .map(|member| member())
                    .find(|def| key_fields(def, images.keys).is_some())
            })
            .map(|def| Decoded {
                key: images.keys.clone(),
                old: old.into_member(),
                new: new.into_member(),
                def,
            }),
    };
    if decoded.is_some() || skip_unknown {
        return Ok(decoded);
    }
    let at = ErrorContext {
        model: C::NAME,
        table,
    };
    let tag = images
        .new
        .or(images.old)
        .and_then(C::tag_of)
        .map(str::to_owned);
    let table_def = <C::Table as TableSource>::table_def();
    let key = describe_attributes(images.keys, table_def.key_names());
    Err(Error::unknown_entity(at, tag, key, C::member_tags()))
}

/// One image of a collection's record.
enum MemberImage<C> {
    /// The stream view does not carry it, or the write left none.
    Absent,
    /// Its tag names no member (or it has none).
    Unknown,
    /// Decoded as the member whose schema is given.
    Member(C, &'static TableDef),
}

impl<C> MemberImage<C> {
    fn def(&self) -> Option<&'static TableDef> {
        match self {
            MemberImage::Member(_, def) => Some(def),
            _ => None,
        }
    }

    fn into_member(self) -> Option<C> {
        match self {
            MemberImage::Member(member, _) => Some(member),
            _ => None,
        }
    }
}

/// `image`, decoded as the member of `C` its tag names.
fn member_image<C: DynaCollection>(image: Option<&Item>, table: &str) -> Result<MemberImage<C>> {
    let Some(image) = image else {
        return Ok(MemberImage::Absent);
    };
    let Some((tag, def)) = C::tag_of(image).and_then(|tag| Some((tag, C::member_for_tag(tag)?)))
    else {
        return Ok(MemberImage::Unknown);
    };
    Ok(match C::decode_member(tag, image.clone(), table, None) {
        Some(decoded) => MemberImage::Member(decoded?, def),
        None => MemberImage::Unknown,
    })
}
