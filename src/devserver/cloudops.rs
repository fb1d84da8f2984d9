//! The Cloud Ops API: namespaces, UpdateNamespace and its async operations, capacity-info.

use std::time::{Duration, Instant};

use axum::http::{Method, header};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value, json};

use super::account::{CapacityRequest, Mode, Namespace, RequestState, VALID_TRU_VALUES};
use super::faults::{self, DROPPED_AFTER_APPLY, Fault};
use super::wire::{Code, Reply, duration, field, num, parse_query, rfc3339, timestamp};
use super::{Config, FailNext, Incoming, Shared, State};

const UPDATE_NAMESPACE_TYPE: &str =
    "type.googleapis.com/temporal.api.cloud.cloudservice.v1.UpdateNamespaceRequest";
const DEFAULT_PAGE_SIZE: usize = 100;
const MAX_PAGE_SIZE: i64 = 1000;
/// `CapacitySpec` arrived in v0.10.0; anything older cannot express a capacity change.
const MIN_API_VERSION: (u64, u64, u64) = (0, 10, 0);

/// How an accepted update ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Fulfilled,
    CapacityRequestFailed,
    Failed(String),
    Rejected(String),
    Cancelled(String),
}

/// A `fail-next` waiting for the namespace's next accepted update.
#[derive(Clone, Debug)]
pub(crate) struct Failure {
    pub how: FailNext,
    pub reason: Option<String>,
}

impl Failure {
    fn outcome(&self) -> Outcome {
        let reason = |default: &str| self.reason.clone().unwrap_or_else(|| default.to_string());
        match self.how {
            FailNext::OperationFailed => {
                Outcome::Failed(reason("internal error while applying the namespace update"))
            }
            FailNext::OperationRejected => Outcome::Rejected(reason(
                "capacity request rejected: not enough capacity available in the region",
            )),
            FailNext::OperationCancelled => {
                Outcome::Cancelled(reason("operation cancelled by Temporal Cloud"))
            }
            FailNext::CapacityRequestFailed => Outcome::CapacityRequestFailed,
        }
    }
}

/// An accepted update still in flight.
#[derive(Clone, Debug)]
pub(crate) struct Change {
    pub operation_id: String,
    /// Emulated, as every time in Cloud Ops.
    pub started_at: DateTime<Utc>,
    pub previous_spec: Value,
    /// Set when the update changes the capacity.
    pub target: Option<Mode>,
    pub outcome: Outcome,
}

