//! The network address of an agency's host that a link is for (主機網路位址, seed 001 step 1):
//! one IPv4 address, or an IPv4 network in CIDR form when several hosts call, since the GSN
//! VPN and the firewall (steps 6, 9) are planned in IPv4 subnets.

use super::host_ip::{HostIp, HostIpError, LoopbackHost};
use super::{is_digits, normalize_input, required_message, FieldError};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

/// 主機網路位址: an IPv4 host (`/32`) or network (`/16` … `/31`) written on its network
/// address.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HostNetwork {
    network: Ipv4Addr,
    prefix: u8,
}

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HostNetworkError {
    #[error("host address is required")]
    Missing,
    #[error("not an IPv4 address or network")]
    Format,
    #[error("an IPv6 address where IPv4 is needed")]
    Ipv6,
    #[error("the prefix length is out of range")]
    Prefix,
    #[error("the network is not written on its network address")]
    HostBits,
    #[error(transparent)]
    Address(#[from] HostIpError),
}

impl FieldError for HostNetworkError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            HostNetworkError::Missing => required_message(lang),
            HostNetworkError::Format => lang.pick(
                "網路位址格式錯誤：請填寫 IPv4 位址（如 203.0.113.5）或網段（如 203.0.113.0/28）",
                "Not a valid address: enter an IPv4 address (e.g. 203.0.113.5) or network (e.g. 203.0.113.0/28)",
            ),
            HostNetworkError::Ipv6 => lang.pick(
                "GSN VPN 與防火牆僅設定 IPv4，請填寫 IPv4 位址或網段",
                "The GSN VPN and the firewall take IPv4 only: enter an IPv4 address or network",
            ),
            HostNetworkError::Prefix => lang.pick(
                "網段遮罩長度應為 /16 至 /32",
                "The prefix length must be from /16 to /32",
            ),
            HostNetworkError::HostBits => lang.pick(
                "網段請以網路位址填寫（如 203.0.113.0/28，而非 203.0.113.5/28）",
                "Write a network on its network address (e.g. 203.0.113.0/28, not 203.0.113.5/28)",
            ),
            HostNetworkError::Address(error) => error.message(lang),
        }
    }
}

impl HostNetwork {
    /// The shortest prefix an agency may register: larger networks would claim addresses that
    /// other agencies and the registry network need.
    pub const MIN_PREFIX: u8 = 16;

    pub fn parse(input: &str) -> Result<HostNetwork, HostNetworkError> {
        let text = normalize_input(input);
        if text.is_empty() {
            return Err(HostNetworkError::Missing);
        }
        let (address, prefix) = match text.split_once('/') {
            Some((_, _)) if text.contains("://") => {
                return Err(HostIpError::HostName.into());
            }
            Some((address, prefix)) => {
                if !is_digits(prefix, 1..=2) {
                    return Err(HostNetworkError::Format);
                }
                let prefix: u8 = prefix.parse().map_err(|_| HostNetworkError::Format)?;
                (address, prefix)
            }
            None => (text.as_str(), 32),
        };
        let parsed = HostIp::parse(address).map_err(|error| match error {
            HostIpError::Format => HostNetworkError::Format,
            other => other.into(),
        })?;
        let IpAddr::V4(network) = parsed.addr() else {
            return Err(HostNetworkError::Ipv6);
        };
        if !(Self::MIN_PREFIX..=32).contains(&prefix) {
            return Err(HostNetworkError::Prefix);
        }
        let network = HostNetwork { network, prefix };
        if network.first() != network.network {
            return Err(HostNetworkError::HostBits);
        }
        Ok(network)
    }

    fn mask(self) -> u32 {
        u32::MAX
            .checked_shl(32 - u32::from(self.prefix))
            .unwrap_or(0)
    }

    /// The network's first address (the address itself for a single host).
    pub fn first(self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.network) & self.mask())
    }

    /// The network's last address.
    pub fn last(self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.network) | !self.mask())
    }

    pub fn prefix(self) -> u8 {
        self.prefix
    }

    /// Whether the two share an address: the conflict step 6 refuses.
    pub fn overlaps(self, other: HostNetwork) -> bool {
        self.first() <= other.last() && other.first() <= self.last()
    }

    /// Refuses a loopback network on a production portal ([`LoopbackHost`]): with a prefix of
    /// /16 or longer a network is inside 127.0.0.0/8 whole or not at all.
    pub fn refuse_loopback(self, development: bool) -> Result<(), LoopbackHost> {
        LoopbackHost::check(IpAddr::V4(self.first()), development)
    }

    /// Whether `ip` lies in this network (a call from it comes from the agency's host).
    pub fn contains(self, ip: IpAddr) -> bool {
        match ip.to_canonical() {
            IpAddr::V4(v4) => self.first() <= v4 && v4 <= self.last(),
            IpAddr::V6(_) => false,
        }
    }
}

