//! A lenient, exact parser for the OpenMetrics text that the Temporal Cloud Metrics API returns.
//!
//! Lenient where Temporal bends the standard (see `shared/reference/metrics-api.md` §3.2): `# TYPE`,
//! `# HELP` and `# EOF` are optional, comments are ignored, blank lines, trailing whitespace and
//! CRLF are accepted, label sets may contain `, ` and a trailing comma, and timestamps may be in
//! seconds or milliseconds. Exact where a capacity decision depends on it: metric names are
//! matched whole, label values are unescaped, and a value or timestamp must be a number (`NaN`
//! and `±Inf` count as values, not hex or anything else `f64` does not spell).
//!
//! A line that cannot be read never becomes a sample: it is skipped and reported as a
//! [`Warning`]. Parsing is a single pass over the text, so time and memory grow linearly with the
//! input and no input can make it panic or loop.

use std::fmt;

/// One sample line: `name{labels} value [timestamp]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The metric name exactly as written (for Temporal's gauges, the family name).
    pub name: String,
    /// Label pairs in the order written, values unescaped.
    pub labels: Vec<(String, String)>,
    /// The value; may be NaN or infinite when the text says so.
    pub value: f64,
    /// Unix time in milliseconds, or `None` when the line has no timestamp.
    pub timestamp_ms: Option<i64>,
}

impl Sample {
    /// The value of label `key`, if the sample has it.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A line that was skipped, or text that was ignored, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// 1-based line number in the parsed text.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// The result of parsing a body: the samples that could be read, in order, and a warning for
/// every line that could not.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exposition {
    pub samples: Vec<Sample>,
    pub warnings: Vec<Warning>,
}

/// Parses every sample in `text`.
///
/// ```
/// let body = "# TYPE temporal_cloud_v1_action_limit gauge\n\
///     temporal_cloud_v1_action_limit{temporal_namespace=\"orders.a1b2c\", region=\"aws-us-west-2\"} 800.0 1788763560000\n\
///     not a sample\n";
/// let parsed = tcap::cloud::openmetrics::parse(body);
/// assert_eq!(parsed.samples.len(), 1);
/// assert_eq!(parsed.samples[0].label("temporal_namespace"), Some("orders.a1b2c"));
/// assert_eq!(parsed.samples[0].value, 800.0);
/// assert_eq!(parsed.warnings[0].line, 3);
/// ```
pub fn parse(text: &str) -> Exposition {
    parse_lines(text, None)
}

/// Parses only the samples whose metric name is exactly one of `names`.
///
/// Lines of other metrics are skipped before anything is allocated for them, and without a
/// warning even when malformed, since the caller did not ask for them. A line whose name cannot
/// be read at all is still reported, because it might have belonged to a wanted family.
pub fn parse_families(text: &str, names: &[&str]) -> Exposition {
    parse_lines(text, Some(names))
}

/// Seconds since 1970 stay below this until the year 5138, while milliseconds pass it in 1973,
/// so it separates the two units Temporal has been seen to send.
const MS_THRESHOLD: i64 = 100_000_000_000;

/// Longest piece of input quoted in a warning, in characters, so that a huge line cannot make a
/// huge message.
const EXCERPT_CHARS: usize = 40;

fn parse_lines(text: &str, keep: Option<&[&str]>) -> Exposition {
    let mut out = Exposition::default();
    let mut lines = text.split('\n').enumerate();
    while let Some((index, raw)) = lines.next() {
        let line = trim_blank(raw);
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            if trim_blank(comment) == "EOF" {
                if let Some((after, _)) = lines.find(|(_, l)| !trim_blank(l).is_empty()) {
                    out.warnings.push(Warning {
                        line: after + 1,
                        message: "text after `# EOF` ignored".to_owned(),
                    });
                }
                break;
            }
            continue;
        }
        if let Some(keep) = keep {
            let name = &line[..metric_name_len(line)];
            if !name.is_empty() && !keep.contains(&name) {
                continue;
            }
        }
        match parse_sample(line) {
            Ok(sample) => out.samples.push(sample),
            Err(message) => out.warnings.push(Warning {
                line: index + 1,
                message,
            }),
        }
    }
    out
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r')
}

fn trim_blank(s: &str) -> &str {
    s.trim_matches(is_blank)
}

fn trim_start_blank(s: &str) -> &str {
    s.trim_start_matches(is_blank)
}

/// Length in bytes of the metric name `[a-zA-Z_:][a-zA-Z0-9_:]*` at the start of `s`.
fn metric_name_len(s: &str) -> usize {
    ident_len(s, |b| b == b':')
}

/// Length in bytes of the label name `[a-zA-Z_][a-zA-Z0-9_]*` at the start of `s`.
fn label_name_len(s: &str) -> usize {
    ident_len(s, |_| false)
}

