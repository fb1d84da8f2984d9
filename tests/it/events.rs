//! `tcap schedule-change --file EVENT.toml`: several namespaces over one window, a ramp, a dry
//! run, kill -9 in the middle of a step, one namespace failing while the others complete, and
//! `tcap changes` acting on an event. Against the emulator, with the real binary, at durations
//! of seconds (`--allow-subhour-steps`).

use crate::common;

use std::fs;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use common::{Bg, Emu, expect_code, stdout_json, tcap, text, with_profile};
use serde_json::Value;
use tcap::devserver::{Config, RequestRecord};

fn emu_with_delay(apply_delay: Duration) -> Emu {
    Emu::with(Config {
        apply_delay,
        ..common::config()
    })
}

/// What the POSTs for `ns` asked for, in order: `Some(trus)` or `None` for On-Demand.
fn posts(emu: &Emu, ns: &str) -> Vec<Option<f64>> {
    posts_of(emu, ns).iter().map(asked).collect()
}

fn posts_of(emu: &Emu, ns: &str) -> Vec<RequestRecord> {
    let path = format!("/cloud/namespaces/{ns}");
    emu.server
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .collect()
}

fn asked(r: &RequestRecord) -> Option<f64> {
    let spec = &r.body.as_ref().expect("a POST has a body")["spec"]["capacitySpec"];
    spec["provisioned"]["value"].as_f64()
}

fn capacity(emu: &Emu, ns: &str) -> Option<f64> {
    let namespace = &emu.get(&format!("/cloud/namespaces/{ns}"))["namespace"];
    namespace["capacity"]["provisioned"]["currentValue"]
        .as_f64()
        .or(namespace["capacity"]["provisioned"]["value"].as_f64())
}

fn write_event(emu: &Emu, name: &str, body: &str) -> PathBuf {
    let path = emu.home.path().join(format!("{name}.toml"));
    fs::write(&path, body).unwrap();
    path
}

fn event_file(emu: &Emu, name: &str) -> PathBuf {
    emu.state_dir()
        .join("changes")
        .join("events")
        .join(format!("{name}.json"))
}

fn read_event(emu: &Emu, name: &str) -> Option<Value> {
    let bytes = fs::read(event_file(emu, name)).ok()?;
    Some(serde_json::from_slice(&bytes).expect("the event file is whole JSON"))
}

fn track<'a>(event: &'a Value, ns: &str) -> &'a Value {
    event["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["plan"]["namespace"] == ns)
        .unwrap_or_else(|| panic!("no track for {ns} in {event:#}"))
}

