//! The HTTP core both API clients (and the Slack alert) share: auth headers, timeouts,
//! retries with backoff and jitter, `Retry-After`, and a [`Pace`] shared by every request of a
//! run. What an error means is decided here, once, from the answer.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use super::pace::{CLOUD_OPS_RATE_LIMIT, Pace, PaceStats};
use super::retry::{RetryPolicy, parse_retry_after};
use crate::error::{ApiError, ApiErrorKind, Service};
use crate::settings::Endpoint;
use crate::timing;

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
    requests: Arc<RequestCount>,
}

/// Requests sent by a client and its clones, and the most it may send: the Metrics API's 180
/// an hour are the account's, so a run spends no more than it was given, retries included.
#[derive(Debug, Default)]
struct RequestCount {
    sent: AtomicU32,
    limit: Option<u32>,
}

impl RequestCount {
    /// Counts one request, or refuses it when the limit is reached.
    fn take(&self) -> bool {
        self.sent
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |sent| {
                self.limit.is_none_or(|l| sent < l).then_some(sent + 1)
            })
            .is_ok()
    }
}

impl HttpClient {
    pub fn new(
        service: Service,
        endpoint: &Endpoint,
        retry: RetryPolicy,
    ) -> Result<Self, ApiError> {
        let fail = |message: &str| ApiError::transport(service, message);
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", endpoint.key.expose()))
            .map_err(|_| fail("the API key contains characters not allowed in a header"))?;
        auth.set_sensitive(true);
        let api_version = endpoint
            .api_version
            .as_deref()
            .map(HeaderValue::from_str)
            .transpose()
            .map_err(|_| fail("the API version is not a valid header value"))?;
        Ok(HttpClient {
            client: shared_client(endpoint.timeout).map_err(|e| fail(&e.to_string()))?,
            service,
            base: endpoint.url.clone(),
            auth: Some(auth),
            api_version,
            retry,
            // The limit is the account's, for every request: pace all of Cloud Ops by default.
            pace: Arc::new(Pace::new(
                (service == Service::CloudOps).then_some(CLOUD_OPS_RATE_LIMIT),
            )),
            requests: Arc::default(),
        })
    }

    /// The same client with its own pace: at most `rate` requests per second (adapting down
    /// on 429s), or unpaced with `None`. Clones made before keep the old pace.
    pub fn with_rate_limit(mut self, rate: Option<f64>) -> Self {
        self.pace = Arc::new(Pace::new(rate));
        self
    }

    /// The same client allowed at most `limit` requests from now on, retries included; clones
    /// made after share the count.
    pub fn with_request_limit(mut self, limit: u32) -> Self {
        self.requests = Arc::new(RequestCount {
            sent: AtomicU32::new(0),
            limit: Some(limit),
        });
        self
    }

    /// Requests sent so far by this client and its clones (every attempt counts).
    pub fn requests_sent(&self) -> u32 {
        self.requests.sent.load(Ordering::SeqCst)
    }