fn ident_len(s: &str, extra: impl Fn(u8) -> bool) -> usize {
    let bytes = s.as_bytes();
    match bytes.first() {
        Some(&b) if b.is_ascii_alphabetic() || b == b'_' || extra(b) => {}
        _ => return 0,
    }
    bytes
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || extra(b)))
        .unwrap_or(bytes.len())
}

/// `s` quoted and escaped for a message, cut to [`EXCERPT_CHARS`].
fn excerpt(s: &str) -> String {
    match s.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{:?}…", &s[..cut]),
        None => format!("{s:?}"),
    }
}

/// Parses a trimmed, non-empty, non-comment line.
fn parse_sample(line: &str) -> Result<Sample, String> {
    let name_len = metric_name_len(line);
    if name_len == 0 {
        return Err(format!("expected a metric name, found {}", excerpt(line)));
    }
    let name = &line[..name_len];
    let rest = &line[name_len..];
    // Without this check `temporal_cloud_v1_total_action_count.x` would be read as a sample of
    // `temporal_cloud_v1_total_action_count`.
    match rest.chars().next() {
        None => return Err(format!("metric {name} has no value")),
        Some('{' | ' ' | '\t') => {}
        Some(c) => {
            return Err(format!(
                "unexpected {c:?} after metric name {name}, expected '{{' or a space"
            ));
        }
    }

    let rest = trim_start_blank(rest);
    let (labels, rest) = match rest.strip_prefix('{') {
        Some(inner) => {
            let (labels, after) = parse_labels(inner)?;
            match after.chars().next() {
                None => return Err(format!("metric {name} has no value")),
                Some(' ' | '\t') => {}
                Some(_) => {
                    return Err(format!(
                        "expected a space after the label set of {name}, found {}",
                        excerpt(after)
                    ));
                }
            }
            (labels, after)
        }
        None => (Vec::new(), rest),
    };

    let mut tokens = rest.split([' ', '\t']).filter(|t| !t.is_empty());
    let value = match tokens.next() {
        None => return Err(format!("metric {name} has no value")),
        Some(t) if t.starts_with('#') => return Err(format!("metric {name} has no value")),
        Some(t) => t
            .parse::<f64>()
            .map_err(|_| format!("invalid value {} for metric {name}", excerpt(t)))?,
    };
    // Anything from a `#` token on is an exemplar, which tcap has no use for.
    let timestamp_ms = match tokens.next() {
        None => None,
        Some(t) if t.starts_with('#') => None,
        Some(t) => {
            let ts = parse_timestamp(t)
                .ok_or_else(|| format!("invalid timestamp {} for metric {name}", excerpt(t)))?;
            match tokens.next() {
                None => {}
                Some(t) if t.starts_with('#') => {}
                Some(t) => {
                    return Err(format!(
                        "unexpected {} after the timestamp of metric {name}",
                        excerpt(t)
                    ));
                }
            }
            Some(ts)
        }
    };

    Ok(Sample {
        name: name.to_owned(),
        labels,
        value,
        timestamp_ms,
    })
}

type Labels = Vec<(String, String)>;

/// Reads the label set after its `{` and returns the labels and the text after its `}`.
fn parse_labels(mut rest: &str) -> Result<(Labels, &str), String> {
    let mut labels = Labels::new();
    loop {
        rest = trim_start_blank(rest);
        if let Some(after) = rest.strip_prefix('}') {
            check_unique(&labels)?;
            return Ok((labels, after));
        }
        let key_len = label_name_len(rest);
        if key_len == 0 {
            return Err(match rest.chars().next() {
                None => "label set is not closed with '}'".to_owned(),
                Some(',') => "empty label between commas".to_owned(),
                Some(_) => format!("expected a label name, found {}", excerpt(rest)),
            });
        }
        let key = &rest[..key_len];
        rest = trim_start_blank(&rest[key_len..]);
        rest = rest
            .strip_prefix('=')
            .ok_or_else(|| format!("expected '=' after label name {key}"))?;
        rest = trim_start_blank(rest);
        rest = rest
            .strip_prefix('"')
            .ok_or_else(|| format!("value of label {key} is not in double quotes"))?;
        let (value, after) = parse_label_value(rest)
            .ok_or_else(|| format!("value of label {key} has no closing quote"))?;
        labels.push((key.to_owned(), value));
        rest = trim_start_blank(after);
        if let Some(after) = rest.strip_prefix(',') {
            rest = after;
        } else if !rest.starts_with('}') {
            return Err(format!(
                "expected ',' or '}}' after label {key}, found {}",
                excerpt(rest)
            ));
        }
    }
}

