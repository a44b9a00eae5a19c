use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things")]
#[dynamo(global_index(name = "by-color", hash_key = "color", projection = "all", handle = "BY COLOR"))]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    color: Option<String>,
}

fn main() {}
