//! Who is calling (L-16 … L-20): a call is the agency's only when it comes from the case's
//! address, carries the case's 密碼表 and — on every interface that exchanged keys (steps
//! 11–14) — a JWT signed RS256 with the key of the case's certificate naming the case's Iss
//! key. Checked in an order that tells a stranger nothing: the user code and the address
//! first (one answer for both), then the password, then the token; only then the case's state
//! (in [`super`]).
//!
//! 連結介面 (link_vpn) cases skip the key exchange (seed 001 steps 11–14 do not apply), so
//! they have no certificate or Iss key to sign with: their calls are the agency's by the case's
//! address on the GSN VPN and the 密碼表 alone (the seed's “網路位址、使用機關代號及密碼”, step
//! 18), and a bearer token they send is not read.

use super::answer::LinkCode;
use super::guard::Presented;
use super::LinkState;
use crate::verify::token::{
    bearer, fresh, rs256_claims, signed_by, Unsigned, CLOCK_SKEW_SECONDS, MAX_JTI_LENGTH,
};
use crate::verify::token_ids::TokenUse;
use app::platform::client::may_match_registered;
use app::platform::rows::RowExt;
use app::services::agency_link::addresses::{self, IpNet};
use app::services::agency_link::cases::{DataKind, Interface, LinkStatus};
use app::services::agency_link::password_table;
use axum::http::request::Parts;
use serde::Deserialize;
use sqlx::Row;
use std::net::IpAddr;

/// The header carrying the 密碼表's user code.
pub const USER_HEADER: &str = "x-agency-user";
/// The header carrying the 密碼表's password.
pub const PASSWORD_HEADER: &str = "x-agency-password";
/// The longest user code and password read (issued: 19 and 20 characters).
const MAX_USER_LENGTH: usize = 64;
const MAX_PASSWORD_LENGTH: usize = 128;

/// What a call asks for; a token names it (`op`), so that it serves that operation only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Step 18's connection test.
    ConnectionTest,
    /// A person query after go-live.
    PersonQuery,
}

impl Operation {
    pub fn code(self) -> &'static str {
        match self {
            Operation::ConnectionTest => "connection_test",
            Operation::PersonQuery => "person_query",
        }
    }

    pub fn parse(text: &str) -> Option<Operation> {
        [Operation::ConnectionTest, Operation::PersonQuery]
            .into_iter()
            .find(|operation| operation.code() == text)
    }
}

/// A case as the API reads it, found by its 密碼表's user code.
#[derive(Clone, Debug)]
pub struct LinkedCase {
    pub id: String,
    pub agency_code: String,
    pub interface: Interface,
    pub data_kind: DataKind,
    pub status: LinkStatus,
    host_address: String,
    /// The scheduled connection test (step 16).
    pub test_at: Option<i64>,
    /// When its 密碼表 was issued.
    password_issued_at: i64,
    certificate_pem: Option<String>,
    iss_key: Option<String>,
    /// The 連結介面伺服器's subnet assigned at step 6 (VPN interfaces).
    server: Option<IpNet>,
}

impl LinkedCase {
    /// Whether a call from `source` comes from the case's address: its server subnet over
    /// the GSN VPN, the host address it filed over the internet (電子閘門).
    pub fn allows(&self, source: IpAddr) -> bool {
        let network = if self.interface.over_vpn() {
            self.server
        } else {
            addresses::parse_host(&self.host_address)
        };
        network.is_some_and(|network| network.contains(&source.to_canonical()))
    }
}

/// The claims this API reads; others are allowed and ignored.
#[derive(Deserialize)]
struct Claims {
    /// The case's Iss key (step 14).
    iss: String,
    /// The 密碼表's user code.
    sub: String,
    /// [`Operation::code`].
    op: String,
    iat: i64,
    exp: i64,
    jti: String,
}

