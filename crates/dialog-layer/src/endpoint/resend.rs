//! Sending a challenged request again (RFC 3261 §22.2, §22.3): a 401 or 407 to a request we
//! sent inside a dialog (a BYE through an authenticating proxy, an INFO, a re-INVITE) is
//! answered by the same request with credentials, a new branch and CSeq + 1. The
//! response carries what is needed ([`ChallengedRequest`]), so the retry does not depend on the transaction still existing:
//! over TCP a non-INVITE client transaction ends the moment its final response arrives.
use std::net::SocketAddr;

use bytes::Bytes;
use sip_message::Transport;

use super::records::InviteContext;
use super::{Endpoint, EndpointError};
use crate::fields::tag_of;
use crate::{DialogId, Time, TxId};

/// A request of ours inside a dialog (or a non-INVITE one outside) answered 401 or 407.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengedRequest {
    /// Its transport.
    pub transport: Transport,
    /// Where it went.
    pub destination: SocketAddr,
    /// The request as sent.
    pub request: Bytes,
}

impl ChallengedRequest {
    /// The method and Request-URI (what the digest response covers).
    pub fn method_and_uri(&self) -> Option<(&str, &str)> {
        let text = std::str::from_utf8(&self.request).ok()?;
        let line = text.split("\r\n").next()?;
        let mut parts = line.split(' ');
        Some((parts.next()?, parts.next()?))
    }
}

impl Endpoint {
    /// Sends `challenged` again with `headers` (an `Authorization` or `Proxy-Authorization`
    /// line; an earlier one of the same name is replaced): a new client transaction with a
    /// fresh branch and the CSeq raised by one, also in the dialog's CSeq space when the
    /// dialog still exists.
    pub fn resend_challenged(
        &mut self,
        now: Time,
        challenged: &ChallengedRequest,
        headers: &[(String, String)],
    ) -> Result<TxId, EndpointError> {
        let text =
            std::str::from_utf8(&challenged.request).map_err(|_| EndpointError::NotResendable)?;
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text, ""));
        // ACK and CANCEL cannot be challenged (§22.1): they are never sent again.
        let (method, uri) = challenged
            .method_and_uri()
            .filter(|(m, _)| *m != "ACK" && *m != "CANCEL")
            .ok_or(EndpointError::NotResendable)?;
        let branch = self.ids.branch();
        let mut out = String::with_capacity(text.len() + 256);
        let (mut call_id, mut from_tag, mut to_tag, mut cseq) = (None, None, None, None);
        let (mut via, mut from, mut to, mut routes) = (None, None, None, Vec::new());
        let mut via_done = false;
        for (i, line) in head.split("\r\n").enumerate() {
            if i == 0 {
                out.push_str(line);
                out.push_str("\r\n");
                continue;
            }
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            let name = name.trim();
            let value = value.trim();
            if headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                continue;
            }
            if name.eq_ignore_ascii_case("Via") && !via_done {
                // Our own Via, written as `SIP/2.0/T host;branch=X;rport`.
                via_done = true;
                let sent_by = value.split(";branch=").next().unwrap_or(value);
                let ours = format!("{sent_by};branch={branch};rport");
                out.push_str(&format!("Via: {ours}\r\n"));
                via = Some(ours);
                continue;
            }
            if name.eq_ignore_ascii_case("CSeq") {
                let number: u32 = value
                    .split_whitespace()
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or(EndpointError::NotResendable)?;
                let next = number.saturating_add(1);
                cseq = Some(next);
                out.push_str(&format!("CSeq: {next} {method}\r\n"));
                continue;
            }
            if name.eq_ignore_ascii_case("Content-Length") {
                // Written last, after the credentials.
                continue;
            }
            if name.eq_ignore_ascii_case("Call-ID") {
                call_id = Some(value.to_owned());
            } else if name.eq_ignore_ascii_case("From") {
                from_tag = tag_of(value);
                from = Some(value.to_owned());
            } else if name.eq_ignore_ascii_case("To") {
                to_tag = tag_of(value);
                to = Some(value.to_owned());
            } else if name.eq_ignore_ascii_case("Route") {
                routes.push(value.to_owned());
            }
            out.push_str(line);
            out.push_str("\r\n");
        }
        let cseq = cseq.ok_or(EndpointError::NotResendable)?;
        for (name, value) in headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        if method == "INVITE" && to_tag.is_none() {
            // Only a re-INVITE: the first INVITE of a call is retried by the call model.
            return Err(EndpointError::NotResendable);
        }
        if let (Some(call_id), Some(local_tag), Some(remote_tag)) =
            (call_id.clone(), from_tag, to_tag)
        {
            let id = DialogId {
                call_id,
                local_tag,
                remote_tag,
            };
            if let Some(d) = self.dialogs.get_mut(&id) {
                d.local_seq = d.local_seq.max(cseq);
            }
        }
        // A re-INVITE needs what its ACKs are built from (§13.2.2.4, §17.1.1.3).
        let invite = (method == "INVITE").then(|| {
            Box::new(
                InviteContext::new(
                    uri.to_owned(),
                    via.unwrap_or_default(),
                    from.unwrap_or_default(),
                    to.unwrap_or_default(),
                    call_id.unwrap_or_default(),
                    cseq,
                    routes,
                )
                .within_dialog(),
            )
        });
        Ok(self.start_client(
            now,
            method,
            branch,
            challenged.transport,
            challenged.destination,
            Bytes::from(out),
            invite,
        ))
    }
}
