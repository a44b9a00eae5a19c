//! Relationships, as DynamORM's relationship tests exercise them: one-to-one
//! (create, replace, delete, back reference), one-to-many (count, iteration,
//! filter, index-based back reference) and many-to-one — explicit, typed,
//! and with no state shared between instances.

use dynamorm::prelude::*;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};

use crate::support::common;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "users", billing = "on_demand")]
#[dynamo(has_one(name = "profile", model = "Profile", key = "user_id"))]
struct User {
    #[dynamo(hash_key)]
    id: String,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "profiles", billing = "on_demand")]
#[dynamo(belongs_to(name = "user", model = "User", key = "user_id"))]
struct Profile {
    #[dynamo(hash_key)]
    user_id: String,
    bio: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "customers", billing = "on_demand")]
#[dynamo(has_many(
    name = "orders",
    model = "Order",
    key = "customer_id",
    index = "by-customer"
))]
struct Customer {
    #[dynamo(hash_key)]
    id: String,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "orders", billing = "on_demand")]
#[dynamo(global_index(
    name = "by-customer",
    hash_key = "customer_id",
    range_key = "id",
    projection = "all"
))]
#[dynamo(belongs_to(name = "customer", model = "Customer", key = "customer_id"))]
struct Order {
    #[dynamo(hash_key)]
    id: String,
    customer_id: Option<String>,
    total: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "threads", billing = "on_demand")]
#[dynamo(has_many(name = "posts", model = "Post", key = "thread_id"))]
struct Thread {
    #[dynamo(hash_key)]
    id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "posts", billing = "on_demand")]
#[dynamo(belongs_to(name = "thread", model = "Thread", key = "thread_id"))]
struct Post {
    #[dynamo(hash_key)]
    thread_id: String,
    #[dynamo(range_key)]
    n: i64,
    body: String,
}

async fn tables() -> Db {
    let db = common::db().await;
    User::table(&db).create().await.unwrap();
    Profile::table(&db).create().await.unwrap();
    Customer::table(&db).create().await.unwrap();
    Order::table(&db).create().await.unwrap();
    Thread::table(&db).create().await.unwrap();
    Post::table(&db).create().await.unwrap();
    db
}

fn user(id: &str) -> User {
    User {
        id: id.into(),
        name: format!("user {id}"),
    }
}

fn profile(user_id: &str, bio: &str) -> Profile {
    Profile {
        user_id: user_id.into(),
        bio: bio.into(),
    }
}

#[tokio::test]
async fn one_to_one_create_replace_delete_and_back_reference() {
    let db = tables().await;
    let ann = user("ann");
    let bob = user("bob");
    // Saving a parent with its child is one transaction.
    ann.save_with(&db, &[profile("ann", "first")])
        .await
        .unwrap();
    bob.save_with(&db, &[profile("bob", "bob's")])
        .await
        .unwrap();
    assert_eq!(
        ann.profile(&db).await.unwrap(),
        Some(profile("ann", "first"))
    );
    // No state shared between instances: each parent sees its own child.
    assert_eq!(
        bob.profile(&db).await.unwrap(),
        Some(profile("bob", "bob's"))
    );

    // Replace.
    profile("ann", "second").save(&db).await.unwrap();
    assert_eq!(
        ann.profile(&db).await.unwrap().map(|p| p.bio),
        Some("second".to_owned())
    );
    // Back reference.
    let p = ann.profile(&db).await.unwrap().unwrap();
    assert_eq!(p.user(&db).await.unwrap(), Some(ann.clone()));
    // Delete.
    p.delete(&db).await.unwrap();
    assert_eq!(ann.profile(&db).await.unwrap(), None);
    assert!(bob.profile(&db).await.unwrap().is_some());
    // A child whose parent is gone.
    User::delete(&db, "bob").await.unwrap();
    let orphan = profile("bob", "bob's");
    assert_eq!(orphan.user(&db).await.unwrap(), None);

    // A transaction that fails writes neither parent nor child.
    let err = user("cid")
        .save_with(&db, &[profile("cid", "x")])
        .check::<User>("ann", User::NAME.eq("someone else"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TransactionCanceled { .. }), "{err:?}");
    assert_eq!(User::get(&db, "cid").await.unwrap(), None);
    assert_eq!(Profile::get(&db, "cid").await.unwrap(), None);
}

fn order(id: &str, customer: Option<&str>, total: i64) -> Order {
    Order {
        id: id.into(),
        customer_id: customer.map(Into::into),
        total,
    }
}

#[tokio::test]
async fn one_to_many_count_iterate_filter_and_back_reference_through_an_index() {
    let db = tables().await;
    let acme = Customer {
        id: "acme".into(),
        name: "Acme".into(),
    };
    let orders = [
        order("o1", Some("acme"), 5),
        order("o2", Some("acme"), 15),
        order("o3", Some("acme"), 25),
    ];
    acme.save_with(&db, &orders).await.unwrap();
    order("o4", Some("other"), 99).save(&db).await.unwrap();
    order("o5", None, 1).save(&db).await.unwrap();

    assert_eq!(acme.orders(&db).count().await.unwrap(), 3);
    let all = acme.orders(&db).all().await.unwrap();
    assert_eq!(all, orders);
    let streamed: Vec<Order> = acme.orders(&db).stream().try_collect().await.unwrap();
    assert_eq!(streamed.len(), 3);
    let big = acme
        .orders(&db)
        .filter(Order::TOTAL.gt(10))
        .all()
        .await
        .unwrap();
    assert_eq!(
        big.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        ["o2", "o3"]
    );
    let page = acme.orders(&db).page_size(2).page(None).await.unwrap();
    assert_eq!(page.items.len(), 2);
    assert!(page.next.is_some());

    // Many-to-one back references.
    for o in &all {
        assert_eq!(o.customer(&db).await.unwrap(), Some(acme.clone()));
    }
    assert_eq!(
        order("o4", Some("other"), 99).customer(&db).await.unwrap(),
        None
    );
    assert_eq!(order("o5", None, 1).customer(&db).await.unwrap(), None);

    // Another customer sees only its own orders.
    let other = Customer {
        id: "other".into(),
        name: "Other".into(),
    };
    assert_eq!(other.orders(&db).count().await.unwrap(), 1);
}

#[tokio::test]
async fn one_to_many_through_the_hash_key_and_many_to_one() {
    let db = tables().await;
    let thread = Thread { id: "t".into() };
    let posts: Vec<Post> = (1..=4)
        .map(|n| Post {
            thread_id: "t".into(),
            n,
            body: format!("post {n}"),
        })
        .collect();
    thread.save_with(&db, &posts).await.unwrap();
    assert_eq!(thread.posts(&db).count().await.unwrap(), 4);
    let later = thread
        .posts(&db)
        .range(Post::N.gt(2))
        .reverse()
        .all()
        .await
        .unwrap();
    assert_eq!(later.iter().map(|p| p.n).collect::<Vec<_>>(), [4, 3]);
    assert_eq!(posts[0].thread(&db).await.unwrap(), Some(thread.clone()));
}
