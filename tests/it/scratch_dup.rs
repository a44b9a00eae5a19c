use crate::common;
use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "dups", billing = "on_demand")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    tags: HashSet<String>,
}

#[tokio::test]
async fn scratch_duplicate_set_elements() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    Thing {
        id: "t".into(),
        tags: ["a".to_owned()].into(),
    }
    .save(&db)
    .await
    .unwrap();
    let r = Thing::update(&db, "t").add(Thing::TAGS, ["b", "b"]).await;
    eprintln!("ADD: {r:?}");
    let r = Thing::update(&db, "t")
        .delete(Thing::TAGS, ["a", "a"])
        .await;
    eprintln!("DELETE: {r:?}");
    let r = Thing::update(&db, "t")
        .set(Thing::TAGS, vec!["c", "c"])
        .await;
    eprintln!("SET: {r:?}");
    let r = Thing::update(&db, "t")
        .set_if_not_exists(Thing::TAGS, vec!["c", "c"])
        .await;
    eprintln!("SET_IF_NOT_EXISTS: {r:?}");
    let r = db
        .transact_write()
        .update(Thing::update_op("t").add(Thing::TAGS, ["d", "d"]))
        .await;
    eprintln!("TX ADD: {r:?}");
    let r = Thing::scan(&db)
        .filter(Thing::TAGS.contains("a"))
        .all()
        .await;
    eprintln!("after: {r:?}");
}
