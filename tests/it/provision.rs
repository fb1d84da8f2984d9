//! `tcap provision`, `tcap revert` and `tcap verify` against the emulator, over real HTTP.

use crate::common;

use common::{expect_code, tcap, with_profile};

use std::process::Output;
use std::time::Duration;

use common::{Emu, stdout_json, text};
use serde_json::{Value, json};
use tcap::devserver::{Config, FailNext, RequestRecord};

fn on_demand(emu: &Emu) -> String {
    with_profile(emu, "on-demand-light").remove(0)
}

/// A provisioned-busy namespace whose region is short of inventory (max 8 TRUs).
fn short_of_inventory(emu: &Emu) -> String {
    with_profile(emu, "provisioned-busy")
        .into_iter()
        .find(|ns| {
            capacity_info(emu, ns)["modeOptions"]["provisioned"]["maxAvailableTruValue"] == 8
        })
        .expect("a provisioned-busy namespace with at most 8 TRUs")
}

fn namespace(emu: &Emu, ns: &str) -> Value {
    emu.get(&format!("/cloud/namespaces/{ns}"))["namespace"].clone()
}

fn capacity_info(emu: &Emu, ns: &str) -> Value {
    emu.get(&format!("/cloud/namespaces/{ns}/capacity-info"))["capacityInfo"].clone()
}

/// Every UpdateNamespace the emulator received for `ns`, whatever its answer.
fn posts(emu: &Emu, ns: &str) -> Vec<RequestRecord> {
    let path = format!("/cloud/namespaces/{ns}");
    emu.server
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .collect()
}

fn all_posts(emu: &Emu) -> usize {
    emu.server
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count()
}

fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok() && s.len() == 36
}

fn operation_id_of(out: &Output) -> String {
    let report = stdout_json(out);
    let id = report["async_operation_id"].as_str().unwrap().to_string();
    assert!(is_uuid(&id), "{id}");
    id
}

#[test]
fn provision_verify_revert_verify_on_an_on_demand_namespace() {
    let emu = Emu::start();
    let ns = on_demand(&emu);

    // Before: verify says what differs, and exits 3.
    let out = tcap(&emu, &["verify", &ns, "--trus", "6"]);
    expect_code(&out, 3);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&ns) && stderr.contains("expected 6 TRUs, found on-demand"),
        "{stderr}"
    );

    let out = tcap(&emu, &["provision", &ns, "6"]);
    expect_code(&out, 0);
    let line = text(&out.stdout);
    let prefix = format!("{ns}: on-demand → 6 TRUs (3,000 APS), verified in ");
    assert!(line.starts_with(&prefix), "{line}");
    let took = line[prefix.len()..].trim_end();
    assert!(
        took.ends_with('s') && took[..took.len() - 1].chars().all(|c| c.is_ascii_digit()),
        "{line}"
    );
    assert_eq!(line.lines().count(), 1, "{line}");
    // It really is in force, as the server says.
    let after = namespace(&emu, &ns);
    assert_eq!(after["capacity"]["provisioned"]["currentValue"], 6);
    assert_eq!(
        after["capacity"]["latestRequest"]["state"],
        "STATE_CAPACITY_REQUEST_COMPLETED"
    );

    let out = tcap(&emu, &["verify", &ns, "--trus", "6"]);
    expect_code(&out, 0);
    assert_eq!(
        text(&out.stdout).trim_end(),
        format!("{ns}: 6 TRUs (3,000 APS) as expected")
    );
    let out = tcap(&emu, &["verify", &ns, "--on-demand"]);
    expect_code(&out, 3);
    assert!(
        text(&out.stderr).contains("expected on-demand, found 6 TRUs"),
        "{}",
        text(&out.stderr)
    );

    let out = tcap(&emu, &["revert", &ns]);
    expect_code(&out, 0);
    let line = text(&out.stdout);
    assert!(
        line.starts_with(&format!("{ns}: 6 TRUs (3,000 APS) → on-demand")),
        "{line}"
    );
    assert!(line.contains(", verified in "), "{line}");
    let after = namespace(&emu, &ns);
    assert_eq!(after["capacity"]["onDemand"], json!({}));
    assert_eq!(after["spec"]["capacitySpec"], json!({"onDemand": {}}));

    let out = tcap(&emu, &["verify", &ns, "--on-demand"]);
    expect_code(&out, 0);
    let out = tcap(&emu, &["verify", &ns, "--trus", "6"]);
    expect_code(&out, 3);
    assert_eq!(posts(&emu, &ns).len(), 2, "one POST per change");
}

