use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things")]
#[dynamo(global_index(name = "name", hash_key = "name", projection = "all"))]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    name: String,
}

fn main() {}
