//! Server configuration: defaults, then an optional TOML file, then environment variables.
//! Anything wrong stops the server with one clear line naming the setting.

use app::domain::calendar::WorkingCalendar;
use app::platform::client::TrustedProxies;
use app::services::agency_link::addresses::{
    AddressKind, LinkNetwork, NetworkSetting, DEFAULT_POOLS, DEFAULT_REGISTRY,
};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Everything the server reads at start. Field names are the TOML keys; each also has an
/// environment variable (see [`Config::apply_env`]).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on. `HUJI_BIND`.
    pub bind: SocketAddr,
    /// `sqlite:…` (default: a file under ./data) or `postgres://…`. `DATABASE_URL`.
    pub database_url: String,
    /// Pool size. `HUJI_DB_MAX_CONNECTIONS`.
    pub db_max_connections: u32,
    /// The portal's public origin, e.g. `https://huji.example.gov.tw`. `HUJI_PUBLIC_ORIGIN`.
    pub public_origin: String,
    /// Where cargo-leptos put the site (`pkg/`, assets). `HUJI_SITE_ROOT`.
    pub site_root: PathBuf,
    /// Outgoing mail server, e.g. `smtp://127.0.0.1:2525` or `smtps://user:pass@host`.
    /// Empty: mail stays queued in the outbox. `HUJI_SMTP_URL`.
    pub smtp_url: String,
    /// Sender address of notifications. `HUJI_MAIL_FROM`.
    pub mail_from: String,
    /// Directory of PEM root certificates the portal trusts (F-4). `HUJI_TRUSTED_ROOTS`.
    pub trusted_roots: Option<PathBuf>,
    /// National holidays and make-up working days (F-3). `HUJI_HOLIDAYS`.
    pub holidays_file: PathBuf,
    /// Where the portal's pages reach the card helper on the user's computer (F-5).
    /// `HUJI_CARD_HELPER_URL`.
    pub card_helper_url: String,
    /// The review desk's mailbox, told of each new API-service case (A-N5).
    /// `HUJI_REVIEW_MAILBOX`.
    pub review_mailbox: String,
    /// `HUJI_COUNTER_HOURS`: `office` (the default: counter actions only in each office's
    /// hours, C-2) or `always` (any hour: a demonstration or a test run on the real clock).
    pub counters_always_open: bool,
    /// Reverse proxies whose `X-Forwarded-For` names the client, e.g. `10.0.0.5, 10.1.0.0/16`;
    /// empty: none (the client is the connection's peer). `HUJI_TRUSTED_PROXIES`.
    pub trusted_proxies: String,
    /// The key of the ID-number hashes of the verification API; made at first start when
    /// missing. Every server on one database must read the same key. `HUJI_ID_HASH_KEY_FILE`.
    pub id_hash_key_file: PathBuf,
    /// The key that seals the 用戶代碼 and PIN of a certificate application until the counter
    /// writes them to the card; made at first start when missing. `HUJI_MOICA_SEAL_KEY_FILE`.
    pub moica_seal_key_file: PathBuf,
    /// The key shared with the payment provider, which signs checkout requests and the
    /// provider's notices of renewals paid (C-4); made at first start when missing (the
    /// development provider reads the same file). `HUJI_PAYMENT_KEY_FILE`.
    pub payment_key_file: PathBuf,
    /// The payment provider's checkout page. Unset on a development (`http://`) portal: the
    /// development provider built into the server (`/dev/payments/checkout`); an HTTPS
    /// portal must name its provider. `HUJI_PAYMENT_CHECKOUT_URL`.
    pub payment_checkout_url: Option<String>,
    /// The bearer token `/metrics` asks of its scraper; made at first start when missing.
    /// `HUJI_METRICS_TOKEN_FILE`.
    pub metrics_token_file: PathBuf,
    /// The key of the audit chain's hashes (F-8), outside the database; made at first start
    /// when missing. Every server on one database, and `huji audit verify`, must read the
    /// same key. `HUJI_AUDIT_KEY_FILE`.
    pub audit_key_file: PathBuf,
    /// The audit chain's checkpoint outside the database (`audit::Checkpoint`): the head the
    /// server saw last, moved every minute only along the keyed chain, which `huji audit verify`
    /// checks the chain still reaches. `HUJI_AUDIT_CHECKPOINT_FILE`.
    pub audit_checkpoint_file: PathBuf,
    /// A development PKI (`huji pki init --dir DIR`) whose MOICA CA certifies the cards issued
    /// at the counter (C-2); unset: counter issuance is unavailable. `HUJI_MOICA_CA_DIR`.
    pub moica_ca_dir: Option<PathBuf>,
    /// Verification calls a second allowed to each apId, per server. `HUJI_API_RATE_PER_SECOND`.
    pub api_rate_per_second: u32,
    /// The abnormal-use detector's window, seconds. `HUJI_API_ABNORMAL_WINDOW_SECONDS`.
    pub api_abnormal_window_seconds: u32,
    /// Mismatches in one window that suspend a grant. `HUJI_API_ABNORMAL_MISMATCHES`.
    pub api_abnormal_mismatches: u32,
    /// Distinct ID numbers in one window that suspend a grant. `HUJI_API_ABNORMAL_DISTINCT_IDS`.
    pub api_abnormal_distinct_ids: u32,
    /// Calls in one window, as a multiple of the company's average window over 30 days, that
    /// suspend a grant… `HUJI_API_ABNORMAL_VOLUME_FACTOR`.
    pub api_abnormal_volume_factor: u32,
    /// …but never fewer calls than this. `HUJI_API_ABNORMAL_VOLUME_FLOOR`.
    pub api_abnormal_volume_floor: u32,
    /// Milliseconds a server answers from a grant it has read before reading it again: the
    /// most a suspension, revocation or new IP takes to reach every server; 0 reads the grant
    /// on every call. `HUJI_API_GRANT_CACHE_MS`.
    pub api_grant_cache_ms: u64,
    /// The registry network's own ranges (戶役政資訊網路), comma-separated: no linking
    /// agency's host may overlap them (L-6). `HUJI_LINK_REGISTRY_RANGES`.
    pub link_registry_ranges: String,
    /// The pool the agencies' 通訊設備 subnets come from. `HUJI_LINK_DEVICE_POOL`.
    pub link_device_pool: String,
    /// The prefix length of each 通訊設備 subnet. `HUJI_LINK_DEVICE_PREFIX`.
    pub link_device_prefix: u8,
    /// The pool of the 安全閘道器 subnets. `HUJI_LINK_GATEWAY_POOL`.
    pub link_gateway_pool: String,
    /// `HUJI_LINK_GATEWAY_PREFIX`.
    pub link_gateway_prefix: u8,
    /// The pool of the 連結介面伺服器 / API Gateway addresses. `HUJI_LINK_SERVER_POOL`.
    pub link_server_pool: String,
    /// `HUJI_LINK_SERVER_PREFIX`.
    pub link_server_prefix: u8,
    /// The CJK font the paper forms are printed in (a TrueType/OpenType file or collection).
    /// `HUJI_PAPERS_FONT`.
    pub papers_font: PathBuf,
    /// Its face in a collection (Noto Sans CJK: 3 is Traditional Chinese).
    /// `HUJI_PAPERS_FONT_INDEX`.
    pub papers_font_index: u32,
    /// Where the identity confirmation API listens over mutual TLS (I-3), e.g.
    /// `0.0.0.0:3443`; unset: no such listener (a TLS-terminating proxy may still forward to
    /// the portal's own). `HUJI_CONFIRM_BIND`.
    pub confirm_bind: Option<SocketAddr>,
    /// The portal's certificate chain (PEM) on that listener. `HUJI_CONFIRM_TLS_CERT`.
    pub confirm_tls_cert: Option<PathBuf>,
    /// Its private key (PEM). `HUJI_CONFIRM_TLS_KEY`.
    pub confirm_tls_key: Option<PathBuf>,
    /// Confirmation calls a second allowed to each system, per server.
    /// `HUJI_CONFIRM_RATE_PER_SECOND`.
    pub confirm_rate_per_second: u32,
    /// The TLS-terminating proxies allowed to pass a verified client certificate to the
    /// portal's own listener (addresses or networks, comma-separated); empty: none, the API
    /// is on its mutual-TLS listener only. `HUJI_CONFIRM_PROXIES`.
    pub confirm_proxies: String,
}

