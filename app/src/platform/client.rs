//! Who the client is on the network: the connection's peer, or, behind reverse proxies the
//! operator trusts, the address they forward. Rate limits, the audit log and the
//! verification API's registered-address check (A-N3) all read it from here.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The client's address of a request: the one the server's proxy layer found
/// ([`ClientAddr`]), else the peer of the connection.
pub fn client_address(extensions: &http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<ClientAddr>()
        .map(|client| client.0)
        .or_else(|| {
            extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip())
        })
}

/// The buckets a client counts in for a per-client limit (`rate_limit::Limit::hit_client`):
/// its own ([`limit_bucket`]) and, for an IPv6 client, its /48's — a site's whole allocation,
/// 65,536 /64s, which one subscriber may hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientBuckets {
    pub client: String,
    pub network: Option<String>,
}

/// The buckets of the client at `address`.
pub fn limit_buckets(address: Option<IpAddr>) -> ClientBuckets {
    let network = match address.map(|address| address.to_canonical()) {
        Some(IpAddr::V6(v6)) => {
            let network = u128::from(v6) & !(u128::MAX >> 48);
            Some(format!("{}/48", Ipv6Addr::from(network)))
        }
        _ => None,
    };
    ClientBuckets {
        client: limit_bucket(address),
        network,
    }
}

/// The bucket a client counts in for every per-client limit: an IPv4 address on its own, an
/// IPv6 address by its /64. One subscriber's network is given a whole /64 and picks addresses
/// in it freely, so a bucket per IPv6 address would give one client endless buckets. An
/// IPv4-mapped IPv6 address is the IPv4 address it maps. Without an address, every such
/// request shares the bucket `unknown`.
fn limit_bucket(address: Option<IpAddr>) -> String {
    match address.map(|address| address.to_canonical()) {
        None => "unknown".into(),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let network = u128::from(v6) & !(u128::MAX >> 64);
            format!("{}/64", Ipv6Addr::from(network))
        }
    }
}

/// The client's address, resolved once per request by the server (see [`TrustedProxies`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The reverse proxies whose `X-Forwarded-For` the server believes. Behind none (the
/// default), the client is the connection's peer and forwarding headers are ignored: anyone
/// could write them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<ipnet::IpNet>);

