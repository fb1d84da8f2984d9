//! Metrics API client: one `GET /v1/metrics` with repeated `metrics` keys, parsed leniently.

use std::fmt;
use std::time::Duration;

use reqwest::Method;

use super::http::{HttpClient, Reply};
use super::openmetrics::{self, Exposition};
use super::retry::RetryPolicy;
use crate::error::{ApiError, Service};
use crate::settings::Endpoint;
use crate::timing;

pub const ACTION_LIMIT: &str = "temporal_cloud_v1_action_limit";
pub const ACTION_COUNT: &str = "temporal_cloud_v1_total_action_count";
pub const ACTION_THROTTLED: &str = "temporal_cloud_v1_total_action_throttled_count";
pub const ACTION_ENVELOPE: &str = "temporal_cloud_v1_action_on_demand_envelope_limit";
pub const REQUEST_LIMIT: &str = "temporal_cloud_v1_service_request_limit";
pub const REQUEST_COUNT: &str = "temporal_cloud_v1_service_request_count";
pub const REQUEST_THROTTLED: &str = "temporal_cloud_v1_service_request_throttled_count";
pub const REQUEST_ENVELOPE: &str = "temporal_cloud_v1_service_request_on_demand_envelope_limit";
pub const OPERATIONS_LIMIT: &str = "temporal_cloud_v1_operations_limit";
pub const OPERATIONS_COUNT: &str = "temporal_cloud_v1_operations_count";
pub const OPERATIONS_THROTTLED: &str = "temporal_cloud_v1_operations_throttled_count";
pub const OPERATIONS_ENVELOPE: &str = "temporal_cloud_v1_operations_on_demand_envelope_limit";
/// TRUs provisioned, 0 when On-Demand (no `region` label).
pub const TRU_COUNT: &str = "temporal_cloud_v1_provisioned_capacity_tru_count";

/// What `analyze` asks for in one request: limit, count and throttling of the three
/// dimensions, and what each limit would be on On-Demand.
pub const CAPACITY_FAMILIES: [&str; 12] = [
    ACTION_LIMIT,
    ACTION_COUNT,
    ACTION_THROTTLED,
    ACTION_ENVELOPE,
    REQUEST_LIMIT,
    REQUEST_COUNT,
    REQUEST_THROTTLED,
    REQUEST_ENVELOPE,
    OPERATIONS_LIMIT,
    OPERATIONS_COUNT,
    OPERATIONS_THROTTLED,
    OPERATIONS_ENVELOPE,
];

/// `X-Completeness`: whether the server says the body holds every series asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Completeness {
    Complete,
    /// Truncated at the API's 30,000 data points.
    Limited,
    /// The server could not tell (regional issues, timeouts).
    Unknown,
    /// No header, or a value this client does not know: not known to be complete.
    Unstated(Option<String>),
}

impl Completeness {
    fn from_header(value: Option<&str>) -> Self {
        match value.map(|v| v.trim().to_ascii_lowercase()) {
            Some(v) if v == "complete" => Completeness::Complete,
            Some(v) if v == "limited" => Completeness::Limited,
            Some(v) if v == "unknown" => Completeness::Unknown,
            other => Completeness::Unstated(other),
        }
    }

    pub fn is_complete(&self) -> bool {
        *self == Completeness::Complete
    }
}

impl fmt::Display for Completeness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Completeness::Complete => f.write_str("complete"),
            Completeness::Limited => f.write_str("limited (truncated at the API's size limit)"),
            Completeness::Unknown => f.write_str("unknown (the server could not tell)"),
            Completeness::Unstated(None) => f.write_str("not stated (no X-Completeness header)"),
            Completeness::Unstated(Some(v)) => write!(f, "'{v}' (unrecognised X-Completeness)"),
        }
    }
}

#[derive(Debug)]
pub struct Snapshot {
    pub exposition: Exposition,
    pub completeness: Completeness,
    pub elapsed: Duration,
}

#[derive(Clone, Debug)]
pub struct MetricsClient {
    http: HttpClient,
}

impl MetricsClient {
    pub fn new(endpoint: &Endpoint) -> Result<Self, ApiError> {
        Ok(MetricsClient {
            http: HttpClient::new(Service::Metrics, endpoint, RetryPolicy::metrics())?,
        })
    }

