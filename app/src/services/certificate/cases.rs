//! The citizen certificate (自然人憑證, seed 002) as a declared state machine: its status in
//! the registration authority's records and what the counter may do to it (停用、復用、廢止、
//! 修改聯絡資料、修改公佈狀態、重設用戶代碼; C-3, C-5), its 展期 online or at the counter and
//! the 開卡 of a mailed renewal card (C-4). The card services', the extension's and the
//! activation's stores take every change through [`crate::cases::Work`] on this declaration.

use super::extension::ExtensionRefusal;
use super::renewal::RenewalRefusal;
use crate::cases::{Guard, Machine, Party, Reason, Refused, Rule, Text};
use crate::coded;
use crate::domain::FieldError;
use crate::i18n::Lang;
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
        /// 展期 (C-4): the same card key certified anew, once, until 3 years after the original
        /// expiry; audited as `moica_extension.extend`.
        Extend = "extend", "展期", "Extend";
        /// 開卡 (C-4) of a mailed renewal card; audited as `moica_renewal.activate`.
        Activate = "activate", "開卡", "Activate";
    }
}

/// The counter's refusal of a service the certificate's state does not allow; the counter's
/// registrars know this wording.
pub const WRONG_STATE: Text = Text::new(
    "此憑證目前的狀態無法辦理此項目（例如已廢止、已逾期，或復用一張未停用的憑證）。",
    "The certificate's state does not allow this (revoked, expired, or resuming one that is not suspended).",
);

/// Where a certificate stands in its 展期 window (C-4), which opens 60 days before its expiry
/// and closes 3 years after it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExtensionWindow {
    #[default]
    NotYet,
    Open,
    Closed,
}

/// What the certificate's guards read beyond its status. A fact a store does not gather keeps
/// its default, which refuses the actions that read it.
#[derive(Clone, Copy, Debug, Default)]
pub struct CertificateFacts {
    /// Whether the certificate is still valid (now before its 有效迄止日期; for 開卡, also
    /// checked against the trust store).
    pub in_force: bool,
    /// Extended once already (每一張憑證展期僅限一次).
    pub extended: bool,
    /// Where the 展期 window stands now.
    pub window: ExtensionWindow,
    /// A mailed renewal card not activated yet (待開卡, a flag beside the status).
    pub awaiting_activation: bool,
}

impl CertificateFacts {
    /// Why these facts bar 展期 whatever the status: extended once already, or outside the
    /// window (in that order, as the page tells it); `None` when they allow it.
    pub fn extension_refusal(&self) -> Option<ExtensionRefusal> {
        if self.extended {
            return Some(ExtensionRefusal::AlreadyExtended);
        }
        match self.window {
            ExtensionWindow::NotYet => Some(ExtensionRefusal::NotYet),
            ExtensionWindow::Open => None,
            ExtensionWindow::Closed => Some(ExtensionRefusal::Closed),
        }
    }
}

