//! Scanning a message head for its end and its Content-Length, without parsing anything else.
use super::FramingError;
use crate::scan::find_byte;

/// Index just past the blank line that ends the head, searching from `from`: the first LF
/// followed by an empty line (CRLF or a bare LF, so LF-only messages frame too).
pub(crate) fn find_head_end(buf: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(offset) = find_byte(buf.get(i..)?, b'\n') {
        let lf = i + offset;
        let mut next = lf + 1;
        if buf.get(next) == Some(&b'\r') {
            next += 1;
        }
        if buf.get(next) == Some(&b'\n') {
            return Some(next + 1);
        }
        i = lf + 1;
    }
    None
}

/// Where a later search may resume after `find_head_end(buf, _)` found nothing: far enough back
/// to see an LF whose following CR LF had not arrived yet.
pub(crate) fn resume_point(len: usize) -> usize {
    len.saturating_sub(2)
}

/// The number of leading CR/LF octets (RFC 3261 §7.5: ignored before a start line).
pub(crate) fn leading_line_ends(buf: &[u8]) -> usize {
    buf.iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count()
}

/// The Content-Length of a head (start line, headers, blank line): `None` when absent. Reads
/// `Content-Length` and compact `l` in any case, with LWS before the colon and folded values.
/// Several headers must agree (RFC 4475 §3.3.9). Values beyond `usize` saturate, so that the
/// caller reports them as too large rather than malformed.
pub(crate) fn content_length(head: &[u8]) -> Result<Option<usize>, FramingError> {
    let mut found: Option<usize> = None;
    let mut current: Option<ClValue> = None;
    // Skip the start line; then every line is a header line, a continuation or the blank end.
    for raw_line in lines(head).skip(1) {
        let line = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
        if line.first().is_some_and(|&b| b == b' ' || b == b'\t') {
            if let Some(value) = current.as_mut() {
                value.feed(b" ");
                value.feed(line);
            }
            continue;
        }
        if let Some(value) = current.take() {
            found = merge(found, value.finish()?)?;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = trim(&line[..colon]);
        if name.eq_ignore_ascii_case(b"content-length") || name.eq_ignore_ascii_case(b"l") {
            let mut value = ClValue::default();
            value.feed(&line[colon + 1..]);
            current = Some(value);
        }
    }
    if let Some(value) = current.take() {
        found = merge(found, value.finish()?)?;
    }
    Ok(found)
}

/// Reads one Content-Length value (`LWS 1*DIGIT LWS`), saturating at `usize::MAX`.
pub(crate) fn content_length_value(value: &[u8]) -> Result<usize, FramingError> {
    let mut reader = ClValue::default();
    reader.feed(value);
    reader.finish()
}

/// Folds one more Content-Length value into what was found before: several must agree.
pub(crate) fn merge(found: Option<usize>, value: usize) -> Result<Option<usize>, FramingError> {
    match found {
        Some(previous) if previous != value => Err(FramingError::BadContentLength),
        _ => Ok(Some(value)),
    }
}

/// The lines of `buf` (split at LF, the LF removed), found eight octets at a time.
pub(crate) fn lines(buf: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(buf);
    std::iter::from_fn(move || {
        let current = rest?;
        match find_byte(current, b'\n') {
            Some(lf) => {
                rest = Some(&current[lf + 1..]);
                Some(&current[..lf])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// An incremental reader of `LWS 1*DIGIT LWS`, fed the pieces of a possibly folded value.
#[derive(Default)]
struct ClValue {
    digits: usize,
    value: usize,
    after_digits: bool,
    bad: bool,
}

impl ClValue {
    fn feed(&mut self, piece: &[u8]) {
        for &b in piece {
            match b {
                b' ' | b'\t' | b'\r' => self.after_digits |= self.digits > 0,
                b'0'..=b'9' if !self.after_digits => {
                    self.digits += 1;
                    self.value = self
                        .value
                        .saturating_mul(10)
                        .saturating_add(usize::from(b - b'0'));
                }
                _ => self.bad = true,
            }
        }
    }

    fn finish(self) -> Result<usize, FramingError> {
        if self.bad || self.digits == 0 {
            Err(FramingError::BadContentLength)
        } else {
            Ok(self.value)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_end_variants() {
        assert_eq!(find_head_end(b"A\r\nB: c\r\n\r\nbody", 0), Some(11));
        assert_eq!(find_head_end(b"A\nB: c\n\nbody", 0), Some(8));
        assert_eq!(find_head_end(b"A\r\nB: c\n\r\nbody", 0), Some(10));
        assert_eq!(find_head_end(b"A\r\nB: c\r\n\r", 0), None);
        assert_eq!(find_head_end(b"A\r\nB: c\r\n", 0), None);
        assert_eq!(find_head_end(b"", 0), None);
        assert_eq!(find_head_end(b"abc", 10), None);
        // Resuming from resume_point finds what a full scan finds.
        let msg = b"A\r\nB: c\r\n\r\n";
        for cut in 0..msg.len() {
            let from = resume_point(cut);
            assert_eq!(find_head_end(msg, from), Some(11), "cut {cut}");
        }
    }

    #[test]
    fn content_lengths() {
        let cl = |h: &[u8]| content_length(h);
        assert_eq!(cl(b"R\r\nContent-Length: 12\r\n\r\n"), Ok(Some(12)));
        assert_eq!(cl(b"R\r\nl:0\r\n\r\n"), Ok(Some(0)));
        assert_eq!(cl(b"R\r\nL : 7 \r\n\r\n"), Ok(Some(7)));
        assert_eq!(
            cl(b"R\r\ncontent-LENGTH   :\r\n   150\r\n\r\n"),
            Ok(Some(150))
        );
        assert_eq!(cl(b"R\r\nContent-Type: a\r\n\r\n"), Ok(None));
        assert_eq!(
            cl(b"Content-Length: 5\r\n\r\n"),
            Ok(None),
            "start line is skipped"
        );
        assert_eq!(
            cl(b"R\r\nContent-Length: -999\r\n\r\n"),
            Err(FramingError::BadContentLength)
        );
        assert_eq!(
            cl(b"R\r\nContent-Length: 1 2\r\n\r\n"),
            Err(FramingError::BadContentLength)
        );
        assert_eq!(
            cl(b"R\r\nContent-Length:\r\n\r\n"),
            Err(FramingError::BadContentLength)
        );
        assert_eq!(
            cl(b"R\r\nl: 13\r\nl: 5\r\n\r\n"),
            Err(FramingError::BadContentLength)
        );
        assert_eq!(cl(b"R\r\nl: 5\r\nContent-Length: 05\r\n\r\n"), Ok(Some(5)));
        assert_eq!(
            cl(b"R\r\nl: 99999999999999999999999999\r\n\r\n"),
            Ok(Some(usize::MAX))
        );
        assert_eq!(cl(b"R\nl: 3\n\n"), Ok(Some(3)));
    }
}
