//! Item operations: save, put, put_json, get, delete, with their error paths;
//! put_json reads a document as serde does (aliases, skipped fields) and
//! refuses unknown keys at every level.

use std::collections::HashSet;

use dynamorm::prelude::*;
use dynamorm::AttributeValue;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::support::common;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Color {
    Purple,
    Red,
    Yellow,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things", billing = "on_demand")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    name: Option<String>,
    color: Option<Color>,
    count: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "books", read = 2, write = 2)]
struct Book {
    #[dynamo(hash_key)]
    isbn: String,
    #[dynamo(range_key)]
    edition: u32,
    title: String,
}

fn thing(id: &str) -> Thing {
    Thing {
        id: id.into(),
        name: Some(format!("name of {id}")),
        color: Some(Color::Red),
        count: Some(1),
    }
}

/// Writes an item behind the model's back, as another program might.
async fn put_raw(db: &Db, attributes: &[(&str, AttributeValue)]) {
    let mut request = db.client().put_item().table_name(Thing::table(db).name());
    for (name, value) in attributes {
        request = request.item(*name, value.clone());
    }
    request.send().await.unwrap();
}

async fn things_db() -> Db {
    let db = common::db().await;
    Thing::table(&db).create().await.expect("create things");
    db
}

#[tokio::test]
async fn save_then_get_round_trips() {
    let db = things_db().await;
    let t = thing("t1");
    t.save(&db).await.unwrap();
    assert_eq!(Thing::get(&db, "t1").await.unwrap(), Some(t.clone()));
    assert_eq!(Thing::get(&db, "t1").consistent().await.unwrap(), Some(t));
    assert_eq!(Thing::get(&db, "nope").await.unwrap(), None);
}

#[tokio::test]
async fn put_replaces_existing_item() {
    let db = things_db().await;
    Thing::put(&db, &thing("t1")).await.unwrap();
    let mut changed = thing("t1");
    changed.name = None;
    changed.count = Some(7);
    Thing::put(&db, &changed).await.unwrap();
    assert_eq!(Thing::get(&db, "t1").await.unwrap(), Some(changed));
}

#[tokio::test]
async fn unique_refuses_existing_key_and_keeps_original() {
    let db = things_db().await;
    thing("t1").save(&db).unique().await.unwrap();
    let mut other = thing("t1");
    other.name = Some("other".into());
    let err = other.save(&db).unique().await.unwrap_err();
    match &err {
        Error::AlreadyExists { model, table, key } => {
            assert_eq!(*model, "Thing");
            assert!(table.ends_with("things"));
            assert!(key.contains("t1"));
        }
        e => panic!("expected AlreadyExists, got {e:?}"),
    }
    assert!(err.is_condition_failed());
    assert_eq!(Thing::get(&db, "t1").await.unwrap(), Some(thing("t1")));
}

#[tokio::test]
async fn unique_on_hash_range_only_conflicts_on_full_key() {
    let db = common::db().await;
    Book::table(&db).create().await.unwrap();
    let first = Book {
        isbn: "i1".into(),
        edition: 1,
        title: "First".into(),
    };
    first.save(&db).unique().await.unwrap();
    let second = Book {
        isbn: "i1".into(),
        edition: 2,
        title: "Second".into(),
    };
    second
        .save(&db)
        .unique()
        .await
        .expect("different range key is not a conflict");
    let dup = Book {
        isbn: "i1".into(),
        edition: 2,
        title: "Dup".into(),
    };
    let err = dup.save(&db).unique().await.unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err:?}");
    assert_eq!(Book::get(&db, ("i1", 2u32)).await.unwrap(), Some(second));
    assert_eq!(
        Book::get(&db, ("i1".to_string(), 1u32)).await.unwrap(),
        Some(first)
    );
}

#[tokio::test]
async fn when_condition_gates_the_write() {
    let db = things_db().await;
    thing("t1").save(&db).await.unwrap();
    let mut blue = thing("t1");
    blue.color = Some(Color::Yellow);
    let err = blue
        .save(&db)
        .when(Thing::COLOR.eq(Color::Purple))
        .await
        .unwrap_err();
    match &err {
        Error::ConditionFailed {
            model, condition, ..
        } => {
            assert_eq!(*model, "Thing");
            assert_eq!(condition, r#"color = "purple""#);
        }
        e => panic!("expected ConditionFailed, got {e:?}"),
    }
    assert_eq!(Thing::get(&db, "t1").await.unwrap(), Some(thing("t1")));
    blue.save(&db)
        .when(Thing::COLOR.eq(Color::Red))
        .await
        .unwrap();
    assert_eq!(Thing::get(&db, "t1").await.unwrap(), Some(blue));
}

#[tokio::test]
async fn when_conditions_use_placeholders_for_reserved_words() {
    let db = things_db().await;
    thing("t1").save(&db).await.unwrap();
    // `name` and `count` are DynamoDB reserved words.
    let cond = Thing::NAME.exists() & Thing::COUNT.lt(10) & !Thing::NAME.eq("x");
    thing("t1").save(&db).when(cond).await.unwrap();
    let err = thing("t1")
        .save(&db)
        .when(Thing::COUNT.gt(1) | Thing::NAME.not_exists())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");
}

#[tokio::test]
async fn unique_combined_with_when_reports_which_failed() {
    let db = things_db().await;
    // No item: `unique` holds, `when` on a missing attribute fails.
    let err = thing("t1")
        .save(&db)
        .unique()
        .when(Thing::NAME.exists())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");
    thing("t1").save(&db).await.unwrap();
    let err = thing("t1")
        .save(&db)
        .unique()
        .when(Thing::NAME.not_exists())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err:?}");
}

