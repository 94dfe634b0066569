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

/// The letter of a linking case's number (`A1151202-000001`): `A` for agency, as `L` is
/// already the loss reports' and `M` the certificate applications'.
const PREFIX: char = 'A';

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

/// Files `application` with its `documents` for the agency `agency_code` (the work's actor):
/// refused with nothing written unless every document the application needs is there (and no
/// other). Returns the case number.
pub async fn file(
    work: &mut Work<'_>,
    agency_code: &str,
    application: &Application,
    documents: Vec<Upload>,
) -> Result<String, PortalError> {
    documents::check_complete(application, &documents).map_err(first_error)?;
    let now = work.now;
    let id = next_id(work.conn(), now).await?;
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
    .await?;
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
