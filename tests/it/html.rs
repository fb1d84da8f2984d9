//! `analyze -o html` and `plan -o html` in a real browser: headless Chromium loads a copy of a
//! report (the demo's, or a plan of the constructed history of `plan.rs` read from a real
//! Prometheus) with a probe script added, and the test reads what the probe wrote into the page.
//!
//! Chromium logs every console message at one level and no failed load at all, so errors are
//! read from the page: the probe records `error` events (capture phase: failed loads too),
//! content-security-policy violations and `console.error` calls, then, once the page has
//! loaded, writes them with what it found in the DOM into a `<pre>` that `--dump-dom` prints.
//!
//! Without Chromium (or, for the plan, Prometheus) the browser tests print a skip line and
//! pass; with `TCAP_REQUIRE_EXTERNAL=1` (CI) they fail instead.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{self, expect_code, text};

/// Installed first: sees every error of the page's own scripts and every failed load.
const PROBE_HEAD: &str = r#"<script>
window.__probe = [];
window.addEventListener("error", function (e) {
  var t = e.target;
  if (t && t !== window && (t.src || t.href)) {
    window.__probe.push("failed to load " + (t.src || t.href));
  } else {
    window.__probe.push("error: " + e.message);
  }
}, true);
window.addEventListener("unhandledrejection", function (e) {
  window.__probe.push("unhandled rejection: " + e.reason);
});
document.addEventListener("securitypolicyviolation", function (e) {
  window.__probe.push("blocked by the page's policy: " + e.blockedURI + " (" + e.violatedDirective + ")");
});
(function () {
  var original = console.error;
  console.error = function () {
    window.__probe.push("console.error: " + Array.prototype.join.call(arguments, " "));
    return original.apply(console, arguments);
  };
})();
</script>"#;

/// Run at `load`, after the page's scripts and loads: what the DOM holds, then a click on two
/// sort buttons.
const PROBE_TAIL: &str = r#"<script>
window.addEventListener("load", function () {
  var facts = { errors: window.__probe, sections: [], figures: {}, sorted: {} };
  try {
    document.querySelectorAll("section.ns").forEach(function (s) {
      var code = s.querySelector("p.command code");
      var facts_of = {};
      s.querySelectorAll("dl.facts dt").forEach(function (dt) {
        facts_of[dt.textContent] = dt.nextElementSibling.textContent;
      });
      var path = function (chart, cls) {
        var p = chart.querySelector("path." + cls);
        return p ? p.getAttribute("d") : null;
      };
      facts.sections.push({
        heading: s.querySelector("h3").textContent,
        bytes: s.outerHTML.length,
        action: s.querySelector(".badge").textContent,
        reason: s.querySelector("p.reason").textContent,
        command: code ? code.textContent : null,
        commands: Array.prototype.map.call(s.querySelectorAll("p.command code"), function (c) {
          return c.textContent;
        }),
        facts: facts_of,
        charts: Array.prototype.map.call(s.querySelectorAll("svg.chart"), function (c) {
          var series = c.querySelector("path.series");
          var named = (c.getAttribute("aria-labelledby") || "").split(" ").filter(Boolean);
          return {
            kind: c.classList.contains("gauges") ? "gauges" : "line",
            role: c.getAttribute("role"),
            name: c.computedName,
            label: c.getAttribute("aria-label"),
            words: named.map(function (id) {
              var e = document.getElementById(id);
              return e && c.contains(e) ? e.textContent : null;
            }),
            points: Number(c.dataset.points),
            span: series ? series.getBBox().width + 1 : null,
            bar: path(c, "bar"),
            refused: path(c, "refused"),
            week: path(c, "week"),
            current: path(c, "limit.current"),
            proposed: path(c, "limit.proposed"),
            series: path(c, "series"),
            throttled: path(c, "throttled"),
            width: c.getBoundingClientRect().width
          };
        })
      });
    });
    document.querySelectorAll("[data-figure]").forEach(function (f) {
      facts.figures[f.dataset.figure] = { value: Number(f.dataset.value), text: f.querySelector("dd").textContent };
    });
    var headers = Array.prototype.slice.call(document.querySelectorAll("table.sortable thead th"));
    ["Saved $/h", "Utilization"].forEach(function (label) {
      var th = headers.filter(function (h) { return h.textContent === label; })[0];
      var button = th && th.querySelector("button");
      if (!button) { facts.errors.push("no sort button on " + label); return; }
      button.click();
      facts.sorted[label] = {
        aria: th.getAttribute("aria-sort"),
        order: Array.prototype.map.call(document.querySelectorAll("table.sortable tbody tr"), function (r) {
          return r.cells[0].textContent;
        })
      };
    });
  } catch (e) {
    facts.errors.push("probe: " + e);
  }
  var pre = document.createElement("pre");
  pre.id = "tcap-probe";
  pre.textContent = JSON.stringify(facts);
  document.body.appendChild(pre);
});
</script>"#;