impl TrustedProxies {
    /// From a list like `10.0.0.5, 10.1.0.0/16`.
    pub fn parse(text: &str) -> Result<TrustedProxies, String> {
        text.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<ipnet::IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| format!("{item:?} is not an address or a network"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `address` is one of the trusted proxies.
    pub fn trusts(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client behind `peer`: when `peer` is a trusted proxy, the right-most address of
    /// `X-Forwarded-For` that is not itself a trusted proxy (each proxy appends the address it
    /// saw, so the entries left of the first untrusted one may be forged).
    pub fn client(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer.to_canonical();
        }
        let hops = forwarded_for.unwrap_or_default().split(',').rev();
        for hop in hops {
            match forwarded_address(hop) {
                Some(address) if self.trusts(address) => continue,
                Some(address) => return address.to_canonical(),
                None => break,
            }
        }
        peer.to_canonical()
    }
}

/// The address of one `X-Forwarded-For` entry: `203.0.113.5`, `2001:db8::5`, or with the port
/// some proxies add, `203.0.113.5:4711` and `[2001:db8::5]:4711`.
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    if let Ok(address) = entry.parse::<IpAddr>() {
        return Some(address);
    }
    let port = |text: &str| text.parse::<u16>().is_ok();
    if let Some(bracketed) = entry.strip_prefix('[') {
        let (host, rest) = bracketed.split_once(']')?;
        if !(rest.is_empty() || rest.strip_prefix(':').is_some_and(port)) {
            return None;
        }
        return host.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    // Unbracketed, only IPv4 has a port: `2001:db8::5:4711` is an IPv6 address.
    let (host, rest) = entry.split_once(':')?;
    port(rest).then_some(())?;
    host.parse::<Ipv4Addr>().ok().map(IpAddr::V4)
}

/// Whether a call from `source` may match an address registered for a grant (a company's
/// host for the verification API, an agency's server for the agency link API). A loopback
/// caller is this machine itself — or, behind a reverse proxy the server was not told to
/// trust, every caller at once — so it matches only on a development portal.
pub fn may_match_registered(source: IpAddr, development: bool) -> bool {
    development || !source.to_canonical().is_loopback()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn a_11_forwarding_headers_count_only_from_trusted_proxies() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("203.0.113.9"), Some("127.0.0.115")),
            ip("203.0.113.9")
        );
        let proxies = TrustedProxies::parse("10.0.0.5, 10.1.0.0/16").expect("list");
        // From the proxy: the address it saw; forged entries to its left do not count.
        assert_eq!(
            proxies.client(ip("10.0.0.5"), Some("127.0.0.115, 198.51.100.7")),
            ip("198.51.100.7")
        );
        // Through two trusted proxies.
        assert_eq!(
            proxies.client(ip("10.0.0.5"), Some("198.51.100.7, 10.1.2.3")),
            ip("198.51.100.7")
        );
        // Not from a proxy: the header is ignored.
        assert_eq!(
            proxies.client(ip("198.51.100.8"), Some("127.0.0.115")),
            ip("198.51.100.8")
        );
        // An IPv4 peer written as IPv6.
        assert_eq!(
            proxies.client(ip("::ffff:10.0.0.5"), Some("198.51.100.7")),
            ip("198.51.100.7")
        );
        assert!(TrustedProxies::parse("10.0.0.5, nonsense").is_err());
    }

    #[test]
    fn security_21_3_ipv6_clients_are_limited_by_their_64_and_ipv4_by_address() {
        let bucket = |text: &str| limit_bucket(Some(ip(text)));
        assert_eq!(bucket("2001:db8:1:2::5"), "2001:db8:1:2::/64");
        assert_eq!(bucket("2001:db8:1:2::5"), bucket("2001:db8:1:2:ffff:1:2:3"));
        assert_ne!(bucket("2001:db8:1:2::5"), bucket("2001:db8:1:3::5"));
        assert_eq!(bucket("198.51.100.7"), "198.51.100.7");
        assert_ne!(bucket("198.51.100.7"), bucket("198.51.100.8"));
        // An IPv4 client seen through an IPv6 socket is still that IPv4 client.
        assert_eq!(bucket("::ffff:198.51.100.7"), "198.51.100.7");
        assert_eq!(limit_bucket(None), "unknown");
    }

    #[test]
    fn security_21_3_an_ipv6_client_also_counts_in_its_48() {
        let buckets = |text: &str| limit_buckets(Some(ip(text)));
        assert_eq!(
            buckets("2001:db8:1:2::5"),
            ClientBuckets {
                client: "2001:db8:1:2::/64".into(),
                network: Some("2001:db8:1::/48".into()),
            }
        );
        assert_eq!(
            buckets("2001:db8:1:ffff::9").network,
            buckets("2001:db8:1:2::5").network
        );
        assert_ne!(
            buckets("2001:db8:2::5").network,
            buckets("2001:db8:1::5").network
        );
        assert_eq!(buckets("198.51.100.7").network, None);
        assert_eq!(buckets("::ffff:198.51.100.7").network, None);
        assert_eq!(limit_buckets(None).network, None);
    }

    #[test]
    fn security_21_8_a_forwarded_entry_with_a_port_names_its_address() {
        let proxies = TrustedProxies::parse("10.0.0.5, 10.1.0.0/16").expect("list");
        assert_eq!(
            proxies.client(ip("10.0.0.5"), Some("198.51.100.7:4711")),
            ip("198.51.100.7")
        );
        assert_eq!(
            proxies.client(ip("10.0.0.5"), Some("[2001:db8::7]:443")),
            ip("2001:db8::7")
        );
        // A proxy's own entry with a port is skipped like one without.
        assert_eq!(
            proxies.client(ip("10.0.0.5"), Some("198.51.100.7, 10.1.2.3:80")),
            ip("198.51.100.7")
        );
        // An IPv6 address ending in a number is not read as one with a port.
        assert_eq!(
            proxies.client(ip("10.0.0.5"), Some("2001:db8::7:4711")),
            ip("2001:db8::7:4711")
        );
        // Anything else still stops the reading at the proxy.
        assert_eq!(
            proxies.client(ip("10.0.0.5"), Some("198.51.100.7, unknown:80")),
            ip("10.0.0.5")
        );
    }
}
