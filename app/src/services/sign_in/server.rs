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

/// A fresh single-use challenge for the card to sign (valid two minutes).
#[server(endpoint = "card_sign_in_challenge")]
pub async fn card_sign_in_challenge() -> Result<String, PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    let challenge = crate::platform::challenge::issue(
        &state.db.pool,
        state.clock.unix(),
        crate::platform::challenge::SIGN_IN,
    )
    .await?;
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

/// Ends the session (登出) and returns to the home page.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), PortalError> {
    let state = expect_context::<crate::platform::AppState>();
    crate::platform::auth::close_session(&state).await?;
    leptos_axum::redirect("/");
    Ok(())
}

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

    /// Why a sign-in failed: a typed field, the certificate, or the account.
    enum Failure {
        Field(PortalError),
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

    pub(super) async fn sign_in(state: &AppState, proof: Proof) -> Result<(), PortalError> {
        let now = state.clock.unix();
        let kind = proof.kind;
        match verify(state, proof, now).await {
            Ok((principal, certificate)) => {
                auth::open_session(state, &principal, &certificate).await?;
                record(state, now, &principal.actor(), "sign_in.card", kind, "ok").await?;
                Ok(())
            }
            Err(Failure::Field(error) | Failure::Fault(error)) => Err(error),
            Err(Failure::Certificate(error)) => {
                record(
                    state,
                    now,
                    "anonymous",
                    "sign_in.refused",
                    kind,
                    &format!("{error:?}"),
                )
                .await?;
                Err(PortalError::refused(&error))
            }
            Err(Failure::Refusal(refusal)) => {
                record(
                    state,
                    now,
                    "anonymous",
                    "sign_in.refused",
                    kind,
                    refusal.code(),
                )
                .await?;
                Err(PortalError::refused(&refusal))
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
        fn parse(proof: &Proof) -> Result<Typed, Failure> {
            Ok(match proof.kind {
                SignInKind::Company => Typed::BusinessId(
                    BusinessId::parse(proof.business_id.as_deref().unwrap_or_default()).map_err(
                        |error| Failure::Field(PortalError::field("business_id", &error)),
                    )?,
                ),
                SignInKind::Agency => Typed::AgencyCode(
                    AgencyCode::parse(proof.agency_code.as_deref().unwrap_or_default()).map_err(
                        |error| Failure::Field(PortalError::field("agency_code", &error)),
                    )?,
                ),
                SignInKind::Staff | SignInKind::Citizen => Typed::Nothing,
            })
        }
    }

    /// The principal the proof signs in, and the certificate it was proven with.
    async fn verify(
        state: &AppState,
        proof: Proof,
        now: i64,
    ) -> Result<(Principal, CheckedCertificate), Failure> {
        let typed = Typed::parse(&proof)?;
        let pool = &state.db.pool;
        // Used up first, whatever follows: a challenge is worth one attempt.
        challenge::consume(pool, now, &proof.challenge, challenge::SIGN_IN)
            .await
            .map_err(|error| Failure::Fault(PortalError::unavailable(error)))?
            .map_err(|_| SignInRefusal::ChallengeUnusable)?;
        let certificate: CheckedCertificate = state.trust.current().check_certificate(
            &proof.certificate,
            purpose(proof.kind),
            now,
        )?;
        let signed = state.settings.card_signed(proof.challenge.as_bytes());
        certificate.verify_signature(&signed, &proof.signature)?;
        let principal = match typed {
            Typed::BusinessId(typed) => {
                expect_business_id(&certificate, &typed)?;
                company(state, &typed, &certificate).await
            }
            Typed::AgencyCode(typed) => {
                expect_agency_code(&certificate, &typed)?;
                agency(state, &typed).await
            }
            Typed::Nothing if proof.kind == SignInKind::Citizen => {
                citizen(state, &certificate).await
            }
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
        }?;
        Ok((principal, certificate))
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

    async fn record(
        state: &AppState,
        now: i64,
        actor: &str,
        action: &str,
        kind: SignInKind,
        outcome: &str,
    ) -> Result<(), PortalError> {
        let event = AuditEvent {
            actor: actor.to_owned(),
            source_ip: auth::source_ip(),
            action: action.to_owned(),
            subject: format!("{kind:?}").to_lowercase(),
            detail: serde_json::json!({ "outcome": outcome }).to_string(),
        };
        audit::record(&state.db, now, &event).await?;
        Ok(())
    }
}
