//! `huji-card-helper` (跨平台網頁元件): serves the portal's pages on 127.0.0.1, reaching the card through PC/SC or a software token.

use anyhow::{Context, Result};
use card_helper::backend::{Backend, PcscReaders, SoftToken};
use card_helper::card::{Card, CardState, FileStore};
use card_helper::helper::{router, AllowedOrigins};
use clap::Parser;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    version,
    about = "Huji card helper (跨平台網頁元件): PC/SC card access for the portal's pages"
)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one; the chosen address is printed on stdout).
    #[arg(long, default_value_t = 24170)]
    port: u16,
    /// A portal origin allowed to call the helper, e.g. https://portal.example (repeatable).
    #[arg(long = "allow-origin", required = true)]
    allow_origin: Vec<String>,
    /// Use only the PC/SC reader with this exact name.
    #[arg(long, conflicts_with = "soft_token")]
    reader: Option<String>,
    /// Serve a software card from this state file instead of PC/SC readers (repeatable: one
    /// reader per file, named `Huji Soft Token (<file stem>)`). Requests choose a reader with
    /// `?reader=` or a `reader` field; without one the first file's card is used.
    #[arg(long)]
    soft_token: Vec<PathBuf>,
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let origins = AllowedOrigins::parse(&args.allow_origin)?;
    let backend = if args.soft_token.is_empty() {
        Backend::Pcsc(PcscReaders::new(args.reader.clone()))
    } else {
        let mut cards = Vec::new();
        for path in &args.soft_token {
            let state = CardState::load(path)
                .with_context(|| format!("reading the soft token {}", path.display()))?;
            let store = FileStore { path: path.clone() };
            cards.push((SoftToken::reader_name(path), Card::new(state, store)?));
        }
        Backend::Soft(SoftToken::new(cards))
    };
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("binding {address}"))?;
    let address = listener.local_addr()?;
    println!("huji-card-helper listening on http://{address}");
    tracing::info!(%address, mode = backend.mode(), "card helper started");
    axum::serve(listener, router(backend, origins))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
