//! `tcap schedule-change` and `tcap changes` against the emulator, over real HTTP, with the real
//! binary: full runs, kill -9 at every step boundary, the lock, late resumes, extend, cancel,
//! Slack alerts and the state file's privacy.

use crate::common;

use common::{expect_code, tcap, with_profile};

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use common::{ADMIN_KEY, Bg, Emu, stdout_json, text};
use serde_json::{Value, json};
use tcap::devserver::{Config, FailNext, RequestRecord};

// ---------------------------------------------------------------------------------------------
// Harness

/// An emulator whose capacity changes take `apply_delay`.
fn emu_with_delay(apply_delay: Duration) -> Emu {
    Emu::with(Config {
        apply_delay,
        ..common::config()
    })
}

fn on_demand(emu: &Emu) -> String {
    with_profile(emu, "on-demand-light").remove(0)
}

/// Capacity as the emulator holds it, or as a POST asked for it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Cap {
    OnDemand,
    Trus(f64),
}

fn cap_of(spec: &Value) -> Option<Cap> {
    if spec.get("onDemand").is_some() {
        return Some(Cap::OnDemand);
    }
    let provisioned = spec.get("provisioned")?;
    provisioned
        .get("value")
        .or_else(|| provisioned.get("currentValue"))
        .and_then(Value::as_f64)
        .map(Cap::Trus)
}

/// The capacity in force, once the latest request (if any) has completed.
fn capacity(emu: &Emu, ns: &str) -> Cap {
    let namespace = &emu.get(&format!("/cloud/namespaces/{ns}"))["namespace"];
    let state = &namespace["capacity"]["latestRequest"]["state"];
    assert!(
        state.is_null() || state == "STATE_CAPACITY_REQUEST_COMPLETED",
        "{ns}: the latest capacity request is {state}"
    );
    cap_of(&namespace["capacity"]).unwrap_or_else(|| panic!("{ns}: no capacity in {namespace}"))
}

/// Every UpdateNamespace the emulator received for `ns` asking for `cap`, whatever its answer.
fn posts_for(emu: &Emu, ns: &str, cap: Cap) -> Vec<RequestRecord> {
    let path = format!("/cloud/namespaces/{ns}");
    emu.server
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .filter(|r| {
            r.body
                .as_ref()
                .and_then(|b| cap_of(&b["spec"]["capacitySpec"]))
                == Some(cap)
        })
        .collect()
}

/// Every POST to the Cloud Ops API (Slack posts excluded).
fn all_posts(emu: &Emu) -> usize {
    emu.server
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/cloud/"))
        .count()
}

fn state_file(emu: &Emu, ns: &str) -> PathBuf {
    emu.state_dir().join("changes").join(format!("{ns}.json"))
}

/// The state file, or None while it does not exist.
fn read_state(emu: &Emu, ns: &str) -> Option<Value> {
    let bytes = fs::read(state_file(emu, ns)).ok()?;
    // Written atomically: it is always whole.
    Some(serde_json::from_slice(&bytes).expect("the state file is JSON"))
}

fn state(emu: &Emu, ns: &str) -> Value {
    read_state(emu, ns).unwrap_or_else(|| panic!("no state file for {ns}"))
}

/// Polls the state file until `done` holds for it.
#[track_caller]
fn wait_state(emu: &Emu, ns: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(s) = read_state(emu, ns)
            && done(&s)
        {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "{ns}: timed out waiting for {what}; state: {:?}",
            read_state(emu, ns)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[track_caller]
fn wait_step(emu: &Emu, ns: &str, step: &str) -> Value {
    wait_state(emu, ns, step, |s| s["step"] == step)
}

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("not a time: {v}")))
        .unwrap()
        .with_timezone(&Utc)
}

/// `--end-time` for `secs` from now, whole seconds.
fn end_in(secs: i64) -> (DateTime<Utc>, String) {
    let s =
        (Utc::now() + chrono::Duration::seconds(secs)).to_rfc3339_opts(SecondsFormat::Secs, true);
    (time(&json!(s)), s)
}

/// Starts a change in the background and kills it (-9) once the state file satisfies `at`.
fn kill_when(emu: &Emu, ns: &str, args: &[&str], what: &str, at: impl Fn(&Value) -> bool) -> Value {
    let mut run = Bg::spawn(emu, args);
    wait_state(emu, ns, what, at);
    run.kill9();
    assert!(!run.err().contains("panicked"), "stderr:\n{}", run.err());
    state(emu, ns)
}

/// The revert POSTs for `ns` to `cap`: exactly one, at or after `end`; returns its time.
#[track_caller]
fn one_revert_at_or_after(emu: &Emu, ns: &str, cap: Cap, end: DateTime<Utc>) -> DateTime<Utc> {
    let reverts = posts_for(emu, ns, cap);
    assert_eq!(reverts.len(), 1, "{ns}: one revert POST, got {reverts:#?}");
    assert!(
        reverts[0].at >= end,
        "{ns}: reverted at {}, before the end time {end}",
        reverts[0].at
    );
    reverts[0].at
}

// ---------------------------------------------------------------------------------------------
// Full runs

