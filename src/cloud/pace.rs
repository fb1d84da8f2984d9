//! The gate every request of a client passes: the server's `Retry-After`, and for Cloud Ops a
//! pace at the account's rate limit that adapts to 429s. Hand-written because adapting the rate
//! on a 429 is not what off-the-shelf limiters do.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Requests per second the Cloud Ops API allows one service account (a user gets 40). Every Cloud
/// Ops client paces itself to this unless told otherwise ([`HttpClient::with_rate_limit`]).
pub const CLOUD_OPS_RATE_LIMIT: f64 = 80.0;

/// How much a 429 cuts the pace: the rate becomes this share of what it was.
const DECREASE: f64 = 0.7;
/// The slowest pace a run is cut to, in requests per second (or the ceiling, if lower).
const MIN_RATE: f64 = 1.0;
/// Requests that may go out back to back after a stall, as a share of the rate: 0.1 lets a
/// client that fell 100 ms behind catch up, and keeps any one burst to a tenth of a second's
/// budget.
const BURST_SECONDS: f64 = 0.1;

/// The gate every request of a client passes, shared by its clones.
///
/// Two things hold a request back:
/// - after a 429, nobody sends until the server's `Retry-After` has passed;
/// - a paced client (every Cloud Ops client) also sends at most `rate` requests per second,
///   scheduled like a token bucket with a burst of a tenth of a second (GCRA).
///
/// The rate is adaptive (AIMD): a 429 for a request sent at the current rate cuts the rate to
/// 70 %, once per episode (the other requests already in flight at the old rate do not cut it
/// again); every answer that is neither a 429 nor a 5xx raises it again, quickly back to the
/// rate of the last cut (time constant about 2 s) and then by about 1 request/s per second,
/// never above the ceiling. Pacing at the server's own rate avoids 429s rather than reacting to them: each
/// one costs its whole `Retry-After` for every request of the run.
#[derive(Debug, Default)]
pub struct Pace {
    state: Mutex<PaceState>,
}

#[derive(Debug, Default)]
struct PaceState {
    /// No request is sent before this (the latest `Retry-After`).
    hold: Option<Instant>,
    /// `None` leaves requests unpaced (the Metrics API, Slack): only `hold` applies.
    rate: Option<Rate>,
    /// Moves on every 429, so that a request scheduled before it takes a new slot.
    epoch: u64,
    rate_limited: u64,
    cuts: u64,
}

/// The adaptive rate and its schedule.
#[derive(Clone, Debug)]
struct Rate {
    ceiling: f64,
    current: f64,
    /// The rate when it was last cut: recovery is quick up to it and slow beyond.
    recover_to: f64,
    /// The lowest rate this run was cut to.
    lowest: f64,
    /// GCRA's theoretical arrival time: the next request is due then, or up to
    /// `tolerance` earlier.
    due: Option<Instant>,
    last_cut: Option<Instant>,
}

impl Rate {
    fn new(ceiling: f64) -> Rate {
        Rate {
            ceiling,
            current: ceiling,
            recover_to: ceiling,
            lowest: ceiling,
            due: None,
            last_cut: None,
        }
    }

    fn interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.current)
    }

    fn tolerance(&self) -> Duration {
        let burst = (self.current * BURST_SECONDS).floor().max(1.0);
        self.interval().mul_f64(burst - 1.0)
    }

    /// The moment a request asking at `now` may be sent, and books it.
    fn book(&mut self, now: Instant) -> Instant {
        let due = self.due.unwrap_or(now);
        let at = now.max(due.checked_sub(self.tolerance()).unwrap_or(now));
        self.due = Some(due.max(at) + self.interval());
        at
    }

    /// A 429 for a request sent at `sent`; `resume` is when sending may start again. Returns
    /// whether the rate was cut.
    fn rate_limited(&mut self, sent: Instant, now: Instant, resume: Instant) -> bool {
        let cut = self.last_cut.is_none_or(|c| sent >= c);
        if cut {
            self.recover_to = self.current;
            self.current = (self.current * DECREASE).max(MIN_RATE.min(self.ceiling));
            self.lowest = self.lowest.min(self.current);
            self.last_cut = Some(now);
        }
        // Every request waiting for a slot books again (the epoch moved), and the pause is no
        // credit for a burst: the first request goes at `resume`, the next one interval later.
        self.due = Some(resume + self.tolerance());
        cut
    }

    /// An answer that was neither a 429 nor a 5xx.
    fn accepted(&mut self) {
        if self.current >= self.ceiling {
            return;
        }
        // Per answer, so per second this adds the rate times the step.
        let per_second = if self.current < self.recover_to {
            ((self.recover_to - self.current) / 2.0).max(1.0)
        } else {
            1.0
        };
        self.current = (self.current + per_second / self.current).min(self.ceiling);
    }
}

