//! What the emulator (or an installer) wrote: the last lines, kept for
//! error messages.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Lines of output kept for error messages.
const OUTPUT_LINES: usize = 40;

/// The last lines of a command's output.
pub(crate) fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    lines[lines.len().saturating_sub(OUTPUT_LINES)..].join("\n")
}

/// A running process's output (stdout and stderr share one pipe), read on a
/// thread of its own into its last lines, each logged at debug level. The
/// pipe is always drained: an undrained one would block the JVM once full.
pub(crate) struct Output {
    lines: Arc<Mutex<VecDeque<String>>>,
    drain: Option<JoinHandle<()>>,
}

impl Output {
    /// Starts reading `reader`, the output of process `pid`.
    pub(crate) fn drain(reader: io::PipeReader, pid: u32) -> Output {
        let lines = Arc::new(Mutex::new(VecDeque::new()));
        let kept = lines.clone();
        let drain = std::thread::Builder::new()
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
                            let mut lines = kept.lock().unwrap_or_else(|p| p.into_inner());
                            if lines.len() == OUTPUT_LINES {
                                lines.pop_front();
                            }
                            lines.push_back(text);
                        }
                    }
                }
            })
            .ok();
        Output { lines, drain }
    }

    /// The output's last lines, once the process has exited (all of it read).
    pub(crate) fn finish(&mut self) -> String {
        if let Some(drain) = self.drain.take() {
            let _ = drain.join();
        }
        let lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
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

#[cfg(test)]
mod tests {
    use super::tail;

    #[test]
    fn tails() {
        let text: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let t = tail(&text);
        assert!(t.starts_with("line 60\n"), "{t}");
        assert!(t.ends_with("line 99"), "{t}");
        assert_eq!(tail("one\n"), "one");
    }
}
