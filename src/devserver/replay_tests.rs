//! The emulated clock, the replay of a load profile and its ledger, driven over HTTP.
//!
//! Most tests run the clock at a millionth of real time, so that it stands still while they
//! talk to the emulator, and move it with `advance_clock`: every time below is exact.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde_json::{Value, json};

use super::tests::{ADMIN, Client, METRICS, rows, sample_value, start};
use super::{Config, DevServer, Load};

/// Emulated time all but stands still: a second of real time is a microsecond.
const FROZEN: f64 = 1e-6;

const ACTION_LIMIT: &str = "temporal_cloud_v1_action_limit";
const ACTION_COUNT: &str = "temporal_cloud_v1_total_action_count";
const THROTTLED: &str = "temporal_cloud_v1_total_action_throttled_count";
const TRU_COUNT: &str = "temporal_cloud_v1_provisioned_capacity_tru_count";

/// A profile of one namespace: `aps(minute)` for each minute of `minutes`.
fn profile(name: &str, minutes: std::ops::RangeInclusive<u32>, aps: impl Fn(u32) -> f64) -> String {
    let mut text = String::from("minute,namespace,aps\n");
    for minute in minutes {
        text.push_str(&format!("{minute},{name},{}\n", aps(minute)));
    }
    text
}

/// An emulator replaying `text` on a frozen clock, with `tweak` applied to its configuration.
async fn replaying(text: &str, tweak: impl FnOnce(Config) -> Config) -> (DevServer, Client) {
    let load = Load::parse(text).expect("a valid profile");
    let config = tweak(Config {
        clock_speed: FROZEN,
        ..Config::default().with_load(load)
    });
    let server = start(config).await;
    let client = Client::new(&server);
    (server, client)
}

fn id(server: &DevServer, name: &str) -> String {
    format!("{name}.{}", server.account_id())
}

/// `hh:mm` UTC of the replayed day, every profile below starting at 10:00.
fn at(server: &DevServer, hour: i64, minute: i64) -> DateTime<Utc> {
    let start = server.replay_start().expect("a replay");
    start - TimeDelta::hours(10) + TimeDelta::hours(hour) + TimeDelta::minutes(minute)
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

fn minutes(count: i64) -> TimeDelta {
    TimeDelta::minutes(count)
}

async fn body(client: &Client, query: &str) -> String {
    let answer = client.metrics(query, METRICS).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.text
}

/// The value of the one row of `family` for `namespace`, or `None` without one.
fn value_of(body: &str, family: &str, namespace: &str) -> Option<f64> {
    let label = format!("temporal_namespace=\"{namespace}\"");
    let matching: Vec<&str> = rows(body, family)
        .into_iter()
        .filter(|row| row.contains(&label))
        .filter(|row| !row.contains("is_background=\"true\""))
        .collect();
    assert!(matching.len() <= 1, "{matching:?}");
    matching.first().map(|row| sample_value(row))
}

fn timestamp_of(body: &str, family: &str) -> i64 {
    rows(body, family)[0]
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn assert_close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 1e-6,
        "{actual} is not {expected}"
    );
}

#[tokio::test]
async fn the_account_is_the_profile_and_time_starts_at_its_first_minute() {
    let text =
        "minute,namespace,aps\n600,orders-prod,100\n600,payments-prod,50\n601,orders-prod,100\n";
    let (server, client) = replaying(text, |config| config).await;
    assert_eq!(
        server.namespace_ids(),
        [id(&server, "orders-prod"), id(&server, "payments-prod")]
    );
    // The account suffix is the seed's, as in the generated account.
    let generated = start(Config::default()).await;
    assert_eq!(server.account_id(), generated.account_id());
    // 10:00 of the current UTC day (or of the next one, if midnight passed meanwhile).
    let start = server.replay_start().unwrap();
    let midnight = Utc::now().duration_trunc(TimeDelta::days(1)).unwrap();
    assert!(
        [midnight, midnight - TimeDelta::days(1)].contains(&(start - TimeDelta::hours(10))),
        "{start}"
    );
    assert!(server.now() - start < TimeDelta::milliseconds(1));

    let ns = client.namespace(&id(&server, "orders-prod")).await;
    assert_eq!(ns["spec"]["capacitySpec"], json!({"onDemand": {}}));
    assert_eq!(ns["spec"]["regions"].as_array().unwrap().len(), 1);
    let info = client.capacity_info(&id(&server, "orders-prod")).await;
    assert_eq!(
        info["modeOptions"]["provisioned"],
        json!({"validTruValues": [2, 3, 4, 6, 8, 10, 12], "maxAvailableTruValue": 12})
    );
}

