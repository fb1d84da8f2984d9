//! `tcap autopilot` against the emulator: what it raises, what stops it, what it sends, and
//! that a restart never sends a change twice.

use std::fs;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tcap::devserver::Config;

use crate::common::{self, Bg, Emu, expect_code, tcap, text};

/// The emulator's throttled namespaces (on-demand, demand above the limit).
fn throttled(emu: &Emu) -> Vec<String> {
    common::with_profile(emu, "on-demand-throttled")
}

fn posts(emu: &Emu) -> Vec<tcap::devserver::RequestRecord> {
    emu.server
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/cloud/namespaces/"))
        .collect()
}

fn posts_to(emu: &Emu, ns: &str) -> usize {
    let path = format!("/cloud/namespaces/{ns}");
    posts(emu).iter().filter(|r| r.path == path).count()
}

fn capacity(emu: &Emu, ns: &str) -> Value {
    emu.get(&format!("/cloud/namespaces/{ns}"))["namespace"]["capacity"].clone()
}

fn provisioned_trus(emu: &Emu, ns: &str) -> Option<f64> {
    capacity(emu, ns)["provisioned"]["currentValue"].as_f64()
}

fn state_file(emu: &Emu) -> PathBuf {
    emu.state_dir()
        .join("changes")
        .join("autopilot")
        .join("default.json")
}

fn pilot_state(emu: &Emu) -> Value {
    serde_json::from_slice(&fs::read(state_file(emu)).unwrap()).unwrap()
}

