//! A local emulator of Temporal Cloud's Cloud Ops API and Metrics API, plus a Slack webhook
//! sink, on one port. It is the project's stand-in for Temporal Cloud: `tcap dev-server`,
//! `--demo` and the tests run against it, so it follows `reference/` to the letter, and where
//! the real service's behaviour is unknown it takes the stricter reading.
//!
//! Time is emulated (see `clock`) and evaluated lazily: every request first brings in-flight
//! changes and a replayed load profile up to date with the clock, so no background task runs.

mod account;
mod clock;
mod cloudops;
mod control;
mod faults;
mod ledger;
mod load;
mod metrics;
mod replay;
mod wire;

#[cfg(test)]
mod replay_tests;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State as AxumState};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::oneshot;

use account::Namespace;
use clock::Clock;
use cloudops::{Change, Failure, Operation};
use faults::{Fault, TokenBucket};
use metrics::MetricsOverride;
use replay::Replay;
use wire::{Code, Reply};

pub use clock::MAX_CLOCK_SPEED;
pub use faults::DEFAULT_SLOW_RESPONSE;
pub use ledger::{Ledger, LedgerEntry};
pub use load::{DEFAULT_OPERATIONS_PER_ACTION, DEFAULT_REQUESTS_PER_ACTION, Demand, Load};

/// How long a capacity change takes to apply when a load profile is replayed (in emulated
/// time): "we aim to provision the additional capacity within two minutes".
pub const LOAD_APPLY_DELAY: Duration = Duration::from_secs(120);

/// How the emulated account and service behave.
#[derive(Clone, Debug)]
pub struct Config {
    pub seed: u64,
    pub namespaces: usize,
    /// Added to every response.
    pub latency: Duration,
    /// How long a capacity change takes, in emulated time. [`Config::with_load`] sets
    /// [`LOAD_APPLY_DELAY`].
    pub apply_delay: Duration,
    /// Cloud Ops requests per second across the server; `None` is unlimited.
    pub rate_limit: Option<f64>,
    /// Share of Cloud Ops and Metrics requests that get an injected fault, 0.0..=1.0.
    pub fault_rate: f64,
    /// How long a `slow_response` fault holds its (otherwise correct) answer; `None` leaves that
    /// kind out. It is opt-in so that the fault draws older seeds were chosen for stay as they
    /// were; [`DEFAULT_SLOW_RESPONSE`] outlasts tcap's default `--request-timeout`. When set,
    /// about a sixth of `fault_rate` of the requests that drew no other fault are slow, each
    /// held this long after it was handled (an update is applied before the wait).
    pub slow_response: Option<Duration>,
    /// Full access to both APIs.
    pub admin_key: String,
    /// Metrics API only; Cloud Ops answers 403.
    pub metrics_key: String,
    /// The Metrics API's account budget per hour.
    pub metrics_requests_per_hour: u32,
    /// `temporal_namespace` holds the bare name (`payments-prod`) instead of the full ID: the
    /// docs show both, and which one the real service sends is UNVERIFIED.
    pub bare_namespace_labels: bool,
    /// How many of the provisioned-idle namespaces send no series at all, as a namespace idle
    /// for the whole window does: Cloud Ops lists them, the metrics do not.
    pub silent_namespaces: usize,
    /// Mutating async operations in flight at once across the account; one more is refused
    /// with 429. Temporal documents 10 per account (`docs/cloud/operation-api.mdx`).
    pub max_concurrent_operations: usize,
    /// How a stale `resourceVersion` is refused: 409 Aborted (false) or 400
    /// FailedPrecondition (true). Which one the real service sends is UNVERIFIED.
    pub stale_version_as_failed_precondition: bool,
    /// Check `resourceVersion` before looking up `asyncOperationId`, so that the retry of an
    /// update whose reply was lost is refused as stale. The real order is UNVERIFIED.
    pub version_checked_first: bool,
    /// Emulated seconds per real second, above 0 and at most [`MAX_CLOCK_SPEED`]. Every time
    /// the emulator keeps or prints is emulated (operation states, timestamps, capacity changes,
    /// the metrics window and its hourly budget, the replay); the waits it asks of clients
    /// (`checkDuration`, `Retry-After`) are divided by it, since clients wait in real time.
    /// The Cloud Ops `rate_limit`, `latency` and slow responses stay in real time: they are
    /// about the connection, not the account.
    pub clock_speed: f64,
    /// A load profile to replay. The account is then exactly the profile's namespaces (IDs
    /// `<name>.<suffix of the seed's account>`, one region each, all On-Demand with every TRU
    /// value up to 12 offered; `namespaces` and `silent_namespaces` are not used) and emulated
    /// time starts at the profile's first minute of the current UTC day.
    pub load: Option<Load>,
    /// Refuse a capacity change of a namespace within an emulated hour of its previous one
    /// (400, FailedPrecondition). Whether "TRUs can be adjusted hourly" is such a rule is
    /// UNVERIFIED; this is the stricter reading. Only changes accepted by this emulator count,
    /// not the generated account's history.
    pub one_change_per_hour: bool,
}

