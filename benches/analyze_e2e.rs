//! End to end: the release `tcap analyze -o json` against the emulator at Temporal's own
//! limits (100 ms per answer, 80 Cloud Ops requests per second, 429 with `Retry-After: 1`
//! above that), next to the lower bound: every Cloud Ops request it had to make (the list's
//! pages and one capacity-info call per namespace) at 80 per second, plus its metrics calls
//! one after another (more than one when the 30k cap cuts the first answer); plus
//! `tcap --version` and the binary's size.
//!
//! ```sh
//! cargo bench --bench analyze_e2e                    # every scenario (about 2 minutes)
//! cargo bench --bench analyze_e2e -- analyze-500 size  # only these scenarios
//! cargo bench --bench analyze_e2e -- analyze --runs 3  # analyze-500 and -5000, three runs each
//! ```
//!
//! Scenarios: `analyze-500`, `analyze-5000` (default flags), `serial-500` (`--concurrency 1`,
//! the baseline of the speed-up), `version` (`tcap --version` 30 times), `size` (the binary
//! this bench runs; `cargo bench` may build it with the dev-dependencies' features, so the
//! README states the size of `cargo build --release`'s).
//!
//! Peak memory comes from `/usr/bin/time` (GNU time) when it is installed. This is a
//! measurement, not a test: it prints each target as `ok` or `MISS` and fails only when a run
//! itself fails (an exit status other than 0, or a namespace with an error). Under `cargo test`
//! (no `--bench` argument) it does nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tcap::devserver::{Config, DevServer};

const TCAP: &str = env!("CARGO_BIN_EXE_tcap");
const LATENCY: Duration = Duration::from_millis(100);
const RATE: f64 = 80.0;
const GNU_TIME: &str = "/usr/bin/time";

struct Run {
    elapsed: Duration,
    rows: usize,
    failed: usize,
    rate_limited: u64,
    cloud_ops_requests: u64,
    list_calls: usize,
    metrics_calls: u64,
    peak_kb: Option<u64>,
    status: Option<i32>,
}

struct Bench {
    runtime: tokio::runtime::Runtime,
    home: tempfile::TempDir,
    failures: usize,
}

impl Bench {
    /// One fresh emulated account per run, so every run starts with the server's bucket full.
    fn analyze(&mut self, namespaces: usize, extra: &[&str]) -> Run {
        let config = Config {
            namespaces,
            latency: LATENCY,
            rate_limit: Some(RATE),
            ..Config::default()
        };
        let key = config.admin_key.clone();
        let server = self
            .runtime
            .block_on(DevServer::start(([127, 0, 0, 1], 0).into(), config))
            .expect("the emulator starts");
        assert_eq!(server.namespace_ids().len(), namespaces);
        let url = server.base_url();
        let mut args = vec!["analyze", "-o", "json"];
        args.extend(extra);
        let memory = self.home.path().join("peak-kb");
        let mut cmd = self.command(&args, Some(&memory));
        cmd.env("TCAP_CLOUD_OPS_URL", &url)
            .env("TCAP_METRICS_URL", &url)
            .env("TEMPORAL_CLOUD_API_KEY", &key);
        let started = Instant::now();
        let output = cmd.output().expect("tcap runs");
        let elapsed = started.elapsed();
        let stats = server.stats();
        let list_calls = server
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path == "/cloud/namespaces")
            .count();
        drop(server);
        let rows: Vec<Value> = serde_json::from_slice::<Value>(&output.stdout)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default();
        let failed = rows.iter().filter(|r| r.get("error").is_some()).count();
        if !output.status.success() || rows.len() != namespaces || failed > 0 {
            self.failures += 1;
            eprintln!(
                "tcap analyze failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            );
        }
        Run {
            elapsed,
            rows: rows.len(),
            failed,
            rate_limited: stats.rate_limited,
            cloud_ops_requests: stats.cloud_ops_requests,
            list_calls,
            metrics_calls: stats.metrics_requests,
            peak_kb: read_peak(&memory),
            status: output.status.code(),
        }
    }

    /// `tcap` with a clean environment (real delays, no config file), under GNU time when it is
    /// there and a peak is wanted.
    fn command(&self, args: &[&str], peak: Option<&Path>) -> Command {
        let mut cmd = match peak {
            Some(file) if Path::new(GNU_TIME).exists() => {
                let _ = std::fs::remove_file(file);
                let mut c = Command::new(GNU_TIME);
                c.arg("-f").arg("%M").arg("-o").arg(file).arg(TCAP);
                c
            }
            _ => Command::new(TCAP),
        };
        cmd.args(args);
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy().into_owned();
            if name.starts_with("TCAP_")
                || name.starts_with("TEMPORAL_")
                || name == "SLACK_WEBHOOK_URL"
                || name == "RUST_LOG"
            {
                cmd.env_remove(name);
            }
        }
        let home = self.home.path();
        cmd.env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }
}

fn read_peak(file: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().last()?.trim().parse().ok()
}

