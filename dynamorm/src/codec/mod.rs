//! Model <-> DynamoDB item, on serde, in serde_dynamo's format.
//!
//! The codec's own serde `Serializer` and `Deserializer`
//! work on the SDK's `AttributeValue` directly and write what serde_dynamo
//! writes, so items stay readable by either. A derived model's item is
//! written field by field by the derive's generated encoder,
//! which writes what that serializer would. On top of that format the codec
//! applies DynamoDB's conventions that serde alone cannot express:
//! - `None` is omitted, not stored as `NULL`;
//! - `Vec<u8>` is binary (`B`), not a list of numbers;
//! - `HashSet`/`BTreeSet` fields are `SS`/`NS`/`BS`, and an empty set is omitted
//!   (DynamoDB cannot store one); reading an absent set gives an empty set;
//! - an item over 400 KB is refused before any request ([`Error::ItemTooLarge`]).
//!
//! Attributes in the table that the model does not declare are ignored on read,
//! so a table can gain attributes before every reader knows them.

mod de;
pub(crate) mod direct;
pub(crate) mod entity;
mod json;
mod ser;
mod shape;
mod size;
mod text;

use aws_sdk_dynamodb::types::AttributeValue;

use self::de::ValueDeserializer;
use self::ser::ValueSerializer;
use self::shape::{shape_for_read, shape_for_storage, shape_for_write};

use crate::error::{Direction, Error, ErrorContext, Result};
use crate::item::Item as ItemMap;
use crate::key_id::{key_id_by, KeyId};
use crate::model::{DynaModel, FieldSink};
use crate::schema::{FieldDef, FieldShape, TableDef};
use crate::wire::attribute_json::WireItem;

pub use self::size::{check_size, item_size, MAX_ITEM_SIZE};
/// [`Item`](crate::Item), under its old path.
#[deprecated(note = "use `dynamorm::Item`")]
pub type Item = crate::item::Item;

pub(crate) use self::json::from_json;
pub(crate) use self::shape::{list_as_set, shape_field_for_read, shape_value};
pub(crate) use self::size::check_item_size;
pub(crate) use crate::number::{check_numbers, check_value_at};

/// Encodes a model as an item.
///
/// ```
/// use dynamorm::prelude::*;
/// use dynamorm::AttributeValue;
///
/// #[derive(serde::Serialize, serde::Deserialize, DynaModel)]
/// #[dynamo(table = "things")]
/// struct T { #[dynamo(hash_key)] id: String, note: Option<String>, blob: Vec<u8> }
///
/// let item = dynamorm::codec::to_item(&T { id: "a".into(), note: None, blob: vec![1, 2] })?;
/// assert_eq!(item["id"], AttributeValue::S("a".into()));
/// assert!(!item.contains_key("note")); // None is omitted
/// assert!(item["blob"].is_b());        // Vec<u8> is binary
/// # Ok::<(), dynamorm::Error>(())
/// ```
pub fn to_item<M: DynaModel>(model: &M) -> Result<ItemMap> {
    encode(model, ErrorContext::declared(M::table_def()))
}

/// [`to_item`], with errors naming the table at `at` and the attribute that
/// failed: a value serde cannot encode, or a number DynamoDB cannot store
/// (NaN, infinity, more than 38 significant digits, out of range).
///
/// A derived model's fields are written one by one (see
/// [`DynaModel::encode_fields`]); other models through their `Serialize`
/// impl. Numbers are checked as they are encoded (see [`ser`]), so the item
/// needs no second walk.
pub(crate) fn encode<M: DynaModel>(model: &M, at: ErrorContext<'_>) -> Result<ItemMap> {
    let def = M::table_def();
    let mut item = encode_fields_of(model, at)?;
    if let Some(entity) = def.entity {
        entity::store_keys(def, entity, &mut item, at)?;
    }
    Ok(item)
}

