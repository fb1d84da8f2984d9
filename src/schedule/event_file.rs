//! The event file of `schedule-change --file`: several namespaces over one window, each flat or
//! on a ramp. Every mistake is reported with the line it is on, before anything is changed.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use toml::Spanned;

use crate::capacity::change::validate_namespace_id;
use crate::capacity::ramp::{RampStep, check_steps};
use crate::error::{Error, Result};
use crate::schedule::time::parse_time;
use crate::settings::parse_duration;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    name: Option<Spanned<String>>,
    start: Option<Spanned<String>>,
    duration: Option<Spanned<String>>,
    end: Option<Spanned<String>>,
    #[serde(default)]
    namespace: Vec<RawNamespace>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNamespace {
    id: Spanned<String>,
    trus: Option<Spanned<i64>>,
    ramp: Option<Spanned<Vec<RawStep>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    at: Spanned<String>,
    trus: Spanned<i64>,
}

/// When a step starts: relative to the event's start (`+3h`), or at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    After(chrono::Duration),
    Time(DateTime<Utc>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Length {
    Duration(chrono::Duration),
    Until(DateTime<Utc>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepSpec {
    pub at: At,
    pub trus: u32,
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceSpec {
    pub id: String,
    pub line: usize,
    /// `trus = N`: one step at the start.
    pub flat: bool,
    pub steps: Vec<StepSpec>,
}

/// The file as written; times relative to an omitted start are resolved by [`EventSpec::resolve`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventSpec {
    pub name: String,
    pub source: String,
    pub start: Option<DateTime<Utc>>,
    pub length: Length,
    pub namespaces: Vec<NamespaceSpec>,
}

/// The event at its times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Namespace and its steps, in the file's order.
    pub namespaces: Vec<(String, Vec<RampStep>)>,
}

pub fn read(path: &Path) -> Result<EventSpec> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Usage(format!(
            "cannot read the event file {}: {e}",
            path.display()
        ))
    })?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse(&text, &stem, &path.display().to_string())
}

