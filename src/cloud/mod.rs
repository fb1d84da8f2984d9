//! The two remote APIs, and nothing else.

pub mod coverage;
pub mod http;
pub mod metrics;
pub mod model;
pub mod openmetrics;
pub mod ops;
pub mod pace;
pub mod retry;
