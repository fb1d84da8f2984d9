//! Hostile input, one test per class: arguments, the config file, the environment, a damaged
//! state file, a metrics body, Cloud Ops JSON bodies. Each must end with a contract exit code
//! and one clear `error:` line naming the problem (no panic, no backtrace), and change nothing.

use crate::common;

use std::collections::BTreeSet;
use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use common::{ADMIN_KEY, Emu, stdout_json, text, with_profile};
use serde_json::{Value, json};
use tcap::cloud::model::CapacitySpec;
use tcap::schedule::state::{Capacity, ChangeState, Plan, RevertTo};

// ---------------------------------------------------------------------------------------------
// Harness

/// Lines clap adds under its error line; anything else on stderr is a second message.
fn is_clap_hint(line: &str) -> bool {
    line.trim().is_empty()
        || line.starts_with("  ")
        || line.starts_with("Usage:")
        || line.starts_with("For more information")
        || line.starts_with("tip:")
}

/// The one `error:` line of a failed run, after checking that stderr holds no panic, no
/// backtrace and no other message.
#[track_caller]
fn error_line(out: &Output) -> String {
    let stderr = text(&out.stderr);
    for bad in ["panicked", "RUST_BACKTRACE", "stack backtrace", "thread '"] {
        assert!(!stderr.contains(bad), "{bad} in stderr:\n{stderr}");
    }
    let lines: Vec<&str> = stderr.lines().filter(|l| !is_clap_hint(l)).collect();
    assert_eq!(lines.len(), 1, "one error line expected, stderr:\n{stderr}");
    let line = lines[0];
    assert!(line.starts_with("error: "), "stderr:\n{stderr}");
    line.to_string()
}

/// Runs `tcap` and checks the exit code, the single error line and that it says `needle`.
#[track_caller]
fn fails(mut cmd: assert_cmd::Command, code: i32, needle: &str) -> (String, Output) {
    let out = cmd.output().unwrap();
    let line = error_line(&out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{line}\nstdout:\n{}",
        text(&out.stdout)
    );
    assert!(line.contains(needle), "{needle:?} not in {line:?}");
    (line, out)
}

/// Every request the emulator saw that could have changed something.
fn posts(emu: &Emu) -> Vec<String> {
    emu.server
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[track_caller]
fn assert_nothing_changed(emu: &Emu) {
    let sent = posts(emu);
    assert!(sent.is_empty(), "changes were sent: {sent:?}");
}

fn on_demand(emu: &Emu) -> String {
    with_profile(emu, "on-demand-light").remove(0)
}

/// A one-file HTTP/1.1 server on 127.0.0.1:0 that answers every request with what `answer`
/// returns for its method and path, and records them.
struct TinyServer {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl TinyServer {
    fn start(answer: impl Fn(&str, &str) -> Vec<u8> + Send + Sync + 'static) -> TinyServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let answer = Arc::new(answer);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let answer = answer.clone();
                let log = log.clone();
                std::thread::spawn(move || serve(stream, &*answer, &log));
            }
        });
        TinyServer { url, seen }
    }

    fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(mut stream: TcpStream, answer: &dyn Fn(&str, &str) -> Vec<u8>, log: &Mutex<Vec<String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut first = head.lines().next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let path = first.next().unwrap_or("").to_string();
    log.lock().unwrap().push(format!("{method} {path}"));
    let _ = stream.write_all(&answer(&method, &path));
    let _ = stream.flush();
}

