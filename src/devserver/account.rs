//! The generated account: namespaces, their specs, 7-day statistics and current load,
//! all derived from the seed so that a test can rely on the numbers.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use serde_json::{Value, json};

use super::wire::{num, round_to, timestamp};

/// "Customers can set 2, 3, 4, 6, 8, 10, 12 TRUs, subject to availability."
pub(crate) const VALID_TRU_VALUES: [f64; 7] = [2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 12.0];
pub(crate) const APS_PER_TRU: f64 = 500.0;
pub(crate) const RPS_PER_TRU: f64 = 1_500.0;
pub(crate) const OPS_PER_TRU: f64 = 4_000.0;
pub(crate) const DEFAULT_APS_LIMIT: f64 = 500.0;
pub(crate) const DEFAULT_RPS_LIMIT: f64 = 2_000.0;
pub(crate) const DEFAULT_OPS_LIMIT: f64 = 4_000.0;

/// The load shapes the account is made of, cycled over the namespaces in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Profile {
    Idle,
    OnDemandLight,
    OnDemandThrottled,
    ProvisionedBusy,
    ProvisionedIdle,
    HighAvailability,
    /// A namespace of a replayed load profile: its load comes from the profile, minute by minute.
    Replay,
}

const PROFILES: [Profile; 6] = [
    Profile::Idle,
    Profile::OnDemandLight,
    Profile::OnDemandThrottled,
    Profile::ProvisionedBusy,
    Profile::ProvisionedIdle,
    Profile::HighAvailability,
];

impl Profile {
    /// How the control API names the profile.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Profile::Idle => "idle",
            Profile::OnDemandLight => "on-demand-light",
            Profile::OnDemandThrottled => "on-demand-throttled",
            Profile::ProvisionedBusy => "provisioned-busy",
            Profile::ProvisionedIdle => "provisioned-idle",
            Profile::HighAvailability => "high-availability",
            Profile::Replay => "replay",
        }
    }

    fn names(self) -> &'static [&'static str] {
        match self {
            Profile::Idle => &[
                "sandbox-dev",
                "legacy-batch-staging",
                "qa-playground",
                "demo-dev",
                "archive-jobs-staging",
                "hackweek-dev",
                "load-test-staging",
                "ml-experiments-dev",
            ],
            Profile::OnDemandLight => &[
                "search-staging",
                "notifications-prod",
                "email-digest-prod",
                "reporting-staging",
                "user-onboarding-prod",
                "webhooks-prod",
                "audit-log-prod",
                "feature-flags-prod",
            ],
            Profile::OnDemandThrottled => &[
                "orders-prod",
                "checkout-prod",
                "shipping-prod",
                "inventory-sync-prod",
                "pricing-prod",
                "cart-prod",
                "catalog-import-prod",
                "returns-prod",
            ],
            Profile::ProvisionedBusy => &[
                "payments-prod",
                "ledger-prod",
                "fraud-detection-prod",
                "settlements-prod",
                "card-auth-prod",
                "payouts-prod",
            ],
            Profile::ProvisionedIdle => &[
                "billing-prod",
                "invoicing-prod",
                "tax-calc-prod",
                "subscriptions-prod",
                "refunds-prod",
                "statements-prod",
            ],
            Profile::HighAvailability => &[
                "identity-prod",
                "accounts-prod",
                "auth-sessions-prod",
                "kyc-prod",
                "core-banking-prod",
                "risk-scoring-prod",
            ],
            // Named by the profile.
            Profile::Replay => &[],
        }
    }
}

/// The capacity a namespace has (or asks for).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Mode {
    OnDemand,
    Provisioned(f64),
}

impl Mode {
    /// `CapacitySpec` JSON.
    pub(crate) fn spec_json(self) -> Value {
        match self {
            Mode::OnDemand => json!({"onDemand": {}}),
            Mode::Provisioned(trus) => json!({"provisioned": {"value": num(trus)}}),
        }
    }

