//! Signals: what [`Db::subscribe`](crate::Db::subscribe) observers receive —
//! one [`Event`] before and one after every save, update and delete, for
//! audit logs and metrics.

use std::fmt;
use std::sync::{Arc, RwLock};

/// What happened, or is about to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// A save (put) is about to be sent.
    PreSave,
    /// A save finished (see [`Event::outcome`]).
    PostSave,
    /// An update is about to be sent.
    PreUpdate,
    /// An update finished.
    PostUpdate,
    /// A delete is about to be sent.
    PreDelete,
    /// A delete finished.
    PostDelete,
}

/// One signal: which model, table and key, and for `Post*` events how it
/// ended.
///
/// ```
/// use dynamorm::events::{Event, EventKind};
/// # fn show(event: &Event) -> String {
/// match (event.kind, &event.outcome) {
///     (EventKind::PostSave, Some(Ok(()))) => format!("saved {} {}", event.model, event.key),
///     (_, Some(Err(why))) => format!("failed: {why}"),
///     _ => String::new(),
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The model's Rust name.
    pub model: &'static str,
    /// The full table name.
    pub table: String,
    /// The item's key, rendered (`"t1"`, `("isbn-1", 2)`).
    pub key: String,
    /// For `Post*` events: `Ok(())`, or the error's message.
    pub outcome: Option<Result<(), String>>,
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} {} {} in {}",
            self.kind, self.model, self.key, self.table
        )?;
        match &self.outcome {
            Some(Ok(())) => f.write_str(": ok"),
            Some(Err(why)) => write!(f, ": {why}"),
            None => Ok(()),
        }
    }
}

type Observer = Arc<dyn Fn(&Event) + Send + Sync>;

/// The observers of one `Db` (and the handles derived from it).
#[derive(Default)]
pub(crate) struct Observers {
    list: RwLock<Vec<Observer>>,
}

impl Observers {
    /// Adds an observer.
    pub(crate) fn add(&self, observer: Observer) {
        if let Ok(mut list) = self.list.write() {
            list.push(observer);
        }
    }

    /// True when someone listens (events are built only then).
    pub(crate) fn any(&self) -> bool {
        self.list.read().map(|l| !l.is_empty()).unwrap_or(false)
    }

    /// Tells every observer. One that panics does not stop the others, nor
    /// the operation that emitted the event: its panic is caught and
    /// reported as a `tracing` error event.
    pub(crate) fn send(&self, event: &Event) {
        let list = match self.list.read() {
            Ok(list) => list.clone(),
            Err(_) => return,
        };
        for observer in list {
            let told = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| observer(event)));
            if let Err(panic) = told {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(
                    kind = ?event.kind,
                    model = event.model,
                    key = %event.key,
                    panic = %message,
                    "an observer panicked; the operation and the other observers go on"
                );
            }
        }
    }
}

impl fmt::Debug for Observers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.list.read().map(|l| l.len()).unwrap_or(0);
        write!(f, "Observers({n})")
    }
}
