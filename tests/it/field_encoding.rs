//! Which path writes a model's item: the derive's field-by-field encoder
//! (a derived `Serialize` with serde attributes the derive mirrors) or the
//! model's own `Serialize` impl (`#[dynamo(custom_serialize)]`, or serde
//! attributes that change what serde writes). Both store the same item for
//! the same struct.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, TimeZone, Utc};
use dynamorm::model::FieldSink;
use dynamorm::prelude::*;
use dynamorm::schema::FieldDef;
use dynamorm::{AttributeValue, Error, Item};
use serde::{Deserialize, Serialize, Serializer};

use crate::support::common;

/// Counts the fields the derive's encoder writes.
#[derive(Default)]
struct Fields(Vec<&'static str>);

impl FieldSink for Fields {
    fn field(&mut self, def: &'static FieldDef, _value: Option<AttributeValue>) {
        self.0.push(def.name);
    }
}

/// Whether `model`'s item is written field by field, and which fields.
fn written_fields<M: DynaModel>(model: &M) -> Option<Vec<&'static str>> {
    let mut fields = Fields::default();
    model.encode_fields(&mut fields).then_some(fields.0)
}

/// Sets in a fixed order, so items built from two `HashSet`s compare.
fn sorted(item: Item) -> Item {
    fn value(v: AttributeValue) -> AttributeValue {
        match v {
            AttributeValue::Ss(mut s) => {
                s.sort();
                AttributeValue::Ss(s)
            }
            AttributeValue::Ns(mut s) => {
                s.sort();
                AttributeValue::Ns(s)
            }
            AttributeValue::Bs(mut s) => {
                s.sort_by(|a, b| a.as_ref().cmp(b.as_ref()));
                AttributeValue::Bs(s)
            }
            AttributeValue::L(l) => AttributeValue::L(l.into_iter().map(value).collect()),
            AttributeValue::M(m) => AttributeValue::M(sorted(m)),
            other => other,
        }
    }
    item.into_iter().map(|(k, v)| (k, value(v))).collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Color {
    Red,
    Custom { r: u8, g: u8 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Inner {
    long_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    maybe: Option<u32>,
    ratios: Vec<f64>,
}

/// One struct twice: `$fast` as the derive writes it, `$by_serde` marked
/// `custom_serialize`, so its items come from the same derived `Serialize`.
macro_rules! twins {
    ($fast:ident, $by_serde:ident, $table:literal, { $($body:tt)* }) => {
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
        #[dynamo(table = $table, billing = "on_demand")]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct $fast { $($body)* }

        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
        #[dynamo(table = $table, billing = "on_demand", custom_serialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct $by_serde { $($body)* }
    };
}

twins!(Everything, EverythingBySerde, "everything", {
    #[dynamo(hash_key)]
    user_id: String,
    #[dynamo(range_key)]
    #[serde(rename = "seq")]
    sequence: i64,
    small: u8,
    big: u64,
    signed: i32,
    size: usize,
    ratio: f64,
    narrow: f32,
    flag: bool,
    letter: char,
    note: Option<String>,
    missing: Option<String>,
    #[serde(default, alias = "old_count")]
    count: u32,
    #[serde(skip)]
    cache: Option<String>,
    tags: HashSet<String>,
    scores: BTreeSet<i64>,
    empty_tags: HashSet<String>,
    maybe_tags: Option<HashSet<String>>,
    blob: Vec<u8>,
    blobs: HashSet<Vec<u8>>,
    lines: Vec<String>,
    matrix: Vec<Vec<i64>>,
    attributes: HashMap<String, String>,
    ordered: BTreeMap<String, Option<bool>>,
    boxed: Box<u32>,
    created: DateTime<Utc>,
    #[dynamo(ttl)]
    expires: DateTime<Utc>,
    color: Color,
    shade: Color,
    inner: Inner,
    inners: Vec<Inner>,
});

fn everything() -> Everything {
    Everything {
        user_id: "u1".into(),
        sequence: -42,
        small: 255,
        big: u64::MAX,
        signed: i32::MIN,
        size: 7,
        ratio: 19.99,
        narrow: 1.1,
        flag: true,
        letter: 'é',
        note: Some("leave at the door".into()),
        missing: None,
        count: 3,
        cache: None,
        tags: HashSet::from(["gift".into(), "express".into(), "fragile".into()]),
        scores: BTreeSet::from([3, -1, 2]),
        empty_tags: HashSet::new(),
        maybe_tags: Some(HashSet::from(["a".into()])),
        blob: vec![0, 1, 255],
        blobs: HashSet::from([vec![1], vec![2, 3]]),
        lines: vec!["sku-1".into(), "sku-2".into()],
        matrix: vec![vec![1, 2], vec![], vec![3]],
        attributes: HashMap::from([("channel".into(), "web".into())]),
        ordered: BTreeMap::from([("a".into(), Some(true)), ("b".into(), None)]),
        boxed: Box::new(7),
        created: Utc.timestamp_opt(1_700_000_000, 123_456_789).unwrap(),
        expires: Utc.with_ymd_and_hms(2030, 1, 2, 3, 4, 5).unwrap(),
        color: Color::Red,
        shade: Color::Custom { r: 1, g: 2 },
        inner: Inner {
            long_name: "x".into(),
            maybe: None,
            ratios: vec![0.5, -0.0],
        },
        inners: vec![Inner {
            long_name: "y".into(),
            maybe: Some(9),
            ratios: vec![],
        }],
    }
}

/// The same values in the twin.
fn by_serde(e: &Everything) -> EverythingBySerde {
    serde_json::from_value(serde_json::to_value(e).unwrap()).unwrap()
}

#[test]
fn a_derived_model_is_written_field_by_field_and_stores_what_its_serialize_writes() {
    let e = everything();
    let fields = written_fields(&e).expect("written field by field");
    assert_eq!(fields.len(), 30, "every stored field once: {fields:?}");
    assert!(fields.contains(&"userId") && fields.contains(&"seq"));
    assert!(!fields.contains(&"cache"), "serde skips it");
    assert_eq!(written_fields(&by_serde(&e)), None, "custom_serialize");

    let fast = dynamorm::codec::to_item(&e).unwrap();
    let slow = dynamorm::codec::to_item(&by_serde(&e)).unwrap();
    assert_eq!(sorted(fast.clone()), sorted(slow));
    // DynamoDB's conventions hold on the field-by-field path.
    assert!(fast["tags"].is_ss() && fast["scores"].is_ns() && fast["maybeTags"].is_ss());
    assert!(fast["blob"].is_b() && fast["blobs"].is_bs());
    assert!(!fast.contains_key("emptyTags"), "an empty set is omitted");
    assert!(!fast.contains_key("missing"));
    assert_eq!(fast["expires"], AttributeValue::N("1893553445".into()));
    assert_eq!(
        fast["created"],
        AttributeValue::S("2023-11-14T22:13:20.123456789Z".into())
    );
    assert_eq!(fast["narrow"], AttributeValue::N("1.1".into()));
    assert_eq!(fast["big"], AttributeValue::N(u64::MAX.to_string()));
    let AttributeValue::M(inner) = &fast["inner"] else {
        panic!("{fast:?}")
    };
    assert!(
        inner.contains_key("longName") && !inner.contains_key("maybe"),
        "nested structs are written by their own Serialize: {inner:?}"
    );
    assert_eq!(dynamorm::codec::from_item::<Everything>(fast).unwrap(), e);
}

#[tokio::test]
async fn both_paths_store_and_read_back_the_same_item() {
    let db = common::db().await;
    Everything::table(&db).create().await.unwrap();
    let e = everything();
    e.save(&db).await.unwrap();
    let stored = Everything::get(&db, ("u1".to_owned(), -42)).await.unwrap();
    assert_eq!(stored, Some(e.clone()));
    let table = Everything::table(&db).name().to_owned();
    let raw_fast = raw(&db, &table).await;

    by_serde(&e).save(&db).await.unwrap();
    let raw_slow = raw(&db, &table).await;
    assert_eq!(sorted(raw_fast), sorted(raw_slow));
    assert_eq!(
        Everything::get(&db, ("u1".to_owned(), -42)).await.unwrap(),
        Some(e)
    );
}

async fn raw(db: &Db, table: &str) -> Item {
    let key = [
        ("userId", AttributeValue::S("u1".into())),
        ("seq", AttributeValue::N("-42".into())),
    ];
    common::stored_item(db, table, &key).await.expect("stored")
}

#[test]
fn a_value_dynamodb_cannot_store_is_named_by_its_path() {
    let mut e = everything();
    e.ratio = f64::NAN;
    let err = dynamorm::codec::to_item(&e).unwrap_err();
    assert!(
        matches!(&err, Error::Codec { path: Some(p), direction: dynamorm::error::Direction::Encode, .. } if p == "ratio"),
        "{err:?}"
    );
    let mut e = everything();
    e.inners[0].ratios = vec![1.0, 1e300];
    let err = dynamorm::codec::to_item(&e).unwrap_err();
    assert!(
        matches!(&err, Error::Codec { path: Some(p), .. } if p == "inners[0].ratios[1]"),
        "{err:?}"
    );
    assert!(err.to_string().contains("1e300") || err.to_string().contains("1000000"));
}

fn upper<S: Serializer>(value: &str, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&value.to_uppercase())
}

fn is_empty(value: &str) -> bool {
    value.is_empty()
}

mod shouting {
    pub(super) use super::upper as serialize;
}

/// Serde attributes that change what serde writes: the item is the one
/// `Serialize` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "skips", billing = "on_demand")]
struct SkipsEmpty {
    #[dynamo(hash_key)]
    id: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "withs", billing = "on_demand")]
struct Shouts {
    #[dynamo(hash_key)]
    id: String,
    #[serde(serialize_with = "upper")]
    name: String,
    #[serde(
        serialize_with = "shouting::serialize",
        deserialize_with = "String::deserialize"
    )]
    other: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "tagged", billing = "on_demand")]
