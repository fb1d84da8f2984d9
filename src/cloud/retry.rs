//! Which failures are retried, how long to wait between attempts, and how long the server
//! may ask us to wait.

use std::time::Duration;

/// Which failures are retried, and how long to wait between attempts.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Attempts for 502/503/504, transport failures and unreadable bodies.
    pub max_attempts: u32,
    /// Attempts for 429s; zero means a 429 is returned at once.
    pub max_rate_limited_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The longest `Retry-After` we are willing to sleep inside one command.
    pub max_retry_after: Duration,
}

impl RetryPolicy {
    pub fn cloud_ops() -> Self {
        RetryPolicy {
            max_attempts: 6,
            max_rate_limited_attempts: 30,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }

    /// A 429 that asks for a short pause is a blip and is retried; one that asks for minutes is
    /// the hourly budget, and waiting inside a command would only hide it.
    pub fn metrics() -> Self {
        RetryPolicy {
            max_attempts: 3,
            max_rate_limited_attempts: 2,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(10),
        }
    }

    /// A webhook alert: worth a couple of tries, never worth holding up a change for.
    pub fn slack() -> Self {
        RetryPolicy {
            max_attempts: 3,
            max_rate_limited_attempts: 2,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(4),
            max_retry_after: Duration::from_secs(10),
        }
    }

    /// Exponential backoff with jitter: half fixed, half random, so synchronized clients spread
    /// out without any of them retrying instantly.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32.checked_shl(retry.min(16)).unwrap_or(u32::MAX));
        let capped = exp.min(self.max_delay);
        capped.mul_f64(0.5 + fastrand::f64() * 0.5)
    }
}

/// `Retry-After` is either delay-seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).ok();
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::cloud_ops();
        for retry in 0..40 {
            let d = p.backoff(retry);
            let full = p
                .base_delay
                .saturating_mul(1 << retry.min(16))
                .min(p.max_delay);
            assert!(
                d >= full / 2 && d <= full,
                "retry {retry}: {d:?} vs {full:?}"
            );
        }
        assert!(p.backoff(30) <= p.max_delay);
    }

    #[test]
    fn retry_after_accepts_seconds_and_http_dates() {
        assert_eq!(parse_retry_after("1200"), Some(Duration::from_secs(1200)));
        assert_eq!(parse_retry_after(" 2 "), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
