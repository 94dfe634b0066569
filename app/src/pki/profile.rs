//! The subject profile shared by the checks and the development PKI: which certificate
//! authority is which, what each kind of certificate is for, and where its fields sit.

use serde::{Deserialize, Serialize};

/// The Taiwanese government certificate authorities the portal knows (SPEC F-4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaFamily {
    /// 政府憑證總管理中心: the root above the others.
    Grca,
    /// 工商憑證管理中心: business certificates (工商憑證) of companies.
    Moeaca,
    /// 內政部憑證管理中心: citizen certificates (自然人憑證).
    Moica,
    /// 政府憑證管理中心: certificates of government agencies (機關憑證) and their servers.
    Gca,
    /// 組織及團體憑證管理中心: certificates of organisations and their servers.
    Xca,
}

impl CaFamily {
    pub const ALL: [CaFamily; 5] = [
        CaFamily::Grca,
        CaFamily::Moeaca,
        CaFamily::Moica,
        CaFamily::Gca,
        CaFamily::Xca,
    ];

    /// The authorities that issue end-entity certificates (all but the root).
    pub const ISSUING: [CaFamily; 4] = [
        CaFamily::Moeaca,
        CaFamily::Moica,
        CaFamily::Gca,
        CaFamily::Xca,
    ];

    /// The authority's own name, as the real one writes it in the organizationalUnitName of
    /// its certificate (`C=TW, O=行政院, OU=工商憑證管理中心`).
    pub fn unit_name(self) -> &'static str {
        match self {
            CaFamily::Grca => "政府憑證總管理中心",
            CaFamily::Moeaca => "工商憑證管理中心",
            CaFamily::Moica => "內政部憑證管理中心",
            CaFamily::Gca => "政府憑證管理中心",
            CaFamily::Xca => "組織及團體憑證管理中心",
        }
    }

    /// A short ASCII name, used for file names and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            CaFamily::Grca => "grca",
            CaFamily::Moeaca => "moeaca",
            CaFamily::Moica => "moica",
            CaFamily::Gca => "gca",
            CaFamily::Xca => "xca",
        }
    }

    /// Reads a name written by [`CaFamily::code`].
    pub fn from_code(code: &str) -> Option<CaFamily> {
        CaFamily::ALL
            .into_iter()
            .find(|family| family.code().eq_ignore_ascii_case(code))
    }

    /// Recognises an authority by the organizationalUnitName of its certificate. Generations
    /// of the same authority (`工商憑證管理中心 - G2`) share the prefix; trust itself comes from
    /// the configured roots, never from this name.
    pub fn from_unit_name(unit: &str) -> Option<CaFamily> {
        // Longest names first, so that no authority is taken for another whose name it starts with.
        let mut families = CaFamily::ALL;
        families.sort_by_key(|family| std::cmp::Reverse(family.unit_name().len()));
        families
            .into_iter()
            .find(|family| unit.trim().starts_with(family.unit_name()))
    }
}

/// What a presented certificate is asked to prove.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Purpose {
    /// A company signs in with its 工商憑證 IC card (MOEACA); the subject carries the 統一編號.
    BusinessCard,
    /// A person signs in with their 自然人憑證 IC card (MOICA); the subject carries the name
    /// and the last four digits of the ID number.
    CitizenCard,
    /// A government agency signs in with its 機關憑證 IC card (GCA); the subject carries the
    /// 機關代號 (agency code) in serialNumber and the agency's name in commonName.
    AgencyCard,
    /// A company's software certificate for the verification API (seed 000), issued by MOEACA
    /// under [`API_CERTIFICATE_POLICY`]; it must carry the 統一編號 and an RSA key (RS256).
    ApiCertificate,
    /// A server certificate of an application system (SPEC I-1): GCA for agencies, MOEACA or
    /// XCA for financial institutions.
    ServerCertificate,
}

impl Purpose {
    /// Whether certificates for this purpose may come from `family`.
    pub fn accepts(self, family: CaFamily) -> bool {
        match self {
            Purpose::BusinessCard | Purpose::ApiCertificate => family == CaFamily::Moeaca,
            Purpose::CitizenCard => family == CaFamily::Moica,
            Purpose::AgencyCard => family == CaFamily::Gca,
            Purpose::ServerCertificate => {
                matches!(family, CaFamily::Gca | CaFamily::Moeaca | CaFamily::Xca)
            }
        }
    }
}

/// The certificate policy that marks a company's API certificate, as opposed to its IC card.
/// The arc is IANA's documentation enterprise number (RFC 5612) so that it can never clash with
/// a real policy.
pub const API_CERTIFICATE_POLICY: &[u64] = &[1, 3, 6, 1, 4, 1, 32473, 886, 1];

/// The subject attribute carrying the 統一編號 (business), the ID digits (citizen) or the
/// 機關代號 (agency): X.520 serialNumber.
pub const SUBJECT_SERIAL_NUMBER: &[u64] = &[2, 5, 4, 5];

/// The organizationName of every authority of the development PKI, so that none of its
/// certificates can be taken for a real one.
pub const DEVELOPMENT_ORGANIZATION: &str = "Huji 開發測試用 development PKI (not 行政院)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_recognised_by_their_unit_names_and_codes() {
        for family in CaFamily::ALL {
            assert_eq!(CaFamily::from_unit_name(family.unit_name()), Some(family));
            assert_eq!(CaFamily::from_code(family.code()), Some(family));
        }
        assert_eq!(
            CaFamily::from_unit_name("工商憑證管理中心 - G2"),
            Some(CaFamily::Moeaca)
        );
        assert_eq!(CaFamily::from_unit_name("Some other CA"), None);
    }

    #[test]
    fn i1_server_certificates_come_from_gca_moeaca_or_xca() {
        let accepted: Vec<_> = CaFamily::ALL
            .into_iter()
            .filter(|family| Purpose::ServerCertificate.accepts(*family))
            .collect();
        assert_eq!(accepted, [CaFamily::Moeaca, CaFamily::Gca, CaFamily::Xca]);
    }

    #[test]
    fn f4_each_card_comes_from_its_own_authority_only() {
        for (purpose, family) in [
            (Purpose::BusinessCard, CaFamily::Moeaca),
            (Purpose::CitizenCard, CaFamily::Moica),
            (Purpose::AgencyCard, CaFamily::Gca),
        ] {
            let accepted: Vec<_> = CaFamily::ALL
                .into_iter()
                .filter(|candidate| purpose.accepts(*candidate))
                .collect();
            assert_eq!(accepted, [family], "{purpose:?}");
        }
    }
}
