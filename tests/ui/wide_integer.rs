use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

// 128-bit integers do not fit DynamoDB's 38 significant digits, and
// serde_dynamo cannot store them: refused at compile time, naming the field.
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    big: i128,
    many: Option<Vec<u128>>,
}

fn main() {}
