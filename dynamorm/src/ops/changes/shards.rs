//! The shards of a stream as a change stream reads them: where each starts,
//! whether it may be read yet (its parent first), and when it is done.

use std::time::{Duration, Instant};

use crate::stream::Position;

/// Where a change stream starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum StreamStart {
    /// Every record the stream still holds (`TRIM_HORIZON`).
    Oldest,
    /// Only records written from now on (`LATEST`).
    Now,
    /// Right after a record read before.
    After(Position),
}

/// Where one shard's reading starts (or resumes, for a new iterator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ShardStart {
    /// `TRIM_HORIZON`.
    Oldest,
    /// `LATEST`.
    Latest,
    /// `AFTER_SEQUENCE_NUMBER`.
    After(String),
}

/// A shard as `DescribeStream` lists it.
#[derive(Debug, Clone)]
pub(super) struct Described {
    pub id: String,
    pub parent: Option<String>,
    /// True when the shard has an ending sequence number: it takes no new records.
    pub closed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// May be read from `not_before` on.
    Waiting { not_before: Instant },
    /// A read is in flight.
    Reading,
    /// Read to its end (or, for a change stream that ends, up to now).
    Done,
}

#[derive(Debug)]
pub(super) struct Shard {
    pub id: String,
    parent: Option<String>,
    start: ShardStart,
    /// The iterator the next read uses; `None`: get one first.
    pub iterator: Option<String>,
    /// The sequence number of the last record read.
    pub last: Option<String>,
    status: Status,
    /// Empty reads in a row, for the backoff between polls.
    idle: u32,
}

impl Shard {
    /// Where a new iterator for this shard starts: after the last record
    /// read, else where the shard's reading started.
    pub fn resume(&self) -> ShardStart {
        match &self.last {
            Some(last) => ShardStart::After(last.clone()),
            None => self.start.clone(),
        }
    }
}

/// The slowest poll of an open shard with no new records.
const MAX_IDLE_DELAY: Duration = Duration::from_secs(1);
/// The first poll after an empty read.
const FIRST_IDLE_DELAY: Duration = Duration::from_millis(50);

/// Every shard known so far, in the order they were listed.
#[derive(Debug, Default)]
pub(super) struct Shards {
    list: Vec<Shard>,
}

impl Shards {
    /// Adds the shards not known yet. The first listing (`initial`) places
    /// them as `from` says; a shard found later is new and read from its
    /// oldest record.
    pub fn add(
        &mut self,
        described: Vec<Described>,
        from: &StreamStart,
        initial: bool,
        now: Instant,
    ) {
        let all = described.clone();
        for shard in described {
            if self.list.iter().any(|s| s.id == shard.id) {
                continue;
            }
            let start = if initial {
                initial_start(&shard, from, &all)
            } else {
                Some(ShardStart::Oldest)
            };
            self.list.push(Shard {
                status: match start {
                    Some(_) => Status::Waiting { not_before: now },
                    None => Status::Done,
                },
                start: start.unwrap_or(ShardStart::Oldest),
                id: shard.id,
                parent: shard.parent,
                iterator: None,
                last: None,
                idle: 0,
            });
        }
    }

    pub fn get_mut(&mut self, index: usize) -> Option<&mut Shard> {
        self.list.get_mut(index)
    }