/// Debian's `chromium` on PATH; `None` (after saying so) when the test may be skipped.
fn chromium(test: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("TCAP_REQUIRE_EXTERNAL").as_deref() != Ok("1"),
            "{test}: chromium is not installed and TCAP_REQUIRE_EXTERNAL=1 requires it \
             (apt-get install chromium)"
        );
        eprintln!("skipped {test}: chromium is not installed");
    }
    found
}

/// Chromium as root in a container: no sandbox, no GPU, nothing fetched of its own accord, a
/// profile of its own.
fn browser(chromium: &Path, profile: &Path) -> Command {
    let mut cmd = Command::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .stdin(Stdio::null());
    cmd
}

/// Runs `cmd`, killing it after two minutes; what it printed on stdout.
fn run(mut cmd: Command) -> String {
    let out = tempfile::NamedTempFile::new().unwrap();
    let err = tempfile::NamedTempFile::new().unwrap();
    let mut child = cmd
        .stdout(out.reopen().unwrap())
        .stderr(err.reopen().unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 2 minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = std::fs::read_to_string(out.path()).unwrap();
    assert!(
        status.success(),
        "chromium: {status}\n{}",
        std::fs::read_to_string(err.path()).unwrap()
    );
    stdout
}

/// `page` with the probe added, loaded in Chromium: the probe's findings.
fn probe(chromium: &Path, dir: &Path, page: &str, name: &str) -> Value {
    let head = page.find("<head>").expect("a <head>") + "<head>".len();
    let end = page.rfind("</body>").expect("a </body>");
    let probed = format!(
        "{}\n{PROBE_HEAD}{}{PROBE_TAIL}\n{}",
        &page[..head],
        &page[head..end],
        &page[end..]
    );
    let file = dir.join(name);
    std::fs::write(&file, probed).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let mut cmd = browser(chromium, profile.path());
    // `computedName`: the name assistive technology is given, as Chromium computes it.
    cmd.args([
        "--enable-blink-features=ComputedAccessibilityInfo",
        "--force-renderer-accessibility",
        "--dump-dom",
    ])
    .arg(format!("file://{}", file.display()));
    let dom = run(cmd);
    let start = dom
        .find("<pre id=\"tcap-probe\">")
        .unwrap_or_else(|| panic!("the probe wrote nothing; the page as loaded:\n{dom}"))
        + "<pre id=\"tcap-probe\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    // A text node as serialized: only these are escaped.
    let json = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

fn demo(format: &str) -> std::process::Output {
    let out = common::clean_tcap()
        .args(["--demo", "analyze", "-o", format])
        .output()
        .unwrap();
    expect_code(&out, 0);
    out
}

/// Where CI picks up artefacts: the target directory (above the tests' scratch directory).
fn artefact(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join(name)
}

fn usd(text: &str) -> f64 {
    let negative = text.starts_with('-');
    let v: f64 = text
        .trim_start_matches('-')
        .trim_start_matches('$')
        .replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("{text:?} is not dollars"));
    if negative { -v } else { v }
}

/// The rendered page says what `analyze -o json` says: every namespace in order, its charts
/// (a bar per figure, throttling marked, the limit line), its command, and the summary's
/// totals; a namespace that could not be read says why and draws nothing.
fn check_against_json(rows: &[Value], facts: &Value) {
    assert_eq!(facts["errors"], serde_json::json!([]), "{facts:#}");

    // Every namespace, in the order analyze gives them, with its charts and its command.
    let sections = facts["sections"].as_array().unwrap();
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["namespace"].as_str().unwrap())
        .collect();
    let shown: Vec<&str> = sections
        .iter()
        .map(|s| s["heading"].as_str().unwrap())
        .collect();
    assert_eq!(shown, names);
    for (row, section) in rows.iter().zip(sections) {
        let ns = row["namespace"].as_str().unwrap();
        if row["error"].is_null() {
            assert_eq!(section["action"], row["action"], "{ns}");
        }
        let charts = section["charts"].as_array().unwrap();
        if !row["error"].is_null() {
            // Said why, drawn nothing, nothing to run.
            assert_eq!(section["action"], "error", "{ns}");
            assert!(charts.is_empty(), "{ns}");
            assert!(section["command"].is_null(), "{ns}");
            assert!(
                section["reason"]
                    .as_str()
                    .unwrap()
                    .contains(row["error"].as_str().unwrap()),
                "{ns}: {section}"
            );
            continue;
        }
        // One chart, a row per dimension: a bar each, throttling marked in the rows that
        // throttled, the 7-day range under APS, the limit's tick in the rows that have one, and
        // the figures in words that are the chart's text alternative.
        let [chart] = charts.as_slice() else {
            panic!("{ns}: one chart: {section:#}")
        };
        assert_eq!(chart["kind"], "gauges", "{ns}");
        assert_eq!(chart["role"], "img");
        let dims = [("APS", "aps"), ("RPS", "rps"), ("OPS", "ops")];
        let rows_where = |test: &dyn Fn(&Value) -> bool| -> Vec<usize> {
            (0..3)
                .filter(|i| test(&row["dimensions"][dims[*i].1]))
                .collect()
        };
        assert_eq!(
            gauge_rows(&chart["bar"]),
            [0, 1, 2],
            "{ns}: a bar per dimension"
        );
        assert_eq!(
            gauge_rows(&chart["refused"]),
            rows_where(&|d| d["throttled"].as_f64().unwrap() > 0.0),
            "{ns}: throttling is marked"
        );
        assert_eq!(
            gauge_rows(&chart["week"]),
            if row["aps_7d"].is_null() {
                vec![]
            } else {
                vec![0]
            },
            "{ns}: the 7-day range, for APS"
        );
        assert_eq!(
            gauge_rows(&chart["current"]),
            rows_where(&|d| !d["limit"].is_null()),
            "{ns}: the limit now"
        );
        let words = chart["words"].as_array().unwrap();
        assert_eq!(words.len(), 3, "{ns}: {chart}");
        // The rows' words are what a screen reader says for the chart.
        let spoken: Vec<&str> = words.iter().filter_map(Value::as_str).collect();
        assert_eq!(chart["name"], spoken.join(" "), "{ns}");
        for ((unit, key), words) in dims.iter().zip(words) {
            let dim = &row["dimensions"][key];
            let words = words.as_str().unwrap_or_else(|| panic!("{ns}: {chart}"));
            assert!(
                words.starts_with(&format!(
                    "{unit} now {}",
                    group(dim["count"].as_f64().unwrap())
                )),
                "{ns} {unit}: {words}"
            );
            if let Some(limit) = dim["limit"].as_f64() {
                assert!(
                    words.contains(&format!("limit {}", group(limit))),
                    "{ns}: {words}"
                );
            }
            let week = &row["aps_7d"];
            if *key == "aps" && !week.is_null() {
                let want = format!(
                    ", 7-day mean {}, p99 {}",
                    group(week["mean"].as_f64().unwrap()),
                    group(week["p99"].as_f64().unwrap())
                );
                assert!(words.contains(&want), "{ns}: {words}");
            }
        }
        assert!(chart["width"].as_f64().unwrap() > 200.0, "{chart}");
        let trus = row["recommended_trus"].as_u64();
        let want = match row["action"].as_str().unwrap() {
            "provision" | "scale-up" | "scale-down" => {
                Some(format!("tcap provision {ns} {}", trus.unwrap()))
            }
            "revert-to-on-demand" => Some(format!("tcap revert {ns}")),
            _ => None,
        };
        assert_eq!(section["command"].as_str().map(String::from), want, "{ns}");
    }

    // The summary's figures are the totals of analyze's JSON.
    let figures = &facts["figures"];
    // A namespace that could not be read has no cost and adds nothing.
    let total =
        |field: &str| -> f64 { rows.iter().filter_map(|r| r["cost"][field].as_f64()).sum() };
    // JSON rounds each figure to the thousandth.
    let slack = 0.0005 * rows.len() as f64;
    for (figure, field, hours) in [
        ("hourly-now", "hourly_usd_now", 1.0),
        ("hourly-recommended", "hourly_usd_recommended", 1.0),
        ("monthly-now", "hourly_usd_now", 730.0),
        ("monthly-recommended", "hourly_usd_recommended", 730.0),
    ] {
        let want = total(field) * hours;
        let value = figures[figure]["value"].as_f64().unwrap();
        let shown = usd(figures[figure]["text"].as_str().unwrap());
        assert!(
            (value - want).abs() <= slack * hours,
            "{figure}: {value} vs {want}"
        );
        assert!(
            (shown - want).abs() <= 0.005 + slack * hours,
            "{figure}: {shown} vs {want}"
        );
    }
    let mut by_action: BTreeMap<&str, f64> = BTreeMap::new();
    for r in rows {
        *by_action
            .entry(r["action"].as_str().unwrap_or("error"))
            .or_default() += 1.0;
    }
    for (action, n) in &by_action {
        assert_eq!(figures[format!("action-{action}")]["value"], *n, "{action}");
    }
    assert_eq!(figures["namespaces"]["value"], rows.len() as f64);
    let throttled = rows
        .iter()
        .filter(|r| {
            // From the metrics, so a namespace without capacity-info counts too.
            r["throttled_action_count"].as_f64().unwrap() > 0.0
                || ["aps", "rps", "ops"]
                    .iter()
                    .any(|d| r["dimensions"][d]["throttled"].as_f64().unwrap_or(0.0) > 0.0)
        })
        .count();
    assert_eq!(figures["throttled"]["value"], throttled as f64);
}

