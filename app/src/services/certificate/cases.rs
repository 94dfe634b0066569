//! The citizen certificate (自然人憑證, seed 002) as a declared state machine: its status in
//! the registration authority's records and what the counter may do to it (停用、復用、廢止、
//! 修改聯絡資料、修改公佈狀態、重設用戶代碼; C-3, C-5). The card services' store takes every
//! change through [`crate::cases::Work`] on this declaration.

use crate::cases::{Guard, Machine, Party, Reason, Refused, Rule, Text};
use crate::coded;
use crate::services::staff::role::Role;

coded! {
    /// 憑證狀態 as the registration authority records it (`moica_certificates.status`).
    /// Expiry and 待開卡 are not stored states: [`super::status::CertificateState::of`] adds
    /// them from the validity and the activation flag.
    pub enum CertificateStatus {
        /// 有效 (or 待開卡, or expired, by the other columns).
        Active = "active", "有效", "Active";
        /// 停用: nothing signs in with it until it is resumed.
        Suspended = "suspended", "停用", "Suspended";
        /// 廢止: final; the CRL lists it.
        Revoked = "revoked", "廢止", "Revoked";
    }
}

coded! {
    /// What is done to a citizen certificate. The codes of the counter's services are those
    /// of [`super::card_services::CardService`], which name their audit actions
    /// (`moica_services.suspend`).
    pub enum CertificateAction {
        /// The CA issued it and the RA recorded it as the holder's (C-2).
        Issue = "issue", "簽發", "Issue";
        /// 憑證 IC 卡停用.
        Suspend = "suspend", "停用", "Suspend";
        /// 憑證 IC 卡復用.
        Resume = "resume", "復用", "Resume";
        /// 憑證廢止 (本人親辦，不可回復).
        Revoke = "revoke", "廢止", "Revoke";
        /// 修改手機號碼、連絡用電子信箱.
        Contacts = "contacts", "修改聯絡資料", "Change contacts";
        /// 修改憑證公佈狀態.
        Publication = "publication", "修改公佈狀態", "Change publication";
        /// 重設用戶代碼 (C-3).
        ResetUserCode = "reset_user_code", "重設用戶代碼", "Reset the user code";
    }
}

/// The counter's refusal of a service the certificate's state does not allow; the counter's
/// registrars know this wording.
pub const WRONG_STATE: Text = Text::new(
    "此憑證目前的狀態無法辦理此項目（例如已廢止、已逾期，或復用一張未停用的憑證）。",
    "The certificate's state does not allow this (revoked, expired, or resuming one that is not suspended).",
);

/// What the certificate's guards read beyond its status.
pub struct CertificateFacts {
    /// Whether the certificate is still valid (now before its 有效迄止日期).
    pub in_force: bool,
}

fn in_force(facts: &CertificateFacts) -> Result<(), Text> {
    if facts.in_force {
        Ok(())
    } else {
        Err(WRONG_STATE)
    }
}

const IN_FORCE: Option<Guard<CertificateFacts>> = Some(Guard {
    name: "in force",
    check: in_force,
});

/// 戶政事務所 registrars serve the certificate's holder at the counter (C-5).
const REGISTRAR: &[Party] = &[Party::Staff(Role::HouseholdRegistrar)];

/// A citizen certificate in the RA's records.
pub struct MoicaCertificate;

impl Machine for MoicaCertificate {
    const TYPE: &'static str = "moica_services";
    const TITLE: &'static str = "自然人憑證 (citizen certificate)";
    const TABLE: &'static str = "moica_certificates";
    const KEY: &'static str = "id";
    const STATE_COLUMN: &'static str = "status";
    type State = CertificateStatus;
    type Action = CertificateAction;
    type Facts = CertificateFacts;

    const STARTS: &'static [(CertificateAction, CertificateStatus)] =
        &[(CertificateAction::Issue, CertificateStatus::Active)];

