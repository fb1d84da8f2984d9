//! The library's Cloud Ops and Metrics clients (not the binary) against the emulator, over real
//! HTTP: paging, wire shapes, read-modify-write of a spec, async operations and their waiters,
//! and the retrying HTTP core (faults, 429 pacing, idempotent POST retries).
//!
//! Every wait here is real: `TCAP_RETRY_DELAY_SCALE` is read once per process and these tests
//! leave it unset, so they keep the delays short by design: `apply_delay` 300 ms, a 1 s
//! `checkDuration`, and a fast backoff where faults are injected. A 429 always costs its full
//! `Retry-After` (1 s).

use crate::common;

use common::with_profile;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{ADMIN_KEY, Emu, METRICS_KEY, config};
use serde_json::{Value, json};
use tcap::apply::{self, WaitError};
use tcap::cloud::http::HttpClient;
use tcap::cloud::metrics::{ACTION_COUNT, ACTION_LIMIT, Completeness, MetricsClient};
use tcap::cloud::model::{CapacitySpec, OperationState, RequestState};
use tcap::cloud::ops::OpsClient;
use tcap::cloud::retry::RetryPolicy;
use tcap::devserver::{Config, FailNext, RequestRecord};
use tcap::error::{ApiError, ApiErrorKind, Service};
use tcap::secret::Secret;
use tcap::settings::Endpoint;
use tokio::time::Instant;

const API_VERSION: &str = "v0.19.1";
const TIMEOUT: Duration = Duration::from_secs(10);

fn http(emu: &Emu, service: Service, key: &str, version: Option<&str>) -> HttpClient {
    let retry = match service {
        Service::Metrics => RetryPolicy::metrics(),
        _ => RetryPolicy::cloud_ops(),
    };
    http_with(emu, service, key, version, retry)
}

fn http_with(
    emu: &Emu,
    service: Service,
    key: &str,
    version: Option<&str>,
    retry: RetryPolicy,
) -> HttpClient {
    let endpoint = Endpoint {
        url: url::Url::parse(&emu.url()).unwrap(),
        api_version: version.map(str::to_string),
        timeout: TIMEOUT,
        key: Secret::new(key),
    };
    HttpClient::new(service, &endpoint, retry).unwrap()
}

fn ops(emu: &Emu) -> OpsClient {
    OpsClient::from_http(http(emu, Service::CloudOps, ADMIN_KEY, Some(API_VERSION)))
}

/// The Cloud Ops policy with a short backoff, for emulators that inject faults: the retry
/// decisions are the production ones, only the sleeps between them are shorter. A 429 still
/// waits for the server's `Retry-After` (1 s).
fn ops_fast_retries(emu: &Emu) -> OpsClient {
    let retry = RetryPolicy {
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        ..RetryPolicy::cloud_ops()
    };
    OpsClient::from_http(http_with(
        emu,
        Service::CloudOps,
        ADMIN_KEY,
        Some(API_VERSION),
        retry,
    ))
}

fn metrics(emu: &Emu, key: &str) -> MetricsClient {
    MetricsClient::from_http(http(emu, Service::Metrics, key, None))
}

/// Namespace IDs of one generated profile (`/_dev/account` is never faulted or rate-limited).
fn operation_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn time(value: &Value) -> Option<DateTime<Utc>> {
    value
        .as_str()
        .map(|s| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc))
}

fn keys(value: &Value) -> Vec<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

fn logged(emu: &Emu, method: &str, path: &str) -> Vec<RequestRecord> {
    emu.server
        .requests()
        .into_iter()
        .filter(|r| r.method == method && r.path == path)
        .collect()
}

fn deadline_in(d: Duration) -> Instant {
    Instant::now() + d
}

#[test]
fn list_namespaces_follows_every_page_in_ascending_order() {
    // The client asks for the largest page the API allows (pageSize=1000), so 250 namespaces
    // come in one page; 2,345 need three.
    for (count, pages) in [(250, 1), (2345, 3)] {
        let emu = Emu::with(Config {
            namespaces: count,
            ..config()
        });
        let listed = emu.block_on(ops(&emu).list_namespaces()).unwrap();
        let ids: Vec<String> = listed.iter().map(|ns| ns.namespace.clone()).collect();
        assert_eq!(ids.len(), count);
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "ascending, no duplicates"
        );
        assert_eq!(ids, emu.namespaces(), "every namespace the account has");
        assert!(
            listed
                .iter()
                .all(|ns| !ns.resource_version.is_empty() && ns.desired_capacity().is_some())
        );

        let requests = logged(&emu, "GET", "/cloud/namespaces");
        assert_eq!(requests.len(), pages, "{count} namespaces");
        assert!(!requests[0].query.contains("pageToken"), "first page");
        for (n, r) in requests.iter().enumerate() {
            assert_eq!(r.status, 200);
            assert!(r.query.contains("pageSize=1000"), "{}", r.query);
            if n > 0 {
                assert!(r.query.contains("pageToken="), "page {n}: {}", r.query);
            }
        }
    }
}

