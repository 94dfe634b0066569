//! Card sign-in (F-5, F-6): the one way companies (工商憑證), government agencies (機關憑證)
//! and staff (自然人憑證) prove who they are. The page reads the card's certificate through the
//! card helper, the person types the PIN into the page and it goes to the helper only, the card
//! signs a single-use server challenge, and the server checks certificate and signature before
//! opening a session.

pub mod island;
pub mod pages;
mod refusal;
pub mod server;

pub use refusal::SignInRefusal;

use crate::domain::field_kind::FieldKind;
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// Who is signing in, which fixes the certificate asked for and where they land.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInKind {
    /// A company with its 工商憑證 and the 統一編號 typed beside it.
    Company,
    /// A back-office staff member with their 自然人憑證.
    Staff,
    /// A citizen with their own 自然人憑證, for the services that accept it (L4-3).
    Citizen,
    /// A government agency with its 機關憑證 (GCA) and the 機關代號 typed beside it (issue 18).
    Agency,
}

/// Who a page's visitor is signed in as, for the header beside 登出.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInParty {
    pub kind: SignInKind,
    /// The company's, agency's or staff member's name; a citizen's masked ID number.
    pub name: String,
}

impl SignInKind {
    /// What the header calls a party of this kind.
    pub fn party_label(self, lang: Lang) -> &'static str {
        match self {
            SignInKind::Company => lang.pick("公司", "Company"),
            SignInKind::Staff => lang.pick("工作人員", "Staff"),
            SignInKind::Citizen => lang.pick("民眾", "Citizen"),
            SignInKind::Agency => lang.pick("機關", "Agency"),
        }
    }
}

/// The number typed beside the card (統一編號, 機關代號), which must be the certificate's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypedId {
    /// The field's name and id, and the server function's argument.
    pub name: &'static str,
    pub kind: FieldKind,
    pub max_length: u8,
    /// Digits only, so that phones show the number pad.
    pub numeric: bool,
    zh_tw: &'static str,
    english: &'static str,
}

impl TypedId {
    pub fn label(self, lang: Lang) -> &'static str {
        lang.pick(self.zh_tw, self.english)
    }
}

impl SignInKind {
    /// The page after signing in, unless the visitor came from another one.
    pub fn landing(self) -> &'static str {
        match self {
            SignInKind::Company => "/company",
            SignInKind::Staff => "/admin",
            SignInKind::Citizen => "/id-card/loss/card",
            SignInKind::Agency => "/agency-link",
        }
    }

    /// The sign-in page itself.
    pub fn sign_in_path(self) -> &'static str {
        match self {
            SignInKind::Company => "/company/sign-in",
            SignInKind::Staff => "/admin/sign-in",
            SignInKind::Citizen => "/citizen/sign-in",
            SignInKind::Agency => "/agency/sign-in",
        }
    }

    /// The number typed beside the card, for the kinds that ask for one.
    pub fn typed_id(self) -> Option<TypedId> {
        match self {
            SignInKind::Company => Some(TypedId {
                name: "business_id",
                kind: FieldKind::BusinessId,
                max_length: 8,
                numeric: true,
                zh_tw: "營利事業統一編號",
                english: "Business ID (統一編號)",
            }),
            SignInKind::Agency => Some(TypedId {
                name: "agency_code",
                kind: FieldKind::AgencyCode,
                max_length: 10,
                numeric: false,
                zh_tw: "機關代號",
                english: "Agency code (機關代號)",
            }),
            SignInKind::Staff | SignInKind::Citizen => None,
        }
    }

    /// The name of the card, as the seeds write it.
    pub fn certificate_name(self, lang: Lang) -> &'static str {
        match self {
            SignInKind::Company => lang.pick("工商憑證", "business certificate (工商憑證)"),
            SignInKind::Agency => lang.pick("機關憑證", "agency certificate (機關憑證)"),
            SignInKind::Staff | SignInKind::Citizen => {
                lang.pick("自然人憑證", "citizen certificate (自然人憑證)")
            }
        }
    }

    /// The PIN field's label: 工商憑證密碼 (PIN CODE) as on seed 000's forms.
    pub fn pin_label(self, lang: Lang) -> &'static str {
        match self {
            SignInKind::Company => lang.pick(
                "工商憑證密碼 (PIN CODE)",
                "Business certificate PIN (PIN CODE)",
            ),
            SignInKind::Agency => lang.pick("機關憑證 PIN 碼", "Agency certificate PIN"),
            SignInKind::Staff | SignInKind::Citizen => {
                lang.pick("自然人憑證 PIN 碼", "Citizen certificate PIN")
            }
        }
    }
}

/// What the page shows of the card before the PIN is typed, once the server has checked the
/// certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardHolder {
    /// The company's, agency's or person's name in the certificate.
    pub name: String,
    /// 統一編號, for business certificates.
    pub business_id: Option<String>,
    /// 機關代號, for agency certificates.
    pub agency_code: Option<String>,
    /// End of validity, as a ROC date-time.
    pub valid_until: String,
}