#[test]
fn the_demo_report_renders_in_chromium_as_analyze_says() {
    let Some(chromium) = chromium("the_demo_report_renders_in_chromium_as_analyze_says") else {
        return;
    };
    let rows = common::stdout_json(&demo("json"));
    let rows = rows.as_array().unwrap();
    let page = text(&demo("html").stdout);
    let dir = tempfile::tempdir().unwrap();
    let facts = probe(&chromium, dir.path(), &page, "report.html");
    check_against_json(rows, &facts);
    assert!(
        facts["figures"]["throttled"]["value"].as_f64().unwrap() > 0.0,
        "the demo has throttled namespaces"
    );
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["namespace"].as_str().unwrap())
        .collect();

    // Sorting by a header in the browser: the largest saving, then the busiest, first.
    let saved: BTreeMap<&str, f64> = rows
        .iter()
        .map(|r| {
            let cost = &r["cost"];
            let saved = match (
                cost["hourly_usd_now"].as_f64(),
                cost["hourly_usd_recommended"].as_f64(),
            ) {
                (Some(now), Some(recommended)) => now - recommended,
                _ => f64::NEG_INFINITY,
            };
            (r["namespace"].as_str().unwrap(), saved)
        })
        .collect();
    let utilization: BTreeMap<&str, f64> = rows
        .iter()
        .map(|r| {
            (
                r["namespace"].as_str().unwrap(),
                r["utilization"].as_f64().unwrap_or(f64::NEG_INFINITY),
            )
        })
        .collect();
    for (label, key) in [("Saved $/h", &saved), ("Utilization", &utilization)] {
        let sorted = &facts["sorted"][label];
        assert_eq!(sorted["aria"], "descending", "{label}");
        let order: Vec<f64> = sorted["order"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| key[n.as_str().unwrap()])
            .collect();
        assert_eq!(order.len(), rows.len());
        assert!(
            order.windows(2).all(|w| w[0] >= w[1] - 0.001),
            "{label}: {order:?}"
        );
        assert_ne!(
            sorted["order"].as_array().unwrap()[0],
            names[0],
            "{label}: the sort changed the order"
        );
    }

    screenshot(&chromium, &page, "html-report");
}

