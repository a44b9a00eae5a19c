//! [`RateLimit`]: a budget of capacity units per second that the requests of
//! one operation draw from — a token bucket fed by the capacity each
//! response reports consumed (or, where the engine reports none, by the
//! units DynamoDB would bill for the items read or written), halving its
//! rate when DynamoDB throttles and recovering it gradually.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_sdk_dynamodb::types::ConsumedCapacity;
use tokio::time::Instant;

use crate::codec::item_size;
use crate::item::Item;

/// A read or write budget shared by every request of one operation (the
/// segments of a parallel scan, the chunks of a batch).
#[derive(Debug, Clone)]
pub(crate) struct RateLimit {
    bucket: Arc<Mutex<Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    /// The rate asked for, in units per second.
    limit: f64,
    /// The rate in force: the limit, or less after throttling.
    rate: f64,
    /// Units available; negative: owed by requests already sent.
    tokens: f64,
    last: Instant,
    /// What the last request cost: the estimate for a read's next one.
    typical: f64,
}

/// The slowest the rate falls after throttling: a 64th of the limit.
const FLOOR: f64 = 1.0 / 64.0;
/// How much of the limit each answered request gives back after throttling.
const RECOVERY: f64 = 0.05;

impl RateLimit {
    /// A budget of `per_second` units; `Err` says why it cannot be one.
    pub(crate) fn new(per_second: f64, what: &str) -> Result<Self, String> {
        if !(per_second.is_finite() && per_second > 0.0) {
            return Err(format!(
                "{what} must be a positive number of capacity units per second, not {per_second}"
            ));
        }
        Ok(RateLimit {
            bucket: Arc::new(Mutex::new(Bucket {
                limit: per_second,
                rate: per_second,
                tokens: 0.0,
                last: Instant::now(),
                typical: 1.0,
            })),
        })
    }

    fn with_bucket<T>(&self, f: impl FnOnce(&mut Bucket) -> T) -> T {
        let mut bucket = self.bucket.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        // At most a second's worth saved up, so an idle budget does not burst.
        bucket.tokens = (bucket.tokens + elapsed * bucket.rate).min(bucket.rate);
        bucket.last = now;
        f(&mut bucket)
    }

