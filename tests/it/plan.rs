//! `tcap plan` against a real Prometheus holding 28 days whose answer is known by
//! construction, and the ways a history source can be wrong.
//!
//! Needs `prometheus` and `promtool` (Debian's `prometheus` package). Without them the tests
//! that need them say so and pass, unless `TCAP_REQUIRE_EXTERNAL=1` (CI) makes that a failure.

use std::collections::BTreeMap;
use std::io::{BufWriter, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, DurationRound, Timelike, Utc};
use serde_json::Value;
use tcap::devserver::Load;

use crate::common::{self, Emu};

const DAY: i64 = 1440;
const MINUTES: i64 = 28 * DAY;
const PRICE: f64 = 50.0;

/// The tools, or `None` after saying why the test is skipped; a panic when CI requires them.
pub(crate) fn tools() -> Option<(PathBuf, PathBuf)> {
    let find = |name: &str| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(name))
                .find(|p| p.is_file())
        })
    };
    match (find("prometheus"), find("promtool")) {
        (Some(p), Some(t)) => Some((p, t)),
        _ if std::env::var("TCAP_REQUIRE_EXTERNAL").as_deref() == Ok("1") => {
            panic!("TCAP_REQUIRE_EXTERNAL=1 but prometheus/promtool are not installed")
        }
        _ => {
            eprintln!(
                "skipped: prometheus and promtool are not installed (apt-get install prometheus)"
            );
            None
        }
    }
}

