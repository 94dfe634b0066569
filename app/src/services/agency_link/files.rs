//! A case's files for every party on it (L-1, issue 18 item 1): the documents the agency
//! filed, and its paper forms filled with what it filed. Each is given only to a party to
//! the case, and each time it is given is audited. The server serves them
//! (`server/src/web/agency_link.rs`); nothing here knows HTTP.

use super::documents::{self, DocumentFile};
use super::papers::Paper;
use super::progress::{self, Viewer};
use crate::cases::work::Work;
use crate::cases::Code;
use crate::error::PortalError;
use crate::platform::clock::roc_date;
use crate::platform::paper::Sheet;
use crate::platform::AppState;
use serde::Serialize;

#[derive(Serialize)]
struct DocumentDetail<'a> {
    document: &'a str,
    kind: &'a str,
    sha256: &'a str,
}

#[derive(Serialize)]
struct PaperDetail<'a> {
    paper: &'a str,
}

/// Document `document_id` of case `case_id` for `viewer`, the download audited; `None` if the
/// case is none of theirs, does not exist or has no such document (one answer for all three,
/// so that an outsider learns nothing).
pub async fn document(
    state: &AppState,
    viewer: &Viewer,
    source_ip: String,
    case_id: &str,
    document_id: &str,
) -> Result<Option<DocumentFile>, PortalError> {
    let actor = viewer.actor(source_ip);
    let mut work = Work::begin(&state.db, &actor, state.clock.unix()).await?;
    if !progress::is_party(work.conn(), viewer, case_id).await? {
        return Ok(None);
    }
    let Some(file) = documents::fetch(work.conn(), case_id, document_id).await? else {
        return Ok(None);
    };
    work.audit(
        "agency_link.document.download",
        case_id,
        &DocumentDetail {
            document: &file.document.id,
            kind: file.document.kind.code(),
            sha256: &file.document.sha256,
        },
    )
    .await?;
    work.commit().await?;
    Ok(Some(file))
}

/// Form `paper` of case `case_id` for `viewer`, printed today, the printing audited; `None`
/// if the case is none of theirs, does not exist or files no such form.
pub async fn paper(
    state: &AppState,
    viewer: &Viewer,
    source_ip: String,
    case_id: &str,
    paper: Paper,
) -> Result<Option<Sheet>, PortalError> {
    let now = state.clock.unix();
    let actor = viewer.actor(source_ip);
    let mut work = Work::begin(&state.db, &actor, now).await?;
    let Some(filed) = progress::filed(work.conn(), viewer, case_id).await? else {
        return Ok(None);
    };
    let Some(sheet) = filed.sheet(paper, &roc_date(now)) else {
        return Ok(None);
    };
    work.audit(
        "agency_link.paper.print",
        case_id,
        &PaperDetail {
            paper: paper.code(),
        },
    )
    .await?;
    work.commit().await?;
    Ok(Some(sheet))
}
