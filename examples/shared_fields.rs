//! Shared field groups (DynamORM's schema parents and mixins): one struct of
//! common fields, flattened into several models.
//!
//! ```text
//! cargo run --example shared_fields
//! ```

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Fields every audited model carries. `AuditFields` (generated) gives each
/// model that includes it typed handles: `Post::AUTHOR`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaFields)]
pub struct Audit {
    author: String,
    revision: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "posts", billing = "on_demand")]
struct Post {
    #[dynamo(hash_key)]
    id: String,
    title: String,
    #[serde(flatten)]
    audit: Audit,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "comments", billing = "on_demand")]
struct Comment {
    #[dynamo(hash_key)]
    id: String,
    text: String,
    #[serde(flatten)]
    audit: Audit,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = Db::embedded().await?;
    Post::table(&db).create().await?;
    Comment::table(&db).create().await?;

    let audit = |author: &str| Audit {
        author: author.into(),
        revision: 1,
    };
    Post {
        id: "p1".into(),
        title: "Hello".into(),
        audit: audit("ann"),
    }
    .save(&db)
    .await?;
    Comment {
        id: "c1".into(),
        text: "Nice".into(),
        audit: audit("bob"),
    }
    .save(&db)
    .await?;

    // The group's fields are the model's: typed handles, `__` terms, updates.
    use crate::AuditFields as _;
    let by_ann = Post::scan(&db).filter(Post::AUTHOR.eq("ann")).all().await?;
    println!("posts by ann: {}", by_ann.len());
    let by_bob = Comment::scan_kw(&db, [("author", json!("bob"))])
        .all()
        .await?;
    println!("comments by bob: {}", by_bob.len());
    let post = Post::update(&db, "p1").plus(Post::REVISION, 1).await?;
    println!("post revision: {}", post.audit.revision);
    Ok(())
}
