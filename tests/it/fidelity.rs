//! The emulator against the wire formats of `../shared/reference/`: field names, JSON types,
//! enum spellings, timestamps and durations, status codes and error bodies of the Cloud Ops API,
//! and the query, headers and body of the Metrics API. The expectations are written out here by
//! hand from the reference documents (section numbers in the comments), not taken from tcap's
//! own model types, so that the emulator cannot drift into agreeing with a wrong client.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{ADMIN_KEY, Emu, METRICS_KEY};
use reqwest::Method;
use serde_json::{Value, json};
use tcap::devserver::Config;

const VERSION: &str = "v0.19.1";

// ---------------------------------------------------------------------------------------------
// The expectation table

/// What a JSON value must be.
#[derive(Clone, Copy, Debug)]
enum T {
    Any,
    Str,
    Bool,
    /// An int32: a JSON number without a fraction.
    Int,
    /// A double: a JSON number (never a string), `4` or `2.5`.
    Num,
    /// A protojson Timestamp: RFC 3339 in UTC with `Z`, 0, 3, 6 or 9 fractional digits.
    Ts,
    /// A protojson Duration: seconds with an `s` suffix, 0, 3, 6 or 9 fractional digits.
    Dur,
    /// One of these spellings.
    Enum(&'static [&'static str]),
    /// A string starting with this.
    Prefixed(&'static str),
    /// null, or the inner type.
    Nullable(&'static T),
    Arr(&'static T),
    /// A map field: any keys, values of one type.
    Map(&'static T),
    Msg(&'static Msg),
}

/// A message. `closed`: the reference lists every field, so any other key is a drift.
#[derive(Debug)]
struct Msg {
    name: &'static str,
    fields: &'static [F],
    /// A oneof: exactly one of these keys is present (protojson emits only the set member).
    oneof: &'static [(&'static str, T)],
    closed: bool,
}

/// A field: its JSON name, its type, and whether it must be present.
#[derive(Debug)]
struct F(&'static str, T, bool);

const REQUIRED: bool = true;
const OPTIONAL: bool = false;

/// §3.1 `ResourceState`, every value prefixed `RESOURCE_STATE_`.
const RESOURCE_STATES: &[&str] = &[
    "RESOURCE_STATE_UNSPECIFIED",
    "RESOURCE_STATE_ACTIVATING",
    "RESOURCE_STATE_ACTIVATION_FAILED",
    "RESOURCE_STATE_ACTIVE",
    "RESOURCE_STATE_UPDATING",
    "RESOURCE_STATE_UPDATE_FAILED",
    "RESOURCE_STATE_DELETING",
    "RESOURCE_STATE_DELETE_FAILED",
    "RESOURCE_STATE_DELETED",
    "RESOURCE_STATE_SUSPENDED",
    "RESOURCE_STATE_EXPIRED",
];

/// §3.4 `AsyncOperation.State`.
const OPERATION_STATES: &[&str] = &[
    "STATE_UNSPECIFIED",
    "STATE_PENDING",
    "STATE_IN_PROGRESS",
    "STATE_FAILED",
    "STATE_CANCELLED",
    "STATE_FULFILLED",
    "STATE_REJECTED",
];

/// §4 `Capacity.Request.State`.
const REQUEST_STATES: &[&str] = &[
    "STATE_CAPACITY_REQUEST_UNSPECIFIED",
    "STATE_CAPACITY_REQUEST_COMPLETED",
    "STATE_CAPACITY_REQUEST_IN_PROGRESS",
    "STATE_CAPACITY_REQUEST_FAILED",
];

const EMPTY: Msg = Msg {
    name: "OnDemand",
    fields: &[],
    oneof: &[],
    closed: true,
};

/// §4 `CapacitySpec`: `{"onDemand": {}}` or `{"provisioned": {"value": <double>}}`.
const CAPACITY_SPEC: Msg = Msg {
    name: "CapacitySpec",
    fields: &[],
    oneof: &[
        ("onDemand", T::Msg(&EMPTY)),
        (
            "provisioned",
            T::Msg(&Msg {
                name: "CapacitySpec.Provisioned",
                fields: &[F("value", T::Num, REQUIRED)],
                oneof: &[],
                closed: true,
            }),
        ),
    ],
    closed: true,
};

/// §4 `Capacity.Request`.
const CAPACITY_REQUEST: Msg = Msg {
    name: "Capacity.Request",
    fields: &[
        F("state", T::Enum(REQUEST_STATES), REQUIRED),
        F("startTime", T::Nullable(&T::Ts), REQUIRED),
        F("endTime", T::Nullable(&T::Ts), REQUIRED),
        F("asyncOperationId", T::Str, REQUIRED),
        F("spec", T::Msg(&CAPACITY_SPEC), REQUIRED),
    ],
    oneof: &[],
    closed: true,
};

/// §4 `Capacity`: the mode in force (a oneof) and the latest request.
const CAPACITY: Msg = Msg {
    name: "Capacity",
    fields: &[F(
        "latestRequest",
        T::Nullable(&T::Msg(&CAPACITY_REQUEST)),
        REQUIRED,
    )],
    oneof: &[
        ("onDemand", T::Msg(&EMPTY)),
        (
            "provisioned",
            T::Msg(&Msg {
                name: "Capacity.Provisioned",
                fields: &[F("currentValue", T::Num, REQUIRED)],
                oneof: &[],
                closed: true,
            }),
        ),
    ],
    closed: true,
};

/// §3.1 example of `spec`; the reference gives no full `NamespaceSpec` list, so other fields
/// are allowed.
const NAMESPACE_SPEC: Msg = Msg {
    name: "NamespaceSpec",
    fields: &[
        F("name", T::Str, REQUIRED),
        F("regions", T::Arr(&T::Str), REQUIRED),
        F("retentionDays", T::Int, REQUIRED),
        F(
            "apiKeyAuth",
            T::Nullable(&T::Msg(&Msg {
                name: "ApiKeyAuthSpec",
                fields: &[F("enabled", T::Bool, REQUIRED)],
                oneof: &[],
                closed: false,
            })),
            REQUIRED,
        ),
        F(
            "searchAttributes",
            T::Map(&T::Prefixed("SEARCH_ATTRIBUTE_TYPE_")),
            REQUIRED,
        ),
        F("capacitySpec", T::Msg(&CAPACITY_SPEC), REQUIRED),
        F(
            "replicas",
            T::Arr(&T::Msg(&Msg {
                name: "ReplicaSpec",
                fields: &[F("region", T::Str, REQUIRED)],
                oneof: &[],
                closed: false,
            })),
            REQUIRED,
        ),
    ],
    oneof: &[],
    closed: false,
};

/// §3.1: the full `Namespace` field list (JSON names) of [CA ns 318-364]. Fields deprecated
/// before v0.19.1 or added later than the oldest version may be absent; nothing else may appear.
const NAMESPACE: Msg = Msg {
    name: "Namespace",
    fields: &[
        F("namespace", T::Str, REQUIRED),
        F("resourceVersion", T::Str, REQUIRED),
        F("spec", T::Msg(&NAMESPACE_SPEC), REQUIRED),
        F("stateDeprecated", T::Str, OPTIONAL),
        F("state", T::Enum(RESOURCE_STATES), REQUIRED),
        F("asyncOperationId", T::Str, REQUIRED),
        F(
            "endpoints",
            T::Msg(&Msg {
                name: "Endpoints",
                fields: &[
                    F("webAddress", T::Str, REQUIRED),
                    F("mtlsGrpcAddress", T::Str, REQUIRED),
                    F("grpcAddress", T::Str, REQUIRED),
                ],
                oneof: &[],
                closed: false,
            }),
            REQUIRED,
        ),
        F("activeRegion", T::Str, REQUIRED),
        F(
            "limits",
            T::Msg(&Msg {
                name: "NamespaceLimits",
                fields: &[F("actionsPerSecondLimit", T::Int, REQUIRED)],
                oneof: &[],
                closed: false,
            }),
            REQUIRED,
        ),
        F("privateConnectivities", T::Arr(&T::Any), OPTIONAL),
        F("createdTime", T::Ts, REQUIRED),
        F("lastModifiedTime", T::Ts, REQUIRED),
        F("regionStatus", T::Any, OPTIONAL),
        F("connectivityRules", T::Arr(&T::Any), OPTIONAL),
        F("tags", T::Map(&T::Str), REQUIRED),
        F("capacity", T::Nullable(&T::Msg(&CAPACITY)), REQUIRED),
        F("replicas", T::Arr(&T::Any), OPTIONAL),
        F("projectId", T::Str, REQUIRED),
    ],
    oneof: &[],
    closed: true,
};

/// §3.4 `AsyncOperation`.
const ASYNC_OPERATION: Msg = Msg {
    name: "AsyncOperation",
    fields: &[
        F("id", T::Str, REQUIRED),
        F("stateDeprecated", T::Str, OPTIONAL),
        F("state", T::Enum(OPERATION_STATES), REQUIRED),
        F("checkDuration", T::Dur, REQUIRED),
        F("operationType", T::Str, REQUIRED),
        F(
            "operationInput",
            T::Nullable(&T::Msg(&Msg {
                name: "Any",
                fields: &[F("@type", T::Prefixed("type.googleapis.com/"), REQUIRED)],
                oneof: &[],
                closed: false,
            })),
            REQUIRED,
        ),
        F("failureReason", T::Str, REQUIRED),
        F("startedTime", T::Nullable(&T::Ts), REQUIRED),
        F("finishedTime", T::Nullable(&T::Ts), REQUIRED),
    ],
    oneof: &[],
    closed: true,
};

/// §3.5 `NamespaceCapacityInfo`.
const CAPACITY_INFO: Msg = Msg {
    name: "NamespaceCapacityInfo",
    fields: &[
        F("namespace", T::Str, REQUIRED),
        F("hasLegacyLimits", T::Bool, REQUIRED),
        F("currentCapacity", T::Msg(&CAPACITY), REQUIRED),
        F(
            "modeOptions",
            T::Msg(&Msg {
                name: "ModeOptions",
                fields: &[
                    F(
                        "provisioned",
                        T::Msg(&Msg {
                            name: "ModeOptions.Provisioned",
                            fields: &[
                                F("validTruValues", T::Arr(&T::Num), REQUIRED),
                                F("maxAvailableTruValue", T::Num, REQUIRED),
                            ],
                            oneof: &[],
                            closed: true,
                        }),
                        REQUIRED,
                    ),
                    F(
                        "onDemand",
                        T::Msg(&Msg {
                            name: "ModeOptions.OnDemand",
                            fields: &[F("apsLimit", T::Num, REQUIRED)],
                            oneof: &[],
                            closed: true,
                        }),
                        REQUIRED,
                    ),
                ],
                oneof: &[],
                closed: true,
            }),
            REQUIRED,
        ),
        F(
            "stats",
            T::Msg(&Msg {
                name: "Stats",
                fields: &[F(
                    "aps",
                    T::Msg(&Msg {
                        name: "Stats.Aps",
                        fields: &[
                            F("mean", T::Num, REQUIRED),
                            F("p90", T::Num, REQUIRED),
                            F("p99", T::Num, REQUIRED),
                        ],
                        oneof: &[],
                        closed: true,
                    }),
                    REQUIRED,
                )],
                oneof: &[],
                closed: true,
            }),
            REQUIRED,
        ),
    ],
    oneof: &[],
    closed: true,
};

/// §6: a `google.rpc.Status`.
const STATUS: Msg = Msg {
    name: "google.rpc.Status",
    fields: &[
        F("code", T::Int, REQUIRED),
        F("message", T::Str, REQUIRED),
        F("details", T::Arr(&T::Any), REQUIRED),
    ],
    oneof: &[],
    closed: true,
};

/// The response wrappers of §3.1-3.5.
const GET_NAMESPACE: Msg = Msg {
    name: "GetNamespaceResponse",
    fields: &[F("namespace", T::Msg(&NAMESPACE), REQUIRED)],
    oneof: &[],
    closed: true,
};
const GET_NAMESPACES: Msg = Msg {
    name: "GetNamespacesResponse",
    fields: &[
        F("namespaces", T::Arr(&T::Msg(&NAMESPACE)), REQUIRED),
        F("nextPageToken", T::Str, REQUIRED),
    ],
    oneof: &[],
    closed: true,
};
const OPERATION_RESPONSE: Msg = Msg {
    name: "UpdateNamespaceResponse / GetAsyncOperationResponse",
    fields: &[F("asyncOperation", T::Msg(&ASYNC_OPERATION), REQUIRED)],
    oneof: &[],
    closed: true,
};
const CAPACITY_INFO_RESPONSE: Msg = Msg {
    name: "GetNamespaceCapacityInfoResponse",
    fields: &[F("capacityInfo", T::Msg(&CAPACITY_INFO), REQUIRED)],
    oneof: &[],
    closed: true,
};

// ---------------------------------------------------------------------------------------------
// Checking a value against the table

fn is_timestamp(s: &str) -> bool {
    let Some(rest) = s.strip_suffix('Z') else {
        return false;
    };
    // protojson writes the 'T' that RFC 3339 lets others replace with a space.
    if DateTime::parse_from_rfc3339(s).is_err() || s.as_bytes().get(10) != Some(&b'T') {
        return false;
    }
    // "2026-05-19T17:03:11" is 19 characters; then nothing or '.' and 3, 6 or 9 digits.
    match rest.get(19..) {
        Some("") => true,
        Some(fraction) => {
            fraction.starts_with('.')
                && [4, 7, 10].contains(&fraction.len())
                && fraction[1..].bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

fn is_duration(s: &str) -> bool {
    let Some(number) = s.strip_suffix('s') else {
        return false;
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && (fraction.is_empty() || [3, 6, 9].contains(&fraction.len()))
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// Every way `value` at `path` differs from `t`.
fn check(value: &Value, t: &T, path: &str, errors: &mut Vec<String>) {
    let mut wrong = |what: &str| errors.push(format!("{path}: expected {what}, got {value}"));
    match t {
        T::Any => {}
        T::Str => {
            if !value.is_string() {
                wrong("a string");
            }
        }
        T::Bool => {
            if !value.is_boolean() {
                wrong("a boolean");
            }
        }
        T::Int => {
            if !(value.is_i64() || value.is_u64()) {
                wrong("an integer number");
            }
        }
        T::Num => {
            if !value.is_number() {
                wrong("a number");
            }
        }
        T::Ts => {
            if !value.as_str().is_some_and(is_timestamp) {
                wrong("an RFC 3339 UTC timestamp ending in Z");
            }
        }
        T::Dur => {
            if !value.as_str().is_some_and(is_duration) {
                wrong("a duration like \"1s\" or \"1.500s\"");
            }
        }
        T::Enum(names) => {
            if !value.as_str().is_some_and(|s| names.contains(&s)) {
                wrong(&format!("one of {names:?}"));
            }
        }
        T::Prefixed(prefix) => {
            if !value.as_str().is_some_and(|s| s.starts_with(prefix)) {
                wrong(&format!("a string starting with {prefix}"));
            }
        }
        T::Nullable(inner) => {
            if !value.is_null() {
                check(value, inner, path, errors);
            }
        }
        T::Arr(inner) => match value.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    check(item, inner, &format!("{path}[{i}]"), errors);
                }
            }
            None => wrong("an array"),
        },
        T::Map(inner) => match value.as_object() {
            Some(map) => {
                for (key, item) in map {
                    check(item, inner, &format!("{path}.{key}"), errors);
                }
            }
            None => wrong("an object (map)"),
        },
        T::Msg(msg) => check_message(value, msg, path, errors),
    }
}

fn check_message(value: &Value, msg: &Msg, path: &str, errors: &mut Vec<String>) {
    let Some(object) = value.as_object() else {
        errors.push(format!(
            "{path}: expected a {} object, got {value}",
            msg.name
        ));
        return;
    };
    for F(name, t, required) in msg.fields {
        match object.get(*name) {
            Some(v) => check(v, t, &format!("{path}.{name}"), errors),
            None if *required => errors.push(format!("{path}: {} has no {name}", msg.name)),
            None => {}
        }
    }
    if !msg.oneof.is_empty() {
        let set: Vec<&str> = msg
            .oneof
            .iter()
            .filter(|(name, _)| object.contains_key(*name))
            .map(|(name, _)| *name)
            .collect();
        if set.len() != 1 {
            errors.push(format!(
                "{path}: exactly one of {:?} must be set, found {set:?}",
                msg.oneof.iter().map(|(n, _)| n).collect::<Vec<_>>()
            ));
        }
        for (name, t) in msg.oneof {
            if let Some(v) = object.get(*name) {
                check(v, t, &format!("{path}.{name}"), errors);
            }
        }
    }
    if msg.closed {
        for key in object.keys() {
            let known = msg.fields.iter().any(|F(name, _, _)| name == key)
                || msg.oneof.iter().any(|(name, _)| name == key);
            if !known {
                errors.push(format!(
                    "{path}: {key:?} is not a field of {} in the reference",
                    msg.name
                ));
            }
        }
    }
}

#[track_caller]
fn assert_shape(value: &Value, msg: &Msg) {
    let mut errors = Vec::new();
    check_message(value, msg, "$", &mut errors);
    assert!(
        errors.is_empty(),
        "{} differs from the reference:\n{}\nin {value:#}",
        msg.name,
        errors.join("\n")
    );
}

#[test]
fn the_checker_itself_catches_drift() {
    // Each of these must be found, or the table proves nothing.
    let cases = [
        (
            json!({"onDemand": {}, "provisioned": {"value": 2}}),
            "exactly one",
        ),
        (json!({"provisioned": {"value": "2"}}), "a number"),
        (json!({"provisioned": {"Value": 2}}), "has no value"),
        (json!({"on_demand": {}}), "not a field"),
    ];
    for (value, says) in cases {
        let mut errors = Vec::new();
        check_message(&value, &CAPACITY_SPEC, "$", &mut errors);
        assert!(
            errors.iter().any(|e| e.contains(says)),
            "{value}: {errors:?}"
        );
    }
    for good in [
        "2026-05-19T17:03:11Z",
        "2026-05-19T17:03:11.123Z",
        "2026-05-19T17:03:11.123456789Z",
    ] {
        assert!(is_timestamp(good), "{good}");
    }
    for bad in [
        "2026-05-19T17:03:11+00:00",
        "2026-05-19T17:03:11.1Z",
        "2026-05-19 17:03:11Z",
        "1779210191",
    ] {
        assert!(!is_timestamp(bad), "{bad}");
    }
    for good in ["1s", "10s", "1.500s", "0.000001s"] {
        assert!(is_duration(good), "{good}");
    }
    for bad in ["1", "1.5s", "PT1S", "s", "1m"] {
        assert!(!is_duration(bad), "{bad}");
    }
}

// ---------------------------------------------------------------------------------------------
// Talking to the emulator with plain reqwest

#[derive(Debug)]
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// §6: the status, and a `google.rpc.Status` body with `code`, in JSON.
    #[track_caller]
    fn assert_error(&self, status: u16, code: i64) -> String {
        assert_eq!(self.status, status, "{}", self.text);
        assert!(
            self.header("content-type")
                .is_some_and(|c| c.starts_with("application/json")),
            "{:?}",
            self.headers
        );
        let body = self.json();
        assert_shape(&body, &STATUS);
        assert_eq!(body["code"], code, "{body}");
        assert_eq!(body["details"], json!([]), "{body}");
        body["message"].as_str().unwrap().to_string()
    }
}

struct Api<'a> {
    emu: &'a Emu,
    client: reqwest::Client,
}

impl<'a> Api<'a> {
    fn new(emu: &'a Emu) -> Api<'a> {
        tcap::cloud::http::install_crypto_provider();
        Api {
            emu,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
        }
    }

    fn send(&self, method: Method, path: &str, key: Option<&str>, body: Option<String>) -> Answer {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.emu.url()))
            .header("temporal-cloud-api-version", VERSION);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        self.emu.block_on(async {
            let response = request.send().await.unwrap();
            Answer {
                status: response.status().as_u16(),
                headers: response.headers().clone(),
                text: response.text().await.unwrap(),
            }
        })
    }

    fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, Some(ADMIN_KEY), None)
    }

    fn post(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::POST, path, Some(ADMIN_KEY), Some(body.to_string()))
    }

    #[track_caller]
    fn ok(&self, path: &str) -> Value {
        let answer = self.get(path);
        assert_eq!(answer.status, 200, "{path}: {}", answer.text);
        assert!(
            answer
                .header("content-type")
                .is_some_and(|c| c.starts_with("application/json")),
            "{path}: {:?}",
            answer.headers
        );
        answer.json()
    }

    fn namespace(&self, id: &str) -> Value {
        self.ok(&format!("/cloud/namespaces/{id}"))["namespace"].clone()
    }

    /// §3.3: the whole spec read, `capacitySpec` replaced, the version just read.
    fn update(&self, id: &str, capacity: Value, operation_id: &str) -> Answer {
        let ns = self.namespace(id);
        let mut spec = ns["spec"].clone();
        spec["capacitySpec"] = capacity;
        self.post(
            &format!("/cloud/namespaces/{id}"),
            &json!({"spec": spec, "resourceVersion": ns["resourceVersion"], "asyncOperationId": operation_id}),
        )
    }

    /// Polls GetAsyncOperation until the operation is in a terminal state (§3.4, §7).
    fn settled_operation(&self, id: &str) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let op = self.ok(&format!("/cloud/operations/{id}"));
            let state = op["asyncOperation"]["state"].as_str().unwrap_or_default();
            if !["STATE_UNSPECIFIED", "STATE_PENDING", "STATE_IN_PROGRESS"].contains(&state) {
                return op;
            }
            assert!(std::time::Instant::now() < deadline, "{op}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Polls GetNamespace until its latest capacity request is no longer IN_PROGRESS (§7).
    fn settled_namespace(&self, id: &str) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let ns = self.namespace(id);
            if ns["capacity"]["latestRequest"]["state"] != "STATE_CAPACITY_REQUEST_IN_PROGRESS" {
                return ns;
            }
            assert!(std::time::Instant::now() < deadline, "{ns}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn metrics(&self, query: &str, key: Option<&str>) -> Answer {
        self.send(Method::GET, &format!("/v1/metrics{query}"), key, None)
    }
}

