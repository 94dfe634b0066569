//! `huji-virtual-card`: plays a Huji card behind vsmartcard's vpcd reader in pcscd, from a state file it keeps up to date.

use anyhow::{bail, Context, Result};
use card_helper::card::{
    blank_state, check_private, generated_state, personalised_state, Card, Factory, FileStore,
};
use clap::Parser;
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(
    version,
    about = "A virtual Huji certificate card for vpcd (vsmartcard) in pcscd"
)]
struct Args {
    /// The card's state file (key, certificate, PIN, user code, counters).
    #[arg(long)]
    state: PathBuf,
    /// Where vpcd listens for a card (its reader.conf CHANNELID port).
    #[arg(long, default_value = "127.0.0.1:35963")]
    vpcd: String,
    /// How long to keep trying to reach vpcd, in seconds.
    #[arg(long, default_value_t = 30)]
    connect_timeout: u64,
    /// Create the state file instead of playing the card.
    #[arg(long)]
    init: bool,
    /// With --init: the RSA private key (PEM, PKCS#8 or PKCS#1).
    #[arg(long, requires = "init", requires = "certificate")]
    key: Option<PathBuf>,
    /// With --init: the card's certificate (PEM or DER).
    #[arg(long, requires = "init", requires = "key")]
    certificate: Option<PathBuf>,
    /// With --init: generate a key and a self-signed certificate with this common name.
    #[arg(long, requires = "init", conflicts_with_all = ["key", "blank"])]
    generate: Option<String>,
    /// With --init: a blank card to personalise with APDUs (no key, not activated).
    #[arg(long, requires = "init", conflicts_with = "key")]
    blank: bool,
    /// With --blank: the card number printed on the card (2 letters and 14 digits).
    #[arg(long, requires = "blank", requires = "factory_key")]
    card_number: Option<String>,
    /// With --card-number: the file holding the card's factory key (hex), diversified for
    /// that number by the card management centre (`huji pki card-factory-key`).
    #[arg(long, requires = "card_number")]
    factory_key: Option<PathBuf>,
    /// With --init: the PIN (卡片密碼).
    #[arg(long, env = "HUJI_CARD_PIN", hide_env_values = true, requires = "init")]
    pin: Option<String>,
    /// With --init: the user code (用戶代碼).
    #[arg(
        long,
        env = "HUJI_CARD_USER_CODE",
        hide_env_values = true,
        requires = "init"
    )]
    user_code: Option<String>,
    /// With --init: replace an existing state file.
    #[arg(long, requires = "init")]
    force: bool,
}

fn main() -> Result<()> {
    let args = Args::parse();
    if args.init {
        return init(&args);
    }
    let state = card_helper::card::CardState::load(&args.state)
        .with_context(|| format!("reading the card state {}", args.state.display()))?;
    let store = FileStore {
        path: args.state.clone(),
    };
    let mut card = Card::new(state, store)?;
    let mut connection = connect(&args.vpcd, Duration::from_secs(args.connect_timeout))?;
    eprintln!("huji-virtual-card: inserted into vpcd at {}", args.vpcd);
    card_helper::vpcd::serve(&mut connection, &mut card)
        .with_context(|| format!("talking to vpcd at {}", args.vpcd))?;
    eprintln!("huji-virtual-card: vpcd closed the connection");
    Ok(())
}

fn connect(address: &str, timeout: Duration) -> Result<TcpStream> {
    let started = Instant::now();
    loop {
        match TcpStream::connect(address) {
            Ok(connection) => {
                connection.set_nodelay(true)?;
                return Ok(connection);
            }
            Err(error) if started.elapsed() >= timeout => {
                return Err(error).with_context(|| format!("connecting to vpcd at {address}"))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

fn init(args: &Args) -> Result<()> {
    if args.state.exists() && !args.force {
        bail!(
            "{} exists; pass --force to replace it",
            args.state.display()
        );
    }
    let pin = args.pin.as_deref().context("--init needs --pin")?;
    let user_code = args
        .user_code
        .as_deref()
        .context("--init needs --user-code")?;
    let state = match (&args.key, &args.certificate, &args.generate) {
        (Some(key), Some(certificate), None) => {
            let key = std::fs::read_to_string(key)
                .with_context(|| format!("reading {}", key.display()))?;
            let certificate = std::fs::read(certificate)
                .with_context(|| format!("reading {}", certificate.display()))?;
            personalised_state(&key, &certificate, pin, user_code)?
        }
        (None, None, Some(name)) => generated_state(name, pin, user_code)?,
        (None, None, None) if args.blank => blank_state(pin, user_code, factory(args)?)?,
        _ => bail!("--init needs --key and --certificate, --generate NAME, or --blank"),
    };
    state
        .save(&args.state)
        .with_context(|| format!("writing {}", args.state.display()))?;
    eprintln!("huji-virtual-card: wrote {}", args.state.display());
    Ok(())
}

/// The factory data of `--card-number` and `--factory-key`, if given.
fn factory(args: &Args) -> Result<Option<Factory>> {
    let (Some(card_number), Some(path)) = (&args.card_number, &args.factory_key) else {
        return Ok(None);
    };
    check_private(path)?;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let key = hex::decode(text.trim())
        .with_context(|| format!("{} does not hold a key in hex", path.display()))?;
    Ok(Some(Factory {
        card_number: card_number.clone(),
        key,
    }))
}
