//! The command line as a user meets it: exit codes, errors, pipes, keys.

use crate::common;

use common::{Emu, text};
use predicates::prelude::*;
use predicates::str::contains;

fn tcap() -> assert_cmd::Command {
    common::clean_tcap()
}

#[test]
fn version_and_help_exit_0() {
    tcap()
        .arg("--version")
        .assert()
        .success()
        .stdout(contains("tcap "));
    tcap()
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("analyze"));
}

#[test]
fn a_bad_flag_exits_2() {
    tcap().args(["analyze", "--no-such-flag"]).assert().code(2);
    tcap()
        .args(["--output", "yaml", "analyze"])
        .assert()
        .code(2);
    tcap()
        .args(["--request-timeout", "soon", "analyze"])
        .assert()
        .code(2)
        .stderr(contains("not a duration"));
}

#[test]
fn a_missing_key_is_a_clear_usage_error() {
    let home = tempfile::tempdir().unwrap();
    tcap()
        .env("XDG_CONFIG_HOME", home.path())
        .args(["analyze"])
        .assert()
        .code(2)
        .stderr(contains("TEMPORAL_CLOUD_API_KEY"));
}

#[test]
fn keys_never_travel_over_plain_http_to_a_remote_host() {
    let home = tempfile::tempdir().unwrap();
    tcap()
        .env("XDG_CONFIG_HOME", home.path())
        .env("TEMPORAL_CLOUD_API_KEY", "secret-key-123")
        .args([
            "--cloud-ops-url",
            "http://example.com",
            "--metrics-url",
            "http://example.com",
            "analyze",
        ])
        .assert()
        .code(2)
        .stderr(contains("plain HTTP"))
        .stderr(contains("secret-key-123").not());
}

#[test]
fn a_bad_config_file_is_named() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("c.toml");
    std::fs::write(&config, "output = \"yaml\"\n").unwrap();
    tcap()
        .arg("--config")
        .arg(&config)
        .args(["completions", "bash"])
        .assert()
        .code(2)
        .stderr(contains("c.toml"));
}

#[test]
fn global_options_work_after_the_subcommand_and_from_the_config_file() {
    let emu = Emu::start();
    let config = emu.home.path().join("config").join("tcap");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.toml"), "output = \"csv\"\n").unwrap();
    let out = emu.tcap().arg("analyze").output().unwrap();
    assert!(
        text(&out.stdout).starts_with("namespace,"),
        "config file output = csv"
    );
    let out = emu.tcap().args(["analyze", "-o", "json"]).output().unwrap();
    assert!(
        text(&out.stdout).starts_with('['),
        "the flag beats the config file"
    );
}