impl Config {
    /// This configuration replaying `load`, with the apply delay a replay defaults to
    /// ([`LOAD_APPLY_DELAY`]); set `apply_delay` afterwards to choose another.
    pub fn with_load(self, load: Load) -> Config {
        Config {
            load: Some(load),
            apply_delay: LOAD_APPLY_DELAY,
            ..self
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            seed: 1,
            namespaces: 12,
            latency: Duration::ZERO,
            apply_delay: Duration::from_secs(20),
            rate_limit: None,
            fault_rate: 0.0,
            slow_response: None,
            admin_key: "tcap-dev-admin-key".to_string(),
            metrics_key: "tcap-dev-metrics-key".to_string(),
            metrics_requests_per_hour: 180,
            bare_namespace_labels: false,
            silent_namespaces: 0,
            max_concurrent_operations: 10,
            stale_version_as_failed_precondition: false,
            version_checked_first: false,
            clock_speed: 1.0,
            load: None,
            one_change_per_hour: false,
        }
    }
}

/// One request as the emulator saw it. Header values (and so API keys) are never kept.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    pub query: String,
    pub body: Option<Value>,
    pub status: u16,
    pub fault: Option<String>,
    /// When it arrived, in emulated time.
    pub at: DateTime<Utc>,
}

/// Counters for tests: requests served, throttling and injected faults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Requests to the emulated APIs and the Slack sink (the control API is not counted).
    pub requests: u64,
    pub cloud_ops_requests: u64,
    pub metrics_requests: u64,
    /// Cloud Ops requests refused by `rate_limit`.
    pub rate_limited: u64,
    /// Metrics requests refused by the hourly budget.
    pub metrics_budget_exceeded: u64,
    /// Injected faults by kind: `resource_exhausted`, `unavailable`, `dropped_connection`,
    /// `dropped_connection_after_apply`, `truncated_body`, `malformed_body`, `slow_response`.
    pub faults: BTreeMap<String, u64>,
    /// Updates refused because `max_concurrent_operations` were in flight.
    pub too_many_operations: u64,
    /// The most mutating operations that were ever in flight at once.
    pub peak_operations_in_flight: u64,
}

impl Stats {
    pub fn faults_total(&self) -> u64 {
        self.faults.values().sum()
    }
}

/// How the next accepted update of a namespace ends (see `POST /_dev/namespaces/{ns}/fail-next`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailNext {
    OperationFailed,
    OperationRejected,
    OperationCancelled,
    /// The operation is fulfilled but the capacity request fails and the capacity stays.
    CapacityRequestFailed,
}

/// A running emulator.
pub struct DevServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
}

/// Bounded so that a dev-server left running for days keeps a steady footprint.
const REQUEST_LOG_LIMIT: usize = 100_000;
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

pub(crate) struct Shared {
    pub config: Config,
    pub account_id: String,
    pub clock: Clock,
    state: Mutex<State>,
}

