//! The server functions of card sign-in. Each re-checks everything: the page only carries
//! the certificate and the card's signature; the PIN never reaches this server.

use super::{CardHolder, SignInKind};
use crate::error::PortalError;
use leptos::prelude::*;

/// Checks the certificate the card helper read, before the PIN is asked for, so that an
/// expired or wrong card is named at once.
#[server(endpoint = "inspect_card")]
pub async fn inspect_card(
    kind: SignInKind,
    certificate_b64: String,
) -> Result<CardHolder, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let certificate = decode(&certificate_b64)?;
    let checked = state
        .trust
        .current()
        .check_certificate(&certificate, ssr::purpose(kind), state.clock.unix())
        .map_err(|error| PortalError::refused(&error))?;
    Ok(CardHolder {
        name: checked.subject_name().unwrap_or_default().to_owned(),
        business_id: checked.business_id().map(|id| id.as_str().to_owned()),
        agency_code: checked.agency_code().map(|code| code.as_str().to_owned()),
        valid_until: crate::platform::clock::roc_date_time(checked.not_after()),
    })
}

/// A fresh single-use challenge for the card to sign (valid two minutes); each client (an IPv4
/// address or an IPv6 /64) may draw `platform::challenge::ISSUE_LIMIT` of them.
#[server(endpoint = "card_sign_in_challenge")]
pub async fn card_sign_in_challenge() -> Result<String, PortalError> {
    use crate::platform::{auth, challenge, rate_limit};
    let state = expect_context::<crate::platform::AppState>();
    let challenge = challenge::issue_to_client(
        &state.db.pool,
        state.clock.unix(),
        challenge::SIGN_IN,
        &auth::client_buckets(),
    )
    .await?
    .map_err(rate_limit::too_many_requests)?;
    Ok(challenge.value)
}

/// Checks the card's signature over the challenge and opens a session; answers the page to
/// go to next.
#[server(endpoint = "card_sign_in")]
pub async fn card_sign_in(
    kind: SignInKind,
    business_id: Option<String>,
    agency_code: Option<String>,
    challenge: String,
    certificate_b64: String,
    signature_b64: String,
    next: Option<String>,
) -> Result<String, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let proof = ssr::Proof {
        kind,
        business_id,
        agency_code,
        challenge,
        certificate: decode(&certificate_b64)?,
        signature: decode(&signature_b64)?,
    };
    ssr::sign_in(&state, proof).await?;
    let landing = next
        .as_deref()
        .and_then(crate::components::layout::local_path)
        .unwrap_or(kind.landing());
    Ok(landing.to_owned())
}

/// Who this request's session is signed in as (the header's name beside 登出); `None` when
/// nobody is.
#[server(endpoint = "signed_in_party")]
pub async fn signed_in_party() -> Result<Option<super::SignedInParty>, PortalError> {
    use crate::platform::auth::{signed_in_principal, Principal};
    let state = expect_context::<crate::platform::AppState>();
    let Some(principal) = signed_in_principal(&state).await? else {
        return Ok(None);
    };
    let (kind, name) = match principal {
        Principal::Company { name, .. } => (SignInKind::Company, name),
        Principal::Agency { name, .. } => (SignInKind::Agency, name),
        Principal::Citizen { masked_id, .. } => (SignInKind::Citizen, masked_id),
        Principal::Staff { staff_id } => {
            match crate::services::staff::store::by_id(&state.db.pool, staff_id).await? {
                Some(member) => (SignInKind::Staff, member.name),
                None => return Ok(None),
            }
        }
    };
    Ok(Some(super::SignedInParty { kind, name }))
}

/// Ends the session (登出) and returns to the home page.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    crate::platform::auth::close_session(&state).await?;
    leptos_axum::redirect("/");
    Ok(())
}

#[cfg(feature = "ssr")]
pub use ssr::FAILURE_LIMIT;

