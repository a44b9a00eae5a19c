//! The direct transport: the data-plane operations sent as DynamoDB's JSON
//! protocol over hyper, signed with SigV4 from the SDK configuration's
//! credentials provider and region, retried with the SDK's standard policy
//! (throttling and transient error codes, 500/502/503/504, connection
//! failures, clock skew; the configuration's attempts and backoff), each
//! answer's CRC32 checked, and outputs and errors built as the SDK's own
//! types. The configuration's operation timeout bounds a call, its attempt
//! timeout (else its read timeout) each attempt, its connect timeout each
//! new connection; the SDK's retry quota (a token bucket shared by a
//! client's calls) is left out, as dynamorm's own [`Retry`](crate::Retry)
//! paces the retries above it. It leaves out what costs the SDK's orchestrator most per call
//! (runtime-plugin and config-bag merging, interceptors, a canonical
//! request built for any protocol, a signing key derived per request).
//!
//! - [`attribute_json`]: attribute values in the JSON protocol;
//! - [`signing`]: SigV4 for these requests;
//! - [`connection`]: the pooled HTTP/1.1 connections (TLS for `https://`),
//!   the CRC32 check;
//! - [`endpoint`]: the endpoint a shared configuration sends DynamoDB's
//!   requests to;
//! - [`errors`]: error answers as the SDK reads them;
//! - [`operations`]: each operation's request, answer and errors.

// The transport hands back the SDK's own (large) error types, unboxed, as
// the SDK's client does.
#![allow(clippy::result_large_err)]

pub(crate) mod attribute_json;
pub(crate) mod connection;
mod endpoint;
pub(crate) mod errors;
pub(crate) mod operations;
pub(crate) mod signing;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::RwLock;
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use aws_sdk_dynamodb::error::SdkError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::date_time::{DateTime, Format};
use aws_smithy_types::retry::{ErrorKind, RetryConfig};
use aws_smithy_types::timeout::TimeoutConfig;
use bytes::Bytes;
use http::header::HeaderValue;

use crate::wire::connection::{Answer, Connection, Failure};
use crate::wire::errors::ErrorParts;
use crate::wire::operations::Operation;
use crate::wire::signing::Signer;

/// Error codes the SDK retries as throttling.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes the SDK retries as transient.
const TRANSIENT_CODES: &[&str] = &["RequestTimeout", "RequestTimeoutException"];

/// Error codes that may mean the client's clock is off.
const CLOCK_SKEW_CODES: &[&str] = &[
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
    "RequestTimeTooSkewed",
    "AccessDeniedException",
];

/// A clock-skew error is retried only when the server's clock is this far off.
const SKEW_THRESHOLD_MS: i64 = 4 * 60 * 1000;

/// The SDK's connect timeout when the configuration sets none.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);

/// Credentials are refreshed this long before they expire.
const CREDENTIALS_BUFFER: Duration = Duration::from_secs(10);

/// The direct transport to one endpoint.
#[derive(Debug)]
pub(crate) struct Direct {
    connection: Connection,
    signer: Signer,
    credentials: CredentialCache,
    retry: RetryConfig,
    timeouts: TimeoutConfig,
    /// The server's clock minus ours, in milliseconds, once a clock-skew
    /// error showed it.
    skew_ms: AtomicI64,
}

impl Direct {
    /// The direct transport to DynamoDB's endpoint for `config` (see
    /// [`endpoint`]); `None` when it has none, or as [`Direct::new`].
    pub(crate) async fn for_config(config: &aws_config::SdkConfig) -> Option<Self> {
        Direct::new(&endpoint::endpoint_url(config).await?, config)
    }

