//! A small client of the verification API: signs a request as a company's server does (the
//! wire format of the ministry's sample clients) — used by the tests, the benchmark and
//! `huji verify` (docs/verification-api.md).

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

/// What a company holds after the portal steps: its 統一編號, apId, isskey and the private key
/// of the certificate it uploaded.
pub struct Credentials {
    pub org_id: String,
    pub ap_id: String,
    pub isskey: String,
    key: EncodingKey,
}

impl Credentials {
    /// `private_key_pem`: the uploaded certificate's RSA key, PKCS#8 or PKCS#1 PEM.
    pub fn new(
        org_id: &str,
        ap_id: &str,
        isskey: &str,
        private_key_pem: &str,
    ) -> anyhow::Result<Credentials> {
        Ok(Credentials {
            org_id: org_id.into(),
            ap_id: ap_id.into(),
            isskey: isskey.into(),
            key: signing_key(private_key_pem)?,
        })
    }
}

/// The RS256 signing key of an RSA private key, PKCS#8 or PKCS#1 PEM (also the agency link's
/// client, [`crate::link::client`]).
pub fn signing_key(private_key_pem: &str) -> anyhow::Result<EncodingKey> {
    use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
    use rsa::pkcs8::DecodePrivateKey;
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(private_key_pem)
        .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(private_key_pem))?;
    let der = key.to_pkcs1_der()?;
    Ok(EncodingKey::from_rsa_der(der.as_bytes()))
}

/// The card to verify: `conditionMap`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Query {
    pub person_id: String,
    /// 1 初發, 2 補發, 3 換發.
    pub apply_code: String,
    /// The issue date as a compact ROC date, `1100615`.
    pub apply_yyymmdd: String,
    /// The issuing place's code, e.g. `63000` (臺北市).
    pub issue_site_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Claims<'a> {
    org_id: &'a str,
    ap_id: &'a str,
    user_id: &'a str,
    iss: &'a str,
    sub: &'a str,
    aud: String,
    job_id: &'a str,
    op_type: &'a str,
    iat: i64,
    exp: i64,
    jti: &'a str,
    condition_map: String,
}

/// The `Authorization: Bearer` token of one request made at `now` (Unix seconds): valid from
/// 180 s before to 180 s after, as the ministry's sample clients make them.
pub fn token(
    credentials: &Credentials,
    user_id: &str,
    query: &Query,
    now: i64,
    jti: &str,
) -> anyhow::Result<String> {
    let claims = Claims {
        org_id: &credentials.org_id,
        ap_id: &credentials.ap_id,
        user_id,
        iss: &credentials.isskey,
        sub: "國民身分證領補換資料查驗",
        aud: app::platform::clock::roc_date_time(now),
        job_id: "V2C201",
        op_type: "RW",
        iat: now - 180,
        exp: now + 180,
        jti,
        condition_map: serde_json::to_string(query)?,
    };
    Ok(jsonwebtoken::encode(
        &Header::new(Algorithm::RS256),
        &claims,
        &credentials.key,
    )?)
}
