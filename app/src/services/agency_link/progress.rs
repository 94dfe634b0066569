//! A case as its five parties work it (L-1 … L-21): who a signed-in person is on a case, the
//! inboxes of the steps waiting for each party, one case with its steps and timeline, and the
//! changes — a step taken (with what the step produces), a case sent back, withdrawn or
//! cancelled — each one unit of work on the engine.

use super::cases::{
    LinkAction, LinkAttrs, LinkCase, LinkStatus, Linking, Step, AGENCY, COUNTY, IT, MINISTRY,
    REVIEWERS, REVIEW_STEPS,
};
use super::documents;
use super::form::Details;
use super::items::Item;
use super::notices;
use super::papers::{papers_of, sheet::Filed};
use super::password_table::{self, PasswordTable};
use super::procedure::party_name;
use super::{addresses, keys};
use super::{CaseDetail, Environment, InboxRow, LinkSummary, StepState, StepView};
use crate::cases::actor::{Actor, NoDetail};
use crate::cases::machine::Party;
use crate::cases::steps::{done_at, progress};
use crate::cases::timeline::timeline;
use crate::cases::work::Work;
use crate::cases::workflow::{applies, ready, ready_since, rule, Progress};
use crate::cases::{Code, Reason, Refused, Text};
use crate::components::queue::Age;
use crate::domain::agency_code::AgencyCode;
use crate::error::PortalError;
use crate::i18n::Lang;
use crate::platform::auth::Principal;
use crate::platform::clock::roc_date_time;
use crate::platform::rows::RowExt;
use crate::platform::AppState;
use crate::services::staff::role::{Jurisdiction, Role};
use crate::services::staff::StaffMember;
use serde::Serialize;
use sqlx::{any::AnyRow, AnyConnection, Row};

/// Who is looking at or acting on cases.
pub enum Viewer {
    /// A government agency signed in with its 機關憑證.
    Agency { code: String },
    /// A staff member in their role and jurisdiction.
    Staff(StaffMember),
}

impl Viewer {
    /// The party this viewer is on `case`, or `None` if the case is none of theirs: an agency
    /// sees only its own cases, a county unit only its county's.
    pub fn party_on(&self, case: &LinkSummary) -> Option<Party> {
        match self {
            Viewer::Agency { code } => (*code == case.agency_code).then_some(AGENCY),
            Viewer::Staff(member) => match (member.role, &member.jurisdiction) {
                // The 民政局(處) has the county's household cases, the 役政單位 its military
                // ones (SPEC §2); neither sees the other's.
                (
                    role @ (Role::CountyOfficer | Role::CountyMilitaryOfficer),
                    Jurisdiction::County { county },
                ) => (*county == case.county && role == case.data_kind.county_role())
                    .then_some(COUNTY),
                (
                    role @ (Role::MinistryReviewer | Role::InformationServices | Role::ChtEngineer),
                    Jurisdiction::National,
                ) => Some(Party::Staff(role)),
                _ => None,
            },
        }
    }

    /// The viewer a signed-in `principal` is on agency linking cases: an agency still in the
    /// registry, a staff account still active; `None` for anyone else.
    pub async fn of(
        state: &AppState,
        principal: &Principal,
    ) -> Result<Option<Viewer>, PortalError> {
        match principal {
            Principal::Agency { code, .. } => {
                let mut conn = state.db.pool.acquire().await?;
                Ok(crate::services::agency::by_code(&mut conn, code)
                    .await?
                    .map(|agency| Viewer::Agency { code: agency.code }))
            }
            Principal::Staff { staff_id } => Ok(crate::services::staff::store::by_id(
                &state.db.pool,
                *staff_id,
            )
            .await?
            .map(Viewer::Staff)),
            Principal::Company { .. } | Principal::Citizen { .. } => Ok(None),
        }
    }

    /// The actor of this viewer's changes.
    pub fn actor(&self, source_ip: String) -> Actor {
        match self {
            Viewer::Agency { code } => Actor::agency(code, source_ip),
            // Both county units act as the workflow's one county party.
            Viewer::Staff(member) if member.role == Role::CountyMilitaryOfficer => Actor {
                party: COUNTY,
                ..Actor::staff(member, source_ip)
            },
            Viewer::Staff(member) => Actor::staff(member, source_ip),
        }
    }
}