    pub(crate) fn trus(self) -> f64 {
        match self {
            Mode::OnDemand => 0.0,
            Mode::Provisioned(trus) => trus,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Aps {
    pub mean: f64,
    pub p90: f64,
    pub p99: f64,
}

impl Aps {
    /// max(default 500, min(4 × mean, 2 × p90)), the documented on-demand rule.
    pub(crate) fn on_demand_limit(&self) -> f64 {
        DEFAULT_APS_LIMIT
            .max((4.0 * self.mean).min(2.0 * self.p90))
            .round()
    }

    /// On-Demand's request limit. How it scales with use is undocumented beyond "never below
    /// the default"; the emulator scales it with the action limit, in the TRU ratio.
    pub(crate) fn on_demand_request_limit(&self) -> f64 {
        DEFAULT_RPS_LIMIT.max(self.on_demand_limit() * RPS_PER_TRU / APS_PER_TRU)
    }

    pub(crate) fn on_demand_operations_limit(&self) -> f64 {
        DEFAULT_OPS_LIMIT.max(self.on_demand_limit() * OPS_PER_TRU / APS_PER_TRU)
    }
}

/// The three limits a namespace has at one time, per second.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Limits {
    pub actions: f64,
    pub requests: f64,
    pub operations: f64,
}

impl Limits {
    /// What On-Demand would give with these 7-day statistics (the "envelope").
    pub(crate) fn on_demand(aps: &Aps) -> Limits {
        Limits {
            actions: aps.on_demand_limit(),
            requests: aps.on_demand_request_limit(),
            operations: aps.on_demand_operations_limit(),
        }
    }

    /// The limits in force in `mode`.
    pub(crate) fn of(mode: Mode, aps: &Aps) -> Limits {
        match mode {
            Mode::OnDemand => Limits::on_demand(aps),
            Mode::Provisioned(trus) => Limits {
                actions: trus * APS_PER_TRU,
                requests: trus * RPS_PER_TRU,
                operations: trus * OPS_PER_TRU,
            },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RequestState {
    InProgress,
    Completed,
    Failed,
}

impl RequestState {
    pub(crate) fn name(self) -> &'static str {
        match self {
            RequestState::InProgress => "STATE_CAPACITY_REQUEST_IN_PROGRESS",
            RequestState::Completed => "STATE_CAPACITY_REQUEST_COMPLETED",
            RequestState::Failed => "STATE_CAPACITY_REQUEST_FAILED",
        }
    }
}

/// `Capacity.Request`.
#[derive(Clone, Debug)]
pub(crate) struct CapacityRequest {
    pub state: RequestState,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    pub async_operation_id: String,
    pub spec: Value,
}

impl CapacityRequest {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "state": self.state.name(),
            "startTime": timestamp(self.start),
            "endTime": self.end.map_or(Value::Null, timestamp),
            "asyncOperationId": self.async_operation_id,
            "spec": self.spec,
        })
    }
}

/// One namespace as the emulator knows it; Cloud Ops state and the load that drives metrics.
#[derive(Clone, Debug)]
pub(crate) struct Namespace {
    pub id: String,
    pub name: String,
    pub profile: Profile,
    pub regions: Vec<String>,
    pub replica_ids: Vec<String>,
    /// Stored as posted: a client that loses a field shows up on the next read.
    pub spec: Value,
    pub resource_version: String,
    pub created: DateTime<Utc>,
    pub last_modified: DateTime<Utc>,
    pub mode: Mode,
    pub latest_request: Option<CapacityRequest>,
    pub max_available_tru: f64,
    pub aps: Aps,
    /// Foreground actions per second the workload wants, whatever the limit.
    pub demand: f64,
    /// Foreground actions per second seen on the standby replica (HA only).
    pub standby: f64,
    /// Service requests per second the workload sends, whatever the limit.
    pub requests: f64,
    /// Operations per second the workload wants, whatever the limit.
    pub operations: f64,
    pub background: f64,
    /// Cloud Ops forgets a deleted namespace; the metrics window still reports it.
    pub deleted: bool,
    /// No series at all in the metrics window (idle the whole minute), though Cloud Ops lists it.
    pub silent: bool,
}

impl Namespace {
    pub(crate) fn on_demand_limit(&self) -> f64 {
        self.aps.on_demand_limit()
    }

    /// The limits in force now; the action limit is what `action_limit` reports.
    pub(crate) fn limits(&self) -> Limits {
        Limits::of(self.mode, &self.aps)
    }

    pub(crate) fn action_limit(&self) -> f64 {
        self.limits().actions
    }

