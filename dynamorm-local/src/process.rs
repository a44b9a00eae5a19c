//! The emulator's process: spawned with the flags `scripts/dynamodb-local`
//! uses, watched until it answers HTTP (or exits, or takes too long, with
//! its last lines of output in the error), then shared by the launcher and
//! every `Db` it handed out, and killed and reaped with the last of them.

use std::ffi::OsString;
use std::io::{self, ErrorKind};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use dynamorm::db::EngineGuard;
use dynamorm::error::{EngineKind, Error};
use dynamorm::Result;

use crate::install::{JAR, LIB};
use crate::java::{JAVA_HINT, MIN_JAVA_MAJOR};
use crate::output::Output;
use crate::ports::answers_http;

/// Extra JVM options, split on whitespace.
const JAVA_OPTS_ENV: &str = "DYNAMODB_LOCAL_JAVA_OPTS";

/// The process, shared by the `DynamoDbLocal` and its `Db`s; killed when
/// the last of them is dropped.
pub(crate) struct LocalProcess {
    pid: u32,
    child: Mutex<Option<Child>>,
}

impl EngineGuard for LocalProcess {}

impl LocalProcess {
    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.pid
    }

    /// Kills the process now and waits until it has exited, so its port is
    /// closed when this returns; `Ok` if it was stopped already.
    pub(crate) async fn stop(&self) -> Result<()> {
        let child = self
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

/// Why a start failed; a taken port is worth another try elsewhere.
pub(crate) enum Failure {
    PortTaken(Error),
    Other(Error),
}

/// Spawns java on `port` and waits until it answers HTTP.
pub(crate) async fn start_on(
    java: &Path,
    jar_dir: &Path,
    port: u16,
    timeout: Duration,
) -> std::result::Result<LocalProcess, Failure> {
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
    let mut process = Started {
        child: Some(child),
        output: Output::drain(reader, pid),
    };
    tracing::debug!(pid, port, jar = %jar_dir.display(), "DynamoDB Local starting");

    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = process.exited() {
            let output = process.output.finish();
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
            let output = process.output.finish();
            return Err(fail(format!(
                "DynamoDB Local did not answer on port {port} within {timeout:?}; its output:\n{output}"
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tracing::debug!(pid, port, "DynamoDB Local ready");
    Ok(LocalProcess {
        pid,
        child: Mutex::new(process.child.take()),
    })
}

/// A java process that is starting; killed if dropped before it is ready.
struct Started {
    child: Option<Child>,
    output: Output,
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
}

impl Drop for Started {
    fn drop(&mut self) {
        self.kill();
    }
}
