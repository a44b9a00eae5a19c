//! What an error says: the operation, the model and its table, the field
//! or condition at fault, the service's own code and message for SDK
//! errors, and for failures to reach the engine (nothing listening, an
//! endpoint URL that is not one) what happened and whether a retry can help.

use dynamorm::prelude::*;
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
async fn sdk_errors_carry_the_services_code_and_message() {
    let db = common::db().await;
    Note::table(&db).create().await.unwrap();
    let table = Note::table(&db).name();
    // An empty string in a key attribute: DynamoDB refuses it.
    let err = Note {
        id: String::new(),
        text: None,
    }
    .save(&db)
    .await
    .unwrap_err();
    let Error::Sdk {
        operation,
        model,
        code,
        message,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*operation, *model), ("PutItem", "Note"));
    assert_eq!(code.as_deref(), Some("ValidationException"));
    let message = message.as_deref().expect("the service's message");
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!(
            "PutItem on table {table} (Note) failed: ValidationException: "
        )),
        "{shown}"
    );
    assert!(shown.contains(message), "{shown}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn transport_failures_say_what_happened() {
    let db = Db::connect_local(&common::dead_endpoint()).await;
    let err = Note::get(&db, "n1").await.unwrap_err();
    let shown = err.to_string();
    assert!(!shown.ends_with("failed: error"), "{shown}");
    assert!(shown.to_lowercase().contains("connect"), "{shown}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn unusable_endpoint_urls_are_clear_errors_that_a_retry_cannot_fix() {
    for url in [
        "",
        "not a url",
        "127.0.0.1:8000",
        "http://",
        "ftp://127.0.0.1:8000",
    ] {
        let db = Db::connect_local(url).await;
        let err = Note::get(&db, "n1").await.unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains("invalid endpoint URL"), "{url:?}: {shown}");
        assert!(!err.is_retryable(), "{url:?}: {err:?}");
        assert!(
            matches!(
                err,
                Error::Sdk {
                    transport: false,
                    ..
                }
            ),
            "{url:?}: {err:?}"
        );
    }
}

#[tokio::test]
async fn errors_name_the_model_the_table_and_the_field() {
    let db = common::db().await;
    Note::table(&db).create().await.unwrap();
    let table = Note::table(&db).name();
    note("n1", "hello").save(&db).await.unwrap();

    let err = note("n1", "again")
        .save(&db)
        .when(Note::TEXT.eq("bye"))
        .await
        .unwrap_err();
    let Error::ConditionFailed {
        model,
        table: t,
        condition,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*model, t.as_str()), ("Note", table.as_str()));
    assert_eq!(condition, r#"text = "bye""#);

    let err = Note::query_kw(&db, [("id", "n1".into()), ("colour", "red".into())])
        .all()
        .await
        .unwrap_err();
    let Error::InvalidQuery {
        model,
        table: t,
        message,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*model, t.as_str()), ("Note", table.as_str()));
    assert!(message.contains("unknown field `colour`"), "{message}");
    assert!(
        err.to_string()
            .contains(&format!("invalid query on Note (table {table})")),
        "{err}"
    );

    // Without a Db (Cond::kw), the declared table name.
    let err = Cond::<Note>::kw("colour", "red".into()).unwrap_err();
    assert!(
        err.to_string()
            .contains("invalid query on Note (table notes)"),
        "{err}"
    );

    let err = Note::put_json(&db, serde_json::json!({"id": "n2", "text": 5}))
        .await
        .unwrap_err();
    let Error::Validation {
        table: t, errors, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(t, &table);
    assert!(errors.has_field("text"), "{err}");

    // SDK errors carry the model too.
    let missing = db.with_table_prefix("missing-");
    let err = Note::get(&missing, "n1").await.unwrap_err();
    let Error::Sdk {
        model, operation, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*model, *operation), ("Note", "GetItem"));
}
