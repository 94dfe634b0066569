//! The network address of a company's host that may call the verification API (連線主機網路位址):
//! one IPv4 or IPv6 address, nothing more.

use super::{normalize_input, required_message, FieldError};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// 連線主機網路位址. Private and loopback addresses parse (test environments use them; a
/// production portal refuses loopback, [`LoopbackHost`]); addresses that can never be a single
/// calling host do not.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HostIp(IpAddr);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HostIpError {
    #[error("host IP address is required")]
    Missing,
    #[error("not an IPv4 or IPv6 address")]
    Format,
    #[error("a host name is not an IP address")]
    HostName,
    #[error("an IP address must not include a port")]
    Port,
    #[error("a single address is needed, not a network range")]
    Range,
    #[error("the unspecified address cannot be a host")]
    Unspecified,
    #[error("a multicast address cannot be a host")]
    Multicast,
    #[error("the broadcast address cannot be a host")]
    Broadcast,
}

impl FieldError for HostIpError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            HostIpError::Missing => required_message(lang),
            HostIpError::Format => lang.pick(
                "網路位址格式錯誤：IPv4 為 4 組 0 至 255 的數字，以點分隔（如 203.0.113.5）；IPv6 如 2001:db8::5",
                "Not a valid IP address: IPv4 is four numbers from 0 to 255 separated by dots (e.g. 203.0.113.5); IPv6 looks like 2001:db8::5",
            ),
            HostIpError::HostName => lang.pick(
                "請填寫 IP 位址，而非主機名稱或網址",
                "Enter an IP address, not a host name or URL",
            ),
            HostIpError::Port => lang.pick(
                "網路位址請勿包含連接埠（如 :443）",
                "Leave out the port (such as :443)",
            ),
            HostIpError::Range => lang.pick(
                "請填寫單一主機位址，而非網段（如 /24）",
                "Enter a single host address, not a network range (such as /24)",
            ),
            HostIpError::Unspecified => lang.pick(
                "0.0.0.0 或 :: 不是主機位址",
                "0.0.0.0 or :: is not a host address",
            ),
            HostIpError::Multicast => lang.pick(
                "群播（multicast）位址不能作為連線主機位址",
                "A multicast address cannot be a host address",
            ),
            HostIpError::Broadcast => lang.pick(
                "廣播位址 255.255.255.255 不能作為連線主機位址",
                "The broadcast address 255.255.255.255 cannot be a host address",
            ),
        }
    }
}

/// Names what is wrong with text that is not an IP address.
fn diagnose(text: &str) -> HostIpError {
    let is_port = |port: &str| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
    if text.contains('/') {
        return if text.contains("://") {
            HostIpError::HostName
        } else {
            HostIpError::Range
        };
    }
    // `[2001:db8::1]:443` and `203.0.113.5:443`.
    if let Some((host, port)) = text.rsplit_once("]:") {
        if host.starts_with('[') && is_port(port) {
            return HostIpError::Port;
        }
    }
    if let Some((host, port)) = text.split_once(':') {
        if !port.contains(':') && is_port(port) {
            return if host.parse::<IpAddr>().is_ok() {
                HostIpError::Port
            } else {
                HostIpError::HostName
            };
        }
    }
    if !text.contains(':') && text.chars().any(char::is_alphabetic) {
        return HostIpError::HostName;
    }
    HostIpError::Format
}

impl HostIp {
    pub fn parse(input: &str) -> Result<HostIp, HostIpError> {
        let text = normalize_input(input);
        if text.is_empty() {
            return Err(HostIpError::Missing);
        }
        // An IPv4-mapped IPv6 address (`::ffff:203.0.113.5`) is the IPv4 host it maps.
        let ip = text
            .parse::<IpAddr>()
            .map_err(|_| diagnose(&text))?
            .to_canonical();
        if ip.is_unspecified() {
            return Err(HostIpError::Unspecified);
        }
        if ip.is_multicast() {
            return Err(HostIpError::Multicast);
        }
        if matches!(ip, IpAddr::V4(v4) if v4.is_broadcast()) {
            return Err(HostIpError::Broadcast);
        }
        Ok(HostIp(ip))
    }

    pub fn addr(&self) -> IpAddr {
        self.0
    }
}

impl fmt::Display for HostIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for HostIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HostIp({})", self.0)
    }
}

parse_from_string!(HostIp, HostIpError);

impl From<HostIp> for String {
    fn from(value: HostIp) -> String {
        value.to_string()
    }
}

/// A loopback address filed as a calling host on a production portal (`https://`, issue 21
/// item 8): a call from loopback never matches there (it is the portal's own machine, or a
/// proxy it was not told to trust), so such a host could never be used. A development portal
/// (`http://`) takes it, for tests on one machine. One rule for every host the portal files:
/// an API grant's ([`HostIp`]) and an agency link's ([`super::host_network::HostNetwork`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoopbackHost;

