//! Cloud Ops wire types (proto3 JSON). Out: lowerCamelCase. In: either casing, unknown fields
//! ignored, and missing, `null`, `""` and `{}` all mean "unset", because whether the gateway
//! emits unpopulated fields is unverified. A namespace `spec` is kept as raw JSON so that a
//! read-modify-write sends back every field, including ones this version does not know.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::output::{num, whole_number};

/// Desired capacity (`spec.capacitySpec`), a proto oneof.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CapacitySpec {
    OnDemand,
    Provisioned { value: f64 },
}

impl CapacitySpec {
    pub fn to_json(self) -> Value {
        match self {
            CapacitySpec::OnDemand => serde_json::json!({ "onDemand": {} }),
            CapacitySpec::Provisioned { value } => {
                serde_json::json!({ "provisioned": { "value": whole_number(value) } })
            }
        }
    }

    /// Reads `{"onDemand": {}}` / `{"provisioned": {"value": N}}` in either casing.
    pub fn from_json(value: &Value) -> Option<CapacitySpec> {
        let object = value.as_object()?;
        if let Some(p) = field(object, "provisioned", "provisioned").filter(|v| !v.is_null()) {
            let value = p
                .as_object()
                .and_then(|p| p.get("value"))
                .and_then(number_of)
                .unwrap_or(0.0);
            return Some(CapacitySpec::Provisioned { value });
        }
        field(object, "onDemand", "on_demand")
            .filter(|v| !v.is_null())
            .map(|_| CapacitySpec::OnDemand)
    }
}

impl fmt::Display for CapacitySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CapacitySpec::OnDemand => f.write_str("on-demand"),
            CapacitySpec::Provisioned { value } => write!(f, "{} TRUs", fmt_tru_value(*value)),
        }
    }
}

/// A TRU value as a bare number: "4", or "2.5" for a value no whole number states.
pub fn fmt_tru_value(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn field<'a>(object: &'a Map<String, Value>, camel: &str, snake: &str) -> Option<&'a Value> {
    object.get(camel).or_else(|| object.get(snake))
}

/// protojson doubles arrive as numbers or as strings ("4", "NaN", "Infinity").
fn number_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            other => other.trim().parse().ok(),
        },
        _ => None,
    }
}

fn de_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(de_opt_f64(d)?.unwrap_or(0.0))
}

fn de_opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let v = Value::deserialize(d)?;
    match v {
        Value::Null => Ok(None),
        Value::String(ref s) if s.is_empty() => Ok(None),
        other => number_of(&other)
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("expected a number, found {other}"))),
    }
}

fn de_f64_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    let v = Option::<Vec<Value>>::deserialize(d)?.unwrap_or_default();
    v.iter()
        .map(|x| {
            number_of(x).ok_or_else(|| de::Error::custom(format!("expected a number, found {x}")))
        })
        .collect()
}

fn de_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

fn de_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => DateTime::parse_from_rfc3339(&s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|e| de::Error::custom(format!("bad timestamp {s:?}: {e}"))),
    }
}

/// protojson Duration: "10s", "1.500s".
fn de_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    let v = Value::deserialize(d)?;
    let secs = match &v {
        Value::Null => return Ok(None),
        Value::String(s) if s.is_empty() => return Ok(None),
        Value::String(s) => s.strip_suffix('s').unwrap_or(s).parse::<f64>().ok(),
        Value::Number(n) => n.as_f64(),
        _ => None,
    };
    match secs {
        // Beyond `Duration`'s range (some 584 billion years) is "never" for any waiter, and
        // `from_secs_f64` would panic on it.
        Some(s) if s.is_finite() && s >= 0.0 => Ok(Some(
            Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX),
        )),
        _ => Err(de::Error::custom(format!("bad duration {v}"))),
    }
}

fn de_map<'de, D: Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    Ok(Option::<Map<String, Value>>::deserialize(d)?.unwrap_or_default())
}

fn de_capacity_spec<'de, D: Deserializer<'de>>(d: D) -> Result<Option<CapacitySpec>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(CapacitySpec::from_json(&v))
}

