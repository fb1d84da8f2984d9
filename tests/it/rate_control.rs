//! How `tcap analyze` keeps to the Cloud Ops rate limit: it paces itself to `--rate-limit`, and
//! when the server still answers 429 it waits the `Retry-After`, slows down and loses no
//! namespace. Every assertion holds on a slow machine too: a slower client only sends later.

use crate::common;

use std::time::Duration;

use common::{Emu, config, stdout_json, text};
use serde_json::Value;
use tcap::devserver::Config;

fn analyze(emu: &Emu, extra: &[&str], delay_scale: Option<&str>) -> (Vec<Value>, String) {
    let mut cmd = emu.tcap();
    cmd.args(["analyze", "-o", "json"]).args(extra);
    if let Some(scale) = delay_scale {
        cmd.env("TCAP_RETRY_DELAY_SCALE", scale);
    }
    let output = cmd.output().unwrap();
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let rows = stdout_json(&output).as_array().cloned().expect("an array");
    (rows, stderr)
}

fn assert_every_namespace_analyzed(emu: &Emu, rows: &[Value]) {
    let ids: Vec<&str> = rows
        .iter()
        .map(|r| r["namespace"].as_str().unwrap())
        .collect();
    assert_eq!(ids, emu.namespaces());
    for r in rows {
        assert!(r.get("error").is_none(), "{r}");
        assert!(r["action"].is_string(), "{r}");
    }
}

#[test]
fn a_server_far_below_the_clients_rate_loses_no_namespace_and_few_requests_get_429() {
    // 5 requests/s with a burst of 5 against a client that starts at 80/s: the first 100 ms
    // alone overrun it. The run slows down instead of failing, and only the first requests
    // of each slow-down are refused, not most of them.
    const NAMESPACES: usize = 40;
    let emu = Emu::with(Config {
        namespaces: NAMESPACES,
        rate_limit: Some(5.0),
        ..config()
    });
    let (rows, stderr) = analyze(&emu, &[], None);
    assert_every_namespace_analyzed(&emu, &rows);

    let stats = emu.server.stats();
    assert!(stats.rate_limited > 0, "the server never said slow down");
    assert_eq!(
        stats.cloud_ops_requests,
        1 + NAMESPACES as u64 + stats.rate_limited,
        "one list page and one capacity-info per namespace; each 429 retried, nothing else sent twice"
    );
    assert!(
        stats.rate_limited <= NAMESPACES as u64 / 2,
        "{} of {} requests refused",
        stats.rate_limited,
        stats.cloud_ops_requests
    );
    assert!(stderr.contains("asked to slow down"), "{stderr}");
}

#[test]
fn after_a_429_nothing_is_sent_until_its_retry_after_has_passed() {
    // Full delays here: every 429 (Retry-After: 1) holds back every request of the run for a
    // second, except those already on their way when it arrived.
    let emu = Emu::with(Config {
        namespaces: 24,
        rate_limit: Some(4.0),
        ..config()
    });
    let (rows, _) = analyze(&emu, &[], Some("1"));
    assert_every_namespace_analyzed(&emu, &rows);

    let log: Vec<_> = emu
        .server
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/cloud/"))
        .collect();
    let limited: Vec<_> = log.iter().filter(|r| r.status == 429).collect();
    assert!(!limited.is_empty(), "the server never said slow down");
    let pause = chrono::Duration::seconds(1);
    let in_flight = chrono::Duration::milliseconds(100);
    let slack = chrono::Duration::milliseconds(10);
    for r in &limited {
        for q in &log {
            if q.at > r.at + in_flight {
                assert!(
                    q.at >= r.at + pause - slack,
                    "{} sent {} ms after a 429 was answered",
                    q.path,
                    (q.at - r.at).num_milliseconds()
                );
            }
        }
    }
}

#[test]
fn the_client_sends_no_faster_than_its_rate_limit() {
    // No limit on the server: the pace is the client's own. At 20/s the burst allowance is
    // two requests, so the 41st goes out no sooner than 39/20 s after the first.
    const NAMESPACES: usize = 41;
    let emu = Emu::with(Config {
        namespaces: NAMESPACES,
        ..config()
    });
    let (rows, _) = analyze(&emu, &["--rate-limit", "20"], None);
    assert_every_namespace_analyzed(&emu, &rows);

    let sent: Vec<_> = emu
        .server
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/cloud/"))
        .map(|r| r.at)
        .collect();
    // The list page goes through the same pace as the capacity-info calls.
    assert_eq!(sent.len(), NAMESPACES + 1);
    let span = (*sent.iter().max().unwrap() - *sent.iter().min().unwrap())
        .to_std()
        .unwrap();
    assert!(
        span >= Duration::from_millis(1950 - 100),
        "{NAMESPACES} requests within {span:?} at --rate-limit 20"
    );
}

#[test]
fn rate_limit_is_checked_before_any_request() {
    let emu = Emu::start();
    for bad in ["0", "0.01", "fast", "NaN"] {
        let output = emu
            .tcap()
            .args(["analyze", "--rate-limit", bad])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{bad}");
        assert!(
            text(&output.stderr).contains("requests per second"),
            "{}",
            text(&output.stderr)
        );
    }
    assert!(emu.server.requests().is_empty());
}
