//! A fault-injecting SDK interceptor for the integration tests: it makes the
//! engine (embedded or DynamoDB Local) answer a share of the requests of
//! named operations with
//!
//! - **partial results** (`BatchWriteItem`, `BatchGetItem`): some entries are
//!   removed from the request *before it is sent*, so the engine really never
//!   executes them, and are put back into the response as `UnprocessedItems`
//!   / `UnprocessedKeys`, as DynamoDB does under load;
//! - **throttling**: HTTP 400 `ProvisionedThroughputExceededException`;
//! - **server errors**: HTTP 5xx `InternalServerError`.
//!
//! A refused request is never executed either: it is rewritten into a
//! harmless `ListTables` before signing, and the engine's answer is replaced
//! by the fabricated error before the SDK reads it. Any operation can be
//! faulted by name (`"TransactWriteItems"`, `"PutItem"` ...); partial
//! results only exist for the two batch operations.
//!
//! Decisions are reproducible: a request's fate is drawn from a generator
//! seeded with the layer's seed, the operation, what the request asks for
//! (for the batch operations: its tables and entries, in a canonical order)
//! and how often the same request was seen before. So the same seed gives the
//! same faults whatever the order concurrent chunks are sent in.
//!
//! [`FaultLayer::install`] builds a client for the same engine with the SDK's
//! own retries turned off, so dynamorm's retry loop sees every fault.
#![allow(dead_code)]

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::interceptors::{
    BeforeDeserializationInterceptorContextMut, BeforeSerializationInterceptorContextMut,
    BeforeTransmitInterceptorContextMut, FinalizerInterceptorContextMut,
};
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::operation::batch_get_item::{BatchGetItemInput, BatchGetItemOutput};
use aws_sdk_dynamodb::operation::batch_write_item::{BatchWriteItemInput, BatchWriteItemOutput};
use aws_sdk_dynamodb::operation::get_item::GetItemOutput;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, WriteRequest};
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, Metadata};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::{Storable, StoreReplace};
use dynamorm::{Db, Item};

/// What a faulted request gets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    /// A random part of the entries (at least one, at most all) is not
    /// executed and comes back unprocessed. Batch operations only.
    Partial,
    /// HTTP 400 `ProvisionedThroughputExceededException`; nothing executed.
    Throttle,
    /// HTTP `status` (500, 503 ...) `InternalServerError`; nothing executed.
    ServerError(u16),
    /// The engine executes the request, then its answer is lost: the client
    /// sees HTTP `status` `InternalServerError` (a timeout's worst case).
    LostAnswer(u16),
    /// HTTP `status` for a request refused by
    /// [`FaultLayer::refuse_requests_with`]; nothing executed.
    Refused(u16),
}

/// Counts of what the layer did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Injected {
    /// Requests answered with partial results.
    pub partial: usize,
    /// Entries (writes or keys) left unprocessed in those.
    pub dropped: usize,
    /// Requests throttled.
    pub throttled: usize,
    /// Requests answered with a 5xx.
    pub server_errors: usize,
}

struct Rule {
    operation: String,
    fault: Fault,
    share: f64,
}

type Matcher = Box<dyn Fn(&Item) -> bool + Send + Sync>;

/// Changes a read item in place.
type Alter = Box<dyn Fn(&mut Item) + Send + Sync>;

struct Inner {
    seed: u64,
    rules: Vec<Rule>,
    never: Option<Matcher>,
    refuse: Option<(Matcher, u16)>,
    alter_reads: Option<Alter>,
    seen: Mutex<HashMap<(String, u64), u64>>,
    partial: AtomicUsize,
    dropped: AtomicUsize,
    throttled: AtomicUsize,
    server_errors: AtomicUsize,
}

/// The fault-injecting interceptor. Cheap to clone (shared counters).
#[derive(Clone)]
pub struct FaultLayer {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for FaultLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultLayer")
            .field("seed", &self.inner.seed)
            .field("injected", &self.injected())
            .finish()
    }
}