#[test]
fn get_namespace_and_capacity_info_read_the_wire_shapes() {
    let emu = Emu::start();
    let client = ops(&emu);

    // Provisioned: every capacity field populated.
    let id = &with_profile(&emu, "provisioned-busy")[0];
    let raw = emu.get(&format!("/cloud/namespaces/{id}"))["namespace"].clone();
    let ns = emu.block_on(client.get_namespace(id)).unwrap();
    assert_eq!(ns.namespace, *id);
    assert_eq!(ns.resource_version, raw["resourceVersion"]);
    assert_eq!(ns.state, "RESOURCE_STATE_ACTIVE");
    assert_eq!(ns.async_operation_id, "", "unpopulated string");
    assert_eq!(Value::Object(ns.spec.clone()), raw["spec"]);
    assert_eq!(keys(&Value::Object(ns.spec.clone())), keys(&raw["spec"]));
    let four = CapacitySpec::Provisioned { value: 4.0 };
    assert_eq!(ns.desired_capacity(), Some(four));
    assert_eq!(ns.current_capacity(), Some(four));
    assert_eq!(ns.aps_limit(), Some(2000.0));
    let request = ns.latest_request().expect("a completed request");
    let raw_request = &raw["capacity"]["latestRequest"];
    assert_eq!(request.state, RequestState::Completed);
    assert_eq!(request.async_operation_id, raw_request["asyncOperationId"]);
    assert_eq!(request.start_time, time(&raw_request["startTime"]));
    assert_eq!(request.end_time, time(&raw_request["endTime"]));
    assert!(request.start_time.unwrap() < request.end_time.unwrap());
    assert_eq!(request.spec, Some(four));

    let info = emu.block_on(client.capacity_info(id)).unwrap();
    let raw_info =
        emu.get(&format!("/cloud/namespaces/{id}/capacity-info"))["capacityInfo"].clone();
    assert_eq!(info.namespace, *id);
    assert!(!info.has_legacy_limits);
    assert_eq!(
        info.valid_tru_values,
        vec![2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 12.0]
    );
    let provisioned = &raw_info["modeOptions"]["provisioned"];
    assert_eq!(
        info.max_available_tru_value,
        provisioned["maxAvailableTruValue"].as_f64()
    );
    assert!(matches!(info.max_available_tru_value, Some(8.0 | 12.0)));
    assert_eq!(
        info.on_demand_aps_limit,
        raw_info["modeOptions"]["onDemand"]["apsLimit"].as_f64()
    );
    let aps = info.aps.expect("7-day statistics");
    let raw_aps = &raw_info["stats"]["aps"];
    assert_eq!(aps.mean, raw_aps["mean"].as_f64().unwrap());
    assert_eq!(aps.p90, raw_aps["p90"].as_f64().unwrap());
    assert_eq!(aps.p99, raw_aps["p99"].as_f64().unwrap());
    assert!(
        aps.mean.fract() != 0.0 || aps.p90.fract() != 0.0,
        "real doubles"
    );
    assert_eq!(info.current.mode, Some(four));
    assert_eq!(
        info.current.latest_request.as_ref().map(|r| &r.state),
        Some(&RequestState::Completed)
    );

    // On-demand and idle: `latestRequest: null`, null spec fields kept as they are.
    let id = &with_profile(&emu, "idle")[0];
    let raw = emu.get(&format!("/cloud/namespaces/{id}"))["namespace"].clone();
    assert!(raw["capacity"]["latestRequest"].is_null());
    let ns = emu.block_on(client.get_namespace(id)).unwrap();
    assert_eq!(ns.current_capacity(), Some(CapacitySpec::OnDemand));
    assert_eq!(ns.desired_capacity(), Some(CapacitySpec::OnDemand));
    assert!(ns.latest_request().is_none());
    assert_eq!(ns.aps_limit(), Some(500.0));
    assert_eq!(ns.spec.get("fairness"), Some(&Value::Null));
    assert_eq!(
        ns.spec.get("futureSetting"),
        Some(&json!({"enabled": true, "level": 3}))
    );
    let info = emu.block_on(client.capacity_info(id)).unwrap();
    assert_eq!(info.current.mode, Some(CapacitySpec::OnDemand));
    assert!(info.current.latest_request.is_none());
    assert_eq!(info.on_demand_aps_limit, Some(500.0));
}

