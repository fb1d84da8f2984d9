//! Hostile input, as properties: the OpenMetrics parser and the Cloud Ops JSON decoders never
//! panic whatever they are given and round-trip what they should; the state file round-trips;
//! the recommendation policy is total.
//!
//! Each property runs a modest number of cases so that the file stays fast; raise them with
//! `PROPTEST_CASES=10000 cargo test --test properties` when hunting.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use serde_json::{Map, Value, json};

use tcap::alert::Level;
use tcap::capacity::Mode;
use tcap::capacity::recommend::{
    self, ApsStats, DEFAULT_TRU_VALUES, Dimension, Inputs, Policy, Reading, Recommendation,
};
use tcap::cloud::model::{
    AsyncOperationResponse, CapacityInfo, CapacityInfoResponse, CapacitySpec, GetNamespaceResponse,
    GetNamespacesResponse, Namespace,
};
use tcap::cloud::openmetrics::{Exposition, Sample, parse, parse_families};
use tcap::schedule::state::{
    AlertRecord, Capacity, ChangeState, ErrorRecord, Outcome, Plan, Request, RevertTo, Step,
};

/// 256 cases unless `PROPTEST_CASES` says otherwise, and no regression files written into the
/// source tree.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// OpenMetrics: strategies

/// Characters that reach every branch of the grammar, and some multi-byte ones.
const GRAMMAR: &[char] = &[
    'a', 'b', 'm', '_', ':', '0', '1', '9', '.', 'e', 'E', '+', '-', 'x', 'I', 'n', 'f', 'N', '{',
    '}', '"', '=', ',', '\\', '#', ' ', '\t', '\r', '\n', '\0', 'é', '☃', '😀',
];

const FAMILIES: &[&str] = &[
    "temporal_cloud_v1_action_limit",
    "temporal_cloud_v1_total_action_count",
    "temporal_cloud_v1_total_action_throttled_count",
];

fn grammar_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(GRAMMAR), 0..160).prop_map(String::from_iter)
}

fn lossy_bytes() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<u8>(), 0..400)
        .prop_map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// Anything: unicode noise, bytes read leniently, the grammar's own characters, and valid
/// bodies with a few characters inserted, removed or replaced (which reaches the deep branches
/// random text rarely does).
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        lossy_bytes(),
        grammar_text(),
        mutated_body(),
    ]
}

fn mutated_body() -> impl Strategy<Value = String> {
    let edits = prop::collection::vec(
        (
            any::<prop::sample::Index>(),
            0..3u8,
            prop::sample::select(GRAMMAR),
        ),
        1..8,
    );
    (valid_body(), edits).prop_map(|((text, _), edits)| {
        let mut chars: Vec<char> = text.chars().collect();
        for (at, kind, c) in edits {
            let at = at.index(chars.len() + 1);
            match kind {
                0 => chars.insert(at, c),
                1 if at < chars.len() => {
                    chars.remove(at);
                }
                _ if at < chars.len() => chars[at] = c,
                _ => chars.insert(at, c),
            }
        }
        chars.into_iter().collect()
    })
}

/// A metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`, sometimes one of Temporal's.
fn metric_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z_:][a-zA-Z0-9_:]{0,16}",
        1 => prop::sample::select(FAMILIES).prop_map(str::to_owned),
    ]
}

fn label_value() -> impl Strategy<Value = String> {
    let tricky = prop::sample::select(
        &[
            '"', '\\', '\n', '{', '}', ',', '=', '#', ' ', '\t', 'n', 'z', 'é', '😀',
        ][..],
    );
    prop::collection::vec(prop_oneof![any::<char>(), tricky], 0..12).prop_map(String::from_iter)
}

/// Label pairs with unique names, in the order generated.
fn labels() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(("[a-zA-Z_][a-zA-Z0-9_]{0,10}", label_value()), 0..5).prop_map(|pairs| {
        let mut out: Vec<(String, String)> = Vec::new();
        for (k, v) in pairs {
            if !out.iter().any(|(seen, _)| *seen == k) {
                out.push((k, v));
            }
        }
        out
    })
}

/// A value and one way of spelling it.
fn value() -> impl Strategy<Value = (f64, String)> {
    let finite = prop_oneof![
        any::<f64>().prop_filter("finite", |v| v.is_finite()),
        (-1_000_000i64..1_000_000).prop_map(|v| v as f64),
        (0u32..100_000, 0u32..1000).prop_map(|(i, f)| f64::from(i) + f64::from(f) / 1000.0),
    ];
    prop_oneof![
        1 => Just((f64::NAN, "NaN".to_owned())),
        1 => prop::sample::select(&["+Inf", "Inf", "inf", "+inf"][..])
            .prop_map(|s| (f64::INFINITY, s.to_owned())),
        1 => Just((f64::NEG_INFINITY, "-Inf".to_owned())),
        6 => (finite, 0..4u8).prop_map(|(v, style)| {
            let text = match style {
                0 => format!("{v}"),
                1 => format!("{v:e}"),
                2 => format!("{v:E}"),
                _ => format!("{v:?}"),
            };
            (v, text)
        }),
    ]
}

