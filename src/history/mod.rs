//! History from the user's Prometheus (or anything serving its query API: Mimir, Thanos,
//! VictoriaMetrics): minutes of actions, limits and throttling per namespace.
//!
//! Each minute is read exactly once. Temporal sends one minute-aligned sample per series and
//! minute, and none for an idle minute. A plain selector would carry the last value forward
//! for Prometheus' 5-minute lookback (idle minutes would look busy), and `x[1m]` evaluated on a
//! whole minute includes both ends, so it sees two samples. `last_over_time(x[59s])` evaluated
//! on whole minutes sees the sample of that minute and nothing else.

pub mod matrix;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, DurationRound, Utc};
use futures_util::{StreamExt, stream};
use url::Url;

use crate::capacity::plan::History;
use crate::error::{ApiError, ApiErrorKind, Error, Result, Service};
use crate::secret::Secret;
use crate::settings::PrometheusEndpoint;
pub use matrix::{Family, Series};

/// Prometheus refuses a range query of more than 11,000 points per series; a week is 10,080.
pub const MAX_POINTS_PER_QUERY: usize = 7 * 24 * 60;
/// Queries in flight at once: enough to overlap the server's work, few enough to be polite.
pub const CONCURRENT_QUERIES: usize = 4;
const ATTEMPTS: u32 = 3;

/// The largest limit row per namespace (HA namespaces may report one per region).
pub const LIMIT_QUERY: &str =
    "max by (temporal_namespace) (last_over_time(temporal_cloud_v1_action_limit[59s]))";
/// All action rows; background ones are billed but do not count toward the limit.
pub const COUNT_QUERY: &str = "sum by (temporal_namespace, is_background) \
     (last_over_time(temporal_cloud_v1_total_action_count[59s]))";
pub const THROTTLED_QUERY: &str = "sum by (temporal_namespace) \
     (last_over_time(temporal_cloud_v1_total_action_throttled_count[59s]))";
/// Requests asked for: what ran and what was throttled, in one query.
pub const REQUESTS_QUERY: &str = "sum by (temporal_namespace) (last_over_time(\
     {__name__=~\"temporal_cloud_v1_service_request_(count|throttled_count)\"}[59s]))";
/// Operations asked for, as for actions without the background ones.
pub const OPERATIONS_QUERY: &str = "sum by (temporal_namespace) (last_over_time(\
     {__name__=~\"temporal_cloud_v1_operations_(count|throttled_count)\",is_background!=\"true\"}[59s]))";

/// A Prometheus query API.
pub struct Prometheus {
    client: reqwest::Client,
    base: Url,
    token: Option<Secret>,
}

/// What the history holds.
pub struct Read {
    /// Per `temporal_namespace` label value.
    pub histories: BTreeMap<String, History>,
    pub warnings: Vec<String>,
    pub queries: usize,
}

