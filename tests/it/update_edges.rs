//! Updates at their edges: list indexes resolved as DynamoDB does, values a
//! field cannot read back refused before anything is stored, integer
//! ranges, nested `None`, and the transaction and TTL corners found by
//! review.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use dynamorm::prelude::*;
use dynamorm::AttributeValue;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::common;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Kid {
    sub: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "nums", billing = "on_demand")]
struct Nums {
    #[dynamo(hash_key)]
    id: String,
    count: i64,
    small: u8,
    stock: u64,
    ratio: f64,
    name: Option<String>,
    tags: Vec<String>,
    labels: HashSet<String>,
    opts: Vec<Option<String>>,
    kid: Kid,
    groups: HashMap<String, HashSet<String>>,
    notes: HashMap<String, String>,
}

fn nums(id: &str) -> Nums {
    Nums {
        id: id.into(),
        count: 1,
        small: 250,
        stock: 0,
        ratio: 0.5,
        name: None,
        tags: ["a", "b", "c", "d", "e"].map(String::from).to_vec(),
        labels: HashSet::new(),
        opts: vec![Some("a".into()), Some("b".into()), Some("c".into())],
        kid: Kid { sub: "s".into() },
        groups: HashMap::new(),
        notes: HashMap::new(),
    }
}

async fn nums_db() -> Db {
    let db = common::db().await;
    Nums::table(&db).create().await.unwrap();
    nums("n").save(&db).await.unwrap();
    db
}

async fn stored(db: &Db) -> Nums {
    Nums::get(db, "n").consistent().await.unwrap().unwrap()
}

#[tokio::test]
async fn list_indexes_refer_to_the_item_before_the_update() {
    let db = nums_db().await;
    let new = Nums::update(&db, "n")
        .remove(Nums::TAGS.at(1))
        .remove(Nums::TAGS.at(3))
        .await
        .unwrap();
    assert_eq!(new.tags, ["a", "c", "e"]);
    let new = Nums::update(&db, "n")
        .remove(Nums::TAGS.at(0))
        .set(Nums::TAGS.at(1), "X")
        .await
        .unwrap();
    assert_eq!(new.tags, ["X", "e"]);
    let new = Nums::update(&db, "n")
        .set(Nums::TAGS.at(7), "late")
        .set(Nums::TAGS.at(6), "early")
        .await
        .unwrap();
    assert_eq!(new.tags, ["X", "e", "early", "late"]);
    assert_eq!(stored(&db).await, new);
}

