use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things")]
#[dynamo(local_index(name = "by-name", range_key = "name", projection = "keys_only"))]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    name: String,
}

fn main() {}
