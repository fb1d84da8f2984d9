//! `--demo`: any command against an emulated account started in this process.

use std::time::Duration;

use crate::devserver::{self, DevServer};
use crate::error::{Error, Result};
use crate::schedule::state;
use crate::settings::Settings;

/// The apply delay of the `--demo` account: long enough to watch, short enough to wait for.
const DEMO_APPLY_DELAY: Duration = Duration::from_secs(3);

/// The running account; dropping it stops the emulator and removes the demo's state files,
/// which belong to an account that is gone then.
pub struct Demo {
    _server: DevServer,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(state::demo_dir());
    }
}

/// Starts the account and points `settings` at it.
pub async fn start(settings: &mut Settings) -> Result<Demo> {
    let config = devserver::Config {
        apply_delay: DEMO_APPLY_DELAY,
        // One provisioned namespace idle all minute: listed by Cloud Ops, absent from the metrics.
        silent_namespaces: 1,
        ..devserver::Config::default()
    };
    let key = config.admin_key.clone();
    let server = DevServer::start(([127, 0, 0, 1], 0).into(), config)
        .await
        .map_err(|e| Error::io("starting the demo account", e))?;
    settings.use_emulator(&server.base_url(), &key)?;
    tracing::debug!("--demo: emulated account at {}", server.base_url());
    Ok(Demo { _server: server })
}
