//! The workload written by hand against `aws-sdk-dynamodb`, as a careful
//! user would without an ORM: AttributeValue maps built and read field by
//! field, pages and unprocessed entries looped over, one request at a time.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, KeysAndAttributes,
    PutRequest, ScalarAttributeType, TableStatus, WriteRequest,
};
use aws_sdk_dynamodb::Client;

use crate::{book, publisher_name, thing, Book, Counts, Meter, Thing, QUERY_ITEMS};

type Item = HashMap<String, AttributeValue>;

/// A client for a local engine, configured as dynamorm's `connect_local` is
/// (region, dummy credentials, the SDK's default retries).
pub fn client(endpoint: &str) -> Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("raw", "raw", None, None, "bench"))
        .endpoint_url(endpoint)
        .build();
    Client::from_conf(config)
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn thing_item(t: &Thing) -> Item {
    let tags = t.tags.iter().map(|(k, v)| (k.clone(), n(*v))).collect();
    HashMap::from([
        ("id".to_owned(), s(&t.id)),
        ("name".to_owned(), s(&t.name)),
        ("count".to_owned(), n(t.count)),
        ("tags".to_owned(), AttributeValue::M(tags)),
    ])
}

fn take_s(item: &mut Item, key: &str) -> String {
    match item.remove(key) {
        Some(AttributeValue::S(v)) => v,
        other => panic!("{key}: expected a string, got {other:?}"),
    }
}

fn take_n(item: &mut Item, key: &str) -> i64 {
    match item.remove(key) {
        Some(AttributeValue::N(v)) => v.parse().expect("an integer"),
        other => panic!("{key}: expected a number, got {other:?}"),
    }
}

fn thing_from(mut item: Item) -> Thing {
    let tags = match item.remove("tags") {
        Some(AttributeValue::M(m)) => m
            .into_iter()
            .map(|(k, v)| match v {
                AttributeValue::N(v) => (k, v.parse().expect("an integer")),
                other => panic!("tags.{k}: expected a number, got {other:?}"),
            })
            .collect(),
        other => panic!("tags: expected a map, got {other:?}"),
    };
    Thing {
        id: take_s(&mut item, "id"),
        name: take_s(&mut item, "name"),
        count: take_n(&mut item, "count"),
        tags,
    }
}

fn book_item(b: &Book) -> Item {
    HashMap::from([
        ("publisher".to_owned(), s(&b.publisher)),
        ("isbn".to_owned(), s(&b.isbn)),
        ("title".to_owned(), s(&b.title)),
        ("year".to_owned(), n(b.year)),
    ])
}

fn book_from(mut item: Item) -> Book {
    Book {
        publisher: take_s(&mut item, "publisher"),
        isbn: take_s(&mut item, "isbn"),
        title: take_s(&mut item, "title"),
        year: take_n(&mut item, "year"),
    }
}

fn id_key(id: &str) -> Item {
    HashMap::from([("id".to_owned(), s(id))])
}

