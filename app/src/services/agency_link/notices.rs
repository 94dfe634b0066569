//! Who is told (issue 18, L-21): whenever a change makes a step of a case ready, the party
//! whose inbox receives it is mailed, in the change's own unit of work (the outbox, F-7) — the
//! agency at its registered address, a staff party at the addresses of its active members (for
//! the county unit, those of the case's county and data kind). A send-back tells the agency
//! why; a withdrawal tells those whose steps it took away; the go-live and a cancellation tell
//! both sides of the link. No mail carries a 密碼表, a key or an ID number: only the case
//! number, the step and a link to the case page.

use super::cases::{LinkStatus, Linking, Step, AGENCY, COUNTY};
use super::procedure::party_name;
use super::{LinkSummary, AGENCY_CASE_PATH, STAFF_CASE_PATH};
use crate::cases::machine::Party;
use crate::cases::steps::progress;
use crate::cases::work::{Mail, Work};
use crate::cases::workflow::ready;
use crate::cases::Code;
use crate::error::PortalError;
use crate::i18n::Lang::{English, ZhTw};

const SERVICE: &str = "機關連結申請";

/// Where the notices of `party` on `case` go: the agency's registered address, or those of the
/// party's active staff members (the county unit's of the case's county and data kind).
async fn addresses(
    work: &mut Work<'_>,
    case: &LinkSummary,
    party: Party,
) -> Result<Vec<String>, PortalError> {
    let now = work.now;
    let addresses = match party {
        AGENCY => {
            sqlx::query_scalar("SELECT email FROM agencies WHERE code = $1")
                .bind(&case.agency_code)
                .fetch_all(work.conn())
                .await?
        }
        COUNTY => {
            sqlx::query_scalar(
                "SELECT email FROM staff WHERE role = $1 AND jurisdiction_county = $2 \
             AND jurisdiction_office IS NULL AND disabled_at IS NULL \
             AND certificate_not_after > $3 AND email IS NOT NULL ORDER BY id",
            )
            .bind(case.data_kind.county_role().code())
            .bind(&case.county)
            .bind(now)
            .fetch_all(work.conn())
            .await?
        }
        Party::Staff(role) => {
            sqlx::query_scalar(
                "SELECT email FROM staff WHERE role = $1 AND jurisdiction_county IS NULL \
             AND disabled_at IS NULL AND certificate_not_after > $2 AND email IS NOT NULL \
             ORDER BY id",
            )
            .bind(role.code())
            .bind(now)
            .fetch_all(work.conn())
            .await?
        }
        _ => Vec::new(),
    };
    Ok(addresses)
}

/// The case page `party` opens.
fn case_link(origin: &str, party: Party, id: &str) -> String {
    let path = if party == AGENCY {
        AGENCY_CASE_PATH
    } else {
        STAFF_CASE_PATH
    };
    format!("{origin}{path}?id={id}")
}

/// What one kind of notice on a case says, to any of its addressees.
trait Notice {
    fn subject(&self, case: &LinkSummary) -> String;
    /// The text, with `link` to the case page of the party it goes to.
    fn body(&self, case: &LinkSummary, link: &str) -> String;
}

/// A notice on `case` to one address `to`.
struct Addressed<'a, N> {
    to: &'a str,
    case: &'a LinkSummary,
    link: &'a str,
    notice: &'a N,
}

impl<N: Notice> Mail for Addressed<'_, N> {
    fn to(&self) -> &str {
        self.to
    }

    fn subject(&self) -> String {
        self.notice.subject(self.case)
    }

    fn body(&self) -> String {
        self.notice.body(self.case, self.link)
    }
}

/// Mails `notice` on `case` to every address of `party`, with the case page `party` opens.
async fn tell<N: Notice + Sync>(
    work: &mut Work<'_>,
    origin: &str,
    case: &LinkSummary,
    party: Party,
    notice: &N,
) -> Result<(), PortalError> {
    let link = case_link(origin, party, &case.id);
    for to in addresses(work, case, party).await? {
        work.mail(&Addressed {
            to: &to,
            case,
            link: &link,
            notice,
        })
        .await?;
    }
    Ok(())
}

/// `party`'s name on `case`, in zh-TW and in English (lower case, inside a sentence).
fn names(party: Party, case: &LinkSummary) -> (String, String) {
    (
        party_name(party, Some(case.data_kind), ZhTw).to_owned(),
        party_name(party, Some(case.data_kind), English).to_lowercase(),
    )
}

/// Mails every party whose step of `case` became ready with the change in `work`: the steps
/// ready now (read in the work, after the change) and not among `before`.
pub async fn tell_ready(
    work: &mut Work<'_>,
    origin: &str,
    case: &LinkSummary,
    before: &[Step],
) -> Result<(), PortalError> {
    let after = progress::<Linking>(work.conn(), &case.id).await?;
    let attrs = super::cases::LinkAttrs {
        interface: case.interface,
    };
    for step in ready::<Linking>(&after, &attrs) {
        if before.contains(&step) {
            continue;
        }
        let party = step.party();
        tell(work, origin, case, party, &StepReady { step, party }).await?;
    }
    Ok(())
}

/// Mails the agency that `by` sent `case` back, with the reason (L-6).
pub async fn tell_sent_back(
    work: &mut Work<'_>,
    origin: &str,
    case: &LinkSummary,
    by: Party,
    reason: &str,
) -> Result<(), PortalError> {
    tell(work, origin, case, AGENCY, &SentBack { by, reason }).await
}