#[test]
fn a_second_identical_change_says_already_and_sends_nothing() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    expect_code(&tcap(&emu, &["provision", &ns, "4"]), 0);
    assert_eq!(posts(&emu, &ns).len(), 1);

    let out = tcap(&emu, &["provision", &ns, "4"]);
    expect_code(&out, 0);
    let line = text(&out.stdout);
    assert!(
        line.contains("already") && line.contains("4 TRUs"),
        "{line}"
    );
    assert_eq!(posts(&emu, &ns).len(), 1, "no POST for a no-op");

    let out = tcap(&emu, &["provision", &ns, "4", "-o", "json"]);
    expect_code(&out, 0);
    let report = stdout_json(&out);
    assert_eq!(report["changed"], false);
    assert_eq!(report["verified"], true);
    assert_eq!(report["async_operation_id"], Value::Null);
    assert_eq!(report["errors"], json!([]));

    // Same for a revert of a namespace that is already On-Demand.
    let other = with_profile(&emu, "idle").remove(0);
    let out = tcap(&emu, &["revert", &other]);
    expect_code(&out, 0);
    assert!(
        text(&out.stdout).contains("already"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(all_posts(&emu), 1);
}

#[test]
fn the_post_sends_back_the_whole_stored_spec_with_only_the_capacity_replaced() {
    let emu = Emu::start();
    // An on-demand namespace provisioned, and an HA one (the richest spec) reverted.
    let cases = [
        (
            on_demand(&emu),
            Some("6"),
            json!({"provisioned": {"value": 6}}),
        ),
        (
            with_profile(&emu, "high-availability").remove(0),
            None,
            json!({"onDemand": {}}),
        ),
    ];
    for (ns, trus, capacity_spec) in cases {
        let before = namespace(&emu, &ns);
        assert_eq!(
            before["spec"]["futureSetting"],
            json!({"enabled": true, "level": 3}),
            "the emulator's unknown field"
        );
        let out = match trus {
            Some(trus) => tcap(&emu, &["provision", &ns, trus]),
            None => tcap(&emu, &["revert", &ns]),
        };
        expect_code(&out, 0);

        let sent = posts(&emu, &ns);
        assert_eq!(sent.len(), 1, "{ns}");
        assert_eq!(sent[0].status, 200);
        let body = sent[0].body.clone().expect("a JSON body");
        let mut expected_spec = before["spec"].clone();
        expected_spec["capacitySpec"] = capacity_spec;
        assert_eq!(body["spec"], expected_spec, "{ns}");
        assert_eq!(body["resourceVersion"], before["resourceVersion"], "{ns}");
        let op = body["asyncOperationId"].as_str().expect("asyncOperationId");
        assert!(is_uuid(op), "{op}");
        // The server kept what was sent, so nothing was lost on the way.
        let after = namespace(&emu, &ns);
        assert_eq!(after["spec"], expected_spec, "{ns}");
        assert_eq!(after["capacity"]["latestRequest"]["asyncOperationId"], op);
    }
}

/// Whether the real service refuses a stale version with 409 Aborted or 400
/// FailedPrecondition is not documented: both are re-read and retried alike.
#[test]
fn a_version_race_is_re_read_and_retried_with_the_same_operation_id() {
    for (as_400, refused) in [(false, 409), (true, 400)] {
        let emu = Emu::with(Config {
            stale_version_as_failed_precondition: as_400,
            ..common::config()
        });
        version_race_is_retried(&emu, refused);
    }
}

fn version_race_is_retried(emu: &Emu, refused: u16) {
    let ns = on_demand(emu);
    assert!(emu.server.race(&ns, 1));
    let out = tcap(emu, &["provision", &ns, "6", "-o", "json"]);
    expect_code(&out, 0);
    let report = stdout_json(&out);
    assert_eq!(report["verified"], true);

    let sent = posts(emu, &ns);
    let statuses: Vec<u16> = sent.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [refused, 200], "a stale version, then the retry");
    let id = |r: &RequestRecord| r.body.as_ref().unwrap()["asyncOperationId"].clone();
    assert_eq!(id(&sent[0]), id(&sent[1]));
    assert_eq!(id(&sent[1]), report["async_operation_id"]);
    let version = |r: &RequestRecord| r.body.as_ref().unwrap()["resourceVersion"].clone();
    assert_ne!(version(&sent[0]), version(&sent[1]), "the retry re-read it");
    assert_eq!(
        namespace(emu, &ns)["capacity"]["provisioned"]["currentValue"],
        6
    );
}

