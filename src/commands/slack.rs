//! `--slack-webhook-url`, for the commands that post to Slack.

use clap::Args;

use super::Context;
use crate::alert::Slack;
use crate::error::Result;
use crate::secret::Secret;

#[derive(Debug, Args)]
pub struct SlackArgs {
    /// Slack incoming-webhook URL for alerts and summaries; it is a secret, never printed
    #[arg(
        long,
        env = "SLACK_WEBHOOK_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub slack_webhook_url: Option<String>,
}

impl SlackArgs {
    /// The webhook client when a URL is given, checked before anything is sent.
    pub fn client(&self, ctx: &Context) -> Result<Option<Slack>> {
        self.slack_webhook_url
            .as_deref()
            .map(|url| Slack::new(&Secret::new(url), ctx.settings.request_timeout))
            .transpose()
    }
}
