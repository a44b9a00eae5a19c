//! Criterion benchmarks: dynamorm against the raw SDK and serde_dynamo, all on
//! one embedded engine.
//!
//! ```text
//! cargo bench --bench operations             # everything (about a minute of measuring)
//! cargo bench --bench operations -- codec    # only the benchmarks whose id contains "codec"
//! cargo bench --bench operations -- --quick  # a fast smoke run
//! ```
//!
//! `put`, `get` and `query_100` go over loopback HTTP to the in-process
//! engine, so they measure the whole round trip (SDK, HTTP, emulator, SQLite)
//! and what dynamorm adds on top of it; `codec` is pure CPU and shows the
//! mapping cost alone.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};
use tokio::runtime::Runtime;

type Item = HashMap<String, AttributeValue>;

/// A small model: key, a string, a number and a map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "bench-things", billing = "on_demand")]
struct Thing {
    #[dynamo(hash_key)]
    id: String,
    name: String,
    count: i64,
    tags: HashMap<String, i64>,
}

/// A hash + range model for the query benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "bench-books", billing = "on_demand")]
struct Book {
    #[dynamo(hash_key)]
    publisher: String,
    #[dynamo(range_key)]
    isbn: String,
    title: String,
    year: i32,
}

const THING_ID: &str = "thing1";
const QUERY_HASH: &str = "h";
const QUERY_ITEMS: usize = 100;

fn thing() -> Thing {
    Thing {
        id: THING_ID.into(),
        name: "Thing One".into(),
        count: 42,
        tags: HashMap::from([("alpha".into(), 1), ("beta".into(), 2), ("gamma".into(), 3)]),
    }
}

/// The item `thing` is stored as, built by hand.
fn raw_item(thing: &Thing) -> Item {
    let tags = thing
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), AttributeValue::N(v.to_string())))
        .collect();
    HashMap::from([
        ("id".to_owned(), AttributeValue::S(thing.id.clone())),
        ("name".to_owned(), AttributeValue::S(thing.name.clone())),
        (
            "count".to_owned(),
            AttributeValue::N(thing.count.to_string()),
        ),
        ("tags".to_owned(), AttributeValue::M(tags)),
    ])
}

/// A `Thing` read back from an item by hand; `None` if any field is missing or mistyped.
fn raw_thing(mut item: Item) -> Option<Thing> {
    let AttributeValue::S(id) = item.remove("id")? else {
        return None;
    };
    let AttributeValue::S(name) = item.remove("name")? else {
        return None;
    };
    let AttributeValue::N(count) = item.remove("count")? else {
        return None;
    };
    let AttributeValue::M(tags) = item.remove("tags")? else {
        return None;
    };
    let tags = tags
        .into_iter()
        .map(|(k, v)| match v {
            AttributeValue::N(n) => n.parse().ok().map(|n| (k, n)),
            _ => None,
        })
        .collect::<Option<_>>()?;
    Some(Thing {
        id,
        name,
        count: count.parse().ok()?,
        tags,
    })
}

fn thing_key() -> Item {
    HashMap::from([("id".to_owned(), AttributeValue::S(THING_ID.into()))])
}

/// Every item under `hash`, page after page, with the raw SDK.
async fn raw_query(db: &Db, table: &str, hash: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let out = db
            .client()
            .query()
            .table_name(table)
            .key_condition_expression("#h = :h")
            .expression_attribute_names("#h", "publisher")
            .expression_attribute_values(":h", AttributeValue::S(hash.to_owned()))
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("raw query");
        items.extend(out.items.unwrap_or_default());
        match out.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => return items,
        }
    }
}

