//! The I/O steps of one capacity change: read and check, submit, wait until applied, verify.
//! `provision`, `revert`, `verify` and each step of `schedule-change` all go through here; the
//! decisions they make on the way are `capacity::change`'s.

use std::time::Duration;

use indicatif::ProgressBar;
use tokio::time::Instant;

use crate::capacity::change::{self, Check, Plan, capacity_matches, describe_capacity};
use crate::cloud::model::fmt_tru_value;
use crate::cloud::model::{AsyncOperation, CapacitySpec, Namespace, OperationState, RequestState};
use crate::cloud::ops::OpsClient;
use crate::error::{ApiError, ApiErrorKind, Error, Result};
use crate::timing;

/// How often a stale `resourceVersion` is re-read and retried before giving up.
const MAX_VERSION_RETRIES: u32 = 5;
/// The polling interval when the server gives no `checkDuration`, and its bounds.
const DEFAULT_POLL: Duration = Duration::from_secs(2);
const MIN_POLL: Duration = Duration::from_secs(1);
const MAX_POLL: Duration = Duration::from_secs(30);

pub fn poll_interval(check: Option<Duration>) -> Duration {
    check.unwrap_or(DEFAULT_POLL).clamp(MIN_POLL, MAX_POLL)
}

/// Reads the namespace and its capacity-info, and refuses what cannot work before any change:
/// a TRU value the namespace does not offer (exit 2) or a capacity request in progress (exit 1).
pub async fn read_plan(ops: &OpsClient, namespace_id: &str, target: CapacitySpec) -> Result<Plan> {
    change::validate_namespace_id(namespace_id)?;
    let info = ops
        .capacity_info(namespace_id)
        .await
        .map_err(|e| not_found_is_clear(e, namespace_id))?;
    if let CapacitySpec::Provisioned { value } = target {
        change::check_tru_value(value, &info)?;
    }
    let namespace = read_namespace(ops, namespace_id).await?;
    change::plan(namespace, info, target)
}