/// What the layer decided for one operation call, kept in its config bag
/// from serialization to completion.
#[derive(Debug, Clone)]
struct Decision {
    /// Answer with this instead of the engine's answer.
    replace: Option<Replace>,
    /// Send the request to the engine anyway (the answer is lost).
    execute: bool,
    /// Entries removed from the request, to report as unprocessed.
    dropped: Option<Dropped>,
}

impl Storable for Decision {
    type Storer = StoreReplace<Self>;
}

#[derive(Debug, Clone, Copy)]
enum Replace {
    Error {
        status: u16,
        code: &'static str,
    },
    /// Every entry was dropped: an empty success, completed with the drops.
    EmptySuccess,
}

#[derive(Debug, Clone)]
enum Dropped {
    Writes(HashMap<String, Vec<WriteRequest>>),
    Keys(HashMap<String, KeysAndAttributes>),
}

impl FaultLayer {
    /// A layer that does nothing yet, drawing from `seed`.
    pub fn new(seed: u64) -> Self {
        FaultLayer {
            inner: Arc::new(Inner {
                seed,
                rules: Vec::new(),
                never: None,
                refuse: None,
                alter_reads: None,
                seen: Mutex::new(HashMap::new()),
                partial: AtomicUsize::new(0),
                dropped: AtomicUsize::new(0),
                throttled: AtomicUsize::new(0),
                server_errors: AtomicUsize::new(0),
            }),
        }
    }

    fn edit(self, f: impl FnOnce(&mut Inner)) -> Self {
        let mut inner =
            Arc::into_inner(self.inner).expect("configure a FaultLayer before sharing it");
        f(&mut inner);
        FaultLayer {
            inner: Arc::new(inner),
        }
    }

    /// Answers a `share` (0.0 ..= 1.0) of the requests of `operation` (e.g.
    /// `"BatchWriteItem"`, `"TransactWriteItems"`) with `fault`. The shares
    /// of one operation's rules add up (one draw per request picks at most one).
    pub fn fail(self, operation: &str, fault: Fault, share: f64) -> Self {
        self.edit(|inner| {
            inner.rules.push(Rule {
                operation: operation.to_owned(),
                fault,
                share,
            })
        })
    }

    /// Never executes a batch entry (a put's item, a delete's or a get's
    /// key) for which `matches` is true: it always comes back unprocessed.
    pub fn never_process(self, matches: impl Fn(&Item) -> bool + Send + Sync + 'static) -> Self {
        self.edit(|inner| inner.never = Some(Box::new(matches)))
    }

    /// Answers every BatchWriteItem that carries an entry for which
    /// `matches` is true with HTTP `status` (400: `ValidationException`,
    /// which retrying cannot fix; 5xx: `InternalServerError`), executing
    /// none of its entries.
    pub fn refuse_requests_with(
        self,
        status: u16,
        matches: impl Fn(&Item) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.edit(|inner| inner.refuse = Some((Box::new(matches), status)))
    }

    /// Changes every item a GetItem returns with `alter` before the client
    /// sees it, as if another writer changed the item right after each read.
    pub fn alter_reads(self, alter: impl Fn(&mut Item) + Send + Sync + 'static) -> Self {
        self.edit(|inner| inner.alter_reads = Some(Box::new(alter)))
    }

    /// The refusal for a batch write that carries a matching entry.
    fn refusal(&self, input: &BatchWriteItemInput) -> Option<Fault> {
        let (matches, status) = self.inner.refuse.as_ref()?;
        let mut writes = input
            .request_items
            .iter()
            .flat_map(|t| t.values())
            .flatten();
        writes
            .any(|w| matches(&write_entry(w)))
            .then_some(Fault::Refused(*status))
    }

    /// What the layer injected so far.
    pub fn injected(&self) -> Injected {
        let i = &self.inner;
        Injected {
            partial: i.partial.load(Ordering::SeqCst),
            dropped: i.dropped.load(Ordering::SeqCst),
            throttled: i.throttled.load(Ordering::SeqCst),
            server_errors: i.server_errors.load(Ordering::SeqCst),
        }
    }

