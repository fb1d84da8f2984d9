//! A replayed day: both shipped load profiles in the emulator at an accelerated clock, each
//! under four strategies, compared on the emulator's ledger (actions throttled and billed,
//! cost at the list price, TRUs held):
//!
//! - `on-demand`: nothing is changed;
//! - `peak`: before the replay, each namespace is provisioned with the smallest TRU value whose
//!   limits cover its peak minute in every dimension; one whose peak fits On-Demand's floor
//!   (500 APS, 2,000 RPS, 4,000 OPS, which On-Demand never goes below) stays On-Demand;
//! - `analyze-once`: `tcap analyze -o json` at the start, and every change it recommends made;
//! - `autopilot`: `tcap autopilot --namespace '*' --max-trus 12` for the whole replay.
//!
//! ```sh
//! cargo bench --bench autopilot_replay                 # both profiles at once, about 6.5 min
//! cargo bench --bench autopilot_replay -- flash-event  # one profile (this one: 72 s)
//! ```
//!
//! Every strategy gets an emulator of its own, and all of them run at once. tcap's waits follow
//! the emulated clock (`TCAP_RETRY_DELAY_SCALE` = 1/K). Autopilot's stderr and every ledger are
//! written under `target/autopilot_replay/`. This is a measurement, not a test: it fails only
//! when a tcap run fails. Under `cargo test` (no `--bench` argument) it does nothing.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tcap::devserver::{Config, DevServer, Ledger, Load};

const TCAP: &str = env!("CARGO_BIN_EXE_tcap");
/// Emulated seconds per real second: the business day's 960 minutes take 6.4 real minutes.
const CLOCK_SPEED: f64 = 150.0;
const PROFILES: [(&str, &str); 2] = [
    ("business-day", include_str!("../profiles/business-day.csv")),
    ("flash-event", include_str!("../profiles/flash-event.csv")),
];
const STRATEGIES: [&str; 4] = ["on-demand", "peak", "analyze-once", "autopilot"];
/// The self-service TRU values, and what one TRU allows per second.
const TRU_VALUES: [u32; 7] = [2, 3, 4, 6, 8, 10, 12];
const PER_TRU: [f64; 3] = [500.0, 1_500.0, 4_000.0];
/// On-Demand's documented defaults: its limits never go below them.
const ON_DEMAND_FLOOR: [f64; 3] = [500.0, 2_000.0, 4_000.0];

/// How one strategy's replay ended.
struct Outcome {
    strategy: &'static str,
    ledger: Ledger,
    /// Capacity changes the emulator accepted (POSTs to a namespace answered 200).
    changes: usize,
    /// What the strategy did, for the reader.
    notes: Vec<String>,
    failures: Vec<String>,
}

/// One emulator replaying a profile, and tcap pointed at it.
struct Replay {
    server: DevServer,
    key: String,
    home: tempfile::TempDir,
    outcome: Outcome,
}

