//! One capacity change as values: the checks before it (namespace ID, TRU value, a request
//! already in progress), what it will do, and whether a namespace shows it. The I/O steps that
//! carry it out are `apply`'s.

use std::fmt;

use crate::cloud::model::{CapacityInfo, CapacitySpec, Namespace, RequestState, fmt_tru_value};
use crate::error::{Error, Result};

use super::recommend::{APS_PER_TRU, fmt_int};

/// `name.account`, split on the last dot (account IDs may contain hyphens, names never dots).
pub fn validate_namespace_id(id: &str) -> Result<()> {
    let bad = |why: &str| {
        Err(Error::Usage(format!(
            "'{id}' is not a namespace ID: {why} (expected <name>.<account>, e.g. payments-prod.a1b2c)"
        )))
    };
    let Some((name, account)) = id.rsplit_once('.') else {
        return bad("it has no '.<account>' part");
    };
    if name.len() < 2 || name.len() > 39 {
        return bad("the name part must be 2 to 39 characters");
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic())
        || !name.ends_with(|c: char| c.is_ascii_alphanumeric())
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return bad("the name part must be letters, digits and '-', starting with a letter");
    }
    if account.is_empty()
        || !account
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return bad("the account part must be letters, digits and '-'");
    }
    Ok(())
}

/// TRUS on the command line: a positive whole number, with a message for each way it is not.
pub fn parse_trus(s: &str) -> Result<u32, String> {
    let t = s.trim();
    match t.parse::<i64>() {
        Ok(n) if n <= 0 => Err(format!("TRUS must be a positive whole number, got {n}")),
        Ok(n) if n > 1000 => Err(format!("TRUS {n} is beyond any TRU value Temporal offers")),
        Ok(n) => Ok(n as u32),
        Err(_) if t.parse::<f64>().is_ok() => {
            Err(format!("TRUS must be a whole number, got '{s}'"))
        }
        Err(_) => Err(format!("TRUS must be a positive whole number, got '{s}'")),
    }
}

/// "6 TRUs (3,000 APS)" or "on-demand (limit 800 APS)".
pub fn describe(spec: CapacitySpec, on_demand_limit: Option<f64>) -> String {
    match spec {
        CapacitySpec::Provisioned { value } => {
            format!(
                "{} TRUs ({} APS)",
                fmt_tru_value(value),
                fmt_int(value * APS_PER_TRU)
            )
        }
        CapacitySpec::OnDemand => match on_demand_limit {
            Some(limit) => format!("on-demand (limit {} APS)", fmt_int(limit)),
            None => "on-demand".into(),
        },
    }
}

/// What a change will do, read from the server before anything is sent.
#[derive(Clone, Debug)]
pub struct Plan {
    pub namespace: Namespace,
    pub info: CapacityInfo,
    pub target: CapacitySpec,
    /// The capacity in force now.
    pub previous: Option<CapacitySpec>,
    /// Already in the asked state: success without a request.
    pub already: bool,
}

impl Plan {
    pub fn id(&self) -> &str {
        &self.namespace.namespace
    }

    pub fn aps_before(&self) -> Option<f64> {
        match self.previous {
            Some(CapacitySpec::Provisioned { value }) => Some(value * APS_PER_TRU),
            _ => self.namespace.aps_limit().or(self.info.on_demand_aps_limit),
        }
    }

    pub fn aps_after(&self) -> Option<f64> {
        match self.target {
            CapacitySpec::Provisioned { value } => Some(value * APS_PER_TRU),
            CapacitySpec::OnDemand => self.info.on_demand_aps_limit,
        }
    }

    pub fn describe_previous(&self) -> String {
        match self.previous {
            Some(spec) => describe(spec, self.aps_before()),
            None => "unknown capacity".into(),
        }
    }

    pub fn describe_target(&self) -> String {
        describe(self.target, self.aps_after())
    }
}

/// What a change of `namespace` to `target` will do, or why it cannot start now: a capacity
/// request already in progress (exit 1). The TRU value is checked apart, with
/// [`check_tru_value`], before the namespace is read.
pub fn plan(namespace: Namespace, info: CapacityInfo, target: CapacitySpec) -> Result<Plan> {
    if let Some(request) = namespace.latest_request()
        && request.state == RequestState::InProgress
    {
        let started = request
            .start_time
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_else(|| "an unknown time".into());
        let op = if request.async_operation_id.is_empty() {
            "unknown".to_string()
        } else {
            request.async_operation_id.clone()
        };
        return Err(Error::Failed(format!(
            "{}: a capacity request is already in progress (started {started}, operation {op}); \
             wait for it, then try again",
            namespace.namespace
        )));
    }
    let previous = namespace.current_capacity();
    let already = capacity_matches(previous, target);
    Ok(Plan {
        namespace,
        info,
        target,
        previous,
        already,
    })
}

/// A TRU value the namespace offers now: one of its valid values (when the server lists them)
/// and within the maximum available; otherwise a usage error listing what is allowed.
pub fn check_tru_value(value: f64, info: &CapacityInfo) -> Result<()> {
    let valid: Vec<f64> = info.valid_tru_values.clone();
    let max = info.max_available_tru_value;
    let allowed: Vec<String> = valid
        .iter()
        .filter(|v| max.is_none_or(|m| **v <= m))
        .map(|v| fmt_tru_value(*v))
        .collect();
    let listed = if allowed.is_empty() {
        "none right now".to_string()
    } else {
        allowed.join(", ")
    };
    if !valid.is_empty() && !valid.iter().any(|v| (v - value).abs() < 1e-9) {
        return Err(Error::Usage(format!(
            "{} TRUs is not a valid value for this namespace; valid values: {listed}",
            fmt_tru_value(value)
        )));
    }
    if let Some(max) = max
        && value > max + 1e-9
    {
        return Err(Error::Usage(format!(
            "{} TRUs is above the {} TRUs available for this namespace now; valid values: {listed}",
            fmt_tru_value(value),
            fmt_tru_value(max)
        )));
    }
    Ok(())
}