const COLUMNS: &str = "l.id, l.agency_code, a.name AS agency_name, l.interface, l.data_kind, \
     l.county, l.status, l.filed_at, l.host_address, l.test_at, l.live_at";

fn summary(row: &AnyRow) -> Result<LinkSummary, PortalError> {
    Ok(LinkSummary {
        id: row.try_get("id")?,
        agency_code: row.try_get("agency_code")?,
        agency_name: row.try_get("agency_name")?,
        interface: row.code("interface")?,
        data_kind: row.code("data_kind")?,
        county: row.try_get("county")?,
        status: row.code("status")?,
        filed_at: roc_date_time(row.try_get("filed_at")?),
        host_address: row.try_get("host_address")?,
        test_at: row.try_get::<Option<i64>, _>("test_at")?.map(roc_date_time),
    })
}

/// Case `id` with its filing time, whoever asks (callers check the party).
pub(super) async fn load(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<(LinkSummary, i64)>, PortalError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM agency_links l JOIN agencies a ON a.code = l.agency_code \
         WHERE l.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some((summary(&row)?, row.try_get("filed_at")?)))
}

/// A case, with its filing time, if `viewer` is a party to it.
async fn visible(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    id: &str,
) -> Result<Option<(LinkSummary, Party, i64)>, PortalError> {
    let Some((case, filed_at)) = load(conn, id).await? else {
        return Ok(None);
    };
    Ok(viewer.party_on(&case).map(|party| (case, party, filed_at)))
}

/// Case `id` and `viewer`'s party on it, read in `work`; no such case when it is none of
/// theirs.
async fn case_for(
    work: &mut Work<'_>,
    viewer: &Viewer,
    id: &str,
) -> Result<(LinkSummary, Party), PortalError> {
    let (case, party, _) = visible(work.conn(), viewer, id)
        .await?
        .ok_or_else(no_such_case)?;
    Ok((case, party))
}

/// Case `id` and how far it has come, read in `work` for `viewer`, who must be its `party`.
async fn case_of(
    work: &mut Work<'_>,
    viewer: &Viewer,
    id: &str,
    party: Party,
) -> Result<(LinkSummary, Progress<Step>), PortalError> {
    let (case, by) = case_for(work, viewer, id).await?;
    if by != party {
        return Err(PortalError::Forbidden);
    }
    let steps = progress::<Linking>(work.conn(), id).await?;
    Ok((case, steps))
}

/// Records `action` on `case`, which leaves its status as it is.
async fn record(
    work: &mut Work<'_>,
    case: &LinkSummary,
    action: LinkAction,
) -> Result<(), PortalError> {
    work.act::<LinkCase>(case.id.as_str(), case.status, action)
        .detail(&NoDetail {})
        .run(&())
        .await?;
    Ok(())
}

/// A refusal: what is asked cannot be done at this point of the case.
fn not_now(text: Text) -> PortalError {
    Refused::text(Reason::NotNow, text).into()
}

fn no_such_case() -> PortalError {
    PortalError::Refused {
        zh_tw: "查無此申請案件。".into(),
        english: "There is no such case.".into(),
    }
}

fn attrs(case: &LinkSummary) -> LinkAttrs {
    LinkAttrs {
        interface: case.interface,
    }
}

fn due_working_days(step: Step) -> i64 {
    i64::from(rule::<Linking>(step).due_working_days)
}

/// The inbox of `viewer` (L-21): every step of a case in progress that is ready and theirs,
/// oldest first, with its age in working days since it became ready.
pub async fn inbox(state: &AppState, viewer: &Viewer) -> Result<Vec<InboxRow>, PortalError> {
    let mut conn = state.db.pool.acquire().await?;
    let now = state.clock.unix();
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM agency_links l JOIN agencies a ON a.code = l.agency_code \
         WHERE l.status = $1 ORDER BY l.filed_at, l.id"
    ))
    .bind(LinkStatus::InProgress.code())
    .fetch_all(&mut *conn)
    .await?;
    let mut inbox = Vec::new();
    for row in rows {
        let case = summary(&row)?;
        let Some(party) = viewer.party_on(&case) else {
            continue;
        };
        let filed_at: i64 = row.try_get("filed_at")?;
        let progress = progress::<Linking>(&mut conn, &case.id).await?;
        let times = done_at::<Linking>(&mut conn, &case.id).await?;
        for step in ready::<Linking>(&progress, &attrs(&case)) {
            if step.party() != party {
                continue;
            }
            let since = ready_since::<Linking>(&times, step, filed_at);
            inbox.push((
                since,
                InboxRow {
                    case: case.clone(),
                    step,
                    age: Age::since(&state.calendar, since, now, Some(due_working_days(step))),
                },
            ));
        }
    }
    inbox.sort_by_key(|(since, _)| *since);
    Ok(inbox.into_iter().map(|(_, row)| row).collect())
}