/// The reply to the POST is lost after the server applied it, and the server checks the
/// version before the operation id: the retry is refused as stale, and the request in progress
/// that tcap then reads is its own, so it waits for it instead of reporting a failure.
#[test]
fn a_retried_post_refused_as_stale_recognises_its_own_request() {
    for as_400 in [false, true] {
        let emu = Emu::with(Config {
            version_checked_first: true,
            stale_version_as_failed_precondition: as_400,
            apply_delay: Duration::from_secs(2),
            ..common::config()
        });
        let ns = on_demand(&emu);
        assert!(emu.server.drop_replies(&ns, 1));
        let out = tcap(&emu, &["provision", &ns, "6", "-o", "json"]);
        expect_code(&out, 0);
        let report = stdout_json(&out);
        assert_eq!(report["verified"], true, "{report}");
        assert_eq!(report["changed"], true, "{report}");
        let sent = posts(&emu, &ns);
        let accepted: Vec<&RequestRecord> = sent.iter().filter(|r| r.status == 200).collect();
        assert_eq!(accepted.len(), 1, "applied once: {sent:?}");
        assert_eq!(
            accepted[0].fault.as_deref(),
            Some("dropped_connection_after_apply")
        );
        assert!(
            sent.iter()
                .any(|r| r.status == if as_400 { 400 } else { 409 }),
            "the retry was refused as stale: {sent:?}"
        );
        let id = |r: &RequestRecord| r.body.as_ref().unwrap()["asyncOperationId"].clone();
        assert!(sent.iter().all(|r| id(r) == report["async_operation_id"]));
        assert_eq!(
            namespace(&emu, &ns)["capacity"]["provisioned"]["currentValue"],
            6
        );
    }
}

#[test]
fn a_namespace_that_keeps_changing_is_a_temporary_failure() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    assert!(emu.server.race(&ns, 100));
    let out = tcap(&emu, &["provision", &ns, "6"]);
    expect_code(&out, 75);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("kept changing"), "{stderr}");
    let sent = posts(&emu, &ns);
    assert_eq!(sent.len(), 5, "a bounded number of attempts");
    assert!(sent.iter().all(|r| r.status == 409));
}

#[test]
fn failed_rejected_and_cancelled_operations_exit_1_with_the_reason() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    for (how, reason) in [
        (
            FailNext::OperationFailed,
            "injected: the control plane fell over",
        ),
        (
            FailNext::OperationRejected,
            "injected: no TRUs left in the region",
        ),
        (
            FailNext::OperationCancelled,
            "injected: cancelled by support",
        ),
    ] {
        assert!(emu.server.fail_next(&ns, how, Some(reason.into())));
        let out = tcap(&emu, &["provision", &ns, "6"]);
        expect_code(&out, 1);
        let stderr = text(&out.stderr);
        assert!(stderr.contains(reason), "{how:?}: {stderr}");
        assert!(stderr.contains(&ns), "{how:?}: {stderr}");
        // Nothing changed, and the next change is not blocked.
        let after = namespace(&emu, &ns);
        assert_eq!(after["capacity"]["onDemand"], json!({}), "{how:?}");
    }
    assert_eq!(posts(&emu, &ns).len(), 3);

    // JSON still comes out on failure, with the reason among the errors.
    assert!(emu.server.fail_next(
        &ns,
        FailNext::OperationFailed,
        Some("injected: again".into())
    ));
    let out = tcap(&emu, &["provision", &ns, "6", "-o", "json"]);
    expect_code(&out, 1);
    let report = stdout_json(&out);
    assert_eq!(report["verified"], false);
    assert_eq!(report["changed"], true);
    assert!(is_uuid(report["async_operation_id"].as_str().unwrap()));
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report}");
    assert!(
        errors[0].as_str().unwrap().contains("injected: again"),
        "{report}"
    );
    assert_eq!(report["current"]["mode"], "on-demand", "{report}");
}

