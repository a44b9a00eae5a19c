use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(range_key)]
    created: u64,
    #[dynamo(range_key)]
    updated: u64,
}

fn main() {}
