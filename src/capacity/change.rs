//! Plan, apply and verify one capacity change: the machinery behind `provision`, `revert`,
//! `verify` and each step of `schedule-change`.

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use crate::cloud::model::{CapacityInfo, CapacitySpec, Namespace, RequestState, fmt_trus};
use crate::cloud::ops::{OpsClient, WaitError, capacity_matches, describe_capacity};
use crate::error::{ApiError, Error, Result};

use super::recommend::{APS_PER_TRU, fmt_int};

/// How often a stale `resourceVersion` (409) is re-read and retried before giving up.
const MAX_VERSION_RETRIES: u32 = 5;

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

/// Mode and TRUs as tcap prints them in JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CapacityView {
    pub mode: &'static str,
    #[serde(serialize_with = "crate::output::opt_num")]
    pub trus: Option<f64>,
}

impl CapacityView {
    pub fn of(spec: Option<CapacitySpec>) -> CapacityView {
        match spec {
            Some(CapacitySpec::Provisioned { value }) => CapacityView {
                mode: "provisioned",
                trus: Some(value),
            },
            Some(CapacitySpec::OnDemand) => CapacityView {
                mode: "on-demand",
                trus: None,
            },
            None => CapacityView {
                mode: "unknown",
                trus: None,
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CurrentView {
    pub mode: &'static str,
    #[serde(serialize_with = "crate::output::opt_num")]
    pub trus: Option<f64>,
    pub request_state: Option<String>,
}

impl CurrentView {
    pub fn of(ns: &Namespace) -> CurrentView {
        let c = CapacityView::of(ns.current_capacity());
        CurrentView {
            mode: c.mode,
            trus: c.trus,
            request_state: ns.latest_request().map(|r| r.state.short()),
        }
    }
}

/// "6 TRUs (3,000 APS)" or "on-demand (limit 800 APS)".
pub fn describe(spec: CapacitySpec, on_demand_limit: Option<f64>) -> String {
    match spec {
        CapacitySpec::Provisioned { value } => {
            format!(
                "{} TRUs ({} APS)",
                fmt_trus(value),
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

/// Reads the namespace and its capacity-info, and refuses what cannot work before any change:
/// a TRU value the namespace does not offer (exit 2) or a capacity request in progress (exit 1).
pub async fn plan(ops: &OpsClient, namespace_id: &str, target: CapacitySpec) -> Result<Plan> {
    validate_namespace_id(namespace_id)?;
    let info = ops
        .capacity_info(namespace_id)
        .await
        .map_err(|e| not_found_is_clear(e, namespace_id))?;
    if let CapacitySpec::Provisioned { value } = target {
        check_tru_value(value, &info)?;
    }
    let namespace = ops
        .get_namespace(namespace_id)
        .await
        .map_err(|e| not_found_is_clear(e, namespace_id))?;
    plan_from(namespace, info, target)
}

fn plan_from(namespace: Namespace, info: CapacityInfo, target: CapacitySpec) -> Result<Plan> {
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

fn check_tru_value(value: f64, info: &CapacityInfo) -> Result<()> {
    let valid: Vec<f64> = info.valid_tru_values.clone();
    let max = info.max_available_tru_value;
    let allowed: Vec<String> = valid
        .iter()
        .filter(|v| max.is_none_or(|m| **v <= m))
        .map(|v| fmt_trus(*v))
        .collect();
    let listed = if allowed.is_empty() {
        "none right now".to_string()
    } else {
        allowed.join(", ")
    };
    if !valid.is_empty() && !valid.iter().any(|v| (v - value).abs() < 1e-9) {
        return Err(Error::Usage(format!(
            "{} TRUs is not a valid value for this namespace; valid values: {listed}",
            fmt_trus(value)
        )));
    }
    if let Some(max) = max
        && value > max + 1e-9
    {
        return Err(Error::Usage(format!(
            "{} TRUs is above the {} TRUs available for this namespace now; valid values: {listed}",
            fmt_trus(value),
            fmt_trus(max)
        )));
    }
    Ok(())
}

fn not_found_is_clear(e: ApiError, namespace: &str) -> Error {
    if e.is_not_found() {
        Error::Failed(format!("namespace {namespace} not found: {}", e.message))
    } else {
        Error::Api(e)
    }
}

/// The POST went through: the change is in flight under this operation.
#[derive(Clone, Debug)]
pub struct Submitted {
    pub async_operation_id: String,
    pub check_duration: Option<Duration>,
    /// The server said "nothing to change": it already had this capacity.
    pub nothing_to_change: bool,
}

/// GET → copy the whole spec → replace `capacitySpec` → POST with the version just read. A
/// stale version (409) means someone else changed the namespace: re-read, re-check, retry.
/// `async_operation_id` is used for every attempt, so no retry can apply the change twice.
pub async fn submit(ops: &OpsClient, plan: &Plan, async_operation_id: &str) -> Result<Submitted> {
    let mut namespace = plan.namespace.clone();
    for attempt in 1..=MAX_VERSION_RETRIES {
        let spec = namespace.spec_with_capacity(plan.target);
        match ops
            .update_namespace(
                plan.id(),
                spec,
                &namespace.resource_version,
                async_operation_id,
            )
            .await
        {
            Ok(op) => {
                return Ok(Submitted {
                    async_operation_id: if op.id.is_empty() {
                        async_operation_id.to_string()
                    } else {
                        op.id
                    },
                    check_duration: op.check_duration,
                    nothing_to_change: false,
                });
            }
            // The last stale version falls through to the temporary error below (exit 75):
            // someone else keeps editing the namespace, which is worth retrying later.
            Err(e) if e.status == Some(409) => {
                if attempt == MAX_VERSION_RETRIES {
                    break;
                }
                tracing::info!(
                    "{}: the namespace changed while we were updating it ({}); reading it again",
                    plan.id(),
                    e.message
                );
                namespace = ops.get_namespace(plan.id()).await?;
                let fresh = plan_from(namespace.clone(), plan.info.clone(), plan.target)?;
                if fresh.already {
                    return Ok(Submitted {
                        async_operation_id: async_operation_id.to_string(),
                        check_duration: None,
                        nothing_to_change: true,
                    });
                }
            }
            Err(e)
                if e.status == Some(400)
                    && e.message.to_lowercase().contains("nothing to change") =>
            {
                return Ok(Submitted {
                    async_operation_id: async_operation_id.to_string(),
                    check_duration: None,
                    nothing_to_change: true,
                });
            }
            Err(e) => return Err(Error::Api(e)),
        }
    }
    Err(Error::Temporary(format!(
        "{}: the namespace kept changing under us ({MAX_VERSION_RETRIES} stale resource versions); try again",
        plan.id()
    )))
}

/// Waits for the operation, then for the capacity request: success only once the namespace
/// shows the target capacity.
pub async fn await_applied(
    ops: &OpsClient,
    namespace: &str,
    submitted: &Submitted,
    target: CapacitySpec,
    deadline: Instant,
) -> Result<Namespace, WaitError> {
    if !submitted.nothing_to_change {
        ops.wait_operation(&submitted.async_operation_id, deadline)
            .await?;
    }
    // "Nothing to change" means the server already wants `target`: the latest request,
    // whichever operation made it, is the one that brings it (or failed to), not ours.
    let operation = if submitted.nothing_to_change {
        ""
    } else {
        submitted.async_operation_id.as_str()
    };
    ops.wait_capacity(
        namespace,
        operation,
        target,
        submitted.check_duration,
        deadline,
    )
    .await
}

/// Turns a failed wait into the error the contract wants, with what to do next.
pub fn wait_error(e: WaitError, namespace: &str, target: CapacitySpec, op: &str) -> Error {
    let check = verify_command(namespace, target);
    match e {
        WaitError::Api(e) => Error::Api(e),
        WaitError::OperationFailed { state, reason } => Error::Failed(format!(
            "{namespace}: operation {op} ended {}: {reason}",
            state.wire_name()
        )),
        WaitError::RequestFailed { namespace: ns } => Error::Failed(format!(
            "{namespace}: the capacity request failed; the namespace is {}",
            describe_capacity(&ns)
        )),
        WaitError::TimedOut { last_seen } => Error::Temporary(format!(
            "{namespace}: not applied within the wait timeout (last seen: {last_seen}); \
             the change may still complete: check with `{check}`"
        )),
    }
}

pub fn verify_command(namespace: &str, target: CapacitySpec) -> String {
    match target {
        CapacitySpec::Provisioned { value } => format!(
            "tcap verify {namespace} --trus {} --wait 10m",
            fmt_trus(value)
        ),
        CapacitySpec::OnDemand => format!("tcap verify {namespace} --on-demand --wait 10m"),
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
    fn descriptions_name_the_aps() {
        assert_eq!(
            describe(CapacitySpec::Provisioned { value: 6.0 }, None),
            "6 TRUs (3,000 APS)"
        );
        assert_eq!(
            describe(CapacitySpec::OnDemand, Some(800.0)),
            "on-demand (limit 800 APS)"
        );
        assert_eq!(
            verify_command("a.b", CapacitySpec::Provisioned { value: 4.0 }),
            "tcap verify a.b --trus 4 --wait 10m"
        );
    }
}
