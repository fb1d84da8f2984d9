//! Flags > environment > config file > defaults, resolved once into one struct.

use std::fmt;
use std::io::{IsTerminal, Read};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::Url;
use serde::Deserialize;

use crate::cli::{ColorWhen, GlobalArgs, OutputFormat};
use crate::error::{Error, Result};

pub const DEFAULT_CLOUD_OPS_URL: &str = "https://saas-api.tmprl.cloud";
pub const DEFAULT_METRICS_URL: &str = "https://metrics.temporal.io";
pub const DEFAULT_API_VERSION: &str = "v0.19.1";
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// An API key or webhook URL. It has no `Display`, and its `Debug` hides it, so it cannot end up
/// in a log line or an error message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
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
    pub color_stdout: bool,
    pub color_stderr: bool,
    pub verbosity: Verbosity,
    pub progress: bool,
    pub request_timeout: Duration,
    pub demo: bool,
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
            args.cloud_ops_url.as_deref(),
            ("--cloud-ops-url", "TCAP_CLOUD_OPS_URL"),
            config
                .cloud_ops_url
                .is_some()
                .then_some(("cloud_ops_url", &*config_path)),
            env,
        );
        let cloud_ops_url = args
            .cloud_ops_url
            .clone()
            .or(config.cloud_ops_url)
            .unwrap_or_else(|| DEFAULT_CLOUD_OPS_URL.to_string());
        let metrics_url_origin = origin(
            args.metrics_url.as_deref(),
            ("--metrics-url", "TCAP_METRICS_URL"),
            config
                .metrics_url
                .is_some()
                .then_some(("metrics_url", &*config_path)),
            env,
        );
        let metrics_url = args
            .metrics_url
            .clone()
            .or(config.metrics_url)
            .unwrap_or_else(|| DEFAULT_METRICS_URL.to_string());
        let request_timeout = match (args.request_timeout, config.request_timeout) {
            (Some(d), _) => d,
            (None, Some(s)) => crate::cli::parse_duration(&s).map_err(|e| {
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
            KeySource::File(path)
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
            config.metrics_api_key_file.map(KeySource::File)
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
        let progress = !args.no_progress
            && !config.no_progress.unwrap_or(false)
            && verbosity != Verbosity::Quiet
            && std::io::stderr().is_terminal();
        let api_version_origin = origin(
            args.api_version.as_deref(),
            ("--api-version", "TCAP_API_VERSION"),
            config
                .api_version
                .is_some()
                .then_some(("api_version", &*config_path)),
            env,
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

        Ok(Settings {
            cloud_ops_url: parse_base_url(&cloud_ops_url_origin, &cloud_ops_url)?,
            metrics_url: parse_base_url(&metrics_url_origin, &metrics_url)?,
            api_version,
            output: args.output.or(config.output).unwrap_or(OutputFormat::Table),
            color_stdout,
            color_stderr,
            verbosity,
            progress,
            request_timeout,
            demo: args.demo,
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

    /// The Cloud Ops API key, refused unless it would travel over HTTPS or to loopback.
    pub fn cloud_ops_key(&self) -> Result<Secret> {
        ensure_safe_transport(&self.cloud_ops_url, &self.cloud_ops_url_origin)?;
        self.read_cloud_key()
    }

    fn read_cloud_key(&self) -> Result<Secret> {
        if let Some(key) = self.cloud_key_read.get() {
            return Ok(key.clone());
        }
        let key = read_key(&self.cloud_key).ok_or_else(|| {
            Error::Usage(
                "no Cloud Ops API key: set TEMPORAL_CLOUD_API_KEY or pass --api-key-file \
                 (or try --demo)"
                    .into(),
            )
        })??;
        Ok(self.cloud_key_read.get_or_init(|| key).clone())
    }

    /// The Metrics API key, falling back to the Cloud Ops key.
    pub fn metrics_key(&self) -> Result<Secret> {
        ensure_safe_transport(&self.metrics_url, &self.metrics_url_origin)?;
        let Some(source) = self.metrics_key.as_ref() else {
            return self.read_cloud_key().map_err(|e| match e {
                Error::Usage(m) if m.starts_with("no Cloud Ops API key") => Error::Usage(
                    "no Metrics API key: set TEMPORAL_CLOUD_METRICS_API_KEY or \
                     TEMPORAL_CLOUD_API_KEY, or pass --metrics-api-key-file (or try --demo)"
                        .into(),
                ),
                other => other,
            });
        };
        read_key(source).ok_or_else(|| {
            Error::Usage(
                "no Metrics API key: set TEMPORAL_CLOUD_METRICS_API_KEY or TEMPORAL_CLOUD_API_KEY, \
                 or pass --metrics-api-key-file (or try --demo)"
                    .into(),
            )
        })?
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

/// Names where a URL setting came from. clap fills the flag from its variable, so a value equal
/// to the variable's came from there; a config file is named by its path.
fn origin(
    arg: Option<&str>,
    (flag, var): (&str, &str),
    config: Option<(&str, &Path)>,
    env: Env<'_>,
) -> String {
    match (arg, config) {
        (Some(value), _) if env(var).as_deref() == Some(value) => var.to_string(),
        (Some(_), _) | (None, None) => flag.to_string(),
        (None, Some((key, path))) => format!("{key} in the config file {}", path.display()),
    }
}

/// The config file and its path, when one was read.
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

/// An API key crosses the network only inside TLS; plain HTTP is for emulators on this machine.
pub fn ensure_safe_transport(url: &Url, flag: &str) -> Result<()> {
    ensure_https(url, flag, "an API key")
}

/// `what` is the secret at stake, for the message: an API key, or a webhook URL's token.
pub fn ensure_https(url: &Url, flag: &str, what: &str) -> Result<()> {
    if url.scheme() == "https" || is_loopback(url) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{flag}: refusing to send {what} over plain HTTP to {}; use https:// \
         (plain http is allowed only to loopback addresses)",
        url.host_str().unwrap_or("?")
    )))
}

pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
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
        let key = [("TEMPORAL_CLOUD_API_KEY", "k")];
        for (url, ok) in [
            ("https://saas-api.tmprl.cloud", true),
            ("http://127.0.0.1:7280", true),
            ("http://127.1.2.3:7280", true),
            ("http://localhost:7280", true),
            ("http://[::1]:7280", true),
            ("http://example.com", false),
            ("http://10.0.0.1:80", false),
            ("http://localhost.example.com", false),
        ] {
            let args = GlobalArgs {
                cloud_ops_url: Some(url.into()),
                metrics_url: Some(url.into()),
                ..no_config()
            };
            let s = Settings::resolve(&args, &env_of(&key)).unwrap();
            assert_eq!(s.cloud_ops_key().is_ok(), ok, "{url}");
            assert_eq!(s.metrics_key().is_ok(), ok, "{url}");
            if !ok {
                let msg = s.cloud_ops_key().unwrap_err().to_string();
                assert!(msg.contains("plain HTTP"), "{msg}");
                assert!(!msg.contains('k') || !msg.contains("=k"), "{msg}");
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
    fn secrets_do_not_debug_print() {
        assert_eq!(format!("{:?}", Secret::new("abc")), "Secret(***)");
        let s = Settings::resolve(
            &no_config(),
            &env_of(&[("TEMPORAL_CLOUD_API_KEY", "sekrit")]),
        )
        .unwrap();
        assert!(!format!("{s:?}").contains("sekrit"));
    }

    fn tempdir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tcap-settings-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