#[test]
fn a_full_run_provisions_waits_reverts_verifies_and_reports_every_field() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    let webhook = format!("{}/slack/webhook/T0TCAP/B0TCAP/full-run-s3cr3t", emu.url());
    let out = tcap(
        &emu,
        &[
            "schedule-change",
            &ns,
            "6",
            "--duration",
            "3s",
            "--slack-webhook-url",
            &webhook,
            "-o",
            "json",
        ],
    );
    expect_code(&out, 0);
    let report = stdout_json(&out);
    for field in [
        "namespace",
        "initial_change_success",
        "verification_success",
        "reverted_to_on_demand",
        "revert_verification_success",
        "errors",
        "previous",
        "requested",
        "reverted_to",
        "start_time",
        "end_time",
        "state_file",
    ] {
        assert!(report.get(field).is_some(), "missing {field}: {report:#}");
    }
    assert_eq!(report["namespace"], ns.as_str());
    assert_eq!(report["initial_change_success"], true);
    assert_eq!(report["verification_success"], true);
    assert_eq!(report["reverted_to_on_demand"], true);
    assert_eq!(report["revert_verification_success"], true);
    assert_eq!(report["errors"], json!([]));
    assert_eq!(
        report["previous"],
        json!({"mode": "on-demand", "trus": null})
    );
    assert_eq!(report["requested"]["mode"], "provisioned");
    assert_eq!(report["requested"]["trus"].as_f64(), Some(6.0));
    assert_eq!(
        report["reverted_to"],
        json!({"mode": "on-demand", "trus": null})
    );
    let start = time(&report["start_time"]);
    let end = time(&report["end_time"]);
    assert_eq!(end - start, chrono::Duration::seconds(3), "{report:#}");
    assert_eq!(
        Path::new(report["state_file"].as_str().unwrap()),
        state_file(&emu, &ns)
    );

    assert_eq!(capacity(&emu, &ns), Cap::OnDemand);
    let provisions = posts_for(&emu, &ns, Cap::Trus(6.0));
    assert_eq!(provisions.len(), 1, "{provisions:#?}");
    assert!(provisions[0].at < end);
    one_revert_at_or_after(&emu, &ns, Cap::OnDemand, end);
    assert_eq!(all_posts(&emu), 2, "nothing else was sent");

    let s = state(&emu, &ns);
    assert_eq!(s["step"], "done");
    assert_eq!(s["schema"], 1);

    // The info alert: the revert completed.
    let messages = emu.server.slack_messages();
    assert_eq!(messages.len(), 1, "{messages:#?}");
    let alert = messages[0]["text"].as_str().unwrap();
    assert!(alert.contains("INFO"), "{alert}");
    assert!(alert.contains(&ns), "{alert}");
    assert!(alert.contains("reverted to on-demand"), "{alert}");
    assert_eq!(s["alerts"][0]["level"], "info");
    assert_eq!(s["alerts"][0]["delivered"], true);

    assert_no_secrets(&emu, &out, &webhook);
}

#[test]
fn revert_to_previous_restores_the_trus_and_revert_to_on_demand_does_not() {
    let emu = Emu::start();
    let provisioned = with_profile(&emu, "provisioned-idle");
    let (keep, drop_to_od) = (&provisioned[0], &provisioned[1]);
    assert_eq!(capacity(&emu, keep), Cap::Trus(6.0));
    assert_eq!(capacity(&emu, drop_to_od), Cap::Trus(6.0));

    let mut previous = Bg::spawn(
        &emu,
        &[
            "schedule-change",
            keep,
            "10",
            "--duration",
            "2s",
            "-o",
            "json",
        ],
    );
    let mut to_on_demand = Bg::spawn(
        &emu,
        &[
            "schedule-change",
            drop_to_od,
            "10",
            "--duration",
            "2s",
            "--revert-to",
            "on-demand",
            "-o",
            "json",
        ],
    );
    previous.expect_success(Duration::from_secs(20));
    to_on_demand.expect_success(Duration::from_secs(20));

    let report: Value = serde_json::from_str(&previous.out()).unwrap();
    assert_eq!(report["previous"]["trus"].as_f64(), Some(6.0));
    assert_eq!(report["reverted_to"]["mode"], "provisioned");
    assert_eq!(report["reverted_to"]["trus"].as_f64(), Some(6.0));
    assert_eq!(capacity(&emu, keep), Cap::Trus(6.0));
    assert_eq!(posts_for(&emu, keep, Cap::Trus(10.0)).len(), 1);
    one_revert_at_or_after(&emu, keep, Cap::Trus(6.0), time(&report["end_time"]));
    assert!(posts_for(&emu, keep, Cap::OnDemand).is_empty());

    let report: Value = serde_json::from_str(&to_on_demand.out()).unwrap();
    assert_eq!(report["previous"]["trus"].as_f64(), Some(6.0));
    assert_eq!(
        report["reverted_to"],
        json!({"mode": "on-demand", "trus": null})
    );
    assert_eq!(capacity(&emu, drop_to_od), Cap::OnDemand);
    assert_eq!(posts_for(&emu, drop_to_od, Cap::Trus(10.0)).len(), 1);
    one_revert_at_or_after(&emu, drop_to_od, Cap::OnDemand, time(&report["end_time"]));
    assert!(posts_for(&emu, drop_to_od, Cap::Trus(6.0)).is_empty());
}

// ---------------------------------------------------------------------------------------------
// kill -9 at each step boundary, then the same command again

#[test]
fn killed_while_provisioning_after_the_post_resumes_without_a_second_post() {
    let emu = emu_with_delay(Duration::from_secs(2));
    let ns = on_demand(&emu);
    let args = [
        "schedule-change",
        &ns,
        "6",
        "--duration",
        "5s",
        "-o",
        "json",
    ];
    // Killed once the emulator has the POST: the change is under way on the server's side.
    let killed = kill_when(&emu, &ns, &args, "the provision POST", |s| {
        !s["provision"]["sent_at"].is_null() && posts_for(&emu, &ns, Cap::Trus(6.0)).len() == 1
    });
    assert_eq!(killed["step"], "provisioning", "{killed:#}");
    let end = time(&killed["plan"]["end_time"]);

    let out = tcap(&emu, &args);
    expect_code(&out, 0);
    let report = stdout_json(&out);
    assert_eq!(report["initial_change_success"], true);
    assert_eq!(report["verification_success"], true);
    assert_eq!(report["revert_verification_success"], true);
    assert_eq!(
        time(&report["end_time"]),
        end,
        "a resumed run keeps the recorded end time, it does not stretch the window"
    );
    let s = state(&emu, &ns);
    assert_eq!(s["step"], "done");
    assert_eq!(s["plan"]["end_time"], killed["plan"]["end_time"]);
    assert_eq!(
        s["provision"]["async_operation_id"],
        killed["provision"]["async_operation_id"]
    );

    assert_eq!(capacity(&emu, &ns), Cap::OnDemand);
    let provisions = posts_for(&emu, &ns, Cap::Trus(6.0));
    assert_eq!(
        provisions.len(),
        1,
        "no second provision POST: {provisions:#?}"
    );
    one_revert_at_or_after(&emu, &ns, Cap::OnDemand, end);
}

