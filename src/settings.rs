//! Flags > environment > config file > defaults, resolved once into one struct.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use serde::Deserialize;
use url::Url;

use crate::error::{Error, Result};
use crate::output::{self, ColorWhen, OutputFormat};
use crate::secret::{Secret, ensure_https};

pub const DEFAULT_CLOUD_OPS_URL: &str = "https://saas-api.tmprl.cloud";
pub const DEFAULT_METRICS_URL: &str = "https://metrics.temporal.io";
pub const DEFAULT_API_VERSION: &str = "v0.19.1";
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Options every command accepts, before or after the subcommand: the raw values, resolved
/// into [`Settings`] once.
#[derive(Debug, Default, Args)]
// Apart from each command's own options in its help, which would otherwise be lost among these.
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// File holding the Cloud Ops API key ('-' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]
    #[arg(long, global = true, value_name = "PATH")]
    pub api_key_file: Option<PathBuf>,

    /// File holding the Metrics API key ('-' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]
    #[arg(long, global = true, value_name = "PATH")]
    pub metrics_api_key_file: Option<PathBuf>,

    /// Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]
    #[arg(long, global = true, env = "TCAP_CLOUD_OPS_URL", value_name = "URL")]
    pub cloud_ops_url: Option<String>,

    /// Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]
    #[arg(long, global = true, env = "TCAP_METRICS_URL", value_name = "URL")]
    pub metrics_url: Option<String>,

    /// Value of the temporal-cloud-api-version header [default: v0.19.1]
    #[arg(long, global = true, env = "TCAP_API_VERSION", value_name = "V")]
    pub api_version: Option<String>,

    /// TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]
    #[arg(long, global = true, env = "TCAP_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]
    #[arg(short, long, global = true, value_enum, value_name = "FORMAT")]
    pub output: Option<OutputFormat>,

    /// Run against a built-in emulated account: no key, no network
    #[arg(long, global = true)]
    pub demo: bool,

    /// Only errors on stderr
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// More log lines on stderr (repeat for more); RUST_LOG overrides
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// When to use colors; NO_COLOR is honoured [default: auto]
    #[arg(long, global = true, value_enum, value_name = "WHEN")]
    pub color: Option<ColorWhen>,

    /// Never draw progress bars (they are drawn only when stderr is a terminal)
    #[arg(long, global = true)]
    pub no_progress: bool,

    /// Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]
    #[arg(long, global = true, value_parser = parse_duration, value_name = "DURATION")]
    pub request_timeout: Option<Duration>,

    /// Which values came from their environment variable rather than their flag, as clap saw
    /// it; filled in after parsing, for naming the source in an error.
    #[arg(skip)]
    pub from_env: FromEnv,
}

/// The global options that have an environment variable, and whether that is where the value
/// came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FromEnv {
    pub cloud_ops_url: bool,
    pub metrics_url: bool,
    pub api_version: bool,
}

/// humantime durations (`90s`, `10m`, `4h`), the spelling every duration flag uses.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim())
        .map_err(|e| format!("'{s}' is not a duration like 30s, 10m or 4h: {e}"))
}

/// Where and how to reach one API: what a client needs, and nothing else of the settings.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub url: Url,
    /// The `temporal-cloud-api-version` header, for the Cloud Ops API.
    pub api_version: Option<String>,
    pub timeout: Duration,
    pub key: Secret,
}

/// The config file: defaults for the global options. Unknown keys are an error, so a typo does
/// not silently fall back to a default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub api_key_file: Option<PathBuf>,
    pub metrics_api_key_file: Option<PathBuf>,
    pub cloud_ops_url: Option<String>,
    pub metrics_url: Option<String>,
    pub api_version: Option<String>,
    pub output: Option<OutputFormat>,
    pub color: Option<ColorWhen>,
    pub no_progress: Option<bool>,
    pub request_timeout: Option<String>,
    /// Dollars per million actions for cost figures (`analyze`); the list price when unset.
    pub price_per_million_actions: Option<f64>,
    /// Base URL of the Prometheus (or compatible) server holding the history (`plan`).
    pub prometheus_url: Option<String>,
    /// File holding a bearer token for that server.
    pub prometheus_token_file: Option<PathBuf>,
}