/// Enums come as names; protojson also accepts numbers, so we do too.
macro_rules! proto_enum {
    ($name:ident { $($variant:ident = $num:literal, $wire:literal;)* }) => {
        #[derive(Clone, Debug, PartialEq, Eq, Default)]
        pub enum $name {
            #[default]
            Unspecified,
            $($variant,)*
            /// A value newer than this client; kept so it can be reported.
            Other(String),
        }

        impl $name {
            pub fn wire_name(&self) -> &str {
                match self {
                    $name::Unspecified => concat!(stringify!($name), "_UNSPECIFIED"),
                    $($name::$variant => $wire,)*
                    $name::Other(s) => s,
                }
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok(match Value::deserialize(d)? {
                    Value::Null => $name::Unspecified,
                    Value::String(s) => match s.as_str() {
                        $($wire => $name::$variant,)*
                        "" => $name::Unspecified,
                        s if s.ends_with("_UNSPECIFIED") => $name::Unspecified,
                        _ => $name::Other(s),
                    },
                    Value::Number(n) => match n.as_i64() {
                        $(Some($num) => $name::$variant,)*
                        Some(0) => $name::Unspecified,
                        _ => $name::Other(n.to_string()),
                    },
                    other => return Err(de::Error::custom(format!("unexpected enum value {other}"))),
                })
            }
        }
    };
}

proto_enum!(OperationState {
    Pending = 1, "STATE_PENDING";
    InProgress = 2, "STATE_IN_PROGRESS";
    Failed = 3, "STATE_FAILED";
    Cancelled = 4, "STATE_CANCELLED";
    Fulfilled = 5, "STATE_FULFILLED";
    Rejected = 6, "STATE_REJECTED";
});

proto_enum!(RequestState {
    Completed = 1, "STATE_CAPACITY_REQUEST_COMPLETED";
    InProgress = 2, "STATE_CAPACITY_REQUEST_IN_PROGRESS";
    Failed = 3, "STATE_CAPACITY_REQUEST_FAILED";
});

impl RequestState {
    /// The short spelling tcap prints and puts in JSON (`request_state`).
    pub fn short(&self) -> String {
        match self {
            RequestState::Unspecified => "unspecified".into(),
            RequestState::Completed => "completed".into(),
            RequestState::InProgress => "in-progress".into(),
            RequestState::Failed => "failed".into(),
            RequestState::Other(s) => s.to_lowercase(),
        }
    }
}

impl OperationState {
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            OperationState::Fulfilled
                | OperationState::Failed
                | OperationState::Cancelled
                | OperationState::Rejected
        )
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapacityRequest {
    #[serde(default)]
    pub state: RequestState,
    #[serde(default, alias = "start_time", deserialize_with = "de_time")]
    pub start_time: Option<DateTime<Utc>>,
    #[serde(default, alias = "end_time", deserialize_with = "de_time")]
    pub end_time: Option<DateTime<Utc>>,
    #[serde(default, alias = "async_operation_id", deserialize_with = "de_string")]
    pub async_operation_id: String,
    #[serde(default, deserialize_with = "de_capacity_spec")]
    pub spec: Option<CapacitySpec>,
}

/// Actual capacity (`namespace.capacity`, read-only).
#[derive(Clone, Debug, Default)]
pub struct Capacity {
    /// `None` when the server sent neither oneof member.
    pub mode: Option<CapacitySpec>,
    pub latest_request: Option<CapacityRequest>,
}

impl<'de> Deserialize<'de> for Capacity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        let Some(object) = v.as_object() else {
            return Ok(Capacity::default());
        };
        let mode =
            if let Some(p) = field(object, "provisioned", "provisioned").filter(|v| !v.is_null()) {
                let value = p
                    .as_object()
                    .and_then(|p| field(p, "currentValue", "current_value"))
                    .and_then(number_of)
                    .unwrap_or(0.0);
                Some(CapacitySpec::Provisioned { value })
            } else {
                field(object, "onDemand", "on_demand")
                    .filter(|v| !v.is_null())
                    .map(|_| CapacitySpec::OnDemand)
            };
        let latest_request = match field(object, "latestRequest", "latest_request") {
            None | Some(Value::Null) => None,
            Some(r) => Some(CapacityRequest::deserialize(r).map_err(de::Error::custom)?),
        };
        Ok(Capacity {
            mode,
            latest_request,
        })
    }
}