#[tokio::test]
async fn the_on_demand_limit_follows_the_seeded_week() {
    // A whole day, so that the seeded week is this day seven times over.
    let mut text = String::from("minute,namespace,aps\n");
    for minute in 0..1440 {
        let steady = if minute < 1200 { 200 } else { 800 };
        let bursty = if minute < 1000 { 300 } else { 450 };
        text.push_str(&format!(
            "{minute},steady-prod,{steady}\n{minute},bursty-prod,{bursty}\n"
        ));
    }
    let (server, client) = replaying(&text, |config| config).await;

    // steady-prod: mean (1,200 × 200 + 240 × 800) / 1,440 = 300; p90 is the 9,072nd of the
    // 10,080 minutes sorted, past the 8,400 at 200: 800. min(4 × 300, 2 × 800) = 1,200.
    let info = client.capacity_info(&id(&server, "steady-prod")).await;
    assert_eq!(
        info["stats"]["aps"],
        json!({"mean": 300, "p90": 800, "p99": 800})
    );
    assert_eq!(info["modeOptions"]["onDemand"]["apsLimit"], json!(1200));

    // bursty-prod: mean (1,000 × 300 + 440 × 450) / 1,440 = 345.83; p90 past the 7,000 at
    // 300: 450. min(4 × 345.83, 2 × 450) = 900.
    let info = client.capacity_info(&id(&server, "bursty-prod")).await;
    assert_eq!(
        info["stats"]["aps"],
        json!({"mean": 345.83, "p90": 450, "p99": 450})
    );
    assert_eq!(info["modeOptions"]["onDemand"]["apsLimit"], json!(900));
    let ns = client.namespace(&id(&server, "bursty-prod")).await;
    assert_eq!(ns["limits"]["actionsPerSecondLimit"], json!(900));

    // The metrics agree, and requests and operations scale with it (3 and 8 per action).
    let text = body(&client, "").await;
    let bursty = id(&server, "bursty-prod");
    assert_eq!(value_of(&text, ACTION_LIMIT, &bursty), Some(900.0));
    assert_eq!(
        value_of(
            &text,
            "temporal_cloud_v1_action_on_demand_envelope_limit",
            &bursty
        ),
        Some(900.0)
    );
    assert_eq!(
        value_of(&text, "temporal_cloud_v1_service_request_limit", &bursty),
        Some(2700.0)
    );
    assert_eq!(
        value_of(&text, "temporal_cloud_v1_operations_limit", &bursty),
        Some(7200.0)
    );
    assert_eq!(
        value_of(&text, ACTION_LIMIT, &id(&server, "steady-prod")),
        Some(1200.0)
    );
}

/// orders-prod asks 100 APS, then 1,000 from 10:10 to 10:19; its seeded week gives it the
/// 500 APS floor (mean 106.25, p90 100).
fn spike() -> String {
    profile("orders-prod", 600..=619, |minute| {
        if minute < 610 { 100.0 } else { 1000.0 }
    })
}

