//! Criterion benches for the pure parts of `tcap analyze`: the OpenMetrics parser on a body of
//! the Metrics API's largest size (30,000 data points), usage aggregation, and the
//! recommendation policy.
//!
//! `cargo bench --bench parse_and_policy`

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tcap::capacity::Mode;
use tcap::capacity::recommend::{self, ApsStats, Inputs, Policy, Reading};
use tcap::capacity::usage::aggregate;
use tcap::cloud::metrics::{ACTION_COUNT, ACTION_LIMIT, ACTION_THROTTLED};
use tcap::cloud::openmetrics;

/// The Metrics API answers at most 30,000 data points; a body of that size, shaped like the
/// documented example (and the emulator's answer): per namespace one `action_limit` row per
/// region, foreground and background `total_action_count` rows, and some throttling.
fn metrics_body(samples: usize) -> String {
    let account = "a1b2c";
    let window = 1_788_763_560_000_i64;
    let mut body = String::with_capacity(samples * 170);
    let mut rows: Vec<(usize, &str)> = Vec::new();
    let mut ns = 0;
    while rows.len() < samples {
        rows.push((ns, ACTION_LIMIT));
        rows.push((ns, ACTION_COUNT));
        rows.push((ns, ACTION_COUNT));
        if ns % 4 == 0 {
            rows.push((ns, ACTION_THROTTLED));
        }
        ns += 1;
    }
    rows.truncate(samples);
    for family in [ACTION_LIMIT, ACTION_COUNT, ACTION_THROTTLED] {
        let _ = writeln!(body, "# TYPE {family} gauge");
        let _ = writeln!(body, "# HELP {family} {family} per namespace");
        let mut background = false;
        for (ns, _) in rows.iter().filter(|(_, f)| *f == family) {
            let labels = format!(
                "temporal_namespace=\"payments-prod-{ns}.{account}\", temporal_account=\"{account}\""
            );
            let (extra, value) = match family {
                ACTION_LIMIT => (",region=\"aws-us-east-1\"".to_string(), 500.0),
                ACTION_COUNT => {
                    background = !background;
                    (
                        format!(",is_background=\"{background}\",namespace_mode=\"active\""),
                        (*ns % 700) as f64 + 0.25,
                    )
                }
                _ => (String::new(), 12.5),
            };
            let _ = writeln!(body, "{family}{{{labels}{extra}}} {value} {window}");
        }
        body.push('\n');
    }
    body.push_str("# EOF\n");
    body
}

fn parser(c: &mut Criterion) {
    let body = metrics_body(30_000);
    assert_eq!(openmetrics::parse(&body).samples.len(), 30_000);
    let mut group = c.benchmark_group("openmetrics");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("parse 30000 samples", |b| {
        b.iter(|| openmetrics::parse(black_box(&body)))
    });
    group.bench_function("parse_families 30000 samples", |b| {
        b.iter(|| {
            openmetrics::parse_families(
                black_box(&body),
                &[ACTION_LIMIT, ACTION_COUNT, ACTION_THROTTLED],
            )
        })
    });
    group.finish();

    let samples = openmetrics::parse(&body).samples;
    let mut group = c.benchmark_group("usage");
    group.throughput(Throughput::Elements(samples.len() as u64));
    group.bench_function("aggregate 30000 samples", |b| {
        b.iter(|| aggregate(black_box(&samples)))
    });
    group.finish();
}

/// A spread of namespaces: idle and busy, On-Demand and Provisioned, with and without stats.
fn inputs() -> Vec<Inputs> {
    let valid = vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0];
    (0..1000)
        .map(|i| {
            let provisioned = i % 3 == 0;
            let count = (i * 37 % 5000) as f64;
            Inputs {
                action_limit: Some(if provisioned { 4000.0 } else { 500.0 }),
                action_count: count,
                throttled: if i % 7 == 0 { count / 10.0 } else { 0.0 },
                current_mode: if provisioned {
                    Mode::Provisioned
                } else {
                    Mode::OnDemand
                },
                current_trus: provisioned.then_some(4.0),
                valid_tru_values: valid.clone(),
                max_available_trus: Some(12.0),
                on_demand_aps_limit: Some(500.0),
                stats: (i % 5 != 0).then_some(ApsStats {
                    mean: count * 0.6,
                    p90: count * 0.9,
                    p99: count * 1.2,
                }),
                requests: Reading {
                    limit: Some(2000.0),
                    count: count * 1.5,
                    throttled: if i % 11 == 0 { 40.0 } else { 0.0 },
                    envelope: None,
                },
                ..Inputs::default()
            }
        })
        .collect()
}

fn policy(c: &mut Criterion) {
    let inputs = inputs();
    let policy = Policy::default();
    let mut group = c.benchmark_group("recommend");
    group.throughput(Throughput::Elements(inputs.len() as u64));
    group.bench_function("1000 namespaces", |b| {
        b.iter(|| {
            for i in &inputs {
                black_box(recommend::recommend(black_box(i), &policy));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, parser, policy);
criterion_main!(benches);