#[test]
fn a_spec_with_unknown_fields_round_trips_unchanged_but_for_capacity() {
    let emu = Emu::start();
    let client = ops(&emu);
    let id = &with_profile(&emu, "on-demand-light")[0];
    let path = format!("/cloud/namespaces/{id}");
    let original = emu.get(&path)["namespace"]["spec"].clone();
    assert!(original.get("futureSetting").is_some() && original["fairness"].is_null());

    let ns = emu.block_on(client.get_namespace(id)).unwrap();
    let target = CapacitySpec::Provisioned { value: 2.0 };
    let spec = ns.spec_with_capacity(target);
    let op_id = operation_id();
    let op = emu
        .block_on(client.update_namespace(id, spec, &ns.resource_version, &op_id))
        .unwrap();
    assert_eq!(op.id, op_id);

    let mut expected = original.clone();
    expected["capacitySpec"] = json!({"provisioned": {"value": 2}});

    // What went over the wire: the whole spec, in the order it was read.
    let posts = logged(&emu, "POST", &path);
    assert_eq!(posts.len(), 1);
    let body = posts[0].body.as_ref().unwrap();
    assert_eq!(keys(body), ["spec", "resourceVersion", "asyncOperationId"]);
    assert_eq!(body["resourceVersion"], ns.resource_version);
    assert_eq!(body["asyncOperationId"], op_id);
    assert_eq!(body["spec"].to_string(), expected.to_string());

    // What the emulator stored, read back: same bytes, key order included.
    let stored = emu.get(&path)["namespace"]["spec"].clone();
    assert_eq!(keys(&stored), keys(&original));
    assert_eq!(stored.to_string(), expected.to_string());
    for key in keys(&original) {
        if key != "capacitySpec" {
            assert_eq!(stored[&key], original[&key], "{key}");
        }
    }
}

#[test]
fn an_update_runs_to_completion_through_both_waiters() {
    let emu = Emu::start(); // apply_delay 300 ms, checkDuration 1 s
    let client = ops(&emu);
    let ids = with_profile(&emu, "provisioned-idle"); // 6 TRUs
    let target = CapacitySpec::Provisioned { value: 3.0 };

    // The operation: PENDING, then IN_PROGRESS, then (through wait_operation) FULFILLED.
    let id = &ids[0];
    let ns = emu.block_on(client.get_namespace(id)).unwrap();
    let op_id = operation_id();
    let op = emu
        .block_on(client.update_namespace(
            id,
            ns.spec_with_capacity(target),
            &ns.resource_version,
            &op_id,
        ))
        .unwrap();
    assert_eq!(op.id, op_id);
    assert_eq!(op.state, OperationState::Pending);
    assert_eq!(op.operation_type, "UpdateNamespace");
    assert_eq!(op.check_duration, Some(Duration::from_secs(1)));
    assert!(op.started_time.is_some() && op.finished_time.is_none());
    assert_eq!(op.failure_reason, "");
    let mut states = vec![op.state.clone()];

    let during = emu.block_on(client.get_namespace(id)).unwrap();
    assert_eq!(during.state, "RESOURCE_STATE_UPDATING");
    assert_eq!(during.async_operation_id, op_id);
    assert_ne!(during.resource_version, ns.resource_version);
    assert_eq!(during.desired_capacity(), Some(target));
    assert_eq!(
        during.current_capacity(),
        Some(CapacitySpec::Provisioned { value: 6.0 }),
        "the old capacity until the request completes"
    );
    let request = during.latest_request().unwrap();
    assert_eq!(request.state, RequestState::InProgress);
    assert_eq!(request.async_operation_id, op_id);
    assert!(request.start_time.is_some() && request.end_time.is_none());

    // IN_PROGRESS lasts from a quarter of the delay to the delay (75 ms to 300 ms).
    for look in 0.. {
        let op = emu.block_on(client.get_operation(&op_id)).unwrap();
        if op.state != OperationState::Pending {
            states.push(op.state);
            break;
        }
        assert!(look < 500, "stuck in PENDING");
        std::thread::sleep(Duration::from_millis(10));
    }
    let done = emu
        .block_on(apply::wait_operation(
            &client,
            &op_id,
            deadline_in(Duration::from_secs(10)),
        ))
        .unwrap();
    states.push(done.state.clone());
    assert_eq!(
        states,
        [
            OperationState::Pending,
            OperationState::InProgress,
            OperationState::Fulfilled
        ]
    );
    assert!(done.finished_time.is_some());
    assert_eq!(done.failure_reason, "");

    let settled = emu
        .block_on(apply::wait_capacity(
            &client,
            id,
            &op_id,
            target,
            Some(Duration::from_secs(1)),
            deadline_in(Duration::from_secs(10)),
        ))
        .unwrap();
    assert_eq!(settled.current_capacity(), Some(target));
    assert_eq!(settled.state, "RESOURCE_STATE_ACTIVE");
    let request = settled.latest_request().unwrap();
    assert_eq!(request.state, RequestState::Completed);
    assert_eq!(request.async_operation_id, op_id);
    assert!(request.end_time.is_some());
    assert_eq!(settled.aps_limit(), Some(1500.0));

    // wait_capacity on its own, started while the capacity request is still in progress.
    let id = &ids[1];
    let ns = emu.block_on(client.get_namespace(id)).unwrap();
    let op_id = operation_id();
    emu.block_on(client.update_namespace(
        id,
        ns.spec_with_capacity(CapacitySpec::OnDemand),
        &ns.resource_version,
        &op_id,
    ))
    .unwrap();
    let path = format!("/cloud/namespaces/{id}");
    let before = logged(&emu, "GET", &path).len();
    let settled = emu
        .block_on(apply::wait_capacity(
            &client,
            id,
            &op_id,
            CapacitySpec::OnDemand,
            Some(Duration::from_secs(1)),
            deadline_in(Duration::from_secs(10)),
        ))
        .unwrap();
    assert_eq!(settled.current_capacity(), Some(CapacitySpec::OnDemand));
    assert_eq!(
        settled.latest_request().unwrap().state,
        RequestState::Completed
    );
    assert_eq!(
        logged(&emu, "GET", &path).len() - before,
        2,
        "one poll in progress, one completed"
    );
}

