//! Prometheus' `query_range` answers, read into minutes per namespace.
//!
//! Pure: JSON text in, series out; assembling several queries' series into
//! [`History`]s is pure too, so the rules (a limit row makes a minute recorded, a missing count
//! in a recorded minute is 0) are tested here with the numbers written out.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use crate::capacity::plan::{History, Minute};

/// One series of a matrix: its labels and (seconds, value) points.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub labels: BTreeMap<String, String>,
    pub points: Vec<(i64, f64)>,
}

#[derive(Deserialize)]
struct Answer {
    status: String,
    #[serde(default)]
    data: Option<Data>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    result: Vec<RawSeries>,
}

#[derive(Deserialize)]
struct RawSeries {
    metric: BTreeMap<String, String>,
    #[serde(default)]
    values: Vec<(f64, String)>,
}

/// The series of a successful answer, or the server's own error text.
pub fn parse(body: &[u8]) -> Result<Vec<Series>, String> {
    let answer: Answer = serde_json::from_slice(body)
        .map_err(|e| format!("the answer is not Prometheus' query API JSON: {e}"))?;
    if answer.status != "success" {
        return Err(match (answer.error_type, answer.error) {
            (Some(t), Some(e)) => format!("{t}: {e}"),
            (_, Some(e)) => e,
            _ => format!("status {:?} without an error message", answer.status),
        });
    }
    let data = answer
        .data
        .ok_or_else(|| "a successful answer without data".to_string())?;
    if data.result_type != "matrix" {
        return Err(format!(
            "expected a matrix, got a {} (is this the query_range API?)",
            data.result_type
        ));
    }
    data.result
        .into_iter()
        .map(|s| {
            let points = s
                .values
                .into_iter()
                .map(|(t, v)| {
                    let value = v
                        .parse::<f64>()
                        .map_err(|_| format!("{v:?} is not a sample value"))?;
                    Ok((t.round() as i64, value))
                })
                .collect::<Result<Vec<_>, String>>()?;
            Ok(Series {
                labels: s.metric,
                points,
            })
        })
        .collect()
}

/// Which query a series answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Limit,
    Count,
    Throttled,
    /// Requests asked for: count and throttled summed.
    Requests,
    /// Operations asked for, background left out: count and throttled summed.
    Operations,
}

/// Minutes per namespace from `start` (whole minute) for `minutes` minutes.
pub struct Assembler {
    start: DateTime<Utc>,
    minutes: usize,
    by_namespace: BTreeMap<String, Vec<Option<Minute>>>,
    /// Namespaces with counts but never a limit: nothing can be said of their minutes.
    counts_without_limit: BTreeMap<String, usize>,
    pending: Vec<(Family, Series)>,
}

pub const NAMESPACE_LABEL: &str = "temporal_namespace";

impl Assembler {
    pub fn new(start: DateTime<Utc>, minutes: usize) -> Self {
        Assembler {
            start,
            minutes,
            by_namespace: BTreeMap::new(),
            counts_without_limit: BTreeMap::new(),
            pending: Vec::new(),
        }
    }

    /// Adds a query's series. Limits make minutes recorded, so they are placed first whatever
    /// order the answers arrive in.
    pub fn add(&mut self, family: Family, series: Vec<Series>) {
        self.pending.extend(series.into_iter().map(|s| (family, s)));
    }

    fn index(&self, seconds: i64) -> Option<usize> {
        let offset = seconds - self.start.timestamp();
        (offset >= 0 && offset % 60 == 0)
            .then_some((offset / 60) as usize)
            .filter(|i| *i < self.minutes)
    }

    /// The histories, and the namespaces whose counts came without any limit.
    pub fn finish(mut self) -> (BTreeMap<String, History>, BTreeMap<String, usize>) {
        let pending = std::mem::take(&mut self.pending);
        let (limits, rest): (Vec<_>, Vec<_>) =
            pending.into_iter().partition(|(f, _)| *f == Family::Limit);
        for (_, series) in limits {
            let Some(ns) = series.labels.get(NAMESPACE_LABEL).cloned() else {
                continue;
            };
            let idx: Vec<(usize, f64)> = series
                .points
                .iter()
                .filter_map(|(t, v)| self.index(*t).map(|i| (i, *v)))
                .collect();
            let minutes = self.minutes;
            let row = self
                .by_namespace
                .entry(ns)
                .or_insert_with(|| vec![None; minutes]);
            for (i, v) in idx {
                let m = row[i].get_or_insert_with(Minute::default);
                m.limit = m.limit.max(v);
            }
        }
        for (family, series) in rest {
            let Some(ns) = series.labels.get(NAMESPACE_LABEL).cloned() else {
                continue;
            };
            let background = series.labels.get("is_background").map(String::as_str) == Some("true");
            let idx: Vec<(usize, f64)> = series
                .points
                .iter()
                .filter_map(|(t, v)| self.index(*t).map(|i| (i, *v)))
                .collect();
            let Some(row) = self.by_namespace.get_mut(&ns) else {
                *self.counts_without_limit.entry(ns).or_default() += idx.len();
                continue;
            };
            for (i, v) in idx {
                // A count in a minute without a limit row is not a recorded minute.
                let Some(m) = row[i].as_mut() else { continue };
                match family {
                    Family::Count if background => m.background += v,
                    Family::Count => m.foreground += v,
                    Family::Throttled => m.throttled += v,
                    Family::Requests => m.requests += v,
                    Family::Operations => m.operations += v,
                    Family::Limit => unreachable!("limits were placed first"),
                }
            }
        }
        let start = self.start;
        let histories = self
            .by_namespace
            .into_iter()
            .map(|(ns, minutes)| (ns, History { start, minutes }))
            .collect();
        (histories, self.counts_without_limit)
    }
}