/// What the gate saw during a run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PaceStats {
    /// 429 answers.
    pub rate_limited: u64,
    /// Times a 429 cut the rate.
    pub cuts: u64,
    /// The pace now and the slowest it was, in requests per second; `None` when unpaced.
    pub rate: Option<f64>,
    pub lowest_rate: Option<f64>,
}

impl Pace {
    /// At most `rate` requests per second, adapting down on 429s; `None` for no pacing.
    pub fn new(rate: Option<f64>) -> Pace {
        let rate = rate.filter(|r| r.is_finite() && *r > 0.0).map(Rate::new);
        Pace {
            state: Mutex::new(PaceState {
                rate,
                ..PaceState::default()
            }),
        }
    }

    pub fn stats(&self) -> PaceStats {
        let s = self.state.lock().unwrap();
        PaceStats {
            rate_limited: s.rate_limited,
            cuts: s.cuts,
            rate: s.rate.as_ref().map(|r| r.current),
            lowest_rate: s.rate.as_ref().map(|r| r.lowest),
        }
    }

    /// Waits until this request may be sent and returns that moment.
    pub(super) async fn admit(&self) -> Instant {
        loop {
            let (at, epoch) = {
                let mut s = self.state.lock().unwrap();
                let now = Instant::now();
                match s.hold {
                    // Look again after the sleep: a 429 that arrived meanwhile may have moved
                    // the moment further out, and it holds for those already waiting too.
                    Some(until) if until > now => (until, None),
                    _ => match s.rate.as_mut() {
                        None => return now,
                        Some(rate) => {
                            let at = rate.book(now);
                            if at <= now {
                                return now;
                            }
                            (at, Some(s.epoch))
                        }
                    },
                }
            };
            tokio::time::sleep_until(at).await;
            if let Some(epoch) = epoch {
                let s = self.state.lock().unwrap();
                let now = Instant::now();
                if s.epoch == epoch && s.hold.is_none_or(|h| h <= now) {
                    return now;
                }
                // A 429 came in while this request waited for its slot: book again.
            }
        }
    }

    /// A 429 for a request sent at `sent`: everyone waits `wait`, and the pace slows down.
    pub(super) fn rate_limited(&self, sent: Instant, wait: Duration) {
        let mut s = self.state.lock().unwrap();
        let now = Instant::now();
        let until = now + wait;
        if s.hold.is_none_or(|t| t < until) {
            s.hold = Some(until);
        }
        let resume = s.hold.unwrap_or(until);
        s.rate_limited += 1;
        s.epoch += 1;
        if let Some(rate) = s.rate.as_mut()
            && rate.rate_limited(sent, now, resume)
        {
            let current = rate.current;
            s.cuts += 1;
            tracing::debug!(rate = current, "rate limited; slowing down");
        }
    }

