//! Runs the OpenMetrics project's parser test cases (vendored in `tests/data/openmetrics/parsers/`)
//! through `tcap::cloud::openmetrics`.
//!
//! Every case must finish without panicking or hanging. Every `shouldParse: true` case must give
//! exactly the samples written out below and no warning. The bad cases whose fault is in the
//! syntax of a sample line must produce a warning and no sample for that line. The other bad cases
//! break rules of the standard that tcap deliberately does not enforce (metric types, ordering,
//! metadata), because Temporal's endpoint bends the standard and tcap only needs the numbers.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use tcap::cloud::openmetrics::{Exposition, parse};

/// Far above what any case needs, so only a hang can reach it.
const TIME_LIMIT: Duration = Duration::from_secs(5);

struct Exp {
    name: &'static str,
    labels: &'static [(&'static str, &'static str)],
    value: f64,
    timestamp_ms: Option<i64>,
}

const fn e(name: &'static str, labels: &'static [(&'static str, &'static str)], value: f64) -> Exp {
    Exp {
        name,
        labels,
        value,
        timestamp_ms: None,
    }
}

const fn et(
    name: &'static str,
    labels: &'static [(&'static str, &'static str)],
    value: f64,
    timestamp_ms: i64,
) -> Exp {
    Exp {
        name,
        labels,
        value,
        timestamp_ms: Some(timestamp_ms),
    }
}

const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

