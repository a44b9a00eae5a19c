//! Every write operation on one model, in turn, each building on what the
//! one before stored: an update using each action under a condition, an
//! instance update, batches larger than one request, and a write
//! transaction of each action kind with an idempotency token.

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

use crate::support::common;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Color {
    Red,
    Blue,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things", billing = "on_demand")]
pub struct Thing {
    #[dynamo(hash_key)]
    pub id: String,
    pub name: Option<String>,
    pub color: Option<Color>,
    #[serde(default)]
    pub count: i64,
    #[serde(default)]
    pub tags: Vec<String>,
    pub seen: Option<i64>,
}

fn thing(id: &str) -> Thing {
    Thing {
        id: id.into(),
        name: Some(id.into()),
        color: Some(Color::Red),
        count: 0,
        tags: Vec::new(),
        seen: None,
    }
}

#[tokio::test]
async fn every_write_operation_applies_in_turn_on_one_model() -> dynamorm::Result<()> {
    let db = common::db().await;
    Thing::table(&db).create().await?;
    thing("t1").save(&db).await?;

    let t2 = Thing::update(&db, "t1")
        .set(Thing::NAME, "x")
        .add(Thing::COUNT, 1)
        .remove(Thing::COLOR)
        .append(Thing::TAGS, vec!["a"])
        .set_if_not_exists(Thing::SEEN, 0)
        .when(Thing::COUNT.lt(10))
        .await?;
    assert_eq!(
        (
            t2.name.as_deref(),
            t2.count,
            t2.color,
            t2.tags.clone(),
            t2.seen
        ),
        (Some("x"), 1, None, vec!["a".to_owned()], Some(0))
    );
    let mut thing1 = t2;
    thing1.update(&db).set(Thing::NAME, "y").await?;
    assert_eq!(thing1.name.as_deref(), Some("y"));

    let things: Vec<Thing> = (0..60).map(|i| thing(&format!("b{i}"))).collect();
    Thing::put_batch(&db, things).await?;
    let keys: Vec<String> = (0..60).map(|i| format!("b{i}")).collect();
    let found: Vec<Thing> = Thing::get_batch(&db, keys.clone()).await?;
    assert_eq!(found.len(), 60);
    Thing::delete_batch(&db, keys).await?;
    assert_eq!(Thing::scan(&db).count().await?, 1);

    thing("t2").save(&db).await?;
    thing("t3").save(&db).await?;
    let a = thing("a");
    db.transact_write()
        .put(&a)
        .update(Thing::update_op("t1").add(Thing::COUNT, 1))
        .delete::<Thing>("t2")
        .check::<Thing>("t3", Thing::NAME.exists())
        .token(
            format!("{}idem", db.table_prefix())
                .chars()
                .take(36)
                .collect::<String>(),
        )
        .await?;
    assert_eq!(Thing::get(&db, "t1").await?.map(|t| t.count), Some(2));
    assert_eq!(Thing::get(&db, "t2").await?, None);
    assert_eq!(Thing::get(&db, "a").await?, Some(a));
    Ok(())
}