/// Where the history is: the options of the commands that read it (`plan`, `analyze`).
#[derive(Debug, Default, Clone, Args)]
pub struct PrometheusArgs {
    /// Base URL of a Prometheus-compatible server scraping Temporal Cloud's metrics
    /// (/api/v1/query_range is appended) [env: TCAP_PROMETHEUS_URL]
    #[arg(long = "prometheus", value_name = "URL")]
    pub prometheus_url: Option<String>,
    /// File holding a bearer token for that server, sent only over HTTPS or to loopback
    #[arg(long, value_name = "PATH")]
    pub prometheus_token_file: Option<PathBuf>,
}

/// A Prometheus server to read history from, with its token when it needs one.
#[derive(Clone, Debug)]
pub struct PrometheusEndpoint {
    pub url: Url,
    pub token: Option<Secret>,
    pub timeout: Duration,
}

/// Where a key comes from; read only when a command needs it, so `tcap man` never asks for one.
#[derive(Clone, Debug)]
enum KeySource {
    Env(&'static str, Secret),
    File(PathBuf),
    Missing,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose(u8),
}

#[derive(Debug)]
pub struct Settings {
    pub cloud_ops_url: Url,
    pub metrics_url: Url,
    pub api_version: String,
    pub output: OutputFormat,
    /// `-o` was given on the command line (not taken from the config file).
    pub output_from_command_line: bool,
    pub color_stdout: bool,
    pub color_stderr: bool,
    /// Display columns a table may take.
    pub table_width: usize,
    /// Stdout is a terminal (a table may draw utilization bars there).
    pub stdout_terminal: bool,
    pub verbosity: Verbosity,
    pub progress: bool,
    pub request_timeout: Duration,
    pub demo: bool,
    /// `price_per_million_actions` of the config file; the command's flag and variable win.
    pub config_price_per_million_actions: Option<f64>,
    /// `prometheus_url` and `prometheus_token_file` of the config file, with its path.
    config_prometheus: (Option<String>, Option<PathBuf>, PathBuf),
    cloud_key: KeySource,
    metrics_key: Option<KeySource>,
    /// The Cloud Ops key once read: stdin (`--api-key-file -`) can be read only once, and the
    /// Metrics key falls back to this one.
    cloud_key_read: std::sync::OnceLock<Secret>,
    /// Where each URL came from, for naming it in an error: a flag, a variable or a file.
    cloud_ops_url_origin: String,
    metrics_url_origin: String,
}

/// Reads an environment variable; a function so tests can give their own environment.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Settings {
    pub fn resolve(args: &GlobalArgs, env: Env<'_>) -> Result<Settings> {
        let (config, config_path) = load_config(args.config.as_deref(), env)?;
        let config_path = config_path.unwrap_or_default();

        let cloud_ops_url_origin = origin(
            args.cloud_ops_url.is_some(),
            args.from_env.cloud_ops_url,
            ("--cloud-ops-url", "TCAP_CLOUD_OPS_URL"),
            config
                .cloud_ops_url
                .is_some()
                .then_some(("cloud_ops_url", &*config_path)),
        );
        let cloud_ops_url = args
            .cloud_ops_url
            .clone()
            .or(config.cloud_ops_url)
            .unwrap_or_else(|| DEFAULT_CLOUD_OPS_URL.to_string());
        let metrics_url_origin = origin(
            args.metrics_url.is_some(),
            args.from_env.metrics_url,
            ("--metrics-url", "TCAP_METRICS_URL"),
            config
                .metrics_url
                .is_some()
                .then_some(("metrics_url", &*config_path)),
        );
        let metrics_url = args
            .metrics_url
            .clone()
            .or(config.metrics_url)
            .unwrap_or_else(|| DEFAULT_METRICS_URL.to_string());
        let request_timeout = match (args.request_timeout, config.request_timeout) {
            (Some(d), _) => d,
            (None, Some(s)) => parse_duration(&s).map_err(|e| {
                Error::Usage(format!(
                    "config file {}: request_timeout: {e}",
                    config_path.display()
                ))
            })?,
            (None, None) => DEFAULT_REQUEST_TIMEOUT,
        };
        if request_timeout.is_zero() {
            return Err(Error::Usage(
                "--request-timeout must be more than 0s".into(),
            ));
        }

        let cloud_key = if let Some(path) = &args.api_key_file {
            KeySource::File(path.clone())
        } else if let Some(key) = env("TEMPORAL_CLOUD_API_KEY") {
            KeySource::Env("TEMPORAL_CLOUD_API_KEY", Secret::new(key))
        } else if let Some(key) = env("TEMPORAL_API_KEY") {
            KeySource::Env("TEMPORAL_API_KEY", Secret::new(key))
        } else if let Some(path) = config.api_key_file {
            KeySource::File(expand_home(path, env))
        } else {
            KeySource::Missing
        };
        let metrics_key = if let Some(path) = &args.metrics_api_key_file {
            Some(KeySource::File(path.clone()))
        } else if let Some(key) = env("TEMPORAL_CLOUD_METRICS_API_KEY") {
            Some(KeySource::Env(
                "TEMPORAL_CLOUD_METRICS_API_KEY",
                Secret::new(key),
            ))
        } else {
            config
                .metrics_api_key_file
                .map(|p| KeySource::File(expand_home(p, env)))
        };
        if let (KeySource::File(a), Some(KeySource::File(b))) = (&cloud_key, &metrics_key)
            && a == Path::new("-")
            && b == Path::new("-")
        {
            return Err(Error::Usage(
                "--api-key-file and --metrics-api-key-file cannot both read stdin".into(),
            ));
        }

        let color = args.color.or(if env("NO_COLOR").is_some() {
            Some(ColorWhen::Never)
        } else {
            config.color
        });
        let (color_stdout, color_stderr) = match color.unwrap_or(ColorWhen::Auto) {
            ColorWhen::Always => (true, true),
            ColorWhen::Never => (false, false),
            ColorWhen::Auto => (
                std::io::stdout().is_terminal(),
                std::io::stderr().is_terminal(),
            ),
        };
        let verbosity = if args.quiet {
            Verbosity::Quiet
        } else if args.verbose > 0 {
            Verbosity::Verbose(args.verbose)
        } else {
            Verbosity::Normal
        };
        // Log lines and a bar would fight over stderr: -q and -v both leave the bar out.
        let progress = !args.no_progress
            && !config.no_progress.unwrap_or(false)
            && verbosity == Verbosity::Normal
            && std::io::stderr().is_terminal();
        let api_version_origin = origin(
            args.api_version.is_some(),
            args.from_env.api_version,
            ("--api-version", "TCAP_API_VERSION"),
            config
                .api_version
                .is_some()
                .then_some(("api_version", &*config_path)),
        );
        let api_version = args
            .api_version
            .clone()
            .or(config.api_version)
            .unwrap_or_else(|| DEFAULT_API_VERSION.to_string());
        // It travels as a header value; anything else would fail every request as if the
        // service were unreachable.
        if api_version.is_empty() || !api_version.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::Usage(format!(
                "{api_version_origin}: {api_version:?} is not an API version (e.g. {DEFAULT_API_VERSION})"
            )));
        }

        if let Some(price) = config.price_per_million_actions
            && !(price.is_finite() && price >= 0.0)
        {
            return Err(Error::Usage(format!(
                "price_per_million_actions in the config file {}: {price} is not a number of dollars, 0 or more",
                config_path.display()
            )));
        }

        Ok(Settings {
            cloud_ops_url: parse_base_url(&cloud_ops_url_origin, &cloud_ops_url)?,
            metrics_url: parse_base_url(&metrics_url_origin, &metrics_url)?,
            api_version,
            output: args.output.or(config.output).unwrap_or(OutputFormat::Table),
            output_from_command_line: args.output.is_some(),
            color_stdout,
            color_stderr,
            table_width: output::resolve_width(env("COLUMNS").as_deref(), output::terminal_width()),
            stdout_terminal: std::io::stdout().is_terminal(),
            verbosity,
            progress,
            request_timeout,
            demo: args.demo,
            config_price_per_million_actions: config.price_per_million_actions,
            config_prometheus: (
                config.prometheus_url,
                config.prometheus_token_file.map(|p| expand_home(p, env)),
                config_path.clone(),
            ),
            cloud_key,
            metrics_key,
            cloud_key_read: std::sync::OnceLock::new(),
            cloud_ops_url_origin,
            metrics_url_origin,
        })
    }

    /// Points every client at an in-process emulator (`--demo`).
    pub fn use_emulator(&mut self, base_url: &str, admin_key: &str) -> Result<()> {
        self.cloud_ops_url = parse_base_url("emulator URL", base_url)?;
        self.metrics_url = self.cloud_ops_url.clone();
        self.cloud_key = KeySource::Env("--demo", Secret::new(admin_key));
        self.cloud_key_read = std::sync::OnceLock::new();
        self.metrics_key = None;
        self.cloud_ops_url_origin = "--demo".into();
        self.metrics_url_origin = "--demo".into();
        Ok(())
    }

    /// The Cloud Ops API's endpoint with its key, refused unless the key would travel over
    /// HTTPS or to loopback.
    pub fn cloud_ops_endpoint(&self) -> Result<Endpoint> {
        Ok(Endpoint {
            url: self.cloud_ops_url.clone(),
            api_version: Some(self.api_version.clone()),
            timeout: self.request_timeout,
            key: self.cloud_ops_key()?,
        })
    }

    /// The Metrics API's endpoint with its key (the Cloud Ops key unless one of its own is set).
    pub fn metrics_endpoint(&self) -> Result<Endpoint> {
        Ok(Endpoint {
            url: self.metrics_url.clone(),
            api_version: None,
            timeout: self.request_timeout,
            key: self.metrics_key()?,
        })
    }

    pub fn cloud_ops_key(&self) -> Result<Secret> {
        ensure_https(
            &self.cloud_ops_url,
            &self.cloud_ops_url_origin,
            "an API key",
        )?;
        self.read_cloud_key().ok_or_else(|| {
            Error::Usage(
                "no Cloud Ops API key: set TEMPORAL_CLOUD_API_KEY or pass --api-key-file \
                 (or try --demo)"
                    .into(),
            )
        })?
    }

    /// The Cloud Ops key, read once; `None` when none is configured.
    fn read_cloud_key(&self) -> Option<Result<Secret>> {
        if let Some(key) = self.cloud_key_read.get() {
            return Some(Ok(key.clone()));
        }
        Some(read_key(&self.cloud_key)?.map(|key| self.cloud_key_read.get_or_init(|| key).clone()))
    }

    pub fn metrics_key(&self) -> Result<Secret> {
        ensure_https(&self.metrics_url, &self.metrics_url_origin, "an API key")?;
        let key = match self.metrics_key.as_ref() {
            Some(source) => read_key(source),
            None => self.read_cloud_key(),
        };
        key.ok_or_else(|| {
            Error::Usage(
                "no Metrics API key: set TEMPORAL_CLOUD_METRICS_API_KEY or TEMPORAL_CLOUD_API_KEY, \
                 or pass --metrics-api-key-file (or try --demo)"
                    .into(),
            )
        })?
    }

    /// The Prometheus server of `args` (flag > `TCAP_PROMETHEUS_URL` > config file), or
    /// `None` when none is set anywhere. A token is read here, and refused unless it would
    /// travel over HTTPS or to loopback.
    pub fn prometheus_endpoint(
        &self,
        args: &PrometheusArgs,
        env: Env<'_>,
    ) -> Result<Option<PrometheusEndpoint>> {
        let (config_url, config_token, config_path) = &self.config_prometheus;
        let (origin, url) = if let Some(url) = &args.prometheus_url {
            ("--prometheus".to_string(), url.clone())
        } else if let Some(url) = env("TCAP_PROMETHEUS_URL") {
            ("TCAP_PROMETHEUS_URL".to_string(), url)
        } else if let Some(url) = config_url {
            (
                format!(
                    "prometheus_url in the config file {}",
                    config_path.display()
                ),
                url.clone(),
            )
        } else {
            return Ok(None);
        };
        let url = parse_base_url(&origin, &url)?;
        let token_file = args
            .prometheus_token_file
            .clone()
            .or_else(|| config_token.clone());
        let token = match token_file {
            Some(path) => {
                ensure_https(&url, &origin, "a bearer token")?;
                Some(read_key_file(&path).map_err(|e| {
                    Error::Usage(e.to_string().replace("API key", "Prometheus token"))
                })?)
            }
            None => None,
        };
        Ok(Some(PrometheusEndpoint {
            url,
            token,
            timeout: self.request_timeout,
        }))
    }

    /// The `tracing` filter for our verbosity; `RUST_LOG` replaces it entirely.
    pub fn log_filter(&self) -> &'static str {
        log_filter(self.verbosity)
    }
}

