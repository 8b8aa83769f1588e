//! Low-level lexical helpers shared by the parsers: RFC 3261 §25.1 character classes, LWS
//! trimming, quoted strings, comma-separated lists and `;name=value` parameter lists.
//!
//! Everything here works on `&str` or `&[u8]`, never panics, and borrows from its input.

/// `token` characters of RFC 3261 §25.1: alphanumerics and `-.!%*_+`'~`.
pub(crate) fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
        )
}

/// True when `s` is a non-empty RFC 3261 `token`.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_byte)
}

/// The index of the first `needle` in `haystack`, eight octets at a time (the standard
/// library's memchr is not public, and this runs over every head several times).
pub(crate) fn find_byte(haystack: &[u8], needle: u8) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let pattern = LO * u64::from(needle);
    let mut chunks = haystack.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8])) ^ pattern;
        // A zero octet in `word` is a match (the classic has-zero-byte test).
        if word.wrapping_sub(LO) & !word & HI != 0 {
            return chunk.iter().position(|&b| b == needle).map(|p| offset + p);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == needle)
        .map(|p| offset + p)
}

/// Space or horizontal tab (the `WSP` of RFC 5234).
pub(crate) fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Linear white space as it may remain after unfolding: SP, HTAB, CR, LF.
pub(crate) fn is_lws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Trims SP/HTAB/CR/LF on both sides.
pub(crate) fn trim_lws(s: &str) -> &str {
    s.trim_matches(is_lws)
}

/// Length in bytes of the quoted string at the start of `s` (which must begin with `"`),
/// including both quotes; `None` when it is not closed. Backslash escapes one character.
pub(crate) fn quoted_len(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    if bytes.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The content of a quoted string (`"a \"b\""` → `a "b"`), escapes removed; `None` when `s`
/// is not exactly one well-formed quoted string.
pub(crate) fn unquote(s: &str) -> Option<String> {
    let len = quoted_len(s)?;
    if len != s.len() {
        return None;
    }
    let inner = s.get(1..len - 1)?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(chars.next()?);
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Writes `text` as a quoted string, escaping `"` and `\` and control characters (which RFC
/// 3261 only allows as quoted-pairs). CR and LF cannot be carried at all and become spaces.
pub(crate) fn push_quoted(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '\r' | '\n' => out.push(' '),
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 && c != '\t' || c == '\x7f' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Splits a header value at the commas that separate list elements: commas inside quoted
/// strings or inside `<...>` do not split. Elements are LWS-trimmed; empty ones are dropped.
pub(crate) fn split_list(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(pos) = find_top_level(rest, b',') {
        push_non_empty(&mut out, &rest[..pos]);
        rest = &rest[pos + 1..];
    }
    push_non_empty(&mut out, rest);
    out
}

fn push_non_empty<'a>(out: &mut Vec<&'a str>, element: &'a str) {
    let element = trim_lws(element);
    if !element.is_empty() {
        out.push(element);
    }
}

/// True when `value` holds a comma outside quoted strings and `<...>`.
pub(crate) fn has_top_level_comma(value: &[u8]) -> bool {
    // Works on bytes so the normaliser can ask before knowing the value is UTF-8; the
    // delimiters are ASCII so multi-byte sequences never confuse it. Most values have no
    // comma at all, which the fast search settles.
    value.contains(&b',') && find_top_level_bytes(value, b',').is_some()
}

/// Byte index of the first `target` outside quoted strings and `<...>`.
pub(crate) fn find_top_level(s: &str, target: u8) -> Option<usize> {
    find_top_level_bytes(s.as_bytes(), target)
}

fn find_top_level_bytes(bytes: &[u8], target: u8) -> Option<usize> {
    let mut in_quotes = false;
    let mut in_angle = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_quotes {
            match b {
                b'\\' => i += 1,
                b'"' => in_quotes = false,
                _ => {}
            }
        } else if in_angle {
            if b == b'>' {
                in_angle = false;
            }
        } else if b == target {
            return Some(i);
        } else if b == b'"' {
            in_quotes = true;
        } else if b == b'<' {
            in_angle = true;
        }
        i += 1;
    }
    None
}

/// One generic parameter: its name and its value as written (quotes kept), LWS removed.
pub(crate) type RawParam<'a> = (&'a str, Option<&'a str>);

/// Why a parameter list could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamError {
    /// `;;` or a `;` not followed by a token.
    EmptyName,
    /// A parameter name that is not a token.
    BadName,
    /// `name=` without a value, or an unterminated quoted value.
    BadValue,
    /// Text that is neither whitespace nor `;` where a parameter should start.
    Trailing,
}

impl ParamError {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            ParamError::EmptyName => "empty parameter",
            ParamError::BadName => "parameter name is not a token",
            ParamError::BadValue => "parameter value missing or unterminated",
            ParamError::Trailing => "unexpected text after the value",
        }
    }
}

/// Reads `*( SWS ";" SWS name [ SWS "=" SWS value ] )` to the end of `s`. A value is a quoted
/// string or a run of characters other than LWS, `;`, `,` and `"` (tokens, hosts, IPv6
/// literals such as `received=2001:db8::1` or `[2001:db8::1]`).
pub(crate) fn parse_params(s: &str) -> Result<Vec<RawParam<'_>>, ParamError> {
    params(s).collect()
}

/// Checks a parameter list without collecting it (the parser's validation path).
pub(crate) fn check_params(s: &str) -> Result<(), ParamError> {
    params(s).try_for_each(|p| p.map(|_| ()))
}

/// The parameters of `s` one by one; the first error ends the iteration.
pub(crate) fn params(s: &str) -> Params<'_> {
    Params {
        rest: trim_lws(s),
        failed: false,
    }
}

