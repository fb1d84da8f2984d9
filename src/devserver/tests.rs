//! The emulator driven over real HTTP, as the CLI will drive it.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Config, DevServer, FailNext};

pub(super) const ADMIN: &str = "tcap-dev-admin-key";
pub(super) const METRICS: &str = "tcap-dev-metrics-key";
const VERSION: &str = "v0.19.1";

pub(super) async fn start(config: Config) -> DevServer {
    DevServer::start("127.0.0.1:0".parse().unwrap(), config)
        .await
        .expect("the emulator starts")
}

fn quick(config: Config) -> Config {
    Config {
        apply_delay: Duration::from_millis(800),
        ..config
    }
}

pub(super) struct Client {
    pub(super) http: reqwest::Client,
    pub(super) base: String,
}

pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) headers: reqwest::header::HeaderMap,
    pub(super) text: String,
}

impl Answer {
    pub(super) fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.text))
    }

    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    pub(super) fn code(&self) -> i64 {
        self.json()["code"]
            .as_i64()
            .expect("an error body has a code")
    }
}

impl Client {
    pub(super) fn new(server: &DevServer) -> Client {
        // reqwest is built without a default TLS provider; the tests speak plain HTTP, but
        // building a client still needs one installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Client {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
            base: server.base_url(),
        }
    }

    pub(super) async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<Answer, reqwest::Error> {
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await?;
        Ok(Answer {
            status,
            headers,
            text,
        })
    }

    fn ops(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(ADMIN)
            .header("temporal-cloud-api-version", VERSION)
    }

    pub(super) async fn get(&self, path: &str) -> Answer {
        self.send(self.ops(reqwest::Method::GET, path))
            .await
            .unwrap()
    }

    pub(super) async fn post(&self, path: &str, body: &Value) -> Answer {
        self.send(self.ops(reqwest::Method::POST, path).json(body))
            .await
            .unwrap()
    }

    pub(super) async fn namespace(&self, id: &str) -> Value {
        let answer = self.get(&format!("/cloud/namespaces/{id}")).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.json()["namespace"].clone()
    }

    pub(super) async fn capacity_info(&self, id: &str) -> Value {
        let answer = self
            .get(&format!("/cloud/namespaces/{id}/capacity-info"))
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.json()["capacityInfo"].clone()
    }

    pub(super) async fn operation(&self, id: &str) -> Value {
        let answer = self.get(&format!("/cloud/operations/{id}")).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.json()["asyncOperation"].clone()
    }

    /// The CLI's read-modify-write: the whole spec, capacitySpec replaced.
    pub(super) async fn update(
        &self,
        id: &str,
        capacity: Value,
        operation_id: Option<&str>,
    ) -> Answer {
        let ns = self.namespace(id).await;
        let mut spec = ns["spec"].clone();
        spec["capacitySpec"] = capacity;
        let mut body = json!({"spec": spec, "resourceVersion": ns["resourceVersion"]});
        if let Some(operation_id) = operation_id {
            body["asyncOperationId"] = json!(operation_id);
        }
        self.post(&format!("/cloud/namespaces/{id}"), &body).await
    }

    pub(super) async fn metrics(&self, query: &str, key: &str) -> Answer {
        self.send(
            self.http
                .get(format!("{}/v1/metrics{query}", self.base))
                .bearer_auth(key),
        )
        .await
        .unwrap()
    }

    pub(super) async fn control(&self, path: &str, body: &Value) -> Answer {
        self.send(self.http.post(format!("{}{path}", self.base)).json(body))
            .await
            .unwrap()
    }
}

