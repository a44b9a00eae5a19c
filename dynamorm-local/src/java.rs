//! Java, which runs the emulator: found (an explicit path, `$JAVA_HOME`,
//! `PATH`) and checked to be version 17 or newer.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use dynamorm::error::{EngineKind, Error};
use dynamorm::Result;

use crate::executables::{exe, find_on_path};
use crate::output::tail;

/// The oldest Java major version DynamoDB Local runs on.
///
/// ```
/// assert_eq!(dynamorm_local::MIN_JAVA_MAJOR, 17);
/// ```
pub const MIN_JAVA_MAJOR: u32 = 17;

/// How to get a usable Java, for error messages.
pub(crate) const JAVA_HINT: &str = "install Java 17 or newer (e.g. on Debian/Ubuntu: \
    apt-get install openjdk-17-jre-headless), or point JAVA_HOME or \
    DynamoDbLocal::builder().java(path) at one";

/// The java executable to run (not yet checked): `explicit`, else
/// `$JAVA_HOME/bin/java`, else `java` on `PATH`.
pub(crate) fn find_java(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(java) = explicit {
        return Ok(java.to_path_buf());
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

/// Runs `java -version`; `Err` unless it reports Java 17 or newer.
pub(crate) fn check_java(java: &Path) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::java_major;

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
}
