//! The Huji server binary: serves the portal and runs the administrative commands.

use anyhow::Context;
use app::pki::{ReloadableTrustStore, TrustStore};
use app::platform::client::TrustedProxies;
use app::platform::{
    clock::{Clock, SystemClock},
    db::Db,
    seal::SealKey,
    state::{AppState, PortalSettings, Shared},
};
use axum::serve::ListenerExt;
use clap::{Parser, Subcommand};
use leptos::config::LeptosOptions;
use server::admin::{
    confirmation::ConfirmationCommand, moica::MoicaCommand, offices::OfficesCommand,
    payments::PaymentsCommand, pki::PkiCommand, staff::StaffCommand,
};
use server::{admin, config::Config, logging, mail, registry, web};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// mimalloc, not glibc's allocator: the verification API's calls allocate on one thread and
/// free on another (request tasks, batch tasks, sqlx's SQLite workers), where glibc's malloc
/// took a fifth of the server's CPU under load (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "huji",
    version,
    about = "Huji household-registration online services"
)]
struct Cli {
    /// Optional TOML configuration file; environment variables override it.
    #[arg(long, global = true, env = "HUJI_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Fill the registry with deterministic synthetic citizens and companies (F-1).
    Seed {
        /// How many citizens to generate.
        #[arg(long, default_value_t = 10_000)]
        citizens: u64,
        /// How many companies to generate.
        #[arg(long, default_value_t = 1_000)]
        companies: u64,
        /// The generator's seed: the same seed gives the same rows.
        #[arg(long, default_value_t = 20231117)]
        seed: u64,
        /// Also load the fixed demo citizens, companies and agencies (README, end-to-end tests).
        #[arg(long)]
        demo: bool,
        /// Do nothing (and succeed) if the registry was already seeded.
        #[arg(long)]
        if_empty: bool,
    },
    /// Back up the database and the key files it needs into a new directory (docs/operations.md).
    Backup {
        /// The directory to make: it must not exist; its parent must.
        dir: std::path::PathBuf,
    },
    /// Restore a backup into the configured database, which must be new, and key files.
    Restore {
        /// A directory `huji backup` made.
        dir: std::path::PathBuf,
    },
    /// Audit-log commands.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The development PKI: authorities, certificates, revocation, CRLs (docs/pki.md).
    Pki {
        #[command(subcommand)]
        command: PkiCommand,
    },
    /// Staff accounts: a citizen certificate bound to a role and a jurisdiction (F-6).
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Citizen certificates (自然人憑證) and the registry persons they were issued to.
    Moica {
        #[command(subcommand)]
        command: MoicaCommand,
    },
    /// Online renewals' payments: reconcile the provider's settlement (C-4).
    Payments {
        #[command(subcommand)]
        command: PaymentsCommand,
    },
    /// Household offices: their counter hours (C-2).
    Offices {
        #[command(subcommand)]
        command: OfficesCommand,
    },
    /// The identity confirmation API's application systems (seed 003, I-1).
    Confirmation {
        #[command(subcommand)]
        command: ConfirmationCommand,
    },
    /// Sign one verification-API request as a company's server does and print its token.
    ApiToken(admin::api_token::ApiTokenArgs),
    /// Sign one linked-agency API call as an agency's system does and print its token.
    AgencyToken(admin::agency_token::AgencyTokenArgs),
    /// The case types: `--diagram` prints docs/cases.md, drawn from their declarations.
    Cases {
        /// Print the state diagram of every case type (Mermaid, Markdown).
        #[arg(long)]
        diagram: bool,
    },
    /// The background jobs `serve` runs on their intervals: `run` runs them once now.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Run each job whose name contains `--matching` (every job without it) once, now, as a
    /// server would on its next tick; safe beside running servers.
    Run {
        #[arg(long)]
        matching: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the whole hash chain; exits non-zero if any row was edited or removed.
    Verify,
    /// Hand the chain over to a new audit key, the old one kept in the key file's `.retired`
    /// file. Stop every server first; copy both files to each server before starting it.
    RotateKey,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let log = logging::init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("huji: starting the runtime failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    let code = match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!(
                "huji: {}",
                logging::mask_national_ids(&format!("{error:#}"))
            );
            ExitCode::FAILURE
        }
    };
    // The background tasks log until the runtime ends; then the log's last lines are written.
    drop(runtime);
    drop(log);
    code
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let command = cli.command.unwrap_or(Command::Serve);
    // The PKI and the API client work on files only: no configuration or database needed.
    let command = match command {
        Command::Pki { command } => {
            admin::pki::run(command, SystemClock.unix())?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::ApiToken(args) => {
            admin::api_token::run(args, SystemClock.unix())?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::AgencyToken(args) => {
            admin::agency_token::run(args, SystemClock.unix())?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Cases { diagram } => {
            if !diagram {
                anyhow::bail!("say what to print: huji cases --diagram");
            }
            print!("{}", app::cases::catalogue::document());
            return Ok(ExitCode::SUCCESS);
        }
        command => command,
    };
    let config = Config::load(cli.config.as_deref(), |name| std::env::var(name).ok())?;
    // A check made with a key of its own would vouch for nothing, and a backup of a database
    // made just now (a mistyped DATABASE_URL) would back up nothing.
    if matches!(command, Command::Audit { .. } | Command::Backup { .. })
        && !config.audit_key_file.exists()
    {
        anyhow::bail!(
            "no audit key at {}: run huji where the servers' key file is (HUJI_AUDIT_KEY_FILE)",
            config.audit_key_file.display()
        );
    }
    if matches!(command, Command::Backup { .. })
        && admin::backup::database_is_new(&config.database_url).await?
    {
        anyhow::bail!("no database at DATABASE_URL, or an empty one: check it");
    }
    // A restore makes the database and its key files: nothing may be opened or made first.
    if let Command::Restore { dir } = &command {
        let restored = admin::backup::restore(
            dir,
            &config.database_url,
            &admin::backup::key_files(&config),
            &config.audit_checkpoint_file,
            config.db_max_connections,
            SystemClock.unix(),
        )
        .await?;
        println!(
            "restored from {}: audit chain intact, {} rows; checkpoint at {}",
            dir.display(),
            restored.audit_rows,
            config.audit_checkpoint_file.display()
        );
        if let Some(old) = restored.old_checkpoint {
            println!("the checkpoint that was there is kept at {}", old.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let db = server::database::open(&config, SystemClock.unix()).await?;
    // What the commands on certificates check them against, and when.
    let (roots, now) = (config.trusted_roots.clone(), SystemClock.unix());
    let roots = roots.as_deref();
    match command {
        Command::Pki { .. }
        | Command::ApiToken(_)
        | Command::AgencyToken(_)
        | Command::Cases { .. }
        | Command::Restore { .. } => {
            unreachable!("handled above")
        }
        Command::Backup { dir } => {
            // No rotation on this machine while the key files are copied.
            let _keys = server::database::lock_keys(&config.audit_key_file, false)?;
            let made = admin::backup::backup(
                &db,
                &config.database_url,
                &admin::backup::key_files(&config),
                &dir,
                now,
            )
            .await?;
            println!(
                "backed up into {}: the database ({} bytes) and {} key files; keep keys/ apart \
                 from the database copy (docs/operations.md)",
                dir.display(),
                made.database_bytes,
                made.keys
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Staff { command } => {
            admin::staff::run(command, &db, roots, now).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Moica { command } => {
            admin::moica::run(command, &db, roots, now).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Confirmation { command } => {
            admin::confirmation::run(command, &db, roots, now).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Offices { command } => {
            admin::offices::run(command, &db, now).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Payments { command } => Ok(if admin::payments::run(command, &db, now).await? {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }),
        Command::Jobs {
            command: JobsCommand::Run { matching },
        } => {
            let mut ran = 0;
            for job in server::jobs::all() {
                if matching
                    .as_deref()
                    .is_some_and(|text| !job.name.contains(text))
                {
                    continue;
                }
                (job.run)(&db, now)
                    .await
                    .map_err(|error| anyhow::anyhow!("{}: {error}", job.name))?;
                println!("ran: {}", job.name);
                ran += 1;
            }
            if ran == 0 {
                anyhow::bail!("no job's name contains {matching:?}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve => serve(config, db).await.map(|()| ExitCode::SUCCESS),
        Command::Migrate => {
            println!("migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::Seed {
            citizens,
            companies,
            seed,
            demo,
            if_empty,
        } => {
            let options = registry::SeedOptions {
                citizens,
                companies,
                seed,
            };
            match registry::seed(&db.pool, &options).await {
                Ok(report) => println!(
                    "seeded {} citizens, {} ID-card issuances, {} companies in {:.1} s",
                    report.citizens,
                    report.issuances,
                    report.companies,
                    report.elapsed.as_secs_f64()
                ),
                Err(registry::SeedError::AlreadySeeded { table }) if if_empty => {
                    println!("the registry already holds generated {table}; left as it is");
                }
                Err(error) => return Err(error.into()),
            }
            if demo {
                registry::load_demo(&db.pool).await?;
                println!("demo citizens, companies and agencies loaded");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let checkpoint = server::database::read_checkpoint(&config.audit_checkpoint_file)?;
            let report = app::platform::audit::verify_with(&db, checkpoint.as_ref()).await?;
            match report.problem {
                None => {
                    match checkpoint {
                        Some(checkpoint) => println!(
                            "audit chain intact: {} rows, reaching its checkpoint (row {})",
                            report.rows, checkpoint.seq
                        ),
                        None => println!(
                            "audit chain intact: {} rows (no checkpoint at {})",
                            report.rows,
                            config.audit_checkpoint_file.display()
                        ),
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Some(problem) => {
                    println!("audit chain BROKEN: {problem}");
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Audit {
            command: AuditCommand::RotateKey,
        } => {
            let rotated = server::database::rotate_key(&config, db, SystemClock.unix()).await?;
            println!(
                "audit key rotated at row {}: the new key (fingerprint {}…) is in {}, the old \
                 one at the end of {}; copy both files to every server before starting it",
                rotated.seq,
                &rotated.fingerprint[..16],
                config.audit_key_file.display(),
                server::database::retired_keys_file(&config.audit_key_file).display(),
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn serve(config: Config, db: Db) -> anyhow::Result<()> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let leptos_options = LeptosOptions::builder()
        .output_name("huji")
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.bind)
        .hash_files(hash_file_present())
        .build();
    let calendar = config.load_calendar()?;
    // Refused loudly, not counted wrong quietly: a year missing from the table would make its
    // holidays working days in every deadline (F-3).
    calendar
        .require_years(chrono::Datelike::year(&clock.today_taipei()))
        .with_context(|| format!("the holiday table {}", config.holidays_file.display()))?;
    let trust = Arc::new(match &config.trusted_roots {
        Some(dir) => ReloadableTrustStore::load(dir)
            .with_context(|| format!("trust store {}", dir.display()))?,
        None => {
            tracing::warn!("HUJI_TRUSTED_ROOTS is not set: every card sign-in will be refused");
            ReloadableTrustStore::fixed(TrustStore::empty())
        }
    });
    let seal_secret: [u8; 32] =
        server::secrets::load_or_create(&config.moica_seal_key_file, "application seal key")
            .and_then(|secret| Ok(secret[..32].try_into()?))
            .context("the application seal key (HUJI_MOICA_SEAL_KEY_FILE)")?;
    let moica_ca = match &config.moica_ca_dir {
        Some(dir) => Some(Arc::new(
            server::pki::Pki::open(dir)
                .with_context(|| format!("the MOICA CA (HUJI_MOICA_CA_DIR) {}", dir.display()))?,
        )
            as Arc<dyn app::platform::ca::CertificateAuthority>),
        None => {
            tracing::warn!("HUJI_MOICA_CA_DIR is not set: counter issuance of citizen certificates is unavailable");
            None
        }
    };
    let payments = server::web::payments::load(&config)?;
    let id_key = server::verify::load_id_key(&config.id_hash_key_file)
        .context("the ID-number hash key (HUJI_ID_HASH_KEY_FILE)")?;
    let state = AppState::new(Shared {
        leptos_options,
        db: db.clone(),
        clock: clock.clone(),
        calendar: Arc::new(calendar),
        settings: Arc::new(PortalSettings {
            public_origin: config.public_origin.clone(),
            card_helper_url: config.card_helper_url.clone(),
            review_mailbox: config.review_mailbox.clone(),
            counters_always_open: config.counters_always_open,
        }),
        trust: trust.clone(),
        proxies: Arc::new(
            TrustedProxies::parse(&config.trusted_proxies).map_err(anyhow::Error::msg)?,
        ),
        id_key: Arc::new(id_key),
        seal: Arc::new(SealKey::new(&seal_secret)),
        moica_ca,
        payments: Arc::new(payments),
        link_network: Arc::new(config.link_network()?),
    });

    if config.smtp_url.is_empty() {
        tracing::warn!("HUJI_SMTP_URL is not set: notifications stay queued in the outbox");
    } else {
        let sender = mail::Sender::new(&config.smtp_url, &config.mail_from)?;
        tokio::spawn(sender.run(db.pool.clone(), clock.clone(), Duration::from_secs(2)));
    }
    server::jobs::spawn_all(&db, &clock);
    tokio::spawn(reload_trust_store(trust));
    tokio::spawn(server::database::keep_checkpoint(
        db.clone(),
        config.audit_checkpoint_file.clone(),
        Duration::from_secs(60),
    ));

    let verify = server::verify::VerifyState::new(state.clone(), &config.verify_settings());
    let printer = server::papers::Printer::open(&config.papers_font, config.papers_font_index)
        .context("the font of the paper forms (HUJI_PAPERS_FONT, HUJI_PAPERS_FONT_INDEX)")?;
    let metrics_token =
        server::secrets::load_or_create(&config.metrics_token_file, "metrics token")
            .context("the metrics token (HUJI_METRICS_TOKEN_FILE)")?;
    let confirm = server::confirm::ConfirmState::new(state.clone(), &config.confirm_settings());
    let mut confirm_listener = None;
    if let Some(bind) = config.confirm_bind {
        let (Some(certificate), Some(key)) = (&config.confirm_tls_cert, &config.confirm_tls_key)
        else {
            anyhow::bail!("HUJI_CONFIRM_BIND needs HUJI_CONFIRM_TLS_CERT and HUJI_CONFIRM_TLS_KEY");
        };
        let tls = server::confirm::tls::server_config(certificate, key)
            .context("the confirmation API's TLS (HUJI_CONFIRM_TLS_CERT, HUJI_CONFIRM_TLS_KEY)")?;
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("cannot listen on {bind}"))?;
        let address = listener.local_addr()?;
        tracing::info!(%address, "identity confirmation API listening (mutual TLS)");
        println!(
            "Identity confirmation API: https://{address}{}",
            server::confirm::CONFIRM_PATH
        );
        confirm_listener = Some(tokio::spawn(server::confirm::tls::serve(
            listener,
            tls,
            server::confirm::routes(confirm.clone()),
            shutdown_signal(),
        )));
    }
    let app = web::router(
        state,
        verify.clone(),
        confirm.clone(),
        web::observability::MetricsEndpoint::new(
            web::observability::metrics_handle(),
            &metrics_token,
        ),
        Arc::new(printer),
    );
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let address = listener.local_addr()?;
    // Without TCP_NODELAY a response written in two parts (head, then a file body) waits for
    // the client's delayed ACK: 40 ms per static file.
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::warn!(%error, "cannot set TCP_NODELAY");
        }
    });
    tracing::info!(%address, "listening");
    println!("Huji portal: http://{address}/");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    // The confirmation listener first answers the calls it is in the middle of; every call
    // answered is in its call log already, and refusals answered just before the signal are
    // counted before the process ends.
    if let Some(listener) = confirm_listener {
        let _ = listener.await;
    }
    verify.flush().await;
    Ok(())
}

/// cargo-leptos writes `hash.txt` beside the binary when it builds with `hash-files`; files
/// then carry content hashes in their names. A plain `cargo build` has none.
fn hash_file_present() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt").is_file()))
        .unwrap_or(false)
}

/// Every ten minutes, reads the trust store again, so that new CRLs (and intermediates) are
/// used without a restart; a broken directory keeps the last good store.
async fn reload_trust_store(trust: Arc<ReloadableTrustStore>) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    tick.tick().await;
    loop {
        tick.tick().await;
        if let Err(error) = trust.reload() {
            tracing::error!(%error, "trust store reload failed; keeping the previous one");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
