use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "my things!")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
}

fn main() {}