fn quick() -> Config {
    Config {
        apply_delay: Duration::from_millis(200),
        ..common::config()
    }
}

// ---------------------------------------------------------------------------------------------
// Cloud Ops API, §3

#[test]
fn get_namespace_and_get_namespaces_have_the_documented_shape() {
    let emu = Emu::with(quick());
    let api = Api::new(&emu);
    let account = emu.server.account_id();

    // §3.2: pages in ascending name order, `nextPageToken` empty on the last one; the proto
    // names of the query parameters work too (§2).
    let mut listed = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let query = if pages % 2 == 0 {
            format!("pageSize=5&pageToken={token}")
        } else {
            format!("page_size=5&page_token={token}")
        };
        let page = api.ok(&format!("/cloud/namespaces?{query}"));
        assert_shape(&page, &GET_NAMESPACES);
        let namespaces = page["namespaces"].as_array().unwrap();
        assert!(namespaces.len() <= 5, "{query}");
        listed.extend(namespaces.iter().cloned());
        pages += 1;
        token = page["nextPageToken"].as_str().unwrap().to_string();
        if token.is_empty() {
            break;
        }
        assert_eq!(namespaces.len(), 5, "a page before the last is full");
    }
    assert_eq!(pages, 3, "12 namespaces in pages of 5");
    let ids: Vec<&str> = listed
        .iter()
        .map(|ns| ns["namespace"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "ascending name order");
    assert_eq!(ids, emu.namespaces());
    let whole = api.ok("/cloud/namespaces");
    assert_eq!(
        whole["namespaces"].as_array().unwrap().len(),
        12,
        "default page size is 100"
    );
    assert_eq!(whole["nextPageToken"], "");

    let mut modes = BTreeSet::new();
    for listed_ns in &listed {
        let id = listed_ns["namespace"].as_str().unwrap();
        let got = api.ok(&format!("/cloud/namespaces/{id}"));
        assert_shape(&got, &GET_NAMESPACE);
        let ns = &got["namespace"];
        assert_eq!(ns, listed_ns, "GetNamespace and GetNamespaces agree");
        // §9: the ID is `<name>.<account>`; `spec.name` is the name alone.
        let name = ns["spec"]["name"].as_str().unwrap();
        assert_eq!(id, format!("{name}.{account}"));
        // §4: the spec wants a capacity; when no request is in flight it is the one in force.
        // A namespace never changed has no latest request ("if any").
        let capacity = &ns["capacity"];
        let latest = &capacity["latestRequest"];
        assert!(
            latest.is_null() || latest["state"] == "STATE_CAPACITY_REQUEST_COMPLETED",
            "{id}: {latest}"
        );
        match &ns["spec"]["capacitySpec"] {
            spec if spec.get("onDemand").is_some() => {
                assert_eq!(capacity["onDemand"], json!({}), "{id}");
                modes.insert("on-demand");
            }
            spec => {
                assert_eq!(
                    capacity["provisioned"]["currentValue"], spec["provisioned"]["value"],
                    "{id}"
                );
                modes.insert("provisioned");
            }
        }
        assert_eq!(ns["state"], "RESOURCE_STATE_ACTIVE", "{id}");
    }
    assert_eq!(modes.len(), 2, "both modes are represented");
}

