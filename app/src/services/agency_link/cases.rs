//! Agency linking (seed 001, SPEC §2) as declared case types: the case's overall state
//! ([`LinkCase`], a machine: in progress → live, withdrawn, cancelled) and its progress
//! through the seed's 20 steps ([`Linking`], a workflow: who takes each step, which steps each
//! interface skips, the parallel branches and their joins). Pages, the store and the inboxes
//! (L-21) all read these two declarations.

use crate::cases::workflow::{Applies, StepRule, Workflow};
use crate::cases::{Machine, Party, Rule};
use crate::coded;
use crate::services::staff::role::Role;

coded! {
    /// The interface a case applies for (one case per interface, seed 001 step 1).
    pub enum Interface {
        /// 電子閘門, over the internet.
        EgateInternet = "egate_internet", "電子閘門", "E-gate (internet)";
        /// 電子閘門 (經由 GSN VPN 連線).
        EgateVpn = "egate_vpn", "電子閘門(經由GSN VPN連線)", "E-gate (GSN VPN)";
        /// 連結介面 (VPN).
        LinkVpn = "link_vpn", "連結介面(VPN)", "Link interface (VPN)";
        /// 戶役政資訊網站服務應用程式介面 (Web Service API, VPN).
        ApiVpn = "api_vpn", "Web Service API(VPN)", "Web Service API (VPN)";
    }
}

impl Interface {
    /// Whether the link runs over the GSN VPN: the seed's “連結介面、API 及電子閘門（經由 GSN
    /// VPN 連線）”, whose addresses the 資訊服務司 assigns and whose line 中華電信 builds.
    pub fn over_vpn(self) -> bool {
        !matches!(self, Interface::EgateInternet)
    }

    /// Whether the agency's certificate key is exchanged for an Iss key (steps 11–14): the
    /// seed's “電子閘門、電子閘門（經由 GSN VPN 連線）或 API”, every interface but 連結介面.
    pub fn exchanges_keys(self) -> bool {
        !matches!(self, Interface::LinkVpn)
    }

    /// The 申請表 the agency fills in for this interface (seed 001 step 1).
    pub fn form_title(self) -> &'static str {
        match self {
            Interface::EgateInternet => "各機關應用戶役政資訊電子閘門作業申請表",
            Interface::EgateVpn => "各機關應用戶役政資訊電子閘門(VPN)作業申請表",
            Interface::LinkVpn => "各機關應用戶役政資訊連結介面(VPN)申請表",
            Interface::ApiVpn => "各機關應用戶役政資訊 Web Service API (VPN) 申請表",
        }
    }
}

coded! {
    /// Whose data the agency asks for, which decides the county unit that receives the case.
    pub enum DataKind {
        /// 戶籍資料: the county 民政局(處); the 資料交換安全協議書 is filed too.
        Household = "household", "戶籍資料", "Household registration data";
        /// 兵籍資料: the county 役政單位.
        Military = "military", "兵籍資料", "Military service data";
    }
}

impl DataKind {
    /// The staff role of the county unit that receives a case for this data (SPEC §2): the
    /// 民政局(處) for household data, the 役政單位 for military data.
    pub fn county_role(self) -> Role {
        match self {
            DataKind::Household => Role::CountyOfficer,
            DataKind::Military => Role::CountyMilitaryOfficer,
        }
    }

    /// The county unit's name, as the case's pages and mail name the party of its county steps.
    pub fn county_unit(self, lang: crate::i18n::Lang) -> &'static str {
        match self {
            DataKind::Household => lang.pick(
                "直轄市、縣(市)民政局(處)",
                "The county civil affairs bureau",
            ),
            DataKind::Military => {
                lang.pick("直轄市、縣(市)役政單位", "The county military service unit")
            }
        }
    }
}

