//! `tcap completions <shell>`: a completion script on stdout.

use clap::Args;
use clap_complete::Shell;

use super::Context;
use crate::error::Result;

#[derive(Debug, Args)]
#[command(
    override_usage = "tcap completions [OPTIONS] <SHELL>",
    after_help = "\
Examples:
  # bash: new shells complete tcap
  tcap completions bash > ~/.local/share/bash-completion/completions/tcap

  # zsh: into a directory of $fpath
  tcap completions zsh > ~/.zfunc/_tcap

  # fish
  tcap completions fish > ~/.config/fish/completions/tcap.fish"
)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// `cli` is the whole command line, handed down by the caller (commands do not look up).
pub fn run(args: CompletionsArgs, mut cli: clap::Command, ctx: &Context) -> Result<()> {
    let mut buffer = Vec::new();
    clap_complete::generate(args.shell, &mut cli, "tcap", &mut buffer);
    ctx.printer
        .write(&String::from_utf8(buffer).expect("completion scripts are UTF-8"))
}