pub fn log_filter(verbosity: Verbosity) -> &'static str {
    // Dependencies stay at debug even at -vvv: their trace output is noise, and nothing of
    // theirs at that level is needed to debug tcap.
    match verbosity {
        Verbosity::Quiet => "error",
        Verbosity::Normal => "warn,tcap=info",
        Verbosity::Verbose(1) => "warn,tcap=debug",
        Verbosity::Verbose(2) => "info,tcap=trace",
        Verbosity::Verbose(_) => "debug,tcap=trace",
    }
}

/// Names where a setting came from: its flag, its variable (clap fills the flag from it and
/// says so), or the config file, named by its path.
fn origin(
    given: bool,
    from_env: bool,
    (flag, var): (&str, &str),
    config: Option<(&str, &Path)>,
) -> String {
    match (given, config) {
        (true, _) if from_env => var.to_string(),
        (true, _) | (false, None) => flag.to_string(),
        (false, Some((key, path))) => format!("{key} in the config file {}", path.display()),
    }
}

/// The config file and its path, when one was read.
/// `~/…` in a config file means the home directory, as it would in a shell; no shell expands
/// it there.
fn expand_home(path: PathBuf, env: Env<'_>) -> PathBuf {
    let Ok(rest) = path.strip_prefix("~") else {
        return path;
    };
    match env("HOME").or_else(|| {
        directories::BaseDirs::new().map(|d| d.home_dir().to_string_lossy().into_owned())
    }) {
        Some(home) => PathBuf::from(home).join(rest),
        None => path,
    }
}

