//! Every failure tcap can report, and the one place that maps it to the contract's exit codes.

use std::fmt;
use std::process::ExitCode;
use std::time::Duration;

/// Which remote API a failure came from: a 401 is only actionable when it names the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    CloudOps,
    Metrics,
    Slack,
    /// The user's Prometheus (`plan`, `analyze --prometheus`).
    Prometheus,
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Service::CloudOps => "Cloud Ops API",
            Service::Metrics => "Metrics API",
            Service::Slack => "Slack webhook",
            Service::Prometheus => "Prometheus",
        })
    }
}

/// What an API failure means for the caller. Set once, where the answer is read (`cloud/`):
/// some cases differ only in the server's message, and nobody else should read that text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiErrorKind {
    /// 401: the key is not valid.
    Unauthenticated,
    /// 403: the key is valid but may not do this.
    PermissionDenied,
    NotFound,
    /// The namespace changed since it was read (its `resourceVersion` is stale).
    StaleVersion,
    /// The update asked for what the namespace already wants.
    NothingToChange,
    /// A capacity request is still in progress, so no other may start.
    RequestInProgress,
    /// 429: slow down.
    RateLimited,
    /// 408 and 5xx: the service could not answer now.
    Unavailable,
    /// No answer (connection refused, reset, timed out) or one that could not be read.
    Transport,
    /// The endpoint cannot be reached as configured: its name does not resolve, or TLS with it
    /// fails. Retrying cannot help; the URL (or the network's DNS) must change.
    Unreachable,
    /// Any other refusal (400 and the like): the request itself is wrong.
    Rejected,
}

/// A non-success answer from a server, or a transport failure that outlasted the retries.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub service: Service,
    pub kind: ApiErrorKind,
    /// HTTP status; `None` when no answer arrived (connection refused, reset, timed out).
    pub status: Option<u16>,
    /// The gRPC code from a `google.rpc.Status` body, when there was one.
    pub code: Option<i64>,
    /// The server's own message (or the transport error), one line.
    pub message: String,
    pub retry_after: Option<Duration>,
}

impl ApiError {
    /// A failure with no answer from the server: `message` says what happened.
    pub fn transport(service: Service, message: impl Into<String>) -> ApiError {
        ApiError {
            service,
            kind: ApiErrorKind::Transport,
            status: None,
            code: None,
            message: message.into(),
            retry_after: None,
        }
    }

    /// The key the server refused (401 or 403), for naming it.
    pub fn refused_key(&self) -> Option<Service> {
        matches!(
            self.kind,
            ApiErrorKind::Unauthenticated | ApiErrorKind::PermissionDenied
        )
        .then_some(self.service)
    }

    pub fn is_auth(&self) -> bool {
        self.refused_key().is_some()
    }

    pub fn is_not_found(&self) -> bool {
        self.kind == ApiErrorKind::NotFound
    }

    /// 429, 5xx and transport failures say "try again later" rather than "this is wrong".
    pub fn is_temporary(&self) -> bool {
        matches!(
            self.kind,
            ApiErrorKind::RateLimited | ApiErrorKind::Unavailable | ApiErrorKind::Transport
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(401) => write!(
                f,
                "{} refused the {} (401 unauthenticated): {}",
                self.service,
                key_name(self.service),
                self.message
            )?,
            Some(403) => write!(
                f,
                "{} refused the {} (403 permission denied): {}",
                self.service,
                key_name(self.service),
                self.message
            )?,
            Some(status) => write!(f, "{} answered {status}: {}", self.service, self.message)?,
            // No status: the message says what happened (no connection, a timeout, an
            // answer that could not be read).
            None => write!(f, "{}: {}", self.service, self.message)?,
        }
        if let Some(wait) = self.retry_after {
            write!(f, " (retry after {})", humantime::format_duration(wait))?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

fn key_name(service: Service) -> &'static str {
    match service {
        Service::CloudOps => "Cloud Ops API key",
        Service::Metrics => "Metrics API key",
        Service::Slack => "webhook URL",
        Service::Prometheus => "bearer token (--prometheus-token-file)",
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad flags, values or configuration: nothing was changed.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The operation ran and failed (failed or rejected operation, partial analysis).
    #[error("{0}")]
    Failed(String),
    /// The namespace is not in the expected state (`verify`), or a scheduled change finished with errors.
    #[error("{0}")]
    Mismatch(String),
    /// Retry later: a wait timed out, a rate limit outlasted the retries.
    #[error("{0}")]
    Temporary(String),
    /// Another process runs the change of this namespace: it is theirs to finish.
    #[error(
        "another tcap (PID {pid}) is running the change of {namespace}; see `tcap changes list`"
    )]
    Locked { namespace: String, pid: String },
    #[error("interrupted{}", if .0.is_empty() { String::new() } else { format!(": {}", .0) })]
    Interrupted(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            Error::Api(e) if e.is_auth() => 4,
            Error::Api(e) if e.is_temporary() => 75,
            Error::Api(_) | Error::Failed(_) => 1,
            Error::Mismatch(_) => 3,
            Error::Temporary(_) | Error::Locked { .. } => 75,
            Error::Interrupted(_) => 130,
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe => 0,
            Error::Io { .. } => 1,
        }
    }