impl Replay {
    fn start(runtime: &tokio::runtime::Runtime, load: &Load, strategy: &'static str) -> Replay {
        let config = Config {
            clock_speed: CLOCK_SPEED,
            ..Config::default()
        }
        .with_load(load.clone());
        let key = config.admin_key.clone();
        let server = runtime
            .block_on(DevServer::start(([127, 0, 0, 1], 0).into(), config))
            .expect("the emulator starts");
        Replay {
            outcome: Outcome {
                strategy,
                ledger: server.ledger(),
                changes: 0,
                notes: Vec::new(),
                failures: Vec::new(),
            },
            server,
            key,
            home: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// `tcap args` against this emulator, in a clean environment of its own.
    fn tcap(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(TCAP);
        cmd.args(args);
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy().into_owned();
            if name.starts_with("TCAP_") || name.starts_with("TEMPORAL_") || name == "RUST_LOG" {
                cmd.env_remove(name);
            }
        }
        let home = self.home.path();
        let url = self.server.base_url();
        cmd.env("TCAP_CLOUD_OPS_URL", &url)
            .env("TCAP_METRICS_URL", &url)
            .env("TEMPORAL_CLOUD_API_KEY", &self.key)
            .env("TCAP_RETRY_DELAY_SCALE", (1.0 / CLOCK_SPEED).to_string())
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Runs `tcap args` to the end; a failure is recorded. Returns its stdout.
    fn run(&mut self, args: &[&str]) -> Vec<u8> {
        let out = self.tcap(args).output().expect("tcap runs");
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            self.outcome.failures.push(format!(
                "`tcap {}` exited {}: {}",
                args.join(" "),
                out.status,
                stderr.lines().last().unwrap_or("")
            ));
        }
        out.stdout
    }

    /// The namespace ID of a profile's namespace name.
    fn id(&self, name: &str) -> String {
        self.server
            .namespace_ids()
            .into_iter()
            .find(|id| id.split_once('.').is_some_and(|(n, _)| n == name))
            .expect("every profile namespace is in the account")
    }

    /// Polls the ledger until the replay is over; stops early if `child` exits.
    fn until_finished(&mut self, mut child: Option<&mut Child>) {
        loop {
            let ledger = self.server.ledger();
            if ledger.finished {
                self.outcome.ledger = ledger;
                return;
            }
            if let Some(child) = child.as_deref_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                self.outcome.failures.push(format!(
                    "autopilot exited {status} at {} with the replay unfinished",
                    ledger.now.format("%H:%M")
                ));
                self.outcome.ledger = ledger;
                return;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Counts the accepted changes; autopilot's are listed with when they were sent (emulated
    /// time: its stderr shows the time of the metrics window that decided, 3 minutes earlier).
    fn finish(mut self) -> Outcome {
        let changes: Vec<_> = self
            .server
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.starts_with("/cloud/namespaces/"))
            .filter(|r| r.status == 200)
            .collect();
        self.outcome.changes = changes.len();
        if self.outcome.strategy == "autopilot" {
            for r in changes {
                let to = r
                    .body
                    .as_ref()
                    .and_then(|b| b["spec"]["capacitySpec"]["provisioned"]["value"].as_f64());
                self.outcome.notes.push(format!(
                    "sent {} {} → {}",
                    r.at.format("%H:%M:%S"),
                    r.path.trim_start_matches("/cloud/namespaces/"),
                    to.map_or("on-demand".into(), |t| format!("{t} TRUs"))
                ));
            }
        }
        self.outcome
    }
}

/// The smallest TRU value covering `name`'s peak minute in every dimension, or `None` when
/// On-Demand's floor covers it already. Above 12 TRUs it would take a support request: 12.
fn peak_trus(load: &Load, name: &str) -> Option<u32> {
    let mut peak = [0.0_f64; 3];
    for minute in load.first_minute()..=load.last_minute() {
        let d = load.demand(minute, name);
        for (p, v) in peak.iter_mut().zip([d.aps, d.rps, d.ops]) {
            *p = p.max(v);
        }
    }
    let fits = |limits: [f64; 3]| peak.iter().zip(limits).all(|(p, l)| *p <= l);
    if fits(ON_DEMAND_FLOOR) {
        return None;
    }
    let trus = TRU_VALUES
        .into_iter()
        .find(|t| fits(PER_TRU.map(|l| l * f64::from(*t))))
        .unwrap_or(12);
    Some(trus)
}

fn provision_at_peak(replay: &mut Replay, load: &Load) {
    for name in load.namespaces() {
        let id = replay.id(name);
        match peak_trus(load, name) {
            None => replay.outcome.notes.push(format!(
                "{id}: peak {:.0} APS fits On-Demand's floor, stays On-Demand",
                load.peak_aps(name)
            )),
            Some(trus) => {
                replay.outcome.notes.push(format!("{id}: {trus} TRUs"));
                replay.run(&["provision", &id, &trus.to_string()]);
            }
        }
    }
}

fn analyze_once(replay: &mut Replay) {
    let stdout = replay.run(&["analyze", "-o", "json"]);
    let rows: Vec<Value> = serde_json::from_slice(&stdout).unwrap_or_default();
    for row in rows {
        let field = |name: &str| row[name].as_str().unwrap_or("").to_string();
        let (id, action) = (field("namespace"), field("action"));
        if action == "keep" {
            continue;
        }
        match (
            field("recommended_capacity_mode").as_str(),
            row["recommended_trus"].as_u64(),
        ) {
            ("provisioned", Some(trus)) => {
                replay
                    .outcome
                    .notes
                    .push(format!("{id}: {action} to {trus} TRUs"));
                replay.run(&["provision", &id, &trus.to_string()]);
            }
            ("on-demand", _) => {
                replay
                    .outcome
                    .notes
                    .push(format!("{id}: {action}, reverted"));
                replay.run(&["revert", &id]);
            }
            (mode, _) => replay
                .outcome
                .notes
                .push(format!("{id}: {action} ({mode}), nothing done")),
        }
    }
    if replay.outcome.notes.is_empty() {
        replay.outcome.notes.push("every namespace: keep".into());
    }
}

/// Autopilot runs until the replay is over, then gets SIGTERM (it exits 130 on it).
fn autopilot(replay: &mut Replay, log: &Path) {
    let args = ["autopilot", "--namespace", "*", "--max-trus", "12"];
    let mut child = replay
        .tcap(&args)
        .stdout(Stdio::null())
        .stderr(File::create(log).expect("the log file can be created"))
        .spawn()
        .expect("tcap autopilot starts");
    replay.until_finished(Some(&mut child));
    if let Ok(None) = child.try_wait() {
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
    }
    let status = child.wait().expect("autopilot is reaped");
    if status.code() != Some(130) && replay.outcome.failures.is_empty() {
        replay
            .outcome
            .failures
            .push(format!("autopilot exited {status} on SIGTERM, not 130"));
    }
    replay
        .outcome
        .notes
        .push(format!("its stderr: {}", log.display()));
}

fn run_strategy(
    runtime: &tokio::runtime::Runtime,
    load: &Load,
    strategy: &'static str,
    logs: &Path,
    profile: &str,
) -> Outcome {
    let mut replay = Replay::start(runtime, load, strategy);
    match strategy {
        "peak" => provision_at_peak(&mut replay, load),
        "analyze-once" => analyze_once(&mut replay),
        "autopilot" => autopilot(
            &mut replay,
            &logs.join(format!("{profile}-autopilot.stderr")),
        ),
        _ => {}
    }
    replay.until_finished(None);
    let ledger = serde_json::to_vec_pretty(&replay.outcome.ledger).expect("a ledger serializes");
    let _ = std::fs::write(
        logs.join(format!("{profile}-{strategy}.ledger.json")),
        ledger,
    );
    replay.finish()
}

/// 1234567.8 → "1,234,568" (the ledger's amounts are never negative).
fn thousands(value: f64) -> String {
    let digits = format!("{value:.0}");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn table(profile: &str, load: &Load, outcomes: &[Outcome], wall: Duration) -> String {
    let mut text = format!(
        "\n{profile}: {} namespaces, minutes {}..{} ({} emulated minutes) at {CLOCK_SPEED}x, \
         {:.0} s wall\n\n",
        load.namespaces().len(),
        load.first_minute(),
        load.last_minute(),
        load.len_minutes(),
        wall.as_secs_f64()
    );
    text.push_str(&format!(
        "{:<14} {:>17} {:>17} {:>15} {:>10} {:>9} {:>8}\n",
        "strategy",
        "throttled actions",
        "throttled minutes",
        "billed actions",
        "cost USD",
        "peak TRUs",
        "changes"
    ));
    for o in outcomes {
        let t = &o.ledger.total;
        text.push_str(&format!(
            "{:<14} {:>17} {:>17} {:>15} {:>10.2} {:>9} {:>8}{}\n",
            o.strategy,
            thousands(t.throttled_actions),
            t.throttled_minutes,
            thousands(t.billed_actions),
            t.cost_usd,
            t.peak_trus,
            o.changes,
            if o.failures.is_empty() {
                ""
            } else {
                "  FAILED"
            }
        ));
    }
    for o in outcomes {
        for note in &o.notes {
            text.push_str(&format!("  {}: {note}\n", o.strategy));
        }
        for failure in &o.failures {
            text.push_str(&format!("  {} FAILED: {failure}\n", o.strategy));
        }
    }
    text
}

fn main() {
    let mut bench_mode = false;
    let mut filters: Vec<String> = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--bench" => bench_mode = true,
            other if other.starts_with('-') => {}
            word => filters.push(word.to_string()),
        }
    }
    if !bench_mode {
        println!(
            "autopilot_replay: a benchmark; run it with `cargo bench --bench autopilot_replay`"
        );
        return;
    }
    let profiles: Vec<(&str, Load)> = PROFILES
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| f == name))
        .map(|(name, text)| (*name, Load::parse(text).expect("a shipped profile parses")))
        .collect();
    if profiles.is_empty() {
        eprintln!("no profile named {filters:?}; the profiles are business-day and flash-event");
        std::process::exit(2);
    }
    // <target>/release/tcap → <target>/autopilot_replay
    let logs = PathBuf::from(TCAP)
        .ancestors()
        .nth(2)
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf)
        .join("autopilot_replay");
    std::fs::create_dir_all(&logs).expect("the log directory can be created");

    tcap::cloud::http::install_crypto_provider();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    println!("binary: {TCAP}");
    println!(
        "every strategy in an emulator of its own at {CLOCK_SPEED}x, all at once; tcap with \
         TCAP_RETRY_DELAY_SCALE={}",
        1.0 / CLOCK_SPEED
    );
    println!("reproduce: cargo bench --bench autopilot_replay");

    let started = Instant::now();
    let failures: usize = std::thread::scope(|scope| {
        let runs: Vec<_> = profiles
            .iter()
            .map(|(profile, load)| {
                let (runtime, logs) = (&runtime, &logs);
                scope.spawn(move || {
                    let began = Instant::now();
                    let outcomes: Vec<Outcome> = std::thread::scope(|inner| {
                        let handles: Vec<_> = STRATEGIES
                            .into_iter()
                            .map(|s| {
                                inner.spawn(move || run_strategy(runtime, load, s, logs, profile))
                            })
                            .collect();
                        handles
                            .into_iter()
                            .map(|h| h.join().expect("a strategy's thread ends"))
                            .collect()
                    });
                    print!("{}", table(profile, load, &outcomes, began.elapsed()));
                    outcomes.iter().map(|o| o.failures.len()).sum::<usize>()
                })
            })
            .collect();
        runs.into_iter()
            .map(|h| h.join().expect("a profile's thread ends"))
            .sum()
    });
    println!(
        "\ntotal wall time {:.0} s; ledgers and autopilot's stderr in {}",
        started.elapsed().as_secs_f64(),
        logs.display()
    );
    if failures > 0 {
        eprintln!("{failures} run(s) failed");
        std::process::exit(1);
    }
}
