//! Ctrl-C and SIGTERM, and what to tell the user when one arrives mid-change.

use std::sync::{Arc, Mutex};

/// What to say if a signal arrives now: the change in flight and how to check it. Commands get
/// a clone with their context; the one that runs `main` reads it on the way out.
#[derive(Clone, Debug, Default)]
pub struct InterruptNote(Arc<Mutex<String>>);

impl InterruptNote {
    pub fn set(&self, note: String) {
        *self.0.lock().unwrap() = note;
    }

    pub fn clear(&self) {
        self.0.lock().unwrap().clear();
    }

    pub fn take(&self) -> String {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// Ctrl-C or SIGTERM (cron and systemd stop jobs with it).
pub async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
