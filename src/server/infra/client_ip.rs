//! The one client address every limit and log line uses.
//!
//! `X-Forwarded-For` is a list that every proxy appends to, and its left end is whatever the
//! client wrote. So the address is read from the right: starting with the TCP peer, every hop
//! that is one of `security.trusted_proxies` hands over to the address it forwarded for; the
//! first hop that is not trusted is the client. With no trusted proxies (the default) the
//! header is ignored and the peer is the client.

use ipnet::IpNet;
use std::net::IpAddr;

/// The client behind a request: its TCP `peer`, the `X-Forwarded-For` header values in the
/// order they arrived, and the proxies we trust.
pub fn resolve<'a>(
    peer: Option<IpAddr>,
    forwarded_for: impl IntoIterator<Item = &'a str>,
    trusted: &[IpNet],
) -> Option<IpAddr> {
    let mut client = canonical(peer?);
    if trusted.is_empty() {
        return Some(client);
    }
    let hops: Vec<&str> = forwarded_for
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        if !is_trusted(client, trusted) {
            break;
        }
        match hop.parse::<IpAddr>() {
            Ok(ip) => client = canonical(ip),
            // A trusted proxy forwarded something that is not an address: stop at the proxy.
            Err(_) => break,
        }
    }
    Some(client)
}

fn is_trusted(ip: IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(&ip))
}

/// IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) are their IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(s: &[&str]) -> Vec<IpNet> {
        s.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        assert_eq!(resolve(ip("10.0.0.1"), ["1.2.3.4"], &[]), ip("10.0.0.1"));
        assert_eq!(resolve(None, ["1.2.3.4"], &[]), None);
    }

    #[test]
    fn the_first_untrusted_hop_from_the_right_is_the_client() {
        let t = nets(&["10.0.0.0/8", "2001:db8:ffff::/48"]);
        // Client-written junk on the left is never reached.
        assert_eq!(
            resolve(ip("10.0.0.1"), ["6.6.6.6, 203.0.113.5, 10.0.0.2"], &t),
            ip("203.0.113.5")
        );
        // Several headers are one list.
        assert_eq!(
            resolve(ip("10.0.0.1"), ["6.6.6.6", "203.0.113.5"], &t),
            ip("203.0.113.5")
        );
        // An untrusted peer's header is ignored.
        assert_eq!(
            resolve(ip("198.51.100.1"), ["203.0.113.5"], &t),
            ip("198.51.100.1")
        );
        // Garbage from a trusted proxy: the proxy is the client.
        assert_eq!(resolve(ip("10.0.0.1"), ["nonsense"], &t), ip("10.0.0.1"));
        // Only proxies all the way: the leftmost.
        assert_eq!(resolve(ip("10.0.0.1"), ["10.0.0.3"], &t), ip("10.0.0.3"));
        assert_eq!(
            resolve(ip("2001:db8:ffff::1"), ["::ffff:192.0.2.7"], &t),
            ip("192.0.2.7")
        );
    }
}
