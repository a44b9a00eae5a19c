//! Criterion benchmarks of dynamorm's own client-side cost: every call goes
//! through a real `aws_sdk_dynamodb::Client` whose HTTP client answers with
//! canned responses in memory (no socket, no engine), so the only thing that
//! differs between `dynamorm` and `raw_sdk` is the CPU each spends building
//! the request and decoding the answer.
//!
//! ```text
//! cargo bench --bench client_overhead             # everything (about 2 minutes)
//! cargo bench --bench client_overhead -- query    # only ids containing "query"
//! cargo bench --bench client_overhead -- --quick  # a fast smoke run
//! ```
//!
//! Ids are `<operation>/<model>/<side>`: operations `put`, `get`, `update`
//! (ALL_NEW, decoded into the model on both sides), `query_100` (one page of
//! 100 items) and `batch_write_25` (one BatchWriteItem of 25 puts); models
//! `small` (a key and a number) and `large` (12 fields: strings, integers, a
//! float, a bool, an option, a map, a list, a string set, a `DateTime<Utc>`
//! and a nested struct); sides `dynamorm` and `raw_sdk` (AttributeValues,
//! expressions and decoding written by hand, as a careful user would).
//! `entity_put`, `entity_get` and `entity_query_100` compare `Small` as an
//! entity of a shared table (`entity`, and `collection` for the page) with
//! a plain model storing the same item and with `Small` itself.
//! `codec/large/...` compares the 12-field model's encoding and decoding
//! alone: dynamorm's codec, hand-written code and plain serde_dynamo.
//!
//! The canned server answers by the request's `x-amz-target`: PutItem `{}`,
//! GetItem `{"Item": ..}`, UpdateItem `{"Attributes": ..}`, Query 100
//! `Items`, BatchWriteItem `{"UnprocessedItems": {}}`. Retries and stalled
//! stream protection are off. Before measuring, every benchmark's work runs
//! once and is checked: both sides send exactly one request per call, with
//! the same item / key / expressions, and decode the same model.
//! `BENCH_DUMP=1` prints each request body once.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::{
    BehaviorVersion, Credentials, Region, RuntimeComponents, StalledStreamProtectionConfig,
};
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, ReturnValue, WriteRequest};
use aws_sdk_dynamodb::Client;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_types::body::SdkBody;
use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::runtime::Runtime;

type Item = HashMap<String, AttributeValue>;

const SMALL_TABLE: &str = "bench-small";
const LARGE_TABLE: &str = "bench-orders";
const PAGE: usize = 100;
const BATCH: usize = 25;

// ---------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------

/// The 2-attribute model: a key and a number. (The canned query page holds
/// 100 items under one hash key, which only a client that does not check can
/// see from a hash-only table; neither side checks.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "bench-small", billing = "on_demand")]
struct Small {
    #[dynamo(hash_key)]
    id: String,
    count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Address {
    street: String,
    city: String,
    zip: String,
}

/// The 12-field model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "bench-orders", billing = "on_demand")]
struct Order {
    #[dynamo(hash_key)]
    customer: String,
    #[dynamo(range_key)]
    order_no: i64,
    title: String,
    quantity: u32,
    price: f64,
    paid: bool,
    note: Option<String>,
    attributes: HashMap<String, String>,
    lines: Vec<String>,
    tags: HashSet<String>,
    created: DateTime<Utc>,
    address: Address,
}

/// The shared table of the single-table benchmarks.
#[derive(DynaTable)]
#[dynamo(
    table = "bench-app",
    billing = "on_demand",
    hash_key = "pk",
    range_key = "sk"
)]
struct App;

/// `Small` as an entity of a shared table: the same fields, keys built from
/// templates, the tag stored and checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = App, entity = "small", key(hash = "SMALL#{id}", range = "SMALL#{count:08}"))]
struct SmallEntity {
    id: String,
    count: u32,
}

/// A collection of the one entity: its query decodes each item by tag.
#[derive(Debug, Clone, PartialEq, DynaCollection)]
#[dynamo(table = App)]
enum SmallItems {
    Small(SmallEntity),
}

/// A plain model storing exactly the entity's item (its generic keys and
/// tag as fields): what the templates and the tag check cost, apart from
/// the larger item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "bench-app", billing = "on_demand")]
struct SmallStored {
    #[dynamo(hash_key)]
    pk: String,
    #[dynamo(range_key)]
    sk: String,
    id: String,
    count: u32,
    #[serde(rename = "_et")]
    tag: String,
}

fn small_entity(i: u32) -> SmallEntity {
    SmallEntity {
        id: "s1".into(),
        count: 42 + i,
    }
}