#[test]
fn a_stale_resource_version_is_a_409_with_the_servers_message_and_is_not_retried() {
    let emu = Emu::start();
    let client = ops(&emu);
    let id = &with_profile(&emu, "on-demand-light")[0];
    let path = format!("/cloud/namespaces/{id}");
    let target = CapacitySpec::Provisioned { value: 2.0 };

    // Someone else edits the namespace right after our read.
    assert!(emu.server.race(id, 1));
    let stale = emu.block_on(client.get_namespace(id)).unwrap();
    let op_id = operation_id();
    let error = emu
        .block_on(client.update_namespace(
            id,
            stale.spec_with_capacity(target),
            &stale.resource_version,
            &op_id,
        ))
        .unwrap_err();
    assert_eq!(error.service, Service::CloudOps);
    assert_eq!(error.status, Some(409));
    assert_eq!(error.kind, ApiErrorKind::StaleVersion);
    assert_eq!(error.code, Some(10));
    assert_eq!(
        error.message,
        format!(
            "resource version mismatch: the namespace was modified (current version differs from {}); read it again and retry",
            stale.resource_version
        )
    );
    assert!(
        error
            .to_string()
            .starts_with("Cloud Ops API answered 409: resource version mismatch"),
        "{error}"
    );
    assert!(!error.is_temporary());
    assert_eq!(logged(&emu, "POST", &path).len(), 1, "409 is not retried");

    // A re-read and the same request go through.
    let fresh = emu.block_on(client.get_namespace(id)).unwrap();
    assert_ne!(fresh.resource_version, stale.resource_version);
    let op = emu
        .block_on(client.update_namespace(
            id,
            fresh.spec_with_capacity(target),
            &fresh.resource_version,
            &op_id,
        ))
        .unwrap();
    assert_eq!(op.id, op_id);
}

