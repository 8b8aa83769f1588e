//! Calls to (or from) a conference hosted by a remote focus (RFC 4579; drop-semantics §5): the
//! focus marks its Contact with the `isfocus` feature tag (RFC 3840 §9). Such a call is one
//! dialog like any other, and dropping it sends one BYE to the focus, which keeps the other
//! participants (TAPI's CONFDROP false). The record says so, for the application to know that
//! dropping it only leaves the conference.
use rsip::headers::UntypedHeader;
use rsip::Header;

/// True when the first Contact of `headers` carries the `isfocus` parameter.
pub fn contact_is_focus(headers: &rsip::Headers) -> bool {
    let Some(value) = headers.iter().find_map(|h| match h {
        Header::Contact(c) => dialog_layer::fields::split_list(c.value())
            .into_iter()
            .next(),
        _ => None,
    }) else {
        return false;
    };
    // Header parameters follow the `>` of a name-addr, or the URI of a bare addr-spec (where
    // every `;` parameter is a header parameter, RFC 3261 §20.10).
    let params = match value.rfind('>') {
        Some(end) => &value[end + 1..],
        None => value.find(';').map_or("", |start| &value[start..]),
    };
    params.split(';').skip(1).any(|p| {
        let name = p.split_once('=').map_or(p, |(k, _)| k);
        name.trim().eq_ignore_ascii_case("isfocus")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(contact: &str) -> rsip::Headers {
        let mut h = rsip::Headers::default();
        h.push(Header::Contact(contact.into()));
        h
    }

    #[test]
    fn isfocus_is_found_as_a_header_parameter() {
        assert!(contact_is_focus(&headers(
            "<sip:conf42@pbx.example;transport=udp>;isfocus"
        )));
        assert!(contact_is_focus(&headers("<sip:c@h>;expires=60;IsFocus")));
        assert!(contact_is_focus(&headers("sip:c@h;isfocus")));
        assert!(contact_is_focus(&headers(
            "\"Conf\" <sip:c@h>;isfocus, <sip:other@h>"
        )));
    }

    #[test]
    fn a_uri_parameter_or_another_contact_is_not_a_focus() {
        assert!(!contact_is_focus(&headers("<sip:c@h;isfocus>")));
        assert!(!contact_is_focus(&headers("<sip:c@h>;isfocusx")));
        assert!(!contact_is_focus(&headers("<sip:c@h>, <sip:d@h>;isfocus")));
        assert!(!contact_is_focus(&rsip::Headers::default()));
    }
}