    pub(crate) fn capacity_json(&self) -> Value {
        let mut capacity = serde_json::Map::new();
        match self.mode {
            Mode::OnDemand => {
                capacity.insert("onDemand".into(), json!({}));
            }
            Mode::Provisioned(trus) => {
                capacity.insert("provisioned".into(), json!({"currentValue": num(trus)}));
            }
        }
        capacity.insert(
            "latestRequest".into(),
            self.latest_request
                .as_ref()
                .map_or(Value::Null, CapacityRequest::to_json),
        );
        Value::Object(capacity)
    }
}

/// The generated account.
pub(crate) struct Account {
    pub id: String,
    pub namespaces: Vec<Namespace>,
}

fn uuid_from(rng: &mut fastrand::Rng) -> String {
    let bytes = rng.u128(..).to_le_bytes();
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

fn between(rng: &mut fastrand::Rng, low: f64, high: f64) -> f64 {
    low + rng.f64() * (high - low)
}

/// The account suffix of IDs (`orders-prod.<suffix>`), the seed's first draws.
fn account_id(rng: &mut fastrand::Rng) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..5)
        .map(|_| ALPHABET[rng.usize(..ALPHABET.len())] as char)
        .collect()
}

/// A fixed epoch keeps generated timestamps identical across runs of one seed.
fn epoch() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-02-03T09:00:00Z")
        .expect("a valid constant")
        .with_timezone(&Utc)
}

pub(crate) fn generate(seed: u64, count: usize) -> Account {
    let mut rng = fastrand::Rng::with_seed(seed);
    let account = account_id(&mut rng);

    let mut name_lists: Vec<Vec<&'static str>> = PROFILES
        .iter()
        .map(|profile| profile.names().to_vec())
        .collect();
    for list in &mut name_lists {
        rng.shuffle(list);
    }

    let epoch = epoch();

    let namespaces = (0..count)
        .map(|index| {
            let slot = index % PROFILES.len();
            let profile = PROFILES[slot];
            let nth = index / PROFILES.len();
            let list = &name_lists[slot];
            let base = list[nth % list.len()];
            let name = match nth / list.len() {
                0 => base.to_string(),
                round => format!("{base}-{}", round + 1),
            };
            generate_namespace(&mut rng, &account, epoch, index, nth, profile, name)
        })
        .collect();
    Account {
        id: account,
        namespaces,
    }
}

/// The account of a replayed load profile: exactly its namespaces, named as in the profile
/// with the seed's account suffix, each in one region, On-Demand, with all TRU values offered.
/// Their load and 7-day statistics are the replay's to set.
pub(crate) fn generate_replay(seed: u64, names: &[String]) -> Account {
    const REGIONS: [&str; 4] = [
        "aws-us-east-1",
        "aws-us-west-2",
        "aws-eu-west-1",
        "aws-ap-northeast-1",
    ];
    let mut rng = fastrand::Rng::with_seed(seed);
    let account = account_id(&mut rng);
    let epoch = epoch();
    let namespaces = names
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let regions = vec![REGIONS[rng.usize(..REGIONS.len())].to_string()];
            let created = epoch
                + ChronoDuration::hours(index as i64 % 5000)
                + ChronoDuration::seconds(rng.i64(0..3600));
            let last_modified = created + ChronoDuration::days(30 + rng.i64(0..60));
            let replica_ids = vec![
                (0..10)
                    .map(|_| char::from(b'a' + rng.u8(0..26)))
                    .collect::<String>(),
            ];
            let spec = generate_spec(&mut rng, name, Profile::Replay, &regions, Mode::OnDemand);
            Namespace {
                id: format!("{name}.{account}"),
                name: name.clone(),
                profile: Profile::Replay,
                regions,
                replica_ids,
                spec,
                resource_version: uuid_from(&mut rng),
                created,
                last_modified,
                mode: Mode::OnDemand,
                latest_request: None,
                max_available_tru: 12.0,
                aps: Aps {
                    mean: 0.0,
                    p90: 0.0,
                    p99: 0.0,
                },
                demand: 0.0,
                standby: 0.0,
                requests: 0.0,
                operations: 0.0,
                background: 0.0,
                deleted: false,
                silent: false,
            }
        })
        .collect();
    Account {
        id: account,
        namespaces,
    }
}