/// The samples of every `shouldParse: true` case, transcribed from its `metrics` file.
/// Timestamps in these files are seconds, so they appear here multiplied by 1000.
const GOOD: &[(&str, &[Exp])] = &[
    ("counter_exemplars", &[et("a_total", &[], 0.0, 123_000)]),
    (
        "counter_exemplars_empty_brackets",
        &[et("a_total", &[], 0.0, 123_000)],
    ),
    (
        "counter_unit",
        &[
            e("cc_seconds_total", &[], 1.0),
            e("cc_seconds_created", &[], 123.456),
        ],
    ),
    (
        "duplicate_timestamps_0",
        &[
            et("a", &[("a", "1"), ("foo", "bar")], 1.0, 0),
            et("a", &[("a", "1"), ("foo", "bar")], 2.0, 0),
            et("a", &[("a", "1"), ("foo", "bar")], 3.0, 0),
            et("a", &[("a", "2"), ("foo", "bar")], 4.0, 0),
            et("a", &[("a", "2"), ("foo", "bar")], 5.0, 0),
        ],
    ),
    (
        "duplicate_timestamps_1",
        &[
            et("a", &[("a", "1"), ("foo", "bar")], 1.0, 0),
            et("a", &[("a", "1"), ("foo", "bar")], 2.0, 0),
            et("a", &[("a", "1"), ("foo", "bar")], 3.0, 0),
            et("a", &[("a", "2"), ("foo", "bar")], 4.0, 0),
            et("a", &[("a", "2"), ("foo", "bar")], 5.0, 0),
        ],
    ),
    ("empty_brackets", &[e("a_total", &[], 1.0)]),
    ("empty_help", &[e("a_total", &[], 1.0)]),
    (
        "empty_label",
        &[
            e("a_total", &[("foo", "bar")], 1.0),
            e("a_total", &[("foo", "")], 2.0),
        ],
    ),
    ("empty_metadata", &[]),
    (
        "escaping",
        &[
            e("a_total", &[("foo", "b\"a\nr")], 1.0),
            e("a_total", &[("foo", "b\\a\\z")], 2.0),
            e("a_total", &[("foo", "b\"a\nr # ")], 3.0),
            e("a_total", &[("foo", "b\\a\\z # ")], 4.0),
        ],
    ),
    (
        "exemplars_wide_chars",
        &[e("a_bucket", &[("le", "+Inf")], 1.0)],
    ),
    (
        "exemplars_with_hash_in_label_values",
        &[
            e("a_bucket", &[("le", "1.0"), ("foo", "bar # ")], 0.0),
            e("a_bucket", &[("le", "2.0"), ("foo", "bar # ")], 2.0),
            e("a_bucket", &[("le", "+Inf"), ("foo", "bar # ")], 3.0),
        ],
    ),
    ("float_gauge", &[e("a", &[], 1.2)]),
    (
        "gaugehistogram_exemplars",
        &[
            et("a_bucket", &[("le", "1.0")], 0.0, 123_000),
            et("a_bucket", &[("le", "2.0")], 2.0, 123_000),
            et("a_bucket", &[("le", "+Inf")], 3.0, 123_000),
        ],
    ),
    (
        "hash_in_label_value",
        &[
            e("a_total", &[("foo", "foo # bar")], 1.0),
            e("a_total", &[("foo", "} foo # bar # ")], 1.0),
        ],
    ),
    (
        "help_escaping",
        &[
            e("a0_total", &[("foo", "bar")], 1.0),
            e("a1_total", &[("foo", "bar")], 1.0),
            e("a2_total", &[("foo", "bar")], 1.0),
            e("a3_total", &[("foo", "bar")], 1.0),
            e("a4_total", &[("foo", "bar")], 1.0),
            e("a5_total", &[("foo", "bar")], 1.0),
            e("a6_total", &[("foo", "bar")], 1.0),
            e("a7_total", &[("foo", "bar")], 1.0),
            e("a8_total", &[("foo", "bar")], 1.0),
            e("a9_total", &[("foo", "bar")], 1.0),
        ],
    ),
    (
        "histogram_exemplars",
        &[
            e("a_bucket", &[("le", "1.0")], 0.0),
            e("a_bucket", &[("le", "2.0")], 2.0),
            e("a_bucket", &[("le", "+Inf")], 3.0),
        ],
    ),
    (
        "histogram_noncanonical",
        &[
            e("a_bucket", &[("le", "0")], 0.0),
            e("a_bucket", &[("le", "0.00000000001")], 0.0),
            e("a_bucket", &[("le", "0.0000000001")], 0.0),
            e("a_bucket", &[("le", "1e-04")], 0.0),
            e("a_bucket", &[("le", "1.1e-4")], 0.0),
            e("a_bucket", &[("le", "1.1e-3")], 0.0),
            e("a_bucket", &[("le", "1.1e-2")], 0.0),
            e("a_bucket", &[("le", "1")], 0.0),
            e("a_bucket", &[("le", "1e+05")], 0.0),
            e("a_bucket", &[("le", "10000000000")], 0.0),
            e("a_bucket", &[("le", "100000000000.0")], 0.0),
            e("a_bucket", &[("le", "+Inf")], 3.0),
            e("a_count", &[], 3.0),
            e("a_sum", &[], 2.0),
        ],
    ),
    (
        "info_timestamps",
        &[
            et("a_info", &[("a", "1"), ("foo", "bar")], 1.0, 1000),
            et("a_info", &[("a", "2"), ("foo", "bar")], 1.0, 0),
        ],
    ),
    (
        "label_escaping",
        &[
            e("a0_total", &[("foo", "foo"), ("bar", "baz")], 1.0),
            e("a1_total", &[("foo", "\\foo"), ("bar", "baz")], 1.0),
            e("a2_total", &[("foo", "\\foo"), ("bar", "baz")], 1.0),
            e("a3_total", &[("foo", "foo\\"), ("bar", "baz")], 1.0),
            e("a4_total", &[("foo", "\\"), ("bar", "baz")], 1.0),
            e("a5_total", &[("foo", "\n"), ("bar", "baz")], 1.0),
            e("a6_total", &[("foo", "\\n"), ("bar", "baz")], 1.0),
            e("a7_total", &[("foo", "\\\n"), ("bar", "baz")], 1.0),
            e("a8_total", &[("foo", "\""), ("bar", "baz")], 1.0),
            e("a9_total", &[("foo", "\\\""), ("bar", "baz")], 1.0),
        ],
    ),
    (
        "labels_and_infinite",
        &[
            e("a", &[("foo", "bar")], INF),
            e("a", &[("foo", "baz")], -INF),
        ],
    ),
    (
        "labels_with_curly_braces",
        &[e("a_total", &[("foo", "bar"), ("bar", "b{a}z")], 1.0)],
    ),
    ("leading_zeros_float_gauge", &[e("a", &[], 0.12)]),
    ("leading_zeros_simple_gauge", &[e("a", &[], 1.0)]),
    ("nan", &[e("a", &[], NAN)]),
    ("nan_gauge", &[e("a", &[], NAN)]),
    (
        "negative_bucket_gaugehistogram",
        &[
            e("a_bucket", &[("le", "-1.0")], 1.0),
            e("a_bucket", &[("le", "1.0")], 2.0),
            e("a_bucket", &[("le", "+Inf")], 3.0),
            e("a_gcount", &[], 3.0),
            e("a_gsum", &[], -5.0),
        ],
    ),
    (
        "negative_bucket_histogram",
        &[
            e("a_bucket", &[("le", "-1.0")], 0.0),
            e("a_bucket", &[("le", "1.0")], 1.0),
            e("a_bucket", &[("le", "+Inf")], 3.0),
        ],
    ),
    ("no_metadata", &[e("a", &[], 1.0)]),
    ("no_newline_after_eof", &[e("a", &[], 1.0)]),
    ("null_byte", &[]),
    (
        "roundtrip",
        &[
            e(
                "go_gc_duration_seconds",
                &[("quantile", "0.0")],
                0.013300656000000001,
            ),
            e(
                "go_gc_duration_seconds",
                &[("quantile", "0.25")],
                0.013638736,
            ),
            e(
                "go_gc_duration_seconds",
                &[("quantile", "0.5")],
                0.013759906,
            ),
            e(
                "go_gc_duration_seconds",
                &[("quantile", "0.75")],
                0.013962066,
            ),
            e(
                "go_gc_duration_seconds",
                &[("quantile", "1.0")],
                0.021383540000000003,
            ),
            e("go_gc_duration_seconds_sum", &[], 56.12904785),
            e("go_gc_duration_seconds_count", &[], 7476.0),
            e("go_goroutines", &[], 166.0),
            e(
                "prometheus_local_storage_indexing_batch_duration_milliseconds",
                &[("quantile", "0.5")],
                NAN,
            ),
            e(
                "prometheus_local_storage_indexing_batch_duration_milliseconds",
                &[("quantile", "0.9")],
                NAN,
            ),
            e(
                "prometheus_local_storage_indexing_batch_duration_milliseconds",
                &[("quantile", "0.99")],
                NAN,
            ),
            e(
                "prometheus_local_storage_indexing_batch_duration_milliseconds_sum",
                &[],
                871.5665949999999,
            ),
            e(
                "prometheus_local_storage_indexing_batch_duration_milliseconds_count",
                &[],
                229.0,
            ),
            e("process_cpu_seconds_total", &[], 29323.4),
            e("process_virtual_memory_bytes", &[], 2_478_268_416.0),
            e(
                "prometheus_build_info",
                &[
                    ("branch", "HEAD"),
                    ("revision", "ef176e5"),
                    ("version", "0.16.0rc1"),
                ],
                1.0,
            ),
            e(
                "prometheus_local_storage_chunk_ops_total",
                &[("type", "clone")],
                28.0,
            ),
            e(
                "prometheus_local_storage_chunk_ops_total",
                &[("type", "create")],
                997_844.0,
            ),
            e(
                "prometheus_local_storage_chunk_ops_total",
                &[("type", "drop")],
                1_345_758.0,
            ),
            e(
                "prometheus_local_storage_chunk_ops_total",
                &[("type", "load")],
                1641.0,
            ),
            e(
                "prometheus_local_storage_chunk_ops_total",
                &[("type", "persist")],
                981_408.0,
            ),
            e(
                "prometheus_local_storage_chunk_ops_total",
                &[("type", "pin")],
                32662.0,
            ),
            e(
                "prometheus_local_storage_chunk_ops_total",
                &[("type", "transcode")],
                980_180.0,
            ),
            e(
                "prometheus_local_storage_chunk_ops_total",
                &[("type", "unpin")],
                32662.0,
            ),
            e("foo_bucket", &[("le", "0.0")], 0.0),
            e("foo_bucket", &[("le", "1e-05")], 0.0),
            e("foo_bucket", &[("le", "0.0001")], 0.0),
            e("foo_bucket", &[("le", "0.1")], 8.0),
            e("foo_bucket", &[("le", "1.0")], 10.0),
            e("foo_bucket", &[("le", "10.0")], 17.0),
            e("foo_bucket", &[("le", "100000.0")], 17.0),
            e("foo_bucket", &[("le", "1e+06")], 17.0),
            e("foo_bucket", &[("le", "1.55555555555552e+06")], 17.0),
            e("foo_bucket", &[("le", "1e+23")], 17.0),
            e("foo_bucket", &[("le", "+Inf")], 17.0),
            e("foo_count", &[], 17.0),
            e("foo_sum", &[], 324_789.3),
            e("foo_created", &[], 1_520_430_000.123),
            e("bar_bucket", &[("a", "b"), ("le", "+Inf")], 0.0),
            e("bar_bucket", &[("a", "c"), ("le", "+Inf")], 0.0),
        ],
    ),
    ("simple_counter", &[e("a_total", &[], 1.0)]),
    ("simple_gauge", &[e("a", &[], 1.0)]),
    (
        "simple_gaugehistogram",
        &[
            e("a_bucket", &[("le", "1.0")], 0.0),
            e("a_bucket", &[("le", "+Inf")], 3.0),
            e("a_gcount", &[], 3.0),
            e("a_gsum", &[], 2.0),
        ],
    ),
    (
        "simple_histogram",
        &[
            e("a_bucket", &[("le", "1.0")], 0.0),
            e("a_bucket", &[("le", "+Inf")], 3.0),
            e("a_count", &[], 3.0),
            e("a_sum", &[], 2.0),
        ],
    ),
    (
        "simple_stateset",
        &[e("a", &[("a", "bar")], 0.0), e("a", &[("a", "foo")], 1.0)],
    ),
    (
        "simple_summary",
        &[e("a_count", &[], 1.0), e("a_sum", &[], 2.0)],
    ),
    (
        "summary_quantiles",
        &[
            e("a_count", &[], 1.0),
            e("a_sum", &[], 2.0),
            e("a", &[("quantile", "0.5")], 0.7),
            e("a", &[("quantile", "1")], 0.8),
        ],
    ),
    (
        "timestamps",
        &[
            et("a_total", &[("foo", "1")], 1.0, 0),
            et("a_total", &[("foo", "2")], 1.0, 0),
            et("a_total", &[("foo", "3")], 1.0, 1100),
            // 1.2e19 is read as milliseconds and saturates at the largest i64.
            et("a_total", &[("foo", "4")], 1.0, i64::MAX),
            et("a_total", &[("foo", "5")], 1.0, 1_500_000),
            et("b_total", &[], 2.0, 1_234_567_890_000),
        ],
    ),
    ("type_help_switched", &[e("a_total", &[], 1.0)]),
    (
        "uint64_counter",
        &[e("a_total", &[], 9_223_372_036_854_775_808.0)],
    ),
    ("unit_gauge", &[e("a_seconds", &[], 1.0)]),
    (
        "untyped",
        &[
            e(
                "redis_connected_clients",
                &[("instance", "rough-snowflake-web"), ("port", "6380")],
                10.0,
            ),
            e(
                "redis_connected_clients",
                &[("instance", "rough-snowflake-web"), ("port", "6381")],
                12.0,
            ),
        ],
    ),
];

