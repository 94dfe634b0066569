//! Filing an application (seed 001 step 1, L-1) in one unit of work: the case row, its data
//! items and documents, the case's start and its first step, taken through the engine.

use super::cases::{LinkAction, LinkAttrs, LinkCase, LinkStatus, Linking, Step};
use super::documents::{self, Upload};
use super::form::Application;
use crate::cases::work::Work;
use crate::cases::Code;
use crate::error::PortalError;
use crate::platform::clock::case_reference;
use serde::Serialize;
use sqlx::AnyConnection;

/// The letter of a linking case's number (`A1151202-000001`).
const PREFIX: char = crate::cases::number::letter::AGENCY_LINK;

/// The audit details of a filing.
#[derive(Serialize)]
struct Filed<'a> {
    agency: &'a str,
    interface: &'static str,
    data_kind: &'static str,
    county: &'static str,
    items: Vec<&'static str>,
    documents: Vec<&'static str>,
}

/// The next case number of the day of `now`: the day's count plus one. On PostgreSQL the
/// table is locked against other writers first (SQLite's write transaction already holds the
/// database), so two filings at once never draw the same number; filings are a handful a day.
async fn next_id(conn: &mut AnyConnection, now: i64) -> Result<String, PortalError> {
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query("LOCK TABLE agency_links IN EXCLUSIVE MODE")
            .execute(&mut *conn)
            .await?;
    }
    let first = case_reference(PREFIX, 0, now);
    let day = first.split_once('-').map_or(first.as_str(), |(day, _)| day);
    let filed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agency_links WHERE id LIKE $1")
        .bind(format!("{day}-%"))
        .fetch_one(&mut *conn)
        .await?;
    Ok(case_reference(PREFIX, filed + 1, now))
}

/// How many applications an agency may file in 24 hours, whatever became of them: with at
/// most one case in progress per interface and data kind (eight at once), this stops a loop of
/// filing and withdrawing from filling the county units' inboxes and the document store.
pub const FILINGS_PER_DAY: i64 = 10;

/// Refuses a filing over the caps: a case already in progress for the same interface and data
/// kind (the schema's `agency_links_one_in_progress` enforces it too), or
/// [`FILINGS_PER_DAY`] filings in the last 24 hours. Called once [`next_id`] holds the table,
/// so two filings at once are counted one after the other.
async fn check_caps(
    conn: &mut AnyConnection,
    agency_code: &str,
    application: &Application,
    now: i64,
) -> Result<(), PortalError> {
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM agency_links WHERE agency_code = $1 AND interface = $2 \
         AND data_kind = $3 AND status = $4",
    )
    .bind(agency_code)
    .bind(application.interface.code())
    .bind(application.data_kind.code())
    .bind(LinkStatus::InProgress.code())
    .fetch_one(&mut *conn)
    .await?;
    if open > 0 {
        return Err(already_in_progress(application));
    }
    let today: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM agency_links WHERE agency_code = $1 AND filed_at > $2",
    )
    .bind(agency_code)
    .bind(now - 24 * 60 * 60)
    .fetch_one(&mut *conn)
    .await?;
    if today >= FILINGS_PER_DAY {
        return Err(PortalError::Refused {
            zh_tw: format!(
                "貴機關於 24 小時內已提出 {FILINGS_PER_DAY} 件申請，已達上限，請稍後再提出。"
            ),
            english: format!(
                "Your agency filed {FILINGS_PER_DAY} applications in the last 24 hours, the \
                 most allowed; file again later."
            ),
        });
    }
    Ok(())
}

fn already_in_progress(application: &Application) -> PortalError {
    use crate::i18n::Lang::{English, ZhTw};
    PortalError::Refused {
        zh_tw: format!(
            "貴機關已有一件「{}」{}之申請案件辦理中；請待該案辦結或撤回後再提出申請。",
            application.interface.label(ZhTw),
            application.data_kind.label(ZhTw),
        ),
        english: format!(
            "Your agency already has a case in progress for {} ({}); wait until it is \
             finished, or withdraw it, before filing again.",
            application.interface.label(English),
            application.data_kind.label(English).to_lowercase(),
        ),
    }
}

/// Files `application` with its `documents` for the agency `agency_code` (the work's actor):
/// refused with nothing written unless every document the application needs is there (and no
/// other) and the agency is within the caps ([`check_caps`]). Returns the case number.
pub async fn file(
    work: &mut Work<'_>,
    agency_code: &str,
    application: &Application,
    documents: Vec<Upload>,
) -> Result<String, PortalError> {
    documents::check_complete(application, &documents).map_err(first_error)?;
    let now = work.now;
    let id = next_id(work.conn(), now).await?;
    check_caps(work.conn(), agency_code, application, now).await?;
    sqlx::query(
        "INSERT INTO agency_links (id, agency_code, interface, data_kind, county, first_vpn, \
         status, revision, filed_at, host_address, application) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10)",
    )
    .bind(&id)
    .bind(agency_code)
    .bind(application.interface.code())
    .bind(application.data_kind.code())
    .bind(application.county.name())
    .bind(application.first_vpn)
    .bind(LinkStatus::InProgress.code())
    .bind(now)
    .bind(application.host_address.to_string())
    .bind(application.details_json())
    .execute(work.conn())
    .await
    .map_err(|error| match &error {
        sqlx::Error::Database(database) if database.is_unique_violation() => {
            already_in_progress(application)
        }
        _ => error.into(),
    })?;
    for item in &application.items {
        sqlx::query("INSERT INTO agency_link_items (link_id, item) VALUES ($1, $2)")
            .bind(&id)
            .bind(item.code())
            .execute(work.conn())
            .await?;
    }
    let detail = Filed {
        agency: agency_code,
        interface: application.interface.code(),
        data_kind: application.data_kind.code(),
        county: application.county.name(),
        items: application.items.iter().map(|item| item.code()).collect(),
        documents: documents.iter().map(|upload| upload.kind.code()).collect(),
    };
    let actor = work.actor;
    for upload in documents {
        documents::attach(
            work.conn(),
            &id,
            upload.kind,
            &upload.file_name,
            upload.bytes,
            actor,
            now,
        )
        .await?;
    }
    work.start::<LinkCase>(
        id.as_str(),
        LinkAction::File,
        LinkStatus::InProgress,
        &detail,
    )
    .await?;
    let read = work
        .read_steps::<Linking>(&id)
        .await?
        .ok_or_else(|| PortalError::unavailable(format!("agency link {id} vanished")))?;
    let attrs = LinkAttrs {
        interface: application.interface,
    };
    work.step::<Linking>(&read, Step::S01File, &attrs, &(), None, &detail)
        .await?;
    Ok(id)
}

/// The documents' errors as one refusal naming the first (the form already names each one).
fn first_error(errors: Vec<PortalError>) -> PortalError {
    errors
        .into_iter()
        .next()
        .unwrap_or(PortalError::Unavailable)
}