#[test]
fn a_failed_capacity_request_exits_1_and_so_does_retrying_it() {
    let emu = Emu::start();
    let ns = short_of_inventory(&emu);
    assert!(
        emu.server
            .fail_next(&ns, FailNext::CapacityRequestFailed, None)
    );
    let out = tcap(&emu, &["provision", &ns, "8"]);
    expect_code(&out, 1);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("capacity request failed"), "{stderr}");
    assert!(stderr.contains("4 TRUs"), "says what it is now: {stderr}");

    let out = tcap(&emu, &["verify", &ns, "--trus", "8"]);
    expect_code(&out, 3);
    assert!(
        text(&out.stderr).contains("failed"),
        "{}",
        text(&out.stderr)
    );

    // The server now wants 8 TRUs but has 4: the same request again is "nothing to change",
    // and must end with the failure, not wait out the timeout for a change that never comes
    // (an hour: the harness would stop the command long before).
    let out = tcap(&emu, &["provision", &ns, "8", "--wait-timeout", "1h"]);
    expect_code(&out, 1);
    assert!(
        text(&out.stderr).contains("capacity request failed"),
        "{}",
        text(&out.stderr)
    );
    let out = tcap(&emu, &["provision", &ns, "8", "-o", "json"]);
    expect_code(&out, 1);
    let report = stdout_json(&out);
    assert_eq!(report["changed"], false, "{report}");
    assert_eq!(report["verified"], false, "{report}");
    assert_eq!(
        report["async_operation_id"],
        Value::Null,
        "the server never saw an operation: {report}"
    );
    assert_eq!(
        report["current"],
        json!({"mode": "provisioned", "trus": 4, "request_state": "failed"})
    );
    let failed = posts(&emu, &ns);
    assert_eq!(failed.len(), 3);
    assert!(
        failed[1..].iter().all(|r| r.status == 400),
        "nothing to change"
    );

    // Another value still works.
    expect_code(&tcap(&emu, &["provision", &ns, "6"]), 0);
    expect_code(&tcap(&emu, &["verify", &ns, "--trus", "6"]), 0);
}

#[test]
fn a_wait_that_times_out_exits_75_with_what_was_seen_and_how_to_check() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    let out = tcap(&emu, &["provision", &ns, "6", "--wait-timeout", "1ms"]);
    expect_code(&out, 75);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("last seen: operation "), "{stderr}");
    assert!(stderr.contains("STATE_PENDING"), "{stderr}");
    assert!(
        stderr.contains(&format!("tcap verify {ns} --trus 6 --wait")),
        "{stderr}"
    );
    // The change was sent and completes on its own.
    assert_eq!(posts(&emu, &ns).len(), 1);
    expect_code(
        &tcap(&emu, &["verify", &ns, "--trus", "6", "--wait", "30s"]),
        0,
    );

    let slow = Emu::with(Config {
        apply_delay: Duration::from_secs(60),
        ..common::config()
    });
    let ns = with_profile(&slow, "provisioned-idle").remove(0);
    let out = slow
        .tcap()
        .args(["revert", &ns, "--wait-timeout", "2s", "-o", "json"])
        .output()
        .unwrap();
    // 75, not 0: the 60 s change did not complete within the 2 s asked for.
    expect_code(&out, 75);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("last seen: operation "), "{stderr}");
    assert!(
        stderr.contains(&format!("tcap verify {ns} --on-demand --wait")),
        "{stderr}"
    );
    let report = stdout_json(&out);
    assert_eq!(report["verified"], false);
    assert_eq!(report["current"]["request_state"], "in-progress");
    assert_eq!(report["errors"].as_array().unwrap().len(), 1);

    // verify says the request is still in flight.
    let out = slow
        .tcap()
        .args(["verify", &ns, "--on-demand"])
        .output()
        .unwrap();
    expect_code(&out, 3);
    assert!(
        text(&out.stderr).contains("in progress"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn bad_tru_values_exit_2_before_any_request() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    emu.server.clear_requests();
    for bad in ["0", "-2", "six", "2.5", ""] {
        let out = tcap(&emu, &["provision", &ns, bad]);
        expect_code(&out, 2);
        assert!(
            text(&out.stderr).contains("TRUS must be"),
            "{bad}: {}",
            text(&out.stderr)
        );
    }
    for bad in ["0", "-2", "six"] {
        expect_code(&tcap(&emu, &["verify", &ns, "--trus", bad]), 2);
    }
    assert!(
        emu.server.requests().is_empty(),
        "a parse error sends nothing"
    );
}

#[test]
fn tru_values_the_namespace_does_not_offer_exit_2_without_a_post() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    let out = tcap(&emu, &["provision", &ns, "5"]);
    expect_code(&out, 2);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("5 TRUs is not a valid value"), "{stderr}");
    assert!(stderr.contains("2, 3, 4, 6, 8, 10, 12"), "{stderr}");

    let busy = short_of_inventory(&emu);
    let out = tcap(&emu, &["provision", &busy, "10"]);
    expect_code(&out, 2);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("above the 8 TRUs available"), "{stderr}");
    assert!(stderr.contains("valid values: 2, 3, 4, 6, 8"), "{stderr}");
    assert_eq!(all_posts(&emu), 0);
    assert_eq!(
        namespace(&emu, &busy)["capacity"]["provisioned"]["currentValue"],
        4
    );
}

