//! HTTP Digest authentication for SIP (RFC 3261 §22, RFC 2617, RFC 8760): reading a challenge
//! from `WWW-Authenticate` / `Proxy-Authenticate` and answering it. MD5, SHA-256 and their
//! `-sess` forms, `qop=auth` or none; the cnonce comes from the caller (the model's seeded
//! RNG). Of several challenges the first one we can answer is taken (RFC 8760 §2.4: the server
//! lists them in its order of preference).
use md5::{Digest, Md5};
use sha2::Sha256;

/// Digest credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// User name.
    pub user: String,
    /// Password.
    pub password: String,
}

/// One Digest challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// `realm`.
    pub realm: String,
    /// `nonce`.
    pub nonce: String,
    /// `opaque`, echoed back.
    pub opaque: Option<String>,
    /// `algorithm` (`MD5` when absent).
    pub algorithm: Option<String>,
    /// True when the server offers `qop=auth`.
    pub qop_auth: bool,
}

/// Reads a `Digest ...` challenge; `None` for other schemes, unsupported algorithms or a
/// challenge without realm or nonce.
pub fn parse_challenge(value: &str) -> Option<Challenge> {
    let value = value.trim();
    let (scheme, rest) = value.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("digest") {
        return None;
    }
    let mut realm = None;
    let mut nonce = None;
    let mut opaque = None;
    let mut algorithm = None;
    let mut qop_auth = false;
    for (name, val) in params(rest) {
        match name.to_ascii_lowercase().as_str() {
            "realm" => realm = Some(val),
            "nonce" => nonce = Some(val),
            "opaque" => opaque = Some(val),
            "algorithm" => algorithm = Some(val),
            "qop" => {
                qop_auth = val
                    .split(',')
                    .any(|q| q.trim().eq_ignore_ascii_case("auth"))
            }
            _ => {}
        }
    }
    if let Some(a) = &algorithm {
        Algorithm::from_name(a)?;
    }
    Some(Challenge {
        realm: realm?,
        nonce: nonce?,
        opaque,
        algorithm,
        qop_auth,
    })
}

/// The `Authorization` / `Proxy-Authorization` value answering `challenge` for a request
/// `method uri`, with client nonce `cnonce` and nonce count `nc`.
pub fn authorization(
    challenge: &Challenge,
    credentials: &Credentials,
    method: &str,
    uri: &str,
    cnonce: &str,
    nc: u32,
) -> String {
    let c = challenge;
    let (hash, sess) = c
        .algorithm
        .as_deref()
        .and_then(Algorithm::from_name)
        .unwrap_or((Algorithm::Md5, false));
    let h = |text: &str| hash.hex(text);
    let mut ha1 = h(&format!(
        "{}:{}:{}",
        credentials.user, c.realm, credentials.password
    ));
    if sess {
        ha1 = h(&format!("{ha1}:{}:{cnonce}", c.nonce));
    }
    let ha2 = h(&format!("{method}:{uri}"));
    let nc = format!("{nc:08x}");
    let response = if c.qop_auth {
        h(&format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", c.nonce))
    } else {
        h(&format!("{ha1}:{}:{ha2}", c.nonce))
    };
    let mut out = format!(
        "Digest username=\"{}\", realm=\"{}\", nonce=\"{}\", uri=\"{uri}\", response=\"{response}\"",
        credentials.user, c.realm, c.nonce
    );
    if let Some(a) = &c.algorithm {
        out.push_str(&format!(", algorithm={a}"));
    }
    if c.qop_auth {
        out.push_str(&format!(", qop=auth, nc={nc}, cnonce=\"{cnonce}\""));
    }
    if let Some(o) = &c.opaque {
        out.push_str(&format!(", opaque=\"{o}\""));
    }
    out
}

/// The hash of a Digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    Md5,
    Sha256,
}

impl Algorithm {
    /// The hash and whether it is the `-sess` form; `None` for algorithms we cannot answer.
    fn from_name(name: &str) -> Option<(Algorithm, bool)> {
        match name.to_ascii_uppercase().as_str() {
            "MD5" => Some((Algorithm::Md5, false)),
            "MD5-SESS" => Some((Algorithm::Md5, true)),
            "SHA-256" => Some((Algorithm::Sha256, false)),
            "SHA-256-SESS" => Some((Algorithm::Sha256, true)),
            _ => None,
        }
    }

