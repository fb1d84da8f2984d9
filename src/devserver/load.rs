//! A per-minute load profile: what each namespace asks of the service, minute by minute.
//!
//! CSV, one line per namespace and minute, `#` starts a comment, with an optional header:
//!
//! ```text
//! minute,namespace,aps[,rps[,ops]]
//! 360,orders-prod,310.5
//! 360,payments-prod,120,300,180
//! ```
//!
//! `minute` counts from 00:00 UTC of the replayed day (1440 and beyond are the next days);
//! `namespace` is a name (`orders-prod`), not an ID; `aps`, `rps` and `ops` are actions, service
//! requests and operations per second. Minutes ascend, each namespace at most once a minute; a
//! namespace missing from a minute asks nothing in it.

use std::collections::{BTreeMap, HashMap};

/// Service requests per action when a profile gives none: the ratio the generated account
/// uses. It keeps actions the limit that binds first (a TRU buys 3 requests per action; at 2.5
/// requests throttle only once demand is 20% above the action limit), as it usually is.
pub const DEFAULT_REQUESTS_PER_ACTION: f64 = 2.5;
/// Operations per action when a profile gives none, as in the generated account: a TRU buys
/// 8 operations per action, so operations practically never bind.
pub const DEFAULT_OPERATIONS_PER_ACTION: f64 = 1.5;
/// Minutes in a day.
pub const MINUTES_PER_DAY: u32 = 1440;
/// A profile spans at most a year; the bound keeps emulated dates representable.
const MAX_MINUTE: u32 = 366 * MINUTES_PER_DAY;
/// Temporal Cloud namespace names are at most 39 characters.
const MAX_NAME_LEN: usize = 39;

/// What one namespace asks for in one minute, per second.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Demand {
    pub aps: f64,
    pub rps: f64,
    pub ops: f64,
}

/// A parsed load profile.
#[derive(Clone, Debug, PartialEq)]
pub struct Load {
    /// Names in order of first appearance.
    namespaces: Vec<String>,
    first_minute: u32,
    last_minute: u32,
    /// Minute → (namespace index, demand), only the lines the file has.
    minutes: BTreeMap<u32, Vec<(usize, Demand)>>,
}

impl Load {
    /// Reads a profile; the error names the line and what is wrong with it.
    pub fn parse(text: &str) -> Result<Load, String> {
        let mut namespaces: Vec<String> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut minutes: BTreeMap<u32, Vec<(usize, Demand)>> = BTreeMap::new();
        let mut last: Option<u32> = None;
        let mut seen_data = false;
        for (number, line) in text.lines().enumerate() {
            let number = number + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            let at = |problem: String| format!("line {number}: {problem}");
            if !seen_data && fields.first() == Some(&"minute") {
                const COLUMNS: [&str; 5] = ["minute", "namespace", "aps", "rps", "ops"];
                if fields.len() < 3 || fields.len() > 5 || fields[..] != COLUMNS[..fields.len()] {
                    return Err(at(format!(
                        "unknown header {line:?}: expected minute,namespace,aps[,rps[,ops]]"
                    )));
                }
                seen_data = true;
                continue;
            }
            seen_data = true;
            if !(3..=5).contains(&fields.len()) {
                return Err(at(format!(
                    "{} columns where 3 to 5 are expected (minute,namespace,aps[,rps[,ops]])",
                    fields.len()
                )));
            }
            let minute = parse_minute(fields[0]).map_err(at)?;
            let name = fields[1];
            check_name(name).map_err(at)?;
            let aps = parse_rate(fields[2], "aps").map_err(at)?;
            let rps = match fields.get(3) {
                Some(text) => parse_rate(text, "rps").map_err(at)?,
                None => aps * DEFAULT_REQUESTS_PER_ACTION,
            };
            let ops = match fields.get(4) {
                Some(text) => parse_rate(text, "ops").map_err(at)?,
                None => aps * DEFAULT_OPERATIONS_PER_ACTION,
            };
            if let Some(previous) = last
                && minute < previous
            {
                return Err(at(format!(
                    "minute {minute} comes after minute {previous}: minutes must ascend"
                )));
            }
            last = Some(minute);
            let slot = *index.entry(name.to_string()).or_insert_with(|| {
                namespaces.push(name.to_string());
                namespaces.len() - 1
            });
            let rows = minutes.entry(minute).or_default();
            if rows.iter().any(|(existing, _)| *existing == slot) {
                return Err(at(format!(
                    "namespace {name} appears twice in minute {minute}"
                )));
            }
            rows.push((slot, Demand { aps, rps, ops }));
        }
        let (Some(&first_minute), Some(&last_minute)) =
            (minutes.keys().next(), minutes.keys().next_back())
        else {
            return Err("the profile is empty: no minute,namespace,aps line".to_string());
        };
        Ok(Load {
            namespaces,
            first_minute,
            last_minute,
            minutes,
        })
    }

