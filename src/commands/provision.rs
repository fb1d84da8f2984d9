//! `tcap provision <NAMESPACE> <TRUS>` and `tcap revert <NAMESPACE>`: one capacity change,
//! checked before it is sent and proven after.

use std::time::Duration;

use clap::Args;
use tokio::time::Instant;

use super::Context;
use super::change_report::{CapacityView, ChangeReport, CurrentView, fail, finish};
use crate::apply;
use crate::capacity::change::{self, Plan, parse_trus};
use crate::cloud::model::CapacitySpec;
use crate::cloud::ops::OpsClient;
use crate::error::Result;
use crate::settings::parse_duration;

#[derive(Debug, Args)]
#[command(
    override_usage = "tcap provision [OPTIONS] <NAMESPACE> <TRUS>",
    after_help = "\
Examples:
  # The plan, APS before and after; nothing is sent
  tcap provision payments-prod.a1b2c 6 --dry-run

  # Provision 6 TRUs and wait until they are in force
  tcap provision payments-prod.a1b2c 6

  # From cron: -q prints nothing on success, so cron mails only a failure
  0 23 * * *  tcap -q provision batch-prod.a1b2c 8"
)]
pub struct ProvisionArgs {
    /// Namespace ID (<name>.<account>), e.g. payments-prod.a1b2c
    pub namespace: String,
    /// TRUs to provision: one of the namespace's valid values (e.g. 2, 3, 4, 6, 8, 10, 12)
    #[arg(value_parser = parse_trus, allow_negative_numbers = true)]
    pub trus: u32,
    #[command(flatten)]
    pub change: ChangeArgs,
}

#[derive(Debug, Args)]
#[command(
    override_usage = "tcap revert [OPTIONS] <NAMESPACE>",
    after_help = "\
Examples:
  # Back to On-Demand, and wait until it is in force
  tcap revert payments-prod.a1b2c

  # Return once the change is accepted, and check on it later
  tcap revert payments-prod.a1b2c --no-wait
  tcap verify payments-prod.a1b2c --on-demand --wait 10m"
)]
pub struct RevertArgs {
    /// Namespace ID (<name>.<account>), e.g. payments-prod.a1b2c
    pub namespace: String,
    #[command(flatten)]
    pub change: ChangeArgs,
}

#[derive(Debug, Args)]
pub struct ChangeArgs {
    /// Print the planned change and send nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Return once the change is accepted, without waiting for it to apply
    #[arg(long, conflicts_with = "wait_timeout")]
    pub no_wait: bool,
    /// How long to wait for the change to apply
    #[arg(long, default_value = "10m", value_parser = parse_duration, value_name = "DURATION")]
    pub wait_timeout: Duration,
}

pub async fn run_provision(args: ProvisionArgs, ctx: &Context) -> Result<()> {
    let target = CapacitySpec::Provisioned {
        value: f64::from(args.trus),
    };
    apply(&args.namespace, target, &args.change, ctx).await
}

pub async fn run_revert(args: RevertArgs, ctx: &Context) -> Result<()> {
    apply(&args.namespace, CapacitySpec::OnDemand, &args.change, ctx).await
}

async fn apply(
    namespace: &str,
    target: CapacitySpec,
    args: &ChangeArgs,
    ctx: &Context,
) -> Result<()> {
    change::validate_namespace_id(namespace)?;
    let started = std::time::Instant::now();
    let ops = OpsClient::new(&ctx.settings.cloud_ops_endpoint()?)?;
    let plan = apply::read_plan(&ops, namespace, target).await?;
    let mut report = ChangeReport {
        namespace: namespace.to_string(),
        previous: Some(CapacityView::of(plan.previous)),
        requested: Some(CapacityView::of(Some(target))),
        expected: None,
        current: Some(CurrentView::of(&plan.namespace)),
        changed: false,
        verified: false,
        async_operation_id: None,
        dry_run: args.dry_run,
        elapsed_seconds: 0.0,
        message: String::new(),
        errors: Vec::new(),
    };

    if plan.already {
        report.verified = true;
        report.message = format!(
            "{namespace}: already {}; nothing sent",
            plan.describe_target()
        );
        return finish(report, started, ctx);
    }
    if args.dry_run {
        report.message = format!(
            "{namespace}: would change {} → {}; nothing sent (--dry-run)",
            plan.describe_previous(),
            plan.describe_target()
        );
        return finish(report, started, ctx);
    }

    let op_id = uuid::Uuid::new_v4().to_string();
    let submitted = apply::submit(&ops, &plan, &op_id).await?;
    report.changed = !submitted.nothing_to_change;
    // "Nothing to change": the server never saw our operation id, so there is none to report.
    report.async_operation_id =
        (!submitted.nothing_to_change).then(|| submitted.async_operation_id.clone());
    let check = apply::verify_command(namespace, target);
    if args.no_wait {
        let operation = match &report.async_operation_id {
            Some(id) => format!("operation {id}"),
            None => "the server already had it requested".to_string(),
        };
        report.message = format!(
            "{namespace}: {} → {} requested ({operation}); check with `{check}`",
            plan.describe_previous(),
            plan.describe_target(),
        );
        return finish(report, started, ctx);
    }

    ctx.interrupt.set(format!(
        "the change of {namespace} to {target} is in flight (operation {}); check with `{check}`",
        submitted.async_operation_id
    ));
    let deadline = Instant::now() + args.wait_timeout;
    let bar = ctx.printer.spinner("");
    let waited = apply::await_applied(&ops, namespace, &submitted, target, deadline, &bar).await;
    bar.finish_and_clear();
    ctx.interrupt.clear();
    match waited {
        Ok(ns) => {
            report.current = Some(CurrentView::of(&ns));
            report.verified = true;
            report.message = format!(
                "{namespace}: {} → {}, verified in {}",
                short(&plan, plan.previous),
                plan.describe_target(),
                humantime::format_duration(Duration::from_secs(started.elapsed().as_secs()))
            );
            finish(report, started, ctx)
        }
        Err(e) => {
            let error = apply::wait_error(e, namespace, target, &submitted.async_operation_id);
            if let Ok(ns) = ops.get_namespace(namespace).await {
                report.current = Some(CurrentView::of(&ns));
            }
            report.errors.push(error.to_string());
            report.message = error.to_string();
            fail(report, started, error, ctx)
        }
    }
}

/// The previous capacity without its APS when it is On-Demand: the line stays short.
fn short(plan: &Plan, spec: Option<CapacitySpec>) -> String {
    match spec {
        Some(CapacitySpec::OnDemand) => "on-demand".into(),
        _ => plan.describe_previous(),
    }
}
