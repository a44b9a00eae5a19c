//! The architecture step, end to end: the model API from generic code, write
//! requests as values sent through the SDK's own calls, errors that name the
//! model and table, and how index keys and number-like types are classified.

use aws_sdk_dynamodb::types::{AttributeValue, ScalarAttributeType, TransactWriteItem};
use dynamorm::model::KeyPart;
use dynamorm::prelude::*;
use dynamorm::schema::ScalarType;
use dynamorm::{ConditionCheck, DeleteRequest, PutRequest};
use serde::{Deserialize, Serialize};

use crate::common;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "notes", billing = "on_demand")]
struct Note {
    #[dynamo(hash_key)]
    id: String,
    text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "books", billing = "on_demand")]
struct Book {
    #[dynamo(hash_key)]
    isbn: String,
    #[dynamo(range_key)]
    edition: u32,
    title: String,
}

fn note(id: &str, text: &str) -> Note {
    Note {
        id: id.into(),
        text: Some(text.into()),
    }
}

/// Everything a model offers, from code that knows only `M: DynaModel`.
async fn round_trip<M: DynaModel + Clone + PartialEq + std::fmt::Debug>(
    db: &Db,
    model: M,
    hash: M::HashKey,
) {
    M::table(db).create().await.unwrap();
    model.save(db).await.unwrap();
    M::put(db, &model).await.unwrap();
    assert_eq!(
        M::get(db, model.key()).consistent().await.unwrap(),
        Some(model.clone())
    );
    assert_eq!(M::query(db, hash).all().await.unwrap(), vec![model.clone()]);
    assert_eq!(M::scan(db).count().await.unwrap(), 1);
    let first_field = M::table_def().hash_key.name;
    assert_eq!(
        M::scan_kw(db, [(format!("{first_field}__exists"), true.into())])
            .count()
            .await
            .unwrap(),
        1
    );
    // Both spellings of delete: by key on the type, and on the value.
    M::delete(db, model.key()).await.unwrap();
    assert_eq!(M::get(db, model.key()).await.unwrap(), None);
    M::put(db, &model).await.unwrap();
    model.delete(db).await.unwrap();
    assert_eq!(M::scan(db).count().await.unwrap(), 0);
}

#[tokio::test]
async fn the_model_api_is_reachable_from_generic_code() {
    let db = common::db().await;
    round_trip(&db, note("n1", "hello"), "n1".to_owned()).await;
    let book = Book {
        isbn: "i1".into(),
        edition: 2,
        title: "Two".into(),
    };
    round_trip(&db, book, "i1".to_owned()).await;
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

/// A key type the derive cannot see into, stored as a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
struct Year(u32);

impl KeyPart for Year {
    const SCALAR: ScalarType = ScalarType::N;
    fn to_attr(&self) -> AttributeValue {
        AttributeValue::N(self.0.to_string())
    }
}

/// Named like rust_decimal's type: the derive classifies by name, and a
/// `Decimal` serializes as a string by default, so it is not a number kind.
mod money {
    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    #[serde(transparent)]
    pub struct Decimal(pub String);
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "releases", billing = "on_demand")]
#[dynamo(global_index(name = "by-year", hash_key = "year", projection = "all"))]
struct Release {
    #[dynamo(hash_key)]
    id: String,
    year: Option<Year>,
    price: money::Decimal,
}

#[tokio::test]
async fn opaque_index_keys_take_their_keypart_scalar() {
    assert_eq!(
        Release::table_def()
            .index("by-year")
            .unwrap()
            .hash_key
            .scalar,
        ScalarType::N
    );
    let db = common::db().await;
    let description = Release::table(&db).create().await.unwrap();
    let year_type = description
        .attribute_definitions()
        .iter()
        .find(|d| d.attribute_name() == "year")
        .map(|d| d.attribute_type().clone());
    assert_eq!(year_type, Some(ScalarAttributeType::N));
    let release = Release {
        id: "r1".into(),
        year: Some(Year(2024)),
        price: money::Decimal("9.99".into()),
    };
    release.save(&db).await.unwrap();
    assert_eq!(
        Release::BY_YEAR.query(&db, 2024).all().await.unwrap(),
        vec![release.clone()]
    );
    assert_eq!(
        Release::BY_YEAR
            .query(&db, Year(2024))
            .count()
            .await
            .unwrap(),
        1
    );
    // `price` is a string-stored Decimal: a string value is accepted in `__` terms.
    let found = Release::scan_kw(&db, [("price", "9.99".into())])
        .all()
        .await
        .unwrap();
    assert_eq!(found, vec![release]);
}

#[tokio::test]
async fn cursor_and_page_are_at_the_crate_root() {
    let db = common::db().await;
    Note::table(&db).create().await.unwrap();
    for i in 0..3 {
        note(&format!("n{i}"), "x").save(&db).await.unwrap();
    }
    let page: dynamorm::Page<Note> = Note::scan(&db).limit(2).page(None).await.unwrap();
    let cursor: dynamorm::Cursor = page.next.unwrap();
    let old_path: dynamorm::ops::page::Cursor = cursor.to_string().parse().unwrap();
    let rest = Note::scan(&db).page(old_path).await.unwrap();
    assert_eq!(page.items.len() + rest.items.len(), 3);
}
