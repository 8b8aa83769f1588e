//! One Via value, read per RFC 3261 §20.42 with the LWS the grammar allows everywhere.
//!
//! rsip's typed Via fails on LWS around `/`, `;` and `=` (`SIP / 2.0 / UDP`), IPv6 sent-by
//! hosts, IPv6 `received` values and quoted parameter values; this reader does not.
use std::net::IpAddr;

use rsip::Host;

use crate::scan;
use crate::uri::{format_host, parse_host_port_parts, parse_port, to_host};

/// A Via header value: `SIP/2.0/<transport> <host>[:<port>] *(;param)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViaValue {
    /// The transport token as received (`UDP`, `TCP`, `TLS`, `SCTP`, `WS`, or an extension).
    pub transport: String,
    /// The sent-by host (an IP literal as `Host::IpAddr`, brackets removed).
    pub host: Host,
    /// The sent-by port, when given.
    pub port: Option<u16>,
    /// The parameters in order: name as written, value as written (quotes kept).
    pub params: Vec<(String, Option<String>)>,
}

/// Why a Via value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Via: {0}")]
pub struct ViaError(pub &'static str);

impl ViaValue {
    /// Reads one Via value (one element of a comma-separated Via header).
    pub fn parse(value: &str) -> Result<Self, ViaError> {
        let value = scan::trim_lws(value);
        let (name, rest) = value.split_once('/').ok_or(ViaError("no sent-protocol"))?;
        if !scan::trim_lws(name).eq_ignore_ascii_case("SIP") {
            return Err(ViaError("protocol is not SIP"));
        }
        let (version, rest) = rest.split_once('/').ok_or(ViaError("no transport"))?;
        if scan::trim_lws(version) != "2.0" {
            return Err(ViaError("version is not 2.0"));
        }
        let rest = rest.trim_start_matches(scan::is_lws);
        let transport_len = rest.bytes().take_while(|&b| scan::is_token_byte(b)).count();
        let (transport, rest) = rest.split_at(transport_len);
        if transport.is_empty() {
            return Err(ViaError("empty transport"));
        }
        if !rest.starts_with(scan::is_lws) {
            return Err(ViaError("no whitespace before sent-by"));
        }
        let rest = rest.trim_start_matches(scan::is_lws);
        let sent_by_len = rest
            .find(|c: char| c == ';' || scan::is_lws(c))
            .unwrap_or(rest.len());
        let (host, port) =
            parse_host_port_parts(&rest[..sent_by_len]).map_err(|e| ViaError(e.0))?;
        let params =
            scan::parse_params(&rest[sent_by_len..]).map_err(|e| ViaError(e.describe()))?;
        let params: Vec<(String, Option<String>)> = params
            .into_iter()
            .map(|(n, v)| (n.to_owned(), v.map(str::to_owned)))
            .collect();
        let via = ViaValue {
            transport: transport.to_owned(),
            host: to_host(host),
            port,
            params,
        };
        if via.param("branch") == Some(None) {
            return Err(ViaError("branch without value"));
        }
        if let Some(Some(rport)) = via.param("rport") {
            if parse_port(rport).is_none() {
                return Err(ViaError("bad rport"));
            }
        }
        Ok(via)
    }

    /// The value of parameter `name` (case-insensitive): `Some(None)` when it has no value.
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_deref())
    }

    /// Sets parameter `name` (replacing its value if present, appending it otherwise).
    pub fn set_param(&mut self, name: &str, value: Option<String>) {
        match self
            .params
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(param) => param.1 = value,
            None => self.params.push((name.to_owned(), value)),
        }
    }

    /// The `branch` parameter, as written (transaction matching compares it exactly).
    pub fn branch(&self) -> Option<&str> {
        self.param("branch").flatten()
    }

    /// True when the branch carries the RFC 3261 magic cookie `z9hG4bK`.
    pub fn has_rfc3261_branch(&self) -> bool {
        self.branch().is_some_and(|b| b.starts_with("z9hG4bK"))
    }

    /// The `received` address, when present and an IP literal (brackets allowed).
    pub fn received(&self) -> Option<IpAddr> {
        let value = self.param("received").flatten()?;
        let value = value
            .strip_prefix('[')
            .and_then(|v| v.strip_suffix(']'))
            .unwrap_or(value);
        value.parse().ok()
    }

    /// `None`: no `rport`; `Some(None)`: `rport` without value; `Some(Some(port))`: filled.
    pub fn rport(&self) -> Option<Option<u16>> {
        self.param("rport").map(|v| v.and_then(parse_port))
    }

    /// `host[:port]` as printed in the Via (IPv6 in brackets).
    pub fn sent_by(&self) -> String {
        match self.port {
            Some(port) => format!("{}:{port}", format_host(&self.host)),
            None => format_host(&self.host),
        }
    }
}

