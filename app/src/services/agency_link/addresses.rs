//! 資訊服務司審核編訂相關網路位址 (seed 001 step 6, SPEC L-6): for a case over the GSN VPN, an
//! address or subnet, with its mask, for each of the agency's 通訊設備, 安全閘道器 and
//! 連結介面伺服器 (API Gateway 伺服器 on an API case), taken from the configured pools
//! ([`LinkNetwork`]). The agency's host address is refused first if it overlaps the registry
//! network's own ranges (戶役政資訊網路), another case's allocation or another case's host,
//! naming the conflict, so that the case goes back to the agency to change it (the seed's
//! “則回覆戶政司要求申請機關進行更換”). Data only: no traffic goes anywhere.
//!
//! Allocations of cases in progress or live hold their subnets; a withdrawn or cancelled
//! case's do not, and [`release`] frees a case's at once (sent back, withdrawn, cancelled).
//! Allocations are serialised by a one-row lock table updated first, as the audit chain's
//! head serialises appends, so one subnet is never handed out twice.

mod network;

pub use ipnet::IpNet;
pub use network::{
    LinkNetwork, NetworkConfigError, NetworkSetting, Pool, DEFAULT_POOLS, DEFAULT_REGISTRY,
};

use super::cases::{Interface, LinkStatus};
use crate::cases::Code;
use crate::coded;
use crate::error::PortalError;
use crate::i18n::Lang;
use crate::platform::rows::RowExt;
use sqlx::{AnyConnection, Row};

coded! {
    /// What the 資訊服務司 assigns a subnet to, on the agency's side of the link.
    pub enum AddressKind {
        Device = "device", "通訊設備", "Communication device";
        Gateway = "gateway", "安全閘道器", "Security gateway";
        /// The 連結介面伺服器, or on an API case the API Gateway 伺服器.
        Server = "server", "連結介面伺服器", "Link interface server";
    }
}

impl AddressKind {
    /// Its name on a case of `interface`: an API case's server is its API Gateway.
    pub fn name(self, interface: Interface, lang: Lang) -> &'static str {
        match (self, interface) {
            (AddressKind::Server, Interface::ApiVpn) => {
                lang.pick("API Gateway 伺服器", "API Gateway server")
            }
            _ => self.label(lang),
        }
    }
}

/// An address or network as an agency files it: an IP address (a single host) or a CIDR
/// network; host bits are cleared. `None` if it is neither.
pub fn parse_host(text: &str) -> Option<IpNet> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
        .ok()
        .map(|net| net.trunc())
}

/// Whether two networks share an address (CIDR blocks either nest or are apart).
pub fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(b) || b.contains(a)
}

/// The first subnet of `pool` that overlaps nothing `taken`.
pub fn first_free(pool: Pool, taken: &[IpNet]) -> Option<IpNet> {
    pool.network
        .subnets(pool.prefix)
        .ok()?
        .find(|candidate| !taken.iter().any(|held| overlaps(candidate, held)))
}

/// A case's subnets, one of each kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    pub device: IpNet,
    pub gateway: IpNet,
    pub server: IpNet,
    pub allocated_at: i64,
}

impl Allocation {
    /// The subnet of `kind`; its mask is `.netmask()`.
    pub fn of(&self, kind: AddressKind) -> IpNet {
        match kind {
            AddressKind::Device => self.device,
            AddressKind::Gateway => self.gateway,
            AddressKind::Server => self.server,
        }
    }
}

/// Why a host address cannot be linked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// It lies in (or holds) one of the registry network's own ranges.
    Registry { range: IpNet },
    /// It overlaps a subnet allocated to another case.
    Allocated {
        link_id: String,
        interface: Interface,
        kind: AddressKind,
        network: IpNet,
    },
    /// It overlaps the host address another case filed.
    Host { link_id: String, host: IpNet },
}