#[test]
fn reads_survive_injected_faults_and_return_the_right_data() {
    const SEED: u64 = 11;
    let emu = Emu::with(Config {
        seed: SEED,
        fault_rate: 0.5,
        ..config()
    });
    // Same seed, same generated account: the answers the faulty server should have given.
    let clean = Emu::with(Config {
        seed: SEED,
        ..config()
    });
    let ids = emu.namespaces();
    let client = ops_fast_retries(&emu);

    let mut calls = 0u64;
    let listed = emu.block_on(client.list_namespaces()).unwrap();
    calls += 1;
    assert_eq!(
        listed.iter().map(|ns| &ns.namespace).collect::<Vec<_>>(),
        ids.iter().collect::<Vec<_>>()
    );
    for id in &ids {
        let ns = emu.block_on(client.get_namespace(id)).unwrap();
        calls += 1;
        let expected = &clean.get(&format!("/cloud/namespaces/{id}"))["namespace"];
        assert_eq!(ns.namespace, *id);
        assert_eq!(ns.resource_version, expected["resourceVersion"], "{id}");
        assert_eq!(Value::Object(ns.spec), expected["spec"], "{id}");
    }
    let info = emu.block_on(client.capacity_info(&ids[0])).unwrap();
    calls += 1;
    assert_eq!(info.valid_tru_values.len(), 7);

    let stats = emu.server.stats();
    let log = emu.server.requests();
    assert!(stats.faults_total() > 0);
    for kind in [
        "resource_exhausted",
        "unavailable",
        "dropped_connection",
        "truncated_body",
        "malformed_body",
    ] {
        assert!(
            stats.faults.get(kind).is_some_and(|n| *n > 0),
            "seed {SEED} injected no {kind}: {:?}",
            stats.faults
        );
    }
    assert_eq!(stats.cloud_ops_requests, log.len() as u64);
    assert_eq!(
        log.len() as u64,
        calls + stats.faults_total(),
        "one retry per fault"
    );
    assert!(log.len() as u64 > calls);
    assert_eq!(
        log.iter().filter(|r| r.fault.is_some()).count() as u64,
        stats.faults_total()
    );
    assert_eq!(
        log.iter().filter(|r| r.status == 429).count() as u64,
        stats.faults["resource_exhausted"]
    );
    assert_eq!(
        log.iter().filter(|r| r.status == 503).count() as u64,
        stats.faults["unavailable"]
    );
}

#[test]
fn a_429_pauses_every_request_until_the_latest_retry_after() {
    // Every answer takes 500 ms, so requests overlap: what is in flight when a 429 arrives
    // cannot be held back, but nothing may be sent after it until its Retry-After (1 s) has
    // passed, and a later 429 pushes that moment further out for everyone.
    const LATENCY: Duration = Duration::from_millis(500);
    let emu = Emu::with(Config {
        rate_limit: Some(2.0),
        latency: LATENCY,
        ..config()
    });
    let client = ops(&emu);
    let ids: Vec<String> = emu.namespaces().into_iter().take(5).collect();
    let later = |delay: Duration, id: &str| {
        let client = &client;
        let id = id.to_string();
        async move {
            tokio::time::sleep(delay).await;
            client.get_namespace(&id).await
        }
    };
    // A, B and C at once: two tokens, so C is throttled. D while they are in flight: also
    // throttled, answered later, so its Retry-After ends later. E after the first 429 is in:
    // it has seen no 429 itself and must still wait for the shared pause.
    let results = emu.block_on(futures_util::future::join_all([
        later(Duration::ZERO, &ids[0]),
        later(Duration::ZERO, &ids[1]),
        later(Duration::ZERO, &ids[2]),
        later(Duration::from_millis(250), &ids[3]),
        later(Duration::from_millis(1000), &ids[4]),
    ]));
    for (id, result) in ids.iter().zip(&results) {
        assert_eq!(&result.as_ref().unwrap().namespace, id);
    }

    let log = emu.server.requests();
    let limited: Vec<&RequestRecord> = log.iter().filter(|r| r.status == 429).collect();
    assert!(limited.len() >= 2, "the burst was throttled: {log:?}");
    assert!(limited.len() <= 5, "no request retried without waiting");
    assert_eq!(emu.server.stats().rate_limited, limited.len() as u64);
    assert_eq!(
        log.len(),
        ids.len() + limited.len(),
        "each 429 retried once"
    );

    // The log has arrival times; a 429 leaves the server LATENCY later.
    let latency = chrono::Duration::from_std(LATENCY).unwrap();
    let pause = chrono::Duration::from_std(tcap::timing::scaled(Duration::from_secs(1))).unwrap();
    let in_flight = chrono::Duration::milliseconds(100);
    let slack = chrono::Duration::milliseconds(10);
    for r in &limited {
        let answered = r.at + latency;
        for q in &log {
            if q.at > answered + in_flight {
                assert!(
                    q.at >= answered + pause - slack,
                    "{} {} sent {} ms after the 429 for {} was answered",
                    q.method,
                    q.path,
                    (q.at - answered).num_milliseconds(),
                    r.path
                );
            }
        }
    }
}