/// The page as a reader sees it, and the page itself, kept for CI under `target/` as
/// `NAME.png` and `NAME.html`.
fn screenshot(chromium: &Path, page: &str, name: &str) {
    let screenshot = artefact(&format!("{name}.png"));
    let original = artefact(&format!("{name}.html"));
    std::fs::write(&original, page).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let mut cmd = browser(chromium, profile.path());
    cmd.arg(format!("--screenshot={}", screenshot.display()))
        .arg("--window-size=1280,2000")
        .arg(format!("file://{}", original.display()));
    run(cmd);
    let png = std::fs::read(&screenshot).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{}", screenshot.display());
    eprintln!("screenshot: {}", screenshot.display());
}

#[test]
fn a_namespace_that_could_not_be_read_shows_in_chromium_with_its_error() {
    let Some(chromium) =
        chromium("a_namespace_that_could_not_be_read_shows_in_chromium_with_its_error")
    else {
        return;
    };
    let emu = common::Emu::start();
    let gone = emu.namespaces()[3].clone();
    assert!(emu.server.delete_namespace(&gone));
    // Still printed, and the run exits 1, as for JSON.
    let json = common::tcap(&emu, &["analyze", "-o", "json"]);
    expect_code(&json, 1);
    let html = common::tcap(&emu, &["analyze", "-o", "html"]);
    expect_code(&html, 1);
    let rows = common::stdout_json(&json);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.iter().filter(|r| !r["error"].is_null()).count(), 1);
    let dir = tempfile::tempdir().unwrap();
    let facts = probe(&chromium, dir.path(), &text(&html.stdout), "error.html");
    check_against_json(rows, &facts);
    assert_eq!(facts["figures"]["action-error"]["value"], 1.0);
}

