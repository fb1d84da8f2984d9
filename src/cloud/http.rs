//! The HTTP core both API clients share: auth headers, timeouts, retries with backoff and
//! jitter, `Retry-After`, and a pace shared by every request of a run so that one 429 slows the
//! whole run down instead of failing requests one by one.

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

/// A gate every request passes: after a 429 nobody sends until the server's `Retry-After`.
#[derive(Debug, Default)]
pub struct Pace {
    not_before: Mutex<Option<Instant>>,
}

impl Pace {
    async fn wait(&self) {
        // Look again after every sleep: a 429 that arrived meanwhile may have moved the
        // moment further out, and it holds for those already waiting too.
        loop {
            let until = *self.not_before.lock().unwrap();
            match until {
                Some(until) if until > Instant::now() => tokio::time::sleep_until(until).await,
                _ => return,
            }
        }
    }

    fn hold_until(&self, until: Instant) {
        let mut guard = self.not_before.lock().unwrap();
        if guard.is_none_or(|t| t < until) {
            *guard = Some(until);
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
            pace: Arc::new(Pace::default()),
        })
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
            pace: Arc::new(Pace::default()),
        })
    }

    pub fn base(&self) -> &Url {
        &self.base
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
            self.pace.wait().await;
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
            let retry_error = match outcome {
                Ok(reply) if (200..300).contains(&reply.status) => {
                    tracing::debug!(%method, path = url.path(), status = reply.status, ?elapsed, "{}", self.service);
                    match accept(&reply) {
                        Ok(value) => return Ok(value),
                        Err(message) => {
                            self.error(None, None, format!("unreadable answer: {message}"), None)
                        }
                    }
                }
                Ok(reply) => {
                    tracing::debug!(%method, path = url.path(), status = reply.status, ?elapsed, "{}", self.service);
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
                            self.pace.hold_until(Instant::now() + wait);
                            continue;
                        }
                        502..=504 => error,
                        _ => return Err(error),
                    }
                }
                Err(message) => {
                    tracing::debug!(%method, path = url.path(), ?elapsed, error = %message, "{}", self.service);
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
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
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
