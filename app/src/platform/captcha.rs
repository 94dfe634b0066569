//! Image CAPTCHAs (圖形驗證碼, L4-1) drawn by the server: the answer stays in the database, the
//! page carries only a random id, and a challenge is checked once (deleted as it is read) and
//! only within [`LIFETIME_SECONDS`]. The picture ([`picture`]) is drawn when the challenge is
//! made; the spoken version, the accessible alternative ([`speech`]), at its first request,
//! and both are kept with the challenge: asking again gives the same bytes, never the same
//! digits under fresh noise.

pub mod picture;
pub mod speech;

use super::id_hash::IdHashKey;
use super::rate_limit::Limit;
use crate::domain::national_id::NationalId;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::{Rng, RngCore};
use sqlx::AnyPool;

pub const LIFETIME_SECONDS: i64 = 600;
/// Challenges one client may draw (each form shown draws one) …
pub const ISSUE_LIMIT: Limit = Limit {
    max: 120,
    window_seconds: 600,
};
/// … and have spoken, which costs far more to make.
pub const AUDIO_LIMIT: Limit = Limit {
    max: 30,
    window_seconds: 600,
};
/// Digits only: they read and sound alike in every language the page speaks.
const ALPHABET: [char; 9] = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
const LENGTH: usize = 5;

/// Draws a new challenge and stores it; returns its id.
pub async fn issue(pool: &AnyPool, now: i64) -> sqlx::Result<String> {
    let (id, answer, image) = {
        let mut rng = rand::rng();
        let answer: String = (0..LENGTH)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())])
            .collect();
        let mut bytes = [0u8; 18];
        rng.fill_bytes(&mut bytes);
        let image = picture::draw(&answer, &mut rng);
        (URL_SAFE_NO_PAD.encode(bytes), answer, image)
    };
    let image =
        image.ok_or_else(|| sqlx::Error::Protocol("the CAPTCHA's glyphs cannot be read".into()))?;
    sqlx::query("INSERT INTO captchas (id, answer, image, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(&id)
        .bind(&answer)
        .bind(image)
        .bind(now + LIFETIME_SECONDS)
        .execute(pool)
        .await?;
    Ok(id)
}

/// The image of a live challenge.
pub async fn image(pool: &AnyPool, now: i64, id: &str) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar("SELECT image FROM captchas WHERE id = $1 AND expires_at > $2")
        .bind(id)
        .bind(now)
        .fetch_optional(pool)
        .await
}

/// Spoken challenges kept at once over all clients (each some 200 KB: about 400 MB in all).
/// Past it, speech is refused until some expire, so that many clients together — each within
/// [`AUDIO_LIMIT`], as a subscriber's many /64s are — cannot fill the database with sounds.
/// Requests racing at the edge may pass it by as many as arrive together.
pub const STORED_SOUNDS: i64 = 2_000;

/// What [`audio`] gives.
#[derive(Debug, PartialEq, Eq)]
pub enum Audio {
    /// The sound (WAV).
    Sound(Vec<u8>),
    /// No live challenge has the id.
    Unknown,
    /// [`STORED_SOUNDS`] are kept already: none is made until some expire.
    Busy,
}

/// The digits of a live challenge spoken in `lang` (WAV): made at the first request and kept,
/// so that every request for one challenge gets the same sound (in the language of the page
/// that asked first).
pub async fn audio(
    pool: &AnyPool,
    now: i64,
    id: &str,
    lang: crate::i18n::Lang,
) -> sqlx::Result<Audio> {
    let row: Option<(String, Option<Vec<u8>>)> =
        sqlx::query_as("SELECT answer, audio FROM captchas WHERE id = $1 AND expires_at > $2")
            .bind(id)
            .bind(now)
            .fetch_optional(pool)
            .await?;
    let answer = match row {
        None => return Ok(Audio::Unknown),
        Some((_, Some(audio))) => return Ok(Audio::Sound(audio)),
        Some((answer, None)) => answer,
    };
    let stored: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM captchas WHERE audio IS NOT NULL AND expires_at > $1",
    )
    .bind(now)
    .fetch_one(pool)
    .await?;
    if stored >= STORED_SOUNDS {
        return Ok(Audio::Busy);
    }
    // Mixing the voices takes a while: off the request threads.
    let spoken =
        tokio::task::spawn_blocking(move || speech::speak(&answer, lang, &mut rand::rng()))
            .await
            .ok()
            .flatten()
            .ok_or_else(|| sqlx::Error::Protocol("the CAPTCHA's voices cannot be read".into()))?;
    // Two first requests at once: the sound stored first is the one both get.
    sqlx::query("UPDATE captchas SET audio = $1 WHERE id = $2 AND audio IS NULL")
        .bind(spoken)
        .bind(id)
        .execute(pool)
        .await?;
    let kept: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT audio FROM captchas WHERE id = $1 AND expires_at > $2")
            .bind(id)
            .bind(now)
            .fetch_optional(pool)
            .await?;
    Ok(kept.map_or(Audio::Unknown, Audio::Sound))
}

