//! How models are stored: None omitted, sets as SS/NS/BS (empty omitted),
//! Vec<u8> as B, chrono timestamps, nested maps and lists, attribute names as
//! serde's `rename_all` writes them, and the 400 KB limit, exact to the byte.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, TimeZone, Utc};
use dynamorm::prelude::*;
use dynamorm::AttributeValue;
use serde::{Deserialize, Serialize};

use crate::support::common;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Child {
    sub: String,
    depth: Vec<u8>,
}

type Bytes = Vec<u8>;
type Labels = BTreeSet<String>;

/// Aliases hide the types from the derive; `bytes` and `set` say how to store them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "aliased", billing = "on_demand")]
struct Aliased {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(bytes)]
    raw: Bytes,
    #[dynamo(set)]
    labels: Labels,
}

#[tokio::test]
async fn aliased_bytes_and_sets_use_the_field_options() {
    let db = common::db().await;
    Aliased::table(&db).create().await.unwrap();
    let a = Aliased {
        id: "a".into(),
        raw: vec![1, 2],
        labels: ["x".to_string()].into_iter().collect(),
    };
    a.save(&db).await.unwrap();
    let item = db
        .client()
        .get_item()
        .table_name(Aliased::table(&db).name())
        .key("id", AttributeValue::S("a".into()))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert!(item["raw"].is_b(), "{item:?}");
    assert!(item["labels"].is_ss(), "{item:?}");
    assert_eq!(Aliased::get(&db, "a").await.unwrap(), Some(a));
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "docs", billing = "on_demand")]
struct Doc {
    #[dynamo(hash_key)]
    id: String,
    note: Option<String>,
    tags: HashSet<String>,
    scores: BTreeSet<i64>,
    maybe_tags: Option<HashSet<String>>,
    blobs: HashSet<Vec<u8>>,
    data: Vec<u8>,
    when: DateTime<Utc>,
    child: Child,
    children: Vec<Child>,
    compound: HashMap<String, i64>,
    flag: bool,
    ratio: f64,
}

fn doc(id: &str) -> Doc {
    Doc {
        id: id.into(),
        note: None,
        tags: ["a", "b"].into_iter().map(String::from).collect(),
        scores: [3, 1, 2].into_iter().collect(),
        maybe_tags: None,
        blobs: [vec![1u8, 2], vec![3u8]].into_iter().collect(),
        data: vec![0, 1, 2, 255],
        when: Utc.with_ymd_and_hms(2026, 11, 25, 12, 30, 0).unwrap(),
        child: Child {
            sub: "one".into(),
            depth: vec![9],
        },
        children: vec![Child {
            sub: "x".into(),
            depth: vec![],
        }],
        compound: [("k".to_string(), 5i64)].into_iter().collect(),
        flag: true,
        ratio: 0.25,
    }
}

async fn raw(db: &Db, id: &str) -> dynamorm::Item {
    db.client()
        .get_item()
        .table_name(Doc::table(db).name())
        .key("id", AttributeValue::S(id.into()))
        .send()
        .await
        .unwrap()
        .item
        .unwrap()
}

async fn docs_db() -> Db {
    let db = common::db().await;
    Doc::table(&db).create().await.unwrap();
    db
}

#[tokio::test]
async fn full_model_round_trips() {
    let db = docs_db().await;
    let mut d = doc("d1");
    d.note = Some("hello".into());
    d.maybe_tags = Some(["z".to_string()].into_iter().collect());
    d.save(&db).await.unwrap();
    assert_eq!(Doc::get(&db, "d1").await.unwrap(), Some(d));
}

#[tokio::test]
async fn stored_types_follow_dynamodb_conventions() {
    let db = docs_db().await;
    doc("d1").save(&db).await.unwrap();
    let item = raw(&db, "d1").await;
    assert!(
        !item.contains_key("note"),
        "None is omitted, not NULL: {item:?}"
    );
    assert!(!item.contains_key("maybe_tags"));
    let mut tags = item["tags"].as_ss().unwrap().clone();
    tags.sort();
    assert_eq!(tags, ["a", "b"]);
    let mut scores = item["scores"].as_ns().unwrap().clone();
    scores.sort();
    assert_eq!(scores, ["1", "2", "3"]);
    assert_eq!(item["blobs"].as_bs().unwrap().len(), 2);
    assert_eq!(item["data"].as_b().unwrap().as_ref(), &[0, 1, 2, 255]);
    assert_eq!(item["when"].as_s().unwrap(), "2026-11-25T12:30:00Z");
    let child = item["child"].as_m().unwrap();
    assert_eq!(child["sub"].as_s().unwrap(), "one");
    assert!(
        child["depth"].is_l(),
        "nested Vec<u8> stays a list: {child:?}"
    );
    assert!(item["children"].is_l());
    assert_eq!(item["compound"].as_m().unwrap()["k"].as_n().unwrap(), "5");
    assert_eq!(item["flag"].as_bool().unwrap(), &true);
    assert_eq!(item["ratio"].as_n().unwrap(), "0.25");
}