    /// Waits until the budget is not in debt (the first request never
    /// waits), then sets `estimate` units aside for the request about to be
    /// sent (`None`: what the last request cost), so that requests sent at
    /// once (parallel segments, a batch's chunks) take turns. Returns what
    /// was set aside, for [`spend`](Self::spend).
    pub(crate) async fn acquire(&self, estimate: Option<f64>) -> f64 {
        loop {
            let wait = self.with_bucket(|b| {
                if b.tokens < 0.0 {
                    return Err(Duration::from_secs_f64(-b.tokens / b.rate));
                }
                let reserved = estimate.unwrap_or(b.typical).max(0.0);
                b.tokens -= reserved;
                Ok(reserved)
            });
            match wait {
                Ok(reserved) => return reserved,
                Err(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    /// Settles a request that set `reserved` units aside and consumed
    /// `units`, and lets the rate recover a little.
    pub(crate) fn spend(&self, reserved: f64, units: f64) {
        self.with_bucket(|b| {
            let units = units.max(0.0);
            b.tokens -= units - reserved;
            b.typical = units;
            b.rate = (b.rate + b.limit * RECOVERY).min(b.limit);
        });
    }

    /// Gives back what a request that was not answered set aside.
    pub(crate) fn release(&self, reserved: f64) {
        self.with_bucket(|b| b.tokens += reserved);
    }

    /// DynamoDB throttled a request (or left part of a batch undone): halve the rate.
    pub(crate) fn throttled(&self) {
        self.with_bucket(|b| b.rate = (b.rate / 2.0).max(b.limit * FLOOR));
    }

    #[cfg(test)]
    fn rate(&self) -> f64 {
        self.with_bucket(|b| b.rate)
    }
}

/// The units a response reports consumed, summed over tables and indexes.
pub(crate) fn reported<'c>(
    consumed: impl IntoIterator<Item = &'c ConsumedCapacity>,
) -> Option<f64> {
    consumed
        .into_iter()
        .filter_map(ConsumedCapacity::capacity_units)
        .reduce(|a, b| a + b)
}

/// Read units DynamoDB bills a Query or Scan that returned `items`: their
/// total size in 4 KB blocks, rounded up, half for an eventually consistent
/// read (at least one block). A request that returned no items (a count)
/// counts `counted` blocks.
pub(crate) fn query_read_units(items: &[Item], counted: usize, consistent: bool) -> f64 {
    let size: usize = items.iter().map(item_size).sum();
    let blocks = if items.is_empty() {
        counted
    } else {
        size.div_ceil(4096)
    };
    blocks.max(1) as f64 * read_factor(consistent)
}

/// Read units DynamoDB bills a BatchGetItem that returned `items`: each
/// item's size in 4 KB blocks, rounded up per item.
pub(crate) fn batch_read_units(items: &[Item], consistent: bool) -> f64 {
    let blocks: usize = items
        .iter()
        .map(|i| item_size(i).div_ceil(4096).max(1))
        .sum();
    blocks as f64 * read_factor(consistent)
}

/// Write units DynamoDB bills for writing `items`: each item's size in 1 KB
/// blocks, rounded up per item.
pub(crate) fn write_units<'i>(items: impl IntoIterator<Item = &'i Item>) -> f64 {
    items
        .into_iter()
        .map(|i| item_size(i).div_ceil(1024).max(1) as f64)
        .sum()
}

fn read_factor(consistent: bool) -> f64 {
    if consistent {
        1.0
    } else {
        0.5
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::AttributeValue;

    fn item(bytes: usize) -> Item {
        Item::from([("p".to_owned(), AttributeValue::S("x".repeat(bytes)))])
    }

    #[test]
    fn units_are_estimated_as_dynamodb_bills_them() {
        // One 5 KB item: two 4 KB blocks (one read unit eventually consistent).
        assert_eq!(query_read_units(&[item(5000)], 1, false), 1.0);
        assert_eq!(query_read_units(&[item(5000)], 1, true), 2.0);
        // A query rounds the total, a batch each item.
        let small = [item(100), item(100), item(100)];
        assert_eq!(query_read_units(&small, 3, true), 1.0);
        assert_eq!(batch_read_units(&small, true), 3.0);
        // A count: a block per item counted, at least one.
        assert_eq!(query_read_units(&[], 10, false), 5.0);
        assert_eq!(query_read_units(&[], 0, true), 1.0);
        // Writes: 1 KB blocks per item.
        assert_eq!(write_units(&[item(1500), item(10)]), 3.0);
    }

    #[test]
    fn throttling_halves_the_rate_and_answers_bring_it_back() {
        let limit = RateLimit::new(100.0, "max_read_units").unwrap();
        limit.throttled();
        limit.throttled();
        assert_eq!(limit.rate(), 25.0);
        for _ in 0..40 {
            limit.throttled();
        }
        assert_eq!(limit.rate(), 100.0 * FLOOR);
        for _ in 0..30 {
            limit.spend(0.0, 0.0);
        }
        assert_eq!(limit.rate(), 100.0);
    }

    #[test]
    fn a_limit_must_be_a_positive_number() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let why = RateLimit::new(bad, "max_read_units").unwrap_err();
            assert!(
                why.contains("max_read_units must be a positive number"),
                "{why}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_first_request_never_waits_and_debt_is_paid_at_the_rate() {
        let limit = RateLimit::new(10.0, "max_read_units").unwrap();
        let start = tokio::time::Instant::now();
        let reserved = limit.acquire(None).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        assert_eq!(reserved, 1.0, "a first read is guessed at one unit");
        limit.spend(reserved, 20.0);
        limit.acquire(None).await;
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(1990), "{waited:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn requests_sent_at_once_take_turns() {
        let limit = RateLimit::new(10.0, "max_write_units").unwrap();
        let start = tokio::time::Instant::now();
        // Two chunks of 10 units each, sent together: the second waits for
        // the first's units.
        let first = limit.acquire(Some(10.0)).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        let second = limit.acquire(Some(10.0)).await;
        assert!(start.elapsed() >= Duration::from_millis(990));
        limit.spend(first, 10.0);
        limit.spend(second, 10.0);
        limit.release(limit.acquire(Some(5.0)).await);
    }
}
