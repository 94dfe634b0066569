//! A case's documents in the database: the bytes (BLOB on SQLite, BYTEA on PostgreSQL, both
//! read and written as bytes by sqlx's Any driver) with their SHA-256 and size, so that a
//! download can be checked against what was filed.

use super::{Document, DocumentKind, Upload};
use crate::cases::actor::Actor;
use crate::error::PortalError;
use crate::platform::rows::RowExt;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// A document with its bytes, for a download.
#[derive(Clone, PartialEq, Eq)]
pub struct DocumentFile {
    pub document: Document,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for DocumentFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DocumentFile({:?}, {} bytes)",
            self.document,
            self.bytes.len()
        )
    }
}

const COLUMNS: &str = "id, kind, file_name, size, sha256, uploaded_by, uploaded_at";

fn document(row: &AnyRow) -> sqlx::Result<Document> {
    Ok(Document {
        id: row.try_get("id")?,
        kind: row.code("kind")?,
        file_name: row.try_get("file_name")?,
        size: row.try_get("size")?,
        sha256: row.try_get("sha256")?,
        uploaded_by: row.try_get("uploaded_by")?,
        uploaded_at: row.try_get("uploaded_at")?,
    })
}

/// Stores a document of case `link_id` filed by `actor`: checked again here (a PDF of at most
/// 5 MiB), whoever calls. Returns the document's id.
pub async fn attach(
    conn: &mut AnyConnection,
    link_id: &str,
    kind: DocumentKind,
    file_name: &str,
    bytes: Vec<u8>,
    actor: &Actor,
    now: i64,
) -> Result<String, PortalError> {
    let upload = Upload::new(kind, file_name, bytes)?;
    let id = uuid::Uuid::new_v4().to_string();
    let size = i64::try_from(upload.bytes.len()).map_err(PortalError::unavailable)?;
    sqlx::query(
        "INSERT INTO agency_link_documents \
         (id, link_id, kind, file_name, size, sha256, content, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(link_id)
    .bind(crate::cases::Code::code(kind))
    .bind(&upload.file_name)
    .bind(size)
    .bind(hex::encode(Sha256::digest(&upload.bytes)))
    .bind(upload.bytes)
    .bind(&actor.name)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

/// The documents of case `link_id`, in the order they were filed.
pub async fn list(conn: &mut AnyConnection, link_id: &str) -> Result<Vec<Document>, PortalError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM agency_link_documents WHERE link_id = $1 \
         ORDER BY uploaded_at, kind, id"
    ))
    .bind(link_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(document).collect::<sqlx::Result<_>>()?)
}

/// Document `document_id` of case `link_id` with its bytes; `None` if the case has no such
/// document. The bytes are checked against the stored SHA-256: a mismatch is a fault.
pub async fn fetch(
    conn: &mut AnyConnection,
    link_id: &str,
    document_id: &str,
) -> Result<Option<DocumentFile>, PortalError> {
    let Some(row) = sqlx::query(&format!(
        "SELECT {COLUMNS}, content FROM agency_link_documents WHERE link_id = $1 AND id = $2"
    ))
    .bind(link_id)
    .bind(document_id)
    .fetch_optional(conn)
    .await?
    else {
        return Ok(None);
    };
    let document = document(&row)?;
    let bytes: Vec<u8> = row.try_get("content")?;
    if hex::encode(Sha256::digest(&bytes)) != document.sha256 {
        return Err(PortalError::unavailable(format!(
            "agency link document {document_id}: content does not match its SHA-256"
        )));
    }
    Ok(Some(DocumentFile { document, bytes }))
}
