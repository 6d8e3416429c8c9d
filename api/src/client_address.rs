//! The address a request comes from. It is the peer of the connection,
//! unless that peer is a proxy named in `LINK_TRUSTED_PROXIES`: then the
//! proxies' `Forwarded` (or `X-Forwarded-For`) header is read from the
//! nearest hop outwards, and the first hop that is not a trusted proxy is the
//! client. Anyone else's forwarding headers are ignored, so a caller cannot
//! choose the address recorded in the consent ledger or the bucket it draws
//! from. What comes out is always a valid IP address.

use std::net::IpAddr;
use std::str::FromStr;

use actix_web::http::header::HeaderMap;
use ipnet::IpNet;

/// The address a request came from, as [`TrustedProxies::client_ip`] found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl ClientAddress {
    /// The address of a request, when its connection has one.
    pub fn of(request: &actix_web::HttpRequest) -> Option<IpAddr> {
        use actix_web::HttpMessage;
        request.extensions().get::<Self>().map(|a| a.0)
    }
}

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses a comma-separated list of addresses (`10.0.0.7`, `::1`) and
    /// networks (`10.0.0.0/8`, `fd00::/8`); empty trusts no one.
    pub fn parse(text: &str) -> Result<Self, String> {
        text.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                IpNet::from_str(item)
                    .or_else(|_| IpAddr::from_str(item).map(IpNet::from))
                    .map_err(|_| {
                        format!("`{item}` is not an IP address or a network such as 10.0.0.0/8")
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address, from the connection's peer and the request's headers.
    pub fn client_ip(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = canonical(peer?);
        if !self.trusts(peer) {
            return Some(peer);
        }
        let mut client = peer;
        for hop in forwarded_hops(headers).iter().rev() {
            match hop {
                Some(ip) if self.trusts(*ip) => client = *ip,
                Some(ip) => return Some(*ip),
                // A hop a trusted proxy could not name: the last known address stands.
                None => return Some(client),
            }
        }
        Some(client)
    }
}

/// An IPv4 address seen through an IPv4-mapped IPv6 socket, as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The hops the proxies recorded, farthest first: RFC 7239 `Forwarded`
/// `for=` values when the header is there, else `X-Forwarded-For`. A hop that
/// is not an address (`unknown`, an obfuscated name, garbage) is `None`.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .map(|v| v.to_str().map(str::to_owned).unwrap_or_default())
            .collect()
    };
    let forwarded = values("forwarded");
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|line| line.split(','))
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(name, _)| name.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, value)| parse_hop(value))
            })
            .collect();
    }
    values("x-forwarded-for")
        .iter()
        .flat_map(|line| line.split(','))
        .map(parse_hop)
        .collect()
}

/// One hop: `192.0.2.1`, `192.0.2.1:4711`, `"[2001:db8::1]:4711"`, `2001:db8::1`.
fn parse_hop(value: &str) -> Option<IpAddr> {
    let value = value.trim().trim_matches('"');
    if let Some(bracketed) = value.strip_prefix('[') {
        return bracketed.split_once(']')?.0.parse().ok().map(canonical);
    }
    if let Ok(ip) = value.parse() {
        return Some(canonical(ip));
    }
    let (host, port) = value.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// The bucket an address draws from: the address itself for IPv4, its /64
/// network for IPv6 (one subscriber usually holds a whole /64).
pub fn bucket_of(ip: IpAddr) -> IpNet {
    let prefix = if ip.is_ipv4() { 32 } else { 64 };
    IpNet::new(ip, prefix).map_or(IpNet::from(ip), |net| net.trunc())
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn forwarding_headers_of_untrusted_peers_are_ignored() {
        let none = TrustedProxies::default();
        let forged = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("forwarded", "for=198.51.100.7"),
        ]);

        assert_eq!(none.client_ip(ip("192.0.2.10"), &forged), ip("192.0.2.10"));
        let other = TrustedProxies::parse("10.0.0.0/8").unwrap();
        assert_eq!(other.client_ip(ip("192.0.2.10"), &forged), ip("192.0.2.10"));
    }

    #[test]
    fn a_trusted_proxy_names_the_first_untrusted_hop() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1").unwrap();

        let chain = headers(&[("x-forwarded-for", "198.51.100.1, 203.0.113.9, 10.1.1.1")]);
        assert_eq!(
            proxies.client_ip(ip("127.0.0.1"), &chain),
            ip("203.0.113.9")
        );
        let rfc = headers(&[(
            "forwarded",
            "for=192.0.2.60;proto=http, for=\"[2001:db8:cafe::17]:4711\";by=10.0.0.1",
        )]);
        assert_eq!(
            proxies.client_ip(ip("10.0.0.2"), &rfc),
            ip("2001:db8:cafe::17")
        );
        let with_port = headers(&[("x-forwarded-for", "203.0.113.9:5050")]);
        assert_eq!(
            proxies.client_ip(ip("::ffff:127.0.0.1"), &with_port),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn what_is_not_an_address_is_never_taken_for_one() {
        let proxies = TrustedProxies::parse("127.0.0.1").unwrap();

        for value in [
            "not-an-ip",
            "<script>",
            "unknown",
            "_hidden",
            "1.2.3.4.5",
            "",
        ] {
            let sent = headers(&[(
                "x-forwarded-for",
                Box::leak(value.to_owned().into_boxed_str()),
            )]);
            assert_eq!(
                proxies.client_ip(ip("127.0.0.1"), &sent),
                ip("127.0.0.1"),
                "{value}"
            );
        }
        assert_eq!(
            proxies.client_ip(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
        assert_eq!(proxies.client_ip(None, &HeaderMap::new()), None);
    }

    #[test]
    fn bad_settings_are_named() {
        assert!(TrustedProxies::parse("").unwrap().0.is_empty());
        assert_eq!(TrustedProxies::parse("10.0.0.0/8,::1").unwrap().0.len(), 2);
        let error = TrustedProxies::parse("10.0.0.0/8, proxy.internal").unwrap_err();
        assert!(error.contains("proxy.internal"), "{error}");
    }

    #[test]
    fn ipv6_addresses_share_a_bucket_per_64() {
        assert_eq!(
            bucket_of("2001:db8:1:2:aaaa::1".parse().unwrap()),
            bucket_of("2001:db8:1:2:bbbb::9".parse().unwrap())
        );
        assert_ne!(
            bucket_of("192.0.2.1".parse().unwrap()),
            bucket_of("192.0.2.2".parse().unwrap())
        );
    }
}
