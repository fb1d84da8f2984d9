//! Every command that talks to the APIs, against an emulator that injects faults into 30% of
//! requests: 429 with `Retry-After`, 503, connections dropped (before and after an update is
//! applied), answers slower than `--request-timeout`, bodies cut short and malformed JSON. Each
//! run must end in the same state, with the same output, as a run that met no fault, and no
//! capacity change may be applied twice.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Output;
use std::time::Duration;

use common::{Emu, stdout_json, text, with_profile};
use serde_json::{Value, json};
use tcap::devserver::{Config, RequestRecord};

const FAULT_RATE: f64 = 0.3;
/// Long enough that `--request-timeout 1s` gives up on a slow answer, short enough for the
/// server task holding it.
const SLOW_RESPONSE: Duration = Duration::from_secs(2);
const REQUEST_TIMEOUT: &str = "1s";
/// Seeds whose first draws leave the single metrics request at least one good attempt of its
/// three (the metrics client retries little on purpose: the account budget is 180 an hour).
const SEEDS: [u64; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/// The kinds the issue lists; each must occur at least once over all runs.
const KINDS: [&str; 6] = [
    "resource_exhausted",
    "unavailable",
    "dropped_connection",
    "slow_response",
    "truncated_body",
    "malformed_body",
];

fn faulty(seed: u64) -> Emu {
    Emu::with(Config {
        seed,
        fault_rate: FAULT_RATE,
        slow_response: Some(SLOW_RESPONSE),
        ..common::config()
    })
}

fn clean(seed: u64) -> Emu {
    Emu::with(Config {
        seed,
        ..common::config()
    })
}

/// `tcap <args> -o json --request-timeout 1s`, and the requests it made (the log entries
/// written while it ran).
fn tcap(emu: &Emu, args: &[&str]) -> (Output, Vec<RequestRecord>) {
    let before = emu.server.requests().len();
    let out = emu
        .tcap()
        .args(args)
        .args(["-o", "json", "--request-timeout", REQUEST_TIMEOUT])
        .output()
        .unwrap();
    let log = emu.server.requests().split_off(before);
    (out, log)
}

/// A GET of the emulated API that gets past the injected faults, for assertions. Its own
/// faults are not counted: only those tcap met are.
fn read(emu: &Emu, path: &str) -> Value {
    let url = format!("{}{path}", emu.url());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    for _ in 0..100 {
        let answer = emu.block_on(async {
            let response = client
                .get(&url)
                .bearer_auth(common::ADMIN_KEY)
                .header("temporal-cloud-api-version", "v0.19.1")
                .send()
                .await?;
            let status = response.status();
            Ok::<_, reqwest::Error>((status, response.bytes().await?))
        });
        if let Ok((status, body)) = answer
            && status == 200
            && let Ok(value) = serde_json::from_slice(&body)
        {
            return value;
        }
    }
    panic!("no clean answer for {path} in 100 attempts");
}

#[track_caller]
fn expect_success(seed: u64, what: &str, out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "seed {seed}, {what}\nstdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// An UpdateNamespace the emulator applied (or replayed for a known `asyncOperationId`),
/// whether or not the client got to read the answer: a 200 that was not a fault standing in
/// for the answer (429, 503, or a connection dropped before the request reached the service).
fn applied(record: &RequestRecord) -> bool {
    record.method == "POST"
        && record.path.starts_with("/cloud/namespaces/")
        && record.status == 200
        && !matches!(
            record.fault.as_deref(),
            Some("resource_exhausted" | "unavailable" | "dropped_connection")
        )
}

fn operation_id(record: &RequestRecord) -> String {
    record.body.as_ref().unwrap()["asyncOperationId"]
        .as_str()
        .unwrap()
        .to_string()
}

/// What the POSTs of one change looked like on the server.
#[derive(Debug)]
struct Posts {
    /// The operation IDs sent, over every attempt.
    sent: BTreeSet<String>,
    /// The operation IDs of POSTs the server applied.
    applied: BTreeSet<String>,
    /// POSTs applied beyond the first of their operation: retries of a change the client could
    /// not see accepted, answered with the same operation rather than a second change.
    replays: usize,
}

fn posts(log: &[RequestRecord], ns: &str) -> Posts {
    let path = format!("/cloud/namespaces/{ns}");
    let mine: Vec<&RequestRecord> = log
        .iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .collect();
    let applied: Vec<String> = mine
        .iter()
        .filter(|r| applied(r))
        .map(|r| operation_id(r))
        .collect();
    let distinct: BTreeSet<String> = applied.iter().cloned().collect();
    Posts {
        sent: mine.iter().map(|r| operation_id(r)).collect(),
        replays: applied.len() - distinct.len(),
        applied: distinct,
    }
}

/// Asserts one capacity change with one operation: every attempt carried `id`, and the server
/// applied `id` and nothing else.
#[track_caller]
fn one_change(seed: u64, what: &str, posts: &Posts, id: &str) {
    let just = BTreeSet::from([id.to_string()]);
    assert_eq!(posts.sent, just, "seed {seed}, {what}: {posts:?}");
    assert_eq!(posts.applied, just, "seed {seed}, {what}: {posts:?}");
}

fn namespace(emu: &Emu, ns: &str) -> Value {
    read(emu, &format!("/cloud/namespaces/{ns}"))["namespace"].clone()
}

/// The namespace as the server holds it: mode, TRUs, latest request state and its operation.
fn server_capacity(emu: &Emu, ns: &str) -> Value {
    let n = namespace(emu, ns);
    let capacity = &n["capacity"];
    json!({
        "on_demand": capacity.get("onDemand").is_some(),
        "trus": capacity["provisioned"]["currentValue"],
        "state": capacity["latestRequest"]["state"],
        "operation": capacity["latestRequest"]["asyncOperationId"],
        "spec": n["spec"]["capacitySpec"],
    })
}

#[derive(Default)]
struct Tally {
    faults: BTreeMap<String, u64>,
    replays: usize,
    runs: usize,
}

impl Tally {
    /// Counts the faults of one command's requests.
    fn add(&mut self, log: &[RequestRecord]) {
        for kind in log.iter().filter_map(|r| r.fault.clone()) {
            *self.faults.entry(kind).or_default() += 1;
        }
        self.runs += 1;
    }

    fn total(&self) -> u64 {
        self.faults.values().sum()
    }
}

/// `analyze`: the same JSON as the fault-free emulator of the same seed.
fn analyze(seed: u64, tally: &mut Tally) {
    let emu = faulty(seed);
    let (out, log) = tcap(&emu, &["analyze"]);
    expect_success(seed, "analyze", &out);
    tally.add(&log);
    let (expected, _) = tcap(&clean(seed), &["analyze"]);
    expect_success(seed, "analyze without faults", &expected);
    let rows = stdout_json(&out);
    assert!(
        rows.as_array().is_some_and(|rows| rows.len() == 12),
        "seed {seed}: {rows}"
    );
    assert_eq!(rows, stdout_json(&expected), "seed {seed}: analyze");
    assert!(
        !text(&out.stderr).contains("incomplete"),
        "{}",
        text(&out.stderr)
    );
}

/// `provision` → `verify` → `revert` → `verify`, each ending in the right capacity with one
/// applied change each.
fn provision_verify_revert(seed: u64, tally: &mut Tally) {
    let emu = faulty(seed);
    let ns = with_profile(&emu, "on-demand-light").remove(0);

    let (out, log) = tcap(&emu, &["provision", &ns, "6"]);
    expect_success(seed, "provision", &out);
    tally.add(&log);
    let report = stdout_json(&out);
    assert_eq!(report["changed"], true, "seed {seed}: {report:#}");
    assert_eq!(report["verified"], true, "seed {seed}: {report:#}");
    assert_eq!(report["errors"], json!([]), "seed {seed}: {report:#}");
    assert_eq!(
        report["previous"],
        json!({"mode": "on-demand", "trus": null})
    );
    assert_eq!(report["current"]["mode"], "provisioned", "{report:#}");
    assert_eq!(report["current"]["trus"].as_f64(), Some(6.0), "{report:#}");
    let provision_op = report["async_operation_id"].as_str().unwrap().to_string();
    let provision_posts = posts(&log, &ns);
    one_change(seed, "provision", &provision_posts, &provision_op);
    assert_eq!(
        server_capacity(&emu, &ns),
        json!({"on_demand": false, "trus": 6, "state": "STATE_CAPACITY_REQUEST_COMPLETED",
               "operation": provision_op, "spec": {"provisioned": {"value": 6}}}),
        "seed {seed}: after provision"
    );

    let (out, log) = tcap(&emu, &["verify", &ns, "--trus", "6"]);
    expect_success(seed, "verify --trus 6", &out);
    tally.add(&log);
    assert_eq!(stdout_json(&out)["verified"], true);

    let (out, log) = tcap(&emu, &["revert", &ns]);
    expect_success(seed, "revert", &out);
    tally.add(&log);
    let report = stdout_json(&out);
    assert_eq!(report["changed"], true, "seed {seed}: {report:#}");
    assert_eq!(report["verified"], true, "seed {seed}: {report:#}");
    assert_eq!(report["current"]["mode"], "on-demand", "{report:#}");
    let revert_op = report["async_operation_id"].as_str().unwrap().to_string();
    assert_ne!(revert_op, provision_op);
    let revert_posts = posts(&log, &ns);
    one_change(seed, "revert", &revert_posts, &revert_op);
    assert_eq!(
        server_capacity(&emu, &ns),
        json!({"on_demand": true, "trus": null, "state": "STATE_CAPACITY_REQUEST_COMPLETED",
               "operation": revert_op, "spec": {"onDemand": {}}}),
        "seed {seed}: after revert"
    );

    let (out, log) = tcap(&emu, &["verify", &ns, "--on-demand"]);
    expect_success(seed, "verify --on-demand", &out);
    tally.add(&log);
    assert_eq!(stdout_json(&out)["verified"], true);

    // Over the whole run: two changes, no other namespace touched.
    let all = emu.server.requests();
    let everything = posts(&all, &ns);
    assert_eq!(
        everything.applied,
        BTreeSet::from([provision_op, revert_op]),
        "seed {seed}"
    );
    assert!(
        all.iter()
            .filter(|r| r.method == "POST")
            .all(|r| r.path == format!("/cloud/namespaces/{ns}")),
        "seed {seed}: a POST to another namespace"
    );
    tally.replays += provision_posts.replays + revert_posts.replays;
}

/// `schedule-change` with a window of a few seconds: done, every seed field true, on-demand
/// again, one provision and one revert applied.
fn schedule_change(seed: u64, tally: &mut Tally) {
    let emu = faulty(seed);
    let ns = with_profile(&emu, "on-demand-light").remove(0);
    let (out, log) = tcap(&emu, &["schedule-change", &ns, "6", "--duration", "4s"]);
    expect_success(seed, "schedule-change", &out);
    tally.add(&log);
    let report = stdout_json(&out);
    for field in [
        "initial_change_success",
        "verification_success",
        "reverted_to_on_demand",
        "revert_verification_success",
    ] {
        assert_eq!(report[field], true, "seed {seed}: {field}: {report:#}");
    }
    assert_eq!(report["errors"], json!([]), "seed {seed}: {report:#}");
    assert_eq!(report["requested"]["trus"].as_f64(), Some(6.0));
    assert_eq!(
        report["reverted_to"],
        json!({"mode": "on-demand", "trus": null})
    );

    let path = emu.state_dir().join("changes").join(format!("{ns}.json"));
    let state: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(state["step"], "done", "seed {seed}: {state:#}");

    let server = server_capacity(&emu, &ns);
    assert_eq!(server["on_demand"], true, "seed {seed}: {server}");
    assert_eq!(server["spec"], json!({"onDemand": {}}), "seed {seed}");
    assert_eq!(server["state"], "STATE_CAPACITY_REQUEST_COMPLETED");

    // One provision and one revert: each capacity asked for under one operation ID only.
    let log = emu.server.requests();
    let changes = posts(&log, &ns);
    assert_eq!(changes.applied.len(), 2, "seed {seed}: {changes:?}");
    assert_eq!(changes.sent, changes.applied, "seed {seed}: {changes:?}");
    let wanted: BTreeMap<String, Value> = log
        .iter()
        .filter(|r| applied(r))
        .map(|r| {
            (
                operation_id(r),
                r.body.as_ref().unwrap()["spec"]["capacitySpec"].clone(),
            )
        })
        .collect();
    let mut asked: Vec<String> = wanted
        .values()
        .map(|spec| match spec["provisioned"]["value"].as_f64() {
            Some(trus) => format!("{trus} TRUs"),
            None if spec.get("onDemand").is_some() => "on-demand".to_string(),
            None => spec.to_string(),
        })
        .collect();
    asked.sort();
    assert_eq!(asked, ["6 TRUs", "on-demand"], "seed {seed}: {wanted:?}");
    assert_eq!(server["operation"], json!(last_applied(&log)));
    tally.replays += changes.replays;
}

fn last_applied(log: &[RequestRecord]) -> String {
    log.iter()
        .rev()
        .find(|r| applied(r))
        .map(operation_id)
        .unwrap()
}

#[test]
fn every_command_survives_injected_faults_and_ends_in_the_right_state() {
    // Seeds run side by side; within a seed the commands run one after the other.
    let tallies: Vec<(u64, Tally)> = std::thread::scope(|scope| {
        let workers: Vec<_> = SEEDS
            .into_iter()
            .map(|seed| {
                scope.spawn(move || {
                    let mut tally = Tally::default();
                    analyze(seed, &mut tally);
                    provision_verify_revert(seed, &mut tally);
                    schedule_change(seed, &mut tally);
                    (seed, tally)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e))
            })
            .collect()
    });

    let mut all = Tally::default();
    for (seed, tally) in &tallies {
        println!(
            "seed {seed}: {} faults over {} commands: {:?}",
            tally.total(),
            tally.runs,
            tally.faults
        );
        for (kind, n) in &tally.faults {
            *all.faults.entry(kind.clone()).or_default() += n;
        }
        all.replays += tally.replays;
        all.runs += tally.runs;
    }
    let by_kind: Vec<String> = all
        .faults
        .iter()
        .map(|(kind, n)| format!("{kind} {n}"))
        .collect();
    println!(
        "faults injected and survived: {} (by kind: {}) over {} commands; {} applied updates retried and answered with the same operation",
        all.total(),
        by_kind.join(", "),
        all.runs,
        all.replays
    );
    for kind in KINDS {
        let n = all.faults.get(kind).copied().unwrap_or(0)
            + if kind == "dropped_connection" {
                all.faults
                    .get("dropped_connection_after_apply")
                    .copied()
                    .unwrap_or(0)
            } else {
                0
            };
        assert!(n > 0, "no {kind} fault over all runs: {:?}", all.faults);
    }
    assert!(
        all.replays > 0,
        "no applied update was retried, so 'applied once' was never put to the test"
    );
}

// ---------------------------------------------------------------------------------------------
// A dead or wrong endpoint

/// `tcap -v verify a.b --trus 2` against `url`, with the emulator's key.
fn verify_at(emu: &Emu, url: &str) -> Output {
    emu.tcap()
        .env("TCAP_CLOUD_OPS_URL", url)
        .args(["-v", "verify", "payments-prod.a1b2c", "--trus", "2"])
        .output()
        .unwrap()
}

/// A name that does not resolve and a TLS handshake that fails are not retried: exit 1 at
/// once, naming the URL and the cause.
#[test]
fn a_wrong_endpoint_fails_at_once_with_the_url_and_the_cause() {
    let emu = clean(1);
    let plain = emu.url().replace("http://", "https://");
    for (url, cause) in [
        ("https://tcap-test.invalid", "does not resolve"),
        (plain.as_str(), "TLS handshake failed"),
    ] {
        let out = verify_at(&emu, url);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{url}: {stderr}");
        assert!(stderr.contains(cause), "{url}: {stderr}");
        assert!(stderr.contains(&format!("(at {url})")), "{url}: {stderr}");
        assert!(!stderr.contains("retrying"), "{url} was retried: {stderr}");
    }
}

/// Connection refused is temporary (a restarting proxy): retried, each retry logged under -v,
/// summarised in the final error, exit 75.
#[test]
fn a_refused_connection_is_retried_then_exits_75_with_a_summary() {
    let emu = clean(1);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let out = verify_at(&emu, &url);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(75), "{stderr}");
    assert!(stderr.contains("could not connect"), "{stderr}");
    assert!(stderr.contains(&format!("(at {url})")), "{stderr}");
    assert!(stderr.contains("6 attempts over"), "{stderr}");
    assert_eq!(stderr.matches("retrying").count(), 5, "{stderr}");
}

/// -v says what tcap decides and retries; -vv adds every HTTP request.
#[test]
fn verbose_and_very_verbose_differ() {
    let emu = clean(1);
    let ns = &with_profile(&emu, "on-demand-light")[0];
    let run = |flag: &str| {
        let out = emu
            .tcap()
            .args([flag, "verify", ns, "--on-demand"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stderr)
    };
    let (v, vv) = (run("-v"), run("-vv"));
    let request_line = format!("/cloud/namespaces/{ns}");
    assert!(!v.contains(&request_line), "-v:\n{v}");
    assert!(
        vv.contains(&request_line) && vv.contains("GET"),
        "-vv:\n{vv}"
    );
}
