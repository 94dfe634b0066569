//! Who the client is on the network: the connection's peer, or, behind reverse proxies the
//! operator trusts, the address they forward. Rate limits, the audit log and the
//! verification API's registered-address check (A-N3) all read it from here.

use std::net::IpAddr;

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

    fn trusts(&self, address: IpAddr) -> bool {
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
            match hop.trim().parse::<IpAddr>() {
                Ok(address) if self.trusts(address) => continue,
                Ok(address) => return address.to_canonical(),
                Err(_) => break,
            }
        }
        peer.to_canonical()
    }
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
}