/// A service's own refusal as the engine's text, so the pages keep their wording.
fn said(refusal: &impl FieldError) -> Text {
    Text::new(refusal.message(Lang::ZhTw), refusal.message(Lang::English))
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

fn once_in_window(facts: &CertificateFacts) -> Result<(), Text> {
    match facts.extension_refusal() {
        None => Ok(()),
        Some(refusal) => Err(said(&refusal)),
    }
}

const ONCE_IN_WINDOW: Option<Guard<CertificateFacts>> = Some(Guard {
    name: "not extended and in its window",
    check: once_in_window,
});

/// A card that needs no activation is told so before anything about its validity.
fn awaiting_and_valid(facts: &CertificateFacts) -> Result<(), Text> {
    if !facts.awaiting_activation {
        Err(said(&RenewalRefusal::NotAwaiting))
    } else if !facts.in_force {
        Err(said(&RenewalRefusal::NotValid))
    } else {
        Ok(())
    }
}

const AWAITING_AND_VALID: Option<Guard<CertificateFacts>> = Some(Guard {
    name: "awaiting activation and valid",
    check: awaiting_and_valid,
});

/// 戶政事務所 registrars serve the certificate's holder at the counter (C-5).
const REGISTRAR: &[Party] = &[Party::Staff(Role::HouseholdRegistrar)];

/// 展期: the holder online with the card, or a registrar at a counter for the holder or a
/// delegate (C-4).
const HOLDER_OR_REGISTRAR: &[Party] = &[Party::Citizen, Party::Staff(Role::HouseholdRegistrar)];

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
        // Also after expiry, until the window closes: that is what 展期 is for.
        Rule {
            from: &[CertificateStatus::Active],
            action: CertificateAction::Extend,
            by: HOLDER_OR_REGISTRAR,
            guard: ONCE_IN_WINDOW,
            to: CertificateStatus::Active,
        },
        // 待開卡 is a flag of an active certificate, not a state of its own.
        Rule {
            from: &[CertificateStatus::Active],
            action: CertificateAction::Activate,
            by: &[Party::Citizen],
            guard: AWAITING_AND_VALID,
            to: CertificateStatus::Active,
        },
    ];

    /// The counter's wording, except for the holder's own steps, which keep theirs.
    fn not_now(state: CertificateStatus, action: CertificateAction) -> Refused {
        let text = match (action, state) {
            (CertificateAction::Extend, CertificateStatus::Suspended) => {
                said(&ExtensionRefusal::Suspended)
            }
            (CertificateAction::Extend, _) => said(&ExtensionRefusal::Revoked),
            (CertificateAction::Activate, _) => said(&RenewalRefusal::NotValid),
            _ => WRONG_STATE,
        };
        Refused::text(Reason::NotNow, text)
    }

    /// Another counter changed the certificate a moment ago.
    fn overtaken() -> Refused {
        Refused::text(Reason::Overtaken, WRONG_STATE)
    }

    /// 展期 and 開卡 keep the audit rows the log knew them by (`moica_extension.extend`,
    /// `moica_renewal.activate`, on the card number), which their stores write.
    fn audit_action(action: CertificateAction) -> Option<String> {
        match action {
            CertificateAction::Extend | CertificateAction::Activate => None,
            _ => Some(format!(
                "{}.{}",
                Self::TYPE,
                crate::cases::Code::code(action)
            )),
        }
    }
}