impl Change {
    /// When the namespace settles: the capacity request outlives its operation a little,
    /// so a client must watch `latestRequest` as well as the operation.
    fn settles_after(&self, delay: Duration) -> Duration {
        match (&self.outcome, self.target) {
            (Outcome::Rejected(_), _) => delay / 4,
            (Outcome::Failed(_) | Outcome::Cancelled(_), _) | (_, None) => delay,
            (Outcome::Fulfilled | Outcome::CapacityRequestFailed, Some(_)) => delay * 5 / 4,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Operation {
    pub id: String,
    pub namespace: String,
    pub started_at: DateTime<Utc>,
    pub input: Value,
    /// The requested `capacitySpec`, to tell a retry from a different request.
    pub capacity_spec: Value,
    pub outcome: Outcome,
}

impl Operation {
    /// State name and finish time at `now`: PENDING for the first quarter of the delay,
    /// IN_PROGRESS until the delay has passed, then terminal. A rejection comes early.
    fn state(&self, now: DateTime<Utc>, delay: Duration) -> (&'static str, Option<DateTime<Utc>>) {
        let elapsed = since(self.started_at, now);
        let finished = |after: Duration| Some(self.started_at + chrono_duration(after));
        if let Outcome::Rejected(_) = self.outcome {
            return if elapsed < delay / 4 {
                ("STATE_PENDING", None)
            } else {
                ("STATE_REJECTED", finished(delay / 4))
            };
        }
        if elapsed < delay / 4 {
            ("STATE_PENDING", None)
        } else if elapsed < delay {
            ("STATE_IN_PROGRESS", None)
        } else {
            let state = match self.outcome {
                Outcome::Fulfilled | Outcome::CapacityRequestFailed => "STATE_FULFILLED",
                Outcome::Failed(_) => "STATE_FAILED",
                Outcome::Cancelled(_) => "STATE_CANCELLED",
                Outcome::Rejected(_) => "STATE_REJECTED",
            };
            (state, finished(delay))
        }
    }

    /// `check` is the `checkDuration` to send: see [`check_duration`].
    fn to_json(
        &self,
        now: DateTime<Utc>,
        delay: Duration,
        check: Duration,
        just_created: bool,
    ) -> Value {
        let (state, finished) = if just_created {
            ("STATE_PENDING", None)
        } else {
            self.state(now, delay)
        };
        let failure_reason = match (&self.outcome, finished) {
            (
                Outcome::Failed(reason) | Outcome::Rejected(reason) | Outcome::Cancelled(reason),
                Some(_),
            ) => reason.as_str(),
            _ => "",
        };
        json!({
            "id": self.id,
            "state": state,
            "checkDuration": duration(check),
            "operationType": "UpdateNamespace",
            "operationInput": self.input,
            "failureReason": failure_reason,
            "startedTime": timestamp(self.started_at),
            "finishedTime": finished.map_or(Value::Null, timestamp),
        })
    }
}

/// How long a client should wait between polls, in emulated time.
pub(crate) fn check_duration(delay: Duration) -> Duration {
    (delay / 4).clamp(Duration::from_secs(1), Duration::from_secs(10))
}

fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// Time from `start` to `now`, zero if `now` is earlier.
fn since(start: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
    (now - start).to_std().unwrap_or(Duration::ZERO)
}

fn fresh_version() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Brings every in-flight change up to date with the (emulated) clock.
pub(crate) fn advance(state: &mut State, delay: Duration, now: DateTime<Utc>) {
    let settled: Vec<String> = state
        .changes
        .iter()
        .filter(|(_, change)| since(change.started_at, now) >= change.settles_after(delay))
        .map(|(id, _)| id.clone())
        .collect();
    for id in settled {
        let Some(change) = state.changes.remove(&id) else {
            continue;
        };
        let Some(ns) = state.namespaces.get_mut(&id) else {
            continue;
        };
        let end = change.started_at + chrono_duration(change.settles_after(delay));
        let request_state = match &change.outcome {
            Outcome::Fulfilled => {
                if let Some(target) = change.target {
                    ns.mode = target;
                }
                RequestState::Completed
            }
            Outcome::CapacityRequestFailed => RequestState::Failed,
            Outcome::Failed(_) | Outcome::Rejected(_) | Outcome::Cancelled(_) => {
                // A failed operation did not apply the update, so the spec goes back.
                ns.spec = change.previous_spec.clone();
                RequestState::Failed
            }
        };
        if let Some(request) = ns.latest_request.as_mut()
            && request.async_operation_id == change.operation_id
        {
            request.state = request_state;
            request.end = Some(end);
        }
        // Stricter than necessary on purpose: every settled change gets a new version, so a
        // client must re-read before its next change.
        ns.resource_version = fresh_version();
        ns.last_modified = end;
    }
}

enum Route {
    ListNamespaces,
    GetNamespace(String),
    UpdateNamespace(String),
    CapacityInfo(String),
    GetOperation(String),
}

/// grpc-gateway routing: unknown path → 404 code 5, known path with another method → 501 code 12.
fn route(method: &Method, path: &str) -> Result<Route, Reply> {
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(super::wire::decode_segment)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let not_found = || Reply::error(Code::NotFound, "Not Found");
    let wrong_method = || Reply::error(Code::Unimplemented, "Method Not Allowed");
    match segments.as_slice() {
        ["cloud", "namespaces"] => match *method {
            Method::GET => Ok(Route::ListNamespaces),
            _ => Err(wrong_method()),
        },
        ["cloud", "namespaces", ns] if !ns.is_empty() => match *method {
            Method::GET => Ok(Route::GetNamespace(ns.to_string())),
            Method::POST => Ok(Route::UpdateNamespace(ns.to_string())),
            _ => Err(wrong_method()),
        },
        ["cloud", "namespaces", ns, "capacity-info"] if !ns.is_empty() => match *method {
            Method::GET => Ok(Route::CapacityInfo(ns.to_string())),
            _ => Err(wrong_method()),
        },
        ["cloud", "operations", id] if !id.is_empty() => match *method {
            Method::GET => Ok(Route::GetOperation(id.to_string())),
            _ => Err(wrong_method()),
        },
        _ => Err(not_found()),
    }
}

fn authorize(shared: &Shared, incoming: &Incoming) -> Option<Reply> {
    match incoming.bearer() {
        Some(key) if key == shared.config.admin_key => None,
        Some(key) if key == shared.config.metrics_key => Some(Reply::error(
            Code::PermissionDenied,
            "permission denied: the API key's role does not allow this operation",
        )),
        Some(_) => Some(Reply::error(Code::Unauthenticated, "invalid API key")),
        None => Some(Reply::error(
            Code::Unauthenticated,
            "missing API key: use the Authorization header with the Bearer scheme",
        )),
    }
}

/// Whether HTTP requires the header is UNVERIFIED; the emulator requires it (stricter), and
/// refuses versions that predate capacity (also stricter: date-style versions are refused).
fn check_version(incoming: &Incoming) -> Option<Reply> {
    let Some(value) = incoming.headers.get("temporal-cloud-api-version") else {
        return Some(Reply::error(
            Code::InvalidArgument,
            "missing temporal-cloud-api-version header",
        ));
    };
    let text = value.to_str().unwrap_or("").trim();
    let parsed = text.strip_prefix('v').and_then(|rest| {
        let mut parts = rest.split('.').map(|part| part.parse::<u64>().ok());
        let version = (parts.next()??, parts.next()??, parts.next()??);
        parts.next().is_none().then_some(version)
    });
    match parsed {
        Some(version) if version >= MIN_API_VERSION => None,
        Some(_) => Some(Reply::error(
            Code::InvalidArgument,
            format!(
                "temporal-cloud-api-version {text} is too old for capacity; use v0.10.0 or later"
            ),
        )),
        None => Some(Reply::error(
            Code::InvalidArgument,
            format!("invalid temporal-cloud-api-version {text:?}: expected a version like v0.19.1"),
        )),
    }
}

/// Answers one Cloud Ops request; the second value names an injected fault.
pub(crate) fn handle(
    shared: &Shared,
    state: &mut State,
    incoming: &Incoming,
) -> (Reply, Option<&'static str>) {
    let route = match route(&incoming.method, &incoming.path) {
        Ok(route) => route,
        Err(reply) => return (reply, None),
    };
    if let Some(reply) = authorize(shared, incoming).or_else(|| check_version(incoming)) {
        return (reply, None);
    }
    // The rate limit is on the connection, in real time; everything else is emulated.
    if let Some(bucket) = state.bucket.as_mut()
        && !bucket.try_take(Instant::now())
    {
        state.stats.rate_limited += 1;
        let reply = Reply::error(
            Code::ResourceExhausted,
            "rate limit exceeded for this account, please retry later",
        )
        .with_header(header::RETRY_AFTER, "1");
        return (reply, None);
    }
    // Millisecond precision, as Cloud Ops timestamps are kept and printed.
    let now = shared.clock.now_millis();
    advance(state, shared.config.apply_delay, now);

    let fault = faults::roll(&mut state.fault_rng, shared.config.fault_rate);
    let is_update = matches!(route, Route::UpdateNamespace(_));
    match fault {
        Some(fault) if fault.replaces_answer() => {
            return (faults::error_reply(fault, true), Some(fault.name()));
        }
        Some(Fault::DroppedConnection) if is_update && state.fault_rng.bool() => {
            // The connection breaks before the update reaches the service.
            let mut reply = Reply::ok(&json!({}));
            reply.body.clear();
            reply.drop_after = Some(0);
            return (reply, Some(Fault::DroppedConnection.name()));
        }
        _ => {}
    }

    let delay = shared.config.apply_delay;
    // A client waits `checkDuration` on its own clock: the emulated hint, in real time.
    let check = shared.clock.real(check_duration(delay));
    let update_id = match &route {
        Route::UpdateNamespace(id) => Some(id.clone()),
        _ => None,
    };
    let reply = match route {
        Route::ListNamespaces => list_namespaces(state, incoming),
        Route::GetNamespace(id) => get_namespace(state, &id, now),
        Route::UpdateNamespace(id) => {
            update_namespace(&shared.config, state, &id, &incoming.body, now, check)
        }
        Route::CapacityInfo(id) => capacity_info(state, &id),
        Route::GetOperation(id) => match state.operations.get(&id) {
            Some(operation) => {
                Reply::ok(&json!({"asyncOperation": operation.to_json(now, delay, check, false)}))
            }
            None => Reply::error(Code::NotFound, format!("async operation not found: {id}")),
        },
    };
    if let Some(id) = &update_id
        && reply.status.is_success()
        && let Some(left) = state.dropped_replies.get_mut(id)
        && *left > 0
    {
        *left -= 1;
        return (
            faults::mangle(Fault::DroppedConnection, reply),
            Some(DROPPED_AFTER_APPLY),
        );
    }
    match fault {
        None => (reply, None),
        Some(fault) => {
            let name =
                if fault == Fault::DroppedConnection && is_update && reply.status.is_success() {
                    DROPPED_AFTER_APPLY
                } else {
                    fault.name()
                };
            (faults::mangle(fault, reply), Some(name))
        }
    }
}

fn visible<'a>(state: &'a State, id: &str) -> Result<&'a Namespace, Reply> {
    state
        .namespaces
        .get(id)
        .filter(|ns| !ns.deleted)
        .ok_or_else(|| Reply::error(Code::NotFound, format!("namespace not found: {id}")))
}

/// The `Namespace` message as the stock gateway prints it (unpopulated fields included).
fn namespace_json(state: &State, ns: &Namespace) -> Value {
    let change = state.changes.get(&ns.id);
    let spec = &ns.spec;
    let enabled =
        |key: &str| spec.get(key).and_then(|auth| auth.get("enabled")) == Some(&Value::Bool(true));
    let active_region = ns.regions.first().cloned().unwrap_or_default();
    let grpc_address = if enabled("apiKeyAuth") {
        let (provider, region) = active_region
            .split_once('-')
            .unwrap_or(("aws", &active_region));
        format!("{region}.{provider}.api.temporal.io:7233")
    } else {
        String::new()
    };
    let mtls_address = if enabled("mtlsAuth") {
        format!("{}.tmprl.cloud:7233", ns.id)
    } else {
        String::new()
    };
    let replicas: Vec<Value> = ns
        .regions
        .iter()
        .zip(&ns.replica_ids)
        .enumerate()
        .map(|(index, (region, id))| {
            json!({"id": id, "isPrimary": index == 0, "state": "REPLICA_STATE_ACTIVE", "region": region})
        })
        .collect();
    json!({
        "namespace": ns.id,
        "resourceVersion": ns.resource_version,
        "spec": ns.spec,
        "state": if change.is_some() { "RESOURCE_STATE_UPDATING" } else { "RESOURCE_STATE_ACTIVE" },
        "asyncOperationId": change.map_or("", |change| change.operation_id.as_str()),
        "endpoints": {
            "webAddress": format!("{}.web.tmprl.cloud", ns.id),
            "mtlsGrpcAddress": mtls_address,
            "grpcAddress": grpc_address,
        },
        "activeRegion": active_region,
        "limits": {"actionsPerSecondLimit": ns.action_limit() as i64},
        "privateConnectivities": [],
        "createdTime": timestamp(ns.created),
        "lastModifiedTime": timestamp(ns.last_modified),
        "connectivityRules": [],
        "tags": {},
        "capacity": ns.capacity_json(),
        "replicas": replicas,
        "projectId": "",
    })
}

fn get_namespace(state: &mut State, id: &str, now: DateTime<Utc>) -> Reply {
    let reply = match visible(state, id) {
        Ok(ns) => Reply::ok(&json!({"namespace": namespace_json(state, ns)})),
        Err(reply) => return reply,
    };
    if let Some(remaining) = state.races.get_mut(id)
        && *remaining > 0
    {
        *remaining -= 1;
        if let Some(ns) = state.namespaces.get_mut(id) {
            ns.resource_version = fresh_version();
            ns.last_modified = now;
        }
    }
    reply
}

/// grpc-gateway reads the proto name first, then the JSON name.
fn query_value<'a>(params: &'a [(String, String)], proto: &str, json: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| key == proto)
        .or_else(|| params.iter().find(|(key, _)| key == json))
        .map(|(_, value)| value.as_str())
}

