//! The domain, pure: values in, decisions out. No client, no clock, no sleep, no printing; it
//! may read `cloud/`'s wire types (the namespace model, OpenMetrics samples), never a client.

pub mod autopilot;
pub mod change;
pub mod cost;
pub mod dimension;
pub mod growth;
pub mod plan;
pub mod ramp;
pub mod recommend;
pub mod select;
pub mod usage;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::cloud::model::CapacitySpec;

/// A namespace's capacity mode, spelled as the contract's JSON and the state file spell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    OnDemand,
    Provisioned,
}

impl Mode {
    pub fn of(spec: CapacitySpec) -> Mode {
        match spec {
            CapacitySpec::OnDemand => Mode::OnDemand,
            CapacitySpec::Provisioned { .. } => Mode::Provisioned,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::OnDemand => "on-demand",
            Mode::Provisioned => "provisioned",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
