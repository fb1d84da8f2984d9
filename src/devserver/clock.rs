//! The emulated clock: every time the emulator reads or prints comes from here, so that a load
//! profile can be replayed faster than real time.
//!
//! Emulated now = origin + real elapsed × speed + whatever tests skipped. Real elapsed is read
//! from the wall clock, not from `Instant`: at speed 1 with nothing skipped and no load, emulated
//! now is exactly `Utc::now()`, as the emulator's timestamps were before it had a clock of its
//! own, so a test comparing them with its own wall clock still agrees to the nanosecond.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

/// The fastest replay the emulator accepts; beyond it a minute lasts less than 60 ms of real
/// time and request latency alone skips minutes.
pub const MAX_CLOCK_SPEED: f64 = 1000.0;

pub(crate) struct Clock {
    /// Emulated time at `real_origin`.
    origin: DateTime<Utc>,
    real_origin: DateTime<Utc>,
    speed: f64,
    /// Emulated nanoseconds added by `advance`.
    skipped: AtomicI64,
    /// The latest emulated time handed out, in nanoseconds since the epoch: a wall clock set
    /// back must not make operations or the replay run backwards.
    latest: AtomicI64,
}

impl Clock {
    /// A clock that read `origin` when the wall clock read `real_origin`, running `speed` times
    /// as fast as real time.
    pub(crate) fn new(origin: DateTime<Utc>, real_origin: DateTime<Utc>, speed: f64) -> Clock {
        Clock {
            origin,
            real_origin,
            speed,
            skipped: AtomicI64::new(0),
            latest: AtomicI64::new(i64::MIN),
        }
    }

    pub(crate) fn speed(&self) -> f64 {
        self.speed
    }

    /// Emulated now, to the nanosecond.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        let real = (Utc::now() - self.real_origin)
            .num_nanoseconds()
            .unwrap_or(i64::MAX);
        // Speed 1 stays in integers, so that emulated now is the wall clock exactly.
        let elapsed = if self.speed == 1.0 {
            real
        } else {
            (real as f64 * self.speed) as i64
        };
        let skipped = self.skipped.load(Ordering::SeqCst);
        let origin = self.origin.timestamp_nanos_opt().unwrap_or(0);
        let candidate = origin.saturating_add(elapsed).saturating_add(skipped);
        let previous = self.latest.fetch_max(candidate, Ordering::SeqCst);
        DateTime::from_timestamp_nanos(candidate.max(previous))
    }

    /// Emulated now to the millisecond, as Cloud Ops timestamps are kept: readable, and what
    /// protojson would print of them.
    pub(crate) fn now_millis(&self) -> DateTime<Utc> {
        let now = self.now();
        DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
    }

    /// Moves emulated time forward by `by` without waiting.
    pub(crate) fn advance(&self, by: chrono::Duration) {
        let nanos = by.num_nanoseconds().unwrap_or(i64::MAX).max(0);
        self.skipped.fetch_add(nanos, Ordering::SeqCst);
    }

    /// How long a client waits in real time for `emulated` to pass: the hints the emulator
    /// gives (`checkDuration`, `Retry-After`) are waited out on the client's own clock.
    pub(crate) fn real(&self, emulated: Duration) -> Duration {
        emulated.div_f64(self.speed)
    }
}

/// Whether `speed` is one the emulator runs at: finite, above 0, at most [`MAX_CLOCK_SPEED`].
pub(crate) fn valid_speed(speed: f64) -> bool {
    speed.is_finite() && speed > 0.0 && speed <= MAX_CLOCK_SPEED
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_one_is_the_wall_clock() {
        let start = Utc::now();
        let clock = Clock::new(start, start, 1.0);
        let before = Utc::now();
        let now = clock.now();
        let after = Utc::now();
        assert!(before <= now && now <= after, "{before} {now} {after}");
    }

    #[test]
    fn a_fast_clock_runs_ahead_and_can_be_advanced() {
        let origin = DateTime::parse_from_rfc3339("2026-03-02T06:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = Clock::new(origin, Utc::now(), 600.0);
        std::thread::sleep(Duration::from_millis(20));
        let elapsed = clock.now() - origin;
        // 20 ms real at 600× is at least 12 s emulated.
        assert!(elapsed >= chrono::Duration::seconds(12), "{elapsed}");
        clock.advance(chrono::Duration::hours(1));
        assert!(clock.now() - origin >= chrono::Duration::seconds(3612));
        assert_eq!(
            clock.real(Duration::from_secs(60)),
            Duration::from_millis(100)
        );
    }

    #[test]
    fn speeds_are_bounded() {
        assert!(valid_speed(1.0) && valid_speed(0.5) && valid_speed(1000.0));
        assert!(!valid_speed(0.0) && !valid_speed(-1.0) && !valid_speed(1000.5));
        assert!(!valid_speed(f64::NAN) && !valid_speed(f64::INFINITY));
    }
}