#[test]
fn a_closed_stdout_pipe_exits_0() {
    use std::io::Read;
    use std::process::Stdio;
    let emu = Emu::start();
    let mut child = emu
        .command()
        .args(["analyze", "-o", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read nothing and close the pipe, like `tcap analyze | head -0`.
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn the_demo_runs_without_a_key_or_network() {
    let home = tempfile::tempdir().unwrap();
    tcap()
        .env("XDG_CONFIG_HOME", home.path())
        .args(["--demo", "analyze"])
        .assert()
        .success()
        .stdout(contains("NAMESPACE"))
        .stdout(contains("12 namespaces"));
}

/// Listening on every address (0.0.0.0) still prints a loopback URL: the one tcap accepts.
#[test]
fn dev_server_prints_the_export_lines() {
    for listen in ["127.0.0.1:0", "0.0.0.0:0"] {
        dev_server_prints_export_lines_when_listening_on(listen);
    }
}

fn dev_server_prints_export_lines_when_listening_on(listen: &str) {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let home = tempfile::tempdir().unwrap();
    let mut child = common::clean_command(home.path())
        .args(["dev-server", "--listen", listen, "--namespaces", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut exports = Vec::new();
    for line in lines.by_ref().take(6) {
        exports.push(line.unwrap());
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let all = exports.join("\n");
    for var in [
        "TCAP_CLOUD_OPS_URL=http://127.0.0.1:",
        "TCAP_METRICS_URL=http://127.0.0.1:",
        "TEMPORAL_CLOUD_API_KEY=",
        "SLACK_WEBHOOK_URL=",
    ] {
        assert!(all.contains(&format!("export {var}")), "{all}");
    }
    assert!(all.contains("3 namespaces"), "{all}");
}

/// `-o csv` is `analyze`'s: on another command's command line it is a usage error; as the
/// config file's default it falls back to the table there.
#[test]
fn csv_outside_analyze_is_refused_on_the_command_line_and_ignored_from_the_config() {
    let home = tempfile::tempdir().unwrap();
    let out = common::clean_command(home.path())
        .args(["-o", "csv", "changes", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::text(&out.stderr).contains("-o csv is only for `tcap analyze`"),
        "{}",
        common::text(&out.stderr)
    );
    let config = home.path().join("tcap.toml");
    std::fs::write(&config, "output = \"csv\"\n").unwrap();
    // A lock file left behind (they may stay) is never listed as a change.
    let changes = home.path().join("state/tcap/changes");
    std::fs::create_dir_all(&changes).unwrap();
    std::fs::write(changes.join("payments-prod.a1b2c.lock"), "12345").unwrap();
    let out = common::clean_command(home.path())
        .args(["--config", config.to_str().unwrap(), "changes", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    assert_eq!(
        common::text(&out.stdout),
        "no scheduled changes recorded on this machine\n"
    );
    let out = common::clean_command(home.path())
        .args(["--config", config.to_str().unwrap(), "--demo", "analyze"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(common::text(&out.stdout).starts_with("namespace,action_limit,"));
}

/// Every variable clap fills an option from, with a value it accepts.
const OPTION_VARIABLES: &[(&str, &str)] = &[
    ("TCAP_CLOUD_OPS_URL", "http://127.0.0.1:9"),
    ("TCAP_METRICS_URL", "http://127.0.0.1:9"),
    ("TCAP_API_VERSION", "v0.19.1"),
    ("TCAP_CONFIG", "/nonexistent/tcap.toml"),
    ("TCAP_PRICE_PER_MILLION_ACTIONS", "42"),
    ("SLACK_WEBHOOK_URL", "http://127.0.0.1:9/slack/webhook"),
];

/// The options of every command that have an environment variable: (variable, --long).
fn env_backed_options() -> Vec<(String, String)> {
    fn walk(cmd: &clap::Command, out: &mut Vec<(String, String)>) {
        for arg in cmd.get_arguments() {
            if let (Some(var), Some(long)) = (arg.get_env(), arg.get_long()) {
                out.push((var.to_string_lossy().into_owned(), format!("--{long}")));
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, out);
        }
    }
    use clap::CommandFactory;
    let mut out = Vec::new();
    walk(&tcap::cli::Cli::command(), &mut out);
    out.sort();
    out.dedup();
    out
}

fn usage_line(stream: &[u8]) -> String {
    text(stream)
        .lines()
        .find(|l| l.starts_with("Usage:"))
        .unwrap_or_else(|| panic!("no usage line in:\n{}", text(stream)))
        .to_string()
}

#[test]
fn an_error_s_usage_line_lists_no_option_the_environment_set() {
    let options = env_backed_options();
    for (var, _) in &options {
        assert!(
            OPTION_VARIABLES.iter().any(|(v, _)| v == var),
            "{var} is missing from OPTION_VARIABLES"
        );
    }
    // (the command, what makes it fail): a missing argument, a required group, a conflict.
    let cases: &[(&[&str], &[&str])] = &[
        (&["provision"], &["payments-prod.a1b2c"]),
        (
            &["provision"],
            &["ns.a1b2c", "6", "--no-wait", "--wait-timeout", "1m"],
        ),
        (&["revert"], &[]),
        (&["verify"], &["payments-prod.a1b2c"]),
        (&["schedule-change"], &["payments-prod.a1b2c"]),
        (
            &["schedule-change"],
            &[
                "ns.a1b2c",
                "6",
                "--end-time",
                "2030-01-01 08:00",
                "--duration",
                "1h",
            ],
        ),
        (&["changes", "resume"], &[]),
        (&["changes", "extend"], &["payments-prod.a1b2c"]),
        (&["changes", "cancel"], &[]),
        (&["completions"], &[]),
        (&["man"], &[]),
        (&["analyze"], &["-q", "-v"]),
        (&["dev-server"], &["-q", "-v"]),
        (&["changes", "list"], &["-q", "-v"]),
        (&[], &["-q", "-v", "analyze"]),
    ];
    for (command, failing) in cases {
        let help = tcap().args(*command).arg("--help").output().unwrap();
        let expected = usage_line(&help.stdout);
        let mut cmd = tcap();
        for (var, value) in OPTION_VARIABLES {
            cmd.env(var, value);
        }
        let out = cmd.args(*command).args(*failing).output().unwrap();
        common::expect_code(&out, 2);
        let usage = usage_line(&out.stderr);
        assert_eq!(usage, expected, "{command:?} {failing:?}");
        for (_, long) in &options {
            assert!(!usage.contains(long.as_str()), "{usage}");
        }
    }
}
