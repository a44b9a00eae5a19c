//! DynamORM parity: indexes named like fields, `Index.scan(**kw)`, and
//! table names beyond a prefix.

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::support::common;

/// DynamORM's own test model declares GSIs named like the fields they are on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "parity-things", billing = "on_demand")]
#[dynamo(global_index(name = "bar", hash_key = "bar", projection = "all", handle = "BY_BAR"))]
#[dynamo(global_index(
    name = "baz",
    hash_key = "baz",
    range_key = "bar",
    projection = "keys_only",
    handle = "BY_BAZ"
))]
struct Thing {
    #[dynamo(hash_key)]
    foo: String,
    bar: Option<String>,
    baz: Option<String>,
    count: i64,
}

fn thing(key: &str, by_bar: &str, by_baz: &str, count: i64) -> Thing {
    Thing {
        foo: key.into(),
        bar: Some(by_bar.into()),
        baz: Some(by_baz.into()),
        count,
    }
}

#[tokio::test]
async fn indexes_named_like_fields_get_their_own_handles() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    let description = Thing::table(&db).describe().await.unwrap();
    let mut names: Vec<&str> = description
        .global_secondary_indexes()
        .iter()
        .filter_map(|i| i.index_name())
        .collect();
    names.sort();
    assert_eq!(names, ["bar", "baz"]);
    for t in [
        thing("a", "b1", "z", 1),
        thing("b", "b1", "z", 5),
        thing("c", "b2", "z", 9),
    ] {
        t.save(&db).await.unwrap();
    }
    // The field handle and the index handle live side by side.
    let b1 = Thing::BY_BAR
        .query(&db, "b1")
        .filter(Thing::COUNT.gt(2))
        .all()
        .await
        .unwrap();
    assert_eq!(b1, vec![thing("b", "b1", "z", 5)]);
    // DynamoDB filters only non-key attributes: refused before sending.
    let err = Thing::BY_BAR
        .query(&db, "b1")
        .filter(Thing::BAR.eq("b1"))
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
    assert!(err.to_string().contains("`bar`"), "{err}");
    assert_eq!(Thing::BY_BAZ.query(&db, "z").count().await.unwrap(), 3);
    assert_eq!(Thing::BY_BAR.def().unwrap().name, "bar");

    // DynamORM's Index.scan(**kw).
    let mut big = Thing::BY_BAR
        .scan_kw(&db, [("count__gte", json!(5))])
        .all()
        .await
        .unwrap();
    big.sort_by(|a, b| a.foo.cmp(&b.foo));
    assert_eq!(big.iter().map(|t| t.count).collect::<Vec<_>>(), [5, 9]);
    let err = Thing::BY_BAR
        .scan_kw(&db, [("colour", json!("red"))])
        .all()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery { .. }), "{err:?}");
}

#[tokio::test]
async fn table_names_beyond_a_prefix_reach_every_operation() {
    let base = common::db().await;
    let env = base.table_prefix().trim_end_matches('-').to_owned();
    let db = base.with_table_names(move |name| format!("{env}.{name}.v2"));
    let expected = format!(
        "{}.parity-things.v2",
        base.table_prefix().trim_end_matches('-')
    );
    assert_eq!(Thing::table(&db).name(), expected);
    Thing::table(&db).create().await.unwrap();
    let described = db
        .client()
        .describe_table()
        .table_name(&expected)
        .send()
        .await
        .unwrap();
    assert!(described.table().is_some(), "the table has the made name");

    thing("a", "b", "z", 1).save(&db).await.unwrap();
    Thing::put_batch(&db, [thing("b", "b", "z", 2), thing("c", "b", "z", 3)])
        .await
        .unwrap();
    db.transact_write()
        .update(Thing::update_op("a").plus(Thing::COUNT, 10))
        .delete::<Thing>("c")
        .await
        .unwrap();
    let found = Thing::get_batch(&db, ["a", "b", "c"]).await.unwrap();
    assert_eq!(found.iter().map(|t| t.count).collect::<Vec<_>>(), [11, 2]);
    assert_eq!(Thing::BY_BAR.query(&db, "b").count().await.unwrap(), 2);
    let raw = db
        .client()
        .scan()
        .table_name(&expected)
        .send()
        .await
        .unwrap();
    assert_eq!(raw.count(), 2, "everything went to the named table");

    // The suffix form, with a prefix.
    let suffixed = base.with_table_suffix("-blue");
    assert_eq!(
        Thing::table(&suffixed).name(),
        format!("{}parity-things-blue", base.table_prefix())
    );
    Thing::table(&suffixed).create().await.unwrap();
    thing("x", "b", "z", 1).save(&suffixed).await.unwrap();
    assert_eq!(Thing::scan(&suffixed).count().await.unwrap(), 1);
}
