//! Reading a whole account's window within the Metrics API's 30,000-point cap.
//!
//! Temporal cuts an answer at 30,000 data points and marks it `X-Completeness: limited`; with
//! per-operation request and operation series that happens for a few hundred namespaces. A cut
//! answer is then asked again in parts, each for a set of namespace-name prefixes (the API's
//! `namespaces` filter takes wildcards, and `pay*` matches the bare name and the full ID
//! alike), sized from what the answers so far showed per namespace, and a part that comes back
//! cut is split again. The calls are the account's (180 an hour, shared with the user's own
//! scrapers), so the whole run spends at most the budget it was given.

use std::collections::{BTreeMap, BTreeSet};

use super::metrics::{Completeness, MetricsClient, Snapshot};
use super::openmetrics::{Sample, Warning};
use crate::error::ApiError;

/// "30k total datapoints per scrape".
pub const MAX_POINTS_PER_ANSWER: usize = 30_000;
/// Parts are sized to fill this share of the cap at the densest rate seen so far: prefixes
/// differ (production namespaces send more series than idle sandboxes), and a part that comes
/// back cut costs a call.
const FILL: f64 = 0.7;

/// What the calls gathered, beside the samples handed over part by part.
#[derive(Debug)]
pub struct Coverage {
    pub warnings: Vec<Warning>,
    /// The least complete answer kept: `Complete` only when every part was.
    pub completeness: Completeness,
    /// Which namespace names the kept answers are complete for: a listed namespace absent from
    /// them was idle, not cut off.
    pub complete_for: Covered,
    /// The prefixes that could not be read completely within the budget.
    pub uncovered: Vec<String>,
    /// Namespaces under those prefixes.
    pub uncovered_namespaces: usize,
    /// Requests sent, retries included.
    pub calls: u32,
    /// Parts the account was read in (1 when the first answer was complete).
    pub parts: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Covered {
    All,
    Nothing,
    Names(BTreeSet<String>),
}

impl Covered {
    pub fn contains(&self, name: &str) -> bool {
        match self {
            Covered::All => true,
            Covered::Nothing => false,
            Covered::Names(names) => names.contains(name),
        }
    }
}

/// One request's worth of namespaces: the patterns sent and the listed names they stand for.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub patterns: Vec<String>,
    pub names: Vec<String>,
}

/// Completes the reading of `families` for the whole account from the `first` answer, which
/// asked for every namespace; only a cut answer leads to more calls. `names` are the bare
/// names of every listed namespace (they size the parts); `wanted` says which of them the
/// caller needs, so no part reads namespaces nobody asked for. The samples of every answer
/// kept go to `take` as they arrive, so that a large account is never held whole.
pub async fn complete(
    client: &MetricsClient,
    families: &[&str],
    first: Snapshot,
    names: &[String],
    wanted: impl Fn(&str) -> bool,
    mut take: impl FnMut(Vec<Sample>),
) -> Result<Coverage, ApiError> {
    if first.completeness != Completeness::Limited
        || names.is_empty()
        || client.calls_left() == Some(0)
    {
        let complete = first.completeness.is_complete();
        take(first.exposition.samples);
        return Ok(Coverage {
            warnings: first.exposition.warnings,
            completeness: first.completeness,
            complete_for: if complete {
                Covered::All
            } else {
                Covered::Nothing
            },
            uncovered: Vec::new(),
            uncovered_namespaces: 0,
            calls: client.calls_spent(),
            parts: 1,
        });
    }
    // Points per namespace: first a generous guess from the cut answer, then the densest
    // part actually read, so that a part of the densest prefixes still fits.
    let mut density = estimate_points(&first, families.len(), names.len());
    drop(first);
    tracing::info!(
        "the metrics answer was cut at the API's size limit; reading it again in parts by namespace prefix"
    );
    let mut coverage = Coverage {
        warnings: Vec::new(),
        completeness: Completeness::Complete,
        complete_for: Covered::Nothing,
        uncovered: Vec::new(),
        uncovered_namespaces: 0,
        calls: 0,
        parts: 0,
    };
    let mut learned = false;
    let mut covered = BTreeSet::new();
    let mut remaining: Vec<String> = names.iter().filter(|n| wanted(n)).cloned().collect();
    while !remaining.is_empty() {
        let parts = partition(names, &remaining, per_part(density));
        if client.calls_left() == Some(0) {
            for part in &parts {
                give_up(&mut coverage, part);
            }
            break;
        }
        let part = parts.into_iter().next().expect("names remain");
        let snapshot = match client.fetch_matching(families, &part.patterns).await {
            Ok(snapshot) => snapshot,
            // Out of budget mid-retry: what is left is named, not guessed.
            Err(_) if client.calls_left() == Some(0) => continue,
            Err(e) => return Err(e),
        };
        let points = snapshot.exposition.samples.len() as f64;
        let size = part.names.len().max(1) as f64;
        tracing::debug!(
            patterns = part.patterns.len(),
            namespaces = part.names.len(),
            points,
            completeness = %snapshot.completeness,
            "metrics part"
        );
        match snapshot.completeness {
            Completeness::Limited if part.names.len() > 1 => {
                // Denser than thought: at least the cap over these names. The next partition
                // of what remains is finer.
                density = density.max(MAX_POINTS_PER_ANSWER as f64 / size * 1.05);
                learned = true;
                continue;
            }
            Completeness::Limited => give_up(&mut coverage, &part),
            completeness => {
                if completeness == Completeness::Complete {
                    density = if learned {
                        density.max(points / size)
                    } else {
                        points / size
                    };
                    learned = true;
                    covered.extend(part.names.iter().cloned());
                } else {
                    coverage.completeness = completeness;
                }
                coverage.parts += 1;
                take(snapshot.exposition.samples);
                coverage.warnings.extend(snapshot.exposition.warnings);
            }
        }
        let done: BTreeSet<&String> = part.names.iter().collect();
        remaining.retain(|n| !done.contains(n));
    }
    coverage.calls = client.calls_spent();
    coverage.complete_for = Covered::Names(covered);
    Ok(coverage)
}