    /// The direct transport to `url`, for the configuration's region,
    /// credentials, retries and timeouts; `None` unless `url` is an
    /// `http://` or `https://` URL without a path and the configuration has
    /// a region and credentials (and, for `https://`, the platform has root
    /// certificates).
    pub(crate) fn new(url: &str, config: &aws_config::SdkConfig) -> Option<Self> {
        let uri: http::Uri = url.parse().ok()?;
        let scheme = match uri.scheme_str() {
            Some(scheme @ ("http" | "https")) => scheme,
            _ => return None,
        };
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return None;
        }
        let host = uri.authority()?.as_str().to_owned();
        let root: http::Uri = format!("{scheme}://{host}/").parse().ok()?;
        let region = config.region()?;
        let timeouts = config.timeout_config().cloned().unwrap_or_else(|| {
            TimeoutConfig::builder()
                .connect_timeout(DEFAULT_CONNECT_TIMEOUT)
                .build()
        });
        Some(Direct {
            connection: Connection::new(root, &host, timeouts.connect_timeout())?,
            signer: Signer::new(region.as_ref(), &host),
            credentials: CredentialCache::new(config.credentials_provider()?),
            retry: config
                .retry_config()
                .cloned()
                .unwrap_or_else(RetryConfig::standard),
            timeouts,
            skew_ms: AtomicI64::new(0),
        })
    }

    /// Sends `operation`, retrying what the SDK would retry.
    pub(crate) async fn send<O: Operation>(
        &self,
        operation: O,
    ) -> Result<O::Output, SdkError<O::Error, HttpResponse>> {
        let send = self.send_with_retries(operation);
        match self.timeouts.operation_timeout() {
            Some(limit) => tokio::time::timeout(limit, send)
                .await
                .unwrap_or_else(|elapsed| Err(SdkError::timeout_error(elapsed))),
            None => send.await,
        }
    }

    async fn send_with_retries<O: Operation>(
        &self,
        operation: O,
    ) -> Result<O::Output, SdkError<O::Error, HttpResponse>> {
        let body = Bytes::from(operation.encode().map_err(SdkError::construction_failure)?);
        let target = HeaderValue::from_static(O::TARGET);
        let attempts = self.retry.max_attempts().max(1);
        let mut attempt = 1;
        loop {
            let (result, retryable) = self.attempt::<O>(&target, body.clone()).await;
            if !retryable || attempt >= attempts {
                return result;
            }
            tokio::time::sleep(self.backoff(attempt)).await;
            attempt += 1;
        }
    }

    /// The sleep before retry `attempt` (1 for the first retry): the SDK's
    /// exponential backoff with full jitter.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = if self.retry.use_static_exponential_base() {
            1.0
        } else {
            fastrand::f64()
        };
        let exponent = attempt.saturating_sub(1).min(30) as i32;
        let delay = self.retry.initial_backoff().as_secs_f64() * base * 2f64.powi(exponent);
        Duration::from_secs_f64(delay.min(self.retry.max_backoff().as_secs_f64()))
    }

    /// One attempt, and whether its outcome is worth another.
    async fn attempt<O: Operation>(
        &self,
        target: &HeaderValue,
        body: Bytes,
    ) -> (Result<O::Output, SdkError<O::Error, HttpResponse>>, bool) {
        let credentials = match self.credentials.get().await {
            Ok(credentials) => credentials,
            Err(err) => return (Err(SdkError::construction_failure(err)), false),
        };
        let now = SystemTime::now();
        let signed_at = skewed(now, self.skew_ms.load(Ordering::Relaxed));
        let signature = self.signer.sign(&credentials, O::TARGET, &body, signed_at);
        let post =
            self.connection
                .post(target.clone(), signature, credentials.session_token(), body);
        let limit = self
            .timeouts
            .operation_attempt_timeout()
            .or(self.timeouts.read_timeout());
        let answered = match limit {
            Some(limit) => match tokio::time::timeout(limit, post).await {
                Ok(answered) => answered,
                Err(elapsed) => return (Err(SdkError::timeout_error(elapsed)), true),
            },
            None => post.await,
        };
        let answer = match answered {
            Ok(answer) => answer,
            Err(Failure::Io(err)) => {
                return (
                    Err(SdkError::dispatch_failure(ConnectorError::io(err))),
                    true,
                )
            }
            Err(checksum @ Failure::Checksum { .. }) => {
                let err = ConnectorError::other(checksum.into(), Some(ErrorKind::TransientError));
                return (Err(SdkError::dispatch_failure(err)), true);
            }
        };
        if answer.status.is_success() {
            return match O::decode_body(answer.body.clone()) {
                Ok(output) => (Ok(output), false),
                Err(err) => (
                    Err(SdkError::response_error(err, raw_response(answer))),
                    false,
                ),
            };
        }
        let parts = ErrorParts::read(&answer.headers, &answer.body);
        let retryable = match parts.code() {
            Some(code) if THROTTLING_CODES.contains(&code) || TRANSIENT_CODES.contains(&code) => {
                true
            }
            Some(code) if CLOCK_SKEW_CODES.contains(&code) => self.learn_skew(&answer, now),
            _ => matches!(answer.status.as_u16(), 500 | 502 | 503 | 504),
        };
        let error = O::error(parts);
        (
            Err(SdkError::service_error(error, raw_response(answer))),
            retryable,
        )
    }

    /// Takes the server's clock from a clock-skew error's `Date`; true
    /// when it is off enough for a retry signed on its time to help.
    fn learn_skew(&self, answer: &Answer, sent: SystemTime) -> bool {
        let Some(server) = answer
            .headers
            .get(http::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::from_str(v, Format::HttpDate).ok())
        else {
            return false;
        };
        let ours = DateTime::from(sent);
        let skew = (server.secs() - ours.secs()).saturating_mul(1000);
        if skew.abs() <= SKEW_THRESHOLD_MS {
            return false;
        }
        self.skew_ms.store(skew, Ordering::Relaxed);
        true
    }
}