#[tokio::test]
async fn values_a_field_cannot_read_back_are_refused_and_nothing_is_stored() {
    let db = nums_db().await;
    let (counted, requests) = common::counting(&db);
    // Caught from the value alone, before any request.
    let cases: Vec<(&str, dynamorm::ops::update::Update<'_, Nums>)> = vec![
        (
            "fraction into an integer",
            Nums::update(&counted, "n").set(Nums::COUNT, 1.5),
        ),
        (
            "fractional add",
            Nums::update(&counted, "n").add(Nums::COUNT, 0.5),
        ),
        (
            "out of u8",
            Nums::update(&counted, "n").set(Nums::SMALL, 300),
        ),
        (
            "kw map into a struct",
            Nums::update_kw(&counted, "n", [("kid", json!({"x": 1}))]),
        ),
        (
            "kw strings into a number set",
            Nums::update_kw(&counted, "n", [("count", json!("x"))]),
        ),
    ];
    for (case, update) in cases {
        let err = update.await.unwrap_err();
        assert!(matches!(err, Error::InvalidQuery { .. }), "{case}: {err:?}");
    }
    assert_eq!(requests.get(), 0, "nothing was sent");

    // Caught from the stored item: ranges and nested paths.
    let before = stored(&db).await;
    let err = Nums::update(&db, "n")
        .add(Nums::SMALL, 10)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert!(err.to_string().contains("small"), "{err}");
    let err = Nums::update(&db, "n")
        .minus(Nums::STOCK, 1)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    let err = Nums::update(&db, "n")
        .remove(Nums::KID.key("sub"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    let err = Nums::update_kw(&db, "n", [("kid__sub", json!(5))])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert_eq!(stored(&db).await, before, "nothing was stored");

    // In range is fine, and floats take any sum.
    let new = Nums::update(&db, "n")
        .add(Nums::SMALL, 5)
        .plus(Nums::STOCK, 3)
        .plus(Nums::RATIO, 0.25)
        .await
        .unwrap();
    assert_eq!((new.small, new.stock, new.ratio), (255, 3, 0.75));
}

#[tokio::test]
async fn a_nested_none_is_null_not_a_removal() {
    let db = nums_db().await;
    let new = Nums::update(&db, "n")
        .set(Nums::OPTS.at(1), None::<String>)
        .await
        .unwrap();
    assert_eq!(new.opts, [Some("a".into()), None, Some("c".into())]);
    let new = Nums::update_kw(&db, "n", [("opts__0", json!(null))])
        .await
        .unwrap();
    assert_eq!(new.opts, [None, None, Some("c".into())]);
}

#[tokio::test]
async fn typed_values_in_their_common_forms() {
    let db = nums_db().await;
    let maybe: Option<String> = Some("from an option".into());
    let new = Nums::update(&db, "n")
        .set(Nums::NAME, maybe.as_deref())
        .set(Nums::TAGS, vec!["v"])
        .set(Nums::LABELS, ["x", "y"])
        .await
        .unwrap();
    assert_eq!(new.name.as_deref(), Some("from an option"));
    assert_eq!(new.tags, ["v"]);
    assert_eq!(new.labels, HashSet::from(["x".to_owned(), "y".to_owned()]));
    let new = Nums::update(&db, "n")
        .set(Nums::NAME, Some("x"))
        .await
        .unwrap();
    assert_eq!(new.name.as_deref(), Some("x"));
    let none: Option<&str> = None;
    let new = Nums::update(&db, "n").set(Nums::NAME, none).await.unwrap();
    assert_eq!(new.name, None);
    // Set elements under a nested path (a real string set, as another
    // program may store it: the codec stores nested sets as lists), and a
    // map key that looks like an index.
    db.client()
        .update_item()
        .table_name(Nums::table(&db).name())
        .key("id", AttributeValue::S("n".into()))
        .update_expression("SET #g = :g")
        .expression_attribute_names("#g", "groups")
        .expression_attribute_values(
            ":g",
            AttributeValue::M(HashMap::from([(
                "g".to_owned(),
                AttributeValue::Ss(vec!["a".into()]),
            )])),
        )
        .send()
        .await
        .unwrap();
    let new = Nums::update(&db, "n")
        .add(Nums::GROUPS.key("g"), ["b"])
        .await
        .unwrap();
    assert_eq!(new.groups["g"].len(), 2);
    let new = Nums::update_kw(&db, "n", [("notes__0", json!("zero"))])
        .await
        .unwrap();
    assert_eq!(new.notes["0"], "zero");
}

#[tokio::test]
async fn an_update_that_would_outgrow_the_item_limit_is_refused() {
    let db = nums_db().await;
    let err = Nums::update(&db, "n")
        .set(Nums::NOTES.key("big"), "x".repeat(410_000))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ItemTooLarge { .. }), "{err:?}");
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "tiny", billing = "on_demand")]
struct Tiny {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(version)]
    version: u8,
    #[dynamo(created_at)]
    created: Option<DateTime<Utc>>,
}

#[tokio::test]
async fn versions_and_creation_times_at_their_edges() {
    let db = common::db().await;
    Tiny::table(&db).create().await.unwrap();
    // A version type's largest value cannot grow.
    let full = Tiny {
        id: "t".into(),
        version: 255,
        created: None,
    };
    let err = full.save(&db).await.unwrap_err();
    assert!(matches!(err, Error::Codec { .. }), "{err:?}");
    // A first save keeps a creation time the model brings (an import).
    let imported = DateTime::<Utc>::from_timestamp(978_307_200, 0).unwrap();
    let mut old = Tiny {
        id: "old".into(),
        version: 0,
        created: Some(imported),
    };
    old.save_mut(&db).await.unwrap();
    assert_eq!(old.created, Some(imported));
    // A stale instance whose item is gone: a version conflict, as for save.
    let mut stale = old.clone();
    Tiny::delete(&db, "old").await.unwrap();
    let err = stale
        .update(&db)
        .set(Tiny::CREATED, Utc::now())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidQuery { .. }),
        "created_at is managed: {err:?}"
    );
    let err = stale.save(&db).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::VersionConflict {
                expected: 1,
                found: None,
                ..
            }
        ),
        "{err:?}"
    );
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "shared", billing = "on_demand")]
struct Before {
    #[dynamo(hash_key)]
    id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "shared", billing = "on_demand")]