    /// The shards that may be read now: waiting, due, and whose parent is
    /// done or not listed (expired from the stream).
    pub fn due(&self, now: Instant) -> Vec<usize> {
        self.list
            .iter()
            .enumerate()
            .filter(
                |(_, s)| matches!(s.status, Status::Waiting { not_before } if not_before <= now),
            )
            .filter(|(_, s)| {
                s.parent.as_ref().is_none_or(|parent| {
                    self.list
                        .iter()
                        .find(|p| &p.id == parent)
                        .is_none_or(|p| p.status == Status::Done)
                })
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The earliest time a waiting shard is due.
    pub fn next_due(&self) -> Option<Instant> {
        self.list
            .iter()
            .filter_map(|s| match s.status {
                Status::Waiting { not_before } => Some(not_before),
                _ => None,
            })
            .min()
    }

    pub fn all_done(&self) -> bool {
        self.list.iter().all(|s| s.status == Status::Done)
    }

    pub fn reading(&mut self, index: usize) {
        if let Some(shard) = self.list.get_mut(index) {
            shard.status = Status::Reading;
        }
    }

    /// After a read of `index` that returned `records` records and `next`
    /// as the next iterator: done when the shard is closed and drained
    /// (no next iterator), or when an open shard has nothing new and the
    /// change stream ends at now (`until_now`); else due again at once
    /// after records, or after a growing pause after an empty read.
    pub fn read(
        &mut self,
        index: usize,
        records: usize,
        next: Option<String>,
        until_now: bool,
        now: Instant,
    ) {
        let Some(shard) = self.list.get_mut(index) else {
            return;
        };
        let drained = next.is_none();
        shard.iterator = next;
        shard.status = if drained || (records == 0 && until_now) {
            Status::Done
        } else if records > 0 {
            shard.idle = 0;
            Status::Waiting { not_before: now }
        } else {
            shard.idle = shard.idle.saturating_add(1);
            Status::Waiting {
                not_before: now + idle_delay(shard.idle),
            }
        };
    }
}

/// The pause before polling a shard again after `idle` empty reads in a row.
fn idle_delay(idle: u32) -> Duration {
    let doublings = idle.saturating_sub(1).min(16);
    FIRST_IDLE_DELAY
        .saturating_mul(1 << doublings)
        .min(MAX_IDLE_DELAY)
}

/// Where a shard listed when the change stream starts is read from; `None`:
/// not at all (its records are all before the start).
fn initial_start(shard: &Described, from: &StreamStart, all: &[Described]) -> Option<ShardStart> {
    match from {
        StreamStart::Oldest => Some(ShardStart::Oldest),
        StreamStart::Now => (!shard.closed).then_some(ShardStart::Latest),
        StreamStart::After(position) => match position.shard() {
            Some(at) if at == shard.id => {
                Some(ShardStart::After(position.sequence_number().to_owned()))
            }
            Some(at) if is_ancestor(&shard.id, at, all) => None,
            _ => Some(ShardStart::Oldest),
        },
    }
}

/// Whether `ancestor` is the parent, grandparent ... of `shard`.
fn is_ancestor(ancestor: &str, shard: &str, all: &[Described]) -> bool {
    let mut current = shard;
    for _ in 0..all.len() {
        let Some(parent) = all
            .iter()
            .find(|s| s.id == current)
            .and_then(|s| s.parent.as_deref())
        else {
            return false;
        };
        if parent == ancestor {
            return true;
        }
        current = parent;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(id: &str, parent: Option<&str>, closed: bool) -> Described {
        Described {
            id: id.to_owned(),
            parent: parent.map(str::to_owned),
            closed,
        }
    }

    fn split() -> Vec<Described> {
        vec![
            shard("root", None, true),
            shard("left", Some("root"), false),
            shard("right", Some("root"), true),
            shard("right-child", Some("right"), false),
        ]
    }

    #[test]
    fn children_wait_for_their_parent() {
        let now = Instant::now();
        let mut shards = Shards::default();
        shards.add(split(), &StreamStart::Oldest, true, now);
        assert_eq!(shards.due(now), [0]);
        shards.reading(0);
        assert!(shards.due(now).is_empty());
        shards.read(0, 3, Some("it".into()), false, now);
        assert_eq!(shards.due(now), [0], "more to read in the parent");
        shards.read(0, 0, None, false, now);
        assert_eq!(
            shards.due(now),
            [1, 2],
            "both children once the parent is drained"
        );
        shards.read(2, 0, None, false, now);
        assert_eq!(shards.due(now), [1, 3]);
    }

    #[test]
    fn a_shard_whose_parent_expired_is_read_at_once() {
        let now = Instant::now();
        let mut shards = Shards::default();
        shards.add(
            vec![shard("orphan", Some("gone"), false)],
            &StreamStart::Oldest,
            true,
            now,
        );
        assert_eq!(shards.due(now), [0]);
    }

    #[test]
    fn from_now_skips_closed_shards_and_reads_open_ones_from_latest() {
        let now = Instant::now();
        let mut shards = Shards::default();
        shards.add(split(), &StreamStart::Now, true, now);
        assert_eq!(shards.due(now), [1, 3]);
        assert_eq!(
            shards.get_mut(1).map(|s| s.resume()),
            Some(ShardStart::Latest)
        );
    }

    #[test]
    fn after_a_position_skips_its_ancestors_and_resumes_its_shard_after_the_record() {
        let now = Instant::now();
        let mut shards = Shards::default();
        let at = Position::new("right-child", "42");
        shards.add(split(), &StreamStart::After(at), true, now);
        assert_eq!(shards.due(now), [1, 3], "root and right are done");
        assert_eq!(
            shards.get_mut(3).map(|s| s.resume()),
            Some(ShardStart::After("42".into()))
        );
        assert_eq!(
            shards.get_mut(1).map(|s| s.resume()),
            Some(ShardStart::Oldest)
        );
        let shard = shards.get_mut(3).expect("listed");
        shard.last = Some("50".into());
        assert_eq!(shard.resume(), ShardStart::After("50".into()));
    }

    #[test]
    fn an_empty_read_ends_an_open_shard_only_until_now() {
        let now = Instant::now();
        let mut shards = Shards::default();
        shards.add(
            vec![shard("a", None, false)],
            &StreamStart::Oldest,
            true,
            now,
        );
        shards.read(0, 0, Some("it".into()), false, now);
        assert!(!shards.all_done());
        assert!(shards.due(now).is_empty(), "polled again after a pause");
        assert_eq!(shards.next_due(), Some(now + FIRST_IDLE_DELAY));
        shards.read(0, 0, Some("it".into()), true, now);
        assert!(shards.all_done());
    }

    #[test]
    fn the_idle_pause_grows_to_its_cap() {
        assert_eq!(idle_delay(1), FIRST_IDLE_DELAY);
        assert_eq!(idle_delay(2), FIRST_IDLE_DELAY * 2);
        assert_eq!(idle_delay(40), MAX_IDLE_DELAY);
    }

    #[test]
    fn shards_listed_again_are_not_added_twice_and_new_ones_start_at_their_oldest() {
        let now = Instant::now();
        let mut shards = Shards::default();
        shards.add(split(), &StreamStart::Now, true, now);
        shards.add(
            vec![
                shard("left", Some("root"), false),
                shard("new", Some("left"), false),
            ],
            &StreamStart::Now,
            false,
            now,
        );
        assert_eq!(shards.list.len(), 5);
        assert_eq!(
            shards.get_mut(4).map(|s| s.resume()),
            Some(ShardStart::Oldest)
        );
    }
}
