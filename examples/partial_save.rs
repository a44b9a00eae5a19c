//! Partial saves (DynamORM's `save(partial=True)`): write only what changed.
//!
//! ```text
//! cargo run --example partial_save
//! ```

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "profiles", billing = "on_demand")]
struct Profile {
    #[dynamo(hash_key)]
    id: String,
    name: String,
    bio: Option<String>,
    visits: i64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = Db::embedded().await?;
    Profile::table(&db).create().await?;
    Profile {
        id: "p1".into(),
        name: "Ann".into(),
        bio: Some("hi".into()),
        visits: 0,
    }
    .save(&db)
    .await?;

    // A tracked model remembers what was loaded.
    let mut profile = Profile::get(&db, "p1")
        .tracked()
        .await?
        .ok_or("p1 exists")?;

    // Meanwhile another writer counts a visit ...
    Profile::update(&db, "p1").plus(Profile::VISITS, 1).await?;

    // ... and our change of `name` does not undo it: only `name` is sent.
    profile.name = "Annie".into();
    println!("changed: {:?}", profile.changed_fields()?);
    profile.save_changes(&db).await?;
    let stored = Profile::get(&db, "p1").await?.ok_or("p1 exists")?;
    println!("stored: {stored:?}");
    assert_eq!((stored.name.as_str(), stored.visits), ("Annie", 1));

    // Nothing changed: nothing is sent.
    println!("saved again: {}", profile.save_changes(&db).await?);

    // Or compare with a copy kept by hand.
    let mut plain = stored.clone();
    plain.bio = None;
    plain.save_changes(&db, &stored).await?;
    println!(
        "bio removed: {:?}",
        Profile::get(&db, "p1").await?.map(|p| p.bio)
    );
    Ok(())
}