/// Whole minutes of [from, to): the evaluation times of a query_range at step 60s.
pub fn minute_span(from: DateTime<Utc>, to: DateTime<Utc>) -> usize {
    ((to - from).num_seconds().max(0) / 60) as usize
}

/// [from, to) cut into pieces of at most `max_points` minutes, as (first, last) evaluation
/// times: query_range includes both ends, so pieces meet without sharing a minute.
pub fn chunks(
    from: DateTime<Utc>,
    minutes: usize,
    max_points: usize,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut pieces = Vec::new();
    let mut done = 0;
    while done < minutes {
        let n = (minutes - done).min(max_points.max(1));
        let first = from + Duration::minutes(done as i64);
        pieces.push((first, first + Duration::minutes(n as i64 - 1)));
        done += n;
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_matrix_and_an_error_are_read() {
        let body = br#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"temporal_namespace":"a.x"},"values":[[1700000040,"500"],[1700000100,"1.5e3"]]}]}}"#;
        let series = parse(body).unwrap();
        assert_eq!(series[0].labels["temporal_namespace"], "a.x");
        assert_eq!(
            series[0].points,
            vec![(1700000040, 500.0), (1700000100, 1500.0)]
        );
        let err =
            parse(br#"{"status":"error","errorType":"bad_data","error":"parse error at char 3"}"#)
                .unwrap_err();
        assert_eq!(err, "bad_data: parse error at char 3");
        assert!(parse(b"<html>").unwrap_err().contains("not Prometheus"));
        let vector = br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        assert!(parse(vector).unwrap_err().contains("matrix"));
    }

    fn series(labels: &[(&str, &str)], points: &[(i64, f64)]) -> Series {
        Series {
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            points: points.to_vec(),
        }
    }

    #[test]
    fn a_limit_row_makes_a_minute_recorded_and_counts_add_up() {
        let start = at("2026-11-02T00:00:00Z");
        let t = start.timestamp();
        let mut a = Assembler::new(start, 4);
        // Counts first: the order of the answers does not matter.
        a.add(
            Family::Count,
            vec![
                series(
                    &[("temporal_namespace", "a.x"), ("is_background", "false")],
                    &[(t, 100.0), (t + 60, 50.0), (t + 180, 7.0)],
                ),
                series(
                    &[("temporal_namespace", "a.x"), ("is_background", "true")],
                    &[(t, 5.0)],
                ),
                series(
                    &[("temporal_namespace", "b.x"), ("is_background", "false")],
                    &[(t, 1.0)],
                ),
            ],
        );
        a.add(
            Family::Throttled,
            vec![series(&[("temporal_namespace", "a.x")], &[(t + 60, 20.0)])],
        );
        a.add(
            Family::Requests,
            vec![series(&[("temporal_namespace", "a.x")], &[(t, 250.0)])],
        );
        a.add(
            Family::Operations,
            vec![series(&[("temporal_namespace", "a.x")], &[(t, 150.0)])],
        );
        // Minute 3 has no limit: a gap, its count notwithstanding; minute 2 has a limit and no
        // count: recorded, 0 actions. An off-grid point is ignored.
        a.add(
            Family::Limit,
            vec![series(
                &[("temporal_namespace", "a.x")],
                &[(t, 500.0), (t + 60, 800.0), (t + 120, 800.0), (t + 30, 9.0)],
            )],
        );
        let (h, orphans) = a.finish();
        let m = &h["a.x"].minutes;
        assert_eq!(
            m[0],
            Some(Minute {
                limit: 500.0,
                foreground: 100.0,
                background: 5.0,
                throttled: 0.0,
                requests: 250.0,
                operations: 150.0,
            })
        );
        assert_eq!(m[1].unwrap().demand(), 70.0);
        assert_eq!(
            m[2],
            Some(Minute {
                limit: 800.0,
                ..Minute::default()
            })
        );
        assert_eq!(m[3], None);
        assert_eq!(orphans["b.x"], 1);
    }

    #[test]
    fn chunks_meet_without_sharing_a_minute() {
        let from = at("2026-11-02T00:00:00Z");
        let c = chunks(from, 25, 10);
        assert_eq!(
            c,
            vec![
                (from, at("2026-11-02T00:09:00Z")),
                (at("2026-11-02T00:10:00Z"), at("2026-11-02T00:19:00Z")),
                (at("2026-11-02T00:20:00Z"), at("2026-11-02T00:24:00Z")),
            ]
        );
        assert_eq!(minute_span(from, at("2026-11-30T00:00:00Z")), 28 * 1440);
    }
}