pub(crate) struct State {
    pub namespaces: BTreeMap<String, Namespace>,
    pub changes: BTreeMap<String, Change>,
    pub operations: HashMap<String, Operation>,
    pub fail_next: HashMap<String, Failure>,
    pub races: HashMap<String, u32>,
    /// Accepted updates per namespace whose reply is lost (see `drop_replies`).
    pub dropped_replies: HashMap<String, u32>,
    pub log: VecDeque<RequestRecord>,
    pub slack: Vec<Value>,
    pub slack_failures: u32,
    pub stats: Stats,
    pub fault_rng: fastrand::Rng,
    /// Draws `slow_response` faults, apart from `fault_rng` (see `faults::roll_slow`).
    pub slow_rng: fastrand::Rng,
    pub bucket: Option<TokenBucket>,
    /// Start of the current metrics budget window (emulated) and requests counted in it.
    pub metrics_window: Option<(DateTime<Utc>, u32)>,
    pub metrics_next: Option<MetricsOverride>,
    /// When each namespace's latest accepted capacity change was requested (emulated), for
    /// `one_change_per_hour`.
    pub capacity_requested: HashMap<String, DateTime<Utc>>,
    /// The load profile being replayed, if any.
    pub replay: Option<Replay>,
}

impl Shared {
    /// The state, with the replay (if any) brought up to the current emulated minute: whoever
    /// looks at the state sees it as of now.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves data that is still consistent enough to serve.
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let state_ref = &mut *state;
        if let Some(replay) = state_ref.replay.as_mut() {
            replay.catch_up(self.clock.now(), &mut state_ref.namespaces);
        }
        state
    }

    /// The ledger of `state`, which [`Shared::lock`] brought up to date.
    pub(crate) fn ledger(&self, state: &State) -> Ledger {
        let now = self.clock.now_millis();
        let speed = self.clock.speed();
        match state.replay.as_ref() {
            Some(replay) => Ledger::new(
                now,
                speed,
                replay.minutes_replayed(),
                replay.finished(),
                replay.ledger_entries(),
            ),
            None => Ledger::new(now, speed, 0, false, BTreeMap::new()),
        }
    }
}

/// A request with its body read, as the handlers see it.
pub(crate) struct Incoming {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: axum::body::Bytes,
}

impl Incoming {
    /// `Authorization: Bearer <key>`, the key only.
    pub(crate) fn bearer(&self) -> Option<&str> {
        let value = self.headers.get(axum::http::header::AUTHORIZATION)?;
        let value = value.to_str().ok()?.trim();
        let (scheme, key) = value.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then_some(key.trim())
            .filter(|key| !key.is_empty())
    }
}