#[test]
fn a_post_retried_after_a_dropped_connection_keeps_its_operation_id_and_applies_once() {
    // Faults are drawn in request order from the seed; with the first seed listed the first
    // POST is applied and then its connection dropped. The others are fallbacks in case the
    // emulator's draws change.
    for seed in [12u64, 7, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25] {
        let emu = Emu::with(Config {
            seed,
            fault_rate: 0.5,
            ..config()
        });
        let client = ops_fast_retries(&emu);
        let id = &with_profile(&emu, "on-demand-light")[0];
        let path = format!("/cloud/namespaces/{id}");
        let target = CapacitySpec::Provisioned { value: 2.0 };
        let ns = emu.block_on(client.get_namespace(id)).unwrap();
        let op_id = operation_id();
        let op = emu
            .block_on(client.update_namespace(
                id,
                ns.spec_with_capacity(target),
                &ns.resource_version,
                &op_id,
            ))
            .unwrap();
        let posts = logged(&emu, "POST", &path);
        let applied_then_dropped = posts
            .iter()
            .any(|p| p.fault.as_deref() == Some("dropped_connection_after_apply"));
        if !applied_then_dropped {
            continue;
        }
        assert!(posts.len() >= 2, "the dropped POST was retried");
        assert_eq!(op.id, op_id);
        for post in &posts {
            assert_eq!(
                post.body, posts[0].body,
                "every attempt is the same request"
            );
            assert_eq!(post.body.as_ref().unwrap()["asyncOperationId"], op_id);
            assert!(
                post.status < 400 || post.status == 429 || post.status == 503,
                "no attempt was refused: {post:?}"
            );
        }

        let done = emu
            .block_on(apply::wait_operation(
                &client,
                &op_id,
                deadline_in(Duration::from_secs(10)),
            ))
            .unwrap();
        assert_eq!(done.state, OperationState::Fulfilled);
        let settled = emu
            .block_on(apply::wait_capacity(
                &client,
                id,
                &op_id,
                target,
                Some(Duration::from_secs(1)),
                deadline_in(Duration::from_secs(10)),
            ))
            .unwrap();
        assert_eq!(settled.current_capacity(), Some(target));
        assert_eq!(settled.latest_request().unwrap().async_operation_id, op_id);
        // Applied once: the spec as sent, not a second change on top of it.
        assert_eq!(settled.desired_capacity(), Some(target));
        return;
    }
    panic!("no seed dropped the first POST after applying it; add one to the list");
}

