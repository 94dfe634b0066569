//! What the household office reports upward about each loss report (通報, seed 004 (二)):
//! the vocabularies of `id_card_loss_events`, which the county and central views read.

use crate::coded;

coded! {
    /// 事項: what happened to a report.
    pub enum EventKind {
        Reported = "reported", "掛失", "Reported lost";
        /// 聯絡紀錄: a contact by the office, or the confirmation a revocation brings.
        Contact = "contact", "聯絡紀錄", "Contact";
        Revoked = "revoked", "撤銷掛失", "Revoked";
        /// 撤銷掛失密碼鎖碼: the third wrong revocation password (L4-2).
        Locked = "locked", "撤銷掛失密碼鎖碼", "Revocation locked";
    }
}

coded! {
    /// 聯絡方式.
    pub enum ContactMethod {
        Phone = "phone", "電話", "Telephone";
        Email = "email", "電子郵件", "E-mail";
        /// Recorded by the portal itself (a revocation confirms its report).
        System = "system", "系統自動", "Automatic";
    }
}

impl ContactMethod {
    /// The ways a clerk may have contacted the citizen.
    pub const BY_CLERK: [ContactMethod; 2] = [ContactMethod::Phone, ContactMethod::Email];
}