impl DevServer {
    /// Binds (port 0 allowed) and serves on the current tokio runtime.
    /// Refuses (`InvalidInput`) a `clock_speed` outside 0 < K <= [`MAX_CLOCK_SPEED`].
    pub async fn start(listen: SocketAddr, config: Config) -> std::io::Result<DevServer> {
        if !clock::valid_speed(config.clock_speed) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "clock speed {} is not above 0 and at most {MAX_CLOCK_SPEED}",
                    config.clock_speed
                ),
            ));
        }
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let real_now = Utc::now();
        let (mut generated, origin, replay) = match &config.load {
            None => (
                account::generate(config.seed, config.namespaces),
                real_now,
                None,
            ),
            Some(load) => {
                // The profile's minutes count from the start of the current UTC day.
                let midnight = real_now
                    .duration_trunc(TimeDelta::days(1))
                    .unwrap_or(real_now);
                let origin = midnight + TimeDelta::minutes(i64::from(load.first_minute()));
                let generated = account::generate_replay(config.seed, load.namespaces());
                let ids = generated
                    .namespaces
                    .iter()
                    .map(|ns| ns.id.clone())
                    .collect();
                let replay = Replay::new(load.clone(), ids, origin);
                (generated, origin, Some(replay))
            }
        };
        for ns in generated
            .namespaces
            .iter_mut()
            .filter(|ns| ns.profile == account::Profile::ProvisionedIdle)
            .take(config.silent_namespaces)
        {
            ns.silent = true;
            ns.demand = 0.0;
            ns.background = 0.0;
            ns.requests = 0.0;
            ns.operations = 0.0;
        }
        let now = Instant::now();
        let mut namespaces: BTreeMap<String, Namespace> = generated
            .namespaces
            .into_iter()
            .map(|ns| (ns.id.clone(), ns))
            .collect();
        if let Some(replay) = &replay {
            replay.sync_stats(&mut namespaces);
        }
        let state = State {
            namespaces,
            changes: BTreeMap::new(),
            operations: HashMap::new(),
            fail_next: HashMap::new(),
            races: HashMap::new(),
            dropped_replies: HashMap::new(),
            log: VecDeque::new(),
            slack: Vec::new(),
            slack_failures: 0,
            stats: Stats::default(),
            // Apart from the account's generator, so faults do not shift the generated data.
            fault_rng: fastrand::Rng::with_seed(config.seed ^ 0x5eed_fa17_0000_0001),
            slow_rng: fastrand::Rng::with_seed(config.seed ^ 0x5eed_5104_0000_0002),
            bucket: config.rate_limit.map(|rate| TokenBucket::new(rate, now)),
            metrics_window: None,
            metrics_next: None,
            capacity_requested: HashMap::new(),
            replay,
        };
        let shared = Arc::new(Shared {
            clock: Clock::new(origin, real_now, config.clock_speed),
            config,
            account_id: generated.id,
            state: Mutex::new(state),
        });
        let router = Router::new()
            .fallback(serve_request)
            .with_state(shared.clone());
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
            if let Err(error) = served {
                tracing::error!(%error, "dev-server stopped");
            }
        });
        tracing::debug!(%addr, "dev-server listening");
        Ok(DevServer {
            addr,
            shared,
            shutdown: Some(shutdown),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (or whatever address it is bound to).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn account_id(&self) -> String {
        self.shared.account_id.clone()
    }

    /// The namespaces Cloud Ops knows (deleted ones excluded), sorted.
    pub fn namespace_ids(&self) -> Vec<String> {
        self.shared
            .lock()
            .namespaces
            .values()
            .filter(|ns| !ns.deleted)
            .map(|ns| ns.id.clone())
            .collect()
    }

    /// The request log, oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.lock().log.iter().cloned().collect()
    }

    pub fn clear_requests(&self) {
        self.shared.lock().log.clear();
    }

    /// Messages posted to the Slack sink, as posted.
    pub fn slack_messages(&self) -> Vec<Value> {
        self.shared.lock().slack.clone()
    }

    pub fn stats(&self) -> Stats {
        self.shared.lock().stats.clone()
    }

    /// Emulated now (see [`Config::clock_speed`]).
    pub fn now(&self) -> DateTime<Utc> {
        self.shared.clock.now()
    }

    /// When the replayed profile's first minute starts (emulated), without a load profile
    /// `None`.
    pub fn replay_start(&self) -> Option<DateTime<Utc>> {
        self.shared.lock().replay.as_ref().map(Replay::start)
    }

    /// Moves the emulated clock forward by `by` at once, as if that much time had passed (a
    /// negative duration does nothing: time does not run backwards). Everything that depends
    /// on time follows on the next request or call: operations progress, capacity changes
    /// take effect, the replay catches up minute by minute. For tests that would otherwise
    /// sleep; `POST /_dev/clock/advance` does the same over HTTP.
    pub fn advance_clock(&self, by: chrono::Duration) {
        self.shared.clock.advance(by);
    }

    /// The replay's ledger as of now (empty, all zeros, without a load profile); the same as
    /// `GET /_dev/ledger`.
    pub fn ledger(&self) -> Ledger {
        let state = self.shared.lock();
        self.shared.ledger(&state)
    }

    /// The next accepted update of `namespace` ends as `how`; false when it does not exist.
    pub fn fail_next(&self, namespace: &str, how: FailNext, reason: Option<String>) -> bool {
        control::set_fail_next(&mut self.shared.lock(), namespace, how, reason)
    }

    /// After each of the next `count` GetNamespace responses for `namespace`, someone else
    /// edits it (its resourceVersion changes); false when it does not exist.
    pub fn race(&self, namespace: &str, count: u32) -> bool {
        control::set_race(&mut self.shared.lock(), namespace, count)
    }

    /// The next `count` accepted updates of `namespace` are applied and their connection then
    /// dropped before the reply; false when it does not exist.
    pub fn drop_replies(&self, namespace: &str, count: u32) -> bool {
        control::set_dropped_replies(&mut self.shared.lock(), namespace, count)
    }

    /// Cloud Ops forgets `namespace`, metrics keep reporting it; false when it does not exist.
    pub fn delete_namespace(&self, namespace: &str) -> bool {
        control::delete(&mut self.shared.lock(), namespace)
    }

    /// The next `count` Slack posts answer 500.
    pub fn fail_slack(&self, count: u32) {
        self.shared.lock().slack_failures = count;
    }

    /// Stops serving: no new connections; requests in flight finish.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for DevServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevServer")
            .field("addr", &self.addr)
            .field("account_id", &self.shared.account_id)
            .finish_non_exhaustive()
    }
}