#[derive(Debug, thiserror::Error)]
pub enum AllocationError {
    /// The agency's host address conflicts: the case goes back for another one.
    #[error("host address {host} conflicts: {conflict:?}")]
    Conflict { host: IpNet, conflict: Conflict },
    /// A pool has no free subnet left: the configuration must give it more room.
    #[error("the {kind:?} pool {pool} is full")]
    PoolFull { kind: AddressKind, pool: IpNet },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl AllocationError {
    /// What the 資訊服務司 (and, for a conflict, the agency) is told; `None` for a fault on
    /// our side.
    pub fn message(&self, lang: Lang) -> Option<String> {
        let change = lang.pick(
            "請申請機關更換主機網路位址。",
            "The agency must change its host address.",
        );
        Some(match self {
            AllocationError::Conflict { host, conflict } => {
                let what = match conflict {
                    Conflict::Registry { range } => lang.pick(
                        format!("戶役政資訊網路之網段 {range}"),
                        format!("the registry network's range {range} (戶役政資訊網路)"),
                    ),
                    Conflict::Allocated {
                        link_id,
                        interface,
                        kind,
                        network,
                    } => {
                        let name = kind.name(*interface, lang);
                        lang.pick(
                            format!("案件 {link_id} 之{name}位址 {network}"),
                            format!("{network}, the {name} address of case {link_id}"),
                        )
                    }
                    Conflict::Host { link_id, host } => lang.pick(
                        format!("案件 {link_id} 之主機網路位址 {host}"),
                        format!("{host}, the host address of case {link_id}"),
                    ),
                };
                lang.pick(
                    format!("申請機關主機網路位址 {host} 與{what} 衝突。{change}"),
                    format!("The agency's host address {host} overlaps {what}. {change}"),
                )
            }
            AllocationError::PoolFull { kind, pool } => {
                let name = kind.label(lang);
                lang.pick(
                    format!("{name}位址池 {pool} 已無可用網段，請系統管理者擴充位址池。"),
                    format!(
                        "The {name} pool {pool} has no free subnet left; an administrator must enlarge it."
                    ),
                )
            }
            AllocationError::Database(_) => return None,
        })
    }
}

impl From<AllocationError> for PortalError {
    fn from(error: AllocationError) -> PortalError {
        match (error.message(Lang::ZhTw), error.message(Lang::English)) {
            (Some(zh_tw), Some(english)) => PortalError::Refused { zh_tw, english },
            _ => PortalError::unavailable(error),
        }
    }
}

/// What another case holds: a subnet allocated to it, or the host address it filed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub link_id: String,
    pub interface: Interface,
    /// `None`: its host address.
    pub kind: Option<AddressKind>,
    pub network: IpNet,
}

/// The first conflict of `host` with the registry network or what other cases hold.
pub fn host_conflict(host: &IpNet, config: &LinkNetwork, held: &[Held]) -> Option<Conflict> {
    if let Some(range) = config.registry().iter().find(|range| overlaps(host, range)) {
        return Some(Conflict::Registry { range: *range });
    }
    held.iter()
        .find(|other| overlaps(host, &other.network))
        .map(|other| match other.kind {
            Some(kind) => Conflict::Allocated {
                link_id: other.link_id.clone(),
                interface: other.interface,
                kind,
                network: other.network,
            },
            None => Conflict::Host {
                link_id: other.link_id.clone(),
                host: other.network,
            },
        })
}

