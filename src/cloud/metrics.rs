//! Metrics API client: one `GET /v1/metrics` with repeated `metrics` keys, parsed leniently.

use std::fmt;
use std::time::Duration;

use reqwest::Method;

use super::http::{HttpClient, Reply, RetryPolicy};
use super::openmetrics::{self, Exposition};
use crate::error::{ApiError, Service};
use crate::settings::{Secret, Settings};

pub const ACTION_LIMIT: &str = "temporal_cloud_v1_action_limit";
pub const ACTION_COUNT: &str = "temporal_cloud_v1_total_action_count";
pub const ACTION_THROTTLED: &str = "temporal_cloud_v1_total_action_throttled_count";

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
    pub fn new(settings: &Settings, key: &Secret) -> Result<Self, ApiError> {
        Ok(MetricsClient {
            http: HttpClient::new(
                Service::Metrics,
                settings.metrics_url.clone(),
                key,
                None,
                settings.request_timeout,
                RetryPolicy::metrics(),
            )?,
        })
    }

    /// One request for the given families. A 429 comes back at once with its `Retry-After`:
    /// the account's budget is 180 requests an hour, shared with every other scraper.
    pub async fn fetch(&self, families: &[&str]) -> Result<Snapshot, ApiError> {
        let mut url = self.http.url(&["v1", "metrics"]);
        {
            let mut query = url.query_pairs_mut();
            for family in families {
                query.append_pair("metrics", family);
            }
        }
        let started = std::time::Instant::now();
        let (text, completeness) = self
            .http
            .send_with(Method::GET, url, None, |reply: &Reply| {
                let text = std::str::from_utf8(&reply.body)
                    .map_err(|e| format!("the metrics body is not UTF-8: {e}"))?;
                Ok((
                    text.to_owned(),
                    Completeness::from_header(reply.header("x-completeness")),
                ))
            })
            .await?;
        let exposition = openmetrics::parse_families(&text, families);
        for warning in &exposition.warnings {
            tracing::warn!("metrics body line {}: {}", warning.line, warning.message);
        }
        Ok(Snapshot {
            exposition,
            completeness,
            elapsed: started.elapsed(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completeness_header_values() {
        assert_eq!(Completeness::from_header(Some("complete")), Completeness::Complete);
        assert_eq!(Completeness::from_header(Some(" Limited ")), Completeness::Limited);
        assert_eq!(Completeness::from_header(Some("unknown")), Completeness::Unknown);
        assert_eq!(Completeness::from_header(None), Completeness::Unstated(None));
        assert!(!Completeness::from_header(Some("partial")).is_complete());
    }
}