#[tokio::test]
async fn demand_above_the_limit_is_throttled_by_the_excess_and_counted() {
    let (server, client) = replaying(&spike(), |config| config).await;
    let orders = id(&server, "orders-prod");

    // At 10:14 the metrics show the minute that ended 3 minutes before, 10:10-10:11, stamped
    // with its end in emulated time.
    server.advance_clock(minutes(14));
    let text = body(&client, "").await;
    assert_eq!(value_of(&text, ACTION_LIMIT, &orders), Some(500.0));
    assert_eq!(value_of(&text, THROTTLED, &orders), Some(500.0));
    // What gets through sits just under the limit, as in the generated account.
    assert_eq!(value_of(&text, ACTION_COUNT, &orders), Some(490.0));
    assert_eq!(
        timestamp_of(&text, ACTION_LIMIT),
        at(&server, 10, 11).timestamp_millis()
    );

    server.advance_clock(minutes(16));
    let ledger = server.ledger();
    assert_eq!(ledger.minutes_replayed, 20);
    assert!(ledger.finished);
    let entry = &ledger.namespaces[&orders];
    // 10 minutes at 100 and 10 at 490 served; 10 minutes of 500 throttled.
    assert_eq!(entry.actions, 10.0 * 100.0 * 60.0 + 10.0 * 490.0 * 60.0);
    assert_eq!(entry.throttled_actions, 10.0 * 500.0 * 60.0);
    assert_eq!(entry.throttled_minutes, 10);
    // 2,500 requests a second (2.5 per action) against the 2,000 floor.
    assert_eq!(entry.throttled_requests, 10.0 * 500.0 * 60.0);
    assert_eq!(entry.throttled_operations, 0.0);
    // On-Demand: billed as used.
    assert_eq!(entry.billed_actions, entry.actions);
    assert_close(entry.cost_usd, 354_000.0 * 50.0 / 1e6);
    assert_eq!((entry.peak_trus, entry.tru_hours), (0.0, 0.0));
    assert_eq!(ledger.total, *entry);

    // Nothing more is counted after the profile.
    server.advance_clock(minutes(5));
    assert_eq!(server.ledger().namespaces[&orders], *entry);
}

#[tokio::test]
async fn the_on_demand_limit_is_recomputed_on_the_hour() {
    let (server, client) = replaying(&spike(), |config| config).await;
    let orders = id(&server, "orders-prod");
    server.advance_clock(minutes(59));
    let info = client.capacity_info(&orders).await;
    assert_eq!(info["stats"]["aps"]["mean"], json!(106.25));

    // At 11:00 the trailing week drops the seeded 10:00 hour (50 minutes at 100 and 10 at
    // 1,000: 15,000 APS-minutes) for the replayed one (10 at 100, 10 at 490, then 40 idle after
    // the profile: 5,900). (7 × 153,000 − 9,100) / 10,080 = 105.35.
    server.advance_clock(minutes(1));
    let info = client.capacity_info(&orders).await;
    assert_eq!(info["stats"]["aps"]["mean"], json!(105.35));
    assert_eq!(info["modeOptions"]["onDemand"]["apsLimit"], json!(500));
}

