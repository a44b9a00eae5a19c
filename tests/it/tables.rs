//! Table management: create (key schema, billing, stream), exists, describe,
//! create_if_not_exists, delete, and table prefixes; what
//! create_if_not_exists reports when the table differs from the model (keys,
//! index kinds, projections); attribute types for key types the derive
//! cannot see into.

use aws_sdk_dynamodb::types::{
    AttributeValue, BillingMode, KeyType, ScalarAttributeType, StreamViewType, TableStatus,
};
use dynamorm::model::KeyPart;
use dynamorm::prelude::*;
use dynamorm::schema::ScalarType;
use serde::{Deserialize, Serialize};

use crate::support::common;

#[derive(Debug, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "gadgets", read = 5, write = 3, stream = "new_and_old_images")]
struct Gadget {
    #[dynamo(hash_key)]
    id: String,
}

#[derive(Debug, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "readings", billing = "on_demand")]
#[serde(rename_all = "camelCase")]
struct Reading {
    #[dynamo(hash_key)]
    sensor_id: u64,
    #[dynamo(range_key)]
    taken_at: i64,
    #[serde(rename = "v")]
    value: f64,
    raw: Option<Vec<u8>>,
}

#[derive(Debug, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "blobs")]
struct Blob {
    #[dynamo(hash_key)]
    digest: Vec<u8>,
    #[dynamo(range_key)]
    part: String,
}

#[tokio::test]
async fn create_waits_active_with_declared_keys_and_throughput() {
    let db = common::db().await;
    let table = Gadget::table(&db);
    assert!(!table.exists().await.unwrap());
    let created = table.create().await.unwrap();
    assert_eq!(created.table_status(), Some(&TableStatus::Active));
    let d = table.describe().await.unwrap();
    assert_eq!(d.table_name(), Some(table.name().as_str()));
    assert!(table.name().starts_with(db.table_prefix()));
    assert!(table.name().ends_with("gadgets"));
    let keys = d.key_schema();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].attribute_name(), "id");
    assert_eq!(keys[0].key_type(), &KeyType::Hash);
    assert_eq!(
        d.attribute_definitions()[0].attribute_type(),
        &ScalarAttributeType::S
    );
    let throughput = d.provisioned_throughput().expect("provisioned");
    assert_eq!(throughput.read_capacity_units(), Some(5));
    assert_eq!(throughput.write_capacity_units(), Some(3));
    let stream = d.stream_specification().expect("stream");
    assert!(stream.stream_enabled());
    assert_eq!(
        stream.stream_view_type(),
        Some(&StreamViewType::NewAndOldImages)
    );
    assert!(table.exists().await.unwrap());
}

#[tokio::test]
async fn key_types_and_renames_come_from_the_model() {
    let db = common::db().await;
    let d = Reading::table(&db).create().await.unwrap();
    let mut keys: Vec<_> = d
        .key_schema()
        .iter()
        .map(|k| (k.attribute_name().to_owned(), k.key_type().clone()))
        .collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        keys,
        vec![
            ("sensorId".to_owned(), KeyType::Hash),
            ("takenAt".to_owned(), KeyType::Range)
        ]
    );
    for def in d.attribute_definitions() {
        assert_eq!(def.attribute_type(), &ScalarAttributeType::N, "{def:?}");
    }
    if let Some(billing) = d.billing_mode_summary() {
        assert_eq!(billing.billing_mode(), Some(&BillingMode::PayPerRequest));
    }
    let r = Reading {
        sensor_id: 7,
        taken_at: -3,
        value: 1.5,
        raw: Some(vec![0, 255]),
    };
    r.save(&db).await.unwrap();
    let got = Reading::get(&db, (7u64, -3i64)).await.unwrap().unwrap();
    assert_eq!(got.value, 1.5);
    assert_eq!(got.raw, Some(vec![0, 255]));
    let raw = db
        .client()
        .get_item()
        .table_name(Reading::table(&db).name())
        .key("sensorId", dynamorm::AttributeValue::N("7".into()))
        .key("takenAt", dynamorm::AttributeValue::N("-3".into()))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert!(raw.contains_key("v"), "{raw:?}");
    assert!(raw["raw"].is_b(), "{raw:?}");
}