/// The item an entity's save stores: its fields, the rendered keys, the tag.
fn small_entity_item(m: &SmallEntity) -> Item {
    let mut item = Item::from([
        ("id".to_owned(), s(&m.id)),
        ("count".to_owned(), n(m.count)),
        ("pk".to_owned(), s(&format!("SMALL#{}", m.id))),
        ("sk".to_owned(), s(&format!("SMALL#{:08}", m.count))),
    ]);
    item.insert("_et".to_owned(), s("small"));
    item
}

fn small(i: i64) -> Small {
    Small {
        id: "s1".into(),
        count: 42 + i,
    }
}

fn order(i: i64) -> Order {
    Order {
        customer: "customer-1".into(),
        order_no: 1000 + i,
        title: format!("Order number {i}"),
        quantity: 3,
        price: 19.99,
        paid: true,
        note: Some("leave at the door".into()),
        attributes: HashMap::from([
            ("channel".into(), "web".into()),
            ("coupon".into(), "SPRING".into()),
            ("priority".into(), "normal".into()),
        ]),
        lines: vec!["sku-1".into(), "sku-2".into(), "sku-3".into()],
        tags: HashSet::from(["gift".into(), "express".into(), "fragile".into()]),
        created: Utc.with_ymd_and_hms(2024, 5, 17, 12, 30, 45).unwrap(),
        address: Address {
            street: "1 Main Street".into(),
            city: "Springfield".into(),
            zip: "12345".into(),
        },
    }
}

// ---------------------------------------------------------------------------
// Hand-written codecs: what a careful raw-SDK user writes
// ---------------------------------------------------------------------------

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn take_s(item: &mut Item, name: &str) -> Option<String> {
    match item.remove(name)? {
        AttributeValue::S(v) => Some(v),
        _ => None,
    }
}

fn take_n<T: std::str::FromStr>(item: &mut Item, name: &str) -> Option<T> {
    match item.remove(name)? {
        AttributeValue::N(v) => v.parse().ok(),
        _ => None,
    }
}

fn small_item(m: &Small) -> Item {
    HashMap::from([
        ("id".to_owned(), s(&m.id)),
        ("count".to_owned(), n(m.count)),
    ])
}

fn small_from(mut item: Item) -> Option<Small> {
    Some(Small {
        id: take_s(&mut item, "id")?,
        count: take_n(&mut item, "count")?,
    })
}

fn small_key(id: &str) -> Item {
    HashMap::from([("id".to_owned(), s(id))])
}

fn time_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn order_item(m: &Order) -> Item {
    let mut item = HashMap::with_capacity(12);
    item.insert("customer".to_owned(), s(&m.customer));
    item.insert("order_no".to_owned(), n(m.order_no));
    item.insert("title".to_owned(), s(&m.title));
    item.insert("quantity".to_owned(), n(m.quantity));
    item.insert("price".to_owned(), n(m.price));
    item.insert("paid".to_owned(), AttributeValue::Bool(m.paid));
    if let Some(note) = &m.note {
        item.insert("note".to_owned(), s(note));
    }
    item.insert(
        "attributes".to_owned(),
        AttributeValue::M(
            m.attributes
                .iter()
                .map(|(k, v)| (k.clone(), s(v)))
                .collect(),
        ),
    );
    item.insert(
        "lines".to_owned(),
        AttributeValue::L(m.lines.iter().map(|v| s(v)).collect()),
    );
    if !m.tags.is_empty() {
        item.insert(
            "tags".to_owned(),
            AttributeValue::Ss(m.tags.iter().cloned().collect()),
        );
    }
    item.insert(
        "created".to_owned(),
        AttributeValue::S(time_text(&m.created)),
    );
    item.insert(
        "address".to_owned(),
        AttributeValue::M(HashMap::from([
            ("street".to_owned(), s(&m.address.street)),
            ("city".to_owned(), s(&m.address.city)),
            ("zip".to_owned(), s(&m.address.zip)),
        ])),
    );
    item
}

fn order_from(mut item: Item) -> Option<Order> {
    let attributes = match item.remove("attributes")? {
        AttributeValue::M(m) => m
            .into_iter()
            .map(|(k, v)| match v {
                AttributeValue::S(v) => Some((k, v)),
                _ => None,
            })
            .collect::<Option<_>>()?,
        _ => return None,
    };
    let lines = match item.remove("lines")? {
        AttributeValue::L(l) => l
            .into_iter()
            .map(|v| match v {
                AttributeValue::S(v) => Some(v),
                _ => None,
            })
            .collect::<Option<_>>()?,
        _ => return None,
    };
    let tags = match item.remove("tags") {
        Some(AttributeValue::Ss(v)) => v.into_iter().collect(),
        None => HashSet::new(),
        Some(_) => return None,
    };
    let note = match item.remove("note") {
        Some(AttributeValue::S(v)) => Some(v),
        None | Some(AttributeValue::Null(_)) => None,
        Some(_) => return None,
    };
    let created = DateTime::parse_from_rfc3339(&take_s(&mut item, "created")?)
        .ok()?
        .with_timezone(&Utc);
    let AttributeValue::M(mut address) = item.remove("address")? else {
        return None;
    };
    let AttributeValue::Bool(paid) = item.remove("paid")? else {
        return None;
    };
    Some(Order {
        customer: take_s(&mut item, "customer")?,
        order_no: take_n(&mut item, "order_no")?,
        title: take_s(&mut item, "title")?,
        quantity: take_n(&mut item, "quantity")?,
        price: take_n(&mut item, "price")?,
        paid,
        note,
        attributes,
        lines,
        tags,
        created,
        address: Address {
            street: take_s(&mut address, "street")?,
            city: take_s(&mut address, "city")?,
            zip: take_s(&mut address, "zip")?,
        },
    })
}