/// Bad cases whose fault is in a sample line's syntax: (case, samples still read from its other
/// lines, line of the one expected warning).
const MUST_WARN: &[(&str, usize, usize)] = &[
    ("bad_exemplars_1", 0, 2),
    ("bad_exemplars_12", 0, 2),
    ("bad_grouping_or_ordering_1", 2, 3),
    ("bad_invalid_labels_0", 0, 1),
    ("bad_invalid_labels_1", 0, 1),
    ("bad_invalid_labels_2", 0, 1),
    ("bad_invalid_labels_3", 0, 1),
    ("bad_invalid_labels_4", 0, 1),
    ("bad_invalid_labels_5", 0, 1),
    ("bad_invalid_labels_6", 0, 1),
    ("bad_invalid_labels_7", 0, 1),
    ("bad_invalid_labels_8", 0, 1),
    ("bad_metric_names_0", 0, 1),
    ("bad_metric_names_1", 0, 1),
    ("bad_metric_names_2", 0, 1),
    ("bad_missing_equal_or_label_value_0", 0, 1),
    ("bad_missing_equal_or_label_value_1", 0, 1),
    ("bad_missing_equal_or_label_value_2", 0, 1),
    ("bad_missing_equal_or_label_value_3", 0, 1),
    ("bad_missing_equal_or_label_value_4", 0, 1),
    ("bad_missing_or_extra_commas_0", 0, 1),
    ("bad_missing_or_extra_commas_1", 0, 1),
    ("bad_missing_or_wrong_quotes_on_label_value_0", 0, 1),
    ("bad_missing_or_wrong_quotes_on_label_value_1", 0, 1),
    ("bad_missing_or_wrong_quotes_on_label_value_2", 0, 1),
    ("bad_missing_value_0", 0, 1),
    ("bad_missing_value_1", 0, 1),
    ("bad_text_after_eof_0", 1, 3),
    ("bad_timestamp_0", 0, 1),
    ("bad_timestamp_1", 0, 1),
    ("bad_timestamp_2", 0, 1),
    ("bad_timestamp_3", 0, 1),
    ("bad_timestamp_4", 0, 1),
    ("bad_timestamp_5", 0, 1),
    ("bad_timestamp_6", 0, 1),
    ("bad_timestamp_7", 0, 1),
    ("bad_timestamp_8", 0, 1),
    ("bad_value_0", 0, 1),
    ("bad_value_4", 0, 1),
    ("bad_value_5", 0, 1),
    ("bad_value_6", 0, 1),
    ("bad_value_7", 0, 1),
    ("bad_value_8", 0, 1),
    ("bad_value_9", 0, 1),
    ("bad_value_10", 0, 1),
    ("bad_value_11", 0, 1),
    ("bad_value_12", 0, 1),
];