coded! {
    /// A case's overall state.
    pub enum LinkStatus {
        InProgress = "in_progress", "辦理中", "In progress";
        /// Both sides confirmed the go-live (steps 19, 20): the link answers calls.
        Live = "live", "已連結", "Live";
        /// The agency withdrew it before go-live.
        Withdrawn = "withdrawn", "已撤回", "Withdrawn";
        /// The agency cancelled the live link.
        Cancelled = "cancelled", "已取消", "Cancelled";
    }
}

coded! {
    /// What is done to a case as a whole; the steps themselves are [`Step`]s.
    pub enum LinkAction {
        /// Step 1: the agency files the application.
        File = "file", "提出申請", "File the application";
        /// A step of the workflow (the event names the step).
        Step = "step", "辦理步驟", "Take a step";
        /// A reviewing party returns the case to the agency with a reason.
        SendBack = "send_back", "退回補正", "Send back";
        /// The agency's connection test call (step 18) was refused: the timeline says why
        /// (server/src/link), and the step stays ready for another try.
        TestFailed = "test_failed", "連結測試未通過", "Connection test failed";
        /// The second go-live confirmation (step 19 or 20) makes the link live.
        GoLive = "go_live", "開始實際連結", "Go live";
        Withdraw = "withdraw", "撤回申請", "Withdraw";
        Cancel = "cancel", "取消連結", "Cancel the link";
        /// 戶政司 issues the 密碼表 again (a lost table, after step 7): the old one stops
        /// working at once.
        ReissuePassword = "reissue_password", "重新核發密碼表", "Issue the password table again";
        /// The county unit hands the reissued 密碼表 over to the agency, shown to it once (as at
        /// step 8).
        HandOverPassword = "hand_over_password", "交付重新核發之密碼表", "Hand over the reissued password table";
    }
}

coded! {
    /// The seed's 20 steps (L-1 … L-20), in its words.
    pub enum Step {
        S01File = "s01", "1. 申請機關填寫申請文件", "1. The agency files the application";
        S02Receive = "s02", "2. 戶役政單位受理申請文件", "2. The county unit receives the documents";
        S03CountyConfirm = "s03", "3. 戶役政單位審核並確認申請文件", "3. The county unit reviews and confirms the documents";
        S04AgencyConfirm = "s04", "4. 申請機關協同確認", "4. The agency confirms the documents with the county";
        S05MinistryReview = "s05", "5. 戶政司審核申請表", "5. The ministry reviews the application";
        S06Addresses = "s06", "6. 資訊服務司編訂網路位址", "6. Information Services assigns the addresses";
        S07MinistryReply = "s07", "7. 戶政司函覆申請表及密碼表", "7. The ministry returns the form and the password table";
        S08Register = "s08", "8. 戶役政單位資料登錄", "8. The county unit registers the agency";
        S09Firewall = "s09", "9. 資訊服務司設定防火牆", "9. Information Services sets the firewall";
        S10ChtAddress = "s10", "10. 中華電信設定IP及Port", "10. Chunghwa Telecom sets the IP and port";
        S11AgencyKey = "s11", "11. 申請機關提供機關憑證金鑰", "11. The agency hands over its certificate key";
        S12CountyKey = "s12", "12. 戶役政單位轉送金鑰", "12. The county unit forwards the key";
        S13MinistryKey = "s13", "13. 戶政司轉送金鑰", "13. The ministry forwards the key";
        S14IssKey = "s14", "14. 資訊服務司產製Iss key", "14. Information Services issues the Iss key";
        S15ChtLine = "s15", "15. 中華電信電路施工及連線測試", "15. Chunghwa Telecom builds and tests the line";
        S16CountyTest = "s16", "16. 戶役政單位排定連結測試", "16. The county unit schedules the connection test";
        S17ItTest = "s17", "17. 資訊服務司協助連結測試", "17. Information Services assists the test";
        S18AgencyTest = "s18", "18. 申請機關進行連結測試", "18. The agency's connection test";
        S19AgencyLive = "s19", "19. 申請機關確認實際連結", "19. The agency confirms going live";
        S20CountyLive = "s20", "20. 戶役政單位確認實際連結", "20. The county unit confirms going live";
    }
}

