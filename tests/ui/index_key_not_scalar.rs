use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things")]
#[dynamo(global_index(name = "by-tags", hash_key = "tags", projection = "all"))]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    tags: Vec<String>,
}

fn main() {}