    /// The same engine and table prefix as `db`, through a client that
    /// injects this layer's faults (the SDK's own retries off, so every
    /// fault reaches dynamorm). Keep `db` alive: it may own the engine.
    pub fn install(&self, db: &Db) -> Db {
        let config = db
            .client()
            .config()
            .to_builder()
            .retry_config(RetryConfig::disabled())
            .interceptor(self.clone())
            .build();
        Db::from_client(aws_sdk_dynamodb::Client::from_conf(config))
            .with_table_prefix(db.table_prefix())
            .with_concurrency(db.concurrency())
            .with_retry(db.retry())
    }

    /// The fault for one request: one uniform draw against the cumulative
    /// shares of `operation`'s rules.
    fn pick(&self, operation: &str, rng: &mut fastrand::Rng) -> Option<Fault> {
        let draw = rng.f64();
        let mut upto = 0.0;
        for rule in self.inner.rules.iter().filter(|r| r.operation == operation) {
            upto += rule.share;
            if draw < upto {
                return Some(rule.fault);
            }
        }
        None
    }

    /// A generator for this request: seed, operation, content, occurrence.
    fn rng_for(&self, operation: &str, fingerprint: u64) -> fastrand::Rng {
        let occurrence = {
            let mut seen = self.inner.seen.lock().expect("fault layer lock");
            let n = seen.entry((operation.to_owned(), fingerprint)).or_insert(0);
            *n += 1;
            *n
        };
        let mut hasher = DefaultHasher::new();
        (self.inner.seed, operation, fingerprint, occurrence).hash(&mut hasher);
        fastrand::Rng::with_seed(hasher.finish())
    }

    /// Whether entry `item` is dropped: always when `never_process` matches,
    /// else with probability 1/2 under a partial fault.
    fn drops(&self, item: &Item, partial: bool, rng: &mut fastrand::Rng) -> bool {
        let never = self.inner.never.as_ref().is_some_and(|m| m(item));
        let coin = partial && rng.bool();
        never || coin
    }

    fn drop_writes(
        &self,
        input: &mut BatchWriteItemInput,
        partial: bool,
        rng: &mut fastrand::Rng,
    ) -> (HashMap<String, Vec<WriteRequest>>, bool) {
        let mut dropped = HashMap::new();
        let Some(tables) = input.request_items.as_mut() else {
            return (dropped, true);
        };
        let mut names: Vec<String> = tables.keys().cloned().collect();
        names.sort();
        for name in &names {
            let Some(writes) = tables.get_mut(name) else {
                continue;
            };
            let (mut out, mut kept) = (Vec::new(), Vec::new());
            for write in writes.drain(..) {
                let entry = write_entry(&write);
                if self.drops(&entry, partial, rng) {
                    out.push(write);
                } else {
                    kept.push(write);
                }
            }
            if partial && out.is_empty() && !kept.is_empty() {
                // A partial answer leaves at least one entry unprocessed.
                let at = rng.usize(..kept.len());
                out.push(kept.remove(at));
            }
            *writes = kept;
            if !out.is_empty() {
                dropped.insert(name.clone(), out);
            }
        }
        tables.retain(|_, writes| !writes.is_empty());
        let empty = tables.is_empty();
        (dropped, empty)
    }

    fn drop_keys(
        &self,
        input: &mut BatchGetItemInput,
        partial: bool,
        rng: &mut fastrand::Rng,
    ) -> (HashMap<String, KeysAndAttributes>, bool) {
        let mut dropped = HashMap::new();
        let Some(tables) = input.request_items.as_mut() else {
            return (dropped, true);
        };
        let mut names: Vec<String> = tables.keys().cloned().collect();
        names.sort();
        for name in &names {
            let Some(request) = tables.get_mut(name) else {
                continue;
            };
            let (mut out, mut kept) = (Vec::new(), Vec::new());
            for key in request.keys.drain(..) {
                if self.drops(&key, partial, rng) {
                    out.push(key);
                } else {
                    kept.push(key);
                }
            }
            if partial && out.is_empty() && !kept.is_empty() {
                let at = rng.usize(..kept.len());
                out.push(kept.remove(at));
            }
            request.keys = kept;
            if !out.is_empty() {
                let mut unprocessed = request.clone();
                unprocessed.keys = out;
                dropped.insert(name.clone(), unprocessed);
            }
        }
        tables.retain(|_, request| !request.keys.is_empty());
        let empty = tables.is_empty();
        (dropped, empty)
    }
}

