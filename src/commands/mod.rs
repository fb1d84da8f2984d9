//! One module per subcommand: its arguments and its `run`.

pub mod analyze;
pub mod changes;
pub mod completions;
pub mod dev_server;
pub mod man;
pub mod provision;
pub mod schedule_change;
pub mod verify;

use crate::cli::Command;
use crate::error::Result;
use crate::output::Printer;
use crate::settings::Settings;

/// What every command gets: the resolved settings and the printer.
pub struct Context {
    pub settings: Settings,
    pub printer: Printer,
}

pub async fn dispatch(command: Command, ctx: Context) -> Result<()> {
    match command {
        Command::Analyze(args) => analyze::run(args, &ctx).await,
        Command::Provision(args) => provision::run_provision(args, &ctx).await,
        Command::Revert(args) => provision::run_revert(args, &ctx).await,
        Command::Verify(args) => verify::run(args, &ctx).await,
        Command::ScheduleChange(args) => schedule_change::run(args, &ctx).await,
        Command::Changes(args) => changes::run(args, &ctx).await,
        Command::DevServer(args) => dev_server::run(args, &ctx).await,
        Command::Completions(args) => completions::run(args, &ctx),
        Command::Man(args) => man::run(args),
    }
}