/// A timestamp as written and the milliseconds it means: seconds (integer or with
/// milliseconds) below 1e11, milliseconds from 1e11 on.
fn timestamp() -> impl Strategy<Value = Option<(i64, String)>> {
    const MS_THRESHOLD: i64 = 100_000_000_000;
    prop_oneof![
        2 => Just(None),
        1 => (-1_000_000_000i64..MS_THRESHOLD).prop_map(|s| Some((s * 1000, s.to_string()))),
        1 => (0i64..MS_THRESHOLD, 0i64..1000)
            .prop_map(|(s, ms)| Some((s * 1000 + ms, format!("{s}.{ms:03}")))),
        1 => (MS_THRESHOLD..i64::MAX).prop_map(|ms| Some((ms, ms.to_string()))),
    ]
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// One valid sample line and the sample it must read as.
fn sample_line() -> impl Strategy<Value = (String, Sample)> {
    let layout = (
        prop::sample::select(&[",", ", ", " , ", ",\t"][..]),
        any::<bool>(), // braces even without labels
        any::<bool>(), // trailing comma
        any::<bool>(), // blanks inside the braces and around '='
        any::<bool>(), // a space between the name and '{'
        prop::sample::select(&[" ", "  ", "\t", " \t "][..]),
        prop::sample::select(&["", "\r", "  ", "\t", " # {trace_id=\"x\"} 1 2"][..]),
    );
    (metric_name(), labels(), value(), timestamp(), layout).prop_map(
        |(name, labels, (value, value_text), ts, layout)| {
            let (sep, braces, trailing, blanks, space_before, gap, ending) = layout;
            let pad = if blanks { " " } else { "" };
            let mut line = name.clone();
            if !labels.is_empty() || braces {
                if space_before {
                    line.push(' ');
                }
                line.push('{');
                line.push_str(pad);
                let rendered: Vec<String> = labels
                    .iter()
                    .map(|(k, v)| format!("{k}{pad}={pad}\"{}\"", escape(v)))
                    .collect();
                line.push_str(&rendered.join(sep));
                if trailing && !labels.is_empty() {
                    line.push(',');
                }
                line.push_str(pad);
                line.push('}');
            }
            line.push_str(gap);
            line.push_str(&value_text);
            if let Some((_, text)) = &ts {
                line.push_str(gap);
                line.push_str(text);
            }
            line.push_str(ending);
            let sample = Sample {
                name,
                labels,
                value,
                timestamp_ms: ts.map(|(ms, _)| ms),
            };
            (line, sample)
        },
    )
}

/// A whole valid body: sample lines among metadata, comments and blank lines, with LF or CRLF,
/// with or without `# EOF`.
fn valid_body() -> impl Strategy<Value = (String, Vec<Sample>)> {
    let extra = prop::sample::select(
        &[
            "",
            "# TYPE temporal_cloud_v1_action_limit gauge",
            "# HELP m some help text",
            "#",
            "   ",
            "# UNIT m seconds",
        ][..],
    );
    (
        prop::collection::vec((sample_line(), extra), 0..8),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(lines, crlf, eof)| {
            let newline = if crlf { "\r\n" } else { "\n" };
            let mut text = String::new();
            let mut samples = Vec::new();
            for ((line, sample), extra) in lines {
                text.push_str(extra);
                text.push_str(newline);
                text.push_str(&line);
                text.push_str(newline);
                samples.push(sample);
            }
            if eof {
                text.push_str("# EOF");
                text.push_str(newline);
            }
            (text, samples)
        })
}

// ---------------------------------------------------------------------------------------------
// OpenMetrics: checks

fn same_value(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b
}

fn same_sample(a: &Sample, b: &Sample) -> bool {
    a.name == b.name
        && a.labels == b.labels
        && same_value(a.value, b.value)
        && a.timestamp_ms == b.timestamp_ms
}

fn trim_blank(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\r'])
}

/// Whether `line` could have given `sample`: it starts with the metric name, whole, and has a
/// blank-separated token that is the sample's number.
fn line_supports(line: &str, sample: &Sample) -> bool {
    let line = trim_blank(line);
    let Some(rest) = line.strip_prefix(sample.name.as_str()) else {
        return false;
    };
    if !rest.starts_with(['{', ' ', '\t']) {
        return false;
    }
    rest.split([' ', '\t', '\r', '}'])
        .filter_map(|t| t.parse::<f64>().ok())
        .any(|v| same_value(v, sample.value))
}

/// What holds for any input: no more results than lines, warnings point at real lines, and
/// every sample comes, in order, from a line of its own that really says that number.
fn check_invariants(text: &str, got: &Exposition) -> Result<(), TestCaseError> {
    let lines: Vec<&str> = text.split('\n').collect();
    prop_assert!(
        got.warnings.len() <= lines.len(),
        "{} warnings for {} lines",
        got.warnings.len(),
        lines.len()
    );
    prop_assert!(got.samples.len() + got.warnings.len() <= lines.len());
    for w in &got.warnings {
        prop_assert!(
            (1..=lines.len()).contains(&w.line),
            "warning {w} out of range"
        );
        prop_assert!(w.message.chars().count() < 200, "long warning {w}");
    }
    let mut next = 0;
    for sample in &got.samples {
        let warned = |at: usize| got.warnings.iter().any(|w| w.line == at + 1);
        let found = (next..lines.len()).find(|&at| !warned(at) && line_supports(lines[at], sample));
        let Some(at) = found else {
            return Err(TestCaseError::fail(format!(
                "{sample:?} does not come from any line after line {next}"
            )));
        };
        next = at + 1;
    }
    Ok(())
}

/// `parse_families` reads exactly what `parse` reads for the families asked for.
fn check_filter(text: &str, all: &Exposition, names: &[&str]) -> Result<(), TestCaseError> {
    let some = parse_families(text, names);
    let expected: Vec<&Sample> = all
        .samples
        .iter()
        .filter(|s| names.contains(&s.name.as_str()))
        .collect();
    prop_assert_eq!(some.samples.len(), expected.len());
    for (g, e) in some.samples.iter().zip(expected) {
        prop_assert!(same_sample(g, e), "{g:?} != {e:?}");
    }
    for w in &some.warnings {
        prop_assert!(
            all.warnings.iter().any(|a| a.line == w.line),
            "filtered warning {w} that parse() did not give"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_parser_never_panics_and_invents_nothing(text in hostile_text()) {
        let all = parse(&text);
        check_invariants(&text, &all)?;
        check_filter(&text, &all, FAMILIES)?;
        check_filter(&text, &all, &["m", "a", "b"])?;
    }

    #[test]
    fn valid_lines_round_trip((line, sample) in sample_line()) {
        let got = parse(&line);
        prop_assert!(got.warnings.is_empty(), "{:?}: {:?}", line, got.warnings);
        prop_assert_eq!(got.samples.len(), 1, "{:?}", line);
        prop_assert!(same_sample(&got.samples[0], &sample), "{:?}: {:?} != {:?}", line, got.samples[0], sample);
    }

    #[test]
    fn valid_bodies_round_trip((text, samples) in valid_body()) {
        let got = parse(&text);
        prop_assert!(got.warnings.is_empty(), "{:?}: {:?}", text, got.warnings);
        prop_assert_eq!(got.samples.len(), samples.len(), "{:?}", text);
        for (g, e) in got.samples.iter().zip(&samples) {
            prop_assert!(same_sample(g, e), "{:?}: {:?} != {:?}", text, g, e);
        }
        check_invariants(&text, &got)?;
        check_filter(&text, &got, FAMILIES)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Cloud Ops JSON

/// Field names the decoders look for, in both casings, so that random objects hit them.
const KEYS: &[&str] = &[
    "namespace",
    "namespaces",
    "nextPageToken",
    "next_page_token",
    "resourceVersion",
    "resource_version",
    "spec",
    "state",
    "asyncOperationId",
    "async_operation_id",
    "capacity",
    "capacitySpec",
    "capacity_spec",
    "provisioned",
    "onDemand",
    "on_demand",
    "value",
    "currentValue",
    "current_value",
    "latestRequest",
    "latest_request",
    "startTime",
    "endTime",
    "limits",
    "actionsPerSecondLimit",
    "asyncOperation",
    "async_operation",
    "id",
    "checkDuration",
    "check_duration",
    "operationType",
    "failureReason",
    "startedTime",
    "finishedTime",
    "capacityInfo",
    "capacity_info",
    "hasLegacyLimits",
    "currentCapacity",
    "modeOptions",
    "mode_options",
    "validTruValues",
    "valid_tru_values",
    "maxAvailableTruValue",
    "apsLimit",
    "stats",
    "aps",
    "mean",
    "p90",
    "p99",
];

/// Strings the decoders give meaning to, and some they must refuse.
const WORDS: &[&str] = &[
    "",
    "NaN",
    "Infinity",
    "-Infinity",
    "4",
    "-1",
    "1e400",
    "10s",
    "1.500s",
    "-5s",
    "1e30s",
    "1e300s",
    "18446744073709551616s",
    "s",
    "2026-05-19T17:03:11Z",
    "2026-13-45T99:99:99Z",
    "STATE_PENDING",
    "STATE_FULFILLED",
    "STATE_CAPACITY_REQUEST_COMPLETED",
    "STATE_CAPACITY_REQUEST_IN_PROGRESS",
    "STATE_UNSPECIFIED",
    "STATE_SOMETHING_NEW",
];

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        // Value::from turns a NaN or an infinity into null, which is fine too.
        any::<f64>().prop_map(Value::from),
        prop::sample::select(&[0.0, -0.0, 1e300, -1e300, 1e20, 5e-324, 0.5, 4.0][..])
            .prop_map(Value::from),
        prop::sample::select(WORDS).prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ]
}

fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(KEYS).prop_map(str::to_owned),
        1 => ".{0,8}",
    ]
}

/// Any JSON value, nested a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((json_key(), inner), 0..8)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// Well-formed answers as the reference shows them, to be damaged.
fn fixtures() -> Vec<Value> {
    let namespace = json!({
        "namespace": "my-namespace.abc12",
        "resourceVersion": "8a5f6b2c-1",
        "spec": {
            "name": "my-namespace",
            "regions": ["aws-us-west-2"],
            "capacitySpec": {"provisioned": {"value": 4}},
            "futureSetting": {"enabled": true}
        },
        "state": "RESOURCE_STATE_ACTIVE",
        "asyncOperationId": "",
        "limits": {"actionsPerSecondLimit": 2000},
        "capacity": {
            "provisioned": {"currentValue": 4},
            "latestRequest": {
                "state": "STATE_CAPACITY_REQUEST_COMPLETED",
                "startTime": "2026-05-19T17:03:11Z",
                "endTime": "2026-05-19T17:04:40Z",
                "asyncOperationId": "7cbe07a6",
                "spec": {"provisioned": {"value": 4}}
            }
        }
    });
    let capacity_info = json!({
        "namespace": "my-namespace.abc12",
        "hasLegacyLimits": false,
        "currentCapacity": {"onDemand": {}, "latestRequest": null},
        "modeOptions": {
            "provisioned": {"validTruValues": [2, 3, 4, 6, 8], "maxAvailableTruValue": 8},
            "onDemand": {"apsLimit": 500}
        },
        "stats": {"aps": {"mean": 120.5, "p90": 310.0, "p99": 455.2}}
    });
    let operation = json!({
        "id": "2f0b",
        "state": "STATE_PENDING",
        "checkDuration": "10s",
        "operationType": "UpdateNamespace",
        "failureReason": "",
        "startedTime": "2026-05-19T17:03:11Z",
        "finishedTime": null
    });
    vec![
        json!({ "namespace": namespace.clone() }),
        json!({ "namespaces": [namespace.clone(), namespace.clone()], "nextPageToken": "p2" }),
        json!({ "capacityInfo": capacity_info.clone() }),
        json!({ "asyncOperation": operation.clone() }),
        namespace,
        capacity_info,
        operation,
    ]
}

/// Replaces the value at a path picked by `steps` (each step picks a child) with `with`.
fn damage(target: &mut Value, steps: &[prop::sample::Index], with: Value) {
    let Some((step, rest)) = steps.split_first() else {
        *target = with;
        return;
    };
    match target {
        Value::Object(m) if !m.is_empty() => {
            let i = step.index(m.len());
            let child = m.values_mut().nth(i).expect("in range");
            damage(child, rest, with);
        }
        Value::Array(a) if !a.is_empty() => {
            let i = step.index(a.len());
            damage(&mut a[i], rest, with);
        }
        _ => *target = with,
    }
}

/// A reference answer with a few of its values replaced by anything at all.
fn damaged_fixture() -> impl Strategy<Value = Value> {
    let damage_one = (
        prop::collection::vec(any::<prop::sample::Index>(), 0..6),
        json_value(),
    );
    (
        any::<prop::sample::Index>(),
        prop::collection::vec(damage_one, 1..4),
    )
        .prop_map(|(which, damages)| {
            let all = fixtures();
            let mut v = all[which.index(all.len())].clone();
            for (steps, with) in damages {
                damage(&mut v, &steps, with);
            }
            v
        })
}

/// Every decoder, from a value and from its text; none may panic, errors are fine.
fn decode_all_values(v: &Value) {
    let text = v.to_string();
    macro_rules! both {
        ($($t:ty),*) => {$(
            let _ = serde_json::from_value::<$t>(v.clone());
            let _ = serde_json::from_str::<$t>(&text);
        )*};
    }
    both!(
        GetNamespaceResponse,
        GetNamespacesResponse,
        AsyncOperationResponse,
        CapacityInfoResponse,
        Namespace,
        CapacityInfo
    );
    // What the clients do with a decoded answer must not panic either.
    if let Ok(ns) = serde_json::from_value::<Namespace>(v.clone()) {
        let _ = (ns.desired_capacity(), ns.current_capacity(), ns.aps_limit());
        let _ = ns.latest_request().map(|r| r.state.short());
        let _ = ns.spec_with_capacity(CapacitySpec::OnDemand);
    }
    if let Ok(r) = serde_json::from_value::<AsyncOperationResponse>(v.clone())
        && let Some(op) = r.async_operation
    {
        let _ = tcap::apply::poll_interval(op.check_duration);
        let _ = op.state.is_terminal();
    }
}

fn decode_all_text(text: &str) {
    macro_rules! each {
        ($($t:ty),*) => {$(
            let _ = serde_json::from_str::<$t>(text);
            let _ = serde_json::from_slice::<$t>(text.as_bytes());
        )*};
    }
    each!(
        GetNamespaceResponse,
        GetNamespacesResponse,
        AsyncOperationResponse,
        CapacityInfoResponse,
        Namespace,
        CapacityInfo
    );
}

/// A spec as a server might send it: any keys and values, sometimes a capacity spec in one
/// casing or both, in any position.
fn spec_object() -> impl Strategy<Value = Map<String, Value>> {
    let entry = (
        prop_oneof![
            4 => ".{0,10}",
            1 => prop::sample::select(&["capacitySpec", "capacity_spec", "name", "regions"][..])
                .prop_map(str::to_owned),
        ],
        json_value(),
    );
    prop::collection::vec(entry, 0..10).prop_map(|pairs| pairs.into_iter().collect())
}

fn capacity_spec() -> impl Strategy<Value = CapacitySpec> {
    prop_oneof![
        Just(CapacitySpec::OnDemand),
        positive_value().prop_map(|value| CapacitySpec::Provisioned { value }),
    ]
}

/// A TRU value as a server would send it: whole, or a decimal of a few digits. These survive
/// a trip through JSON text exactly.
fn tru_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        (1u32..=1000).prop_map(f64::from),
        (0u32..1_000_000, 1u32..1000).prop_map(|(i, f)| f64::from(i) + f64::from(f) / 1000.0),
        prop::sample::select(&[0.5, 1e15, 1e15 + 2.0, 9.007e15, 1e20][..]),
    ]
}