fn load_config(flag: Option<&Path>, env: Env<'_>) -> Result<(ConfigFile, Option<PathBuf>)> {
    // An explicit path must exist; the default one is optional.
    let (path, explicit) = match flag {
        Some(p) => (p.to_path_buf(), true),
        None => match default_config_path(env) {
            Some(p) => (p, false),
            None => return Ok((ConfigFile::default(), None)),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
            return Ok((ConfigFile::default(), None));
        }
        Err(e) => {
            return Err(Error::Usage(format!(
                "cannot read config file {}: {e}",
                path.display()
            )));
        }
    };
    let config = parse_config(&text)
        .map_err(|e| Error::Usage(format!("config file {}: {e}", path.display())))?;
    Ok((config, Some(path)))
}

/// The file's settings, or one line saying what is wrong and on which line.
pub fn parse_config(text: &str) -> Result<ConfigFile, String> {
    toml::from_str(text).map_err(|e: toml::de::Error| {
        let message = e.message().trim().replace('\n', " ");
        match e.span() {
            Some(span) => {
                let before = &text.as_bytes()[..span.start.min(text.len())];
                let line = before.iter().filter(|b| **b == b'\n').count() + 1;
                format!("line {line}: {message}")
            }
            None => message,
        }
    })
}

fn default_config_path(env: Env<'_>) -> Option<PathBuf> {
    // XDG_CONFIG_HOME first, as the contract promises, then the platform's convention.
    if let Some(dir) = env("XDG_CONFIG_HOME") {
        return Some(PathBuf::from(dir).join("tcap").join("config.toml"));
    }
    directories::BaseDirs::new().map(|d| d.config_dir().join("tcap").join("config.toml"))
}