/// Bad cases that show a leniency Temporal's bodies need: (case, samples read). These must
/// parse without a warning.
const LENIENT: &[(&str, usize)] = &[
    ("bad_no_eof", 0),
    ("bad_blank_line", 1),
    ("bad_missing_or_extra_commas_2", 1),
    ("bad_value_1", 1),
    ("bad_value_2", 1),
    ("bad_value_3", 1),
    ("bad_help_4", 0),
    ("bad_type_6", 0),
];

fn cases_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/openmetrics/parsers");
    assert!(
        dir.is_dir(),
        "the OpenMetrics conformance cases are missing: expected a folder at {}",
        dir.display()
    );
    dir
}

fn should_parse(case: &Path) -> bool {
    let path = case.join("test.json");
    let json = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    let value = json
        .split_once("\"shouldParse\"")
        .and_then(|(_, rest)| rest.trim_start().strip_prefix(':'))
        .map(str::trim_start);
    match value {
        Some(v) if v.starts_with("true") => true,
        Some(v) if v.starts_with("false") => false,
        _ => panic!("no \"shouldParse\": true|false in {}", path.display()),
    }
}

/// Parses in another thread so that a hang fails the test instead of stalling it, and a panic
/// is reported with the case's name.
fn parse_guarded(case: &str, text: String) -> Result<Exposition, String> {
    let (tx, rx) = mpsc::channel();
    let worker = thread::Builder::new()
        .name(case.to_owned())
        .spawn(move || {
            let _ = tx.send(parse(&text));
        })
        .map_err(|err| format!("cannot start a thread: {err}"))?;
    match rx.recv_timeout(TIME_LIMIT) {
        Ok(exposition) => {
            let _ = worker.join();
            Ok(exposition)
        }
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!("did not finish in {TIME_LIMIT:?}")),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("the parser panicked".to_owned()),
    }
}