/// Mails `parties` that `case` is now `status` (withdrawn, live or cancelled).
pub async fn tell_status(
    work: &mut Work<'_>,
    origin: &str,
    case: &LinkSummary,
    status: LinkStatus,
    parties: &[Party],
) -> Result<(), PortalError> {
    let mut told: Vec<Party> = Vec::new();
    for &party in parties {
        if told.contains(&party) {
            continue;
        }
        told.push(party);
        tell(work, origin, case, party, &StatusChanged { status, party }).await?;
    }
    Ok(())
}

/// Mails the county unit that a reissued 密碼表 of `case` waits for it to hand over.
pub async fn tell_password_waiting(
    work: &mut Work<'_>,
    origin: &str,
    case: &LinkSummary,
) -> Result<(), PortalError> {
    tell(work, origin, case, COUNTY, &PasswordWaiting).await
}

/// To the county unit: 戶政司 issued the case's 密碼表 again, to be handed over.
struct PasswordWaiting;

impl Notice for PasswordWaiting {
    fn subject(&self, case: &LinkSummary) -> String {
        format!(
            "[{SERVICE}] {id} 密碼表重新核發待交付 / Agency linking {id}: a new password table to hand over",
            id = case.id
        )
    }

    fn body(&self, case: &LinkSummary, link: &str) -> String {
        let (unit_zh, unit_en) = names(COUNTY, case);
        format!(
            "{unit_zh} 您好：\n\n\
             戶政司已重新核發{agency}機關連結申請案件（案件編號 {id}）之密碼表，原密碼表即日起失效。\
             請登入後至案件頁取得並轉交申請機關（僅顯示一次）：\n{link}\n\n\
             To {unit_en}: the Department of Household Registration issued the password table of \
             case {id} ({agency}) again; the old one no longer works. Sign in and open the case \
             to hand it over to the agency (it is shown once):\n{link}\n",
            agency = case.agency_name,
            id = case.id,
        )
    }
}

/// To a party: a step of a case waits in its inbox.
struct StepReady {
    step: Step,
    party: Party,
}

impl Notice for StepReady {
    fn subject(&self, case: &LinkSummary) -> String {
        format!(
            "[{SERVICE}] {id} 待辦理：{step_zh} / Agency linking {id}: {step_en}",
            id = case.id,
            step_zh = self.step.label(ZhTw),
            step_en = self.step.label(English),
        )
    }

    fn body(&self, case: &LinkSummary, link: &str) -> String {
        let (unit_zh, unit_en) = names(self.party, case);
        format!(
            "{unit_zh} 您好：\n\n\
             {agency}之機關連結申請案件（案件編號 {id}，{interface_zh}）已可辦理下列步驟，請登入後至案件頁辦理：\n\
             {step_zh}\n{link}\n\n\
             To {unit_en}: the agency linking case {id} of {agency} ({interface_en}) is ready for \
             this step, waiting for you. Sign in and open the case:\n{step_en}\n{link}\n",
            agency = case.agency_name,
            id = case.id,
            interface_zh = case.interface.label(ZhTw),
            interface_en = case.interface.label(English),
            step_zh = self.step.label(ZhTw),
            step_en = self.step.label(English),
        )
    }
}

/// To the agency: its case was sent back, and why.
struct SentBack<'a> {
    by: Party,
    reason: &'a str,
}

impl Notice for SentBack<'_> {
    fn subject(&self, case: &LinkSummary) -> String {
        format!(
            "[{SERVICE}] {id} 退回補正 / Agency linking {id}: sent back",
            id = case.id
        )
    }

    fn body(&self, case: &LinkSummary, link: &str) -> String {
        let (by_zh, by_en) = names(self.by, case);
        format!(
            "{agency} 您好：\n\n\
             貴機關之機關連結申請案件（案件編號 {id}）經{by_zh}退回補正，理由如下：\n{reason}\n\
             請修正後於案件頁重新提出申請：\n{link}\n\n\
             Your agency linking case {id} was sent back by {by_en} for this reason (above). \
             Amend it and file it again on the case page:\n{link}\n",
            agency = case.agency_name,
            id = case.id,
            reason = self.reason,
        )
    }
}

/// To a party: the case was withdrawn, went live or was cancelled.
struct StatusChanged {
    status: LinkStatus,
    party: Party,
}

impl Notice for StatusChanged {
    fn subject(&self, case: &LinkSummary) -> String {
        format!(
            "[{SERVICE}] {id} {status_zh} / Agency linking {id}: {status_en}",
            id = case.id,
            status_zh = self.status.label(ZhTw),
            status_en = self.status.label(English).to_lowercase(),
        )
    }

    fn body(&self, case: &LinkSummary, link: &str) -> String {
        let (unit_zh, unit_en) = names(self.party, case);
        format!(
            "{unit_zh} 您好：\n\n\
             {agency}之機關連結申請案件（案件編號 {id}，{interface_zh}）已{status_zh}。\n{link}\n\n\
             To {unit_en}: the agency linking case {id} of {agency} ({interface_en}) is now {status_en}.\n{link}\n",
            agency = case.agency_name,
            id = case.id,
            interface_zh = case.interface.label(ZhTw),
            interface_en = case.interface.label(English),
            status_zh = self.status.label(ZhTw),
            status_en = self.status.label(English).to_lowercase(),
        )
    }
}