/// A 200 answer with an exact Content-Length.
fn ok(content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn not_found() -> Vec<u8> {
    let body = br#"{"code":5,"message":"not found"}"#;
    let mut out = format!(
        "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

// ---------------------------------------------------------------------------------------------
// Arguments

#[test]
fn bad_arguments_exit_2_before_anything_is_sent() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    let cases: &[(&[&str], &str)] = &[
        (
            &["provision", &ns, "0"],
            "TRUS must be a positive whole number",
        ),
        (
            &["provision", &ns, "-3"],
            "TRUS must be a positive whole number",
        ),
        (&["provision", &ns, "2.5"], "TRUS must be a whole number"),
        (
            &["provision", &ns, "lots"],
            "TRUS must be a positive whole number",
        ),
        (&["provision", &ns, "1001"], "beyond any TRU value"),
        (&["verify", &ns, "--trus", "x"], "TRUS must be"),
        (&["provision", "no-account", "2"], "is not a namespace ID"),
        (
            &["schedule-change", &ns, "6", "--duration", "soon"],
            "'soon' is not a duration",
        ),
        (
            &["schedule-change", &ns, "6", "--end-time", "tomorrow"],
            "'tomorrow' is not a time",
        ),
        (
            &[
                "schedule-change",
                &ns,
                "6",
                "--end-time",
                "2026-02-30T17:00:00Z",
            ],
            "is not a time",
        ),
        (
            &[
                "schedule-change",
                &ns,
                "6",
                "--end-time",
                "2020-01-16T17:00:00Z",
            ],
            "is in the past",
        ),
        (
            &["changes", "extend", &ns, "--end-time", "half past"],
            "is not a time",
        ),
        (&["analyze", "--no-such-flag"], "--no-such-flag"),
        (
            &["analyze", "--target-utilization", "2"],
            "target utilization",
        ),
        (
            &["analyze", "--target-utilization", "NaN"],
            "target utilization",
        ),
        (
            &["analyze", "--target-utilization", "0"],
            "target utilization",
        ),
        (&["analyze", "--concurrency", "0"], "--concurrency"),
        (&["analyze", "--namespace", "[unclosed"], "not a valid glob"),
        (&["--request-timeout", "0s", "analyze"], "--request-timeout"),
        (&["--output", "yaml", "analyze"], "yaml"),
        (&["verify", &ns], "required arguments were not provided"),
        (
            &["dev-server", "--fault-rate", "2"],
            "not a fraction between 0.0 and 1.0",
        ),
        (
            &["dev-server", "--rate-limit", "0"],
            "not a positive number",
        ),
    ];
    for (args, needle) in cases {
        let mut cmd = emu.tcap();
        cmd.args(*args).timeout(Duration::from_secs(20));
        let (line, _) = fails(cmd, 2, needle);
        assert!(!line.contains(ADMIN_KEY), "{line}");
    }
    // Refused before the first request: the emulator saw nothing at all.
    let seen: Vec<String> = emu
        .server
        .requests()
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert!(seen.is_empty(), "{seen:?}");

    // A value the namespace does not offer is refused after reading capacity-info, and still
    // nothing is sent.
    fails(
        {
            let mut cmd = emu.tcap();
            cmd.args(["provision", &ns, "1000"]);
            cmd
        },
        2,
        "1000",
    );
    assert_nothing_changed(&emu);
}

// ---------------------------------------------------------------------------------------------
// Config file

#[test]
fn a_bad_config_file_exits_2_and_is_named() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    let dir = emu.home.path().join("configs");
    fs::create_dir_all(&dir).unwrap();
    let cases: &[(&str, &str, &str)] = &[
        ("invalid.toml", "output = \n", "line 1"),
        ("unclosed.toml", "[profile\noutput = \"json\"\n", "line 1"),
        (
            "unknown.toml",
            "no_progress = true\ncloud_url = \"https://x\"\n",
            "unknown field `cloud_url`",
        ),
        ("type.toml", "no_progress = \"yes\"\n", "expected a boolean"),
        ("number.toml", "request_timeout = 30\n", "expected a string"),
        (
            "variant.toml",
            "output = \"yaml\"\n",
            "unknown variant `yaml`",
        ),
        (
            "duplicate.toml",
            "output = \"json\"\noutput = \"csv\"\n",
            "line 2: duplicate key",
        ),
        (
            "duration.toml",
            "request_timeout = \"soon\"\n",
            "request_timeout",
        ),
        (
            "url.toml",
            "metrics_url = \"ftp://metrics.example\"\n",
            "metrics_url in the config",
        ),
        ("binary.toml", "\u{0}\u{1}\u{2}", "config file"),
    ];
    for (name, body, needle) in cases {
        let path = dir.join(name);
        fs::write(&path, body).unwrap();
        let mut cmd = emu.tcap();
        // The harness sets TCAP_METRICS_URL, which would rightly beat the file's.
        cmd.env_remove("TCAP_METRICS_URL")
            .arg("--config")
            .arg(&path)
            .args(["verify", &ns, "--trus", "2"]);
        let (line, _) = fails(cmd, 2, needle);
        assert!(line.contains(&path.display().to_string()), "{line}");
    }

    // Not UTF-8 at all.
    let path = dir.join("latin1.toml");
    fs::write(&path, b"api_version = \"v\xe9\"\n").unwrap();
    let mut cmd = emu.tcap();
    cmd.arg("--config")
        .arg(&path)
        .args(["verify", &ns, "--trus", "2"]);
    let (line, _) = fails(cmd, 2, "latin1.toml");
    assert!(line.contains("config file"), "{line}");

    // A --config path that cannot be read: missing, or a directory.
    for path in [dir.join("missing.toml"), dir.clone()] {
        let mut cmd = emu.tcap();
        cmd.arg("--config")
            .arg(&path)
            .args(["verify", &ns, "--trus", "2"]);
        let (line, _) = fails(cmd, 2, "cannot read config file");
        assert!(line.contains(&path.display().to_string()), "{line}");
    }

    // The same through TCAP_CONFIG, and at the default location.
    let bad = dir.join("unknown.toml");
    let mut cmd = emu.tcap();
    cmd.env("TCAP_CONFIG", &bad)
        .args(["verify", &ns, "--trus", "2"]);
    fails(cmd, 2, "unknown.toml");
    let default = emu.home.path().join("config").join("tcap");
    fs::create_dir_all(&default).unwrap();
    fs::write(default.join("config.toml"), "colour = \"never\"\n").unwrap();
    let mut cmd = emu.tcap();
    cmd.args(["verify", &ns, "--trus", "2"]);
    let (line, _) = fails(cmd, 2, "unknown field `colour`");
    assert!(line.contains("config.toml"), "{line}");

    let seen: Vec<String> = emu
        .server
        .requests()
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert!(
        seen.is_empty(),
        "a bad config file must stop tcap before any request: {seen:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Environment

#[test]
fn a_bad_environment_exits_2_and_never_shows_the_key() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    let key = "tcap-env-secret-4b7e9d";
    let verify = ["verify", ns.as_str(), "--trus", "2"];
    type Setup<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a str);
    let cases: &[Setup] = &[
        // An empty key is no key: the missing-key error, naming the variable.
        (
            &[("TEMPORAL_CLOUD_API_KEY", "")],
            &verify,
            "TEMPORAL_CLOUD_API_KEY",
        ),
        (
            &[("TEMPORAL_CLOUD_API_KEY", ""), ("TEMPORAL_API_KEY", "")],
            &verify,
            "no Cloud Ops API key",
        ),
        (
            &[("TEMPORAL_CLOUD_API_KEY", "   ")],
            &verify,
            "TEMPORAL_CLOUD_API_KEY is empty",
        ),
        (
            &[("TCAP_CLOUD_OPS_URL", "not a url")],
            &verify,
            "TCAP_CLOUD_OPS_URL",
        ),
        (
            &[("TCAP_CLOUD_OPS_URL", "ftp://ops.example")],
            &verify,
            "TCAP_CLOUD_OPS_URL",
        ),
        (
            &[("TCAP_METRICS_URL", "ftp://x")],
            &["analyze"],
            "TCAP_METRICS_URL",
        ),
        (
            &[("TCAP_METRICS_URL", "http://")],
            &["analyze"],
            "TCAP_METRICS_URL",
        ),
        // Plain HTTP to anything but loopback: the key would cross the network in clear.
        (
            &[
                ("TCAP_CLOUD_OPS_URL", "http://example.com"),
                ("TEMPORAL_CLOUD_API_KEY", key),
            ],
            &verify,
            "plain HTTP",
        ),
        (
            &[
                ("TCAP_METRICS_URL", "http://10.1.2.3:7280"),
                ("TEMPORAL_CLOUD_API_KEY", key),
            ],
            &["analyze"],
            "plain HTTP",
        ),
        (
            &[
                ("TCAP_CLOUD_OPS_URL", "http://localhost.example.com"),
                ("TEMPORAL_CLOUD_METRICS_API_KEY", key),
            ],
            &verify,
            "plain HTTP",
        ),
        (
            &[("TCAP_API_VERSION", "v0.19.1\u{7f}")],
            &verify,
            "TCAP_API_VERSION",
        ),
        (&[("TCAP_API_VERSION", " ")], &verify, "not an API version"),
        // A key that cannot travel in a header is bad input, not an unreachable service.
        (
            &[("TEMPORAL_CLOUD_API_KEY", "tcap-env-\u{1}secret-4b7e9d")],
            &verify,
            "TEMPORAL_CLOUD_API_KEY contains characters",
        ),
        (
            &[("TEMPORAL_CLOUD_API_KEY", "tcap-env secret-4b7e9d")],
            &verify,
            "TEMPORAL_CLOUD_API_KEY contains whitespace",
        ),
        (
            &[("TEMPORAL_CLOUD_METRICS_API_KEY", "tcap-env-sécret-4b7e9d")],
            &["analyze"],
            "TEMPORAL_CLOUD_METRICS_API_KEY contains characters",
        ),
    ];
    for (vars, args, needle) in cases {
        let mut cmd = emu.tcap();
        for (name, value) in *vars {
            cmd.env(name, value);
        }
        cmd.args(*args);
        let (line, out) = fails(cmd, 2, needle);
        for secret in [key, ADMIN_KEY, "secret-4b7e9d"] {
            assert!(!line.contains(secret), "{line}");
            assert!(!text(&out.stdout).contains(secret));
        }
    }
    let seen: Vec<String> = emu
        .server
        .requests()
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert!(seen.is_empty(), "{seen:?}");
}

// ---------------------------------------------------------------------------------------------
// State file

fn changes_dir(emu: &Emu) -> PathBuf {
    let dir = emu.state_dir().join("changes");
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// The `<ns>.json.corrupt-*` files in `dir`.
fn corrupt_files(dir: &Path, ns: &str) -> BTreeSet<PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{ns}.json.corrupt-"))
        })
        .collect()
}

