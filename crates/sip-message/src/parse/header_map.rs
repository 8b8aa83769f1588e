//! Header name to rsip `Header` variant, exactly as rsip 0.4's own message reader maps them
//! (case-insensitive; `Subscription-State` is `Other` there too, and so it stays here).
use rsip::headers::*;
use rsip::Header;

/// The rsip header for one `name: value` line.
pub(crate) fn to_header(name: &str, value: &str) -> Header {
    let mut buf = [0u8; 24];
    let Some(lower) = buf.get_mut(..name.len()) else {
        return Header::Other(name.to_owned(), value.to_owned());
    };
    lower.copy_from_slice(name.as_bytes());
    lower.make_ascii_lowercase();
    let v = value.to_owned();
    match &*lower {
        b"accept" => Header::Accept(Accept::new(v)),
        b"accept-encoding" => Header::AcceptEncoding(AcceptEncoding::new(v)),
        b"accept-language" => Header::AcceptLanguage(AcceptLanguage::new(v)),
        b"alert-info" => Header::AlertInfo(AlertInfo::new(v)),
        b"allow" => Header::Allow(Allow::new(v)),
        b"authentication-info" => Header::AuthenticationInfo(AuthenticationInfo::new(v)),
        b"authorization" => Header::Authorization(Authorization::new(v)),
        b"cseq" => Header::CSeq(CSeq::new(v)),
        b"call-id" => Header::CallId(CallId::new(v)),
        b"call-info" => Header::CallInfo(CallInfo::new(v)),
        b"contact" => Header::Contact(Contact::new(v)),
        b"content-disposition" => Header::ContentDisposition(ContentDisposition::new(v)),
        b"content-encoding" => Header::ContentEncoding(ContentEncoding::new(v)),
        b"content-language" => Header::ContentLanguage(ContentLanguage::new(v)),
        b"content-length" => Header::ContentLength(ContentLength::new(v)),
        b"content-type" => Header::ContentType(ContentType::new(v)),
        b"date" => Header::Date(Date::new(v)),
        b"error-info" => Header::ErrorInfo(ErrorInfo::new(v)),
        b"event" => Header::Event(Event::new(v)),
        b"expires" => Header::Expires(Expires::new(v)),
        b"from" => Header::From(From::new(v)),
        b"in-reply-to" => Header::InReplyTo(InReplyTo::new(v)),
        b"max-forwards" => Header::MaxForwards(MaxForwards::new(v)),
        b"mime-version" => Header::MimeVersion(MimeVersion::new(v)),
        b"min-expires" => Header::MinExpires(MinExpires::new(v)),
        b"organization" => Header::Organization(Organization::new(v)),
        b"priority" => Header::Priority(Priority::new(v)),
        b"proxy-authenticate" => Header::ProxyAuthenticate(ProxyAuthenticate::new(v)),
        b"proxy-authorization" => Header::ProxyAuthorization(ProxyAuthorization::new(v)),
        b"proxy-require" => Header::ProxyRequire(ProxyRequire::new(v)),
        b"record-route" => Header::RecordRoute(RecordRoute::new(v)),
        b"reply-to" => Header::ReplyTo(ReplyTo::new(v)),
        b"require" => Header::Require(Require::new(v)),
        b"retry-after" => Header::RetryAfter(RetryAfter::new(v)),
        b"route" => Header::Route(Route::new(v)),
        b"server" => Header::Server(Server::new(v)),
        b"subject" => Header::Subject(Subject::new(v)),
        b"supported" => Header::Supported(Supported::new(v)),
        b"timestamp" => Header::Timestamp(Timestamp::new(v)),
        b"to" => Header::To(To::new(v)),
        b"unsupported" => Header::Unsupported(Unsupported::new(v)),
        b"user-agent" => Header::UserAgent(UserAgent::new(v)),
        b"via" => Header::Via(Via::new(v)),
        b"warning" => Header::Warning(Warning::new(v)),
        b"www-authenticate" => Header::WwwAuthenticate(WwwAuthenticate::new(v)),
        _ => Header::Other(name.to_owned(), v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every name rsip knows maps as rsip's own reader maps it.
    #[test]
    fn same_mapping_as_rsip() {
        let names = [
            "Accept",
            "Accept-Encoding",
            "Accept-Language",
            "Alert-Info",
            "Allow",
            "Authentication-Info",
            "Authorization",
            "CSeq",
            "Call-ID",
            "Call-Info",
            "Contact",
            "Content-Disposition",
            "Content-Encoding",
            "Content-Language",
            "Content-Length",
            "Content-Type",
            "Date",
            "Error-Info",
            "Event",
            "Expires",
            "From",
            "In-Reply-To",
            "Max-Forwards",
            "MIME-Version",
            "Min-Expires",
            "Organization",
            "Priority",
            "Proxy-Authenticate",
            "Proxy-Authorization",
            "Proxy-Require",
            "Record-Route",
            "Reply-To",
            "Require",
            "Retry-After",
            "Route",
            "Server",
            "Subject",
            "Supported",
            "Timestamp",
            "To",
            "Unsupported",
            "User-Agent",
            "Via",
            "Warning",
            "WWW-Authenticate",
            "Subscription-State",
            "X-Custom",
            "rEaSoN",
            "A-Very-Long-Header-Name-Beyond-Buffer",
        ];
        let mut text = String::from("SIP/2.0 200 OK\r\n");
        for name in names {
            text.push_str(&format!("{name}: v-{name}\r\n"));
        }
        text.push_str("\r\n");
        let rsip_headers = match rsip::SipMessage::try_from(text.as_str()) {
            Ok(rsip::SipMessage::Response(r)) => r.headers,
            other => panic!("rsip failed: {other:?}"),
        };
        let mine: Vec<Header> = names
            .iter()
            .map(|n| to_header(n, &format!("v-{n}")))
            .collect();
        assert_eq!(rsip::Headers::from(mine), rsip_headers);
    }
}
