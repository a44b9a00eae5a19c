//! Shared set-up for the integration tests: one engine per test and unique
//! table names, so tests run in parallel against the embedded engine or, with
//! `DYNAMORM_TEST_ENDPOINT=http://127.0.0.1:PORT`, against DynamoDB Local.
//! `DYNAMORM_TEST_TRANSPORT=sdk` sends the data-plane requests through the
//! SDK's orchestrator instead of dynamorm's direct transport.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use dynamorm::{Db, Transport};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The endpoint the tests run against, if not the embedded engine.
pub fn endpoint() -> Option<String> {
    std::env::var("DYNAMORM_TEST_ENDPOINT")
        .ok()
        .filter(|e| !e.trim().is_empty())
}

/// A database handle with a table prefix no other test uses.
pub async fn db() -> Db {
    let db = match endpoint() {
        Some(url) => Db::connect_local(&url).await,
        None => Db::embedded().await.expect("embedded engine starts"),
    };
    let db = db.with_transport(transport());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    db.with_table_prefix(format!("t{}-{n}-{nanos}-", std::process::id()))
}

/// The transport the tests' handles use: `DYNAMORM_TEST_TRANSPORT=sdk`
/// for the SDK's, else the direct one.
pub fn transport() -> Transport {
    match std::env::var("DYNAMORM_TEST_TRANSPORT").as_deref() {
        Ok("sdk") => Transport::Sdk,
        _ => Transport::Direct,
    }
}

/// True when running against the embedded engine.
pub fn embedded() -> bool {
    endpoint().is_none()
}

/// Counts the requests a client sends, and how many were in flight at once
/// at most (an SDK interceptor).
#[derive(Debug, Clone, Default)]
pub struct RequestCounter {
    sent: Arc<AtomicUsize>,
    in_flight: Arc<AtomicUsize>,
    max_in_flight: Arc<AtomicUsize>,
}

impl RequestCounter {
    /// Requests sent so far.
    pub fn get(&self) -> usize {
        self.sent.load(Ordering::SeqCst)
    }

    /// The most requests that were awaiting their answer at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }
}

impl aws_sdk_dynamodb::config::Intercept for RequestCounter {
    fn name(&self) -> &'static str {
        "RequestCounter"
    }

    fn read_before_transmit(
        &self,
        _context: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        _config: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        Ok(())
    }

    fn read_after_transmit(
        &self,
        _context: &aws_sdk_dynamodb::config::interceptors::BeforeDeserializationInterceptorContextRef<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        _config: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        Ok(())
    }
}

/// The same engine and prefix as `db`, through a client that counts its requests.
pub fn counting(db: &Db) -> (Db, RequestCounter) {
    let counter = RequestCounter::default();
    let config = db
        .client()
        .config()
        .to_builder()
        .interceptor(counter.clone())
        .build();
    let counted = Db::from_client(aws_sdk_dynamodb::Client::from_conf(config))
        .with_table_prefix(db.table_prefix());
    (counted, counter)
}

/// An endpoint URL nothing listens on (a listener bound, then dropped).
pub fn dead_endpoint() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port");
    format!("http://127.0.0.1:{port}")
}

/// The item stored under `key` in `table`, as the engine holds it (a
/// strongly consistent GetItem; `None` when there is none).
pub async fn stored_item(
    db: &Db,
    table: &str,
    key: &[(&str, aws_sdk_dynamodb::types::AttributeValue)],
) -> Option<dynamorm::Item> {
    let mut get = db
        .client()
        .get_item()
        .table_name(table)
        .consistent_read(true);
    for (name, value) in key {
        get = get.key(*name, value.clone());
    }
    get.send().await.expect("GetItem").item
}

/// Every change of a change stream until now (`.until_now()`), or a test
/// failure after a minute: such a stream ends by itself.
pub async fn changes_until_now<S: dynamorm::stream::ChangeSource>(
    changes: dynamorm::ops::changes::Changes<S>,
) -> Vec<dynamorm::Result<dynamorm::stream::Change<S>>> {
    use futures::StreamExt;
    tokio::time::timeout(
        std::time::Duration::from_secs(60),
        changes.until_now().stream().collect(),
    )
    .await
    .expect("an until_now stream ends")
}
