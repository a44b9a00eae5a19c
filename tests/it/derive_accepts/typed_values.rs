//! The happy-path counterparts of the compile-fail cases: these must compile.
use dynamorm::model::KeyPart;
use dynamorm::prelude::*;
use dynamorm::schema::ScalarType;
use dynamorm::AttributeValue;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
struct UserId(String);

impl KeyPart for UserId {
    const SCALAR: ScalarType = ScalarType::S;
    fn to_attr(&self) -> AttributeValue {
        AttributeValue::S(self.0.clone())
    }
}

impl From<&str> for UserId {
    fn from(s: &str) -> Self {
        UserId(s.to_owned())
    }
}

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(
    table = "things",
    billing = "provisioned",
    read = 5,
    write = 2,
    stream = "new_and_old_images"
)]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    #[dynamo(range_key)]
    created: u64,
    name: Option<String>,
    count: Option<i64>,
    tags: Vec<String>,
    blob: Vec<u8>,
}

#[derive(Serialize, Deserialize, DynaModel)]
#[dynamo(table = "users", billing = "on_demand")]
struct User {
    #[dynamo(hash_key)]
    id: UserId,
}

async fn f(db: &Db) {
    let _ = Thing::get(db, ("t1", 5u64)).await;
    let _ = Thing::get(db, (String::from("t1"), 5u32)).await;
    let _ = User::get(db, "u1").await;
    let _ = User::get(db, UserId("u1".into())).await;
}

#[test]
// Borrowed values are part of what must compile.
#[allow(clippy::needless_borrows_for_generic_args)]
fn typed_values_accept_their_own_kinds() {
    let _ = f;
    let _: Cond<Thing> = Thing::COUNT.gt(5)
        & Thing::COUNT.between(1u8, 2.5)
        & Thing::NAME.eq("x")
        & Thing::NAME.begins_with("x")
        & Thing::ID.begins_with(&String::from("t"))
        & Thing::BLOB.begins_with(vec![1u8])
        & Thing::TAGS.contains("a")
        & Thing::CREATED.lte(10i32);
}
