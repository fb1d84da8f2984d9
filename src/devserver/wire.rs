//! protojson-shaped values and the replies the emulator sends.

use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

/// gRPC status codes used by the emulator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Code {
    InvalidArgument = 3,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    Unimplemented = 12,
    Unavailable = 14,
    Unauthenticated = 16,
}

impl Code {
    /// grpc-gateway's `HTTPStatusFromCode`.
    pub(crate) fn http_status(self) -> StatusCode {
        match self {
            Code::InvalidArgument | Code::FailedPrecondition => StatusCode::BAD_REQUEST,
            Code::NotFound => StatusCode::NOT_FOUND,
            Code::AlreadyExists | Code::Aborted => StatusCode::CONFLICT,
            Code::PermissionDenied => StatusCode::FORBIDDEN,
            Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
            Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
            Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        }
    }
}

/// A response before it is turned into an HTTP one, so that faults can mangle its body.
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub headers: Vec<(HeaderName, String)>,
    pub body: Vec<u8>,
    /// Send this many bytes of the body, then break the connection.
    pub drop_after: Option<usize>,
}

pub(crate) const JSON: &str = "application/json";
pub(crate) const TEXT: &str = "text/plain; charset=utf-8";
pub(crate) const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

impl Reply {
    pub(crate) fn json(status: StatusCode, value: &Value) -> Reply {
        Reply {
            status,
            content_type: JSON,
            headers: Vec::new(),
            body: serde_json::to_vec(value).expect("a JSON value serializes"),
            drop_after: None,
        }
    }

    pub(crate) fn ok(value: &Value) -> Reply {
        Reply::json(StatusCode::OK, value)
    }

    pub(crate) fn text(status: StatusCode, text: impl Into<String>) -> Reply {
        Reply {
            status,
            content_type: TEXT,
            headers: Vec::new(),
            body: text.into().into_bytes(),
            drop_after: None,
        }
    }

    /// A `google.rpc.Status` body with the status grpc-gateway maps `code` to.
    pub(crate) fn error(code: Code, message: impl Into<String>) -> Reply {
        let message = message.into();
        let mut reply = Reply::json(
            code.http_status(),
            &json!({"code": code as i32, "message": message, "details": []}),
        );
        if code == Code::Unauthenticated {
            reply.headers.push((header::WWW_AUTHENTICATE, message));
        }
        reply
    }

    pub(crate) fn with_header(mut self, name: HeaderName, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    pub(crate) fn into_response(self) -> axum::response::Response {
        use axum::body::{Body, Bytes};

        let body = match self.drop_after {
            None => Body::from(self.body),
            Some(keep) => {
                let head = Bytes::from(self.body[..keep.min(self.body.len())].to_vec());
                let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                    Ok(head),
                    Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionAborted,
                        "injected fault: connection dropped",
                    )),
                ];
                Body::from_stream(futures_util::stream::iter(chunks))
            }
        };
        let mut response = axum::response::Response::new(body);
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.append(name, value);
            }
        }
        response
    }
}

/// A protojson double: whole numbers print without a fraction (`4`, not `4.0`).
pub(crate) fn num(value: f64) -> Value {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 9.0e15 {
        Value::from(value as i64)
    } else {
        serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
    }
}

/// Rounds to `places` decimals, for statistics that should look measured, not computed.
pub(crate) fn round_to(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale
}

/// A protojson Timestamp: RFC 3339 in UTC with a `Z`, 0, 3, 6 or 9 fractional digits.
pub(crate) fn timestamp(at: DateTime<Utc>) -> Value {
    Value::String(rfc3339(at))
}

/// RFC 3339 in UTC with a `Z`, as protojson prints a Timestamp.
pub(crate) fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A protojson Duration: seconds with an `s` suffix and 0, 3, 6 or 9 fractional digits.
pub(crate) fn duration(d: Duration) -> Value {
    let secs = d.as_secs();
    let nanos = d.subsec_nanos();
    let text = if nanos == 0 {
        format!("{secs}s")
    } else if nanos.is_multiple_of(1_000_000) {
        format!("{secs}.{:03}s", nanos / 1_000_000)
    } else if nanos.is_multiple_of(1_000) {
        format!("{secs}.{:06}s", nanos / 1_000)
    } else {
        format!("{secs}.{nanos:09}s")
    };
    Value::String(text)
}

/// A query string's pairs in order, repeated keys kept (`metrics=a&metrics=b`), decoded as a
/// form (`+` is a space).
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// One path segment, percent-decoded (`+` stays a plus in a path).
pub(crate) fn decode_segment(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

/// Looks a field up by its JSON name or its proto name, as protojson accepts either.
/// Both at once is a "duplicate field" error in protojson.
pub(crate) fn field<'a>(
    object: &'a Map<String, Value>,
    json_name: &str,
    proto_name: &str,
) -> Result<Option<&'a Value>, String> {
    match (object.get(json_name), object.get(proto_name)) {
        (Some(_), Some(_)) if json_name != proto_name => Err(format!(
            "duplicate field \"{json_name}\" (also given as \"{proto_name}\")"
        )),
        (Some(value), _) | (None, Some(value)) => Ok(Some(value)),
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_like_protojson() {
        assert_eq!(num(4.0).to_string(), "4");
        assert_eq!(num(2.5).to_string(), "2.5");
        assert_eq!(num(0.0).to_string(), "0");
    }

    #[test]
    fn durations_print_like_protojson() {
        assert_eq!(duration(Duration::from_secs(1)), "1s");
        assert_eq!(duration(Duration::from_millis(2500)), "2.500s");
        assert_eq!(duration(Duration::from_micros(1_000_001)), "1.000001s");
    }

    #[test]
    fn timestamps_are_utc_with_z() {
        let at = DateTime::parse_from_rfc3339("2026-05-19T17:03:11.123+00:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(timestamp(at), "2026-05-19T17:03:11.123Z");
        let whole = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        assert_eq!(timestamp(whole), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn queries_keep_repeated_keys_and_decode() {
        let pairs = parse_query("metrics=a&metrics=b%2Cc&name=x+y&flag");
        assert_eq!(
            pairs,
            vec![
                ("metrics".to_string(), "a".to_string()),
                ("metrics".to_string(), "b,c".to_string()),
                ("name".to_string(), "x y".to_string()),
                ("flag".to_string(), String::new()),
            ]
        );
    }
}