impl Prometheus {
    pub fn new(endpoint: &PrometheusEndpoint) -> Result<Prometheus> {
        crate::cloud::http::install_crypto_provider();
        let client = reqwest::Client::builder()
            .timeout(endpoint.timeout)
            .connect_timeout(endpoint.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("tcap/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Failed(format!("cannot build an HTTP client: {e}")))?;
        Ok(Prometheus {
            client,
            base: endpoint.url.clone(),
            token: endpoint.token.clone(),
        })
    }

    /// The server as the user may see it named: scheme, host and port (no credentials).
    pub fn name(&self) -> String {
        let mut shown = format!(
            "{}://{}",
            self.base.scheme(),
            self.base.host_str().unwrap_or("?")
        );
        if let Some(port) = self.base.port() {
            shown.push_str(&format!(":{port}"));
        }
        shown
    }

    fn api_url(&self, endpoint: &str) -> Url {
        let mut url = self.base.clone();
        let path = format!("{}/api/v1/{endpoint}", url.path().trim_end_matches('/'));
        url.set_path(&path);
        url.set_query(None);
        url
    }

    /// `query` evaluated each minute from `first` to `last`, both included.
    pub async fn query_range(
        &self,
        query: &str,
        first: DateTime<Utc>,
        last: DateTime<Utc>,
    ) -> Result<Vec<Series>> {
        let mut url = self.api_url("query_range");
        url.query_pairs_mut()
            .append_pair("query", query)
            .append_pair("start", &first.timestamp().to_string())
            .append_pair("end", &last.timestamp().to_string())
            .append_pair("step", "60");
        self.matrix(url).await
    }

    /// A range selector (`x[10m]`) evaluated at `at` with the instant query API: every raw
    /// sample in the range, with its own timestamp and its series' name.
    pub async fn raw_samples(&self, selector: &str, at: DateTime<Utc>) -> Result<Vec<Series>> {
        let mut url = self.api_url("query");
        url.query_pairs_mut()
            .append_pair("query", selector)
            .append_pair("time", &at.timestamp().to_string());
        self.matrix(url).await
    }

    /// GETs a query whose answer is a matrix, retrying what is temporary.
    async fn matrix(&self, url: Url) -> Result<Vec<Series>> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = self.client.get(url.clone());
            if let Some(token) = &self.token {
                request = request.bearer_auth(token.expose());
            }
            let failure = match request.send().await {
                Err(e) => ApiError {
                    service: Service::Prometheus,
                    kind: ApiErrorKind::Transport,
                    status: None,
                    code: None,
                    message: format!("no answer from {}: {}", self.name(), cause(&e)),
                    retry_after: None,
                },
                Ok(response) => {
                    let status = response.status().as_u16();
                    let body = response.bytes().await.map_err(|e| {
                        Error::Api(ApiError::transport(
                            Service::Prometheus,
                            format!("the answer from {} broke off: {}", self.name(), cause(&e)),
                        ))
                    })?;
                    if status == 200 {
                        return matrix::parse(&body)
                            .map_err(|m| Error::Failed(format!("{}: {m}", self.name())));
                    }
                    answer_error(status, &body)
                }
            };
            if !failure.is_temporary() || attempt >= ATTEMPTS {
                return Err(Error::Api(failure));
            }
            crate::timing::sleep(Duration::from_millis(500 * 2u64.pow(attempt))).await;
        }
    }

