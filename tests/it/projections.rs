//! Projections of nested paths: `#[derive(DynaProjection)]` reads a few of a
//! model's attributes, nested ones included (`child.sub`, `things[0]`); a
//! get, query, scan, index query or batch get with `.project::<P>()` requests
//! exactly those paths (and the keys, so page cursors keep working) and
//! decodes each item into `P`.

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::operation::query::QueryInput;
use aws_sdk_dynamodb::operation::scan::ScanInput;
use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

use crate::support::common;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Child {
    sub: String,
    n: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "things", billing = "on_demand")]
#[dynamo(global_index(
    name = "by-color",
    hash_key = "color",
    range_key = "rank",
    projection = "all"
))]
struct Thing {
    #[dynamo(hash_key)]
    group: String,
    #[dynamo(range_key)]
    rank: u32,
    color: String,
    name: Option<String>,
    child: Child,
    things: Vec<String>,
    secret: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, DynaProjection)]
#[dynamo(of = Thing)]
struct ThingCard {
    rank: u32,
    name: Option<String>,
    #[dynamo(path = "child.sub")]
    sub: Option<String>,
    #[dynamo(path = "things[1]")]
    second: Option<String>,
}

fn thing(rank: u32) -> Thing {
    Thing {
        group: "g".into(),
        rank,
        color: if rank.is_multiple_of(2) {
            "red"
        } else {
            "blue"
        }
        .into(),
        name: (rank != 3).then(|| format!("thing {rank}")),
        child: Child {
            sub: format!("sub {rank}"),
            n: rank.into(),
        },
        things: vec!["a".into(), format!("b{rank}")],
        secret: "never read".into(),
    }
}

fn card(rank: u32) -> ThingCard {
    ThingCard {
        rank,
        name: (rank != 3).then(|| format!("thing {rank}")),
        sub: Some(format!("sub {rank}")),
        second: Some(format!("b{rank}")),
    }
}

/// Keeps the ProjectionExpression of every Query and Scan sent.
#[derive(Debug, Clone, Default)]
struct Projections(Arc<Mutex<Vec<Option<String>>>>);

impl Projections {
    /// `db` through a client that keeps the projections it sends.
    fn watching(db: &Db) -> (Db, Projections) {
        let seen = Projections::default();
        let config = db
            .client()
            .config()
            .to_builder()
            .interceptor(seen.clone())
            .build();
        let watched = Db::from_client(aws_sdk_dynamodb::Client::from_conf(config))
            .with_table_prefix(db.table_prefix());
        (watched, seen)
    }
}

impl Intercept for Projections {
    fn name(&self) -> &'static str {
        "Projections"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let input = context.input();
        let (projection, names) = if let Some(q) = input.downcast_ref::<QueryInput>() {
            (
                q.projection_expression.clone(),
                q.expression_attribute_names.clone(),
            )
        } else if let Some(s) = input.downcast_ref::<ScanInput>() {
            (
                s.projection_expression.clone(),
                s.expression_attribute_names.clone(),
            )
        } else {
            return Ok(());
        };
        // Placeholders spelled out: `#n0.#n1` as `child.sub`.
        let spelled = projection.map(|p| {
            let mut names: Vec<(String, String)> = names.unwrap_or_default().into_iter().collect();
            names.sort_by_key(|(placeholder, _)| std::cmp::Reverse(placeholder.len()));
            names
                .into_iter()
                .fold(p, |p, (placeholder, name)| p.replace(&placeholder, &name))
        });
        self.0.lock().unwrap().push(spelled);
        Ok(())
    }
}

