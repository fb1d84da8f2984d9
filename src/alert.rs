//! Slack incoming-webhook alerts. The webhook URL is the credential, so it is held as a
//! [`Secret`] and never printed; a failed alert is reported to the caller, who decides whether
//! it matters (it never stops a capacity change).

use std::fmt;
use std::time::Duration;

use reqwest::{Method, Url};
use serde_json::json;

use crate::cloud::http::HttpClient;
use crate::cloud::retry::RetryPolicy;
use crate::error::{ApiError, Error, Result, Service};
use crate::secret::{Secret, ensure_https};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Critical,
    Error,
    Info,
}

impl Level {
    fn emoji(self) -> &'static str {
        match self {
            Level::Critical => ":red_circle:",
            Level::Error => ":warning:",
            Level::Info => ":white_check_mark:",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Critical => "CRITICAL",
            Level::Error => "ERROR",
            Level::Info => "INFO",
        })
    }
}

#[derive(Clone, Debug)]
pub struct Slack {
    http: HttpClient,
}

impl Slack {
    /// Checks the URL before anything is sent: it must be HTTPS (or loopback, for the emulator).
    pub fn new(url: &Secret, timeout: Duration) -> Result<Slack> {
        let parsed = Url::parse(url.expose().trim())
            .map_err(|_| Error::Usage("the Slack webhook URL is not a valid URL".into()))?;
        ensure_https(
            &parsed,
            "--slack-webhook-url / SLACK_WEBHOOK_URL",
            "the webhook's secret path",
        )?;
        Ok(Slack {
            http: HttpClient::without_auth(Service::Slack, parsed, timeout, RetryPolicy::slack())?,
        })
    }

    /// Posts `text` (Slack mrkdwn) with a level marker.
    pub async fn send(&self, level: Level, text: &str) -> Result<(), ApiError> {
        let payload = json!({ "text": format!("{} *{level}* {text}", level.emoji()) });
        self.http
            .send_with(
                Method::POST,
                self.http.base().clone(),
                Some(&payload),
                |_| Ok(()),
            )
            .await
    }
}