    /// Every namespace's minutes of [from, to) (whole minutes), read in pieces of at most a
    /// week, [`CONCURRENT_QUERIES`] at a time. An answer with no limit series at all is an
    /// error: nothing could be planned from it.
    pub async fn read(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Read> {
        let minutes = matrix::minute_span(from, to);
        let pieces = matrix::chunks(from, minutes, MAX_POINTS_PER_QUERY);
        let jobs: Vec<(Family, &str, DateTime<Utc>, DateTime<Utc>)> = [
            (Family::Limit, LIMIT_QUERY),
            (Family::Count, COUNT_QUERY),
            (Family::Throttled, THROTTLED_QUERY),
            (Family::Requests, REQUESTS_QUERY),
            (Family::Operations, OPERATIONS_QUERY),
        ]
        .into_iter()
        .flat_map(|(family, query)| {
            pieces
                .iter()
                .map(move |(first, last)| (family, query, *first, *last))
        })
        .collect();
        let queries = jobs.len();
        let mut answers = stream::iter(jobs)
            .map(|(family, query, first, last)| async move {
                (family, self.query_range(query, first, last).await)
            })
            .buffer_unordered(CONCURRENT_QUERIES);
        let mut assembler = matrix::Assembler::new(from, minutes);
        while let Some((family, answer)) = answers.next().await {
            assembler.add(family, answer?);
        }
        let (histories, orphans) = assembler.finish();
        if histories.is_empty() {
            return Err(Error::Failed(format!(
                "{} has no temporal_cloud_v1_action_limit series from {} to {}: is it scraping \
                 Temporal Cloud's metrics endpoint, and is --history within its retention?",
                self.name(),
                from.format("%Y-%m-%d %H:%M UTC"),
                to.format("%Y-%m-%d %H:%M UTC"),
            )));
        }
        let mut warnings = Vec::new();
        if !orphans.is_empty() {
            warnings.push(format!(
                "{} namespace(s) have action counts but never an action_limit row, so no minute \
                 of theirs can be read: {}",
                orphans.len(),
                orphans.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        Ok(Read {
            histories,
            warnings,
            queries,
        })
    }
}

/// [end − history, end) with end the last whole hour: every billed hour is whole.
pub fn window(now: DateTime<Utc>, history: Duration) -> (DateTime<Utc>, DateTime<Utc>) {
    let end = now
        .duration_trunc(chrono::Duration::hours(1))
        .expect("an hour divides any time");
    let minutes = (history.as_secs() / 60) as i64;
    (end - chrono::Duration::minutes(minutes), end)
}

/// The histories keyed by namespace ID: `temporal_namespace` may hold the full ID or the bare
/// name (the docs show both), and the Cloud Ops list says which ID a bare name is.
pub fn by_namespace_id(
    histories: BTreeMap<String, History>,
    listed: &[String],
) -> BTreeMap<String, History> {
    let id_of_name: BTreeMap<&str, &str> = listed
        .iter()
        .map(|id| (crate::capacity::select::name_part(id), id.as_str()))
        .collect();
    histories
        .into_iter()
        .map(|(label, h)| {
            let id = if listed.contains(&label) {
                label
            } else {
                id_of_name
                    .get(label.as_str())
                    .map_or(label, |id| id.to_string())
            };
            (id, h)
        })
        .collect()
}

/// A refusal in the server's own words (Prometheus answers errors as JSON).
fn answer_error(status: u16, body: &[u8]) -> ApiError {
    let message = match matrix::parse(body) {
        Err(m) if !m.starts_with("the answer is not") => m,
        _ => crate::cloud::http::server_message(status, body).1,
    };
    let kind = match status {
        401 => ApiErrorKind::Unauthenticated,
        403 => ApiErrorKind::PermissionDenied,
        404 => ApiErrorKind::NotFound,
        429 => ApiErrorKind::RateLimited,
        408 | 500.. => ApiErrorKind::Unavailable,
        _ => ApiErrorKind::Rejected,
    };
    ApiError {
        service: Service::Prometheus,
        kind,
        status: Some(status),
        code: None,
        message,
        retry_after: None,
    }
}

/// The innermost reason of a transport error, without the URL (it may hold credentials).
fn cause(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    if e.is_timeout() {
        "timed out".into()
    } else {
        source.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_the_servers_words_with_the_contracts_kinds() {
        let body = br#"{"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of 11,000 points per timeseries"}"#;
        let e = answer_error(400, body);
        assert_eq!(e.kind, ApiErrorKind::Rejected);
        assert_eq!(
            e.to_string(),
            "Prometheus answered 400: bad_data: exceeded maximum resolution of 11,000 points per timeseries"
        );
        assert!(answer_error(503, b"overloaded").is_temporary());
        assert_eq!(answer_error(503, b"overloaded").message, "overloaded");
        assert!(answer_error(401, b"").is_auth());
    }

    #[test]
    fn the_window_ends_at_the_last_whole_hour() {
        let now = DateTime::parse_from_rfc3339("2026-11-30T19:42:10Z")
            .unwrap()
            .with_timezone(&Utc);
        let (start, end) = window(now, Duration::from_secs(28 * 86_400));
        assert_eq!(end.to_rfc3339(), "2026-11-30T19:00:00+00:00");
        assert_eq!(start.to_rfc3339(), "2026-11-02T19:00:00+00:00");
    }

    #[test]
    fn labels_become_namespace_ids() {
        let h = |n: usize| History {
            start: DateTime::UNIX_EPOCH,
            minutes: vec![None; n],
        };
        let histories = BTreeMap::from([
            ("a.acct".to_string(), h(1)),
            ("b".to_string(), h(2)),
            ("gone".to_string(), h(3)),
        ]);
        let listed = vec!["a.acct".to_string(), "b.acct".to_string()];
        let ids: Vec<String> = by_namespace_id(histories, &listed).into_keys().collect();
        assert_eq!(ids, ["a.acct", "b.acct", "gone"]);
    }

    #[test]
    fn the_query_path_keeps_a_prefix_and_the_name_hides_credentials() {
        let endpoint = PrometheusEndpoint {
            url: Url::parse("https://user:pw@mimir.example:8443/prometheus/").unwrap(),
            token: None,
            timeout: Duration::from_secs(5),
        };
        let p = Prometheus::new(&endpoint).unwrap();
        assert_eq!(
            p.api_url("query_range").as_str(),
            "https://user:pw@mimir.example:8443/prometheus/api/v1/query_range"
        );
        assert_eq!(p.name(), "https://mimir.example:8443");
    }
}