#[test]
fn wait_operation_reports_failures_with_their_reason_and_times_out() {
    let emu = Emu::start();
    let client = ops(&emu);
    let mut on_demand = with_profile(&emu, "on-demand-light");
    on_demand.extend(with_profile(&emu, "idle"));
    on_demand.extend(with_profile(&emu, "on-demand-throttled"));
    let target = CapacitySpec::Provisioned { value: 2.0 };
    let update = |id: &str| {
        let ns = emu.block_on(client.get_namespace(id)).unwrap();
        let op_id = operation_id();
        emu.block_on(client.update_namespace(
            id,
            ns.spec_with_capacity(target),
            &ns.resource_version,
            &op_id,
        ))
        .unwrap();
        op_id
    };

    assert!(emu.server.fail_next(
        &on_demand[0],
        FailNext::OperationFailed,
        Some("quota service unavailable in aws-us-east-1".into())
    ));
    assert!(
        emu.server
            .fail_next(&on_demand[1], FailNext::OperationRejected, None)
    );
    assert!(
        emu.server
            .fail_next(&on_demand[2], FailNext::CapacityRequestFailed, None)
    );
    assert!(
        emu.server
            .fail_next(&on_demand[4], FailNext::OperationCancelled, None)
    );
    let failed = update(&on_demand[0]);
    let rejected = update(&on_demand[1]);
    let request_failed = update(&on_demand[2]);
    let cancelled = update(&on_demand[4]);

    let deadline = deadline_in(Duration::from_secs(10));
    let (failed, rejected, cancelled, request_failed) = emu.block_on(async {
        tokio::join!(
            apply::wait_operation(&client, &failed, deadline),
            apply::wait_operation(&client, &rejected, deadline),
            apply::wait_operation(&client, &cancelled, deadline),
            apply::wait_capacity(
                &client,
                &on_demand[2],
                &request_failed,
                target,
                Some(Duration::from_secs(1)),
                deadline
            ),
        )
    });
    match failed {
        Err(WaitError::OperationFailed { state, reason }) => {
            assert_eq!(state, OperationState::Failed);
            assert_eq!(reason, "quota service unavailable in aws-us-east-1");
        }
        other => panic!("expected FAILED, got {other:?}"),
    }
    match rejected {
        Err(WaitError::OperationFailed { state, reason }) => {
            assert_eq!(state, OperationState::Rejected);
            assert_eq!(
                reason,
                "capacity request rejected: not enough capacity available in the region"
            );
        }
        other => panic!("expected REJECTED, got {other:?}"),
    }
    match cancelled {
        Err(WaitError::OperationFailed { state, reason }) => {
            assert_eq!(state, OperationState::Cancelled);
            assert_eq!(reason, "operation cancelled by Temporal Cloud");
        }
        other => panic!("expected CANCELLED, got {other:?}"),
    }
    match request_failed {
        Err(WaitError::RequestFailed { namespace }) => {
            assert_eq!(
                namespace.latest_request().unwrap().state,
                RequestState::Failed
            );
            assert_eq!(namespace.current_capacity(), Some(CapacitySpec::OnDemand));
        }
        other => panic!("expected a failed capacity request, got {other:?}"),
    }

    // A deadline shorter than one poll interval: one look, then TimedOut at once.
    let fresh = update(&on_demand[3]);
    let looks = || logged(&emu, "GET", &format!("/cloud/operations/{fresh}")).len();
    match emu.block_on(apply::wait_operation(
        &client,
        &fresh,
        deadline_in(Duration::from_millis(200)),
    )) {
        Err(WaitError::TimedOut { last_seen }) => {
            assert_eq!(last_seen, format!("operation {fresh} is STATE_PENDING"));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_eq!(looks(), 1, "one look, no poll past the deadline");

    // An operation the server does not know is the server's 404, not a wait.
    match emu.block_on(apply::wait_operation(
        &client,
        "no-such-operation",
        deadline,
    )) {
        Err(WaitError::Api(e)) => {
            assert_eq!(e.status, Some(404));
            assert_eq!(e.kind, ApiErrorKind::NotFound);
            assert_eq!(e.message, "async operation not found: no-such-operation");
        }
        other => panic!("expected a 404, got {other:?}"),
    }
}

#[test]
fn the_metrics_client_sends_repeated_keys_and_reads_completeness_429_and_401() {
    let emu = Emu::start();
    let client = metrics(&emu, METRICS_KEY);
    let families = [ACTION_LIMIT, ACTION_COUNT];
    let metrics_requests = || logged(&emu, "GET", "/v1/metrics");

    let snapshot = emu.block_on(client.fetch(&families)).unwrap();
    assert_eq!(snapshot.completeness, Completeness::Complete);
    assert!(snapshot.exposition.warnings.is_empty());
    let requests = metrics_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].query,
        "metrics=temporal_cloud_v1_action_limit&metrics=temporal_cloud_v1_total_action_count"
    );
    let samples = &snapshot.exposition.samples;
    assert!(samples.iter().all(|s| families.contains(&s.name.as_str())));
    for id in emu.namespaces() {
        assert!(
            samples
                .iter()
                .any(|s| s.name == ACTION_LIMIT && s.label("temporal_namespace") == Some(&id)),
            "{id} has an action limit"
        );
    }
    let busy = &with_profile(&emu, "provisioned-busy")[0];
    let limit = samples
        .iter()
        .find(|s| s.name == ACTION_LIMIT && s.label("temporal_namespace") == Some(busy))
        .unwrap();
    assert_eq!(limit.value, 2000.0);

    for (asked, seen) in [
        ("limited", Completeness::Limited),
        ("unknown", Completeness::Unknown),
    ] {
        emu.control("/_dev/metrics/next", json!({"completeness": asked}));
        let snapshot = emu.block_on(client.fetch(&families)).unwrap();
        assert_eq!(snapshot.completeness, seen);
        assert!(!snapshot.completeness.is_complete());
    }

    // The hourly budget: a long Retry-After comes back at once, not slept through.
    emu.control(
        "/_dev/metrics/next",
        json!({"status": 429, "retry_after": 1200}),
    );
    let before = metrics_requests().len();
    let error = emu.block_on(client.fetch(&families)).unwrap_err();
    assert_eq!(metrics_requests().len(), before + 1, "not retried");
    assert_eq!(error.service, Service::Metrics);
    assert_eq!(error.status, Some(429));
    assert_eq!(error.retry_after, Some(Duration::from_secs(1200)));
    assert_eq!(error.message, "too many requests");
    assert!(error.to_string().ends_with("(retry after 20m)"), "{error}");

    let error = emu
        .block_on(metrics(&emu, "not-a-key").fetch(&families))
        .unwrap_err();
    assert_eq!(metrics_requests().len(), before + 2, "not retried");
    assert_eq!(error.status, Some(401));
    assert_eq!(error.refused_key(), Some(Service::Metrics));
    assert!(error.is_auth());
    assert_eq!(error.message, "invalid API key");
    assert_eq!(
        error.to_string(),
        "Metrics API refused the Metrics API key (401 unauthenticated): invalid API key"
    );
}

