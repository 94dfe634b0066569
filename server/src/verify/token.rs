//! Who is calling: the request's JWT (RS256, signed with the key of the certificate the
//! company uploaded), checked against the company's grant, its registered host IP (A-N3), the
//! clock and the tokens seen before (replay); and the query it carries. The pieces that read
//! any RS256 request token (the bearer, its claims, its signature, its lifetime) serve the
//! linked-agency API too (server/src/link).

use super::token_ids::TokenUse;
use super::{Answer, Caller, RdCode, VerifyState};
use app::domain::{
    apply_code::ApplyCode, host_ip::HostIp, national_id::NationalId, place_code::IssueSiteId,
    roc_date::RocDate,
};
use app::platform::client::may_match_registered;
use axum::http::{header, request::Parts};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{de::DeserializeOwned, Deserialize};

/// Allowance for the caller's clock and the network, each side of the token's lifetime.
pub(crate) const CLOCK_SKEW_SECONDS: i64 = 30;
/// The longest lifetime (`exp − iat`) accepted: the service's ±180 s around the moment of the
/// call, plus the skew. The ministry's sample clients set `iat` = now − 180, `exp` = now + 180.
pub(crate) const MAX_LIFETIME_SECONDS: i64 = 2 * 180 + CLOCK_SKEW_SECONDS;
/// The longest `jti` kept.
pub(crate) const MAX_JTI_LENGTH: usize = 128;

/// The claims the service reads. Others (`sub`, `aud`, …) are allowed and ignored, as the
/// ministry's clients send them in various shapes.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Claims {
    org_id: String,
    ap_id: String,
    #[serde(default)]
    user_id: serde_json::Value,
    iss: String,
    job_id: String,
    op_type: String,
    iat: i64,
    exp: i64,
    jti: String,
    condition_map: String,
}

/// An authenticated request: its caller and its (unparsed) query.
pub(crate) struct Request {
    pub(crate) caller: Caller,
    pub(crate) condition_map: String,
    /// The grant was suspended by the abnormal-use detector (A-N9): answer 8, compare nothing.
    pub(crate) abnormal: bool,
    /// The token's use, which the answer waits for: a replay is refused then.
    pub(crate) token: TokenUse,
}

/// What the checks found: a request to answer, or the refusal and whom it refused.
pub(crate) enum Check {
    Passed(Request),
    Refused(Answer, Option<Caller>),
}

fn refuse(code: RdCode, caller: Option<Caller>) -> Check {
    Check::Refused(Answer::only(code), caller)
}

