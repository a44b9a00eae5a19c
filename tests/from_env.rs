//! `Db::from_env()` follows the AWS SDK's environment configuration, and
//! sends its data-plane requests on the direct transport, over TLS to an
//! `https://` endpoint. These are the only tests in their binary because
//! they set process environment variables (one at a time).

// The helpers live with the main integration-test binary (tests/it/support/).
#[path = "it/support/common.rs"]
mod common;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use dynamorm::prelude::*;
use dynamorm::Transport;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde::{Deserialize, Serialize};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "envs", billing = "on_demand")]
struct Env {
    #[dynamo(hash_key)]
    id: String,
    n: i64,
}

fn env(id: &str, n: i64) -> Env {
    Env { id: id.into(), n }
}

/// One test at a time sets the environment and reads it.
static ENVIRONMENT: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Points the AWS environment at `endpoint`, with fixed credentials.
fn set_environment(endpoint: &str) {
    std::env::set_var("AWS_ENDPOINT_URL_DYNAMODB", endpoint);
    std::env::set_var("AWS_REGION", "us-east-1");
    std::env::set_var("AWS_ACCESS_KEY_ID", "dynamorm");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "dynamorm");
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
}

#[tokio::test]
async fn from_env_reads_endpoint_region_and_credentials_from_the_environment() {
    let _one_at_a_time = ENVIRONMENT.lock().await;
    // Serve an engine to point the environment at (the embedded one, or the
    // DynamoDB Local endpoint under test).
    let engine = common::db().await;
    let endpoint = engine
        .endpoint()
        .expect("a local engine has an endpoint")
        .to_owned();
    set_environment(&endpoint);
    let db = Db::from_env()
        .await
        .with_table_prefix(engine.table_prefix());
    assert_eq!(db.transport(), Transport::Direct);
    Env::table(&db).create().await.unwrap();
    env("e1", 1).save(&db).await.unwrap();
    // The same table, seen through the engine's own handle.
    assert_eq!(Env::get(&engine, "e1").await.unwrap(), Some(env("e1", 1)));
}

/// A TLS endpoint in front of a plain-HTTP engine, with the test
/// certificate of `localhost` (signed by `tests/fixtures/tls/ca.pem`).
struct TlsProxy {
    url: String,
    handshakes: Arc<AtomicUsize>,
}

impl TlsProxy {
    async fn start(engine: &str) -> TlsProxy {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(fixtures.join("server.pem"))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
        let key = PrivateKeyDer::from_pem_file(fixtures.join("server.key")).unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let upstream = engine
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let handshakes = Arc::new(AtomicUsize::new(0));
        let counted = handshakes.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (acceptor, upstream, counted) =
                    (acceptor.clone(), upstream.clone(), counted.clone());
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(socket).await else {
                        return;
                    };
                    counted.fetch_add(1, Ordering::Relaxed);
                    let Ok(mut plain) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                });
            }
        });
        TlsProxy {
            url: format!("https://localhost:{port}"),
            handshakes,
        }
    }
}

#[tokio::test]
async fn from_env_sends_data_requests_over_tls_to_an_https_endpoint() {
    let _one_at_a_time = ENVIRONMENT.lock().await;
    let engine = common::db().await;
    let proxy = TlsProxy::start(engine.endpoint().expect("a local engine")).await;
    set_environment(&proxy.url);
    // The test CA is the only root the direct transport trusts. (The SDK's
    // own HTTPS client keeps the platform's roots, so the table is created
    // through the engine's handle.)
    let ca = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls/ca.pem");
    std::env::set_var("SSL_CERT_FILE", &ca);
    let db = Db::from_env()
        .await
        .with_table_prefix(engine.table_prefix());
    assert_eq!(db.transport(), Transport::Direct);

    Env::table(&engine).create().await.unwrap();
    let before = proxy.handshakes.load(Ordering::Relaxed);
    let envs: Vec<Env> = (0..30).map(|i| env(&format!("e{i:02}"), i)).collect();
    Env::put_batch(&db, &envs).await.unwrap();
    env("e00", 100).save(&db).await.unwrap();
    let updated = Env::update(&db, "e01").add(Env::N, 10).await.unwrap();
    assert_eq!(updated.n, 11);
    assert_eq!(Env::get(&db, "e00").await.unwrap(), Some(env("e00", 100)));
    let mut scanned = Env::scan(&db).page_size(7).all().await.unwrap();
    scanned.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(scanned.len(), 30);
    let keys = ["e02", "e03", "nobody"];
    assert_eq!(
        Env::get_batch(&db, keys).await.unwrap(),
        [env("e02", 2), env("e03", 3)]
    );
    Env::delete(&db, "e02").await.unwrap();
    assert!(
        proxy.handshakes.load(Ordering::Relaxed) > before,
        "the data-plane requests went through the TLS endpoint"
    );
    // Everything written is the engine's, seen through its own handle.
    assert_eq!(
        Env::get(&engine, "e01").await.unwrap(),
        Some(env("e01", 11))
    );
    assert_eq!(Env::get(&engine, "e02").await.unwrap(), None);

    // Without the test CA the endpoint's certificate is not trusted: the
    // write fails before anything is sent, and is not retried into plain
    // HTTP.
    std::env::remove_var("SSL_CERT_FILE");
    let untrusting = Db::from_env()
        .await
        .with_table_prefix(engine.table_prefix());
    let err = env("untrusted", 1).save(&untrusting).await.unwrap_err();
    assert!(matches!(err, dynamorm::Error::Sdk { .. }), "{err:?}");
    assert!(format!("{err:?}").contains("InvalidCertificate"), "{err:?}");
    assert_eq!(Env::get(&engine, "untrusted").await.unwrap(), None);
}
