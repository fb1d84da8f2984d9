//! The HTTP core both API clients share: auth headers, timeouts, retries with backoff and
//! jitter, `Retry-After`, and a pace shared by every request of a run: Cloud Ops requests are
//! spaced to the account's rate limit, and one 429 slows the whole run down instead of failing
//! requests one by one.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use crate::error::{ApiError, Service};
use crate::settings::Secret;

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

/// Test hook: `TCAP_RETRY_DELAY_SCALE=0.01` shortens every wait (backoff, `Retry-After`, polling)
/// by that factor. It changes how long tcap sleeps, never what it does.
pub fn delay_scale() -> f64 {
    static SCALE: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *SCALE.get_or_init(|| {
        std::env::var("TCAP_RETRY_DELAY_SCALE")
            .ok()
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v >= 0.0 && *v <= 1.0)
            .unwrap_or(1.0)
    })
}

pub async fn sleep_scaled(d: Duration) {
    tokio::time::sleep(d.mul_f64(delay_scale())).await;
}

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
    async fn admit(&self) -> Instant {
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
    fn rate_limited(&self, sent: Instant, wait: Duration) {
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
    fn accepted(&self) {
        if let Some(rate) = self.state.lock().unwrap().rate.as_mut() {
            rate.accepted();
        }
    }
}

/// A successful answer, fully read.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: bytes::Bytes,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Clone, Debug)]
pub struct HttpClient {
    client: reqwest::Client,
    service: Service,
    base: Url,
    auth: Option<HeaderValue>,
    api_version: Option<HeaderValue>,
    retry: RetryPolicy,
    pace: Arc<Pace>,
}

impl HttpClient {
    pub fn new(
        service: Service,
        base: Url,
        key: &Secret,
        api_version: Option<&str>,
        timeout: Duration,
        retry: RetryPolicy,
    ) -> Result<Self, ApiError> {
        let fail = |message: String| ApiError {
            service,
            status: None,
            code: None,
            message,
            retry_after: None,
        };
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", key.expose()))
            .map_err(|_| fail("the API key contains characters not allowed in a header".into()))?;
        auth.set_sensitive(true);
        let api_version = api_version
            .map(HeaderValue::from_str)
            .transpose()
            .map_err(|_| fail("the API version is not a valid header value".into()))?;
        Ok(HttpClient {
            client: shared_client(timeout).map_err(|e| fail(e.to_string()))?,
            service,
            base,
            auth: Some(auth),
            api_version,
            retry,
            // The limit is the account's, for every request: pace all of Cloud Ops by default.
            pace: Arc::new(Pace::new(
                (service == Service::CloudOps).then_some(CLOUD_OPS_RATE_LIMIT),
            )),
        })
    }

    /// The same client with its own pace: at most `rate` requests per second (adapting down
    /// on 429s), or unpaced with `None`. Clones made before keep the old pace.
    pub fn with_rate_limit(mut self, rate: Option<f64>) -> Self {
        self.pace = Arc::new(Pace::new(rate));
        self
    }

    /// 429s seen and the pace, over every request of this client and its clones.
    pub fn pace_stats(&self) -> PaceStats {
        self.pace.stats()
    }

    /// A client for a URL that is itself the credential (a Slack webhook): no auth header.
    pub fn without_auth(
        service: Service,
        base: Url,
        timeout: Duration,
        retry: RetryPolicy,
    ) -> Result<Self, ApiError> {
        Ok(HttpClient {
            client: shared_client(timeout).map_err(|e| ApiError {
                service,
                status: None,
                code: None,
                message: e.to_string(),
                retry_after: None,
            })?,
            service,
            base,
            auth: None,
            api_version: None,
            retry,
            pace: Arc::new(Pace::new(None)),
        })
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The path for a log line: a webhook's path is its secret, so it never is logged.
    fn log_path<'u>(&self, url: &'u Url) -> &'u str {
        if self.auth.is_some() {
            url.path()
        } else {
            "(secret)"
        }
    }

    pub fn service(&self) -> Service {
        self.service
    }

    /// `base` joined with path segments, each percent-encoded (namespace IDs contain dots and
    /// must stay one segment).
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        {
            let mut path = url
                .path_segments_mut()
                .expect("base URLs are http(s), which always have a path");
            path.pop_if_empty();
            path.extend(segments);
        }
        url
    }

    /// Sends a request, retrying what is worth retrying, and returns a 2xx answer or the error.
    /// `accept` decides whether a 2xx body is usable; an unusable one (truncated, malformed) is
    /// retried like a transport failure, which is safe because every request we send is
    /// idempotent (GETs, and POSTs that carry one `asyncOperationId` for all their attempts).
    pub async fn send_with<T>(
        &self,
        method: Method,
        url: Url,
        body: Option<&serde_json::Value>,
        accept: impl Fn(&Reply) -> Result<T, String>,
    ) -> Result<T, ApiError> {
        let body = body.map(|b| serde_json::to_vec(b).expect("JSON values always serialize"));
        let mut failures = 0u32;
        let mut rate_limited = 0u32;
        loop {
            let sent = self.pace.admit().await;
            let started = std::time::Instant::now();
            let mut request = self.client.request(method.clone(), url.clone());
            if let Some(auth) = &self.auth {
                request = request.header(AUTHORIZATION, auth.clone());
            }
            if let Some(v) = &self.api_version {
                request = request.header("temporal-cloud-api-version", v.clone());
            }
            if let Some(body) = &body {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            let outcome = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    match response.bytes().await {
                        Ok(bytes) => Ok(Reply {
                            status: status.as_u16(),
                            headers,
                            body: bytes,
                        }),
                        Err(e) => Err(transport_message(&e)),
                    }
                }
                Err(e) => Err(transport_message(&e)),
            };
            let elapsed = started.elapsed();
            if let Ok(reply) = &outcome
                && reply.status != 429
                && reply.status < 500
            {
                self.pace.accepted();
            }
            let retry_error = match outcome {
                Ok(reply) if (200..300).contains(&reply.status) => {
                    tracing::debug!(%method, path = %self.log_path(&url), status = reply.status, ?elapsed, "{}", self.service);
                    match accept(&reply) {
                        Ok(value) => return Ok(value),
                        Err(message) => {
                            self.error(None, None, format!("unreadable answer: {message}"), None)
                        }
                    }
                }
                Ok(reply) => {
                    tracing::debug!(%method, path = %self.log_path(&url), status = reply.status, ?elapsed, "{}", self.service);
                    let error = self.error_from_reply(&reply);
                    match reply.status {
                        429 => {
                            rate_limited += 1;
                            let wait = error
                                .retry_after
                                .unwrap_or_else(|| self.retry.backoff(rate_limited));
                            if rate_limited > self.retry.max_rate_limited_attempts
                                || wait > self.retry.max_retry_after
                            {
                                return Err(error);
                            }
                            let wait = wait.mul_f64(delay_scale());
                            tracing::debug!(?wait, "rate limited; pausing every request");
                            self.pace.rate_limited(sent, wait);
                            continue;
                        }
                        502..=504 => error,
                        _ => return Err(error),
                    }
                }
                Err(message) => {
                    tracing::debug!(%method, path = %self.log_path(&url), ?elapsed, error = %message, "{}", self.service);
                    self.error(None, None, message, None)
                }
            };
            failures += 1;
            if failures >= self.retry.max_attempts {
                return Err(retry_error);
            }
            let wait = retry_error
                .retry_after
                .filter(|d| *d <= self.retry.max_retry_after)
                .unwrap_or_else(|| self.retry.backoff(failures));
            tracing::debug!(attempt = failures, ?wait, error = %retry_error, "retrying");
            sleep_scaled(wait).await;
        }
    }

    pub async fn get_json<T: DeserializeOwned>(&self, url: Url) -> Result<T, ApiError> {
        self.send_with(Method::GET, url, None, decode_json).await
    }

    pub async fn post_json<T: DeserializeOwned>(
        &self,
        url: Url,
        body: &serde_json::Value,
    ) -> Result<T, ApiError> {
        self.send_with(Method::POST, url, Some(body), decode_json)
            .await
    }

    fn error(
        &self,
        status: Option<u16>,
        code: Option<i64>,
        message: String,
        retry_after: Option<Duration>,
    ) -> ApiError {
        ApiError {
            service: self.service,
            status,
            code,
            message,
            retry_after,
        }
    }

    fn error_from_reply(&self, reply: &Reply) -> ApiError {
        let (code, message) = server_message(reply.status, &reply.body);
        let retry_after = reply
            .headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        self.error(Some(reply.status), code, message, retry_after)
    }
}

