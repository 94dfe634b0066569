//! Fuzzes the certificate parsing path (`certificate_der` and `check_certificate`): arbitrary
//! bytes must never panic and never be accepted by a store that trusts nothing.
#![no_main]

use app::pki::{certificate_der, Purpose, TrustStore};
use libfuzzer_sys::fuzz_target;

/// 2026-01-01 00:00:00 UTC; the time does not matter to parsing.
const AT: i64 = 1_767_225_600;

fuzz_target!(|data: &[u8]| {
    let _ = certificate_der(data);
    let store = TrustStore::empty();
    for purpose in [
        Purpose::BusinessCard,
        Purpose::CitizenCard,
        Purpose::ApiCertificate,
        Purpose::ServerCertificate,
    ] {
        assert!(store.check_certificate(data, purpose, AT).is_err());
    }
});