/// What a write touches: the item of a put, the key of a delete.
fn write_entry(write: &WriteRequest) -> Item {
    match (write.put_request(), write.delete_request()) {
        (Some(put), _) => put.item().clone(),
        (None, Some(delete)) => delete.key().clone(),
        (None, None) => Item::new(),
    }
}

/// An attribute value as text with map keys sorted, so equal values hash
/// equally in every process.
fn canonical(value: &AttributeValue, out: &mut String) {
    use std::fmt::Write as _;
    match value {
        AttributeValue::M(map) => {
            out.push('{');
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for key in keys {
                let _ = write!(out, "{key:?}:");
                canonical(&map[key], out);
                out.push(',');
            }
            out.push('}');
        }
        AttributeValue::L(list) => {
            out.push('[');
            for v in list {
                canonical(v, out);
                out.push(',');
            }
            out.push(']');
        }
        other => {
            let _ = write!(out, "{other:?}");
        }
    }
}

fn canonical_item(item: &Item) -> String {
    let mut out = String::new();
    canonical(&AttributeValue::M(item.clone()), &mut out);
    out
}

/// A hash of what a batch request asks for, independent of map order and of
/// the table names (tests prefix them uniquely per run).
fn fingerprint(entries: impl Iterator<Item = String>) -> u64 {
    let mut entries: Vec<String> = entries.collect();
    entries.sort();
    let mut hasher = DefaultHasher::new();
    entries.hash(&mut hasher);
    hasher.finish()
}

/// An HTTP response of the DynamoDB JSON protocol.
pub fn json_response(status: u16, body: String) -> HttpResponse {
    let mut response = HttpResponse::new(
        status.try_into().expect("a valid HTTP status"),
        SdkBody::from(body),
    );
    response
        .headers_mut()
        .insert("content-type", "application/x-amz-json-1.0");
    response
}

/// The body of an error answer with `code`.
pub fn error_body(code: &str, message: &str) -> String {
    format!(r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"{message}"}}"#)
}