/// Checks everything about the caller, in an order that tells a stranger nothing: the token's
/// shape, the grant it names, the address it must come from, and the signature. Only a caller
/// proven to be the company learns the state of its grant and certificate; then come the
/// clock, the isskey and the rate. The single use of its `jti` comes last, with the answer:
/// a request that passed carries its [`TokenUse`], recorded before it is answered.
pub(crate) async fn authenticate(
    state: &VerifyState,
    parts: &Parts,
    source_ip: &str,
    now: i64,
) -> anyhow::Result<Check> {
    let app = &state.app;
    let Some(token) = bearer(parts) else {
        return Ok(refuse(RdCode::MalformedToken, None));
    };
    let Some(claims) = rs256_claims::<Claims>(token) else {
        return Ok(refuse(RdCode::MalformedToken, None));
    };
    let grant = state
        .inner
        .grants
        .get(&app.db.pool, &claims.org_id, &claims.ap_id)
        .await?;
    let Some(grant) = grant else {
        return Ok(refuse(RdCode::NotSetUp, None));
    };
    // What the caller claims to be, until the signature proves it.
    let mut caller = Caller {
        business_id: claims.org_id.clone(),
        ap_id: claims.ap_id.clone(),
        // The operator's id as the log keeps it: 64 characters at most and no control
        // character (PostgreSQL refuses NUL in text, which would fail the call's row).
        user_id: match &claims.user_id {
            serde_json::Value::String(text) => printable(text),
            other => printable(&other.to_string()),
        },
        signed: false,
    };
    if !same_address(&grant.host_ip, source_ip, app.settings.development()) {
        return Ok(refuse(RdCode::WrongAddress, Some(caller)));
    }
    let (Some(isskey), Some(pem)) = (&grant.isskey, &grant.certificate_pem) else {
        return Ok(refuse(RdCode::NoCertificate, Some(caller)));
    };
    let key = state.inner.keys.key(&app.trust.current(), pem, now);
    let Some(decoding_key) = key.decoding_key() else {
        return Ok(refuse(RdCode::CertificateInvalid, Some(caller)));
    };
    if let Err(unsigned) = signed_by(token, decoding_key) {
        let code = match unsigned {
            Unsigned::BadSignature => RdCode::BadSignature,
            Unsigned::Malformed => RdCode::MalformedToken,
        };
        return Ok(refuse(code, Some(caller)));
    }
    caller.signed = true;
    if !key.valid_at(now) {
        return Ok(refuse(RdCode::CertificateInvalid, Some(caller)));
    }
    let abnormal = grant.abnormal;
    match grant.status.as_str() {
        "active" => {}
        "suspended" if abnormal => {}
        "suspended" => return Ok(refuse(RdCode::Suspended, Some(caller))),
        _ => return Ok(refuse(RdCode::Ended, Some(caller))),
    }
    if !fresh(claims.iat, claims.exp, now) {
        return Ok(refuse(RdCode::StaleToken, Some(caller)));
    }
    if claims.iss != *isskey || claims.job_id != "V2C201" || claims.op_type != "RW" {
        return Ok(refuse(RdCode::WrongIssuer, Some(caller)));
    }
    if claims.jti.is_empty() || claims.jti.len() > MAX_JTI_LENGTH {
        return Ok(refuse(RdCode::MalformedToken, Some(caller)));
    }
    if !state.inner.rate.allow(&claims.ap_id, now) {
        return Ok(refuse(RdCode::RateLimited, Some(caller)));
    }
    Ok(Check::Passed(Request {
        caller,
        condition_map: claims.condition_map,
        abnormal,
        token: TokenUse {
            business_id: claims.org_id,
            jti: claims.jti,
            keep_until: claims.exp + CLOCK_SKEW_SECONDS,
        },
    }))
}

/// Why a token's signature did not verify.
pub(crate) enum Unsigned {
    /// It does not verify with the key.
    BadSignature,
    /// It could not be read far enough to tell.
    Malformed,
}

/// Whether `token` is signed RS256 by `key`. The clock is not checked here but by [`fresh`],
/// against the injected clock and the service's window.
pub(crate) fn signed_by(token: &str, key: &DecodingKey) -> Result<(), Unsigned> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<serde::de::IgnoredAny>(token, key, &validation)
        .map(drop)
        .map_err(|error| match error.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => Unsigned::BadSignature,
            _ => Unsigned::Malformed,
        })
}

/// Whether a token issued at `iat` and expiring at `exp` may be used at `now`: within its
/// lifetime give or take the skew, and with a lifetime no longer than the service's window.
pub(crate) fn fresh(iat: i64, exp: i64, now: i64) -> bool {
    iat <= exp
        && exp - iat <= MAX_LIFETIME_SECONDS
        && iat - CLOCK_SKEW_SECONDS <= now
        && now < exp + CLOCK_SKEW_SECONDS
}

/// The token of `Authorization: Bearer <token>`.
pub(crate) fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The claims of an RS256 token (no other algorithm is read), before its signature is
/// checked: to find whose key checks it.
pub(crate) fn rs256_claims<C: DeserializeOwned>(token: &str) -> Option<C> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    (header.alg == Algorithm::RS256)
        .then(|| unverified_claims(token))
        .flatten()
}

fn unverified_claims<C: DeserializeOwned>(token: &str) -> Option<C> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.insecure_disable_signature_validation();
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<C>(token, &DecodingKey::from_secret(&[]), &validation)
        .ok()
        .map(|data| data.claims)
}

/// Whether the caller's address is the registered one (an IPv4 caller may arrive as an
/// IPv4-mapped IPv6 address); a loopback one only on a development portal.
fn same_address(registered: &str, source: &str, development: bool) -> bool {
    let (Ok(registered), Ok(source)) = (
        HostIp::parse(registered),
        source.parse::<std::net::IpAddr>(),
    ) else {
        return false;
    };
    may_match_registered(source, development)
        && registered.addr().to_canonical() == source.to_canonical()
}

