//! The link network's settings: the registry network's own ranges and one pool per kind of
//! address, from the server's configuration (`HUJI_LINK_*`, docs/operations.md).

use super::{overlaps, parse_host, AddressKind, IpNet};
use crate::cases::Code;

/// Where the subnets of one kind come from, and how large each is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pool {
    pub network: IpNet,
    /// The prefix length of each subnet handed out, e.g. 30 (a /30: four addresses).
    pub prefix: u8,
}

/// The registry network (戶役政資訊網路) and the pools, checked: every pool holds subnets of
/// its size, and no two of them, nor a pool and the registry network, overlap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkNetwork {
    registry: Vec<IpNet>,
    /// In the order of [`AddressKind::ALL`].
    pools: [Pool; 3],
}

/// Which setting is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkSetting {
    Registry,
    Pool(AddressKind),
    Prefix(AddressKind),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct NetworkConfigError {
    pub setting: NetworkSetting,
    pub reason: String,
}

/// The defaults, private ranges: the registry network's, then each kind's pool and prefix.
pub const DEFAULT_REGISTRY: &str = "10.200.0.0/16, 10.201.0.0/16";
pub const DEFAULT_POOLS: [(AddressKind, &str, u8); 3] = [
    (AddressKind::Device, "172.20.0.0/18", 30),
    (AddressKind::Gateway, "172.20.64.0/18", 29),
    (AddressKind::Server, "172.20.128.0/20", 32),
];

impl Default for LinkNetwork {
    fn default() -> LinkNetwork {
        let [device, gateway, server] = DEFAULT_POOLS.map(|(_, pool, prefix)| (pool, prefix));
        LinkNetwork::parse(DEFAULT_REGISTRY, device, gateway, server)
            .expect("the default link network is valid")
    }
}

impl LinkNetwork {
    /// Reads the settings as written: the registry ranges comma-separated, each pool a CIDR
    /// network with the prefix length of its subnets.
    pub fn parse(
        registry: &str,
        device: (&str, u8),
        gateway: (&str, u8),
        server: (&str, u8),
    ) -> Result<LinkNetwork, NetworkConfigError> {
        let registry = registry
            .split(',')
            .filter(|item| !item.trim().is_empty())
            .map(|item| {
                parse_host(item).ok_or_else(|| NetworkConfigError {
                    setting: NetworkSetting::Registry,
                    reason: format!("{:?} is not an address or CIDR network", item.trim()),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let pool = |kind: AddressKind, (network, prefix): (&str, u8)| {
            let network = network
                .trim()
                .parse::<IpNet>()
                .map_err(|_| NetworkConfigError {
                    setting: NetworkSetting::Pool(kind),
                    reason: format!("{network:?} is not a CIDR network like 172.20.0.0/18"),
                })?;
            Ok(Pool {
                network: network.trunc(),
                prefix,
            })
        };
        LinkNetwork::new(
            registry,
            [
                pool(AddressKind::Device, device)?,
                pool(AddressKind::Gateway, gateway)?,
                pool(AddressKind::Server, server)?,
            ],
        )
    }

    /// Checks the ranges and pools (pools in the order of [`AddressKind::ALL`]).
    pub fn new(registry: Vec<IpNet>, pools: [Pool; 3]) -> Result<LinkNetwork, NetworkConfigError> {
        if registry.is_empty() {
            return Err(NetworkConfigError {
                setting: NetworkSetting::Registry,
                reason: "names no range: the registry network must be known".into(),
            });
        }
        for (index, (kind, pool)) in AddressKind::ALL.iter().zip(&pools).enumerate() {
            let fail = |setting: NetworkSetting, reason: String| {
                Err(NetworkConfigError { setting, reason })
            };
            if pool.prefix < pool.network.prefix_len()
                || pool.prefix > pool.network.max_prefix_len()
            {
                return fail(
                    NetworkSetting::Prefix(*kind),
                    format!(
                        "/{} subnets do not fit in the {} pool {}",
                        pool.prefix,
                        kind.code(),
                        pool.network
                    ),
                );
            }
            if let Some(range) = registry.iter().find(|range| overlaps(range, &pool.network)) {
                return fail(
                    NetworkSetting::Pool(*kind),
                    format!(
                        "the {} pool {} overlaps the registry network's range {range}",
                        kind.code(),
                        pool.network
                    ),
                );
            }
            for (other_kind, other) in AddressKind::ALL.iter().zip(&pools).take(index) {
                if overlaps(&other.network, &pool.network) {
                    return fail(
                        NetworkSetting::Pool(*kind),
                        format!(
                            "the {} pool {} overlaps the {} pool {}",
                            kind.code(),
                            pool.network,
                            other_kind.code(),
                            other.network
                        ),
                    );
                }
            }
        }
        Ok(LinkNetwork { registry, pools })
    }

    /// The registry network's own ranges (戶役政資訊網路).
    pub fn registry(&self) -> &[IpNet] {
        &self.registry
    }

    pub fn pool(&self, kind: AddressKind) -> Pool {
        self.pools[match kind {
            AddressKind::Device => 0,
            AddressKind::Gateway => 1,
            AddressKind::Server => 2,
        }]
    }
}
