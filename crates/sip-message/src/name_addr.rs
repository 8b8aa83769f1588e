//! `name-addr` / `addr-spec` header values (From, To, Contact, Route, Record-Route, Refer-To),
//! read per RFC 3261 §20 and §25.1, leniently where real equipment is sloppy.
//!
//! rsip's typed From/To/Contact cannot read LWS around `;` and `=`, quoted parameter values,
//! IPv6 hosts or odd users, and keeps the quotes of display names. [`NameAddr`] reads them all.
use crate::scan::{self, ParamError};
use crate::uri::{format_uri, parse_parts, to_uri, UriError, UriParts};

/// One `[display-name] <uri> *(;param)` or `uri *(;param)` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAddr {
    /// The display name, unquoted and unescaped; `None` when absent or empty.
    pub display_name: Option<String>,
    /// The URI (see [`crate::uri`] for how non-SIP schemes are held).
    pub uri: rsip::Uri,
    /// Header parameters in order: name as written, value as written (quotes kept).
    pub params: Vec<(String, Option<String>)>,
}

/// Why a name-addr value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameAddrError {
    /// The display name is neither a quoted string nor a sequence of tokens.
    #[error("bad display name")]
    DisplayName,
    /// A quoted string or `<` is not closed.
    #[error("unbalanced quotes or angle brackets")]
    Unbalanced,
    /// The URI cannot be read.
    #[error(transparent)]
    Uri(#[from] UriError),
    /// A URI outside `<>` contains `?` or `,` (RFC 3261 §20 requires the brackets).
    #[error("a URI with headers or commas must be enclosed in <>")]
    NeedsAngleBrackets,
    /// The parameters cannot be read.
    #[error("bad parameters: {0}")]
    Params(&'static str),
}

impl From<ParamError> for NameAddrError {
    fn from(e: ParamError) -> Self {
        NameAddrError::Params(e.describe())
    }
}

/// A value split into its parts, checked, nothing allocated.
struct Parts<'a> {
    /// The display name as written (quoted string or tokens), when not empty.
    display_name: Option<&'a str>,
    uri: UriParts<'a>,
    /// The header parameters, checked, with their leading `;`.
    params: &'a str,
}

impl NameAddr {
    /// Reads one value (one element of a comma-separated list).
    pub fn parse(value: &str) -> Result<Self, NameAddrError> {
        let parts = Parts::read(value)?;
        let params = scan::parse_params(parts.params)?
            .into_iter()
            .map(|(n, v)| (n.to_owned(), v.map(str::to_owned)))
            .collect();
        Ok(NameAddr {
            display_name: parts.display_name.and_then(display_text),
            uri: to_uri(&parts.uri),
            params,
        })
    }

    /// Checks a value as [`NameAddr::parse`] would, without building anything.
    pub fn check(value: &str) -> Result<(), NameAddrError> {
        Parts::read(value).map(|_| ())
    }

    /// The `tag` parameter (From/To).
    pub fn tag(&self) -> Option<&str> {
        self.param("tag").flatten()
    }

    /// The value of parameter `name` (case-insensitive): `Some(None)` when it has no value.
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_deref())
    }
}

impl<'a> Parts<'a> {
    fn read(value: &'a str) -> Result<Self, NameAddrError> {
        let value = scan::trim_lws(value);
        let (display_name, uri_text, rest) = match scan::find_top_level(value, b'<') {
            Some(lt) => {
                let display_name = check_display_name(&value[..lt])?;
                let after = &value[lt + 1..];
                let gt = after.find('>').ok_or(NameAddrError::Unbalanced)?;
                (display_name, &after[..gt], &after[gt + 1..])
            }
            None => {
                if value.starts_with('"') || value.contains('>') {
                    // A display name must be followed by <uri>; a lone quote is unbalanced.
                    return Err(NameAddrError::Unbalanced);
                }
                // addr-spec: the URI ends at the first ';' (what follows are header
                // parameters) or whitespace.
                let end = value
                    .find(|c: char| c == ';' || scan::is_lws(c))
                    .unwrap_or(value.len());
                let uri_text = &value[..end];
                if uri_text.contains(['?', ',']) {
                    return Err(NameAddrError::NeedsAngleBrackets);
                }
                (None, uri_text, &value[end..])
            }
        };
        let uri = parse_parts(uri_text)?;
        scan::check_params(rest)?;
        Ok(Parts {
            display_name,
            uri,
            params: rest,
        })
    }
}

/// Checks what precedes `<`: empty, one quoted string, or tokens separated by LWS. Octets
/// above 0x7F are tolerated in the unquoted form (real PBXs send raw UTF-8 names).
fn check_display_name(text: &str) -> Result<Option<&str>, NameAddrError> {
    let text = scan::trim_lws(text);
    if text.is_empty() {
        return Ok(None);
    }
    let ok = if text.starts_with('"') {
        scan::quoted_len(text) == Some(text.len())
    } else {
        text.bytes().all(|b| {
            scan::is_token_byte(b) || b >= 0x80 || matches!(b, b' ' | b'\t' | b'\r' | b'\n')
        })
    };
    if ok {
        Ok(Some(text))
    } else {
        Err(NameAddrError::DisplayName)
    }
}