    /// A client over an HTTP core built elsewhere (tests, other base URLs).
    pub fn from_http(http: HttpClient) -> Self {
        MetricsClient { http }
    }

    /// The same client allowed `calls` requests in all, retries included.
    pub fn with_call_limit(self, calls: u32) -> Self {
        MetricsClient {
            http: self.http.with_request_limit(calls),
        }
    }

    /// Requests sent so far, every attempt counted.
    pub fn calls_spent(&self) -> u32 {
        self.http.requests_sent()
    }

    pub fn calls_left(&self) -> Option<u32> {
        self.http.requests_left()
    }

    /// One request for the given families. A 429 with a long `Retry-After` (the account's
    /// budget is 180 requests an hour, shared with every other scraper) comes back at once.
    /// A body cut off mid-line or holding lines that cannot be read is asked for again a couple
    /// of times; if it stays unreadable, the readable part is returned with its warnings.
    pub async fn fetch(&self, families: &[&str]) -> Result<Snapshot, ApiError> {
        self.fetch_matching(families, &[]).await
    }

    /// [`fetch`](Self::fetch) for the namespaces matching `namespaces` (the API's filter,
    /// wildcards allowed; empty: every namespace).
    pub async fn fetch_matching(
        &self,
        families: &[&str],
        namespaces: &[String],
    ) -> Result<Snapshot, ApiError> {
        const ATTEMPTS: u32 = 3;
        let mut url = self.http.url(&["v1", "metrics"]);
        {
            let mut query = url.query_pairs_mut();
            for family in families {
                query.append_pair("metrics", family);
            }
            for pattern in namespaces {
                query.append_pair("namespaces", pattern);
            }
        }
        let started = std::time::Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (text, completeness) = self
                .http
                .send_with(Method::GET, url.clone(), None, |reply: &Reply| {
                    let text = std::str::from_utf8(&reply.body)
                        .map_err(|e| format!("the metrics body is not UTF-8: {e}"))?;
                    if is_cut_off(text) {
                        return Err("the metrics body ends in the middle of a line".into());
                    }
                    Ok((
                        text.to_owned(),
                        Completeness::from_header(reply.header("x-completeness")),
                    ))
                })
                .await?;
            let exposition = openmetrics::parse_families(&text, families);
            if !exposition.warnings.is_empty()
                && attempt < ATTEMPTS
                && self.calls_left().is_none_or(|left| left > 0)
            {
                tracing::warn!(
                    "the metrics body had {} unreadable line(s) ({}); asking again",
                    exposition.warnings.len(),
                    exposition.warnings[0]
                );
                timing::sleep(RetryPolicy::metrics().backoff(attempt)).await;
                continue;
            }
            for warning in &exposition.warnings {
                tracing::warn!("metrics body line {}: {}", warning.line, warning.message);
            }
            return Ok(Snapshot {
                exposition,
                completeness,
                elapsed: started.elapsed(),
            });
        }
    }
}

/// OpenMetrics ends every line with a newline; a body that stops mid-line lost its tail.
fn is_cut_off(text: &str) -> bool {
    !text.is_empty() && !text.ends_with('\n') && !text.trim_end().ends_with("# EOF")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completeness_header_values() {
        assert_eq!(
            Completeness::from_header(Some("complete")),
            Completeness::Complete
        );
        assert_eq!(
            Completeness::from_header(Some(" Limited ")),
            Completeness::Limited
        );
        assert_eq!(
            Completeness::from_header(Some("unknown")),
            Completeness::Unknown
        );
        assert_eq!(
            Completeness::from_header(None),
            Completeness::Unstated(None)
        );
        assert!(!Completeness::from_header(Some("partial")).is_complete());
    }

    #[test]
    fn a_body_that_stops_mid_line_is_cut_off() {
        assert!(!is_cut_off(""));
        assert!(!is_cut_off("a 1\n"));
        assert!(!is_cut_off("a 1\n# EOF"));
        assert!(is_cut_off("a 1\na{x=\"1"));
        assert!(is_cut_off("a 1\nb 2"));
    }
}