#[tokio::test]
async fn a_provisioned_change_takes_effect_after_the_apply_delay() {
    let text = profile("orders-prod", 600..=629, |minute| {
        if minute == 600 { 100.0 } else { 1000.0 }
    });
    let (server, client) = replaying(&text, |config| config).await;
    let orders = id(&server, "orders-prod");

    // Requested at 10:05; the default apply delay of a replay is 2 minutes: 10:07.
    server.advance_clock(minutes(5));
    let answer = client
        .update(&orders, json!({"provisioned": {"value": 4}}), None)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);

    // At 10:10 the metrics show 10:06-10:07, after the request and before the change.
    server.advance_clock(minutes(5));
    let text = body(&client, "").await;
    assert_eq!(value_of(&text, ACTION_LIMIT, &orders), Some(500.0));
    assert_eq!(value_of(&text, THROTTLED, &orders), Some(500.0));
    assert_eq!(value_of(&text, TRU_COUNT, &orders), Some(0.0));

    // At 10:11 they show 10:07-10:08, at 4 TRUs.
    server.advance_clock(minutes(1));
    let text = body(&client, "").await;
    assert_eq!(value_of(&text, ACTION_LIMIT, &orders), Some(2000.0));
    assert_eq!(value_of(&text, THROTTLED, &orders), None);
    assert_eq!(value_of(&text, ACTION_COUNT, &orders), Some(1000.0));
    assert_eq!(value_of(&text, TRU_COUNT, &orders), Some(4.0));

    server.advance_clock(minutes(4));
    let entry = server.ledger().namespaces[&orders].clone();
    // 10:01 to 10:06 throttled (six minutes), none from 10:07.
    assert_eq!(entry.throttled_minutes, 6);
    assert_eq!(entry.throttled_actions, 6.0 * 500.0 * 60.0);
    assert_eq!(
        entry.actions,
        100.0 * 60.0 + 6.0 * 490.0 * 60.0 + 8.0 * 1000.0 * 60.0
    );
    assert_eq!(entry.peak_trus, 4.0);
    // 10:07 to 10:15 at 4 TRUs.
    assert_close(entry.tru_hours, 8.0 * 4.0 / 60.0);
}

#[tokio::test]
async fn a_change_taking_effect_within_a_minute_splits_it() {
    let text = profile("orders-prod", 600..=609, |minute| {
        if minute == 600 { 100.0 } else { 1000.0 }
    });
    let (server, client) = replaying(&text, |config| Config {
        apply_delay: std::time::Duration::from_secs(90),
        ..config
    })
    .await;
    let orders = id(&server, "orders-prod");
    // Requested at 10:02, in force from 10:03:30: half of 10:03 at each limit.
    server.advance_clock(minutes(2));
    let answer = client
        .update(&orders, json!({"provisioned": {"value": 4}}), None)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    server.advance_clock(minutes(8));
    let entry = server.ledger().namespaces[&orders].clone();
    // 10:01 and 10:02 throttled by 500, 10:03 by 250 on average.
    assert_eq!(entry.throttled_minutes, 3);
    assert_eq!(entry.throttled_actions, (2.0 * 500.0 + 250.0) * 60.0);
    // Served in 10:03: half a minute at 490, half at 1,000.
    assert_eq!(
        entry.actions,
        (100.0 + 2.0 * 490.0 + 745.0 + 6.0 * 1000.0) * 60.0
    );
    assert_close(entry.tru_hours, 6.5 * 4.0 / 60.0);
}

/// billing-prod asks a steady 50 APS from 10:00 to 12:00.
fn quiet_two_hours() -> String {
    profile("billing-prod", 600..=719, |_| 50.0)
}

#[tokio::test]
async fn an_hour_at_four_trus_with_low_use_is_billed_its_minimum() {
    let (server, client) = replaying(&quiet_two_hours(), |config| config).await;
    let billing = id(&server, "billing-prod");
    let answer = client
        .update(&billing, json!({"provisioned": {"value": 4}}), None)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);

    // Mid-way through 11:00, that hour's whole minimum is already owed.
    server.advance_clock(minutes(90));
    let entry = server.ledger().namespaces[&billing].clone();
    assert_eq!(entry.billed_actions, 2.0 * 1_080_000.0);

    server.advance_clock(minutes(40));
    let ledger = server.ledger();
    assert!(ledger.finished);
    let entry = &ledger.namespaces[&billing];
    // 50 APS × 3,600 s = 180,000 actions an hour against (4 − 1) × 360,000 = 1,080,000:
    // the 11:00 hour, held at 4 TRUs throughout, is billed 1,080,000, a shortfall of 900,000;
    // so is 10:00, at 4 TRUs from 10:02.
    assert_eq!(entry.actions, 2.0 * 180_000.0);
    assert_eq!(entry.billed_actions, 2.0 * 1_080_000.0);
    assert_close(entry.cost_usd, 108.0);
    assert_eq!(entry.peak_trus, 4.0);
    assert_close(entry.tru_hours, 118.0 * 4.0 / 60.0);
    assert_eq!(entry.throttled_minutes, 0);
}