/// What decides which steps a case takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkAttrs {
    pub interface: Interface,
}

/// The applying agency.
pub const AGENCY: Party = Party::Agency;
/// The county unit of the case: the 民政局(處) for household data, the 役政單位 for military
/// data, of the case's county (its jurisdiction is checked when the case is loaded). The
/// declaration names one party for both; which staff role fills it is
/// [`DataKind::county_role`], and a 役政單位 officer acts on a military case as this party.
pub const COUNTY: Party = Party::Staff(Role::CountyOfficer);
/// 內政部戶政司.
pub const MINISTRY: Party = Party::Staff(Role::MinistryReviewer);
/// 內政部資訊服務司.
pub const IT: Party = Party::Staff(Role::InformationServices);
/// 中華電信.
pub const CHT: Party = Party::Staff(Role::ChtEngineer);

impl Step {
    /// The party that takes this step: the declaration names one for each step of seed 001.
    pub fn party(self) -> Party {
        crate::cases::workflow::rule::<Linking>(self).by[0]
    }

    /// Whether the step is taken on the case page. Step 18 is not: it is the agency system's
    /// own signed call to the link from its assigned address (server/src/link), which no
    /// button may stand in for.
    pub fn taken_on_page(self) -> bool {
        self != Step::S18AgencyTest
    }
}

const OVER_VPN: Applies<LinkAttrs> = Applies {
    name: "連結介面、API、電子閘門(GSN VPN)",
    check: |attrs| attrs.interface.over_vpn(),
};
const KEY_EXCHANGE: Applies<LinkAttrs> = Applies {
    name: "電子閘門、電子閘門(GSN VPN)、API",
    check: |attrs| attrs.interface.exchanges_keys(),
};

const fn step(
    step: Step,
    after: &'static [Step],
    by: &'static [Party],
    applies: Option<Applies<LinkAttrs>>,
    due_working_days: u32,
) -> StepRule<Step, LinkAttrs> {
    StepRule {
        step,
        after,
        by,
        all_confirm: false,
        applies,
        due_working_days,
    }
}

/// The parties who review the application and may send it back to the agency (steps 2, 3, 5,
/// 6): the county unit, the ministry and Information Services (an address conflict).
pub const REVIEWERS: &[Party] = &[COUNTY, MINISTRY, IT];

/// The steps a reviewer may send the case back from.
pub const REVIEW_STEPS: &[Step] = &[
    Step::S02Receive,
    Step::S03CountyConfirm,
    Step::S05MinistryReview,
    Step::S06Addresses,
];

/// The seed's flow chart, as declared steps. The working days are this portal's service
/// levels (the seed sets none): what a party should need for a step once it is ready.
pub struct Linking;

