//! Cloud Ops API client: typed calls and the waiters that prove a change took effect.

use std::time::Duration;

use serde_json::{Map, Value};
use tokio::time::Instant;

use super::http::{HttpClient, RetryPolicy, sleep_scaled};
use super::model::{
    AsyncOperation, AsyncOperationResponse, CapacityInfo, CapacityInfoResponse, CapacitySpec,
    GetNamespaceResponse, GetNamespacesResponse, Namespace, OperationState, RequestState,
    update_namespace_body,
};
use crate::error::{ApiError, Service};
use crate::settings::{Secret, Settings};

/// The polling interval when the server gives no `checkDuration`, and its bounds.
const DEFAULT_POLL: Duration = Duration::from_secs(2);
const MIN_POLL: Duration = Duration::from_secs(1);
const MAX_POLL: Duration = Duration::from_secs(30);
/// A server that keeps handing out page tokens is broken; stop rather than loop forever.
const MAX_PAGES: usize = 10_000;

#[derive(Clone, Debug)]
pub struct OpsClient {
    http: HttpClient,
}

/// Why a wait ended without success.
#[derive(Debug)]
pub enum WaitError {
    Api(ApiError),
    /// The operation ended FAILED, CANCELLED or REJECTED.
    OperationFailed {
        state: OperationState,
        reason: String,
    },
    /// `capacity.latestRequest` ended FAILED.
    RequestFailed {
        namespace: Box<Namespace>,
    },
    /// The deadline passed; `last_seen` says what the server showed last.
    TimedOut {
        last_seen: String,
    },
}

impl From<ApiError> for WaitError {
    fn from(e: ApiError) -> Self {
        WaitError::Api(e)
    }
}

impl OpsClient {
    pub fn new(settings: &Settings, key: &Secret) -> Result<Self, ApiError> {
        Ok(OpsClient {
            http: HttpClient::new(
                Service::CloudOps,
                settings.cloud_ops_url.clone(),
                key,
                Some(&settings.api_version),
                settings.request_timeout,
                RetryPolicy::cloud_ops(),
            )?,
        })
    }

    pub fn from_http(http: HttpClient) -> Self {
        OpsClient { http }
    }

    /// Paces this client (and its clones) to `rate` requests per second instead of the default.
    pub fn with_rate_limit(self, rate: f64) -> Self {
        OpsClient {
            http: self.http.with_rate_limit(Some(rate)),
        }
    }

    /// How the run was paced: 429s met and the lowest rate reached.
    pub fn pace_stats(&self) -> super::http::PaceStats {
        self.http.pace_stats()
    }

    pub async fn get_namespace(&self, namespace: &str) -> Result<Namespace, ApiError> {
        let url = self.http.url(&["cloud", "namespaces", namespace]);
        let r: GetNamespaceResponse = self.http.get_json(url).await?;
        r.namespace.ok_or_else(|| self.empty_answer("namespace"))
    }

    /// Every namespace of the account, following `nextPageToken` to the last page.
    pub async fn list_namespaces(&self) -> Result<Vec<Namespace>, ApiError> {
        let mut all = Vec::new();
        let mut token = String::new();
        for _ in 0..MAX_PAGES {
            let mut url = self.http.url(&["cloud", "namespaces"]);
            url.query_pairs_mut().append_pair("pageSize", "1000");
            if !token.is_empty() {
                url.query_pairs_mut().append_pair("pageToken", &token);
            }
            let page: GetNamespacesResponse = self.http.get_json(url).await?;
            all.extend(page.namespaces.unwrap_or_default());
            if page.next_page_token.is_empty() || page.next_page_token == token {
                return Ok(all);
            }
            token = page.next_page_token;
        }
        Err(self.empty_answer("a last page of namespaces"))
    }

    pub async fn capacity_info(&self, namespace: &str) -> Result<CapacityInfo, ApiError> {
        let url = self
            .http
            .url(&["cloud", "namespaces", namespace, "capacity-info"]);
        let r: CapacityInfoResponse = self.http.get_json(url).await?;
        r.capacity_info
            .ok_or_else(|| self.empty_answer("capacityInfo"))
    }

    /// UpdateNamespace. `async_operation_id` is the idempotency key: every retry of this POST
    /// (inside the HTTP core) reuses it, so a retried request cannot apply the change twice.
    pub async fn update_namespace(
        &self,
        namespace: &str,
        spec: Map<String, Value>,
        resource_version: &str,
        async_operation_id: &str,
    ) -> Result<AsyncOperation, ApiError> {
        let url = self.http.url(&["cloud", "namespaces", namespace]);
        let body = update_namespace_body(spec, resource_version, async_operation_id);
        let r: AsyncOperationResponse = self.http.post_json(url, &body).await?;
        r.async_operation
            .ok_or_else(|| self.empty_answer("asyncOperation"))
    }

    pub async fn get_operation(&self, id: &str) -> Result<AsyncOperation, ApiError> {
        let url = self.http.url(&["cloud", "operations", id]);
        let r: AsyncOperationResponse = self.http.get_json(url).await?;
        r.async_operation
            .ok_or_else(|| self.empty_answer("asyncOperation"))
    }