/// What the checks found.
pub enum Check {
    Passed(LinkedCase),
    /// Refused before the 密碼表 proved the caller; with the case once the user code named it
    /// (the counts of refusals and the case's timeline say which case a refused call was for;
    /// the caller is not told).
    Unproven(LinkCode, Option<LinkedCase>),
    /// Refused after the 密碼表 proved the caller (its token), with the case.
    Refused(LinkCode, LinkedCase),
}

/// Checks the caller of `operation` from `source` at `now`.
pub async fn authenticate(
    state: &LinkState,
    parts: &Parts,
    source: Option<IpAddr>,
    operation: Operation,
    now: i64,
) -> anyhow::Result<Check> {
    let (Some(user), Some(password)) = (
        header(parts, USER_HEADER, MAX_USER_LENGTH),
        header(parts, PASSWORD_HEADER, MAX_PASSWORD_LENGTH),
    ) else {
        return Ok(Check::Unproven(LinkCode::MissingCredentials, None));
    };
    let app = state.verify.app();
    let Some(case) = find(&app.db.pool, user).await? else {
        return Ok(Check::Unproven(LinkCode::UnknownCaller, None));
    };
    // The same answer as an unknown user code; the case's parties see which it was.
    let development = app.settings.development();
    if !source
        .is_some_and(|source| may_match_registered(source, development) && case.allows(source))
    {
        return Ok(Check::Unproven(LinkCode::UnknownCaller, Some(case)));
    }
    let presented = Presented {
        link_id: &case.id,
        issued_at: case.password_issued_at,
        user,
        password,
    };
    if !state.guard.remembered(&presented, now) {
        if !state.guard.take(&app.db.pool, user, now).await? {
            return Ok(Check::Unproven(LinkCode::LockedOut, Some(case)));
        }
        let mut conn = app.db.pool.acquire().await?;
        if !password_table::verify(&mut conn, &case.id, user, password).await? {
            return Ok(Check::Unproven(LinkCode::WrongCredentials, Some(case)));
        }
        drop(conn);
        state.guard.passed(&app.db.pool, &presented, now).await?;
    }
    if !case.interface.exchanges_keys() {
        return Ok(Check::Passed(case));
    }
    match signed_call(state, parts, &case, user, operation, now).await? {
        Some(code) => Ok(Check::Refused(code, case)),
        None => Ok(Check::Passed(case)),
    }
}

/// The token of a case that exchanged keys; the refusal, if any.
async fn signed_call(
    state: &LinkState,
    parts: &Parts,
    case: &LinkedCase,
    user: &str,
    operation: Operation,
    now: i64,
) -> anyhow::Result<Option<LinkCode>> {
    let Some((token, claims)) =
        bearer(parts).and_then(|token| Some((token, rs256_claims::<Claims>(token)?)))
    else {
        return Ok(Some(LinkCode::MalformedToken));
    };
    let (Some(pem), Some(iss_key)) = (&case.certificate_pem, &case.iss_key) else {
        return Ok(Some(LinkCode::NoKey));
    };
    let key = state
        .keys
        .key(&state.verify.app().trust.current(), pem, now);
    let Some(decoding_key) = key.decoding_key() else {
        return Ok(Some(LinkCode::CertificateInvalid));
    };
    match signed_by(token, decoding_key) {
        Ok(()) => {}
        Err(Unsigned::BadSignature) => return Ok(Some(LinkCode::BadSignature)),
        Err(Unsigned::Malformed) => return Ok(Some(LinkCode::MalformedToken)),
    }
    if !key.valid_at(now) {
        return Ok(Some(LinkCode::CertificateInvalid));
    }
    if !fresh(claims.iat, claims.exp, now) {
        return Ok(Some(LinkCode::StaleToken));
    }
    if claims.iss != *iss_key || claims.sub != user || claims.op != operation.code() {
        return Ok(Some(LinkCode::WrongIssuer));
    }
    if claims.jti.is_empty() || claims.jti.len() > MAX_JTI_LENGTH {
        return Ok(Some(LinkCode::MalformedToken));
    }
    let first = state
        .verify
        .token_ids()
        .first_use(TokenUse {
            business_id: format!("agency-link:{}", case.id),
            jti: claims.jti,
            keep_until: claims.exp + CLOCK_SKEW_SECONDS,
        })
        .await?;
    Ok((!first).then_some(LinkCode::ReplayedToken))
}