/// Whether two numbers are equal or a few units in the last place apart: serde_json without
/// its `float_roundtrip` feature may read a 17-digit number back slightly off.
fn within_ulps(a: f64, b: f64) -> bool {
    // For positive numbers the order of the bit patterns is the order of the values.
    a == b || (a > 0.0 && b > 0.0 && a.to_bits().abs_diff(b.to_bits()) <= 4)
}

/// Any positive, finite number: whole TRUs, fractions, the tiny and the huge.
fn positive_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        (1u32..=1000).prop_map(f64::from),
        (0.0f64..1e6).prop_filter("positive", |v| *v > 0.0),
        any::<f64>().prop_filter("positive and finite", |v| v.is_finite() && *v > 0.0),
        prop::sample::select(
            &[
                5e-324,
                f64::MIN_POSITIVE,
                1e15,
                1e15 + 2.0,
                9.007e15,
                f64::MAX
            ][..]
        ),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn decoders_never_panic_on_any_json(v in json_value()) {
        decode_all_values(&v);
    }

    #[test]
    fn decoders_never_panic_on_damaged_answers(v in damaged_fixture()) {
        decode_all_values(&v);
    }

    #[test]
    fn decoders_never_panic_on_any_text(text in prop_oneof![any::<String>(), lossy_bytes()]) {
        decode_all_text(&text);
    }

    #[test]
    fn decoders_never_panic_on_damaged_text(
        v in damaged_fixture(),
        cut in any::<prop::sample::Index>(),
    ) {
        // A body cut anywhere, as a connection that dropped mid-answer leaves it.
        let text = v.to_string();
        let at = cut.index(text.len() + 1);
        decode_all_text(&String::from_utf8_lossy(&text.as_bytes()[..at]));
    }

    #[test]
    fn the_spec_round_trips_with_only_capacity_replaced(
        spec in spec_object(),
        capacity in capacity_spec(),
    ) {
        let ns: Namespace = serde_json::from_value(json!({
            "namespace": "a.b",
            "spec": Value::Object(spec.clone()),
        }))
        .expect("a namespace with any spec object decodes");
        prop_assert_eq!(&ns.spec, &spec, "the spec is kept as read, in order");

        let out = ns.spec_with_capacity(capacity);
        let camel = spec.contains_key("capacitySpec");
        let snake = spec.contains_key("capacity_spec");
        let slot = if camel || !snake { "capacitySpec" } else { "capacity_spec" };
        // Exactly one casing is sent, holding the new capacity.
        prop_assert_eq!(out.get(slot), Some(&capacity.to_json()));
        prop_assert!(!(out.contains_key("capacitySpec") && out.contains_key("capacity_spec")));
        // Every other key is kept, with its value and in its order; the slot keeps its place.
        let expected: Vec<(&String, Option<&Value>)> = spec
            .iter()
            .filter(|(k, _)| !(camel && k.as_str() == "capacity_spec"))
            .map(|(k, v)| (k, (k.as_str() != slot).then_some(v)))
            .collect();
        let mut got: Vec<(&String, Option<&Value>)> = out
            .iter()
            .map(|(k, v)| (k, (k.as_str() != slot).then_some(v)))
            .collect();
        if !camel && !snake {
            prop_assert_eq!(got.pop().map(|(k, _)| k.as_str()), Some("capacitySpec"));
        }
        prop_assert_eq!(got, expected);

        let reread: Namespace =
            serde_json::from_value(json!({ "spec": Value::Object(out) })).unwrap();
        prop_assert_eq!(reread.desired_capacity(), Some(capacity));
    }

    #[test]
    fn capacity_specs_round_trip(value in positive_value(), tru in tru_value()) {
        let spec = CapacitySpec::Provisioned { value };
        prop_assert_eq!(CapacitySpec::from_json(&spec.to_json()), Some(spec));
        prop_assert_eq!(
            CapacitySpec::from_json(&CapacitySpec::OnDemand.to_json()),
            Some(CapacitySpec::OnDemand)
        );
        // Through text, as they travel: exact for TRU values, within a few ULPs for
        // anything.
        let through_text = |v: f64| {
            let text = CapacitySpec::Provisioned { value: v }.to_json().to_string();
            CapacitySpec::from_json(&serde_json::from_str(&text).unwrap())
        };
        prop_assert_eq!(through_text(tru), Some(CapacitySpec::Provisioned { value: tru }));
        match through_text(value) {
            Some(CapacitySpec::Provisioned { value: back }) => {
                prop_assert!(within_ulps(back, value), "{value} came back as {back}");
            }
            other => prop_assert!(false, "{value} came back as {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The state file

fn time() -> impl Strategy<Value = DateTime<Utc>> {
    // Years 1970 to 9999, to the nanosecond.
    (0i64..253_402_300_799, 0u32..1_000_000_000)
        .prop_map(|(s, ns)| Utc.timestamp_opt(s, ns).single().expect("in range"))
}

fn step() -> impl Strategy<Value = Step> {
    prop::sample::select(
        &[
            Step::WaitingForStart,
            Step::Provisioning,
            Step::Verifying,
            Step::WaitingForEnd,
            Step::Reverting,
            Step::VerifyingRevert,
            Step::Done,
            Step::Failed,
            Step::Cancelled,
        ][..],
    )
}

fn capacity_record() -> impl Strategy<Value = Capacity> {
    prop_oneof![
        Just(Capacity::of(CapacitySpec::OnDemand)),
        tru_value().prop_map(|value| Capacity::of(CapacitySpec::Provisioned { value })),
    ]
}

fn request() -> impl Strategy<Value = Request> {
    (
        prop::option::of(".{0,36}"),
        prop::option::of(time()),
        prop::option::of(time()),
    )
        .prop_map(|(async_operation_id, sent_at, confirmed_at)| Request {
            async_operation_id,
            sent_at,
            confirmed_at,
        })
}

fn change_state() -> impl Strategy<Value = ChangeState> {
    let plan = (
        "[a-z][a-z0-9-]{1,20}\\.[a-z0-9]{5}",
        1u32..=1000,
        time(),
        prop::option::of(time()),
        prop::sample::select(&[RevertTo::Previous, RevertTo::OnDemand][..]),
        prop::option::of(capacity_record()),
    )
        .prop_map(
            |(namespace, trus, start_time, end_time, revert_to, capacity_before)| Plan {
                namespace,
                trus,
                start_time,
                end_time,
                revert_to,
                capacity_before,
                ramp: Vec::new(),
                event: None,
            },
        );
    let errors = prop::collection::vec(
        (time(), step(), any::<String>()).prop_map(|(at, step, message)| ErrorRecord {
            at,
            step,
            message,
        }),
        0..4,
    );
    let alerts = prop::collection::vec(
        (
            time(),
            prop::sample::select(&[Level::Critical, Level::Error, Level::Info][..]),
            step(),
            any::<String>(),
            any::<bool>(),
            prop::option::of(any::<String>()),
        )
            .prop_map(|(at, level, step, message, delivered, error)| AlertRecord {
                at,
                level,
                step,
                message,
                delivered,
                error,
            }),
        0..3,
    );
    let outcome = any::<[bool; 5]>().prop_map(|b| Outcome {
        initial_change_success: b[0],
        verification_success: b[1],
        reverted_to_on_demand: b[2],
        revert_verification_success: b[3],
        window_missed: b[4],
    });
    (
        (plan, step(), request(), request(), outcome),
        (errors, alerts, time(), time(), prop::option::of(time())),
    )
        .prop_map(
            |(
                (plan, step, provision, revert, outcome),
                (errors, alerts, created_at, updated_at, finished_at),
            )| ChangeState {
                schema: tcap::schedule::state::SCHEMA,
                plan,
                step,
                provision,
                revert,
                outcome,
                errors,
                alerts,
                created_at,
                updated_at,
                finished_at,
                stage: 0,
                stages: Vec::new(),
            },
        )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn change_states_round_trip(state in change_state()) {
        let text = serde_json::to_string_pretty(&state).unwrap();
        let back: ChangeState = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back, &state);
        // The revert goes exactly where the plan said, not to a rounded value.
        prop_assert_eq!(back.plan.revert_target(), state.plan.revert_target());
    }

    #[test]
    fn saved_states_load_back(state in change_state()) {
        let dir = tempfile::tempdir().unwrap();
        let path = tcap::schedule::state::state_path(dir.path(), &state.plan.namespace);
        let mut saved = state.clone();
        tcap::schedule::state::save(&path, &mut saved).unwrap();
        let loaded = tcap::schedule::state::load(&path).unwrap();
        prop_assert_eq!(loaded, Some(saved));
    }
}

// ---------------------------------------------------------------------------------------------
// The recommendation policy

/// Any reading at all: NaN, infinities, negatives, zero, the huge and the ordinary.
fn reading() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => 0.0f64..10_000.0,
        1 => any::<f64>(),
        1 => prop::sample::select(
            &[f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, 0.0, -0.0, 1e300, f64::MAX, 5e-324][..]
        ),
    ]
}