#[tokio::test]
async fn a_projection_reads_exactly_its_paths_and_pages_through_them() {
    let db = common::db().await;
    Thing::table(&db).create().await.unwrap();
    Thing::put_batch(&db, (0..7).map(thing).collect::<Vec<_>>())
        .await
        .unwrap();
    let (watched, seen) = Projections::watching(&db);

    let cards = Thing::query(&watched, "g")
        .project::<ThingCard>()
        .all()
        .await
        .unwrap();
    assert_eq!(cards, (0..7).map(card).collect::<Vec<_>>());
    let requested = seen.0.lock().unwrap()[0].clone().unwrap();
    let mut paths: Vec<&str> = requested.split(", ").collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        ["child.sub", "group", "name", "rank", "things[1]"],
        "the projection's paths and the keys, nothing else"
    );

    // Pages keep their cursors through the projection.
    let first = Thing::query(&db, "g")
        .project::<ThingCard>()
        .limit(3)
        .page(None)
        .await
        .unwrap();
    let rest = Thing::query(&db, "g")
        .project::<ThingCard>()
        .page(first.next.clone())
        .await
        .unwrap();
    assert_eq!(first.items.len() + rest.items.len(), 7);
    assert_eq!(rest.items[0], card(3));

    // A scan, an index query and a batch get.
    let mut scanned = Thing::scan(&db).project::<ThingCard>().all().await.unwrap();
    scanned.sort_by_key(|c| c.rank);
    assert_eq!(scanned, (0..7).map(card).collect::<Vec<_>>());
    let red = Thing::BY_COLOR
        .query(&db, "red")
        .project::<ThingCard>()
        .all()
        .await
        .unwrap();
    assert_eq!(red, [card(0), card(2), card(4), card(6)]);
    let found = Thing::get_batch(&db, [("g", 1u32), ("g", 5u32)])
        .project::<ThingCard>()
        .await
        .unwrap();
    assert_eq!(found, [card(1), card(5)]);
    let one = Thing::get(&db, ("g", 2u32))
        .project::<ThingCard>()
        .consistent()
        .await
        .unwrap();
    assert_eq!(one, Some(card(2)));
    let none = Thing::get(&db, ("g", 99u32))
        .project::<ThingCard>()
        .await
        .unwrap();
    assert_eq!(none, None);
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "people", billing = "on_demand")]
#[serde(rename_all = "camelCase")]
struct Person {
    #[dynamo(hash_key)]
    person_id: String,
    first_name: String,
    #[serde(rename = "home")]
    address: Address,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Address {
    city: String,
}

/// Reads the attributes under the names serde gives them, as the model does.
#[derive(Debug, PartialEq, Deserialize, DynaProjection)]
#[dynamo(of = Person)]
#[serde(rename_all = "camelCase")]
struct PersonCard {
    first_name: String,
    #[dynamo(path = "home.city")]
    city: Option<String>,
    #[serde(rename = "personId")]
    id: String,
}

#[tokio::test]
async fn a_projection_reads_renamed_attributes_by_their_stored_names() {
    let db = common::db().await;
    Person::table(&db).create().await.unwrap();
    Person {
        person_id: "p1".into(),
        first_name: "Ada".into(),
        address: Address {
            city: "London".into(),
        },
    }
    .save(&db)
    .await
    .unwrap();
    let card = Person::get(&db, "p1")
        .project::<PersonCard>()
        .await
        .unwrap();
    assert_eq!(
        card,
        Some(PersonCard {
            first_name: "Ada".into(),
            city: Some("London".into()),
            id: "p1".into(),
        })
    );
}

#[derive(DynaTable)]
#[dynamo(
    table = "cards-app",
    billing = "on_demand",
    hash_key = "pk",
    range_key = "sk"
)]
struct CardsApp;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = CardsApp, entity = "user", key(hash = "USER#{id}", range = "PROFILE"))]
struct Member {
    id: String,
    name: String,
    bio: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = CardsApp, entity = "order", key(hash = "USER#{user_id}", range = "ORDER#{n:04}"))]
struct Purchase {
    user_id: String,
    n: u32,
    total: i64,
    lines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, DynaProjection)]
#[dynamo(of = Member)]
struct MemberCard {
    name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, DynaProjection)]
#[dynamo(of = Purchase)]
struct PurchaseCard {
    n: u32,
    total: i64,
    #[dynamo(path = "lines[0]")]
    first_line: Option<String>,
}

/// A collection of projections: each item read as its entity's projection.
#[derive(Debug, Clone, PartialEq, DynaCollection)]
#[dynamo(table = CardsApp)]
enum Cards {
    Member(MemberCard),
    Purchase(PurchaseCard),
}

/// The same entities, read whole.
#[derive(Debug, Clone, PartialEq, DynaCollection)]
#[dynamo(table = CardsApp)]
enum Everything {
    Member(Member),
    Purchase(Purchase),
}

#[tokio::test]
async fn a_collection_of_projections_reads_only_their_paths() {
    let db = common::db().await;
    CardsApp::table(&db).create().await.unwrap();
    Member {
        id: "u1".into(),
        name: "Ada".into(),
        bio: "long".repeat(100),
    }
    .save(&db)
    .await
    .unwrap();
    for n in 0..3 {
        Purchase {
            user_id: "u1".into(),
            n,
            total: i64::from(n) * 10,
            lines: vec![format!("line {n}"), "more".into()],
        }
        .save(&db)
        .await
        .unwrap();
    }
    let (watched, seen) = Projections::watching(&db);
    let cards = Cards::query(&watched, "u1").all().await.unwrap();
    let purchase = |n: u32| {
        Cards::Purchase(PurchaseCard {
            n,
            total: i64::from(n) * 10,
            first_line: Some(format!("line {n}")),
        })
    };
    assert_eq!(
        cards,
        [
            purchase(0),
            purchase(1),
            purchase(2),
            Cards::Member(MemberCard { name: "Ada".into() })
        ]
    );
    let requested = seen.0.lock().unwrap()[0].clone().unwrap();
    let mut paths: Vec<&str> = requested.split(", ").collect();
    paths.sort_unstable();
    assert_eq!(paths, ["_et", "lines[0]", "n", "name", "pk", "sk", "total"]);

    // A collection of whole entities reads into the projections too.
    let projected = Everything::query(&watched, "u1")
        .project::<Cards>()
        .all()
        .await
        .unwrap();
    assert_eq!(projected, cards);
    let requested = seen.0.lock().unwrap()[1].clone().unwrap();
    assert!(!requested.contains("bio"), "{requested}");
    let mut scanned = Everything::scan(&db)
        .project::<Cards>()
        .all()
        .await
        .unwrap();
    scanned.sort_by_key(|c| matches!(c, Cards::Member(_)));
    assert_eq!(scanned.len(), 4);

    // Pages and scans of the collection keep working.
    let first = Cards::query(&db, "u1").limit(2).page(None).await.unwrap();
    let rest = Cards::query(&db, "u1").page(first.next).await.unwrap();
    assert_eq!(first.items.len() + rest.items.len(), 4);
    assert_eq!(Cards::scan(&db).all().await.unwrap().len(), 4);
}