/// A header's value, when present, text, not empty and not longer than `max`.
fn header<'p>(parts: &'p Parts, name: &str, max: usize) -> Option<&'p str> {
    let value = parts.headers.get(name)?.to_str().ok()?.trim();
    (!value.is_empty() && value.len() <= max).then_some(value)
}

/// The case whose 密碼表 has user code `user`.
async fn find(pool: &sqlx::AnyPool, user: &str) -> anyhow::Result<Option<LinkedCase>> {
    let row = sqlx::query(
        "SELECT l.id, l.agency_code, l.interface, l.data_kind, l.status, l.host_address, \
         l.test_at, p.issued_at, k.certificate_pem, k.iss_key \
         FROM agency_link_passwords p JOIN agency_links l ON l.id = p.link_id \
         LEFT JOIN agency_link_keys k ON k.link_id = l.id WHERE p.agency_user = $1",
    )
    .bind(user)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id: String = row.try_get("id")?;
    let interface: Interface = row.code("interface")?;
    let server = if interface.over_vpn() {
        let mut conn = pool.acquire().await?;
        addresses::allocation(&mut conn, &id)
            .await?
            .map(|allocation| allocation.server)
    } else {
        None
    };
    Ok(Some(LinkedCase {
        agency_code: row.try_get("agency_code")?,
        interface,
        data_kind: row.code("data_kind")?,
        status: row.code("status")?,
        host_address: row.try_get("host_address")?,
        test_at: row.try_get("test_at")?,
        password_issued_at: row.try_get("issued_at")?,
        certificate_pem: row.try_get("certificate_pem")?,
        iss_key: row.try_get("iss_key")?,
        server,
        id,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(interface: Interface, host: &str, server: Option<&str>) -> LinkedCase {
        LinkedCase {
            id: "A1121117-000001".into(),
            agency_code: "379130000C".into(),
            interface,
            data_kind: DataKind::Household,
            status: LinkStatus::InProgress,
            host_address: host.into(),
            test_at: None,
            password_issued_at: 0,
            certificate_pem: None,
            iss_key: None,
            server: server.map(|net| net.parse().expect("network")),
        }
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn l_18_a_vpn_case_is_called_from_its_server_subnet_only() {
        let vpn = case(Interface::LinkVpn, "203.0.113.0/28", Some("172.20.8.0/29"));
        assert!(vpn.allows(ip("172.20.8.3")));
        assert!(vpn.allows(ip("::ffff:172.20.8.3")), "IPv4-mapped");
        assert!(!vpn.allows(ip("172.20.8.9")));
        assert!(
            !vpn.allows(ip("203.0.113.2")),
            "over the VPN, not from the filed host"
        );
        let unassigned = case(Interface::ApiVpn, "203.0.113.0/28", None);
        assert!(!unassigned.allows(ip("203.0.113.2")));
    }

    #[test]
    fn l_18_an_internet_e_gate_case_is_called_from_its_filed_host() {
        let egate = case(Interface::EgateInternet, "203.0.113.7", None);
        assert!(egate.allows(ip("203.0.113.7")));
        assert!(!egate.allows(ip("203.0.113.8")));
        let network = case(Interface::EgateInternet, "203.0.113.0/28", None);
        assert!(network.allows(ip("203.0.113.15")));
        assert!(!network.allows(ip("203.0.113.16")));
    }

    #[test]
    fn l_18_operations_have_stable_codes() {
        for operation in [Operation::ConnectionTest, Operation::PersonQuery] {
            assert_eq!(Operation::parse(operation.code()), Some(operation));
        }
        assert_eq!(Operation::parse("delete"), None);
    }
}