fn generate_namespace(
    rng: &mut fastrand::Rng,
    account: &str,
    epoch: DateTime<Utc>,
    index: usize,
    nth: usize,
    profile: Profile,
    name: String,
) -> Namespace {
    const SINGLE_REGIONS: [&str; 4] = [
        "aws-us-east-1",
        "aws-us-west-2",
        "aws-eu-west-1",
        "aws-ap-northeast-1",
    ];
    let regions: Vec<String> = if profile == Profile::HighAvailability {
        vec!["aws-us-east-1".into(), "aws-us-west-2".into()]
    } else {
        vec![SINGLE_REGIONS[rng.usize(..SINGLE_REGIONS.len())].into()]
    };

    let (aps, demand, mode, max_available_tru) = match profile {
        // A replayed namespace is made by `generate_replay`, never here; idle is its nearest.
        Profile::Idle | Profile::Replay => {
            let mean = round_to(between(rng, 0.0, 5.0), 1);
            let aps = Aps {
                mean,
                p90: round_to(mean * 2.0, 1),
                p99: round_to(mean * 3.0, 1),
            };
            (aps, 0.0, Mode::OnDemand, 12.0)
        }
        Profile::OnDemandLight => {
            let mean = round_to(between(rng, 40.0, 150.0), 1);
            let aps = Aps {
                mean,
                p90: round_to(mean * between(rng, 1.9, 2.1), 1),
                p99: round_to(mean * between(rng, 2.9, 3.1), 1),
            };
            let demand = round_to(mean * between(rng, 0.9, 1.15), 2);
            (aps, demand, Mode::OnDemand, 12.0)
        }
        Profile::OnDemandThrottled => {
            let mean = round_to(between(rng, 300.0, 600.0), 1);
            let aps = Aps {
                mean,
                p90: round_to(mean * between(rng, 1.55, 1.65), 1),
                p99: round_to(mean * between(rng, 2.9, 3.1), 1),
            };
            // Demand above the limit is what produces the throttled series.
            let demand = round_to(aps.on_demand_limit() + between(rng, 20.0, 200.0), 2);
            (aps, demand, Mode::OnDemand, 12.0)
        }
        Profile::ProvisionedBusy => {
            let aps = Aps {
                // Bursty: a modest mean keeps the on-demand limit (≈1,950 APS) below what the
                // peaks need, so these namespaces really need their TRUs, and a little more.
                mean: round_to(between(rng, 560.0, 640.0), 1),
                p90: round_to(between(rng, 950.0, 1000.0), 1),
                p99: round_to(between(rng, 1920.0, 1980.0), 1),
            };
            let demand = round_to(between(rng, 1650.0, 1750.0), 2);
            // Every second busy namespace sits in a region short of inventory.
            let max = if nth % 2 == 1 { 8.0 } else { 12.0 };
            (aps, demand, Mode::Provisioned(4.0), max)
        }
        Profile::ProvisionedIdle => {
            let aps = Aps {
                mean: round_to(between(rng, 55.0, 65.0), 1),
                p90: round_to(between(rng, 110.0, 130.0), 1),
                p99: round_to(between(rng, 190.0, 210.0), 1),
            };
            let demand = round_to(between(rng, 65.0, 75.0), 2);
            (aps, demand, Mode::Provisioned(6.0), 12.0)
        }
        Profile::HighAvailability => {
            let aps = Aps {
                // Provisioned for a peak long gone: 8 TRUs where about 4 would do.
                mean: round_to(between(rng, 240.0, 260.0), 1),
                p90: round_to(between(rng, 520.0, 580.0), 1),
                p99: round_to(between(rng, 1450.0, 1550.0), 1),
            };
            let demand = round_to(between(rng, 730.0, 780.0), 2);
            (aps, demand, Mode::Provisioned(8.0), 12.0)
        }
    };
    let background = if profile == Profile::Idle {
        0.0
    } else {
        round_to(demand * between(rng, 0.02, 0.08), 2)
    };
    let standby = if profile == Profile::HighAvailability {
        round_to(demand * between(rng, 0.01, 0.03), 2)
    } else {
        0.0
    };

    let created = epoch
        + ChronoDuration::hours(index as i64 % 5000)
        + ChronoDuration::seconds(rng.i64(0..3600));
    let latest_request = match mode {
        Mode::OnDemand => None,
        Mode::Provisioned(_) => {
            let start = created
                + ChronoDuration::days(200 + rng.i64(0..100))
                + ChronoDuration::seconds(rng.i64(0..86_400));
            Some(CapacityRequest {
                state: RequestState::Completed,
                start,
                end: Some(start + ChronoDuration::seconds(60 + rng.i64(0..60))),
                async_operation_id: uuid_from(rng),
                spec: mode.spec_json(),
            })
        }
    };
    let last_modified = latest_request
        .as_ref()
        .and_then(|request| request.end)
        .unwrap_or(created + ChronoDuration::days(30 + rng.i64(0..60)));

    let replica_ids = regions
        .iter()
        .map(|_| {
            (0..10)
                .map(|_| char::from(b'a' + rng.u8(0..26)))
                .collect::<String>()
        })
        .collect();
    let spec = generate_spec(rng, &name, profile, &regions, mode);

    // Requests and operations follow the actions (no random draw, so the seeds' accounts stay
    // as they were); every fourth light namespace polls hard and throttles on requests alone.
    let mut ns = Namespace {
        id: format!("{name}.{account}"),
        name,
        profile,
        regions,
        replica_ids,
        spec,
        resource_version: uuid_from(rng),
        created,
        last_modified,
        mode,
        latest_request,
        max_available_tru,
        aps,
        demand,
        standby,
        requests: round_to(demand * 2.5, 2),
        operations: round_to(demand * 1.5, 2),
        background,
        deleted: false,
        silent: false,
    };
    if profile == Profile::OnDemandLight && nth % 4 == 1 {
        ns.requests = round_to(ns.aps.on_demand_request_limit() * 1.15, 2);
    }
    ns
}

