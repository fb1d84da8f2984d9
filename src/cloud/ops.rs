//! Cloud Ops API client: one typed call per endpoint tcap uses.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::http::HttpClient;
use super::model::{
    AsyncOperation, AsyncOperationResponse, CapacityInfo, CapacityInfoResponse,
    GetNamespaceResponse, GetNamespacesResponse, Namespace, NamespaceId, update_namespace_body,
};
use super::pace::PaceStats;
use super::retry::RetryPolicy;
use crate::error::{ApiError, Service};
use crate::settings::Endpoint;
/// A server that keeps handing out page tokens is broken; stop rather than loop forever.
const MAX_PAGES: usize = 10_000;

#[derive(Clone, Debug)]
pub struct OpsClient {
    http: HttpClient,
}

impl OpsClient {
    pub fn new(endpoint: &Endpoint) -> Result<Self, ApiError> {
        Ok(OpsClient {
            http: HttpClient::new(Service::CloudOps, endpoint, RetryPolicy::cloud_ops())?,
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
    pub fn pace_stats(&self) -> PaceStats {
        self.http.pace_stats()
    }

    pub async fn get_namespace(&self, namespace: &str) -> Result<Namespace, ApiError> {
        let url = self.http.url(&["cloud", "namespaces", namespace]);
        let r: GetNamespaceResponse = self.http.get_json(url).await?;
        r.namespace.ok_or_else(|| self.empty_answer("namespace"))
    }

    /// Every namespace of the account, following `nextPageToken` to the last page.
    pub async fn list_namespaces(&self) -> Result<Vec<Namespace>, ApiError> {
        self.list().await
    }

    /// The IDs of every namespace of the account, without holding their specs.
    pub async fn list_namespace_ids(&self) -> Result<Vec<String>, ApiError> {
        let ids: Vec<NamespaceId> = self.list().await?;
        Ok(ids.into_iter().map(|n| n.namespace).collect())
    }

    async fn list<N: DeserializeOwned>(&self) -> Result<Vec<N>, ApiError> {
        let mut all = Vec::new();
        let mut token = String::new();
        for _ in 0..MAX_PAGES {
            let mut url = self.http.url(&["cloud", "namespaces"]);
            url.query_pairs_mut().append_pair("pageSize", "1000");
            if !token.is_empty() {
                url.query_pairs_mut().append_pair("pageToken", &token);
            }
            let page: GetNamespacesResponse<N> = self.http.get_json(url).await?;
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

    fn empty_answer(&self, what: &str) -> ApiError {
        ApiError::transport(Service::CloudOps, format!("the answer had no {what}"))
    }
}
