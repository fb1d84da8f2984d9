//! One module per subcommand: its arguments and its `run`. Helpers that several commands share
//! live in modules of their own here (`change_report`, `report`, `scheduled`, `event_run`,
//! `slack`, `demo`), never borrowed from a sibling.

pub mod analyze;
pub mod autopilot;
pub mod change_report;
pub mod changes;
pub mod completions;
pub mod demo;
pub mod dev_server;
pub mod event_run;
pub mod man;
pub mod plan;
pub mod provision;
pub mod report;
pub mod schedule_change;
pub mod scheduled;
pub mod slack;
pub mod verify;

use crate::interrupt::InterruptNote;
use crate::output::Printer;
use crate::settings::Settings;

/// What every command gets: the resolved settings, the printer, and the note to leave for an
/// interruption.
pub struct Context {
    pub settings: Settings,
    pub printer: Printer,
    pub interrupt: InterruptNote,
}

impl Context {
    pub fn new(settings: Settings, interrupt: InterruptNote) -> Context {
        let printer = Printer::new(
            settings.output,
            settings.color_stdout,
            settings.progress,
            settings.table_width,
        )
        .terminal(settings.stdout_terminal)
        .quiet(settings.verbosity == crate::settings::Verbosity::Quiet);
        Context {
            settings,
            printer,
            interrupt,
        }
    }
}
