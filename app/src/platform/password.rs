//! Secrets kept only as argon2 hashes (PHC strings: algorithm, parameters, salt and hash in
//! one text), hashed and checked off the async threads, as argon2 is slow on purpose.

use crate::error::PortalError;

/// The PHC string of `secret`, with a fresh salt from the operating system's CSPRNG.
pub async fn hash(secret: String) -> Result<String, PortalError> {
    tokio::task::spawn_blocking(move || hash_now(&secret))
        .await
        .map_err(PortalError::unavailable)?
}

/// Whether `secret` is the one `hash` was made from; argon2 compares in constant time. With
/// no hash (nothing issued), a hash of an unguessable secret is checked instead, so that the
/// answer takes as long either way, and is no.
pub async fn matches(secret: String, hash: Option<String>) -> Result<bool, PortalError> {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    tokio::task::spawn_blocking(move || {
        let stored = match hash {
            Some(hash) => hash,
            None => unmatched_hash()?,
        };
        let parsed = PasswordHash::new(&stored).map_err(PortalError::unavailable)?;
        Ok(argon2::Argon2::default()
            .verify_password(secret.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(PortalError::unavailable)?
}

/// An Iss key (a company's isskey, A-3; an agency link's, L-14): 32 letters and digits from
/// the operating system's CSPRNG, which calls to the APIs carry as their JWT's `iss`.
pub fn iss_key() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    use rand::TryRngCore;
    Alphanumeric.sample_string(&mut rand::rngs::OsRng.unwrap_err(), 32)
}

fn hash_now(secret: &str) -> Result<String, PortalError> {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    argon2::Argon2::default()
        .hash_password(secret.as_bytes(), &SaltString::generate(&mut OsRng))
        .map(|hash| hash.to_string())
        .map_err(PortalError::unavailable)
}

/// A hash no secret a caller sends matches: of 32 random bytes nobody ever sees.
fn unmatched_hash() -> Result<String, PortalError> {
    use rand::{RngCore, TryRngCore};
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(hash) = HASH.get() {
        return Ok(hash.clone());
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.unwrap_err().fill_bytes(&mut bytes);
    let hash = hash_now(&hex::encode(bytes))?;
    Ok(HASH.get_or_init(|| hash).clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_matches_its_secret_only() {
        let hash = hash("correct horse".into()).await.expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("correct horse"));
        assert!(matches("correct horse".into(), Some(hash.clone()))
            .await
            .expect("verify"));
        assert!(!matches("correct horsf".into(), Some(hash))
            .await
            .expect("verify"));
        assert!(!matches(String::new(), None).await.expect("verify"));
    }
}