/// The model's own fields as an item: field by field where the derive
/// writes them, else by the model's `Serialize`.
fn encode_fields_of<M: DynaModel>(model: &M, at: ErrorContext<'_>) -> Result<ItemMap> {
    let mut writer = ItemWriter::new(M::table_def().fields.len());
    if !model.encode_fields(&mut writer) {
        return encode_with_serde(model, at);
    }
    let item = match writer.failure {
        None => writer.item,
        Some(WriteFailure::Value) => return Err(encode_error(model, at)),
        Some(WriteFailure::Shape(path, why)) => {
            return Err(Error::codec(at, Direction::Encode, Some(path), why))
        }
    };
    // Debug builds compare every item written field by field with the one
    // `Serialize` writes; release builds compare a model's first write, and
    // refuse every write of a model whose first one differed, so debug and
    // release builds never store different items.
    fields_item_admitted(
        cfg!(debug_assertions),
        M::fields_match_serialize(),
        || same_as_serialize(model, &item, at),
        at,
    )?;
    Ok(item)
}

/// Whether an item written field by field may be stored: `compare` (with
/// the item `Serialize` writes) decides on every write when `every_write`
/// (debug builds), else on the model's first write only, kept in `checked`
/// for every later one.
fn fields_item_admitted(
    every_write: bool,
    checked: Option<&std::sync::OnceLock<bool>>,
    compare: impl FnOnce() -> Result<()>,
    at: ErrorContext<'_>,
) -> Result<()> {
    match checked {
        _ if every_write => compare(),
        Some(checked) if !*checked.get_or_init(|| compare().is_ok()) => Err(serialize_differs(at)),
        _ => Ok(()),
    }
}

/// The item the derive wrote field by field must be the one the model's
/// `Serialize` impl writes. They differ only when that impl is
/// written by hand (or a serde attribute the derive does not know changes
/// it), which `#[dynamo(custom_serialize)]` declares.
fn same_as_serialize<M: DynaModel>(model: &M, item: &ItemMap, at: ErrorContext<'_>) -> Result<()> {
    match encode_with_serde(model, at) {
        Ok(by_serde) if &by_serde == item => Ok(()),
        _ => Err(serialize_differs(at)),
    }
}

/// The error for a model whose `Serialize` writes another item than its
/// fields do.
fn serialize_differs(at: ErrorContext<'_>) -> Error {
    Error::codec(
        at,
        Direction::Encode,
        None,
        "the model's Serialize impl writes another item than its fields do; \
         a model whose Serialize is written by hand needs #[dynamo(custom_serialize)]",
    )
}

/// Why [`ItemWriter`] could not write an item.
enum WriteFailure {
    /// A value could not be encoded: serde's path says where and why.
    Value,
    /// A field's value does not fit its shape: (path, why).
    Shape(String, String),
}

/// One value as the codec writes values inside an item (`None` is
/// `NULL`): condition operands, update values, index keys. `Err` carries
/// serde's message (a number DynamoDB cannot store, a map with non-string
/// keys ...).
pub(crate) fn value_of<T: serde::Serialize + ?Sized>(
    value: &T,
) -> std::result::Result<AttributeValue, String> {
    value
        .serialize(ValueSerializer::default())
        .map_err(|e| e.to_string())
}

/// One value read as the codec reads an item's attributes.
pub(crate) fn read_value<T: serde::de::DeserializeOwned>(
    value: AttributeValue,
) -> std::result::Result<T, String> {
    T::deserialize(ValueDeserializer(value)).map_err(|e| e.to_string())
}

/// The item a model's generated [`DynaModel::encode_fields`] writes: `None`
/// (`NULL`) values are left out and each field is given its shape, as
/// [`encode_with_serde`] does for the whole item.
struct ItemWriter {
    item: ItemMap,
    /// The capacity the item gets with its first field (a model encoded
    /// through serde allocates nothing here).
    fields: usize,
    failure: Option<WriteFailure>,
}

impl ItemWriter {
    fn new(fields: usize) -> Self {
        ItemWriter {
            item: ItemMap::new(),
            fields,
            failure: None,
        }
    }
}

