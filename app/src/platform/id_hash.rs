//! The keyed hash of ID numbers (HMAC-SHA256): what the verification API's failure counts and
//! call logs, and the per-person limits of the public forms, store instead of an ID number.
//! Its key lives in a file outside the database (`HUJI_ID_HASH_KEY_FILE`), so that a copy of
//! the database alone cannot be matched against ID numbers; every server process must read
//! the same file.

/// The first 64 bits of a keyed hash (hex, as [`IdHashKey::hash`] writes it), as an integer:
/// enough to tell ID numbers apart in an index, a lock or a count of distinct numbers, where
/// the whole hash, when it matters, decides. None for what is not such a hash.
pub fn short(hash: &str) -> Option<i64> {
    let mut bits = [0; 8];
    hex::decode_to_slice(hash.get(..16)?, &mut bits).ok()?;
    Some(i64::from_be_bytes(bits))
}

pub struct IdHashKey(ring::hmac::Key);

impl IdHashKey {
    pub fn new(secret: &[u8]) -> IdHashKey {
        IdHashKey(ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret))
    }

    /// The keyed hash of an ID number, as hex.
    pub fn hash(&self, national_id: &str) -> String {
        hex::encode(ring::hmac::sign(&self.0, national_id.as_bytes()))
    }

    /// Whether `mac` (hex) is [`IdHashKey::hash`] of `message`, compared in constant time.
    pub fn verify(&self, message: &str, mac: &str) -> bool {
        hex::decode(mac)
            .is_ok_and(|mac| ring::hmac::verify(&self.0, message.as_bytes(), &mac).is_ok())
    }
}