async fn create_table(client: &Client, name: &str, hash: &str, range: Option<&str>) {
    let mut keys = vec![(hash, KeyType::Hash)];
    keys.extend(range.map(|r| (r, KeyType::Range)));
    let mut create = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest);
    for (attr, kind) in keys {
        create = create
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(attr)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .expect("attribute definition"),
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name(attr)
                    .key_type(kind)
                    .build()
                    .expect("key schema"),
            );
    }
    create.send().await.expect("create table");
    loop {
        let out = client
            .describe_table()
            .table_name(name)
            .send()
            .await
            .expect("describe table");
        if out.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn delete_table(client: &Client, name: &str) {
    client
        .delete_table()
        .table_name(name)
        .send()
        .await
        .expect("delete table");
}

/// Tables and their names.
struct Raw {
    client: Client,
    things: String,
    books: String,
}

impl Raw {
    async fn put(&self, t: &Thing) {
        self.client
            .put_item()
            .table_name(&self.things)
            .set_item(Some(thing_item(t)))
            .send()
            .await
            .expect("put_item");
    }

    async fn get(&self, id: &str) -> Option<Thing> {
        self.client
            .get_item()
            .table_name(&self.things)
            .set_key(Some(id_key(id)))
            .send()
            .await
            .expect("get_item")
            .item
            .map(thing_from)
    }

    /// `count = count + 1` on an item that must exist (as dynamorm's update).
    async fn increment(&self, id: &str) {
        self.client
            .update_item()
            .table_name(&self.things)
            .set_key(Some(id_key(id)))
            .update_expression("SET #c = #c + :one")
            .condition_expression("attribute_exists(#id)")
            .expression_attribute_names("#c", "count")
            .expression_attribute_names("#id", "id")
            .expression_attribute_values(":one", n(1))
            .send()
            .await
            .expect("update_item");
    }

    async fn query(&self, publisher: &str) -> Vec<Book> {
        let mut books = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.books)
                .key_condition_expression("#h = :h")
                .expression_attribute_names("#h", "publisher")
                .expression_attribute_values(":h", s(publisher))
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("query");
            books.extend(out.items.unwrap_or_default().into_iter().map(book_from));
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return books,
            }
        }
    }

    /// Every item of the things table, one page after the other (`limit`:
    /// a single page of at most that many).
    async fn scan(&self, limit: Option<i32>) -> Vec<Thing> {
        let mut things = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .scan()
                .table_name(&self.things)
                .set_limit(limit)
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("scan");
            things.extend(out.items.unwrap_or_default().into_iter().map(thing_from));
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() && limit.is_none() => start = Some(key),
                _ => return things,
            }
        }
    }

    /// BatchWriteItem, 25 puts per request, one request at a time, sending
    /// back what comes back unprocessed (after a short pause) until done.
    async fn batch_put(&self, table: &str, items: impl IntoIterator<Item = Item>) {
        let mut items = items.into_iter().peekable();
        while items.peek().is_some() {
            let mut writes: Vec<WriteRequest> = items
                .by_ref()
                .take(25)
                .map(|item| {
                    WriteRequest::builder()
                        .put_request(
                            PutRequest::builder()
                                .set_item(Some(item))
                                .build()
                                .expect("put request"),
                        )
                        .build()
                })
                .collect();
            let mut attempt = 0;
            loop {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(table, writes)
                    .send()
                    .await
                    .expect("batch_write_item");
                match out.unprocessed_items.and_then(|mut u| u.remove(table)) {
                    Some(left) if !left.is_empty() => {
                        attempt += 1;
                        assert!(attempt < 20, "unprocessed items after 20 attempts");
                        tokio::time::sleep(Duration::from_millis(10 << attempt.min(6))).await;
                        writes = left;
                    }
                    _ => break,
                }
            }
        }
    }

    /// BatchGetItem, 100 keys per request, one request at a time, unprocessed
    /// keys sent again until done.
    async fn batch_get(&self, ids: &[String]) -> Vec<Thing> {
        let mut things = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(100) {
            let mut request = KeysAndAttributes::builder()
                .set_keys(Some(chunk.iter().map(|id| id_key(id)).collect()))
                .build()
                .expect("keys");
            let mut attempt = 0;
            loop {
                let mut out = self
                    .client
                    .batch_get_item()
                    .request_items(&self.things, request)
                    .send()
                    .await
                    .expect("batch_get_item");
                if let Some(found) = out.responses.as_mut().and_then(|r| r.remove(&self.things)) {
                    things.extend(found.into_iter().map(thing_from));
                }
                match out
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(&self.things))
                {
                    Some(left) if !left.keys().is_empty() => {
                        attempt += 1;
                        assert!(attempt < 20, "unprocessed keys after 20 attempts");
                        tokio::time::sleep(Duration::from_millis(10 << attempt.min(6))).await;
                        request = left;
                    }
                    _ => break,
                }
            }
        }
        things
    }
}