impl Workflow for Linking {
    type Case = LinkCase;
    const OPEN: LinkStatus = LinkStatus::InProgress;
    const STEP: LinkAction = LinkAction::Step;
    const SEND_BACK: LinkAction = LinkAction::SendBack;
    const TITLE: &'static str = "Agency linking steps (機關連結申請程序, seed 001)";
    type Step = Step;
    type Attrs = LinkAttrs;
    const STEPS: &'static [StepRule<Step, LinkAttrs>] = &[
        step(Step::S01File, &[], &[AGENCY], None, 0),
        step(Step::S02Receive, &[Step::S01File], &[COUNTY], None, 3),
        // 3 ∥ 4: the county unit and the agency confirm the documents together.
        step(
            Step::S03CountyConfirm,
            &[Step::S02Receive],
            &[COUNTY],
            None,
            7,
        ),
        step(
            Step::S04AgencyConfirm,
            &[Step::S02Receive],
            &[AGENCY],
            None,
            7,
        ),
        step(
            Step::S05MinistryReview,
            &[Step::S03CountyConfirm, Step::S04AgencyConfirm],
            &[MINISTRY],
            None,
            7,
        ),
        step(
            Step::S06Addresses,
            &[Step::S05MinistryReview],
            &[IT],
            Some(OVER_VPN),
            5,
        ),
        step(
            Step::S07MinistryReply,
            &[Step::S06Addresses],
            &[MINISTRY],
            None,
            5,
        ),
        step(
            Step::S08Register,
            &[Step::S07MinistryReply],
            &[COUNTY],
            None,
            5,
        ),
        // After the registration three branches run in parallel: the firewall; 中華電信's
        // address, port and line; the key exchange.
        step(Step::S09Firewall, &[Step::S08Register], &[IT], None, 5),
        step(
            Step::S10ChtAddress,
            &[Step::S08Register],
            &[CHT],
            Some(OVER_VPN),
            10,
        ),
        step(
            Step::S11AgencyKey,
            &[Step::S08Register],
            &[AGENCY],
            Some(KEY_EXCHANGE),
            10,
        ),
        step(
            Step::S12CountyKey,
            &[Step::S11AgencyKey],
            &[COUNTY],
            Some(KEY_EXCHANGE),
            3,
        ),
        step(
            Step::S13MinistryKey,
            &[Step::S12CountyKey],
            &[MINISTRY],
            Some(KEY_EXCHANGE),
            3,
        ),
        step(
            Step::S14IssKey,
            &[Step::S13MinistryKey],
            &[IT],
            Some(KEY_EXCHANGE),
            3,
        ),
        step(
            Step::S15ChtLine,
            &[Step::S10ChtAddress],
            &[CHT],
            Some(OVER_VPN),
            20,
        ),
        // The join: the test is scheduled once every branch that applies is finished.
        step(
            Step::S16CountyTest,
            &[Step::S09Firewall, Step::S14IssKey, Step::S15ChtLine],
            &[COUNTY],
            None,
            5,
        ),
        step(Step::S17ItTest, &[Step::S16CountyTest], &[IT], None, 5),
        // Taken by the agency's own signed test call, not by a form.
        step(Step::S18AgencyTest, &[Step::S17ItTest], &[AGENCY], None, 5),
        // 19 ∥ 20: both sides confirm the go-live.
        step(
            Step::S19AgencyLive,
            &[Step::S18AgencyTest],
            &[AGENCY],
            None,
            5,
        ),
        step(
            Step::S20CountyLive,
            &[Step::S18AgencyTest],
            &[COUNTY],
            None,
            5,
        ),
    ];
}

const AGENCY_ONLY: &[Party] = &[AGENCY];
const MINISTRY_ONLY: &[Party] = &[MINISTRY];
const COUNTY_ONLY: &[Party] = &[COUNTY];
const LIVE_CONFIRMERS: &[Party] = &[AGENCY, COUNTY];
const EVERY_PARTY: &[Party] = &[AGENCY, COUNTY, MINISTRY, IT, CHT];

/// An agency's linking case as a whole.
pub struct LinkCase;

impl Machine for LinkCase {
    const TYPE: &'static str = "agency_link.case";
    const TITLE: &'static str = "Agency linking case (機關連結申請, seed 001)";
    const TABLE: &'static str = "agency_links";
    const KEY: &'static str = "id";
    const STATE_COLUMN: &'static str = "status";
    type State = LinkStatus;
    type Action = LinkAction;
    type Facts = ();