fn order_key(customer: &str, order_no: i64) -> Item {
    HashMap::from([
        ("customer".to_owned(), s(customer)),
        ("order_no".to_owned(), n(order_no)),
    ])
}

// ---------------------------------------------------------------------------
// The canned HTTP client
// ---------------------------------------------------------------------------

/// DynamoDB JSON for an attribute value (the wire form of the canned bodies).
fn wire(value: &AttributeValue) -> Value {
    match value {
        AttributeValue::S(v) => json!({ "S": v }),
        AttributeValue::N(v) => json!({ "N": v }),
        AttributeValue::Bool(v) => json!({ "BOOL": v }),
        AttributeValue::Null(_) => json!({ "NULL": true }),
        AttributeValue::Ss(v) => json!({ "SS": v }),
        AttributeValue::Ns(v) => json!({ "NS": v }),
        AttributeValue::L(v) => json!({ "L": v.iter().map(wire).collect::<Vec<_>>() }),
        AttributeValue::M(v) => json!({ "M": wire_item(v) }),
        other => panic!("no canned wire form for {other:?}"),
    }
}

fn wire_item(item: &Item) -> Value {
    Value::Object(item.iter().map(|(k, v)| (k.clone(), wire(v))).collect())
}

/// One canned answer per DynamoDB operation (the `x-amz-target` suffix).
struct Canned {
    bodies: HashMap<&'static str, SdkBody>,
    /// Requests answered, to check that each call sends exactly one.
    calls: AtomicUsize,
    /// The last request body per operation, for the equivalence checks.
    last: Mutex<HashMap<String, Value>>,
    record: std::sync::atomic::AtomicBool,
}

impl fmt::Debug for Canned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Canned").finish_non_exhaustive()
    }
}

#[derive(Clone, Debug)]
struct CannedClient(Arc<Canned>);

impl HttpConnector for CannedClient {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let canned = &self.0;
        canned.calls.fetch_add(1, Ordering::Relaxed);
        let op = request
            .headers()
            .get("x-amz-target")
            .and_then(|t| t.rsplit('.').next())
            .unwrap_or("");
        if canned.record.load(Ordering::Relaxed) {
            let body: Value =
                serde_json::from_slice(request.body().bytes().unwrap_or(b"{}")).expect("json");
            canned.last.lock().unwrap().insert(op.to_owned(), body);
        }
        let Some(body) = canned.bodies.get(op) else {
            panic!("no canned answer for {op}");
        };
        let mut response = HttpResponse::new(
            200u16.try_into().expect("status"),
            body.try_clone().expect("cloneable body"),
        );
        response
            .headers_mut()
            .insert("content-type", "application/x-amz-json-1.0");
        HttpConnectorFuture::ready(Ok(response))
    }
}