/// `now`, moved by `skew_ms` milliseconds.
fn skewed(now: SystemTime, skew_ms: i64) -> SystemTime {
    let by = Duration::from_millis(skew_ms.unsigned_abs());
    let moved = if skew_ms >= 0 {
        now.checked_add(by)
    } else {
        now.checked_sub(by)
    };
    moved.unwrap_or(now)
}

/// The answer as the SDK's raw response, for the error that carries it.
fn raw_response(answer: Answer) -> HttpResponse {
    let mut response = http::Response::new(SdkBody::from(answer.body));
    *response.status_mut() = answer.status;
    *response.headers_mut() = answer.headers;
    HttpResponse::try_from(response).unwrap_or_else(|_| {
        HttpResponse::new(
            aws_smithy_runtime_api::http::StatusCode::from(answer.status),
            SdkBody::empty(),
        )
    })
}

/// The credentials of a provider, kept until shortly before they expire.
#[derive(Debug)]
struct CredentialCache {
    provider: SharedCredentialsProvider,
    current: RwLock<Option<Credentials>>,
    refresh: tokio::sync::Mutex<()>,
}

impl CredentialCache {
    fn new(provider: SharedCredentialsProvider) -> Self {
        CredentialCache {
            provider,
            current: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    fn fresh(&self) -> Option<Credentials> {
        let current = self.current.read().unwrap_or_else(|p| p.into_inner());
        current
            .as_ref()
            .filter(|c| {
                c.expiry()
                    .is_none_or(|expiry| expiry > SystemTime::now() + CREDENTIALS_BUFFER)
            })
            .cloned()
    }

    async fn get(
        &self,
    ) -> Result<Credentials, aws_credential_types::provider::error::CredentialsError> {
        if let Some(credentials) = self.fresh() {
            return Ok(credentials);
        }
        let _one_refresh = self.refresh.lock().await;
        if let Some(credentials) = self.fresh() {
            return Ok(credentials);
        }
        let credentials = self.provider.provide_credentials().await?;
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(credentials.clone());
        Ok(credentials)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;

    use aws_credential_types::provider::{future, ProvideCredentials};

    use super::*;

    /// Hands out credentials that expire `lifetime` from now, counting how
    /// often it is asked.
    #[derive(Debug)]
    struct Expiring {
        lifetime: Duration,
        asked: Arc<AtomicUsize>,
    }

    impl ProvideCredentials for Expiring {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            let n = self.asked.fetch_add(1, Ordering::Relaxed);
            future::ProvideCredentials::ready(Ok(Credentials::new(
                format!("key{n}"),
                "secret",
                Some("token".into()),
                Some(SystemTime::now() + self.lifetime),
                "test",
            )))
        }
    }

    fn cache(lifetime: Duration) -> (CredentialCache, Arc<AtomicUsize>) {
        let asked = Arc::new(AtomicUsize::new(0));
        let provider = Expiring {
            lifetime,
            asked: asked.clone(),
        };
        (
            CredentialCache::new(SharedCredentialsProvider::new(provider)),
            asked,
        )
    }

    #[tokio::test]
    async fn credentials_are_kept_until_shortly_before_they_expire() {
        let (lasting, asked) = cache(Duration::from_secs(3600));
        for _ in 0..5 {
            assert_eq!(lasting.get().await.unwrap().access_key_id(), "key0");
        }
        assert_eq!(asked.load(Ordering::Relaxed), 1);

        // Within the refresh buffer of their expiry: fetched again each time.
        let (expiring, asked) = cache(CREDENTIALS_BUFFER / 2);
        assert_eq!(expiring.get().await.unwrap().access_key_id(), "key0");
        assert_eq!(expiring.get().await.unwrap().access_key_id(), "key1");
        assert_eq!(asked.load(Ordering::Relaxed), 2);
    }
}