/// The commands `plan -o cron` prints: crontab lines, and the ones to run once (commented,
/// after a line ending "run once:", or after "first, once:").
fn cron_commands(cron: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut once_next = false;
    for line in cron.lines() {
        if let Some(first) = line.strip_prefix("# first, once: ") {
            commands.push(first.split("  (").next().unwrap().to_string());
        } else if once_next {
            commands.push(line.strip_prefix("# ").unwrap().to_string());
        } else if !line.starts_with('#') && !line.starts_with("CRON_TZ=") {
            commands.push(line.to_string());
        }
        once_next = line.ends_with("run once:");
    }
    commands.sort();
    commands
}

#[test]
fn the_plan_report_renders_in_chromium_as_plan_says() {
    let Some(chromium) = chromium("the_plan_report_renders_in_chromium_as_plan_says") else {
        return;
    };
    let Some((prometheus, promtool)) = crate::plan::tools() else {
        return;
    };
    let account = crate::plan::constructed(&prometheus, &promtool);
    let plan = |format: &str| {
        let out = account
            .emu
            .tcap()
            .args(["plan", "--prometheus", &account.prom.url, "-o", format])
            .output()
            .unwrap();
        expect_code(&out, 0);
        text(&out.stdout)
    };
    let json: Value = serde_json::from_str(&plan("json")).unwrap();
    let page = plan("html");
    let cron = plan("cron");
    account.assert_same_hour();
    let dir = tempfile::tempdir().unwrap();
    let facts = probe(&chromium, dir.path(), &page, "plan.html");
    assert_eq!(facts["errors"], serde_json::json!([]), "{facts:#}");

    let rows = json["namespaces"].as_array().unwrap();
    let sections = facts["sections"].as_array().unwrap();
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["namespace"].as_str().unwrap())
        .collect();
    let shown: Vec<&str> = sections
        .iter()
        .map(|s| s["heading"].as_str().unwrap())
        .collect();
    assert_eq!(shown, names);
    assert_eq!(names.len(), account.ids.len());

    // A point per hour of the 28 days, whatever was recorded; the hours throttled by
    // construction marked: office hours 8 a weekday, the batch 3 a Sunday.
    let hours = (account.end - account.start).num_hours();
    assert_eq!(hours, 672);
    let mut page_commands = Vec::new();
    for (row, section) in rows.iter().zip(sections) {
        let id = row["namespace"].as_str().unwrap();
        let name = account
            .ids
            .iter()
            .find(|(_, v)| v.as_str() == id)
            .map(|(k, _)| *k)
            .unwrap();
        assert_eq!(section["action"], row["action"], "{name}");
        let [chart] = section["charts"].as_array().unwrap().as_slice() else {
            panic!("{name}: one chart: {section:#}")
        };
        assert_eq!(chart["kind"], "line", "{name}");
        assert_eq!(chart["points"], hours, "{name}");
        // The line as drawn spans every hour, from the first to the last.
        assert_eq!(chart["span"], hours as f64, "{name}: {chart}");
        assert_eq!(chart["role"], "img");
        let throttled_hours: usize = match name {
            "office-hours" => 4 * 5 * 8,
            "batch-sunday" => 4 * 3,
            _ => 0,
        };
        // A dot per throttled hour.
        assert_eq!(subpaths(&chart["throttled"]), throttled_hours, "{name}");
        assert_eq!(
            row["throttled_minutes"],
            throttled_hours * 60,
            "{name}: the JSON counts the same minutes"
        );
        // Two days missing: the line breaks once, and says so.
        let (lines, missing) = if name == "patchy" { (2, 48) } else { (1, 0) };
        assert_eq!(subpaths(&chart["series"]), lines, "{name}");
        let label = chart["label"].as_str().unwrap();
        assert_eq!(
            chart["name"], label,
            "{name}: the label is the chart's name"
        );
        assert!(
            label.starts_with(&format!(
                "APS, the busiest minute of each hour: {hours} points, peak {} APS, {throttled_hours} throttled",
                group(match name {
                    "office-hours" => 2800.0,
                    "growing" => 2200.0,
                    "idle-4" => 20.0,
                    "batch-sunday" => 4500.0,
                    _ => 100.0,
                })
            )),
            "{name}: {label}"
        );
        assert_eq!(
            label.contains(&format!("{missing} without data")),
            missing > 0,
            "{name}: {label}"
        );
        // Today's limit always; the plan's when it changes something and differs.
        assert_eq!(subpaths(&chart["current"]), 1, "{name}");
        let today_limit = row["growth"]["limit"].as_f64().unwrap();
        let planned = row["action"] != "keep"
            && (row["chosen_limit_aps"].as_f64().unwrap() - today_limit).abs() >= 0.5;
        assert_eq!(subpaths(&chart["proposed"]), usize::from(planned), "{name}");
        // Small: the section, its four weeks of hours drawn, its facts and commands.
        eprintln!("plan report: {name}: {} bytes", section["bytes"]);
        assert!(
            section["bytes"].as_u64().unwrap() < 4096,
            "{name}: {} bytes",
            section["bytes"]
        );
        assert!(chart["width"].as_f64().unwrap() > 200.0, "{chart}");
        let section_facts = &section["facts"];
        assert_eq!(
            section_facts["Planned"]
                .as_str()
                .unwrap()
                .split(": ")
                .next(),
            Some(if row["action"] == "keep" {
                format!("keep {}", row["today"]["description"].as_str().unwrap())
            } else {
                row["chosen"]["description"].as_str().unwrap().to_string()
            })
            .as_deref(),
            "{name}"
        );
        if let Some(rate) = row["growth"]["growth_per_week"].as_f64() {
            assert!(
                section_facts["Growth"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("{:+.1}% a week", rate * 100.0)),
                "{name}: {section_facts}"
            );
        }
        if let Some(date) = row["growth"]["limit_reached_on"].as_str() {
            assert!(
                section_facts["Limit reached"]
                    .as_str()
                    .unwrap()
                    .starts_with(date),
                "{name}: {section_facts}"
            );
        }
        for c in section["commands"].as_array().unwrap() {
            page_commands.push(c.as_str().unwrap().to_string());
        }
    }
    // Exactly the commands -o cron prints.
    page_commands.sort();
    assert_eq!(page_commands, cron_commands(&cron), "{cron}");
    assert!(!page_commands.is_empty());

    // The summary's figures are the totals of the JSON's costs.
    let figures = &facts["figures"];
    let total = |side: &str, field: &str| -> f64 {
        rows.iter().map(|r| r[side][field].as_f64().unwrap()).sum()
    };
    // JSON rounds each figure to the thousandth.
    let slack = 0.0005 * rows.len() as f64 + 1e-9;
    for (figure, side, field) in [
        ("hourly-now", "today", "hourly_usd"),
        ("hourly-recommended", "chosen", "hourly_usd"),
        ("monthly-now", "today", "monthly_usd"),
        ("monthly-recommended", "chosen", "monthly_usd"),
    ] {
        let want = total(side, field);
        let value = figures[figure]["value"].as_f64().unwrap();
        let shown = usd(figures[figure]["text"].as_str().unwrap());
        assert!((value - want).abs() <= slack, "{figure}: {value} vs {want}");
        assert!(
            (shown - want).abs() <= 0.005 + slack,
            "{figure}: {shown} vs {want}"
        );
    }
    assert_eq!(figures["namespaces"]["value"], rows.len() as f64);
    let mut by_action: BTreeMap<&str, f64> = BTreeMap::new();
    for r in rows {
        *by_action.entry(r["action"].as_str().unwrap()).or_default() += 1.0;
    }
    for (action, n) in &by_action {
        assert_eq!(figures[format!("action-{action}")]["value"], *n, "{action}");
    }
    // Throttled in the history: the office's peaks and the Sunday batch.
    assert_eq!(figures["throttled"]["value"], 2.0);

    // Small: an hour is a point, not 60 (four weeks of minutes would be 40,320 a chart), and
    // a few bytes: with the page's style, script, summary and table, under 5 kB a namespace.
    eprintln!("plan report: {} bytes", page.len());
    assert!(
        page.len() < 5 * 1024 * rows.len(),
        "{} bytes for {} namespaces",
        page.len(),
        rows.len()
    );

    screenshot(&chromium, &page, "plan-report");
}

