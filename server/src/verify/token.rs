//! Who is calling: the request's JWT (RS256, signed with the key of the certificate the
//! company uploaded), checked against the company's grant, its registered host IP (A-N3), the
//! clock (±180 s) and the tokens seen before (replay); and the query it carries.

use super::{Answer, Caller, RdCode};
use app::domain::{
    apply_code::ApplyCode, host_ip::HostIp, national_id::NationalId, place_code::IssueSiteId,
    roc_date::RocDate,
};
use app::pki::Purpose;
use app::platform::AppState;
use axum::http::{header, request::Parts};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sqlx::Row;

/// How far `iat` and `exp` may be from now: the service's ±180 s, plus 30 s for clocks and
/// the network (the ministry's sample clients set `iat` to exactly now − 180 s).
const CLOCK_WINDOW_SECONDS: i64 = 180 + 30;
/// The longest `jti` kept.
const MAX_JTI_LENGTH: usize = 128;

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
}

type Refusal = (Answer, Option<Caller>);

fn refuse(code: RdCode, caller: Option<Caller>) -> Result<Request, Refusal> {
    Err((Answer::refused(code), caller))
}

/// Checks everything about the caller, in an order that spends nothing on a stranger: the
/// token's shape, the grant it names, the address, the certificate, the signature, the
/// clock, and last the single use of its `jti`.
pub(crate) async fn authenticate(
    app: &AppState,
    parts: &Parts,
    source_ip: &str,
    now: i64,
) -> anyhow::Result<Result<Request, Refusal>> {
    let Some(token) = bearer(parts) else {
        return Ok(refuse(RdCode::MalformedToken, None));
    };
    let Some(claims) = unverified_claims(token) else {
        return Ok(refuse(RdCode::MalformedToken, None));
    };
    let grant = sqlx::query(
        "SELECT status, host_ip, isskey, certificate_pem FROM api_grants \
         WHERE business_id = $1 AND ap_id = $2",
    )
    .bind(&claims.org_id)
    .bind(&claims.ap_id)
    .fetch_optional(&app.db.pool)
    .await?;
    let Some(grant) = grant else {
        return Ok(refuse(RdCode::NotSetUp, None));
    };
    let caller = Caller {
        business_id: claims.org_id.clone(),
        ap_id: claims.ap_id.clone(),
        user_id: match &claims.user_id {
            serde_json::Value::String(text) => text.chars().take(64).collect(),
            other => other.to_string().chars().take(64).collect(),
        },
        id_hash: None,
    };
    let status: String = grant.try_get("status")?;
    match status.as_str() {
        "active" => {}
        "suspended" => return Ok(refuse(RdCode::Suspended, Some(caller))),
        _ => return Ok(refuse(RdCode::Ended, Some(caller))),
    }
    let host_ip: String = grant.try_get("host_ip")?;
    if !same_address(&host_ip, source_ip) {
        return Ok(refuse(RdCode::WrongAddress, Some(caller)));
    }
    let (Some(isskey), Some(pem)) = (
        grant.try_get::<Option<String>, _>("isskey")?,
        grant.try_get::<Option<String>, _>("certificate_pem")?,
    ) else {
        return Ok(refuse(RdCode::NoCertificate, Some(caller)));
    };
    let Ok(certificate) =
        app.trust
            .current()
            .check_certificate(pem.as_bytes(), Purpose::ApiCertificate, now)
    else {
        return Ok(refuse(RdCode::CertificateInvalid, Some(caller)));
    };
    let Some(key) = certificate.rsa_public_key_der() else {
        return Ok(refuse(RdCode::CertificateInvalid, Some(caller)));
    };
    let mut validation = Validation::new(Algorithm::RS256);
    // The clock is checked below, against the injected clock and the service's window.
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    if let Err(error) =
        jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_rsa_der(key), &validation)
    {
        let code = match error.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => RdCode::BadSignature,
            _ => RdCode::MalformedToken,
        };
        return Ok(refuse(code, Some(caller)));
    }
    let fresh = claims.iat <= now + CLOCK_WINDOW_SECONDS
        && claims.iat >= now - CLOCK_WINDOW_SECONDS
        && claims.exp > now
        && claims.exp <= now + CLOCK_WINDOW_SECONDS
        && claims.iat <= claims.exp;
    if !fresh {
        return Ok(refuse(RdCode::StaleToken, Some(caller)));
    }
    if claims.iss != isskey || claims.job_id != "V2C201" || claims.op_type != "RW" {
        return Ok(refuse(RdCode::WrongIssuer, Some(caller)));
    }
    if claims.jti.is_empty() || claims.jti.len() > MAX_JTI_LENGTH {
        return Ok(refuse(RdCode::MalformedToken, Some(caller)));
    }
    let first_use =
        sqlx::query("INSERT INTO api_token_ids (jti, business_id, expires_at) VALUES ($1, $2, $3)")
            .bind(&claims.jti)
            .bind(&claims.org_id)
            .bind(claims.exp)
            .execute(&app.db.pool)
            .await;
    match first_use {
        Ok(_) => {}
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            return Ok(refuse(RdCode::ReplayedToken, Some(caller)));
        }
        Err(error) => return Err(error.into()),
    }
    Ok(Ok(Request {
        caller,
        condition_map: claims.condition_map,
    }))
}

/// The token of `Authorization: Bearer <token>`.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The claims of an RS256 token, before its signature is checked: to find whose key checks it.
fn unverified_claims(token: &str) -> Option<Claims> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    if header.alg != Algorithm::RS256 {
        return None;
    }
    let mut validation = Validation::new(Algorithm::RS256);
    validation.insecure_disable_signature_validation();
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(&[]), &validation)
        .ok()
        .map(|data| data.claims)
}

/// Whether the caller's address is the registered one (an IPv4 caller may arrive as an
/// IPv4-mapped IPv6 address).
fn same_address(registered: &str, source: &str) -> bool {
    let (Ok(registered), Ok(source)) = (
        HostIp::parse(registered),
        source.parse::<std::net::IpAddr>(),
    ) else {
        return false;
    };
    registered.addr().to_canonical() == source.to_canonical()
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
    fn a_n3_addresses_compare_as_addresses() {
        assert!(same_address("127.0.0.115", "127.0.0.115"));
        assert!(same_address("127.0.0.115", "::ffff:127.0.0.115"));
        assert!(!same_address("127.0.0.115", "127.0.0.116"));
        assert!(!same_address("127.0.0.115", ""));
    }
}