/// A state file as `schedule-change` writes it, for a change of `ns` to 6 TRUs for an hour.
fn valid_state(ns: &str) -> Vec<u8> {
    let now = Utc::now();
    let state = ChangeState::new(
        Plan {
            namespace: ns.to_string(),
            trus: 6,
            start_time: now,
            end_time: Some(now + chrono::Duration::hours(1)),
            revert_to: RevertTo::Previous,
            capacity_before: Some(Capacity::of(CapacitySpec::OnDemand)),
            ramp: Vec::new(),
            event: None,
        },
        now,
    );
    serde_json::to_vec_pretty(&state).unwrap()
}

#[test]
fn a_damaged_state_file_is_moved_aside_and_named_never_overwritten() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    let dir = changes_dir(&emu);
    let path = dir.join(format!("{ns}.json"));

    let valid = valid_state(&ns);
    let truncated = valid[..valid.len() / 2].to_vec();
    let garbage = b"\x00\x01not json at all \xff\xfe{{{".to_vec();
    let commands: [Vec<&str>; 2] = [
        vec!["schedule-change", &ns, "6", "--duration", "1h"],
        vec!["changes", "resume", &ns],
    ];
    for (what, bytes) in [
        ("corrupted", &garbage),
        ("truncated", &truncated),
        ("empty", &Vec::new()),
    ] {
        for args in &commands {
            let before = corrupt_files(&dir, &ns);
            fs::write(&path, bytes).unwrap();
            let mut cmd = emu.tcap();
            cmd.args(args);
            let (line, _) = fails(cmd, 2, "could not be read");
            // Moved aside, under a new name that the message gives, with every byte kept.
            let after = corrupt_files(&dir, &ns);
            let new: Vec<&PathBuf> = after.difference(&before).collect();
            assert_eq!(new.len(), 1, "{what} {args:?}: {line}");
            assert!(
                line.contains(&new[0].display().to_string()),
                "{what} {args:?}: the moved file is not named: {line}"
            );
            assert_eq!(&fs::read(new[0]).unwrap(), bytes, "{what} {args:?}");
            // And nothing new was written in its place.
            assert!(
                !path.exists(),
                "{what} {args:?}: a state file was written again"
            );
            // Earlier moved files are never overwritten, even within the same second.
            assert!(before.is_subset(&after));
        }
    }
    assert_nothing_changed(&emu);
    assert_eq!(corrupt_files(&dir, &ns).len(), 6);
}

