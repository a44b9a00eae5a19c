use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things", billing = "pay_per_request")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
}

fn main() {}
