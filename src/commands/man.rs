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
pub fn pages(mut command: clap::Command) -> Vec<(String, Vec<u8>)> {
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
    out.push((format!("{name}.1"), page));
    // clap's generated `help` subcommand would only repeat the other pages.
    for sub in command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        collect(sub, &format!("{name}-{}", sub.get_name()), out);
    }
}
