use chrono::{DateTime, Utc};
use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

// A field serde writes with its own functions takes whole values of its own
// type, encoded as it stores them; actions on a lone element or delta, whose
// encoding is unknown, do not compile.
#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "events")]
struct Event {
    #[dynamo(hash_key)]
    id: String,
    #[serde(with = "chrono::serde::ts_seconds")]
    at: DateTime<Utc>,
}

async fn bad(db: &Db) {
    // a number where the field holds a time (stored as a number)
    let _ = Event::AT.gt(1_700_000_000);
    // a delta added to it
    let _ = Event::update(db, "e1").add(Event::AT, 1);
    // arithmetic on it
    let _ = Event::update(db, "e1").plus(Event::AT, 1);
    // removing a field that is not an Option
    let _ = Event::update(db, "e1").remove(Event::AT);
}

fn main() {
    let _ = bad;
}