/// The text of a checked display name: unquoted, or its tokens joined by single spaces.
fn display_text(raw: &str) -> Option<String> {
    let text = if raw.starts_with('"') {
        scan::unquote(raw)?
    } else {
        raw.split(scan::is_lws)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    (!text.is_empty()).then_some(text)
}

impl std::fmt::Display for NameAddr {
    /// Prints `"Display" <uri>;params` (always the bracketed form).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::new();
        if let Some(name) = &self.display_name {
            scan::push_quoted(&mut out, name);
            out.push(' ');
        }
        out.push('<');
        out.push_str(&format_uri(&self.uri));
        out.push('>');
        for (name, value) in &self.params {
            out.push(';');
            out.push_str(name);
            if let Some(value) = value {
                out.push('=');
                out.push_str(value);
            }
        }
        f.write_str(&out)
    }
}

/// The `tag` parameter of a From or To header value, read leniently: the URI need not be
/// readable, only the parameters after it. `None` when there is no tag.
pub fn tag_of(header_value: &str) -> Option<&str> {
    let value = scan::trim_lws(header_value);
    // Header parameters start after '>' in the name-addr form, at the first ';' otherwise.
    let params_start = match scan::find_top_level(value, b'<') {
        Some(lt) => lt + 1 + value[lt + 1..].find('>')? + 1,
        None => value.find(';')?,
    };
    let rest = &value[params_start..];
    // Read parameter by parameter so that junk after the tag does not hide it.
    for part in rest.split(';').skip(1) {
        let (name, val) = match part.find('=') {
            Some(eq) => (&part[..eq], Some(&part[eq + 1..])),
            None => (part, None),
        };
        if scan::trim_lws(name).eq_ignore_ascii_case("tag") {
            let val = scan::trim_lws(val?);
            return if val.is_empty() { None } else { Some(val) };
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsip::Host;

    #[test]
    fn name_addr_forms() {
        let na = NameAddr::parse(
            r#""J Rosenberg \\\""       <sip:jdrosen@example.com> ; tag = 98asjd8"#,
        )
        .unwrap();
        assert_eq!(na.display_name.as_deref(), Some(r#"J Rosenberg \""#));
        assert_eq!(na.uri.user(), Some("jdrosen"));
        assert_eq!(na.tag(), Some("98asjd8"));

        let na = NameAddr::parse("caller<sip:caller@example.com>;tag=323").unwrap();
        assert_eq!(na.display_name.as_deref(), Some("caller"));
        assert_eq!(na.tag(), Some("323"));

        let na =
            NameAddr::parse("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n").unwrap();
        assert_eq!(na.display_name, None);
        assert_eq!(na.tag(), Some("1918181833n"));

        let na = NameAddr::parse("A. Bell <sip:a.g.bell@example.com>;tag=qweoiqpe").unwrap();
        assert_eq!(na.display_name.as_deref(), Some("A. Bell"));

        let na = NameAddr::parse("<sip:[2001:db8::1]:5060;lr>;+sip.instance=\"<urn:x>\"").unwrap();
        assert_eq!(na.uri.host(), &Host::IpAddr("2001:db8::1".parse().unwrap()));
        assert_eq!(na.param("+sip.instance"), Some(Some("\"<urn:x>\"")));
        assert_eq!(
            na.to_string(),
            "<sip:[2001:db8::1]:5060;lr>;+sip.instance=\"<urn:x>\""
        );

        let na = NameAddr::parse("Иван Петров <sip:100@pbx>").unwrap();
        assert_eq!(na.display_name.as_deref(), Some("Иван Петров"));
        assert!(NameAddr::parse("<name:John_Smith>").is_ok());
        assert!(NameAddr::parse("isbn:2983792873").is_ok());
        assert!(NameAddr::parse("<http://www.example.com>;tag=3234233").is_ok());
        assert!(NameAddr::parse("<sip:user@example.com?Route=%3Csip:sip.example.com%3E>").is_ok());
    }

    #[test]
    fn rejects_rfc4475_bad_values() {
        // quotbal, badaspec, baddn, regbadct, badinv01
        assert!(NameAddr::parse("\"Mr. J. User <sip:j.user@example.com>").is_err());
        assert!(NameAddr::parse("\"Watson, Thomas\" < sip:t.watson@example.org >").is_err());
        assert!(NameAddr::parse("Watson, Thomas <sip:t.watson@example.org>").is_err());
        assert_eq!(
            NameAddr::parse("sip:user@example.com?Route=%3Csip:sip.example.com%3E"),
            Err(NameAddrError::NeedsAngleBrackets)
        );
        assert!(NameAddr::parse("\"Joe\" <sip:joe@example.org>;;;;").is_err());
        assert!(NameAddr::parse("<sip:a@b").is_err());
        assert!(NameAddr::parse("").is_err());
    }

    #[test]
    fn display_round_trip() {
        let na = NameAddr::parse(r#""Quoted string \"\"" <sip:jdrosen@example.com> ; newparam = newvalue ; secondparam ; q = 0.33"#).unwrap();
        let printed = na.to_string();
        assert_eq!(
            printed,
            r#""Quoted string \"\"" <sip:jdrosen@example.com>;newparam=newvalue;secondparam;q=0.33"#
        );
        assert_eq!(NameAddr::parse(&printed).unwrap(), na);
    }

    #[test]
    fn lenient_tags() {
        assert_eq!(tag_of("<sip:a@b;tag=uri-param>;tag=abc"), Some("abc"));
        assert_eq!(tag_of("<sip:a@b;tag=uri-param>"), None);
        assert_eq!(tag_of("sip:a@b ; TAG = x1 ;other"), Some("x1"));
        assert_eq!(tag_of("\"a;tag=no\" <sip:x@y>"), None);
        assert_eq!(tag_of("garbage <<>> ;tag=t"), Some("t"));
        assert_eq!(tag_of("sip:a@b;tag="), None);
        assert_eq!(tag_of("sip:a@b"), None);
    }
}