#[test]
fn the_probe_sees_a_broken_page() {
    // A probe that reports nothing on a page known to be broken would make the test above
    // worthless.
    let Some(chromium) = chromium("the_probe_sees_a_broken_page") else {
        return;
    };
    let page = text(&demo("html").stdout).replace(
        "</main>",
        "</main><img src=\"missing.png\" alt=\"\"><script>undefinedFunction();</script>\
         <script>console.error(\"said so\");</script>",
    );
    let dir = tempfile::tempdir().unwrap();
    let facts = probe(&chromium, dir.path(), &page, "broken.html");
    let errors: Vec<&str> = facts["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    for want in ["missing.png", "undefinedFunction", "console.error: said so"] {
        assert!(
            errors.iter().any(|e| e.contains(want)),
            "{want}: {errors:?}"
        );
    }
}

/// Rows of a gauges chart (18 units each) that the marks of path data `d` are in: a mark's
/// move ("M x y") places it; a tick ("v" and its length) spans every row it crosses.
fn gauge_rows(d: &Value) -> Vec<usize> {
    const ROW: f64 = 18.0;
    let Some(d) = d.as_str() else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for mark in d.split('M').filter(|m| !m.is_empty()) {
        let numbers: Vec<f64> = mark
            .split(|c: char| c.is_ascii_alphabetic() || c == ' ')
            .filter(|n| !n.is_empty())
            .map(|n| n.parse().unwrap_or_else(|_| panic!("{d}")))
            .collect();
        let y = numbers[1];
        let first = (y / ROW).floor() as usize;
        let last = match mark.split_once('v') {
            Some((_, length)) => ((y + length.parse::<f64>().unwrap()) / ROW).ceil() as usize - 1,
            None => first,
        };
        rows.extend(first..=last);
    }
    rows
}

