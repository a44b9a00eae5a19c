//! `Db::from_env()` follows the AWS SDK's environment configuration. This is
//! the only test in its binary because it sets process environment variables.

// The helpers live with the main integration-test binary (tests/it/support/).
#[path = "it/support/common.rs"]
mod common;

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "envs", billing = "on_demand")]
struct Env {
    #[dynamo(hash_key)]
    id: String,
}

#[tokio::test]
async fn from_env_reads_endpoint_region_and_credentials_from_the_environment() {
    // Serve an engine to point the environment at (the embedded one, or the
    // DynamoDB Local endpoint under test).
    let engine = common::db().await;
    let endpoint = engine
        .endpoint()
        .expect("a local engine has an endpoint")
        .to_owned();
    std::env::set_var("AWS_ENDPOINT_URL_DYNAMODB", &endpoint);
    std::env::set_var("AWS_REGION", "us-east-1");
    std::env::set_var("AWS_ACCESS_KEY_ID", "dynamorm");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "dynamorm");
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    let db = Db::from_env()
        .await
        .with_table_prefix(engine.table_prefix());
    Env::table(&db).create().await.unwrap();
    Env { id: "e1".into() }.save(&db).await.unwrap();
    // The same table, seen through the engine's own handle.
    assert_eq!(
        Env::get(&engine, "e1").await.unwrap(),
        Some(Env { id: "e1".into() })
    );
}