impl FieldSink for ItemWriter {
    #[inline(always)]
    fn field(&mut self, def: &'static FieldDef, value: Option<AttributeValue>) {
        if self.failure.is_some() {
            return;
        }
        let Some(value) = value else {
            self.failure = Some(WriteFailure::Value);
            return;
        };
        if value.is_null() {
            return;
        }
        // Most fields are plain: they skip the shaping call (measurably, on
        // the encode bench), which handles `Plain` too.
        let value = match def.shape {
            FieldShape::Plain => value,
            _ => match shape_for_storage(def, value) {
                Ok(Some(value)) => value,
                Ok(None) => return,
                Err((path, why)) => {
                    self.failure = Some(WriteFailure::Shape(path, why));
                    return;
                }
            },
        };
        if self.item.capacity() == 0 {
            self.item = ItemMap::with_capacity(self.fields);
        }
        self.item.insert(def.name.to_owned(), value);
    }
}

/// [`encode`] through the model's `Serialize` impl.
fn encode_with_serde<M: DynaModel>(model: &M, at: ErrorContext<'_>) -> Result<ItemMap> {
    let top = ValueSerializer { drop_null: true };
    let mut item: ItemMap = match model.serialize(top) {
        Ok(AttributeValue::M(item)) => item,
        Ok(_) => {
            return Err(Error::codec(
                at,
                Direction::Encode,
                None,
                "the model is not a map of attributes",
            ))
        }
        Err(_) => return Err(encode_error(model, at)),
    };
    shape_for_write(M::table_def(), &mut item)
        .map_err(|(path, why)| Error::codec(at, Direction::Encode, Some(path), why))?;
    Ok(item)
}

/// The error of a failed encode, with the path serde was at: encoding again
/// with path tracking costs nothing on the (common) path that succeeds.
fn encode_error<M: DynaModel>(model: &M, at: ErrorContext<'_>) -> Error {
    match serde_path_to_error::serialize(model, ValueSerializer { drop_null: true }) {
        Err(e) => {
            let path = e.path().to_string();
            let path = (path != ".").then_some(path);
            Error::codec(at, Direction::Encode, path, e.inner().to_string())
        }
        Ok(_) => Error::codec(
            at,
            Direction::Encode,
            None,
            "the model is not a map of attributes",
        ),
    }
}

/// Decodes an item into a model. Errors name the attribute that did not fit.
///
/// ```
/// use dynamorm::prelude::*;
/// use dynamorm::AttributeValue;
///
/// #[derive(Debug, serde::Serialize, serde::Deserialize, DynaModel)]
/// #[dynamo(table = "things")]
/// struct T { #[dynamo(hash_key)] id: String, count: i64 }
///
/// let mut item = dynamorm::codec::Item::new();
/// item.insert("id".into(), AttributeValue::S("a".into()));
/// item.insert("count".into(), AttributeValue::S("many".into()));
/// let err = dynamorm::codec::from_item::<T>(item).unwrap_err();
/// assert!(err.to_string().contains("count"));
/// ```
pub fn from_item<M: DynaModel>(item: ItemMap) -> Result<M> {
    decode(item, ErrorContext::declared(M::table_def()))
}

/// [`from_item`], with errors naming the table at `at`.
pub(crate) fn decode<M: DynaModel>(mut item: ItemMap, at: ErrorContext<'_>) -> Result<M> {
    let def = M::table_def();
    if let Some(entity) = def.entity {
        entity::admit(def, entity, &mut item, at)?;
    }
    shape_for_read(def, &mut item);
    M::deserialize(ValueDeserializer(AttributeValue::M(item))).map_err(|e| decode_failure(at, e))
}

/// A value that failed to decode, as the error naming its path.
fn decode_failure(at: ErrorContext<'_>, e: de::DeError) -> Error {
    Error::codec(at, Direction::Decode, Some(e.path()), e.message())
}