/// Subpaths of path data: moves, absolute or relative.
fn subpaths(d: &Value) -> usize {
    d.as_str().map_or(0, |d| d.matches(['M', 'm']).count())
}

/// 2,100 as the page writes it.
fn group(v: f64) -> String {
    let digits = format!("{:.0}", v.round());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn the_report_is_one_small_page_that_loads_nothing() {
    let page = text(&demo("html").stdout);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.ends_with("</html>\n"));
    for remote in ["http://", "https://", "src=", "href=\"/", "@import", "url("] {
        assert!(!page.contains(remote), "{remote}");
    }
    // Twelve namespaces: about 1.4 kB each, and the page's style and script.
    assert!(page.len() < 26 * 1000, "{} bytes", page.len());
}

#[test]
fn a_report_of_hundreds_of_namespaces_stays_small() {
    let emu = common::Emu::with(tcap::devserver::Config {
        namespaces: 300,
        ..common::config()
    });
    let out = common::tcap(&emu, &["analyze", "-o", "html"]);
    expect_code(&out, 0);
    let page = text(&out.stdout);
    assert_eq!(page.matches("<section class=\"ns\"").count(), 300);
    assert_eq!(page.matches("<svg class=\"chart gauges\"").count(), 300);
    // A few hundred kB for hundreds of namespaces: about 1.3 kB each for a table row, a
    // chart of three dimensions, the reason and the command.
    eprintln!("300 namespaces: {} bytes", page.len());
    assert!(
        page.len() < 400 * 1000,
        "{} bytes for 300 namespaces",
        page.len()
    );
}