fn give_up(coverage: &mut Coverage, part: &Part) {
    coverage.completeness = Completeness::Limited;
    coverage.uncovered.extend(part.patterns.iter().cloned());
    coverage.uncovered_namespaces += part.names.len();
}

fn per_part(points_per_namespace: f64) -> usize {
    ((MAX_POINTS_PER_ANSWER as f64 * FILL) / points_per_namespace.max(1.0)).floor() as usize
}

/// Points per namespace a full answer would hold, judged from a cut one. An answer is cut
/// somewhere in its families, so a namespace that shows up in only some of them is scaled up
/// to all of them (quiet families such as throttling make this err high, which costs a part,
/// not a cut answer); and a cut answer held at least the cap over the namespaces asked for.
fn estimate_points(snapshot: &Snapshot, families: usize, namespaces: usize) -> f64 {
    let mut by_namespace: BTreeMap<&str, (usize, BTreeSet<&str>)> = BTreeMap::new();
    for sample in &snapshot.exposition.samples {
        if let Some(ns) = sample.label("temporal_namespace") {
            let entry = by_namespace.entry(ns).or_default();
            entry.0 += 1;
            entry.1.insert(sample.name.as_str());
        }
    }
    let scaled = by_namespace
        .values()
        .map(|(points, seen)| *points as f64 * families as f64 / seen.len().max(1) as f64)
        .fold(0.0, f64::max);
    let floor = snapshot.exposition.samples.len() as f64 / namespaces.max(1) as f64;
    scaled.max(floor).max(1.0)
}

/// Splits `subset` (bare names, a subset of `all`) into parts of at most `size` names (a single
/// name can stand alone), each described by prefix patterns that match no name of `all`
/// outside the part: two parts never return the same series, and no part reads namespaces
/// nobody asked for.
pub fn partition(all: &[String], subset: &[String], size: usize) -> Vec<Part> {
    let sort = |names: &[String]| {
        let mut sorted: Vec<String> = names.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        sorted
    };
    let mut all = sort(all);
    let subset = sort(subset);
    // A name of the subset the list lacks still needs its own patterns.
    all.extend(subset.iter().cloned());
    let all = sort(&all);
    let size = size.max(1);
    // Units of an eighth of a part pack parts at least seven-eighths full; whole prefixes as
    // large as a part would leave parts half empty whenever the next one does not fit.
    let mut units = Vec::new();
    prefix_units(&subset, &all, "", size.div_ceil(8), &mut units);
    let mut parts: Vec<Part> = Vec::new();
    let mut current = Part {
        patterns: Vec::new(),
        names: Vec::new(),
    };
    for unit in units {
        if !current.names.is_empty() && current.names.len() + unit.names.len() > size {
            parts.push(std::mem::replace(
                &mut current,
                Part {
                    patterns: Vec::new(),
                    names: Vec::new(),
                },
            ));
        }
        current.patterns.extend(unit.patterns);
        current.names.extend(unit.names);
    }
    if !current.names.is_empty() {
        parts.push(current);
    }
    parts
}