#[tokio::test]
async fn binary_keys() {
    let db = common::db().await;
    let d = Blob::table(&db).create().await.unwrap();
    let hash = d
        .attribute_definitions()
        .iter()
        .find(|a| a.attribute_name() == "digest")
        .unwrap();
    assert_eq!(hash.attribute_type(), &ScalarAttributeType::B);
    Blob {
        digest: vec![1, 2, 3],
        part: "a".into(),
    }
    .save(&db)
    .await
    .unwrap();
    let got = Blob::get(&db, (vec![1u8, 2, 3], "a"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.digest, vec![1, 2, 3]);
}

#[tokio::test]
async fn create_twice_fails_and_create_if_not_exists_does_not() {
    let db = common::db().await;
    let table = Gadget::table(&db);
    assert!(table.create_if_not_exists().await.unwrap());
    assert!(!table.create_if_not_exists().await.unwrap());
    let err = table.create().await.unwrap_err();
    assert_eq!(err.code(), Some("ResourceInUseException"), "{err:?}");
    assert!(matches!(
        err,
        Error::Sdk {
            operation: "CreateTable",
            ..
        }
    ));
}

#[tokio::test]
async fn delete_waits_until_gone() {
    let db = common::db().await;
    let table = Gadget::table(&db);
    table.create().await.unwrap();
    table.delete().await.unwrap();
    assert!(!table.exists().await.unwrap());
    let err = table.describe().await.unwrap_err();
    assert!(err.is_not_found());
    let err = table.delete().await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

#[tokio::test]
async fn prefixes_separate_tables_on_one_engine() {
    let db = common::db().await;
    let dev = db.with_table_prefix(format!("{}dev-", db.table_prefix()));
    Gadget::table(&db).create().await.unwrap();
    assert!(!Gadget::table(&dev).exists().await.unwrap());
    Gadget::table(&dev).create().await.unwrap();
    Gadget { id: "g".into() }.save(&dev).await.unwrap();
    assert!(Gadget::get(&db, "g").await.unwrap().is_none());
    assert!(Gadget::get(&dev, "g").await.unwrap().is_some());
}

/// A model with no billing options (`Blob`) gets a provisioned 1/1 table:
/// dynamorm's documented default (Python DynamORM refuses to create it).
#[tokio::test]
async fn no_billing_options_means_provisioned_one_read_one_write() {
    assert_eq!(
        Blob::table_def().billing,
        dynamorm::schema::Billing::Provisioned { read: 1, write: 1 }
    );
    let db = common::db().await;
    let d = Blob::table(&db).create().await.unwrap();
    assert_ne!(
        d.billing_mode_summary().and_then(|b| b.billing_mode()),
        Some(&BillingMode::PayPerRequest)
    );
    let throughput = d.provisioned_throughput().expect("provisioned");
    assert_eq!(throughput.read_capacity_units(), Some(1));
    assert_eq!(throughput.write_capacity_units(), Some(1));
    // And `update()` finds nothing to change on it.
    assert!(Blob::table(&db).update().await.unwrap().is_empty());
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "drift", billing = "on_demand")]
struct DriftV1 {
    #[dynamo(hash_key)]
    id: String,
    color: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "drift", billing = "on_demand")]
struct DriftNumberKey {
    #[dynamo(hash_key)]
    id: u64,
    #[dynamo(range_key)]
    at: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "drift", billing = "on_demand")]
#[dynamo(global_index(name = "by-color", hash_key = "color", projection = "all"))]
struct DriftWithIndex {
    #[dynamo(hash_key)]
    id: String,
    color: Option<String>,
}

#[tokio::test]
async fn create_if_not_exists_reports_schema_drift() {
    let db = common::db().await;
    assert!(DriftV1::table(&db).create_if_not_exists().await.unwrap());
    assert!(
        !DriftV1::table(&db).create_if_not_exists().await.unwrap(),
        "same schema: fine"
    );

    let err = DriftNumberKey::table(&db)
        .create_if_not_exists()
        .await
        .unwrap_err();
    let Error::SchemaMismatch {
        model, differences, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*model, "DriftNumberKey");
    assert!(
        differences
            .iter()
            .any(|d| d.contains("hash key `id` is of type S, the model declares N")),
        "{differences:?}"
    );
    assert!(
        differences
            .iter()
            .any(|d| d.contains("no range key, the model declares `at`")),
        "{differences:?}"
    );

    let err = DriftWithIndex::table(&db)
        .create_if_not_exists()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("the global index `by-color` is missing"),
        "{err}"
    );
}

/// Index kinds and projections count as drift too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "drift-idx", billing = "on_demand")]
#[dynamo(global_index(
    name = "by-color",
    hash_key = "id",
    range_key = "color",
    projection = "keys_only"
))]
#[dynamo(global_index(name = "by-size", hash_key = "size", projection = "include(color)"))]
struct IndexedV1 {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(range_key)]
    at: u64,
    color: Option<String>,
    size: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "drift-idx", billing = "on_demand")]
#[dynamo(local_index(name = "by-color", range_key = "color", projection = "keys_only"))]
#[dynamo(global_index(
    name = "by-size",
    hash_key = "size",
    projection = "include(color, note)"
))]
struct IndexedLocal {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(range_key)]
    at: u64,
    color: Option<String>,
    size: Option<u32>,
    note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "drift-idx", billing = "on_demand")]
#[dynamo(global_index(
    name = "by-color",
    hash_key = "id",
    range_key = "color",
    projection = "all"
))]
struct IndexedAll {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(range_key)]
    at: u64,
    color: Option<String>,
}

#[tokio::test]
async fn index_kind_and_projection_drift_is_reported() {
    let db = common::db().await;
    assert!(IndexedV1::table(&db).create_if_not_exists().await.unwrap());
    let err = IndexedLocal::table(&db)
        .create_if_not_exists()
        .await
        .unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains("the local index `by-color` is missing"),
        "{shown}"
    );
    assert!(
        shown.contains("index `by-size` does not include note"),
        "{shown}"
    );
    let err = IndexedAll::table(&db)
        .create_if_not_exists()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("index `by-color` projects KEYS_ONLY, the model declares ALL"),
        "{err}"
    );
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
