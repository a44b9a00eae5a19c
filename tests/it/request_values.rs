//! Write requests as values (`PutRequest`, `DeleteRequest`,
//! `ConditionCheck`): they render to the SDK's own transaction and batch
//! entries, sent with the raw client; rendering runs validation and the size
//! check; a batch entry cannot carry a condition. They and the operation
//! builders print with `Debug`.

use aws_sdk_dynamodb::types::TransactWriteItem;
use dynamorm::prelude::*;
use dynamorm::{ConditionCheck, DeleteRequest, PutRequest};
use serde::{Deserialize, Serialize};

use crate::support::common;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "notes", billing = "on_demand")]
struct Note {
    #[dynamo(hash_key)]
    id: String,
    text: Option<String>,
}

fn note(id: &str, text: &str) -> Note {
    Note {
        id: id.into(),
        text: Some(text.into()),
    }
}

#[tokio::test]
async fn request_values_render_to_the_sdks_own_requests() {
    let db = common::db().await;
    Note::table(&db).create().await.unwrap();
    let table = Note::table(&db).name();
    let (a, b) = (note("a", "first"), note("b", "second"));

    // A transaction built by hand from request values, sent with the raw client.
    db.client()
        .transact_write_items()
        .transact_items(
            TransactWriteItem::builder()
                .put(PutRequest::new(&a).unique().to_put(&table).unwrap())
                .build(),
        )
        .transact_items(
            TransactWriteItem::builder()
                .put(PutRequest::new(&b).to_put(&table).unwrap())
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(Note::get(&db, "a").await.unwrap(), Some(a.clone()));
    assert_eq!(Note::get(&db, "b").await.unwrap(), Some(b.clone()));

    // A condition check that fails cancels the transaction: nothing is deleted.
    let check = ConditionCheck::<Note>::new("a", Note::TEXT.eq("other"));
    let delete_b = DeleteRequest::<Note>::new("b");
    let err = db
        .client()
        .transact_write_items()
        .transact_items(
            TransactWriteItem::builder()
                .condition_check(check.to_condition_check(&table).unwrap())
                .build(),
        )
        .transact_items(
            TransactWriteItem::builder()
                .delete(delete_b.to_delete(&table).unwrap())
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_transaction_canceled_exception());
    assert!(
        Note::get(&db, "b").await.unwrap().is_some(),
        "nothing deleted"
    );

    // The same values as batch entries.
    let c = note("c", "third");
    db.client()
        .batch_write_item()
        .request_items(
            table.clone(),
            vec![
                PutRequest::new(&c).to_write_request(&table).unwrap(),
                DeleteRequest::<Note>::new("a")
                    .to_write_request(&table)
                    .unwrap(),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(Note::get(&db, "a").await.unwrap(), None);
    assert_eq!(Note::get(&db, "c").await.unwrap(), Some(c.clone()));

    // A batch cannot carry a condition; the error says so before any request.
    let err = PutRequest::new(&c)
        .unique()
        .to_write_request(&table)
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err}");
    assert!(
        err.to_string().contains("cannot carry a condition"),
        "{err}"
    );
    let err = DeleteRequest::<Note>::new("c")
        .when(Note::TEXT.exists())
        .to_write_request(&table)
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err}");
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel, validator::Validate)]
#[dynamo(table = "checked-notes", billing = "on_demand", validate = "validator")]
struct CheckedNote {
    #[dynamo(hash_key)]
    id: String,
    #[validate(length(min = 1))]
    text: String,
}

#[tokio::test]
async fn request_values_run_the_write_pipeline() {
    // Validation and the size check run when a value is rendered, whatever
    // sends it: nothing invalid reaches a transaction or a batch.
    let bad = CheckedNote {
        id: "x".into(),
        text: String::new(),
    };
    for err in [
        PutRequest::new(&bad)
            .to_put("dev-checked-notes")
            .unwrap_err(),
        PutRequest::new(&bad)
            .to_write_request("dev-checked-notes")
            .unwrap_err(),
    ] {
        let Error::Validation {
            model,
            table,
            errors,
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(
            (*model, table.as_str()),
            ("CheckedNote", "dev-checked-notes")
        );
        assert!(errors.has_field("text"), "{err}");
    }
    let huge = CheckedNote {
        id: "x".into(),
        text: "y".repeat(410_000),
    };
    let err = PutRequest::new(&huge)
        .to_put("dev-checked-notes")
        .unwrap_err();
    assert!(matches!(err, Error::ItemTooLarge { .. }), "{err}");
}

#[tokio::test]
async fn builders_and_request_values_are_debug() {
    let db = common::db().await;
    let n = note("n1", "x");
    let text = format!(
        "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        n.save(&db).unique(),
        Note::get(&db, "n1").consistent(),
        Note::delete(&db, "n1").when(Note::TEXT.exists()),
        Note::put_json(&db, serde_json::json!({"id": "n1"})),
        Note::query(&db, "n1").limit(3),
        Note::scan(&db).segments(2),
        Note::table(&db),
        PutRequest::new(&n),
    );
    for part in [
        "Put",
        "Get",
        "Delete",
        "json",
        "Query",
        "Scan",
        "TableHandle",
        "PutRequest",
        "\"n1\"",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
}