fn parse_base_url(flag: &str, value: &str) -> Result<Url> {
    let url = Url::parse(value.trim())
        .map_err(|e| Error::Usage(format!("{flag}: '{value}' is not a URL: {e}")))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(Error::Usage(format!(
            "{flag}: '{value}' must be an https:// URL"
        )));
    }
    if url.host().is_none() {
        return Err(Error::Usage(format!("{flag}: '{value}' has no host")));
    }
    Ok(url)
}

fn read_key(source: &KeySource) -> Option<Result<Secret>> {
    match source {
        KeySource::Missing => None,
        KeySource::Env(name, secret) => Some(check_key(secret.expose(), name)),
        KeySource::File(path) => Some(read_key_file(path)),
    }
}

fn read_key_file(path: &Path) -> Result<Secret> {
    let mut text = String::new();
    let what = if path == Path::new("-") {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Error::Usage(format!("cannot read the API key from stdin: {e}")))?;
        "stdin".to_string()
    } else {
        text = std::fs::read_to_string(path).map_err(|e| {
            Error::Usage(format!("cannot read API key file {}: {e}", path.display()))
        })?;
        path.display().to_string()
    };
    check_key(&text, &format!("the API key from {what}"))
}

/// A key travels in a header: it must be visible ASCII. The message names where the key came
/// from and never shows the key.
fn check_key(raw: &str, what: &str) -> Result<Secret> {
    let key = raw.trim();
    if key.is_empty() {
        return Err(Error::Usage(format!("{what} is empty")));
    }
    if key.contains(char::is_whitespace) {
        return Err(Error::Usage(format!(
            "{what} contains whitespace; it should hold the key alone"
        )));
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::Usage(format!(
            "{what} contains characters an API key cannot have (control or non-ASCII characters)"
        )));
    }
    Ok(Secret::new(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn no_config() -> GlobalArgs {
        GlobalArgs {
            config: Some(PathBuf::from("/dev/null")),
            ..GlobalArgs::default()
        }
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let s = Settings::resolve(&no_config(), &env_of(&[])).unwrap();
        assert_eq!(s.cloud_ops_url.as_str(), "https://saas-api.tmprl.cloud/");
        assert_eq!(s.metrics_url.as_str(), "https://metrics.temporal.io/");
        assert_eq!(s.api_version, "v0.19.1");
        assert_eq!(s.output, OutputFormat::Table);
        assert_eq!(s.request_timeout, Duration::from_secs(30));
        assert!(
            s.cloud_ops_key()
                .unwrap_err()
                .to_string()
                .contains("TEMPORAL_CLOUD_API_KEY")
        );
    }

    #[test]
    fn flag_beats_config_file_beats_default() {
        let dir = tempdir();
        let path = dir.join("config.toml");
        std::fs::write(
            &path,
            "cloud_ops_url = \"https://ops.example\"\nmetrics_url = \"https://m.example\"\noutput = \"csv\"\nrequest_timeout = \"5s\"\n",
        )
        .unwrap();
        let args = GlobalArgs {
            config: Some(path.clone()),
            cloud_ops_url: Some("https://flag.example".into()),
            ..GlobalArgs::default()
        };
        let s = Settings::resolve(&args, &env_of(&[])).unwrap();
        assert_eq!(s.cloud_ops_url.host_str(), Some("flag.example"));
        assert_eq!(s.metrics_url.host_str(), Some("m.example"));
        assert_eq!(s.output, OutputFormat::Csv);
        assert_eq!(s.request_timeout, Duration::from_secs(5));
    }

    #[test]
    fn xdg_config_home_locates_the_default_config() {
        let dir = tempdir();
        std::fs::create_dir_all(dir.join("tcap")).unwrap();
        std::fs::write(dir.join("tcap/config.toml"), "api_version = \"v0.12.0\"\n").unwrap();
        let xdg = dir.to_str().unwrap().to_string();
        let s = Settings::resolve(
            &GlobalArgs::default(),
            &env_of(&[("XDG_CONFIG_HOME", &xdg)]),
        )
        .unwrap();
        assert_eq!(s.api_version, "v0.12.0");
    }

    #[test]
    fn a_config_file_with_an_unknown_key_is_refused() {
        let err = parse_config("cloud_url = \"x\"\n").unwrap_err();
        assert!(err.contains("unknown field `cloud_url`"), "{err}");
        let missing = GlobalArgs {
            config: Some(PathBuf::from("/nonexistent/tcap.toml")),
            ..GlobalArgs::default()
        };
        let err = Settings::resolve(&missing, &env_of(&[])).unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn cloud_key_precedence_and_metrics_fallback() {
        let s = Settings::resolve(
            &no_config(),
            &env_of(&[
                ("TEMPORAL_API_KEY", "second"),
                ("TEMPORAL_CLOUD_API_KEY", "first"),
            ]),
        )
        .unwrap();
        assert_eq!(s.cloud_ops_key().unwrap().expose(), "first");
        assert_eq!(s.metrics_key().unwrap().expose(), "first");

        let s = Settings::resolve(
            &no_config(),
            &env_of(&[
                ("TEMPORAL_API_KEY", "second"),
                ("TEMPORAL_CLOUD_METRICS_API_KEY", "m"),
            ]),
        )
        .unwrap();
        assert_eq!(s.cloud_ops_key().unwrap().expose(), "second");
        assert_eq!(s.metrics_key().unwrap().expose(), "m");
    }

    #[test]
    fn key_file_flag_beats_environment() {
        let dir = tempdir();
        let path = dir.join("key");
        std::fs::write(&path, "from-file\n").unwrap();
        let args = GlobalArgs {
            api_key_file: Some(path),
            ..no_config()
        };
        let s = Settings::resolve(&args, &env_of(&[("TEMPORAL_CLOUD_API_KEY", "env")])).unwrap();
        assert_eq!(s.cloud_ops_key().unwrap().expose(), "from-file");
    }

    #[test]
    fn empty_or_unreadable_key_files_are_clear_errors() {
        let dir = tempdir();
        let path = dir.join("empty");
        std::fs::write(&path, "\n").unwrap();
        let args = GlobalArgs {
            api_key_file: Some(path),
            ..no_config()
        };
        let err = Settings::resolve(&args, &env_of(&[]))
            .unwrap()
            .cloud_ops_key()
            .unwrap_err();
        assert!(err.to_string().contains("is empty"), "{err}");
        let args = GlobalArgs {
            api_key_file: Some(dir.join("missing")),
            ..no_config()
        };
        let err = Settings::resolve(&args, &env_of(&[]))
            .unwrap()
            .cloud_ops_key()
            .unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn keys_travel_only_over_https_or_to_loopback() {
        // The rule itself is `secret::ensure_https`'s; here, that both keys are held to it.
        let key = [("TEMPORAL_CLOUD_API_KEY", "k")];
        for (url, ok) in [
            ("http://127.0.0.1:7280", true),
            ("http://example.com", false),
        ] {
            let args = GlobalArgs {
                cloud_ops_url: Some(url.into()),
                metrics_url: Some(url.into()),
                ..no_config()
            };
            let s = Settings::resolve(&args, &env_of(&key)).unwrap();
            assert_eq!(s.cloud_ops_endpoint().is_ok(), ok, "{url}");
            assert_eq!(s.metrics_endpoint().is_ok(), ok, "{url}");
            if !ok {
                let msg = s.cloud_ops_key().unwrap_err().to_string();
                assert!(msg.contains("plain HTTP"), "{msg}");
                assert!(msg.starts_with("--cloud-ops-url:"), "{msg}");
            }
        }
    }

    #[test]
    fn bad_urls_and_timeouts_are_usage_errors() {
        for args in [
            GlobalArgs {
                cloud_ops_url: Some("not a url".into()),
                ..no_config()
            },
            GlobalArgs {
                metrics_url: Some("ftp://metrics".into()),
                ..no_config()
            },
            GlobalArgs {
                request_timeout: Some(Duration::ZERO),
                ..no_config()
            },
        ] {
            assert_eq!(
                Settings::resolve(&args, &env_of(&[]))
                    .unwrap_err()
                    .exit_code(),
                2
            );
        }
    }

    #[test]
    fn no_color_is_honoured_unless_a_flag_says_otherwise() {
        let s = Settings::resolve(&no_config(), &env_of(&[("NO_COLOR", "1")])).unwrap();
        assert!(!s.color_stdout && !s.color_stderr);
        let args = GlobalArgs {
            color: Some(ColorWhen::Always),
            ..no_config()
        };
        let s = Settings::resolve(&args, &env_of(&[("NO_COLOR", "1")])).unwrap();
        assert!(s.color_stdout && s.color_stderr);
    }

    #[test]
    fn columns_fixes_the_table_width() {
        let s = Settings::resolve(&no_config(), &env_of(&[("COLUMNS", "72")])).unwrap();
        assert_eq!(s.table_width, 72);
    }

    #[test]
    fn secrets_do_not_debug_print() {
        assert_eq!(format!("{:?}", Secret::new("abc")), "Secret(***)");
        let s = Settings::resolve(
            &no_config(),
            &env_of(&[("TEMPORAL_CLOUD_API_KEY", "sekrit")]),
        )
        .unwrap();
        assert!(!format!("{s:?}").contains("sekrit"));
    }

    #[test]
    fn key_file_paths_in_the_config_file_expand_the_home_directory() {
        let home = tempdir();
        std::fs::create_dir_all(home.join("keys")).unwrap();
        std::fs::write(home.join("keys/ops"), "ops-key\n").unwrap();
        std::fs::write(home.join("keys/metrics"), "metrics-key\n").unwrap();
        let path = home.join("config.toml");
        std::fs::write(
            &path,
            "api_key_file = \"~/keys/ops\"\nmetrics_api_key_file = \"~/keys/metrics\"\n",
        )
        .unwrap();
        let args = GlobalArgs {
            config: Some(path),
            ..GlobalArgs::default()
        };
        let home_text = home.to_string_lossy().into_owned();
        let s = Settings::resolve(&args, &env_of(&[("HOME", &home_text)])).unwrap();
        assert_eq!(s.cloud_ops_key().unwrap().expose(), "ops-key");
        assert_eq!(s.metrics_key().unwrap().expose(), "metrics-key");
    }

    #[test]
    fn the_prometheus_url_comes_from_flag_env_or_config_and_its_token_only_over_https() {
        let dir = tempdir();
        let config = dir.join("config.toml");
        let token = dir.join("token");
        std::fs::write(&token, "tok-123\n").unwrap();
        std::fs::write(
            &config,
            format!(
                "prometheus_url = \"https://prom.example\"\nprometheus_token_file = \"{}\"\n",
                token.display()
            ),
        )
        .unwrap();
        let args = GlobalArgs {
            config: Some(config),
            ..GlobalArgs::default()
        };
        let s = Settings::resolve(&args, &env_of(&[])).unwrap();
        let none = PrometheusArgs::default();
        let from_config = s.prometheus_endpoint(&none, &env_of(&[])).unwrap().unwrap();
        assert_eq!(from_config.url.host_str(), Some("prom.example"));
        assert_eq!(from_config.token.unwrap().expose(), "tok-123");
        let env = env_of(&[("TCAP_PROMETHEUS_URL", "http://127.0.0.1:9090")]);
        let from_env = s.prometheus_endpoint(&none, &env).unwrap().unwrap();
        assert_eq!(from_env.url.as_str(), "http://127.0.0.1:9090/");
        let flag = PrometheusArgs {
            prometheus_url: Some("http://prom.internal:9090".into()),
            prometheus_token_file: None,
        };
        let err = s.prometheus_endpoint(&flag, &env).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string()
                .starts_with("--prometheus: refusing to send a bearer token")
        );
        let no_config = Settings::resolve(&no_config(), &env_of(&[])).unwrap();
        assert!(
            no_config
                .prometheus_endpoint(&none, &env_of(&[]))
                .unwrap()
                .is_none()
        );
    }

    fn tempdir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tcap-settings-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
