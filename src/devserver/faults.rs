//! Injected faults and the Cloud Ops rate limiter.

use std::time::{Duration, Instant};

use axum::http::{StatusCode, header};

use super::wire::{Code, JSON, Reply};

/// The faults `fault_rate` chooses from, evenly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    ResourceExhausted,
    Unavailable,
    DroppedConnection,
    TruncatedBody,
    MalformedBody,
    /// The real answer, held back for `Config::slow_response`. Drawn apart from the others
    /// (see [`roll_slow`]) and only when that is set, so that seeds keep their old draws.
    SlowResponse,
}

/// Every kind `roll` draws from. `SlowResponse` is not among them: see [`roll_slow`].
const ALL: [Fault; 5] = [
    Fault::ResourceExhausted,
    Fault::Unavailable,
    Fault::DroppedConnection,
    Fault::TruncatedBody,
    Fault::MalformedBody,
];

impl Fault {
    /// The kind as counted in `Stats::faults` and marked in the request log.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Fault::ResourceExhausted => "resource_exhausted",
            Fault::Unavailable => "unavailable",
            Fault::DroppedConnection => "dropped_connection",
            Fault::TruncatedBody => "truncated_body",
            Fault::MalformedBody => "malformed_body",
            Fault::SlowResponse => "slow_response",
        }
    }

    /// Faults that replace the answer; the others mangle the real one.
    pub(crate) fn replaces_answer(self) -> bool {
        matches!(self, Fault::ResourceExhausted | Fault::Unavailable)
    }
}

/// Named apart so that tests (and people) can tell a retried POST that was applied.
pub(crate) const DROPPED_AFTER_APPLY: &str = "dropped_connection_after_apply";

pub(crate) fn roll(rng: &mut fastrand::Rng, rate: f64) -> Option<Fault> {
    if rate <= 0.0 || rng.f64() >= rate {
        return None;
    }
    Some(ALL[rng.usize(..ALL.len())])
}

/// How long a slow response is held by default: just over tcap's default 30 s
/// `--request-timeout`, so that a client with default settings gives up on it.
pub const DEFAULT_SLOW_RESPONSE: Duration = Duration::from_secs(35);

/// Whether a request that drew no other fault is answered slowly. Its own generator, one draw
/// per request, at a sixth of `rate`: about as often as each kind of [`roll`], without moving
/// the draws of `roll` that older tests' seeds were chosen for.
pub(crate) fn roll_slow(rng: &mut fastrand::Rng, rate: f64) -> bool {
    let draw = rng.f64();
    rate > 0.0 && draw < rate / (ALL.len() as f64 + 1.0)
}

/// The 429/503 a fault answers with, in the API's own error format.
pub(crate) fn error_reply(fault: Fault, json: bool) -> Reply {
    match (fault, json) {
        (Fault::ResourceExhausted, true) => Reply::error(
            Code::ResourceExhausted,
            "rate limit exceeded, please retry later",
        )
        .with_header(header::RETRY_AFTER, "1"),
        (Fault::ResourceExhausted, false) => {
            Reply::text(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded\n")
                .with_header(header::RETRY_AFTER, "1")
        }
        (_, true) => Reply::error(Code::Unavailable, "service unavailable, please retry"),
        (_, false) => Reply::text(StatusCode::SERVICE_UNAVAILABLE, "service unavailable\n"),
    }
}

/// Applies a body-mangling fault to a real answer.
pub(crate) fn mangle(fault: Fault, mut reply: Reply) -> Reply {
    let half = reply.body.len() / 2;
    match fault {
        Fault::DroppedConnection => reply.drop_after = Some(half),
        Fault::TruncatedBody => reply.body.truncate(half),
        Fault::MalformedBody => {
            reply.body = if reply.content_type == JSON {
                b"{\"namespace\": \x01garbage\x02, ,]".to_vec()
            } else {
                b"# TYPE temporal_cloud_v1_action_limit gauge\ntemporal_cloud_v1_action_limit{temporal_namespace=\"\x01 NaNaN\n".to_vec()
            }
        }
        Fault::ResourceExhausted | Fault::Unavailable | Fault::SlowResponse => {}
    }
    reply
}

/// Token bucket over Cloud Ops requests; burst = max(1, rate).
pub(crate) struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    pub(crate) fn new(rate: f64, now: Instant) -> TokenBucket {
        let rate = rate.max(0.0);
        let burst = rate.max(1.0);
        TokenBucket {
            rate,
            burst,
            tokens: burst,
            last: now,
        }
    }

    pub(crate) fn try_take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn bucket_allows_burst_then_refills() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(2.0, start);
        assert!(bucket.try_take(start));
        assert!(bucket.try_take(start));
        assert!(!bucket.try_take(start));
        assert!(bucket.try_take(start + Duration::from_millis(500)));
        assert!(!bucket.try_take(start + Duration::from_millis(500)));
    }

    #[test]
    fn fault_rate_bounds() {
        let mut rng = fastrand::Rng::with_seed(3);
        assert!((0..1000).all(|_| roll(&mut rng, 0.0).is_none()));
        assert!((0..1000).all(|_| roll(&mut rng, 1.0).is_some()));
        assert!((0..1000).all(|_| !roll_slow(&mut rng, 0.0)));
        let slow = (0..6000).filter(|_| roll_slow(&mut rng, 0.6)).count();
        assert!((400..800).contains(&slow), "{slow}");
    }
}
