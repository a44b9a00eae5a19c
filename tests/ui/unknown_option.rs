use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things", colour = 1)]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
}

fn main() {}
