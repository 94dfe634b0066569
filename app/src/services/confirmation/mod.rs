//! 自然人憑證用戶身分確認服務 (seed 003, SPEC I-1…I-4): government agencies and financial
//! institutions register application systems whose users sign in with their 自然人憑證; an
//! enabled system asks whether a citizen certificate belongs to an ID number and is valid now.
//! This module holds the vocabulary and the records; the mutual-TLS API is `server::confirm`.

#[cfg(feature = "ssr")]
pub mod answer;
#[cfg(feature = "ssr")]
pub mod systems;

#[cfg(feature = "ssr")]
use crate::pki::CaFamily;

crate::coded! {
    /// 申請機關(構) (I-1, 要點二): who may register a system.
    pub enum ApplicantKind {
        /// 政府機關(構): its server certificate comes from GCA.
        Agency = "agency", "政府機關(構)", "Government agency";
        /// 受金融監督管理委員會監督之金融服務業: its server certificate comes from MOEACA or XCA.
        Financial = "financial", "金融服務業", "Financial institution";
    }
}

#[cfg(feature = "ssr")]
impl ApplicantKind {
    /// Whether a server certificate issued by `family` fits this applicant (要點三(一)).
    pub fn accepts(self, family: CaFamily) -> bool {
        match self {
            ApplicantKind::Agency => family == CaFamily::Gca,
            ApplicantKind::Financial => matches!(family, CaFamily::Moeaca | CaFamily::Xca),
        }
    }
}

crate::coded! {
    /// The grounds on which the ministry may stop a system without a request (要點六, I-4).
    pub enum StopGround {
        /// (一) 申請文件內容經查證記載不實.
        FalseData = "false_data", "申請文件內容經查證記載不實", "The application was false";
        /// (二) 因裁撤、合併或整編而變更名稱或業務調整.
        Reorganisation = "reorganisation", "申請機關(構)裁撤、合併或整編",
            "The applicant was dissolved, merged or reorganised";
        /// (三) 因移撥或業務移轉，造成申請機關(構)之權責變更.
        Transfer = "transfer", "應用系統移撥或業務移轉", "The system or its business moved elsewhere";
        /// (四) 違反第五點規定.
        RuleViolation = "rule_violation", "違反第五點規定", "Rule 5 was broken";
        /// (五) 嚴重耗損本系統效能，經要求限期改善仍未有效辦理.
        HeavyLoad = "heavy_load", "嚴重耗損本系統效能且逾期未改善",
            "Heavy load not fixed by the deadline";
    }
}

crate::coded! {
    /// A citizen certificate's status as the confirmation API answers it (I-3).
    pub enum ConfirmedStatus {
        /// 有效: issued, activated, not suspended, revoked or expired.
        Valid = "valid", "有效", "Valid";
        /// 停用, or a mailed card not activated yet: it may come back.
        Suspended = "suspended", "停用", "Suspended";
        /// 廢止: final.
        Revoked = "revoked", "廢止", "Revoked";
        /// Past its validity.
        Expired = "expired", "已逾期", "Expired";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i_1_each_applicant_presents_a_server_certificate_of_its_own_authority() {
        let accepted = |kind: ApplicantKind| {
            CaFamily::ALL
                .into_iter()
                .filter(|family| kind.accepts(*family))
                .collect::<Vec<_>>()
        };
        assert_eq!(accepted(ApplicantKind::Agency), [CaFamily::Gca]);
        assert_eq!(
            accepted(ApplicantKind::Financial),
            [CaFamily::Moeaca, CaFamily::Xca]
        );
    }
}
