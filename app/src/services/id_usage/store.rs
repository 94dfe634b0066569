//! The citizen's calls, read from the three machine APIs' call logs by the keyed hash of their
//! ID number: the ids from the person's index and the calls not copied into it yet
//! ([`super::index::mine`]).

use super::index::{copied_through, mine, Log};
use super::{Confirmation, Confirmed, LinkQuery, Listing, UsageView, Verification, SHOWN};
use crate::cases::Code;
use crate::error::PortalError;
use crate::platform::auth;
use crate::platform::clock::roc_date_time;
use crate::platform::id_hash;
use crate::platform::AppState;
use crate::services::agency_link::cases::DataKind;
use crate::services::agency_link::items::{approved, Item, FOUND};
use crate::services::confirmation::systems::ANSWERED;
use crate::services::confirmation::ConfirmedStatus;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, FromRow};
use std::collections::HashMap;

/// The record of the citizen signed in with their certificate.
pub async fn record(state: &AppState) -> Result<UsageView, PortalError> {
    let (citizen_id, masked_id) = auth::require_citizen(state).await?;
    let pool = &state.db.pool;
    let (national_id, name): (String, String) =
        sqlx::query_as("SELECT national_id, name FROM citizens WHERE id = $1")
            .bind(citizen_id)
            .fetch_one(pool)
            .await?;
    let id_hash = state.id_key.hash(&national_id);
    Ok(UsageView {
        name,
        masked_id,
        verifications: verifications(pool, &id_hash).await?,
        link_queries: link_queries(pool, &id_hash).await?,
        confirmations: confirmations(pool, &id_hash).await?,
    })
}

/// The newest [`SHOWN`] of `rows` (read one more than shown), each made into what the page
/// lists.
fn listing<R, T>(rows: Vec<R>, row: impl FnMut(R) -> T) -> Listing<T> {
    let more = rows.len() > SHOWN;
    Listing {
        rows: rows.into_iter().take(SHOWN).map(row).collect(),
        more,
    }
}

/// The rows `select` reads of the calls in `log` about the person with `id_hash`: `select` is
/// a statement over `mine` ([`super::index::mine`]) ending in `LIMIT $3`, which reads one more
/// than the page shows, to tell whether there are older calls.
async fn newest<R>(pool: &AnyPool, log: Log, id_hash: &str, select: &str) -> sqlx::Result<Vec<R>>
where
    R: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
{
    let fetched = i64::try_from(SHOWN).unwrap_or(i64::MAX) + 1;
    sqlx::query_as(&format!(
        "{}{select}",
        mine(log, copied_through(pool, log).await?)
    ))
    .persistent(false)
    .bind(id_hash)
    .bind(id_hash::short(id_hash))
    .bind(fetched)
    .fetch_all(pool)
    .await
}

#[derive(FromRow)]
struct VerificationRow {
    called_at: i64,
    business_id: String,
    company: Option<String>,
    verdict: Option<String>,
}

async fn verifications(pool: &AnyPool, id_hash: &str) -> sqlx::Result<Listing<Verification>> {
    let rows: Vec<VerificationRow> = newest(
        pool,
        Log::Verifications,
        id_hash,
        "SELECT c.called_at, c.business_id, co.name AS company, c.verdict \
         FROM api_calls c JOIN mine m ON m.id = c.id \
         LEFT JOIN companies co ON co.business_id = c.business_id \
         ORDER BY c.called_at DESC, c.id DESC LIMIT $3",
    )
    .await?;
    Ok(listing(rows, |row| Verification {
        at: roc_date_time(row.called_at),
        company: row.company.unwrap_or_default(),
        business_id: row.business_id,
        verdict: row.verdict,
    }))
}

#[derive(FromRow)]
struct LinkRow {
    called_at: i64,
    link_id: String,
    data_kind: String,
    agency: Option<String>,
    outcome: String,
}

/// Person queries only: a connection test names no one.
async fn link_queries(pool: &AnyPool, id_hash: &str) -> sqlx::Result<Listing<LinkQuery>> {
    let rows: Vec<LinkRow> = newest(
        pool,
        Log::LinkQueries,
        id_hash,
        "SELECT c.called_at, c.link_id, l.data_kind, a.name AS agency, c.outcome \
         FROM agency_link_calls c JOIN mine m ON m.id = c.id \
         JOIN agency_links l ON l.id = c.link_id \
         LEFT JOIN agencies a ON a.code = l.agency_code \
         WHERE c.operation = 'person_query' \
         ORDER BY c.called_at DESC, c.id DESC LIMIT $3",
    )
    .await?;
    // The items each link that answered returns, read as the link reads them: after go-live a
    // case's items stay as approved.
    let mut items: HashMap<String, Vec<Item>> = HashMap::new();
    for row in rows.iter().filter(|row| row.outcome == FOUND) {
        if items.contains_key(&row.link_id) {
            continue;
        }
        let returned = match DataKind::from_code(&row.data_kind) {
            Some(kind) => approved(pool, &row.link_id, kind).await?,
            None => Vec::new(),
        };
        items.insert(row.link_id.clone(), returned);
    }
    Ok(listing(rows, |row| LinkQuery {
        at: roc_date_time(row.called_at),
        agency: row.agency.unwrap_or_default(),
        items: if row.outcome == FOUND {
            items.get(&row.link_id).cloned().unwrap_or_default()
        } else {
            Vec::new()
        },
    }))
}

#[derive(FromRow)]
struct ConfirmationRow {
    called_at: i64,
    organisation: String,
    system_name: String,
    outcome: String,
    status: Option<String>,
}

async fn confirmations(pool: &AnyPool, id_hash: &str) -> sqlx::Result<Listing<Confirmation>> {
    let rows: Vec<ConfirmationRow> = newest(
        pool,
        Log::Confirmations,
        id_hash,
        "SELECT c.called_at, s.organisation, s.system_name, c.outcome, c.status \
         FROM confirmation_calls c JOIN mine m ON m.id = c.id \
         JOIN confirmation_systems s ON s.id = c.system_id \
         ORDER BY c.called_at DESC, c.id DESC LIMIT $3",
    )
    .await?;
    Ok(listing(rows, |row| Confirmation {
        at: roc_date_time(row.called_at),
        organisation: row.organisation,
        system: row.system_name,
        // An answered call carries a status only when the certificate is the person's.
        answer: match (row.outcome.as_str(), row.status.as_deref()) {
            (ANSWERED, Some(status)) => ConfirmedStatus::from_code(status)
                .map_or(Confirmed::Refused(row.outcome.clone()), Confirmed::Theirs),
            (ANSWERED, None) => Confirmed::NotTheirs,
            _ => Confirmed::Refused(row.outcome),
        },
    }))
}
