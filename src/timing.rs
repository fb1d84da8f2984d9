//! Every wait tcap makes goes through here, so the test hook that shortens them lives in one
//! place: `TCAP_RETRY_DELAY_SCALE=0.01` makes each wait (backoff, `Retry-After`, polling, the
//! slices of a long sleep) that factor of its length. It changes how long tcap sleeps, never
//! what it does.

use std::time::Duration;

use tokio::time::Instant;

fn scale() -> f64 {
    static SCALE: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *SCALE.get_or_init(|| {
        std::env::var("TCAP_RETRY_DELAY_SCALE")
            .ok()
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v >= 0.0 && *v <= 1.0)
            .unwrap_or(1.0)
    })
}

/// How long a wait of `d` really lasts.
pub fn scaled(d: Duration) -> Duration {
    d.mul_f64(scale())
}

pub async fn sleep(d: Duration) {
    tokio::time::sleep(scaled(d)).await;
}

/// Whether a pause of `pause` still ends before `deadline`: a poll that would end after it is
/// not worth starting.
pub fn ends_before(pause: Duration, deadline: Instant) -> bool {
    Instant::now() + scaled(pause) <= deadline
}
