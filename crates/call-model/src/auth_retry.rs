//! Answering a 401/407 (RFC 3261 §22.2, §22.3): to our INVITE with the same INVITE again, same
//! Call-ID and From tag, CSeq + 1, with `Authorization` / `Proxy-Authorization`; to a request
//! inside a dialog (a BYE through an authenticating proxy) with that request again, through
//! the endpoint. Even a deallocated call's BYE gets its credentials: the answer is keyed by
//! transaction, not by call.
use dialog_layer::{IncomingResponse, InviteOptions, InviteRequest, TxId};
use rsip::prelude::HasHeaders;

use crate::digest::{authorization, parse_challenge, Challenge};
use crate::model::CallModel;
use crate::sdp::audio_sdp;
use crate::{CallHandle, Time};

/// Two tries: a second challenge after our answer means the credentials are wrong (unless
/// the nonce went stale, which a PBX signals with a fresh challenge; one more try covers it).
const MAX_ATTEMPTS: u8 = 2;

impl CallModel {
    /// Sends the INVITE of `call` again with credentials answering `response`'s challenge.
    /// False when there is nothing to answer with (no credentials, no usable challenge, too
    /// many tries): the 401/407 then ends the call as usual.
    pub(crate) fn retry_with_credentials(
        &mut self,
        now: Time,
        call: CallHandle,
        response: &IncomingResponse,
    ) -> bool {
        let Some(credentials) = self.config.credentials.clone() else {
            return false;
        };
        let Some((answer_header, challenge)) = challenge_in(response) else {
            return false;
        };
        let Some(c) = self.calls.get_mut(&call) else {
            return false;
        };
        let Some(invite) = c.invite.as_mut() else {
            return false;
        };
        if invite.auth_attempts >= MAX_ATTEMPTS {
            return false;
        }
        invite.auth_attempts += 1;
        invite.cseq += 1;
        let (uri, cseq) = (invite.uri.clone(), invite.cseq);
        let (transport, destination) = (c.transport, c.peer);
        let call_id = c.record.sip_call_id.clone();
        let local_tag = c.record.local_tag.clone();
        let old_tx = c.invite_tx;
        let cnonce = self.endpoint.new_tag();
        let value = authorization(&challenge, &credentials, "INVITE", &uri, &cnonce, 1);
        let Some(local) = self.endpoint.local_address(transport, destination) else {
            return false;
        };
        let request = InviteRequest {
            uri,
            destination,
            transport,
            from_user: self.config.local_user.clone(),
            headers: vec![(answer_header.to_owned(), value)],
            body: Some(audio_sdp(local, crate::model::initial_sdp(call))),
        };
        let options = InviteOptions {
            call_id: Some(call_id),
            local_tag,
            cseq,
            routes: self.config.outbound_route.clone(),
        };
        match self.endpoint.send_invite_with(now, request, options) {
            Ok(sent) => {
                tracing::debug!(%call, code = response.code, "INVITE sent again with credentials");
                if let Some(old) = old_tx {
                    self.by_tx.remove(&old);
                }
                self.bind_tx(sent.tx, call);
                if let Some(c) = self.calls.get_mut(&call) {
                    c.invite_tx = Some(sent.tx);
                }
                true
            }
            Err(error) => {
                tracing::debug!(%call, %error, "INVITE with credentials not sent");
                false
            }
        }
    }

    /// Sends a challenged request inside a dialog (a BYE, an INFO, a hold's re-INVITE) again
    /// with credentials; true when it went. A request answered twice already is not tried
    /// again.
    pub(crate) fn retry_challenged_request(
        &mut self,
        now: Time,
        tx: TxId,
        response: &IncomingResponse,
    ) -> bool {
        let attempts = self.challenge_attempts.remove(&tx).unwrap_or(0);
        let Some(challenged) = response.challenged.as_ref() else {
            return false;
        };
        let Some(credentials) = self.config.credentials.clone() else {
            return false;
        };
        if attempts >= MAX_ATTEMPTS {
            tracing::debug!(%tx, "challenged again: the credentials are not accepted");
            return false;
        }
        let Some((answer_header, challenge)) = challenge_in(response) else {
            return false;
        };
        let Some((method, uri)) = challenged.method_and_uri() else {
            return false;
        };
        let cnonce = self.endpoint.new_tag();
        let value = authorization(&challenge, &credentials, method, uri, &cnonce, 1);
        let headers = [(answer_header.to_owned(), value)];
        match self.endpoint.resend_challenged(now, challenged, &headers) {
            Ok(retry) => {
                tracing::debug!(%tx, %retry, code = response.code, "sent again with credentials");
                self.challenge_attempts.insert(retry, attempts + 1);
                if let Some(&call) = self.by_tx.get(&tx) {
                    self.bind_tx(retry, call);
                    // A hold's re-INVITE goes on under its new transaction.
                    if let Some(c) = self.calls.get_mut(&call) {
                        if let Some(r) = c.reinvite.as_mut().filter(|r| r.tx == tx) {
                            r.tx = retry;
                        }
                    }
                }
                true
            }
            Err(error) => {
                tracing::debug!(%tx, %error, "challenged request not sent again");
                false
            }
        }
    }
}

/// The answer header and the parsed challenge of a 401 (`WWW-Authenticate`) or 407
/// (`Proxy-Authenticate`).
pub(crate) fn challenge_in(response: &IncomingResponse) -> Option<(&'static str, Challenge)> {
    let (challenge_header, answer_header) = match response.code {
        401 => ("www-authenticate", "Authorization"),
        407 => ("proxy-authenticate", "Proxy-Authorization"),
        _ => return None,
    };
    let challenge = response.message.headers().iter().find_map(|h| {
        let text = h.to_string();
        let (name, value) = text.split_once(':')?;
        if name.trim().eq_ignore_ascii_case(challenge_header) {
            parse_challenge(value)
        } else {
            None
        }
    })?;
    Some((answer_header, challenge))
}