/// Like `-o csv`: refused on another command's command line, the table there when the config
/// file makes it the default.
#[test]
fn html_outside_analyze_and_plan_is_refused_on_the_command_line_and_ignored_from_the_config() {
    let home = tempfile::tempdir().unwrap();
    let out = common::clean_command(home.path())
        .args(["-o", "html", "changes", "list"])
        .output()
        .unwrap();
    expect_code(&out, 2);
    assert_eq!(
        text(&out.stderr),
        "error: -o html is only for `tcap analyze` and `tcap plan`; this command prints a table, or JSON with -o json\n"
    );
    assert!(out.stdout.is_empty());
    let config = home.path().join("tcap.toml");
    std::fs::write(&config, "output = \"html\"\n").unwrap();
    let out = common::clean_command(home.path())
        .args(["--config", config.to_str().unwrap(), "changes", "list"])
        .output()
        .unwrap();
    expect_code(&out, 0);
    assert_eq!(
        text(&out.stdout),
        "no scheduled changes recorded on this machine\n"
    );
    let out = common::clean_command(home.path())
        .args(["--config", config.to_str().unwrap(), "--demo", "analyze"])
        .output()
        .unwrap();
    expect_code(&out, 0);
    assert!(text(&out.stdout).starts_with("<!DOCTYPE html>"));
}