/// A Prometheus process over backfilled data, stopped on drop.
pub(crate) struct Prom {
    child: Child,
    pub(crate) url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Prom {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Backfills `openmetrics` (timestamps in seconds) and serves it.
pub(crate) fn start_prometheus(prometheus: &Path, promtool: &Path, openmetrics: &Path) -> Prom {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = Command::new(promtool)
        .args([
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            "--max-block-duration=672h",
        ])
        .arg(openmetrics)
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "promtool: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        "global:\n  scrape_interval: 1m\nscrape_configs: []\n",
    )
    .unwrap();
    let port = free_port();
    let child = Command::new(prometheus)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", data.display()))
        .arg("--storage.tsdb.retention.time=90d")
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let prom = Prom {
        child,
        url,
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(90);
    let ready = format!("{}/-/ready", prom.url);
    loop {
        if http_ok(&ready) {
            break;
        }
        assert!(Instant::now() < deadline, "prometheus did not get ready");
        std::thread::sleep(Duration::from_millis(200));
    }
    prom
}

/// Whether `url` answers 200 (a tiny HTTP/1.0 GET; waiting for readiness needs nothing more).
fn http_ok(url: &str) -> bool {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let Ok(mut s) = std::net::TcpStream::connect(host) else {
        return false;
    };
    let mut answer = String::new();
    write!(s, "GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n").is_ok()
        && s.read_to_string(&mut answer).is_ok()
        && (answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200"))
}

/// One minute of a generated namespace, per second.
#[derive(Clone, Copy, Default)]
struct Sample {
    limit: f64,
    fg: f64,
    bg: f64,
    throttled: f64,
    /// Requests that ran and that were throttled.
    rps: f64,
    rps_throttled: f64,
    /// Foreground and background operations.
    ops: f64,
    ops_bg: f64,
}

/// The constructed account: name → minute → sample (`None`: nothing recorded).
type Generator = fn(DateTime<Utc>, i64) -> Option<Sample>;

fn busy(t: DateTime<Utc>) -> bool {
    t.weekday().num_days_from_monday() < 5 && (9..17).contains(&t.hour())
}

/// Busy 09-17 on weekdays at 2,800 APS, of which On-Demand ran 2,600 and throttled 200; 5 APS
/// of background actions always; no foreground row when idle. Requests 2.5 and operations 1.5
/// per action when busy, and 100,000 background operations a second all the time: they do not
/// count toward the limit (counted, On-Demand would never throttle and no TRU value would do).
fn office(t: DateTime<Utc>, _: i64) -> Option<Sample> {
    let b = busy(t);
    Some(Sample {
        limit: 2600.0,
        fg: if b { 2600.0 } else { 0.0 },
        bg: 5.0,
        throttled: if b { 200.0 } else { 0.0 },
        rps: if b { 6500.0 } else { 0.0 },
        rps_throttled: if b { 500.0 } else { 0.0 },
        ops: if b { 4200.0 } else { 0.0 },
        ops_bg: 100_000.0,
    })
}

/// On 6 TRUs; 0.6 × base all day and base 12:00-13:00, base growing 10% a week to 2,200.
fn growing(t: DateTime<Utc>, minute: i64) -> Option<Sample> {
    let week = minute / (7 * DAY);
    let base = 2200.0 / 1.1f64.powi(3 - week as i32);
    Some(Sample {
        limit: 3000.0,
        fg: if t.hour() == 12 { base } else { 0.6 * base },
        ..Sample::default()
    })
}

/// On 4 TRUs, using 20 APS.
fn idle(_: DateTime<Utc>, _: i64) -> Option<Sample> {
    Some(Sample {
        limit: 2000.0,
        fg: 20.0,
        ..Sample::default()
    })
}

/// 30 APS, and 4,500 on Sundays 01:00-04:00 (On-Demand ran 500 of it).
fn batch(t: DateTime<Utc>, _: i64) -> Option<Sample> {
    let night = t.weekday().num_days_from_monday() == 6 && (1..4).contains(&t.hour());
    Some(Sample {
        limit: 500.0,
        fg: if night { 500.0 } else { 30.0 },
        throttled: if night { 4000.0 } else { 0.0 },
        ..Sample::default()
    })
}

/// 100 APS with two days missing (days 10 and 11).
fn patchy(_: DateTime<Utc>, minute: i64) -> Option<Sample> {
    (!(10 * DAY..12 * DAY).contains(&minute)).then_some(Sample {
        limit: 500.0,
        fg: 100.0,
        ..Sample::default()
    })
}

const NAMES: [(&str, Generator); 5] = [
    ("office-hours", office),
    ("growing", growing),
    ("idle-4", idle),
    ("batch-sunday", batch),
    ("patchy", patchy),
];

/// The history as Temporal's scrape produces it: full IDs in `temporal_namespace`, scrape labels
/// `job` and `instance`, an HA namespace with two limit rows, no count row in an idle minute.
fn write_openmetrics(path: &Path, ids: &BTreeMap<&str, String>, start: DateTime<Utc>) {
    let mut out = BufWriter::new(std::fs::File::create(path).unwrap());
    let labels = |id: &str, extra: &str| {
        format!(
            "temporal_namespace=\"{id}\",temporal_account=\"acct\",job=\"temporal-cloud\",instance=\"metrics.temporal.io:443\"{extra}"
        )
    };
    let each = |out: &mut BufWriter<std::fs::File>,
                metric: &str,
                extra: &str,
                generator: Generator,
                id: &str,
                value: &dyn Fn(&Sample) -> Option<f64>| {
        for m in 0..MINUTES {
            let t = start + chrono::Duration::minutes(m);
            if let Some(v) = generator(t, m).as_ref().and_then(value) {
                writeln!(
                    out,
                    "{metric}{{{}}} {v} {}",
                    labels(id, extra),
                    t.timestamp()
                )
                .unwrap();
            }
        }
    };
    writeln!(out, "# TYPE temporal_cloud_v1_action_limit gauge").unwrap();
    for (name, generator) in NAMES {
        let id = &ids[name];
        each(
            &mut out,
            "temporal_cloud_v1_action_limit",
            ",region=\"aws-us-east-1\"",
            generator,
            id,
            &|s| Some(s.limit),
        );
        if name == "batch-sunday" {
            // The other region of an HA namespace reports a lower limit: the larger row counts.
            each(
                &mut out,
                "temporal_cloud_v1_action_limit",
                ",region=\"aws-us-west-2\"",
                generator,
                id,
                &|s| Some(s.limit / 2.0),
            );
        }
    }
    writeln!(out, "# TYPE temporal_cloud_v1_total_action_count gauge").unwrap();
    for (name, generator) in NAMES {
        let id = &ids[name];
        let fg = ",is_background=\"false\",namespace_mode=\"active\"";
        each(
            &mut out,
            "temporal_cloud_v1_total_action_count",
            fg,
            generator,
            id,
            &|s| (s.fg > 0.0).then_some(s.fg),
        );
        let bg = ",is_background=\"true\",namespace_mode=\"active\"";
        each(
            &mut out,
            "temporal_cloud_v1_total_action_count",
            bg,
            generator,
            id,
            &|s| (s.bg > 0.0).then_some(s.bg),
        );
    }
    writeln!(
        out,
        "# TYPE temporal_cloud_v1_total_action_throttled_count gauge"
    )
    .unwrap();
    for (name, generator) in NAMES {
        let id = &ids[name];
        each(
            &mut out,
            "temporal_cloud_v1_total_action_throttled_count",
            "",
            generator,
            id,
            &|s| (s.throttled > 0.0).then_some(s.throttled),
        );
    }
    let office_id = &ids["office-hours"];
    writeln!(out, "# TYPE temporal_cloud_v1_service_request_count gauge").unwrap();
    let op = ",operation=\"StartWorkflowExecution\"";
    each(
        &mut out,
        "temporal_cloud_v1_service_request_count",
        op,
        office,
        office_id,
        &|s| (s.rps > 0.0).then_some(s.rps),
    );
    writeln!(
        out,
        "# TYPE temporal_cloud_v1_service_request_throttled_count gauge"
    )
    .unwrap();
    each(
        &mut out,
        "temporal_cloud_v1_service_request_throttled_count",
        op,
        office,
        office_id,
        &|s| (s.rps_throttled > 0.0).then_some(s.rps_throttled),
    );
    writeln!(out, "# TYPE temporal_cloud_v1_operations_count gauge").unwrap();
    let fg =
        ",operation=\"UpdateWorkflowExecution\",is_background=\"false\",namespace_mode=\"active\"";
    each(
        &mut out,
        "temporal_cloud_v1_operations_count",
        fg,
        office,
        office_id,
        &|s| (s.ops > 0.0).then_some(s.ops),
    );
    let bg =
        ",operation=\"UpdateWorkflowExecution\",is_background=\"true\",namespace_mode=\"active\"";
    each(
        &mut out,
        "temporal_cloud_v1_operations_count",
        bg,
        office,
        office_id,
        &|s| Some(s.ops_bg),
    );
    writeln!(out, "# EOF").unwrap();
    out.flush().unwrap();
}

/// The bill of `generator` per calendar hour, computed here from the construction: demand
/// above `limit(t)` is throttled, and an hour bills max(actions, (TRUs − 1) × 360,000).
fn expected_usd(
    generator: Generator,
    start: DateTime<Utc>,
    trus: &dyn Fn(DateTime<Utc>) -> f64,
    limit: &dyn Fn(DateTime<Utc>) -> f64,
) -> f64 {
    let mut hours: BTreeMap<i64, (f64, f64)> = BTreeMap::new();
    for m in 0..MINUTES {
        let t = start + chrono::Duration::minutes(m);
        let Some(s) = generator(t, m) else { continue };
        let demand = s.fg + s.throttled;
        let hour = hours.entry(t.timestamp() / 3600).or_default();
        hour.0 += (demand.min(limit(t)) + s.bg) * 60.0;
        hour.1 = hour.1.max(trus(t));
    }
    hours
        .values()
        .map(|(actions, trus)| actions.max((trus - 1.0).max(0.0) * 360_000.0) * PRICE / 1e6)
        .sum()
}

fn cents(v: f64) -> i64 {
    (v * 100.0).round() as i64
}

fn by_name<'a>(plan: &'a Value, name: &str) -> &'a Value {
    plan["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| {
            n["namespace"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{name}."))
        })
        .unwrap_or_else(|| panic!("{name} not in the plan"))
}

/// The constructed account: the emulator with a namespace per generator (`growing` on 6 TRUs,
/// `idle-4` on 4) and a Prometheus serving their 28 days, which end at the last whole hour.
pub(crate) struct Constructed {
    pub(crate) emu: Emu,
    pub(crate) prom: Prom,
    pub(crate) ids: BTreeMap<&'static str, String>,
    pub(crate) start: DateTime<Utc>,
    pub(crate) end: DateTime<Utc>,
}

impl Constructed {
    /// Panics when the hour turned since the history was built: the plan would read a
    /// window an hour later, with an empty last hour.
    pub(crate) fn assert_same_hour(&self) {
        assert_eq!(
            self.end,
            Utc::now()
                .duration_trunc(chrono::Duration::hours(1))
                .unwrap(),
            "the hour turned during the test"
        );
    }
}

pub(crate) fn constructed(prometheus: &Path, promtool: &Path) -> Constructed {
    // The plan reads up to the last whole hour; building the history takes seconds, so start
    // clear of an hour's end.
    let now = Utc::now();
    if now.minute() >= 58 {
        std::thread::sleep(Duration::from_secs(
            u64::from(61 - now.minute()) * 60 - u64::from(now.second()),
        ));
    }
    let end = Utc::now()
        .duration_trunc(chrono::Duration::hours(1))
        .unwrap();
    let start = end - chrono::Duration::minutes(MINUTES);

    let profile: String = NAMES.iter().map(|(n, _)| format!("0,{n},1\n")).collect();
    let mut config = common::config().with_load(Load::parse(&profile).unwrap());
    config.apply_delay = Duration::from_millis(300);
    let emu = Emu::with(config);
    let ids: BTreeMap<&str, String> = NAMES
        .iter()
        .map(|(n, _)| (*n, emu.namespace(&format!("{n}."))))
        .collect();
    emu.tcap()
        .args(["provision", &ids["growing"], "6"])
        .assert()
        .success();
    emu.tcap()
        .args(["provision", &ids["idle-4"], "4"])
        .assert()
        .success();

    let dir = tempfile::tempdir().unwrap();
    let om = dir.path().join("history.om");
    write_openmetrics(&om, &ids, start);
    let prom = start_prometheus(prometheus, promtool, &om);
    Constructed {
        emu,
        prom,
        ids,
        start,
        end,
    }
}

#[test]
fn plan_finds_what_the_history_was_built_to_show() {
    let Some((prometheus, promtool)) = tools() else {
        return;
    };
    let account = constructed(&prometheus, &promtool);
    let Constructed {
        emu,
        prom,
        ids,
        start,
        end,
    } = &account;
    let (start, end) = (*start, *end);

    let out = emu
        .tcap()
        .args(["plan", "--prometheus", &prom.url, "-o", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    account.assert_same_hour();
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        plan["history_end"],
        end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );

    // Office hours: On-Demand's limit is 4 × the 7-day mean (2,800 APS for 40 of 168 hours),
    // below the peak; 6 TRUs in exactly the busy hours carry it, and cost what it uses.
    let o = by_name(&plan, "office-hours");
    assert_eq!(o["action"], "schedule", "{o:#}");
    assert_eq!(o["chosen"]["description"], "6 TRUs Mon-Fri 09:00-17:00");
    assert_eq!(o["chosen"]["throttled_actions"], 0);
    let od_limit = 4.0 * 2800.0 * 2400.0 / 10_080.0;
    let today = expected_usd(office, start, &|_| 0.0, &|_| od_limit);
    assert_eq!(
        cents(o["today"]["total_usd"].as_f64().unwrap()),
        cents(today)
    );
    let chosen = expected_usd(office, start, &|t| if busy(t) { 6.0 } else { 0.0 }, &|t| {
        if busy(t) { 3000.0 } else { od_limit }
    });
    assert_eq!(
        cents(o["chosen"]["total_usd"].as_f64().unwrap()),
        cents(chosen)
    );
    // 160 busy hours billed 2,805 APS, 512 hours of 5 APS background.
    assert_eq!(
        cents(chosen),
        cents(160.0 * 2805.0 * 3600.0 * 50e-6 + 512.0 * 5.0 * 3600.0 * 50e-6)
    );
    assert!(o["today"]["throttled_actions"].as_f64().unwrap() > 0.0);
    // Requests and operations: On-Demand's limits are 4 × their means too (6,666.7 RPS and the
    // 4,000 OPS floor), below the peaks of 7,000 and 4,200; 6 TRUs give 9,000 and 24,000.
    let hours: f64 = 160.0 * 3600.0;
    let od_rps: f64 = 4.0 * 7000.0 * 2400.0 / 10_080.0;
    assert_eq!(
        o["today"]["throttled_requests"].as_f64().unwrap().round(),
        ((7000.0 - od_rps) * hours).round()
    );
    assert_eq!(o["today"]["throttled_operations"], 200.0 * hours);
    assert_eq!(o["chosen"]["throttled_requests"], 0);
    assert_eq!(o["chosen"]["throttled_operations"], 0);

    // Growing 10% a week on 6 TRUs: the newest week's p99 is 2,200; the trend line, half a week
    // past that week's middle at the end, meets 3,000 APS ln(3000/2200)/ln(1.1) − 0.5 weeks on.
    let g = by_name(&plan, "growing");
    assert_eq!(g["action"], "keep", "{g:#}");
    assert!(
        (g["growth"]["growth_per_week"].as_f64().unwrap() - 0.10).abs() < 1e-3,
        "{g:#}"
    );
    assert_eq!(g["growth"]["p99"], 2200);
    let weeks = (3000.0f64 / 2200.0).ln() / 1.1f64.ln() - 0.5;
    let date = (end + chrono::Duration::seconds((weeks * 7.0 * 86_400.0) as i64)).date_naive();
    assert_eq!(g["growth"]["limit_reached_on"], date.to_string());

    // Idle on 4 TRUs: back to On-Demand; 672 hours at the $54 minimum against 20 APS used.
    let i = by_name(&plan, "idle-4");
    assert_eq!(i["action"], "revert-to-on-demand", "{i:#}");
    assert_eq!(
        cents(i["today"]["total_usd"].as_f64().unwrap()),
        cents(672.0 * 54.0)
    );
    assert_eq!(
        cents(i["chosen"]["total_usd"].as_f64().unwrap()),
        cents(672.0 * 3.6)
    );
    assert_eq!(
        cents(i["monthly_saving_usd"].as_f64().unwrap()),
        cents(720.0 * 50.4)
    );
    assert_eq!(i["growth"]["limit_reached_on"], Value::Null);

    // The Sunday batch: 4,500 APS needs 9 TRUs, not offered; 10 for the three hours.
    let b = by_name(&plan, "batch-sunday");
    assert_eq!(b["action"], "schedule", "{b:#}");
    assert_eq!(b["chosen"]["description"], "10 TRUs Sun 01:00-04:00");
    let night =
        |t: DateTime<Utc>| t.weekday().num_days_from_monday() == 6 && (1..4).contains(&t.hour());
    let chosen = expected_usd(
        batch,
        start,
        &|t| if night(t) { 10.0 } else { 0.0 },
        &|_| 5000.0,
    );
    assert_eq!(
        cents(b["chosen"]["total_usd"].as_f64().unwrap()),
        cents(chosen)
    );
    assert_eq!(cents(chosen), cents(12.0 * 810.0 + 660.0 * 5.4));

    // Two missing days: said on stderr and in the JSON, and left out of the bill.
    let p = by_name(&plan, "patchy");
    assert_eq!(p["missing_minutes"], 2 * DAY);
    assert_eq!(p["gaps"].as_array().unwrap().len(), 1);
    assert!(
        stderr.contains(&format!(
            "WARN {}: 2880 of 40320 minutes missing",
            ids["patchy"]
        )),
        "{stderr}"
    );
    assert_eq!(p["today"]["billed_hours"], 672 - 48);
    assert_eq!(
        cents(p["today"]["total_usd"].as_f64().unwrap()),
        cents(624.0 * 18.0)
    );

    // The table: a sparkline per namespace and the chosen capacity beside it.
    let table = emu
        .tcap()
        .env("COLUMNS", "200")
        .args(["plan", "--prometheus", &prom.url])
        .output()
        .unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    let office_line = table
        .lines()
        .find(|l| l.starts_with("office-hours."))
        .unwrap();
    assert!(office_line.contains("▁▁▁▁▁▁▁▁▁████████▁▁▁▁▁▁▁"), "{table}");
    assert!(
        office_line.contains("6 TRUs Mon-Fri 09:00-17:00"),
        "{table}"
    );

    // analyze --prometheus: the same growth, and exact hourly costs with basis "history".
    let out = emu
        .tcap()
        .args(["analyze", "--prometheus", &prom.url, "-o", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = |id: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["namespace"] == id)
            .unwrap()
            .clone()
    };
    let idle_row = row(&ids["idle-4"]);
    assert_eq!(
        idle_row["history"]["exact_hourly_cost_now"], 54,
        "{idle_row:#}"
    );
    assert_eq!(idle_row["cost"]["basis"], "history");
    assert_eq!(idle_row["cost"]["hourly_usd_now"], 54);
    // The emulator's current minute is nearly idle: analyze recommends On-Demand, whose
    // hours the history bills at 20 APS.
    assert_eq!(idle_row["recommended_capacity_mode"], "on-demand");
    assert_eq!(idle_row["history"]["exact_hourly_cost_recommended"], 3.6);
    let growing_row = row(&ids["growing"]);
    assert_eq!(growing_row["history"]["p99"], 2200);
    assert_eq!(
        growing_row["history"]["limit_reached_on"],
        date.to_string(),
        "{growing_row:#}"
    );
    let out = emu.tcap().args(["analyze", "-o", "json"]).output().unwrap();
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(rows[0].get("history").is_none());
    assert_ne!(rows[0]["cost"]["basis"], "history");

    // Cron, in a zone without summer time: 09:00-17:00 UTC is 18:00-02:00 in Tokyo, so the
    // office window crosses midnight; the batch's 01:00 UTC is 10:00. A revert to run once.
    let cron = emu
        .tcap()
        .args([
            "plan",
            "--prometheus",
            &prom.url,
            "-o",
            "cron",
            "--tz",
            "Asia/Tokyo",
        ])
        .output()
        .unwrap();
    let cron = String::from_utf8(cron.stdout).unwrap();
    assert!(cron.contains("CRON_TZ=Asia/Tokyo\n"), "{cron}");
    let office_id = &ids["office-hours"];
    // One change per window, running past midnight, not a revert and a new change at 00:00.
    assert!(
        cron.contains(&format!(
            "0 18 * * 1-5 tcap schedule-change {office_id} 6 --duration 8h\n"
        )),
        "{cron}"
    );
    assert!(!cron.contains("0 0 * *"), "{cron}");
    assert!(cron.contains("6 TRUs Mon-Fri 18:00-02:00"), "{cron}");
    assert!(
        cron.contains(&format!(
            "0 10 * * 0 tcap schedule-change {} 10 --duration 3h\n",
            ids["batch-sunday"]
        )),
        "{cron}"
    );
    assert!(
        cron.contains(&format!("# tcap revert {}\n", ids["idle-4"])),
        "{cron}"
    );
}

/// A one-shot HTTP server answering every request with `status` and `body`.
fn fake_prometheus(status: u16, body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { return };
            let mut buf = [0u8; 8192];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn a_wrong_history_source_is_a_one_line_error_with_the_contracts_code() {
    let emu = Emu::start();
    let run = |args: &[&str]| {
        let out = emu.tcap().arg("plan").args(args).output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.stdout,
        )
    };
    // Nothing listening: temporary.
    let (code, err, out) = run(&["--prometheus", &format!("http://127.0.0.1:{}", free_port())]);
    assert_eq!(code, 75, "{err}");
    assert!(
        err.contains("Prometheus: no answer from http://127.0.0.1"),
        "{err}"
    );
    assert!(out.is_empty());
    // A 400 in the server's words.
    let url = fake_prometheus(
        400,
        r#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:1: parse error"}"#,
    );
    let (code, err, _) = run(&["--prometheus", &url]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("Prometheus answered 400: bad_data: invalid parameter"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    // A 503 after retries: temporary.
    let url = fake_prometheus(
        503,
        r#"{"status":"error","errorType":"unavailable","error":"too many queries"}"#,
    );
    let (code, err, _) = run(&["--prometheus", &url]);
    assert_eq!(code, 75, "{err}");
    assert!(
        err.contains("Prometheus answered 503: unavailable: too many queries"),
        "{err}"
    );
    // No series at all.
    let url = fake_prometheus(
        200,
        r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#,
    );
    let (code, err, out) = run(&["--prometheus", &url]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("has no temporal_cloud_v1_action_limit series"),
        "{err}"
    );
    assert!(out.is_empty());
    // A token never crosses plain HTTP to another machine, and is never shown.
    let token = emu.home.path().join("token");
    std::fs::write(&token, "s3cret-token\n").unwrap();
    let (code, err, _) = run(&[
        "--prometheus",
        "http://prometheus.example:9090",
        "--prometheus-token-file",
        token.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("refusing to send a bearer token over plain HTTP"),
        "{err}"
    );
    assert!(!err.contains("s3cret"));
    // No history source at all; and -o cron is plan's alone.
    let (code, err, _) = run(&[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--prometheus"), "{err}");
    let out = emu.tcap().args(["analyze", "-o", "cron"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("-o cron is only for `tcap plan`"));
}

#[test]
fn a_token_is_sent_as_a_bearer_to_loopback() {
    // The fake answers 401 whatever it gets: the point is the exit code and that the message
    // names the token without showing it.
    let emu = Emu::start();
    let url = fake_prometheus(
        401,
        r#"{"status":"error","errorType":"unauthorized","error":"bad token"}"#,
    );
    let token = emu.home.path().join("token");
    std::fs::write(&token, "s3cret-token\n").unwrap();
    let out = emu
        .tcap()
        .args([
            "plan",
            "--prometheus",
            &url,
            "--prometheus-token-file",
            token.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(err.contains("Prometheus refused the bearer token"), "{err}");
    assert!(!err.contains("s3cret"));
}