/// `error`, or `instead` when it is the refusal of an action another request overtook (the
/// certificate changed between reading and writing): the holder's steps name what happened.
#[cfg(feature = "ssr")]
pub fn overtaken_as(
    error: crate::error::PortalError,
    instead: impl Into<crate::error::PortalError>,
) -> crate::error::PortalError {
    if error == crate::error::PortalError::from(MoicaCertificate::overtaken()) {
        instead.into()
    } else {
        error
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

    /// The facts, in the order of their fields.
    fn facts(
        in_force: bool,
        extended: bool,
        window: ExtensionWindow,
        awaiting: bool,
    ) -> CertificateFacts {
        CertificateFacts {
            in_force,
            extended,
            window,
            awaiting_activation: awaiting,
        }
    }

    /// Every combination of the facts the guards read.
    fn every_facts() -> Vec<CertificateFacts> {
        use ExtensionWindow::{Closed, NotYet, Open};
        let mut all = Vec::new();
        for in_force in [true, false] {
            for extended in [true, false] {
                for window in [NotYet, Open, Closed] {
                    for awaiting in [true, false] {
                        all.push(facts(in_force, extended, window, awaiting));
                    }
                }
            }
        }
        all
    }

    /// Every (state, action, party, facts) of the certificate, against the allowed transitions
    /// written out here a second time from the seed (C-3, C-4, C-5): whatever is not listed is
    /// refused. At the counter an expired certificate may only be revoked; 展期 is the holder's
    /// online or a registrar's, once, in its window; 開卡 is the holder's, of a valid card
    /// waiting for it.
    #[test]
    fn c_5_every_certificate_transition_allowed_and_refused() {
        use CertificateAction::*;
        use CertificateStatus::*;
        type When = fn(&CertificateFacts, CertificateAction) -> bool;
        let counter: When = |facts, action| facts.in_force || action == Revoke;
        let in_window: When = |facts, _| !facts.extended && facts.window == ExtensionWindow::Open;
        let mailed: When = |facts, _| facts.awaiting_activation && facts.in_force;
        let registrar: &[Party] = &[REGISTRAR_PARTY];
        let holder_or_registrar: &[Party] = &[Party::Citizen, REGISTRAR_PARTY];
        let holder: &[Party] = &[Party::Citizen];
        #[allow(clippy::type_complexity)]
        let allowed: &[(
            CertificateStatus,
            CertificateAction,
            CertificateStatus,
            &[Party],
            When,
        )] = &[
            (Active, Suspend, Suspended, registrar, counter),
            (Suspended, Resume, Active, registrar, counter),
            (Active, Revoke, Revoked, registrar, counter),
            (Suspended, Revoke, Revoked, registrar, counter),
            (Active, Contacts, Active, registrar, counter),
            (Suspended, Contacts, Suspended, registrar, counter),
            (Active, Publication, Active, registrar, counter),
            (Suspended, Publication, Suspended, registrar, counter),
            (Active, ResetUserCode, Active, registrar, counter),
            (Active, Extend, Active, holder_or_registrar, in_window),
            (Active, Activate, Active, holder, mailed),
        ];
        for facts in every_facts() {
            for &state in CertificateStatus::ALL {
                for &action in CertificateAction::ALL {
                    for party in PARTIES {
                        let expected = allowed
                            .iter()
                            .find(|(s, a, ..)| (*s, *a) == (state, action))
                            .filter(|(_, _, _, by, _)| by.contains(&party))
                            .filter(|(.., when)| when(&facts, action))
                            .map(|(_, _, to, ..)| *to);
                        let got = transition::<MoicaCertificate>(state, action, party, &facts).ok();
                        assert_eq!(
                            got, expected,
                            "{state:?} {action:?} by {party:?}, {facts:?}"
                        );
                    }
                }
            }
        }
    }

    /// The holder's steps are refused in the words their pages always used (C-4).
    #[test]
    fn c_4_extension_and_activation_are_refused_in_their_own_words() {
        use CertificateAction::{Activate, Extend};
        use CertificateStatus::*;
        use ExtensionRefusal as E;
        use ExtensionWindow::{Closed, NotYet, Open};
        use RenewalRefusal as R;
        let window = Reason::Guard("not extended and in its window");
        let waiting = Reason::Guard("awaiting activation and valid");
        let not_now = Reason::NotNow;
        #[rustfmt::skip]
        let cases = [
            (Suspended, Extend, facts(true, false, Open, false), not_now, said(&E::Suspended)),
            (Revoked, Extend, facts(true, false, Open, false), not_now, said(&E::Revoked)),
            (Active, Extend, facts(true, true, Open, false), window, said(&E::AlreadyExtended)),
            (Active, Extend, facts(true, false, NotYet, false), window, said(&E::NotYet)),
            (Active, Extend, facts(true, false, Closed, false), window, said(&E::Closed)),
            (Revoked, Activate, facts(true, false, Open, true), not_now, said(&R::NotValid)),
            (Active, Activate, facts(true, false, Open, false), waiting, said(&R::NotAwaiting)),
            (Active, Activate, facts(false, false, Open, true), waiting, said(&R::NotValid)),
        ];
        for (state, action, facts, reason, text) in cases {
            let refused = transition::<MoicaCertificate>(state, action, Party::Citizen, &facts);
            assert_eq!(
                refused,
                Err(Refused::text(reason, text)),
                "{state:?} {action:?} {facts:?}"
            );
        }
        // Their audit rows keep the names the log knew them by, written by their stores.
        assert_eq!(MoicaCertificate::audit_action(Extend), None);
        assert_eq!(MoicaCertificate::audit_action(Activate), None);
        assert_eq!(
            MoicaCertificate::audit_action(CertificateAction::Suspend).as_deref(),
            Some("moica_services.suspend")
        );
    }

    #[test]
    fn c_5_a_refused_service_is_told_in_the_counters_words() {
        let revoked = transition::<MoicaCertificate>(
            CertificateStatus::Revoked,
            CertificateAction::Resume,
            REGISTRAR_PARTY,
            &CertificateFacts {
                in_force: true,
                ..CertificateFacts::default()
            },
        )
        .expect_err("revoked is final");
        assert_eq!(revoked.zh_tw, WRONG_STATE.zh_tw);
        let expired = transition::<MoicaCertificate>(
            CertificateStatus::Active,
            CertificateAction::Suspend,
            REGISTRAR_PARTY,
            &CertificateFacts {
                in_force: false,
                ..CertificateFacts::default()
            },
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
            &CertificateFacts {
                in_force: true,
                ..CertificateFacts::default()
            },
        );
        assert_eq!(suspended.map_err(|r| r.reason), Err(Reason::NotNow));
    }
}