#[test]
fn capacity_info_has_the_documented_shape() {
    let emu = Emu::with(quick());
    let api = Api::new(&emu);
    for id in emu.namespaces() {
        let info = api.ok(&format!("/cloud/namespaces/{id}/capacity-info"));
        assert_shape(&info, &CAPACITY_INFO_RESPONSE);
        let info = &info["capacityInfo"];
        assert_eq!(info["namespace"], id.as_str());
        // §5: "Customers can set 2, 3, 4, 6, 8, 10, 12 TRUs"; the cap may be lower than the
        // highest value (inventory), never higher.
        let valid: Vec<f64> = info["modeOptions"]["provisioned"]["validTruValues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert!(!valid.is_empty(), "{id}");
        assert!(
            valid
                .iter()
                .all(|v| [2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 12.0].contains(v)),
            "{id}: {valid:?}"
        );
        let max = info["modeOptions"]["provisioned"]["maxAvailableTruValue"]
            .as_f64()
            .unwrap();
        assert!(max <= 12.0, "{id}: {max}");
        // §6.1 of the metrics reference: the on-demand limit never falls below 500 APS.
        assert!(
            info["modeOptions"]["onDemand"]["apsLimit"]
                .as_f64()
                .unwrap()
                >= 500.0
        );
        let aps = &info["stats"]["aps"];
        let (mean, p90, p99) = (
            aps["mean"].as_f64().unwrap(),
            aps["p90"].as_f64().unwrap(),
            aps["p99"].as_f64().unwrap(),
        );
        assert!(0.0 <= mean && mean <= p99 && p90 <= p99, "{id}: {aps}");
        // The current capacity is the namespace's.
        let ns = api.namespace(&id);
        assert_eq!(info["currentCapacity"], ns["capacity"], "{id}");
    }
}

#[test]
fn update_namespace_and_get_async_operation_have_the_documented_shape_and_states() {
    let emu = Emu::with(Config {
        // Long enough to look at the change while it applies, even on a busy machine.
        apply_delay: Duration::from_millis(1500),
        ..common::config()
    });
    let api = Api::new(&emu);
    let id = common::with_profile(&emu, "on-demand-light").remove(0);
    let before = api.namespace(&id);
    let operation_id = "6f0c7a1e-2b3d-4c5e-8f90-a1b2c3d4e5f6";

    let answer = api.update(&id, json!({"provisioned": {"value": 4}}), operation_id);
    assert_eq!(answer.status, 200, "{}", answer.text);
    let accepted = answer.json();
    assert_shape(&accepted, &OPERATION_RESPONSE);
    let op = &accepted["asyncOperation"];
    assert_eq!(op["id"], operation_id, "the id sent is the operation's id");
    assert_eq!(op["state"], "STATE_PENDING");
    assert_eq!(op["operationType"], "UpdateNamespace");
    assert_eq!(
        op["operationInput"]["@type"],
        "type.googleapis.com/temporal.api.cloud.cloudservice.v1.UpdateNamespaceRequest"
    );
    assert_eq!(op["failureReason"], "");
    assert!(op["startedTime"].is_string());
    assert_eq!(op["finishedTime"], Value::Null);

    // §11: while it applies, the namespace is UPDATING under a new version, its latest
    // request IN_PROGRESS with our operation and spec, the old capacity still in force.
    let during = api.namespace(&id);
    assert_shape(&json!({"namespace": during}), &GET_NAMESPACE);
    assert_ne!(during["resourceVersion"], before["resourceVersion"]);
    assert_eq!(during["state"], "RESOURCE_STATE_UPDATING");
    assert_eq!(during["asyncOperationId"], operation_id);
    let request = &during["capacity"]["latestRequest"];
    assert_eq!(request["state"], "STATE_CAPACITY_REQUEST_IN_PROGRESS");
    assert_eq!(request["asyncOperationId"], operation_id);
    assert_eq!(request["spec"], json!({"provisioned": {"value": 4}}));
    assert!(request["startTime"].is_string());
    assert_eq!(during["capacity"]["onDemand"], json!({}));
    let polled = api.ok(&format!("/cloud/operations/{operation_id}"));
    assert_shape(&polled, &OPERATION_RESPONSE);
    assert!(
        ["STATE_PENDING", "STATE_IN_PROGRESS"]
            .contains(&polled["asyncOperation"]["state"].as_str().unwrap()),
        "{polled}"
    );

    // §3.4 and §7: the operation ends FULFILLED with a finish time, then the request
    // COMPLETED with the new value (it may outlive the operation, never the other way round).
    let done = api.settled_operation(operation_id);
    assert_shape(&done, &OPERATION_RESPONSE);
    let op = &done["asyncOperation"];
    assert_eq!(op["state"], "STATE_FULFILLED", "{done}");
    assert!(op["finishedTime"].is_string(), "{done}");
    let after = api.settled_namespace(&id);
    assert_shape(&json!({"namespace": after}), &GET_NAMESPACE);
    assert_eq!(after["state"], "RESOURCE_STATE_ACTIVE");
    let capacity = &after["capacity"];
    assert_eq!(capacity["provisioned"], json!({"currentValue": 4}));
    assert!(
        capacity.get("onDemand").is_none(),
        "an unset oneof member is not emitted"
    );
    assert_eq!(
        capacity["latestRequest"]["state"],
        "STATE_CAPACITY_REQUEST_COMPLETED"
    );
    assert!(capacity["latestRequest"]["endTime"].is_string());
    assert_eq!(
        after["spec"]["capacitySpec"],
        json!({"provisioned": {"value": 4}})
    );
    // The spec is a full replacement (§3.3): every other field came back as it was sent.
    let mut unchanged = before["spec"].clone();
    unchanged["capacitySpec"] = json!({"provisioned": {"value": 4}});
    assert_eq!(after["spec"], unchanged);

    // Back to on-demand with `{"onDemand": {}}`; the input also takes proto names (§2).
    let ns = api.namespace(&id);
    let mut spec = ns["spec"].clone();
    spec.as_object_mut().unwrap().remove("capacitySpec");
    spec["capacity_spec"] = json!({"on_demand": {}});
    let answer = api.post(
        &format!("/cloud/namespaces/{id}"),
        &json!({"spec": spec, "resource_version": ns["resourceVersion"], "async_operation_id": "revert-1"}),
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    let done = api.settled_operation("revert-1");
    assert_eq!(done["asyncOperation"]["state"], "STATE_FULFILLED", "{done}");
    let reverted = api.settled_namespace(&id);
    assert_eq!(reverted["capacity"]["onDemand"], json!({}));
    assert_eq!(reverted["spec"]["capacitySpec"], json!({"onDemand": {}}));
}

// ---------------------------------------------------------------------------------------------
// Errors, §6

#[test]
fn errors_have_the_documented_codes_statuses_and_bodies() {
    let emu = Emu::with(Config {
        apply_delay: Duration::from_secs(30),
        ..common::config()
    });
    let api = Api::new(&emu);
    let id = common::with_profile(&emu, "on-demand-light").remove(0);
    let path = format!("/cloud/namespaces/{id}");

    // 401, code 16, with WWW-Authenticate: <message>.
    for key in [None, Some("not-a-key")] {
        let answer = api.send(Method::GET, &path, key, None);
        let message = answer.assert_error(401, 16);
        assert_eq!(answer.header("www-authenticate"), Some(message.as_str()));
    }
    // 403, code 7: a Metrics Read-Only key may not use Cloud Ops.
    for method in [Method::GET, Method::POST] {
        let body = (method == Method::POST).then(|| "{}".to_string());
        api.send(method, &path, Some(METRICS_KEY), body)
            .assert_error(403, 7);
    }
    // 404, code 5: unknown namespace, unknown operation, unknown route.
    for missing in [
        "/cloud/namespaces/no-such-namespace.zzzzz".to_string(),
        "/cloud/namespaces/no-such-namespace.zzzzz/capacity-info".to_string(),
        "/cloud/operations/no-such-operation".to_string(),
        "/cloud/no-such-thing".to_string(),
        format!("{path}/no-such-thing"),
        "/no/such/route".to_string(),
    ] {
        api.get(&missing).assert_error(404, 5);
    }
    // 501, code 12: a method no route of that path has.
    for method in [Method::PUT, Method::PATCH] {
        api.send(method, &path, Some(ADMIN_KEY), Some("{}".into()))
            .assert_error(501, 12);
    }
    api.send(
        Method::POST,
        "/cloud/operations/x",
        Some(ADMIN_KEY),
        Some("{}".into()),
    )
    .assert_error(501, 12);

    // 400, code 3: "nothing to change" for the capacity it already has.
    let message = api
        .update(&id, json!({"onDemand": {}}), "noop-1")
        .assert_error(400, 3);
    assert!(message.contains("nothing to change"), "{message}");
    // 400, code 3: a body that is not JSON, a TRU value the namespace does not offer.
    api.send(
        Method::POST,
        &path,
        Some(ADMIN_KEY),
        Some("not json".into()),
    )
    .assert_error(400, 3);
    api.update(&id, json!({"provisioned": {"value": 5}}), "bad-value-1")
        .assert_error(400, 3);
    // 409, code 10: a stale resourceVersion.
    let ns = api.namespace(&id);
    let mut spec = ns["spec"].clone();
    spec["capacitySpec"] = json!({"provisioned": {"value": 4}});
    api.post(
        &path,
        &json!({"spec": spec, "resourceVersion": "stale-version", "asyncOperationId": "stale-1"}),
    )
    .assert_error(409, 10);
    // 400, code 9: a change while the last capacity request is in progress.
    let answer = api.update(&id, json!({"provisioned": {"value": 4}}), "first-1");
    assert_eq!(answer.status, 200, "{}", answer.text);
    api.update(&id, json!({"provisioned": {"value": 6}}), "second-1")
        .assert_error(400, 9);
}

#[test]
fn rate_limited_cloud_ops_requests_get_429_code_8_with_retry_after() {
    let emu = Emu::with(Config {
        rate_limit: Some(1.0),
        ..common::config()
    });
    let api = Api::new(&emu);
    let limited: Vec<Answer> = (0..5)
        .map(|_| api.get("/cloud/namespaces?pageSize=1"))
        .filter(|a| a.status != 200)
        .collect();
    assert!(!limited.is_empty(), "5 requests at once above 1 per second");
    for answer in &limited {
        answer.assert_error(429, 8);
        let retry_after = answer.header("retry-after").expect("Retry-After on a 429");
        assert!(
            retry_after.parse::<u64>().is_ok_and(|s| s >= 1),
            "{retry_after}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Metrics API, §2-3

const ACTION_LIMIT: &str = "temporal_cloud_v1_action_limit";
const ACTION_COUNT: &str = "temporal_cloud_v1_total_action_count";
const THROTTLED: &str = "temporal_cloud_v1_total_action_throttled_count";
const ENVELOPE: &str = "temporal_cloud_v1_action_on_demand_envelope_limit";
const TRU_COUNT: &str = "temporal_cloud_v1_provisioned_capacity_tru_count";

#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
    timestamp: Option<f64>,
}

#[derive(Debug, Default)]
struct Exposition {
    /// `# TYPE` lines: family → type, in order.
    types: Vec<(String, String)>,
    helps: Vec<String>,
    samples: Vec<Sample>,
}

/// A parser written from §3.2 alone: `# TYPE`, `# HELP`, `name{k="v", …} value [timestamp]`,
/// blank lines, an optional `# EOF`. Label values are taken without escapes (none are used).
fn parse(body: &str) -> Exposition {
    let mut out = Exposition::default();
    for line in body.lines() {
        let line = line.trim_end();
        if line.is_empty() || line == "# EOF" {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let parts: Vec<&str> = rest.split_whitespace().collect();
            assert_eq!(parts.len(), 2, "{line:?}");
            assert!(
                out.samples.iter().all(|s| s.name != parts[0]),
                "# TYPE after samples of {}",
                parts[0]
            );
            out.types.push((parts[0].to_string(), parts[1].to_string()));
            continue;
        }
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let family = rest.split_whitespace().next().unwrap().to_string();
            assert!(
                out.types.iter().any(|(name, _)| *name == family),
                "# HELP before # TYPE for {family}"
            );
            out.helps.push(family);
            continue;
        }
        assert!(!line.starts_with('#'), "unexpected comment {line:?}");
        let (name, rest) = line.split_once('{').expect("a label set");
        let (labels, rest) = rest.split_once('}').expect("a closed label set");
        let mut map = BTreeMap::new();
        for pair in labels.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').expect("key=value");
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or_else(|| panic!("unquoted label value in {line:?}"));
            assert!(
                map.insert(key.to_string(), value.to_string()).is_none(),
                "duplicate label {key} in {line:?}"
            );
        }
        let fields: Vec<&str> = rest.split_whitespace().collect();
        assert!(
            fields.len() == 1 || fields.len() == 2,
            "value and optional timestamp: {line:?}"
        );
        out.samples.push(Sample {
            name: name.to_string(),
            labels: map,
            value: fields[0].parse().unwrap_or_else(|_| panic!("{line:?}")),
            timestamp: fields.get(1).map(|t| t.parse().unwrap()),
        });
    }
    out
}

fn families_query(families: &[&str]) -> String {
    let pairs: Vec<String> = families.iter().map(|f| format!("metrics={f}")).collect();
    format!("?{}", pairs.join("&"))
}

#[test]
fn metrics_answer_the_families_asked_for_with_the_documented_headers_and_labels() {
    let emu = Emu::with(quick());
    let api = Api::new(&emu);
    let account = emu.server.account_id();
    let ids: BTreeSet<String> = emu.namespaces().into_iter().collect();

    for families in [
        vec![ACTION_LIMIT, ACTION_COUNT],
        vec![ACTION_LIMIT, ACTION_COUNT, THROTTLED],
        vec![ACTION_COUNT],
        vec![ENVELOPE, TRU_COUNT],
    ] {
        let asked_at = Utc::now().timestamp();
        let answer = api.metrics(&families_query(&families), Some(METRICS_KEY));
        assert_eq!(answer.status, 200, "{}", answer.text);
        let content_type = answer.header("content-type").unwrap();
        assert!(
            content_type.starts_with("application/openmetrics-text"),
            "{content_type}"
        );
        assert_eq!(answer.header("x-completeness"), Some("complete"));

        let body = parse(&answer.text);
        // Exactly the families asked for, each a gauge, with or without samples.
        let typed: BTreeSet<&str> = body.types.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(typed, families.iter().copied().collect(), "{families:?}");
        assert!(
            body.types.iter().all(|(_, t)| t == "gauge"),
            "{:?}",
            body.types
        );
        assert_eq!(body.types.len(), families.len(), "one # TYPE per family");
        assert!(
            body.samples.iter().all(|s| typed.contains(s.name.as_str())),
            "{families:?}"
        );

        for sample in &body.samples {
            let labels = &sample.labels;
            let ns = labels
                .get("temporal_namespace")
                .unwrap_or_else(|| panic!("no temporal_namespace: {sample:?}"));
            assert!(
                ids.contains(ns),
                "{ns} is not a namespace ID of the account"
            );
            assert_eq!(labels.get("temporal_account"), Some(&account), "{sample:?}");
            assert!(
                sample.value.is_finite() && sample.value >= 0.0,
                "{sample:?}"
            );
            // §3.2: the window is now minus 3 minutes, rounded down to the minute; seconds or
            // milliseconds.
            let ts = sample.timestamp.expect("a timestamp");
            let secs = if ts > 1e11 { ts / 1000.0 } else { ts };
            assert_eq!(secs % 60.0, 0.0, "minute-aligned: {sample:?}");
            let now = Utc::now().timestamp() as f64;
            assert!(
                secs <= now - 180.0 && secs >= asked_at as f64 - 240.0,
                "{sample:?}"
            );
            match sample.name.as_str() {
                ACTION_COUNT => {
                    // §3.3: is_background and namespace_mode; no region.
                    assert!(!labels.contains_key("region"), "{sample:?}");
                    assert!(
                        ["true", "false"].contains(&labels["is_background"].as_str()),
                        "{sample:?}"
                    );
                    assert!(
                        ["active", "standby"].contains(&labels["namespace_mode"].as_str()),
                        "{sample:?}"
                    );
                }
                ENVELOPE | TRU_COUNT => {
                    assert!(!labels.contains_key("region"), "{sample:?}")
                }
                _ => {}
            }
        }
        if families.contains(&ACTION_LIMIT) {
            let limited: BTreeSet<&str> = body
                .samples
                .iter()
                .filter(|s| s.name == ACTION_LIMIT)
                .map(|s| s.labels["temporal_namespace"].as_str())
                .collect();
            assert_eq!(limited.len(), ids.len(), "every namespace has a limit");
        }
        if families.contains(&ACTION_COUNT) {
            let foreground = body
                .samples
                .iter()
                .filter(|s| s.name == ACTION_COUNT && s.labels["is_background"] == "false")
                .count();
            assert!(foreground > 0);
        }
    }

    // `namespaces` filters, with wildcards (§2).
    let first = emu.namespaces()[0].clone();
    let name = first.split('.').next().unwrap();
    let answer = api.metrics(
        &format!("?metrics={ACTION_LIMIT}&namespaces={name}"),
        Some(METRICS_KEY),
    );
    assert_eq!(answer.status, 200);
    let body = parse(&answer.text);
    assert!(!body.samples.is_empty());
    assert!(
        body.samples
            .iter()
            .all(|s| s.labels["temporal_namespace"] == first),
        "{}",
        answer.text
    );
    let answer = api.metrics(
        &format!("?metrics={ACTION_LIMIT}&namespaces=*-prod"),
        Some(METRICS_KEY),
    );
    let body = parse(&answer.text);
    let matched: BTreeSet<&str> = body
        .samples
        .iter()
        .map(|s| s.labels["temporal_namespace"].as_str())
        .collect();
    let expected: BTreeSet<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|id| id.split('.').next().unwrap().ends_with("-prod"))
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(matched, expected);

    // The admin key may read metrics too; no key, or an unknown one, may not (401 or 403).
    assert_eq!(
        api.metrics(&families_query(&[ACTION_LIMIT]), Some(ADMIN_KEY))
            .status,
        200
    );
    for key in [None, Some("not-a-key")] {
        let status = api.metrics(&families_query(&[ACTION_LIMIT]), key).status;
        assert!(status == 401 || status == 403, "{key:?}: {status}");
    }
}

#[test]
fn a_spent_metrics_budget_answers_429_with_retry_after_in_seconds() {
    let emu = Emu::with(Config {
        metrics_requests_per_hour: 2,
        ..common::config()
    });
    let api = Api::new(&emu);
    let query = families_query(&[ACTION_LIMIT, ACTION_COUNT]);
    for _ in 0..2 {
        assert_eq!(api.metrics(&query, Some(METRICS_KEY)).status, 200);
    }
    let answer = api.metrics(&query, Some(METRICS_KEY));
    assert_eq!(answer.status, 429, "{}", answer.text);
    // "The time in seconds until the rate limit window resets": at most an hour.
    let retry_after = answer.header("retry-after").expect("Retry-After");
    let secs: u64 = retry_after
        .parse()
        .unwrap_or_else(|_| panic!("not whole seconds: {retry_after}"));
    assert!((3000..=3600).contains(&secs), "{secs}");
}
