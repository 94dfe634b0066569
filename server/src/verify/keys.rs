//! The uploaded certificates' keys (憑證上傳; an agency link's certificate, server/src/link),
//! checked against the trust store once and then remembered: a full check (chain signatures, CRLs) on every call would cost more than the
//! verification itself. A remembered check is redone when the trust store is reloaded (a new
//! CRL), after [`RECHECK_SECONDS`], and never outlives the certificate.

use app::pki::{rsa_public_key_unchecked, Purpose, TrustStore};
use jsonwebtoken::DecodingKey;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

/// How long a certificate check is trusted before it is made again.
const RECHECK_SECONDS: i64 = 60;

/// A certificate's key and what the trust store said of the certificate.
pub(crate) struct GrantKey {
    /// The RSA key, read from the certificate even when the certificate is no longer valid,
    /// so that the caller must prove who it is before it learns that.
    key: Option<DecodingKey>,
    /// Valid for calls until then (exclusive); `i64::MIN` when the check refused it.
    valid_until: i64,
    checked_at: i64,
    /// Which trust-store snapshot checked it (a weak reference keeps its address unique).
    store: Weak<TrustStore>,
}

impl GrantKey {
    pub(crate) fn decoding_key(&self) -> Option<&DecodingKey> {
        self.key.as_ref()
    }

    pub(crate) fn valid_at(&self, now: i64) -> bool {
        now < self.valid_until
    }

    fn current(&self, store: &Arc<TrustStore>, now: i64) -> bool {
        std::ptr::eq(self.store.as_ptr(), Arc::as_ptr(store))
            && now < self.checked_at + RECHECK_SECONDS
            && now >= self.checked_at
    }

    fn check(store: &Arc<TrustStore>, purpose: Purpose, pem: &str, now: i64) -> GrantKey {
        let checked = store.check_certificate(pem.as_bytes(), purpose, now);
        let valid_until = match &checked {
            Ok(certificate) => certificate.not_after().saturating_add(1),
            Err(_) => i64::MIN,
        };
        GrantKey {
            key: rsa_public_key_unchecked(pem.as_bytes())
                .map(|der| DecodingKey::from_rsa_der(&der)),
            valid_until,
            checked_at: now,
            store: Arc::downgrade(store),
        }
    }
}

/// The checked keys of the grants called lately, by certificate.
pub(crate) struct KeyCache {
    /// What the certificates are checked for.
    purpose: Purpose,
    entries: Mutex<HashMap<String, Arc<GrantKey>>>,
}

impl KeyCache {
    /// A cache of certificates checked for `purpose`.
    pub(crate) fn new(purpose: Purpose) -> KeyCache {
        KeyCache {
            purpose,
            entries: Mutex::default(),
        }
    }

    /// The key of `pem` as things stand at `now` under `store`.
    pub(crate) fn key(&self, store: &Arc<TrustStore>, pem: &str, now: i64) -> Arc<GrantKey> {
        if let Some(known) = self.lock().get(pem) {
            if known.current(store, now) {
                return Arc::clone(known);
            }
        }
        let fresh = Arc::new(GrantKey::check(store, self.purpose, pem, now));
        self.lock().insert(pem.to_owned(), Arc::clone(&fresh));
        fresh
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<GrantKey>>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}
