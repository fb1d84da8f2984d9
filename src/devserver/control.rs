//! The Slack webhook sink and the `/_dev/` control API tests use to steer the emulator.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::cloudops::Failure;
use super::metrics::MetricsOverride;
use super::wire::{Code, Reply, decode_segment, rfc3339};
use super::{FailNext, Incoming, Shared, State};

/// `POST /slack/webhook[/…]` stores the message; `GET /slack/webhook` lists them.
pub(crate) fn slack(state: &mut State, incoming: &Incoming) -> Reply {
    match incoming.method {
        Method::GET if incoming.path == "/slack/webhook" => {
            Reply::ok(&Value::Array(state.slack.clone()))
        }
        Method::POST => {
            if state.slack_failures > 0 {
                state.slack_failures -= 1;
                return Reply::text(StatusCode::INTERNAL_SERVER_ERROR, "internal_error");
            }
            // Slack's own answers for a body it cannot use.
            let message: Value = match serde_json::from_slice(&incoming.body) {
                Ok(message @ Value::Object(_)) => message,
                _ => return Reply::text(StatusCode::BAD_REQUEST, "invalid_payload"),
            };
            let has_content = ["text", "blocks", "attachments"].iter().any(|key| {
                message
                    .get(key)
                    .is_some_and(|value| !value.is_null() && value != "" && value != &json!([]))
            });
            if !has_content {
                return Reply::text(StatusCode::BAD_REQUEST, "no_text");
            }
            state.slack.push(message);
            Reply::text(StatusCode::OK, "ok")
        }
        _ => Reply::text(StatusCode::METHOD_NOT_ALLOWED, "invalid_method"),
    }
}

pub(crate) fn set_fail_next(
    state: &mut State,
    namespace: &str,
    how: FailNext,
    reason: Option<String>,
) -> bool {
    if !state.namespaces.contains_key(namespace) {
        return false;
    }
    state
        .fail_next
        .insert(namespace.to_string(), Failure { how, reason });
    true
}

pub(crate) fn set_race(state: &mut State, namespace: &str, count: u32) -> bool {
    if !state.namespaces.contains_key(namespace) {
        return false;
    }
    state.races.insert(namespace.to_string(), count);
    true
}

pub(crate) fn set_dropped_replies(state: &mut State, namespace: &str, count: u32) -> bool {
    if !state.namespaces.contains_key(namespace) {
        return false;
    }
    state.dropped_replies.insert(namespace.to_string(), count);
    true
}

pub(crate) fn delete(state: &mut State, namespace: &str) -> bool {
    match state.namespaces.get_mut(namespace) {
        Some(ns) => {
            ns.deleted = true;
            true
        }
        None => false,
    }
}

fn done() -> Reply {
    Reply::ok(&json!({"ok": true}))
}

fn bad_request(message: impl Into<String>) -> Reply {
    Reply::error(Code::InvalidArgument, message)
}

fn parse_body(body: &[u8]) -> Result<Value, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(body).map_err(|error| bad_request(format!("invalid JSON body: {error}")))
}

fn count_field(body: &Value) -> Result<u32, Reply> {
    body.get("count")
        .and_then(Value::as_u64)
        .and_then(|count| u32::try_from(count).ok())
        .ok_or_else(|| bad_request("body must be {\"count\": N}"))
}

/// `{"seconds": N}`, N a number of emulated seconds at least 0.
fn seconds_field(body: &Value) -> Result<chrono::Duration, Reply> {
    body.get("seconds")
        .and_then(Value::as_f64)
        .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
        .and_then(|seconds| {
            chrono::Duration::from_std(std::time::Duration::try_from_secs_f64(seconds).ok()?).ok()
        })
        .ok_or_else(|| bad_request("body must be {\"seconds\": N} with N >= 0"))
}

fn fail_next_from(body: &Value) -> Result<(FailNext, Option<String>), Reply> {
    let reason = body
        .get("reason")
        .and_then(Value::as_str)
        .map(str::to_string);
    let how = match (
        body.get("operation").and_then(Value::as_str),
        body.get("capacity_request")
            .or_else(|| body.get("capacityRequest"))
            .and_then(Value::as_str),
    ) {
        (Some("failed"), None) => FailNext::OperationFailed,
        (Some("rejected"), None) => FailNext::OperationRejected,
        (Some("cancelled" | "canceled"), None) => FailNext::OperationCancelled,
        (None, Some("failed")) => FailNext::CapacityRequestFailed,
        _ => {
            return Err(bad_request(
                "body must be {\"operation\": \"failed\"|\"rejected\"|\"cancelled\"} or {\"capacity_request\": \"failed\"}, with an optional \"reason\"",
            ));
        }
    };
    Ok((how, reason))
}

