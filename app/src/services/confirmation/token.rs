//! Web eID-style authentication tokens (SPEC I-3): instead of the bare certificate, a system
//! may send what the user's card signed when the user signed in — the certificate, and the
//! card's signature over the system's origin and a nonce — so that the answer is about a card
//! that was present, not a certificate copied from anywhere.
//!
//! The nonce comes from this service (`POST /integration/confirmation/v1/nonce`), bound to the
//! system that asked for it and valid for [`NONCE_SECONDS`]: it is the system's id, the time
//! it was issued, random bytes and a MAC under the servers' ID-hash key, so any server checks
//! it without a read. It is used once: using it writes its hash, and a second use finds it
//! there (on every server: one table).
//!
//! As in Web eID, the card signs `SHA-256(origin) ‖ SHA-256(nonce)` (RS256, the algorithm of
//! citizen cards), and the origin must be the system's own: `https://` and a DNS name of its
//! registered server certificate.

use crate::platform::id_hash::IdHashKey;
use ring::rand::SecureRandom;
use sha2::{Digest, Sha256};
use sqlx::AnyPool;

/// How long a nonce may be used after it was issued.
pub const NONCE_SECONDS: i64 = 300;

/// A fresh nonce for system `system_id` at `now`.
pub fn issue_nonce(key: &IdHashKey, system_id: i64, now: i64) -> String {
    let mut random = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut random)
        .expect("the system's random source");
    let body = format!("{now}.{}", hex::encode(random));
    let mac = key.hash(&format!("confirmation-nonce:{system_id}:{body}"));
    format!("{body}.{mac}")
}

/// Whether `nonce` was issued by this service to system `system_id` and is still valid at
/// `now` (whether it was used is [`use_nonce`]'s).
pub fn nonce_is_valid(key: &IdHashKey, system_id: i64, nonce: &str, now: i64) -> bool {
    let Some((body, mac)) = nonce.rsplit_once('.') else {
        return false;
    };
    let Some(issued) = body
        .split_once('.')
        .and_then(|(issued, _)| issued.parse::<i64>().ok())
    else {
        return false;
    };
    key.verify(&format!("confirmation-nonce:{system_id}:{body}"), mac)
        && issued <= now
        && now < issued + NONCE_SECONDS
}

/// Marks `nonce` used at `now`: false if it had been used already. One statement, so of two
/// calls with one nonce on any servers exactly one gets true.
pub async fn use_nonce(pool: &AnyPool, nonce: &str, now: i64) -> sqlx::Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO confirmation_nonces_used (nonce_hash, used_at) VALUES ($1, $2) \
         ON CONFLICT (nonce_hash) DO NOTHING",
    )
    .bind(hex::encode(Sha256::digest(nonce.as_bytes())))
    .bind(now)
    .execute(pool)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Forgets the uses of nonces that have expired by `now` (the background purge): they are
/// refused as expired anyway.
pub async fn purge_used(pool: &AnyPool, now: i64) -> sqlx::Result<u64> {
    sqlx::query("DELETE FROM confirmation_nonces_used WHERE used_at < $1")
        .bind(now - NONCE_SECONDS)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
}

/// What the card signs for `origin` and `nonce` (Web eID's authentication token).
pub fn signed_message(origin: &str, nonce: &str) -> Vec<u8> {
    let mut message = Sha256::digest(origin.as_bytes()).to_vec();
    message.extend_from_slice(&Sha256::digest(nonce.as_bytes()));
    message
}

/// Whether `origin` is a system's own: `https://` and one of its server certificate's DNS
/// names, with no port, path or anything else.
pub fn origin_is_systems(origin: &str, dns_names: &[String]) -> bool {
    origin
        .strip_prefix("https://")
        .is_some_and(|host| dns_names.iter().any(|name| name.eq_ignore_ascii_case(host)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> IdHashKey {
        IdHashKey::new(b"a test key of the servers")
    }

    #[test]
    fn i_3_a_nonce_is_its_systems_for_five_minutes() {
        let nonce = issue_nonce(&key(), 7, 1_000);
        assert!(nonce_is_valid(&key(), 7, &nonce, 1_000));
        assert!(nonce_is_valid(&key(), 7, &nonce, 1_299));
        assert!(!nonce_is_valid(&key(), 7, &nonce, 1_300), "expired");
        assert!(!nonce_is_valid(&key(), 7, &nonce, 999), "not yet issued");
        assert!(
            !nonce_is_valid(&key(), 8, &nonce, 1_000),
            "another system's"
        );
        assert!(!nonce_is_valid(&IdHashKey::new(b"other"), 7, &nonce, 1_000));
        let (body, _) = nonce.rsplit_once('.').expect("a MAC");
        let forged = format!("{}.{}", body.replacen("1000", "1200", 1), "0".repeat(64));
        assert!(!nonce_is_valid(&key(), 7, &forged, 1_250));
        assert!(!nonce_is_valid(&key(), 7, "1000.abc", 1_000));
        assert_ne!(issue_nonce(&key(), 7, 1_000), nonce, "random");
    }

    #[test]
    fn i_3_the_origin_is_the_systems_own_https_name() {
        let names = vec!["bank.example.com".to_owned()];
        assert!(origin_is_systems("https://bank.example.com", &names));
        assert!(origin_is_systems("https://BANK.example.com", &names));
        for other in [
            "http://bank.example.com",
            "https://bank.example.com:8443",
            "https://bank.example.com/",
            "https://evil.example.com",
            "https://bank.example.com.evil.example",
        ] {
            assert!(!origin_is_systems(other, &names), "{other}");
        }
    }

    #[test]
    fn i_3_the_card_signs_the_hashes_of_origin_and_nonce() {
        let message = signed_message("https://bank.example.com", "n");
        assert_eq!(message.len(), 64);
        assert_eq!(
            &message[..32],
            Sha256::digest(b"https://bank.example.com").as_slice()
        );
        assert_eq!(&message[32..], Sha256::digest(b"n").as_slice());
    }
}