/// Whether `answer` solves challenge `id`. The challenge is gone afterwards, right or wrong,
/// so each one gets a single guess; two requests racing with it cannot both read it.
pub async fn check(pool: &AnyPool, now: i64, id: &str, answer: &str) -> sqlx::Result<bool> {
    // fetch_all, not fetch_optional: SQLite commits a RETURNING statement only once it has
    // been stepped to its end, and holds the write lock until then.
    let rows: Vec<(String, i64)> =
        sqlx::query_as("DELETE FROM captchas WHERE id = $1 RETURNING answer, expires_at")
            .bind(id)
            .fetch_all(pool)
            .await?;
    Ok(rows.first().is_some_and(|(expected, expires_at)| {
        *expires_at > now && *expected == crate::domain::normalize_input(answer)
    }))
}

/// Failed identity checks one client (its [`limit_bucket`](super::client::limit_bucket)) may
/// make through the forms anyone may post, per form (L4-1, C-1: ID numbers must not be
/// enumerable) …
pub const IDENTITY_FAILURES: Limit = Limit {
    max: 5,
    window_seconds: 3600,
};
/// … and that may name one ID number, from any number of clients and through either form, so
/// that many addresses together cannot guess one person's facts.
pub const PERSON_FAILURES: Limit = Limit {
    max: 10,
    window_seconds: 86_400,
};

/// Where a failed identity check counts: the client's buckets for the form, and the person's.
pub struct FailureBuckets {
    form: String,
    client: super::client::ClientBuckets,
    person: String,
}

impl FailureBuckets {
    /// The buckets of a check through `form` naming `national_id`, from the requesting client.
    /// The person's bucket holds the keyed hash of the ID number, never the number.
    pub fn new(form: &str, id_key: &IdHashKey, national_id: &NationalId) -> FailureBuckets {
        FailureBuckets {
            form: form.to_owned(),
            client: super::auth::client_buckets(),
            person: format!("person:{}", id_key.hash(national_id.as_str())),
        }
    }
}

/// What stands before a registry look-up by a form anyone may post.
#[derive(Debug, PartialEq, Eq)]
pub enum Gate {
    /// Look the person up; on a match, give the tries back with [`Gate::refund`].
    Open,
    /// The CAPTCHA was wrong, used or expired.
    WrongAnswer,
    /// The client has used up [`IDENTITY_FAILURES`], or the person [`PERSON_FAILURES`]:
    /// seconds until they may be tried again.
    TooMany { retry_after: i64 },
}

impl Gate {
    /// Checks the CAPTCHA, then takes one try from the client's failed checks and one from
    /// the person's. The tries are taken before the look-up runs and given back on a match,
    /// so concurrent attempts cannot all slip under either limit.
    pub async fn pass(
        pool: &AnyPool,
        now: i64,
        captcha_id: &str,
        answer: &str,
        buckets: &FailureBuckets,
    ) -> sqlx::Result<Gate> {
        if !check(pool, now, captcha_id, answer).await? {
            return Ok(Gate::WrongAnswer);
        }
        let (form, client) = (&buckets.form, &buckets.client);
        if let Err(retry_after) = IDENTITY_FAILURES
            .hit_client(pool, form, client, now)
            .await?
        {
            return Ok(Gate::TooMany { retry_after });
        }
        if let Err(retry_after) = PERSON_FAILURES.hit(pool, &buckets.person, now).await? {
            // No look-up runs: the client's try was not used.
            IDENTITY_FAILURES
                .refund_client(pool, form, client, now)
                .await?;
            return Ok(Gate::TooMany { retry_after });
        }
        Ok(Gate::Open)
    }

    /// The look-up of a report staff take by telephone: no CAPTCHA (a person types it); one
    /// try from the staff member's failed checks (`staff_bucket`, [`IDENTITY_FAILURES`]) in place
    /// of a client's, and one from the person's, shared with the online forms, so that a caller
    /// cannot get round the person's limit by telephone. Given back on a match with
    /// [`Gate::refund_staff`].
    pub async fn pass_staff(
        pool: &AnyPool,
        now: i64,
        staff_bucket: &str,
        buckets: &FailureBuckets,
    ) -> sqlx::Result<Gate> {
        if let Err(retry_after) = IDENTITY_FAILURES.hit(pool, staff_bucket, now).await? {
            return Ok(Gate::TooMany { retry_after });
        }
        if let Err(retry_after) = PERSON_FAILURES.hit(pool, &buckets.person, now).await? {
            IDENTITY_FAILURES.refund(pool, staff_bucket, now).await?;
            return Ok(Gate::TooMany { retry_after });
        }
        Ok(Gate::Open)
    }

    /// Gives back the tries of a telephone look-up that matched.
    pub async fn refund_staff(
        pool: &AnyPool,
        now: i64,
        staff_bucket: &str,
        buckets: &FailureBuckets,
    ) -> sqlx::Result<()> {
        IDENTITY_FAILURES.refund(pool, staff_bucket, now).await?;
        PERSON_FAILURES.refund(pool, &buckets.person, now).await
    }

    /// Gives back the tries of a check that matched.
    pub async fn refund(pool: &AnyPool, now: i64, buckets: &FailureBuckets) -> sqlx::Result<()> {
        IDENTITY_FAILURES
            .refund_client(pool, &buckets.form, &buckets.client, now)
            .await?;
        PERSON_FAILURES.refund(pool, &buckets.person, now).await
    }
}

pub async fn purge_expired(pool: &AnyPool, now: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM captchas WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected())
}

/// The answer of a live challenge, for tests that play the person reading the image.
#[doc(hidden)]
pub async fn answer_for_tests(pool: &AnyPool, id: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT answer FROM captchas WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
}