/// A listed namespace's ID and nothing else: the rest of it is skipped unread.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NamespaceId {
    #[serde(default, deserialize_with = "de_string")]
    pub namespace: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Namespace {
    #[serde(default, deserialize_with = "de_string")]
    pub namespace: String,
    #[serde(default, alias = "resource_version", deserialize_with = "de_string")]
    pub resource_version: String,
    #[serde(default, deserialize_with = "de_map")]
    pub spec: Map<String, Value>,
    #[serde(default, deserialize_with = "de_string")]
    pub state: String,
    #[serde(default, alias = "async_operation_id", deserialize_with = "de_string")]
    pub async_operation_id: String,
    #[serde(default)]
    pub capacity: Option<Capacity>,
    #[serde(default)]
    pub limits: Option<Limits>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    #[serde(
        default,
        alias = "actions_per_second_limit",
        deserialize_with = "de_opt_f64"
    )]
    pub actions_per_second_limit: Option<f64>,
}

impl Namespace {
    /// The APS limit in force now, when the server reports it.
    pub fn aps_limit(&self) -> Option<f64> {
        self.limits
            .as_ref()
            .and_then(|l| l.actions_per_second_limit)
            .filter(|l| *l > 0.0)
    }

    pub fn desired_capacity(&self) -> Option<CapacitySpec> {
        field(&self.spec, "capacitySpec", "capacity_spec").and_then(CapacitySpec::from_json)
    }

    pub fn current_capacity(&self) -> Option<CapacitySpec> {
        self.capacity.as_ref().and_then(|c| c.mode)
    }

    pub fn latest_request(&self) -> Option<&CapacityRequest> {
        self.capacity
            .as_ref()
            .and_then(|c| c.latest_request.as_ref())
    }

