//! Table sync (DynamORM's `Table.update_table()`): bring an existing table in
//! line with a model that grew, one change at a time.
//!
//! ```text
//! cargo run --example table_sync
//! ```

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

/// The model as first deployed.
#[derive(Debug, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "events", read = 1, write = 1)]
struct EventV1 {
    #[dynamo(hash_key)]
    id: String,
    kind: Option<String>,
    expires: Option<u64>,
}

/// The model now: more capacity, a stream, an index by kind, TTL.
#[derive(Debug, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "events", read = 5, write = 2, stream = "new_image")]
#[dynamo(global_index(name = "by-kind", hash_key = "kind", projection = "keys_only"))]
struct EventV2 {
    #[dynamo(hash_key)]
    id: String,
    kind: Option<String>,
    #[dynamo(ttl)]
    expires: Option<u64>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = Db::embedded().await?;
    EventV1::table(&db).create().await?;

    // What would change, then the changes themselves.
    for change in EventV2::table(&db).plan().await? {
        println!("planned: {change}");
    }
    let made = EventV2::table(&db).update().await?;
    println!("made {} changes", made.len());
    println!("TTL is on {:?}", EventV2::table(&db).ttl().await?);

    // In line now: nothing to do.
    assert!(EventV2::table(&db).update().await?.is_empty());
    println!("in line with the model");
    Ok(())
}
