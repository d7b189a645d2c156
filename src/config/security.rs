//! Security settings: who reads statistics by default, and where the client address comes from.

use std::net::IpAddr;

use super::{ConfigError, Source};

/// Who may query statistics without a grant (`DATATRACKER_STATS_DEFAULT_ACCESS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsDefaultAccess {
    /// `granted` (the default): only users with `STATS_READ` or a statistics scope.
    Granted,
    /// `all`: every logged-in user, as if they held `STATS_READ` (their scope still applies).
    AllUsers,
}

/// Security settings.
#[derive(Debug, Clone)]
pub struct SecuritySettings {
    /// Who may query statistics without a grant.
    pub stats_default_access: StatsDefaultAccess,
    /// Header carrying the client address set by a trusted reverse proxy (`DATATRACKER_CLIENT_IP_HEADER`,
    /// e.g. `x-forwarded-for`; default none: the TCP peer is the client).
    pub client_ip_header: Option<http::HeaderName>,
    /// Peers whose client-address header is believed (`DATATRACKER_TRUSTED_PROXIES`, comma-separated IP
    /// addresses; required with the header).
    pub trusted_proxies: Vec<IpAddr>,
}

pub(super) fn security(src: &Source) -> Result<SecuritySettings, ConfigError> {
    let stats_default_access = match src.get("DATATRACKER_STATS_DEFAULT_ACCESS").map(str::trim) {
        None | Some("granted") => StatsDefaultAccess::Granted,
        Some("all") => StatsDefaultAccess::AllUsers,
        Some(other) => {
            return Err(ConfigError {
                variable: "DATATRACKER_STATS_DEFAULT_ACCESS".into(),
                problem: format!("`{other}` is not `granted` or `all`"),
            })
        }
    };
    let client_ip_header = match src.get("DATATRACKER_CLIENT_IP_HEADER") {
        None => None,
        Some(raw) => Some(http::HeaderName::try_from(raw.trim().to_ascii_lowercase()).map_err(|_| ConfigError {
            variable: "DATATRACKER_CLIENT_IP_HEADER".into(),
            problem: format!("`{raw}` is not a header name"),
        })?),
    };
    let mut trusted_proxies = Vec::new();
    for item in src.get("DATATRACKER_TRUSTED_PROXIES").unwrap_or("").split(',').map(str::trim) {
        if item.is_empty() {
            continue;
        }
        trusted_proxies.push(item.parse::<IpAddr>().map_err(|_| ConfigError {
            variable: "DATATRACKER_TRUSTED_PROXIES".into(),
            problem: format!("`{item}` is not an IP address"),
        })?);
    }
    if client_ip_header.is_some() && trusted_proxies.is_empty() {
        return Err(ConfigError {
            variable: "DATATRACKER_TRUSTED_PROXIES".into(),
            problem: "missing; list the proxies whose DATATRACKER_CLIENT_IP_HEADER is believed".into(),
        });
    }
    Ok(SecuritySettings { stats_default_access, client_ip_header, trusted_proxies })
}

impl SecuritySettings {
    /// The client address of a request from `peer` with `headers`: the peer itself, or — when the peer is
    /// a trusted proxy — the right-most address in the configured header that is not a trusted proxy.
    pub fn client_addr(&self, peer: Option<IpAddr>, headers: &http::HeaderMap) -> Option<IpAddr> {
        let (Some(name), Some(peer_ip)) = (&self.client_ip_header, peer) else { return peer };
        if !self.trusted_proxies.contains(&peer_ip) {
            return peer;
        }
        let mut hops: Vec<IpAddr> = Vec::new();
        for value in headers.get_all(name).iter() {
            let Ok(text) = value.to_str() else { return peer };
            for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                match part.parse::<IpAddr>() {
                    Ok(ip) => hops.push(ip),
                    // A malformed hop: trust nothing left of it.
                    Err(_) => hops.clear(),
                }
            }
        }
        hops.into_iter().rev().find(|ip| !self.trusted_proxies.contains(ip)).or(peer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<SecuritySettings, ConfigError> {
        security(&Source::from_pairs(pairs.iter().map(|(k, v)| (*k, *v))))
    }

    #[test]
    fn the_header_is_believed_only_from_a_trusted_proxy() {
        let s = settings(&[
            ("DATATRACKER_CLIENT_IP_HEADER", "X-Forwarded-For"),
            ("DATATRACKER_TRUSTED_PROXIES", "10.0.0.1"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let mut h = http::HeaderMap::new();
        h.insert("x-forwarded-for", http::HeaderValue::from_static("1.1.1.1, 2.2.2.2, 10.0.0.1"));
        let proxy: IpAddr = [10, 0, 0, 1].into();
        let other: IpAddr = [10, 0, 0, 9].into();
        assert_eq!(s.client_addr(Some(proxy), &h), Some([2, 2, 2, 2].into()));
        assert_eq!(s.client_addr(Some(other), &h), Some(other));
    }

    #[test]
    fn a_header_without_trusted_proxies_is_refused() {
        assert!(settings(&[("DATATRACKER_CLIENT_IP_HEADER", "x-real-ip")]).is_err());
        assert!(settings(&[("DATATRACKER_STATS_DEFAULT_ACCESS", "everyone")]).is_err());
    }
}
