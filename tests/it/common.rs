//! The test harness: an emulated account on port 0 in this process, and the real `tcap` binary
//! pointed at it with a clean environment.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tcap::devserver::{Config, DevServer};

pub const ADMIN_KEY: &str = "tcap-test-admin-key-7f3a";
pub const METRICS_KEY: &str = "tcap-test-metrics-key-91c2";

pub struct Emu {
    pub server: DevServer,
    pub home: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
}

pub fn config() -> Config {
    Config {
        apply_delay: Duration::from_millis(300),
        admin_key: ADMIN_KEY.into(),
        metrics_key: METRICS_KEY.into(),
        ..Config::default()
    }
}

impl Emu {
    pub fn start() -> Emu {
        Emu::with(config())
    }

    pub fn with(config: Config) -> Emu {
        tcap::cloud::http::install_crypto_provider();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime
            .block_on(DevServer::start("127.0.0.1:0".parse().unwrap(), config))
            .unwrap();
        Emu {
            server,
            home: tempfile::tempdir().unwrap(),
            runtime,
        }
    }

    /// `tcap` with only what the test gives it: the emulator's URLs, its admin key, private
    /// config and state directories, no colors, and short retry delays.
    pub fn command(&self) -> std::process::Command {
        let mut cmd = clean_command(self.home.path());
        let url = self.server.base_url();
        cmd.env("TCAP_CLOUD_OPS_URL", &url)
            .env("TCAP_METRICS_URL", &url)
            .env("TEMPORAL_CLOUD_API_KEY", ADMIN_KEY);
        cmd
    }

    /// [`Emu::command`] for assert_cmd, with a time limit.
    pub fn tcap(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::from_std(self.command());
        cmd.timeout(Duration::from_secs(120));
        cmd
    }

    pub fn url(&self) -> String {
        self.server.base_url()
    }

    pub fn namespaces(&self) -> Vec<String> {
        self.server.namespace_ids()
    }

    /// The first namespace whose name part starts with `prefix`.
    pub fn namespace(&self, prefix: &str) -> String {
        self.namespaces()
            .into_iter()
            .find(|n| n.starts_with(prefix))
            .unwrap_or_else(|| panic!("no namespace starting with {prefix}"))
    }

    /// POSTs to the emulator's control API.
    pub fn control(&self, path: &str, body: Value) {
        let url = format!("{}{path}", self.url());
        let status = self.runtime.block_on(async {
            reqwest::Client::new()
                .post(&url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        });
        assert!(status.is_success(), "{path}: {status}");
    }

    /// GETs any path with the admin key, for reading emulator state in assertions.
    pub fn get(&self, path: &str) -> Value {
        let url = format!("{}{path}", self.url());
        self.runtime.block_on(async {
            reqwest::Client::new()
                .get(&url)
                .bearer_auth(ADMIN_KEY)
                .header("temporal-cloud-api-version", "v0.19.1")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        })
    }

    pub fn requests_to(&self, method: &str, path_prefix: &str) -> usize {
        self.server
            .requests()
            .iter()
            .filter(|r| r.method == method && r.path.starts_with(path_prefix))
            .count()
    }

    pub fn state_dir(&self) -> PathBuf {
        self.home.path().join("state").join("tcap")
    }

    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }
}

/// The `tcap` binary with nothing of the caller's environment but `PATH`: no key, URL, config,
/// webhook or log filter can leak in from the developer's shell. `home` holds its config and
/// state directories; colours are off and retry delays short (the scale changes how long tcap
/// sleeps, never what it does).
pub fn clean_command(home: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tcap"));
    cmd.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("NO_COLOR", "1")
        .env("TCAP_RETRY_DELAY_SCALE", "0.05");
    cmd
}

/// [`clean_command`] for assert_cmd, in a home shared by the tests that need no emulator.
pub fn clean_tcap() -> assert_cmd::Command {
    static HOME: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let home = HOME.get_or_init(|| tempfile::tempdir().unwrap());
    let mut cmd = assert_cmd::Command::from_std(clean_command(home.path()));
    cmd.timeout(Duration::from_secs(120));
    cmd
}

pub fn stdout_json(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Namespaces of one profile (`GET /_dev/account`), in ID order.
pub fn with_profile(emu: &Emu, profile: &str) -> Vec<String> {
    let account = emu.get("/_dev/account");
    let found: Vec<String> = account["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|ns| ns["profile"] == profile)
        .map(|ns| ns["namespace"].as_str().unwrap().to_string())
        .collect();
    assert!(!found.is_empty(), "no {profile} namespace");
    found
}

/// Runs `tcap` with `args` against the emulator and returns what it printed.
pub fn tcap(emu: &Emu, args: &[&str]) -> std::process::Output {
    emu.tcap().args(args).output().unwrap()
}

/// Asserts the exit code, showing both streams when it is not the expected one.
#[track_caller]
pub fn expect_code(out: &std::process::Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// A `tcap` started in the background with the same environment as `emu.tcap()`, killed (SIGKILL)
/// when dropped. Its output goes to files beside the emulator's home, outside the state dir.
pub struct Bg {
    child: Child,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Bg {
    pub fn spawn(emu: &Emu, args: &[&str]) -> Bg {
        Bg::spawn_env(emu, args, &[])
    }

    /// [`Bg::spawn`] with extra environment variables.
    pub fn spawn_env(emu: &Emu, args: &[&str], envs: &[(&str, &str)]) -> Bg {
        let logs = emu.home.path().join("logs");
        fs::create_dir_all(&logs).unwrap();
        let n = fs::read_dir(&logs).unwrap().count();
        let stdout = logs.join(format!("{n}.out"));
        let stderr = logs.join(format!("{n}.err"));
        let mut cmd = emu.command();
        cmd.envs(envs.iter().copied());
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(fs::File::create(&stdout).unwrap())
            .stderr(fs::File::create(&stderr).unwrap());
        Bg {
            child: cmd.spawn().unwrap(),
            stdout,
            stderr,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// kill -9, and reap it.
    pub fn kill9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Waits for it to exit on its own within `limit`; kills it and fails the test otherwise.
    #[track_caller]
    pub fn wait(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "tcap did not finish within {limit:?}\nstdout:\n{}\nstderr:\n{}",
                    self.out(),
                    self.err()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[track_caller]
    pub fn expect_success(&mut self, limit: Duration) {
        let status = self.wait(limit);
        assert!(
            status.success(),
            "{status}\nstdout:\n{}\nstderr:\n{}",
            self.out(),
            self.err()
        );
    }

    /// Sleeps a little; the exit status if it ended meanwhile.
    pub fn wait_a_moment(&mut self) -> Option<ExitStatus> {
        std::thread::sleep(Duration::from_millis(100));
        self.child.try_wait().unwrap()
    }

    pub fn out(&self) -> String {
        fs::read_to_string(&self.stdout).unwrap_or_default()
    }

    pub fn err(&self) -> String {
        fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

impl Drop for Bg {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
