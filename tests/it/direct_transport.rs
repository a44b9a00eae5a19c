//! The direct transport against answers an engine gives only on demand
//! (through a fault-injecting proxy): what the SDK retries is retried, what
//! it does not is not, a corrupted answer is caught by its CRC32, a wrong
//! clock is corrected from the server's; and errors read the same on both
//! transports.

use std::time::{Duration, SystemTime};

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::date_time::{DateTime, Format};
use dynamorm::prelude::*;
use dynamorm::{PutRequest, Retry, Transport};
use serde::{Deserialize, Serialize};

use crate::support::common::db;
use crate::support::fault_proxy::{Fault, FaultProxy};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "pairs", billing = "on_demand")]
struct Pair {
    #[dynamo(hash_key)]
    id: String,
    n: i64,
}

fn pair(id: &str, n: i64) -> Pair {
    Pair { id: id.into(), n }
}

/// The engine's handle, a proxy in front of it, and a direct-transport
/// handle through the proxy that does not retry on its own (so only the
/// transport's retries count).
async fn through_a_proxy() -> (Db, FaultProxy, Db) {
    let db = db().await;
    Pair::table(&db).create().await.unwrap();
    let proxy = FaultProxy::start(db.endpoint().expect("a local engine")).await;
    let through = Db::connect_local(&proxy.url)
        .await
        .with_table_prefix(db.table_prefix())
        .with_retry(Retry::never());
    assert_eq!(through.transport(), Transport::Direct);
    (db, proxy, through)
}

/// Every message in `err`'s chain of sources.
fn chain(err: &dynamorm::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(next) = source {
        text.push_str(" / ");
        text.push_str(&next.to_string());
        source = next.source();
    }
    text
}

#[tokio::test]
async fn throttling_and_server_errors_are_retried_and_the_write_lands_once() {
    let (db, proxy, through) = through_a_proxy().await;
    proxy.plan("PutItem", [Fault::Throttle, Fault::ServerError]);
    pair("a", 1).save(&through).await.unwrap();
    assert_eq!(proxy.seen("PutItem").len(), 3);
    assert_eq!(Pair::get(&db, "a").await.unwrap(), Some(pair("a", 1)));
}

#[tokio::test]
async fn when_the_attempts_run_out_the_error_is_the_sdks_own() {
    let (db, proxy, through) = through_a_proxy().await;
    proxy.always("PutItem", Fault::Throttle);
    let err = pair("a", 1).save(&through).await.unwrap_err();
    assert!(err.is_throttling(), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(err.code(), Some("ThrottlingException"));
    // The SDK's default: three attempts.
    assert_eq!(proxy.seen("PutItem").len(), 3);
    let dynamorm::Error::Sdk {
        source,
        status,
        operation,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*operation, *status), ("PutItem", Some(400)));
    let sdk = source
        .downcast_ref::<SdkError<PutItemError, HttpResponse>>()
        .expect("the SDK's error type");
    assert!(sdk
        .as_service_error()
        .is_some_and(PutItemError::is_throttling_exception));
    assert_eq!(
        sdk.raw_response()
            .and_then(|r| r.headers().get("x-amzn-requestid")),
        Some("fault-proxy")
    );
    assert_eq!(Pair::get(&db, "a").await.unwrap(), None);
}

#[tokio::test]
async fn a_corrupted_answer_fails_its_crc32_check_and_is_retried() {
    let (db, proxy, through) = through_a_proxy().await;
    pair("a", 1).save(&db).await.unwrap();
    proxy.plan("GetItem", [Fault::CorruptBody]);
    assert_eq!(Pair::get(&through, "a").await.unwrap(), Some(pair("a", 1)));
    assert_eq!(proxy.seen("GetItem").len(), 2);

    proxy.always("GetItem", Fault::CorruptBody);
    let err = Pair::get(&through, "a").await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
    assert!(chain(&err).contains("CRC32"), "{}", chain(&err));
}

/// Seconds since the epoch of an `x-amz-date` (`20261206T101500Z`).
fn amz_seconds(amz_date: &str) -> i64 {
    let b = amz_date.as_bytes();
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        std::str::from_utf8(&b[0..4]).unwrap(),
        std::str::from_utf8(&b[4..6]).unwrap(),
        std::str::from_utf8(&b[6..8]).unwrap(),
        std::str::from_utf8(&b[9..11]).unwrap(),
        std::str::from_utf8(&b[11..13]).unwrap(),
        std::str::from_utf8(&b[13..15]).unwrap(),
    );
    DateTime::from_str(&iso, Format::DateTime).unwrap().secs()
}