#[test]
fn killed_while_waiting_for_the_end_resumes_with_the_same_command_or_changes_resume() {
    let emu = Emu::start();
    let namespaces = with_profile(&emu, "on-demand-light");
    let (same, resume) = (&namespaces[0], &namespaces[1]);
    let (end, end_arg) = end_in(4);
    let args_same = ["schedule-change", same, "6", "--end-time", &end_arg];
    let args_resume = ["schedule-change", resume, "6", "--end-time", &end_arg];
    let mut a = Bg::spawn(&emu, &args_same);
    let mut b = Bg::spawn(&emu, &args_resume);
    wait_step(&emu, same, "waiting-for-end");
    wait_step(&emu, resume, "waiting-for-end");
    a.kill9();
    b.kill9();
    assert_eq!(capacity(&emu, same), Cap::Trus(6.0));

    let mut a = Bg::spawn(&emu, &args_same);
    let mut b = Bg::spawn(&emu, &["changes", "resume", resume]);
    a.expect_success(Duration::from_secs(20));
    b.expect_success(Duration::from_secs(20));
    assert!(a.err().contains("resuming"), "{}", a.err());

    for ns in [same, resume] {
        let s = state(&emu, ns);
        assert_eq!(s["step"], "done", "{ns}");
        assert_eq!(
            time(&s["plan"]["end_time"]),
            end,
            "{ns}: the window is not stretched"
        );
        assert_eq!(capacity(&emu, ns), Cap::OnDemand, "{ns}");
        assert_eq!(posts_for(&emu, ns, Cap::Trus(6.0)).len(), 1, "{ns}");
        let reverted = one_revert_at_or_after(&emu, ns, Cap::OnDemand, end);
        assert!(
            reverted < end + chrono::Duration::seconds(2),
            "{ns}: reverted at {reverted}, long after the end time {end}"
        );
    }
}

#[test]
fn sigterm_and_ctrl_c_stop_cleanly_keep_the_state_and_exit_130() {
    let emu = Emu::start();
    let namespaces = with_profile(&emu, "on-demand-light");
    for (ns, signal) in [(&namespaces[0], "-TERM"), (&namespaces[1], "-INT")] {
        let (_, end_arg) = end_in(60);
        let args = ["schedule-change", ns, "6", "--end-time", &end_arg];
        let mut run = Bg::spawn(&emu, &args);
        wait_step(&emu, ns, "waiting-for-end");
        let sent = std::process::Command::new("kill")
            .args([signal, &run.pid().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = run.wait(Duration::from_secs(20));
        assert_eq!(status.code(), Some(130), "{signal}: {}", run.err());
        let err = run.err();
        assert!(err.contains(&format!("tcap changes resume {ns}")), "{err}");
        assert!(err.contains("tcap changes cancel"), "{err}");
        // The state is kept as it was, and the lock is free for the resume.
        assert_eq!(state(&emu, ns)["step"], "waiting-for-end");
        let list = list_json(&emu);
        let listed = list.iter().find(|c| c["namespace"] == ns.as_str()).unwrap();
        assert_eq!(listed["status"], "interrupted", "{listed}");
    }
}

#[test]
fn killed_while_reverting_after_the_post_resumes_without_a_second_revert_then_refuses_to_redo() {
    let emu = emu_with_delay(Duration::from_secs(2));
    let ns = on_demand(&emu);
    let (end, end_arg) = end_in(3);
    let args = ["schedule-change", &ns, "6", "--end-time", &end_arg];
    let killed = kill_when(&emu, &ns, &args, "the revert POST", |s| {
        !s["revert"]["sent_at"].is_null() && posts_for(&emu, &ns, Cap::OnDemand).len() == 1
    });
    assert_eq!(killed["step"], "reverting", "{killed:#}");

    // The end time has passed by now: the same command still resumes the recorded change.
    let out = tcap(&emu, &args);
    expect_code(&out, 0);
    let s = state(&emu, &ns);
    assert_eq!(s["step"], "done", "{s:#}");
    assert_eq!(time(&s["plan"]["end_time"]), end);
    assert_eq!(s["outcome"]["revert_verification_success"], true);
    assert_eq!(capacity(&emu, &ns), Cap::OnDemand);
    assert_eq!(posts_for(&emu, &ns, Cap::Trus(6.0)).len(), 1);
    one_revert_at_or_after(&emu, &ns, Cap::OnDemand, end);

    // Done: the same command again starts nothing (its window is over), nor does a resume.
    let before = emu.server.requests().len();
    let out = tcap(&emu, &args);
    expect_code(&out, 2);
    assert!(text(&out.stderr).contains("past"), "{}", text(&out.stderr));
    // Already done is success, as the README's exit codes say, for resume and cancel alike.
    for again in [
        vec!["changes", "resume", &ns],
        vec!["changes", "cancel", &ns],
    ] {
        let out = tcap(&emu, &again);
        expect_code(&out, 0);
        assert!(
            text(&out.stdout).contains("already done; nothing to do"),
            "{again:?}: {}",
            text(&out.stdout)
        );
    }
    let out = tcap(&emu, &["changes", "resume", &ns, "-o", "json"]);
    expect_code(&out, 0);
    assert_eq!(stdout_json(&out)["step"], "done");
    let after = emu.server.requests();
    assert!(
        after[before..].iter().all(|r| r.method != "POST"),
        "{:#?}",
        &after[before..]
    );
    assert_eq!(state(&emu, &ns), s, "the finished record is left as it was");
}

#[test]
fn an_end_time_that_passed_while_nothing_ran_reverts_at_once_and_says_how_late() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    let (end, end_arg) = end_in(2);
    let args = ["schedule-change", &ns, "6", "--end-time", &end_arg];
    kill_when(&emu, &ns, &args, "waiting-for-end", |s| {
        s["step"] == "waiting-for-end"
    });
    while Utc::now() < end + chrono::Duration::milliseconds(2500) {
        std::thread::sleep(Duration::from_millis(50));
    }

    let rerun = Utc::now();
    let out = tcap(&emu, &args);
    expect_code(&out, 0);
    let reverted = one_revert_at_or_after(&emu, &ns, Cap::OnDemand, end);
    assert!(
        reverted - rerun < chrono::Duration::seconds(2),
        "reverted at {reverted}, not at once after {rerun}"
    );
    assert_eq!(capacity(&emu, &ns), Cap::OnDemand);
    assert_eq!(posts_for(&emu, &ns, Cap::Trus(6.0)).len(), 1);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&end_arg) && stderr.contains("s ago"),
        "stderr does not say how late the revert is:\n{stderr}"
    );
}

