use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

// Every mistake is reported at once, each at its own token.
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(stream = "everything")]
struct Thing {
    #[dynamo(hash_key)]
    id: Option<String>,
    #[dynamo(hash_key)]
    other: String,
}

fn main() {}
