//! The three limits a namespace runs under: actions, requests and operations per second.
//!
//! A TRU raises all three together (500 APS, 1,500 RPS, 4,000 OPS), and On-Demand starts each
//! at its own default (500 / 2,000 / 4,000), so a namespace throttled on requests needs TRUs as
//! much as one throttled on actions.

use std::fmt;

use serde::Serialize;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    #[default]
    Aps,
    Rps,
    Ops,
}

impl Dimension {
    /// In the order ties are broken: actions first, as they are what is billed.
    pub const ALL: [Dimension; 3] = [Dimension::Aps, Dimension::Rps, Dimension::Ops];

    /// What one TRU adds (`docs/cloud/capacity-modes.mdx`; an older page said 2,000 RPS, the
    /// lower figure is the safe one to plan with).
    pub fn per_tru(self) -> f64 {
        match self {
            Dimension::Aps => 500.0,
            Dimension::Rps => 1_500.0,
            Dimension::Ops => 4_000.0,
        }
    }

    /// On-Demand's starting limit, below which it never scales.
    pub fn on_demand_floor(self) -> f64 {
        match self {
            Dimension::Aps => 500.0,
            Dimension::Rps => 2_000.0,
            Dimension::Ops => 4_000.0,
        }
    }

    /// The JSON name (`binding_dimension`).
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Aps => "aps",
            Dimension::Rps => "rps",
            Dimension::Ops => "ops",
        }
    }

    /// How a figure of this dimension is written in a sentence: "2,000 RPS".
    pub fn unit(self) -> &'static str {
        match self {
            Dimension::Aps => "APS",
            Dimension::Rps => "RPS",
            Dimension::Ops => "OPS",
        }
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One dimension of one metrics window, summed over its series.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Reading {
    /// The largest limit row (an HA namespace reports one per region); `None` without one.
    pub limit: Option<f64>,
    /// What counts toward the limit, per second.
    pub count: f64,
    pub throttled: f64,
    /// `*_on_demand_envelope_limit`: what the limit would be on On-Demand, where reported.
    pub envelope: Option<f64>,
}

impl Reading {
    /// Adds the series of another label for the same namespace (full ID and bare name).
    pub fn absorb(&mut self, other: &Reading) {
        self.limit = max_of(self.limit, other.limit);
        self.envelope = max_of(self.envelope, other.envelope);
        self.count += other.count;
        self.throttled += other.throttled;
    }

    /// Count as a share of the limit.
    pub fn utilization(&self) -> Option<f64> {
        self.limit.filter(|l| *l > 0.0).map(|l| self.count / l)
    }
}

pub(crate) fn max_of(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_rates_and_floors() {
        let per_tru: Vec<f64> = Dimension::ALL.iter().map(|d| d.per_tru()).collect();
        assert_eq!(per_tru, [500.0, 1_500.0, 4_000.0]);
        let floors: Vec<f64> = Dimension::ALL.iter().map(|d| d.on_demand_floor()).collect();
        assert_eq!(floors, [500.0, 2_000.0, 4_000.0]);
        assert_eq!(serde_json::to_value(Dimension::Rps).unwrap(), "rps");
    }

    #[test]
    fn readings_of_two_labels_add_up() {
        let mut a = Reading {
            limit: Some(2_000.0),
            count: 10.0,
            throttled: 1.0,
            envelope: None,
        };
        a.absorb(&Reading {
            limit: Some(3_000.0),
            count: 5.0,
            throttled: 0.0,
            envelope: Some(2_500.0),
        });
        assert_eq!(
            a,
            Reading {
                limit: Some(3_000.0),
                count: 15.0,
                throttled: 1.0,
                envelope: Some(2_500.0)
            }
        );
        assert_eq!(a.utilization(), Some(0.005));
        assert_eq!(Reading::default().utilization(), None);
    }
}