    /// The namespace names, in order of first appearance.
    pub fn namespaces(&self) -> &[String] {
        &self.namespaces
    }

    /// The first minute of the profile, counted from 00:00 UTC.
    pub fn first_minute(&self) -> u32 {
        self.first_minute
    }

    /// The last minute of the profile (inclusive).
    pub fn last_minute(&self) -> u32 {
        self.last_minute
    }

    /// How many minutes the profile spans, first to last inclusive (gaps count, as idle minutes).
    pub fn len_minutes(&self) -> u32 {
        self.last_minute - self.first_minute + 1
    }

    /// What `namespace` (a name) asks for in `minute`; zero outside the profile or where the
    /// namespace has no line.
    pub fn demand(&self, minute: u32, namespace: &str) -> Demand {
        self.namespaces
            .iter()
            .position(|name| name == namespace)
            .map_or_else(Demand::default, |slot| self.demand_at(minute, slot))
    }

    /// The highest APS `namespace` asks for in any minute (0 for an unknown name).
    pub fn peak_aps(&self, namespace: &str) -> f64 {
        let Some(slot) = self.namespaces.iter().position(|name| name == namespace) else {
            return 0.0;
        };
        self.minutes
            .values()
            .flat_map(|rows| rows.iter())
            .filter(|(row, _)| *row == slot)
            .map(|(_, demand)| demand.aps)
            .fold(0.0, f64::max)
    }

    /// The demand of the namespace at index `slot` in `minute`.
    pub(crate) fn demand_at(&self, minute: u32, slot: usize) -> Demand {
        self.minutes
            .get(&minute)
            .and_then(|rows| rows.iter().find(|(row, _)| *row == slot))
            .map_or_else(Demand::default, |(_, demand)| *demand)
    }

    /// The usage that stands in for the namespace's history at each minute of the day: its
    /// demand at that minute of the profile's first day that covers it, or, for minutes of the
    /// day the profile never reaches, its smallest demand anywhere in the profile (a minute
    /// without its line counts, as 0).
    pub(crate) fn daily_pattern(&self, slot: usize) -> Vec<Demand> {
        let mut smallest: Option<Demand> = None;
        let mut pattern: Vec<Option<Demand>> = vec![None; MINUTES_PER_DAY as usize];
        for minute in self.first_minute..=self.last_minute {
            let demand = self.demand_at(minute, slot);
            if smallest.is_none_or(|least| demand.aps < least.aps) {
                smallest = Some(demand);
            }
            let of_day = &mut pattern[(minute % MINUTES_PER_DAY) as usize];
            if of_day.is_none() {
                *of_day = Some(demand);
            }
        }
        let smallest = smallest.unwrap_or_default();
        pattern
            .into_iter()
            .map(|demand| demand.unwrap_or(smallest))
            .collect()
    }
}

fn parse_minute(text: &str) -> Result<u32, String> {
    match text.parse::<i64>() {
        Ok(minute) if minute < 0 => Err(format!("negative value {minute} for minute")),
        Ok(minute) if minute > i64::from(MAX_MINUTE) => Err(format!(
            "minute {minute} is beyond a year (at most {MAX_MINUTE})"
        )),
        Ok(minute) => Ok(minute as u32),
        Err(_) => Err(format!(
            "bad number {text:?} for minute: expected a whole number of minutes from 00:00 UTC"
        )),
    }
}

fn parse_rate(text: &str, column: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if !value.is_finite() => Err(format!("bad number {text:?} for {column}")),
        Ok(value) if value < 0.0 => Err(format!("negative value {value} for {column}")),
        // `-0` parses as a number equal to 0; keep it a plain 0.
        Ok(value) => Ok(value.abs()),
        Err(_) => Err(format!("bad number {text:?} for {column}")),
    }
}