fn tru_list() -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![
        Just(Vec::new()),
        Just(vec![2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 12.0]),
        prop::collection::vec(
            prop_oneof![3 => (1u32..40).prop_map(f64::from), 1 => reading()],
            0..10
        ),
    ]
}

fn inputs() -> impl Strategy<Value = Inputs> {
    (
        prop::option::of(reading()),
        reading(),
        reading(),
        prop::sample::select(&[Mode::OnDemand, Mode::Provisioned][..]),
        prop::option::of(prop_oneof![(1u32..40).prop_map(f64::from), reading()]),
        tru_list(),
        prop::option::of(prop_oneof![(1u32..40).prop_map(f64::from), reading()]),
        prop::option::of(reading()),
        prop::option::of((reading(), reading(), reading())),
        (
            dimension_reading(),
            dimension_reading(),
            prop::option::of(reading()),
        ),
    )
        .prop_map(
            |(
                action_limit,
                action_count,
                throttled,
                current_mode,
                current_trus,
                valid_tru_values,
                max_available_trus,
                on_demand_aps_limit,
                stats,
                (requests, operations, action_envelope),
            )| Inputs {
                action_limit,
                action_count,
                throttled,
                current_mode,
                current_trus,
                valid_tru_values,
                max_available_trus,
                on_demand_aps_limit,
                stats: stats.map(|(mean, p90, p99)| ApsStats { mean, p90, p99 }),
                action_envelope,
                requests,
                operations,
                ..Inputs::default()
            },
        )
}