    const STARTS: &'static [(LinkAction, LinkStatus)] =
        &[(LinkAction::File, LinkStatus::InProgress)];
    const RULES: &'static [Rule<LinkStatus, LinkAction, ()>] = &[
        Rule {
            from: &[LinkStatus::InProgress],
            action: LinkAction::Step,
            by: EVERY_PARTY,
            guard: None,
            to: LinkStatus::InProgress,
        },
        Rule {
            from: &[LinkStatus::InProgress],
            action: LinkAction::SendBack,
            by: REVIEWERS,
            guard: None,
            to: LinkStatus::InProgress,
        },
        Rule {
            from: &[LinkStatus::InProgress],
            action: LinkAction::TestFailed,
            by: AGENCY_ONLY,
            guard: None,
            to: LinkStatus::InProgress,
        },
        Rule {
            from: &[LinkStatus::InProgress],
            action: LinkAction::GoLive,
            by: LIVE_CONFIRMERS,
            guard: None,
            to: LinkStatus::Live,
        },
        Rule {
            from: &[LinkStatus::InProgress],
            action: LinkAction::Withdraw,
            by: AGENCY_ONLY,
            guard: None,
            to: LinkStatus::Withdrawn,
        },
        Rule {
            from: &[LinkStatus::Live],
            action: LinkAction::Cancel,
            by: AGENCY_ONLY,
            guard: None,
            to: LinkStatus::Cancelled,
        },
        // A lost 密碼表 is issued again and handed over on a case not closed; the step of the
        // table (7) must be done, which the service checks against the case's steps.
        Rule {
            from: &[LinkStatus::InProgress],
            action: LinkAction::ReissuePassword,
            by: MINISTRY_ONLY,
            guard: None,
            to: LinkStatus::InProgress,
        },
        Rule {
            from: &[LinkStatus::Live],
            action: LinkAction::ReissuePassword,
            by: MINISTRY_ONLY,
            guard: None,
            to: LinkStatus::Live,
        },
        Rule {
            from: &[LinkStatus::InProgress],
            action: LinkAction::HandOverPassword,
            by: COUNTY_ONLY,
            guard: None,
            to: LinkStatus::InProgress,
        },
        Rule {
            from: &[LinkStatus::Live],
            action: LinkAction::HandOverPassword,
            by: COUNTY_ONLY,
            guard: None,
            to: LinkStatus::Live,
        },
    ];

    fn action_label(code: &str, lang: crate::i18n::Lang) -> Option<&'static str> {
        use crate::cases::Code;
        LinkAction::from_code(code)
            .map(|action| action.label(lang))
            .or_else(|| Step::from_code(code).map(|step| step.label(lang)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::workflow::{applies, complete, ready, send_back, take, Progress};
    use crate::cases::{transition, Code, Reason};

    fn attrs(interface: Interface) -> LinkAttrs {
        LinkAttrs { interface }
    }

    #[test]
    fn l_21_every_step_names_one_party() {
        for step in Step::ALL {
            let rule = crate::cases::workflow::rule::<Linking>(*step);
            assert_eq!(rule.by, [step.party()], "{step:?}");
        }
    }

    fn taken(progress: &Progress<Step>, steps: &[Step], link: LinkAttrs) -> Progress<Step> {
        steps.iter().fold(progress.clone(), |progress, step| {
            take::<Linking>(&progress, *step, step.party(), &link)
                .unwrap_or_else(|refused| panic!("{step:?}: {refused:?}"))
        })
    }

    /// Takes every ready step, wave after wave, until none is left: the waves in order.
    fn waves(interface: Interface) -> Vec<Vec<Step>> {
        let link = attrs(interface);
        let mut progress = Progress::default();
        let mut waves = Vec::new();
        loop {
            let now = ready::<Linking>(&progress, &link);
            if now.is_empty() {
                break;
            }
            progress = taken(&progress, &now, link);
            waves.push(now);
        }
        assert!(complete::<Linking>(&progress, &link));
        waves
    }

    use Step::*;

    #[test]
    fn l_1_only_the_agency_files_and_filing_comes_first() {
        let link = attrs(Interface::ApiVpn);
        assert_eq!(ready::<Linking>(&Progress::default(), &link), [S01File]);
        let county = take::<Linking>(&Progress::default(), S01File, COUNTY, &link).unwrap_err();
        assert_eq!(county.reason, Reason::NotYours);
    }

    #[test]
    fn l_2_the_county_unit_receives_the_filed_documents() {
        let link = attrs(Interface::ApiVpn);
        let filed = taken(&Progress::default(), &[S01File], link);
        assert_eq!(ready::<Linking>(&filed, &link), [S02Receive]);
        assert_eq!(S02Receive.party(), COUNTY);
    }

    #[test]
    fn l_3_l_4_county_and_agency_confirm_together_and_both_are_needed() {
        let link = attrs(Interface::LinkVpn);
        let received = taken(&Progress::default(), &[S01File, S02Receive], link);
        assert_eq!(
            ready::<Linking>(&received, &link),
            [S03CountyConfirm, S04AgencyConfirm]
        );
        let county_only = taken(&received, &[S03CountyConfirm], link);
        assert_eq!(ready::<Linking>(&county_only, &link), [S04AgencyConfirm]);
        let early = take::<Linking>(&county_only, S05MinistryReview, MINISTRY, &link);
        assert_eq!(early.unwrap_err().reason, Reason::NotNow);
        let both = taken(&county_only, &[S04AgencyConfirm], link);
        assert_eq!(ready::<Linking>(&both, &link), [S05MinistryReview]);
    }

    #[test]
    fn l_5_the_ministry_reviews_the_form() {
        assert_eq!(S05MinistryReview.party(), MINISTRY);
        let waves = waves(Interface::EgateVpn);
        assert_eq!(waves[3], [S05MinistryReview]);
    }

    #[test]
    fn l_6_information_services_assigns_addresses_for_vpn_links_only() {
        assert_eq!(S06Addresses.party(), IT);
        for interface in [Interface::EgateVpn, Interface::LinkVpn, Interface::ApiVpn] {
            assert!(applies::<Linking>(S06Addresses, &attrs(interface)));
            assert_eq!(waves(interface)[4], [S06Addresses]);
        }
        let internet = attrs(Interface::EgateInternet);
        assert!(!applies::<Linking>(S06Addresses, &internet));
        let reviewed = taken(
            &Progress::default(),
            &[
                S01File,
                S02Receive,
                S03CountyConfirm,
                S04AgencyConfirm,
                S05MinistryReview,
            ],
            internet,
        );
        assert_eq!(ready::<Linking>(&reviewed, &internet), [S07MinistryReply]);
        let skipped = take::<Linking>(&reviewed, S06Addresses, IT, &internet).unwrap_err();
        assert_eq!(skipped.english, "This step does not apply to this case.");
    }

    #[test]
    fn l_7_the_ministry_replies_with_the_form_and_password_table() {
        assert_eq!(S07MinistryReply.party(), MINISTRY);
        assert_eq!(waves(Interface::ApiVpn)[5], [S07MinistryReply]);
        assert_eq!(waves(Interface::EgateInternet)[4], [S07MinistryReply]);
    }

    #[test]
    fn l_8_the_county_unit_registers_after_the_reply() {
        assert_eq!(S08Register.party(), COUNTY);
        assert_eq!(waves(Interface::LinkVpn)[6], [S08Register]);
    }

    #[test]
    fn l_9_l_10_l_11_firewall_line_and_keys_run_in_parallel() {
        assert_eq!(
            waves(Interface::ApiVpn)[7],
            [S09Firewall, S10ChtAddress, S11AgencyKey]
        );
        assert_eq!(S09Firewall.party(), IT);
        assert_eq!(S10ChtAddress.party(), CHT);
        assert_eq!(S11AgencyKey.party(), AGENCY);
        // 連結介面 exchanges no key; the internet e-gate has no line.
        assert_eq!(waves(Interface::LinkVpn)[7], [S09Firewall, S10ChtAddress]);
        assert_eq!(
            waves(Interface::EgateInternet)[6],
            [S09Firewall, S11AgencyKey]
        );
    }

    #[test]
    fn l_11_to_l_14_the_key_travels_agency_county_ministry_it() {
        let chain = [S11AgencyKey, S12CountyKey, S13MinistryKey, S14IssKey];
        assert_eq!(chain.map(Step::party), [AGENCY, COUNTY, MINISTRY, IT]);
        let waves = waves(Interface::EgateInternet);
        for (wave, step) in waves[6..10].iter().zip(chain) {
            assert!(wave.contains(&step), "{step:?} in {wave:?}");
        }
        for step in chain {
            assert!(!applies::<Linking>(step, &attrs(Interface::LinkVpn)));
            assert!(applies::<Linking>(step, &attrs(Interface::EgateVpn)));
        }
    }

    #[test]
    fn l_12_l_13_a_key_is_forwarded_only_once_it_has_arrived() {
        let link = attrs(Interface::ApiVpn);
        let registered = taken(
            &Progress::default(),
            &[
                S01File,
                S02Receive,
                S03CountyConfirm,
                S04AgencyConfirm,
                S05MinistryReview,
                S06Addresses,
                S07MinistryReply,
                S08Register,
            ],
            link,
        );
        let early = take::<Linking>(&registered, S12CountyKey, COUNTY, &link).unwrap_err();
        assert_eq!(early.reason, Reason::NotNow);
        let forwarded = taken(&registered, &[S11AgencyKey, S12CountyKey], link);
        assert!(ready::<Linking>(&forwarded, &link).contains(&S13MinistryKey));
    }

    #[test]
    fn l_15_chunghwa_telecom_builds_the_line_after_setting_the_address() {
        assert_eq!(S15ChtLine.party(), CHT);
        assert!(!applies::<Linking>(
            S15ChtLine,
            &attrs(Interface::EgateInternet)
        ));
        let waves = waves(Interface::LinkVpn);
        assert_eq!(waves[8], [S15ChtLine]);
    }

    #[test]
    fn l_16_the_test_is_scheduled_when_every_branch_is_finished() {
        let link = attrs(Interface::ApiVpn);
        let mut progress = taken(
            &Progress::default(),
            &[
                S01File,
                S02Receive,
                S03CountyConfirm,
                S04AgencyConfirm,
                S05MinistryReview,
                S06Addresses,
                S07MinistryReply,
                S08Register,
            ],
            link,
        );
        let branches = [
            S09Firewall,
            S10ChtAddress,
            S15ChtLine,
            S11AgencyKey,
            S12CountyKey,
            S13MinistryKey,
            S14IssKey,
        ];
        for step in branches {
            assert!(!ready::<Linking>(&progress, &link).contains(&S16CountyTest));
            progress = taken(&progress, &[step], link);
        }
        assert_eq!(ready::<Linking>(&progress, &link), [S16CountyTest]);
        assert_eq!(S16CountyTest.party(), COUNTY);
    }

    #[test]
    fn l_17_l_18_information_services_assists_then_the_agency_tests() {
        assert_eq!(S17ItTest.party(), IT);
        assert_eq!(S18AgencyTest.party(), AGENCY);
        let waves = waves(Interface::ApiVpn);
        let at = |step| waves.iter().position(|wave| wave.contains(&step)).unwrap();
        assert_eq!(at(S17ItTest), at(S16CountyTest) + 1);
        assert_eq!(at(S18AgencyTest), at(S17ItTest) + 1);
    }

    #[test]
    fn l_19_l_20_both_sides_confirm_the_go_live() {
        let waves = waves(Interface::EgateInternet);
        assert_eq!(waves.last().unwrap(), &[S19AgencyLive, S20CountyLive]);
        let link = attrs(Interface::EgateInternet);
        let all_but_last: Vec<Step> = waves[..waves.len() - 1].concat();
        let tested = taken(&Progress::default(), &all_but_last, link);
        let agency_only = taken(&tested, &[S19AgencyLive], link);
        assert!(!complete::<Linking>(&agency_only, &link));
        let twice = take::<Linking>(&agency_only, S19AgencyLive, AGENCY, &link).unwrap_err();
        assert_eq!(twice.english, "This step is already done.");
        assert!(complete::<Linking>(
            &taken(&agency_only, &[S20CountyLive], link),
            &link
        ));
    }

    #[test]
    fn l_1_to_l_20_each_interface_takes_the_steps_its_brackets_name() {
        let count = |interface| waves(interface).concat().len();
        // Every step but 6, 10, 15 (internet), every step but 11–14 (連結介面).
        assert_eq!(count(Interface::EgateInternet), 17);
        assert_eq!(count(Interface::EgateVpn), 20);
        assert_eq!(count(Interface::LinkVpn), 16);
        assert_eq!(count(Interface::ApiVpn), 20);
        assert_eq!(Step::ALL.len(), 20);
        for (index, step) in Step::ALL.iter().enumerate() {
            assert_eq!(step.code(), format!("s{:02}", index + 1));
        }
    }

    #[test]
    fn l_6_a_conflict_sends_the_case_back_to_the_agency_and_every_step_after() {
        let link = attrs(Interface::ApiVpn);
        let reviewed = taken(
            &Progress::default(),
            &[
                S01File,
                S02Receive,
                S03CountyConfirm,
                S04AgencyConfirm,
                S05MinistryReview,
            ],
            link,
        );
        let back = send_back::<Linking>(&reviewed, S01File);
        assert!(back.done.is_empty());
        assert_eq!(ready::<Linking>(&back, &link), [S01File]);
    }

    #[test]
    fn l_21_the_case_as_a_whole_follows_its_declaration() {
        use LinkAction as A;
        use LinkStatus as S;
        let staff = |role| Party::Staff(role);
        let allowed = [
            (S::InProgress, A::Step, AGENCY, S::InProgress),
            (S::InProgress, A::Step, CHT, S::InProgress),
            (S::InProgress, A::SendBack, COUNTY, S::InProgress),
            (S::InProgress, A::SendBack, MINISTRY, S::InProgress),
            (S::InProgress, A::SendBack, IT, S::InProgress),
            (S::InProgress, A::GoLive, AGENCY, S::Live),
            (S::InProgress, A::GoLive, COUNTY, S::Live),
            (S::InProgress, A::Withdraw, AGENCY, S::Withdrawn),
            (S::Live, A::Cancel, AGENCY, S::Cancelled),
            (S::InProgress, A::ReissuePassword, MINISTRY, S::InProgress),
            (S::Live, A::ReissuePassword, MINISTRY, S::Live),
            (S::InProgress, A::HandOverPassword, COUNTY, S::InProgress),
            (S::Live, A::HandOverPassword, COUNTY, S::Live),
        ];
        for (from, action, party, to) in allowed {
            assert_eq!(
                transition::<LinkCase>(from, action, party, &()),
                Ok(to),
                "{action:?} by {party:?} from {from:?}"
            );
        }
        let refused = [
            (
                S::InProgress,
                A::Step,
                staff(Role::HouseholdClerk),
                Reason::NotYours,
            ),
            (S::InProgress, A::Step, Party::Company, Reason::NotYours),
            (S::InProgress, A::SendBack, AGENCY, Reason::NotYours),
            (S::InProgress, A::SendBack, CHT, Reason::NotYours),
            (S::InProgress, A::Withdraw, COUNTY, Reason::NotYours),
            (S::InProgress, A::Cancel, AGENCY, Reason::NotNow),
            (S::Live, A::Step, AGENCY, Reason::NotNow),
            (S::Live, A::Withdraw, AGENCY, Reason::NotNow),
            (S::Withdrawn, A::Step, COUNTY, Reason::NotNow),
            (S::Withdrawn, A::Cancel, AGENCY, Reason::NotNow),
            (S::Cancelled, A::Cancel, AGENCY, Reason::NotNow),
            (S::InProgress, A::ReissuePassword, COUNTY, Reason::NotYours),
            (S::Withdrawn, A::ReissuePassword, MINISTRY, Reason::NotNow),
            (S::Cancelled, A::ReissuePassword, MINISTRY, Reason::NotNow),
            (S::Live, A::HandOverPassword, AGENCY, Reason::NotYours),
            (S::Withdrawn, A::HandOverPassword, COUNTY, Reason::NotNow),
        ];
        for (from, action, party, reason) in refused {
            let refusal = transition::<LinkCase>(from, action, party, &()).unwrap_err();
            assert_eq!(
                refusal.reason, reason,
                "{action:?} by {party:?} from {from:?}"
            );
        }
    }
}
