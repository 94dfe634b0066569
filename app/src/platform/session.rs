//! Server-side sessions stored in the database, so they survive a restart and work across
//! several servers behind a load balancer. The browser holds only a random token; the table
//! holds its SHA-256, so a leaked table does not leak live sessions.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use sqlx::AnyPool;

pub const SESSION_COOKIE: &str = "huji_session";
/// A session ends after this long without a request.
pub const IDLE_SECONDS: i64 = 20 * 60;
/// … and in any case this long after it began.
pub const ABSOLUTE_SECONDS: i64 = 8 * 60 * 60;

/// A loaded session: its token and its data.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    token: String,
    data: Map<String, Value>,
}

impl Session {
    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.data
            .get(key)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
    }

    pub fn insert<T: Serialize>(&mut self, key: &str, value: &T) -> Result<(), serde_json::Error> {
        self.data
            .insert(key.to_owned(), serde_json::to_value(value)?);
        Ok(())
    }

    pub fn remove(&mut self, key: &str) {
        self.data.remove(key);
    }
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Starts a new, empty session and returns it; the caller sets the cookie.
pub async fn create(pool: &AnyPool, now: i64) -> sqlx::Result<Session> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    sqlx::query(
        "INSERT INTO sessions (token_hash, data, created_at, last_seen_at, expires_at) \
         VALUES ($1, '{}', $2, $2, $3)",
    )
    .bind(token_hash(&token))
    .bind(now)
    .bind(now + IDLE_SECONDS)
    .execute(pool)
    .await?;
    Ok(Session {
        token,
        data: Map::new(),
    })
}

/// Loads a live session and extends its idle deadline; `None` if unknown or expired.
pub async fn load(pool: &AnyPool, now: i64, token: &str) -> sqlx::Result<Option<Session>> {
    let hash = token_hash(token);
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT data, created_at FROM sessions WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(&hash)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    let Some((data, created_at)) = row else {
        return Ok(None);
    };
    if now >= created_at + ABSOLUTE_SECONDS {
        destroy(pool, token).await?;
        return Ok(None);
    }
    sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
        .bind(now)
        .bind((now + IDLE_SECONDS).min(created_at + ABSOLUTE_SECONDS))
        .bind(&hash)
        .execute(pool)
        .await?;
    let data = serde_json::from_str::<Map<String, Value>>(&data).unwrap_or_default();
    Ok(Some(Session {
        token: token.to_owned(),
        data,
    }))
}

/// Writes the session's data back.
pub async fn save(pool: &AnyPool, session: &Session) -> sqlx::Result<()> {
    let data = Value::Object(session.data.clone()).to_string();
    sqlx::query("UPDATE sessions SET data = $1 WHERE token_hash = $2")
        .bind(data)
        .bind(token_hash(&session.token))
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn destroy(pool: &AnyPool, token: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(pool)
        .await?;
    Ok(())
}

/// Removes expired sessions; run by a background job.
pub async fn purge_expired(pool: &AnyPool, now: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected())
}

/// The `Set-Cookie` value for a session token: HttpOnly, SameSite=Lax, Secure on HTTPS.
pub fn cookie(token: &str, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={ABSOLUTE_SECONDS}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that makes the browser forget its session cookie (sign-out).
pub fn expired_cookie(secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The token from a `Cookie` request header, if any.
pub fn token_from_cookie_header(header: &str) -> Option<&str> {
    cookie_value(header, SESSION_COOKIE)
}

/// One cookie's value from a `Cookie` header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name && !value.is_empty()).then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_values_are_found_among_others() {
        let header = "a=1; huji_session=abc; huji_lang=en";
        assert_eq!(token_from_cookie_header(header), Some("abc"));
        assert_eq!(cookie_value(header, "huji_lang"), Some("en"));
        assert_eq!(cookie_value("huji_session=", SESSION_COOKIE), None);
    }

    #[test]
    fn session_cookie_is_http_only_and_secure_on_https() {
        assert!(cookie("t", true).contains("HttpOnly"));
        assert!(cookie("t", true).contains("; Secure"));
        assert!(!cookie("t", false).contains("Secure"));
    }
}