fn decode_json<T: DeserializeOwned>(reply: &Reply) -> Result<T, String> {
    serde_json::from_slice(&reply.body).map_err(|e| e.to_string())
}

/// One reqwest client (one connection pool) per timeout for the whole process.
fn shared_client(timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
    static CLIENTS: Mutex<Vec<(Duration, reqwest::Client)>> = Mutex::new(Vec::new());
    let mut clients = CLIENTS.lock().unwrap();
    if let Some((_, c)) = clients.iter().find(|(t, _)| *t == timeout) {
        return Ok(c.clone());
    }
    install_crypto_provider();
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("tcap/", env!("CARGO_PKG_VERSION")))
        .pool_idle_timeout(Duration::from_secs(30))
        .build()?;
    clients.push((timeout, client.clone()));
    Ok(client)
}

/// rustls needs one process-wide crypto provider; ring builds quickly and is enough for TLS 1.2/1.3.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The server's own words: `message` of a `google.rpc.Status` body, else the body itself (the
/// Metrics API answers in plain text), shortened to one line.
pub fn server_message(status: u16, body: &[u8]) -> (Option<i64>, String) {
    #[derive(serde::Deserialize)]
    struct Status {
        code: Option<i64>,
        message: Option<String>,
    }
    if let Ok(s) = serde_json::from_slice::<Status>(body)
        && let Some(message) = s.message.filter(|m| !m.trim().is_empty())
    {
        return (s.code, one_line(&message));
    }
    let text = String::from_utf8_lossy(body);
    let text = one_line(&text);
    if text.is_empty() {
        let reason = StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("no message");
        (None, reason.to_lowercase())
    } else {
        (None, text)
    }
}

fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() > 300 {
        let cut: String = joined.chars().take(300).collect();
        format!("{cut}…")
    } else {
        joined
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

fn transport_message(e: &reqwest::Error) -> String {
    // A webhook URL is a secret: describe the failure from its causes, never with the URL.
    // reqwest's Display hides the cause ("error sending request"); the chain says what happened.
    let mut message = if e.is_timeout() {
        "request timed out".to_string()
    } else if e.is_connect() {
        "could not connect".to_string()
    } else if e.is_body() || e.is_decode() {
        "the response body was cut off".to_string()
    } else {
        "request failed".to_string()
    };
    let mut source = std::error::Error::source(e);
    let mut last = String::new();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    if !last.is_empty() {
        message.push_str(": ");
        message.push_str(&last);
    }
    message
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

    #[test]
    fn server_messages_come_from_status_bodies_or_text() {
        assert_eq!(
            server_message(
                404,
                br#"{"code":5,"message":"namespace not found","details":[]}"#
            ),
            (Some(5), "namespace not found".to_string())
        );
        assert_eq!(
            server_message(401, b"invalid API key\n"),
            (None, "invalid API key".to_string())
        );
        assert_eq!(
            server_message(503, b""),
            (None, "service unavailable".to_string())
        );
        let long = "x".repeat(1000);
        assert!(server_message(500, long.as_bytes()).1.chars().count() <= 301);
    }
}
