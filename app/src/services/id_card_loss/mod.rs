//! 國民身分證掛失暨撤銷掛失申請作業（免自然人憑證）(seed 004, SPEC L4-1, L4-2, L4-4): a
//! citizen reports the current ID card lost, looks up the reports, or revokes one, by answering
//! questions only the registry and the holder know; the household office follows each report
//! up (RL03Y00) and every step is visible to the county and the ministry.

pub mod card;
pub mod cases;
pub mod counter;
pub mod events;
pub mod form;
#[cfg(feature = "ssr")]
pub mod mail;
mod manifest;
pub mod office;
pub mod pages;
pub mod phone;
#[cfg(feature = "ssr")]
pub mod store;

pub use manifest::{IdCardLossRoutes, MANIFEST};

use crate::error::PortalError;
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// What the citizen came to do (申請類別).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LossOperation {
    /// 國民身分證掛失
    Report,
    /// 國民身分證掛失查詢
    Query,
    /// 國民身分證撤銷掛失
    Revoke,
}

impl LossOperation {
    pub const ALL: [LossOperation; 3] = [
        LossOperation::Report,
        LossOperation::Query,
        LossOperation::Revoke,
    ];

    pub fn path(self) -> &'static str {
        match self {
            LossOperation::Report => "/id-card/loss/report",
            LossOperation::Query => "/id-card/loss/query",
            LossOperation::Revoke => "/id-card/loss/revoke",
        }
    }

    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            LossOperation::Report => lang.pick("國民身分證掛失", "Report an ID card lost"),
            LossOperation::Query => lang.pick("國民身分證掛失查詢", "Look up loss reports"),
            LossOperation::Revoke => lang.pick("國民身分證撤銷掛失", "Revoke a loss report"),
        }
    }

    /// 撤銷掛失預設密碼 is set when reporting and needed to revoke; a query has no such field.
    pub fn asks_password(self) -> bool {
        !matches!(self, LossOperation::Query)
    }
}

/// A loss report as its citizen sees it (查詢).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LossRecord {
    pub reference: String,
    /// ROC date-times.
    pub reported_at: String,
    pub revoked_at: Option<String>,
    /// The card's issue date (ROC), to tell which card the report is for.
    pub card_issued_on: String,
}

/// What a submitted form came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LossOutcome {
    /// Fields that do not parse (each a [`PortalError::Field`]); nothing was looked up.
    Invalid(Vec<PortalError>),
    /// 掛失 done.
    Reported {
        reference: String,
        reported_at: String,
    },
    /// 查詢: the citizen's reports, newest first; empty means 無掛失紀錄.
    Records(Vec<LossRecord>),
    /// 撤銷掛失 done.
    Revoked {
        reference: String,
        revoked_at: String,
    },
}

/// The one answer to a form whose answers do not match the registry (L4-1): it never says
/// which field was wrong, nor whether the ID number exists.
pub fn identity_refusal() -> PortalError {
    PortalError::Refused {
        zh_tw: "驗證資料失敗，請確認資料是否輸入有誤。如無法確認資料，請撥打內政服務熱線 1996，或以自然人憑證辦理，或親自至戶政事務所辦理。".into(),
        english: "The details could not be verified. Please check what you entered. If you cannot, call the 1996 hotline, use your citizen certificate, or go to any household registration office.".into(),
    }
}