#[tokio::test]
async fn delete_by_key_and_by_instance() {
    let db = things_db().await;
    thing("t1").save(&db).await.unwrap();
    thing("t2").save(&db).await.unwrap();
    Thing::delete(&db, "t1").await.unwrap();
    assert_eq!(Thing::get(&db, "t1").await.unwrap(), None);
    let t2 = thing("t2");
    t2.delete(&db).await.unwrap();
    assert_eq!(Thing::get(&db, "t2").await.unwrap(), None);
    // Deleting a missing key is not an error, as in DynamoDB.
    Thing::delete(&db, "t1").await.unwrap();
}

#[tokio::test]
async fn delete_with_failed_condition_keeps_item() {
    let db = things_db().await;
    let mut t = thing("t1");
    t.name = None;
    t.save(&db).await.unwrap();
    let err = Thing::delete(&db, "t1")
        .when(Thing::NAME.exists())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");
    assert_eq!(Thing::get(&db, "t1").await.unwrap(), Some(t));
    Thing::delete(&db, "t1")
        .when(Thing::NAME.not_exists())
        .await
        .unwrap();
    assert_eq!(Thing::get(&db, "t1").await.unwrap(), None);
}

#[tokio::test]
async fn delete_hash_range_by_tuple() {
    let db = common::db().await;
    Book::table(&db).create().await.unwrap();
    for edition in 1..=2 {
        Book {
            isbn: "i".into(),
            edition,
            title: "T".into(),
        }
        .save(&db)
        .await
        .unwrap();
    }
    Book::delete(&db, ("i", 1u32)).await.unwrap();
    assert_eq!(Book::get(&db, ("i", 1u32)).await.unwrap(), None);
    assert!(Book::get(&db, ("i", 2u32)).await.unwrap().is_some());
}

#[tokio::test]
async fn put_json_writes_a_validated_document() {
    let db = things_db().await;
    let written = Thing::put_json(&db, json!({"id": "t1", "name": "One", "color": "purple"}))
        .await
        .unwrap();
    let expected = Thing {
        id: "t1".into(),
        name: Some("One".into()),
        color: Some(Color::Purple),
        count: None,
    };
    assert_eq!(written, expected);
    assert_eq!(Thing::get(&db, "t1").await.unwrap(), Some(expected));
}

#[tokio::test]
async fn put_json_wrong_type_names_the_field_and_writes_nothing() {
    let db = things_db().await;
    let err = Thing::put_json(&db, json!({"id": "t1", "count": "many"}))
        .await
        .unwrap_err();
    let errors = err.validation_errors().expect("validation error");
    assert!(errors.has_field("count"), "{errors}");
    assert!(err.to_string().contains("Thing"));
    assert_eq!(Thing::get(&db, "t1").await.unwrap(), None);
}

#[tokio::test]
async fn put_json_missing_required_field_is_named() {
    let db = common::db().await;
    Book::table(&db).create().await.unwrap();
    let err = Book::put_json(&db, json!({"isbn": "i1", "edition": 1}))
        .await
        .unwrap_err();
    let errors = err.validation_errors().expect("validation error");
    assert!(errors.has_field("title"), "{errors}");
    assert_eq!(errors.errors()[0].code, "required");
    assert_eq!(Book::get(&db, ("i1", 1u32)).await.unwrap(), None);
}

#[tokio::test]
async fn put_json_unknown_field_and_bad_enum_are_rejected() {
    let db = things_db().await;
    let err = Thing::put_json(&db, json!({"id": "t1", "colour": "red"}))
        .await
        .unwrap_err();
    assert!(
        err.validation_errors().unwrap().has_field("colour"),
        "{err}"
    );
    let err = Thing::put_json(&db, json!({"id": "t1", "color": "orange"}))
        .await
        .unwrap_err();
    let errors = err.validation_errors().unwrap();
    assert!(errors.has_field("color"), "{errors}");
    assert!(errors.to_string().contains("orange"), "{errors}");
    let err = Thing::put_json(&db, json!(["not", "an", "object"]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation { .. }));
    assert_eq!(Thing::get(&db, "t1").await.unwrap(), None);
}