fn metrics_override_from(body: &Value) -> Result<MetricsOverride, Reply> {
    let status = match body.get("status") {
        None | Some(Value::Null) => None,
        Some(value) => Some(
            value
                .as_u64()
                .and_then(|status| u16::try_from(status).ok())
                .filter(|status| (100..600).contains(status))
                .ok_or_else(|| bad_request("status must be an HTTP status code"))?,
        ),
    };
    let retry_after = body
        .get("retry_after")
        .or_else(|| body.get("retryAfter"))
        .and_then(Value::as_u64);
    let completeness = match body.get("completeness").and_then(Value::as_str) {
        None => None,
        Some(value @ ("complete" | "limited" | "unknown")) => Some(value.to_string()),
        Some(other) => {
            return Err(bad_request(format!(
                "completeness must be complete, limited or unknown, not {other:?}"
            )));
        }
    };
    if status.is_none() && completeness.is_none() {
        return Err(bad_request(
            "body must set \"status\" (with an optional \"retry_after\") or \"completeness\"",
        ));
    }
    Ok(MetricsOverride {
        status,
        retry_after,
        completeness,
    })
}

/// `/_dev/…`: no auth, no faults, not logged.
pub(crate) fn handle(shared: &Shared, method: &Method, path: &str, body: &[u8]) -> Reply {
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(decode_segment)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let body = match parse_body(body) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let mut state = shared.lock();
    let unknown_namespace =
        |ns: &str| Reply::error(Code::NotFound, format!("namespace not found: {ns}"));
    match (method.clone(), segments.as_slice()) {
        (Method::GET, ["_dev", "requests"]) => {
            let log: Vec<&super::RequestRecord> = state.log.iter().collect();
            Reply::ok(&serde_json::to_value(log).unwrap_or_default())
        }
        (Method::DELETE, ["_dev", "requests"]) => {
            state.log.clear();
            done()
        }
        (Method::GET, ["_dev", "ledger"]) => {
            Reply::ok(&serde_json::to_value(shared.ledger(&state)).unwrap_or_default())
        }
        (Method::POST, ["_dev", "clock", "advance"]) => match seconds_field(&body) {
            Ok(seconds) => {
                shared.clock.advance(seconds);
                Reply::ok(&json!({"now": rfc3339(shared.clock.now_millis())}))
            }
            Err(reply) => reply,
        },
        (Method::GET, ["_dev", "stats"]) => {
            Reply::ok(&serde_json::to_value(&state.stats).unwrap_or_default())
        }
        (Method::GET, ["_dev", "account"]) => {
            let namespaces: Vec<Value> = state
                .namespaces
                .values()
                .map(|ns| json!({"namespace": ns.id, "profile": ns.profile.label(), "deleted": ns.deleted, "silent": ns.silent}))
                .collect();
            Reply::ok(&json!({"accountId": shared.account_id, "namespaces": namespaces}))
        }
        (Method::POST, ["_dev", "namespaces", ns, "fail-next"]) => match fail_next_from(&body) {
            Ok((how, reason)) => {
                if set_fail_next(&mut state, ns, how, reason) {
                    done()
                } else {
                    unknown_namespace(ns)
                }
            }
            Err(reply) => reply,
        },
        (Method::POST, ["_dev", "namespaces", ns, "race"]) => match count_field(&body) {
            Ok(count) if set_race(&mut state, ns, count) => done(),
            Ok(_) => unknown_namespace(ns),
            Err(reply) => reply,
        },
        (Method::POST, ["_dev", "namespaces", ns, "drop-reply"]) => match count_field(&body) {
            Ok(count) if set_dropped_replies(&mut state, ns, count) => done(),
            Ok(_) => unknown_namespace(ns),
            Err(reply) => reply,
        },
        (Method::POST, ["_dev", "namespaces", ns, "delete"]) => {
            if delete(&mut state, ns) {
                done()
            } else {
                unknown_namespace(ns)
            }
        }
        (Method::POST, ["_dev", "metrics", "next"]) => match metrics_override_from(&body) {
            Ok(next) => {
                state.metrics_next = Some(next);
                done()
            }
            Err(reply) => reply,
        },
        (Method::POST, ["_dev", "slack", "fail"]) => match count_field(&body) {
            Ok(count) => {
                state.slack_failures = count;
                done()
            }
            Err(reply) => reply,
        },
        _ => Reply::error(Code::NotFound, format!("no control route {method} {path}")),
    }
}