    /// How many more requests the limit allows; `None` without a limit.
    pub fn requests_left(&self) -> Option<u32> {
        self.requests
            .limit
            .map(|l| l.saturating_sub(self.requests_sent()))
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
            client: shared_client(timeout)
                .map_err(|e| ApiError::transport(service, e.to_string()))?,
            service,
            base,
            auth: None,
            api_version: None,
            retry,
            pace: Arc::new(Pace::new(None)),
            requests: Arc::default(),
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

    /// "at https://host": where a failure without an answer happened. A webhook's URL is its
    /// secret, so Slack failures name no address.
    fn at(&self, message: &str) -> String {
        if self.auth.is_none() {
            return message.to_string();
        }
        let mut base = self.base.clone();
        base.set_path("");
        format!("{message} (at {})", base.as_str().trim_end_matches('/'))
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
        let mut last_error: Option<ApiError> = None;
        let first_attempt = std::time::Instant::now();
        loop {
            if !self.requests.take() {
                return Err(last_error.unwrap_or_else(|| ApiError {
                    service: self.service,
                    kind: ApiErrorKind::RateLimited,
                    status: None,
                    code: None,
                    message: format!(
                        "tcap's own limit of {} request(s) for this run is spent",
                        self.requests.limit.unwrap_or_default()
                    ),
                    retry_after: None,
                }));
            }
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
                        Err(e) => Err(transport_failure(&e)),
                    }
                }
                Err(e) => Err(transport_failure(&e)),
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
                    tracing::trace!(%method, path = %self.log_path(&url), status = reply.status, ?elapsed, "{}", self.service);
                    match accept(&reply) {
                        Ok(value) => return Ok(value),
                        Err(message) => ApiError::transport(
                            self.service,
                            format!("unreadable answer: {message}"),
                        ),
                    }
                }
                Ok(reply) => {
                    tracing::trace!(%method, path = %self.log_path(&url), status = reply.status, ?elapsed, "{}", self.service);
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
                            let wait = timing::scaled(wait);
                            tracing::debug!(?wait, "rate limited; pausing every request");
                            self.pace.rate_limited(sent, wait);
                            last_error = Some(error);
                            continue;
                        }
                        502..=504 => error,
                        _ => return Err(error),
                    }
                }
                Err((failure, message)) => {
                    tracing::trace!(%method, path = %self.log_path(&url), ?elapsed, error = %message, "{}", self.service);
                    if failure != Failure::Other {
                        return Err(ApiError {
                            kind: ApiErrorKind::Unreachable,
                            ..ApiError::transport(self.service, self.at(&message))
                        });
                    }
                    ApiError::transport(self.service, message)
                }
            };
            failures += 1;
            if failures >= self.retry.max_attempts {
                let mut error = retry_error;
                if error.status.is_none() {
                    error.message = format!(
                        "{} ({failures} attempts over {})",
                        self.at(&error.message),
                        humantime::format_duration(std::time::Duration::from_millis(
                            first_attempt.elapsed().as_millis() as u64 / 100 * 100
                        ))
                    );
                }
                return Err(error);
            }
            let wait = retry_error
                .retry_after
                .filter(|d| *d <= self.retry.max_retry_after)
                .unwrap_or_else(|| self.retry.backoff(failures));
            tracing::debug!(attempt = failures, ?wait, error = %retry_error, "retrying");
            last_error = Some(retry_error);
            timing::sleep(wait).await;
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

    fn error_from_reply(&self, reply: &Reply) -> ApiError {
        let (code, message) = server_message(reply.status, &reply.body);
        let retry_after = reply
            .headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        ApiError {
            service: self.service,
            kind: kind_of(reply.status, code, &message),
            status: Some(reply.status),
            code,
            message,
            retry_after,
        }
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

/// What a refusal means. Three Cloud Ops cases share a status and differ only in the server's
/// message, so it is read here and nowhere else. How the real service reports a stale
/// `resourceVersion` is UNVERIFIED (409 `Aborted`, or 400 `FailedPrecondition`), and so is a
/// change while a capacity request is in progress: both spellings are recognised.
pub fn kind_of(status: u16, code: Option<i64>, message: &str) -> ApiErrorKind {
    const FAILED_PRECONDITION: i64 = 9;
    const ALREADY_EXISTS: i64 = 6;
    let message = message.to_lowercase();
    match status {
        401 => ApiErrorKind::Unauthenticated,
        403 => ApiErrorKind::PermissionDenied,
        404 => ApiErrorKind::NotFound,
        429 => ApiErrorKind::RateLimited,
        408 | 500.. => ApiErrorKind::Unavailable,
        400 if message.contains("nothing to change") => ApiErrorKind::NothingToChange,
        400 | 409 if message.contains("in progress") => ApiErrorKind::RequestInProgress,
        // An `asyncOperationId` used before is a conflict of its own, not a stale version.
        409 if code != Some(ALREADY_EXISTS) => ApiErrorKind::StaleVersion,
        400 if says_stale_version(&message, code == Some(FAILED_PRECONDITION)) => {
            ApiErrorKind::StaleVersion
        }
        _ => ApiErrorKind::Rejected,
    }
}

/// A 400 about the resource version is stale only when it says so: "resource_version is
/// required" or "invalid resource version" are mistakes of ours, and retrying cannot fix them.
fn says_stale_version(message: &str, failed_precondition: bool) -> bool {
    let names_version = ["resource version", "resource_version", "resourceversion"]
        .iter()
        .any(|v| message.contains(v));
    let stale = [
        "mismatch",
        "stale",
        "modified",
        "out of date",
        "outdated",
        "does not match",
        "doesn't match",
        "changed",
        "conflict",
    ]
    .iter()
    .any(|w| message.contains(w));
    (names_version || (failed_precondition && message.contains("version"))) && stale
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

/// What kind of transport failure, for whether to retry it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failure {
    /// The name does not resolve: no retry fixes a wrong host.
    Dns,
    /// The TLS handshake failed (not TLS at that address, a bad certificate).
    Tls,
    /// Refused, reset, timed out, cut off: a restarting proxy or a blip, worth retrying.
    Other,
}

fn transport_failure(e: &reqwest::Error) -> (Failure, String) {
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
    let mut failure = Failure::Other;
    let mut source = std::error::Error::source(e);
    let mut last = String::new();
    while let Some(s) = source {
        let tls_inside_io = s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some());
        let text = s.to_string();
        // rustls' error may arrive boxed in layers that hide its type; its words do not.
        let lower = text.to_lowercase();
        let tls_words = [
            "corrupt message",
            "certificate",
            "handshake",
            "received fatal alert",
            "peer is incompatible",
            "tls",
        ]
        .iter()
        .any(|w| lower.contains(w));
        if tls_inside_io || s.downcast_ref::<rustls::Error>().is_some() || tls_words {
            failure = Failure::Tls;
        }
        if failure == Failure::Other
            && (text.starts_with("dns error") || text.contains("failed to lookup address"))
        {
            failure = Failure::Dns;
        }
        last = text;
        source = s.source();
    }
    match failure {
        Failure::Dns => message = "the host name does not resolve".to_string(),
        Failure::Tls => message = "the TLS handshake failed".to_string(),
        Failure::Other => {}
    }
    if !last.is_empty() {
        message.push_str(": ");
        message.push_str(&last);
    }
    (failure, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_status_and_where_needed_the_message() {
        use ApiErrorKind::*;
        for (status, code, message, kind) in [
            (401, None, "invalid API key", Unauthenticated),
            (403, Some(7), "permission denied", PermissionDenied),
            (404, Some(5), "namespace not found", NotFound),
            (429, Some(8), "rate limited", RateLimited),
            (503, None, "", Unavailable),
            (408, None, "", Unavailable),
            (
                400,
                Some(3),
                "nothing to change: the requested spec is the same",
                NothingToChange,
            ),
            (409, Some(10), "resource version mismatch", StaleVersion),
            (400, Some(9), "resource version mismatch", StaleVersion),
            (
                400,
                None,
                "stale resource_version: read the namespace again",
                StaleVersion,
            ),
            (
                400,
                Some(9),
                "the namespace version is out of date",
                StaleVersion,
            ),
            (
                400,
                Some(3),
                "resource_version is required: read the namespace",
                Rejected,
            ),
            (400, Some(3), "invalid resource version \"x\"", Rejected),
            (409, Some(6), "async operation id already used", Rejected),
            (
                400,
                Some(9),
                "cannot change the namespace while the last capacity request is in progress",
                RequestInProgress,
            ),
            (400, Some(3), "invalid TRU value", Rejected),
        ] {
            assert_eq!(kind_of(status, code, message), kind, "{status} {message}");
        }
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