impl HttpClient for CannedClient {
    fn http_connector(
        &self,
        _: &HttpConnectorSettings,
        _: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

impl CannedClient {
    fn new(bodies: HashMap<&'static str, Value>) -> Self {
        let bodies = bodies
            .into_iter()
            .map(|(op, body)| (op, SdkBody::from(body.to_string())))
            .collect();
        CannedClient(Arc::new(Canned {
            bodies,
            calls: AtomicUsize::new(0),
            last: Mutex::default(),
            record: true.into(),
        }))
    }

    fn sdk_client(&self) -> Client {
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("bench", "bench", None, None, "bench"))
            .retry_config(RetryConfig::disabled())
            .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
            .http_client(self.clone())
            .build();
        Client::from_conf(config)
    }

    /// Runs `work`, checks it sent exactly one request and returns its body.
    fn one_request<T>(
        &self,
        rt: &Runtime,
        op: &str,
        work: impl std::future::Future<Output = T>,
    ) -> (T, Value) {
        let before = self.0.calls.load(Ordering::Relaxed);
        let out = rt.block_on(work);
        let sent = self.0.calls.load(Ordering::Relaxed) - before;
        assert_eq!(sent, 1, "{op}: one request per call");
        let body = self.0.last.lock().unwrap().remove(op).expect("recorded");
        if std::env::var_os("BENCH_DUMP").is_some() {
            let text = body.to_string();
            eprintln!("{op}: {}", &text[..text.len().min(600)]);
        }
        (out, body)
    }

    fn stop_recording(&self) {
        self.0.record.store(false, Ordering::Relaxed);
    }
}

/// The canned answers for a model: `stored` is what GetItem and UpdateItem
/// return, `page` what Query returns.
fn canned(stored: &Item, page: &[Item]) -> CannedClient {
    CannedClient::new(HashMap::from([
        ("PutItem", json!({})),
        ("GetItem", json!({ "Item": wire_item(stored) })),
        ("UpdateItem", json!({ "Attributes": wire_item(stored) })),
        (
            "Query",
            json!({
                "Items": page.iter().map(wire_item).collect::<Vec<_>>(),
                "Count": page.len(),
                "ScannedCount": page.len(),
            }),
        ),
        ("BatchWriteItem", json!({ "UnprocessedItems": {} })),
    ]))
}

// ---------------------------------------------------------------------------
// Raw SDK calls
// ---------------------------------------------------------------------------

async fn raw_put(client: &Client, table: &str, item: Item) {
    client
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .send()
        .await
        .expect("put_item");
}

async fn raw_get(client: &Client, table: &str, key: Item) -> Item {
    client
        .get_item()
        .table_name(table)
        .set_key(Some(key))
        .send()
        .await
        .expect("get_item")
        .item
        .expect("item exists")
}

async fn raw_query(client: &Client, table: &str, hash_name: &str, hash: &str) -> Vec<Item> {
    let out = client
        .query()
        .table_name(table)
        .key_condition_expression("#h = :h")
        .expression_attribute_names("#h", hash_name)
        .expression_attribute_values(":h", s(hash))
        .send()
        .await
        .expect("query");
    assert!(out.last_evaluated_key.is_none(), "one page");
    out.items.unwrap_or_default()
}

async fn raw_batch_write(client: &Client, table: &str, items: Vec<Item>) {
    let requests = items
        .into_iter()
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
    let out = client
        .batch_write_item()
        .request_items(table, requests)
        .send()
        .await
        .expect("batch_write_item");
    let unprocessed = out.unprocessed_items.unwrap_or_default();
    assert!(unprocessed.values().all(|v| v.is_empty()), "all processed");
}

async fn raw_update_small(client: &Client, id: &str, count: i64) -> Small {
    let out = client
        .update_item()
        .table_name(SMALL_TABLE)
        .set_key(Some(small_key(id)))
        .update_expression("SET #c = :c")
        .condition_expression("attribute_exists(#id)")
        .expression_attribute_names("#c", "count")
        .expression_attribute_names("#id", "id")
        .expression_attribute_values(":c", n(count))
        .return_values(ReturnValue::AllNew)
        .send()
        .await
        .expect("update_item");
    small_from(out.attributes.expect("ALL_NEW")).expect("decodes")
}

async fn raw_update_order(client: &Client, customer: &str, order_no: i64, title: &str) -> Order {
    let out = client
        .update_item()
        .table_name(LARGE_TABLE)
        .set_key(Some(order_key(customer, order_no)))
        .update_expression("SET #t = :t, #p = :p")
        .condition_expression("attribute_exists(#h)")
        .expression_attribute_names("#t", "title")
        .expression_attribute_names("#p", "paid")
        .expression_attribute_names("#h", "customer")
        .expression_attribute_values(":t", s(title))
        .expression_attribute_values(":p", AttributeValue::Bool(true))
        .return_values(ReturnValue::AllNew)
        .send()
        .await
        .expect("update_item");
    order_from(out.attributes.expect("ALL_NEW")).expect("decodes")
}

// ---------------------------------------------------------------------------
// Equivalence checks
// ---------------------------------------------------------------------------

/// The parts of two request bodies that must agree, with placeholders
/// replaced by what they stand for (their spelling may differ) and fields
/// left at DynamoDB's default (`ConsistentRead: false`, `ScanIndexForward:
/// true`) dropped.
fn resolved(body: &Value) -> BTreeMap<String, Value> {
    let names = body["ExpressionAttributeNames"].as_object();
    let values = body["ExpressionAttributeValues"].as_object();
    let resolve = |text: &str| {
        let mut out = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if c != '#' && c != ':' {
                out.push(c);
                continue;
            }
            let mut end = start + 1;
            while let Some(&(i, c)) = chars.peek() {
                if !(c.is_alphanumeric() || c == '_') {
                    break;
                }
                end = i + c.len_utf8();
                chars.next();
            }
            let token = &text[start..end];
            let found = if c == '#' { names } else { values }.and_then(|m| m.get(token));
            match found {
                Some(Value::String(name)) => out.push_str(name),
                Some(value) => out.push_str(&value.to_string()),
                None => out.push_str(token),
            }
        }
        out
    };
    let mut out = BTreeMap::new();
    for (k, v) in body.as_object().expect("object") {
        match (k.as_str(), v) {
            ("ExpressionAttributeNames" | "ExpressionAttributeValues", _)
            | ("ConsistentRead", Value::Bool(false))
            | ("ScanIndexForward", Value::Bool(true)) => {}
            (k, Value::String(text)) if k.ends_with("Expression") => {
                out.insert(k.to_owned(), Value::String(resolve(text)));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

/// Both sides must send the same request. The one field allowed to differ:
/// dynamorm's UpdateItem asks for `ReturnValuesOnConditionCheckFailure:
/// ALL_OLD` (to report the stored item when its condition fails), which
/// changes nothing on success.
fn compare(what: &str, orm: &Value, raw: &Value) {
    let mut orm = resolved(orm);
    if orm.get("ReturnValuesOnConditionCheckFailure") == Some(&json!("ALL_OLD")) {
        orm.remove("ReturnValuesOnConditionCheckFailure");
    }
    assert_eq!(
        orm,
        resolved(raw),
        "{what}: both sides send the same request"
    );
}

// ---------------------------------------------------------------------------
// Benchmarks
// ---------------------------------------------------------------------------

struct Side<'a> {
    rt: &'a Runtime,
    canned: CannedClient,
    db: Db,
    client: Client,
}

fn side(rt: &Runtime, canned: CannedClient) -> Side<'_> {
    let client = canned.sdk_client();
    Side {
        rt,
        db: Db::from_client(client.clone()),
        client,
        canned,
    }
}

fn client_overhead(c: &mut Criterion) {
    // One thread: the whole call (both sides) runs on the bench thread.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");

    let small_page: Vec<Small> = (0..PAGE as i64).map(small).collect();
    let small_page_items: Vec<Item> = small_page.iter().map(small_item).collect();
    let small_side = side(&rt, canned(&small_item(&small(0)), &small_page_items));
    bench_small(c, &small_side, &small_page);

    let order_page: Vec<Order> = (0..PAGE as i64).map(order).collect();
    let order_page_items: Vec<Item> = order_page.iter().map(order_item).collect();
    let large_side = side(&rt, canned(&order_item(&order(0)), &order_page_items));
    bench_large(c, &large_side, &order_page);

    // The same model as an entity: what the templates and the tag cost.
    let entity_page: Vec<SmallEntity> = (0..PAGE as u32).map(small_entity).collect();
    let entity_page_items: Vec<Item> = entity_page.iter().map(small_entity_item).collect();
    let entity_side = side(
        &rt,
        canned(&small_entity_item(&small_entity(0)), &entity_page_items),
    );
    bench_entity(c, &small_side, &entity_side, &entity_page);

    codec(c);
}

/// `entity/...`: an entity's put, get and 100-item query page, and a
/// collection's page of the same items, each against the plain `Small`
/// model's call (same fields, its own table) through the same canned client.
fn bench_entity(c: &mut Criterion, plain: &Side<'_>, entity: &Side<'_>, page: &[SmallEntity]) {
    let rt = entity.rt;
    let (plain_db, db) = (&plain.db, &entity.db);
    let model = small_entity(0);
    let model = &model;
    let plain_model = small(0);
    let plain_model = &plain_model;

    // The checks: the entity stores what the canned item holds and decodes
    // the canned answers.
    let ((), put) = entity.canned.one_request(rt, "PutItem", async {
        model.save(db).await.expect("save");
    });
    assert_eq!(put["Item"], wire_item(&small_entity_item(model)));
    let (got, _) = entity.canned.one_request(rt, "GetItem", async {
        SmallEntity::get(db, ("s1", 42u32)).await.unwrap()
    });
    assert_eq!(got.as_ref(), Some(model));
    let (got, _) = entity.canned.one_request(rt, "Query", async {
        SmallEntity::query(db, "s1").all().await.unwrap()
    });
    assert_eq!(got, page);
    let (got, _) = entity.canned.one_request(rt, "Query", async {
        SmallItems::query(db, "s1").all().await.unwrap()
    });
    assert_eq!(got.len(), PAGE);
    assert!(matches!(&got[0], SmallItems::Small(first) if first == model));
    let stored = SmallStored {
        pk: "SMALL#s1".into(),
        sk: "SMALL#00000042".into(),
        id: "s1".into(),
        count: 42,
        tag: "small".into(),
    };
    let stored = &stored;
    let (got, _) = entity.canned.one_request(rt, "Query", async {
        SmallStored::query(db, "SMALL#s1").all().await.unwrap()
    });
    assert_eq!(got.first(), Some(stored));
    entity.canned.stop_recording();

    let mut group = c.benchmark_group("entity_put/small");
    group.bench_function("plain_model_same_item", |b| {
        b.to_async(rt)
            .iter(|| async move { stored.save(db).await.expect("save") })
    });
    group.bench_function("entity", |b| {
        b.to_async(rt)
            .iter(|| async move { model.save(db).await.expect("save") })
    });
    group.bench_function("plain_model", |b| {
        b.to_async(rt)
            .iter(|| async move { plain_model.save(plain_db).await.expect("save") })
    });
    group.finish();

    let mut group = c.benchmark_group("entity_get/small");
    group.bench_function("plain_model_same_item", |b| {
        b.to_async(rt).iter(|| async move {
            SmallStored::get(db, (black_box("SMALL#s1"), "SMALL#00000042"))
                .await
                .expect("get")
                .expect("exists")
        })
    });
    group.bench_function("entity", |b| {
        b.to_async(rt).iter(|| async move {
            SmallEntity::get(db, (black_box("s1"), 42u32))
                .await
                .expect("get")
                .expect("exists")
        })
    });
    group.bench_function("plain_model", |b| {
        b.to_async(rt).iter(|| async move {
            Small::get(plain_db, black_box("s1"))
                .await
                .expect("get")
                .expect("exists")
        })
    });
    group.finish();

    let mut group = c.benchmark_group("entity_query_100/small");
    group.bench_function("entity", |b| {
        b.to_async(rt).iter(|| async move {
            let got = SmallEntity::query(db, black_box("s1"))
                .all()
                .await
                .expect("query");
            assert_eq!(got.len(), PAGE);
            got
        })
    });
    group.bench_function("collection", |b| {
        b.to_async(rt).iter(|| async move {
            let got = SmallItems::query(db, black_box("s1"))
                .all()
                .await
                .expect("query");
            assert_eq!(got.len(), PAGE);
            got
        })
    });
    group.bench_function("plain_model", |b| {
        b.to_async(rt).iter(|| async move {
            let got = Small::query(plain_db, black_box("s1"))
                .all()
                .await
                .expect("query");
            assert_eq!(got.len(), PAGE);
            got
        })
    });
    group.bench_function("plain_model_same_item", |b| {
        b.to_async(rt).iter(|| async move {
            let got = SmallStored::query(db, black_box("SMALL#s1"))
                .all()
                .await
                .expect("query");
            assert_eq!(got.len(), PAGE);
            got
        })
    });
    group.finish();
}

fn bench_small(c: &mut Criterion, side: &Side<'_>, page: &[Small]) {
    let Side {
        rt,
        canned,
        db,
        client,
    } = side;
    let (db, client) = (db, client);
    let model = small(0);
    let model = &model;
    // A batch holds distinct keys (dynamorm drops repeated ones).
    let batch: Vec<Small> = (0..BATCH as i64)
        .map(|i| Small {
            id: format!("s{i}"),
            ..small(i)
        })
        .collect();
    let batch = &batch;

    // The checks: same requests, same results.
    assert_eq!(dynamorm::codec::to_item(model).unwrap(), small_item(model));
    let ((), orm) = canned.one_request(rt, "PutItem", async {
        model.save(db).await.expect("save");
    });
    let ((), raw) = canned.one_request(
        rt,
        "PutItem",
        raw_put(client, SMALL_TABLE, small_item(model)),
    );
    compare("put/small", &orm, &raw);
    let (got, orm) =
        canned.one_request(rt, "GetItem", async { Small::get(db, "s1").await.unwrap() });
    assert_eq!(got.as_ref(), Some(model));
    let (got, raw) = canned.one_request(rt, "GetItem", async {
        small_from(raw_get(client, SMALL_TABLE, small_key("s1")).await)
    });
    assert_eq!(got.as_ref(), Some(model));
    compare("get/small", &orm, &raw);
    let (got, orm) = canned.one_request(rt, "UpdateItem", async {
        Small::update(db, "s1").set(Small::COUNT, 42).await.unwrap()
    });
    assert_eq!(&got, model);
    let (got, raw) = canned.one_request(rt, "UpdateItem", raw_update_small(client, "s1", 42));
    assert_eq!(&got, model);
    compare("update/small", &orm, &raw);
    let (got, orm) = canned.one_request(rt, "Query", async {
        Small::query(db, "s1").all().await.unwrap()
    });
    assert_eq!(got, page);
    let (got, raw) = canned.one_request(rt, "Query", async {
        raw_query(client, SMALL_TABLE, "id", "s1")
            .await
            .into_iter()
            .map(small_from)
            .collect::<Option<Vec<_>>>()
    });
    assert_eq!(got.as_deref(), Some(page));
    compare("query_100/small", &orm, &raw);
    let ((), orm) = canned.one_request(rt, "BatchWriteItem", async {
        Small::put_batch(db, batch).await.unwrap();
    });
    let ((), raw) = canned.one_request(
        rt,
        "BatchWriteItem",
        raw_batch_write(client, SMALL_TABLE, batch.iter().map(small_item).collect()),
    );
    compare("batch_write_25/small", &orm, &raw);
    canned.stop_recording();

    let mut group = c.benchmark_group("put/small");
    group.bench_function("dynamorm", |b| {
        b.to_async(*rt)
            .iter(|| async move { model.save(db).await.expect("save") })
    });
    group.bench_function("raw_sdk", |b| {
        b.to_async(*rt)
            .iter(|| async move { raw_put(client, SMALL_TABLE, small_item(model)).await })
    });
    group.finish();

    let mut group = c.benchmark_group("get/small");
    group.bench_function("dynamorm", |b| {
        b.to_async(*rt).iter(|| async move {
            Small::get(db, black_box("s1"))
                .await
                .expect("get")
                .expect("exists")
        })
    });
    group.bench_function("raw_sdk", |b| {
        b.to_async(*rt).iter(|| async move {
            small_from(raw_get(client, SMALL_TABLE, small_key(black_box("s1"))).await)
                .expect("decodes")
        })
    });
    group.finish();

    let mut group = c.benchmark_group("update/small");
    group.bench_function("dynamorm", |b| {
        b.to_async(*rt).iter(|| async move {
            Small::update(db, black_box("s1"))
                .set(Small::COUNT, 42)
                .await
                .expect("update")
        })
    });
    group.bench_function("raw_sdk", |b| {
        b.to_async(*rt)
            .iter(|| async move { raw_update_small(client, black_box("s1"), 42).await })
    });
    group.finish();

    let mut group = c.benchmark_group("query_100/small");
    group.bench_function("dynamorm", |b| {
        b.to_async(*rt).iter(|| async move {
            let got = Small::query(db, black_box("s1"))
                .all()
                .await
                .expect("query");
            assert_eq!(got.len(), PAGE);
            got
        })
    });
    group.bench_function("raw_sdk", |b| {
        b.to_async(*rt).iter(|| async move {
            let got = raw_query(client, SMALL_TABLE, "id", black_box("s1"))
                .await
                .into_iter()
                .map(small_from)
                .collect::<Option<Vec<_>>>()
                .expect("decodes");
            assert_eq!(got.len(), PAGE);
            got
        })
    });
    group.finish();

    let mut group = c.benchmark_group("batch_write_25/small");
    group.bench_function("dynamorm", |b| {
        b.to_async(*rt)
            .iter(|| async move { Small::put_batch(db, batch).await.expect("put_batch") })
    });
    group.bench_function("raw_sdk", |b| {
        b.to_async(*rt).iter(|| async move {
            raw_batch_write(client, SMALL_TABLE, batch.iter().map(small_item).collect()).await
        })
    });
    group.finish();
}

fn bench_large(c: &mut Criterion, side: &Side<'_>, page: &[Order]) {
    let Side {
        rt,
        canned,
        db,
        client,
    } = side;
    let model = order(0);
    let model = &model;
    let batch: Vec<Order> = page[..BATCH].to_vec();
    let batch = &batch;
    let key = ("customer-1", 1000i64);
    let title = model.title.as_str();

    assert_eq!(dynamorm::codec::to_item(model).unwrap(), order_item(model));
    let ((), orm) = canned.one_request(rt, "PutItem", async {
        model.save(db).await.expect("save");
    });
    let ((), raw) = canned.one_request(
        rt,
        "PutItem",
        raw_put(client, LARGE_TABLE, order_item(model)),
    );
    compare("put/large", &orm, &raw);
    let (got, orm) =
        canned.one_request(rt, "GetItem", async { Order::get(db, key).await.unwrap() });
    assert_eq!(got.as_ref(), Some(model));
    let (got, raw) = canned.one_request(rt, "GetItem", async {
        order_from(raw_get(client, LARGE_TABLE, order_key(key.0, key.1)).await)
    });
    assert_eq!(got.as_ref(), Some(model));
    compare("get/large", &orm, &raw);
    let (got, orm) = canned.one_request(rt, "UpdateItem", async {
        Order::update(db, key)
            .set(Order::TITLE, title)
            .set(Order::PAID, true)
            .await
            .unwrap()
    });
    assert_eq!(&got, model);
    let (got, raw) = canned.one_request(
        rt,
        "UpdateItem",
        raw_update_order(client, key.0, key.1, title),
    );
    assert_eq!(&got, model);
    compare("update/large", &orm, &raw);
    let (got, orm) = canned.one_request(rt, "Query", async {
        Order::query(db, key.0).all().await.unwrap()
    });
    assert_eq!(got, page);
    let (got, raw) = canned.one_request(rt, "Query", async {
        raw_query(client, LARGE_TABLE, "customer", key.0)
            .await
            .into_iter()
            .map(order_from)
            .collect::<Option<Vec<_>>>()
    });
    assert_eq!(got.as_deref(), Some(page));
    compare("query_100/large", &orm, &raw);
    let ((), orm) = canned.one_request(rt, "BatchWriteItem", async {
        Order::put_batch(db, batch).await.unwrap();
    });
    let ((), raw) = canned.one_request(
        rt,
        "BatchWriteItem",
        raw_batch_write(client, LARGE_TABLE, batch.iter().map(order_item).collect()),
    );
    compare("batch_write_25/large", &orm, &raw);
    canned.stop_recording();

    let mut group = c.benchmark_group("put/large");
    group.bench_function("dynamorm", |b| {
        b.to_async(*rt)
            .iter(|| async move { model.save(db).await.expect("save") })
    });
    group.bench_function("raw_sdk", |b| {
        b.to_async(*rt)
            .iter(|| async move { raw_put(client, LARGE_TABLE, order_item(model)).await })
    });
    group.finish();

    let mut group = c.benchmark_group("get/large");
    group.bench_function("dynamorm", |b| {
        b.to_async(*rt).iter(|| async move {
            Order::get(db, black_box(key))
                .await
                .expect("get")
                .expect("exists")
        })
    });
    group.bench_function("raw_sdk", |b| {
        b.to_async(*rt).iter(|| async move {
            let (customer, order_no) = black_box(key);
            order_from(raw_get(client, LARGE_TABLE, order_key(customer, order_no)).await)
                .expect("decodes")
        })
    });
    group.finish();

    let mut group = c.benchmark_group("update/large");
    group.bench_function("dynamorm", |b| {
        b.to_async(*rt).iter(|| async move {
            Order::update(db, black_box(key))
                .set(Order::TITLE, title)
                .set(Order::PAID, true)
                .await
                .expect("update")
        })
    });
    group.bench_function("raw_sdk", |b| {
        b.to_async(*rt).iter(|| async move {
            let (customer, order_no) = black_box(key);
            raw_update_order(client, customer, order_no, title).await
        })
    });
    group.finish();

    let mut group = c.benchmark_group("query_100/large");
    group.bench_function("dynamorm", |b| {
        b.to_async(*rt).iter(|| async move {
            let got = Order::query(db, black_box(key.0))
                .all()
                .await
                .expect("query");
            assert_eq!(got.len(), PAGE);
            got
        })
    });
    group.bench_function("raw_sdk", |b| {
        b.to_async(*rt).iter(|| async move {
            let got = raw_query(client, LARGE_TABLE, "customer", black_box(key.0))
                .await
                .into_iter()
                .map(order_from)
                .collect::<Option<Vec<_>>>()
                .expect("decodes");
            assert_eq!(got.len(), PAGE);
            got
        })
    });
    group.finish();

    let mut group = c.benchmark_group("batch_write_25/large");
    group.bench_function("dynamorm", |b| {
        b.to_async(*rt)
            .iter(|| async move { Order::put_batch(db, batch).await.expect("put_batch") })
    });
    group.bench_function("raw_sdk", |b| {
        b.to_async(*rt).iter(|| async move {
            raw_batch_write(client, LARGE_TABLE, batch.iter().map(order_item).collect()).await
        })
    });
    group.finish();
}

/// The 12-field model's encoding and decoding alone. serde_dynamo alone
/// stores the string set as a list (`L`) and `None` as `NULL`; it is the
/// floor dynamorm's codec builds on, not an equivalent of it.
fn codec(c: &mut Criterion) {
    let model = order(0);
    let item = order_item(&model);
    assert_eq!(
        dynamorm::codec::from_item::<Order>(item.clone()).unwrap(),
        model
    );
    assert_eq!(order_from(item.clone()).as_ref(), Some(&model));
    let plain = serde_dynamo::aws_sdk_dynamodb_1::to_item(&model).expect("serde_dynamo");
    assert_eq!(
        serde_dynamo::aws_sdk_dynamodb_1::from_item::<Order>(plain.clone()).unwrap(),
        model
    );

    let mut group = c.benchmark_group("codec/large");
    group.bench_function("to_item/dynamorm", |b| {
        b.iter(|| dynamorm::codec::to_item(black_box(&model)).expect("to_item"))
    });
    group.bench_function("to_item/manual", |b| {
        b.iter(|| order_item(black_box(&model)))
    });
    group.bench_function("to_item/serde_dynamo", |b| {
        b.iter(|| serde_dynamo::aws_sdk_dynamodb_1::to_item(black_box(&model)).expect("to_item"))
    });
    // Decoding consumes the item: each iteration gets a clone made outside the timing.
    group.bench_function("from_item/dynamorm", |b| {
        b.iter_batched(
            || item.clone(),
            |item| dynamorm::codec::from_item::<Order>(item).expect("from_item"),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("from_item/manual", |b| {
        b.iter_batched(
            || item.clone(),
            |item| order_from(item).expect("decodes"),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("from_item/serde_dynamo", |b| {
        b.iter_batched(
            || plain.clone(),
            |item| serde_dynamo::aws_sdk_dynamodb_1::from_item::<Order>(item).expect("from_item"),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_secs(1));
    targets = client_overhead
}
criterion_main!(benches);
