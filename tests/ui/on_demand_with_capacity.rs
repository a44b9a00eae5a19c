use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things", billing = "on_demand", read = 5)]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
}

fn main() {}