/// Every case `viewer` is a party to, newest first.
pub async fn cases(state: &AppState, viewer: &Viewer) -> Result<Vec<LinkSummary>, PortalError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM agency_links l JOIN agencies a ON a.code = l.agency_code \
         ORDER BY l.filed_at DESC, l.id"
    ))
    .fetch_all(&state.db.pool)
    .await?;
    let mut cases = Vec::new();
    for row in rows {
        let case = summary(&row)?;
        if viewer.party_on(&case).is_some() {
            cases.push(case);
        }
    }
    Ok(cases)
}

/// One case as `viewer` sees it: its steps, which of them are theirs now, and its timeline.
pub async fn detail(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    lang: Lang,
) -> Result<CaseDetail, PortalError> {
    let mut conn = state.db.pool.acquire().await?;
    let (case, party, _) = visible(&mut conn, viewer, id)
        .await?
        .ok_or_else(no_such_case)?;
    let progress = progress::<Linking>(&mut conn, id).await?;
    let times = done_at::<Linking>(&mut conn, id).await?;
    let link = attrs(&case);
    let open = case.status == LinkStatus::InProgress;
    let now_ready = if open {
        ready::<Linking>(&progress, &link)
    } else {
        Vec::new()
    };
    let steps = Step::ALL
        .iter()
        .map(|&step| StepView {
            step,
            party: party_name(step.party(), Some(case.data_kind), lang).to_owned(),
            state: match times.iter().find(|(done, _)| *done == step) {
                Some((_, at)) => StepState::Done {
                    at: roc_date_time(*at),
                },
                None if !applies::<Linking>(step, &link) => StepState::Skipped,
                None if now_ready.contains(&step) => StepState::Ready,
                None => StepState::Waiting,
            },
        })
        .collect();
    let mine: Vec<Step> = now_ready
        .iter()
        .copied()
        .filter(|step| step.party() == party)
        .collect();
    let may_send_back =
        open && REVIEWERS.contains(&party) && mine.iter().any(|step| REVIEW_STEPS.contains(step));
    let items =
        sqlx::query_scalar("SELECT item FROM agency_link_items WHERE link_id = $1 ORDER BY item")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let addresses = address_rows(&mut conn, &case, lang).await?;
    let gsn_vpn_filed = details(&mut conn, id).await?.gsn_vpn.is_some();
    let documents = documents::list(&mut conn, id).await?;
    let environment = match case.interface {
        super::cases::Interface::LinkVpn => Some(environment(&mut conn, &case.agency_code).await?),
        _ => None,
    };
    let keys = keys::view(&mut conn, id, party == AGENCY || party == IT).await?;
    let not_closed = matches!(case.status, LinkStatus::InProgress | LinkStatus::Live);
    let registered = progress.done.contains(&Step::S08Register);
    let may_reissue_password =
        not_closed && party == MINISTRY && progress.done.contains(&Step::S07MinistryReply);
    let may_hand_over_password = not_closed
        && party == COUNTY
        && registered
        && sealed_password(&mut conn, id).await?.is_some();
    Ok(CaseDetail {
        papers: papers_of(case.data_kind, gsn_vpn_filed),
        documents,
        addresses,
        keys,
        environment,
        may_reissue_password,
        may_hand_over_password,
        may_withdraw: open && party == AGENCY,
        may_cancel: case.status == LinkStatus::Live && party == AGENCY,
        timeline: timeline::<LinkCase>(&mut conn, id, lang).await?,
        case,
        items,
        steps,
        mine,
        may_send_back,
    })
}