    /// The spec to send back: every field as read, with only the capacity replaced.
    pub fn spec_with_capacity(&self, capacity: CapacitySpec) -> Map<String, Value> {
        let mut spec = self.spec.clone();
        // The server accepts both casings; sending both would be ambiguous.
        if let Some(slot) = spec.get_mut("capacitySpec") {
            *slot = capacity.to_json();
            // `remove` would move the last key into its place (`preserve_order` makes it a
            // swap_remove); the spec goes back in the order it was read.
            spec.shift_remove("capacity_spec");
        } else if let Some(slot) = spec.get_mut("capacity_spec") {
            *slot = capacity.to_json();
        } else {
            spec.insert("capacitySpec".into(), capacity.to_json());
        }
        spec
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AsyncOperation {
    #[serde(default, deserialize_with = "de_string")]
    pub id: String,
    #[serde(default)]
    pub state: OperationState,
    #[serde(default, alias = "check_duration", deserialize_with = "de_duration")]
    pub check_duration: Option<Duration>,
    #[serde(default, alias = "operation_type", deserialize_with = "de_string")]
    pub operation_type: String,
    #[serde(default, alias = "failure_reason", deserialize_with = "de_string")]
    pub failure_reason: String,
    #[serde(default, alias = "started_time", deserialize_with = "de_time")]
    pub started_time: Option<DateTime<Utc>>,
    #[serde(default, alias = "finished_time", deserialize_with = "de_time")]
    pub finished_time: Option<DateTime<Utc>>,
}

/// capacity-info's 7-day APS statistics; the one type for them, wire to JSON output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Deserialize, Serialize)]
pub struct ApsStats {
    #[serde(default, deserialize_with = "de_f64", serialize_with = "num")]
    pub mean: f64,
    #[serde(default, deserialize_with = "de_f64", serialize_with = "num")]
    pub p90: f64,
    #[serde(default, deserialize_with = "de_f64", serialize_with = "num")]
    pub p99: f64,
}

#[derive(Clone, Debug, Default)]
pub struct CapacityInfo {
    pub namespace: String,
    pub has_legacy_limits: bool,
    pub current: Capacity,
    pub valid_tru_values: Vec<f64>,
    pub max_available_tru_value: Option<f64>,
    pub on_demand_aps_limit: Option<f64>,
    pub aps: Option<ApsStats>,
}

impl<'de> Deserialize<'de> for CapacityInfo {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize, Default)]
        #[serde(rename_all = "camelCase")]
        struct Provisioned {
            #[serde(default, alias = "valid_tru_values", deserialize_with = "de_f64_list")]
            valid_tru_values: Vec<f64>,
            #[serde(
                default,
                alias = "max_available_tru_value",
                deserialize_with = "de_opt_f64"
            )]
            max_available_tru_value: Option<f64>,
        }
        #[derive(Deserialize, Default)]
        #[serde(rename_all = "camelCase")]
        struct OnDemand {
            #[serde(default, alias = "aps_limit", deserialize_with = "de_opt_f64")]
            aps_limit: Option<f64>,
        }
        #[derive(Deserialize, Default)]
        #[serde(rename_all = "camelCase")]
        struct ModeOptions {
            #[serde(default)]
            provisioned: Option<Provisioned>,
            #[serde(default, alias = "on_demand")]
            on_demand: Option<OnDemand>,
        }
        #[derive(Deserialize, Default)]
        struct Stats {
            #[serde(default)]
            aps: Option<ApsStats>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire {
            #[serde(default, deserialize_with = "de_string")]
            namespace: String,
            #[serde(default, alias = "has_legacy_limits")]
            has_legacy_limits: Option<bool>,
            #[serde(default, alias = "current_capacity")]
            current_capacity: Option<Capacity>,
            #[serde(default, alias = "mode_options")]
            mode_options: Option<ModeOptions>,
            #[serde(default)]
            stats: Option<Stats>,
        }
        let w = Wire::deserialize(d)?;
        let modes = w.mode_options.unwrap_or_default();
        let provisioned = modes.provisioned.unwrap_or_default();
        Ok(CapacityInfo {
            namespace: w.namespace,
            has_legacy_limits: w.has_legacy_limits.unwrap_or(false),
            current: w.current_capacity.unwrap_or_default(),
            valid_tru_values: provisioned.valid_tru_values,
            max_available_tru_value: provisioned.max_available_tru_value,
            on_demand_aps_limit: modes.on_demand.and_then(|o| o.aps_limit),
            aps: w.stats.and_then(|s| s.aps),
        })
    }
}

// Response envelopes.

#[derive(Debug, Deserialize)]
pub struct GetNamespaceResponse {
    pub namespace: Option<Namespace>,
}