/// The namespace, with a 404 said as "not found" rather than as an API failure.
pub async fn read_namespace(ops: &OpsClient, namespace_id: &str) -> Result<Namespace> {
    ops.get_namespace(namespace_id)
        .await
        .map_err(|e| not_found_is_clear(e, namespace_id))
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

impl Submitted {
    /// A request sent earlier (by a run that was interrupted), to wait for again.
    pub fn earlier(async_operation_id: String) -> Submitted {
        Submitted {
            async_operation_id,
            check_duration: None,
            nothing_to_change: false,
        }
    }

    fn nothing_to_change(async_operation_id: &str) -> Submitted {
        Submitted {
            async_operation_id: async_operation_id.to_string(),
            check_duration: None,
            nothing_to_change: true,
        }
    }
}

/// What became of a request sent earlier under an `asyncOperationId` recorded before its POST,
/// by a run that was then interrupted.
#[derive(Debug)]
pub enum Earlier {
    /// The namespace has the target and no request is in progress.
    InForce,
    /// Still going: wait for it.
    Pending(Submitted),
    /// It ended FAILED, CANCELLED or REJECTED: that request is over, and another needs a new id.
    Ended(OperationState),
    /// The server never saw it: sending it now, with the same id, is safe.
    NeverSent,
}

pub async fn earlier(
    ops: &OpsClient,
    namespace_id: &str,
    async_operation_id: &str,
    target: CapacitySpec,
) -> Result<Earlier> {
    let current = read_namespace(ops, namespace_id).await?;
    let settled = current
        .latest_request()
        .is_none_or(|r| r.state != RequestState::InProgress);
    if settled && capacity_matches(current.current_capacity(), target) {
        return Ok(Earlier::InForce);
    }
    match ops.get_operation(async_operation_id).await {
        Ok(op)
            if matches!(
                op.state,
                OperationState::Failed | OperationState::Cancelled | OperationState::Rejected
            ) =>
        {
            Ok(Earlier::Ended(op.state))
        }
        Ok(_) => Ok(Earlier::Pending(Submitted::earlier(
            async_operation_id.to_string(),
        ))),
        Err(e) if e.is_not_found() => Ok(Earlier::NeverSent),
        Err(e) => Err(Error::Api(e)),
    }
}

/// GET → copy the whole spec → replace `capacitySpec` → POST with the version just read. A
/// stale version means someone else changed the namespace: re-read, re-check, retry.
/// `async_operation_id` is used for every attempt, so no retry can apply the change twice.
pub async fn submit(ops: &OpsClient, plan: &Plan, async_operation_id: &str) -> Result<Submitted> {
    let mut namespace = plan.namespace.clone();
    for attempt in 1..=MAX_VERSION_RETRIES {
        let spec = namespace.spec_with_capacity(plan.target);
        let sent = ops
            .update_namespace(
                plan.id(),
                spec,
                &namespace.resource_version,
                async_operation_id,
            )
            .await;
        match sent {
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
            Err(e) if e.kind == ApiErrorKind::StaleVersion => {
                if attempt == MAX_VERSION_RETRIES {
                    break;
                }
                tracing::info!(
                    "{}: the namespace changed while we were updating it ({}); reading it again",
                    plan.id(),
                    e.message
                );
                namespace = ops.get_namespace(plan.id()).await?;
                // A server that checks the version before the operation id refuses the retry
                // of a POST whose reply was lost: the change it is applying is our own.
                if namespace
                    .latest_request()
                    .is_some_and(|r| r.async_operation_id == async_operation_id)
                {
                    tracing::info!(
                        "{}: the capacity request in progress is ours (operation {async_operation_id}); waiting for it",
                        plan.id()
                    );
                    return Ok(Submitted::earlier(async_operation_id.to_string()));
                }
                let fresh = change::plan(namespace.clone(), plan.info.clone(), plan.target)?;
                if fresh.already {
                    return Ok(Submitted::nothing_to_change(async_operation_id));
                }
            }
            Err(e) if e.kind == ApiErrorKind::NothingToChange => {
                return Ok(Submitted::nothing_to_change(async_operation_id));
            }
            Err(e) => return Err(Error::Api(e)),
        }
    }
    Err(Error::Temporary(format!(
        "{}: the namespace kept changing under us ({MAX_VERSION_RETRIES} stale resource versions); try again",
        plan.id()
    )))
}

/// Why a wait ended without success.
#[derive(Debug)]
pub enum WaitError {
    Api(ApiError),
    /// The operation ended FAILED, CANCELLED or REJECTED.
    OperationFailed {
        state: OperationState,
        reason: String,
    },
    /// `capacity.latestRequest` ended FAILED.
    RequestFailed {
        namespace: Box<Namespace>,
    },
    /// The deadline passed; `last_seen` says what the server showed last.
    TimedOut {
        last_seen: String,
    },
}

impl From<ApiError> for WaitError {
    fn from(e: ApiError) -> Self {
        WaitError::Api(e)
    }
}

/// Waits for the operation, then for the capacity request: success only once the namespace
/// shows the target capacity.
/// `bar` shows what the server says while waiting (a hidden one shows nothing).
pub async fn await_applied(
    ops: &OpsClient,
    namespace: &str,
    submitted: &Submitted,
    target: CapacitySpec,
    deadline: Instant,
    bar: &ProgressBar,
) -> Result<Namespace, WaitError> {
    if !submitted.nothing_to_change {
        bar.set_message(format!("{namespace}: applying {target}"));
        wait_operation_shown(ops, &submitted.async_operation_id, deadline, bar).await?;
    }
    // "Nothing to change" means the server already wants `target`: the latest request,
    // whichever operation made it, is the one that brings it (or failed to), not ours.
    let operation = if submitted.nothing_to_change {
        ""
    } else {
        submitted.async_operation_id.as_str()
    };
    wait_capacity_shown(
        ops,
        namespace,
        operation,
        target,
        submitted.check_duration,
        deadline,
        bar,
    )
    .await
}

/// Polls the operation at the server's `checkDuration` (1 s to 30 s) until it ends or the
/// deadline passes. FULFILLED is success; FAILED, CANCELLED and REJECTED are failures.
pub async fn wait_operation(
    ops: &OpsClient,
    id: &str,
    deadline: Instant,
) -> Result<AsyncOperation, WaitError> {
    wait_operation_shown(ops, id, deadline, &ProgressBar::hidden()).await
}

async fn wait_operation_shown(
    ops: &OpsClient,
    id: &str,
    deadline: Instant,
    bar: &ProgressBar,
) -> Result<AsyncOperation, WaitError> {
    let what = bar.message();
    loop {
        let op = ops.get_operation(id).await?;
        bar.set_message(format!("{what} (operation {})", op.state.wire_name()));
        match op.state {
            OperationState::Fulfilled => return Ok(op),
            OperationState::Failed | OperationState::Cancelled | OperationState::Rejected => {
                return Err(WaitError::OperationFailed {
                    reason: if op.failure_reason.is_empty() {
                        "the server gave no reason".into()
                    } else {
                        op.failure_reason.clone()
                    },
                    state: op.state,
                });
            }
            _ => {}
        }
        let pause = poll_interval(op.check_duration);
        if !timing::ends_before(pause, deadline) {
            return Err(WaitError::TimedOut {
                last_seen: format!("operation {id} is {}", op.state.wire_name()),
            });
        }
        timing::sleep(pause).await;
    }
}

/// Polls the namespace until `capacity.latestRequest` for our operation is COMPLETED and the
/// capacity is `expected`. The operation can finish before the capacity request does.
/// An empty `async_operation_id` accepts whichever request is the latest as ours.
pub async fn wait_capacity(
    ops: &OpsClient,
    namespace: &str,
    async_operation_id: &str,
    expected: CapacitySpec,
    poll: Option<Duration>,
    deadline: Instant,
) -> Result<Namespace, WaitError> {
    let bar = ProgressBar::hidden();
    wait_capacity_shown(
        ops,
        namespace,
        async_operation_id,
        expected,
        poll,
        deadline,
        &bar,
    )
    .await
}

async fn wait_capacity_shown(
    ops: &OpsClient,
    namespace: &str,
    async_operation_id: &str,
    expected: CapacitySpec,
    poll: Option<Duration>,
    deadline: Instant,
    bar: &ProgressBar,
) -> Result<Namespace, WaitError> {
    loop {
        let ns = ops.get_namespace(namespace).await?;
        bar.set_message(format!(
            "{namespace}: waiting for {expected} (now {})",
            describe_capacity(&ns)
        ));
        let request = ns.latest_request();
        let ours = async_operation_id.is_empty()
            || request.is_none_or(|r| {
                r.async_operation_id.is_empty() || r.async_operation_id == async_operation_id
            });
        match request.map(|r| &r.state) {
            Some(RequestState::InProgress) | Some(RequestState::Unspecified) => {}
            // A null latestRequest, a completed one, or a failed one that left the capacity
            // where we want it anyway: done once the capacity shows it.
            _ if capacity_matches(ns.current_capacity(), expected) => return Ok(ns),
            Some(RequestState::Failed) if ours => {
                return Err(WaitError::RequestFailed {
                    namespace: Box::new(ns),
                });
            }
            _ => {}
        }
        let pause = poll_interval(poll);
        if !timing::ends_before(pause, deadline) {
            return Err(WaitError::TimedOut {
                last_seen: describe_capacity(&ns),
            });
        }
        timing::sleep(pause).await;
    }
}

/// Reads the namespace until it shows `expected` or the deadline passes; the last reading
/// either way.
pub async fn check_until(
    ops: &OpsClient,
    namespace_id: &str,
    expected: CapacitySpec,
    deadline: Instant,
    bar: &ProgressBar,
) -> Result<Check> {
    loop {
        let ns = read_namespace(ops, namespace_id).await?;
        bar.set_message(format!(
            "{namespace_id}: expecting {expected} (now {})",
            describe_capacity(&ns)
        ));
        let check = change::check(ns, expected);
        let pause = poll_interval(None);
        if check.matches || !timing::ends_before(pause, deadline) {
            return Ok(check);
        }
        tracing::debug!("{namespace_id}: {check}; checking again");
        timing::sleep(pause).await;
    }
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

/// The command that checks a change later, for messages about one still in flight.
pub fn verify_command(namespace: &str, target: CapacitySpec) -> String {
    match target {
        CapacitySpec::Provisioned { value } => format!(
            "tcap verify {namespace} --trus {} --wait 10m",
            fmt_tru_value(value)
        ),
        CapacitySpec::OnDemand => format!("tcap verify {namespace} --on-demand --wait 10m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_follows_check_duration_within_bounds() {
        assert_eq!(poll_interval(None), Duration::from_secs(2));
        assert_eq!(
            poll_interval(Some(Duration::from_millis(10))),
            Duration::from_secs(1)
        );
        assert_eq!(
            poll_interval(Some(Duration::from_secs(10))),
            Duration::from_secs(10)
        );
        assert_eq!(
            poll_interval(Some(Duration::from_secs(600))),
            Duration::from_secs(30)
        );
    }

    #[test]
    fn the_check_command_names_the_target() {
        assert_eq!(
            verify_command("a.b", CapacitySpec::Provisioned { value: 4.0 }),
            "tcap verify a.b --trus 4 --wait 10m"
        );
        assert_eq!(
            verify_command("a.b", CapacitySpec::OnDemand),
            "tcap verify a.b --on-demand --wait 10m"
        );
    }
}