/// JSON lines of a run.
fn decisions(out: &std::process::Output) -> Vec<Value> {
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn a_dry_run_decides_and_sends_nothing() {
    let emu = Emu::start();
    let out = tcap(
        &emu,
        &[
            "-o",
            "json",
            "autopilot",
            "--namespace",
            "*",
            "--max-trus",
            "8",
            "--once",
            "--dry-run",
        ],
    );
    expect_code(&out, 0);
    let lines = decisions(&out);
    let raised: Vec<&str> = lines
        .iter()
        .filter(|d| d["action"] == "raise")
        .map(|d| d["namespace"].as_str().unwrap())
        .collect();
    for ns in throttled(&emu) {
        assert!(raised.contains(&ns.as_str()), "{ns} not raised: {lines:#?}");
    }
    for d in &lines {
        assert_eq!(d["dry_run"], true);
        for field in [
            "time",
            "from",
            "to",
            "binding_dimension",
            "utilization",
            "throttled",
            "reason",
        ] {
            assert!(d.get(field).is_some(), "{field} missing in {d}");
        }
    }
    assert!(posts(&emu).is_empty(), "a dry run sent {:#?}", posts(&emu));
    assert!(!state_file(&emu).exists(), "a dry run wrote its state");
    // One Metrics API call, capacity-info only for the namespaces about to change.
    assert_eq!(emu.requests_to("GET", "/v1/metrics"), 1);
    assert_eq!(
        emu.requests_to("GET", "/cloud/namespaces/") - emu.requests_to("GET", "/cloud/namespaces?"),
        raised.len()
    );
}

#[test]
fn a_throttled_namespace_is_raised_once_verified_and_listed() {
    let emu = Emu::start();
    let ns = throttled(&emu)[0].clone();
    let out = tcap(
        &emu,
        &[
            "-o",
            "json",
            "autopilot",
            "--namespace",
            &ns,
            "--max-trus",
            "8",
            "--once",
        ],
    );
    expect_code(&out, 0);
    let lines = decisions(&out);
    let raise = lines
        .iter()
        .find(|d| d["action"] == "raise")
        .expect("a raise");
    let to = raise["to"]["trus"].as_f64().unwrap();
    assert!((2.0..=8.0).contains(&to), "{raise}");
    assert_eq!(raise["from"]["mode"], "on-demand");
    assert!(lines.iter().any(|d| d["action"] == "applied"), "{lines:#?}");
    assert_eq!(provisioned_trus(&emu, &ns), Some(to));
    assert_eq!(posts_to(&emu, &ns), 1);
    assert_eq!(posts(&emu).len(), 1, "only {ns} was selected");

    let state = pilot_state(&emu);
    let entry = &state["namespaces"][&ns];
    assert_eq!(entry["hold"]["baseline"]["mode"], "on-demand", "{state:#}");
    assert_eq!(entry["hold"]["trus"].as_f64(), Some(to));
    assert!(entry["in_flight"].is_null());

    let list = tcap(&emu, &["-o", "json", "changes", "list"]);
    expect_code(&list, 0);
    let rows: Vec<Value> = serde_json::from_slice(&list.stdout).unwrap();
    let row = rows
        .iter()
        .find(|r| r["namespace"] == ns.as_str())
        .expect("listed");
    assert_eq!(row["kind"], "autopilot");
    assert_eq!(row["autopilot"], "default");
    assert_eq!(row["trus"].as_f64(), Some(to));
    let table = text(&tcap(&emu, &["changes", "list"]).stdout);
    assert!(table.contains("held by autopilot 'default'"), "{table}");

    // The same window again decides nothing new: no second POST.
    expect_code(
        &tcap(
            &emu,
            &["autopilot", "--namespace", &ns, "--max-trus", "8", "--once"],
        ),
        0,
    );
    assert_eq!(posts_to(&emu, &ns), 1);

    // --release gives it back to on-demand, verified, and forgets it.
    let release = tcap(&emu, &["autopilot", "--release"]);
    expect_code(&release, 0);
    assert!(
        capacity(&emu, &ns)["provisioned"].is_null(),
        "{}",
        capacity(&emu, &ns)
    );
    assert_eq!(posts_to(&emu, &ns), 2);
    assert!(!state_file(&emu).exists());
}

#[test]
fn nothing_is_raised_above_max_trus_or_the_cost_cap() {
    let emu = Emu::start();
    let all = throttled(&emu);
    let out = tcap(
        &emu,
        &[
            "-o",
            "json",
            "autopilot",
            "--namespace",
            "*",
            "--max-trus",
            "3",
            "--once",
        ],
    );
    expect_code(&out, 0);
    for ns in &all {
        let trus = provisioned_trus(&emu, ns).expect("raised");
        assert!(trus <= 3.0, "{ns}: {trus}");
    }
    let lines = decisions(&out);
    assert!(
        lines.iter().any(|d| d["action"] == "raise"
            && d["reason"]
                .as_str()
                .unwrap()
                .contains("capped at 3 by --max-trus 3")),
        "{lines:#?}"
    );

    // $20 an hour allows one extra TRU-hour's minimum ($18) across everything held: 2 TRUs on
    // one namespace, and nothing for the others, each said once.
    let emu = Emu::start();
    let out = tcap(
        &emu,
        &[
            "-o",
            "json",
            "autopilot",
            "--namespace",
            "*",
            "--max-trus",
            "8",
            "--max-hourly-cost",
            "20",
            "--once",
        ],
    );
    expect_code(&out, 0);
    let lines = decisions(&out);
    let raises: Vec<&Value> = lines.iter().filter(|d| d["action"] == "raise").collect();
    assert_eq!(raises.len(), 1, "{lines:#?}");
    assert_eq!(raises[0]["to"]["trus"], 2);
    assert_eq!(posts(&emu).len(), 1);
    // Every other namespace that throttles is held back, and says so once.
    let held_back = lines.iter().filter(|d| d["action"] == "held-back").count();
    assert!(held_back >= all.len() - 1, "{lines:#?}");
    assert!(
        text(&out.stderr).contains("--max-hourly-cost 20"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_second_autopilot_on_the_same_state_exits_75() {
    let emu = Emu::start();
    let ns = throttled(&emu)[0].clone();
    let mut first = Bg::spawn(&emu, &["autopilot", "--namespace", &ns, "--max-trus", "8"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !state_file(&emu).exists() {
        assert!(Instant::now() < deadline, "no state file: {}", first.err());
        std::thread::sleep(Duration::from_millis(50));
    }
    let second = tcap(
        &emu,
        &["autopilot", "--namespace", "*", "--max-trus", "8", "--once"],
    );
    expect_code(&second, 75);
    let stderr = text(&second.stderr);
    assert!(stderr.contains(&format!("PID {}", first.pid())), "{stderr}");
    first.kill9();
}

#[test]
fn a_metrics_429_skips_the_tick_and_once_exits_75() {
    let emu = Emu::start();
    emu.control(
        "/_dev/metrics/next",
        json!({"status": 429, "retry_after": 1200}),
    );
    let out = tcap(
        &emu,
        &["autopilot", "--namespace", "*", "--max-trus", "8", "--once"],
    );
    expect_code(&out, 75);
    assert!(text(&out.stderr).contains("20m"), "{}", text(&out.stderr));
    assert!(posts(&emu).is_empty());
}

#[test]
fn the_metrics_budget_is_checked_at_start_up() {
    let emu = Emu::start();
    let out = tcap(
        &emu,
        &[
            "autopilot",
            "--namespace",
            "*",
            "--max-trus",
            "8",
            "--interval",
            "30s",
        ],
    );
    expect_code(&out, 2);
    assert!(text(&out.stderr).contains("--max-metrics-calls-per-hour 60"));
    assert_eq!(
        emu.server.requests().len(),
        0,
        "nothing is asked before the check"
    );
}

#[test]
fn killed_during_a_change_the_restart_sends_no_second_post() {
    let emu = Emu::with(Config {
        apply_delay: Duration::from_secs(3),
        ..common::config()
    });
    let ns = throttled(&emu)[0].clone();
    let args = [
        "autopilot",
        "--namespace",
        ns.as_str(),
        "--max-trus",
        "8",
        "--once",
    ];
    let mut run = Bg::spawn(&emu, &args);
    let deadline = Instant::now() + Duration::from_secs(30);
    while posts_to(&emu, &ns) == 0 {
        assert!(Instant::now() < deadline, "no POST: {}", run.err());
        std::thread::sleep(Duration::from_millis(20));
    }
    run.kill9();
    let recorded = pilot_state(&emu);
    let id = recorded["namespaces"][&ns]["in_flight"]["async_operation_id"]
        .as_str()
        .expect("the change in flight is recorded")
        .to_string();
    let sent = posts(&emu);
    assert_eq!(
        sent[0].body.as_ref().unwrap()["asyncOperationId"],
        id.as_str()
    );

    let again = tcap(&emu, &args);
    expect_code(&again, 0);
    assert!(
        text(&again.stderr).contains("applied"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(posts_to(&emu, &ns), 1, "one POST for one change");
    let state = pilot_state(&emu);
    assert!(state["namespaces"][&ns]["in_flight"].is_null(), "{state:#}");
    assert!(
        state["namespaces"][&ns]["hold"]["trus"].is_number(),
        "{state:#}"
    );
}

#[test]
fn a_namespace_a_scheduled_change_owns_is_left_alone() {
    let emu = Emu::start();
    let ns = throttled(&emu)[0].clone();
    // An interrupted schedule-change of it, recorded in the state directory.
    let dir = emu.state_dir().join("changes");
    fs::create_dir_all(&dir).unwrap();
    let now = chrono::Utc::now();
    let change = json!({
        "schema": 1,
        "plan": {
            "namespace": ns, "trus": 4, "start_time": now.to_rfc3339(),
            "end_time": (now + chrono::Duration::hours(2)).to_rfc3339(),
            "revert_to": "previous", "capacity_before": {"mode": "on-demand", "trus": null}
        },
        "step": "waiting-for-start",
        "provision": {}, "revert": {}, "errors": [], "alerts": [],
        "outcome": {"initial_change_success": false, "verification_success": false, "reverted_to_on_demand": false, "revert_verification_success": false},
        "created_at": now.to_rfc3339(), "updated_at": now.to_rfc3339()
    });
    fs::write(dir.join(format!("{ns}.json")), change.to_string()).unwrap();
    let listed = tcap(&emu, &["-o", "json", "changes", "list"]);
    let rows: Vec<Value> = serde_json::from_slice(&listed.stdout).unwrap();
    assert!(
        rows.iter().any(|r| r["namespace"] == ns.as_str()
            && r["kind"] == "change"
            && r["status"] == "interrupted"),
        "{rows:#?}"
    );

    let out = tcap(
        &emu,
        &[
            "-o",
            "json",
            "autopilot",
            "--namespace",
            "*",
            "--max-trus",
            "8",
            "--once",
        ],
    );
    expect_code(&out, 0);
    assert_eq!(posts_to(&emu, &ns), 0, "{}", text(&out.stderr));
    assert!(
        !posts(&emu).is_empty(),
        "the other throttled namespaces are raised"
    );
}

#[test]
fn sigterm_exits_130_and_says_what_it_holds() {
    let emu = Emu::start();
    let ns = throttled(&emu)[0].clone();
    let mut run = Bg::spawn(&emu, &["autopilot", "--namespace", &ns, "--max-trus", "8"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !fs::read(state_file(&emu))
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .is_some_and(|s| s["namespaces"][&ns]["hold"].is_object())
    {
        assert!(Instant::now() < deadline, "nothing held: {}", run.err());
        std::thread::sleep(Duration::from_millis(50));
    }
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &run.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = run.wait(Duration::from_secs(20));
    assert_eq!(status.code(), Some(130), "{}", run.err());
    let stderr = run.err();
    assert!(stderr.contains(&format!("holds {ns} at")), "{stderr}");
    assert!(stderr.contains("tcap autopilot --release"), "{stderr}");
    // What it holds is still recorded for the next start or --release.
    assert!(pilot_state(&emu)["namespaces"][&ns]["hold"].is_object());
}