/// Cron runs the same command every night. Yesterday's run was killed while the boost was on
/// and nobody resumed it; tonight's must not adopt that record (it would revert at once and
/// report the boost as held): it reverts the leftover boost, says so, then runs its own window.
#[test]
fn a_nightly_run_after_an_interrupted_one_finishes_that_one_then_runs_its_own_window() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    let nightly = [
        "schedule-change",
        &ns,
        "6",
        "--duration",
        "3s",
        "-o",
        "json",
    ];
    let yesterday = kill_when(&emu, &ns, &nightly, "waiting-for-end", |s| {
        s["step"] == "waiting-for-end"
    });
    let old_end = time(&yesterday["plan"]["end_time"]);
    while Utc::now() < old_end + chrono::Duration::milliseconds(500) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(capacity(&emu, &ns), Cap::Trus(6.0), "the boost was left on");

    let tonight = Utc::now();
    let out = tcap(&emu, &nightly);
    expect_code(&out, 0);
    let report = stdout_json(&out);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("interrupted") && stderr.contains("finishing it before this one"),
        "the old record is finished out loud:\n{stderr}"
    );
    // Tonight's own window, not yesterday's.
    let start = time(&report["start_time"]);
    let end = time(&report["end_time"]);
    assert!(start >= tonight - chrono::Duration::seconds(1), "{report}");
    assert_eq!(end - start, chrono::Duration::seconds(3), "{report}");
    assert_eq!(report["initial_change_success"], true);
    assert_eq!(report["verification_success"], true);
    assert_eq!(
        report["reverted_to"],
        json!({"mode": "on-demand", "trus": null})
    );
    assert_eq!(
        report["previous"]["mode"], "on-demand",
        "not the leftover boost"
    );
    let first = &report["finished_first"];
    assert_eq!(time(&first["end_time"]), old_end, "{report}");
    assert_eq!(first["reverted_to"]["mode"], "on-demand", "{report}");

    // Revert of yesterday's boost, then tonight's boost held to its end and reverted.
    let boosts = posts_for(&emu, &ns, Cap::Trus(6.0));
    let reverts = posts_for(&emu, &ns, Cap::OnDemand);
    assert_eq!(
        (boosts.len(), reverts.len()),
        (2, 2),
        "{boosts:#?}\n{reverts:#?}"
    );
    assert!(reverts[0].at < boosts[1].at && boosts[1].at < reverts[1].at);
    assert!(reverts[1].at >= end, "tonight's boost held to {end}");
    assert_eq!(capacity(&emu, &ns), Cap::OnDemand);
}

/// A run killed while waiting for its start and resumed after its end: the boost never held,
/// so nothing is sent and the exit says so (3), whether the same command names the recorded
/// end time or `tcap changes resume` picks it up.
#[test]
fn a_window_that_passed_before_the_change_started_is_never_applied_and_exits_3() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    for resume in ["same command", "changes resume"] {
        let (_, start_arg) = end_in(2);
        let (end, end_arg) = end_in(3);
        let args = [
            "schedule-change",
            &ns,
            "6",
            "--start-time",
            &start_arg,
            "--end-time",
            &end_arg,
        ];
        kill_when(&emu, &ns, &args, "waiting-for-start", |s| {
            s["step"] == "waiting-for-start"
        });
        while Utc::now() < end + chrono::Duration::milliseconds(200) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let posts = all_posts(&emu);
        let out = match resume {
            "same command" => tcap(&emu, &[&args[..], &["-o", "json"]].concat()),
            _ => tcap(&emu, &["changes", "resume", &ns, "-o", "json"]),
        };
        expect_code(&out, 3);
        let report = stdout_json(&out);
        assert_eq!(report["window_missed"], true, "{resume}: {report}");
        assert_eq!(report["initial_change_success"], false);
        assert_eq!(report["reverted_to"], Value::Null);
        assert_eq!(report["step"], "failed");
        assert!(
            text(&out.stderr).contains("passed while nothing ran"),
            "{resume}: {}",
            text(&out.stderr)
        );
        assert_eq!(all_posts(&emu), posts, "{resume}: nothing sent");
        assert_eq!(capacity(&emu, &ns), Cap::OnDemand);
    }
}

/// `--duration 0s` is not a window; it used to be reported as an end time in the past.
#[test]
fn a_zero_duration_says_the_duration_must_be_positive() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    let out = tcap(&emu, &["schedule-change", &ns, "6", "--duration", "0s"]);
    expect_code(&out, 2);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("--duration must be positive"), "{stderr}");
    assert_eq!(all_posts(&emu), 0);
}

