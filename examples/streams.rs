//! Change streams: save, update and delete a few things, then read the
//! table's stream back as typed changes — what happened to which item, its
//! old and new values, and which fields changed — and resume after a saved
//! position.
//!
//! ```text
//! cargo run --example streams
//! ```

use std::collections::HashSet;

use dynamorm::prelude::*;
use dynamorm::stream::{Change, ChangeKind, Position};
use futures::StreamExt;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things", billing = "on_demand", stream = "new_and_old_images")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    name: String,
    count: i64,
    #[serde(default)]
    tags: HashSet<String>,
}

fn describe(change: &Change<Thing>) -> String {
    match change.kind {
        ChangeKind::Insert => format!("{} inserted: {:?}", change.key, change.new),
        ChangeKind::Modify => format!(
            "{} modified: {:?} changed, count {:?} -> {:?}",
            change.key,
            change.changed_fields(),
            change.old.as_ref().map(|t| t.count),
            change.new.as_ref().map(|t| t.count),
        ),
        ChangeKind::Remove => format!("{} removed (was {:?})", change.key, change.old),
    }
}

#[tokio::main]
async fn main() -> dynamorm::Result<()> {
    let db = Db::embedded().await?;
    Thing::table(&db).create().await?; // the model's stream is enabled with the table

    for (id, name) in [("t1", "One"), ("t2", "Two")] {
        Thing {
            id: id.into(),
            name: name.into(),
            count: 0,
            tags: HashSet::new(),
        }
        .save(&db)
        .await?;
    }
    Thing::update(&db, "t1").add(Thing::COUNT, 5).await?;
    Thing::update(&db, "t1")
        .add(Thing::TAGS, HashSet::from(["new".to_owned()]))
        .await?;
    Thing::delete(&db, "t2").await?;

    // Every change so far, in order per item; the stream ends once it has
    // caught up (without `until_now` it waits for new records).
    let mut changes = Thing::table(&db)
        .changes()
        .from_start()
        .until_now()
        .stream();
    let mut last: Option<Position> = None;
    while let Some(change) = changes.next().await {
        let change = change?;
        println!("{}", describe(&change));
        last = Some(change.position());
    }

    // Persist the position (it is text), write more, resume after it.
    let saved = last.expect("changes were read").to_string();
    println!("saved position: {saved}");
    Thing::update(&db, "t1").set(Thing::NAME, "Uno").await?;
    let resume: Position = saved.parse().expect("a position");
    let mut rest = Thing::table(&db)
        .changes()
        .after(&resume)
        .until_now()
        .stream();
    while let Some(change) = rest.next().await {
        println!("after the saved position: {}", describe(&change?));
    }
    Ok(())
}