/// `names` (sorted) all start with `prefix`: one unit `prefix*` when they fit and are every
/// name of `all` under it; else one per next character, and the name equal to the prefix on
/// its own (`name` for a bare-name label and `name.*` for a full ID, since `name*` would reach
/// into its siblings).
fn prefix_units(names: &[String], all: &[String], prefix: &str, size: usize, out: &mut Vec<Part>) {
    if names.is_empty() {
        return;
    }
    let under = all.partition_point(|n| n.as_str() < prefix);
    let total = all[under..]
        .iter()
        .take_while(|n| n.starts_with(prefix))
        .count();
    if names.len() <= size && total == names.len() {
        out.push(Part {
            patterns: vec![format!("{prefix}*")],
            names: names.to_vec(),
        });
        return;
    }
    let mut rest = names;
    if rest[0] == prefix {
        out.push(Part {
            patterns: vec![prefix.to_string(), format!("{prefix}.*")],
            names: vec![prefix.to_string()],
        });
        rest = &rest[1..];
    }
    while let Some(first) = rest.first() {
        let next = first[prefix.len()..]
            .chars()
            .next()
            .expect("longer than the prefix");
        let longer = format!("{prefix}{next}");
        let end = rest
            .iter()
            .position(|n| !n.starts_with(&longer))
            .unwrap_or(rest.len());
        prefix_units(&rest[..end], all, &longer, size, out);
        rest = &rest[end..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn matches(pattern: &str, name: &str, account: &str) -> bool {
        let p = glob::Pattern::new(pattern).unwrap();
        p.matches(name) || p.matches(&format!("{name}.{account}"))
    }

    #[test]
    fn parts_are_disjoint_and_cover_every_name() {
        let list = names(&[
            "orders",
            "orders-eu",
            "orders-us",
            "ops",
            "payments",
            "pay",
            "audit",
            "a",
            "b1",
            "b2",
            "b3",
            "zeta",
        ]);
        for size in 1..=list.len() {
            let parts = partition(&list, &list, size);
            for part in &parts {
                assert!(part.names.len() <= size, "{size}: {part:?}");
            }
            // Every name is matched by exactly one part's patterns, as a bare name and as an ID.
            for name in &list {
                let owners: Vec<&Part> = parts
                    .iter()
                    .filter(|p| p.patterns.iter().any(|pat| matches(pat, name, "acct1")))
                    .collect();
                assert_eq!(owners.len(), 1, "{size}: {name} in {owners:?}");
                assert!(owners[0].names.contains(name), "{size}: {name}");
                let by_id: Vec<&Part> = parts
                    .iter()
                    .filter(|p| {
                        p.patterns.iter().any(|pat| {
                            glob::Pattern::new(pat)
                                .unwrap()
                                .matches(&format!("{name}.acct1"))
                        })
                    })
                    .collect();
                assert_eq!(by_id.len(), 1, "{size}: {name} by ID in {by_id:?}");
            }
        }
        assert_eq!(partition(&list, &list, 100).len(), 1);
        assert_eq!(partition(&list, &list, 100)[0].patterns, ["*"]);
    }

    #[test]
    fn a_subset_is_read_without_its_neighbours() {
        let list = names(&["orders", "orders-eu", "orders-us", "ops", "audit", "pay"]);
        let subset = names(&["orders-eu", "pay", "orders"]);
        for size in 1..=3 {
            let parts = partition(&list, &subset, size);
            let got: Vec<&String> = parts.iter().flat_map(|p| &p.names).collect();
            assert_eq!(got.len(), 3, "{size}: {parts:?}");
            for name in &list {
                let hits = parts
                    .iter()
                    .filter(|p| p.patterns.iter().any(|pat| matches(pat, name, "x")))
                    .count();
                let want = usize::from(subset.contains(name));
                assert_eq!(hits, want, "{size}: {name} in {parts:?}");
            }
        }
    }

    #[test]
    fn parts_fill_up_to_the_size() {
        let list: Vec<String> = (0..2_000).map(|i| format!("ns-{i:04}")).collect();
        let parts = partition(&list, &list, 700);
        assert!(parts.len() <= 4, "{}", parts.len());
        assert_eq!(parts.iter().map(|p| p.names.len()).sum::<usize>(), 2_000);
    }
}