/// A provisioned namespace whose boost run was interrupted after its end time: the state file
/// of a change waiting for its end, written as tcap writes it.
fn interrupted_boost(emu: &Emu, ns: &str) {
    let trus = emu.get(&format!("/cloud/namespaces/{ns}"))["namespace"]["capacity"]["provisioned"]
        ["currentValue"]
        .clone();
    assert!(trus.is_number(), "{ns} is provisioned");
    let at = |mins: i64| (Utc::now() - chrono::Duration::minutes(mins)).to_rfc3339();
    let state = json!({
        "schema": 1,
        "plan": {
            "namespace": ns, "trus": trus, "start_time": at(90), "end_time": at(1),
            "revert_to": "previous", "capacity_before": {"mode": "on-demand", "trus": null}
        },
        "step": "waiting-for-end",
        "provision": {"async_operation_id": uuid::Uuid::new_v4().to_string(), "sent_at": at(90), "confirmed_at": at(89)},
        "revert": {"async_operation_id": null, "sent_at": null, "confirmed_at": null},
        "outcome": {"initial_change_success": true, "verification_success": true,
                    "reverted_to_on_demand": false, "revert_verification_success": false},
        "errors": [], "alerts": [],
        "created_at": at(90), "updated_at": at(89), "finished_at": null
    });
    fs::create_dir_all(state_file(emu, ns).parent().unwrap()).unwrap();
    fs::write(
        state_file(emu, ns),
        serde_json::to_vec_pretty(&state).unwrap(),
    )
    .unwrap();
}

fn provisioned_namespaces(emu: &Emu, n: usize) -> Vec<String> {
    let mut found = with_profile(emu, "provisioned-busy");
    found.extend(with_profile(emu, "provisioned-idle"));
    assert!(found.len() >= n, "{found:?}");
    found.truncate(n);
    found
}

/// `changes resume --all` leaves a change another process runs to it (exit 0, and says so)
/// and never has more than `--max-concurrent-changes` capacity changes in flight.
#[test]
fn resume_all_skips_what_another_process_runs_and_keeps_to_max_concurrent_changes() {
    let emu = Emu::with(Config {
        apply_delay: Duration::from_millis(1500),
        namespaces: 24,
        ..common::config()
    });
    let running = on_demand(&emu);
    let mut run = Bg::spawn(
        &emu,
        &["schedule-change", &running, "6", "--duration", "60s"],
    );
    wait_step(&emu, &running, "waiting-for-end");

    // Alone, the running change is skipped: not an exit 75.
    let out = tcap(&emu, &["changes", "resume", "--all"]);
    expect_code(&out, 0);
    let said = text(&out.stdout);
    assert!(
        said.contains(&format!(
            "{running}: skipped: running in another process (PID {})",
            run.pid()
        )),
        "{said}"
    );

    let interrupted = provisioned_namespaces(&emu, 4);
    for ns in &interrupted {
        interrupted_boost(&emu, ns);
    }
    let out = tcap(
        &emu,
        &[
            "changes",
            "resume",
            "--all",
            "--max-concurrent-changes",
            "2",
            "-o",
            "json",
        ],
    );
    expect_code(&out, 0);
    let report = stdout_json(&out);
    let rows = report.as_array().unwrap();
    assert_eq!(rows.len(), 5, "{report:#}");
    for row in rows {
        let ns = row["namespace"].as_str().unwrap();
        if ns == running {
            assert_eq!(row["status"], "skipped");
            assert_eq!(row["running_pid"], run.pid());
        } else {
            assert_eq!(row["status"], "resumed", "{row}");
            assert_eq!(row["result"]["reverted_to"]["mode"], "on-demand", "{row}");
            assert_eq!(row["result"]["revert_verification_success"], true, "{row}");
            assert_eq!(capacity(&emu, ns), Cap::OnDemand);
        }
    }
    let stats = emu.server.stats();
    assert_eq!(stats.peak_operations_in_flight, 2, "{stats:?}");
    assert_eq!(stats.too_many_operations, 0);
    assert_eq!(
        capacity(&emu, &running),
        Cap::Trus(6.0),
        "left to its process"
    );
    run.kill9();
}

/// Past the account's limit of concurrent operations (here 2, shared with others) the
/// emulator answers 429 code 8; tcap retries like any 429, with the same asyncOperationId,
/// and every change is applied once.
#[test]
fn resume_all_past_the_accounts_operation_limit_retries_with_the_same_operation_id() {
    let emu = Emu::with(Config {
        apply_delay: Duration::from_millis(1000),
        namespaces: 24,
        max_concurrent_operations: 2,
        ..common::config()
    });
    let interrupted = provisioned_namespaces(&emu, 4);
    for ns in &interrupted {
        interrupted_boost(&emu, ns);
    }
    let out = tcap(&emu, &["changes", "resume", "--all"]);
    expect_code(&out, 0);
    let stats = emu.server.stats();
    assert!(stats.too_many_operations > 0, "{stats:?}");
    assert!(stats.peak_operations_in_flight <= 2, "{stats:?}");
    for ns in &interrupted {
        assert_eq!(capacity(&emu, ns), Cap::OnDemand, "{ns}");
        let posts = posts_for(&emu, ns, Cap::OnDemand);
        assert_eq!(
            posts.iter().filter(|p| p.status == 200).count(),
            1,
            "{posts:#?}"
        );
        assert!(
            posts.iter().all(|p| p.status == 200 || p.status == 429),
            "{posts:#?}"
        );
        let id = &posts[0].body.as_ref().unwrap()["asyncOperationId"];
        assert!(
            posts
                .iter()
                .all(|p| &p.body.as_ref().unwrap()["asyncOperationId"] == id)
        );
    }
    let refused = emu
        .server
        .requests()
        .into_iter()
        .find(|r| r.status == 429)
        .expect("a 429");
    assert_eq!(refused.method, "POST");
}

// ---------------------------------------------------------------------------------------------
// One run per namespace; one plan per namespace