/// Requests or operations: mostly sound figures around the TRU rates, sometimes garbage.
fn dimension_reading() -> impl Strategy<Value = Reading> {
    (
        prop::option::of(prop_oneof![3 => 0.0f64..40_000.0, 1 => reading()]),
        prop_oneof![3 => 0.0f64..40_000.0, 1 => reading()],
        prop_oneof![2 => Just(0.0), 1 => 0.0f64..2_000.0, 1 => reading()],
        prop::option::of(prop_oneof![3 => 0.0f64..40_000.0, 1 => reading()]),
    )
        .prop_map(|(limit, count, throttled, envelope)| Reading {
            limit,
            count,
            throttled,
            envelope,
        })
}

fn sound(v: f64) -> bool {
    v.is_finite() && v > 0.0
}

/// The whole positive values of a list, or the documented ones when it has none.
fn valid_values(raw: &[f64]) -> Vec<u32> {
    let whole: Vec<u32> = raw
        .iter()
        .filter(|v| v.is_finite() && **v >= 1.0 && **v <= f64::from(u32::MAX))
        .filter(|v| (*v - v.round()).abs() < 1e-9)
        .map(|v| v.round() as u32)
        .collect();
    if whole.is_empty() {
        DEFAULT_TRU_VALUES.to_vec()
    } else {
        whole
    }
}