#[cfg(feature = "ssr")]
fn decode(text: &str) -> Result<Vec<u8>, PortalError> {
    use base64::{engine::general_purpose::STANDARD, Engine};
    STANDARD
        .decode(text.trim())
        .map_err(|_| PortalError::refused(&super::SignInRefusal::Encoding))
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::super::{SignInKind, SignInRefusal};
    use crate::domain::agency_code::AgencyCode;
    use crate::domain::business_id::BusinessId;
    use crate::error::PortalError;
    use crate::pki::{
        expect_agency_code, expect_business_id, CertificateError, CheckedCertificate, Purpose,
    };
    use crate::platform::audit::{self, AuditEvent};
    use crate::platform::auth::{self, Principal};
    use crate::platform::rate_limit::{self, Limit};
    use crate::platform::{challenge, AppState};
    use crate::services::certificate::store as certificate_store;
    use crate::services::staff::store as staff;

    pub(super) fn purpose(kind: SignInKind) -> Purpose {
        match kind {
            SignInKind::Company => Purpose::BusinessCard,
            SignInKind::Agency => Purpose::AgencyCard,
            SignInKind::Staff | SignInKind::Citizen => Purpose::CitizenCard,
        }
    }

    pub(super) struct Proof {
        pub kind: SignInKind,
        pub business_id: Option<String>,
        pub agency_code: Option<String>,
        pub challenge: String,
        pub certificate: Vec<u8>,
        pub signature: Vec<u8>,
    }

    /// Card sign-ins one client address may fail before it must wait. Each attempt takes one
    /// before anything is checked, and gives it back once the card proved its certificate, so
    /// that concurrent attempts cannot slip past; the count is all an anonymous failure leaves
    /// in the database: one row per client and window, purged with the other windows, instead
    /// of an audit row each (issue 21 item 6).
    pub const FAILURE_LIMIT: Limit = Limit {
        max: 30,
        window_seconds: 600,
    };

    /// Why a sign-in failed: the certificate, the account, or a fault on our side.
    enum Failure {
        Certificate(CertificateError),
        Refusal(SignInRefusal),
        Fault(PortalError),
    }

    impl From<CertificateError> for Failure {
        fn from(error: CertificateError) -> Failure {
            Failure::Certificate(error)
        }
    }

    impl From<SignInRefusal> for Failure {
        fn from(refusal: SignInRefusal) -> Failure {
            Failure::Refusal(refusal)
        }
    }

    impl Failure {
        /// The refusal's stable code and its answer to the page; a fault is answered as one.
        fn refusal(self) -> Result<(String, PortalError), PortalError> {
            match self {
                Failure::Certificate(error) => {
                    Ok((format!("{error:?}"), PortalError::refused(&error)))
                }
                Failure::Refusal(refusal) => {
                    Ok((refusal.code().to_owned(), PortalError::refused(&refusal)))
                }
                Failure::Fault(error) => Err(error),
            }
        }
    }

    /// Signs in with the proof, or refuses it. A refusal before the card proved its
    /// certificate identifies nobody: it is counted against the client and logged, not
    /// audited. One after (a certificate the portal has no account for) is audited under the
    /// certificate that made it.
    pub(super) async fn sign_in(state: &AppState, proof: Proof) -> Result<(), PortalError> {
        let now = state.clock.unix();
        let kind = proof.kind;
        let typed = Typed::parse(&proof)?;
        let pool = &state.db.pool;
        let client = auth::client_buckets();
        if let Err(retry_after) = FAILURE_LIMIT
            .hit_client(pool, "sign-in", &client, now)
            .await?
        {
            return Err(rate_limit::too_many_requests(retry_after));
        }
        let certificate = match prove(state, &proof, now).await {
            Ok(certificate) => certificate,
            Err(failure) => {
                let (code, error) = failure.refusal()?;
                tracing::info!(kind = ?kind, refusal = %code, "anonymous card sign-in refused");
                return Err(error);
            }
        };
        FAILURE_LIMIT
            .refund_client(pool, "sign-in", &client, now)
            .await?;
        match principal(state, kind, typed, &certificate).await {
            Ok(principal) => {
                auth::open_session(state, &principal, &certificate).await?;
                let signed_in = event(&principal.actor(), "sign_in.card", kind, "ok");
                audit::record(&state.db, now, &signed_in).await?;
                Ok(())
            }
            // A card that proved itself but may not sign in here: audited under its
            // certificate, up to [`audit::REFUSALS`] a certificate, so that a card tried
            // again and again does not flood the log.
            Err(failure) => {
                let (code, error) = failure.refusal()?;
                let serial = certificate.serial_hex();
                let refused = event(
                    &format!("certificate:{serial}"),
                    "sign_in.refused",
                    kind,
                    &code,
                );
                audit::record_refusal(
                    &state.db,
                    now,
                    &format!("sign-in-refusal:{serial}"),
                    &refused,
                )
                .await?;
                Err(error)
            }
        }
    }

    /// The number typed beside the card, parsed.
    enum Typed {
        BusinessId(BusinessId),
        AgencyCode(AgencyCode),
        Nothing,
    }

    impl Typed {
        fn parse(proof: &Proof) -> Result<Typed, PortalError> {
            Ok(match proof.kind {
                SignInKind::Company => Typed::BusinessId(
                    BusinessId::parse(proof.business_id.as_deref().unwrap_or_default())
                        .map_err(|error| PortalError::field("business_id", &error))?,
                ),
                SignInKind::Agency => Typed::AgencyCode(
                    AgencyCode::parse(proof.agency_code.as_deref().unwrap_or_default())
                        .map_err(|error| PortalError::field("agency_code", &error))?,
                ),
                SignInKind::Staff | SignInKind::Citizen => Typed::Nothing,
            })
        }
    }

    /// The certificate whose key signed the challenge: the challenge used up, the certificate
    /// checked, the signature verified. Until then, nobody is identified.
    async fn prove(
        state: &AppState,
        proof: &Proof,
        now: i64,
    ) -> Result<CheckedCertificate, Failure> {
        // Used up first, whatever follows: a challenge is worth one attempt.
        challenge::consume(&state.db.pool, now, &proof.challenge, challenge::SIGN_IN)
            .await
            .map_err(|error| Failure::Fault(PortalError::unavailable(error)))?
            .map_err(|_| SignInRefusal::ChallengeUnusable)?;
        let certificate = state.trust.current().check_certificate(
            &proof.certificate,
            purpose(proof.kind),
            now,
        )?;
        let signed = state.settings.card_signed(proof.challenge.as_bytes());
        certificate.verify_signature(&signed, &proof.signature)?;
        Ok(certificate)
    }

    /// Whom the proven `certificate` signs in as, for `kind` and the number typed beside it.
    async fn principal(
        state: &AppState,
        kind: SignInKind,
        typed: Typed,
        certificate: &CheckedCertificate,
    ) -> Result<Principal, Failure> {
        let pool = &state.db.pool;
        match typed {
            Typed::BusinessId(typed) => {
                expect_business_id(certificate, &typed)?;
                company(state, &typed, certificate).await
            }
            Typed::AgencyCode(typed) => {
                expect_agency_code(certificate, &typed)?;
                agency(state, &typed).await
            }
            Typed::Nothing if kind == SignInKind::Citizen => citizen(state, certificate).await,
            Typed::Nothing => {
                // A staff member's citizen card the RA suspended or revoked signs in nowhere.
                if certificate_store::withdrawn(pool, certificate.fingerprint_sha256())
                    .await
                    .map_err(|error| Failure::Fault(PortalError::unavailable(error)))?
                {
                    return Err(SignInRefusal::NoRegistryPerson.into());
                }
                staff::by_certificate(pool, certificate.fingerprint_sha256())
                    .await
                    .map_err(|error| Failure::Fault(PortalError::unavailable(error)))?
                    .map(|member| Principal::Staff {
                        staff_id: member.id,
                    })
                    .ok_or(Failure::Refusal(SignInRefusal::NotStaff))
            }
        }
    }

    /// The company in the business registry (商工登記); only 核准設立 companies may sign in.
    async fn company(
        state: &AppState,
        business_id: &BusinessId,
        certificate: &CheckedCertificate,
    ) -> Result<Principal, Failure> {
        let row = async {
            let mut conn = state.db.pool.acquire().await?;
            crate::services::company::registration(&mut conn, business_id.as_str()).await
        }
        .await
        .map_err(|error| Failure::Fault(error.into()))?;
        match row {
            None => Err(SignInRefusal::CompanyNotRegistered.into()),
            Some((_, status)) if status != "核准設立" => {
                Err(SignInRefusal::CompanyNotActive.into())
            }
            Some((name, _)) => Ok(Principal::Company {
                business_id: business_id.as_str().to_owned(),
                name,
                certificate_serial: certificate.serial_hex().to_owned(),
            }),
        }
    }

    /// The agency in the portal's agency registry (`agencies`); an agency it does not know
    /// cannot sign in.
    async fn agency(state: &AppState, code: &AgencyCode) -> Result<Principal, Failure> {
        let row = async {
            let mut conn = state.db.pool.acquire().await?;
            crate::services::agency::by_code(&mut conn, code.as_str()).await
        }
        .await
        .map_err(|error| Failure::Fault(error.into()))?;
        row.map(|agency| Principal::Agency {
            code: agency.code,
            name: agency.name,
        })
        .ok_or(Failure::Refusal(SignInRefusal::AgencyNotRegistered))
    }

    /// The registry person the certificate was issued to (the registration authority's
    /// record), whose name and last 4 ID digits the certificate must still carry.
    async fn citizen(
        state: &AppState,
        certificate: &CheckedCertificate,
    ) -> Result<Principal, Failure> {
        let holder = certificate_store::holder_of(&state.db.pool, certificate.fingerprint_sha256())
            .await
            .map_err(|error| Failure::Fault(error.into()))?;
        match holder {
            Some((citizen_id, name, national_id))
                if certificate.subject_name() == Some(name.as_str())
                    && national_id.ends_with(certificate.id_last4().unwrap_or("-")) =>
            {
                let masked = crate::domain::national_id::NationalId::parse(&national_id)
                    .map(|id| id.masked())
                    .unwrap_or_default();
                Ok(Principal::Citizen {
                    citizen_id,
                    masked_id: masked,
                })
            }
            _ => Err(SignInRefusal::NoRegistryPerson.into()),
        }
    }

    fn event(actor: &str, action: &str, kind: SignInKind, outcome: &str) -> AuditEvent {
        AuditEvent {
            actor: actor.to_owned(),
            source_ip: auth::source_ip(),
            action: action.to_owned(),
            subject: format!("{kind:?}").to_lowercase(),
            detail: serde_json::json!({ "outcome": outcome }).to_string(),
        }
    }
}
