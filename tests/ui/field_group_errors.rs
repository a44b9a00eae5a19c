use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

// A field group holds plain fields: no table options, keys or roles.
#[derive(Serialize, Deserialize, DynaFields)]
#[dynamo(table = "audit")]
struct Audit {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(version)]
    version: u64,
}

// A flattened field must be a group.
#[derive(Serialize, Deserialize)]
struct NotAGroup {
    x: String,
}

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    #[serde(flatten)]
    extra: NotAGroup,
}

fn main() {}
