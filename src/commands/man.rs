//! `tcap man <DIR>`: one manual page per command.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::error::{Error, Result};

#[derive(Debug, Args)]
#[command(
    override_usage = "tcap man [OPTIONS] <DIR>",
    after_help = "\
Examples:
  # For you: man finds ~/.local/share/man when ~/.local/bin is on PATH
  tcap man ~/.local/share/man/man1
  man tcap-schedule-change

  # For everyone on the machine
  sudo tcap man /usr/local/share/man/man1"
)]
pub struct ManArgs {
    /// Directory to write the pages into (created if missing)
    pub dir: PathBuf,
}

/// `cli` is the whole command line, handed down by the caller (commands do not look up).
pub fn run(args: ManArgs, cli: clap::Command) -> Result<()> {
    for (name, page) in pages(cli) {
        write(&args.dir, &name, &page)?;
    }
    Ok(())
}

fn write(dir: &Path, name: &str, page: &[u8]) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let path = dir.join(name);
    std::fs::write(&path, page).map_err(|e| Error::io(format!("writing {}", path.display()), e))
}

/// `(file name, roff)` for tcap and each subcommand, nested ones included (`tcap-changes-list.1`).
pub fn pages(command: clap::Command) -> Vec<(String, Vec<u8>)> {
    // clap's generated `help` subcommand would only point at a page that does not exist.
    let mut command = without_help_subcommand(command);
    command.build();
    let mut out = Vec::new();
    collect(&command, "tcap", &mut out);
    out
}

fn collect(command: &clap::Command, name: &str, out: &mut Vec<(String, Vec<u8>)>) {
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone().name(name.to_string()))
        .render(&mut page)
        .expect("rendering into memory cannot fail");
    out.push((format!("{name}.1"), with_exit_status(page)));
    for sub in command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        collect(sub, &format!("{name}-{}", sub.get_name()), out);
    }
}

fn without_help_subcommand(command: clap::Command) -> clap::Command {
    command
        .disable_help_subcommand(true)
        .mut_subcommands(without_help_subcommand)
}

/// The exit codes of the contract (README, "Exit status"), for cron and scripts.
const EXIT_STATUS: &[(&str, &str)] = &[
    (
        "0",
        "Success, including \"already in that state\" and \"nothing to do\".",
    ),
    (
        "1",
        "The operation failed: an API error, a failed or rejected operation, a namespace that \
         could not be analyzed, or an endpoint that cannot be reached as configured (a host \
         name that does not resolve, a failed TLS handshake).",
    ),
    ("2", "Usage or invalid input; nothing was changed."),
    (
        "3",
        "verify: not in the expected state. schedule\\-change and changes resume: finished \
         with errors, or the boost did not hold for its window.",
    ),
    ("4", "Authentication or permission refused (401, 403)."),
    (
        "75",
        "Temporary failure after retries (429, 5xx, timeouts, connection refused, a lock held \
         by another run): try again later.",
    ),
    (
        "130",
        "Interrupted (Ctrl\\-C, SIGTERM); a scheduled change keeps its state file for \
         changes resume.",
    ),
];

/// Adds an EXIT STATUS section before VERSION (clap_mangen has no such section).
fn with_exit_status(page: Vec<u8>) -> Vec<u8> {
    let mut section = String::from(".SH \"EXIT STATUS\"\n");
    for (code, meaning) in EXIT_STATUS {
        section.push_str(&format!(".TP\n\\fB{code}\\fR\n{meaning}\n"));
    }
    let text = String::from_utf8(page).expect("clap_mangen writes UTF-8");
    let text = match text.find(".SH VERSION") {
        Some(at) => format!("{}{section}{}", &text[..at], &text[at..]),
        None => format!("{text}{section}"),
    };
    text.into_bytes()
}