/// The TRUs a provisioned namespace holds now, from capacity-info or from its metric limit.
fn current_values(inputs: &Inputs) -> Vec<u32> {
    let mut out = Vec::new();
    if inputs.current_mode == Mode::Provisioned {
        for v in [inputs.current_trus, inputs.action_limit.map(|l| l / 500.0)]
            .into_iter()
            .flatten()
        {
            if v.is_finite() && v >= 1.0 && v <= f64::from(u32::MAX) {
                out.push(v.round() as u32);
            }
        }
    }
    out
}

fn check_recommendation(inputs: &Inputs, rec: &Recommendation) -> Result<(), TestCaseError> {
    for (what, v) in [
        ("demand_aps", rec.demand_aps),
        ("required_aps", rec.required_aps),
        ("on_demand_limit_aps", rec.on_demand_limit_aps),
    ] {
        prop_assert!(!v.is_nan(), "{what} is NaN");
        prop_assert!(v >= 0.0, "{what} is {v}");
    }
    if let Some(b) = rec.billing {
        for v in [
            b.minimum_actions_per_hour,
            b.unused_actions_per_hour,
            b.unused_cost_per_hour_usd,
        ] {
            prop_assert!(v.is_finite() && v >= 0.0, "billing {b:?}");
        }
    }
    prop_assert!(!rec.reason.contains("NaN"), "{}", rec.reason);
    prop_assert!(!rec.reason.is_empty());
    match rec.trus {
        Some(t) => {
            prop_assert_eq!(rec.mode, Mode::Provisioned);
            // A value from the valid list, or the one the namespace already holds (which needs
            // no request even when inventory or the list has moved on).
            prop_assert!(
                valid_values(&inputs.valid_tru_values).contains(&t)
                    || current_values(inputs).contains(&t),
                "{t} TRUs is neither valid nor current: {:?}",
                rec.reason
            );
        }
        None => prop_assert!(
            rec.mode == Mode::OnDemand || (rec.support_request && rec.mode == inputs.current_mode),
            "{rec:?}"
        ),
    }
    // Never more for less: a Provisioned value must give more than On-Demand would in the
    // binding dimension, unless nothing available covers the need (support) or it is the
    // value already held.
    let index = |d: Dimension| Dimension::ALL.iter().position(|x| *x == d).unwrap();
    let binding = rec.binding_dimension;
    let od = rec.dimensions[index(binding)].on_demand_limit;
    if let Some(t) = rec.trus {
        prop_assert!(
            f64::from(t) * binding.per_tru() > od + 1e-9
                || rec.support_request
                || current_values(inputs).contains(&t),
            "{t} TRUs give no more {} than on-demand's {od}: {}",
            binding.unit(),
            rec.reason
        );
    }
    prop_assert_eq!(rec.on_demand_limit_aps, rec.dimensions[0].on_demand_limit);
    // Never lower a limit that is throttling, in any dimension: what is recommended must
    // exceed it.
    let readings = [
        (inputs.action_limit, inputs.throttled),
        (inputs.requests.limit, inputs.requests.throttled),
        (inputs.operations.limit, inputs.operations.throttled),
    ];
    for (d, (limit, throttled)) in Dimension::ALL.into_iter().zip(readings) {
        let Some(limit) = limit.filter(|l| sound(*l)).filter(|_| sound(throttled)) else {
            continue;
        };
        if rec.support_request {
            continue;
        }
        let after = match rec.trus {
            Some(t) => f64::from(t) * d.per_tru(),
            None => rec.dimensions[index(d)].on_demand_limit,
        };
        prop_assert!(
            after > limit,
            "{} throttled at {limit}, recommended {after}: {}",
            d.unit(),
            rec.reason
        );
    }
    for f in &rec.dimensions {
        for v in [
            f.demand,
            f.required,
            f.on_demand_limit,
            f.count,
            f.throttled,
        ] {
            prop_assert!(!v.is_nan() && v >= 0.0, "{f:?}");
        }
    }
    for v in [rec.cost.hourly_usd_now, rec.cost.hourly_usd_recommended] {
        prop_assert!(!v.is_nan() && v >= 0.0, "{:?}", rec.cost);
    }
    // The JSON of `analyze` carries these; serde_json refuses nothing here.
    prop_assert!(serde_json::to_string(rec).is_ok());
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn recommend_is_total(inputs in inputs(), target in prop_oneof![3 => 0.05f64..=1.0, 1 => reading()]) {
        let policy = Policy { target_utilization: target, ..Policy::default() };
        let rec = recommend::recommend(&inputs, &policy);
        check_recommendation(&inputs, &rec)?;
        // The same through the checked constructor, when the target is one it accepts.
        if let Ok(policy) = Policy::new(target) {
            check_recommendation(&inputs, &recommend::recommend(&inputs, &policy))?;
        }
    }
}