fn encode_token(last_id: &str) -> String {
    format!("v1:{last_id}")
        .bytes()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn decode_token(token: &str) -> Option<String> {
    if !token.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..token.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(token.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?)
        .ok()?
        .strip_prefix("v1:")
        .map(str::to_string)
}

fn list_namespaces(state: &State, incoming: &Incoming) -> Reply {
    let params = parse_query(&incoming.query);
    let page_size = match query_value(&params, "page_size", "pageSize") {
        None | Some("") => DEFAULT_PAGE_SIZE,
        Some(text) => match text.parse::<i64>() {
            Ok(size) if size > MAX_PAGE_SIZE => {
                return Reply::error(
                    Code::InvalidArgument,
                    format!("page_size {size} exceeds the maximum of {MAX_PAGE_SIZE}"),
                );
            }
            Ok(size) if size < 0 => {
                return Reply::error(
                    Code::InvalidArgument,
                    format!("page_size {size} must not be negative"),
                );
            }
            Ok(0) => DEFAULT_PAGE_SIZE,
            Ok(size) => size as usize,
            Err(_) => {
                return Reply::error(
                    Code::InvalidArgument,
                    format!("invalid value for page_size: {text:?}"),
                );
            }
        },
    };
    let after = match query_value(&params, "page_token", "pageToken") {
        None | Some("") => None,
        Some(token) => match decode_token(token) {
            Some(id) => Some(id),
            None => return Reply::error(Code::InvalidArgument, "invalid page token"),
        },
    };
    let name = query_value(&params, "name", "name").filter(|name| !name.is_empty());
    let project =
        query_value(&params, "project_id", "projectId").filter(|project| !project.is_empty());

    let mut matching = state
        .namespaces
        .values()
        .filter(|ns| !ns.deleted)
        .filter(|ns| after.as_deref().is_none_or(|after| ns.id.as_str() > after))
        .filter(|ns| name.is_none_or(|name| ns.name == name))
        // Generated namespaces belong to no project.
        .filter(|_| project.is_none());
    let page: Vec<&Namespace> = matching.by_ref().take(page_size).collect();
    let next_page_token = match (page.last(), matching.next()) {
        (Some(last), Some(_)) => encode_token(&last.id),
        _ => String::new(),
    };
    let namespaces: Vec<Value> = page.iter().map(|ns| namespace_json(state, ns)).collect();
    Reply::ok(&json!({"namespaces": namespaces, "nextPageToken": next_page_token}))
}

fn capacity_info(state: &State, id: &str) -> Reply {
    let ns = match visible(state, id) {
        Ok(ns) => ns,
        Err(reply) => return reply,
    };
    let valid: Vec<Value> = VALID_TRU_VALUES.iter().map(|value| num(*value)).collect();
    Reply::ok(&json!({
        "capacityInfo": {
            "namespace": ns.id,
            "hasLegacyLimits": false,
            "currentCapacity": ns.capacity_json(),
            "modeOptions": {
                "provisioned": {
                    "validTruValues": valid,
                    "maxAvailableTruValue": num(ns.max_available_tru),
                },
                "onDemand": {"apsLimit": num(ns.on_demand_limit())},
            },
            "stats": {"aps": {"mean": num(ns.aps.mean), "p90": num(ns.aps.p90), "p99": num(ns.aps.p99)}},
        }
    }))
}

fn invalid(message: impl Into<String>) -> Reply {
    Reply::error(Code::InvalidArgument, message)
}

fn optional_string<'a>(
    object: &'a Map<String, Value>,
    json_name: &str,
    proto_name: &str,
) -> Result<Option<&'a str>, Reply> {
    match field(object, json_name, proto_name).map_err(invalid)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.as_str()).filter(|text| !text.is_empty())),
        Some(other) => Err(invalid(format!("invalid value for {proto_name}: {other}"))),
    }
}

