//! The report of one capacity change, shared by `provision`, `revert` and `verify`: its JSON
//! (the contract's fields, and a few more) and how it ends a command.

use serde::{Serialize, Serializer};

use super::Context;
use crate::capacity::Mode;
use crate::cloud::model::{CapacitySpec, Namespace};
use crate::error::{Error, Result};
use crate::output::{OutputFormat, opt_num};

/// Mode and TRUs as tcap prints them in JSON; a namespace that reports no capacity shows
/// `"unknown"`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CapacityView {
    #[serde(serialize_with = "mode_or_unknown")]
    pub mode: Option<Mode>,
    #[serde(serialize_with = "opt_num")]
    pub trus: Option<f64>,
}

impl CapacityView {
    pub fn of(spec: Option<CapacitySpec>) -> CapacityView {
        CapacityView {
            mode: spec.map(Mode::of),
            trus: match spec {
                Some(CapacitySpec::Provisioned { value }) => Some(value),
                _ => None,
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CurrentView {
    #[serde(flatten)]
    pub capacity: CapacityView,
    pub request_state: Option<String>,
}

impl CurrentView {
    pub fn of(ns: &Namespace) -> CurrentView {
        CurrentView {
            capacity: CapacityView::of(ns.current_capacity()),
            request_state: ns.latest_request().map(|r| r.state.short()),
        }
    }
}

fn mode_or_unknown<S: Serializer>(mode: &Option<Mode>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(mode.map_or("unknown", Mode::as_str))
}

/// The JSON of provision, revert and verify (the contract's fields, and a few more).
#[derive(Debug, Serialize)]
pub struct ChangeReport {
    pub namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<CapacityView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested: Option<CapacityView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<CapacityView>,
    pub current: Option<CurrentView>,
    pub changed: bool,
    pub verified: bool,
    pub async_operation_id: Option<String>,
    pub dry_run: bool,
    pub elapsed_seconds: f64,
    pub message: String,
    pub errors: Vec<String>,
}

/// Prints the report: the JSON, or its message as one line.
pub fn finish(mut report: ChangeReport, started: std::time::Instant, ctx: &Context) -> Result<()> {
    report.elapsed_seconds = (started.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    match ctx.printer.format {
        OutputFormat::Json => ctx.printer.json(&report),
        _ => ctx.printer.outcome(&report.message),
    }
}

/// Prints the JSON report (scripts parse it even on failure), then fails with `error`.
pub fn fail(
    mut report: ChangeReport,
    started: std::time::Instant,
    error: Error,
    ctx: &Context,
) -> Result<()> {
    report.elapsed_seconds = (started.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    if ctx.printer.format == OutputFormat::Json {
        ctx.printer.json(&report)?;
    }
    Err(error)
}