impl std::fmt::Display for ViaValue {
    /// Prints the canonical form, e.g. `SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;rport`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SIP/2.0/{} {}", self.transport, self.sent_by())?;
        for (name, value) in &self.params {
            match value {
                Some(value) => write!(f, ";{name}={value}")?,
                None => write!(f, ";{name}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain() {
        let via = ViaValue::parse("SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK776;rport").unwrap();
        assert_eq!(via.transport, "UDP");
        assert_eq!(via.host, Host::IpAddr([192, 0, 2, 1].into()));
        assert_eq!(via.port, Some(5070));
        assert_eq!(via.branch(), Some("z9hG4bK776"));
        assert!(via.has_rfc3261_branch());
        assert_eq!(via.rport(), Some(None));
        assert_eq!(via.received(), None);
        assert_eq!(
            via.to_string(),
            "SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK776;rport"
        );
    }

    #[test]
    fn lws_everywhere() {
        let via = ViaValue::parse("SIP  /   2.0 /UDP    192.0.2.2;branch=390skdjuw").unwrap();
        assert_eq!(via.branch(), Some("390skdjuw"));
        assert!(!via.has_rfc3261_branch());
        let via = ViaValue::parse(
            "SIP  / 2.0  / TCP     spindle.example.com   ;  branch  =   z9hG4bK9ikj8",
        )
        .unwrap();
        assert_eq!(via.transport, "TCP");
        assert_eq!(via.host, Host::Domain("spindle.example.com".into()));
        assert_eq!(
            via.to_string(),
            "SIP/2.0/TCP spindle.example.com;branch=z9hG4bK9ikj8"
        );
    }

    #[test]
    fn ipv6() {
        let via =
            ViaValue::parse("SIP/2.0/TCP [2001:db8::9]:5061;received=2001:db8::1;rport=7").unwrap();
        assert_eq!(via.host, Host::IpAddr("2001:db8::9".parse().unwrap()));
        assert_eq!(via.port, Some(5061));
        assert_eq!(via.received(), Some("2001:db8::1".parse().unwrap()));
        assert_eq!(via.rport(), Some(Some(7)));
        assert_eq!(via.sent_by(), "[2001:db8::9]:5061");
        let via = ViaValue::parse("SIP/2.0/UDP [::1];received=[::2]").unwrap();
        assert_eq!(via.received(), Some("::2".parse().unwrap()));
    }

    #[test]
    fn unknown_transport_and_bad_values() {
        assert!(ViaValue::parse("SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en").is_ok());
        for bad in [
            "SIP/2.0/UDP 192.0.2.15;;",
            ";",
            "",
            "SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw",
            "XIP/2.0/UDP host",
            "SIP/2.0/UDP",
            "SIP/2.0/UDPhost",
            "SIP/2.0/UDP host:port",
            "SIP/2.0/UDP host;branch",
            "SIP/2.0/UDP host;rport=x",
            "SIP/2.0/UDP [::1",
        ] {
            assert!(ViaValue::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn set_param() {
        let mut via = ViaValue::parse("SIP/2.0/UDP h;rport;received=1.1.1.1").unwrap();
        via.set_param("rport", Some("5".into()));
        via.set_param("received", Some("2.2.2.2".into()));
        via.set_param("x", None);
        assert_eq!(via.to_string(), "SIP/2.0/UDP h;rport=5;received=2.2.2.2;x");
    }
}