#[test]
fn unknown_and_malformed_namespaces() {
    let emu = Emu::start();
    let account = emu.server.account_id();
    let unknown = format!("no-such-ns.{account}");
    let out = tcap(&emu, &["provision", &unknown, "6"]);
    expect_code(&out, 1);
    assert!(
        text(&out.stderr).contains(&unknown),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stderr).contains("not found"));
    let out = tcap(&emu, &["verify", &unknown, "--on-demand"]);
    expect_code(&out, 1);
    assert!(
        text(&out.stderr).contains(&unknown),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(all_posts(&emu), 0);

    emu.server.clear_requests();
    for args in [
        vec!["provision", "nodot", "6"],
        vec!["revert", "nodot"],
        vec!["verify", "nodot", "--on-demand"],
    ] {
        let out = tcap(&emu, &args);
        expect_code(&out, 2);
        assert!(text(&out.stderr).contains("'nodot' is not a namespace ID"));
    }
    assert!(emu.server.requests().is_empty());
}

#[test]
fn refused_keys_exit_4() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    for (key, says) in [("wrong", "401"), (common::METRICS_KEY, "403")] {
        for args in [
            vec!["provision", ns.as_str(), "6"],
            vec!["revert", ns.as_str()],
            vec!["verify", ns.as_str(), "--on-demand"],
        ] {
            let out = emu
                .tcap()
                .args(&args)
                .env("TEMPORAL_CLOUD_API_KEY", key)
                .output()
                .unwrap();
            expect_code(&out, 4);
            let stderr = text(&out.stderr);
            assert!(stderr.contains(says), "{args:?}: {stderr}");
            assert!(stderr.contains("Cloud Ops API key"), "{stderr}");
        }
    }
    assert_eq!(all_posts(&emu), 0);
}

#[test]
fn dry_run_prints_the_plan_and_sends_nothing() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    let limit = capacity_info(&emu, &ns)["modeOptions"]["onDemand"]["apsLimit"]
        .as_f64()
        .unwrap();
    let out = tcap(&emu, &["provision", &ns, "6", "--dry-run"]);
    expect_code(&out, 0);
    let line = text(&out.stdout);
    assert!(line.contains(&ns), "{line}");
    assert!(
        line.contains(&format!(
            "on-demand (limit {} APS) → 6 TRUs (3,000 APS)",
            limit as i64
        )),
        "{line}"
    );
    assert!(line.contains("nothing sent"), "{line}");

    let busy = with_profile(&emu, "provisioned-busy").remove(0);
    let out = tcap(&emu, &["revert", &busy, "--dry-run", "-o", "json"]);
    expect_code(&out, 0);
    let report = stdout_json(&out);
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["changed"], false);
    assert_eq!(report["verified"], false);
    assert_eq!(
        report["previous"],
        json!({"mode": "provisioned", "trus": 4})
    );
    assert_eq!(
        report["requested"],
        json!({"mode": "on-demand", "trus": null})
    );
    assert!(
        report["message"]
            .as_str()
            .unwrap()
            .contains("4 TRUs (2,000 APS) → on-demand"),
        "{report}"
    );

    assert_eq!(all_posts(&emu), 0);
    assert_eq!(namespace(&emu, &ns)["capacity"]["onDemand"], json!({}));
}