#[test]
fn a_second_run_of_the_same_namespace_is_refused_with_75_naming_the_pid() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    let args = ["schedule-change", &ns, "6", "--duration", "3s"];
    let mut first = Bg::spawn(&emu, &args);
    wait_step(&emu, &ns, "waiting-for-end");

    let pid = format!("PID {}", first.pid());
    for second in [args.to_vec(), vec!["changes", "resume", &ns]] {
        let out = tcap(&emu, &second);
        expect_code(&out, 75);
        assert!(text(&out.stderr).contains(&pid), "{}", text(&out.stderr));
    }

    first.expect_success(Duration::from_secs(20));
    assert_eq!(posts_for(&emu, &ns, Cap::Trus(6.0)).len(), 1);
    assert_eq!(posts_for(&emu, &ns, Cap::OnDemand).len(), 1);
    assert_eq!(state(&emu, &ns)["step"], "done");
}

#[test]
fn a_different_plan_for_an_unfinished_change_is_refused_naming_tcap_changes() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    let (_, end_arg) = end_in(60);
    let args = ["schedule-change", &ns, "6", "--end-time", &end_arg];
    let killed = kill_when(&emu, &ns, &args, "waiting-for-end", |s| {
        s["step"] == "waiting-for-end"
    });
    let posts = all_posts(&emu);

    let (_, other_end) = end_in(120);
    for other in [
        vec!["schedule-change", &ns, "8", "--end-time", &end_arg],
        vec!["schedule-change", &ns, "6", "--end-time", &other_end],
        vec![
            "schedule-change",
            &ns,
            "6",
            "--end-time",
            &end_arg,
            "--revert-to",
            "on-demand",
        ],
        vec!["schedule-change", &ns, "6"],
    ] {
        let out = tcap(&emu, &other);
        expect_code(&out, 2);
        let stderr = text(&out.stderr);
        assert!(stderr.contains("tcap changes"), "{other:?}: {stderr}");
        assert!(stderr.contains("unfinished"), "{other:?}: {stderr}");
    }
    assert_eq!(all_posts(&emu), posts, "nothing sent");
    assert_eq!(state(&emu, &ns), killed, "the record is untouched");
}

// ---------------------------------------------------------------------------------------------
// tcap changes list | extend | cancel

fn list_json(emu: &Emu) -> Vec<Value> {
    let out = tcap(emu, &["changes", "list", "-o", "json"]);
    expect_code(&out, 0);
    stdout_json(&out).as_array().cloned().expect("an array")
}

#[test]
fn extend_moves_the_revert_of_a_running_change_and_list_shows_it_running_then_finished() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    let (old_end, old_arg) = end_in(3);
    let mut run = Bg::spawn(&emu, &["schedule-change", &ns, "6", "--end-time", &old_arg]);
    wait_step(&emu, &ns, "waiting-for-end");

    let rows = list_json(&emu);
    assert_eq!(rows.len(), 1, "{rows:#?}");
    let row = &rows[0];
    assert_eq!(row["namespace"], ns.as_str());
    assert_eq!(row["trus"], 6);
    assert_eq!(row["step"], "waiting-for-end");
    assert_eq!(row["running_pid"], run.pid());
    assert_eq!(row["status"], format!("running (PID {})", run.pid()));
    assert_eq!(time(&row["end_time"]), old_end);
    assert_eq!(row["revert_to"], "previous");
    let table = text(&tcap(&emu, &["changes", "list"]).stdout);
    assert!(
        table.lines().any(|l| l.starts_with(&ns)
            && l.contains("waiting-for-end")
            && l.trim_end()
                .ends_with(&format!("running (PID {})", run.pid()))),
        "one line per change:\n{table}"
    );

    let new_end = old_end + chrono::Duration::seconds(3);
    let new_arg = new_end.to_rfc3339_opts(SecondsFormat::Secs, true);
    let out = tcap(&emu, &["changes", "extend", &ns, "--end-time", &new_arg]);
    expect_code(&out, 0);
    assert!(
        text(&out.stdout).contains(&format!("PID {}", run.pid())),
        "{}",
        text(&out.stdout)
    );

    run.expect_success(Duration::from_secs(20));
    let reverted = one_revert_at_or_after(&emu, &ns, Cap::OnDemand, new_end);
    assert!(
        reverted < new_end + chrono::Duration::seconds(2),
        "{reverted}"
    );
    assert_eq!(time(&state(&emu, &ns)["plan"]["end_time"]), new_end);

    let rows = list_json(&emu);
    assert_eq!(rows[0]["status"], "finished");
    assert_eq!(rows[0]["step"], "done");
    assert_eq!(rows[0]["running_pid"], Value::Null);
    assert_eq!(time(&rows[0]["end_time"]), new_end);
}

#[test]
fn an_earlier_end_time_is_picked_up_by_a_running_change_too() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    let (_, far) = end_in(120);
    let mut run = Bg::spawn(&emu, &["schedule-change", &ns, "6", "--end-time", &far]);
    wait_step(&emu, &ns, "waiting-for-end");

    let (new_end, new_arg) = end_in(2);
    let out = tcap(&emu, &["changes", "extend", &ns, "--end-time", &new_arg]);
    expect_code(&out, 0);
    run.expect_success(Duration::from_secs(15));
    let reverted = one_revert_at_or_after(&emu, &ns, Cap::OnDemand, new_end);
    assert!(
        reverted < new_end + chrono::Duration::seconds(2),
        "{reverted}"
    );
}