/// A label given twice leaves it ambiguous which value the sample belongs to, so the line is
/// refused rather than guessed at.
fn check_unique(labels: &[(String, String)]) -> Result<(), String> {
    let duplicate = if labels.len() <= 16 {
        labels
            .iter()
            .enumerate()
            .find(|(i, (k, _))| labels[..*i].iter().any(|(seen, _)| seen == k))
            .map(|(_, (k, _))| k.as_str())
    } else {
        // Sorting keeps a line with many labels from costing quadratic time.
        let mut keys: Vec<&str> = labels.iter().map(|(k, _)| k.as_str()).collect();
        keys.sort_unstable();
        keys.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
    };
    match duplicate {
        Some(key) => Err(format!("label {key} appears more than once")),
        None => Ok(()),
    }
}

/// Reads a label value after its opening quote and returns it unescaped with the text after the
/// closing quote, or `None` if the value is not closed.
///
/// `\\`, `\"` and `\n` are decoded. Any other backslash is kept as written, as the OpenMetrics
/// reference parser does, so `\z` stays `\z`.
fn parse_label_value(s: &str) -> Option<(String, &str)> {
    let bytes = s.as_bytes();
    let mut value = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                value.push_str(&s[copied..i]);
                return Some((value, &s[i + 1..]));
            }
            b'\\' => {
                value.push_str(&s[copied..i]);
                let decoded = match bytes.get(i + 1)? {
                    b'\\' => '\\',
                    b'"' => '"',
                    b'n' => '\n',
                    _ => {
                        // The byte after the backslash may start a multi-byte character, so it
                        // is left for the next copy of a slice rather than pushed on its own.
                        value.push('\\');
                        i += 1;
                        copied = i;
                        continue;
                    }
                };
                value.push(decoded);
                i += 2;
                copied = i;
            }
            _ => i += 1,
        }
    }
    None
}