/// A spec as the stock gateway prints it (unset messages as `null`, empty lists and maps),
/// with one field no client can know about, so that dropping unknown fields is visible.
fn generate_spec(
    rng: &mut fastrand::Rng,
    name: &str,
    profile: Profile,
    regions: &[String],
    mode: Mode,
) -> Value {
    const RETENTION_DAYS: [i64; 5] = [7, 14, 30, 30, 90];
    let production = name.contains("-prod");
    let mtls = rng.usize(..3) == 0;
    let mtls_auth = if mtls {
        json!({
            "acceptedClientCa": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJkekNDQVIyZ0F3SUJBZ0lVRGV2c2VydmVyIGNhCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K",
            "certificateFilters": [{
                "commonName": format!("worker.{name}"),
                "organization": "",
                "organizationalUnit": "",
                "subjectAlternativeName": ""
            }],
            "enabled": true
        })
    } else {
        json!({"acceptedClientCa": "", "certificateFilters": [], "enabled": false})
    };
    let codec_server = if rng.bool() {
        json!({
            "endpoint": format!("https://codec.{name}.example.com"),
            "passAccessToken": true,
            "includeCrossOriginCredentials": false,
            "customErrorMessage": null
        })
    } else {
        Value::Null
    };
    let high_availability = if profile == Profile::HighAvailability {
        json!({"disableManagedFailover": false, "disablePassivePollerForwarding": false})
    } else {
        Value::Null
    };
    let replicas: Vec<Value> = regions
        .iter()
        .map(|region| json!({"region": region}))
        .collect();
    json!({
        "name": name,
        "regions": regions,
        "retentionDays": RETENTION_DAYS[rng.usize(..RETENTION_DAYS.len())],
        "mtlsAuth": mtls_auth,
        "apiKeyAuth": {"enabled": !mtls || rng.bool()},
        "searchAttributes": {
            "CustomerId": "SEARCH_ATTRIBUTE_TYPE_KEYWORD",
            "OrderTotal": "SEARCH_ATTRIBUTE_TYPE_DOUBLE",
            "Region": "SEARCH_ATTRIBUTE_TYPE_KEYWORD_LIST"
        },
        "codecServer": codec_server,
        "lifecycle": {"enableDeleteProtection": production},
        "highAvailability": high_availability,
        "connectivityRuleIds": [],
        "capacitySpec": mode.spec_json(),
        "replicas": replicas,
        "fairness": null,
        "futureSetting": {"enabled": true, "level": 3}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_account() {
        let a = generate(7, 30);
        let b = generate(7, 30);
        assert_eq!(a.id, b.id);
        for (x, y) in a.namespaces.iter().zip(&b.namespaces) {
            assert_eq!(x.id, y.id);
            assert_eq!(x.spec, y.spec);
            assert_eq!(x.resource_version, y.resource_version);
            assert_eq!(x.aps, y.aps);
        }
        assert_ne!(generate(8, 1).id, a.id);
    }

    #[test]
    fn ten_thousand_namespaces_have_unique_valid_ids() {
        let account = generate(1, 10_000);
        let mut ids: Vec<&str> = account.namespaces.iter().map(|ns| ns.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 10_000);
        for ns in &account.namespaces {
            assert!(ns.name.len() <= 39, "{}", ns.name);
            assert!(
                ns.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            );
        }
    }

    #[test]
    fn on_demand_limit_follows_the_documented_formula() {
        let aps = Aps {
            mean: 200.0,
            p90: 500.0,
            p99: 900.0,
        };
        assert_eq!(aps.on_demand_limit(), 800.0);
        let idle = Aps {
            mean: 3.0,
            p90: 6.0,
            p99: 9.0,
        };
        assert_eq!(idle.on_demand_limit(), 500.0);
    }
}