/// A namespace name as Temporal Cloud allows it, so that it can become an ID and a label.
fn check_name(name: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if name.is_empty() {
        return Err("empty namespace name".to_string());
    }
    if name.len() > MAX_NAME_LEN || !name.chars().all(allowed) {
        return Err(format!(
            "bad namespace name {name:?}: lowercase letters, digits and '-', at most {MAX_NAME_LEN} characters"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_with_header_comments_and_gaps() {
        let load = Load::parse(
            "# a comment\n\
             minute,namespace,aps,rps,ops\n\
             360,orders-prod,100\n\
             360,payments-prod,50,200,90\n\
             \n\
             362,orders-prod,120.5\n",
        )
        .unwrap();
        assert_eq!(load.namespaces(), ["orders-prod", "payments-prod"]);
        assert_eq!((load.first_minute(), load.last_minute()), (360, 362));
        assert_eq!(load.len_minutes(), 3);
        assert_eq!(
            load.demand(360, "orders-prod"),
            Demand {
                aps: 100.0,
                rps: 250.0,
                ops: 150.0
            }
        );
        assert_eq!(
            load.demand(360, "payments-prod"),
            Demand {
                aps: 50.0,
                rps: 200.0,
                ops: 90.0
            }
        );
        // A gap and a missing namespace ask nothing.
        assert_eq!(load.demand(361, "orders-prod"), Demand::default());
        assert_eq!(load.demand(362, "payments-prod"), Demand::default());
        assert_eq!(load.peak_aps("orders-prod"), 120.5);
        // Four columns: rps given, ops from the default ratio.
        let four = Load::parse("0,a-b,10,40\n").unwrap();
        assert_eq!(four.demand(0, "a-b").rps, 40.0);
        assert_eq!(four.demand(0, "a-b").ops, 15.0);
    }

    #[test]
    fn errors_name_the_line_and_the_problem() {
        let cases = [
            ("", "empty"),
            ("# only a comment\n", "empty"),
            ("minute,namespace,aps\n", "empty"),
            (
                "360,orders-prod,abc\n",
                "line 1: bad number \"abc\" for aps",
            ),
            ("x,orders-prod,1\n", "line 1: bad number \"x\" for minute"),
            ("360,orders-prod,NaN\n", "line 1: bad number"),
            ("360,orders-prod,inf\n", "line 1: bad number"),
            (
                "\n360,orders-prod,-4\n",
                "line 2: negative value -4 for aps",
            ),
            ("-1,orders-prod,4\n", "line 1: negative value -1 for minute"),
            (
                "360,orders-prod,4,-1\n",
                "line 1: negative value -1 for rps",
            ),
            ("360,orders-prod\n", "line 1: 2 columns"),
            ("360,orders-prod,1,2,3,4\n", "line 1: 6 columns"),
            (
                "361,orders-prod,1\n360,orders-prod,1\n",
                "line 2: minute 360 comes after minute 361",
            ),
            (
                "360,orders-prod,1\n360,orders-prod,2\n",
                "line 2: namespace orders-prod appears twice in minute 360",
            ),
            ("minute,ns,aps\n", "line 1: unknown header"),
            ("360,Orders_Prod,1\n", "line 1: bad namespace name"),
            ("360,,1\n", "line 1: empty namespace name"),
            (
                "999999999,a,1\n",
                "line 1: minute 999999999 is beyond a year",
            ),
        ];
        for (text, expected) in cases {
            let error = Load::parse(text).unwrap_err();
            assert!(error.contains(expected), "{text:?}: {error}");
        }
    }

    #[test]
    fn the_daily_pattern_fills_uncovered_minutes_with_the_smallest_demand() {
        let load = Load::parse("1439,a,30\n1440,a,20\n1441,a,50\n2879,a,70\n").unwrap();
        let pattern = load.daily_pattern(0);
        // 1439 is the first day's last minute; 1440 and 1441 are the next day's first two.
        assert_eq!(pattern[1439].aps, 30.0);
        assert_eq!(pattern[0].aps, 20.0);
        assert_eq!(pattern[1].aps, 50.0);
        // Minute 2 of the day is first reached at minute 1442, which has no line: 0.
        assert_eq!(pattern[2].aps, 0.0);
        // 2879 maps to 1439, already taken by the first day.
        assert_eq!(pattern[1439].aps, 30.0);
    }
}
