use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things", validate = "validators")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
}

fn main() {}