#[test]
fn cancel_revert_now_reverts_a_running_change_and_an_interrupted_one() {
    let emu = Emu::start();
    let namespaces = with_profile(&emu, "on-demand-light");
    let (running, interrupted) = (&namespaces[0], &namespaces[1]);
    let (end, end_arg) = end_in(120);
    let mut run = Bg::spawn(
        &emu,
        &["schedule-change", running, "6", "--end-time", &end_arg],
    );
    kill_when(
        &emu,
        interrupted,
        &["schedule-change", interrupted, "6", "--end-time", &end_arg],
        "waiting-for-end",
        |s| s["step"] == "waiting-for-end",
    );
    wait_step(&emu, running, "waiting-for-end");

    // Running: the runner picks the request up within a slice and reverts.
    let asked = Utc::now();
    let out = tcap(&emu, &["changes", "cancel", running, "--revert-now"]);
    expect_code(&out, 0);
    assert!(
        text(&out.stdout).contains(&format!("PID {}", run.pid())),
        "{}",
        text(&out.stdout)
    );
    run.expect_success(Duration::from_secs(10));
    assert_eq!(capacity(&emu, running), Cap::OnDemand);
    let reverts = posts_for(&emu, running, Cap::OnDemand);
    assert_eq!(reverts.len(), 1);
    assert!(reverts[0].at - asked < chrono::Duration::seconds(2));
    assert!(reverts[0].at < end);
    assert_eq!(
        state(&emu, running)["outcome"]["revert_verification_success"],
        true
    );

    // Interrupted: the cancel command reverts by itself.
    assert_eq!(capacity(&emu, interrupted), Cap::Trus(6.0));
    let out = tcap(&emu, &["changes", "cancel", interrupted, "--revert-now"]);
    expect_code(&out, 0);
    assert_eq!(capacity(&emu, interrupted), Cap::OnDemand);
    assert_eq!(posts_for(&emu, interrupted, Cap::OnDemand).len(), 1);
    assert_eq!(posts_for(&emu, interrupted, Cap::Trus(6.0)).len(), 1);
    let s = state(&emu, interrupted);
    assert_eq!(s["step"], "done");
    assert_eq!(s["outcome"]["revert_verification_success"], true);

    // Nothing is left to resume.
    let rows = list_json(&emu);
    assert!(rows.iter().all(|r| r["status"] == "finished"), "{rows:#?}");
}

#[test]
fn plain_cancel_marks_the_change_cancelled_and_leaves_the_trus() {
    let emu = Emu::start();
    let namespaces = with_profile(&emu, "on-demand-light");
    let (running, interrupted) = (&namespaces[0], &namespaces[1]);
    let (_, end_arg) = end_in(120);
    let mut run = Bg::spawn(
        &emu,
        &["schedule-change", running, "6", "--end-time", &end_arg],
    );
    kill_when(
        &emu,
        interrupted,
        &["schedule-change", interrupted, "6", "--end-time", &end_arg],
        "waiting-for-end",
        |s| s["step"] == "waiting-for-end",
    );
    wait_step(&emu, running, "waiting-for-end");

    let out = tcap(&emu, &["changes", "cancel", interrupted]);
    expect_code(&out, 0);
    let said = text(&out.stdout);
    assert!(
        said.contains("change cancelled")
            && said.contains("holds 6 TRUs now")
            && said.contains(&format!(
                "`tcap revert {interrupted}` reverts it to on-demand"
            )),
        "{said}"
    );
    assert_eq!(state(&emu, interrupted)["step"], "cancelled");

    // A running change: it stops, and the cancel says what is held, in JSON and to Slack.
    let webhook = format!("{}/slack/webhook", emu.url());
    let out = emu
        .tcap()
        .args(["changes", "cancel", running, "-o", "json"])
        .env("SLACK_WEBHOOK_URL", &webhook)
        .output()
        .unwrap();
    expect_code(&out, 0);
    let report = stdout_json(&out);
    assert_eq!(report["cancelled"], true, "{report}");
    assert_eq!(report["stopped"], true, "{report}");
    assert_eq!(report["running_pid"], run.pid(), "{report}");
    assert_eq!(report["holds"], json!({"mode": "provisioned", "trus": 6}));
    assert_eq!(
        report["revert_to"],
        json!({"mode": "on-demand", "trus": null})
    );
    assert_eq!(report["revert_command"], format!("tcap revert {running}"));
    let slack = emu.server.slack_messages();
    let told = slack.last().map(|m| m.to_string()).unwrap_or_default();
    assert!(
        told.contains(running.as_str()) && told.contains(&format!("tcap revert {running}")),
        "{slack:#?}"
    );
    run.expect_success(Duration::from_secs(10));
    assert!(
        run.out().contains("cancelled: the namespace keeps 6 TRUs")
            && run.out().contains(&format!("`tcap revert {running}`")),
        "{}",
        run.out()
    );
    assert_eq!(state(&emu, running)["step"], "cancelled");

    for ns in [running, interrupted] {
        assert_eq!(capacity(&emu, ns), Cap::Trus(6.0), "{ns}: the TRUs stay");
        assert!(posts_for(&emu, ns, Cap::OnDemand).is_empty(), "{ns}");
    }
    let rows = list_json(&emu);
    assert!(rows.iter().all(|r| r["status"] == "finished"), "{rows:#?}");
    // A cancelled change is not resumed.
    let out = tcap(&emu, &["changes", "resume", "--all"]);
    expect_code(&out, 0);
    assert!(posts_for(&emu, running, Cap::OnDemand).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Slack alerts

#[test]
fn a_failed_provision_operation_is_tried_again_with_a_new_request() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    assert!(emu.server.fail_next(
        &ns,
        FailNext::OperationFailed,
        Some("no capacity left in aws-test-1".into())
    ));
    let out = tcap(&emu, &["schedule-change", &ns, "6", "-o", "json"]);
    expect_code(&out, 0);
    let report = stdout_json(&out);
    assert_eq!(report["initial_change_success"], true);
    let posts = posts_for(&emu, &ns, Cap::Trus(6.0));
    assert_eq!(posts.len(), 2, "the failed request, then a new one");
    let id = |r: &RequestRecord| r.body.as_ref().unwrap()["asyncOperationId"].clone();
    assert_ne!(
        id(&posts[0]),
        id(&posts[1]),
        "a new request gets a new operation id"
    );
    let namespace = &emu.get(&format!("/cloud/namespaces/{ns}"))["namespace"];
    assert_eq!(cap_of(&namespace["capacity"]), Some(Cap::Trus(6.0)));
}

#[test]
fn a_provision_that_keeps_failing_exits_1_with_a_critical_alert_naming_namespace_step_and_error() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    // Someone else edits the namespace after every read: no update can land.
    assert!(emu.server.race(&ns, 10_000));
    let webhook = format!("{}/slack/webhook", emu.url());
    let out = tcap(
        &emu,
        &[
            "schedule-change",
            &ns,
            "6",
            "--duration",
            "1h",
            "--slack-webhook-url",
            &webhook,
            "-o",
            "json",
        ],
    );
    expect_code(&out, 1);
    let report = stdout_json(&out);
    assert_eq!(report["initial_change_success"], false);
    assert_eq!(report["reverted_to_on_demand"], false);
    assert!(
        !report["errors"].as_array().unwrap().is_empty(),
        "{report:#}"
    );

    let messages = emu.server.slack_messages();
    assert_eq!(messages.len(), 1, "{messages:#?}");
    let alert = messages[0]["text"].as_str().unwrap();
    for part in ["CRITICAL", ns.as_str(), "provisioning", "kept changing"] {
        assert!(alert.contains(part), "{part:?} not in {alert}");
    }
    let s = state(&emu, &ns);
    assert_eq!(s["step"], "failed");
    assert_eq!(s["alerts"][0]["level"], "critical");
    assert_eq!(s["alerts"][0]["delivered"], true);
    let namespace = &emu.get(&format!("/cloud/namespaces/{ns}"))["namespace"];
    assert_eq!(cap_of(&namespace["capacity"]), Some(Cap::OnDemand));
    assert_eq!(
        posts_for(&emu, &ns, Cap::Trus(6.0)).len(),
        15,
        "three attempts of five stale versions each"
    );
    assert!(
        posts_for(&emu, &ns, Cap::OnDemand).is_empty(),
        "nothing to revert"
    );
}

