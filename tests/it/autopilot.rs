//! `tcap autopilot` against the emulator: what it raises, what stops it, what it sends, and
//! that a restart never sends a change twice.

use std::fs;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tcap::devserver::{Config, Load};

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

/// `tcap -o json autopilot ARGS --once`.
fn once_json(emu: &Emu, args: &[&str]) -> std::process::Output {
    let mut all = vec!["-o", "json", "autopilot"];
    all.extend(args);
    all.push("--once");
    tcap(emu, &all)
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
    let out = once_json(&emu, &["--namespace", "*", "--max-trus", "8", "--dry-run"]);
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
    let out = once_json(&emu, &["--namespace", &ns, "--max-trus", "8"]);
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
    let out = once_json(&emu, &["--namespace", "*", "--max-trus", "3"]);
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
    let out = once_json(
        &emu,
        &[
            "--namespace",
            "*",
            "--max-trus",
            "8",
            "--max-hourly-cost",
            "20",
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

    let out = once_json(&emu, &["--namespace", "*", "--max-trus", "8"]);
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

/// A per-minute profile: each namespace's APS for minutes `0..len` from `aps(minute)`.
fn profile(len: u32, namespaces: &[(&str, &dyn Fn(u32) -> f64)]) -> String {
    let mut csv = String::from("minute,namespace,aps\n");
    for minute in 0..len {
        for (ns, aps) in namespaces {
            csv.push_str(&format!("{minute},{ns},{}\n", aps(minute)));
        }
    }
    csv
}

/// An emulator replaying `csv` at `speed` times real time.
fn replay(csv: &str, speed: f64, tweak: impl FnOnce(Config) -> Config) -> Emu {
    let load = Load::parse(csv).unwrap();
    let config = Config {
        clock_speed: speed,
        ..common::config()
    }
    .with_load(load);
    Emu::with(tweak(config))
}

/// Runs autopilot in the background until the replay is over; its decisions (JSON lines).
fn autopilot_through(emu: &Emu, speed: f64, args: &[&str]) -> Vec<Value> {
    let scale = format!("{}", 1.0 / speed);
    let mut all = vec!["-o", "json", "autopilot"];
    all.extend(args);
    let mut run = Bg::spawn_env(emu, &all, &[("TCAP_RETRY_DELAY_SCALE", scale.as_str())]);
    let deadline = Instant::now() + Duration::from_secs(90);
    while !emu.server.ledger().finished {
        assert!(
            Instant::now() < deadline,
            "the replay did not finish: {}",
            run.err()
        );
        assert!(
            run.wait_a_moment().is_none(),
            "autopilot stopped:\n{}",
            run.err()
        );
    }
    run.kill9();
    assert!(!run.err().contains("panicked"), "{}", run.err());
    run.out()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn minutes_after(start: chrono::DateTime<chrono::Utc>, d: &Value) -> i64 {
    let t: chrono::DateTime<chrono::Utc> = d["time"].as_str().unwrap().parse().unwrap();
    (t - start).num_minutes()
}

fn find<'a>(lines: &'a [Value], ns: &str, action: &str) -> Vec<&'a Value> {
    lines
        .iter()
        .filter(|d| d["action"] == action && d["namespace"].as_str().unwrap().starts_with(ns))
        .collect()
}

/// A replayed hour: two namespaces surge at minute 8 for 12 minutes, then go quiet. One starts
/// on-demand, one at 2 TRUs a person set. Autopilot raises both within two ticks of the first
/// window that shows the surge, and lowers them back to their baselines (never below, never
/// before --min-hold) in the last minutes of the hour.
#[test]
fn a_replayed_surge_is_raised_within_two_ticks_and_given_back_before_the_hour_turns() {
    const SPEED: f64 = 90.0;
    let surge = |m: u32| if (8..20).contains(&m) { 1_500.0 } else { 200.0 };
    let steady = |m: u32| if (8..20).contains(&m) { 1_800.0 } else { 300.0 };
    let csv = profile(66, &[("surge-prod", &surge), ("steady-prod", &steady)]);
    let emu = replay(&csv, SPEED, |c| c);
    let t0 = emu.server.replay_start().unwrap();
    let steady_ns = emu.namespace("steady-prod");
    let surge_ns = emu.namespace("surge-prod");
    // The person's 2 TRUs, set before autopilot starts (in force by minute 3).
    expect_code(&tcap(&emu, &["provision", &steady_ns, "2"]), 0);

    let lines = autopilot_through(
        &emu,
        SPEED,
        &[
            "--namespace",
            "*",
            "--max-trus",
            "8",
            "--calm-for",
            "10m",
            "--min-hold",
            "20m",
        ],
    );
    for (ns, baseline) in [
        (&surge_ns, json!({"mode": "on-demand"})),
        (&steady_ns, json!({"mode": "provisioned", "trus": 2})),
    ] {
        let raises = find(&lines, ns, "raise");
        assert_eq!(raises.len(), 1, "{ns}: {lines:#?}");
        let raise = raises[0];
        // Minute 8 is the window stamped 9; two ticks: that window or the next.
        let raised_at = minutes_after(t0, raise);
        assert!(
            (9..=10).contains(&raised_at),
            "{ns} raised at +{raised_at}: {raise}"
        );
        assert_eq!(raise["throttled"], true);
        assert!(raise["to"]["trus"].as_u64().unwrap() <= 8);

        let lowers = find(&lines, ns, "lower");
        assert_eq!(lowers.len(), 1, "{ns}: {lines:#?}");
        let lower = lowers[0];
        let lowered_at = minutes_after(t0, lower);
        assert!(
            lowered_at - raised_at >= 20,
            "{ns}: lowered {lowered_at} within --min-hold of {raised_at}"
        );
        assert!(
            (52..60).contains(&lowered_at),
            "{ns}: lowered at +{lowered_at}, not in the hour's last minutes"
        );
        assert_eq!(lower["to"], baseline, "{ns}: {lower}");
    }
    // What the namespaces have at the end: their baselines.
    assert!(capacity(&emu, &surge_ns)["provisioned"].is_null());
    assert_eq!(provisioned_trus(&emu, &steady_ns), Some(2.0));
    let ledger = emu.server.ledger();
    let surged = &ledger.namespaces[&surge_ns];
    assert!(surged.throttled_minutes <= 8, "{surged:?}");
    assert!(
        pilot_state(&emu)["namespaces"]
            .as_object()
            .unwrap()
            .values()
            .all(|e| e["hold"].is_null())
    );
}

/// With the emulator's once-per-hour switch, a second raise within the hour is refused: said
/// once, and tried again only once the hour since the last change is over.
#[test]
fn a_refused_raise_waits_for_the_next_allowed_time_and_alerts_once() {
    const SPEED: f64 = 120.0;
    // The first raise is sized for the jump going on (200 to 1,000 APS: 1,500 when it lands,
    // 4 TRUs); the second step, to 2,800 APS, needs more within the hour.
    let aps = |m: u32| match m {
        0..5 => 200.0,
        5..25 => 1_000.0,
        _ => 2_800.0,
    };
    let csv = profile(80, &[("spiky-prod", &aps)]);
    let emu = replay(&csv, SPEED, |c| Config {
        one_change_per_hour: true,
        ..c
    });
    let t0 = emu.server.replay_start().unwrap();
    let slack = format!("{}/slack/webhook/T/B/x", emu.url());
    let lines = autopilot_through(
        &emu,
        SPEED,
        &[
            "--namespace",
            "*",
            "--max-trus",
            "12",
            "--slack-webhook-url",
            &slack,
        ],
    );
    let raises = find(&lines, "spiky-prod", "raise");
    let refused = find(&lines, "spiky-prod", "refused");
    assert_eq!(refused.len(), 1, "{lines:#?}");
    assert!(raises.len() >= 3, "{lines:#?}");
    // Sized for the demand when it lands: 1,000 APS rising from 200 is 1,500 by then (1.5 at
    // most), / 0.75 = 2,000 APS: 4 TRUs, not the 3 the minute alone asks for.
    assert_eq!(raises[0]["to"]["trus"], 4, "{:#}", raises[0]);
    assert!(
        raises[0]["reason"].as_str().unwrap().contains("rising"),
        "{:#}",
        raises[0]
    );
    let first = minutes_after(t0, raises[0]);
    let allowed = find(&lines, "spiky-prod", "applied")
        .iter()
        .filter(|d| d["to"]["trus"].as_u64() > raises[0]["to"]["trus"].as_u64())
        .count();
    assert_eq!(allowed, 1, "the bigger raise went through once: {lines:#?}");
    // No raise was tried between the refusal and the hour after the first change.
    let refused_at = minutes_after(t0, refused[0]);
    for r in &raises[1..] {
        let at = minutes_after(t0, r);
        assert!(
            at <= refused_at || at >= first + 60,
            "raise at +{at}: {lines:#?}"
        );
    }
    let alerts: Vec<String> = emu
        .server
        .slack_messages()
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_string())
        .filter(|t| t.contains("refused"))
        .collect();
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
}

/// Someone else changes a namespace autopilot holds: autopilot adopts their value as the
/// baseline, says so, and sends nothing.
#[test]
fn a_namespace_changed_by_someone_else_is_adopted() {
    let emu = Emu::start();
    let ns = throttled(&emu)[0].clone();
    let once = [
        "-o",
        "json",
        "autopilot",
        "--namespace",
        ns.as_str(),
        "--max-trus",
        "8",
        "--once",
    ];
    expect_code(&tcap(&emu, &once), 0);
    let held = provisioned_trus(&emu, &ns).unwrap();
    let theirs = if held == 10.0 { "12" } else { "10" };
    expect_code(&tcap(&emu, &["provision", &ns, theirs]), 0);
    let before = posts_to(&emu, &ns);
    emu.server.advance_clock(chrono::Duration::minutes(2));
    let out = tcap(&emu, &once);
    expect_code(&out, 0);
    let lines = decisions(&out);
    let adopted = lines
        .iter()
        .find(|d| d["action"] == "adopted")
        .unwrap_or_else(|| panic!("{lines:#?}\n{}", text(&out.stderr)));
    assert_eq!(
        adopted["to"]["trus"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| adopted["to"]["trus"].to_string()),
        theirs
    );
    assert_eq!(posts_to(&emu, &ns), before, "adopting sends nothing");
    assert!(pilot_state(&emu)["namespaces"][&ns]["hold"].is_null());
}

/// Minutes of two namespaces as Temporal's scrape leaves them in Prometheus (timestamps in
/// seconds, for promtool): `busy` idle, then throttling in the latest minute; `calm` the
/// other way round. Only the latest minute may decide.
fn recent_openmetrics(path: &std::path::Path, busy: &str, calm: &str, latest: i64) {
    use std::fmt::Write as _;
    let families = [
        "temporal_cloud_v1_action_limit",
        "temporal_cloud_v1_total_action_count",
        "temporal_cloud_v1_total_action_throttled_count",
    ];
    let mut out = String::new();
    for family in families {
        writeln!(out, "# TYPE {family} gauge").unwrap();
        for minutes_ago in (0..8).rev() {
            let t = latest - 60 * minutes_ago;
            for (ns, hot) in [(busy, minutes_ago == 0), (calm, minutes_ago > 0)] {
                let (count, throttled) = if hot { (480, 120) } else { (40, 0) };
                let labels = format!(
                    "temporal_namespace=\"{ns}\",job=\"temporal-cloud\",instance=\"metrics.temporal.io:443\""
                );
                let line = match family {
                    "temporal_cloud_v1_action_limit" => format!("{family}{{{labels}}} 500 {t}"),
                    "temporal_cloud_v1_total_action_count" => {
                        format!("{family}{{{labels},is_background=\"false\"}} {count} {t}")
                    }
                    _ => format!("{family}{{{labels}}} {throttled} {t}"),
                };
                writeln!(out, "{line}").unwrap();
            }
        }
    }
    out.push_str("# EOF\n");
    fs::write(path, out).unwrap();
}

#[test]
fn with_prometheus_the_window_comes_from_it_and_no_metrics_api_call_is_spent() {
    let Some((prometheus, promtool)) = crate::plan::tools() else {
        return;
    };
    let emu = Emu::start();
    let light = common::with_profile(&emu, "on-demand-light");
    let (busy, calm) = (&light[0], &light[1]);
    let latest = (chrono::Utc::now().timestamp() / 60 - 1) * 60;
    let file = emu.home.path().join("recent.om");
    recent_openmetrics(&file, busy, calm, latest);
    let prom = crate::plan::start_prometheus(&prometheus, &promtool, &file);

    // An interval the Metrics API budget would refuse (360 calls an hour) is fine: none is spent.
    let out = once_json(
        &emu,
        &[
            "--namespace",
            "*",
            "--max-trus",
            "8",
            "--dry-run",
            "--interval",
            "10s",
            "--prometheus",
            &prom.url,
        ],
    );
    expect_code(&out, 0);
    let lines = decisions(&out);
    let raised: Vec<&str> = lines
        .iter()
        .filter(|d| d["action"] == "raise")
        .map(|d| d["namespace"].as_str().unwrap())
        .collect();
    assert_eq!(raised, [busy.as_str()], "{lines:#?}\n{}", text(&out.stderr));
    let raise = &lines[0];
    assert_eq!(raise["throttled"], true);
    assert_eq!(
        raise["time"],
        chrono::DateTime::from_timestamp(latest, 0)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    assert_eq!(emu.requests_to("GET", "/v1/metrics"), 0);
    assert!(posts(&emu).is_empty());
}