/// The addresses 資訊服務司 assigned to `case` (step 6), as its page and its 申請表 list
/// them: what, the subnet, its mask; none before.
async fn address_rows(
    conn: &mut AnyConnection,
    case: &LinkSummary,
    lang: Lang,
) -> Result<Vec<(String, String, String)>, PortalError> {
    Ok(addresses::allocation(conn, &case.id)
        .await?
        .map(|allocation| {
            addresses::AddressKind::ALL
                .iter()
                .map(|kind| {
                    let network = allocation.of(*kind);
                    (
                        kind.name(case.interface, lang).to_owned(),
                        network.to_string(),
                        network.netmask().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default())
}

/// What the 申請表 of case `id` holds beyond the case row (`agency_links.application`),
/// parsed again through the domain types.
async fn details(conn: &mut AnyConnection, id: &str) -> Result<Details, PortalError> {
    let json: String = sqlx::query_scalar("SELECT application FROM agency_links WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    serde_json::from_str(&json)
        .map_err(|error| PortalError::unavailable(format!("{id}: unreadable application: {error}")))
}

/// Case `id` as filed, for its paper forms, if `viewer` is a party to it.
pub async fn filed(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    id: &str,
) -> Result<Option<Filed>, PortalError> {
    let Some((case, _, _)) = visible(conn, viewer, id).await? else {
        return Ok(None);
    };
    let items: Vec<String> =
        sqlx::query_scalar("SELECT item FROM agency_link_items WHERE link_id = $1")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let mut items = items
        .iter()
        .map(|code| {
            Item::from_code(code)
                .ok_or_else(|| PortalError::unavailable(format!("{id}: unknown item {code}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    items.sort_by_key(|item| Item::ALL.iter().position(|known| known == item));
    Ok(Some(Filed {
        addresses: address_rows(conn, &case, Lang::ZhTw).await?,
        details: details(conn, id).await?,
        case,
        items,
    }))
}

/// Whether `viewer` is a party to case `id`; `false` for a case that does not exist.
pub async fn is_party(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    id: &str,
) -> Result<bool, PortalError> {
    Ok(visible(conn, viewer, id).await?.is_some())
}

/// The user environment of agency `agency_code` on the 連結介面 server.
async fn environment(
    conn: &mut AnyConnection,
    agency_code: &str,
) -> Result<Environment, PortalError> {
    let row = sqlx::query(
        "SELECT created_at, created_for FROM agency_environments WHERE agency_code = $1",
    )
    .bind(agency_code)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(row) => Environment::Created {
            at: roc_date_time(row.try_get("created_at")?),
            case: row.try_get("created_for")?,
        },
        None => Environment::Absent,
    })
}

/// What a party enters with a step (beyond an optional note).
#[derive(Clone, Debug, Default)]
pub struct StepInput {
    pub note: Option<String>,
    /// Step 16: when the joint connection test takes place (Unix seconds).
    pub test_at: Option<i64>,
    /// Step 1 again: the corrected host address.
    pub host_address: Option<String>,
    /// Step 11: the certificate the agency's system signs its calls with, as posted.
    pub certificate: Option<String>,
}

/// The audit detail of a step.
#[derive(Serialize)]
struct StepDetail<'a> {
    step: &'a str,
    note: Option<&'a str>,
}

/// What taking a step produced for the person who took it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taken {
    /// It was the last step: the link is live.
    pub live: bool,
    /// Step 8: the 密碼表 the ministry made at step 7, shown this once to the county unit to
    /// hand over to the agency.
    pub password_table: Option<PasswordTable>,
    /// Step 14: the Iss key issued.
    pub iss_key: Option<String>,
}

const NOT_HERE: Text = Text::new(
    "此步驟須由其他方式完成。",
    "This step is not taken from this page.",
);

/// `viewer` takes `step` of case `id`: the step's own work (the user environment, the test
/// date…), the step recorded, and the go-live once both sides have confirmed it.
pub async fn take(
    state: &AppState,
    viewer: &Viewer,
    source_ip: String,
    id: &str,
    step: Step,
    input: StepInput,
) -> Result<Taken, PortalError> {
    take_via(state, viewer, source_ip, id, step, input, Via::Page).await
}

/// Step 18 (L-18): the agency `agency_code`'s test call to the link passed every check of the
/// link API (server/src/link), which calls this: the step is taken as the agency, through the
/// same declaration as every other step, and the moment the test passed is kept.
pub async fn take_test_call(
    state: &AppState,
    agency_code: &str,
    source_ip: String,
    id: &str,
) -> Result<Taken, PortalError> {
    let viewer = Viewer::Agency {
        code: agency_code.to_owned(),
    };
    let input = StepInput::default();
    take_via(
        state,
        &viewer,
        source_ip,
        id,
        Step::S18AgencyTest,
        input,
        Via::TestCall,
    )
    .await
}

/// The agency `agency_code`'s test call to case `id` was refused for `reason`: recorded on
/// the case's timeline and audit trail, so that every party sees why the test failed.
pub async fn record_failed_test(
    state: &AppState,
    agency_code: &str,
    source_ip: String,
    id: &str,
    reason: &str,
) -> Result<(), PortalError> {
    let viewer = Viewer::Agency {
        code: agency_code.to_owned(),
    };
    let actor = viewer.actor(source_ip);
    let mut work = Work::begin(&state.db, &actor, state.clock.unix()).await?;
    let (case, _) = case_for(&mut work, &viewer, id).await?;
    work.act::<LinkCase>(id, case.status, LinkAction::TestFailed)
        .note(reason)
        .detail(&ReasonDetail { reason })
        .run(&())
        .await?;
    work.commit().await
}

/// Where a step is taken from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Via {
    /// The case page's form.
    Page,
    /// The agency's own call to the link (step 18 only).
    TestCall,
}

async fn take_via(
    state: &AppState,
    viewer: &Viewer,
    source_ip: String,
    id: &str,
    step: Step,
    input: StepInput,
    via: Via,
) -> Result<Taken, PortalError> {
    let now = state.clock.unix();
    let origin = state.settings.public_origin.as_str();
    let actor = viewer.actor(source_ip);
    let mut work = Work::begin(&state.db, &actor, now).await?;
    let (case, _) = case_for(&mut work, viewer, id).await?;
    let read = work
        .read_steps::<Linking>(id)
        .await?
        .ok_or_else(no_such_case)?;
    let ready_before = ready::<Linking>(&read.progress, &attrs(&case));
    // The declaration decides first; the step's own work follows in the same unit.
    let detail = StepDetail {
        step: step.code(),
        note: input.note.as_deref(),
    };
    let next = work
        .step::<Linking>(
            &read,
            step,
            &attrs(&case),
            &(),
            input.note.as_deref(),
            &detail,
        )
        .await?;
    let mut password_table = None;
    let mut iss_key = None;
    match step {
        Step::S18AgencyTest if via == Via::TestCall => {
            sqlx::query("UPDATE agency_links SET test_passed_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(work.conn())
                .await?;
        }
        step if !step.taken_on_page() => return Err(not_now(NOT_HERE)),
        Step::S11AgencyKey => {
            let agency = AgencyCode::parse(&case.agency_code)
                .map_err(|_| PortalError::unavailable(format!("{id}: unreadable agency code")))?;
            let certificate = input.certificate.as_deref().unwrap_or_default();
            keys::hand_over(
                work.conn(),
                &state.trust.current(),
                id,
                &agency,
                certificate.as_bytes(),
                now,
            )
            .await?;
        }
        Step::S14IssKey => iss_key = Some(keys::issue_iss_key(work.conn(), id, now).await?),
        // Filed again after a send-back, with the host address corrected.
        Step::S01File => {
            let host = input
                .host_address
                .as_deref()
                .ok_or_else(|| PortalError::Field {
                    field: "host_address".into(),
                    zh_tw: "請填寫主機網路位址。".into(),
                    english: "Enter the host address.".into(),
                })?;
            sqlx::query("UPDATE agency_links SET host_address = $1 WHERE id = $2")
                .bind(host)
                .bind(id)
                .execute(work.conn())
                .await?;
        }
        Step::S06Addresses => {
            let host = addresses::parse_host(&case.host_address)
                .ok_or_else(|| PortalError::unavailable(format!("{id}: unreadable host")))?;
            addresses::allocate(work.conn(), id, host, &state.link_network, now).await?;
        }
        Step::S07MinistryReply => issue_sealed(state, &mut work, id).await?,
        Step::S08Register => {
            password_table = Some(hand_over_password(state, &mut work, id).await?);
            open_environment(&mut work, &case, now).await?;
        }
        Step::S16CountyTest => {
            let at = input.test_at.ok_or_else(|| PortalError::Field {
                field: "test_at".into(),
                zh_tw: "請填寫連結測試日期時間。".into(),
                english: "Enter the date and time of the connection test.".into(),
            })?;
            sqlx::query("UPDATE agency_links SET test_at = $1 WHERE id = $2")
                .bind(at)
                .bind(id)
                .execute(work.conn())
                .await?;
        }
        _ => {}
    }
    let live = crate::cases::workflow::complete::<Linking>(&next, &attrs(&case));
    if live {
        work.act::<LinkCase>(id, LinkStatus::InProgress, LinkAction::GoLive)
            .set("live_at", now)
            .detail(&NoDetail {})
            .run(&())
            .await?;
        notices::tell_status(
            &mut work,
            origin,
            &case,
            LinkStatus::Live,
            &[AGENCY, COUNTY],
        )
        .await?;
    } else {
        notices::tell_ready(&mut work, origin, &case, &ready_before).await?;
    }
    work.commit().await?;
    Ok(Taken {
        live,
        password_table,
        iss_key,
    })
}

/// Step 7, or a lost table issued again: a new 密碼表 (the old one stops working) sealed for
/// the county unit to hand over, in the change's work.
async fn issue_sealed(state: &AppState, work: &mut Work<'_>, id: &str) -> Result<(), PortalError> {
    let now = work.now;
    let table = password_table::issue(work.conn(), id, now).await?;
    let sealed = state
        .seal
        .seal(
            &format!("{}\n{}", table.agency_user, table.password),
            &seal_label(id),
        )
        .ok_or_else(|| PortalError::unavailable("sealing a 密碼表 failed"))?;
    sqlx::query("UPDATE agency_links SET password_sealed = $1 WHERE id = $2")
        .bind(sealed)
        .bind(id)
        .execute(work.conn())
        .await?;
    Ok(())
}

/// The sealed 密碼表 of case `id` the county unit has not handed over yet, if any.
async fn sealed_password(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<String>, PortalError> {
    Ok(
        sqlx::query_scalar("SELECT password_sealed FROM agency_links WHERE id = $1")
            .bind(id)
            .fetch_one(conn)
            .await?,
    )
}

/// The ministry's 戶政司 issues case `id`'s 密碼表 again, when the agency lost it: on a case
/// past step 7 and not closed. The old table stops working at once; the new one is sealed for
/// the county unit, which hands it over once — at step 8 if that is still to come, otherwise
/// with [`hand_over_reissued`], and is mailed that it waits.
pub async fn reissue_password(
    state: &AppState,
    viewer: &Viewer,
    source_ip: String,
    id: &str,
) -> Result<(), PortalError> {
    let actor = viewer.actor(source_ip);
    let mut work = Work::begin(&state.db, &actor, state.clock.unix()).await?;
    let (case, steps) = case_of(&mut work, viewer, id, MINISTRY).await?;
    if !steps.done.contains(&Step::S07MinistryReply) {
        return Err(not_now(Text::new(
            "密碼表於第7步函覆時始核發，本案尚未核發，無從重新核發。",
            "The password table is issued at step 7, which this case has not reached.",
        )));
    }
    record(&mut work, &case, LinkAction::ReissuePassword).await?;
    issue_sealed(state, &mut work, id).await?;
    if steps.done.contains(&Step::S08Register) {
        notices::tell_password_waiting(&mut work, &state.settings.public_origin, &case).await?;
    }
    work.commit().await
}

/// The county unit hands over case `id`'s reissued 密碼表, shown this once (as at step 8).
pub async fn hand_over_reissued(
    state: &AppState,
    viewer: &Viewer,
    source_ip: String,
    id: &str,
) -> Result<PasswordTable, PortalError> {
    let actor = viewer.actor(source_ip);
    let mut work = Work::begin(&state.db, &actor, state.clock.unix()).await?;
    let (case, steps) = case_of(&mut work, viewer, id, COUNTY).await?;
    if !steps.done.contains(&Step::S08Register) || sealed_password(work.conn(), id).await?.is_none()
    {
        return Err(not_now(Text::new(
            "本案沒有待交付之重新核發密碼表。",
            "This case has no reissued password table to hand over.",
        )));
    }
    record(&mut work, &case, LinkAction::HandOverPassword).await?;
    let table = hand_over_password(state, &mut work, id).await?;
    work.commit().await?;
    Ok(table)
}

fn seal_label(id: &str) -> String {
    format!("agency_link.password_table:{id}")
}

/// Step 8: the sealed 密碼表 opened for the county unit and forgotten, in the step's work.
async fn hand_over_password(
    state: &AppState,
    work: &mut Work<'_>,
    id: &str,
) -> Result<PasswordTable, PortalError> {
    let opened = sealed_password(work.conn(), id)
        .await?
        .and_then(|sealed| state.seal.open(&sealed, &seal_label(id)))
        .ok_or_else(|| PortalError::unavailable(format!("{id}: no 密碼表 to hand over")))?;
    let (agency_user, password) = opened
        .split_once('\n')
        .ok_or_else(|| PortalError::unavailable(format!("{id}: a malformed 密碼表")))?;
    sqlx::query("UPDATE agency_links SET password_sealed = NULL WHERE id = $1")
        .bind(id)
        .execute(work.conn())
        .await?;
    Ok(PasswordTable {
        agency_user: agency_user.to_owned(),
        password: password.to_owned(),
    })
}

/// Step 8: an agency's first 連結介面 registration creates its user environment on the
/// 連結介面 server (seed 001 step 8).
async fn open_environment(
    work: &mut Work<'_>,
    case: &LinkSummary,
    now: i64,
) -> Result<(), PortalError> {
    if case.interface != super::cases::Interface::LinkVpn {
        return Ok(());
    }
    let created = sqlx::query(
        "INSERT INTO agency_environments (agency_code, created_at, created_for) \
         SELECT $1, $2, $3 WHERE NOT EXISTS \
         (SELECT 1 FROM agency_environments WHERE agency_code = $1)",
    )
    .bind(&case.agency_code)
    .bind(now)
    .bind(&case.id)
    .execute(work.conn())
    .await?
    .rows_affected();
    audit_environment(work, "agency_link.environment.create", case, created).await
}

/// When an agency has no application left in progress or live, its user environment is
/// removed (seed 001 step 8).
async fn close_environment_if_unused(
    work: &mut Work<'_>,
    case: &LinkSummary,
) -> Result<(), PortalError> {
    let removed = sqlx::query(
        "DELETE FROM agency_environments WHERE agency_code = $1 AND NOT EXISTS \
         (SELECT 1 FROM agency_links WHERE agency_code = $1 AND status IN ($2, $3))",
    )
    .bind(&case.agency_code)
    .bind(LinkStatus::InProgress.code())
    .bind(LinkStatus::Live.code())
    .execute(work.conn())
    .await?
    .rows_affected();
    audit_environment(work, "agency_link.environment.remove", case, removed).await
}

/// Audits `action` on the agency's user environment for `case` when it `changed` the row.
async fn audit_environment(
    work: &mut Work<'_>,
    action: &str,
    case: &LinkSummary,
    changed: u64,
) -> Result<(), PortalError> {
    if changed == 1 {
        work.audit(
            action,
            &case.agency_code,
            &EnvironmentDetail { link: &case.id },
        )
        .await?;
    }
    Ok(())
}

#[derive(Serialize)]
struct EnvironmentDetail<'a> {
    link: &'a str,
}

#[derive(Serialize)]
struct ReasonDetail<'a> {
    reason: &'a str,
}

/// A reviewing party whose review step is ready sends case `id` back to the agency, for
/// `reason`: the agency amends and files again, and every step is taken again.
pub async fn send_back(
    state: &AppState,
    viewer: &Viewer,
    source_ip: String,
    id: &str,
    reason: &str,
) -> Result<(), PortalError> {
    let actor = viewer.actor(source_ip);
    let mut work = Work::begin(&state.db, &actor, state.clock.unix()).await?;
    let (case, party) = case_for(&mut work, viewer, id).await?;
    let read = work
        .read_steps::<Linking>(id)
        .await?
        .ok_or_else(no_such_case)?;
    let reviewing = ready::<Linking>(&read.progress, &attrs(&case))
        .into_iter()
        .any(|step| REVIEW_STEPS.contains(&step) && step.party() == party);
    if !reviewing {
        return Err(not_now(Text::new(
            "此案件目前不在您的審核步驟，不能退回。",
            "This case is not at one of your review steps: it cannot be sent back.",
        )));
    }
    work.send_back::<Linking>(&read, Step::S01File, &(), reason, &ReasonDetail { reason })
        .await?;
    addresses::release(work.conn(), id).await?;
    keys::forget(work.conn(), id).await?;
    notices::tell_sent_back(
        &mut work,
        &state.settings.public_origin,
        &case,
        party,
        reason,
    )
    .await?;
    work.commit().await
}

/// The agency withdraws case `id` before go-live.
pub async fn withdraw(
    state: &AppState,
    viewer: &Viewer,
    source_ip: String,
    id: &str,
) -> Result<(), PortalError> {
    close(state, viewer, source_ip, id, LinkAction::Withdraw).await
}

/// The agency cancels its live link `id`.
pub async fn cancel(
    state: &AppState,
    viewer: &Viewer,
    source_ip: String,
    id: &str,
) -> Result<(), PortalError> {
    close(state, viewer, source_ip, id, LinkAction::Cancel).await
}

async fn close(
    state: &AppState,
    viewer: &Viewer,
    source_ip: String,
    id: &str,
    action: LinkAction,
) -> Result<(), PortalError> {
    let now = state.clock.unix();
    let actor = viewer.actor(source_ip);
    let mut work = Work::begin(&state.db, &actor, now).await?;
    let (case, _) = case_for(&mut work, viewer, id).await?;
    // Those told: on a withdrawal every party a step was waiting for, on a cancellation both
    // sides of the link.
    let told: Vec<Party> = if case.status == LinkStatus::InProgress {
        let progress = progress::<Linking>(work.conn(), id).await?;
        ready::<Linking>(&progress, &attrs(&case))
            .into_iter()
            .map(Step::party)
            .collect()
    } else {
        vec![AGENCY, COUNTY]
    };
    let closed = work
        .act::<LinkCase>(id, case.status, action)
        .set("closed_at", now)
        .detail(&NoDetail {})
        .run(&())
        .await?;
    addresses::release(work.conn(), id).await?;
    password_table::revoke(work.conn(), id).await?;
    keys::forget(work.conn(), id).await?;
    close_environment_if_unused(&mut work, &case).await?;
    notices::tell_status(
        &mut work,
        &state.settings.public_origin,
        &case,
        closed,
        &told,
    )
    .await?;
    work.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::agency_link::cases::{DataKind, Interface};

    fn member(role: Role, jurisdiction: Jurisdiction) -> Viewer {
        Viewer::Staff(StaffMember {
            id: 7,
            name: "張役政".into(),
            role,
            jurisdiction,
            certificate_valid_until: String::new(),
        })
    }

    fn county(name: &str) -> Jurisdiction {
        Jurisdiction::County {
            county: name.into(),
        }
    }

    fn case(data_kind: DataKind) -> LinkSummary {
        LinkSummary {
            id: "A1121117-000001".into(),
            agency_code: "379130000C".into(),
            agency_name: "臺北市政府警察局".into(),
            interface: Interface::EgateInternet,
            data_kind,
            county: "臺北市".into(),
            status: LinkStatus::InProgress,
            filed_at: String::new(),
            host_address: "203.0.113.0/28".into(),
            test_at: None,
        }
    }

    #[test]
    fn l_2_household_cases_are_the_bureaus_and_military_cases_the_military_units() {
        let bureau = member(Role::CountyOfficer, county("臺北市"));
        let military = member(Role::CountyMilitaryOfficer, county("臺北市"));
        let elsewhere = member(Role::CountyMilitaryOfficer, county("新北市"));
        let household_case = case(DataKind::Household);
        let military_case = case(DataKind::Military);
        assert_eq!(bureau.party_on(&household_case), Some(COUNTY));
        assert_eq!(bureau.party_on(&military_case), None);
        assert_eq!(military.party_on(&military_case), Some(COUNTY));
        assert_eq!(military.party_on(&household_case), None);
        assert_eq!(elsewhere.party_on(&military_case), None);
        // The 役政單位 acts as the workflow's county party; the bureau is that party already.
        assert_eq!(military.actor("192.0.2.1".into()).party, COUNTY);
        assert_eq!(bureau.actor("192.0.2.1".into()).party, COUNTY);
        assert_eq!(
            party_name(COUNTY, Some(DataKind::Military), Lang::ZhTw),
            "直轄市、縣(市)役政單位"
        );
        assert_eq!(
            party_name(COUNTY, Some(DataKind::Household), Lang::ZhTw),
            "直轄市、縣(市)民政局(處)"
        );
    }
}
