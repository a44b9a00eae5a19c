//! The embedded engine: the dynoxide-rs DynamoDB emulator (SQLite), served
//! in-process on a loopback port and reached through the ordinary SDK client.
//!
//! The server runs on a thread of its own with its own small Tokio runtime, so
//! a `Db` works from any runtime (multi-thread, current-thread, one per test)
//! and the engine stops when the last clone of its `Db` is dropped.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use crate::db::{Db, EngineGuard};
use crate::error::{EngineKind, Error, Result};

/// Stops the embedded server when dropped.
struct EmbeddedServer {
    stop: Mutex<Option<oneshot::Sender<()>>>,
}

impl EngineGuard for EmbeddedServer {}

impl Drop for EmbeddedServer {
    fn drop(&mut self) {
        if let Ok(mut stop) = self.stop.lock() {
            if let Some(stop) = stop.take() {
                let _ = stop.send(());
            }
        }
    }
}

impl Db {
    /// Starts a fresh in-memory DynamoDB engine in this process and connects to it.
    ///
    /// Starts in milliseconds and needs nothing installed. Every call gets its
    /// own isolated engine; it stops when the last clone of the `Db` is dropped.
    ///
    /// ```
    /// # async fn demo() -> dynamorm::Result<()> {
    /// let a = dynamorm::Db::embedded().await?;
    /// let b = dynamorm::Db::embedded().await?;   // isolated from `a`
    /// # let _ = (a, b);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "embedded")))]
    pub async fn embedded() -> Result<Db> {
        let database = dynoxide::Database::memory().map_err(|e| {
            Error::engine(
                EngineKind::Embedded,
                format!("cannot open in-memory engine: {e}"),
            )
        })?;
        serve(database)
    }

    /// Starts an embedded engine whose data lives in the SQLite file at `path`
    /// (created if missing), so it survives restarts.
    ///
    /// ```
    /// # async fn demo() -> dynamorm::Result<()> {
    /// let dir = std::env::temp_dir().join(format!("dynamorm-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let db = dynamorm::Db::embedded_file(dir.join("data.db")).await?;
    /// # drop(db); let _ = std::fs::remove_dir_all(dir);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "embedded")))]
    pub async fn embedded_file(path: impl AsRef<Path>) -> Result<Db> {
        let path = path.as_ref();
        let path_str = path.to_str().ok_or_else(|| {
            Error::engine(
                EngineKind::Embedded,
                format!("path {} is not UTF-8", path.display()),
            )
        })?;
        let database = dynoxide::Database::new(path_str).map_err(|e| {
            Error::engine(
                EngineKind::Embedded,
                format!("cannot open {}: {e}", path.display()),
            )
        })?;
        serve(database)
    }
}

fn serve(database: dynoxide::Database) -> Result<Db> {
    let listener = std::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .map_err(|e| {
            Error::engine(
                EngineKind::Embedded,
                format!("cannot bind a loopback port: {e}"),
            )
        })?;
    listener.set_nonblocking(true).map_err(|e| {
        Error::engine(
            EngineKind::Embedded,
            format!("cannot configure listener: {e}"),
        )
    })?;
    let addr = listener.local_addr().map_err(|e| {
        Error::engine(
            EngineKind::Embedded,
            format!("cannot read listener address: {e}"),
        )
    })?;
    let (stop_tx, stop_rx) = oneshot::channel::<()>();

    // The listener is bound before the thread starts, so requests sent before
    // the server accepts simply wait in the backlog.
    std::thread::Builder::new()
        .name(format!("dynamorm-embedded-{}", addr.port()))
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    tracing::error!(error = %e, "embedded engine: cannot build runtime");
                    return;
                }
            };
            runtime.block_on(async move {
                let listener = match tokio::net::TcpListener::from_std(listener) {
                    Ok(listener) => listener,
                    Err(e) => {
                        tracing::error!(error = %e, "embedded engine: cannot adopt listener");
                        return;
                    }
                };
                let shutdown = async move {
                    let _ = stop_rx.await;
                };
                if let Err(e) =
                    dynoxide::server::serve_with_shutdown(listener, database, shutdown).await
                {
                    tracing::error!(error = %e, "embedded engine stopped");
                }
            });
        })
        .map_err(|e| {
            Error::engine(
                EngineKind::Embedded,
                format!("cannot start engine thread: {e}"),
            )
        })?;

    tracing::debug!(%addr, "embedded DynamoDB engine started");
    let guard = EmbeddedServer {
        stop: Mutex::new(Some(stop_tx)),
    };
    Ok(Db::with_engine(&format!("http://{addr}"), Arc::new(guard)))
}
