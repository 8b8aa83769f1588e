//! Value types and clap value parsers for flags whose syntax clap does not know. Each parser's
//! error becomes part of clap's one-line message, which names the flag.
use std::time::Duration;

use sipdrop_runtime::{DisconnectMode, SipUri};

/// User-user information given as hex (`--uui 04a1b2c3`). A newtype because clap treats a
/// `Vec` field as a repeated flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uui(pub Vec<u8>);

/// The longest UUI accepted on the command line: the model's default limit (drop-semantics §2),
/// checked here so a bad flag fails at once instead of on every drop.
pub const UUI_LIMIT: usize = 128;

/// Parses `--uui`: an even number of hex digits, 1 to [`UUI_LIMIT`] octets.
pub fn parse_uui(text: &str) -> Result<Uui, String> {
    if text.is_empty() {
        return Err("empty; give at least one octet, e.g. 04a1".into());
    }
    if text.len() % 2 != 0 {
        return Err("odd number of hex digits".into());
    }
    let bytes = decode_hex(text).ok_or("not hexadecimal")?;
    if bytes.len() > UUI_LIMIT {
        return Err(format!(
            "{} octets, more than the limit of {UUI_LIMIT}",
            bytes.len()
        ));
    }
    Ok(Uui(bytes))
}

/// Decodes an even-length hex string; `None` on any non-hex character.
pub fn decode_hex(text: &str) -> Option<Vec<u8>> {
    // Checked first: `from_str_radix` would accept a sign (`+1`).
    if text.len() % 2 != 0 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            let digits = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(digits, 16).ok()
        })
        .collect()
}

/// Encodes octets as lower-case hex (the event format of `uui_received`).
pub fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A SIP URI from the command line: the text as given (what goes into the Request-URI) and
/// what the runtime reads of it.
#[derive(Debug, Clone)]
pub struct UriArg {
    /// As given.
    pub text: String,
    /// Parsed.
    pub uri: SipUri,
}

/// Parses a URI argument. `sips:` is refused: there is no TLS transport.
pub fn parse_uri(text: &str) -> Result<UriArg, String> {
    let uri = SipUri::parse(text).map_err(|e| e.to_string())?;
    if uri.secure {
        return Err("sips: needs TLS, which is not supported (use sip:)".into());
    }
    Ok(UriArg {
        text: text.to_owned(),
        uri,
    })
}

/// Parses `--user`, the digest user name: anything printable without spaces, quotes or
/// backslashes (it goes into a quoted string; some providers use `user@domain`).
pub fn parse_user(text: &str) -> Result<String, String> {
    let bad = |c: char| c.is_whitespace() || c.is_control() || c == '"' || c == '\\';
    match text {
        "" => Err("must not be empty".into()),
        t if t.chars().any(bad) => Err("no spaces, quotes or backslashes in a user name".into()),
        t => Ok(t.to_owned()),
    }
}

/// True when `user` can be the user part of our SIP URIs as it is (RFC 3261 §25.1: unreserved
/// characters, escapes and `&=+$,;?/`).
pub fn is_sip_user(user: &str) -> bool {
    !user.is_empty()
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.!~*'()%&=+$,;?/".contains(c))
}

/// Parses a duration in milliseconds.
pub fn parse_ms(text: &str) -> Result<Duration, String> {
    text.parse::<u64>()
        .map(Duration::from_millis)
        .map_err(|_| "expected a whole number of milliseconds".into())
}

/// Parses `--t1`: milliseconds, at least 1 (a zero T1 would make every timer fire at once).
pub fn parse_t1(text: &str) -> Result<Duration, String> {
    match parse_ms(text)? {
        d if d.is_zero() => Err("must be at least 1 ms".into()),
        d => Ok(d),
    }
}

/// Parses `--rate`: calls per second, a positive finite number.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
        _ => Err("expected a positive number of calls per second".into()),
    }
}

/// What `call --expect` accepts as "ended as expected".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// We dropped the call.
    Dropped,
    /// The remote (or the stack) disconnected it with this mode.
    Mode(DisconnectMode),
}

impl std::fmt::Display for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expect::Dropped => f.write_str("dropped"),
            Expect::Mode(mode) => f.write_str(mode.as_str()),
        }
    }
}

/// Parses `--expect`: `dropped` or a disconnect mode name.
pub fn parse_expect(text: &str) -> Result<Expect, String> {
    if text == "dropped" {
        return Ok(Expect::Dropped);
    }
    DisconnectMode::from_name(text)
        .map(Expect::Mode)
        .ok_or_else(|| {
            let names: Vec<&str> = DisconnectMode::ALL.iter().map(|m| m.as_str()).collect();
            format!("expected 'dropped' or one of {}", names.join(", "))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uui() {
        assert_eq!(parse_uui("04A1b2"), Ok(Uui(vec![0x04, 0xa1, 0xb2])));
        assert!(parse_uui("").is_err());
        assert!(parse_uui("4a1").is_err());
        assert!(parse_uui("zz").is_err());
        assert!(parse_uui("+1").is_err());
        assert!(parse_uui(&"00".repeat(UUI_LIMIT)).is_ok());
        assert!(parse_uui(&"00".repeat(UUI_LIMIT + 1)).is_err());
        assert_eq!(encode_hex(&[0x04, 0xa1]), "04a1");
    }

    #[test]
    fn expect() {
        assert_eq!(parse_expect("dropped"), Ok(Expect::Dropped));
        assert_eq!(parse_expect("busy"), Ok(Expect::Mode(DisconnectMode::Busy)));
        assert!(parse_expect("bogus").is_err());
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_ms("250"), Ok(Duration::from_millis(250)));
        assert!(parse_ms("-1").is_err());
        assert!(parse_t1("0").is_err());
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("NaN").is_err());
        assert_eq!(parse_rate("2.5"), Ok(2.5));
    }

    #[test]
    fn users() {
        assert_eq!(parse_user("alice"), Ok("alice".into()));
        assert_eq!(
            parse_user("alice@itsp.example"),
            Ok("alice@itsp.example".into())
        );
        assert!(parse_user("").is_err());
        assert!(parse_user("a b").is_err());
        assert!(parse_user("a\"b").is_err());
        assert!(is_sip_user("alice"));
        assert!(is_sip_user("+4930123;ext=7"));
        assert!(!is_sip_user("alice@itsp.example"));
        assert!(!is_sip_user("a<b>"));
    }

    #[test]
    fn uris() {
        assert!(parse_uri("sip:bob@127.0.0.1:5070").is_ok());
        assert!(parse_uri("sips:bob@127.0.0.1").is_err());
        assert!(parse_uri("bob").is_err());
    }
}