/// A page of the list; `N` is [`Namespace`], or [`NamespaceId`] when only the IDs matter (a
/// full namespace keeps its whole spec, which for thousands is tens of megabytes).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "N: Deserialize<'de>"))]
pub struct GetNamespacesResponse<N = Namespace> {
    #[serde(default)]
    pub namespaces: Option<Vec<N>>,
    #[serde(default, alias = "next_page_token", deserialize_with = "de_string")]
    pub next_page_token: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AsyncOperationResponse {
    #[serde(alias = "async_operation")]
    pub async_operation: Option<AsyncOperation>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapacityInfoResponse {
    #[serde(alias = "capacity_info")]
    pub capacity_info: Option<CapacityInfo>,
}

/// The body of UpdateNamespace.
pub fn update_namespace_body(
    spec: Map<String, Value>,
    resource_version: &str,
    async_operation_id: &str,
) -> Value {
    serde_json::json!({
        "spec": Value::Object(spec),
        "resourceVersion": resource_version,
        "asyncOperationId": async_operation_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMESPACE: &str = r#"{
      "namespace": {
        "namespace": "my-namespace.abc12",
        "resourceVersion": "8a5f6b2c-1",
        "spec": {
          "name": "my-namespace",
          "regions": ["aws-us-west-2"],
          "retentionDays": 30,
          "apiKeyAuth": {"enabled": true},
          "searchAttributes": {"CustomerId": "SEARCH_ATTRIBUTE_TYPE_KEYWORD"},
          "capacitySpec": {"provisioned": {"value": 4}},
          "futureSetting": {"enabled": true, "level": 3},
          "replicas": [{"region": "aws-us-west-2"}]
        },
        "state": "RESOURCE_STATE_ACTIVE",
        "asyncOperationId": "",
        "endpoints": {"webAddress": "w", "mtlsGrpcAddress": "", "grpcAddress": "g"},
        "activeRegion": "aws-us-west-2",
        "limits": {"actionsPerSecondLimit": 2000},
        "createdTime": "2025-01-02T03:04:05Z",
        "lastModifiedTime": "2026-05-19T17:05:00Z",
        "tags": {},
        "capacity": {
          "provisioned": {"currentValue": 4},
          "latestRequest": {
            "state": "STATE_CAPACITY_REQUEST_COMPLETED",
            "startTime": "2026-05-19T17:03:11Z",
            "endTime": "2026-05-19T17:04:40Z",
            "asyncOperationId": "7cbe07a6-6eb6-45ba-883a-0e6930b5f2a6",
            "spec": {"provisioned": {"value": 4}}
          }
        },
        "projectId": ""
      }
    }"#;

    #[test]
    fn a_namespace_reads_as_the_reference_shows_it() {
        let r: GetNamespaceResponse = serde_json::from_str(NAMESPACE).unwrap();
        let ns = r.namespace.unwrap();
        assert_eq!(ns.namespace, "my-namespace.abc12");
        assert_eq!(ns.resource_version, "8a5f6b2c-1");
        assert_eq!(
            ns.desired_capacity(),
            Some(CapacitySpec::Provisioned { value: 4.0 })
        );
        assert_eq!(
            ns.current_capacity(),
            Some(CapacitySpec::Provisioned { value: 4.0 })
        );
        let req = ns.latest_request().unwrap();
        assert_eq!(req.state, RequestState::Completed);
        assert_eq!(
            req.async_operation_id,
            "7cbe07a6-6eb6-45ba-883a-0e6930b5f2a6"
        );
        assert_eq!(
            req.end_time.unwrap().to_rfc3339(),
            "2026-05-19T17:04:40+00:00"
        );
    }

    #[test]
    fn the_spec_round_trips_with_only_capacity_replaced() {
        let r: GetNamespaceResponse = serde_json::from_str(NAMESPACE).unwrap();
        let ns = r.namespace.unwrap();
        let spec = ns.spec_with_capacity(CapacitySpec::OnDemand);
        let original: Value = serde_json::from_str(NAMESPACE).unwrap();
        let mut expected = original["namespace"]["spec"].as_object().unwrap().clone();
        expected.insert("capacitySpec".into(), serde_json::json!({"onDemand": {}}));
        assert_eq!(spec, expected);
        // Field order is kept too, so a diff of the two reads naturally.
        let keys: Vec<&String> = spec.keys().collect();
        let expected_keys: Vec<&String> = expected.keys().collect();
        assert_eq!(keys, expected_keys);
        let body = update_namespace_body(spec, "rv", "op");
        assert_eq!(body["spec"]["futureSetting"]["level"], 3);
        assert_eq!(body["resourceVersion"], "rv");
        assert_eq!(body["asyncOperationId"], "op");
    }

    #[test]
    fn snake_case_and_unpopulated_fields_are_accepted() {
        let ns: Namespace = serde_json::from_str(
            r#"{"namespace":"a.b","resource_version":"v","spec":{"name":"a","capacity_spec":{"on_demand":{}}},
                "async_operation_id":null,"capacity":{"on_demand":{},"latest_request":null},"state":null}"#,
        )
        .unwrap();
        assert_eq!(ns.resource_version, "v");
        assert_eq!(ns.desired_capacity(), Some(CapacitySpec::OnDemand));
        assert_eq!(ns.current_capacity(), Some(CapacitySpec::OnDemand));
        assert!(ns.latest_request().is_none());
        let spec = ns.spec_with_capacity(CapacitySpec::Provisioned { value: 2.0 });
        assert_eq!(
            spec["capacity_spec"],
            serde_json::json!({"provisioned": {"value": 2}})
        );
        assert!(!spec.contains_key("capacitySpec"));

        let empty: Namespace = serde_json::from_str(r#"{"capacity": null, "spec": null}"#).unwrap();
        assert!(empty.current_capacity().is_none() && empty.spec.is_empty());
    }

    #[test]
    fn async_operations_read_enum_names_numbers_and_durations() {
        let r: AsyncOperationResponse = serde_json::from_str(
            r#"{"asyncOperation": {"id": "2f0b", "state": "STATE_PENDING", "checkDuration": "10s",
              "operationType": "UpdateNamespace",
              "operationInput": {"@type": "type.googleapis.com/x", "namespace": "n"},
              "failureReason": "", "startedTime": "2026-05-19T17:03:11Z", "finishedTime": null}}"#,
        )
        .unwrap();
        let op = r.async_operation.unwrap();
        assert_eq!(op.state, OperationState::Pending);
        assert_eq!(op.check_duration, Some(Duration::from_secs(10)));
        assert!(op.finished_time.is_none());

        let op: AsyncOperation = serde_json::from_str(
            r#"{"state": 6, "checkDuration": "1.500s", "failure_reason": "no"}"#,
        )
        .unwrap();
        assert_eq!(op.state, OperationState::Rejected);
        assert_eq!(op.check_duration, Some(Duration::from_millis(1500)));
        assert_eq!(op.failure_reason, "no");

        let op: AsyncOperation =
            serde_json::from_str(r#"{"state": "STATE_SOMETHING_NEW"}"#).unwrap();
        assert_eq!(
            op.state,
            OperationState::Other("STATE_SOMETHING_NEW".into())
        );
        assert!(!op.state.is_terminal());
    }

    #[test]
    fn capacity_info_reads_the_reference_example() {
        let r: CapacityInfoResponse = serde_json::from_str(
            r#"{"capacityInfo": {
              "namespace": "my-namespace.abc12",
              "hasLegacyLimits": false,
              "currentCapacity": {"onDemand": {}, "latestRequest": null},
              "modeOptions": {
                "provisioned": {"validTruValues": [2, 3, 4, 6, 8, 10, 12], "maxAvailableTruValue": 8},
                "onDemand": {"apsLimit": 500}
              },
              "stats": {"aps": {"mean": 120.5, "p90": 310.0, "p99": 455.2}}
            }}"#,
        )
        .unwrap();
        let info = r.capacity_info.unwrap();
        assert_eq!(
            info.valid_tru_values,
            vec![2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 12.0]
        );
        assert_eq!(info.max_available_tru_value, Some(8.0));
        assert_eq!(info.on_demand_aps_limit, Some(500.0));
        assert_eq!(
            info.aps,
            Some(ApsStats {
                mean: 120.5,
                p90: 310.0,
                p99: 455.2
            })
        );
        assert_eq!(info.current.mode, Some(CapacitySpec::OnDemand));

        let sparse: CapacityInfo = serde_json::from_str(
            r#"{"mode_options": {"provisioned": {"valid_tru_values": ["2", 4]}}, "stats": null}"#,
        )
        .unwrap();
        assert_eq!(sparse.valid_tru_values, vec![2.0, 4.0]);
        assert!(sparse.aps.is_none() && sparse.max_available_tru_value.is_none());
    }

    #[test]
    fn capacity_specs_print_like_protojson() {
        assert_eq!(
            CapacitySpec::Provisioned { value: 4.0 }
                .to_json()
                .to_string(),
            r#"{"provisioned":{"value":4}}"#
        );
        assert_eq!(
            CapacitySpec::Provisioned { value: 2.5 }
                .to_json()
                .to_string(),
            r#"{"provisioned":{"value":2.5}}"#
        );
        assert_eq!(
            CapacitySpec::OnDemand.to_json().to_string(),
            r#"{"onDemand":{}}"#
        );
    }
}
