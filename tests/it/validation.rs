//! Validation runs before every write and on every model built from a read;
//! an update is validated on the item as DynamoDB will leave it (list
//! indexes refer to the item before the update).

use dynamorm::prelude::*;
use dynamorm::AttributeValue;
use serde::{Deserialize, Serialize};
use serde_json::json;
use validator::Validate;

use crate::support::common;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
struct Part {
    #[validate(length(min = 2))]
    label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel, Validate)]
#[dynamo(table = "checked", billing = "on_demand", validate = "validator")]
struct Checked {
    #[dynamo(hash_key)]
    id: String,
    #[validate(length(min = 1, max = 10))]
    name: Option<String>,
    #[validate(range(min = 0, max = 100))]
    score: i64,
    #[validate(nested)]
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel, garde::Validate)]
#[dynamo(table = "guarded", billing = "on_demand", validate = "garde")]
struct Guarded {
    #[dynamo(hash_key)]
    #[garde(length(min = 3))]
    id: String,
    #[garde(range(min = 1))]
    qty: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "custom", billing = "on_demand", validate = "custom")]
struct Custom {
    #[dynamo(hash_key)]
    id: String,
    low: i64,
    high: i64,
}

impl Custom {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if self.low > self.high {
            errors.add("low", "order", "low must not exceed high");
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn checked(id: &str) -> Checked {
    Checked {
        id: id.into(),
        name: Some("ok".into()),
        score: 5,
        parts: vec![Part { label: "ab".into() }],
    }
}

#[tokio::test]
async fn validator_blocks_invalid_writes_and_names_fields() {
    let db = common::db().await;
    Checked::table(&db).create().await.unwrap();
    checked("c1").save(&db).await.unwrap();
    let mut bad = checked("c2");
    bad.name = Some(String::new());
    bad.score = 101;
    bad.parts.push(Part { label: "x".into() });
    let err = bad.save(&db).await.unwrap_err();
    let Error::Validation {
        model,
        table,
        errors,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*model, "Checked");
    assert_eq!(*table, Checked::table(&db).name(), "the full table name");
    let fields: Vec<_> = errors.fields().collect();
    assert_eq!(fields, ["name", "parts[1].label", "score"], "{errors}");
    assert!(
        err.to_string()
            .contains(&format!("Checked (table {table}) is invalid")),
        "{err}"
    );
    assert_eq!(
        Checked::get(&db, "c2").await.unwrap(),
        None,
        "nothing written"
    );
    // The same checks apply to raw documents.
    let err = Checked::put_json(&db, json!({"id": "c3", "score": -1, "parts": []}))
        .await
        .unwrap_err();
    assert!(err.validation_errors().unwrap().has_field("score"), "{err}");
    assert_eq!(Checked::get(&db, "c3").await.unwrap(), None);
}

#[tokio::test]
async fn invalid_stored_item_fails_validation_on_read() {
    let db = common::db().await;
    Checked::table(&db).create().await.unwrap();
    db.client()
        .put_item()
        .table_name(Checked::table(&db).name())
        .item("id", AttributeValue::S("c1".into()))
        .item("score", AttributeValue::N("500".into()))
        .item("parts", AttributeValue::L(vec![]))
        .send()
        .await
        .unwrap();
    let err = Checked::get(&db, "c1").await.unwrap_err();
    assert!(err.validation_errors().unwrap().has_field("score"), "{err}");
}

#[tokio::test]
async fn garde_validation() {
    let db = common::db().await;
    Guarded::table(&db).create().await.unwrap();
    Guarded {
        id: "abc".into(),
        qty: 1,
    }
    .save(&db)
    .await
    .unwrap();
    let err = Guarded {
        id: "ab".into(),
        qty: 0,
    }
    .save(&db)
    .await
    .unwrap_err();
    let errors = err.validation_errors().unwrap();
    assert!(
        errors.has_field("id") && errors.has_field("qty"),
        "{errors}"
    );
    assert_eq!(Guarded::get(&db, "ab").await.unwrap(), None);
}

#[tokio::test]
async fn custom_validation() {
    let db = common::db().await;
    Custom::table(&db).create().await.unwrap();
    Custom {
        id: "a".into(),
        low: 1,
        high: 2,
    }
    .save(&db)
    .await
    .unwrap();
    let err = Custom {
        id: "b".into(),
        low: 3,
        high: 2,
    }
    .save(&db)
    .await
    .unwrap_err();
    assert_eq!(
        err.validation_errors().unwrap().to_string(),
        "low: low must not exceed high"
    );
    let err = Custom::put_json(&db, json!({"id": "c", "low": 9, "high": 0}))
        .await
        .unwrap_err();
    assert!(err.validation_errors().unwrap().has_field("low"));
    assert_eq!(Custom::get(&db, "b").await.unwrap(), None);
}

#[tokio::test]
async fn query_and_scan_validate_what_they_read() {
    let db = common::db().await;
    Checked::table(&db).create().await.unwrap();
    checked("c1").save(&db).await.unwrap();
    db.client()
        .put_item()
        .table_name(Checked::table(&db).name())
        .item("id", AttributeValue::S("c2".into()))
        .item("score", AttributeValue::N("500".into()))
        .item("parts", AttributeValue::L(vec![]))
        .send()
        .await
        .unwrap();
    let err = Checked::query(&db, "c2").all().await.unwrap_err();
    assert!(err.validation_errors().unwrap().has_field("score"), "{err}");
    let err = Checked::scan(&db).all().await.unwrap_err();
    assert!(matches!(err, Error::Validation { .. }), "{err:?}");
    assert_eq!(
        Checked::query(&db, "c1").all().await.unwrap(),
        [checked("c1")]
    );
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