impl fmt::Display for HostNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.prefix == 32 {
            self.network.fmt(f)
        } else {
            write!(f, "{}/{}", self.network, self.prefix)
        }
    }
}

impl fmt::Debug for HostNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HostNetwork({self})")
    }
}

parse_from_string!(HostNetwork, HostNetworkError);

impl From<HostNetwork> for String {
    fn from(value: HostNetwork) -> String {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deserialize_str;
    use proptest::prelude::*;

    fn parsed(input: &str) -> Result<String, HostNetworkError> {
        HostNetwork::parse(input).map(|network| network.to_string())
    }

    #[test]
    fn security_21_8_a_loopback_host_network_is_refused_on_a_production_portal_only() {
        let refused = |text: &str, development: bool| {
            HostNetwork::parse(text)
                .expect("parses")
                .refuse_loopback(development)
                .is_err()
        };
        for loopback in ["127.0.0.1", "127.0.0.0/16", "127.255.255.0/24"] {
            assert!(refused(loopback, false), "{loopback}");
            assert!(!refused(loopback, true), "{loopback} in development");
        }
        assert!(!refused("203.0.113.0/28", false));
        assert!(!refused("126.255.255.255", false));
    }

    #[test]
    fn f2_host_network_accepts_an_ipv4_host_or_network() {
        assert_eq!(parsed("203.0.113.5"), Ok("203.0.113.5".into()));
        assert_eq!(parsed("203.0.113.5/32"), Ok("203.0.113.5".into()));
        assert_eq!(parsed(" 10.20.0.0/16 "), Ok("10.20.0.0/16".into()));
        assert_eq!(
            parsed("２０３．０．１１３．０／２８"),
            Ok("203.0.113.0/28".into())
        );
    }

    #[test]
    fn f2_host_network_names_what_is_wrong() {
        assert_eq!(parsed(""), Err(HostNetworkError::Missing));
        assert_eq!(parsed("203.0.113.5/28"), Err(HostNetworkError::HostBits));
        assert_eq!(parsed("10.0.0.0/8"), Err(HostNetworkError::Prefix));
        assert_eq!(parsed("203.0.113.0/33"), Err(HostNetworkError::Prefix));
        assert_eq!(parsed("203.0.113.0/x"), Err(HostNetworkError::Format));
        assert_eq!(parsed("203.0.113"), Err(HostNetworkError::Format));
        assert_eq!(parsed("2001:db8::1"), Err(HostNetworkError::Ipv6));
        assert_eq!(parsed("2001:db8::/64"), Err(HostNetworkError::Ipv6));
        assert_eq!(
            parsed("0.0.0.0"),
            Err(HostNetworkError::Address(HostIpError::Unspecified))
        );
        assert_eq!(
            parsed("203.0.113.5:443"),
            Err(HostNetworkError::Address(HostIpError::Port))
        );
        assert_eq!(
            parsed("https://203.0.113.5/"),
            Err(HostNetworkError::Address(HostIpError::HostName))
        );
        assert!(HostNetworkError::HostBits
            .message(Lang::ZhTw)
            .contains("網路位址"));
        assert!(HostNetworkError::Ipv6
            .message(Lang::English)
            .contains("IPv4"));
    }

    #[test]
    fn f2_host_network_overlaps_and_contains() {
        let net = HostNetwork::parse("203.0.113.0/28").unwrap();
        let inside = HostNetwork::parse("203.0.113.15").unwrap();
        let outside = HostNetwork::parse("203.0.113.16").unwrap();
        assert!(net.overlaps(inside) && inside.overlaps(net));
        assert!(!net.overlaps(outside));
        assert!(net.contains("203.0.113.7".parse().unwrap()));
        assert!(net.contains("::ffff:203.0.113.7".parse().unwrap()));
        assert!(!net.contains("203.0.113.16".parse().unwrap()));
        assert_eq!(net.last(), Ipv4Addr::new(203, 0, 113, 15));
    }

    #[test]
    fn f2_host_network_deserialises_only_through_parse() {
        assert!(deserialize_str::<HostNetwork>("10.1.0.0/16").is_ok());
        assert!(deserialize_str::<HostNetwork>("10.1.0.1/16").is_err());
    }

    proptest! {
        #[test]
        fn f2_host_network_parse_never_panics(input in any::<String>()) {
            let _ = HostNetwork::parse(&input);
        }

        #[test]
        fn f2_host_network_round_trips(a in 1u8..=223, b: u8, c: u8, d: u8, prefix in 16u8..=32) {
            let raw = u32::from(Ipv4Addr::new(a, b, c, d));
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            let text = format!("{}/{prefix}", Ipv4Addr::from(raw & mask));
            if let Ok(network) = HostNetwork::parse(&text) {
                prop_assert_eq!(HostNetwork::parse(&network.to_string()), Ok(network));
            }
        }
    }
}
