//! The HTTP/1.1 connections to one endpoint: hyper's pooled client (over
//! TLS for an `https://` endpoint, trusting the platform's root
//! certificates as the SDK's default client does), one `POST /` per
//! request, the whole answer read before it is looked at, and its CRC32
//! (`x-amz-crc32`) checked when the engine sends one.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST};
use http::{HeaderMap, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::wire::signing::{Signature, CONTENT_TYPE as JSON_1_0};

/// The pooled connections to one endpoint.
#[derive(Debug)]
pub(crate) struct Connection {
    pool: Pool,
    uri: Uri,
    host: HeaderValue,
}

/// hyper's pooled client: plain TCP, or TLS over it.
enum Pool {
    Plain(Client<HttpConnector, Full<Bytes>>),
    Tls(Client<HttpsConnector<HttpConnector>, Full<Bytes>>),
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Pool::Plain(_) => "Pool::Plain",
            Pool::Tls(_) => "Pool::Tls",
        })
    }
}

/// TLS over `tcp`, trusting the platform's root certificates (and, as
/// rustls-native-certs reads them, `SSL_CERT_FILE` / `SSL_CERT_DIR`);
/// `None` when there are none to trust.
fn tls_over(mut tcp: HttpConnector) -> Option<HttpsConnector<HttpConnector>> {
    tcp.enforce_http(false);
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if roots.is_empty() {
        return None;
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .ok()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Some(
        HttpsConnectorBuilder::new()
            .with_tls_config(config)
            .https_only()
            .enable_http1()
            .wrap_connector(tcp),
    )
}

/// A whole answer.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The HTTP status.
    pub status: http::StatusCode,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body.
    pub body: Bytes,
}

/// Why no answer came back.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Failure {
    /// Connecting, writing or reading failed.
    #[error("sending the request failed: {0}")]
    Io(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The answer's body does not match its `x-amz-crc32` header.
    #[error("the answer's CRC32 is {actual}, its x-amz-crc32 header says {expected}")]
    Checksum {
        /// What the header says.
        expected: u32,
        /// What the body hashes to.
        actual: u32,
    },
}

impl Connection {
    /// Connections to `uri` (`http://host:port` or `https://host`, whose
    /// authority is `host`), giving up on a connection attempt after
    /// `connect_timeout`; `None` for an `https://` endpoint when the
    /// platform has no root certificates.
    pub(crate) fn new(uri: Uri, host: &str, connect_timeout: Option<Duration>) -> Option<Self> {
        let mut tcp = HttpConnector::new();
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(connect_timeout);
        let mut builder = Client::builder(TokioExecutor::new());
        builder
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(90));
        let pool = match uri.scheme_str() {
            Some("https") => Pool::Tls(builder.build(tls_over(tcp)?)),
            _ => Pool::Plain(builder.build(tcp)),
        };
        Some(Connection {
            pool,
            uri,
            host: HeaderValue::from_str(host).ok()?,
        })
    }

    /// Sends one signed request with `target` (`DynamoDB_20120810.GetItem`)
    /// and `body`, and reads the whole answer.
    pub(crate) async fn post(
        &self,
        target: HeaderValue,
        signature: Signature,
        token: Option<&str>,
        body: Bytes,
    ) -> Result<Answer, Failure> {
        let io = |e: Box<dyn std::error::Error + Send + Sync>| Failure::Io(e);
        let mut request = Request::post(self.uri.clone())
            .header(HOST, self.host.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static(JSON_1_0))
            .header("x-amz-date", signature.amz_date)
            .header("x-amz-target", target)
            .header(AUTHORIZATION, signature.authorization);
        if let Some(token) = token {
            request = request.header("x-amz-security-token", token.trim());
        }
        let request = request.body(Full::new(body)).map_err(|e| io(e.into()))?;
        let response = match &self.pool {
            Pool::Plain(client) => client.request(request).await,
            Pool::Tls(client) => client.request(request).await,
        }
        .map_err(|e| io(e.into()))?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(|e| io(e.into()))?.to_bytes();
        if let Some(expected) = parts
            .headers
            .get("x-amz-crc32")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u32>().ok())
        {
            let actual = crc32fast::hash(&body);
            if actual != expected {
                return Err(Failure::Checksum { expected, actual });
            }
        }
        Ok(Answer {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }
}