/// TRUs are doubles on the wire; compare with a tolerance rather than bit for bit.
/// The command that puts `namespace` at `target`, for messages that leave it to a person.
pub fn command_for(namespace: &str, target: CapacitySpec) -> String {
    match target {
        CapacitySpec::OnDemand => format!("tcap revert {namespace}"),
        CapacitySpec::Provisioned { value } => {
            format!("tcap provision {namespace} {}", fmt_tru_value(value))
        }
    }
}

pub fn capacity_matches(actual: Option<CapacitySpec>, expected: CapacitySpec) -> bool {
    match (actual, expected) {
        (Some(CapacitySpec::OnDemand), CapacitySpec::OnDemand) => true,
        (Some(CapacitySpec::Provisioned { value: a }), CapacitySpec::Provisioned { value: e }) => {
            (a - e).abs() < 1e-9
        }
        _ => false,
    }
}

/// "provisioned 4 TRUs, latest request in-progress" — for messages about what was last seen.
pub fn describe_capacity(ns: &Namespace) -> String {
    let mode = ns
        .current_capacity()
        .map(|c| c.to_string())
        .unwrap_or_else(|| "no capacity reported".into());
    match ns.latest_request() {
        Some(r) => format!("{mode}, latest request {}", r.state.short()),
        None => mode,
    }
}

/// The outcome of comparing a namespace with what was expected.
#[derive(Clone, Debug)]
pub struct Check {
    pub namespace: Namespace,
    pub matches: bool,
    pub differences: Vec<String>,
}

pub fn check(namespace: Namespace, expected: CapacitySpec) -> Check {
    let mut differences = Vec::new();
    let current = namespace.current_capacity();
    if !capacity_matches(current, expected) {
        differences.push(format!(
            "expected {expected}, found {}",
            current.map_or("no capacity reported".to_string(), |c| c.to_string())
        ));
    }
    if let Some(r) = namespace.latest_request() {
        match r.state {
            RequestState::InProgress => differences.push(format!(
                "a capacity request is in progress{}",
                r.spec.map(|s| format!(" (to {s})")).unwrap_or_default()
            )),
            RequestState::Failed if differences.is_empty() => {}
            RequestState::Failed => differences.push(format!(
                "the latest capacity request failed{}",
                r.spec.map(|s| format!(" (to {s})")).unwrap_or_default()
            )),
            _ => {}
        }
    }
    Check {
        matches: differences.is_empty(),
        namespace,
        differences,
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.differences.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_ids_split_on_the_last_dot() {
        for ok in [
            "payments-prod.a1b2c",
            "capacity-test.temporal-dev",
            "ab.x",
            "My-Ns.abc12",
        ] {
            assert!(validate_namespace_id(ok).is_ok(), "{ok}");
        }
        for bad in [
            "payments-prod",
            ".a1b2c",
            "payments-prod.",
            "a.b1c",
            "-x.a",
            "x-.a",
            "pay_ments.a1",
            "a b.c",
        ] {
            let err = validate_namespace_id(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}");
            assert!(err.to_string().contains(bad), "{err}");
        }
    }

    #[test]
    fn trus_must_be_positive_whole_numbers() {
        assert_eq!(parse_trus("6"), Ok(6));
        assert_eq!(parse_trus(" 12 "), Ok(12));
        for (bad, says) in [
            ("0", "positive"),
            ("-2", "positive"),
            ("2.5", "whole"),
            ("six", "positive whole number, got 'six'"),
            ("", "positive"),
            ("100000", "beyond"),
        ] {
            let err = parse_trus(bad).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    fn info(valid: &[f64], max: Option<f64>) -> CapacityInfo {
        CapacityInfo {
            valid_tru_values: valid.to_vec(),
            max_available_tru_value: max,
            ..CapacityInfo::default()
        }
    }

    #[test]
    fn tru_values_are_checked_against_capacity_info() {
        let all = [2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 12.0];
        assert!(check_tru_value(6.0, &info(&all, Some(8.0))).is_ok());
        let err = check_tru_value(5.0, &info(&all, Some(8.0))).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string().ends_with("valid values: 2, 3, 4, 6, 8"),
            "{err}"
        );
        let err = check_tru_value(10.0, &info(&all, Some(8.0))).unwrap_err();
        assert!(
            err.to_string().contains("above the 8 TRUs available"),
            "{err}"
        );
        // No list from the server: only the cap applies.
        assert!(check_tru_value(5.0, &info(&[], None)).is_ok());
    }

    #[test]
    fn capacity_comparison() {
        let four = CapacitySpec::Provisioned { value: 4.0 };
        assert!(capacity_matches(Some(four), four));
        assert!(!capacity_matches(Some(CapacitySpec::OnDemand), four));
        assert!(!capacity_matches(None, CapacitySpec::OnDemand));
        assert!(!capacity_matches(
            Some(CapacitySpec::Provisioned { value: 6.0 }),
            four
        ));
    }

    #[test]
    fn descriptions_name_the_aps() {
        assert_eq!(
            describe(CapacitySpec::Provisioned { value: 6.0 }, None),
            "6 TRUs (3,000 APS)"
        );
        assert_eq!(
            describe(CapacitySpec::OnDemand, Some(800.0)),
            "on-demand (limit 800 APS)"
        );
    }
}