#[tokio::test]
async fn an_hour_is_billed_at_the_highest_tru_value_held_in_it() {
    let (server, client) = replaying(&quiet_two_hours(), |config| config).await;
    let billing = id(&server, "billing-prod");
    for (at, trus) in [(0, 2), (30, 8), (10, 2)] {
        server.advance_clock(minutes(at));
        let answer = client
            .update(&billing, json!({"provisioned": {"value": trus}}), None)
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
    }
    server.advance_clock(minutes(90));
    let entry = server.ledger().namespaces[&billing].clone();
    // 10:00 held 8 TRUs from 10:32 to 10:42: 7 × 360,000; 11:00 held 2: 360,000.
    assert_eq!(entry.billed_actions, 7.0 * 360_000.0 + 360_000.0);
    assert_eq!(entry.peak_trus, 8.0);
    // 2 TRUs 10:02-10:32 and 10:42-12:00, 8 TRUs 10:32-10:42.
    assert_close(
        entry.tru_hours,
        (30.0 * 2.0 + 10.0 * 8.0 + 78.0 * 2.0) / 60.0,
    );
}

#[tokio::test]
async fn one_change_per_hour_refuses_a_second_change_until_the_hour_is_over() {
    let (server, client) = replaying(&quiet_two_hours(), |config| Config {
        one_change_per_hour: true,
        ..config
    })
    .await;
    let billing = id(&server, "billing-prod");
    let before = client.namespace(&billing).await;
    let answer = client
        .update(
            &billing,
            json!({"provisioned": {"value": 4}}),
            Some("first"),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    server.advance_clock(minutes(10));

    // A retry of the accepted request is not a second change.
    let retry = client
        .update(
            &billing,
            json!({"provisioned": {"value": 4}}),
            Some("first"),
        )
        .await;
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_eq!(retry.json()["asyncOperation"]["id"], "first");

    // A stale version is refused as stale, as without the rule.
    let mut spec = before["spec"].clone();
    spec["capacitySpec"] = json!({"provisioned": {"value": 6}});
    let stale = client
        .post(
            &format!("/cloud/namespaces/{billing}"),
            &json!({"spec": spec, "resourceVersion": before["resourceVersion"]}),
        )
        .await;
    assert_eq!((stale.status, stale.code()), (409, 10), "{}", stale.text);

    // A new change within the hour: 400, FailedPrecondition, naming when it is allowed.
    let refused = client
        .update(&billing, json!({"provisioned": {"value": 6}}), None)
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (400, 9),
        "{}",
        refused.text
    );
    let allowed_at = rfc3339(at(&server, 11, 0));
    assert_eq!(
        refused.json()["message"],
        format!(
            "capacity can be changed once per hour; the next change is allowed at {allowed_at}"
        )
    );
    // Going back to On-Demand is a capacity change too.
    let refused = client.update(&billing, json!({"onDemand": {}}), None).await;
    assert_eq!(refused.status, 400, "{}", refused.text);

    server.advance_clock(minutes(50));
    let answer = client
        .update(&billing, json!({"provisioned": {"value": 6}}), None)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
}

#[tokio::test]
async fn without_the_switch_changes_follow_each_other_freely() {
    let (server, client) = replaying(&quiet_two_hours(), |config| config).await;
    let billing = id(&server, "billing-prod");
    for trus in [4, 6] {
        let answer = client
            .update(&billing, json!({"provisioned": {"value": trus}}), None)
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        server.advance_clock(minutes(3));
    }
}