    /// Lower-case hex of the hash of `text`.
    fn hex(self, text: &str) -> String {
        let bytes = match self {
            Algorithm::Md5 => Md5::digest(text.as_bytes()).to_vec(),
            Algorithm::Sha256 => Sha256::digest(text.as_bytes()).to_vec(),
        };
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
fn md5_hex(text: &str) -> String {
    Algorithm::Md5.hex(text)
}

/// `name=value` pairs of a challenge, values unquoted; commas inside quotes do not split.
fn params(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else { break };
        let name = rest[..eq].trim().trim_start_matches(',').trim().to_owned();
        let after = rest[eq + 1..].trim_start();
        let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
            let mut end = None;
            let mut escaped = false;
            for (i, ch) in quoted.char_indices() {
                match ch {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => {
                        end = Some(i);
                        break;
                    }
                    _ => {}
                }
            }
            let end = end.unwrap_or(quoted.len());
            (
                quoted[..end].replace("\\\"", "\""),
                quoted.get(end + 1..).unwrap_or(""),
            )
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        out.push((name, value));
        rest = next.trim_start().trim_start_matches(',').trim_start();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mufasa() -> Credentials {
        Credentials {
            user: "Mufasa".into(),
            password: "Circle Of Life".into(),
        }
    }

    #[test]
    fn rfc_2617_example_with_qop_auth() {
        let ch = parse_challenge(
            "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", \
             nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
        )
        .unwrap();
        assert!(ch.qop_auth);
        let auth = authorization(&ch, &mufasa(), "GET", "/dir/index.html", "0a4f113b", 1);
        assert!(
            auth.contains("response=\"6629fae49393a05397450978507c4ef1\""),
            "{auth}"
        );
        assert!(auth.contains("nc=00000001"));
        assert!(auth.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""));
    }

    #[test]
    fn without_qop_the_response_is_md5_of_ha1_nonce_ha2() {
        let ch = parse_challenge("Digest realm=\"asterisk\",nonce=\"abc\",algorithm=MD5").unwrap();
        let auth = authorization(&ch, &mufasa(), "INVITE", "sip:bob@h", "x", 1);
        let ha1 = md5_hex("Mufasa:asterisk:Circle Of Life");
        let ha2 = md5_hex("INVITE:sip:bob@h");
        assert!(auth.contains(&format!(
            "response=\"{}\"",
            md5_hex(&format!("{ha1}:abc:{ha2}"))
        )));
        assert!(!auth.contains("qop"));
    }

    /// RFC 7616 §3.9.1: the same request answered with MD5 and with SHA-256.
    #[test]
    fn rfc_7616_examples_for_md5_and_sha_256() {
        let credentials = Credentials {
            user: "Mufasa".into(),
            password: "Circle of Life".into(),
        };
        let challenge = |algorithm: &str| {
            parse_challenge(&format!(
                "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", \
                 algorithm={algorithm}, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", \
                 opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""
            ))
            .unwrap()
        };
        let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        let md5 = authorization(
            &challenge("MD5"),
            &credentials,
            "GET",
            "/dir/index.html",
            cnonce,
            1,
        );
        assert!(
            md5.contains("response=\"8ca523f5e9506fed4657c9700eebdbec\""),
            "{md5}"
        );
        let sha = authorization(
            &challenge("SHA-256"),
            &credentials,
            "GET",
            "/dir/index.html",
            cnonce,
            1,
        );
        assert!(
            sha.contains(
                "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\""
            ),
            "{sha}"
        );
        assert!(sha.contains("algorithm=SHA-256"));
    }

    #[test]
    fn other_schemes_and_algorithms_are_not_answered() {
        assert!(parse_challenge("Basic realm=\"x\"").is_none());
        assert!(
            parse_challenge("Digest realm=\"x\", nonce=\"n\", algorithm=SHA-512-256").is_none()
        );
        assert!(parse_challenge("Digest realm=\"x\"").is_none());
    }
}
