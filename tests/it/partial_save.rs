//! Partial saves (DynamORM's `save(partial=True)`): only what changed is
//! written, with the conditions and version checks of any update.

use dynamorm::prelude::*;
use dynamorm::AttributeValue;
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::support::common;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel, Validate)]
#[dynamo(table = "profiles", billing = "on_demand", validate = "validator")]
struct Profile {
    #[dynamo(hash_key)]
    id: String,
    #[validate(length(min = 1))]
    name: String,
    bio: Option<String>,
    visits: i64,
    #[dynamo(version)]
    #[serde(default)]
    version: u64,
}

fn profile(id: &str) -> Profile {
    Profile {
        id: id.into(),
        name: "Ann".into(),
        bio: Some("hi".into()),
        visits: 0,
        version: 0,
    }
}

async fn profiles_db() -> Db {
    let db = common::db().await;
    Profile::table(&db).create().await.unwrap();
    profile("p1").save(&db).await.unwrap();
    db
}

#[tokio::test]
async fn only_the_changed_fields_are_written() {
    let db = profiles_db().await;
    let (counted, requests) = common::counting(&db);
    let mut tracked = Profile::get(&counted, "p1")
        .tracked()
        .await
        .unwrap()
        .unwrap();
    let after_get = requests.get();
    assert!(!tracked.save_changes(&counted).await.unwrap(), "unchanged");
    assert_eq!(
        requests.get(),
        after_get,
        "an unchanged model sends nothing"
    );

    // Another writer counts a visit meanwhile; the partial save of `name`
    // does not undo it (a whole save would) — but the version moved, so a
    // versioned model's partial save is a conflict...
    Profile::update(&db, "p1")
        .plus(Profile::VISITS, 1)
        .await
        .unwrap();
    tracked.name = "Bea".into();
    tracked.bio = None;
    assert_eq!(tracked.changed_fields().unwrap(), ["name", "bio"]);
    let err = tracked.save_changes(&counted).await.unwrap_err();
    assert!(err.is_version_conflict(), "{err:?}");

    // ... and after reloading, it writes name and bio only.
    let mut tracked = Profile::get(&db, "p1").tracked().await.unwrap().unwrap();
    tracked.name = "Bea".into();
    tracked.bio = None;
    assert!(tracked.save_changes(&db).await.unwrap());
    let stored = Profile::get(&db, "p1").consistent().await.unwrap().unwrap();
    assert_eq!(
        (
            stored.name.as_str(),
            stored.bio.as_deref(),
            stored.visits,
            stored.version
        ),
        ("Bea", None, 1, 3)
    );
    assert_eq!(*tracked, stored, "the tracked model holds what is stored");
    // Saved again without changes: nothing to send.
    assert!(!tracked.save_changes(&db).await.unwrap());
}

#[tokio::test]
async fn save_changes_against_a_kept_copy() {
    let db = profiles_db().await;
    let mut p = Profile::get(&db, "p1").await.unwrap().unwrap();
    let before = p.clone();
    p.visits = 10;
    assert!(p.save_changes(&db, &before).await.unwrap());
    assert_eq!(
        p.version,
        before.version + 1,
        "the stored model is written back"
    );

    // Conditions, validation and the key.
    let before = p.clone();
    p.visits = 11;
    let err = p
        .save_changes(&db, &before)
        .when(Profile::VISITS.gt(100))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConditionFailed { .. }), "{err:?}");
    p.name = String::new();
    let err = p.save_changes(&db, &before).await.unwrap_err();
    assert!(err.validation_errors().unwrap().has_field("name"), "{err}");
    let mut moved = before.clone();
    moved.id = "p2".into();
    let err = moved.save_changes(&db, &before).await.unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    let stored = Profile::get(&db, "p1").consistent().await.unwrap().unwrap();
    assert_eq!(stored, before, "nothing was written");
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Labels {
    tags: std::collections::HashSet<String>,
    note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "tagged", billing = "on_demand")]
struct Tagged {
    #[dynamo(hash_key)]
    id: String,
    name: String,
    tags: std::collections::HashSet<String>,
    inner: Labels,
}

fn strings(items: &[&str]) -> std::collections::HashSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

async fn tagged_db() -> Db {
    let db = common::db().await;
    Tagged::table(&db).create().await.unwrap();
    // Enough elements that a set read back rarely comes in the order the
    // model's HashSet writes it.
    let many: Vec<String> = (0..12).map(|n| format!("tag-{n}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    Tagged {
        id: "t1".into(),
        name: "One".into(),
        tags: strings(&many),
        inner: Labels {
            tags: strings(&many),
            note: "n".into(),
        },
    }
    .save(&db)
    .await
    .unwrap();
    db
}

#[tokio::test]
async fn untouched_sets_are_unchanged_whatever_order_they_come_back_in() {
    let db = tagged_db().await;
    let (counted, requests) = common::counting(&db);
    let mut tracked = Tagged::get(&counted, "t1")
        .tracked()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tracked.changed_fields().unwrap(), Vec::<&str>::new());
    let after_get = requests.get();
    assert!(
        !tracked.save_changes(&counted).await.unwrap(),
        "nothing changed"
    );
    assert_eq!(
        requests.get(),
        after_get,
        "an unchanged model sends nothing"
    );

    // The same through a kept copy.
    let mut model = tracked.clone();
    let before = model.clone();
    assert!(!model.save_changes(&counted, &before).await.unwrap());
    assert_eq!(requests.get(), after_get);
}

#[tokio::test]
async fn a_partial_save_keeps_elements_another_writer_added_to_untouched_sets() {
    let db = tagged_db().await;
    let mut tracked = Tagged::get(&db, "t1").tracked().await.unwrap().unwrap();

    // Another writer adds an element to both sets meanwhile (a set inside a
    // nested struct is stored as a list).
    db.client()
        .update_item()
        .table_name(db.table_name(Tagged::table_def()))
        .key("id", AttributeValue::S("t1".into()))
        .update_expression("ADD tags :new SET #i.tags = list_append(#i.tags, :more)")
        .expression_attribute_names("#i", "inner")
        .expression_attribute_values(":new", AttributeValue::Ss(vec!["added".into()]))
        .expression_attribute_values(
            ":more",
            AttributeValue::L(vec![AttributeValue::S("added".into())]),
        )
        .send()
        .await
        .unwrap();

    tracked.name = "Uno".into();
    assert_eq!(tracked.changed_fields().unwrap(), ["name"]);
    assert!(tracked.save_changes(&db).await.unwrap());
    let stored = Tagged::get(&db, "t1").consistent().await.unwrap().unwrap();
    assert_eq!(stored.name, "Uno");
    assert!(
        stored.tags.contains("added"),
        "top-level set: {:?}",
        stored.tags
    );
    assert!(
        stored.inner.tags.contains("added"),
        "nested set: {:?}",
        stored.inner.tags
    );
    assert_eq!(*tracked, stored, "the tracked model holds what is stored");

    // A set the model did change is written whole.
    tracked.tags.remove("tag-0");
    assert_eq!(tracked.changed_fields().unwrap(), ["tags"]);
    assert!(tracked.save_changes(&db).await.unwrap());
    let stored = Tagged::get(&db, "t1").consistent().await.unwrap().unwrap();
    assert!(!stored.tags.contains("tag-0"));
    assert!(stored.tags.contains("added"));
}
