//! Secrets stay secret: every command, run with `-vvv` against the emulator with a recognizable
//! API key and Slack webhook URL, never shows either on stdout or stderr nor writes it to any
//! file, whether the key comes from the environment, from `--api-key-file` or from stdin. And
//! a key (or a webhook URL) is never sent over plain HTTP to anything but loopback.

use crate::common;

use std::fs;
use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use common::{Emu, text, with_profile};
use serde_json::Value;
use tcap::devserver::{Config, FailNext};

/// The Cloud Ops (and so Metrics) key of the emulated account.
const KEY: &str = "tcap-SECRET-KEY-5b1e9c07d3a2";
/// A key the emulator does not know: refused with 401, and still never shown.
const WRONG_KEY: &str = "tcap-SECRET-KEY-wrong-77e1f0";
/// The secret part of the Slack webhook URL.
const TOKEN: &str = "SECRETTOKEN-8f2a61c4";

/// What must appear nowhere: the keys, and the webhook's secret path, in whole and in part.
const NEEDLES: [&str; 6] = [
    KEY,
    WRONG_KEY,
    "SECRET-KEY",
    TOKEN,
    "SECRETTOKEN",
    "T000/B000",
];

fn emulator() -> Emu {
    Emu::with(Config {
        admin_key: KEY.into(),
        // Enough namespaces of each profile for changes that must not meet each other.
        namespaces: 36,
        ..common::config()
    })
}

fn webhook(emu: &Emu) -> String {
    format!("{}/slack/webhook/T000/B000/{TOKEN}", emu.url())
}

#[track_caller]
fn assert_clean(what: &str, bytes: &[u8]) {
    let s = text(bytes);
    for needle in NEEDLES {
        // The lines that give it away, not the whole of a -vvv log.
        let lines: Vec<&str> = s.lines().filter(|l| l.contains(needle)).collect();
        assert!(
            lines.is_empty(),
            "{needle:?} in {what}:\n{}",
            lines.join("\n")
        );
    }
}