impl Intercept for FaultLayer {
    fn name(&self) -> &'static str {
        "FaultLayer"
    }

    fn modify_before_serialization(
        &self,
        context: &mut BeforeSerializationInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg
            .load::<Metadata>()
            .map(|m| m.name().to_owned())
            .unwrap_or_default();
        let input = context.input_mut();
        let fingerprint = if let Some(write) = input.downcast_ref::<BatchWriteItemInput>() {
            let writes = write
                .request_items
                .iter()
                .flat_map(|t| t.values())
                .flatten();
            fingerprint(writes.map(|w| canonical_item(&write_entry(w))))
        } else if let Some(get) = input.downcast_ref::<BatchGetItemInput>() {
            let keys = get.request_items.iter().flat_map(|t| t.values());
            fingerprint(keys.flat_map(|k| k.keys.iter().map(canonical_item)))
        } else {
            0
        };
        let mut rng = self.rng_for(&operation, fingerprint);
        let refused = input
            .downcast_ref::<BatchWriteItemInput>()
            .and_then(|write| self.refusal(write));
        let fault = refused.or_else(|| self.pick(&operation, &mut rng));
        let decision = match fault {
            Some(Fault::Refused(status)) => {
                self.inner.server_errors.fetch_add(1, Ordering::SeqCst);
                Decision {
                    replace: Some(Replace::Error {
                        status,
                        code: if status < 500 {
                            "ValidationException"
                        } else {
                            "InternalServerError"
                        },
                    }),
                    execute: false,
                    dropped: None,
                }
            }
            Some(Fault::Throttle) => {
                self.inner.throttled.fetch_add(1, Ordering::SeqCst);
                Decision {
                    replace: Some(Replace::Error {
                        status: 400,
                        code: "ProvisionedThroughputExceededException",
                    }),
                    execute: false,
                    dropped: None,
                }
            }
            Some(Fault::ServerError(status)) => {
                self.inner.server_errors.fetch_add(1, Ordering::SeqCst);
                Decision {
                    replace: Some(Replace::Error {
                        status,
                        code: "InternalServerError",
                    }),
                    execute: false,
                    dropped: None,
                }
            }
            Some(Fault::LostAnswer(status)) => {
                self.inner.server_errors.fetch_add(1, Ordering::SeqCst);
                Decision {
                    replace: Some(Replace::Error {
                        status,
                        code: "InternalServerError",
                    }),
                    execute: true,
                    dropped: None,
                }
            }
            partial => {
                let partial = partial == Some(Fault::Partial);
                let (dropped, empty) =
                    if let Some(write) = input.downcast_mut::<BatchWriteItemInput>() {
                        let (dropped, empty) = self.drop_writes(write, partial, &mut rng);
                        let n: usize = dropped.values().map(Vec::len).sum();
                        ((n > 0).then_some((Dropped::Writes(dropped), n)), empty)
                    } else if let Some(get) = input.downcast_mut::<BatchGetItemInput>() {
                        let (dropped, empty) = self.drop_keys(get, partial, &mut rng);
                        let n: usize = dropped.values().map(|k| k.keys.len()).sum();
                        ((n > 0).then_some((Dropped::Keys(dropped), n)), empty)
                    } else {
                        (None, false)
                    };
                let Some((dropped, n)) = dropped else {
                    return Ok(());
                };
                self.inner.partial.fetch_add(1, Ordering::SeqCst);
                self.inner.dropped.fetch_add(n, Ordering::SeqCst);
                Decision {
                    replace: empty.then_some(Replace::EmptySuccess),
                    execute: false,
                    dropped: Some(dropped),
                }
            }
        };
        cfg.interceptor_state().store_put(decision);
        Ok(())
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if cfg
            .load::<Decision>()
            .is_some_and(|d| d.replace.is_some() && !d.execute)
        {
            // Not executed: the engine sees a harmless read instead.
            let request = context.request_mut();
            let body = r#"{"Limit":1}"#;
            request
                .headers_mut()
                .insert("x-amz-target", "DynamoDB_20120810.ListTables");
            request
                .headers_mut()
                .insert("content-length", body.len().to_string());
            *request.body_mut() = SdkBody::from(body);
        }
        Ok(())
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(replace) = cfg.load::<Decision>().and_then(|d| d.replace) else {
            return Ok(());
        };
        let (status, body) = match replace {
            Replace::Error { status, code } => {
                (status, error_body(code, "injected by the test FaultLayer"))
            }
            Replace::EmptySuccess => (200, "{}".to_owned()),
        };
        *context.response_mut() = json_response(status, body);
        Ok(())
    }

    fn modify_before_completion(
        &self,
        context: &mut FinalizerInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let (Some(alter), Some(Ok(output))) =
            (&self.inner.alter_reads, context.output_or_error_mut())
        {
            if let Some(read) = output.downcast_mut::<GetItemOutput>() {
                if let Some(item) = read.item.as_mut() {
                    alter(item);
                }
            }
        }
        let Some(dropped) = cfg.load::<Decision>().and_then(|d| d.dropped.clone()) else {
            return Ok(());
        };
        let Some(Ok(output)) = context.output_or_error_mut() else {
            return Ok(());
        };
        match dropped {
            Dropped::Writes(dropped) => {
                if let Some(output) = output.downcast_mut::<BatchWriteItemOutput>() {
                    let unprocessed = output.unprocessed_items.get_or_insert_with(HashMap::new);
                    for (table, writes) in dropped {
                        unprocessed.entry(table).or_default().extend(writes);
                    }
                }
            }
            Dropped::Keys(dropped) => {
                if let Some(output) = output.downcast_mut::<BatchGetItemOutput>() {
                    let unprocessed = output.unprocessed_keys.get_or_insert_with(HashMap::new);
                    for (table, keys) in dropped {
                        match unprocessed.get_mut(&table) {
                            Some(left) => left.keys.extend(keys.keys),
                            None => {
                                unprocessed.insert(table, keys);
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}
