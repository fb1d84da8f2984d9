//! `tcap completions <shell>`: a completion script on stdout.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Context;
use crate::cli::Cli;
use crate::error::Result;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: CompletionsArgs, ctx: &Context) -> Result<()> {
    ctx.printer.write(&script(args.shell))
}

pub fn script(shell: Shell) -> String {
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "tcap", &mut buffer);
    String::from_utf8(buffer).expect("completion scripts are UTF-8")
}

/// The committed file name of each shell's script under `completions/`.
pub fn file_name(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "tcap.bash",
        Shell::Zsh => "_tcap",
        Shell::Fish => "tcap.fish",
        Shell::Elvish => "tcap.elv",
        Shell::PowerShell => "_tcap.ps1",
        _ => "tcap.unknown",
    }
}
