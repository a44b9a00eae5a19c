use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things")]
#[dynamo(global_index(name = "by-name", hash_key = "name", projection = "everything"))]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    name: String,
}

fn main() {}