#[tokio::test]
async fn put_json_unique() {
    let db = things_db().await;
    Thing::put_json(&db, json!({"id": "t1"}))
        .unique()
        .await
        .unwrap();
    let err = Thing::put_json(&db, json!({"id": "t1", "name": "x"}))
        .unique()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }));
}

#[tokio::test]
async fn missing_table_is_a_not_found_sdk_error() {
    let db = common::db().await;
    let err = thing("t1").save(&db).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(!err.is_retryable());
    assert!(matches!(
        err,
        Error::Sdk {
            operation: "PutItem",
            ..
        }
    ));
    let err = Thing::get(&db, "t1").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

#[tokio::test]
async fn stored_item_of_wrong_shape_is_a_codec_error_naming_the_field() {
    let db = things_db().await;
    put_raw(
        &db,
        &[
            ("id", AttributeValue::S("t1".into())),
            ("count", AttributeValue::S("not a number".into())),
        ],
    )
    .await;
    let err = Thing::get(&db, "t1").await.unwrap_err();
    match &err {
        Error::Codec { model, path, .. } => {
            assert_eq!(*model, "Thing");
            assert_eq!(path.as_deref(), Some("count"));
        }
        e => panic!("expected Codec, got {e:?}"),
    }
}

#[tokio::test]
async fn unknown_stored_attributes_are_ignored_on_read() {
    let db = things_db().await;
    put_raw(
        &db,
        &[
            ("id", AttributeValue::S("t1".into())),
            ("added_later", AttributeValue::N("5".into())),
        ],
    )
    .await;
    let got = Thing::get(&db, "t1").await.unwrap().unwrap();
    assert_eq!(
        got,
        Thing {
            id: "t1".into(),
            name: None,
            color: None,
            count: None
        }
    );
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Child {
    sub: String,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "parents", billing = "on_demand")]
struct Parent {
    #[dynamo(hash_key)]
    id: String,
    #[serde(alias = "title")]
    name: String,
    child: Option<Child>,
    tags: HashSet<String>,
}

#[tokio::test]
async fn put_json_has_one_rule_for_unknown_keys_at_every_level() {
    let db = common::db().await;
    Parent::table(&db).create().await.unwrap();
    // Unknown nested keys are refused like unknown top-level ones, with their path.
    let err = Parent::put_json(
        &db,
        json!({"id": "p1", "name": "x", "extra": 1, "child": {"sub": "s", "oops": 2}}),
    )
    .await
    .unwrap_err();
    let errors = err.validation_errors().expect("a validation error");
    assert!(
        errors.has_field("extra") && errors.has_field("child.oops"),
        "{errors}"
    );
    assert_eq!(
        Parent::get(&db, "p1").await.unwrap(),
        None,
        "nothing written"
    );
    // serde's alias is read; an absent set is an empty one, as on reads.
    let written = Parent::put_json(
        &db,
        json!({"id": "p1", "title": "aliased", "child": {"sub": "s", "type": "t"}}),
    )
    .await
    .unwrap();
    assert_eq!(written.name, "aliased");
    assert!(written.tags.is_empty());
    assert_eq!(Parent::get(&db, "p1").await.unwrap(), Some(written));
    // A missing required field is still named.
    let err = Parent::put_json(&db, json!({"id": "p2"}))
        .await
        .unwrap_err();
    assert!(err.validation_errors().unwrap().has_field("name"), "{err}");
}

/// put_json: aliases count as present, sets under an alias are not
/// doubled, skip_deserializing fields are not unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "labelled", billing = "on_demand")]
struct Labelled {
    #[dynamo(hash_key)]
    id: String,
    #[serde(alias = "title")]
    name: String,
    #[serde(alias = "labels")]
    tags: HashSet<String>,
    #[serde(skip_deserializing)]
    computed: Option<String>,
}

#[tokio::test]
async fn put_json_reads_aliases_and_skipped_fields_as_serde_does() {
    let db = common::db().await;
    Labelled::table(&db).create().await.unwrap();
    let err = Labelled::put_json(&db, json!({"title": "x"}))
        .await
        .unwrap_err();
    let errors = err.validation_errors().unwrap();
    assert!(
        errors.has_field("id") && !errors.has_field("name"),
        "{errors}"
    );
    let written = Labelled::put_json(
        &db,
        json!({"id": "l1", "title": "t", "labels": ["a"], "computed": "ignored by serde"}),
    )
    .await
    .unwrap();
    assert_eq!(written.tags, HashSet::from(["a".to_owned()]));
    assert_eq!(written.computed, None);
    assert_eq!(Labelled::get(&db, "l1").await.unwrap(), Some(written));
}
