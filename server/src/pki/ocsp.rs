//! The OCSP responder of the development authorities (RFC 6960; issue 19 item 4): the standard
//! way for a relying party to ask whether a certificate is revoked or on hold, beside the CRLs.
//!
//! The authority signs each response with its own key (RFC 6960 §4.2.2.2), so a client that
//! trusts the authority needs nothing more. What a response says comes from the caller (the
//! server reads the registration authority's records, which also hold what a CRL cannot show
//! until it is rewritten: a suspension is `certificateHold` from the moment it is made); this
//! module reads the request, checks that it asks about this authority's certificates, and
//! writes and signs the answer.

use super::{CaFamily, Pki, PkiError};
use app::platform::ca::OcspStatus;
use rcgen::{SigningKey, PKCS_ECDSA_P256_SHA256};
use x509_cert::der::asn1::{BitString, GeneralizedTime, ObjectIdentifier};
use x509_cert::der::{Decode, Encode, Tag, Tagged};
use x509_cert::ext::{pkix::CrlReason, Extension};
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspGeneralizedTime, OcspRequest, OcspResponse,
    ResponderId, ResponseData, RevokedInfo, SingleResponse, Version,
};

/// The most certificates one request may ask about.
pub const MAX_CERTIFICATES: usize = 16;

/// The longest nonce echoed (RFC 8954 §2.1); a longer one is a malformed request.
const MAX_NONCE_BYTES: usize = 32;

/// How long a response may be relied on (its nextUpdate): a relying party asks again after
/// this, so a suspension reaches it within this time at most.
pub const RESPONSE_LIFETIME_SECONDS: i64 = 5 * 60;

const ID_PKIX_OCSP_NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");
const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

/// A request that gets no status, answered with the matching OCSP response status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not an OCSP request, no certificate or too many, or a nonce over 32 bytes.
    Malformed,
    /// It asks about a certificate of another authority, or by an unsupported hash.
    Unauthorized,
    /// The records or the signature failed.
    Internal,
    /// The client asked too often: it may ask again later.
    TryLater,
}

impl Refusal {
    /// The DER OCSP response that says so (unsigned, as RFC 6960 has it).
    pub fn response(self) -> Vec<u8> {
        let response = match self {
            Refusal::Malformed => OcspResponse::malformed_request(),
            Refusal::Unauthorized => OcspResponse::unauthorized(),
            Refusal::Internal => OcspResponse::internal_error(),
            Refusal::TryLater => OcspResponse::try_later(),
        };
        response
            .to_der()
            .expect("an OCSP response without body encodes")
    }
}

/// A request read and found to ask about this authority's certificates only.
pub struct StatusQuery {
    certificates: Vec<CertId>,
    nonce: Option<Extension>,
}

impl StatusQuery {
    /// The serials asked about, in the request's order: lower-case hex without leading zero
    /// bytes, as the records hold them.
    pub fn serials(&self) -> Vec<String> {
        self.certificates
            .iter()
            .map(|id| {
                app::pki::normalise_serial(&hex::encode(id.serial_number.as_bytes()))
                    .unwrap_or_default()
            })
            .collect()
    }
}

impl Pki {
    /// Reads a DER OCSP request about certificates of `family`.
    pub fn ocsp_query(&self, family: CaFamily, der: &[u8]) -> Result<StatusQuery, Refusal> {
        let request = OcspRequest::from_der(der).map_err(|_| Refusal::Malformed)?;
        let tbs = request.tbs_request;
        let certificates: Vec<CertId> = tbs.request_list.into_iter().map(|r| r.req_cert).collect();
        if certificates.is_empty() || certificates.len() > MAX_CERTIFICATES {
            return Err(Refusal::Malformed);
        }
        let nonce = tbs
            .request_extensions
            .unwrap_or_default()
            .into_iter()
            .find(|extension| extension.extn_id == ID_PKIX_OCSP_NONCE);
        if nonce
            .as_ref()
            .is_some_and(|nonce| nonce_length(nonce).is_none_or(|n| n == 0 || n > MAX_NONCE_BYTES))
        {
            return Err(Refusal::Malformed);
        }
        let issuer = self.ocsp_issuer(family).map_err(|_| Refusal::Internal)?;
        if !certificates.iter().all(|id| issuer.names(id)) {
            return Err(Refusal::Unauthorized);
        }
        Ok(StatusQuery {
            certificates,
            nonce,
        })
    }