    const RULES: &'static [Rule<CertificateStatus, CertificateAction, CertificateFacts>] = &[
        Rule {
            from: &[CertificateStatus::Active],
            action: CertificateAction::Suspend,
            by: REGISTRAR,
            guard: IN_FORCE,
            to: CertificateStatus::Suspended,
        },
        Rule {
            from: &[CertificateStatus::Suspended],
            action: CertificateAction::Resume,
            by: REGISTRAR,
            guard: IN_FORCE,
            to: CertificateStatus::Active,
        },
        // Revocation stays possible after expiry: the CRL should list a withdrawn card.
        Rule {
            from: &[CertificateStatus::Active, CertificateStatus::Suspended],
            action: CertificateAction::Revoke,
            by: REGISTRAR,
            guard: None,
            to: CertificateStatus::Revoked,
        },
        Rule {
            from: &[CertificateStatus::Active],
            action: CertificateAction::Contacts,
            by: REGISTRAR,
            guard: IN_FORCE,
            to: CertificateStatus::Active,
        },
        Rule {
            from: &[CertificateStatus::Suspended],
            action: CertificateAction::Contacts,
            by: REGISTRAR,
            guard: IN_FORCE,
            to: CertificateStatus::Suspended,
        },
        Rule {
            from: &[CertificateStatus::Active],
            action: CertificateAction::Publication,
            by: REGISTRAR,
            guard: IN_FORCE,
            to: CertificateStatus::Active,
        },
        Rule {
            from: &[CertificateStatus::Suspended],
            action: CertificateAction::Publication,
            by: REGISTRAR,
            guard: IN_FORCE,
            to: CertificateStatus::Suspended,
        },
        // Only an active card is keyed for a reset: a suspended one is resumed first.
        Rule {
            from: &[CertificateStatus::Active],
            action: CertificateAction::ResetUserCode,
            by: REGISTRAR,
            guard: IN_FORCE,
            to: CertificateStatus::Active,
        },
    ];

    fn not_now(_: CertificateStatus, _: CertificateAction) -> Refused {
        Refused::text(Reason::NotNow, WRONG_STATE)
    }

    /// Another counter changed the certificate a moment ago.
    fn overtaken() -> Refused {
        Refused::text(Reason::Overtaken, WRONG_STATE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::{transition, Code};

    const REGISTRAR_PARTY: Party = Party::Staff(Role::HouseholdRegistrar);
    const PARTIES: [Party; 4] = [
        REGISTRAR_PARTY,
        Party::Staff(Role::HouseholdClerk),
        Party::Citizen,
        Party::System,
    ];

    /// Every (state, action, party) of the certificate at the counter, against the allowed
    /// transitions written out here a second time from the seed (C-3, C-5): whatever is not
    /// listed is refused, and an expired certificate may only be revoked.
    #[test]
    fn c_5_every_certificate_transition_allowed_and_refused() {
        use CertificateAction::*;
        use CertificateStatus::*;
        let allowed: &[(CertificateStatus, CertificateAction, CertificateStatus)] = &[
            (Active, Suspend, Suspended),
            (Suspended, Resume, Active),
            (Active, Revoke, Revoked),
            (Suspended, Revoke, Revoked),
            (Active, Contacts, Active),
            (Suspended, Contacts, Suspended),
            (Active, Publication, Active),
            (Suspended, Publication, Suspended),
            (Active, ResetUserCode, Active),
        ];
        for in_force in [true, false] {
            let facts = CertificateFacts { in_force };
            for &state in CertificateStatus::ALL {
                for &action in CertificateAction::ALL {
                    for party in PARTIES {
                        let expected = allowed
                            .iter()
                            .find(|(s, a, _)| (*s, *a) == (state, action))
                            .filter(|_| party == REGISTRAR_PARTY)
                            .filter(|_| in_force || action == Revoke)
                            .map(|(.., to)| *to);
                        let got = transition::<MoicaCertificate>(state, action, party, &facts).ok();
                        assert_eq!(
                            got, expected,
                            "{state:?} {action:?} by {party:?}, in force {in_force}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn c_5_a_refused_service_is_told_in_the_counters_words() {
        let revoked = transition::<MoicaCertificate>(
            CertificateStatus::Revoked,
            CertificateAction::Resume,
            REGISTRAR_PARTY,
            &CertificateFacts { in_force: true },
        )
        .expect_err("revoked is final");
        assert_eq!(revoked.zh_tw, WRONG_STATE.zh_tw);
        let expired = transition::<MoicaCertificate>(
            CertificateStatus::Active,
            CertificateAction::Suspend,
            REGISTRAR_PARTY,
            &CertificateFacts { in_force: false },
        )
        .expect_err("expired");
        assert_eq!(expired.reason, Reason::Guard("in force"));
        assert_eq!(expired.english, WRONG_STATE.english);
    }

    #[test]
    fn c_3_only_an_active_certificate_in_force_has_its_user_code_reset() {
        let suspended = transition::<MoicaCertificate>(
            CertificateStatus::Suspended,
            CertificateAction::ResetUserCode,
            REGISTRAR_PARTY,
            &CertificateFacts { in_force: true },
        );
        assert_eq!(suspended.map_err(|r| r.reason), Err(Reason::NotNow));
    }
}
