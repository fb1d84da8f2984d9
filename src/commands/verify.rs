//! `tcap verify <NAMESPACE> (--trus N | --on-demand) [--wait D]`: exit 0 when the namespace has
//! the expected capacity, 3 when it does not.

use std::time::Duration;

use clap::Args;
use tokio::time::Instant;

use super::Context;
use super::change_report::{CapacityView, ChangeReport, CurrentView, fail, finish};
use crate::apply;
use crate::capacity::change::{self, parse_trus};
use crate::cloud::model::CapacitySpec;
use crate::cloud::ops::OpsClient;
use crate::error::{Error, Result};
use crate::settings::parse_duration;

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("expect").required(true).args(["trus", "on_demand"])))]
#[command(
    override_usage = "tcap verify [OPTIONS] <NAMESPACE> <--trus <N>|--on-demand>",
    after_help = "\
Examples:
  # Exit 0 when the namespace has 6 TRUs, 3 when not (saying what differs)
  tcap verify payments-prod.a1b2c --trus 6

  # After a change sent with --no-wait: poll for up to 10 minutes
  tcap verify payments-prod.a1b2c --trus 6 --wait 10m

  # In a script: what the namespace has now
  tcap verify payments-prod.a1b2c --on-demand -o json | jq .current"
)]
pub struct VerifyArgs {
    /// Namespace ID (<name>.<account>), e.g. payments-prod.a1b2c
    pub namespace: String,
    /// Expect Provisioned Capacity of N TRUs
    #[arg(long, value_parser = parse_trus, allow_negative_numbers = true, value_name = "N")]
    pub trus: Option<u32>,
    /// Expect On-Demand capacity
    #[arg(long)]
    pub on_demand: bool,
    /// Poll until it matches or this much time has passed
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub wait: Option<Duration>,
}

pub async fn run(args: VerifyArgs, ctx: &Context) -> Result<()> {
    change::validate_namespace_id(&args.namespace)?;
    let expected = match args.trus {
        Some(t) => CapacitySpec::Provisioned {
            value: f64::from(t),
        },
        None => CapacitySpec::OnDemand,
    };
    let started = std::time::Instant::now();
    let ops = OpsClient::new(&ctx.settings.cloud_ops_endpoint()?)?;
    let deadline = Instant::now() + args.wait.unwrap_or(Duration::ZERO);
    let bar = match args.wait {
        Some(_) => ctx.printer.spinner(""),
        None => indicatif::ProgressBar::hidden(),
    };
    let check = apply::check_until(&ops, &args.namespace, expected, deadline, &bar).await;
    bar.finish_and_clear();
    let check = check?;
    let mut report = ChangeReport {
        namespace: args.namespace.clone(),
        previous: None,
        requested: None,
        expected: Some(CapacityView::of(Some(expected))),
        current: Some(CurrentView::of(&check.namespace)),
        changed: false,
        verified: check.matches,
        async_operation_id: check
            .namespace
            .latest_request()
            .map(|r| r.async_operation_id.clone())
            .filter(|id| !id.is_empty()),
        dry_run: false,
        elapsed_seconds: 0.0,
        message: String::new(),
        errors: Vec::new(),
    };
    if check.matches {
        report.message = format!(
            "{}: {} as expected",
            args.namespace,
            change::describe(expected, check.namespace.aps_limit())
        );
        finish(report, started, ctx)
    } else {
        let message = format!("{}: {check}", args.namespace);
        report.errors = check.differences.clone();
        report.message = message.clone();
        fail(report, started, Error::Mismatch(message), ctx)
    }
}