#[serde(tag = "kind")]
struct Tagged {
    #[dynamo(hash_key)]
    id: String,
}

#[tokio::test]
async fn serde_attributes_that_change_the_output_keep_the_serialize_path() {
    assert_eq!(
        written_fields(&SkipsEmpty {
            id: "a".into(),
            note: String::new()
        }),
        None
    );
    let item = dynamorm::codec::to_item(&SkipsEmpty {
        id: "a".into(),
        note: String::new(),
    })
    .unwrap();
    assert!(!item.contains_key("note"), "{item:?}");

    let shouts = Shouts {
        id: "a".into(),
        name: "quiet".into(),
        other: "also".into(),
    };
    assert_eq!(written_fields(&shouts), None);
    let item = dynamorm::codec::to_item(&shouts).unwrap();
    assert_eq!(item["name"], AttributeValue::S("QUIET".into()));
    assert_eq!(item["other"], AttributeValue::S("ALSO".into()));

    let tagged = Tagged { id: "a".into() };
    assert_eq!(written_fields(&tagged), None);
    let item = dynamorm::codec::to_item(&tagged).unwrap();
    assert_eq!(item["kind"], AttributeValue::S("Tagged".into()));

    // And through an engine.
    let db = common::db().await;
    Tagged::table(&db).create().await.unwrap();
    tagged.save(&db).await.unwrap();
    assert_eq!(Tagged::get(&db, "a").await.unwrap(), Some(tagged));
}