#[tokio::test]
async fn operations_and_timestamps_follow_the_emulated_clock() {
    let (server, client) = replaying(&quiet_two_hours(), |config| config).await;
    let billing = id(&server, "billing-prod");
    server.advance_clock(TimeDelta::seconds(30));
    let answer = client
        .update(&billing, json!({"provisioned": {"value": 4}}), None)
        .await;
    let operation = answer.json()["asyncOperation"].clone();
    let started = rfc3339(at(&server, 10, 0) + TimeDelta::seconds(30));
    assert_eq!(operation["startedTime"], json!(started));
    // The hint is the emulated 10 s as a wait on the client's clock: at a millionth of real
    // speed, ten million seconds.
    assert_eq!(operation["checkDuration"], json!("10000000s"));

    // Two minutes (the apply delay) later the operation is done; the capacity request, a
    // quarter of the delay after that.
    server.advance_clock(TimeDelta::seconds(119));
    let id = operation["id"].as_str().unwrap();
    assert_eq!(client.operation(id).await["state"], "STATE_IN_PROGRESS");
    server.advance_clock(TimeDelta::seconds(1));
    let done = client.operation(id).await;
    assert_eq!(done["state"], "STATE_FULFILLED");
    let finished = rfc3339(at(&server, 10, 2) + TimeDelta::seconds(30));
    assert_eq!(done["finishedTime"], json!(finished));
    server.advance_clock(TimeDelta::seconds(30));
    let ns = client.namespace(&billing).await;
    assert_eq!(
        ns["capacity"]["latestRequest"]["state"],
        "STATE_CAPACITY_REQUEST_COMPLETED"
    );
    let ended = rfc3339(at(&server, 10, 3));
    assert_eq!(ns["capacity"]["latestRequest"]["endTime"], json!(ended));
    assert_eq!(ns["lastModifiedTime"], json!(ended));

    // The request log is kept in emulated time too.
    let logged = server.requests().last().unwrap().at;
    assert!(
        logged - at(&server, 10, 3) < TimeDelta::milliseconds(1),
        "{logged}"
    );
}

#[tokio::test]
async fn the_metrics_budget_hour_is_emulated() {
    let server = start(Config {
        metrics_requests_per_hour: 2,
        clock_speed: 60.0,
        ..Config::default()
    })
    .await;
    let client = Client::new(&server);
    for _ in 0..2 {
        assert_eq!(client.metrics("", ADMIN).await.status, 200);
    }
    let refused = client.metrics("", ADMIN).await;
    assert_eq!(refused.status, 429);
    // An emulated hour at 60× is a real minute: that is what a client is asked to wait.
    let retry_after: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((59..=60).contains(&retry_after), "{retry_after}");
    server.advance_clock(TimeDelta::hours(1));
    assert_eq!(client.metrics("", ADMIN).await.status, 200);
}

#[tokio::test]
async fn metrics_timestamps_follow_a_fast_clock() {
    let server = start(Config {
        clock_speed: 1000.0,
        ..Config::default()
    })
    .await;
    let client = Client::new(&server);
    server.advance_clock(TimeDelta::days(2));
    let before = server.now();
    let text = body(&client, "").await;
    let after = server.now();
    // 3 minutes before the emulated now of the request, rounded down to the minute.
    let stamp = timestamp_of(&text, ACTION_LIMIT);
    assert!(stamp >= (before - TimeDelta::minutes(4)).timestamp_millis());
    assert!(stamp <= (after - TimeDelta::minutes(3)).timestamp_millis());
    assert!(stamp > (Utc::now() + TimeDelta::days(1)).timestamp_millis());
}

