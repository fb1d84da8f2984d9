//! The domain: pure capacity logic, fed numbers and text, no I/O.
pub mod change;
pub mod recommend;
pub mod usage;
