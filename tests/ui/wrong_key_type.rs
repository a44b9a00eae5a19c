use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
}

async fn f(db: &Db) {
    let _ = Thing::get(db, 5).await;
}

fn main() {}