/// Namespaces by profile label, from the control API.
async fn profiles(client: &Client) -> Vec<(String, String)> {
    let answer = client
        .send(client.http.get(format!("{}/_dev/account", client.base)))
        .await
        .unwrap();
    answer.json()["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ns| {
            (
                ns["namespace"].as_str().unwrap().to_string(),
                ns["profile"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn first_of(client: &Client, profile: &str) -> String {
    profiles(client)
        .await
        .into_iter()
        .find(|(_, label)| label == profile)
        .map(|(id, _)| id)
        .unwrap()
}

/// `name{labels} value timestamp` rows of one family.
pub(super) fn rows<'a>(body: &'a str, family: &str) -> Vec<&'a str> {
    body.lines()
        .filter(|line| line.starts_with(&format!("{family}{{")))
        .collect()
}

pub(super) fn sample_value(row: &str) -> f64 {
    row.rsplit(' ').nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_same_seed_gives_the_same_account() {
    let a = start(Config {
        seed: 5,
        ..Config::default()
    })
    .await;
    let b = start(Config {
        seed: 5,
        ..Config::default()
    })
    .await;
    let c = start(Config {
        seed: 6,
        ..Config::default()
    })
    .await;
    assert_eq!(a.account_id(), b.account_id());
    assert_eq!(a.account_id().len(), 5);
    assert!(
        a.account_id()
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit())
    );
    assert_eq!(a.namespace_ids(), b.namespace_ids());
    assert_ne!(a.account_id(), c.account_id());

    let (client_a, client_b) = (Client::new(&a), Client::new(&b));
    let list_a = client_a.get("/cloud/namespaces").await.json();
    let list_b = client_b.get("/cloud/namespaces").await.json();
    assert_eq!(list_a, list_b);
    let id = &a.namespace_ids()[0];
    assert_eq!(
        client_a.capacity_info(id).await,
        client_b.capacity_info(id).await
    );
    let metrics_a = client_a.metrics("", ADMIN).await.text;
    let metrics_b = client_b.metrics("", ADMIN).await.text;
    assert_eq!(metrics_a, metrics_b);

    let ids = a.namespace_ids();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    assert!(
        ids.iter()
            .all(|id| id.ends_with(&format!(".{}", a.account_id())))
    );
}

#[tokio::test]
async fn twelve_namespaces_hold_two_of_each_profile() {
    let server = start(Config::default()).await;
    let client = Client::new(&server);
    let profiles = profiles(&client).await;
    assert_eq!(profiles.len(), 12);
    for label in [
        "idle",
        "on-demand-light",
        "on-demand-throttled",
        "provisioned-busy",
        "provisioned-idle",
        "high-availability",
    ] {
        assert_eq!(
            profiles.iter().filter(|(_, l)| l == label).count(),
            2,
            "{label}"
        );
    }

    let metrics = client.metrics("", ADMIN).await.text;
    let mut capped = 0;
    for (id, label) in &profiles {
        let info = client.capacity_info(id).await;
        let ns = client.namespace(id).await;
        let aps = &info["stats"]["aps"];
        let (mean, p90, p99) = (
            aps["mean"].as_f64().unwrap(),
            aps["p90"].as_f64().unwrap(),
            aps["p99"].as_f64().unwrap(),
        );
        let formula = 500f64.max((4.0 * mean).min(2.0 * p90)).round();
        assert_eq!(
            info["modeOptions"]["onDemand"]["apsLimit"]
                .as_f64()
                .unwrap(),
            formula,
            "{id}"
        );
        assert_eq!(
            info["modeOptions"]["provisioned"]["validTruValues"],
            json!([2, 3, 4, 6, 8, 10, 12])
        );
        assert_eq!(info["currentCapacity"], ns["capacity"]);
        assert_eq!(info["hasLegacyLimits"], json!(false));
        assert!(mean <= p90 && p90 <= p99, "{id}: {aps}");
        assert_eq!(
            ns["spec"]["futureSetting"],
            json!({"enabled": true, "level": 3})
        );

        let needle = format!("temporal_namespace=\"{id}\"");
        let of = |family: &str| -> Vec<&str> {
            rows(&metrics, family)
                .into_iter()
                .filter(|row| row.contains(&needle))
                .collect()
        };
        let limit_rows = of("temporal_cloud_v1_action_limit");
        let count_rows = of("temporal_cloud_v1_total_action_count");
        let throttled_rows = of("temporal_cloud_v1_total_action_throttled_count");
        let limit = sample_value(limit_rows[0]);
        assert_eq!(
            ns["limits"]["actionsPerSecondLimit"].as_f64().unwrap(),
            limit
        );
        match label.as_str() {
            "idle" => {
                assert!(mean <= 5.0);
                assert_eq!(ns["capacity"]["onDemand"], json!({}));
                assert_eq!(ns["capacity"]["latestRequest"], Value::Null);
                assert!(count_rows.is_empty(), "{count_rows:?}");
                assert_eq!(limit, 500.0);
            }
            "on-demand-light" => {
                assert!((40.0..=150.0).contains(&mean));
                assert!(throttled_rows.is_empty());
                assert_eq!(count_rows.len(), 2);
                assert_eq!(ns["spec"]["capacitySpec"], json!({"onDemand": {}}));
            }
            "on-demand-throttled" => {
                assert!((300.0..=600.0).contains(&mean));
                assert_eq!(throttled_rows.len(), 1);
                let throttled = sample_value(throttled_rows[0]);
                assert!((20.0..=200.0).contains(&throttled), "{throttled}");
                let foreground = count_rows
                    .iter()
                    .find(|row| row.contains("is_background=\"false\""))
                    .unwrap();
                assert!((sample_value(foreground) - 0.98 * limit).abs() < 0.01);
            }
            "provisioned-busy" => {
                assert_eq!(ns["capacity"]["provisioned"], json!({"currentValue": 4}));
                assert_eq!(
                    ns["spec"]["capacitySpec"],
                    json!({"provisioned": {"value": 4}})
                );
                assert_eq!(
                    ns["capacity"]["latestRequest"]["state"],
                    "STATE_CAPACITY_REQUEST_COMPLETED"
                );
                assert_eq!(limit, 2000.0);
                assert!(p99 < 2000.0 && p99 > 1900.0);
                let max = info["modeOptions"]["provisioned"]["maxAvailableTruValue"]
                    .as_f64()
                    .unwrap();
                if max == 8.0 {
                    capped += 1;
                } else {
                    assert_eq!(max, 12.0);
                }
            }
            "provisioned-idle" => {
                assert_eq!(ns["capacity"]["provisioned"], json!({"currentValue": 6}));
                assert_eq!(limit, 3000.0);
            }
            "high-availability" => {
                assert_eq!(ns["capacity"]["provisioned"], json!({"currentValue": 8}));
                assert_eq!(ns["spec"]["regions"].as_array().unwrap().len(), 2);
                assert_eq!(ns["replicas"].as_array().unwrap().len(), 2);
                assert_eq!(limit_rows.len(), 2);
                assert_eq!(count_rows.len(), 3);
                assert!(
                    count_rows
                        .iter()
                        .any(|row| row.contains("namespace_mode=\"standby\""))
                );
                assert!(ns["spec"]["highAvailability"].is_object());
            }
            other => panic!("unexpected profile {other}"),
        }
        if label != "idle" {
            assert!(
                count_rows
                    .iter()
                    .any(|row| row.contains("is_background=\"true\"")),
                "{id}"
            );
        }
    }
    assert_eq!(capped, 1);
}

#[tokio::test]
async fn namespaces_page_in_ascending_order() {
    let server = start(Config {
        namespaces: 25,
        ..Config::default()
    })
    .await;
    let client = Client::new(&server);
    let mut seen = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let path = if pages % 2 == 0 {
            format!("/cloud/namespaces?pageSize=10&pageToken={token}")
        } else {
            format!("/cloud/namespaces?page_size=10&page_token={token}")
        };
        let page = client.get(&path).await.json();
        pages += 1;
        for ns in page["namespaces"].as_array().unwrap() {
            seen.push(ns["namespace"].as_str().unwrap().to_string());
        }
        token = page["nextPageToken"].as_str().unwrap().to_string();
        if token.is_empty() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, server.namespace_ids());

    let all = client.get("/cloud/namespaces").await.json();
    assert_eq!(all["namespaces"].as_array().unwrap().len(), 25);
    assert_eq!(all["nextPageToken"], "");

    let name = seen[3].split('.').next().unwrap().to_string();
    let filtered = client
        .get(&format!("/cloud/namespaces?name={name}"))
        .await
        .json();
    assert_eq!(filtered["namespaces"].as_array().unwrap().len(), 1);

    let too_big = client.get("/cloud/namespaces?pageSize=1001").await;
    assert_eq!((too_big.status, too_big.code()), (400, 3));
    let bad_token = client.get("/cloud/namespaces?pageToken=nonsense").await;
    assert_eq!((bad_token.status, bad_token.code()), (400, 3));
}

#[tokio::test]
async fn a_large_account_is_served_whole_and_cut_at_30k_points() {
    let server = start(Config {
        namespaces: 10_000,
        ..Config::default()
    })
    .await;
    let client = Client::new(&server);
    let page = client.get("/cloud/namespaces?pageSize=1000").await.json();
    assert_eq!(page["namespaces"].as_array().unwrap().len(), 1000);
    let metrics = client
        .metrics(
            "?metrics=temporal_cloud_v1_action_limit&metrics=temporal_cloud_v1_total_action_count",
            ADMIN,
        )
        .await;
    assert_eq!(metrics.status, 200);
    assert_eq!(metrics.header("x-completeness"), Some("complete"));
    let everything = client.metrics("", ADMIN).await;
    // Beyond 30k datapoints the real API cuts the answer and says so.
    assert_eq!(everything.header("x-completeness"), Some("limited"));
}

#[tokio::test]
async fn keys_versions_and_routes_are_checked() {
    let server = start(Config::default()).await;
    let client = Client::new(&server);
    let url = format!("{}/cloud/namespaces", client.base);

    let missing = client
        .send(
            client
                .http
                .get(&url)
                .header("temporal-cloud-api-version", VERSION),
        )
        .await
        .unwrap();
    assert_eq!((missing.status, missing.code()), (401, 16));
    assert!(missing.header("www-authenticate").is_some());
    let wrong = client
        .send(
            client
                .http
                .get(&url)
                .bearer_auth("nope")
                .header("temporal-cloud-api-version", VERSION),
        )
        .await
        .unwrap();
    assert_eq!((wrong.status, wrong.code()), (401, 16));
    let metrics_only = client
        .send(
            client
                .http
                .get(&url)
                .bearer_auth(METRICS)
                .header("temporal-cloud-api-version", VERSION),
        )
        .await
        .unwrap();
    assert_eq!((metrics_only.status, metrics_only.code()), (403, 7));
    assert_eq!(metrics_only.json()["details"], json!([]));
    let no_version = client
        .send(client.http.get(&url).bearer_auth(ADMIN))
        .await
        .unwrap();
    assert_eq!((no_version.status, no_version.code()), (400, 3));

    let unknown = client.get("/cloud/nothing-here").await;
    assert_eq!((unknown.status, unknown.code()), (404, 5));
    let put = client
        .send(client.ops(
            reqwest::Method::PUT,
            &format!("/cloud/namespaces/{}", server.namespace_ids()[0]),
        ))
        .await
        .unwrap();
    assert_eq!((put.status, put.code()), (501, 12));
    let missing_ns = client.get("/cloud/namespaces/nope.abcde").await;
    assert_eq!((missing_ns.status, missing_ns.code()), (404, 5));
    assert_eq!(
        missing_ns.json()["message"],
        "namespace not found: nope.abcde"
    );
    let missing_op = client.get("/cloud/operations/nope").await;
    assert_eq!((missing_op.status, missing_op.code()), (404, 5));

    let no_key = client.metrics("", "").await;
    let no_key_status = client
        .send(client.http.get(format!("{}/v1/metrics", client.base)))
        .await
        .unwrap();
    assert_eq!(no_key.status, 401);
    assert_eq!(no_key_status.status, 401);
    assert!(
        no_key_status.text.len() < 100
            && serde_json::from_str::<Value>(&no_key_status.text).is_err()
    );
    assert_eq!(client.metrics("", METRICS).await.status, 200);

    let log = serde_json::to_string(&server.requests()).unwrap();
    assert!(!log.contains(ADMIN) && !log.contains(METRICS) && !log.contains("Bearer"));
}

#[tokio::test]
async fn an_update_goes_pending_in_progress_fulfilled_then_completed() {
    let server = start(quick(Config::default())).await;
    let client = Client::new(&server);
    let id = first_of(&client, "on-demand-light").await;
    let before = client.namespace(&id).await;

    let started = std::time::Instant::now();
    let answer = client
        .update(
            &id,
            json!({"provisioned": {"value": 4}}),
            Some("op-light-4"),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let operation = answer.json()["asyncOperation"].clone();
    assert_eq!(operation["id"], "op-light-4");
    assert_eq!(operation["state"], "STATE_PENDING");
    assert_eq!(operation["checkDuration"], "1s");
    assert_eq!(operation["operationType"], "UpdateNamespace");
    assert_eq!(operation["failureReason"], "");
    assert_eq!(operation["finishedTime"], Value::Null);
    assert_eq!(
        operation["operationInput"]["@type"],
        "type.googleapis.com/temporal.api.cloud.cloudservice.v1.UpdateNamespaceRequest"
    );
    assert!(operation["startedTime"].as_str().unwrap().ends_with('Z'));

    let during = client.namespace(&id).await;
    assert_eq!(during["state"], "RESOURCE_STATE_UPDATING");
    assert_ne!(during["resourceVersion"], before["resourceVersion"]);
    assert_eq!(
        during["spec"]["capacitySpec"],
        json!({"provisioned": {"value": 4}})
    );
    assert_eq!(during["capacity"]["onDemand"], json!({}));
    let request = &during["capacity"]["latestRequest"];
    assert_eq!(request["state"], "STATE_CAPACITY_REQUEST_IN_PROGRESS");
    assert_eq!(request["asyncOperationId"], "op-light-4");
    assert_eq!(request["endTime"], Value::Null);
    assert_eq!(request["spec"], json!({"provisioned": {"value": 4}}));

    tokio::time::sleep(Duration::from_millis(400).saturating_sub(started.elapsed())).await;
    assert_eq!(
        client.operation("op-light-4").await["state"],
        "STATE_IN_PROGRESS"
    );

    tokio::time::sleep(Duration::from_millis(880).saturating_sub(started.elapsed())).await;
    let finished = client.operation("op-light-4").await;
    assert_eq!(finished["state"], "STATE_FULFILLED");
    assert!(finished["finishedTime"].as_str().unwrap().ends_with('Z'));

    tokio::time::sleep(Duration::from_millis(1100).saturating_sub(started.elapsed())).await;
    let after = client.namespace(&id).await;
    assert_eq!(after["state"], "RESOURCE_STATE_ACTIVE");
    assert_eq!(after["capacity"]["provisioned"], json!({"currentValue": 4}));
    assert!(after["capacity"].get("onDemand").is_none());
    let request = &after["capacity"]["latestRequest"];
    assert_eq!(request["state"], "STATE_CAPACITY_REQUEST_COMPLETED");
    assert!(request["endTime"].as_str().unwrap().ends_with('Z'));
    assert_ne!(after["resourceVersion"], during["resourceVersion"]);
    assert_eq!(after["limits"]["actionsPerSecondLimit"], 2000);

    let metrics = client
        .metrics("?metrics=temporal_cloud_v1_action_limit&metrics=temporal_cloud_v1_provisioned_capacity_tru_count", ADMIN)
        .await
        .text;
    let needle = format!("temporal_namespace=\"{id}\"");
    let limit = rows(&metrics, "temporal_cloud_v1_action_limit")
        .into_iter()
        .find(|row| row.contains(&needle))
        .unwrap();
    assert_eq!(sample_value(limit), 2000.0);
    let trus = rows(&metrics, "temporal_cloud_v1_provisioned_capacity_tru_count")
        .into_iter()
        .find(|row| row.contains(&needle))
        .unwrap();
    assert_eq!(sample_value(trus), 4.0);
}

#[tokio::test]
async fn stale_versions_conflict_and_in_progress_requests_refuse_changes() {
    let server = start(quick(Config::default())).await;
    let client = Client::new(&server);
    let id = first_of(&client, "on-demand-throttled").await;
    let ns = client.namespace(&id).await;
    let mut spec = ns["spec"].clone();
    spec["capacitySpec"] = json!({"provisioned": {"value": 6}});

    let missing = client
        .post(&format!("/cloud/namespaces/{id}"), &json!({"spec": spec}))
        .await;
    assert_eq!((missing.status, missing.code()), (400, 3));
    let stale = client
        .post(
            &format!("/cloud/namespaces/{id}"),
            &json!({"spec": spec, "resourceVersion": "not-the-current-one"}),
        )
        .await;
    assert_eq!((stale.status, stale.code()), (409, 10));

    let accepted = client
        .post(
            &format!("/cloud/namespaces/{id}"),
            &json!({"spec": spec, "resource_version": ns["resourceVersion"]}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    let again = client
        .update(&id, json!({"provisioned": {"value": 8}}), None)
        .await;
    assert_eq!((again.status, again.code()), (400, 9));
    let replayed_old_version = client
        .post(
            &format!("/cloud/namespaces/{id}"),
            &json!({"spec": spec, "resourceVersion": ns["resourceVersion"]}),
        )
        .await;
    assert_eq!(
        (replayed_old_version.status, replayed_old_version.code()),
        (409, 10)
    );

    // Someone else edits the namespace right after each of the next two reads.
    let other = first_of(&client, "idle").await;
    let raced = client
        .control(
            &format!("/_dev/namespaces/{other}/race"),
            &json!({"count": 2}),
        )
        .await;
    assert_eq!(raced.status, 200);
    for _ in 0..2 {
        let lost = client
            .update(&other, json!({"provisioned": {"value": 2}}), None)
            .await;
        assert_eq!((lost.status, lost.code()), (409, 10));
    }
    let won = client
        .update(&other, json!({"provisioned": {"value": 2}}), None)
        .await;
    assert_eq!(won.status, 200, "{}", won.text);
}

#[tokio::test]
async fn invalid_and_no_op_updates_are_refused() {
    let server = start(quick(Config::default())).await;
    let client = Client::new(&server);
    let light = first_of(&client, "on-demand-light").await;

    let same = client.update(&light, json!({"onDemand": {}}), None).await;
    assert_eq!((same.status, same.code()), (400, 3));
    assert!(
        same.json()["message"]
            .as_str()
            .unwrap()
            .contains("nothing to change")
    );
    let snake = client.update(&light, json!({"on_demand": {}}), None).await;
    assert!(
        snake.json()["message"]
            .as_str()
            .unwrap()
            .contains("nothing to change")
    );

    let five = client
        .update(&light, json!({"provisioned": {"value": 5}}), None)
        .await;
    assert_eq!((five.status, five.code()), (400, 3));
    assert!(
        five.json()["message"]
            .as_str()
            .unwrap()
            .contains("2, 3, 4, 6, 8, 10, 12")
    );
    let both = client
        .update(
            &light,
            json!({"onDemand": {}, "provisioned": {"value": 4}}),
            None,
        )
        .await;
    assert_eq!((both.status, both.code()), (400, 3));
    let neither = client.update(&light, json!({}), None).await;
    assert_eq!((neither.status, neither.code()), (400, 3));

    let ids = profiles(&client).await;
    let mut capped = None;
    for (id, label) in ids {
        if label == "provisioned-busy"
            && client.capacity_info(&id).await["modeOptions"]["provisioned"]["maxAvailableTruValue"]
                == 8
        {
            capped = Some(id);
        }
    }
    let capped = capped.unwrap();
    let twelve = client
        .update(&capped, json!({"provisioned": {"value": 12}}), None)
        .await;
    assert_eq!((twelve.status, twelve.code()), (400, 3));
    assert!(
        twelve.json()["message"]
            .as_str()
            .unwrap()
            .contains("at most 8")
    );

    let ns = client.namespace(&light).await;
    let mut renamed = ns["spec"].clone();
    renamed["name"] = json!("another-name");
    renamed["capacitySpec"] = json!({"provisioned": {"value": 2}});
    let rename = client
        .post(
            &format!("/cloud/namespaces/{light}"),
            &json!({"spec": renamed, "resourceVersion": ns["resourceVersion"]}),
        )
        .await;
    assert_eq!((rename.status, rename.code()), (400, 3));
    let garbage = client
        .send(
            client
                .ops(reqwest::Method::POST, &format!("/cloud/namespaces/{light}"))
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await
        .unwrap();
    assert_eq!((garbage.status, garbage.code()), (400, 3));
}

#[tokio::test]
async fn a_retried_update_gets_its_operation_back() {
    let server = start(quick(Config::default())).await;
    let client = Client::new(&server);
    let id = first_of(&client, "provisioned-idle").await;
    let ns = client.namespace(&id).await;
    let mut spec = ns["spec"].clone();
    spec["capacitySpec"] = json!({"onDemand": {}});
    let body = json!({"spec": spec, "resourceVersion": ns["resourceVersion"], "asyncOperationId": "retry-me"});

    let first = client.post(&format!("/cloud/namespaces/{id}"), &body).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let second = client.post(&format!("/cloud/namespaces/{id}"), &body).await;
    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!(second.json()["asyncOperation"]["id"], "retry-me");
    assert_eq!(
        second.json()["asyncOperation"]["startedTime"],
        first.json()["asyncOperation"]["startedTime"]
    );
    assert_eq!(
        client.namespace(&id).await["capacity"]["latestRequest"]["asyncOperationId"],
        "retry-me"
    );

    let other = first_of(&client, "idle").await;
    let elsewhere = client
        .update(
            &other,
            json!({"provisioned": {"value": 2}}),
            Some("retry-me"),
        )
        .await;
    assert_eq!((elsewhere.status, elsewhere.code()), (409, 6));
    let different = client
        .post(
            &format!("/cloud/namespaces/{id}"),
            &json!({"spec": {"name": spec["name"], "capacitySpec": {"provisioned": {"value": 2}}}, "resourceVersion": "x", "asyncOperationId": "retry-me"}),
        )
        .await;
    assert_eq!((different.status, different.code()), (409, 6));
}

#[tokio::test]
async fn the_posted_spec_is_stored_verbatim() {
    let server = start(Config {
        apply_delay: Duration::from_millis(40),
        ..Config::default()
    })
    .await;
    let client = Client::new(&server);
    let id = first_of(&client, "on-demand-light").await;
    let ns = client.namespace(&id).await;

    let mut spec = ns["spec"].clone();
    spec["capacitySpec"] = json!({"provisioned": {"value": 3}});
    spec["clientAddedField"] = json!({"kept": [1, 2]});
    let accepted = client
        .post(
            &format!("/cloud/namespaces/{id}"),
            &json!({"spec": spec, "resourceVersion": ns["resourceVersion"]}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    let stored = client.namespace(&id).await["spec"].clone();
    assert_eq!(stored, spec);
    assert_eq!(
        stored["futureSetting"],
        json!({"enabled": true, "level": 3})
    );

    tokio::time::sleep(Duration::from_millis(120)).await;
    // A client that drops a field it does not know loses it: the spec is a full replacement.
    let ns = client.namespace(&id).await;
    assert_eq!(
        ns["capacity"]["latestRequest"]["state"],
        "STATE_CAPACITY_REQUEST_COMPLETED"
    );
    let mut lossy = ns["spec"].clone();
    lossy.as_object_mut().unwrap().remove("futureSetting");
    lossy.as_object_mut().unwrap().remove("capacitySpec");
    lossy["capacity_spec"] = json!({"on_demand": {}});
    let accepted = client
        .post(
            &format!("/cloud/namespaces/{id}"),
            &json!({"spec": lossy, "resourceVersion": ns["resourceVersion"]}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    let stored = client.namespace(&id).await["spec"].clone();
    assert!(stored.get("futureSetting").is_none());
    assert!(stored.get("capacity_spec").is_none());
    assert_eq!(stored["capacitySpec"], json!({"onDemand": {}}));
}

#[tokio::test]
async fn failures_can_be_scheduled() {
    let server = start(Config {
        apply_delay: Duration::from_millis(200),
        ..Config::default()
    })
    .await;
    let client = Client::new(&server);
    let light = first_of(&client, "on-demand-light").await;
    let busy = first_of(&client, "provisioned-busy").await;
    let before = client.namespace(&light).await;

    let armed = client
        .control(
            &format!("/_dev/namespaces/{light}/fail-next"),
            &json!({"operation": "failed", "reason": "boom"}),
        )
        .await;
    assert_eq!(armed.status, 200);
    assert!(server.fail_next(&busy, FailNext::CapacityRequestFailed, None));

    let failed = client
        .update(
            &light,
            json!({"provisioned": {"value": 4}}),
            Some("will-fail"),
        )
        .await;
    assert_eq!(failed.status, 200);
    let request_fails = client
        .update(
            &busy,
            json!({"provisioned": {"value": 6}}),
            Some("request-fails"),
        )
        .await;
    assert_eq!(request_fails.status, 200);

    tokio::time::sleep(Duration::from_millis(350)).await;
    let operation = client.operation("will-fail").await;
    assert_eq!(operation["state"], "STATE_FAILED");
    assert_eq!(operation["failureReason"], "boom");
    let ns = client.namespace(&light).await;
    assert_eq!(
        ns["capacity"]["latestRequest"]["state"],
        "STATE_CAPACITY_REQUEST_FAILED"
    );
    assert_eq!(ns["capacity"]["onDemand"], json!({}));
    assert_eq!(ns["spec"], before["spec"]);

    let operation = client.operation("request-fails").await;
    assert_eq!(operation["state"], "STATE_FULFILLED");
    let ns = client.namespace(&busy).await;
    assert_eq!(
        ns["capacity"]["latestRequest"]["state"],
        "STATE_CAPACITY_REQUEST_FAILED"
    );
    assert_eq!(ns["capacity"]["provisioned"], json!({"currentValue": 4}));
    assert_eq!(
        ns["spec"]["capacitySpec"],
        json!({"provisioned": {"value": 6}})
    );

    let rejected = client
        .control(
            &format!("/_dev/namespaces/{light}/fail-next"),
            &json!({"operation": "rejected"}),
        )
        .await;
    assert_eq!(rejected.status, 200);
    assert_eq!(
        client
            .update(
                &light,
                json!({"provisioned": {"value": 2}}),
                Some("rejected")
            )
            .await
            .status,
        200
    );
    tokio::time::sleep(Duration::from_millis(80)).await;
    let operation = client.operation("rejected").await;
    assert_eq!(operation["state"], "STATE_REJECTED");
    assert!(!operation["failureReason"].as_str().unwrap().is_empty());

    let bad = client
        .control(
            &format!("/_dev/namespaces/{light}/fail-next"),
            &json!({"operation": "exploded"}),
        )
        .await;
    assert_eq!(bad.status, 400);
    let unknown = client
        .control(
            "/_dev/namespaces/nope.x/fail-next",
            &json!({"operation": "failed"}),
        )
        .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn a_deleted_namespace_lingers_in_metrics() {
    let server = start(Config::default()).await;
    let client = Client::new(&server);
    let id = server.namespace_ids()[2].clone();
    assert_eq!(
        client
            .control(&format!("/_dev/namespaces/{id}/delete"), &json!({}))
            .await
            .status,
        200
    );
    let gone = client.get(&format!("/cloud/namespaces/{id}")).await;
    assert_eq!((gone.status, gone.code()), (404, 5));
    let info = client
        .get(&format!("/cloud/namespaces/{id}/capacity-info"))
        .await;
    assert_eq!(info.status, 404);
    assert!(!server.namespace_ids().contains(&id));
    let list = client.get("/cloud/namespaces").await.json();
    assert_eq!(list["namespaces"].as_array().unwrap().len(), 11);
    let metrics = client
        .metrics("?metrics=temporal_cloud_v1_action_limit", ADMIN)
        .await
        .text;
    assert!(metrics.contains(&format!("temporal_namespace=\"{id}\"")));
}

#[tokio::test]
async fn metrics_filter_by_repeated_keys_and_namespaces() {
    let server = start(Config::default()).await;
    let client = Client::new(&server);
    let account = server.account_id();

    let answer = client
        .metrics(
            "?metrics=temporal_cloud_v1_action_limit&metrics=temporal_cloud_v1_total_action_count",
            METRICS,
        )
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("content-type"),
        Some("application/openmetrics-text; version=1.0.0; charset=utf-8")
    );
    assert_eq!(answer.header("x-completeness"), Some("complete"));
    let body = &answer.text;
    assert!(body.starts_with(
        "# TYPE temporal_cloud_v1_action_limit gauge\n# HELP temporal_cloud_v1_action_limit "
    ));
    assert!(body.ends_with("# EOF\n"));
    assert!(body.contains("# TYPE temporal_cloud_v1_total_action_count gauge"));
    assert!(!body.contains("throttled"));
    assert!(!body.contains("envelope"));
    assert!(body.contains(", "), "some rows put a space after a comma");
    let limit_rows = rows(body, "temporal_cloud_v1_action_limit");
    assert_eq!(
        limit_rows.len(),
        14,
        "12 namespaces, two of them in two regions"
    );
    for row in &limit_rows {
        assert!(row.contains(&format!("temporal_account=\"{account}\"")));
        assert!(row.contains("region=\"aws-"));
        let timestamp: i64 = row.rsplit(' ').next().unwrap().parse().unwrap();
        assert_eq!(timestamp % 60_000, 0);
        let age = chrono::Utc::now().timestamp_millis() - timestamp;
        assert!((180_000..=240_000).contains(&age), "{age}");
    }
    for row in rows(body, "temporal_cloud_v1_total_action_count") {
        assert!(!row.contains("region="));
    }

    let everything = client.metrics("", ADMIN).await.text;
    for family in [
        "temporal_cloud_v1_action_limit",
        "temporal_cloud_v1_total_action_count",
        "temporal_cloud_v1_total_action_throttled_count",
        "temporal_cloud_v1_action_on_demand_envelope_limit",
        "temporal_cloud_v1_provisioned_capacity_tru_count",
    ] {
        assert!(
            everything.contains(&format!("# TYPE {family} gauge")),
            "{family}"
        );
    }

    let comma = client
        .metrics(
            "?metrics=temporal_cloud_v1_action_limit,temporal_cloud_v1_total_action_count",
            ADMIN,
        )
        .await
        .text;
    assert!(!comma.contains("temporal_cloud_v1_action_limit{"));

    let first = &server.namespace_ids()[0];
    let name = first.split('.').next().unwrap();
    let by_name = client
        .metrics(
            &format!("?metrics=temporal_cloud_v1_action_limit&namespaces={name}"),
            ADMIN,
        )
        .await
        .text;
    assert!(!rows(&by_name, "temporal_cloud_v1_action_limit").is_empty());
    assert!(
        rows(&by_name, "temporal_cloud_v1_action_limit")
            .iter()
            .all(|row| row.contains(first.as_str()))
    );
    let glob = client
        .metrics(
            "?metrics=temporal_cloud_v1_action_limit&namespaces=*-prod*&namespaces=sandbox-*",
            ADMIN,
        )
        .await
        .text;
    let matched = rows(&glob, "temporal_cloud_v1_action_limit");
    assert!(!matched.is_empty());
    assert!(
        matched
            .iter()
            .all(|row| row.contains("-prod") || row.contains("sandbox-"))
    );
    let by_id = client
        .metrics(
            &format!("?metrics=temporal_cloud_v1_action_limit&namespaces={first}"),
            ADMIN,
        )
        .await
        .text;
    assert_eq!(
        rows(&by_id, "temporal_cloud_v1_action_limit"),
        rows(&by_name, "temporal_cloud_v1_action_limit")
    );
}

#[tokio::test]
async fn the_metrics_budget_is_per_hour() {
    let server = start(Config {
        metrics_requests_per_hour: 3,
        ..Config::default()
    })
    .await;
    let client = Client::new(&server);
    for _ in 0..3 {
        assert_eq!(client.metrics("", ADMIN).await.status, 200);
    }
    let refused = client.metrics("", METRICS).await;
    assert_eq!(refused.status, 429);
    let retry_after: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((3590..=3600).contains(&retry_after), "{retry_after}");
    assert_eq!(server.stats().metrics_budget_exceeded, 1);

    let default_budget = start(Config::default()).await;
    let client = Client::new(&default_budget);
    for _ in 0..180 {
        assert_eq!(
            client
                .metrics("?metrics=temporal_cloud_v1_action_limit", ADMIN)
                .await
                .status,
            200
        );
    }
    assert_eq!(
        client
            .metrics("?metrics=temporal_cloud_v1_action_limit", ADMIN)
            .await
            .status,
        429
    );
}

#[tokio::test]
async fn the_next_metrics_answer_can_be_chosen() {
    let server = start(Config::default()).await;
    let client = Client::new(&server);
    let set = client
        .control(
            "/_dev/metrics/next",
            &json!({"status": 429, "retry_after": 1200}),
        )
        .await;
    assert_eq!(set.status, 200);
    let limited = client.metrics("", ADMIN).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("1200"));
    assert_eq!(client.metrics("", ADMIN).await.status, 200);

    let full = rows(
        &client.metrics("", ADMIN).await.text,
        "temporal_cloud_v1_action_limit",
    )
    .len();
    client
        .control("/_dev/metrics/next", &json!({"completeness": "limited"}))
        .await;
    let cut = client.metrics("", ADMIN).await;
    assert_eq!(cut.header("x-completeness"), Some("limited"));
    assert!(rows(&cut.text, "temporal_cloud_v1_action_limit").len() < full);
    client
        .control("/_dev/metrics/next", &json!({"completeness": "unknown"}))
        .await;
    assert_eq!(
        client.metrics("", ADMIN).await.header("x-completeness"),
        Some("unknown")
    );
}

#[tokio::test]
async fn cloud_ops_requests_are_rate_limited() {
    let server = start(Config {
        rate_limit: Some(2.0),
        ..Config::default()
    })
    .await;
    let client = Client::new(&server);
    let mut limited = 0;
    for _ in 0..6 {
        let answer = client.get("/cloud/namespaces?pageSize=1").await;
        if answer.status == 429 {
            assert_eq!(answer.code(), 8);
            assert_eq!(answer.header("retry-after"), Some("1"));
            limited += 1;
        } else {
            assert_eq!(answer.status, 200);
        }
    }
    assert!(limited >= 3, "{limited}");
    assert_eq!(server.stats().rate_limited, limited);
    // Metrics and the Slack sink are not part of the Cloud Ops budget.
    assert_eq!(client.metrics("", ADMIN).await.status, 200);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(client.get("/cloud/namespaces?pageSize=1").await.status, 200);
}

#[tokio::test]
async fn every_injected_fault_is_counted_and_logged() {
    let server = start(Config {
        fault_rate: 1.0,
        seed: 9,
        ..Config::default()
    })
    .await;
    let client = Client::new(&server);
    let id = server.namespace_ids()[0].clone();
    let mut kinds = std::collections::BTreeSet::new();
    for _ in 0..40 {
        match client
            .send(client.ops(reqwest::Method::GET, &format!("/cloud/namespaces/{id}")))
            .await
        {
            Err(_) => {
                kinds.insert("transport");
            }
            Ok(answer) => match answer.status {
                429 => {
                    assert_eq!(answer.code(), 8);
                    assert_eq!(answer.header("retry-after"), Some("1"));
                    kinds.insert("429");
                }
                503 => {
                    assert_eq!(answer.code(), 14);
                    kinds.insert("503");
                }
                200 => {
                    assert!(
                        serde_json::from_str::<Value>(&answer.text).is_err(),
                        "{}",
                        answer.text
                    );
                    kinds.insert("bad body");
                }
                other => panic!("unexpected status {other}"),
            },
        }
    }
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    let stats = server.stats();
    assert_eq!(stats.faults_total(), 40);
    assert_eq!(stats.faults.len(), 5, "{:?}", stats.faults);
    let log = server.requests();
    assert_eq!(log.len(), 40);
    assert!(log.iter().all(|record| record.fault.is_some()));

    // The Slack sink and the control API never fail by chance.
    let posted = client
        .control("/slack/webhook", &json!({"text": "hello"}))
        .await;
    assert_eq!((posted.status, posted.text.as_str()), (200, "ok"));
    assert_eq!(server.stats().faults_total(), 40);
}

/// A client that retries like the CLI must: same asyncOperationId, retry on 429/503 and on
/// anything that did not come back whole.
#[tokio::test]
async fn retries_with_one_operation_id_survive_faults() {
    let server = start(Config {
        fault_rate: 0.5,
        seed: 3,
        namespaces: 24,
        apply_delay: Duration::from_millis(40),
        ..Config::default()
    })
    .await;
    let client = Client::new(&server);
    let targets: Vec<String> = profiles(&client)
        .await
        .into_iter()
        .filter(|(_, label)| label.starts_with("on-demand") || label == "idle")
        .map(|(id, _)| id)
        .collect();

    async fn reliably(client: &Client, request: impl Fn() -> reqwest::RequestBuilder) -> Value {
        for _ in 0..50 {
            if let Ok(answer) = client.send(request()).await {
                if answer.status == 429 || answer.status == 503 {
                    // A 429 may also be the account's limit on operations in flight, which
                    // only time clears.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
                assert_eq!(answer.status, 200, "{}", answer.text);
                if let Ok(value) = serde_json::from_str::<Value>(&answer.text) {
                    return value;
                }
            }
        }
        panic!("no answer after 50 attempts");
    }

    for (index, id) in targets.iter().enumerate() {
        let operation_id = format!("op-{index}");
        let ns = reliably(&client, || {
            client.ops(reqwest::Method::GET, &format!("/cloud/namespaces/{id}"))
        })
        .await;
        let mut spec = ns["namespace"]["spec"].clone();
        spec["capacitySpec"] = json!({"provisioned": {"value": 2}});
        let body = json!({"spec": spec, "resourceVersion": ns["namespace"]["resourceVersion"], "asyncOperationId": operation_id});
        let answer = reliably(&client, || {
            client
                .ops(reqwest::Method::POST, &format!("/cloud/namespaces/{id}"))
                .json(&body)
        })
        .await;
        assert_eq!(answer["asyncOperation"]["id"], operation_id.as_str());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    for (index, id) in targets.iter().enumerate() {
        let ns = reliably(&client, || {
            client.ops(reqwest::Method::GET, &format!("/cloud/namespaces/{id}"))
        })
        .await;
        let request = &ns["namespace"]["capacity"]["latestRequest"];
        assert_eq!(request["asyncOperationId"], format!("op-{index}").as_str());
        assert_eq!(request["state"], "STATE_CAPACITY_REQUEST_COMPLETED");
    }
    let stats = server.stats();
    assert!(
        stats
            .faults
            .get("dropped_connection_after_apply")
            .copied()
            .unwrap_or(0)
            > 0,
        "{stats:?}"
    );
    assert!(server.requests().iter().all(|record| record.status != 409));
}

#[tokio::test]
async fn slack_messages_are_kept_and_failures_can_be_scheduled() {
    let server = start(Config::default()).await;
    let client = Client::new(&server);
    let first = json!({"text": "provisioned payments-prod", "blocks": []});
    let posted = client
        .control("/slack/webhook/T000/B000/XXXX", &first)
        .await;
    assert_eq!((posted.status, posted.text.as_str()), (200, "ok"));
    assert_eq!(
        client
            .control("/_dev/slack/fail", &json!({"count": 2}))
            .await
            .status,
        200
    );
    for _ in 0..2 {
        let failed = client
            .control("/slack/webhook", &json!({"text": "lost"}))
            .await;
        assert_eq!(
            (failed.status, failed.text.as_str()),
            (500, "internal_error")
        );
    }
    let second = json!({"text": "reverted"});
    assert_eq!(client.control("/slack/webhook", &second).await.status, 200);
    assert_eq!(
        client
            .control("/slack/webhook", &json!({"username": "x"}))
            .await
            .status,
        400
    );

    assert_eq!(server.slack_messages(), vec![first.clone(), second.clone()]);
    let listed = client
        .send(client.http.get(format!("{}/slack/webhook", client.base)))
        .await
        .unwrap()
        .json();
    assert_eq!(listed, json!([first, second]));
}

#[tokio::test]
async fn the_request_log_can_be_read_and_cleared() {
    let server = start(Config {
        latency: Duration::from_millis(30),
        ..Config::default()
    })
    .await;
    let client = Client::new(&server);
    let started = std::time::Instant::now();
    let id = server.namespace_ids()[0].clone();
    client
        .get(&format!("/cloud/namespaces/{id}?view=full"))
        .await;
    assert!(started.elapsed() >= Duration::from_millis(30));
    client
        .update(&id, json!({"provisioned": {"value": 2}}), Some("logged"))
        .await;

    let log: Vec<super::RequestRecord> = client
        .send(client.http.get(format!("{}/_dev/requests", client.base)))
        .await
        .unwrap()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|record| serde_json::from_value(record.clone()).unwrap())
        .collect();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].method, "GET");
    assert_eq!(log[0].path, format!("/cloud/namespaces/{id}"));
    assert_eq!(log[0].query, "view=full");
    assert_eq!(log[0].status, 200);
    assert_eq!(log[2].method, "POST");
    assert_eq!(log[2].body.as_ref().unwrap()["asyncOperationId"], "logged");

    let stats = client
        .send(client.http.get(format!("{}/_dev/stats", client.base)))
        .await
        .unwrap()
        .json();
    assert_eq!(stats["requests"], 3);
    let cleared = client
        .send(client.http.delete(format!("{}/_dev/requests", client.base)))
        .await
        .unwrap();
    assert_eq!(cleared.status, 200);
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let server = start(Config::default()).await;
    let base = server.base_url();
    let client = Client::new(&server);
    assert_eq!(client.get("/cloud/namespaces?pageSize=1").await.status, 200);
    server.shutdown();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let fresh = reqwest::Client::new();
    assert!(
        fresh
            .get(format!("{base}/cloud/namespaces"))
            .send()
            .await
            .is_err()
    );
}
