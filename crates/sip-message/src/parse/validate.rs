//! What every message must carry (RFC 3261 §8.1.1, §20) and the header checks RFC 4475 asks
//! an element to make.
//!
//! Only what a UA relies on is checked: the top Via (lower Vias are only copied back), From,
//! To, Call-ID, CSeq, Max-Forwards, every Contact (a Contact is a remote target), Date, and
//! single-instance headers appearing more than once. Unknown headers are never looked at.
use rsip::headers::UntypedHeader;
use rsip::{Header, SipMessage};

use super::ParseError;
use crate::fields::CSeqValue;
use crate::name_addr::NameAddr;
use crate::scan;
use crate::via::ViaValue;

/// What the normaliser learned about the request method.
pub(super) struct MethodInfo<'a> {
    /// The method as received when rsip does not know it.
    pub(super) unknown: Option<&'a str>,
    /// The CSeq named that unknown method (and was rewritten to the placeholder).
    pub(super) cseq_method_replaced: bool,
}

pub(super) fn validate(message: &SipMessage, method: &MethodInfo<'_>) -> Result<(), ParseError> {
    let headers = match message {
        SipMessage::Request(r) => &r.headers,
        SipMessage::Response(r) => &r.headers,
    };
    let mut seen = Seen::default();
    for header in headers.iter() {
        seen.count(header)?;
    }
    let via = seen.via.ok_or(ParseError::MissingHeader("Via"))?;
    ViaValue::parse(via).map_err(|e| bad("Via", e.0))?;
    for (name, value) in [("From", seen.from), ("To", seen.to)] {
        let value = value.ok_or(ParseError::MissingHeader(name))?;
        NameAddr::check(value).map_err(|e| bad(name, e.to_string()))?;
    }
    let call_id = scan::trim_lws(seen.call_id.ok_or(ParseError::MissingHeader("Call-ID"))?);
    if call_id.is_empty() || call_id.contains(scan::is_lws) {
        return Err(bad("Call-ID", "empty or contains white space"));
    }
    let cseq = seen.cseq.ok_or(ParseError::MissingHeader("CSeq"))?;
    let cseq = CSeqValue::parse(cseq).map_err(|e| bad("CSeq", e.0))?;
    if let SipMessage::Request(request) = message {
        let matches = match method.unknown {
            Some(_) => method.cseq_method_replaced,
            None => cseq.method == request.method.to_string(),
        };
        if !matches {
            return Err(ParseError::CSeqMethodMismatch);
        }
    }
    if let Some(max_forwards) = seen.max_forwards {
        check_max_forwards(max_forwards)?;
    }
    for header in headers.iter() {
        match header {
            Header::Contact(contact) => check_contact(contact.value())?,
            Header::Date(date) if !is_rfc1123_date(date.value()) => {
                return Err(bad("Date", "not an RFC 1123 date in GMT"));
            }
            _ => {}
        }
    }
    Ok(())
}

fn bad(name: &'static str, detail: impl Into<String>) -> ParseError {
    ParseError::BadHeader {
        name,
        detail: detail.into(),
    }
}

/// The first value of each header the checks need, and duplicates of single-instance ones.
#[derive(Default)]
struct Seen<'a> {
    via: Option<&'a str>,
    from: Option<&'a str>,
    to: Option<&'a str>,
    call_id: Option<&'a str>,
    cseq: Option<&'a str>,
    max_forwards: Option<&'a str>,
    content_type: bool,
    content_length: bool,
}

impl<'a> Seen<'a> {
    fn count(&mut self, header: &'a Header) -> Result<(), ParseError> {
        fn once<'a>(
            slot: &mut Option<&'a str>,
            value: &'a str,
            name: &'static str,
        ) -> Result<(), ParseError> {
            if slot.replace(value).is_some() {
                return Err(bad(name, "appears more than once"));
            }
            Ok(())
        }
        fn flag(slot: &mut bool, name: &'static str) -> Result<(), ParseError> {
            if std::mem::replace(slot, true) {
                return Err(bad(name, "appears more than once"));
            }
            Ok(())
        }
        match header {
            Header::Via(v) => {
                self.via.get_or_insert(v.value());
            }
            Header::From(v) => once(&mut self.from, v.value(), "From")?,
            Header::To(v) => once(&mut self.to, v.value(), "To")?,
            Header::CallId(v) => once(&mut self.call_id, v.value(), "Call-ID")?,
            Header::CSeq(v) => once(&mut self.cseq, v.value(), "CSeq")?,
            Header::MaxForwards(v) => once(&mut self.max_forwards, v.value(), "Max-Forwards")?,
            Header::ContentType(_) => flag(&mut self.content_type, "Content-Type")?,
            Header::ContentLength(_) => flag(&mut self.content_length, "Content-Length")?,
            _ => {}
        }
        Ok(())
    }
}

/// `1*DIGIT`, at most 255 (RFC 3261 §20.22 allows 0-255; leading zeros are fine).
fn check_max_forwards(value: &str) -> Result<(), ParseError> {
    let value = scan::trim_lws(value);
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("Max-Forwards", "not a number"));
    }
    let significant = value.trim_start_matches('0');
    if significant.len() > 3 || significant.parse::<u16>().unwrap_or(0) > 255 {
        return Err(bad("Max-Forwards", "above 255"));
    }
    Ok(())
}

fn check_contact(value: &str) -> Result<(), ParseError> {
    if scan::trim_lws(value) == "*" {
        return Ok(());
    }
    NameAddr::check(value).map_err(|e| bad("Contact", e.to_string()))
}

/// `wkday "," SP 2DIGIT SP month SP 4DIGIT SP 2DIGIT ":" 2DIGIT ":" 2DIGIT SP "GMT"`
/// (RFC 3261 §20.17 allows only GMT), tolerating extra white space between the parts.
pub(crate) fn is_rfc1123_date(value: &str) -> bool {
    const DAYS: [&str; 7] = ["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = value
        .split(|c: char| scan::is_lws(c))
        .filter(|p| !p.is_empty())
        .collect();
    let [day, date, month, year, time, zone] = parts.as_slice() else {
        return false;
    };
    let mut clock = time.split(':');
    let clock_ok = clock.next().is_some_and(|h| digits(h, 2))
        && clock.next().is_some_and(|m| digits(m, 2))
        && clock.next().is_some_and(|s| digits(s, 2))
        && clock.next().is_none();
    DAYS.contains(day)
        && digits(date, 2)
        && MONTHS.contains(month)
        && digits(year, 4)
        && clock_ok
        && *zone == "GMT"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(is_rfc1123_date("Sat, 13 Nov 2010 23:29:00 GMT"));
        assert!(is_rfc1123_date("Sat,  13 Nov 2010 23:29:00 GMT"));
        assert!(!is_rfc1123_date("Fri, 01 Jan 2010 16:00:00 EST"));
        assert!(!is_rfc1123_date("Fri, 1 Jan 2010 16:00:00 GMT"));
        assert!(!is_rfc1123_date("Fri, 01 Jan 2010 16:00 GMT"));
        assert!(!is_rfc1123_date(""));
    }

    #[test]
    fn max_forwards() {
        assert!(check_max_forwards("0068").is_ok());
        assert!(check_max_forwards("0").is_ok());
        assert!(check_max_forwards("255").is_ok());
        assert!(check_max_forwards("000000000255").is_ok());
        assert!(check_max_forwards("256").is_err());
        assert!(check_max_forwards("300").is_err());
        assert!(check_max_forwards("99999999999999999999").is_err());
        assert!(check_max_forwards("-1").is_err());
        assert!(check_max_forwards("").is_err());
    }
}
