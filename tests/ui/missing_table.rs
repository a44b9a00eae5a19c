use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(billing = "on_demand")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
}

fn main() {}