#[test]
fn no_wait_returns_after_the_post_and_verify_wait_sees_it_through() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    let out = tcap(&emu, &["provision", &ns, "8", "--no-wait"]);
    expect_code(&out, 0);
    let line = text(&out.stdout);
    let op = posts(&emu, &ns)[0].body.as_ref().unwrap()["asyncOperationId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(line.contains(&format!("operation {op}")), "{line}");
    assert!(
        line.contains(&format!("tcap verify {ns} --trus 8")),
        "{line}"
    );
    // It did not wait: no operation poll.
    assert_eq!(emu.requests_to("GET", "/cloud/operations/"), 0);
    assert_eq!(
        namespace(&emu, &ns)["capacity"]["latestRequest"]["state"],
        "STATE_CAPACITY_REQUEST_IN_PROGRESS"
    );

    let out = tcap(
        &emu,
        &["verify", &ns, "--trus", "8", "--wait", "30s", "-o", "json"],
    );
    expect_code(&out, 0);
    let report = stdout_json(&out);
    assert_eq!(report["verified"], true);
    assert_eq!(report["async_operation_id"], op.as_str());
    assert_eq!(report["current"]["request_state"], "completed");
}

#[test]
fn a_capacity_request_in_progress_is_reported_not_overridden() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    let out = tcap(&emu, &["provision", &ns, "6", "--no-wait", "-o", "json"]);
    expect_code(&out, 0);
    let op = operation_id_of(&out);
    let report = stdout_json(&out);
    assert_eq!(report["changed"], true);
    assert_eq!(report["verified"], false);

    let out = tcap(&emu, &["provision", &ns, "4"]);
    expect_code(&out, 1);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("in progress"), "{stderr}");
    assert!(stderr.contains(&op), "{stderr}");
    let out = tcap(&emu, &["revert", &ns]);
    expect_code(&out, 1);
    assert!(text(&out.stderr).contains(&op));
    assert_eq!(posts(&emu, &ns).len(), 1, "no second POST");

    // Once it is done, the first change is what is in force.
    expect_code(
        &tcap(&emu, &["verify", &ns, "--trus", "6", "--wait", "30s"]),
        0,
    );
}

