//! Blocking work (a child process run to completion) off the async
//! runtime's threads.

use dynamorm::error::{EngineKind, Error};
use dynamorm::Result;

/// Runs `work` on tokio's blocking pool and returns what it returns.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
        Err(Error::engine(
            EngineKind::DynamoDbLocal,
            format!("DynamoDB Local set-up task failed: {e}"),
        ))
    })
}
