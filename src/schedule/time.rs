//! The times of a scheduled change: what the user may type, and how tcap writes them.

use std::time::Duration;

use chrono::{DateTime, Local, NaiveDateTime, Offset, TimeZone, Utc};

use crate::error::{Error, Result};

/// RFC 3339 (`2026-01-16T17:00:00Z`, `…+02:00`) or local `YYYY-MM-DD HH:MM`.
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    // The local forms with an offset: what the clock-change advice below suggests.
    for format in [
        "%Y-%m-%d %H:%M%:z",
        "%Y-%m-%d %H:%M:%S%:z",
        "%Y-%m-%dT%H:%M%:z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, format) {
            return Ok(t.with_timezone(&Utc));
        }
    }
    for format in ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, format) {
            return match Local.from_local_datetime(&naive) {
                chrono::LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
                chrono::LocalResult::Ambiguous(a, b) => {
                    let (first, second) = if a <= b { (a, b) } else { (b, a) };
                    Err(format!(
                        "'{s}' happens twice in local time (a clock change); say which with its offset: \
                     '{s}{}' (the first) or '{s}{}' (the second)",
                        first.offset().fix(),
                        second.offset().fix()
                    ))
                }
                chrono::LocalResult::None => Err(format!(
                    "'{s}' does not exist in local time (the clock skips it); give another time, \
                     or one with an offset such as '{s}{}'",
                    Local
                        .from_local_datetime(&(naive - chrono::Duration::hours(3)))
                        .earliest()
                        .map_or_else(|| "+00:00".to_string(), |t| t.offset().fix().to_string())
                )),
            };
        }
    }
    Err(format!(
        "'{s}' is not a time: use RFC 3339 (2026-01-16T17:00:00Z) or local 'YYYY-MM-DD HH:MM'"
    ))
}

/// A `--duration` as a span of time; zero is not a window.
pub fn window_length(d: Duration) -> Result<chrono::Duration> {
    if d.is_zero() {
        return Err(Error::Usage("--duration must be positive (e.g. 4h)".into()));
    }
    chrono::Duration::from_std(d).map_err(|_| Error::Usage("--duration is too long".into()))
}

/// A window's end must be ahead of now and after its start.
pub fn check_window(start: DateTime<Utc>, end: DateTime<Utc>, now: DateTime<Utc>) -> Result<()> {
    if end <= now {
        return Err(Error::Usage(format!(
            "the end time {} is in the past",
            fmt_time(end)
        )));
    }
    if end <= start {
        return Err(Error::Usage(format!(
            "the end time {} is not after the start time {}",
            fmt_time(end),
            fmt_time(start)
        )));
    }
    Ok(())
}

pub fn fmt_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn fmt_span(d: chrono::Duration) -> String {
    humantime::format_duration(Duration::from_secs(d.num_seconds().max(0) as u64)).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_or_local() {
        assert_eq!(
            parse_time("2026-01-16T17:00:00Z").unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 16, 17, 0, 0).unwrap()
        );
        assert_eq!(
            parse_time("2026-01-16T17:00:00+02:00").unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 16, 15, 0, 0).unwrap()
        );
        let local = parse_time("2026-01-16 17:00").unwrap();
        assert_eq!(
            local
                .with_timezone(&Local)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            "2026-01-16 17:00"
        );
        assert_eq!(
            parse_time("2026-01-16 17:00+02:00").unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 16, 15, 0, 0).unwrap()
        );
        for bad in ["tomorrow", "2026-13-01 10:00", "17:00"] {
            assert!(parse_time(bad).unwrap_err().contains("not a time"), "{bad}");
        }
    }
}