#[test]
fn json_of_provision_revert_and_verify_has_the_contract_fields() {
    let emu = Emu::start();
    let ns = on_demand(&emu);

    let out = tcap(&emu, &["provision", &ns, "6", "-o", "json"]);
    expect_code(&out, 0);
    let raw = text(&out.stdout);
    let report = stdout_json(&out);
    assert_eq!(report["namespace"], ns.as_str());
    assert_eq!(
        report["previous"],
        json!({"mode": "on-demand", "trus": null})
    );
    assert_eq!(
        report["requested"],
        json!({"mode": "provisioned", "trus": 6})
    );
    assert_eq!(
        report["current"],
        json!({"mode": "provisioned", "trus": 6, "request_state": "completed"})
    );
    assert!(report["requested"]["trus"].is_u64(), "6, not 6.0: {raw}");
    assert!(report["current"]["trus"].is_u64(), "6, not 6.0: {raw}");
    assert!(!raw.contains("6.0"), "{raw}");
    assert_eq!(report["changed"], true);
    assert_eq!(report["verified"], true);
    assert_eq!(report["errors"], json!([]));
    let op = operation_id_of(&out);
    let server = namespace(&emu, &ns);
    assert_eq!(
        server["capacity"]["latestRequest"]["asyncOperationId"],
        op.as_str()
    );
    assert!(report.get("expected").is_none(), "{report}");

    let out = tcap(&emu, &["verify", &ns, "--trus", "6", "-o", "json"]);
    expect_code(&out, 0);
    let report = stdout_json(&out);
    assert_eq!(report["namespace"], ns.as_str());
    assert_eq!(
        report["expected"],
        json!({"mode": "provisioned", "trus": 6})
    );
    assert_eq!(
        report["current"],
        json!({"mode": "provisioned", "trus": 6, "request_state": "completed"})
    );
    assert_eq!(report["changed"], false);
    assert_eq!(report["verified"], true);
    assert_eq!(report["async_operation_id"], op.as_str());
    assert_eq!(report["errors"], json!([]));

    // A mismatch: JSON on stdout, exit 3, the differences in `errors`.
    let out = tcap(&emu, &["verify", &ns, "--trus", "8", "-o", "json"]);
    expect_code(&out, 3);
    let report = stdout_json(&out);
    assert_eq!(
        report["expected"],
        json!({"mode": "provisioned", "trus": 8})
    );
    assert_eq!(report["current"]["trus"], 6);
    assert_eq!(report["verified"], false);
    assert_eq!(report["errors"], json!(["expected 8 TRUs, found 6 TRUs"]));

    let out = tcap(&emu, &["revert", &ns, "-o", "json"]);
    expect_code(&out, 0);
    let report = stdout_json(&out);
    assert_eq!(report["namespace"], ns.as_str());
    assert_eq!(
        report["previous"],
        json!({"mode": "provisioned", "trus": 6})
    );
    assert_eq!(
        report["requested"],
        json!({"mode": "on-demand", "trus": null})
    );
    assert_eq!(
        report["current"],
        json!({"mode": "on-demand", "trus": null, "request_state": "completed"})
    );
    assert_eq!(report["changed"], true);
    assert_eq!(report["verified"], true);
    assert_eq!(report["errors"], json!([]));
    let revert_op = operation_id_of(&out);
    assert_ne!(revert_op, op);

    let out = tcap(&emu, &["verify", &ns, "--on-demand", "-o", "json"]);
    expect_code(&out, 0);
    let report = stdout_json(&out);
    assert_eq!(
        report["expected"],
        json!({"mode": "on-demand", "trus": null})
    );
    assert_eq!(report["async_operation_id"], revert_op.as_str());

    // A namespace that never had a request: request_state and the operation are null.
    let idle = with_profile(&emu, "idle").remove(0);
    let out = tcap(&emu, &["verify", &idle, "--on-demand", "-o", "json"]);
    expect_code(&out, 0);
    let report = stdout_json(&out);
    assert_eq!(
        report["current"],
        json!({"mode": "on-demand", "trus": null, "request_state": null})
    );
    assert_eq!(report["async_operation_id"], Value::Null);
}

#[test]
fn revert_of_a_provisioned_idle_namespace_ends_on_demand() {
    let emu = Emu::start();
    let ns = with_profile(&emu, "provisioned-idle").remove(0);
    let before = namespace(&emu, &ns);
    assert_eq!(before["capacity"]["provisioned"]["currentValue"], 6);
    let limit = capacity_info(&emu, &ns)["modeOptions"]["onDemand"]["apsLimit"]
        .as_f64()
        .unwrap();

    let out = tcap(&emu, &["revert", &ns]);
    expect_code(&out, 0);
    let line = text(&out.stdout);
    assert!(
        line.starts_with(&format!(
            "{ns}: 6 TRUs (3,000 APS) → on-demand (limit {} APS), verified in ",
            limit as i64
        )),
        "{line}"
    );
    let after = namespace(&emu, &ns);
    assert_eq!(after["capacity"]["onDemand"], json!({}));
    assert!(after["capacity"].get("provisioned").is_none());
    assert_eq!(after["spec"]["capacitySpec"], json!({"onDemand": {}}));
    let sent = posts(&emu, &ns);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].body.as_ref().unwrap()["spec"]["capacitySpec"],
        json!({"onDemand": {}})
    );
    expect_code(&tcap(&emu, &["verify", &ns, "--on-demand"]), 0);
}