struct After {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(ttl)]
    expires: Option<DateTime<Utc>>,
}

#[tokio::test]
async fn ttl_corners() {
    let db = common::db().await;
    // A table made before the model had a ttl gets TTL turned on.
    Before::table(&db).create().await.unwrap();
    assert_eq!(After::table(&db).ttl().await.unwrap(), None);
    assert!(!After::table(&db).create_if_not_exists().await.unwrap());
    assert_eq!(
        After::table(&db).ttl().await.unwrap().as_deref(),
        Some("expires")
    );
    // An RFC 3339 time in a keyword update; a fractional epoch another
    // program stored reads back as whole seconds.
    After {
        id: "a".into(),
        expires: None,
    }
    .save(&db)
    .await
    .unwrap();
    let new = After::update_kw(&db, "a", [("expires", json!("2030-01-01T00:00:00Z"))])
        .await
        .unwrap();
    assert_eq!(new.expires.map(|t| t.timestamp()), Some(1_893_456_000));
    db.client()
        .put_item()
        .table_name(After::table(&db).name())
        .item("id", AttributeValue::S("b".into()))
        .item("expires", AttributeValue::N("1893456000.75".into()))
        .send()
        .await
        .unwrap();
    let b = After::get(&db, "b").await.unwrap().unwrap();
    assert_eq!(b.expires.map(|t| t.timestamp()), Some(1_893_456_000));
    // No TTL table left behind (DynamoDB Local runs a job for each one).
    After::table(&db).delete().await.unwrap();
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel, validator::Validate)]
#[dynamo(table = "listy", billing = "on_demand", validate = "validator")]
struct Listy {
    #[dynamo(hash_key)]
    id: String,
    #[validate(custom(function = "head_first"))]
    tags: Vec<String>,
}

fn head_first(tags: &[String]) -> Result<(), validator::ValidationError> {
    match tags.first().map(String::as_str) {
        Some("head") => Ok(()),
        _ => Err(validator::ValidationError::new("head_first")),
    }
}

#[tokio::test]
async fn a_validated_model_is_checked_with_dynamodb_list_semantics() {
    let db = common::db().await;
    Listy::table(&db).create().await.unwrap();
    let listy = Listy {
        id: "y".into(),
        tags: ["head", "head", "b"].map(String::from).to_vec(),
    };
    listy.save(&db).await.unwrap();
    // DynamoDB removes both original elements 0 and 1, leaving ["b"]: invalid.
    let err = Listy::update(&db, "y")
        .remove(Listy::TAGS.at(0))
        .remove(Listy::TAGS.at(1))
        .await
        .unwrap_err();
    assert!(err.validation_errors().is_some(), "{err:?}");
    assert_eq!(
        Listy::get(&db, "y").consistent().await.unwrap(),
        Some(listy)
    );

    // In a transaction, a missing item is the engine's cancellation, by position.
    let err = db
        .transact_write()
        .update(Listy::update_op("nobody").append(Listy::TAGS, ["x"]))
        .await
        .unwrap_err();
    let Error::TransactionCanceled { reasons } = &err else {
        panic!("{err:?}");
    };
    assert!(reasons[0].is_condition_failed(), "{reasons:?}");

    // Two reads of one item in a transaction share one Get.
    let mut tx = db.transact_get();
    let first = tx.get::<Listy>("y");
    let again = tx.get::<Listy>("y");
    let items = tx.await.unwrap();
    assert_eq!(items.get(first).unwrap(), items.get(again).unwrap());
    assert!(items.get(again).unwrap().is_some());
}
