//! Any bytes through the Cloud Ops JSON decoders: an error is fine, a panic is not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tcap::cloud::model::{
    AsyncOperationResponse, CapacityInfoResponse, GetNamespaceResponse, GetNamespacesResponse,
};

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<GetNamespaceResponse>(data);
    let _ = serde_json::from_slice::<GetNamespacesResponse>(data);
    let _ = serde_json::from_slice::<AsyncOperationResponse>(data);
    let _ = serde_json::from_slice::<CapacityInfoResponse>(data);
    if let Ok(Some(ns)) = serde_json::from_slice::<GetNamespaceResponse>(data).map(|r| r.namespace) {
        let _ = ns.spec_with_capacity(tcap::cloud::model::CapacitySpec::OnDemand);
    }
});