/// Whether [`decode_text`] reads `M`: a model whose stored forms serde
/// reads as they are (no epoch-seconds time, no set that reads as empty
/// when absent), so an item needs no reshaping before serde reads it.
pub(crate) fn reads_text<M: DynaModel>() -> bool {
    M::table_def().all_fields().all(|field| match field.shape {
        FieldShape::Plain | FieldShape::Bytes => true,
        FieldShape::Set | FieldShape::ByteSet => field.optional,
        FieldShape::Epoch(_) => false,
    })
}

/// [`decode`] of an item still in DynamoDB's JSON text (an object of
/// attribute names and typed values), read straight into the model, for
/// a model [`reads_text`] accepts. An entity's tag is checked and its
/// template-written keys left out, as `decode` does; an entity's item that
/// fails is decoded again parsed, so the error is the one `decode` reports
/// first (a wrong tag before a field that does not fit).
pub(crate) fn decode_text<M: DynaModel>(text: &[u8], at: ErrorContext<'_>) -> Result<M> {
    let def = M::table_def();
    let Some(entity) = def.entity else {
        return text::from_text(text).map_err(|e| decode_failure(at, e));
    };
    let role = |name: &str| entity::attribute_role(def, entity, name);
    match text::entity_from_text::<M>(text, &role) {
        Ok((model, tag)) => {
            entity::check_tag(entity, tag, at)?;
            Ok(model)
        }
        Err(_) => decode(parse_text(text, at)?, at),
    }
}

/// An item's JSON text, parsed; errors name `at`.
pub(crate) fn parse_text(text: &[u8], at: ErrorContext<'_>) -> Result<ItemMap> {
    serde_json::from_slice::<WireItem>(text)
        .map(|item| item.0)
        .map_err(|e| Error::codec(at, Direction::Decode, None, e.to_string()))
}