#[track_caller]
fn wait_event(emu: &Emu, name: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(e) = read_event(emu, name)
            && done(&e)
        {
            return e;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; event: {:#?}",
            read_event(emu, name)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn in_secs(secs: i64) -> String {
    (Utc::now() + chrono::Duration::seconds(secs)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("not a time: {v}")))
        .unwrap()
        .with_timezone(&Utc)
}

/// Three namespaces: two On-Demand, one provisioned by a person (the end restores its TRUs).
fn three(emu: &Emu) -> (String, String, String) {
    let light = with_profile(emu, "on-demand-light");
    let idle = with_profile(emu, "provisioned-idle");
    (light[0].clone(), light[1].clone(), idle[0].clone())
}

#[test]
fn three_namespaces_one_on_a_ramp_run_end_to_end_each_step_verified_and_all_reverted() {
    let emu = Emu::start();
    let (a, b, c) = three(&emu);
    let before_c = capacity(&emu, &c).expect("provisioned-idle holds TRUs");
    let start = in_secs(1);
    let file = write_event(
        &emu,
        "launch",
        &format!(
            r#"start = "{start}"
duration = "7s"
[[namespace]]
id = "{a}"
trus = 4
[[namespace]]
id = "{b}"
ramp = [ {{ at = "+0s", trus = 2 }}, {{ at = "+2s", trus = 6 }}, {{ at = "+4s", trus = 3 }} ]
[[namespace]]
id = "{c}"
trus = 8
"#
        ),
    );
    let file = file.to_str().unwrap();

    // Steps seconds apart are refused without the flag, naming the line; nothing is sent.
    let refused = tcap(&emu, &["schedule-change", "--file", file]);
    expect_code(&refused, 2);
    let err = text(&refused.stderr);
    assert!(
        err.contains("launch.toml:8:") && err.contains("--allow-subhour-steps"),
        "{err}"
    );
    assert!(read_event(&emu, "launch").is_none());

    let out = tcap(
        &emu,
        &[
            "schedule-change",
            "--file",
            file,
            "--allow-subhour-steps",
            "-o",
            "json",
        ],
    );
    expect_code(&out, 0);
    let result = stdout_json(&out);
    assert_eq!(result["event"], "launch");
    assert_eq!(result["success"], true, "{result:#}");
    let by_ns = |ns: &str| {
        result["namespaces"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["namespace"] == ns)
            .unwrap()
            .clone()
    };
    let rb = by_ns(&b);
    let steps: Vec<(u64, bool, bool)> = rb["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["trus"].as_u64().unwrap(),
                s["applied"].as_bool().unwrap(),
                s["verified"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(steps, [(2, true, true), (6, true, true), (3, true, true)]);
    assert_eq!(rb["reverted_to"]["mode"], "on-demand");
    assert_eq!(rb["revert_verified"], true);
    assert_eq!(by_ns(&c)["reverted_to"]["trus"].as_f64(), Some(before_c));

    // One POST per step, each at or after its time, then the revert.
    assert_eq!(posts(&emu, &a), [Some(4.0), None]);
    assert_eq!(posts(&emu, &b), [Some(2.0), Some(6.0), Some(3.0), None]);
    assert_eq!(posts(&emu, &c), [Some(8.0), Some(before_c)]);
    let start = time(&Value::String(start));
    let b_posts = posts_of(&emu, &b);
    for (post, offset) in b_posts.iter().zip([0, 2, 4, 7]) {
        assert!(
            post.at >= start + chrono::Duration::seconds(offset),
            "{b}: a POST at {} before +{offset}s",
            post.at
        );
    }
    assert_eq!(capacity(&emu, &a), None);
    assert_eq!(capacity(&emu, &c), Some(before_c));

    // The event is listed as finished, kind `event`, each namespace a row.
    let list = stdout_json(&tcap(&emu, &["changes", "list", "-o", "json"]));
    let rows: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "event")
        .collect();
    assert_eq!(rows.len(), 3, "{list:#}");
    assert!(
        rows.iter()
            .all(|r| r["event"] == "launch" && r["status"] == "finished")
    );
}

#[test]
fn killed_during_the_second_step_resumes_with_one_post_per_step() {
    // A change takes a second to apply: long enough to kill the run in the middle of one.
    let emu = emu_with_delay(Duration::from_millis(1500));
    let (a, b, _) = three(&emu);
    let file = write_event(
        &emu,
        "sale",
        &format!(
            r#"duration = "9s"
[[namespace]]
id = "{a}"
trus = 2
[[namespace]]
id = "{b}"
ramp = [ {{ at = "+0s", trus = 2 }}, {{ at = "+3s", trus = 4 }} ]
"#
        ),
    );
    let args = [
        "schedule-change",
        "--file",
        file.to_str().unwrap(),
        "--allow-subhour-steps",
    ];
    let mut run = Bg::spawn(&emu, &args);
    let at_kill = wait_event(&emu, "sale", "the second step of b sent", |e| {
        let t = track(e, &b);
        t["stage"] == 1 && !t["provision"]["sent_at"].is_null()
    });
    run.kill9();
    let recorded_id = track(&at_kill, &b)["provision"]["async_operation_id"].clone();
    assert!(recorded_id.is_string());

    // `changes list` says it was interrupted and what comes next.
    let list = stdout_json(&tcap(&emu, &["changes", "list", "-o", "json"]));
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["namespace"] == b)
        .unwrap();
    assert_eq!(row["status"], "interrupted", "{row:#}");
    assert_eq!(row["event"], "sale");

    // Another owner is refused while the event is unfinished, even with no process alive.
    let clash = tcap(&emu, &["schedule-change", &b, "8", "--duration", "1h"]);
    expect_code(&clash, 2);
    assert!(
        text(&clash.stderr).contains("event 'sale'"),
        "{}",
        text(&clash.stderr)
    );

    // The same command carries on from the record (its start and end kept); killed again
    // while it waits for the end, `changes resume --event` finishes it.
    let mut again = Bg::spawn(&emu, &args);
    wait_event(&emu, "sale", "both boosted and waiting for the end", |e| {
        e["tracks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["step"] == "waiting-for-end")
    });
    again.kill9();
    assert!(!again.err().contains("panicked"), "{}", again.err());
    let out = tcap(
        &emu,
        &["changes", "resume", "--event", "sale", "-o", "json"],
    );
    expect_code(&out, 0);
    let result = stdout_json(&out);
    assert_eq!(result["success"], true, "{result:#}");
    assert_eq!(
        posts(&emu, &b),
        [Some(2.0), Some(4.0), None],
        "one POST per step"
    );
    assert_eq!(posts(&emu, &a), [Some(2.0), None]);
    let second = posts_of(&emu, &b)[1].clone();
    assert_eq!(
        second.body.unwrap()["asyncOperationId"],
        recorded_id,
        "the POST is the one recorded before the kill"
    );
    let done = read_event(&emu, "sale").unwrap();
    assert!(
        done["tracks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["step"] == "done")
    );
}

#[test]
fn one_namespace_that_never_takes_the_change_does_not_stop_the_others() {
    let emu = Emu::start();
    let (a, b, c) = three(&emu);
    let before_c = capacity(&emu, &c);
    // Someone else edits `b` after every read: no update of it can land.
    assert!(emu.server.race(&b, 10_000));
    let webhook = format!("{}/slack/webhook", emu.url());
    let file = write_event(
        &emu,
        "migration",
        &format!(
            "duration = \"3s\"\n[[namespace]]\nid = \"{a}\"\ntrus = 2\n[[namespace]]\nid = \"{b}\"\ntrus = 4\n[[namespace]]\nid = \"{c}\"\ntrus = 3\n"
        ),
    );
    let out = tcap(
        &emu,
        &[
            "schedule-change",
            "--file",
            file.to_str().unwrap(),
            "--slack-webhook-url",
            &webhook,
            "-o",
            "json",
        ],
    );
    expect_code(&out, 3);
    let result = stdout_json(&out);
    assert_eq!(result["success"], false);
    for n in result["namespaces"].as_array().unwrap() {
        if n["namespace"] == b {
            assert_eq!(n["steps"][0]["applied"], false, "{n:#}");
            assert!(!n["errors"].as_array().unwrap().is_empty());
            assert_eq!(n["step"], "failed");
        } else {
            assert_eq!(n["steps"][0]["verified"], true, "{n:#}");
            assert_eq!(n["revert_verified"], true, "{n:#}");
        }
    }
    assert!(text(&out.stderr).contains(&b), "{}", text(&out.stderr));
    assert_eq!(capacity(&emu, &a), None);
    assert_eq!(capacity(&emu, &c), before_c);
    let messages = emu.server.slack_messages();
    let critical: Vec<&Value> = messages
        .iter()
        .filter(|m| m["text"].as_str().unwrap().contains("CRITICAL"))
        .collect();
    assert_eq!(critical.len(), 1, "{messages:#?}");
    assert!(critical[0]["text"].as_str().unwrap().contains(&b));
}

#[test]
fn a_dry_run_shows_each_hours_tru_minimum_beside_a_flat_change_and_sends_nothing() {
    let emu = Emu::start();
    let (a, b, _) = three(&emu);
    let file = write_event(
        &emu,
        "black-friday",
        &format!(
            r#"start = "2030-11-29T08:00:00Z"
duration = "16h"
[[namespace]]
id = "{a}"
trus = 8
[[namespace]]
id = "{b}"
ramp = [ {{ at = "+0h", trus = 4 }}, {{ at = "+3h", trus = 8 }}, {{ at = "+14h", trus = 4 }} ]
"#
        ),
    );
    let file = file.to_str().unwrap();
    let out = tcap(
        &emu,
        &["schedule-change", "--file", file, "--dry-run", "-o", "json"],
    );
    expect_code(&out, 0);
    let plan = stdout_json(&out);
    // Worked out by hand: each TRU above the first carries 360,000 actions an hour, $18 at
    // $50 per million. 4 TRUs: $54; 8 TRUs: $126.
    let hours_b: Vec<u64> = plan["namespaces"][1]["hours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["ramp_trus"].as_u64().unwrap())
        .collect();
    let mut expected = vec![4; 3];
    expected.extend([8; 11]);
    expected.extend([4; 2]);
    assert_eq!(hours_b, expected);
    assert_eq!(
        plan["namespaces"][1]["minimum_usd"].as_f64(),
        Some(5.0 * 54.0 + 11.0 * 126.0)
    );
    assert_eq!(
        plan["namespaces"][1]["flat_minimum_usd"].as_f64(),
        Some(16.0 * 126.0)
    );
    assert_eq!(
        plan["namespaces"][0]["minimum_usd"].as_f64(),
        Some(16.0 * 126.0)
    );
    assert_eq!(plan["minimum_usd"].as_f64(), Some(1656.0 + 2016.0));
    assert_eq!(plan["flat_minimum_usd"].as_f64(), Some(2.0 * 2016.0));

    let table = tcap(&emu, &["schedule-change", "--file", file, "--dry-run"]);
    expect_code(&table, 0);
    let shown = text(&table.stdout);
    assert!(
        shown.contains("$1,656.00 as planned, $2,016.00 flat at 8 TRUs"),
        "{shown}"
    );

    // The single-namespace form has a dry run too.
    let single = tcap(
        &emu,
        &[
            "schedule-change",
            &a,
            "6",
            "--start-time",
            "2030-11-29T08:30:00Z",
            "--duration",
            "2h",
            "--dry-run",
            "-o",
            "json",
        ],
    );
    expect_code(&single, 0);
    let single = stdout_json(&single);
    assert_eq!(
        single["namespaces"][0]["hours"].as_array().unwrap().len(),
        3
    );
    assert_eq!(single["minimum_usd"].as_f64(), Some(3.0 * 90.0));

    assert_eq!(
        emu.requests_to("POST", "/cloud/"),
        0,
        "a dry run sends nothing"
    );
    assert!(!event_file(&emu, "black-friday").exists());
    assert!(
        !emu.state_dir()
            .join("changes")
            .join(format!("{a}.json"))
            .exists()
    );
}

#[test]
fn an_invalid_tru_value_or_an_owned_namespace_is_refused_before_anything_changes() {
    let emu = Emu::start();
    let (a, b, _) = three(&emu);
    let file = write_event(
        &emu,
        "bad",
        &format!(
            "duration = \"2h\"\n[[namespace]]\nid = \"{a}\"\ntrus = 2\n[[namespace]]\nid = \"{b}\"\nramp = [ {{ at = \"+0h\", trus = 2 }}, {{ at = \"+1h\", trus = 5 }} ]\n"
        ),
    );
    let out = tcap(&emu, &["schedule-change", "--file", file.to_str().unwrap()]);
    expect_code(&out, 2);
    let err = text(&out.stderr);
    assert!(err.contains("bad.toml:7:") && err.contains('5'), "{err}");
    assert_eq!(emu.requests_to("POST", "/cloud/"), 0);
    assert!(read_event(&emu, "bad").is_none());
    // A flat value is named by its line too.
    let flat = write_event(
        &emu,
        "flat",
        &format!("duration = \"2h\"\n[[namespace]]\nid = \"{a}\"\ntrus = 7\n"),
    );
    let out = tcap(&emu, &["schedule-change", "--file", flat.to_str().unwrap()]);
    expect_code(&out, 2);
    let err = text(&out.stderr);
    assert!(err.contains("flat.toml:4:") && err.contains('7'), "{err}");
    assert_eq!(emu.requests_to("POST", "/cloud/"), 0);

    // A namespace with an unfinished scheduled change (here an interrupted one) is owned.
    let mut held = Bg::spawn(&emu, &["schedule-change", &a, "3", "--duration", "1h"]);
    let change = emu.state_dir().join("changes").join(format!("{a}.json"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while !fs::read_to_string(&change).is_ok_and(|s| s.contains("waiting-for-end")) {
        assert!(Instant::now() < deadline, "the change never got going");
        std::thread::sleep(Duration::from_millis(20));
    }
    held.kill9();
    let ok = write_event(
        &emu,
        "ok",
        &format!("duration = \"1h\"\n[[namespace]]\nid = \"{a}\"\ntrus = 2\n"),
    );
    let posts_before = emu.requests_to("POST", "/cloud/");
    let out = tcap(&emu, &["schedule-change", "--file", ok.to_str().unwrap()]);
    expect_code(&out, 2);
    let err = text(&out.stderr);
    assert!(
        err.contains(&a) && err.contains("unfinished scheduled change"),
        "{err}"
    );
    assert_eq!(emu.requests_to("POST", "/cloud/"), posts_before);
}

#[test]
fn changes_extend_and_cancel_act_on_a_whole_event_or_one_of_its_namespaces() {
    let emu = Emu::start();
    let (a, b, c) = three(&emu);
    let before_c = capacity(&emu, &c);
    let file = write_event(
        &emu,
        "week",
        &format!(
            "duration = \"1h\"\n[[namespace]]\nid = \"{a}\"\ntrus = 2\n[[namespace]]\nid = \"{b}\"\ntrus = 3\n[[namespace]]\nid = \"{c}\"\ntrus = 4\n"
        ),
    );
    let mut run = Bg::spawn(
        &emu,
        &[
            "schedule-change",
            "--file",
            file.to_str().unwrap(),
            "-o",
            "json",
        ],
    );
    wait_event(&emu, "week", "every namespace boosted", |e| {
        e["tracks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["step"] == "waiting-for-end")
    });
    let list = stdout_json(&tcap(&emu, &["changes", "list", "-o", "json"]));
    let running: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["event"] == "week")
        .collect();
    assert_eq!(running.len(), 3);
    assert!(
        running
            .iter()
            .all(|r| r["status"].as_str().unwrap().starts_with("running"))
    );

    // One namespace reverted now; the others keep their boost.
    let out = tcap(
        &emu,
        &["changes", "cancel", "--event", "week", &b, "--revert-now"],
    );
    expect_code(&out, 0);
    wait_event(&emu, "week", "b reverted", |e| {
        track(e, &b)["step"] == "done"
    });
    assert_eq!(capacity(&emu, &b), None);
    assert_eq!(capacity(&emu, &a), Some(2.0));

    // The whole event ends in two seconds instead of an hour.
    let out = tcap(
        &emu,
        &[
            "changes",
            "extend",
            "--event",
            "week",
            "--end-time",
            &in_secs(2),
        ],
    );
    expect_code(&out, 0);
    run.expect_success(Duration::from_secs(30));
    let result: Value = serde_json::from_str(&run.out()).unwrap();
    assert_eq!(result["success"], true, "{result:#}");
    assert_eq!(capacity(&emu, &a), None);
    assert_eq!(capacity(&emu, &c), before_c);
    assert_eq!(posts(&emu, &b), [Some(3.0), None]);

    // Too late now.
    let out = tcap(&emu, &["changes", "cancel", "--event", "week"]);
    expect_code(&out, 2);
    assert!(
        text(&out.stderr).contains("already finished"),
        "{}",
        text(&out.stderr)
    );
}