/// The one handler: routing by hand gives the exact grpc-gateway answers for unknown routes
/// (404) and wrong methods (501), and one place for latency, faults and the request log.
async fn serve_request(AxumState(shared): AxumState<Arc<Shared>>, request: Request) -> Response {
    let at = shared.clock.now();
    let latency = shared.config.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await;

    if path == "/_dev" || path.starts_with("/_dev/") {
        let body = body.unwrap_or_default();
        return control::handle(&shared, &parts.method, &path, &body).into_response();
    }

    let incoming = Incoming {
        method: parts.method,
        path,
        query,
        headers: parts.headers,
        body: body.as_ref().cloned().unwrap_or_default(),
    };
    let (reply, slow) = answer(&shared, incoming, body.is_ok(), at);
    if let Some(delay) = slow {
        tokio::time::sleep(delay).await;
    }
    reply.into_response()
}

/// Answers one request under the lock and logs it; the second value is how long to hold the
/// answer back (a `slow_response` fault).
fn answer(
    shared: &Shared,
    incoming: Incoming,
    readable: bool,
    at: DateTime<Utc>,
) -> (Reply, Option<Duration>) {
    let mut state = shared.lock();
    let mut slow = None;
    let (reply, mut fault) = if !readable {
        (
            Reply::error(
                Code::InvalidArgument,
                "request body unreadable or too large",
            ),
            None,
        )
    } else if incoming.path == "/slack/webhook" || incoming.path.starts_with("/slack/webhook/") {
        (control::slack(&mut state, &incoming), None)
    } else if incoming.path == "/v1" || incoming.path.starts_with("/v1/") {
        state.stats.metrics_requests += 1;
        slow = roll_slow(shared, &mut state);
        metrics::handle(shared, &mut state, &incoming)
    } else {
        state.stats.cloud_ops_requests += 1;
        slow = roll_slow(shared, &mut state);
        cloudops::handle(shared, &mut state, &incoming)
    };
    // One fault per request: a slow answer is the real one, late.
    let slow = slow.filter(|_| fault.is_none());
    if slow.is_some() {
        fault = Some(Fault::SlowResponse.name());
    }

    state.stats.requests += 1;
    if let Some(fault) = fault {
        *state.stats.faults.entry(fault.to_string()).or_default() += 1;
    }
    let record = RequestRecord {
        method: incoming.method.to_string(),
        path: incoming.path,
        query: incoming.query,
        body: logged_body(&incoming.body),
        status: reply.status.as_u16(),
        fault: fault.map(str::to_string),
        at,
    };
    if state.log.len() >= REQUEST_LOG_LIMIT {
        state.log.pop_front();
    }
    state.log.push_back(record);
    (reply, slow)
}

/// The delay of a `slow_response` fault for this request, if it draws one.
fn roll_slow(shared: &Shared, state: &mut State) -> Option<Duration> {
    let delay = shared.config.slow_response?;
    faults::roll_slow(&mut state.slow_rng, shared.config.fault_rate).then_some(delay)
}

fn logged_body(body: &[u8]) -> Option<Value> {
    if body.is_empty() {
        return None;
    }
    Some(
        serde_json::from_slice(body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned())),
    )
}