/// Creates the tables, seeds them and checks that every variant reads the same data.
async fn setup(db: &Db) -> (String, String, Vec<Item>) {
    Thing::table(db).create().await.expect("create things");
    Book::table(db).create().await.expect("create books");
    let things_table = Thing::table(db).name();
    let books_table = Book::table(db).name();

    thing().save(db).await.expect("seed thing");
    for i in 0..QUERY_ITEMS {
        Book {
            publisher: QUERY_HASH.into(),
            isbn: format!("isbn-{i:04}"),
            title: format!("Book number {i}"),
            year: 1900 + i as i32,
        }
        .save(db)
        .await
        .expect("seed book");
    }

    // The three ways of writing and reading agree, so they measure the same work.
    let expected = thing();
    let stored = db
        .client()
        .get_item()
        .table_name(&things_table)
        .set_key(Some(thing_key()))
        .send()
        .await
        .expect("get")
        .item
        .expect("seeded");
    assert_eq!(stored, raw_item(&expected));
    assert_eq!(
        stored,
        serde_dynamo::aws_sdk_dynamodb_1::to_item(&expected).expect("serde_dynamo")
    );
    assert_eq!(
        stored,
        dynamorm::codec::to_item(&expected).expect("dynamorm")
    );
    assert_eq!(raw_thing(stored).as_ref(), Some(&expected));

    let orm = Book::query(db, QUERY_HASH).all().await.expect("query");
    let book_items = raw_query(db, &books_table, QUERY_HASH).await;
    let raw: Vec<Book> =
        serde_dynamo::aws_sdk_dynamodb_1::from_items(book_items.clone()).expect("from_items");
    assert_eq!(orm.len(), QUERY_ITEMS);
    assert_eq!(orm, raw);

    (things_table, books_table, book_items)
}

fn operations(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");

    embedded_start(c, &rt);

    let db = rt.block_on(Db::embedded()).expect("embedded engine");
    let (things_table, books_table, book_items) = rt.block_on(setup(&db));

    put(c, &rt, &db, &things_table);
    get(c, &rt, &db, &things_table);
    update(c, &rt, &db, &things_table);
    codec(c, &book_items);
    query(c, &rt, &db, &books_table);
}

fn embedded_start(c: &mut Criterion, rt: &Runtime) {
    c.bench_function("embedded_start", |b| {
        b.to_async(rt).iter(|| async {
            let db = Db::embedded().await.expect("embedded engine");
            drop(black_box(db));
        })
    });
    // `Db::embedded` returns once the port is bound; this adds the first
    // request (client set-up, connection, the engine's first answer).
    c.bench_function("embedded_start_first_request", |b| {
        b.to_async(rt).iter(|| async {
            let db = Db::embedded().await.expect("embedded engine");
            let tables = db.client().list_tables().send().await.expect("list tables");
            black_box(tables);
            drop(db);
        })
    });
}

fn put(c: &mut Criterion, rt: &Runtime, db: &Db, table: &str) {
    let thing = thing();
    let thing = &thing;
    let mut group = c.benchmark_group("put");
    group.bench_function("dynamorm", |b| {
        b.to_async(rt)
            .iter(|| async move { thing.save(db).await.expect("save") })
    });
    group.bench_function("raw_sdk", |b| {
        b.to_async(rt).iter(|| async move {
            db.client()
                .put_item()
                .table_name(table)
                .set_item(Some(raw_item(thing)))
                .send()
                .await
                .expect("put_item")
        })
    });
    group.bench_function("serde_dynamo", |b| {
        b.to_async(rt).iter(|| async move {
            let item = serde_dynamo::aws_sdk_dynamodb_1::to_item(thing).expect("to_item");
            db.client()
                .put_item()
                .table_name(table)
                .set_item(Some(item))
                .send()
                .await
                .expect("put_item")
        })
    });
    group.finish();
}

/// `count = count + 1` on one item: dynamorm's update builder against the
/// same UpdateItem written by hand.
fn update(c: &mut Criterion, rt: &Runtime, db: &Db, table: &str) {
    let mut group = c.benchmark_group("update");
    group.bench_function("dynamorm", |b| {
        b.to_async(rt).iter(|| async move {
            Thing::update(db, THING_ID)
                .plus(Thing::COUNT, 1)
                .return_none()
                .await
                .expect("update")
        })
    });
    group.bench_function("raw_sdk", |b| {
        b.to_async(rt).iter(|| async move {
            db.client()
                .update_item()
                .table_name(table)
                .set_key(Some(thing_key()))
                .update_expression("SET #c = #c + :one")
                .condition_expression("attribute_exists(#id)")
                .expression_attribute_names("#c", "count")
                .expression_attribute_names("#id", "id")
                .expression_attribute_values(":one", AttributeValue::N("1".into()))
                .send()
                .await
                .expect("update_item")
        })
    });
    group.finish();
}