impl FieldError for LoopbackHost {
    fn message(&self, lang: Lang) -> &'static str {
        lang.pick(
            "本機位址（如 127.0.0.1、::1）無法作為連線主機，請填寫主機對外連線之位址",
            "A loopback address (such as 127.0.0.1 or ::1) cannot be the calling host: enter the address the host calls from",
        )
    }
}

impl LoopbackHost {
    /// `Err` for a loopback `ip` (an IPv4-mapped one too) unless the portal is `development`.
    pub fn check(ip: IpAddr, development: bool) -> Result<(), LoopbackHost> {
        if !development && ip.to_canonical().is_loopback() {
            Err(LoopbackHost)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deserialize_str;
    use proptest::prelude::*;

    fn parsed(input: &str) -> Result<String, HostIpError> {
        HostIp::parse(input).map(|ip| ip.to_string())
    }

    #[test]
    fn f2_host_ip_accepts_the_seed_example_and_private_addresses() {
        assert_eq!(parsed("127.0.0.115"), Ok("127.0.0.115".into()));
        assert_eq!(parsed(" 192.168.1.20 "), Ok("192.168.1.20".into()));
        assert_eq!(parsed("203.0.113.5"), Ok("203.0.113.5".into()));
        assert_eq!(parsed("１０．０．０．１"), Ok("10.0.0.1".into()));
        assert_eq!(parsed("::1"), Ok("::1".into()));
    }

    #[test]
    fn f2_host_ip_displays_ipv6_compressed_and_mapped_ipv4_as_ipv4() {
        assert_eq!(
            parsed("2001:0DB8:0000:0000:0000:0000:0000:0001"),
            Ok("2001:db8::1".into())
        );
        assert_eq!(parsed("::ffff:203.0.113.5"), Ok("203.0.113.5".into()));
    }

    #[test]
    fn f2_host_ip_rejects_addresses_that_cannot_be_one_host() {
        assert_eq!(parsed("0.0.0.0"), Err(HostIpError::Unspecified));
        assert_eq!(parsed("::"), Err(HostIpError::Unspecified));
        assert_eq!(parsed("::ffff:0.0.0.0"), Err(HostIpError::Unspecified));
        assert_eq!(parsed("224.0.0.1"), Err(HostIpError::Multicast));
        assert_eq!(parsed("ff02::1"), Err(HostIpError::Multicast));
        assert_eq!(parsed("255.255.255.255"), Err(HostIpError::Broadcast));
    }

    #[test]
    fn f2_host_ip_names_ports_ranges_and_host_names() {
        assert_eq!(parsed(""), Err(HostIpError::Missing));
        assert_eq!(parsed("203.0.113.5:443"), Err(HostIpError::Port));
        assert_eq!(parsed("[2001:db8::1]:443"), Err(HostIpError::Port));
        assert_eq!(parsed("203.0.113.0/24"), Err(HostIpError::Range));
        assert_eq!(parsed("2001:db8::/32"), Err(HostIpError::Range));
        assert_eq!(parsed("api.example.com.tw"), Err(HostIpError::HostName));
        assert_eq!(parsed("localhost"), Err(HostIpError::HostName));
        assert_eq!(parsed("localhost:8080"), Err(HostIpError::HostName));
        assert_eq!(parsed("https://203.0.113.5/"), Err(HostIpError::HostName));
        assert_eq!(parsed("203.0.113"), Err(HostIpError::Format));
        assert_eq!(parsed("203.0.113.256"), Err(HostIpError::Format));
        assert_eq!(parsed("203.000.113.5"), Err(HostIpError::Format));
        assert_eq!(parsed("2001:db8:::1"), Err(HostIpError::Format));
        assert_eq!(parsed("fe80::1%eth0"), Err(HostIpError::Format));
        assert_eq!(parsed("203.0.113.5 203.0.113.6"), Err(HostIpError::Format));
    }

    #[test]
    fn f2_host_ip_deserialises_only_through_parse() {
        assert_eq!(
            deserialize_str::<HostIp>("127.0.0.115").map(String::from),
            Ok("127.0.0.115".into())
        );
        assert!(deserialize_str::<HostIp>("0.0.0.0").is_err());
    }

    #[test]
    fn f2_host_ip_errors_speak_both_languages() {
        assert!(HostIpError::Port.message(Lang::ZhTw).contains("連接埠"));
        assert!(HostIpError::Range.message(Lang::English).contains("range"));
    }

    proptest! {
        #[test]
        fn f2_host_ip_parse_never_panics(input in any::<String>()) {
            let _ = HostIp::parse(&input);
        }

        #[test]
        fn f2_host_ip_round_trips(ip in any::<IpAddr>()) {
            if let Ok(host) = HostIp::parse(&ip.to_string()) {
                prop_assert_eq!(HostIp::parse(&host.to_string()), Ok(host));
            }
        }

        #[test]
        fn f2_host_ip_accepts_every_ordinary_ipv4_host(a in 1u8..=223, b: u8, c: u8, d: u8) {
            let text = format!("{a}.{b}.{c}.{d}");
            prop_assert_eq!(parsed(&text), Ok(text));
        }
    }
}
