//! Any bytes through the OpenMetrics parser: no panic, no hang, and every sample it yields comes
//! from a line that names it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tcap::cloud::openmetrics::{parse, parse_families};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let all = parse(&text);
    let lines = text.lines().count().max(1);
    assert!(all.samples.len() + all.warnings.len() <= lines);
    for sample in &all.samples {
        assert!(text.contains(sample.name.as_str()));
    }
    let wanted = ["temporal_cloud_v1_action_limit", "temporal_cloud_v1_total_action_count"];
    let some = parse_families(&text, &wanted);
    let expected: Vec<_> = all
        .samples
        .iter()
        .filter(|s| wanted.contains(&s.name.as_str()))
        .collect();
    // Debug spellings compare NaN values equal, which `==` on f64 does not.
    assert_eq!(format!("{:?}", some.samples.iter().collect::<Vec<_>>()), format!("{expected:?}"));
});