/// The identity of the key of an item still in DynamoDB's JSON text, of
/// `def`'s table: its key attributes parsed, the rest skipped.
pub(crate) fn key_id_of_text(def: &TableDef, text: &[u8], at: ErrorContext<'_>) -> Result<KeyId> {
    let names = [Some(def.hash_key.name), def.range_key.map(|k| k.name)];
    let [hash, range] = text::attributes_from_text(text, names)
        .map_err(|e| Error::codec(at, Direction::Decode, None, e.message()))?;
    Ok(key_id_by(def, |name| {
        if name == def.hash_key.name {
            hash.as_ref()
        } else {
            range.as_ref()
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    mod read_from_text {
        use std::collections::HashSet;

        use aws_sdk_dynamodb::types::AttributeValue;
        use serde::{Deserialize, Serialize};

        use crate::error::ErrorContext;

        use crate::{DynaModel, DynaTable};

        #[derive(Serialize, Deserialize, DynaModel)]
        #[dynamo(crate = "crate", table = "plain")]
        struct Plain {
            #[dynamo(hash_key)]
            id: String,
            data: Vec<u8>,
            tags: Option<HashSet<String>>,
            blobs: Option<HashSet<Vec<u8>>>,
        }

        #[derive(Serialize, Deserialize, DynaModel)]
        #[dynamo(crate = "crate", table = "sets")]
        struct WithSet {
            #[dynamo(hash_key)]
            id: String,
            tags: HashSet<String>,
        }

        #[derive(Serialize, Deserialize, DynaModel)]
        #[dynamo(crate = "crate", table = "expiring")]
        struct WithTtl {
            #[dynamo(hash_key)]
            id: String,
            #[dynamo(ttl)]
            expires: i64,
        }

        #[derive(DynaTable)]
        #[dynamo(crate = "crate", table = "app", hash_key = "pk", range_key = "sk")]
        struct App;

        #[derive(Serialize, Deserialize, DynaModel)]
        #[dynamo(crate = "crate", table = App, entity = "user")]
        #[dynamo(key(hash = "USER#{id}", range = "PROFILE"))]
        #[dynamo(entity_aliases = ["member"])]
        struct User {
            id: String,
            age: u32,
        }

        #[test]
        fn only_items_that_need_no_reshaping_are_read_from_text() {
            assert!(super::super::reads_text::<Plain>());
            assert!(super::super::reads_text::<User>());
            // An absent set reads as an empty one, epoch seconds as the
            // field's form: both reshaped, so parsed first.
            assert!(!super::super::reads_text::<WithSet>());
            assert!(!super::super::reads_text::<WithTtl>());
        }

        /// A user's fields, or the error's text.
        type Read = Result<(String, u32), String>;

        /// What `decode` and `decode_text` make of the same item: the
        /// user's fields, or the error's text.
        fn both(item: &[(&str, AttributeValue)]) -> (Read, Read) {
            let item: crate::Item = item
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect();
            let at = ErrorContext {
                model: "User",
                table: "app",
            };
            let text = serde_json::to_vec(&crate::wire::attribute_json::ItemJson(&item)).unwrap();
            let fields =
                |r: crate::Result<User>| r.map(|u| (u.id, u.age)).map_err(|e| e.to_string());
            (
                fields(super::super::decode(item, at)),
                fields(super::super::decode_text(&text, at)),
            )
        }

        #[derive(Serialize, Deserialize, DynaModel)]
        #[dynamo(crate = "crate", table = "scores")]
        struct Score {
            #[dynamo(hash_key)]
            player: String,
            #[dynamo(range_key)]
            points: f64,
        }

        #[test]
        fn a_key_read_from_text_is_the_key_of_the_parsed_item() {
            let at = ErrorContext {
                model: "Score",
                table: "scores",
            };
            let def = <Score as DynaModel>::table_def();
            for (player, points, other) in [
                ("a", "1.50", "1.5"),
                ("b", "100", "1E2"),
                ("é\"", "-0", "0"),
            ] {
                let item: crate::Item = [
                    ("player".to_owned(), AttributeValue::S(player.into())),
                    ("points".to_owned(), AttributeValue::N(points.into())),
                    ("extra".to_owned(), AttributeValue::L(vec![])),
                ]
                .into();
                let text =
                    serde_json::to_vec(&crate::wire::attribute_json::ItemJson(&item)).unwrap();
                let from_text = super::super::key_id_of_text(def, &text, at).unwrap();
                assert!(
                    from_text == crate::key_id::key_id(def, &item),
                    "{player} {points}"
                );
                let mut same = item.clone();
                same.insert("points".into(), AttributeValue::N(other.into()));
                assert!(
                    from_text == crate::key_id::key_id(def, &same),
                    "{points} is {other}"
                );
            }
            assert!(super::super::key_id_of_text(def, b"{", at).is_err());
        }

        #[test]
        fn an_entitys_item_reads_alike_from_text_its_tag_checked_and_keys_left_out() {
            let s = |v: &str| AttributeValue::S(v.into());
            let n = |v: &str| AttributeValue::N(v.into());
            let cases: [Vec<(&str, AttributeValue)>; 7] = [
                vec![
                    ("pk", s("USER#u1")),
                    ("sk", s("PROFILE")),
                    ("_et", s("user")),
                    ("id", s("u1")),
                    ("age", n("7")),
                ],
                vec![("_et", s("member")), ("id", s("u1")), ("age", n("7"))],
                vec![("id", s("u1")), ("age", n("7"))],
                vec![("_et", s("order")), ("id", s("u1")), ("age", n("7"))],
                vec![("_et", n("1")), ("id", s("u1")), ("age", n("7"))],
                // A wrong tag is reported before a field that does not fit.
                vec![("age", s("old")), ("_et", s("order")), ("id", s("u1"))],
                vec![
                    ("pk", s("USER#u1")),
                    ("_et", s("user")),
                    ("id", s("u1")),
                    ("age", n("-1")),
                ],
            ];
            let mut outcomes = Vec::new();
            for case in &cases {
                let (parsed, text) = both(case);
                assert_eq!(text, parsed, "{case:?}");
                outcomes.push(text.is_ok());
            }
            assert_eq!(outcomes, [true, true, true, false, false, false, false]);
            let (_, wrong) = both(&cases[5]);
            assert!(wrong.unwrap_err().contains("order"));
        }
    }

    #[test]
    fn release_builds_judge_a_model_by_its_first_write_and_keep_the_verdict() {
        let at = ErrorContext {
            model: "Thing",
            table: "things",
        };
        let differs = || Err(serialize_differs(at));
        let same = || Ok(());
        // Release: the first write decides, for every later one too.
        let checked = std::sync::OnceLock::new();
        assert!(fields_item_admitted(false, Some(&checked), differs, at).is_err());
        assert!(
            fields_item_admitted(false, Some(&checked), same, at).is_err(),
            "refused ever after"
        );
        let checked = std::sync::OnceLock::new();
        assert!(fields_item_admitted(false, Some(&checked), same, at).is_ok());
        let mut compared = false;
        assert!(fields_item_admitted(
            false,
            Some(&checked),
            || {
                compared = true;
                Err(serialize_differs(at))
            },
            at
        )
        .is_ok());
        assert!(!compared, "a model checked once is not compared again");
        // Debug: every write is compared.
        assert!(fields_item_admitted(true, Some(&checked), differs, at).is_err());
        assert!(fields_item_admitted(true, None, same, at).is_ok());
        // A model written by `Serialize` has nothing to compare.
        assert!(fields_item_admitted(false, None, differs, at).is_ok());
    }

    pub(in crate::codec) mod format {
        use std::collections::{BTreeMap, HashMap};

        use aws_sdk_dynamodb::types::AttributeValue;
        use serde::{Deserialize, Serialize};

        use super::super::de::ValueDeserializer;
        use super::super::ser::ValueSerializer;

        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        struct Unit;

        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        struct Wrapper(String);

        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        enum Kind {
            Plain,
            Newtype(i32),
            Tuple(u8, String),
            Struct { a: bool, b: Option<f64> },
        }

        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(untagged)]
        enum Loose {
            Number(i64),
            Text(String),
        }

        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub(in crate::codec) struct Everything {
            text: String,
            ch: char,
            small: i8,
            big: u64,
            negative: i64,
            float: f64,
            single: f32,
            flag: bool,
            none: Option<String>,
            some: Option<u16>,
            unit: (),
            unit_struct: Unit,
            wrapper: Wrapper,
            kinds: Vec<Kind>,
            tuple: (i32, String, bool),
            by_number: BTreeMap<u32, String>,
            by_kind: HashMap<String, Vec<Option<i32>>>,
            loose: Vec<Loose>,
            nested: Vec<Vec<HashMap<String, f32>>>,
            json: serde_json::Value,
        }

        pub(in crate::codec) fn everything(i: i64) -> Everything {
            Everything {
                text: format!("text {i} é ✓"),
                ch: 'ß',
                small: -8,
                big: u64::MAX - i as u64,
                negative: -i * 1_000_003,
                float: 0.1 + i as f64 / 7.0,
                single: 1.1,
                flag: i % 2 == 0,
                none: None,
                some: (i % 2 == 1).then_some(7),
                unit: (),
                unit_struct: Unit,
                wrapper: Wrapper("w".into()),
                kinds: vec![
                    Kind::Plain,
                    Kind::Newtype(-3),
                    Kind::Tuple(255, "t".into()),
                    Kind::Struct { a: true, b: None },
                    Kind::Struct {
                        a: false,
                        b: Some(2.5e-10),
                    },
                ],
                tuple: (i as i32, String::new(), false),
                by_number: BTreeMap::from([(1, "one".into()), (20, "twenty".into())]),
                by_kind: HashMap::from([("k".into(), vec![Some(1), None, Some(-1)])]),
                loose: vec![Loose::Number(i), Loose::Text("x".into())],
                nested: vec![vec![HashMap::from([("f".into(), 0.5)])], vec![]],
                json: serde_json::json!({"a": [1, "b", null, 2.5, {"c": true}]}),
            }
        }

        #[test]
        fn writes_what_serde_dynamo_writes_and_reads_both() {
            for i in 0..20 {
                let value = everything(i);
                let ours = value
                    .serialize(ValueSerializer::default())
                    .expect("ours encodes");
                let theirs: AttributeValue =
                    serde_dynamo::aws_sdk_dynamodb_1::to_attribute_value(&value)
                        .expect("serde_dynamo encodes");
                assert_eq!(ours, theirs, "case {i}");
                let back = Everything::deserialize(ValueDeserializer(theirs)).expect("decodes");
                assert_eq!(back, value, "case {i}");
                let theirs_back: Everything =
                    serde_dynamo::aws_sdk_dynamodb_1::from_attribute_value(ours)
                        .expect("serde_dynamo decodes ours");
                assert_eq!(theirs_back, value, "case {i}");
            }
        }

        #[test]
        fn top_level_nulls_are_left_out_but_nested_ones_kept() {
            let value = everything(1);
            let AttributeValue::M(item) = value
                .serialize(ValueSerializer { drop_null: true })
                .expect("encodes")
            else {
                panic!("not a map")
            };
            assert!(!item.contains_key("none") && !item.contains_key("unit"));
            let AttributeValue::L(kinds) = &item["kinds"] else {
                panic!("kinds is a list")
            };
            assert_eq!(
                kinds[3],
                AttributeValue::M(HashMap::from([(
                    "Struct".into(),
                    AttributeValue::M(HashMap::from([
                        ("a".into(), AttributeValue::Bool(true)),
                        ("b".into(), AttributeValue::Null(true)),
                    ]))
                )]))
            );
        }

        #[test]
        fn numbers_dynamodb_cannot_store_are_refused_as_they_are_written() {
            for bad in [
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                1e126,
                -1e300,
                1e-131,
            ] {
                let err = bad.serialize(ValueSerializer::default()).unwrap_err();
                assert!(err.to_string().contains(&bad.to_string()), "{err}");
            }
            for good in [0.0, -0.0, 1e-130, 9.99e125, -1.5] {
                assert!(good.serialize(ValueSerializer::default()).is_ok(), "{good}");
            }
            assert!(1i128.serialize(ValueSerializer::default()).is_err());
        }

        #[test]
        fn a_failure_names_its_path() {
            let mut value = everything(1)
                .serialize(ValueSerializer::default())
                .expect("encodes");
            let AttributeValue::M(item) = &mut value else {
                panic!("not a map")
            };
            let AttributeValue::L(kinds) = item.get_mut("kinds").expect("kinds") else {
                panic!("kinds is a list")
            };
            kinds[2] = AttributeValue::M(HashMap::from([(
                "Tuple".into(),
                AttributeValue::L(vec![
                    AttributeValue::N("256".into()),
                    AttributeValue::S("t".into()),
                ]),
            )]));
            let err = Everything::deserialize(ValueDeserializer(value)).unwrap_err();
            assert_eq!(err.path(), "kinds[2][0]", "{err}");
            assert!(err.message().contains("256"), "{err}");

            let err = Everything::deserialize(ValueDeserializer(AttributeValue::M(HashMap::from(
                [("text".into(), AttributeValue::N("1".into()))],
            ))))
            .unwrap_err();
            assert_eq!(err.path(), "text");
            assert!(err.message().contains("invalid type"), "{err}");
        }

        #[test]
        fn binary_reads_as_bytes_and_sets_as_sequences() {
            let bytes = AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(vec![1, 2]));
            assert_eq!(
                Vec::<u8>::deserialize(ValueDeserializer(bytes)).expect("bytes"),
                [1, 2]
            );
            let set = AttributeValue::Ns(vec!["1".into(), "2.5".into()]);
            assert_eq!(
                Vec::<f64>::deserialize(ValueDeserializer(set)).expect("numbers"),
                [1.0, 2.5]
            );
        }
    }
}
