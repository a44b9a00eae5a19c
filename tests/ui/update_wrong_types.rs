use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

// Update values are checked against the field at compile time.
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    name: String,
    count: i64,
    tags: Vec<String>,
}

async fn bad(db: &Db) {
    // a string added to a number field
    let _ = Thing::update(db, "t1").add(Thing::COUNT, "one");
    // remove of a field that is not an Option
    let _ = Thing::update(db, "t1").remove(Thing::NAME);
    // append to a field that is not a list
    let _ = Thing::update(db, "t1").append(Thing::NAME, ["x"]);
    // plus on a string field
    let _ = Thing::update(db, "t1").plus(Thing::NAME, 1);
    // a list element of the wrong type
    let _ = Thing::update(db, "t1").append(Thing::TAGS, [1, 2]);
    // set of the wrong type
    let _ = Thing::update(db, "t1").set(Thing::COUNT, "x");
}

fn main() {
    let _ = bad;
}