    /// Polls the operation at the server's `checkDuration` (1 s to 30 s) until it ends or the
    /// deadline passes. FULFILLED is success; FAILED, CANCELLED and REJECTED are failures.
    pub async fn wait_operation(
        &self,
        id: &str,
        deadline: Instant,
    ) -> Result<AsyncOperation, WaitError> {
        loop {
            let op = self.get_operation(id).await?;
            match op.state {
                OperationState::Fulfilled => return Ok(op),
                OperationState::Failed | OperationState::Cancelled | OperationState::Rejected => {
                    return Err(WaitError::OperationFailed {
                        reason: if op.failure_reason.is_empty() {
                            "the server gave no reason".into()
                        } else {
                            op.failure_reason.clone()
                        },
                        state: op.state,
                    });
                }
                _ => {}
            }
            let pause = poll_interval(op.check_duration);
            if Instant::now() + pause.mul_f64(super::http::delay_scale()) > deadline {
                return Err(WaitError::TimedOut {
                    last_seen: format!("operation {id} is {}", op.state.wire_name()),
                });
            }
            sleep_scaled(pause).await;
        }
    }

    /// Polls the namespace until `capacity.latestRequest` for our operation is COMPLETED and the
    /// capacity is `expected`. The operation can finish before the capacity request does.
    /// An empty `async_operation_id` accepts whichever request is the latest as ours.
    pub async fn wait_capacity(
        &self,
        namespace: &str,
        async_operation_id: &str,
        expected: CapacitySpec,
        poll: Option<Duration>,
        deadline: Instant,
    ) -> Result<Namespace, WaitError> {
        loop {
            let ns = self.get_namespace(namespace).await?;
            let request = ns.latest_request();
            let ours = async_operation_id.is_empty()
                || request.is_none_or(|r| {
                    r.async_operation_id.is_empty() || r.async_operation_id == async_operation_id
                });
            match request.map(|r| &r.state) {
                Some(RequestState::InProgress) | Some(RequestState::Unspecified) => {}
                // A null latestRequest, a completed one, or a failed one that left the capacity
                // where we want it anyway: done once the capacity shows it.
                _ if capacity_matches(ns.current_capacity(), expected) => return Ok(ns),
                Some(RequestState::Failed) if ours => {
                    return Err(WaitError::RequestFailed {
                        namespace: Box::new(ns),
                    });
                }
                _ => {}
            }
            let pause = poll_interval(poll);
            if Instant::now() + pause.mul_f64(super::http::delay_scale()) > deadline {
                return Err(WaitError::TimedOut {
                    last_seen: describe_capacity(&ns),
                });
            }
            sleep_scaled(pause).await;
        }
    }

    fn empty_answer(&self, what: &str) -> ApiError {
        ApiError {
            service: Service::CloudOps,
            status: None,
            code: None,
            message: format!("the answer had no {what}"),
            retry_after: None,
        }
    }
}

pub fn poll_interval(check: Option<Duration>) -> Duration {
    check.unwrap_or(DEFAULT_POLL).clamp(MIN_POLL, MAX_POLL)
}

/// TRUs are doubles on the wire; compare with a tolerance rather than bit for bit.
pub fn capacity_matches(actual: Option<CapacitySpec>, expected: CapacitySpec) -> bool {
    match (actual, expected) {
        (Some(CapacitySpec::OnDemand), CapacitySpec::OnDemand) => true,
        (Some(CapacitySpec::Provisioned { value: a }), CapacitySpec::Provisioned { value: e }) => {
            (a - e).abs() < 1e-9
        }
        _ => false,
    }
}

/// "provisioned 4 TRUs, latest request in-progress" — for messages about what was last seen.
pub fn describe_capacity(ns: &Namespace) -> String {
    let mode = ns
        .current_capacity()
        .map(|c| c.to_string())
        .unwrap_or_else(|| "no capacity reported".into());
    match ns.latest_request() {
        Some(r) => format!("{mode}, latest request {}", r.state.short()),
        None => mode,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_follows_check_duration_within_bounds() {
        assert_eq!(poll_interval(None), Duration::from_secs(2));
        assert_eq!(
            poll_interval(Some(Duration::from_millis(10))),
            Duration::from_secs(1)
        );
        assert_eq!(
            poll_interval(Some(Duration::from_secs(10))),
            Duration::from_secs(10)
        );
        assert_eq!(
            poll_interval(Some(Duration::from_secs(600))),
            Duration::from_secs(30)
        );
    }

    #[test]
    fn capacity_comparison() {
        let four = CapacitySpec::Provisioned { value: 4.0 };
        assert!(capacity_matches(Some(four), four));
        assert!(!capacity_matches(Some(CapacitySpec::OnDemand), four));
        assert!(!capacity_matches(None, CapacitySpec::OnDemand));
        assert!(!capacity_matches(
            Some(CapacitySpec::Provisioned { value: 6.0 }),
            four
        ));
    }
}