fn get(c: &mut Criterion, rt: &Runtime, db: &Db, table: &str) {
    let get_item = || async move {
        db.client()
            .get_item()
            .table_name(table)
            .set_key(Some(thing_key()))
            .send()
            .await
            .expect("get_item")
            .item
            .expect("item exists")
    };
    let mut group = c.benchmark_group("get");
    group.bench_function("dynamorm", |b| {
        b.to_async(rt).iter(|| async {
            Thing::get(db, THING_ID)
                .await
                .expect("get")
                .expect("item exists")
        })
    });
    group.bench_function("raw_sdk", |b| {
        b.to_async(rt)
            .iter(|| async { raw_thing(get_item().await).expect("decodes") })
    });
    group.bench_function("serde_dynamo", |b| {
        b.to_async(rt).iter(|| async {
            serde_dynamo::aws_sdk_dynamodb_1::from_item::<Thing>(get_item().await)
                .expect("from_item")
        })
    });
    group.finish();
}

fn codec(c: &mut Criterion, book_items: &[Item]) {
    let thing = thing();
    let item = raw_item(&thing);
    let mut group = c.benchmark_group("codec");
    group.bench_function("to_item/dynamorm", |b| {
        b.iter(|| dynamorm::codec::to_item(black_box(&thing)).expect("to_item"))
    });
    group.bench_function("to_item/serde_dynamo", |b| {
        b.iter(|| serde_dynamo::aws_sdk_dynamodb_1::to_item(black_box(&thing)).expect("to_item"))
    });
    group.bench_function("to_item/manual", |b| b.iter(|| raw_item(black_box(&thing))));
    // Decoding consumes the item, so each iteration gets a fresh clone
    // (made outside the timing).
    group.bench_function("from_item/dynamorm", |b| {
        b.iter_batched(
            || item.clone(),
            |item| dynamorm::codec::from_item::<Thing>(item).expect("from_item"),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("from_item/serde_dynamo", |b| {
        b.iter_batched(
            || item.clone(),
            |item| serde_dynamo::aws_sdk_dynamodb_1::from_item::<Thing>(item).expect("from_item"),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("from_item/manual", |b| {
        b.iter_batched(
            || item.clone(),
            |item| raw_thing(item).expect("decodes"),
            BatchSize::SmallInput,
        )
    });
    // The decoding half of `query_100`: the 100 items one query returns.
    group.bench_function("from_items_100/dynamorm", |b| {
        b.iter_batched(
            || book_items.to_vec(),
            |items| {
                items
                    .into_iter()
                    .map(dynamorm::codec::from_item::<Book>)
                    .collect::<dynamorm::Result<Vec<_>>>()
                    .expect("from_item")
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("from_items_100/serde_dynamo", |b| {
        b.iter_batched(
            || book_items.to_vec(),
            |items| {
                serde_dynamo::aws_sdk_dynamodb_1::from_items::<Book>(items).expect("from_items")
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn query(c: &mut Criterion, rt: &Runtime, db: &Db, table: &str) {
    let mut group = c.benchmark_group("query_100");
    group.bench_function("dynamorm", |b| {
        b.to_async(rt).iter(|| async {
            let books = Book::query(db, QUERY_HASH).all().await.expect("query");
            assert_eq!(books.len(), QUERY_ITEMS);
            books
        })
    });
    group.bench_function("raw_sdk_serde_dynamo", |b| {
        b.to_async(rt).iter(|| async {
            let items = raw_query(db, table, QUERY_HASH).await;
            let books: Vec<Book> =
                serde_dynamo::aws_sdk_dynamodb_1::from_items(items).expect("from_items");
            assert_eq!(books.len(), QUERY_ITEMS);
            books
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    targets = operations
}
criterion_main!(benches);