/// `conditionMap`: the card to verify.
pub(crate) struct ConditionMap {
    pub(crate) person_id: NationalId,
    pub(crate) apply_code: ApplyCode,
    pub(crate) apply_date: RocDate,
    pub(crate) issue_site: IssueSiteId,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawConditionMap {
    person_id: String,
    apply_code: serde_json::Value,
    apply_yyymmdd: String,
    issue_site_id: String,
}

impl ConditionMap {
    /// Parses the JSON string of `conditionMap`; every value through its domain type.
    pub(crate) fn parse(text: &str) -> Result<ConditionMap, ()> {
        let raw: RawConditionMap = serde_json::from_str(text).map_err(drop)?;
        let apply_code = match &raw.apply_code {
            serde_json::Value::String(code) => code.clone(),
            serde_json::Value::Number(code) => code.to_string(),
            _ => return Err(()),
        };
        if raw.apply_yyymmdd.len() != 7 {
            return Err(());
        }
        Ok(ConditionMap {
            person_id: NationalId::parse(&raw.person_id).map_err(drop)?,
            apply_code: ApplyCode::parse(&apply_code).map_err(drop)?,
            apply_date: RocDate::parse(&raw.apply_yyymmdd).map_err(drop)?,
            issue_site: IssueSiteId::parse(&raw.issue_site_id).map_err(drop)?,
        })
    }
}

/// `text` without its control characters, cut to 64 characters.
fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_11_condition_maps_parse_as_the_ministrys_clients_send_them() {
        let map = ConditionMap::parse(
            r#"{"personId":"A123456789","applyCode":"3","applyYyymmdd":"1090520","issueSiteId":"63000"}"#,
        )
        .expect("valid");
        assert_eq!(map.person_id.as_str(), "A123456789");
        assert_eq!(map.apply_date.display_compact(), "1090520");
        assert!(ConditionMap::parse(
            r#"{"personId":"A123456789","applyCode":2,"applyYyymmdd":"1090520","issueSiteId":"63000"}"#
        )
        .is_ok());
        for bad in [
            r#"{"personId":"A123456788","applyCode":"3","applyYyymmdd":"1090520","issueSiteId":"63000"}"#,
            r#"{"personId":"A123456789","applyCode":"4","applyYyymmdd":"1090520","issueSiteId":"63000"}"#,
            r#"{"personId":"A123456789","applyCode":"3","applyYyymmdd":"109/05/20","issueSiteId":"63000"}"#,
            r#"{"personId":"A123456789","applyCode":"3","applyYyymmdd":"1090520","issueSiteId":"99999"}"#,
            r#"{"personId":"A123456789","applyCode":"3","applyYyymmdd":"1090520","issueSiteId":"63000","x":1}"#,
            "not json",
        ] {
            assert!(ConditionMap::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_11_tokens_are_fresh_within_their_lifetime_give_or_take_the_skew() {
        let now = 1_700_000_000;
        // The ministry's sample clients: iat = now − 180, exp = now + 180.
        assert!(fresh(now - 180, now + 180, now));
        // A caller whose clock runs 30 s ahead or behind.
        assert!(fresh(now - 150, now + 210, now));
        assert!(fresh(now - 210, now + 150, now));
        assert!(fresh(now - 360, now + 29, now));
        assert!(!fresh(now - 360, now - 30, now), "expired beyond the skew");
        assert!(!fresh(now + 31, now + 200, now), "issued in the future");
        assert!(!fresh(now - 200, now + 200, now), "a lifetime over 390 s");
        assert!(
            !fresh(now + 10, now - 10, now),
            "expires before it is issued"
        );
    }

    #[test]
    fn a_n3_addresses_compare_as_addresses() {
        assert!(same_address("127.0.0.115", "127.0.0.115", true));
        assert!(same_address("127.0.0.115", "::ffff:127.0.0.115", true));
        assert!(!same_address("127.0.0.115", "127.0.0.116", true));
        assert!(!same_address("127.0.0.115", "", true));
    }
}