#[tokio::test]
async fn the_ledger_over_http_and_without_a_profile() {
    let server = start(Config::default()).await;
    let client = Client::new(&server);
    let answer = client
        .send(client.http.get(format!("{}/_dev/ledger", client.base)))
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    let ledger = answer.json();
    assert_eq!(ledger["clock_speed"], json!(1.0));
    assert_eq!(ledger["minutes_replayed"], json!(0));
    assert_eq!(ledger["finished"], json!(false));
    assert_eq!(ledger["namespaces"], json!({}));
    let now: DateTime<Utc> = ledger["now"].as_str().unwrap().parse().unwrap();
    assert!((Utc::now() - now).abs() < TimeDelta::seconds(5));
    let fields: Vec<&str> = ledger["total"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        fields,
        [
            "actions",
            "throttled_actions",
            "billed_actions",
            "cost_usd",
            "throttled_minutes",
            "tru_hours",
            "peak_trus",
            "throttled_requests",
            "throttled_operations"
        ]
    );
    assert!(
        ledger["total"]
            .as_object()
            .unwrap()
            .values()
            .all(|v| v.as_f64() == Some(0.0))
    );

    // The clock can be moved over HTTP as well.
    let moved = client
        .control("/_dev/clock/advance", &json!({"seconds": 7200}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let now: DateTime<Utc> = moved.json()["now"].as_str().unwrap().parse().unwrap();
    assert!(now - Utc::now() > TimeDelta::minutes(119));
    let bad = client
        .control("/_dev/clock/advance", &json!({"seconds": -1}))
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn the_ledger_over_http_with_a_profile() {
    let (server, client) = replaying(&spike(), |config| config).await;
    client
        .control("/_dev/clock/advance", &json!({"seconds": 1200}))
        .await;
    let answer = client
        .send(client.http.get(format!("{}/_dev/ledger", client.base)))
        .await
        .unwrap();
    let ledger: Value = answer.json();
    assert_eq!(ledger["minutes_replayed"], json!(20));
    assert_eq!(ledger["finished"], json!(true));
    let orders = &ledger["namespaces"][id(&server, "orders-prod")];
    assert_eq!(orders["throttled_minutes"], json!(10));
    assert_eq!(orders["throttled_actions"], json!(300_000.0));
    assert_eq!(ledger["total"], *orders);
}

#[test]
fn invalid_clock_speeds_are_refused() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for speed in [0.0, -1.0, 1000.5, f64::NAN] {
        let started = runtime.block_on(DevServer::start(
            "127.0.0.1:0".parse().unwrap(),
            Config {
                clock_speed: speed,
                ..Config::default()
            },
        ));
        assert_eq!(
            started.unwrap_err().kind(),
            std::io::ErrorKind::InvalidInput
        );
    }
}

const BUSINESS_DAY: &str = include_str!("../../profiles/business-day.csv");
const FLASH_EVENT: &str = include_str!("../../profiles/flash-event.csv");

/// Every namespace of `load` has a line in every minute.
fn dense(load: &Load) -> bool {
    (load.first_minute()..=load.last_minute()).all(|minute| {
        load.namespaces()
            .iter()
            .all(|ns| load.demand(minute, ns).aps > 0.0)
    })
}

#[test]
fn the_business_day_profile_has_its_shape() {
    let load = Load::parse(BUSINESS_DAY).unwrap();
    assert_eq!(
        load.namespaces(),
        [
            "orders-prod",
            "payments-prod",
            "search-staging",
            "notifications-prod"
        ]
    );
    assert_eq!((load.first_minute(), load.last_minute()), (360, 1319));
    assert!(dense(&load));
    let aps = |minute: u32, ns: &str| load.demand(minute, ns).aps;
    for ns in ["orders-prod", "payments-prod"] {
        // The morning ramp: 08:00 to a peak near 10:00, then a plateau at lunch.
        assert!(aps(480, ns) * 4.0 < aps(600, ns), "{ns}");
        assert!(load.peak_aps(ns) > 1400.0, "{ns}");
        let lunch: Vec<f64> = (720..=810).map(|minute| aps(minute, ns)).collect();
        let (low, high) = lunch.iter().fold((f64::MAX, 0.0_f64), |(low, high), v| {
            (low.min(*v), high.max(*v))
        });
        assert!(high / low < 1.2, "{ns}: lunch from {low} to {high}");
    }
    // The evening batch, 19:00 to 20:30, on notifications-prod alone.
    assert!((1142..1228).all(|minute| aps(minute, "notifications-prod") > 2000.0));
    assert!(aps(1135, "notifications-prod") < 200.0);
    assert!(aps(1235, "notifications-prod") < 200.0);
    assert!(load.peak_aps("search-staging") < 200.0);
}

#[test]
fn the_flash_event_profile_jumps_tenfold_for_twenty_minutes() {
    let load = Load::parse(FLASH_EVENT).unwrap();
    assert_eq!(
        load.namespaces(),
        ["checkout-prod", "catalog-prod", "inventory-sync-prod"]
    );
    assert_eq!((load.first_minute(), load.last_minute()), (600, 779));
    assert!(dense(&load));
    let checkout: Vec<f64> = (600..=779)
        .map(|minute| load.demand(minute, "checkout-prod").aps)
        .collect();
    let mut sorted = checkout.clone();
    sorted.sort_by(f64::total_cmp);
    let level = sorted[sorted.len() / 2];
    let jumped: Vec<u32> = (600..=779)
        .filter(|minute| checkout[(minute - 600) as usize] > 5.0 * level)
        .collect();
    assert_eq!(jumped, (690..710).collect::<Vec<u32>>());
    for minute in &jumped {
        let ratio = checkout[(minute - 600) as usize] / level;
        assert!((9.0..=11.0).contains(&ratio), "{minute}: {ratio}");
    }
    // The minute before gives no warning.
    assert!(checkout[89] < 1.1 * level);
    // The other two stay level.
    for ns in ["catalog-prod", "inventory-sync-prod"] {
        let peak = load.peak_aps(ns);
        assert!(
            (600..=779).all(|minute| load.demand(minute, ns).aps > 0.8 * peak),
            "{ns}"
        );
    }
}

/// The On-Demand limit of each namespace when the replay starts.
async fn seeded_limits(text: &str) -> Vec<(String, f64)> {
    let (server, client) = replaying(text, |config| config).await;
    let load = Load::parse(text).unwrap();
    let mut limits = Vec::new();
    for name in load.namespaces() {
        let info = client.capacity_info(&id(&server, name)).await;
        let limit = info["modeOptions"]["onDemand"]["apsLimit"]
            .as_f64()
            .unwrap();
        limits.push((name.clone(), limit));
    }
    limits
}

#[tokio::test]
async fn shipped_profiles_outgrow_their_seeded_on_demand_limits() {
    let limits = seeded_limits(BUSINESS_DAY).await;
    assert_eq!(
        limits,
        [
            ("orders-prod".to_string(), 1570.0),
            ("payments-prod".to_string(), 995.0),
            ("search-staging".to_string(), 500.0),
            ("notifications-prod".to_string(), 500.0),
        ]
    );
    let load = Load::parse(BUSINESS_DAY).unwrap();
    for (name, limit) in &limits {
        let over = load.peak_aps(name) > *limit;
        assert_eq!(over, name != "search-staging", "{name}");
    }
    let limits = seeded_limits(FLASH_EVENT).await;
    assert_eq!(
        limits,
        [
            ("checkout-prod".to_string(), 500.0),
            ("catalog-prod".to_string(), 625.0),
            ("inventory-sync-prod".to_string(), 500.0),
        ]
    );
}

#[tokio::test]
async fn a_whole_business_day_on_demand_throttles_where_the_peaks_are() {
    let (server, _client) = replaying(BUSINESS_DAY, |config| config).await;
    server.advance_clock(TimeDelta::hours(17));
    let ledger = server.ledger();
    assert!(ledger.finished);
    assert_eq!(ledger.minutes_replayed, 960);
    let throttled = |name: &str| ledger.namespaces[&id(&server, name)].throttled_minutes;
    assert!(throttled("orders-prod") > 20);
    assert!(throttled("payments-prod") > 20);
    assert!(throttled("notifications-prod") >= 88);
    assert_eq!(throttled("search-staging"), 0);
    // On-Demand all day: no TRU, billed as served.
    assert_eq!(ledger.total.peak_trus, 0.0);
    assert_eq!(ledger.total.billed_actions, ledger.total.actions);
}