/// The environment variables of the link network's pools and prefixes, by kind.
const LINK_POOL_SETTINGS: [(AddressKind, &str, &str); 3] = [
    (
        AddressKind::Device,
        "HUJI_LINK_DEVICE_POOL",
        "HUJI_LINK_DEVICE_PREFIX",
    ),
    (
        AddressKind::Gateway,
        "HUJI_LINK_GATEWAY_POOL",
        "HUJI_LINK_GATEWAY_PREFIX",
    ),
    (
        AddressKind::Server,
        "HUJI_LINK_SERVER_POOL",
        "HUJI_LINK_SERVER_PREFIX",
    ),
];

impl Default for Config {
    fn default() -> Self {
        let verify = crate::verify::Settings::default();
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 3000)),
            database_url: "sqlite:data/huji.db".into(),
            db_max_connections: 16,
            public_origin: "http://127.0.0.1:3000".into(),
            site_root: PathBuf::from("target/site"),
            smtp_url: String::new(),
            mail_from: "Huji 戶政網路申辦 <no-reply@huji.localhost>".into(),
            trusted_roots: None,
            holidays_file: PathBuf::from("server/data/holidays.txt"),
            card_helper_url: "http://127.0.0.1:24170".into(),
            review_mailbox: "api-review@huji.localhost".into(),
            counters_always_open: false,
            trusted_proxies: String::new(),
            id_hash_key_file: PathBuf::from("data/secrets/id-hash.key"),
            moica_seal_key_file: PathBuf::from("data/secrets/moica-seal.key"),
            metrics_token_file: PathBuf::from("data/secrets/metrics.token"),
            payment_key_file: PathBuf::from("data/secrets/payment.key"),
            payment_checkout_url: None,
            audit_key_file: PathBuf::from("data/secrets/audit.key"),
            audit_checkpoint_file: PathBuf::from("data/secrets/audit.head"),
            moica_ca_dir: None,
            api_rate_per_second: verify.rate_per_second,
            api_abnormal_window_seconds: verify.abnormal.window_seconds,
            api_abnormal_mismatches: verify.abnormal.mismatches,
            api_abnormal_distinct_ids: verify.abnormal.distinct_ids,
            api_abnormal_volume_factor: verify.abnormal.volume_factor,
            api_abnormal_volume_floor: verify.abnormal.volume_floor,
            api_grant_cache_ms: u64::try_from(verify.grant_cache.as_millis()).unwrap_or(u64::MAX),
            link_registry_ranges: DEFAULT_REGISTRY.into(),
            link_device_pool: DEFAULT_POOLS[0].1.into(),
            link_device_prefix: DEFAULT_POOLS[0].2,
            link_gateway_pool: DEFAULT_POOLS[1].1.into(),
            link_gateway_prefix: DEFAULT_POOLS[1].2,
            link_server_pool: DEFAULT_POOLS[2].1.into(),
            link_server_prefix: DEFAULT_POOLS[2].2,
            papers_font: PathBuf::from(crate::papers::DEFAULT_FONT),
            papers_font_index: crate::papers::DEFAULT_FONT_INDEX,
            confirm_bind: None,
            confirm_tls_cert: None,
            confirm_tls_key: None,
            confirm_rate_per_second: crate::confirm::Settings::default().rate_per_second,
            confirm_proxies: String::new(),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("configuration file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("setting {name}: {reason}")]
    Invalid { name: &'static str, reason: String },
}

fn invalid(name: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        name,
        reason: reason.into(),
    }
}