/// Allocates case `link_id`'s subnets for its agency's `host`, replacing any it had, inside
/// the caller's transaction (begun with `Db::begin_write`). Refuses a conflicting host or a
/// full pool; the caller then rolls back.
pub async fn allocate(
    conn: &mut AnyConnection,
    link_id: &str,
    host: IpNet,
    config: &LinkNetwork,
    now: i64,
) -> Result<Allocation, AllocationError> {
    let host = host.trunc();
    // First, so that allocations run one at a time: on PostgreSQL the row stays locked until
    // the transaction ends; on SQLite the write lock is the database's.
    sqlx::query("UPDATE agency_link_network_lock SET allocations = allocations + 1 WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    let held = held_by_others(conn, link_id).await?;
    if let Some(conflict) = host_conflict(&host, config, &held) {
        return Err(AllocationError::Conflict { host, conflict });
    }
    let mut taken: Vec<IpNet> = held.iter().map(|other| other.network).collect();
    taken.extend(config.registry());
    taken.push(host);
    let mut take = |kind: AddressKind| {
        let pool = config.pool(kind);
        let subnet = first_free(pool, &taken).ok_or(AllocationError::PoolFull {
            kind,
            pool: pool.network,
        })?;
        taken.push(subnet);
        Ok::<_, AllocationError>(subnet)
    };
    let allocation = Allocation {
        device: take(AddressKind::Device)?,
        gateway: take(AddressKind::Gateway)?,
        server: take(AddressKind::Server)?,
        allocated_at: now,
    };
    release(conn, link_id).await?;
    for kind in AddressKind::ALL {
        sqlx::query(
            "INSERT INTO agency_link_addresses (link_id, kind, network, allocated_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(link_id)
        .bind(kind.code())
        .bind(allocation.of(*kind).to_string())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(allocation)
}

/// Frees case `link_id`'s subnets (sent back, withdrawn, cancelled).
pub async fn release(conn: &mut AnyConnection, link_id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM agency_link_addresses WHERE link_id = $1")
        .bind(link_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Case `link_id`'s subnets, if it has them.
pub async fn allocation(
    conn: &mut AnyConnection,
    link_id: &str,
) -> sqlx::Result<Option<Allocation>> {
    let rows = sqlx::query(
        "SELECT kind, network, allocated_at FROM agency_link_addresses WHERE link_id = $1",
    )
    .bind(link_id)
    .fetch_all(conn)
    .await?;
    let mut found = Vec::with_capacity(rows.len());
    for row in &rows {
        found.push((
            row.code::<AddressKind>("kind")?,
            network(row, "network")?,
            row.try_get::<i64, _>("allocated_at")?,
        ));
    }
    let of = |kind: AddressKind| {
        found
            .iter()
            .find(|(k, _, _)| *k == kind)
            .map(|(_, net, _)| *net)
    };
    Ok(
        match (
            of(AddressKind::Device),
            of(AddressKind::Gateway),
            of(AddressKind::Server),
        ) {
            (Some(device), Some(gateway), Some(server)) => Some(Allocation {
                device,
                gateway,
                server,
                allocated_at: found.iter().map(|(_, _, at)| *at).max().unwrap_or_default(),
            }),
            _ => None,
        },
    )
}

/// What the other cases in progress or live hold: their subnets, then their host addresses.
async fn held_by_others(conn: &mut AnyConnection, link_id: &str) -> sqlx::Result<Vec<Held>> {
    let active = [LinkStatus::InProgress.code(), LinkStatus::Live.code()];
    let subnets = sqlx::query(
        "SELECT a.link_id, l.interface, a.kind, a.network FROM agency_link_addresses a \
         JOIN agency_links l ON l.id = a.link_id \
         WHERE l.status IN ($1, $2) AND a.link_id <> $3 ORDER BY a.link_id, a.kind",
    )
    .bind(active[0])
    .bind(active[1])
    .bind(link_id)
    .fetch_all(&mut *conn)
    .await?;
    // The hosts of other agencies' cases whose addresses were assigned (checked at their step
    // 6): a case merely filed holds nothing, so an application cannot block another agency's
    // range, and an agency's interfaces may share one host.
    let hosts = sqlx::query(
        "SELECT id, interface, host_address FROM agency_links l \
         WHERE status IN ($1, $2) AND id <> $3 \
         AND agency_code <> (SELECT agency_code FROM agency_links WHERE id = $3) \
         AND EXISTS (SELECT 1 FROM agency_link_addresses a WHERE a.link_id = l.id) ORDER BY id",
    )
    .bind(active[0])
    .bind(active[1])
    .bind(link_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut held = Vec::with_capacity(subnets.len() + hosts.len());
    for row in &subnets {
        held.push(Held {
            link_id: row.try_get("link_id")?,
            interface: row.code("interface")?,
            kind: Some(row.code("kind")?),
            network: network(row, "network")?,
        });
    }
    for row in &hosts {
        let filed: String = row.try_get("host_address")?;
        // A host the form's parser let through always parses; anything else holds nothing.
        if let Some(host) = parse_host(&filed) {
            held.push(Held {
                link_id: row.try_get("id")?,
                interface: row.code("interface")?,
                kind: None,
                network: host,
            });
        }
    }
    Ok(held)
}

fn network(row: &sqlx::any::AnyRow, column: &str) -> sqlx::Result<IpNet> {
    let text: String = row.try_get(column)?;
    text.parse().map_err(|_| sqlx::Error::ColumnDecode {
        index: column.into(),
        source: format!("not a network: {text}").into(),
    })
}

#[cfg(test)]
mod tests;
