use dynamorm::prelude::*;

// An unknown key type, a tag attribute that is a key attribute, a local
// index without a range key.
#[derive(DynaTable)]
#[dynamo(table = "app", hash_key = "pk", hash_key_type = "X", entity_attribute = "pk")]
#[dynamo(local_index(name = "lsi1", range_key = "lsk"))]
struct App;

fn main() {}