impl Config {
    /// Loads defaults, then `file` if given, then the environment, and checks the result.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
                toml::from_str(&text).map_err(|e| ConfigError::File {
                    path: path.display().to_string(),
                    reason: e.message().to_owned(),
                })?
            }
            None => Config::default(),
        };
        config.apply_env(env)?;
        config.validate()?;
        Ok(config)
    }

    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(v) = env("HUJI_BIND") {
            self.bind = v.parse().map_err(|_| {
                invalid(
                    "HUJI_BIND",
                    format!("{v:?} is not an address like 127.0.0.1:3000"),
                )
            })?;
        }
        if let Some(v) = env("HUJI_CONFIRM_BIND") {
            self.confirm_bind = Some(v.parse().map_err(|_| {
                invalid(
                    "HUJI_CONFIRM_BIND",
                    format!("{v:?} is not an address like 0.0.0.0:3443"),
                )
            })?);
        }
        if let Some(v) = env("HUJI_CONFIRM_TLS_CERT") {
            self.confirm_tls_cert = Some(v.into());
        }
        if let Some(v) = env("HUJI_CONFIRM_TLS_KEY") {
            self.confirm_tls_key = Some(v.into());
        }
        if let Some(v) = env("HUJI_CONFIRM_PROXIES") {
            self.confirm_proxies = v;
        }
        if let Some(v) = env("DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = env("HUJI_DB_MAX_CONNECTIONS") {
            self.db_max_connections = v.parse().map_err(|_| {
                invalid("HUJI_DB_MAX_CONNECTIONS", format!("{v:?} is not a number"))
            })?;
        }
        if let Some(v) = env("HUJI_PUBLIC_ORIGIN") {
            self.public_origin = v;
        }
        if let Some(v) = env("HUJI_SITE_ROOT") {
            self.site_root = v.into();
        }
        if let Some(v) = env("HUJI_SMTP_URL") {
            self.smtp_url = v;
        }
        if let Some(v) = env("HUJI_MAIL_FROM") {
            self.mail_from = v;
        }
        if let Some(v) = env("HUJI_TRUSTED_ROOTS") {
            self.trusted_roots = Some(v.into());
        }
        if let Some(v) = env("HUJI_HOLIDAYS") {
            self.holidays_file = v.into();
        }
        if let Some(v) = env("HUJI_CARD_HELPER_URL") {
            self.card_helper_url = v;
        }
        if let Some(v) = env("HUJI_REVIEW_MAILBOX") {
            self.review_mailbox = v;
        }
        if let Some(v) = env("HUJI_COUNTER_HOURS") {
            self.counters_always_open = match v.as_str() {
                "office" => false,
                "always" => true,
                _ => {
                    return Err(invalid(
                        "HUJI_COUNTER_HOURS",
                        format!("{v:?} is neither `office` nor `always`"),
                    ))
                }
            };
        }
        if let Some(v) = env("HUJI_TRUSTED_PROXIES") {
            self.trusted_proxies = v;
        }
        if let Some(v) = env("HUJI_ID_HASH_KEY_FILE") {
            self.id_hash_key_file = v.into();
        }
        if let Some(v) = env("HUJI_MOICA_SEAL_KEY_FILE") {
            self.moica_seal_key_file = v.into();
        }
        if let Some(v) = env("HUJI_PAYMENT_KEY_FILE") {
            self.payment_key_file = v.into();
        }
        if let Some(v) = env("HUJI_PAYMENT_CHECKOUT_URL") {
            self.payment_checkout_url = Some(v);
        }
        if let Some(v) = env("HUJI_METRICS_TOKEN_FILE") {
            self.metrics_token_file = v.into();
        }
        if let Some(v) = env("HUJI_AUDIT_KEY_FILE") {
            self.audit_key_file = v.into();
        }
        if let Some(v) = env("HUJI_AUDIT_CHECKPOINT_FILE") {
            self.audit_checkpoint_file = v.into();
        }
        if let Some(v) = env("HUJI_MOICA_CA_DIR") {
            self.moica_ca_dir = Some(v.into());
        }
        let counts: [(&'static str, &mut u32); 7] = [
            ("HUJI_API_RATE_PER_SECOND", &mut self.api_rate_per_second),
            (
                "HUJI_CONFIRM_RATE_PER_SECOND",
                &mut self.confirm_rate_per_second,
            ),
            (
                "HUJI_API_ABNORMAL_WINDOW_SECONDS",
                &mut self.api_abnormal_window_seconds,
            ),
            (
                "HUJI_API_ABNORMAL_MISMATCHES",
                &mut self.api_abnormal_mismatches,
            ),
            (
                "HUJI_API_ABNORMAL_DISTINCT_IDS",
                &mut self.api_abnormal_distinct_ids,
            ),
            (
                "HUJI_API_ABNORMAL_VOLUME_FACTOR",
                &mut self.api_abnormal_volume_factor,
            ),
            (
                "HUJI_API_ABNORMAL_VOLUME_FLOOR",
                &mut self.api_abnormal_volume_floor,
            ),
        ];
        if let Some(v) = env("HUJI_API_GRANT_CACHE_MS") {
            self.api_grant_cache_ms = v.parse().map_err(|_| {
                invalid(
                    "HUJI_API_GRANT_CACHE_MS",
                    format!("{v:?} is not a whole number of milliseconds"),
                )
            })?;
        }
        if let Some(v) = env("HUJI_PAPERS_FONT") {
            self.papers_font = v.into();
        }
        if let Some(v) = env("HUJI_PAPERS_FONT_INDEX") {
            self.papers_font_index = v.parse().map_err(|_| {
                invalid(
                    "HUJI_PAPERS_FONT_INDEX",
                    format!("{v:?} is not a face number like 3"),
                )
            })?;
        }
        if let Some(v) = env("HUJI_LINK_REGISTRY_RANGES") {
            self.link_registry_ranges = v;
        }
        let link_pools: [(&mut String, &mut u8); 3] = [
            (&mut self.link_device_pool, &mut self.link_device_prefix),
            (&mut self.link_gateway_pool, &mut self.link_gateway_prefix),
            (&mut self.link_server_pool, &mut self.link_server_prefix),
        ];
        for ((_, pool_name, prefix_name), (pool, prefix)) in
            LINK_POOL_SETTINGS.iter().zip(link_pools)
        {
            if let Some(v) = env(pool_name) {
                *pool = v;
            }
            if let Some(v) = env(prefix_name) {
                *prefix = v.parse().map_err(|_| {
                    invalid(prefix_name, format!("{v:?} is not a prefix length like 30"))
                })?;
            }
        }
        for (name, target) in counts {
            if let Some(v) = env(name) {
                *target =
                    v.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                        invalid(name, format!("{v:?} is not a whole number above 0"))
                    })?;
            }
        }
        Ok(())
    }

    /// The identity confirmation API's settings.
    pub fn confirm_settings(&self) -> crate::confirm::Settings {
        crate::confirm::Settings {
            rate_per_second: self.confirm_rate_per_second,
            // Checked by `validate`.
            proxies: TrustedProxies::parse(&self.confirm_proxies).unwrap_or_default(),
            ..Default::default()
        }
    }

    /// The verification API's settings.
    pub fn verify_settings(&self) -> crate::verify::Settings {
        crate::verify::Settings {
            rate_per_second: self.api_rate_per_second,
            abnormal: crate::verify::Thresholds {
                window_seconds: self.api_abnormal_window_seconds,
                mismatches: self.api_abnormal_mismatches,
                distinct_ids: self.api_abnormal_distinct_ids,
                volume_factor: self.api_abnormal_volume_factor,
                volume_floor: self.api_abnormal_volume_floor,
            },
            grant_cache: std::time::Duration::from_millis(self.api_grant_cache_ms),
        }
    }

    /// The registry network and the pools of agency links' addresses (L-6).
    pub fn link_network(&self) -> Result<LinkNetwork, ConfigError> {
        LinkNetwork::parse(
            &self.link_registry_ranges,
            (&self.link_device_pool, self.link_device_prefix),
            (&self.link_gateway_pool, self.link_gateway_prefix),
            (&self.link_server_pool, self.link_server_prefix),
        )
        .map_err(|error| {
            let setting = |kind: AddressKind, prefix: bool| {
                LINK_POOL_SETTINGS
                    .iter()
                    .find(|(k, _, _)| *k == kind)
                    .map(|(_, pool, prefix_name)| if prefix { *prefix_name } else { *pool })
                    .unwrap_or("HUJI_LINK_REGISTRY_RANGES")
            };
            let name = match error.setting {
                NetworkSetting::Registry => "HUJI_LINK_REGISTRY_RANGES",
                NetworkSetting::Pool(kind) => setting(kind, false),
                NetworkSetting::Prefix(kind) => setting(kind, true),
            };
            invalid(name, error.reason)
        })
    }

    /// Reads the national-holiday table named by `holidays_file`.
    pub fn load_calendar(&self) -> Result<WorkingCalendar, ConfigError> {
        let text = std::fs::read_to_string(&self.holidays_file).map_err(|e| ConfigError::File {
            path: self.holidays_file.display().to_string(),
            reason: e.to_string(),
        })?;
        WorkingCalendar::parse_table(&text).map_err(|e| ConfigError::File {
            path: self.holidays_file.display().to_string(),
            reason: e.to_string(),
        })
    }

    fn validate(&self) -> Result<(), ConfigError> {
        app::platform::db::Backend::of_url(&self.database_url)
            .map_err(|e| invalid("DATABASE_URL", e.to_string()))?;
        for (name, count) in [
            ("HUJI_API_RATE_PER_SECOND", self.api_rate_per_second),
            (
                "HUJI_API_ABNORMAL_WINDOW_SECONDS",
                self.api_abnormal_window_seconds,
            ),
            ("HUJI_API_ABNORMAL_MISMATCHES", self.api_abnormal_mismatches),
            (
                "HUJI_API_ABNORMAL_DISTINCT_IDS",
                self.api_abnormal_distinct_ids,
            ),
            (
                "HUJI_API_ABNORMAL_VOLUME_FACTOR",
                self.api_abnormal_volume_factor,
            ),
            (
                "HUJI_API_ABNORMAL_VOLUME_FLOOR",
                self.api_abnormal_volume_floor,
            ),
        ] {
            if count == 0 {
                return Err(invalid(name, "must be at least 1"));
            }
        }
        if self.db_max_connections == 0 {
            return Err(invalid("HUJI_DB_MAX_CONNECTIONS", "must be at least 1"));
        }
        let origin = self.public_origin.as_str();
        let rest = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            .ok_or_else(|| {
                invalid(
                    "HUJI_PUBLIC_ORIGIN",
                    format!("{origin:?} must start with https:// or http://"),
                )
            })?;
        if rest.is_empty() || rest.contains('/') {
            return Err(invalid(
                "HUJI_PUBLIC_ORIGIN",
                format!(
                    "{origin:?} must be scheme and host only, like https://huji.example.gov.tw"
                ),
            ));
        }
        if !self.smtp_url.is_empty()
            && !["smtp://", "smtps://"]
                .iter()
                .any(|s| self.smtp_url.starts_with(s))
        {
            return Err(invalid(
                "HUJI_SMTP_URL",
                "must start with smtp:// or smtps://",
            ));
        }
        let network = self.link_network()?;
        // As a loopback host is refused (issue 21 item 8): on a production portal no call
        // from loopback matches, so a pool there would hand out addresses that never work.
        if self.public_origin.starts_with("https://") {
            for (kind, pool, _) in LINK_POOL_SETTINGS {
                let net = network.pool(kind).network;
                let localhost: std::net::IpAddr = if net.addr().is_ipv4() {
                    std::net::Ipv4Addr::LOCALHOST.into()
                } else {
                    std::net::Ipv6Addr::LOCALHOST.into()
                };
                if net.contains(&localhost) || net.network().to_canonical().is_loopback() {
                    return Err(invalid(
                        pool,
                        "is a loopback network, which no call to an https:// portal comes from",
                    ));
                }
            }
        }
        if self.confirm_bind.is_some()
            && (self.confirm_tls_cert.is_none() || self.confirm_tls_key.is_none())
        {
            return Err(invalid(
                "HUJI_CONFIRM_BIND",
                "needs HUJI_CONFIRM_TLS_CERT and HUJI_CONFIRM_TLS_KEY: the listener speaks TLS only",
            ));
        }
        if let Err(reason) = TrustedProxies::parse(&self.trusted_proxies) {
            return Err(invalid("HUJI_TRUSTED_PROXIES", reason));
        }
        if let Err(reason) = TrustedProxies::parse(&self.confirm_proxies) {
            return Err(invalid("HUJI_CONFIRM_PROXIES", reason));
        }
        // The pages' Content-Security-Policy allows exactly this origin shape.
        let helper = self.card_helper_url.strip_prefix("http://127.0.0.1:");
        if !helper.is_some_and(|port| port.parse::<u16>().is_ok_and(|p| p > 0)) {
            return Err(invalid(
                "HUJI_CARD_HELPER_URL",
                format!(
                    "{:?} must be http://127.0.0.1:<port>: the helper runs on the user's own computer",
                    self.card_helper_url
                ),
            ));
        }
        if let Some(dir) = &self.trusted_roots {
            if !dir.is_dir() {
                return Err(invalid(
                    "HUJI_TRUSTED_ROOTS",
                    format!("{} is not a directory", dir.display()),
                ));
            }
        }
        if !self.holidays_file.is_file() {
            return Err(invalid(
                "HUJI_HOLIDAYS",
                format!("{} does not exist", self.holidays_file.display()),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn holidays() -> String {
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/holidays.txt").to_owned()
    }

    fn load(file: Option<&Path>, vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        map.entry("HUJI_HOLIDAYS".into()).or_insert_with(holidays);
        Config::load(file, |k| map.get(k).cloned())
    }

    #[test]
    fn defaults_use_a_sqlite_file_under_data() {
        let config = load(None, &[]).expect("defaults are valid");
        assert_eq!(config.database_url, "sqlite:data/huji.db");
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("huji.toml");
        std::fs::write(
            &path,
            "bind = \"127.0.0.1:4000\"\npublic_origin = \"https://a.example\"\n",
        )
        .expect("write");
        let config =
            load(Some(&path), &[("HUJI_PUBLIC_ORIGIN", "https://b.example")]).expect("valid");
        assert_eq!(config.bind.port(), 4000);
        assert_eq!(config.public_origin, "https://b.example");
    }

    #[test]
    fn bad_settings_are_named() {
        let err = load(None, &[("DATABASE_URL", "mysql://x")]).unwrap_err();
        assert!(err.to_string().starts_with("setting DATABASE_URL"), "{err}");
        let err = load(None, &[("HUJI_BIND", "nowhere")]).unwrap_err();
        assert!(err.to_string().starts_with("setting HUJI_BIND"), "{err}");
        let err = load(None, &[("HUJI_PUBLIC_ORIGIN", "https://a.example/path")]).unwrap_err();
        assert!(
            err.to_string().starts_with("setting HUJI_PUBLIC_ORIGIN"),
            "{err}"
        );
        for helper in [
            "http://example.com:24170",
            "http://127.0.0.1:",
            "http://127.0.0.1:0",
        ] {
            let err = load(None, &[("HUJI_CARD_HELPER_URL", helper)]).unwrap_err();
            assert!(
                err.to_string().starts_with("setting HUJI_CARD_HELPER_URL"),
                "{err}"
            );
        }
        let err = load(None, &[("HUJI_API_GRANT_CACHE_MS", "-1")]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("setting HUJI_API_GRANT_CACHE_MS"),
            "{err}"
        );
        let err = load(None, &[("HUJI_SMTP_URL", "http://mail")]).unwrap_err();
        assert!(
            err.to_string().starts_with("setting HUJI_SMTP_URL"),
            "{err}"
        );
    }

    #[test]
    fn the_grant_cache_is_a_second_by_default_and_may_be_switched_off() {
        let config = load(None, &[]).expect("valid");
        assert_eq!(
            config.verify_settings().grant_cache,
            std::time::Duration::from_secs(1)
        );
        let config = load(None, &[("HUJI_API_GRANT_CACHE_MS", "0")]).expect("valid");
        assert!(config.verify_settings().grant_cache.is_zero());
    }

    #[test]
    fn f3_the_shipped_holiday_table_loads() {
        let config = load(None, &[]).expect("valid");
        let calendar = config.load_calendar().expect("holidays.txt parses");
        // National Day 2026 falls on a Saturday and is observed on Friday 10/9.
        let observed = chrono::NaiveDate::from_ymd_opt(2026, 10, 9).expect("date");
        assert!(!calendar.is_working_day(observed));
        assert!(calendar.is_working_day(observed.pred_opt().expect("date")));
    }

    #[test]
    fn a_broken_holiday_table_stops_the_server_with_its_line_number() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("holidays.txt");
        std::fs::write(&path, "2026-01-01 holiday 元旦\nnot a line\n").expect("write");
        let config =
            load(None, &[("HUJI_HOLIDAYS", path.to_str().expect("utf-8"))]).expect("valid");
        let err = config.load_calendar().unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn security_21_8_a_loopback_pool_is_refused_on_a_production_portal_only() {
        let loopback = [("HUJI_LINK_SERVER_POOL", "127.0.0.0/16")];
        assert!(
            load(None, &loopback).is_ok(),
            "a development portal takes it"
        );
        let production = [
            ("HUJI_PUBLIC_ORIGIN", "https://huji.example.gov.tw"),
            ("HUJI_LINK_SERVER_POOL", "127.0.0.0/16"),
        ];
        let err = load(None, &production).unwrap_err().to_string();
        assert!(err.contains("HUJI_LINK_SERVER_POOL"), "{err}");
        assert!(
            load(None, &production[..1]).is_ok(),
            "the default pools are not loopback"
        );
    }

    #[test]
    fn l_6_the_link_network_is_configured_and_checked() {
        let config = load(None, &[]).expect("valid");
        assert_eq!(
            config.link_network().expect("default network"),
            LinkNetwork::default()
        );
        let config = load(
            None,
            &[
                ("HUJI_LINK_REGISTRY_RANGES", "10.0.0.0/8"),
                ("HUJI_LINK_SERVER_POOL", "192.168.9.0/24"),
                ("HUJI_LINK_SERVER_PREFIX", "31"),
            ],
        )
        .expect("valid");
        let network = config.link_network().expect("network");
        assert_eq!(network.registry().len(), 1);
        assert_eq!(network.pool(AddressKind::Server).prefix, 31);
        for (vars, name) in [
            (
                &[("HUJI_LINK_REGISTRY_RANGES", "nowhere")][..],
                "HUJI_LINK_REGISTRY_RANGES",
            ),
            (
                &[("HUJI_LINK_GATEWAY_PREFIX", "x")][..],
                "HUJI_LINK_GATEWAY_PREFIX",
            ),
            (
                &[("HUJI_LINK_GATEWAY_PREFIX", "33")][..],
                "HUJI_LINK_GATEWAY_PREFIX",
            ),
            (
                &[("HUJI_LINK_DEVICE_POOL", "10.200.0.0/20")][..],
                "HUJI_LINK_DEVICE_POOL",
            ),
        ] {
            let err = load(None, vars).unwrap_err();
            assert!(
                err.to_string().starts_with(&format!("setting {name}")),
                "{err}"
            );
        }
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("huji.toml");
        std::fs::write(&path, "bnid = \"127.0.0.1:4000\"\n").expect("write");
        let err = load(Some(&path), &[]).unwrap_err();
        assert!(matches!(err, ConfigError::File { .. }), "{err}");
    }
}
