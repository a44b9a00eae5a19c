//! [`Retry`]: how an operation that DynamoDB may answer only in part
//! (batches) or refuse for now (throttling, transient server errors) tries
//! again: exponential backoff with full jitter, up to a number of attempts.
//!
//! The policy lives on the [`Db`](crate::Db) ([`Db::with_retry`](crate::Db::with_retry));
//! the backoff itself ([`Retry::delay`], [`sleep`]) is shared by every
//! operation that retries.

use std::time::Duration;

/// How often, and how patiently, an operation retries what DynamoDB did not
/// process: unprocessed batch items and keys, throttling, transient server
/// errors and connection failures.
///
/// Before retry `n` (1 for the first retry) the operation sleeps a random
/// time between zero and `min(max_delay, base_delay × 2^(n-1))` ("full
/// jitter"), so many clients backing off at once spread out. After
/// `max_attempts` requests in all (the first one included) it gives up and
/// reports exactly what was left undone.
///
/// The default is 10 attempts, a 25 ms base delay and a 5 s cap. Set it on a
/// [`Db`](crate::Db) with [`Db::with_retry`](crate::Db::with_retry):
///
/// ```
/// use std::time::Duration;
/// use dynamorm::{Db, Retry};
///
/// # async fn demo() -> dynamorm::Result<()> {
/// let patient = Retry::default()
///     .with_max_attempts(20)
///     .with_base_delay(Duration::from_millis(50))
///     .with_max_delay(Duration::from_secs(10));
/// let db = Db::embedded().await?.with_retry(patient);
/// assert_eq!(db.retry().max_attempts(), 20);
/// assert_eq!(Retry::default().max_attempts(), 10);
/// assert_eq!(Retry::never().max_attempts(), 1);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Retry {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            max_attempts: 10,
            base_delay: Duration::from_millis(25),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl Retry {
    /// One attempt, no retries: whatever the first request leaves undone is
    /// reported at once.
    ///
    /// ```
    /// assert_eq!(dynamorm::Retry::never().max_attempts(), 1);
    /// ```
    pub fn never() -> Self {
        Retry::default().with_max_attempts(1)
    }

    /// Gives up after `n` requests in all, the first one included (at least 1).
    ///
    /// ```
    /// let retry = dynamorm::Retry::default().with_max_attempts(0);
    /// assert_eq!(retry.max_attempts(), 1);
    /// ```
    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// The delay the backoff starts from (the cap on the first retry's
    /// sleep); it doubles with every retry. `Duration::ZERO` retries at once.
    ///
    /// ```
    /// use std::time::Duration;
    /// let retry = dynamorm::Retry::default().with_base_delay(Duration::ZERO);
    /// assert_eq!(retry.base_delay(), Duration::ZERO);
    /// ```
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest a single sleep between two attempts can be.
    ///
    /// ```
    /// use std::time::Duration;
    /// let retry = dynamorm::Retry::default().with_max_delay(Duration::from_secs(1));
    /// assert_eq!(retry.max_delay(), Duration::from_secs(1));
    /// ```
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Requests in all before giving up, the first one included.
    ///
    /// ```
    /// assert_eq!(dynamorm::Retry::default().max_attempts(), 10);
    /// ```
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The delay the backoff starts from.
    ///
    /// ```
    /// use std::time::Duration;
    /// assert_eq!(dynamorm::Retry::default().base_delay(), Duration::from_millis(25));
    /// ```
    pub fn base_delay(&self) -> Duration {
        self.base_delay
    }

    /// The longest single sleep.
    ///
    /// ```
    /// use std::time::Duration;
    /// assert_eq!(dynamorm::Retry::default().max_delay(), Duration::from_secs(5));
    /// ```
    pub fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// True when another request may follow the `attempts` made so far.
    pub(crate) fn allows_another(&self, attempts: u32) -> bool {
        attempts < self.max_attempts
    }

    /// The most retry `retry` (1 for the first) sleeps:
    /// `min(max_delay, base_delay × 2^(retry-1))`.
    pub(crate) fn ceiling(&self, retry: u32) -> Duration {
        let doublings = retry.saturating_sub(1).min(31);
        self.base_delay
            .checked_mul(1u32 << doublings)
            .unwrap_or(Duration::MAX)
            .min(self.max_delay)
    }

    /// The sleep before retry `retry` (1 for the first): uniformly random in
    /// `0 ..= ceiling(retry)` (full jitter).
    pub(crate) fn delay(&self, retry: u32) -> Duration {
        let ceiling = self.ceiling(retry);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        if nanos == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }

    /// Sleeps before retry `retry` (1 for the first).
    pub(crate) async fn pause(&self, retry: u32) {
        sleep(self.delay(retry)).await;
    }
}

/// Sleeps for `delay` on the Tokio timer; returns at once for zero.
pub(crate) async fn sleep(delay: Duration) {
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceiling_doubles_then_caps() {
        let retry = Retry::default();
        assert_eq!(retry.ceiling(1), Duration::from_millis(25));
        assert_eq!(retry.ceiling(2), Duration::from_millis(50));
        assert_eq!(retry.ceiling(5), Duration::from_millis(400));
        assert_eq!(retry.ceiling(9), Duration::from_secs(5));
        assert_eq!(retry.ceiling(u32::MAX), Duration::from_secs(5));
        let huge = retry.with_max_delay(Duration::MAX);
        assert!(huge.ceiling(u32::MAX) > Duration::from_secs(1_000_000));
    }

    #[test]
    fn delay_is_full_jitter_below_the_ceiling() {
        let retry = Retry::default();
        let mut seen_small = false;
        for _ in 0..1000 {
            let delay = retry.delay(3);
            assert!(delay <= retry.ceiling(3));
            seen_small |= delay < retry.ceiling(3) / 4;
        }
        assert!(seen_small, "full jitter reaches near zero");
        let none = retry.with_base_delay(Duration::ZERO);
        assert_eq!(none.delay(7), Duration::ZERO);
    }

    #[test]
    fn attempts() {
        let retry = Retry::default().with_max_attempts(2);
        assert!(retry.allows_another(1));
        assert!(!retry.allows_another(2));
        assert!(!Retry::never().allows_another(1));
    }
}
