//! `tcap analyze` against the emulator, over real HTTP.

use crate::common;

use common::{Emu, stdout_json, text};
use serde_json::{Value, json};

fn analyze_json(emu: &Emu, extra: &[&str]) -> (Vec<Value>, std::process::Output) {
    let output = emu
        .tcap()
        .args(["analyze", "-o", "json"])
        .args(extra)
        .output()
        .unwrap();
    let rows = stdout_json(&output).as_array().cloned().expect("an array");
    (rows, output)
}

fn row<'a>(rows: &'a [Value], namespace: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["namespace"] == namespace)
        .unwrap_or_else(|| panic!("{namespace} not in the output"))
}

#[test]
fn json_has_every_contract_field_for_every_namespace_sorted() {
    let emu = Emu::start();
    let (rows, output) = analyze_json(&emu, &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let ids: Vec<&str> = rows
        .iter()
        .map(|r| r["namespace"].as_str().unwrap())
        .collect();
    assert_eq!(ids, emu.namespaces(), "every namespace, sorted by ID");

    for r in &rows {
        let ns = r["namespace"].as_str().unwrap();
        for field in [
            "namespace",
            "action_limit",
            "action_count",
            "throttled_action_count",
            "current_capacity_mode",
            "current_trus",
            "recommended_capacity_mode",
            "recommended_trus",
            "action",
            "reason",
            "aps_7d",
            "on_demand_aps_limit",
            "valid_tru_values",
            "max_available_trus",
        ] {
            assert!(r.get(field).is_some(), "{ns}: missing {field}");
        }
        assert!(r.get("error").is_none(), "{ns}: {r}");

        // Cloud Ops fields equal what capacity-info says, field by field.
        let info = &emu.get(&format!("/cloud/namespaces/{ns}/capacity-info"))["capacityInfo"];
        assert_eq!(
            r["valid_tru_values"], info["modeOptions"]["provisioned"]["validTruValues"],
            "{ns}"
        );
        assert_eq!(
            r["max_available_trus"], info["modeOptions"]["provisioned"]["maxAvailableTruValue"],
            "{ns}"
        );
        assert_eq!(
            r["on_demand_aps_limit"], info["modeOptions"]["onDemand"]["apsLimit"],
            "{ns}"
        );
        assert_eq!(r["aps_7d"], info["stats"]["aps"], "{ns}");
        match info["currentCapacity"]["provisioned"]["currentValue"].as_f64() {
            Some(trus) => {
                assert_eq!(r["current_capacity_mode"], "provisioned", "{ns}");
                assert_eq!(r["current_trus"].as_f64(), Some(trus), "{ns}");
            }
            None => {
                assert_eq!(r["current_capacity_mode"], "on-demand", "{ns}");
                assert_eq!(r["current_trus"], Value::Null, "{ns}");
            }
        }

        // The recommendation is consistent with itself and the contract's vocabulary.
        let mode = r["recommended_capacity_mode"].as_str().unwrap();
        assert!(["on-demand", "provisioned"].contains(&mode), "{ns}");
        assert_eq!(r["recommended_trus"].is_null(), mode == "on-demand", "{ns}");
        let action = r["action"].as_str().unwrap();
        let current = r["current_capacity_mode"].as_str().unwrap();
        let expected_action = match (current, mode) {
            ("on-demand", "on-demand") => "keep",
            ("on-demand", "provisioned") => "provision",
            ("provisioned", "on-demand") => "revert-to-on-demand",
            _ => {
                let now = r["current_trus"].as_f64().unwrap();
                let rec = r["recommended_trus"].as_f64().unwrap();
                if rec > now {
                    "scale-up"
                } else if rec < now {
                    "scale-down"
                } else {
                    "keep"
                }
            }
        };
        assert_eq!(action, expected_action, "{ns}: {r}");
        assert!(!r["reason"].as_str().unwrap().is_empty());
        if let Some(t) = r["recommended_trus"].as_f64() {
            let valid = r["valid_tru_values"].as_array().unwrap();
            assert!(
                valid.iter().any(|v| v.as_f64() == Some(t)),
                "{ns}: {t} not valid"
            );
        }
    }
}

#[test]
fn usage_follows_the_metrics_rules() {
    let emu = Emu::start();
    let (rows, _) = analyze_json(&emu, &[]);
    let body = emu.block_on(async {
        reqwest::Client::new()
            .get(format!("{}/v1/metrics", emu.url()))
            .bearer_auth(common::ADMIN_KEY)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    let samples = tcap::cloud::openmetrics::parse(&body).samples;
    for r in &rows {
        let ns = r["namespace"].as_str().unwrap();
        let of = |family: &'static str| {
            samples
                .iter()
                .filter(move |s| s.name == family && s.label("temporal_namespace") == Some(ns))
        };
        let limit = of("temporal_cloud_v1_action_limit")
            .map(|s| s.value)
            .fold(f64::MIN, f64::max);
        let foreground: f64 = of("temporal_cloud_v1_total_action_count")
            .filter(|s| s.label("is_background") == Some("false"))
            .map(|s| s.value)
            .sum();
        let background: f64 = of("temporal_cloud_v1_total_action_count")
            .filter(|s| s.label("is_background") == Some("true"))
            .map(|s| s.value)
            .sum();
        let throttled: f64 = of("temporal_cloud_v1_total_action_throttled_count")
            .map(|s| s.value)
            .sum();
        let close = |a: &Value, b: f64| (a.as_f64().unwrap() - b).abs() < 0.01;
        assert!(
            close(&r["action_limit"], limit),
            "{ns}: limit {} vs {limit}",
            r["action_limit"]
        );
        assert!(
            close(&r["action_count"], foreground),
            "{ns}: count {} vs {foreground}",
            r["action_count"]
        );
        assert!(close(&r["throttled_action_count"], throttled), "{ns}");
        assert!(close(&r["background_action_count"], background), "{ns}");
    }

    // HA namespaces report a limit per region: the larger one is the limit.
    let ha: Vec<&Value> = rows
        .iter()
        .filter(|r| {
            let ns = r["namespace"].as_str().unwrap();
            samples
                .iter()
                .filter(|s| {
                    s.name == "temporal_cloud_v1_action_limit"
                        && s.label("temporal_namespace") == Some(ns)
                })
                .count()
                == 2
        })
        .collect();
    assert!(!ha.is_empty(), "the default account has HA namespaces");
    // Idle namespaces have no count series at all and read as zero.
    let idle: Vec<&Value> = rows
        .iter()
        .filter(|r| {
            let ns = r["namespace"].as_str().unwrap();
            !samples.iter().any(|s| {
                s.name == "temporal_cloud_v1_total_action_count"
                    && s.label("temporal_namespace") == Some(ns)
            })
        })
        .collect();
    assert!(!idle.is_empty(), "the default account has idle namespaces");
    for r in idle {
        assert_eq!(r["action_count"], 0, "{r}");
        assert_eq!(r["action"], "keep", "{r}");
    }
}

#[test]
fn exactly_one_metrics_request_per_run() {
    let emu = Emu::start();
    emu.tcap().arg("analyze").assert().success();
    let metrics: Vec<_> = emu
        .server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v1/metrics")
        .collect();
    assert_eq!(metrics.len(), 1);
    let families: Vec<String> = [
        "action_limit",
        "total_action_count",
        "total_action_throttled_count",
        "action_on_demand_envelope_limit",
        "service_request_limit",
        "service_request_count",
        "service_request_throttled_count",
        "service_request_on_demand_envelope_limit",
        "operations_limit",
        "operations_count",
        "operations_throttled_count",
        "operations_on_demand_envelope_limit",
    ]
    .iter()
    .map(|f| format!("metrics=temporal_cloud_v1_{f}"))
    .collect();
    assert_eq!(metrics[0].query, families.join("&"));
    assert_eq!(
        emu.requests_to("GET", "/cloud/namespaces/"),
        emu.namespaces().len(),
        "one capacity-info call per namespace"
    );
}

#[test]
fn table_and_csv() {
    let emu = Emu::start();
    // Wide enough for every column.
    let out = emu
        .tcap()
        .env("COLUMNS", "200")
        .arg("analyze")
        .output()
        .unwrap();
    assert!(out.status.success());
    let header = text(&out.stdout).lines().next().unwrap().to_string();
    for column in [
        "NAMESPACE",
        "CAPACITY",
        "APS/LIMIT",
        "UTIL",
        "P99 7D",
        "ACTION",
        "WHY",
    ] {
        assert!(header.contains(column), "{header}");
    }
    // Not a terminal, no COLUMNS: 100 columns.
    let out = emu.tcap().arg("analyze").output().unwrap();
    assert!(out.status.success());
    let table = text(&out.stdout);
    for ns in emu.namespaces() {
        assert!(table.contains(&ns), "{ns} missing from\n{table}");
    }
    for line in table.lines() {
        assert!(
            line.chars().count() <= 100,
            "wider than 100 columns: {line}"
        );
    }
    assert!(table.contains("12 namespaces:"), "{table}");

    let out = emu.tcap().args(["analyze", "-o", "csv"]).output().unwrap();
    assert!(out.status.success());
    let csv = text(&out.stdout);
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[0], "namespace");
    assert!(header.contains(&"recommended_trus") && header.contains(&"reason"));
    assert_eq!(lines.count(), emu.namespaces().len());
}

#[test]
fn globs_select_by_id_or_name() {
    let emu = Emu::start();
    let first = emu.namespaces()[0].clone();
    let name = first.split('.').next().unwrap().to_string();
    let (rows, _) = analyze_json(&emu, &["--namespace", &name]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["namespace"], first.as_str());

    let (rows, _) = analyze_json(
        &emu,
        &["--namespace", "*-prod", "--exclude", &format!("{name}*")],
    );
    assert!(
        rows.iter()
            .all(|r| r["namespace"].as_str().unwrap().contains("-prod."))
    );
    assert!(rows.iter().all(|r| r["namespace"] != first.as_str()));
    assert!(!rows.is_empty());

    emu.tcap()
        .args(["analyze", "--namespace", "["])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a valid glob"));
}

#[test]
fn a_namespace_cloud_ops_cannot_read_stays_with_an_error() {
    let emu = Emu::start();
    let all = emu.namespaces().len();
    let gone = emu.namespaces()[3].clone();
    assert!(emu.server.delete_namespace(&gone));
    let (rows, output) = analyze_json(&emu, &[]);
    assert_eq!(output.status.code(), Some(1));
    let r = row(&rows, &gone);
    assert!(r["error"].as_str().unwrap().contains("404"), "{r}");
    assert_eq!(r["action"], Value::Null);
    assert_eq!(rows.len(), all);
    assert!(
        text(&output.stderr).contains("1 of"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn an_incomplete_metrics_answer_is_never_passed_off_as_complete() {
    let emu = Emu::start();
    // With one call there is no second look: the cut answer's rows and a warning, exit 1.
    emu.control("/_dev/metrics/next", json!({"completeness": "limited"}));
    let (rows, output) = analyze_json(&emu, &["--max-metrics-calls", "1"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(!rows.is_empty() && rows.len() < emu.namespaces().len());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("limited"), "{stderr}");
    assert!(
        stderr.contains("metrics: 1 call(s) spent of at most 1"),
        "{stderr}"
    );

    // With the default budget the cut answer is read again in parts, completely.
    emu.control("/_dev/metrics/next", json!({"completeness": "limited"}));
    let before = metrics_requests(&emu).len();
    let (rows, output) = analyze_json(&emu, &[]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(rows.len(), emu.namespaces().len());
    let calls = metrics_requests(&emu)[before..].to_vec();
    assert!(calls.len() > 1 && calls.len() <= 8, "{calls:?}");
    assert!(
        calls[1..].iter().all(|q| q.contains("namespaces=")),
        "{calls:?}"
    );
    assert!(
        stderr.contains(&format!(
            "metrics: {} call(s) spent of at most 8",
            calls.len()
        )),
        "{stderr}"
    );
}

/// The queries of every metrics request the emulator saw, in order.
fn metrics_requests(emu: &Emu) -> Vec<String> {
    emu.server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v1/metrics")
        .map(|r| r.query)
        .collect()
}

#[test]
fn a_metrics_429_exits_75_with_retry_after_and_is_not_retried() {
    let emu = Emu::start();
    emu.control(
        "/_dev/metrics/next",
        json!({"status": 429, "retry_after": 1200}),
    );
    let output = emu.tcap().arg("analyze").output().unwrap();
    assert_eq!(output.status.code(), Some(75));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("retry after 20m"), "{stderr}");
    assert_eq!(emu.requests_to("GET", "/v1/metrics"), 1);
    assert_eq!(emu.requests_to("GET", "/cloud/"), 0);
}

#[test]
fn refused_keys_exit_4_naming_the_key() {
    let emu = Emu::start();
    let out = emu
        .tcap()
        .arg("analyze")
        .env("TEMPORAL_CLOUD_API_KEY", "wrong")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(
        text(&out.stderr).contains("Metrics API key"),
        "{}",
        text(&out.stderr)
    );

    // A metrics-only key reads metrics, but Cloud Ops refuses it for every namespace.
    let out = emu
        .tcap()
        .arg("analyze")
        .env("TEMPORAL_CLOUD_API_KEY", common::METRICS_KEY)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));

    let out = emu
        .tcap()
        .arg("analyze")
        .env("TEMPORAL_CLOUD_API_KEY", "wrong")
        .env("TEMPORAL_CLOUD_METRICS_API_KEY", common::METRICS_KEY)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(
        text(&out.stderr).contains("Cloud Ops API key"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn injected_faults_do_not_change_the_answer() {
    let clean = Emu::start();
    let (expected, _) = analyze_json(&clean, &[]);
    let mut faults = 0;
    let mut metrics_faults = 0;
    // Several seeds, so that the single metrics request meets faults too.
    for seed in 1..=6 {
        let faulty = Emu::with(tcap::devserver::Config {
            fault_rate: 0.2,
            seed,
            ..common::config()
        });
        let (rows, output) = analyze_json(&faulty, &[]);
        assert!(
            output.status.success(),
            "seed {seed}: {}",
            text(&output.stderr)
        );
        // The same account (seed 1 generates it) would be needed for equal rows; compare the
        // faulty run with a clean run of its own seed instead.
        let clean_same = Emu::with(tcap::devserver::Config {
            seed,
            ..common::config()
        });
        let (expected_same, _) = analyze_json(&clean_same, &[]);
        assert_eq!(rows, expected_same, "seed {seed}");
        faults += faulty.server.stats().faults_total();
        metrics_faults += faulty
            .server
            .requests()
            .iter()
            .filter(|r| r.path == "/v1/metrics" && r.fault.is_some())
            .count();
    }
    assert!(!expected.is_empty());
    println!("faults injected and survived: {faults} ({metrics_faults} on the metrics request)");
    assert!(faults > 0, "the runs met no fault; the test proves nothing");
    assert!(
        metrics_faults > 0,
        "no fault hit the metrics request; choose other seeds"
    );
}

#[test]
fn notify_posts_the_namespaces_to_change_to_slack() {
    let emu = Emu::start();
    let (rows, _) = analyze_json(&emu, &[]);
    let changes: Vec<&str> = rows
        .iter()
        .filter(|r| r["action"] != "keep")
        .map(|r| r["namespace"].as_str().unwrap())
        .collect();
    assert!(!changes.is_empty());
    emu.tcap()
        .args(["analyze", "--notify"])
        .env("SLACK_WEBHOOK_URL", format!("{}/slack/webhook", emu.url()))
        .assert()
        .success();
    let messages = emu.server.slack_messages();
    assert_eq!(messages.len(), 1);
    let text = messages[0]["text"].as_str().unwrap();
    for ns in &changes {
        assert!(text.contains(ns), "{ns} missing from {text}");
    }
    for r in rows.iter().filter(|r| r["action"] == "keep") {
        assert!(!text.contains(r["namespace"].as_str().unwrap()));
    }

    emu.tcap()
        .args(["analyze", "--notify"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("SLACK_WEBHOOK_URL"));
}

#[test]
fn target_utilization_is_validated_before_any_request() {
    let emu = Emu::start();
    for bad in ["0", "1.5", "abc"] {
        emu.tcap()
            .args(["analyze", "--target-utilization", bad])
            .assert()
            .code(2);
    }
    assert!(emu.server.requests().is_empty());
}

#[test]
fn every_listed_namespace_is_analyzed_even_without_a_series() {
    let emu = Emu::with(tcap::devserver::Config {
        silent_namespaces: 1,
        ..common::config()
    });
    let account = emu.get("/_dev/account");
    let silent: Vec<&str> = account["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|ns| ns["silent"] == true)
        .map(|ns| ns["namespace"].as_str().unwrap())
        .collect();
    assert_eq!(silent.len(), 1);
    let silent = silent[0].to_string();
    assert!(common::with_profile(&emu, "provisioned-idle").contains(&silent));
    let (rows, output) = analyze_json(&emu, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(rows.len(), emu.namespaces().len(), "every listed namespace");
    let r = row(&rows, &silent);
    assert_eq!(r["in_metrics"], false, "{r}");
    assert_eq!(r["action_count"], 0);
    assert_eq!(r["action_limit"], Value::Null);
    assert_eq!(r["current_capacity_mode"], "provisioned");
    assert_eq!(r["action"], "revert-to-on-demand", "{r}");
    let reason = r["reason"].as_str().unwrap();
    assert!(
        reason.contains("no metric series in this window: idle, while its"),
        "{reason}"
    );
    assert!(reason.contains("an hour"), "{reason}");
    assert!(rows.iter().filter(|r| r["in_metrics"] == true).count() == rows.len() - 1);
    // Still one metrics call; the list is a Cloud Ops call of its own.
    assert_eq!(emu.requests_to("GET", "/v1/metrics"), 1);
    assert_eq!(
        emu.server
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path == "/cloud/namespaces")
            .count(),
        1
    );
}

#[test]
fn bare_name_and_full_id_labels_give_the_same_answer() {
    let full = Emu::start();
    let bare = Emu::with(tcap::devserver::Config {
        bare_namespace_labels: true,
        ..common::config()
    });
    let labels = bare.block_on(async {
        reqwest::Client::new()
            .get(format!(
                "{}/v1/metrics?metrics=temporal_cloud_v1_action_limit",
                bare.url()
            ))
            .bearer_auth(common::ADMIN_KEY)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    let first = &bare.namespaces()[0];
    let name = first.rsplit_once('.').unwrap().0;
    assert!(
        labels.contains(&format!("temporal_namespace=\"{name}\"")),
        "{labels}"
    );
    assert!(!labels.contains(first.as_str()), "{labels}");

    let (a, out_a) = analyze_json(&full, &[]);
    let (b, out_b) = analyze_json(&bare, &[]);
    assert_eq!(out_a.status.code(), Some(0), "{}", text(&out_a.stderr));
    assert_eq!(out_b.status.code(), Some(0), "{}", text(&out_b.stderr));
    assert_eq!(a, b);
    assert!(b.iter().all(|r| r["in_metrics"] == true));
}

#[test]
fn a_namespace_throttled_on_requests_gets_trus_with_rps_binding() {
    let emu = Emu::start();
    let (rows, output) = analyze_json(&emu, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let by_rps: Vec<&Value> = rows
        .iter()
        .filter(|r| r["binding_dimension"] == "rps")
        .collect();
    assert_eq!(
        by_rps.len(),
        1,
        "the default account has one request-heavy namespace"
    );
    let r = by_rps[0];
    assert!(
        common::with_profile(&emu, "on-demand-light")
            .contains(&r["namespace"].as_str().unwrap().to_string())
    );
    let rps = &r["dimensions"]["rps"];
    let limit = rps["limit"].as_f64().unwrap();
    assert!(rps["throttled"].as_f64().unwrap() > 0.0, "{r}");
    // Its actions alone would stay on-demand; its requests need TRUs above the limit that
    // throttled, at 1,500 RPS each.
    assert_eq!(
        r["dimensions"]["aps"]["trus_needed"].as_u64(),
        Some(1),
        "{r}"
    );
    assert_eq!(r["action"], "provision", "{r}");
    let trus = r["recommended_trus"].as_f64().unwrap();
    assert!(trus * 1_500.0 > limit, "{r}");
    assert!(trus * 1_500.0 >= rps["required"].as_f64().unwrap(), "{r}");
    assert!(r["reason"].as_str().unwrap().contains("RPS"), "{r}");
    // Every row carries the three dimensions and its cost.
    for row in &rows {
        for d in ["aps", "rps", "ops"] {
            for field in [
                "count",
                "throttled",
                "on_demand_limit",
                "required",
                "trus_needed",
            ] {
                assert!(
                    row["dimensions"][d][field].is_number(),
                    "{d}.{field}: {row}"
                );
            }
        }
        assert_eq!(row["cost"]["basis"], "7-day mean", "{row}");
        assert!(row["cost"]["hourly_usd_now"].as_f64().unwrap() >= 0.0);
    }
    // The table names the binding dimension where it is not APS.
    let table = emu.tcap().args(["analyze"]).output().unwrap();
    let stdout = text(&table.stdout);
    assert!(stdout.contains("RPS binds"), "{stdout}");
}

#[test]
fn csv_rows_have_as_many_fields_as_the_header() {
    let emu = Emu::with(tcap::devserver::Config {
        silent_namespaces: 1,
        ..common::config()
    });
    let output = emu.tcap().args(["analyze", "-o", "csv"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let csv = text(&output.stdout);
    let counts: Vec<usize> = csv.lines().map(csv_fields).collect();
    assert_eq!(counts.len(), emu.namespaces().len() + 1);
    assert!(counts.iter().all(|c| *c == counts[0]), "{counts:?}\n{csv}");
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    for column in [
        "in_metrics",
        "binding_dimension",
        "hourly_usd_now",
        "next_change_after",
    ] {
        assert!(header.contains(&column), "{header:?}");
    }
}

/// Fields of one CSV line: commas outside double quotes, plus one.
fn csv_fields(line: &str) -> usize {
    let mut quoted = false;
    let mut fields = 1;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => fields += 1,
            _ => {}
        }
    }
    fields
}

#[test]
fn the_price_setting_scales_every_cost() {
    let emu = Emu::start();
    let cost = |rows: &[Value]| -> f64 {
        rows.iter()
            .map(|r| r["cost"]["hourly_usd_now"].as_f64().unwrap())
            .sum()
    };
    let (list, _) = analyze_json(&emu, &[]);
    let (flag, out) = analyze_json(&emu, &["--price-per-million-actions", "25"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        (cost(&list) - 2.0 * cost(&flag)).abs() < 0.01,
        "{} vs {}",
        cost(&list),
        cost(&flag)
    );
    let from_env = emu
        .tcap()
        .env("TCAP_PRICE_PER_MILLION_ACTIONS", "25")
        .args(["analyze", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(
        cost(stdout_json(&from_env).as_array().unwrap()),
        cost(&flag)
    );
    let config = emu.home.path().join("price.toml");
    std::fs::write(&config, "price_per_million_actions = 25.0\n").unwrap();
    let from_config = emu
        .tcap()
        .args([
            "--config",
            config.to_str().unwrap(),
            "analyze",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        cost(stdout_json(&from_config).as_array().unwrap()),
        cost(&flag)
    );

    let before = emu.server.requests().len();
    for bad in ["-1", "abc", "NaN"] {
        emu.tcap()
            .args(["analyze", &format!("--price-per-million-actions={bad}")])
            .assert()
            .code(2)
            .stderr(predicates::str::contains("price-per-million-actions"));
    }
    std::fs::write(&config, "price_per_million_actions = -3.0\n").unwrap();
    emu.tcap()
        .args(["--config", config.to_str().unwrap(), "analyze"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("price_per_million_actions"));
    assert_eq!(
        emu.server.requests().len(),
        before,
        "nothing sent on bad input"
    );
}

#[test]
fn a_request_in_progress_is_pending_and_the_hour_after_it_is_named() {
    let emu = Emu::with(tcap::devserver::Config {
        apply_delay: std::time::Duration::from_secs(3),
        ..common::config()
    });
    let ns = common::with_profile(&emu, "on-demand-light").remove(0);
    emu.tcap()
        .args(["-q", "provision", &ns, "2", "--no-wait"])
        .assert()
        .success();
    let (rows, _) = analyze_json(&emu, &["--namespace", &ns]);
    let r = row(&rows, &ns);
    assert_eq!(r["action"], "pending", "{r}");
    assert_eq!(r["latest_request_state"], "in-progress", "{r}");
    assert!(
        r["reason"]
            .as_str()
            .unwrap()
            .starts_with("a capacity request has been in progress since "),
        "{r}"
    );
    // Nothing is proposed while it runs: recommended is what it has.
    assert_eq!(
        r["recommended_capacity_mode"], r["current_capacity_mode"],
        "{r}"
    );

    emu.tcap()
        .args(["-q", "verify", &ns, "--trus", "2", "--wait", "30s"])
        .assert()
        .success();
    let (rows, _) = analyze_json(&emu, &["--namespace", &ns]);
    let r = row(&rows, &ns);
    assert_ne!(r["action"], "pending", "{r}");
    let after = chrono::DateTime::parse_from_rfc3339(r["next_change_after"].as_str().unwrap())
        .unwrap_or_else(|e| panic!("{e}: {r}"));
    let wait = after.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(
        wait > chrono::Duration::minutes(55) && wait <= chrono::Duration::hours(1),
        "{r}"
    );
    // A light namespace on 2 TRUs goes back to on-demand, after the hour.
    assert_eq!(r["action"], "revert-to-on-demand", "{r}");
    assert!(
        r["reason"]
            .as_str()
            .unwrap()
            .contains("TRUs can be adjusted hourly"),
        "{r}"
    );
}

/// Accounts large enough for the 30k cap: per-operation request and operation series make
/// about 20 points a namespace.
fn large_account(namespaces: usize) -> Emu {
    Emu::with(tcap::devserver::Config {
        namespaces,
        ..common::config()
    })
}

fn analyze_fast(emu: &Emu, extra: &[&str]) -> (Vec<Value>, std::process::Output) {
    let mut args = vec!["--rate-limit", "10000", "--concurrency", "64"];
    args.extend_from_slice(extra);
    analyze_json(emu, &args)
}

#[test]
fn two_thousand_namespaces_are_read_completely_within_eight_calls() {
    let emu = large_account(2_000);
    let (rows, output) = analyze_fast(&emu, &[]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(rows.len(), 2_000);
    let calls = metrics_requests(&emu);
    assert!(calls.len() > 1 && calls.len() <= 8, "{} calls", calls.len());
    // The first answer was cut, so the parts are filtered by namespace prefix.
    assert!(calls[1..].iter().all(|q| q.contains("namespaces=")));
    assert!(
        stderr.contains(&format!(
            "metrics: {} call(s) spent of at most 8",
            calls.len()
        )),
        "{stderr}"
    );
    assert!(
        rows.iter()
            .all(|r| r["in_metrics"] == true && r["error"].is_null())
    );
    // No series was read twice or missed: a namespace's figures equal what one metrics request
    // for that namespace alone says.
    for r in rows.iter().step_by(97) {
        let id = r["namespace"].as_str().unwrap();
        let body = emu.block_on(async {
            reqwest::Client::new()
                .get(format!(
                    "{}/v1/metrics?metrics=temporal_cloud_v1_total_action_count&metrics=temporal_cloud_v1_service_request_count&namespaces={id}",
                    emu.url()
                ))
                .bearer_auth(common::ADMIN_KEY)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        });
        let samples = tcap::cloud::openmetrics::parse(&body).samples;
        let sum = |family: &str, foreground_only: bool| -> f64 {
            samples
                .iter()
                .filter(|s| s.name == family)
                .filter(|s| !foreground_only || s.label("is_background") == Some("false"))
                .map(|s| s.value)
                .sum()
        };
        let actions = sum("temporal_cloud_v1_total_action_count", true);
        let requests = sum("temporal_cloud_v1_service_request_count", false);
        assert!(
            (r["action_count"].as_f64().unwrap() - actions).abs() < 0.01,
            "{id}: {actions} {r}"
        );
        assert!(
            (r["dimensions"]["rps"]["count"].as_f64().unwrap() - requests).abs() < 0.01,
            "{id}: {requests} {r}"
        );
    }
}

#[test]
fn twenty_thousand_namespaces_stop_at_the_budget_and_say_what_is_missing() {
    let emu = large_account(20_000);
    let (rows, output) = analyze_fast(&emu, &[]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let calls = metrics_requests(&emu);
    assert_eq!(calls.len(), 8, "never beyond the budget");
    assert!(stderr.contains("--max-metrics-calls 8"), "{stderr}");
    assert!(stderr.contains("left out: "), "{stderr}");
    assert!(!rows.is_empty() && rows.len() < 20_000, "{}", rows.len());
    assert!(
        rows.iter().all(|r| r["in_metrics"] == true),
        "no namespace is passed off as idle"
    );

    // A smaller budget is honoured as strictly.
    let before = metrics_requests(&emu).len();
    let (_, output) = analyze_fast(&emu, &["--max-metrics-calls", "3"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(metrics_requests(&emu).len() - before, 3);
}

// The table fitted to the terminal: `COLUMNS` fixes the width, as it would for a script.

/// `tcap --demo analyze` on stdout, with `COLUMNS` when given (colours off: `clean_command`
/// sets `NO_COLOR`).
fn demo(columns: Option<usize>, extra: &[&str], env_remove: &[&str]) -> String {
    let mut cmd = common::clean_tcap();
    if let Some(c) = columns {
        cmd.env("COLUMNS", c.to_string());
    }
    for name in env_remove {
        cmd.env_remove(name);
    }
    let out = cmd
        .args(["--demo", "analyze"])
        .args(extra)
        .output()
        .unwrap();
    common::expect_code(&out, 0);
    text(&out.stdout)
}

/// Each row of a table as column name → cell. Columns are two spaces or more apart and no
/// cell holds two spaces in a row; only the last column (WHY) may be empty.
fn parse_table(lines: &[&str]) -> Vec<std::collections::BTreeMap<String, String>> {
    let cells = |line: &str| -> Vec<String> {
        line.split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect()
    };
    let header = cells(lines[0]);
    lines[1..]
        .iter()
        .map(|l| header.iter().cloned().zip(cells(l)).collect())
        .collect()
}

/// The table's lines: everything before the tally.
fn table_lines(out: &str) -> Vec<&str> {
    out.lines()
        .take_while(|l| !l.starts_with("12 namespaces:"))
        .collect()
}

#[test]
fn the_table_fits_the_width_with_one_line_per_namespace() {
    use unicode_width::UnicodeWidthStr;
    let out = common::clean_tcap()
        .args(["--demo", "analyze", "-o", "json"])
        .output()
        .unwrap();
    let expected: Vec<(String, String)> = stdout_json(&out)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["namespace"].as_str().unwrap().to_string(),
                r["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(expected.len(), 12);

    let wide_out = demo(Some(160), &[], &[]);
    let wide = parse_table(&table_lines(&wide_out));
    for width in [60, 80, 100, 160] {
        let out = demo(Some(width), &[], &[]);
        for line in out.lines() {
            assert!(
                line.width() <= width,
                "wider than {width} columns ({}): {line}\n{out}",
                line.width()
            );
        }
        let lines = table_lines(&out);
        assert_eq!(lines.len(), 1 + expected.len(), "one line a row:\n{out}");
        assert!(out.contains("12 namespaces:"), "the tally follows:\n{out}");
        let header = lines[0];
        for column in ["NAMESPACE", "CAPACITY", "ACTION"] {
            assert!(header.contains(column), "{column} at {width}:\n{out}");
        }
        for ((row, (namespace, action)), whole) in
            parse_table(&lines).iter().zip(&expected).zip(&wide)
        {
            // The action is the contract's word, as in JSON (`revert-to-on-demand`).
            assert_eq!(&row["ACTION"], action, "at {width}:\n{out}");
            assert_eq!(row["CAPACITY"], whole["CAPACITY"], "at {width}:\n{out}");
            // An ID is cut only when nothing else is left to give way.
            if width >= 80 {
                assert_eq!(&row["NAMESPACE"], namespace, "at {width}:\n{out}");
            }
            for (column, cell) in row {
                let full = &whole[column];
                if cell != full {
                    let kept = cell.strip_suffix('…').unwrap_or_else(|| {
                        panic!("{column} {cell:?} is cut without an ellipsis at {width}:\n{out}")
                    });
                    assert!(
                        full.starts_with(kept) && kept.len() >= 3,
                        "{column} {cell:?} is not the start of {full:?}, at {width}:\n{out}"
                    );
                }
            }
            if width == 60 && row["NAMESPACE"] != *namespace {
                assert!(row["NAMESPACE"].ends_with('…'), "{out}");
            }
        }
    }

    // At 160 columns everything fits, and nothing is cut.
    assert!(!wide_out.contains('…'), "{wide_out}");
    let header = table_lines(&wide_out)[0];
    for column in [
        "NAMESPACE",
        "CAPACITY",
        "APS/LIMIT",
        "UTIL",
        "P99 7D",
        "ACTION",
        "WHY",
    ] {
        assert!(header.contains(column), "{column}:\n{wide_out}");
    }
    // At 100 the reasons are shown, the long ones cut.
    let narrow = demo(Some(100), &[], &[]);
    assert!(table_lines(&narrow)[0].ends_with("WHY"), "{narrow}");
    assert!(narrow.contains("…"), "{narrow}");
}

#[test]
fn the_80_column_table_is_as_committed() {
    let path = crate::generated::root().join("tests/it/snapshots/analyze-demo-80.txt");
    crate::generated::sync_file(&path, &demo(Some(80), &[], &[]));
}

#[test]
fn the_readme_shows_the_demo_as_it_prints() {
    // Not a terminal and no COLUMNS: 100 columns.
    let fresh = demo(None, &[], &[]);
    let path = crate::generated::root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let start = readme
        .find("```\nNAMESPACE")
        .expect("the demo table in README.md")
        + 4;
    let end = start + readme[start..].find("```\n").unwrap();
    let updated = format!("{}{fresh}{}", &readme[..start], &readme[end..]);
    crate::generated::sync_file(&path, &updated);
}

/// `text` without its ANSI escape sequences (ESC [ parameters, then a final letter).
fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            chars.by_ref().find(|c| c.is_ascii_alphabetic());
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn colour_changes_the_bytes_but_never_the_layout() {
    for columns in [Some(80), None] {
        let never = demo(columns, &["--color", "never"], &["NO_COLOR"]);
        let always = demo(columns, &["--color", "always"], &["NO_COLOR"]);
        let no_color = demo(columns, &[], &[]);
        let auto = demo(columns, &[], &["NO_COLOR"]);
        assert!(
            always.starts_with("\x1b[1mNAMESPACE\x1b[0m"),
            "--color always makes the header bold, piped too:\n{always:?}"
        );
        assert_eq!(strip_ansi(&always), never, "COLUMNS={columns:?}");
        assert_eq!(no_color, never, "NO_COLOR is --color never");
        assert_eq!(auto, never, "piped, auto means no colour");
        assert!(!never.contains('\x1b'));
    }
}