#[tokio::test]
async fn empty_sets_are_omitted_and_read_back_empty() {
    let db = docs_db().await;
    let mut d = doc("d1");
    d.tags.clear();
    d.scores.clear();
    d.blobs.clear();
    d.maybe_tags = Some(HashSet::new());
    d.save(&db).await.unwrap();
    let item = raw(&db, "d1").await;
    for name in ["tags", "scores", "blobs", "maybe_tags"] {
        assert!(!item.contains_key(name), "{name} stored: {item:?}");
    }
    let back = Doc::get(&db, "d1").await.unwrap().unwrap();
    assert!(back.tags.is_empty() && back.scores.is_empty() && back.blobs.is_empty());
    assert_eq!(back.maybe_tags, None);
}

#[tokio::test]
async fn oversized_item_fails_before_sending() {
    let db = common::db().await; // no table: a request would fail differently
    let mut d = doc("big");
    d.note = Some("x".repeat(400 * 1024));
    let err = d.save(&db).await.unwrap_err();
    match err {
        Error::ItemTooLarge {
            model, size, limit, ..
        } => {
            assert_eq!(model, "Doc");
            assert!(size > limit);
            assert_eq!(limit, 400 * 1024);
        }
        e => panic!("expected ItemTooLarge, got {e:?}"),
    }
}

#[tokio::test]
async fn item_just_under_the_limit_is_written() {
    let db = docs_db().await;
    let mut d = doc("big");
    d.note = Some("x".repeat(390 * 1024));
    d.save(&db).await.unwrap();
    assert_eq!(
        Doc::get(&db, "big")
            .await
            .unwrap()
            .unwrap()
            .note
            .unwrap()
            .len(),
        390 * 1024
    );
}

#[test]
fn encode_and_decode_without_a_table() {
    let item = dynamorm::codec::to_item(&doc("d")).unwrap();
    let back: Doc = dynamorm::codec::from_item(item).unwrap();
    assert_eq!(back, doc("d"));
}

#[tokio::test]
async fn conditions_compare_bytes_and_sets_as_stored() {
    let db = docs_db().await;
    doc("d1").save(&db).await.unwrap();
    let mut other = doc("d2");
    other.data = vec![9];
    other.tags = ["z".to_string()].into_iter().collect();
    other.blobs = [vec![7u8]].into_iter().collect();
    other.save(&db).await.unwrap();
    let ids = |docs: Vec<Doc>| docs.into_iter().map(|d| d.id).collect::<Vec<_>>();

    let by_bytes = Doc::scan(&db)
        .filter(Doc::DATA.eq(vec![0u8, 1, 2, 255]))
        .all()
        .await
        .unwrap();
    assert_eq!(ids(by_bytes), ["d1"]);
    let by_prefix = Doc::scan(&db)
        .filter(Doc::DATA.begins_with(vec![0u8, 1]))
        .all()
        .await
        .unwrap();
    assert_eq!(ids(by_prefix), ["d1"]);
    let set: HashSet<String> = ["b", "a"].into_iter().map(String::from).collect();
    let by_set = Doc::scan(&db)
        .filter(Doc::TAGS.eq(set))
        .all()
        .await
        .unwrap();
    assert_eq!(ids(by_set), ["d1"]);
    let by_element = Doc::scan(&db)
        .filter(Doc::TAGS.contains("z"))
        .all()
        .await
        .unwrap();
    assert_eq!(ids(by_element), ["d2"]);
    let by_blob = Doc::scan(&db)
        .filter(Doc::BLOBS.contains(vec![3u8]))
        .all()
        .await
        .unwrap();
    assert_eq!(ids(by_blob), ["d1"]);
    let by_scores = Doc::scan(&db)
        .filter(Doc::SCORES.contains(2))
        .count()
        .await
        .unwrap();
    assert_eq!(by_scores, 2);
    // Write conditions use the same shapes.
    doc("d1")
        .save(&db)
        .when(Doc::DATA.eq(vec![0u8, 1, 2, 255]))
        .await
        .unwrap();
    let kw = Doc::scan_kw(&db, [("tags__contains", serde_json::json!("a"))])
        .all()
        .await
        .unwrap();
    assert_eq!(ids(kw), ["d1"]);
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "blobs", billing = "on_demand")]
struct Blob {
    #[dynamo(hash_key)]
    id: String,
    data: String,
}

