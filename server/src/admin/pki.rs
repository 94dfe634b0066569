//! `huji pki …`: the development PKI on the command line (see `docs/pki.md`).

use crate::pki::{CaFamily, Issued, Pki, SubjectKey, Validity};
use anyhow::Context;
use app::domain::agency_code::AgencyCode;
use app::domain::business_id::BusinessId;
use app::domain::card_number::CardNumber;
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum PkiCommand {
    /// Create the root and the four authorities in DIR and publish their CRLs (idempotent).
    Init {
        #[arg(long)]
        dir: PathBuf,
    },
    /// Issue an end-entity certificate; writes OUT.crt and, when the key is made here, OUT.key.
    Issue {
        #[command(subcommand)]
        kind: IssueKind,
    },
    /// Revoke a certificate by its serial number (hex) and publish new CRLs.
    Revoke {
        #[arg(long)]
        dir: PathBuf,
        serial: String,
    },
    /// Publish fresh CRLs (valid 7 days): run at least weekly, and at start in development.
    Crl {
        #[arg(long)]
        dir: PathBuf,
    },
    /// Write the factory key of a blank 自然人憑證 card (hex, mode 0600) for the card maker:
    /// the card attests with it the key it makes at the counter.
    CardFactoryKey {
        #[arg(long)]
        dir: PathBuf,
        /// The number printed on the card (2 letters and 14 digits).
        #[arg(long)]
        card_number: String,
        /// The file to write; it must not exist.
        #[arg(long)]
        out: PathBuf,
    },
}