    /// Whether trying the same step again can help: not when the input is wrong or a key was
    /// refused, since nothing will change that but the user.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Usage(_) | Error::Interrupted(_) => false,
            Error::Api(e) => !e.is_auth(),
            _ => true,
        }
    }

    /// How much a failure matters when several ran side by side and one exit code must speak
    /// for all: an interruption, then "try again later", then a refused key, a mismatch, bad
    /// input and a plain failure.
    pub fn severity(&self) -> u8 {
        match self.exit_code() {
            130 => 6,
            75 => 5,
            4 => 4,
            3 => 3,
            2 => 2,
            1 => 1,
            _ => 0,
        }
    }

    /// The reader of our stdout went away (`tcap analyze | head`): not an error.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }

    pub fn to_exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit_code())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn api(kind: ApiErrorKind, status: Option<u16>) -> Error {
        Error::Api(ApiError {
            service: Service::CloudOps,
            kind,
            status,
            code: None,
            message: "m".into(),
            retry_after: None,
        })
    }

    #[test]
    fn exit_codes_follow_the_contract() {
        let cases: &[(Error, u8)] = &[
            (Error::Usage("bad".into()), 2),
            (api(ApiErrorKind::Unauthenticated, Some(401)), 4),
            (api(ApiErrorKind::PermissionDenied, Some(403)), 4),
            (api(ApiErrorKind::RateLimited, Some(429)), 75),
            (api(ApiErrorKind::Unavailable, Some(503)), 75),
            (api(ApiErrorKind::Transport, None), 75),
            (api(ApiErrorKind::Unreachable, None), 1),
            (api(ApiErrorKind::Rejected, Some(400)), 1),
            (api(ApiErrorKind::NothingToChange, Some(400)), 1),
            (api(ApiErrorKind::NotFound, Some(404)), 1),
            (api(ApiErrorKind::StaleVersion, Some(409)), 1),
            (
                Error::Locked {
                    namespace: "a.b".into(),
                    pid: "7".into(),
                },
                75,
            ),
            (Error::Failed("x".into()), 1),
            (Error::Mismatch("x".into()), 3),
            (Error::Temporary("x".into()), 75),
            (Error::Interrupted(String::new()), 130),
            (
                Error::io(
                    "stdout",
                    std::io::Error::from(std::io::ErrorKind::BrokenPipe),
                ),
                0,
            ),
        ];
        for (error, code) in cases {
            assert_eq!(error.exit_code(), *code, "{error:?}");
        }
    }

    #[test]
    fn auth_errors_name_the_refused_key() {
        let e = ApiError {
            service: Service::Metrics,
            kind: ApiErrorKind::PermissionDenied,
            status: Some(403),
            code: Some(7),
            message: "permission denied".into(),
            retry_after: None,
        };
        assert_eq!(
            e.to_string(),
            "Metrics API refused the Metrics API key (403 permission denied): permission denied"
        );
    }

    #[test]
    fn retrying_helps_unless_the_input_or_the_key_is_wrong() {
        assert!(!Error::Usage("x".into()).is_retryable());
        assert!(!api(ApiErrorKind::PermissionDenied, Some(403)).is_retryable());
        assert!(api(ApiErrorKind::Unavailable, Some(503)).is_retryable());
        assert!(api(ApiErrorKind::Rejected, Some(400)).is_retryable());
        assert!(Error::Failed("x".into()).is_retryable());
        let worst = [
            Error::Failed("x".into()),
            Error::Interrupted(String::new()),
            Error::Temporary("x".into()),
        ]
        .into_iter()
        .max_by_key(Error::severity)
        .unwrap();
        assert!(matches!(worst, Error::Interrupted(_)));
    }

    #[test]
    fn retry_after_is_part_of_the_message() {
        let e = ApiError {
            service: Service::Metrics,
            kind: ApiErrorKind::RateLimited,
            status: Some(429),
            code: None,
            message: "rate limited".into(),
            retry_after: Some(Duration::from_secs(1200)),
        };
        assert!(e.to_string().ends_with("(retry after 20m)"), "{e}");
    }
}