#[test]
fn error_messages_carry_the_servers_message_and_client_errors_are_not_retried() {
    let emu = Emu::start();
    let client = ops(&emu);
    let id = &with_profile(&emu, "on-demand-light")[0];
    let ns = emu.block_on(client.get_namespace(id)).unwrap();

    let check = |error: ApiError, status: u16, code: i64, message: &str| {
        assert_eq!(error.service, Service::CloudOps);
        assert_eq!(error.status, Some(status), "{error}");
        assert_eq!(error.code, Some(code), "{error}");
        assert_eq!(error.message, message);
        assert!(error.to_string().contains(message), "{error}");
    };
    let count = || emu.server.requests().len();

    let before = count();
    let e = emu
        .block_on(client.get_namespace("nope.zzzzz"))
        .unwrap_err();
    check(e, 404, 5, "namespace not found: nope.zzzzz");

    let wrong_key = OpsClient::from_http(http(
        &emu,
        Service::CloudOps,
        "not-a-key",
        Some(API_VERSION),
    ));
    let e = emu.block_on(wrong_key.get_namespace(id)).unwrap_err();
    assert!(e.is_auth());
    check(e, 401, 16, "invalid API key");

    let metrics_key = OpsClient::from_http(http(
        &emu,
        Service::CloudOps,
        METRICS_KEY,
        Some(API_VERSION),
    ));
    let e = emu.block_on(metrics_key.capacity_info(id)).unwrap_err();
    check(
        e,
        403,
        7,
        "permission denied: the API key's role does not allow this operation",
    );

    let old = OpsClient::from_http(http(&emu, Service::CloudOps, ADMIN_KEY, Some("v0.9.0")));
    let e = emu.block_on(old.list_namespaces()).unwrap_err();
    check(
        e,
        400,
        3,
        "temporal-cloud-api-version v0.9.0 is too old for capacity; use v0.10.0 or later",
    );

    let e = emu
        .block_on(client.update_namespace(
            id,
            ns.spec_with_capacity(CapacitySpec::Provisioned { value: 5.0 }),
            &ns.resource_version,
            &operation_id(),
        ))
        .unwrap_err();
    check(
        e,
        400,
        3,
        "invalid provisioned capacity value 5: valid TRU values are 2, 3, 4, 6, 8, 10, 12",
    );

    let e = emu
        .block_on(client.update_namespace(
            id,
            ns.spec_with_capacity(CapacitySpec::OnDemand),
            &ns.resource_version,
            &operation_id(),
        ))
        .unwrap_err();
    check(
        e,
        400,
        3,
        "nothing to change: the requested spec is the same as the current spec",
    );
    assert_eq!(count() - before, 6, "one request per call: 4xx is final");
}

#[test]
fn metrics_reads_survive_injected_faults_and_return_the_right_data() {
    // With this seed the three fetches meet a short 429, a dropped connection, a body cut off
    // mid-line and a malformed one.
    const SEED: u64 = 35;
    let emu = Emu::with(Config {
        seed: SEED,
        fault_rate: 0.5,
        ..config()
    });
    let clean = Emu::with(Config {
        seed: SEED,
        ..config()
    });
    let families = [ACTION_LIMIT, ACTION_COUNT];
    let without_time = |samples: &[tcap::cloud::openmetrics::Sample]| {
        samples
            .iter()
            .map(|s| (s.name.clone(), s.labels.clone(), s.value))
            .collect::<Vec<_>>()
    };
    let expected = clean
        .block_on(metrics(&clean, METRICS_KEY).fetch(&families))
        .unwrap();
    assert!(!expected.exposition.samples.is_empty());

    let client = metrics(&emu, METRICS_KEY);
    for _ in 0..3 {
        let snapshot = emu.block_on(client.fetch(&families)).unwrap();
        assert_eq!(snapshot.completeness, Completeness::Complete);
        assert!(snapshot.exposition.warnings.is_empty());
        assert_eq!(
            without_time(&snapshot.exposition.samples),
            without_time(&expected.exposition.samples)
        );
    }
    let stats = emu.server.stats();
    for kind in [
        "resource_exhausted",
        "dropped_connection",
        "truncated_body",
        "malformed_body",
    ] {
        assert!(
            stats.faults.get(kind).is_some_and(|n| *n > 0),
            "seed {SEED} injected no {kind}: {:?}",
            stats.faults
        );
    }
    assert_eq!(stats.metrics_requests, 3 + stats.faults_total());
}