#[test]
fn a_state_file_from_a_newer_tcap_is_left_alone() {
    let emu = Emu::start();
    let ns = on_demand(&emu);
    let dir = changes_dir(&emu);
    let path = dir.join(format!("{ns}.json"));
    let mut newer: Value = serde_json::from_slice(&valid_state(&ns)).unwrap();
    newer["schema"] = json!(99);
    newer["something_new"] = json!({"added": "in schema 99"});
    let bytes = serde_json::to_vec_pretty(&newer).unwrap();
    fs::write(&path, &bytes).unwrap();

    for args in [
        vec!["schedule-change", &ns, "6", "--duration", "1h"],
        vec!["changes", "resume", &ns],
        vec!["changes", "cancel", &ns],
    ] {
        let mut cmd = emu.tcap();
        cmd.args(&args);
        let (line, _) = fails(cmd, 2, "newer tcap");
        assert!(line.contains("schema 99"), "{line}");
        assert!(line.contains(&path.display().to_string()), "{line}");
        assert_eq!(fs::read(&path).unwrap(), bytes, "{args:?} touched the file");
    }
    assert!(corrupt_files(&dir, &ns).is_empty());

    // `changes list` shows it, unreadable, and leaves it be.
    let out = emu
        .tcap()
        .args(["changes", "list", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rows = stdout_json(&out);
    assert_eq!(rows[0]["namespace"], ns.as_str());
    assert_eq!(rows[0]["status"], "unreadable");
    assert!(rows[0]["error"].as_str().unwrap().contains("newer tcap"));
    assert_eq!(fs::read(&path).unwrap(), bytes);
    assert_nothing_changed(&emu);
}

/// `changes list` reports what is recorded and changes nothing: a damaged file is listed as
/// unreadable, with the reason, every time, and stays where it is until a command that acts on
/// its namespace (`schedule-change`, `changes resume`) moves it aside. Listing succeeded, so
/// the exit status is 0; the row says what is wrong.
#[test]
fn changes_list_shows_a_damaged_state_file_without_moving_it() {
    let emu = Emu::start();
    let names = emu.namespaces();
    let (good, bad, cut) = (&names[0], &names[1], &names[2]);
    let dir = changes_dir(&emu);
    fs::write(dir.join(format!("{good}.json")), valid_state(good)).unwrap();
    fs::write(
        dir.join(format!("{bad}.json")),
        b"{\"schema\": 1, \"plan\": [",
    )
    .unwrap();
    let valid = valid_state(cut);
    fs::write(dir.join(format!("{cut}.json")), &valid[..valid.len() / 2]).unwrap();
    let snapshot = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let before = snapshot(&dir);

    for _ in 0..2 {
        let out = emu
            .tcap()
            .args(["changes", "list", "-o", "json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(!text(&out.stderr).contains("panicked"));
        let rows = stdout_json(&out);
        let rows = rows.as_array().unwrap();
        assert_eq!(rows.len(), 3, "{rows:?}");
        for row in rows {
            let name = row["namespace"].as_str().unwrap();
            if name == good.as_str() {
                assert_eq!(row["status"], "interrupted", "{row}");
            } else {
                assert_eq!(row["status"], "unreadable", "{row}");
                let error = row["error"].as_str().unwrap();
                assert!(error.contains("could not be read"), "{error}");
                assert!(error.contains(&format!("{name}.json")), "{error}");
            }
        }
        let table = emu.tcap().args(["changes", "list"]).output().unwrap();
        assert_eq!(table.status.code(), Some(0));
        assert!(text(&table.stdout).contains("could not be read"));
        assert_eq!(
            snapshot(&dir),
            before,
            "changes list modified the state directory"
        );
    }
    assert_nothing_changed(&emu);
}

// ---------------------------------------------------------------------------------------------
// Metrics body

/// `tcap analyze` with the Metrics API at `metrics` and the Cloud Ops API at the emulator.
fn analyze(emu: &Emu, metrics: &str) -> assert_cmd::Command {
    let mut cmd = emu.tcap();
    cmd.env("TCAP_METRICS_URL", metrics)
        .env("TCAP_RETRY_DELAY_SCALE", "0.01")
        .args(["-q", "analyze", "-o", "json"]);
    cmd
}

#[test]
fn a_bad_metrics_body_is_a_clear_failure_and_invents_no_namespace() {
    let emu = Emu::start();
    let real = on_demand(&emu);
    let line = format!(
        "temporal_cloud_v1_action_limit{{temporal_namespace=\"{real}\"}} 500 1788763560000\n"
    );
    let partly = format!(
        "{line}temporal_cloud_v1_action_limit{{temporal_namespace=\"ghost-a.x\"}} 12abc\n\
         temporal_cloud_v1_total_action_count{{temporal_namespace=\"ghost-b.x\",is_background=\"false\" 5\n\
         temporal_cloud_v1_total_action_count{{temporal_namespace=\"ghost-c.x\"}} 0x10\n"
    );
    let cut = format!("{line}temporal_cloud_v1_total_action_count{{temporal_namespace=\"gh");
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        (
            "garbage",
            b"<html><body>502 Bad Gateway</body></html>\n{{{\n".to_vec(),
        ),
        ("binary", b"\x00\x01\x02 not text\n".to_vec()),
        (
            "not utf-8",
            b"temporal_cloud_v1_action_limit 5 \xff\xfe\n".to_vec(),
        ),
        ("partly", partly.into_bytes()),
        ("cut mid-line", cut.into_bytes()),
        ("json", br#"{"data": {"result": []}}"#.to_vec()),
    ];
    let table: Arc<Mutex<Vec<u8>>> = Arc::new(Mutex::new(Vec::new()));
    let current = table.clone();
    let server = TinyServer::start(move |_, path| {
        if path.starts_with("/v1/metrics") {
            ok("text/plain; version=0.0.4", &current.lock().unwrap())
        } else {
            not_found()
        }
    });
    for (what, body) in bodies {
        *table.lock().unwrap() = body;
        let out = analyze(&emu, &server.url).output().unwrap();
        let line = error_line(&out);
        let code = out.status.code();
        assert!(
            matches!(code, Some(1 | 75)),
            "{what}: exit {code:?}: {line}"
        );
        assert!(line.contains("metrics"), "{what}: {line}");
        let stdout = text(&out.stdout);
        assert!(
            !stdout.contains("ghost"),
            "{what}: a namespace from garbage: {stdout}"
        );
        if code == Some(1) {
            // The readable part is reported, and only that.
            let rows = stdout_json(&out);
            let rows = rows.as_array().unwrap();
            for row in rows {
                assert_eq!(row["namespace"], real.as_str(), "{what}: {row}");
            }
            assert_eq!(
                rows.len(),
                usize::from(what == "partly"),
                "{what}: {rows:?}"
            );
            assert!(line.contains("could not be read"), "{what}: {line}");
        }
    }
    // A body that is all noise is not "no namespaces, all good".
    assert!(server.requests().len() >= 6);

    // The emulator's own answers marked incomplete, or refused.
    for (next, code, needle) in [
        (json!({"completeness": "limited"}), 1, "limited"),
        (json!({"completeness": "unknown"}), 1, "unknown"),
        (json!({"status": 400}), 1, "Metrics API answered 400"),
        (
            json!({"status": 401}),
            4,
            "Metrics API refused the Metrics API key",
        ),
    ] {
        emu.control("/_dev/metrics/next", next.clone());
        let mut cmd = analyze(&emu, &emu.url());
        // One call: a cut answer cannot be read again in parts.
        cmd.env("TCAP_METRICS_URL", emu.url())
            .args(["--max-metrics-calls", "1"]);
        fails(cmd, code, needle);
    }
    assert_nothing_changed(&emu);
}

// ---------------------------------------------------------------------------------------------
// Cloud Ops JSON bodies

const CAPACITY_INFO: &str = r#"{"capacityInfo": {
  "namespace": "orders.a1b2c",
  "currentCapacity": {"onDemand": {}},
  "modeOptions": {"provisioned": {"validTruValues": [2, 3, 4, 6, 8], "maxAvailableTruValue": 8},
                  "onDemand": {"apsLimit": 500}},
  "stats": {"aps": {"mean": 100, "p90": 200, "p99": 300}}
}}"#;

#[test]
fn bad_cloud_ops_bodies_end_with_a_contract_code_naming_the_api() {
    let bodies: &[(&str, &str)] = &[
        (
            "malformed",
            r#"{"namespace": {"namespace": "orders.a1b2c", "spec": {"#,
        ),
        ("array", r#"[{"namespace": {"namespace": "orders.a1b2c"}}]"#),
        ("null namespace", r#"{"namespace": null}"#),
        ("empty object", "{}"),
        (
            "wrong type",
            r#"{"namespace": {"namespace": "orders.a1b2c", "resourceVersion": 5}}"#,
        ),
        (
            "bad spec",
            r#"{"namespace": {"namespace": "orders.a1b2c", "spec": [1, 2]}}"#,
        ),
        (
            "bad time",
            r#"{"namespace": {"capacity": {"latestRequest": {"startTime": "yesterday"}}}}"#,
        ),
        ("string", r#""namespace""#),
        ("empty", ""),
        ("html", "<html><body>Service Unavailable</body></html>"),
    ];
    let table: Arc<Mutex<&'static str>> = Arc::new(Mutex::new(""));
    let current = table.clone();
    let server = TinyServer::start(move |method, path| match (method, path) {
        ("GET", "/cloud/namespaces/orders.a1b2c/capacity-info") => {
            ok("application/json", CAPACITY_INFO.as_bytes())
        }
        ("GET", "/cloud/namespaces/orders.a1b2c") => {
            ok("application/json", current.lock().unwrap().as_bytes())
        }
        _ => not_found(),
    });
    let home = tempfile::tempdir().unwrap();
    let tcap = |args: &[&str]| {
        let mut cmd = assert_cmd::Command::from_std(common::clean_command(home.path()));
        cmd.env("TCAP_CLOUD_OPS_URL", &server.url)
            .env("TEMPORAL_CLOUD_API_KEY", ADMIN_KEY)
            .timeout(Duration::from_secs(60))
            .args(args);
        cmd
    };
    for (what, body) in bodies {
        *table.lock().unwrap() = body;
        for args in [
            &["verify", "orders.a1b2c", "--trus", "2"][..],
            &["provision", "orders.a1b2c", "2", "--dry-run"][..],
            &["-o", "json", "provision", "orders.a1b2c", "2"][..],
        ] {
            let out = tcap(args).output().unwrap();
            let line = error_line(&out);
            let code = out.status.code();
            assert!(
                matches!(code, Some(1 | 75)),
                "{what} {args:?}: exit {code:?}: {line}"
            );
            assert!(line.contains("Cloud Ops API"), "{what} {args:?}: {line}");
            assert!(!line.contains(ADMIN_KEY));
        }
    }
    let sent: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|r| !r.starts_with("GET "))
        .collect();
    assert!(
        sent.is_empty(),
        "a change was sent on an unreadable namespace: {sent:?}"
    );
}

/// A `Retry-After` no clock can wait for is a 429 like any other: exit 75, no panic.
#[test]
fn an_absurd_retry_after_is_a_temporary_failure() {
    let server = TinyServer::start(|_, _| {
        b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1e300\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .to_vec()
    });
    let home = tempfile::tempdir().unwrap();
    let mut cmd = assert_cmd::Command::from_std(common::clean_command(home.path()));
    cmd.env("TCAP_CLOUD_OPS_URL", &server.url)
        .env("TEMPORAL_CLOUD_API_KEY", ADMIN_KEY)
        .timeout(Duration::from_secs(60))
        .args(["verify", "orders.a1b2c", "--trus", "2"]);
    fails(cmd, 75, "Cloud Ops API answered 429");
}

/// At a clock change the advice names the time with its offset; what it suggests is accepted.
/// The zone is a POSIX TZ string (central Europe), so no zone database is needed.
#[test]
fn clock_change_advice_suggests_times_that_are_accepted() {
    let zone = "CET-1CEST,M3.5.0,M10.5.0/3";
    for (local, suggestions) in [
        ("2027-10-31 02:30", 2), // happens twice
        ("2027-03-28 02:30", 1), // skipped
    ] {
        let out = common::clean_tcap()
            .env("TZ", zone)
            .args(["schedule-change", "payments-prod.a1b2c", "6"])
            .args(["--start-time", local, "--duration", "1h"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = common::text(&out.stderr);
        let suggested: Vec<&str> = stderr
            .split('\'')
            .filter(|q| q.starts_with(local) && q.len() > local.len())
            .collect();
        assert_eq!(suggested.len(), suggestions, "{stderr}");
        for s in suggested {
            assert!(
                tcap::schedule::time::parse_time(s).is_ok(),
                "suggested {s} is refused"
            );
        }
    }
    let first = tcap::schedule::time::parse_time("2027-10-31 02:30+02:00").unwrap();
    let second = tcap::schedule::time::parse_time("2027-10-31 02:30+01:00").unwrap();
    assert_eq!(second - first, chrono::Duration::hours(1));
}
