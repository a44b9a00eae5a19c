//! Shared field groups (DynamORM's schema parents and mixins): a
//! `#[derive(DynaFields)]` struct flattened into several models.

use std::collections::HashSet;

use dynamorm::prelude::*;
use dynamorm::AttributeValue;
use serde::{Deserialize, Serialize};
use serde_json::json;
use validator::Validate;

use crate::support::common;

/// Fields every audited model carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaFields, Validate)]
pub struct Audit {
    #[validate(length(min = 1))]
    created_by: String,
    tags: HashSet<String>,
    note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel, Validate)]
#[dynamo(table = "audited-docs", billing = "on_demand", validate = "validator")]
struct Doc {
    #[dynamo(hash_key)]
    id: String,
    title: String,
    #[serde(flatten)]
    #[validate(nested)]
    audit: Audit,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "audited-notes", billing = "on_demand")]
struct Note {
    #[dynamo(hash_key)]
    id: String,
    #[serde(flatten)]
    audit: Audit,
}

/// A projection of the group's fields only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "audited-docs")]
struct DocAuthor {
    #[dynamo(hash_key)]
    id: String,
    created_by: String,
}

fn doc(id: &str, by: &str) -> Doc {
    Doc {
        id: id.into(),
        title: format!("title {id}"),
        audit: Audit {
            created_by: by.into(),
            tags: ["a".to_owned()].into(),
            note: None,
        },
    }
}

#[tokio::test]
async fn a_group_s_fields_are_the_model_s() {
    use crate::field_groups::AuditFields;

    let db = common::db().await;
    Doc::table(&db).create().await.unwrap();
    Note::table(&db).create().await.unwrap();
    let names: Vec<&str> = Doc::table_def().all_fields().map(|f| f.name).collect();
    assert_eq!(names, ["id", "title", "created_by", "tags", "note"]);

    // Stored flat, with the group's set stored as a set.
    doc("d1", "ann").save(&db).await.unwrap();
    doc("d2", "bob").save(&db).await.unwrap();
    let raw = db
        .client()
        .get_item()
        .table_name(Doc::table(&db).name())
        .key("id", AttributeValue::S("d1".into()))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert_eq!(raw["created_by"], AttributeValue::S("ann".into()));
    assert_eq!(raw["tags"], AttributeValue::Ss(vec!["a".into()]));
    assert_eq!(Doc::get(&db, "d1").await.unwrap(), Some(doc("d1", "ann")));

    // Typed handles (through the group's trait), `__` terms and projections.
    let by_ann = Doc::scan(&db)
        .filter(Doc::CREATED_BY.eq("ann") & Doc::TAGS.contains("a"))
        .all()
        .await
        .unwrap();
    assert_eq!(by_ann, vec![doc("d1", "ann")]);
    let kw = Doc::scan_kw(&db, [("created_by__begins_with", json!("b"))])
        .all()
        .await
        .unwrap();
    assert_eq!(kw, vec![doc("d2", "bob")]);
    let authors = Doc::scan(&db).project::<DocAuthor>().all().await.unwrap();
    assert_eq!(authors.len(), 2);

    // Updates of a group field.
    let new = Doc::update(&db, "d1")
        .set(Doc::NOTE, "noted")
        .await
        .unwrap();
    assert_eq!(new.audit.note.as_deref(), Some("noted"));
    let new = Doc::update_kw(&db, "d1", [("tags__add", json!(["b"]))])
        .await
        .unwrap();
    assert_eq!(new.audit.tags.len(), 2);

    // The same group in another model.
    Note {
        id: "n1".into(),
        audit: doc("x", "cid").audit,
    }
    .save(&db)
    .await
    .unwrap();
    assert_eq!(
        Note::scan(&db)
            .filter(Note::CREATED_BY.eq("cid"))
            .count()
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn a_group_s_validation_and_documents() {
    let db = common::db().await;
    Doc::table(&db).create().await.unwrap();
    let err = doc("d1", "").save(&db).await.unwrap_err();
    let errors = err.validation_errors().expect("a validation error");
    assert!(
        errors.fields().any(|f| f.ends_with("created_by")),
        "{errors}"
    );
    let err = Doc::update(&db, "d1")
        .set(Attr::<Doc, String>::new("created_by"), "")
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ConditionFailed { .. }),
        "no item yet: {err:?}"
    );
    doc("d1", "ann").save(&db).await.unwrap();
    let err = Doc::update_kw(&db, "d1", [("created_by", json!(""))])
        .await
        .unwrap_err();
    assert!(err.validation_errors().is_some(), "{err:?}");

    // A raw document with the group's fields at the top level.
    let stored = Doc::put_json(
        &db,
        json!({"id": "d3", "title": "t", "created_by": "dee", "tags": ["x"]}),
    )
    .await
    .unwrap();
    assert_eq!(stored.audit.created_by, "dee");
    let err = Doc::put_json(&db, json!({"id": "d4", "title": "t", "tags": []}))
        .await
        .unwrap_err();
    assert!(err.validation_errors().is_some(), "{err:?}");
}

/// A group with a number, and a nested struct stored under a renamed attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaFields)]
pub struct Revised {
    revision: u64,
    #[serde(rename = "meta")]
    details: Details,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Details {
    size: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "revised-pages", billing = "on_demand")]
struct Page {
    #[dynamo(hash_key)]
    id: String,
    title: String,
    #[serde(flatten)]
    audit: Audit,
    #[serde(flatten)]
    revised: Revised,
}

#[tokio::test]
async fn a_wrong_typed_group_field_is_reported_at_its_path() {
    let db = common::db().await;
    Page::table(&db).create().await.unwrap();
    let page = |revision: serde_json::Value, size: serde_json::Value| {
        json!({
            "id": "p1", "title": "t", "created_by": "ann", "tags": [],
            "revision": revision, "meta": {"size": size},
        })
    };

    let err = Page::put_json(&db, page(json!("x"), json!(1)))
        .await
        .unwrap_err();
    let errors = err.validation_errors().expect("a validation error");
    assert!(errors.has_field("revision"), "{errors}");
    assert!(!errors.has_field(""), "{errors}");

    // Inside a nested struct of the group, under its renamed attribute.
    let err = Page::put_json(&db, page(json!(1), json!("big")))
        .await
        .unwrap_err();
    let errors = err.validation_errors().expect("a validation error");
    assert!(errors.has_field("meta.size"), "{errors}");

    // In the first group, and in the model's own fields, as before.
    let mut doc = page(json!(1), json!(1));
    doc["created_by"] = json!(7);
    let err = Page::put_json(&db, doc).await.unwrap_err();
    assert!(
        err.validation_errors().unwrap().has_field("created_by"),
        "{err:?}"
    );
    let mut doc = page(json!(1), json!(1));
    doc["title"] = json!(false);
    let err = Page::put_json(&db, doc).await.unwrap_err();
    assert!(
        err.validation_errors().unwrap().has_field("title"),
        "{err:?}"
    );
    assert_eq!(Page::get(&db, "p1").await.unwrap(), None);

    let stored = Page::put_json(&db, page(json!(3), json!(9))).await.unwrap();
    assert_eq!(stored.revised.revision, 3);
    assert_eq!(stored.revised.details, Details { size: 9 });
    assert_eq!(Page::get(&db, "p1").await.unwrap(), Some(stored));
}
