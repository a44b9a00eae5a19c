//! Numbers as DynamoDB holds them: a value it cannot store (NaN, an
//! infinity, a magnitude out of its range) fails before anything is sent,
//! named by its path, wherever it appears (items, keys, conditions, key
//! conditions, cursors); and an item's size counts a number by its
//! significant digits, not by the characters serde writes.

use std::collections::HashMap;

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::support::common;
use crate::support::cursors::forged;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "samples", billing = "on_demand")]
struct Samples {
    #[dynamo(hash_key)]
    id: String,
    values: Vec<f64>,
}

#[tokio::test]
async fn numbers_count_by_significant_digits() {
    let db = common::db().await;
    Samples::table(&db).create().await.unwrap();
    // serde writes 1e-100 as 0.000…1 (102 characters); DynamoDB counts 2 bytes.
    let tiny = Samples {
        id: "tiny".into(),
        values: vec![1e-100; 8_000],
    };
    let item = dynamorm::codec::to_item(&tiny).unwrap();
    assert!(
        dynamorm::codec::item_size(&item) < 40_000,
        "{}",
        dynamorm::codec::item_size(&item)
    );
    tiny.save(&db).await.unwrap();
    assert_eq!(Samples::get(&db, "tiny").await.unwrap(), Some(tiny));
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "measures", billing = "on_demand")]
struct Measure {
    #[dynamo(hash_key)]
    id: String,
    value: f64,
    series: Vec<f64>,
    nested: HashMap<String, f64>,
}

#[tokio::test]
async fn numbers_dynamodb_cannot_store_fail_before_sending_naming_the_field() {
    let db = common::db().await;
    Measure::table(&db).create().await.unwrap();
    let ok = Measure {
        id: "m".into(),
        value: 1.5,
        series: vec![1e-129, 9.99e125],
        nested: HashMap::new(),
    };
    ok.save(&db).await.unwrap();
    let cases: Vec<(Measure, &str)> = vec![
        (
            Measure {
                value: f64::NAN,
                ..ok.clone()
            },
            "value",
        ),
        (
            Measure {
                value: f64::INFINITY,
                ..ok.clone()
            },
            "value",
        ),
        (
            Measure {
                value: f64::NEG_INFINITY,
                ..ok.clone()
            },
            "value",
        ),
        (
            Measure {
                series: vec![1.0, 1e300],
                ..ok.clone()
            },
            "series[1]",
        ),
        (
            Measure {
                series: vec![1e-200],
                ..ok.clone()
            },
            "series[0]",
        ),
        (
            Measure {
                nested: HashMap::from([("k".to_owned(), 1e127)]),
                ..ok.clone()
            },
            "nested.k",
        ),
    ];
    for (bad, path) in cases {
        let err = Measure {
            id: "bad".into(),
            ..bad
        }
        .save(&db)
        .await
        .unwrap_err();
        let Error::Codec {
            path: Some(p),
            table,
            ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(p, path, "{err}");
        assert_eq!(table, &Measure::table(&db).name());
        assert!(err.to_string().contains(path), "{err}");
    }
    assert_eq!(
        Measure::get(&db, "bad").await.unwrap(),
        None,
        "nothing written"
    );
    assert_eq!(Measure::get(&db, "m").await.unwrap(), Some(ok));
}

/// Numbers are checked wherever they are sent: keys, conditions, cursors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "readings", billing = "on_demand")]
struct Reading {
    #[dynamo(hash_key)]
    sensor: String,
    #[dynamo(range_key)]
    at: f64,
    value: f64,
}

#[tokio::test]
async fn numbers_in_keys_conditions_and_cursors_are_checked_before_sending() {
    let db = common::db().await;
    Reading::table(&db).create().await.unwrap();
    let (counted, requests) = common::counting(&db);
    let err = Reading::get(&counted, ("s1", f64::INFINITY))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Codec { path: Some(p), .. } if p == "at"),
        "{err:?}"
    );
    let err = Reading::delete(&counted, ("s1", f64::NAN))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Codec { path: Some(p), .. } if p == "at"),
        "{err:?}"
    );
    let err = Reading::query(&counted, "s1")
        .filter(Reading::VALUE.gt(f64::NAN))
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert!(err.to_string().contains("`value`"), "{err}");
    let err = Reading::query(&counted, "s1")
        .range(Reading::AT.lt(1e300))
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    let err = Reading::query(&counted, "s1")
        .page(forged(json!([["at", "N", "1e200"], ["sensor", "S", "s1"]])))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert_eq!(requests.get(), 0, "nothing was sent");
}