/// Iterator behind [`parse_params`].
pub(crate) struct Params<'a> {
    rest: &'a str,
    failed: bool,
}

impl<'a> Iterator for Params<'a> {
    type Item = Result<RawParam<'a>, ParamError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() || self.failed {
            return None;
        }
        let result = self.read_one();
        self.failed = result.is_err();
        Some(result)
    }
}

impl<'a> Params<'a> {
    fn read_one(&mut self) -> Result<RawParam<'a>, ParamError> {
        let after_semi = self.rest.strip_prefix(';').ok_or(ParamError::Trailing)?;
        let after_semi = after_semi.trim_start_matches(is_lws);
        let name_len = after_semi
            .find(|c: char| is_lws(c) || c == '=' || c == ';')
            .unwrap_or(after_semi.len());
        let name = &after_semi[..name_len];
        if name.is_empty() {
            return Err(ParamError::EmptyName);
        }
        if !is_token(name) {
            return Err(ParamError::BadName);
        }
        let after_name = after_semi[name_len..].trim_start_matches(is_lws);
        let Some(after_eq) = after_name.strip_prefix('=') else {
            self.rest = after_name;
            return Ok((name, None));
        };
        let after_eq = after_eq.trim_start_matches(is_lws);
        let value_len = if after_eq.starts_with('"') {
            quoted_len(after_eq).ok_or(ParamError::BadValue)?
        } else {
            after_eq
                .find(|c: char| is_lws(c) || c == ';' || c == ',' || c == '"')
                .unwrap_or(after_eq.len())
        };
        if value_len == 0 {
            return Err(ParamError::BadValue);
        }
        self.rest = after_eq[value_len..].trim_start_matches(is_lws);
        Ok((name, Some(&after_eq[..value_len])))
    }
}

/// A parameter value with its quotes removed when it is a quoted string.
pub(crate) fn param_text(value: &str) -> String {
    if value.starts_with('"') {
        unquote(value).unwrap_or_else(|| value.to_owned())
    } else {
        value.to_owned()
    }
}

/// FNV-1a, 64 bits: a stable, dependency-free hash for deterministic tags.
pub(crate) fn fnv1a64(data: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_chars() {
        assert!(is_token("z9hG4bK-.!%*_+`'~"));
        assert!(!is_token(""));
        assert!(!is_token("a b"));
        assert!(!is_token("a,b"));
    }

    #[test]
    fn quoted_strings() {
        assert_eq!(quoted_len(r#""a\"b" rest"#), Some(6));
        assert_eq!(quoted_len(r#""open"#), None);
        assert_eq!(quoted_len(r#""ends in backslash\"#), None);
        assert_eq!(
            unquote(r#""J Rosenberg \\\"""#).as_deref(),
            Some(r#"J Rosenberg \""#)
        );
        assert_eq!(unquote(r#""a" b"#), None);
        let mut out = String::new();
        push_quoted(&mut out, "say \"hi\" \\ \r\n\u{1}");
        assert_eq!(out, "\"say \\\"hi\\\" \\\\   \\\u{1}\"");
        assert_eq!(unquote(&out).as_deref(), Some("say \"hi\" \\   \u{1}"));
    }

    #[test]
    fn list_splitting_respects_quotes_and_angles() {
        assert_eq!(
            split_list(r#""Doe, J" <sip:a@b;x=1,2>;p="q,r" , <sip:c@d>,,"#),
            vec![r#""Doe, J" <sip:a@b;x=1,2>;p="q,r""#, "<sip:c@d>"]
        );
        assert_eq!(split_list("*"), vec!["*"]);
        assert!(split_list(" , ,").is_empty());
        assert!(has_top_level_comma(b"a, b"));
        assert!(!has_top_level_comma(b"\"a, b\" <sip:x,y>"));
    }

    #[test]
    fn params() {
        assert_eq!(
            parse_params(" ;   tag    = 1918181833n ; lr;x=\"a;b\";received=2001:db8::1"),
            Ok(vec![
                ("tag", Some("1918181833n")),
                ("lr", None),
                ("x", Some("\"a;b\"")),
                ("received", Some("2001:db8::1"))
            ])
        );
        assert_eq!(parse_params(";;"), Err(ParamError::EmptyName));
        assert_eq!(parse_params(";a="), Err(ParamError::BadValue));
        assert_eq!(parse_params(";a=\"x"), Err(ParamError::BadValue));
        assert_eq!(parse_params("x"), Err(ParamError::Trailing));
        assert_eq!(parse_params(";a b"), Err(ParamError::Trailing));
        assert_eq!(parse_params(";a<b"), Err(ParamError::BadName));
        assert_eq!(parse_params(""), Ok(vec![]));
    }

    #[test]
    fn find_byte_matches_position() {
        let hay: Vec<u8> = (0u8..=255).chain(0u8..=255).collect();
        for needle in [0u8, 1, 7, 8, 9, 0x80, 0xfe, 0xff, b'\n'] {
            for start in 0..20 {
                let expected = hay[start..].iter().position(|&b| b == needle);
                assert_eq!(find_byte(&hay[start..], needle), expected);
            }
        }
        assert_eq!(find_byte(b"", b'x'), None);
        assert_eq!(find_byte(b"abcdefghij", b'j'), Some(9));
        assert_eq!(find_byte(&[0x81, 0x01, 0x0a], b'\n'), Some(2));
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