/// Reads a timestamp in seconds or milliseconds, integer or decimal, and returns milliseconds.
/// Values beyond the range of `i64` milliseconds saturate; NaN and infinities are refused.
fn parse_timestamp(token: &str) -> Option<i64> {
    // Integers are handled apart so that large millisecond values keep every digit.
    if let Ok(n) = token.parse::<i64>() {
        return Some(if n.unsigned_abs() >= MS_THRESHOLD as u64 {
            n
        } else {
            n * 1000
        });
    }
    let t = token.parse::<f64>().ok().filter(|t| t.is_finite())?;
    let ms = if t.abs() >= MS_THRESHOLD as f64 {
        t
    } else {
        t * 1000.0
    };
    // `as` saturates at the bounds of i64, which is the documented behaviour.
    Some(ms.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shorthand for an expected sample.
    fn s(name: &str, labels: &[(&str, &str)], value: f64, timestamp_ms: Option<i64>) -> Sample {
        Sample {
            name: name.to_owned(),
            labels: labels
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            value,
            timestamp_ms,
        }
    }

    fn w(line: usize, contains: &str) -> (usize, String) {
        (line, contains.to_owned())
    }

    /// Compares samples field by field, treating NaN as equal to NaN.
    fn assert_samples(case: &str, got: &[Sample], want: &[Sample]) {
        assert_eq!(got.len(), want.len(), "{case}: sample count in {got:#?}");
        for (g, e) in got.iter().zip(want) {
            let same_value = (g.value.is_nan() && e.value.is_nan()) || g.value == e.value;
            assert!(
                g.name == e.name
                    && g.labels == e.labels
                    && same_value
                    && g.timestamp_ms == e.timestamp_ms,
                "{case}: got {g:?}, want {e:?}"
            );
        }
    }

    fn assert_warnings(case: &str, got: &[Warning], want: &[(usize, String)]) {
        assert_eq!(got.len(), want.len(), "{case}: warnings {got:#?}");
        for (g, (line, fragment)) in got.iter().zip(want) {
            assert!(
                g.line == *line && g.message.contains(fragment.as_str()),
                "{case}: got {g}, want line {line} containing {fragment:?}"
            );
        }
    }

    const TEMPORAL_EXAMPLE: &str = "\
# TYPE temporal_cloud_v1_action_limit gauge
# HELP temporal_cloud_v1_action_limit The current configured actions per second limit for a namespace
temporal_cloud_v1_action_limit{temporal_namespace=\"payments-prod.a1b2c\",temporal_account=\"a1b2c\",region=\"aws-us-east-1\"} 2000.0 1788763560000
temporal_cloud_v1_action_limit{temporal_namespace=\"orders-prod.a1b2c\",temporal_account=\"a1b2c\",region=\"aws-us-west-2\"} 800.0 1788763560000
temporal_cloud_v1_action_limit{temporal_namespace=\"staging.a1b2c\",temporal_account=\"a1b2c\",region=\"aws-us-west-2\"} 500.0 1788763560000
# TYPE temporal_cloud_v1_total_action_count gauge
# HELP temporal_cloud_v1_total_action_count The total number of actions performed per second
temporal_cloud_v1_total_action_count{temporal_namespace=\"payments-prod.a1b2c\",temporal_account=\"a1b2c\",is_background=\"false\",namespace_mode=\"active\"} 1720.35 1788763560000
temporal_cloud_v1_total_action_count{temporal_namespace=\"payments-prod.a1b2c\",temporal_account=\"a1b2c\",is_background=\"true\",namespace_mode=\"active\"} 12.5 1788763560000
temporal_cloud_v1_total_action_count{temporal_namespace=\"orders-prod.a1b2c\",temporal_account=\"a1b2c\",is_background=\"false\",namespace_mode=\"active\"} 212.0 1788763560000
# EOF
";

    fn temporal_example_samples() -> Vec<Sample> {
        let limit = "temporal_cloud_v1_action_limit";
        let count = "temporal_cloud_v1_total_action_count";
        let ts = Some(1_788_763_560_000);
        vec![
            s(
                limit,
                &[
                    ("temporal_namespace", "payments-prod.a1b2c"),
                    ("temporal_account", "a1b2c"),
                    ("region", "aws-us-east-1"),
                ],
                2000.0,
                ts,
            ),
            s(
                limit,
                &[
                    ("temporal_namespace", "orders-prod.a1b2c"),
                    ("temporal_account", "a1b2c"),
                    ("region", "aws-us-west-2"),
                ],
                800.0,
                ts,
            ),
            s(
                limit,
                &[
                    ("temporal_namespace", "staging.a1b2c"),
                    ("temporal_account", "a1b2c"),
                    ("region", "aws-us-west-2"),
                ],
                500.0,
                ts,
            ),
            s(
                count,
                &[
                    ("temporal_namespace", "payments-prod.a1b2c"),
                    ("temporal_account", "a1b2c"),
                    ("is_background", "false"),
                    ("namespace_mode", "active"),
                ],
                1720.35,
                ts,
            ),
            s(
                count,
                &[
                    ("temporal_namespace", "payments-prod.a1b2c"),
                    ("temporal_account", "a1b2c"),
                    ("is_background", "true"),
                    ("namespace_mode", "active"),
                ],
                12.5,
                ts,
            ),
            s(
                count,
                &[
                    ("temporal_namespace", "orders-prod.a1b2c"),
                    ("temporal_account", "a1b2c"),
                    ("is_background", "false"),
                    ("namespace_mode", "active"),
                ],
                212.0,
                ts,
            ),
        ]
    }

    #[test]
    fn temporal_example_body() {
        let got = parse(TEMPORAL_EXAMPLE);
        assert_samples("example", &got.samples, &temporal_example_samples());
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        assert_eq!(
            got.samples[3].label("temporal_namespace"),
            Some("payments-prod.a1b2c")
        );
        assert_eq!(got.samples[3].label("region"), None);
    }

    #[test]
    fn temporal_example_with_crlf_and_no_eof() {
        let body = TEMPORAL_EXAMPLE
            .strip_suffix("# EOF\n")
            .unwrap()
            .replace('\n', "\r\n");
        let got = parse(&body);
        assert_samples("crlf", &got.samples, &temporal_example_samples());
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
    }

    /// Each case: body, expected samples, expected warnings (line, message fragment).
    type Case = (
        &'static str,
        &'static str,
        Vec<Sample>,
        Vec<(usize, String)>,
    );

    fn run(cases: Vec<Case>) {
        for (case, body, samples, warnings) in cases {
            let got = parse(body);
            assert_samples(case, &got.samples, &samples);
            assert_warnings(case, &got.warnings, &warnings);
        }
    }

    #[test]
    fn label_set_layouts() {
        let ab = [("a", "1"), ("b", "2")];
        run(vec![
            (
                "comma-space",
                "m{a=\"1\", b=\"2\"} 3\n",
                vec![s("m", &ab, 3.0, None)],
                vec![],
            ),
            (
                "trailing comma",
                "m{a=\"1\",b=\"2\",} 3\n",
                vec![s("m", &ab, 3.0, None)],
                vec![],
            ),
            (
                "trailing comma-space",
                "m{a=\"1\", b=\"2\", } 3\n",
                vec![s("m", &ab, 3.0, None)],
                vec![],
            ),
            (
                "spaces everywhere",
                "m { a = \"1\" , b = \"2\" }  3  \n",
                vec![s("m", &ab, 3.0, None)],
                vec![],
            ),
            (
                "empty braces",
                "m{} 3\n",
                vec![s("m", &[], 3.0, None)],
                vec![],
            ),
            ("no braces", "m 3\n", vec![s("m", &[], 3.0, None)], vec![]),
            (
                "colon in name",
                "a:b_c{x=\"y\"} 1\n",
                vec![s("a:b_c", &[("x", "y")], 1.0, None)],
                vec![],
            ),
            (
                "order kept",
                "m{b=\"2\",a=\"1\"} 3\n",
                vec![s("m", &[("b", "2"), ("a", "1")], 3.0, None)],
                vec![],
            ),
            (
                "utf-8 values",
                "m{ns=\"zürich-☃\",e=\"\"} 1\n",
                vec![s("m", &[("ns", "zürich-☃"), ("e", "")], 1.0, None)],
                vec![],
            ),
            (
                "braces, hash and comma inside values",
                "m{a=\"} x # y, z {\",b=\"#\"} 1 # {trace_id=\"t\"} 1 2\n",
                vec![s("m", &[("a", "} x # y, z {"), ("b", "#")], 1.0, None)],
                vec![],
            ),
        ]);
    }

    #[test]
    fn label_value_escapes() {
        run(vec![
            (
                "quote",
                r#"m{a="x\"y"} 1"#,
                vec![s("m", &[("a", "x\"y")], 1.0, None)],
                vec![],
            ),
            (
                "backslash",
                r#"m{a="x\\y"} 1"#,
                vec![s("m", &[("a", "x\\y")], 1.0, None)],
                vec![],
            ),
            (
                "newline",
                r#"m{a="x\ny"} 1"#,
                vec![s("m", &[("a", "x\ny")], 1.0, None)],
                vec![],
            ),
            (
                "backslash then n",
                r#"m{a="\\n"} 1"#,
                vec![s("m", &[("a", "\\n")], 1.0, None)],
                vec![],
            ),
            (
                "backslash then newline",
                r#"m{a="\\\n"} 1"#,
                vec![s("m", &[("a", "\\\n")], 1.0, None)],
                vec![],
            ),
            (
                "backslash then quote",
                r#"m{a="\\\""} 1"#,
                vec![s("m", &[("a", "\\\"")], 1.0, None)],
                vec![],
            ),
            (
                "unknown escape kept",
                r#"m{a="\z\☃"} 1"#,
                vec![s("m", &[("a", "\\z\\☃")], 1.0, None)],
                vec![],
            ),
            (
                "escaped quote then brace",
                r#"m{a="\"}", b="2"} 1"#,
                vec![s("m", &[("a", "\"}"), ("b", "2")], 1.0, None)],
                vec![],
            ),
        ]);
    }

    #[test]
    fn values() {
        let v =
            |body: &'static str, value: f64| (body, body, vec![s("m", &[], value, None)], vec![]);
        run(vec![
            v("m 42.0", 42.0),
            v("m 0.050", 0.05),
            v("m 1720.35", 1720.35),
            v("m -3", -3.0),
            v("m +5", 5.0),
            v("m 0001.5", 1.5),
            v("m 0000000000000000000000000000000000000000001.2e-1", 0.12),
            v("m 1e3", 1000.0),
            v("m 2.5E-3", 0.0025),
            v("m 1.345758e+06", 1_345_758.0),
            v("m .5", 0.5),
            v("m 5.", 5.0),
            v("m 9223372036854775808", 9_223_372_036_854_775_808.0),
            v("m +Inf", f64::INFINITY),
            v("m Inf", f64::INFINITY),
            v("m -Inf", f64::NEG_INFINITY),
            v("m NaN", f64::NAN),
        ]);
        for bad in [
            "m 0x1",
            "m 0X1",
            "m 0x1p-3",
            "m 0b1",
            "m 0o1",
            "m 1_000",
            "m 1,5",
            "m a",
            "m 1e",
            "m .",
            "m --1",
            "m 1.2.3",
            "m ∞",
            "m 1#",
            "m",
            "m{}",
            "m #",
            "m{a=\"1\"}",
        ] {
            let got = parse(bad);
            assert!(got.samples.is_empty(), "{bad:?} gave {:?}", got.samples);
            assert_eq!(got.warnings.len(), 1, "{bad:?}");
            assert_eq!(got.warnings[0].line, 1, "{bad:?}");
        }
    }

    #[test]
    fn timestamps() {
        let t =
            |body: &'static str, ts: Option<i64>| (body, body, vec![s("m", &[], 1.0, ts)], vec![]);
        run(vec![
            t("m 1", None),
            t("m 1 1788763560000", Some(1_788_763_560_000)),
            t("m 1 1788763560", Some(1_788_763_560_000)),
            t("m 1 1788763560.5", Some(1_788_763_560_500)),
            t("m 1 1788763560000.4", Some(1_788_763_560_000)),
            t("m 1 1.78876356e9", Some(1_788_763_560_000)),
            t("m 1 1.78876356e12", Some(1_788_763_560_000)),
            t("m 1 99999999999", Some(99_999_999_999_000)),
            t("m 1 100000000000", Some(100_000_000_000)),
            t("m 1 0", Some(0)),
            t("m 1 000", Some(0)),
            t("m 1 0.0000000001", Some(0)),
            t("m 1 -1", Some(-1000)),
            t("m 1 +7", Some(7000)),
            t("m 1 1.5e3", Some(1_500_000)),
            t("m 1 12345678901234567890.1234567890", Some(i64::MAX)),
            t("m 1 9223372036854775807", Some(i64::MAX)),
            t("m 1 # {a=\"b\"} 0.5", None),
            t(
                "m 1 1788763560 # {a=\"b\"} 0.5 1788763560",
                Some(1_788_763_560_000),
            ),
        ]);
        for bad in [
            "m 1 z",
            "m 1 1z",
            "m 1 1_2",
            "m 1 1.1.1",
            "m 1 NaN",
            "m 1 Inf",
            "m 1 -Inf",
            "m 1 0x1p-3",
            "m 1 1e400",
            "m 1 2 3",
            "m 1 2 x # y",
        ] {
            let got = parse(bad);
            assert!(got.samples.is_empty(), "{bad:?} gave {:?}", got.samples);
            assert_eq!(got.warnings.len(), 1, "{bad:?}");
        }
    }

    #[test]
    fn names_match_exactly() {
        let body = "\
temporal_cloud_v1_total_action_count_v2{temporal_namespace=\"a\"} 5
temporal_cloud_v1_total_action_count{temporal_namespace=\"a\"} 7
temporal_cloud_v1_total_action_count {temporal_namespace=\"b\"} 8
temporal_cloud_v1_total_action_count 9
xtemporal_cloud_v1_total_action_count 10
temporal_cloud_v1_total_action_count.x 11
temporal_cloud_v1_total_action_count-x{temporal_namespace=\"c\"} 12
temporal_cloud_v1_action_limit{temporal_namespace=\"a\"} 500
";
        let wanted = ["temporal_cloud_v1_total_action_count"];
        let got = parse_families(body, &wanted);
        let name = wanted[0];
        assert_samples(
            "filtered",
            &got.samples,
            &[
                s(name, &[("temporal_namespace", "a")], 7.0, None),
                s(name, &[("temporal_namespace", "b")], 8.0, None),
                s(name, &[], 9.0, None),
            ],
        );
        assert_warnings(
            "filtered",
            &got.warnings,
            &[w(6, "after metric name"), w(7, "after metric name")],
        );

        let all = parse(body);
        assert_eq!(all.samples.len(), 6);
        assert_eq!(
            all.samples[0].name,
            "temporal_cloud_v1_total_action_count_v2"
        );
        assert_eq!(all.warnings.len(), 2);

        let none = parse_families(body, &[]);
        assert!(none.samples.is_empty());
        assert_eq!(none.warnings.len(), 0);
    }

    #[test]
    fn filter_still_reports_lines_without_a_name() {
        let got = parse_families("{a=\"1\"} 2\n0m 1\nother{ 1\n", &["m"]);
        assert!(got.samples.is_empty());
        assert_warnings(
            "nameless",
            &got.warnings,
            &[
                w(1, "expected a metric name"),
                w(2, "expected a metric name"),
            ],
        );
    }

    #[test]
    fn comments_metadata_and_eof() {
        run(vec![
            (
                "help before type, unit, other comments, blank lines",
                "# HELP m h\n\n# TYPE m gauge  \n# UNIT m seconds\n#free text\n   \nm 1\n",
                vec![s("m", &[], 1.0, None)],
                vec![],
            ),
            (
                "missing EOF",
                "# TYPE m gauge\nm 1",
                vec![s("m", &[], 1.0, None)],
                vec![],
            ),
            (
                "EOF without newline",
                "m 1\n# EOF",
                vec![s("m", &[], 1.0, None)],
                vec![],
            ),
            (
                "blank lines after EOF",
                "m 1\n# EOF\n\n \r\n",
                vec![s("m", &[], 1.0, None)],
                vec![],
            ),
            (
                "text after EOF",
                "m 1\n# EOF\n\nm 2\nm 3\n",
                vec![s("m", &[], 1.0, None)],
                vec![w(4, "after `# EOF`")],
            ),
            (
                "EOF-like comment is just a comment",
                "m 1\n# EOFx\nm 2\n",
                vec![s("m", &[], 1.0, None), s("m", &[], 2.0, None)],
                vec![],
            ),
            ("empty body", "", vec![], vec![]),
            (
                "only metadata",
                "# TYPE m gauge\n# HELP m h\n",
                vec![],
                vec![],
            ),
        ]);
    }

    #[test]
    fn bad_lines_become_warnings_not_samples() {
        let body = "\
# TYPE m gauge
m{a=\"1\"} 1
m{a=1} 2
m{a=\"1\"b=\"2\"} 3
m{a=\"1\",,b=\"2\"} 4
m{a=\"1\",a=\"2\"} 5
m{a=\"unterminated} 6
m{a=\"1\"}7
m{1=\"1\"} 8
m{a} 9
m{a=\"1\" 10
m{a='1'} 11
m{a=\"1\"} 0x12
0m 13
m{a=\"2\"} 14\r
m{a=\"x\\\"} 15
m{a=\"1\"} 16 17 18
";
        let got = parse(body);
        assert_samples(
            "mixed",
            &got.samples,
            &[
                s("m", &[("a", "1")], 1.0, None),
                s("m", &[("a", "2")], 14.0, None),
            ],
        );
        assert_warnings(
            "mixed",
            &got.warnings,
            &[
                w(3, "not in double quotes"),
                w(4, "expected ',' or '}' after label a"),
                w(5, "empty label"),
                w(6, "label a appears more than once"),
                w(7, "no closing quote"),
                w(8, "expected a space after the label set"),
                w(9, "expected a label name"),
                w(10, "expected '=' after label name a"),
                w(11, "expected ',' or '}' after label a"),
                w(12, "not in double quotes"),
                w(13, "invalid value \"0x12\""),
                w(14, "expected a metric name"),
                w(16, "no closing quote"),
                w(17, "unexpected \"18\" after the timestamp"),
            ],
        );
    }

    #[test]
    fn many_labels_and_duplicates_far_apart() {
        let mut line = String::from("m{");
        for i in 0..100 {
            line.push_str(&format!("l{i}=\"{i}\","));
        }
        let ok = format!("{line}}} 1");
        let got = parse(&ok);
        assert_eq!(got.samples.len(), 1);
        assert_eq!(got.samples[0].labels.len(), 100);
        assert_eq!(got.samples[0].label("l99"), Some("99"));

        let dup = format!("{line}l3=\"x\"}} 1");
        let got = parse(&dup);
        assert!(got.samples.is_empty());
        assert_warnings(
            "dup",
            &got.warnings,
            &[w(1, "label l3 appears more than once")],
        );
    }

    #[test]
    fn warning_messages_stay_short() {
        let long = format!("m {}", "9".repeat(10_000) + "x");
        let got = parse(&long);
        assert_eq!(got.warnings.len(), 1);
        assert!(got.warnings[0].message.len() < 200, "{}", got.warnings[0]);
        assert_eq!(
            got.warnings[0].to_string().split(':').next(),
            Some("line 1")
        );
    }

    /// splitmix64: a deterministic generator so that a failing property reproduces.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
            &items[self.below(items.len())]
        }
    }

    /// Characters that exercise every branch of the grammar, plus multi-byte ones.
    const ALPHABET: &[char] = &[
        'a', 'b', 'm', '_', ':', '0', '1', '9', '.', 'e', 'E', '+', '-', 'x', 'I', 'n', 'f', 'N',
        '{', '}', '"', '=', ',', '\\', '#', ' ', '\t', '\r', '\n', '\0', 'é', '☃', '😀',
    ];

    #[test]
    fn property_arbitrary_text_never_panics_and_stays_bounded() {
        let mut rng = Rng(0x5EED);
        let seeds = [
            TEMPORAL_EXAMPLE,
            "m{a=\"1\",b=\"x\\\"y\"} 1.5e3 1788763560 # {t=\"1\"} 1\n",
        ];
        for round in 0..20_000 {
            let text: String = if round % 2 == 0 {
                (0..rng.below(120)).map(|_| *rng.pick(ALPHABET)).collect()
            } else {
                // Mutating a valid body reaches the deep branches that random text rarely does.
                let mut chars: Vec<char> = rng.pick(&seeds).chars().collect();
                for _ in 0..=rng.below(6) {
                    let at = rng.below(chars.len() + 1);
                    match rng.below(3) {
                        0 => chars.insert(at, *rng.pick(ALPHABET)),
                        1 if at < chars.len() => {
                            chars.remove(at);
                        }
                        _ if at < chars.len() => chars[at] = *rng.pick(ALPHABET),
                        _ => {}
                    }
                }
                chars.into_iter().collect()
            };
            let got = parse(&text);
            let lines = text.split('\n').count();
            assert!(
                got.samples.len() + got.warnings.len() <= lines,
                "more results than lines for {text:?}"
            );
            for sample in &got.samples {
                assert_eq!(metric_name_len(&sample.name), sample.name.len(), "{text:?}");
                assert!(text.contains(sample.name.as_str()), "{text:?}");
            }
            for warning in &got.warnings {
                assert!((1..=lines).contains(&warning.line), "{text:?}");
            }
        }
    }

    /// Inputs shaped to find quadratic paths; each must finish and be rejected or read whole.
    #[test]
    fn pathological_inputs_finish() {
        let many_labels: String = std::iter::once("m{".to_owned())
            .chain((0..50_000).map(|i| format!("l{i}=\"v\",")))
            .chain(std::iter::once("} 1".to_owned()))
            .collect();
        assert_eq!(parse(&many_labels).samples[0].labels.len(), 50_000);

        let cases = [
            format!("m{{a=\"{}\"}} 1", "\\".repeat(500_000)),
            format!("m{{a=\"{}", "\\z".repeat(500_000)),
            format!("m{{{}}} 1", "a=\"\",".repeat(200_000)),
            format!("m 1{}", " 1".repeat(500_000)),
            format!("m {}", "1".repeat(1_000_000)),
            "{".repeat(1_000_000),
            "\n".repeat(1_000_000),
            format!("# EOF{}", "\nx".repeat(500_000)),
            "m 1\n".repeat(200_000),
        ];
        for text in &cases {
            let got = parse(text);
            assert!(got.samples.len() + got.warnings.len() <= text.split('\n').count());
        }
    }

    fn escape(value: &str) -> String {
        value
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    }

    fn random_ident(rng: &mut Rng, first: &[char], rest: &[char]) -> String {
        let mut out = String::from(*rng.pick(first));
        for _ in 0..rng.below(12) {
            out.push(*rng.pick(rest));
        }
        out
    }

    #[test]
    fn property_generated_lines_round_trip() {
        const FIRST: &[char] = &['a', 'z', 'A', 'Z', '_'];
        const REST: &[char] = &['a', 'q', 'Z', '_', '0', '9'];
        const ENDINGS: &[&str] = &["", "\r", "  ", " # {trace_id=\"x\"} 1 2"];
        const VALUE_CHARS: &[char] = &[
            'a', ' ', '"', '\\', '\n', '}', '{', '#', ',', '=', 'n', 'é', '☃', '😀', '\t',
        ];
        let mut rng = Rng(42);
        for _ in 0..20_000 {
            let name = random_ident(
                &mut rng,
                &[FIRST, &[':']].concat(),
                &[REST, &[':']].concat(),
            );
            let mut labels: Vec<(String, String)> = Vec::new();
            for _ in 0..rng.below(5) {
                let key = random_ident(&mut rng, FIRST, REST);
                if labels.iter().any(|(k, _)| *k == key) {
                    continue;
                }
                let value: String = (0..rng.below(10)).map(|_| *rng.pick(VALUE_CHARS)).collect();
                labels.push((key, value));
            }
            let value = match rng.below(8) {
                0 => f64::NAN,
                1 => f64::INFINITY,
                2 => f64::NEG_INFINITY,
                3 => (rng.next() % 100_000) as f64,
                _ => f64::from_bits(rng.next()),
            };
            let value = if value.is_nan() { f64::NAN } else { value };
            let timestamp = match rng.below(3) {
                0 => None,
                1 => Some(1_700_000_000 + (rng.next() % 100_000_000) as i64),
                _ => Some(1_700_000_000_000 + (rng.next() % 100_000_000_000) as i64),
            };

            let separator = *rng.pick(&[",", ", ", " , "]);
            let rendered_labels: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
                .collect();
            let mut line = name.clone();
            if !labels.is_empty() || rng.below(2) == 0 {
                line.push('{');
                line.push_str(&rendered_labels.join(separator));
                if !labels.is_empty() && rng.below(3) == 0 {
                    line.push(',');
                }
                line.push('}');
            }
            let rendered_value = match value {
                v if v == f64::INFINITY => "+Inf".to_owned(),
                v if v == f64::NEG_INFINITY => "-Inf".to_owned(),
                v if rng.below(2) == 0 => format!("{v:e}"),
                v => format!("{v}"),
            };
            line.push(' ');
            line.push_str(&rendered_value);
            if let Some(ts) = timestamp {
                line.push_str(&format!(" {ts}"));
            }
            line.push_str(rng.pick::<&str>(ENDINGS));

            let got = parse(&line);
            assert!(got.warnings.is_empty(), "{line:?}: {:?}", got.warnings);
            let expected_ts = timestamp.map(|t| if t < MS_THRESHOLD { t * 1000 } else { t });
            assert_samples(
                &line,
                &got.samples,
                &[Sample {
                    name,
                    labels,
                    value,
                    timestamp_ms: expected_ts,
                }],
            );
        }
    }
}
