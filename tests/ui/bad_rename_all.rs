use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, DynaModel)]
#[serde(rename_all = "Title Case")]
#[dynamo(table = "things")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
}

fn main() {}
