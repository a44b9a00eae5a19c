//! A shared table (`#[derive(DynaTable)]`) has every operation a model's
//! table has: created with its indexes, stream and TTL, checked for drift,
//! described, brought in line with its declaration, deleted.

use dynamorm::prelude::*;
use dynamorm::schema::TableChange;

use crate::support::common;

#[derive(DynaTable)]
#[dynamo(
    table = "shared",
    billing = "on_demand",
    hash_key = "pk",
    range_key = "sk",
    ttl = "expires",
    stream = "new_and_old_images",
    entity_attribute = "type"
)]
#[dynamo(global_index(
    name = "gsi1",
    hash_key = "gsi1pk",
    range_key = "gsi1sk",
    range_key_type = "N",
    projection = "keys_only"
))]
#[dynamo(local_index(name = "lsi1", range_key = "lsi1sk", projection = "all"))]
struct Shared;

/// The same table name, keyed differently.
#[derive(DynaTable)]
#[dynamo(
    table = "shared",
    billing = "on_demand",
    hash_key = "pk",
    hash_key_type = "N"
)]
struct Drifted;

/// The same table with one more global index.
#[derive(DynaTable)]
#[dynamo(
    table = "shared",
    billing = "on_demand",
    hash_key = "pk",
    range_key = "sk",
    ttl = "expires",
    stream = "new_and_old_images",
    entity_attribute = "type"
)]
#[dynamo(global_index(
    name = "gsi1",
    hash_key = "gsi1pk",
    range_key = "gsi1sk",
    range_key_type = "N",
    projection = "keys_only"
))]
#[dynamo(global_index(name = "gsi2", hash_key = "gsi2pk", projection = "all"))]
#[dynamo(local_index(name = "lsi1", range_key = "lsi1sk", projection = "all"))]
struct Grown;

#[tokio::test]
async fn a_shared_table_is_created_checked_described_updated_and_deleted() {
    let db = common::db().await;
    let table = Shared::table(&db);
    assert!(!table.exists().await.unwrap());
    assert!(table.create_if_not_exists().await.unwrap());
    assert!(!table.create_if_not_exists().await.unwrap(), "no drift");
    assert!(table.exists().await.unwrap());
    assert_eq!(Shared::ENTITY_ATTRIBUTE, "type");

    let described = table.describe().await.unwrap();
    let keys: Vec<(&str, &str)> = described
        .key_schema()
        .iter()
        .map(|k| (k.attribute_name(), k.key_type().as_str()))
        .collect();
    assert_eq!(keys, [("pk", "HASH"), ("sk", "RANGE")]);
    let gsi = described.global_secondary_indexes();
    assert_eq!(gsi.len(), 1);
    assert_eq!(gsi[0].index_name(), Some("gsi1"));
    let gsi1sk = described
        .attribute_definitions()
        .iter()
        .find(|a| a.attribute_name() == "gsi1sk")
        .map(|a| a.attribute_type().as_str());
    assert_eq!(gsi1sk, Some("N"));
    assert_eq!(described.local_secondary_indexes().len(), 1);
    assert_eq!(table.ttl().await.unwrap().as_deref(), Some("expires"));
    assert!(described
        .stream_specification()
        .is_some_and(|s| s.stream_enabled()));
    assert_eq!(table.plan().await.unwrap(), []);

    // A declaration with another key is drift no update can fix.
    let err = Drifted::table(&db)
        .create_if_not_exists()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SchemaMismatch { .. }), "{err:?}");
    assert!(matches!(
        Drifted::table(&db).plan().await,
        Err(Error::SchemaMismatch { .. })
    ));

    // One more global index: planned, then added.
    let plan = Grown::table(&db).plan().await.unwrap();
    assert!(
        matches!(plan.as_slice(), [TableChange::CreateIndex { name }] if name == "gsi2"),
        "{plan:?}"
    );
    let made = Grown::table(&db).update().await.unwrap();
    assert_eq!(made, plan);
    assert_eq!(Grown::table(&db).plan().await.unwrap(), []);

    table.delete().await.unwrap();
    assert!(!table.exists().await.unwrap());
}