#[test]
fn alerts_that_cannot_be_sent_never_stop_the_change_and_are_recorded_undelivered() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    emu.server.fail_slack(5);
    let webhook = format!("{}/slack/webhook/T0TCAP/B0TCAP/failing-s3cr3t", emu.url());
    let out = tcap(
        &emu,
        &[
            "schedule-change",
            &ns,
            "6",
            "--duration",
            "2s",
            "--slack-webhook-url",
            &webhook,
        ],
    );
    expect_code(&out, 0);
    assert!(emu.server.slack_messages().is_empty());
    assert_eq!(capacity(&emu, &ns), Cap::OnDemand);
    let s = state(&emu, &ns);
    assert_eq!(s["step"], "done");
    let alerts = s["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert_eq!(alerts[0]["level"], "info");
    assert_eq!(alerts[0]["delivered"], false);
    assert!(alerts[0]["error"].is_string(), "{alerts:#?}");
    assert!(
        text(&out.stderr).contains("not sent"),
        "{}",
        text(&out.stderr)
    );
    assert_no_secrets(&emu, &out, &webhook);
}

// ---------------------------------------------------------------------------------------------
// The state file

/// The state file is 0600 in a 0700 directory, has `"schema": 1`, and neither the API key nor
/// the webhook URL is in any file under the state dir, nor in the command's output.
#[track_caller]
fn assert_no_secrets(emu: &Emu, out: &Output, webhook: &str) {
    use std::os::unix::fs::PermissionsExt;
    let changes = emu.state_dir().join("changes");
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&changes), 0o700);
    let secret_part = webhook.rsplit('/').next().unwrap();
    let mut files = 0;
    let mut stack = vec![emu.home.path().join("state")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            files += 1;
            let content = String::from_utf8_lossy(&fs::read(&path).unwrap()).into_owned();
            for secret in [ADMIN_KEY, webhook, secret_part] {
                assert!(!content.contains(secret), "{secret} in {}", path.display());
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".json") && !name.ends_with(".request.json") {
                assert_eq!(mode(&path), 0o600, "{}", path.display());
                let v: Value = serde_json::from_str(&content).unwrap();
                assert_eq!(v["schema"], 1, "{}", path.display());
            }
        }
    }
    assert!(files > 0);
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let s = text(bytes);
        for secret in [ADMIN_KEY, webhook, secret_part] {
            assert!(!s.contains(secret), "{secret} in {stream}:\n{s}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Up-front checks

#[test]
fn bad_plans_are_refused_with_2_before_anything_is_sent_or_recorded() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    let (_, past) = end_in(-60);
    let (_, in_1h) = end_in(3600);
    let (_, in_2h) = end_in(7200);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["schedule-change", &ns, "6", "--end-time", &past],
            "past",
        ),
        (
            vec![
                "schedule-change",
                &ns,
                "6",
                "--start-time",
                &in_2h,
                "--end-time",
                &in_1h,
            ],
            "not after the start time",
        ),
        (
            vec![
                "schedule-change",
                &ns,
                "6",
                "--end-time",
                &in_1h,
                "--duration",
                "1h",
            ],
            "cannot be used with",
        ),
        (
            vec!["schedule-change", &ns, "5", "--duration", "1h"],
            "valid values",
        ),
        (
            vec!["schedule-change", &ns, "0", "--duration", "1h"],
            "positive",
        ),
        (
            vec!["schedule-change", &ns, "six", "--duration", "1h"],
            "positive",
        ),
        (
            vec!["schedule-change", &ns, "6", "--end-time", "tomorrow"],
            "not a time",
        ),
    ];
    for (args, says) in cases {
        let out = tcap(&emu, &args);
        expect_code(&out, 2);
        let stderr = text(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {says:?} not in\n{stderr}");
        assert!(
            read_state(&emu, &ns).is_none(),
            "{args:?} left a state file"
        );
    }
    assert_eq!(all_posts(&emu), 0);
}
