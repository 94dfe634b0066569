//! `huji staff …`: binding a staff member's citizen certificate to a role and a jurisdiction
//! (F-6), listing and disabling accounts.

use super::CONSOLE_ACTOR;
use anyhow::Context;
use app::domain::email::Email;
use app::platform::db::Db;
use app::services::staff::role::{Jurisdiction, Role};
use app::services::staff::store::{self, JurisdictionSpec};
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum StaffCommand {
    /// Bind a citizen certificate (自然人憑證) to a new staff account.
    Add {
        /// The staff member's certificate (PEM, DER or Base64), checked against the trust store.
        #[arg(long)]
        certificate: PathBuf,
        /// ministry_reviewer, information_services, county_officer (民政局(處)),
        /// county_military_officer (役政單位), household_clerk, household_registrar or
        /// cht_engineer.
        #[arg(long)]
        role: String,
        /// `national`, `county:<縣市>` (e.g. county:臺北市) or `office:<戶政事務所代碼>`.
        #[arg(long)]
        jurisdiction: String,
        /// The name to show; the certificate's name if not given.
        #[arg(long)]
        name: Option<String>,
        /// Where the notices of the member's inbox go (agency linking steps waiting for them).
        #[arg(long)]
        email: Option<String>,
        /// Succeed without change if the certificate is already bound (for set-up scripts).
        #[arg(long)]
        if_unbound: bool,
    },
    /// Set where the notices of an account's inbox go.
    Email { id: i64, address: String },
    /// List the active accounts.
    List,
    /// Disable an account: it can no longer sign in and its sessions end.
    Disable { id: i64 },
}

pub async fn run(
    command: StaffCommand,
    db: &Db,
    trusted_roots: Option<&Path>,
    now: i64,
) -> anyhow::Result<()> {
    match command {
        StaffCommand::Add {
            certificate,
            role,
            jurisdiction,
            name,
            email,
            if_unbound,
        } => {
            let role = Role::from_code(&role).with_context(|| {
                let known: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
                format!("--role {role:?}: use one of {}", known.join(", "))
            })?;
            let spec: JurisdictionSpec = jurisdiction.parse()?;
            let email = email.as_deref().map(parse_email).transpose()?;
            let checked = super::citizen_certificate(&certificate, trusted_roots, now)?;
            let name = name
                .or_else(|| checked.subject_name().map(str::to_owned))
                .context("the certificate has no name; give --name")?;
            let new = store::NewStaff {
                name: &name,
                role,
                jurisdiction: &spec,
                email: email.as_ref(),
            };
            match store::add(db, &new, &checked, CONSOLE_ACTOR, now).await {
                Ok(id) => println!("staff account {id}: {name}, {role}, {}", describe(&spec)),
                Err(store::StaffError::AlreadyBound(id)) if if_unbound => {
                    println!(
                        "{} is already staff account {id}; left as it is",
                        certificate.display()
                    );
                }
                Err(error) => return Err(error.into()),
            }
        }
        StaffCommand::List => {
            for member in store::list_within(&db.pool, &Jurisdiction::National).await? {
                println!(
                    "{}\t{}\t{}\t{}\tcertificate valid until {}",
                    member.id,
                    member.name,
                    member.role,
                    member.jurisdiction.label(app::i18n::Lang::ZhTw),
                    member.certificate_valid_until
                );
            }
        }
        StaffCommand::Email { id, address } => {
            let email = parse_email(&address)?;
            store::set_email(db, id, &email, CONSOLE_ACTOR, now).await?;
            println!("staff account {id}: notices go to {}", email.as_str());
        }
        StaffCommand::Disable { id } => {
            store::disable(db, id, CONSOLE_ACTOR, now).await?;
            println!("staff account {id} disabled");
        }
    }
    Ok(())
}

fn parse_email(address: &str) -> anyhow::Result<Email> {
    Email::parse(address).map_err(|error| anyhow::anyhow!("--email {address:?}: {error}"))
}

fn describe(spec: &JurisdictionSpec) -> String {
    match spec {
        JurisdictionSpec::National => "national".into(),
        JurisdictionSpec::County(county) => format!("county {county}"),
        JurisdictionSpec::Office(code) => format!("office {code}"),
    }
}
