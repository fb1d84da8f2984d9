//! The integration tests: one binary (one link on a 2-core machine), one module per area. Each
//! runs the real `tcap` binary or the library against the emulator on port 0 of this machine.

// Helpers are shared by modules that each use a part of them.
#[allow(dead_code)]
mod common;

mod analyze;
mod autopilot;
mod bad_input;
mod cli;
mod clients;
mod events;
mod faults;
mod fidelity;
mod generated;
mod html;
mod layers;
mod openmetrics_conformance;
mod plan;
mod properties;
mod provision;
mod rate_control;
mod schedule;
mod secrets;