#[tokio::test]
async fn a_clock_skew_refusal_is_retried_signed_on_the_servers_clock() {
    let (db, proxy, through) = through_a_proxy().await;
    pair("a", 1).save(&db).await.unwrap();
    let hour = Duration::from_secs(3600);
    proxy.plan("GetItem", [Fault::SkewedClock { ahead: hour }]);
    assert_eq!(Pair::get(&through, "a").await.unwrap(), Some(pair("a", 1)));
    let seen = proxy.seen("GetItem");
    assert_eq!(seen.len(), 2);
    let now = DateTime::from(SystemTime::now()).secs();
    let retried_at = amz_seconds(&seen[1].amz_date);
    assert!(
        (retried_at - (now + 3600)).abs() < 120,
        "signed at {retried_at}, the server's clock is {}",
        now + 3600
    );
}

#[tokio::test]
async fn a_signature_refusal_with_a_clock_close_to_ours_is_not_retried() {
    let (_db, proxy, through) = through_a_proxy().await;
    proxy.plan(
        "GetItem",
        [Fault::SkewedClock {
            ahead: Duration::from_secs(60),
        }],
    );
    let err = Pair::get(&through, "a").await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidSignatureException"));
    assert!(!err.is_retryable());
    assert_eq!(proxy.seen("GetItem").len(), 1);
}

#[tokio::test]
async fn errors_read_the_same_on_both_transports() {
    let db = db().await;
    Pair::table(&db).create().await.unwrap();
    pair("a", 1).save(&db).await.unwrap();
    let direct = db.with_transport(Transport::Direct);
    let sdk = db.with_transport(Transport::Sdk);
    assert_eq!(direct.transport(), Transport::Direct);
    assert_eq!(sdk.transport(), Transport::Sdk);

    let missing = |db: &Db| db.with_table_prefix(format!("{}missing-", db.table_prefix()));
    let on_direct = Pair::get(&missing(&direct), "a").await.unwrap_err();
    let on_sdk = Pair::get(&missing(&sdk), "a").await.unwrap_err();
    assert_eq!(on_direct.code(), Some("ResourceNotFoundException"));
    assert_eq!(on_direct.to_string(), on_sdk.to_string());
    let (
        dynamorm::Error::Sdk {
            code: c1,
            message: m1,
            status: s1,
            transport: t1,
            ..
        },
        dynamorm::Error::Sdk {
            code: c2,
            message: m2,
            status: s2,
            transport: t2,
            ..
        },
    ) = (&on_direct, &on_sdk)
    else {
        panic!("{on_direct:?} / {on_sdk:?}")
    };
    assert_eq!((c1, m1, s1, t1), (c2, m2, s2, t2));

    let taken_direct = pair("a", 2).save(&direct).unique().await.unwrap_err();
    let taken_sdk = pair("a", 3).save(&sdk).unique().await.unwrap_err();
    assert!(matches!(
        taken_direct,
        dynamorm::Error::AlreadyExists { .. }
    ));
    assert_eq!(taken_direct.to_string(), taken_sdk.to_string());
    assert_eq!(Pair::get(&db, "a").await.unwrap(), Some(pair("a", 1)));
}

#[tokio::test]
async fn a_handle_from_a_client_keeps_the_sdk_transport() {
    let db = db().await;
    let from_client = Db::from_client(db.client().clone());
    assert_eq!(from_client.transport(), Transport::Sdk);
    assert_eq!(
        from_client.with_transport(Transport::Direct).transport(),
        Transport::Sdk
    );
}

#[tokio::test]
async fn batches_and_transactions_are_retried_by_the_transport_too() {
    let (db, proxy, through) = through_a_proxy().await;
    proxy.plan("BatchWriteItem", [Fault::Throttle]);
    let pairs: Vec<Pair> = (0..30).map(|i| pair(&format!("p{i:02}"), i)).collect();
    Pair::put_batch(&through, &pairs).await.unwrap();
    // Two chunks of 25 and 5, one of them throttled once.
    assert_eq!(proxy.seen("BatchWriteItem").len(), 3);

    proxy.plan("TransactWriteItems", [Fault::ServerError]);
    through
        .transact_write()
        .put(PutRequest::new(&pair("t1", 1)))
        .update(Pair::update_op("p00").plus(Pair::N, 100))
        .await
        .unwrap();
    assert_eq!(proxy.seen("TransactWriteItems").len(), 2);
    assert_eq!(Pair::get(&db, "t1").await.unwrap(), Some(pair("t1", 1)));
    assert_eq!(Pair::get(&db, "p00").await.unwrap(), Some(pair("p00", 100)));

    let keys: Vec<&str> = vec!["p01", "p29", "none"];
    let found = Pair::get_batch(&through, keys).await.unwrap();
    assert_eq!(found.len(), 2);
}