    /// An answer that was neither a 429 nor a 5xx: the pace may rise again.
    pub(super) fn accepted(&self) {
        if let Some(rate) = self.state.lock().unwrap().rate.as_mut() {
            rate.accepted();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_pace_allows_a_tenth_of_a_second_at_once_then_one_request_per_interval() {
        let t0 = Instant::now();
        let mut rate = Rate::new(80.0);
        let slots: Vec<Duration> = (0..20).map(|_| rate.book(t0) - t0).collect();
        assert_eq!(slots[..8], [Duration::ZERO; 8], "a burst of 8 at 80/s");
        for (k, slot) in slots[8..].iter().enumerate() {
            let expected = Duration::from_secs_f64((k + 1) as f64 / 80.0);
            assert!(
                slot.abs_diff(expected) < Duration::from_micros(10),
                "{k}: {slot:?}"
            );
        }
        // Slots nobody asked for are lost: after a second of silence the burst is back, no more.
        let later = t0 + Duration::from_secs(5);
        let slots: Vec<Duration> = (0..9).map(|_| rate.book(later) - later).collect();
        assert_eq!(slots[..8], [Duration::ZERO; 8]);
        assert!(slots[8] > ms(12));

        // At 5 requests per second there is no burst at all.
        let mut slow = Rate::new(5.0);
        let slots: Vec<Duration> = (0..3).map(|_| slow.book(t0) - t0).collect();
        assert_eq!(slots, [Duration::ZERO, ms(200), ms(400)]);
    }

    #[test]
    fn a_429_cuts_the_rate_once_per_episode_down_to_a_floor() {
        let t0 = Instant::now();
        let mut rate = Rate::new(80.0);
        let (sent_before, sent_after) = (t0, t0 + ms(300));
        let at = t0 + ms(100);
        assert!(rate.rate_limited(sent_before, at, at + ms(1000)));
        assert!((rate.current - 56.0).abs() < 1e-9);
        // Others sent before the cut, at the old rate, do not cut it again.
        assert!(!rate.rate_limited(sent_before, at + ms(5), at + ms(1005)));
        assert!((rate.current - 56.0).abs() < 1e-9);
        // One sent after the cut does.
        assert!(rate.rate_limited(sent_after, at + ms(400), at + ms(1400)));
        assert!((rate.current - 39.2).abs() < 1e-9);
        for i in 0..30u64 {
            let when = t0 + Duration::from_secs(10 + i);
            rate.rate_limited(when, when, when);
        }
        assert_eq!(rate.current, MIN_RATE);
        assert_eq!(rate.lowest, MIN_RATE);
        let mut tiny = Rate::new(0.5);
        tiny.rate_limited(t0, t0, t0);
        assert_eq!(
            tiny.current, 0.5,
            "never below a ceiling that is itself low"
        );
    }

    #[test]
    fn after_a_pause_the_schedule_restarts_at_the_new_rate_without_a_burst() {
        let t0 = Instant::now();
        let mut rate = Rate::new(80.0);
        for _ in 0..40 {
            rate.book(t0);
        }
        let resume = t0 + ms(1000);
        rate.rate_limited(t0, t0 + ms(100), resume);
        let first = rate.book(t0 + ms(200));
        let second = rate.book(t0 + ms(200));
        assert_eq!(first, resume);
        let interval = Duration::from_secs_f64(1.0 / 56.0);
        assert!((second - resume).abs_diff(interval) < Duration::from_micros(10));
    }

    #[test]
    fn the_rate_recovers_quickly_to_the_last_cut_then_slowly_to_the_ceiling() {
        let t0 = Instant::now();
        let mut rate = Rate::new(80.0);
        rate.rate_limited(t0, t0, t0);
        let mut answers = 0;
        let mut last = rate.current;
        while rate.current < 76.0 {
            rate.accepted();
            assert!(rate.current >= last);
            last = rate.current;
            answers += 1;
        }
        // dr/dt = (80 - r) / 2 per second from 56: about 3 s of answers at ~70/s.
        assert!((100..400).contains(&answers), "{answers}");
        for _ in 0..10_000 {
            rate.accepted();
        }
        assert_eq!(rate.current, 80.0, "up to the ceiling, never above");

        // Beyond the rate of the last cut it climbs by about 1 request/s per second.
        let mut probe = Rate::new(80.0);
        probe.current = 40.0;
        probe.recover_to = 40.0;
        for _ in 0..40 {
            probe.accepted();
        }
        assert!((probe.current - 41.0).abs() < 0.05, "{}", probe.current);
    }
}
