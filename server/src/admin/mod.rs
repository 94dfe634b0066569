//! The operators' commands beside `serve`: backups (`huji backup`, `huji restore`), the
//! development PKI (`huji pki …`), staff accounts (`huji staff …`), citizen certificates' holders (`huji moica …`), the
//! confirmation API's systems (`huji confirmation …`), the offices' counter hours (`huji
//! offices …`) and the API clients' signed calls
//! (`huji api-token`, `huji agency-token`).

pub mod agency_token;
pub mod api_token;
pub mod backup;
pub mod confirmation;
pub mod moica;
pub mod offices;
pub mod payments;
pub mod pki;
pub mod staff;

use anyhow::Context;
use app::pki::{CheckedCertificate, Purpose, TrustStore};
use std::path::Path;

/// How the audit log names an operator at the console.
const CONSOLE_ACTOR: &str = "console";

/// Reads a citizen certificate from `path` and checks it against the trust store.
pub fn citizen_certificate(
    path: &Path,
    trusted_roots: Option<&Path>,
    now: i64,
) -> anyhow::Result<CheckedCertificate> {
    let roots = trusted_roots
        .context("HUJI_TRUSTED_ROOTS is not set: citizen certificates cannot be checked")?;
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    TrustStore::load(roots)?
        .check_certificate(&bytes, Purpose::CitizenCard, now)
        .map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))
}
