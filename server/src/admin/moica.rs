//! `huji moica record`: records a citizen certificate (自然人憑證) as a registry person's, as
//! the registration authority does at issuance (C-2): how cards made with `huji pki issue
//! citizen` (demo and test cards) get their holder — and, with `--extended-from`, the record of
//! an earlier extension, for cards near the end of their 8 years (線上續卡, C-4).

use app::domain::{card_number::CardNumber, national_id::NationalId};
use app::platform::db::Db;
use app::services::certificate::store::{self, HolderError};
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum MoicaCommand {
    /// Record a citizen certificate as the holder's.
    Record {
        /// The certificate (PEM, DER or Base64), checked against the trust store.
        #[arg(long)]
        certificate: PathBuf,
        /// The holder's ID number; the certificate's name and last 4 digits must be theirs.
        #[arg(long)]
        citizen: String,
        /// The IC card number printed on the card (2 letters and 14 digits).
        #[arg(long)]
        card_number: String,
        /// Succeed without change if the certificate is already recorded (for set-up scripts).
        #[arg(long)]
        if_unrecorded: bool,
        /// Record it as extended once (展期, C-4) from this original expiry (YYYY-MM-DD, Taipei
        /// midnight): for demo and test cards near the 8-year end, which online renewal needs.
        #[arg(long)]
        extended_from: Option<chrono::NaiveDate>,
    },
}

pub async fn run(
    command: MoicaCommand,
    db: &Db,
    trusted_roots: Option<&Path>,
    now: i64,
) -> anyhow::Result<()> {
    let MoicaCommand::Record {
        certificate,
        citizen,
        card_number,
        if_unrecorded,
        extended_from,
    } = command;
    let citizen =
        NationalId::parse(&citizen).map_err(|error| anyhow::anyhow!("--citizen: {error}"))?;
    let card = CardNumber::parse(&card_number)
        .map_err(|error| anyhow::anyhow!("--card-number: {error}"))?;
    let checked = super::citizen_certificate(&certificate, trusted_roots, now)?;
    let mut conn = db.pool.acquire().await?;
    match store::record_holder(&mut conn, &checked, &citizen, &card, now).await {
        Ok(id) => {
            if let Some(date) = extended_from {
                let original =
                    app::platform::clock::taipei_to_utc(date.and_time(Default::default()));
                store::record_extended(&mut conn, id, original.timestamp(), now).await?;
            }
            println!(
                "certificate {id} recorded: card {}, holder {}",
                card.as_str(),
                citizen.masked()
            )
        }
        Err(HolderError::AlreadyRecorded) if if_unrecorded => {
            println!(
                "{} is already recorded; left as it is",
                certificate.display()
            );
        }
        Err(error) => return Err(error.into()),
    }
    Ok(())
}