    /// The signed DER response giving `statuses` (one per certificate of `query`, in order) at
    /// `now`, echoing the request's nonce. A certificate on the authority's own list of
    /// revocations (the one its CRL is made from) is revoked whatever `statuses` says: the
    /// records lag the CA where a revocation was made outside them (`huji pki revoke`), where
    /// they failed after the CA revoked, or where an extension moved them to the new serial.
    pub fn sign_ocsp_response(
        &self,
        family: CaFamily,
        query: &StatusQuery,
        statuses: &[OcspStatus],
        now: i64,
    ) -> Result<Vec<u8>, PkiError> {
        if query.certificates.len() != statuses.len() {
            return Err(PkiError::Ocsp("not one status per certificate".to_owned()));
        }
        let revoked = self.revoked(family)?;
        let statuses = query
            .serials()
            .into_iter()
            .zip(statuses)
            .map(|(serial, status)| {
                revoked
                    .iter()
                    .find(|(listed, _)| *listed == serial)
                    .map_or(*status, |(_, at)| OcspStatus::Revoked { at: *at })
            });
        let issuer = self.ocsp_issuer(family)?;
        let this_update = generalized(now)?;
        let next_update = generalized(now.saturating_add(RESPONSE_LIFETIME_SECONDS))?;
        let responses = query
            .certificates
            .iter()
            .zip(statuses)
            .map(|(id, status)| {
                Ok(SingleResponse {
                    cert_id: id.clone(),
                    cert_status: cert_status(status)?,
                    this_update,
                    next_update: Some(next_update),
                    single_extensions: None,
                })
            })
            .collect::<Result<Vec<_>, PkiError>>()?;
        let data = ResponseData {
            version: Version::V1,
            responder_id: ResponderId::ByName(issuer.certificate.tbs_certificate.subject.clone()),
            produced_at: this_update,
            responses,
            response_extensions: query.nonce.clone().map(|nonce| vec![nonce]),
        };
        let key = &self.authority(family).key;
        if key.algorithm() != &PKCS_ECDSA_P256_SHA256 {
            return Err(PkiError::Ocsp(
                "the authority's key is not ECDSA P-256".to_owned(),
            ));
        }
        let signature = key.sign(&data.to_der().map_err(encoding)?)?;
        let basic = BasicOcspResponse {
            tbs_response_data: data,
            signature_algorithm: AlgorithmIdentifierOwned {
                oid: ECDSA_WITH_SHA256,
                parameters: None,
            },
            signature: BitString::from_bytes(&signature).map_err(encoding)?,
            certs: Some(vec![issuer.certificate]),
        };
        OcspResponse::successful(basic)
            .and_then(|response| response.to_der())
            .map_err(encoding)
    }

    fn ocsp_issuer(&self, family: CaFamily) -> Result<Issuer, PkiError> {
        let pem = pem::parse(self.ca_certificate_pem(family))
            .map_err(|error| PkiError::Ocsp(error.to_string()))?;
        let certificate = Certificate::from_der(pem.contents()).map_err(encoding)?;
        let name = certificate
            .tbs_certificate
            .subject
            .to_der()
            .map_err(encoding)?;
        let key = certificate
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes()
            .to_vec();
        Ok(Issuer {
            certificate,
            name,
            key,
        })
    }
}

/// The authority as a CertID names it: by hashes of its name and of its public key.
struct Issuer {
    certificate: Certificate,
    /// DER Name.
    name: Vec<u8>,
    /// The subjectPublicKey BIT STRING's bytes.
    key: Vec<u8>,
}

impl Issuer {
    /// Whether `id` names this authority, under SHA-1 (what most clients send) or SHA-256.
    fn names(&self, id: &CertId) -> bool {
        // Parameters absent or NULL, as RFC 5754 has them: nothing else of the client's
        // choosing is echoed into what the authority signs.
        if id
            .hash_algorithm
            .parameters
            .as_ref()
            .is_some_and(|any| any.tag() != Tag::Null || !any.value().is_empty())
        {
            return false;
        }
        let algorithm = if id.hash_algorithm.oid == ID_SHA1 {
            &ring::digest::SHA1_FOR_LEGACY_USE_ONLY
        } else if id.hash_algorithm.oid == ID_SHA256 {
            &ring::digest::SHA256
        } else {
            return false;
        };
        let hash = |bytes: &[u8]| ring::digest::digest(algorithm, bytes);
        id.issuer_name_hash.as_bytes() == hash(&self.name).as_ref()
            && id.issuer_key_hash.as_bytes() == hash(&self.key).as_ref()
    }
}

/// The length of the nonce an extension carries: an OCTET STRING inside its value (RFC 8954),
/// or, as some clients send it, the value itself.
fn nonce_length(extension: &Extension) -> Option<usize> {
    let value = extension.extn_value.as_bytes();
    match x509_cert::der::asn1::OctetString::from_der(value) {
        Ok(inner) => Some(inner.as_bytes().len()),
        Err(_) => Some(value.len()),
    }
}

fn cert_status(status: OcspStatus) -> Result<CertStatus, PkiError> {
    Ok(match status {
        OcspStatus::Good => CertStatus::good(),
        OcspStatus::Unknown => CertStatus::unknown(),
        OcspStatus::Revoked { at } => CertStatus::revoked(RevokedInfo {
            revocation_time: generalized(at)?,
            revocation_reason: None,
        }),
        OcspStatus::OnHold { since } => CertStatus::revoked(RevokedInfo {
            revocation_time: generalized(since)?,
            revocation_reason: Some(CrlReason::CertificateHold),
        }),
    })
}

fn generalized(at: i64) -> Result<OcspGeneralizedTime, PkiError> {
    let seconds = u64::try_from(at).map_err(|_| PkiError::InvalidValidity)?;
    GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(seconds))
        .map(OcspGeneralizedTime)
        .map_err(|_| PkiError::InvalidValidity)
}

fn encoding(error: x509_cert::der::Error) -> PkiError {
    PkiError::Ocsp(error.to_string())
}
