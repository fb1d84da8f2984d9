//! Secrets and the one rule for where they may travel.

use std::fmt;
use std::net::IpAddr;

use url::Url;

use crate::error::{Error, Result};

/// An API key or webhook URL. It has no `Display`, and its `Debug` hides it, so it cannot end up
/// in a log line or an error message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A secret crosses the network only inside TLS; plain HTTP is for emulators on this machine.
/// `flag` names the setting for the message, `what` the secret at stake (an API key, or a
/// webhook URL's token).
pub fn ensure_https(url: &Url, flag: &str, what: &str) -> Result<()> {
    if url.scheme() == "https" || is_loopback(url) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{flag}: refusing to send {what} over plain HTTP to {}; use https:// \
         (plain http is allowed only to loopback addresses)",
        url.host_str().unwrap_or("?")
    )))
}

pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_debug_print() {
        assert_eq!(format!("{:?}", Secret::new("abc")), "Secret(***)");
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for (url, ok) in [
            ("https://example.com", true),
            ("http://127.0.0.1:7280", true),
            ("http://127.1.2.3:7280", true),
            ("http://localhost:7280", true),
            ("http://[::1]:7280", true),
            ("http://example.com", false),
            ("http://10.0.0.1:80", false),
            ("http://localhost.example.com", false),
        ] {
            let url = Url::parse(url).unwrap();
            assert_eq!(ensure_https(&url, "--x", "a key").is_ok(), ok, "{url}");
        }
    }
}
