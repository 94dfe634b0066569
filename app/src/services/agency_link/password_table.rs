//! 密碼表 (seed 001 step 7, SPEC L-7): the user code and password an agency's system gives on
//! the link (the seed's “使用機關代號及密碼”, step 18). 戶政司 issues it with its reply; the
//! county is shown it once, to hand it over with the form. Both come from the operating
//! system's CSPRNG; the password is kept only as an argon2 hash and never logged. Issuing
//! again replaces the table: the old password stops working.

use crate::error::PortalError;
use crate::platform::password;
use sqlx::{AnyConnection, Row};

/// Characters nobody misreads on paper: no 0/O, 1/l/I.
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
/// A machine credential's length: 20 of 56 characters, about 116 bits.
pub const PASSWORD_LENGTH: usize = 20;
/// The random part of the user code, after the agency's code.
const USER_SUFFIX_LENGTH: usize = 8;

/// A case's 密碼表 as issued: shown once, never stored as it is.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordTable {
    /// `<機關代號>-<8 characters>`: whose it is can be read from it.
    pub agency_user: String,
    pub password: String,
}

/// Debug output (logs, panics) never shows the password.
impl std::fmt::Debug for PasswordTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordTable")
            .field("agency_user", &self.agency_user)
            .field("password", &"<redacted>")
            .finish()
    }
}

fn random_text(length: usize) -> String {
    use rand::{Rng, TryRngCore};
    let mut rng = rand::rngs::OsRng.unwrap_err();
    (0..length)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// Issues (or issues again) case `link_id`'s 密碼表, inside the caller's transaction.
pub async fn issue(
    conn: &mut AnyConnection,
    link_id: &str,
    now: i64,
) -> Result<PasswordTable, PortalError> {
    let agency_code: String = sqlx::query("SELECT agency_code FROM agency_links WHERE id = $1")
        .bind(link_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| PortalError::unavailable(format!("no agency link {link_id}")))?
        .try_get("agency_code")?;
    let table = PasswordTable {
        agency_user: format!("{agency_code}-{}", random_text(USER_SUFFIX_LENGTH)),
        password: random_text(PASSWORD_LENGTH),
    };
    let hash = password::hash(table.password.clone()).await?;
    sqlx::query(
        "INSERT INTO agency_link_passwords (link_id, agency_user, password_hash, issued_at) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (link_id) DO UPDATE SET agency_user = excluded.agency_user, \
         password_hash = excluded.password_hash, issued_at = excluded.issued_at",
    )
    .bind(link_id)
    .bind(&table.agency_user)
    .bind(&hash)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(table)
}

/// Forgets case `link_id`'s 密碼表, issued or still sealed for the county unit (the case is
/// withdrawn or cancelled: nothing may sign in with it).
pub async fn revoke(conn: &mut AnyConnection, link_id: &str) -> Result<(), PortalError> {
    sqlx::query("DELETE FROM agency_link_passwords WHERE link_id = $1")
        .bind(link_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE agency_links SET password_sealed = NULL WHERE id = $1")
        .bind(link_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Whether `agency_user` and `password` are case `link_id`'s current 密碼表. The password is
/// checked by argon2 (in constant time) even when the case has none or the user differs, so
/// the answer's time tells nothing.
pub async fn verify(
    conn: &mut AnyConnection,
    link_id: &str,
    agency_user: &str,
    password: &str,
) -> Result<bool, PortalError> {
    let row = sqlx::query(
        "SELECT agency_user, password_hash FROM agency_link_passwords WHERE link_id = $1",
    )
    .bind(link_id)
    .fetch_optional(&mut *conn)
    .await?;
    let (user, hash) = match row {
        Some(row) => (
            Some(row.try_get::<String, _>("agency_user")?),
            Some(row.try_get::<String, _>("password_hash")?),
        ),
        None => (None, None),
    };
    let password_matches = password::matches(password.to_owned(), hash).await?;
    Ok(password_matches && user.as_deref() == Some(agency_user))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l_7_passwords_are_long_random_and_unambiguous() {
        let first = random_text(PASSWORD_LENGTH);
        assert_eq!(first.len(), 20);
        assert!(
            first.bytes().all(|byte| ALPHABET.contains(&byte)),
            "{first}"
        );
        assert!(!ALPHABET.iter().any(|c| b"0O1lI".contains(c)));
        assert_ne!(first, random_text(PASSWORD_LENGTH));
    }

    #[test]
    fn l_7_debug_output_hides_the_password() {
        let table = PasswordTable {
            agency_user: "A09000000E-ABCDEFGH".into(),
            password: "s3cretPassw0rdValue2".into(),
        };
        let shown = format!("{table:?}");
        assert!(shown.contains("A09000000E-ABCDEFGH"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