/// Every file under `dir` (the emulator's home, where XDG_CONFIG_HOME, XDG_STATE_HOME and HOME
/// point); returns how many there were.
#[track_caller]
fn assert_files_clean(dir: &Path) -> usize {
    let mut files = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files += 1;
                assert_clean(&path.display().to_string(), &fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Runs tcap commands with `-vvv` and checks every output as it comes.
struct Session {
    emu: Emu,
    /// Outside the emulator's home: the key file and the output of background runs, which are
    /// ours, not tcap's.
    outside: tempfile::TempDir,
    commands: usize,
}

impl Session {
    fn new() -> Session {
        let emu = emulator();
        let outside = tempfile::tempdir().unwrap();
        Session {
            emu,
            outside,
            commands: 0,
        }
    }

    fn command(&self) -> assert_cmd::Command {
        let mut cmd = self.emu.tcap();
        cmd.env("TEMPORAL_CLOUD_API_KEY", KEY).arg("-vvv");
        cmd
    }

    /// `tcap -vvv <args>` (the key in the environment), expecting `code`.
    #[track_caller]
    fn run(&mut self, args: &[&str], code: i32) -> Output {
        let mut cmd = self.command();
        cmd.args(args);
        self.finish(cmd, args, code)
    }

    /// The same with the webhook in `SLACK_WEBHOOK_URL`.
    #[track_caller]
    fn run_with_slack(&mut self, args: &[&str], code: i32) -> Output {
        let mut cmd = self.command();
        cmd.env("SLACK_WEBHOOK_URL", webhook(&self.emu)).args(args);
        self.finish(cmd, args, code)
    }

    #[track_caller]
    fn finish(&mut self, mut cmd: assert_cmd::Command, args: &[&str], code: i32) -> Output {
        let out = cmd.output().unwrap();
        self.check(args, &out, code);
        out
    }

    #[track_caller]
    fn check(&mut self, args: &[&str], out: &Output, code: i32) {
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}\nstdout:\n{}\nstderr:\n{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        assert_clean(&format!("stdout of {args:?}"), &out.stdout);
        assert_clean(&format!("stderr of {args:?}"), &out.stderr);
        // -vvv really is verbose: the logs name the requests.
        if !out.stderr.is_empty() && code != 2 {
            self.commands += 1;
        }
    }

    /// Starts `tcap -vvv <args>` in the background, its output in files outside the home.
    fn spawn(&self, args: &[&str], slack: bool) -> Background {
        let n = fs::read_dir(self.outside.path()).unwrap().count();
        let stdout = self.outside.path().join(format!("{n}.out"));
        let stderr = self.outside.path().join(format!("{n}.err"));
        let mut cmd = self.emu.command();
        cmd.env("TEMPORAL_CLOUD_API_KEY", KEY)
            .arg("-vvv")
            .args(args)
            .stdin(Stdio::null())
            .stdout(fs::File::create(&stdout).unwrap())
            .stderr(fs::File::create(&stderr).unwrap());
        if slack {
            cmd.env("SLACK_WEBHOOK_URL", webhook(&self.emu));
        }
        Background {
            child: cmd.spawn().unwrap(),
            stdout,
            stderr,
            args: args.iter().map(|a| a.to_string()).collect(),
        }
    }

    fn key_file(&self) -> PathBuf {
        let path = self.outside.path().join("cloud-ops.key");
        fs::write(&path, format!("{KEY}\n")).unwrap();
        path
    }

    /// Polls the state file of `ns` until its step is `step`.
    #[track_caller]
    fn wait_step(&self, ns: &str, step: &str) {
        let path = self
            .emu
            .state_dir()
            .join("changes")
            .join(format!("{ns}.json"));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(bytes) = fs::read(&path)
                && let Ok(state) = serde_json::from_slice::<Value>(&bytes)
                && state["step"] == step
            {
                return;
            }
            assert!(Instant::now() < deadline, "{ns}: no step {step}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Every file tcap wrote under the home is clean; returns how many there were.
    #[track_caller]
    fn files_clean(&self) -> usize {
        assert_files_clean(self.emu.home.path())
    }
}

struct Background {
    child: Child,
    stdout: PathBuf,
    stderr: PathBuf,
    args: Vec<String>,
}

impl Background {
    fn output(&self, name: &str) -> String {
        fs::read_to_string(if name == "stdout" {
            &self.stdout
        } else {
            &self.stderr
        })
        .unwrap_or_default()
    }

    /// SIGTERM, then the exit status within 20 s; both outputs must be clean.
    #[track_caller]
    fn terminate(mut self) -> i32 {
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("{:?} did not stop on SIGTERM", self.args);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        for name in ["stdout", "stderr"] {
            assert_clean(
                &format!("{name} of {:?}", self.args),
                self.output(name).as_bytes(),
            );
        }
        status.code().unwrap_or(-1)
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn end_in(secs: i64) -> String {
    (Utc::now() + chrono::Duration::seconds(secs)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[test]
fn analyze_provision_revert_verify_completions_and_man_keep_the_key_and_webhook_secret() {
    let mut s = Session::new();
    let on_demand = with_profile(&s.emu, "on-demand-light");
    let (ns, failing) = (on_demand[0].as_str(), on_demand[1].as_str());

    // analyze: every output format, the webhook from the environment and from the flag.
    let out = s.run(&["analyze"], 0);
    assert!(
        text(&out.stderr).contains("/v1/metrics"),
        "-vvv logs the requests:\n{}",
        text(&out.stderr)
    );
    s.run(&["analyze", "-o", "json"], 0);
    s.run_with_slack(&["analyze", "-o", "csv", "--notify"], 0);
    assert_eq!(s.emu.server.slack_messages().len(), 1, "the alert was sent");
    let hook = webhook(&s.emu);
    s.emu.server.fail_slack(10);
    let out = s
        .command()
        .args(["analyze", "--notify", "--slack-webhook-url", &hook])
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(code == 0 || code == 1, "{}", text(&out.stderr));
    s.check(&["analyze", "--notify", "(Slack failing)"], &out, code);
    s.emu.server.fail_slack(0);

    // provision, verify, revert, in text and JSON.
    s.run(&["provision", ns, "6", "--dry-run"], 0);
    s.run(&["provision", ns, "6"], 0);
    s.run(&["provision", ns, "6"], 0); // already there: nothing sent
    s.run(&["verify", ns, "--trus", "6", "-o", "json"], 0);
    s.run(&["verify", ns, "--on-demand"], 3);
    s.run(&["revert", ns, "-o", "json"], 0);
    s.run(&["verify", ns, "--on-demand", "--wait", "2s"], 0);
    s.run(&["provision", ns, "4", "--no-wait", "-o", "json"], 0);
    s.run(&["verify", ns, "--trus", "4", "--wait", "5s"], 0);
    s.run(&["revert", ns], 0);

    // Failure paths: an operation that fails, a capacity request that fails, a value the
    // namespace does not offer, an unknown namespace, a key the server refuses.
    assert!(s.emu.server.fail_next(
        failing,
        FailNext::OperationFailed,
        Some("no capacity left in aws-test-1".into())
    ));
    s.run(&["provision", failing, "6", "-o", "json"], 1);
    assert!(
        s.emu
            .server
            .fail_next(failing, FailNext::CapacityRequestFailed, None)
    );
    s.run(&["provision", failing, "6"], 1);
    assert!(
        s.emu
            .server
            .fail_next(failing, FailNext::OperationRejected, None)
    );
    s.run(&["provision", failing, "6"], 1);
    s.run(&["provision", failing, "5"], 2);
    s.run(&["provision", "no-such-namespace.a1b2c", "6"], 1);
    let out = s
        .emu
        .tcap()
        .env("TEMPORAL_CLOUD_API_KEY", WRONG_KEY)
        .args(["-vvv", "provision", ns, "6"])
        .output()
        .unwrap();
    s.check(&["provision", "(wrong key)"], &out, 4);
    let out = s
        .emu
        .tcap()
        .env("TEMPORAL_CLOUD_API_KEY", WRONG_KEY)
        .args(["-vvv", "analyze", "-o", "json"])
        .output()
        .unwrap();
    s.check(&["analyze", "(wrong key)"], &out, 4);

    // Commands that need no key, with one in the environment all the same.
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        s.run(&["completions", shell], 0);
    }
    let man = s.emu.home.path().join("man");
    s.run(&["man", man.to_str().unwrap()], 0);
    assert!(fs::read_dir(&man).unwrap().count() > 1);

    assert!(s.commands >= 20, "{} commands logged anything", s.commands);
    let files = s.files_clean();
    assert!(files > 5, "{files} files");
}

#[test]
fn schedule_change_and_changes_keep_the_key_and_webhook_secret() {
    let mut s = Session::new();
    let on_demand = with_profile(&s.emu, "on-demand-light");
    let [full, quiet_slack, racing, resumed, cancelled] =
        [0, 1, 2, 3, 4].map(|i| on_demand[i].clone());
    let hook = webhook(&s.emu);

    // A full run: provision, verify, revert, verify, an info alert.
    s.run_with_slack(
        &[
            "schedule-change",
            &full,
            "6",
            "--duration",
            "2s",
            "-o",
            "json",
        ],
        0,
    );
    assert!(!s.emu.server.slack_messages().is_empty());
    // Slack failing: the alerts are logged as not sent, the change goes on.
    s.emu.server.fail_slack(20);
    s.run(
        &[
            "schedule-change",
            &quiet_slack,
            "6",
            "--duration",
            "2s",
            "--slack-webhook-url",
            &hook,
        ],
        0,
    );
    // A provision that cannot land: a critical alert, undelivered, then delivered.
    assert!(s.emu.server.race(&racing, 10_000));
    s.run_with_slack(&["schedule-change", &racing, "6", "--duration", "1h"], 1);
    s.emu.server.fail_slack(0);
    assert!(s.emu.server.race(&racing, 10_000));
    // A failed change is not resumed: nothing to do (exit 0), its record printed.
    s.run_with_slack(&["changes", "resume", &racing, "-o", "json"], 0);

    // Interrupted runs, then list, extend, resume and cancel.
    for ns in [&resumed, &cancelled] {
        let run = s.spawn(
            &["schedule-change", ns, "6", "--end-time", &end_in(120)],
            true,
        );
        s.wait_step(ns, "waiting-for-end");
        assert_eq!(run.terminate(), 130);
    }
    s.run(&["changes", "list"], 0);
    s.run(&["changes", "list", "-o", "json"], 0);
    s.run(
        &["changes", "extend", &resumed, "--end-time", &end_in(2)],
        0,
    );
    s.run_with_slack(&["changes", "resume", &resumed, "-o", "json"], 0);
    s.run(
        &[
            "changes",
            "cancel",
            &cancelled,
            "--revert-now",
            "--slack-webhook-url",
            &hook,
        ],
        0,
    );
    // A running change, cancelled from another process.
    let run = s.spawn(
        &["schedule-change", &full, "4", "--end-time", &end_in(120)],
        true,
    );
    s.wait_step(&full, "waiting-for-end");
    s.run(&["changes", "extend", &full, "--end-time", &end_in(60)], 0);
    s.run_with_slack(&["changes", "cancel", &full], 0);
    assert_eq!(run.terminate_or_exit(), 0);
    s.run_with_slack(&["changes", "resume", "--all"], 0);
    s.run(&["changes", "list", "-o", "json"], 0);

    let files = s.files_clean();
    assert!(files >= 5, "{files} files");
}

impl Background {
    /// Waits up to 20 s for it to exit by itself (SIGTERM after that); both outputs clean.
    #[track_caller]
    fn terminate_or_exit(mut self) -> i32 {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                for name in ["stdout", "stderr"] {
                    assert_clean(
                        &format!("{name} of {:?}", self.args),
                        self.output(name).as_bytes(),
                    );
                }
                return status.code().unwrap_or(-1);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.terminate()
    }
}

#[test]
fn a_key_from_a_file_or_stdin_stays_secret_too() {
    let mut s = Session::new();
    let ns = with_profile(&s.emu, "on-demand-light").remove(0);
    let key_file = s.key_file();
    let key_file = key_file.to_str().unwrap();

    // From a file, with no key in the environment.
    for args in [
        vec!["analyze", "-o", "json"],
        vec!["provision", &ns, "6"],
        vec!["verify", &ns, "--trus", "6"],
        vec!["revert", &ns, "-o", "json"],
        vec!["schedule-change", &ns, "4", "--duration", "1s"],
    ] {
        let mut cmd = s.emu.tcap();
        cmd.env_remove("TEMPORAL_CLOUD_API_KEY")
            .args(["-vvv", "--api-key-file", key_file])
            .args(&args);
        let out = cmd.output().unwrap();
        s.check(&args, &out, 0);
    }
    // The metrics key from its own file too.
    let metrics_file = s.outside.path().join("metrics.key");
    fs::write(&metrics_file, KEY).unwrap();
    let out = s
        .emu
        .tcap()
        .env_remove("TEMPORAL_CLOUD_API_KEY")
        .args(["-vvv", "--api-key-file", key_file, "--metrics-api-key-file"])
        .arg(&metrics_file)
        .args(["analyze"])
        .output()
        .unwrap();
    s.check(&["analyze", "--metrics-api-key-file"], &out, 0);

    // From stdin.
    for args in [
        vec!["analyze", "-o", "json"],
        vec!["provision", &ns, "6", "-o", "json"],
        vec!["verify", &ns, "--trus", "6"],
        vec!["revert", &ns],
    ] {
        let out = s
            .emu
            .tcap()
            .env_remove("TEMPORAL_CLOUD_API_KEY")
            .args(["-vvv", "--api-key-file", "-"])
            .args(&args)
            .write_stdin(format!("{KEY}\n"))
            .output()
            .unwrap();
        s.check(&args, &out, 0);
    }
    // A key file the server refuses.
    let wrong = s.outside.path().join("wrong.key");
    fs::write(&wrong, WRONG_KEY).unwrap();
    let out = s
        .emu
        .tcap()
        .env_remove("TEMPORAL_CLOUD_API_KEY")
        .args(["-vvv", "--api-key-file"])
        .arg(&wrong)
        .args(["verify", &ns, "--on-demand"])
        .output()
        .unwrap();
    s.check(&["verify", "(wrong key file)"], &out, 4);

    s.files_clean();
}

#[test]
fn dev_server_keeps_the_key_in_the_environment_secret() {
    let s = Session::new();
    let run = s.spawn(&["dev-server", "--listen", "127.0.0.1:0"], true);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !run.output("stdout").contains("export SLACK_WEBHOOK_URL") {
        assert!(
            Instant::now() < deadline,
            "dev-server printed: {}",
            run.output("stdout")
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(run.terminate(), 130);
    s.files_clean();
}

// ---------------------------------------------------------------------------------------------
// HTTPS only

/// An address of this machine that is not loopback, if it has one, with a listener on it that
/// would see any connection tcap made.
fn non_loopback_listener() -> Option<(IpAddr, TcpListener)> {
    let probe = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    probe.connect((Ipv4Addr::new(192, 0, 2, 1), 9)).ok()?;
    let ip = probe.local_addr().ok()?.ip();
    if ip.is_loopback() || ip.is_unspecified() {
        return None;
    }
    let listener = TcpListener::bind((ip, 0)).ok()?;
    listener.set_nonblocking(true).ok()?;
    Some((ip, listener))
}

#[test]
fn keys_and_webhooks_go_over_plain_http_only_to_loopback() {
    let emu = emulator();
    let ns = with_profile(&emu, "on-demand-light").remove(0);
    let listener = non_loopback_listener();
    let mut hosts = vec!["tcap-secrets.invalid".to_string()];
    if let Some((ip, listener)) = &listener {
        hosts.push(format!("{ip}:{}", listener.local_addr().unwrap().port()));
    }
    for host in &hosts {
        let plain = format!("http://{host}");
        let hook = format!("http://{host}/slack/webhook/T000/B000/{TOKEN}");
        let cases: Vec<(Vec<&str>, &str)> = vec![
            (
                vec!["analyze", "--cloud-ops-url", &plain],
                "--cloud-ops-url",
            ),
            (
                vec!["provision", &ns, "6", "--cloud-ops-url", &plain],
                "--cloud-ops-url",
            ),
            (
                vec!["revert", &ns, "--cloud-ops-url", &plain],
                "--cloud-ops-url",
            ),
            (
                vec!["verify", &ns, "--trus", "6", "--cloud-ops-url", &plain],
                "--cloud-ops-url",
            ),
            (
                vec![
                    "schedule-change",
                    &ns,
                    "6",
                    "--duration",
                    "1h",
                    "--cloud-ops-url",
                    &plain,
                ],
                "--cloud-ops-url",
            ),
            (vec!["analyze", "--metrics-url", &plain], "--metrics-url"),
            (
                vec!["analyze", "--notify", "--slack-webhook-url", &hook],
                "--slack-webhook-url",
            ),
            (
                vec![
                    "schedule-change",
                    &ns,
                    "6",
                    "--duration",
                    "1h",
                    "--slack-webhook-url",
                    &hook,
                ],
                "--slack-webhook-url",
            ),
        ];
        for (args, names) in cases {
            let out = emu
                .tcap()
                .env("TEMPORAL_CLOUD_API_KEY", KEY)
                .args(&args)
                .output()
                .unwrap();
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(
                stderr.contains(names),
                "{args:?}: {names} not named in {stderr}"
            );
            assert!(stderr.contains("https"), "{args:?}: {stderr}");
            assert_clean(&format!("stderr of {args:?}"), &out.stderr);
            assert_clean(&format!("stdout of {args:?}"), &out.stdout);
        }
        // The same from the environment: the error names the variable (or the flag it fills).
        for (var, flag) in [
            ("TCAP_CLOUD_OPS_URL", "--cloud-ops-url"),
            ("TCAP_METRICS_URL", "--metrics-url"),
        ] {
            let out = emu
                .tcap()
                .env("TEMPORAL_CLOUD_API_KEY", KEY)
                .env(var, &plain)
                .arg("analyze")
                .output()
                .unwrap();
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{var}: {stderr}");
            assert!(
                stderr.contains(var) || stderr.contains(flag),
                "{var}: {stderr}"
            );
        }
        let out = emu
            .tcap()
            .env("TEMPORAL_CLOUD_API_KEY", KEY)
            .env("SLACK_WEBHOOK_URL", &hook)
            .args(["schedule-change", &ns, "6", "--duration", "1h"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert_clean(
            "stderr of schedule-change with SLACK_WEBHOOK_URL",
            &out.stderr,
        );
    }
    // Refused before anything was sent: not to the emulator, not to the other host.
    assert!(
        emu.server.requests().is_empty(),
        "{:#?}",
        emu.server.requests()
    );
    if let Some((_, listener)) = &listener {
        match listener.accept() {
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            other => panic!("tcap connected to a non-loopback host over plain HTTP: {other:?}"),
        }
    }
    assert!(
        !emu.state_dir()
            .join("changes")
            .join(format!("{ns}.json"))
            .exists(),
        "a refused schedule-change left a state file"
    );

    // Loopback by name is fine over plain HTTP, and https anywhere is not refused up front
    // (here it fails later, because nothing speaks TLS there: 1 at once, not 2).
    let port = emu.server.addr().port();
    let out = emu
        .tcap()
        .env("TEMPORAL_CLOUD_API_KEY", KEY)
        .args(["verify", &ns, "--on-demand"])
        .args(["--cloud-ops-url", &format!("http://localhost:{port}")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = emu
        .tcap()
        .env("TEMPORAL_CLOUD_API_KEY", KEY)
        .args(["verify", &ns, "--on-demand", "--request-timeout", "2s"])
        .args(["--cloud-ops-url", &format!("https://127.0.0.1:{port}")])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("TLS handshake failed"), "{stderr}");
    assert!(!stderr.contains("refusing"), "{stderr}");
    assert_clean("stderr of https verify", &out.stderr);
}