/// What every `issue` takes.
#[derive(clap::Args)]
pub struct IssueCommon {
    #[arg(long)]
    dir: PathBuf,
    /// Output prefix: OUT.crt (and OUT.key).
    #[arg(long)]
    out: PathBuf,
    /// Days of validity, from now.
    #[arg(long, default_value_t = 730)]
    days: i64,
    /// Certify this public key (DER SubjectPublicKeyInfo, or PEM) instead of making one.
    #[arg(long)]
    public_key: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum IssueKind {
    /// A 工商憑證 IC card of a company (MOEACA); the key made here is RSA, as cards hold.
    Business {
        #[command(flatten)]
        common: IssueCommon,
        #[arg(long)]
        business_id: String,
        #[arg(long)]
        name: String,
    },
    /// A 自然人憑證 IC card (MOICA); the key made here is RSA, as cards hold.
    Citizen {
        #[command(flatten)]
        common: IssueCommon,
        #[arg(long)]
        name: String,
        /// The last four digits of the holder's ID number (all the certificate carries).
        #[arg(long)]
        id_last4: String,
    },
    /// A 機關憑證 IC card of a government agency (GCA); the key made here is RSA, as cards hold.
    Agency {
        #[command(flatten)]
        common: IssueCommon,
        /// The 機關代號, e.g. 379130000C.
        #[arg(long)]
        agency_code: String,
        #[arg(long)]
        name: String,
    },
    /// A company's API certificate (not on an IC card; RSA, RS256).
    Api {
        #[command(flatten)]
        common: IssueCommon,
        #[arg(long)]
        business_id: String,
        #[arg(long)]
        name: String,
    },
    /// A server certificate of an application system.
    Server {
        #[command(flatten)]
        common: IssueCommon,
        /// gca, moeaca or xca.
        #[arg(long)]
        ca: String,
        #[arg(long)]
        org: String,
        #[arg(long)]
        dns: String,
    },
}

pub fn run(command: PkiCommand, now: i64) -> anyhow::Result<()> {
    match command {
        PkiCommand::Init { dir } => {
            let pki = Pki::init(&dir, now)?;
            println!(
                "development PKI ready; trust store: {}",
                pki.trust_dir().display()
            );
        }
        PkiCommand::Issue { kind } => issue(kind, now)?,
        PkiCommand::Revoke { dir, serial } => {
            let family = Pki::open(&dir)?.revoke(&serial, now)?;
            println!("revoked {serial} ({}); CRLs published", family.code());
        }
        PkiCommand::Crl { dir } => {
            let written = Pki::open(&dir)?.write_crls(now)?;
            println!("{} CRLs published", written.len());
        }
        PkiCommand::CardFactoryKey {
            dir,
            card_number,
            out,
        } => {
            let card_number = CardNumber::parse(&card_number)
                .map_err(|error| anyhow::anyhow!("--card-number {card_number:?}: {error}"))?;
            Pki::open(&dir)?.write_card_factory_key(card_number.as_str(), &out)?;
            println!(
                "factory key of {} written to {}",
                card_number.as_str(),
                out.display()
            );
        }
    }
    Ok(())
}

fn issue(kind: IssueKind, now: i64) -> anyhow::Result<()> {
    let (common, issued) = match kind {
        IssueKind::Business {
            common,
            business_id,
            name,
        } => {
            let (pki, validity, key) = prepare(&common, now, SubjectKey::GenerateRsa)?;
            let issued =
                pki.issue_business_card(&business_id_arg(&business_id)?, &name, validity, &key)?;
            (common, issued)
        }
        IssueKind::Citizen {
            common,
            name,
            id_last4,
        } => {
            let (pki, validity, key) = prepare(&common, now, SubjectKey::GenerateRsa)?;
            let issued = pki.issue_citizen_card(&name, &id_last4, validity, &key)?;
            (common, issued)
        }
        IssueKind::Agency {
            common,
            agency_code,
            name,
        } => {
            let (pki, validity, key) = prepare(&common, now, SubjectKey::GenerateRsa)?;
            let issued =
                pki.issue_agency_card(&agency_code_arg(&agency_code)?, &name, validity, &key)?;
            (common, issued)
        }
        IssueKind::Api {
            common,
            business_id,
            name,
        } => {
            let (pki, validity, key) = prepare(&common, now, SubjectKey::Generate)?;
            let issued =
                pki.issue_api_certificate(&business_id_arg(&business_id)?, &name, validity, &key)?;
            (common, issued)
        }
        IssueKind::Server {
            common,
            ca,
            org,
            dns,
        } => {
            let family = CaFamily::from_code(&ca)
                .with_context(|| format!("--ca {ca:?}: use gca, moeaca or xca"))?;
            let (pki, validity, key) = prepare(&common, now, SubjectKey::Generate)?;
            let issued = pki.issue_server_certificate(family, &org, &dns, validity, &key)?;
            (common, issued)
        }
    };
    report(&issued, &common.out)
}

fn prepare(
    common: &IssueCommon,
    now: i64,
    generated: SubjectKey,
) -> anyhow::Result<(Pki, Validity, SubjectKey)> {
    let pki = Pki::open(&common.dir)?;
    let key = match &common.public_key {
        Some(path) => SubjectKey::PublicKey(public_key_der(path)?),
        None => generated,
    };
    Ok((pki, Validity::days_from(now, common.days), key))
}

fn business_id_arg(text: &str) -> anyhow::Result<BusinessId> {
    BusinessId::parse(text).map_err(|error| {
        anyhow::anyhow!(
            "--business-id {text:?}: {}",
            app::domain::FieldError::message(&error, app::i18n::Lang::English)
        )
    })
}

fn agency_code_arg(text: &str) -> anyhow::Result<AgencyCode> {
    AgencyCode::parse(text).map_err(|error| {
        anyhow::anyhow!(
            "--agency-code {text:?}: {}",
            app::domain::FieldError::message(&error, app::i18n::Lang::English)
        )
    })
}

/// A SubjectPublicKeyInfo from DER or a `PUBLIC KEY` PEM file.
fn public_key_der(path: &Path) -> anyhow::Result<Vec<u8>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    if !bytes.starts_with(b"-----") {
        return Ok(bytes);
    }
    let block = pem::parse(&bytes).with_context(|| format!("{} is not PEM", path.display()))?;
    anyhow::ensure!(
        block.tag() == "PUBLIC KEY",
        "{} holds a {}, not a PUBLIC KEY",
        path.display(),
        block.tag()
    );
    Ok(block.into_contents())
}

fn report(issued: &Issued, out: &Path) -> anyhow::Result<()> {
    for file in issued.write_files(out)? {
        println!("wrote {}", file.display());
    }
    println!("serial {} ({})", issued.serial_hex, issued.family.code());
    Ok(())
}