/// A `Serialize` written by hand: the item must be the one it writes.
#[derive(Debug, Clone, PartialEq, Deserialize, DynaModel)]
#[dynamo(table = "by-hand", billing = "on_demand", custom_serialize)]
struct ByHand {
    #[dynamo(hash_key)]
    id: String,
    name: String,
}

impl Serialize for ByHand {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("ByHand", 2)?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("name", &self.name.to_uppercase())?;
        s.end()
    }
}

#[tokio::test]
async fn a_hand_written_serialize_marked_custom_serialize_writes_the_item() {
    let model = ByHand {
        id: "a".into(),
        name: "quiet".into(),
    };
    assert_eq!(written_fields(&model), None);
    let db = common::db().await;
    ByHand::table(&db).create().await.unwrap();
    model.save(&db).await.unwrap();
    let stored = ByHand::get(&db, "a").await.unwrap().unwrap();
    assert_eq!(stored.name, "QUIET");
}

/// The same `Serialize` by hand, without `custom_serialize`.
#[derive(Debug, Clone, PartialEq, Deserialize, DynaModel)]
#[dynamo(table = "by-hand-unmarked", billing = "on_demand")]
struct ByHandUnmarked {
    #[dynamo(hash_key)]
    id: String,
    name: String,
}

impl Serialize for ByHandUnmarked {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ByHand {
            id: self.id.clone(),
            name: self.name.clone(),
        }
        .serialize(serializer)
    }
}

/// The two paths' items are compared (every write in debug builds, the
/// model's first in release builds), so a hand-written impl that was not
/// declared is found, and nothing is written.
#[cfg(debug_assertions)]
#[tokio::test]
async fn an_undeclared_hand_written_serialize_is_refused() {
    let model = ByHandUnmarked {
        id: "a".into(),
        name: "quiet".into(),
    };
    let err = dynamorm::codec::to_item(&model).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Codec {
                direction: dynamorm::error::Direction::Encode,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("custom_serialize"), "{err}");

    let db = common::db().await;
    ByHandUnmarked::table(&db).create().await.unwrap();
    let err = model.save(&db).await.unwrap_err();
    assert!(err.to_string().contains("custom_serialize"), "{err}");
    assert_eq!(ByHandUnmarked::get(&db, "a").await.unwrap(), None);
    // Same values both ways: nothing to tell apart.
    let same = ByHandUnmarked {
        id: "b".into(),
        name: "LOUD".into(),
    };
    same.save(&db).await.unwrap();
    assert_eq!(ByHandUnmarked::get(&db, "b").await.unwrap(), Some(same));
}