/// protojson accepts a double as a number or a numeric string.
fn double(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// Reads `capacitySpec` from a posted spec: exactly one of onDemand / provisioned{value}.
fn parse_capacity_spec(spec: &Map<String, Value>, ns: &Namespace) -> Result<Mode, Reply> {
    let capacity = match field(spec, "capacitySpec", "capacity_spec").map_err(invalid)? {
        Some(Value::Object(capacity)) => capacity,
        // Stricter: the real service might read a missing capacity spec as "no change"; a
        // client that loses it must be caught here.
        None | Some(Value::Null) => {
            return Err(invalid(
                "spec.capacity_spec is required: set onDemand or provisioned (the spec replaces the whole namespace spec)",
            ));
        }
        Some(other) => {
            return Err(invalid(format!(
                "invalid value for spec.capacity_spec: {other}"
            )));
        }
    };
    let on_demand = field(capacity, "onDemand", "on_demand")
        .map_err(invalid)?
        .filter(|value| !value.is_null());
    let provisioned = field(capacity, "provisioned", "provisioned")
        .map_err(invalid)?
        .filter(|value| !value.is_null());
    match (on_demand, provisioned) {
        (Some(Value::Object(_)), None) => Ok(Mode::OnDemand),
        (Some(other), None) => Err(invalid(format!(
            "invalid value for spec.capacity_spec.on_demand: {other}"
        ))),
        (None, Some(Value::Object(provisioned))) => {
            let value = provisioned.get("value").and_then(double).ok_or_else(|| {
                invalid("spec.capacity_spec.provisioned.value is required and must be a number")
            })?;
            let valid = VALID_TRU_VALUES
                .iter()
                .map(|value| value.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            // The real code for both refusals is UNVERIFIED; InvalidArgument is presumed.
            if !VALID_TRU_VALUES.contains(&value) {
                return Err(invalid(format!(
                    "invalid provisioned capacity value {value}: valid TRU values are {valid}"
                )));
            }
            if value > ns.max_available_tru {
                return Err(invalid(format!(
                    "provisioned capacity value {value} is not available for this namespace: at most {} TRUs can be set now (valid TRU values are {valid})",
                    ns.max_available_tru
                )));
            }
            Ok(Mode::Provisioned(value))
        }
        (None, Some(other)) => Err(invalid(format!(
            "invalid value for spec.capacity_spec.provisioned: {other}"
        ))),
        (Some(_), Some(_)) => Err(invalid(
            "spec.capacity_spec: only one of on_demand or provisioned may be set",
        )),
        (None, None) => Err(invalid(
            "spec.capacity_spec must set exactly one of on_demand or provisioned",
        )),
    }
}

/// The posted spec with `capacitySpec` in canonical protojson form (camelCase key, `4` not
/// `4.0`) in its original position; every other field is kept as posted.
fn normalize_spec(spec: &Map<String, Value>, mode: Mode) -> Value {
    let normalized: Map<String, Value> = spec
        .iter()
        .map(|(key, value)| match key.as_str() {
            "capacitySpec" | "capacity_spec" => ("capacitySpec".to_string(), mode.spec_json()),
            _ => (key.clone(), value.clone()),
        })
        .collect();
    Value::Object(normalized)
}

fn update_namespace(
    config: &Config,
    state: &mut State,
    id: &str,
    body: &[u8],
    now: DateTime<Utc>,
    check: Duration,
) -> Reply {
    let delay = config.apply_delay;
    let request: Map<String, Value> = match serde_json::from_slice(body) {
        Ok(Value::Object(request)) => request,
        Ok(_) => return invalid("invalid request body: expected a JSON object"),
        Err(error) => return invalid(format!("invalid request body: {error}")),
    };
    let ns = match visible(state, id) {
        Ok(ns) => ns,
        Err(reply) => return reply,
    };
    let resource_version = match optional_string(&request, "resourceVersion", "resource_version") {
        Ok(value) => value,
        Err(reply) => return reply,
    };
    let operation_id = match optional_string(&request, "asyncOperationId", "async_operation_id") {
        Ok(value) => value,
        Err(reply) => return reply,
    };
    let spec = match request.get("spec") {
        Some(Value::Object(spec)) => Some(spec),
        None | Some(Value::Null) => None,
        Some(other) => return invalid(format!("invalid value for spec: {other}")),
    };

    let stale = |resource_version: Option<&str>| -> Option<Reply> {
        let resource_version = resource_version?;
        (resource_version != ns.resource_version).then(|| {
            let message = format!(
                "resource version mismatch: the namespace was modified (current version differs from {resource_version}); read it again and retry"
            );
            // The real code for a stale version is UNVERIFIED (Aborted/409 or
            // FailedPrecondition/400): the emulator answers either, as configured.
            if config.stale_version_as_failed_precondition {
                Reply::error(Code::FailedPrecondition, message)
            } else {
                Reply::error(Code::Aborted, message)
            }
        })
    };
    if config.version_checked_first
        && let Some(reply) = stale(resource_version)
    {
        return reply;
    }
    if let Some(operation_id) = operation_id
        && let Some(operation) = state.operations.get(operation_id)
    {
        if operation.namespace != id {
            return Reply::error(
                Code::AlreadyExists,
                format!("async operation id {operation_id} is already used by another request"),
            );
        }
        // Stricter than documented: one id for two different capacity changes is a client
        // bug (a retry must send the same request), so it is refused rather than replayed.
        let requested = spec
            .and_then(|spec| parse_capacity_spec(spec, ns).ok())
            .map(Mode::spec_json);
        if requested.is_some_and(|requested| requested != operation.capacity_spec) {
            return Reply::error(
                Code::AlreadyExists,
                format!(
                    "async operation id {operation_id} was already used for a different capacity change"
                ),
            );
        }
        return Reply::ok(&json!({"asyncOperation": operation.to_json(now, delay, check, false)}));
    }

    // Temporal documents at most 10 concurrent mutating async operations per account; how the
    // next one is refused is undocumented: 429 ResourceExhausted (code 8) is the emulator's
    // reading, which a client retries like any 429 (with the same asyncOperationId).
    if state.changes.len() >= config.max_concurrent_operations {
        state.stats.too_many_operations += 1;
        return Reply::error(
            Code::ResourceExhausted,
            format!(
                "too many concurrent async operations for this account (limit {}); retry later",
                config.max_concurrent_operations
            ),
        );
    }
    let Some(resource_version) = resource_version else {
        return invalid(
            "resource_version is required: read the namespace and send its resourceVersion",
        );
    };
    if let Some(reply) = stale(Some(resource_version)) {
        return reply;
    }
    // The code is UNVERIFIED (FailedPrecondition presumed). Stricter than the proto's rule:
    // any update still in flight blocks the next one, not only a capacity request.
    if let Some(change) = state.changes.get(id) {
        let message = if change.target.is_some() {
            "cannot change the namespace while the last capacity request is in progress"
        } else {
            "cannot change the namespace while a previous update is in progress"
        };
        return Reply::error(Code::FailedPrecondition, message);
    }
    let Some(spec) = spec else {
        return invalid("spec is required");
    };
    match spec.get("name") {
        Some(Value::String(name)) if *name == ns.name => {}
        Some(Value::String(name)) => {
            return invalid(format!(
                "spec.name {name:?} does not match the namespace name {:?}: the name is immutable",
                ns.name
            ));
        }
        _ => return invalid("spec.name is required (the spec replaces the whole namespace spec)"),
    }
    let target = match parse_capacity_spec(spec, ns) {
        Ok(mode) => mode,
        Err(reply) => return reply,
    };
    let new_spec = normalize_spec(spec, target);
    if new_spec == ns.spec {
        return invalid("nothing to change: the requested spec is the same as the current spec");
    }

    let capacity_changed = ns.spec.get("capacitySpec") != Some(&target.spec_json());
    // After every other check, so that a stale version is still refused as stale and a retry
    // of an accepted change (same asyncOperationId, answered above) is not a second change.
    if config.one_change_per_hour
        && capacity_changed
        && let Some(previous) = state.capacity_requested.get(id)
        && now < *previous + TimeDelta::hours(1)
    {
        return Reply::error(
            Code::FailedPrecondition,
            format!(
                "capacity can be changed once per hour; the next change is allowed at {}",
                rfc3339(*previous + TimeDelta::hours(1))
            ),
        );
    }
    let operation_id =
        operation_id.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_string);
    let outcome = match state.fail_next.remove(id) {
        None => Outcome::Fulfilled,
        Some(failure) if failure.how == FailNext::CapacityRequestFailed && !capacity_changed => {
            // Only a capacity change has a capacity request to fail; keep it for that one.
            state.fail_next.insert(id.to_string(), failure);
            Outcome::Fulfilled
        }
        Some(failure) => failure.outcome(),
    };
    let started_at = now;
    let input = json!({
        "@type": UPDATE_NAMESPACE_TYPE,
        "namespace": id,
        "spec": new_spec,
        "resourceVersion": resource_version,
        "asyncOperationId": operation_id,
    });
    let operation = Operation {
        id: operation_id.clone(),
        namespace: id.to_string(),
        started_at,
        input,
        capacity_spec: target.spec_json(),
        outcome: outcome.clone(),
    };
    let ns = state
        .namespaces
        .get_mut(id)
        .expect("the namespace was found above");
    let previous_spec = std::mem::replace(&mut ns.spec, new_spec);
    ns.resource_version = fresh_version();
    ns.last_modified = started_at;
    if capacity_changed {
        // Every accepted request counts toward `one_change_per_hour`, however it ends: the
        // service cannot know at request time, and the stricter reading is the safer one.
        state.capacity_requested.insert(id.to_string(), started_at);
        if outcome == Outcome::Fulfilled
            && let Some(replay) = state.replay.as_mut()
        {
            // The limit changes when the operation is fulfilled; the capacity request is
            // marked completed a little later (see `Change::settles_after`).
            replay.schedule(id, started_at + chrono_duration(delay), target);
        }
        let ns = state
            .namespaces
            .get_mut(id)
            .expect("the namespace was found above");
        ns.latest_request = Some(CapacityRequest {
            state: RequestState::InProgress,
            start: started_at,
            end: None,
            async_operation_id: operation_id.clone(),
            spec: target.spec_json(),
        });
    }
    state.changes.insert(
        id.to_string(),
        Change {
            operation_id: operation_id.clone(),
            started_at,
            previous_spec,
            target: capacity_changed.then_some(target),
            outcome,
        },
    );
    let in_flight = state.changes.len() as u64;
    state.stats.peak_operations_in_flight = state.stats.peak_operations_in_flight.max(in_flight);
    let reply = Reply::ok(&json!({"asyncOperation": operation.to_json(now, delay, check, true)}));
    state.operations.insert(operation_id, operation);
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_round_trip() {
        let token = encode_token("orders-prod.ab12c");
        assert_eq!(decode_token(&token).as_deref(), Some("orders-prod.ab12c"));
        assert_eq!(decode_token("zz"), None);
        assert_eq!(decode_token("abc"), None);
    }

    #[test]
    fn check_duration_is_a_quarter_of_the_delay_within_bounds() {
        assert_eq!(
            check_duration(Duration::from_millis(300)),
            Duration::from_secs(1)
        );
        assert_eq!(
            check_duration(Duration::from_secs(10)),
            Duration::from_millis(2500)
        );
        assert_eq!(
            check_duration(Duration::from_secs(120)),
            Duration::from_secs(10)
        );
    }
}
