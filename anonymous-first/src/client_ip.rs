//! Which address a request comes from, when the server may sit behind proxies.
//!
//! Rate limits key on the client address, so a forged `X-Forwarded-For` must
//! never be believed: a forwarding header is only read when the socket peer is
//! a configured trusted proxy, and then only as far as the chain of trusted
//! hops goes (walking right to left, the way each proxy appends).

use std::net::IpAddr;

/// The address rate limits and the session list attribute a request to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// A CIDR block, e.g. `10.0.0.0/8` or `::1/128`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `addr` or `addr/prefix`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let (addr, prefix) = match raw.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (raw, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("{raw:?} is not an IP address or CIDR block"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{raw:?} has an invalid prefix length"))?,
        };
        Ok(Self { addr, prefix })
    }

    /// Whether `ip` lies inside the block (IPv4-mapped IPv6 counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// How to find the client address: the socket peer, unless a trusted proxy
/// forwarded the request and said whom for.
#[derive(Clone, Debug, Default)]
pub struct ProxyConfig {
    /// Lower-case header name, e.g. `x-forwarded-for`; `None` = socket peer only.
    pub header: Option<String>,
    /// Peers whose header is believed.
    pub trusted: Vec<Cidr>,
}

impl ProxyConfig {
    /// Builds the configuration from `CLIENT_IP_HEADER` and `TRUSTED_PROXIES` values.
    pub fn parse(header: Option<&str>, trusted: Option<&str>) -> Result<Self, String> {
        let trusted = trusted
            .unwrap_or_default()
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(Cidr::parse)
            .collect::<Result<Vec<_>, _>>()?;
        let header = header
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty());
        if header.is_some() && trusted.is_empty() {
            return Err("CLIENT_IP_HEADER needs TRUSTED_PROXIES (otherwise anyone could forge it)".into());
        }
        Ok(Self { header, trusted })
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.trusted.iter().any(|c| c.contains(ip))
    }

    /// The client address for a request from `peer` whose forwarding header
    /// values (in order of appearance) are `values`.
    pub fn resolve<'a>(&self, peer: IpAddr, values: impl Iterator<Item = &'a str>) -> IpAddr {
        let mut current = canonical(peer);
        if self.header.is_none() || !self.trusts(current) {
            return current;
        }
        let hops: Vec<&str> = values.flat_map(|v| v.split(',')).collect();
        for hop in hops.into_iter().rev() {
            if !self.trusts(current) {
                break;
            }
            match parse_hop(hop) {
                Some(ip) => current = ip,
                // Garbage in the chain: believe only what came before it.
                None => break,
            }
        }
        current
    }
}

/// One forwarded hop: `1.2.3.4`, `1.2.3.4:5678`, `::1` or `[::1]:80`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok().map(canonical);
    }
    let (addr, _port) = hop.rsplit_once(':')?;
    addr.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// IPv4-mapped IPv6 (`::ffff:1.2.3.4`, from dual-stack sockets) as plain IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn behind_proxy() -> ProxyConfig {
        ProxyConfig::parse(Some("X-Forwarded-For"), Some("127.0.0.1, 10.0.0.0/8, fd00::/8")).unwrap()
    }

    #[test]
    fn cidr_blocks() {
        let net = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(net.contains(ip("10.200.3.4")) && !net.contains(ip("11.0.0.1")));
        assert!(net.contains(ip("::ffff:10.1.1.1")), "mapped IPv4 counts");
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(Cidr::parse("fd00::/8").unwrap().contains(ip("fd12::1")));
        assert!(!Cidr::parse("fd00::/8").unwrap().contains(ip("10.0.0.1")));
        for bad in ["10.0.0.0/33", "::/129", "nope", "1.2.3.4/x", ""] {
            assert!(Cidr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn header_needs_trusted_proxies() {
        assert!(ProxyConfig::parse(Some("x-forwarded-for"), None).is_err());
        assert!(ProxyConfig::parse(None, Some("10.0.0.0/8")).is_ok());
        assert!(ProxyConfig::parse(Some("x-real-ip"), Some("10.0.0.0/99")).is_err());
    }

    #[test]
    fn socket_peer_without_configuration() {
        let plain = ProxyConfig::default();
        assert_eq!(
            plain.resolve(ip("127.0.0.1"), ["6.6.6.6"].into_iter()),
            ip("127.0.0.1")
        );
        assert_eq!(
            plain.resolve(ip("::ffff:1.2.3.4"), std::iter::empty()),
            ip("1.2.3.4")
        );
    }

    #[test]
    fn untrusted_peer_cannot_forge() {
        let cfg = behind_proxy();
        assert_eq!(
            cfg.resolve(ip("203.0.113.9"), ["6.6.6.6"].into_iter()),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn walks_trusted_hops_from_the_right() {
        let cfg = behind_proxy();
        // The client forged "6.6.6.6"; the edge proxy appended the real 198.51.100.7,
        // an internal proxy appended the edge's 10.0.0.5.
        let chain = ["6.6.6.6, 198.51.100.7", "10.0.0.5"];
        assert_eq!(
            cfg.resolve(ip("127.0.0.1"), chain.into_iter()),
            ip("198.51.100.7")
        );
        assert_eq!(
            cfg.resolve(ip("127.0.0.1"), ["[2001:db8::1]:4711"].into_iter()),
            ip("2001:db8::1")
        );
        assert_eq!(
            cfg.resolve(ip("127.0.0.1"), ["192.0.2.1:80"].into_iter()),
            ip("192.0.2.1")
        );
        // Only trusted hops all the way: the leftmost one.
        assert_eq!(
            cfg.resolve(ip("127.0.0.1"), ["10.1.1.1"].into_iter()),
            ip("10.1.1.1")
        );
        // No header: the proxy itself.
        assert_eq!(cfg.resolve(ip("127.0.0.1"), std::iter::empty()), ip("127.0.0.1"));
        // Garbage stops the walk at the last believable hop.
        assert_eq!(
            cfg.resolve(ip("127.0.0.1"), ["1.1.1.1, junk"].into_iter()),
            ip("127.0.0.1")
        );
        assert_eq!(
            cfg.resolve(ip("127.0.0.1"), ["junk, 1.1.1.1"].into_iter()),
            ip("1.1.1.1")
        );
    }
}