/// Parses an event file's text; `stem` names the event when the file does not, `source` is
/// what errors call the file.
pub fn parse(text: &str, stem: &str, source: &str) -> Result<EventSpec> {
    let line_of = |offset: usize| {
        text.as_bytes()[..offset.min(text.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    };
    let fail = |line: usize, message: String| Error::Usage(format!("{source}:{line}: {message}"));
    let raw: RawEvent = toml::from_str(text).map_err(|e: toml::de::Error| {
        let message = e.message().trim().replace('\n', " ");
        match e.span() {
            Some(span) => fail(line_of(span.start), message),
            None => Error::Usage(format!("{source}: {message}")),
        }
    })?;
    let at_line = |s: &std::ops::Range<usize>| line_of(s.start);

    let name = match &raw.name {
        Some(n) => {
            check_name(n.get_ref()).map_err(|m| fail(at_line(&n.span()), m))?;
            n.get_ref().clone()
        }
        None => {
            check_name(stem).map_err(|m| {
                Error::Usage(format!("{source}: {m}; give the event a `name = \"...\"`"))
            })?;
            stem.to_string()
        }
    };
    let start = match &raw.start {
        Some(s) => Some(parse_time(s.get_ref()).map_err(|m| fail(at_line(&s.span()), m))?),
        None => None,
    };
    let length = match (&raw.duration, &raw.end) {
        (Some(d), None) => {
            let span = parse_duration(d.get_ref()).map_err(|m| fail(at_line(&d.span()), m))?;
            let span = chrono::Duration::from_std(span)
                .ok()
                .filter(|s| *s > chrono::Duration::zero())
                .ok_or_else(|| {
                    fail(
                        at_line(&d.span()),
                        "duration must be positive (e.g. \"16h\")".into(),
                    )
                })?;
            Length::Duration(span)
        }
        (None, Some(e)) => {
            Length::Until(parse_time(e.get_ref()).map_err(|m| fail(at_line(&e.span()), m))?)
        }
        (Some(_), Some(e)) => {
            return Err(fail(
                at_line(&e.span()),
                "give either `duration` or `end`, not both".into(),
            ));
        }
        (None, None) => {
            return Err(Error::Usage(format!(
                "{source}: the event needs a `duration = \"16h\"` or an `end = \"...\"`"
            )));
        }
    };
    if raw.namespace.is_empty() {
        return Err(Error::Usage(format!(
            "{source}: the event lists no namespace: add a [[namespace]] with an `id` and `trus` or `ramp`"
        )));
    }

    let mut namespaces: Vec<NamespaceSpec> = Vec::new();
    for ns in &raw.namespace {
        let line = at_line(&ns.id.span());
        let id = ns.id.get_ref().clone();
        validate_namespace_id(&id).map_err(|e| fail(line, e.to_string()))?;
        if let Some(first) = namespaces.iter().find(|n| n.id == id) {
            return Err(fail(
                line,
                format!("{id} is listed twice (first on line {})", first.line),
            ));
        }
        let tru = |v: &Spanned<i64>| -> Result<u32> {
            u32::try_from(*v.get_ref())
                .ok()
                .filter(|t| *t > 0)
                .ok_or_else(|| {
                    fail(
                        at_line(&v.span()),
                        format!(
                            "{} is not a TRU value: give a positive whole number (e.g. 2, 4, 8)",
                            v.get_ref()
                        ),
                    )
                })
        };
        let (flat, steps) = match (&ns.trus, &ns.ramp) {
            (Some(t), None) => (
                true,
                vec![StepSpec {
                    at: At::After(chrono::Duration::zero()),
                    trus: tru(t)?,
                    line: at_line(&t.span()),
                }],
            ),
            (None, Some(ramp)) => {
                if ramp.get_ref().is_empty() {
                    return Err(fail(
                        at_line(&ramp.span()),
                        format!("the ramp of {id} has no step"),
                    ));
                }
                let mut steps = Vec::new();
                for step in ramp.get_ref() {
                    steps.push(StepSpec {
                        at: parse_at(step.at.get_ref())
                            .map_err(|m| fail(at_line(&step.at.span()), m))?,
                        trus: tru(&step.trus)?,
                        line: at_line(&step.at.span()),
                    });
                }
                (false, steps)
            }
            (Some(_), Some(ramp)) => {
                return Err(fail(
                    at_line(&ramp.span()),
                    format!("{id} has both `trus` and `ramp`: give one"),
                ));
            }
            (None, None) => {
                return Err(fail(
                    line,
                    format!("{id} needs `trus = N` or a `ramp = [...]`"),
                ));
            }
        };
        namespaces.push(NamespaceSpec {
            id,
            line,
            flat,
            steps,
        });
    }
    Ok(EventSpec {
        name,
        source: source.to_string(),
        start,
        length,
        namespaces,
    })
}

impl EventSpec {
    /// Places the event at its times (`start` stands for an omitted start: now, or the start a
    /// resumed run recorded) and checks every step against the window.
    pub fn resolve(
        &self,
        start: DateTime<Utc>,
        allow_subhour: bool,
    ) -> Result<Resolved, (usize, String)> {
        let start = self.start.unwrap_or(start);
        let end = match self.length {
            Length::Duration(d) => start + d,
            Length::Until(end) => end,
        };
        if end <= start {
            return Err((
                0,
                format!(
                    "the event ends ({}) before it starts ({})",
                    crate::schedule::time::fmt_time(end),
                    crate::schedule::time::fmt_time(start)
                ),
            ));
        }
        let mut namespaces = Vec::new();
        for ns in &self.namespaces {
            let steps: Vec<RampStep> = ns
                .steps
                .iter()
                .map(|s| RampStep {
                    at: match s.at {
                        At::After(d) => start + d,
                        At::Time(t) => t,
                    },
                    trus: s.trus,
                })
                .collect();
            check_steps(&steps, start, Some(end), allow_subhour)
                .map_err(|e| (ns.steps[e.step.min(ns.steps.len() - 1)].line, e.message))?;
            namespaces.push((ns.id.clone(), steps));
        }
        Ok(Resolved {
            start,
            end,
            namespaces,
        })
    }

    /// A resolve error as the command reports it.
    pub fn error(&self, (line, message): (usize, String)) -> Error {
        if line == 0 {
            Error::Usage(format!("{}: {message}", self.source))
        } else {
            Error::Usage(format!("{}:{line}: {message}", self.source))
        }
    }
}

fn parse_at(s: &str) -> Result<At, String> {
    let s = s.trim();
    if let Some(after) = s.strip_prefix('+') {
        let d = parse_duration(after).map_err(|e| format!("step time '{s}': {e}"))?;
        let d = chrono::Duration::from_std(d).map_err(|_| format!("step time '{s}' is too far"))?;
        return Ok(At::After(d));
    }
    parse_time(s)
        .map(At::Time)
        .map_err(|e| format!("step time: {e}, or '+3h' from the start"))
}

/// The name becomes a file name and a flag value: keep it to letters, digits, `-`, `_`, `.`.
fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "'{name}' is not an event name: use letters, digits, '-', '_' and '.'"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const SALE: &str = r#"name = "black-friday"
start = "2026-12-24T08:00:00Z"
duration = "16h"
[[namespace]]
id = "payments-prod.a1b2c"
trus = 8
[[namespace]]
id = "orders-prod.a1b2c"
ramp = [ { at = "+0h", trus = 4 }, { at = "+3h", trus = 8 }, { at = "2026-12-24T22:00:00Z", trus = 4 } ]
"#;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 24, h, 0, 0).unwrap()
    }

    #[test]
    fn the_issue_example_parses_and_resolves() {
        let spec = parse(SALE, "ignored", "sale.toml").unwrap();
        assert_eq!(spec.name, "black-friday");
        let r = spec.resolve(Utc::now(), false).unwrap();
        assert_eq!((r.start, r.end), (t(8), t(8) + chrono::Duration::hours(16)));
        assert_eq!(
            r.namespaces[0],
            (
                "payments-prod.a1b2c".to_string(),
                vec![RampStep { at: t(8), trus: 8 }]
            )
        );
        let ramp: Vec<(u32, u32)> = r.namespaces[1]
            .1
            .iter()
            .map(|s| (s.at.hour_of_day(), s.trus))
            .collect();
        assert_eq!(ramp, [(8, 4), (11, 8), (22, 4)]);
    }

    trait Hour {
        fn hour_of_day(&self) -> u32;
    }
    impl Hour for DateTime<Utc> {
        fn hour_of_day(&self) -> u32 {
            chrono::Timelike::hour(self)
        }
    }

    #[test]
    fn an_omitted_name_and_start_come_from_the_file_and_the_clock() {
        let text = "end = \"2026-12-24T20:00:00Z\"\n[[namespace]]\nid = \"a-prod.x1\"\ntrus = 2\n";
        let spec = parse(text, "launch", "launch.toml").unwrap();
        assert_eq!(spec.name, "launch");
        let r = spec.resolve(t(9), false).unwrap();
        assert_eq!((r.start, r.end), (t(9), t(20)));
    }

    /// Each rule of the issue, with the line the error must name.
    #[test]
    fn a_bad_file_names_its_line() {
        let head = "start = \"2026-12-24T08:00:00Z\"\nduration = \"4h\"\n";
        let cases: &[(&str, usize, &str)] = &[
            ("colour = \"red\"\n", 3, "unknown field `colour`"),
            (
                "[[namespace]]\nid = \"a-prod.x1\"\ntrus = 2\nfoo = 1\n",
                6,
                "unknown field `foo`",
            ),
            (
                "[[namespace]]\nid = \"a-prod.x1\"\ntrus = 2\n[[namespace]]\nid = \"a-prod.x1\"\ntrus = 4\n",
                7,
                "listed twice (first on line 4)",
            ),
            (
                "[[namespace]]\nid = \"a-prod.x1\"\ntrus = 0\n",
                5,
                "not a TRU value",
            ),
            (
                "[[namespace]]\nid = \"a-prod.x1\"\nramp = [\n { at = \"+2h\", trus = 4 },\n { at = \"+1h\", trus = 8 },\n]\n",
                7,
                "must be in order",
            ),
            (
                "[[namespace]]\nid = \"a-prod.x1\"\nramp = [\n { at = \"+0h\", trus = 4 },\n { at = \"+5h\", trus = 8 },\n]\n",
                7,
                "not before the event ends",
            ),
            (
                "[[namespace]]\nid = \"a-prod.x1\"\nramp = [\n { at = \"+0h\", trus = 4 },\n { at = \"+20m\", trus = 8 },\n]\n",
                7,
                "--allow-subhour-steps",
            ),
            (
                "[[namespace]]\nid = \"a-prod.x1\"\nramp = [ { at = \"soon\", trus = 4 } ]\n",
                5,
                "not a time",
            ),
            (
                "[[namespace]]\nid = \"a-prod.x1\"\ntrus = 2\nramp = [ { at = \"+0h\", trus = 4 } ]\n",
                6,
                "both `trus` and `ramp`",
            ),
            ("[[namespace]]\nid = \"nodot\"\ntrus = 2\n", 4, "nodot"),
        ];
        for (body, line, says) in cases {
            let text = format!("{head}{body}");
            let err = parse(&text, "e", "e.toml")
                .and_then(|spec| {
                    spec.resolve(t(8), false)
                        .map(|_| ())
                        .map_err(|e| spec.error(e))
                })
                .unwrap_err();
            let message = err.to_string();
            assert_eq!(err.exit_code(), 2, "{message}");
            assert!(
                message.starts_with(&format!("e.toml:{line}: ")),
                "{body}: {message}"
            );
            assert!(message.contains(says), "{body}: {message}");
        }
        for (text, says) in [
            (
                "[[namespace]]\nid = \"a-prod.x1\"\ntrus = 2\n",
                "needs a `duration",
            ),
            ("duration = \"1h\"\n", "lists no namespace"),
        ] {
            let message = parse(text, "e", "e.toml").unwrap_err().to_string();
            assert!(message.contains(says), "{message}");
        }
    }
}