fn same_value(got: f64, want: f64) -> bool {
    (got.is_nan() && want.is_nan()) || got == want
}

fn sorted_labels<'a>(labels: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<(&'a str, &'a str)> {
    let mut labels: Vec<_> = labels.collect();
    labels.sort_unstable();
    labels
}

/// Returns what differs between the parse and the expectation, if anything.
fn check_good(got: &Exposition, want: &[Exp]) -> Option<String> {
    if !got.warnings.is_empty() {
        let warnings: Vec<String> = got.warnings.iter().map(ToString::to_string).collect();
        return Some(format!("warnings: {}", warnings.join("; ")));
    }
    if got.samples.len() != want.len() {
        return Some(format!(
            "{} samples, want {}: {:?}",
            got.samples.len(),
            want.len(),
            got.samples
        ));
    }
    for (i, (g, w)) in got.samples.iter().zip(want).enumerate() {
        // Label order is not part of the format, so compare the label sets.
        let got_labels = sorted_labels(g.labels.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let want_labels = sorted_labels(w.labels.iter().copied());
        if g.name != w.name
            || got_labels != want_labels
            || !same_value(g.value, w.value)
            || g.timestamp_ms != w.timestamp_ms
        {
            return Some(format!(
                "sample {i}: got {g:?}, want {} {:?} {} {:?}",
                w.name, w.labels, w.value, w.timestamp_ms
            ));
        }
    }
    None
}

#[test]
fn openmetrics_conformance_cases() {
    let dir = cases_dir();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("cannot list {}: {err}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 200,
        "only {} cases in {}; the conformance folder looks incomplete",
        cases.len(),
        dir.display()
    );

    let mut failures: Vec<String> = Vec::new();
    let mut good_on_disk = BTreeSet::new();
    let mut bad_on_disk = BTreeSet::new();
    let mut good_checked = 0;
    let mut bad_total = 0;
    let mut bad_warned = 0;

    for case_dir in &cases {
        let case = case_dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("case folder names are UTF-8")
            .to_owned();
        let bytes = std::fs::read(case_dir.join("metrics"))
            .unwrap_or_else(|err| panic!("cannot read {case}/metrics: {err}"));
        // The HTTP client decodes bodies lossily too, so invalid UTF-8 must not stop the parser.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let lines = text.split('\n').count();
        let got = match parse_guarded(&case, text) {
            Ok(got) => got,
            Err(why) => {
                failures.push(format!("{case}: {why}"));
                continue;
            }
        };
        if let Some(w) = got.warnings.iter().find(|w| w.line == 0 || w.line > lines) {
            failures.push(format!("{case}: warning outside the text: {w}"));
        }

        if should_parse(case_dir) {
            good_on_disk.insert(case.clone());
            match GOOD.iter().find(|(name, _)| *name == case) {
                None => failures.push(format!("{case}: good case with no expected samples")),
                Some((_, want)) => match check_good(&got, want) {
                    Some(why) => failures.push(format!("{case}: {why}")),
                    None => good_checked += 1,
                },
            }
        } else {
            bad_on_disk.insert(case.clone());
            bad_total += 1;
            if !got.warnings.is_empty() {
                bad_warned += 1;
            }
            if let Some((_, samples, line)) = MUST_WARN.iter().find(|(name, ..)| *name == case) {
                let lines: Vec<usize> = got.warnings.iter().map(|w| w.line).collect();
                if got.samples.len() != *samples || lines != [*line] {
                    failures.push(format!(
                        "{case}: want {samples} samples and a warning on line {line}, got {:?} and {:?}",
                        got.samples, got.warnings
                    ));
                }
            }
            if let Some((_, samples)) = LENIENT.iter().find(|(name, _)| *name == case)
                && (got.samples.len() != *samples || !got.warnings.is_empty())
            {
                failures.push(format!(
                    "{case}: should be accepted with {samples} samples, got {:?} and {:?}",
                    got.samples, got.warnings
                ));
            }
        }
    }

    for (name, _) in GOOD {
        if !good_on_disk.contains(*name) {
            failures.push(format!(
                "{name}: expected samples for a good case not on disk"
            ));
        }
    }
    for name in MUST_WARN
        .iter()
        .map(|(n, ..)| *n)
        .chain(LENIENT.iter().map(|(n, _)| *n))
    {
        if !bad_on_disk.contains(name) {
            failures.push(format!(
                "{name}: listed as a bad case but no such bad case on disk"
            ));
        }
    }

    println!(
        "openmetrics conformance: {} cases ran without panic or hang; {good_checked}/{} good \
         cases gave exactly the expected samples; {bad_warned}/{bad_total} bad cases produced \
         warnings ({} required to)",
        cases.len(),
        good_on_disk.len(),
        MUST_WARN.len()
    );
    assert!(
        failures.is_empty(),
        "{} conformance failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