#[tokio::test]
async fn the_size_check_is_exact_at_the_limit() {
    let db = common::db().await;
    Blob::table(&db).create().await.unwrap();
    let sized = |id: &str, size: usize| {
        let base = dynamorm::codec::item_size(
            &dynamorm::codec::to_item(&Blob {
                id: id.into(),
                data: String::new(),
            })
            .unwrap(),
        );
        Blob {
            id: id.into(),
            data: "x".repeat(size - base),
        }
    };
    let at_limit = sized("at", 409_600);
    assert_eq!(
        dynamorm::codec::item_size(&dynamorm::codec::to_item(&at_limit).unwrap()),
        409_600
    );
    at_limit.save(&db).await.unwrap();
    assert_eq!(Blob::get(&db, "at").await.unwrap(), Some(at_limit));
    let err = sized("over", 409_601).save(&db).await.unwrap_err();
    let Error::ItemTooLarge { size, limit, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!((size, limit), (409_601, 409_600));
    assert_eq!(Blob::get(&db, "over").await.unwrap(), None);
}

macro_rules! renamed_model {
    ($name:ident, $rule:literal, $table:literal) => {
        #[allow(non_snake_case)]
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
        #[serde(rename_all = $rule)]
        #[dynamo(table = $table, billing = "on_demand")]
        struct $name {
            #[dynamo(hash_key)]
            userID: String,
            user_name: String,
            a1_b2: u32,
            r#type: Option<String>,
        }

        impl $name {
            fn sample() -> Self {
                $name {
                    userID: "u1".into(),
                    user_name: "Ann".into(),
                    a1_b2: 7,
                    r#type: Some("t".into()),
                }
            }
        }
    };
}

renamed_model!(Lower, "lowercase", "rename-lower");
renamed_model!(Upper, "UPPERCASE", "rename-upper");
renamed_model!(Pascal, "PascalCase", "rename-pascal");
renamed_model!(Camel, "camelCase", "rename-camel");
renamed_model!(Snake, "snake_case", "rename-snake");
renamed_model!(
    ScreamingSnake,
    "SCREAMING_SNAKE_CASE",
    "rename-screaming-snake"
);
renamed_model!(Kebab, "kebab-case", "rename-kebab");
renamed_model!(
    ScreamingKebab,
    "SCREAMING-KEBAB-CASE",
    "rename-screaming-kebab"
);

/// The derive's attribute names are exactly the keys serde writes, and a
/// model keyed by a renamed field saves and reads back.
async fn renamed_as_serde_renames<M: DynaModel + Clone + PartialEq + std::fmt::Debug>(
    db: &Db,
    sample: M,
) {
    let def = M::table_def();
    let declared: BTreeSet<&str> = def.fields.iter().map(|f| f.name).collect();
    let json = serde_json::to_value(&sample).unwrap();
    let written: BTreeSet<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(declared, written, "{}", def.model);
    assert!(written.contains(def.hash_key.name), "{}", def.model);
    M::table(db).create().await.unwrap();
    sample.save(db).await.unwrap();
    assert_eq!(
        M::get(db, sample.key()).await.unwrap(),
        Some(sample),
        "{}",
        def.model
    );
}

#[tokio::test]
async fn rename_all_agrees_with_serde_for_every_rule() {
    let db = common::db().await;
    renamed_as_serde_renames(&db, Lower::sample()).await;
    assert_eq!(
        Lower::table_def().hash_key.name,
        "userID",
        "lowercase leaves fields as written"
    );
    renamed_as_serde_renames(&db, Upper::sample()).await;
    renamed_as_serde_renames(&db, Pascal::sample()).await;
    renamed_as_serde_renames(&db, Camel::sample()).await;
    renamed_as_serde_renames(&db, Snake::sample()).await;
    renamed_as_serde_renames(&db, ScreamingSnake::sample()).await;
    renamed_as_serde_renames(&db, Kebab::sample()).await;
    renamed_as_serde_renames(&db, ScreamingKebab::sample()).await;
}