/// `-q` is for cron: a command that changes capacity says nothing when it worked, yet prints
/// the JSON document it was asked for; commands whose job is data still print it.
#[test]
fn quiet_prints_nothing_on_success_but_documents_and_data_still_print() {
    let emu = Emu::with(Config {
        apply_delay: Duration::from_millis(100),
        ..common::config()
    });
    let ns = on_demand(&emu);
    let later = (chrono::Utc::now() + chrono::Duration::hours(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let much_later = (chrono::Utc::now() + chrono::Duration::hours(3))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    for args in [
        vec!["provision", &ns, "2"],
        vec!["verify", &ns, "--trus", "2"],
        vec!["revert", &ns],
        vec!["verify", &ns, "--on-demand"],
        vec!["schedule-change", &ns, "2", "--duration", "1s"],
        vec!["changes", "resume", &ns],
        vec![
            "schedule-change",
            &ns,
            "2",
            "--start-time",
            &later,
            "--duration",
            "2h",
            "--no-progress",
        ],
    ] {
        // The last one waits for its start: it is interrupted below, then extended and cancelled.
        if args.contains(&"--start-time") {
            let mut child = emu
                .command()
                .args(["-q"])
                .args(&args)
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap();
            let state = emu.state_dir().join("changes").join(format!("{ns}.json"));
            let deadline = std::time::Instant::now() + Duration::from_secs(20);
            while !std::fs::read_to_string(&state).is_ok_and(|s| s.contains("waiting-for-start")) {
                assert!(
                    std::time::Instant::now() < deadline,
                    "never waited for its start"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            child.kill().unwrap();
            child.wait().unwrap();
            continue;
        }
        let out = emu.tcap().arg("-q").args(&args).output().unwrap();
        expect_code(&out, 0);
        assert_eq!(text(&out.stdout), "", "{args:?} printed on success");
        assert_eq!(text(&out.stderr), "", "{args:?} logged on success");
    }
    for args in [
        vec!["changes", "extend", &ns, "--end-time", &much_later],
        vec!["changes", "cancel", &ns],
    ] {
        let out = emu.tcap().arg("-q").args(&args).output().unwrap();
        expect_code(&out, 0);
        assert_eq!(text(&out.stdout), "", "{args:?} printed on success");
    }

    let out = emu
        .tcap()
        .args(["-q", "provision", &ns, "2", "-o", "json"])
        .output()
        .unwrap();
    expect_code(&out, 0);
    let report = stdout_json(&out);
    assert_eq!(report["verified"], true);
    // Always a number with a fraction, even for a change that was already in place (0.0).
    assert!(report["elapsed_seconds"].is_f64(), "{report}");
    assert!(
        report["elapsed_seconds"].to_string().contains('.'),
        "{report}"
    );
    let out = emu.tcap().args(["-q", "analyze"]).output().unwrap();
    expect_code(&out, 0);
    assert!(text(&out.stdout).contains(&ns), "analyze prints its table");
    // A failure still speaks.
    let out = emu
        .tcap()
        .args(["-q", "verify", &ns, "--trus", "4"])
        .output()
        .unwrap();
    expect_code(&out, 3);
    assert!(!text(&out.stderr).is_empty());
}

/// Waiting shows a spinner with the server's state and the time elapsed, on a terminal only.
#[test]
fn a_wait_shows_a_spinner_on_a_terminal_and_nothing_when_piped() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: `script` (util-linux) is needed to give tcap a terminal");
        return;
    }
    let emu = Emu::with(Config {
        apply_delay: Duration::from_millis(1500),
        ..common::config()
    });
    let ns = on_demand(&emu);
    let tcap_cmd = emu.command();
    let line = format!("{} provision {ns} 2", env!("CARGO_BIN_EXE_tcap"));
    let mut script = std::process::Command::new("script");
    script
        .args(["-qec", &line, "/dev/null"])
        .env_clear()
        .env("TERM", "xterm");
    for (k, v) in tcap_cmd.get_envs() {
        if let Some(v) = v {
            script.env(k, v);
        }
    }
    let out = script.output().unwrap();
    let shown = text(&out.stdout);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains(&format!("{ns}: applying 2 TRUs")) || shown.contains("waiting for 2 TRUs"),
        "no spinner on the terminal:\n{shown}"
    );

    let out = tcap(&emu, &["revert", &ns]);
    expect_code(&out, 0);
    let stderr = text(&out.stderr);
    assert!(
        !stderr.contains("applying"),
        "a spinner when piped:\n{stderr}"
    );
}