/// The capacity-info calls and the list's pages at the rate limit, and the metrics calls in
/// sequence (each waits for the one before to know whether it is needed).
fn lower_bound(namespaces: usize, list_calls: usize, metrics_calls: u64) -> Duration {
    Duration::from_secs_f64((namespaces + list_calls) as f64 / RATE)
        + LATENCY * metrics_calls.max(1) as u32
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn mb(kb: Option<u64>) -> String {
    kb.map_or_else(
        || "n/a".into(),
        |kb| format!("{:.1} MB", kb as f64 / 1024.0),
    )
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISS" }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores, {}", load())
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next().map(|l| format!("load {l}")))
        .unwrap_or_default()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut bench_mode = false;
    let mut runs = 1usize;
    let mut filters: Vec<String> = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--bench" => bench_mode = true,
            "--runs" => {
                runs = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--runs takes a number")
            }
            other if other.starts_with('-') => {}
            word => filters.push(word.to_string()),
        }
    }
    if !bench_mode {
        println!("analyze_e2e: a benchmark; run it with `cargo bench --bench analyze_e2e`");
        return;
    }
    // A scenario runs when no name is given, or its name or the part before its `-` is.
    let wanted = |name: &str| {
        filters.is_empty()
            || filters
                .iter()
                .any(|f| name == f || name.split('-').next() == Some(f.as_str()))
    };

    tcap::cloud::http::install_crypto_provider();
    let mut bench = Bench {
        runtime: tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime"),
        home: tempfile::tempdir().expect("a temporary directory"),
        failures: 0,
    };
    println!("machine: {}", machine());
    println!("binary:  {TCAP}");
    println!(
        "emulator: --latency {}ms --rate-limit {RATE} (429 with Retry-After: 1 above it)\n",
        LATENCY.as_millis()
    );

    let mut default_500: Vec<Duration> = Vec::new();
    for n in [500usize, 5000] {
        let name = format!("analyze-{n}");
        if !wanted(&name) {
            continue;
        }
        for run in 1..=runs {
            let r = bench.analyze(n, &[]);
            let bound = lower_bound(n, r.list_calls, r.metrics_calls);
            let ratio = r.elapsed.as_secs_f64() / bound.as_secs_f64();
            if n == 500 {
                default_500.push(r.elapsed);
            }
            println!(
                "{name} run {run}: {} (lower bound {} = ({n} capacity-info + {} list) / {RATE} RPS \
                 + {} metrics call(s) x 100 ms) ratio {ratio:.3} [target <= 1.15: {}]; {}/{n} \
                 rows, {} failed [target 0: {}]; {} Cloud Ops requests, {} answered 429; peak \
                 memory {}{}; exit {:?}",
                secs(r.elapsed),
                secs(bound),
                r.list_calls,
                r.metrics_calls,
                verdict(ratio <= 1.15),
                r.rows,
                r.failed,
                verdict(r.failed == 0 && r.rows == n),
                r.cloud_ops_requests,
                r.rate_limited,
                mb(r.peak_kb),
                if n == 5000 {
                    format!(
                        " [target < 50 MB: {}]",
                        r.peak_kb
                            .map_or("n/a", |kb| verdict((kb as f64) < 50.0 * 1024.0))
                    )
                } else {
                    String::new()
                },
                r.status,
            );
        }
    }

    if wanted("serial-500") {
        let n = 500;
        let r = bench.analyze(n, &["--concurrency", "1"]);
        let model = LATENCY * n as u32;
        println!(
            "serial-500 (--concurrency 1): {} (model N x 100 ms = {}); {} answered 429; \
             {} failed",
            secs(r.elapsed),
            secs(model),
            r.rate_limited,
            r.failed
        );
        for (run, d) in default_500.iter().enumerate() {
            let speedup = r.elapsed.as_secs_f64() / d.as_secs_f64();
            println!(
                "speedup of analyze-500 run {} over --concurrency 1: {speedup:.2}x measured, \
                 {:.2}x over the model [target >= 7x: {}]",
                run + 1,
                model.as_secs_f64() / d.as_secs_f64(),
                verdict(speedup >= 7.0)
            );
        }
    }

    if wanted("version") {
        let mut times: Vec<Duration> = (0..30)
            .map(|_| {
                let mut cmd = bench.command(&["--version"], None);
                let started = Instant::now();
                let out = cmd.output().expect("tcap --version runs");
                let elapsed = started.elapsed();
                assert!(out.status.success());
                elapsed
            })
            .collect();
        times.sort();
        let median = times[times.len() / 2];
        println!(
            "version: `tcap --version` x{}: min {:.2} ms, median {:.2} ms, max {:.2} ms \
             [target < 10 ms: {}]",
            times.len(),
            times[0].as_secs_f64() * 1e3,
            median.as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
            verdict(median < Duration::from_millis(10))
        );
    }

    if wanted("size") {
        let path = PathBuf::from(TCAP);
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        println!(
            "size: {} is {bytes} bytes ({:.2} MiB)",
            path.display(),
            bytes as f64 / (1024.0 * 1024.0)
        );
    }

    println!("\n{}", load());
    if bench.failures > 0 {
        eprintln!("{} run(s) failed", bench.failures);
        std::process::exit(1);
    }
}