pub async fn run(endpoint: &str, prefix: &str, counts: Counts, meter: &Meter) {
    let raw = Raw {
        client: client(endpoint),
        things: format!("{prefix}things"),
        books: format!("{prefix}books"),
    };
    create_table(&raw.client, &raw.things, "id", None).await;
    create_table(&raw.client, &raw.books, "publisher", Some("isbn")).await;
    raw.batch_put(
        &raw.books,
        (0..counts.queries).flat_map(|p| (0..QUERY_ITEMS).map(move |j| book_item(&book(p, j)))),
    )
    .await;

    warm(&raw, counts).await;

    let singles: Vec<Thing> = (0..counts.single).map(|i| thing("p", i)).collect();
    meter
        .measure("put", counts.single, || async {
            for t in &singles {
                raw.put(t).await;
            }
            singles.len()
        })
        .await;

    meter
        .measure("get", counts.single, || async {
            let mut n = 0;
            for t in &singles {
                let got = raw.get(&t.id).await.expect("the item exists");
                assert_eq!(got.id, t.id);
                n += 1;
            }
            n
        })
        .await;
    let sample = &singles[singles.len() / 2];
    assert_eq!(raw.get(&sample.id).await.as_ref(), Some(sample));

    meter
        .measure("update", counts.single, || async {
            for t in &singles {
                raw.increment(&t.id).await;
            }
            singles.len()
        })
        .await;
    for t in [&singles[0], sample, &singles[singles.len() - 1]] {
        let got = raw.get(&t.id).await;
        assert_eq!(
            got.map(|g| g.count),
            Some(t.count + 1),
            "{} incremented",
            t.id
        );
    }

    meter
        .measure("query", counts.queries * QUERY_ITEMS, || async {
            let mut n = 0;
            for p in 0..counts.queries {
                let page = raw.query(&publisher_name(p)).await;
                assert_eq!(page.len(), QUERY_ITEMS);
                n += page.len();
            }
            n
        })
        .await;

    let batch: Vec<Thing> = (0..counts.batch).map(|i| thing("b", i)).collect();
    meter
        .measure("batch_put", counts.batch, || async {
            raw.batch_put(&raw.things, batch.iter().map(thing_item))
                .await;
            batch.len()
        })
        .await;
    let keys: Vec<String> = batch.iter().map(|t| t.id.clone()).collect();
    drop(batch);

    raw.batch_put(
        &raw.things,
        (0..counts.fill()).map(|i| thing_item(&thing("f", i))),
    )
    .await;

    meter
        .measure("scan", counts.scan, || async { raw.scan(None).await.len() })
        .await;

    meter
        .measure("batch_get", counts.batch, || async {
            let found = raw.batch_get(&keys).await;
            assert!(found.iter().all(|t| t.id.starts_with('b')));
            found.len()
        })
        .await;

    delete_table(&raw.client, &raw.things).await;
    delete_table(&raw.client, &raw.books).await;
}

/// A little of everything before measuring (see `orm::warm`).
async fn warm(raw: &Raw, counts: Counts) {
    for i in 0..counts.warm {
        let t = thing("p", i);
        raw.put(&t).await;
        raw.get(&t.id).await.expect("warm get");
        raw.increment(&t.id).await;
    }
    for p in 0..counts.queries.min(5) {
        raw.query(&publisher_name(p)).await;
    }
    let things: Vec<Thing> = (0..counts.warm * 2).map(|i| thing("b", i)).collect();
    raw.batch_put(&raw.things, things.iter().map(thing_item))
        .await;
    let keys: Vec<String> = things.iter().map(|t| t.id.clone()).collect();
    raw.batch_get(&keys).await;
    raw.scan(Some(100)).await;
}

/// Warms an engine up (DynamoDB Local's JIT): `n` of each single-item
/// request, `n / 10` of each batch request and of the queries, a few full
/// scans, on tables of its own that it deletes after.
pub async fn warmup(endpoint: &str, n: usize) {
    let raw = Raw {
        client: client(endpoint),
        things: format!("cmp-warmup-{}-things", std::process::id()),
        books: format!("cmp-warmup-{}-books", std::process::id()),
    };
    create_table(&raw.client, &raw.things, "id", None).await;
    create_table(&raw.client, &raw.books, "publisher", Some("isbn")).await;
    let started = std::time::Instant::now();
    raw.batch_put(
        &raw.books,
        (0..10).flat_map(|p| (0..QUERY_ITEMS).map(move |j| book_item(&book(p, j)))),
    )
    .await;
    for i in 0..n {
        let t = thing("w", i);
        raw.put(&t).await;
        raw.get(&t.id).await.expect("warmup get");
        raw.increment(&t.id).await;
    }
    for q in 0..(n / 10).max(1) {
        assert_eq!(raw.query(&publisher_name(q % 10)).await.len(), QUERY_ITEMS);
    }
    let batches = (n / 10).max(1);
    raw.batch_put(
        &raw.things,
        (0..batches * 25).map(|i| thing_item(&thing("x", i))),
    )
    .await;
    let keys: Vec<String> = (0..batches * 25).map(|i| format!("x{i:06}")).collect();
    for _ in 0..4 {
        assert_eq!(raw.batch_get(&keys).await.len(), keys.len());
    }
    for _ in 0..3 {
        assert_eq!(raw.scan(None).await.len(), n + batches * 25);
    }
    delete_table(&raw.client, &raw.things).await;
    delete_table(&raw.client, &raw.books).await;
    eprintln!(
        "compare: warmed up {endpoint} in {:.1}s ({n} puts/gets/updates, {batches} batch writes, {} batch gets)",
        started.elapsed().as_secs_f64(),
        4 * keys.len().div_ceil(100)
    );
}
