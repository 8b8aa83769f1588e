//! Registration with a registrar (RFC 3261 §10): REGISTER binding our Contact to an
//! address-of-record, answered challenges (401/407), 423 Min-Expires, refresh before expiry,
//! and the unregistration (Expires: 0) on the way out. Time is an input like everywhere: the
//! refresh is a deadline the model reports through `poll_timeout`.
use std::net::SocketAddr;
use std::time::Duration;

use dialog_layer::{IncomingResponse, RequestOptions, TxId};
use rsip::prelude::HasHeaders;

use crate::digest::authorization;
use crate::model::CallModel;
use crate::{CallError, Event, Time, Transport};

/// What to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The address-of-record, e.g. `sip:bob@example.test` (From and To).
    pub aor: String,
    /// The registrar's Request-URI, e.g. `sip:example.test`.
    pub registrar: String,
    /// Where to send the REGISTER (the registrar or an outbound proxy, resolved).
    pub destination: SocketAddr,
    /// Transport.
    pub transport: Transport,
    /// Requested binding lifetime in seconds.
    pub expires: u32,
}

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationState {
    /// Bound for this many seconds (refreshed before they run out).
    Registered {
        /// Granted lifetime, seconds.
        expires: u32,
    },
    /// The registrar refused or did not answer; retried later.
    Failed {
        /// The final status, if one came.
        status: Option<u16>,
    },
    /// The binding was removed (Expires: 0 answered), or the removal got no answer.
    Unregistered,
}

/// Retry a failed registration after this long.
const RETRY_AFTER: Duration = Duration::from_secs(60);

/// The registration in progress.
#[derive(Debug)]
pub(crate) struct Registrar {
    reg: Registration,
    call_id: String,
    local_tag: String,
    cseq: u32,
    tx: Option<TxId>,
    auth_attempts: u8,
    expires: u32,
    refresh_at: Option<Time>,
    removing: bool,
}

impl CallModel {
    /// Registers `reg.aor` at the registrar; refreshes it before it expires. Progress comes as
    /// [`Event::Registration`].
    pub fn register(&mut self, now: Time, reg: Registration) -> Result<(), CallError> {
        if dialog_layer::fields::uri_host_port(&reg.aor).is_none() {
            return Err(CallError::InvalAddress);
        }
        let registrar = Registrar {
            expires: reg.expires,
            reg,
            call_id: self.endpoint.new_call_id(),
            local_tag: self.endpoint.new_tag(),
            cseq: 0,
            tx: None,
            auth_attempts: 0,
            refresh_at: None,
            removing: false,
        };
        self.registrar = Some(registrar);
        self.send_register(now, None);
        Ok(())
    }

    /// Removes the binding (REGISTER with Expires: 0). False when nothing is registered.
    pub fn unregister(&mut self, now: Time) -> bool {
        let Some(r) = self.registrar.as_mut() else {
            return false;
        };
        r.removing = true;
        r.expires = 0;
        r.refresh_at = None;
        r.auth_attempts = 0;
        self.send_register(now, None);
        true
    }

    /// The next registration deadline (a refresh or a retry).
    pub(crate) fn registration_timeout(&self) -> Option<Time> {
        self.registrar.as_ref().and_then(|r| r.refresh_at)
    }

    /// Refreshes or retries when due.
    pub(crate) fn registration_tick(&mut self, now: Time) {
        let due = self
            .registrar
            .as_ref()
            .and_then(|r| r.refresh_at)
            .is_some_and(|t| t <= now);
        if due {
            if let Some(r) = self.registrar.as_mut() {
                r.refresh_at = None;
                r.auth_attempts = 0;
            }
            self.send_register(now, None);
        }
    }

    fn send_register(&mut self, now: Time, auth: Option<(&'static str, String)>) {
        let Some(r) = self.registrar.as_mut() else {
            return;
        };
        r.cseq += 1;
        let mut headers = vec![("Expires".to_owned(), r.expires.to_string())];
        if let Some((name, value)) = auth {
            headers.push((name.to_owned(), value));
        }
        let options = RequestOptions {
            call_id: Some(r.call_id.clone()),
            local_tag: Some(r.local_tag.clone()),
            cseq: r.cseq,
            from: Some(format!("<{}>", r.reg.aor)),
            to: Some(format!("<{}>", r.reg.aor)),
            contact: true,
        };
        let (uri, destination, transport) =
            (r.reg.registrar.clone(), r.reg.destination, r.reg.transport);
        match self.endpoint.send_request_with(
            now,
            "REGISTER",
            &uri,
            destination,
            transport,
            headers,
            options,
        ) {
            Ok(tx) => {
                if let Some(r) = self.registrar.as_mut() {
                    r.tx = Some(tx);
                }
            }
            Err(error) => {
                tracing::warn!(%error, "REGISTER not sent");
                self.registration_failed(now, None);
            }
        }
    }

    /// A response to a REGISTER; false when `tx` is not ours.
    pub(crate) fn on_register_response(
        &mut self,
        now: Time,
        tx: TxId,
        response: &IncomingResponse,
    ) -> bool {
        let Some(r) = self.registrar.as_mut() else {
            return false;
        };
        if r.tx != Some(tx) {
            return false;
        }
        let code = response.code;
        if code < 200 {
            return true;
        }
        r.tx = None;
        match code {
            200..=299 if r.removing => {
                self.registrar = None;
                self.events.push_back(Event::Registration {
                    state: RegistrationState::Unregistered,
                    at: now,
                });
            }
            200..=299 => {
                let granted = granted_expires(response).unwrap_or(r.expires);
                // Refresh at half the lifetime, or a minute before it ends, whichever is later.
                let refresh = u64::from(granted / 2).max(u64::from(granted.saturating_sub(60)));
                r.refresh_at = Some(now + Duration::from_secs(refresh.max(1)));
                self.events.push_back(Event::Registration {
                    state: RegistrationState::Registered { expires: granted },
                    at: now,
                });
            }
            401 | 407 => {
                let answer = self.answer_challenge(response);
                match answer {
                    Some(auth) => self.send_register(now, Some(auth)),
                    None => self.registration_failed(now, Some(code)),
                }
            }
            423 => {
                let min = header_u32(response, "min-expires");
                match (min, self.registrar.as_mut()) {
                    (Some(min), Some(r)) if min > r.expires => {
                        r.expires = min;
                        self.send_register(now, None);
                    }
                    _ => self.registration_failed(now, Some(code)),
                }
            }
            _ => self.registration_failed(now, Some(code)),
        }
        true
    }

    /// A REGISTER timed out or could not be sent; false when `tx` is not ours.
    pub(crate) fn on_register_failure(&mut self, now: Time, tx: TxId) -> bool {
        if self.registrar.as_ref().and_then(|r| r.tx) != Some(tx) {
            return false;
        }
        self.registration_failed(now, None);
        true
    }

    fn registration_failed(&mut self, now: Time, status: Option<u16>) {
        let Some(r) = self.registrar.as_mut() else {
            return;
        };
        r.tx = None;
        if r.removing {
            self.registrar = None;
            self.events.push_back(Event::Registration {
                state: RegistrationState::Unregistered,
                at: now,
            });
            return;
        }
        r.refresh_at = Some(now + RETRY_AFTER);
        self.events.push_back(Event::Registration {
            state: RegistrationState::Failed { status },
            at: now,
        });
    }

    fn answer_challenge(&mut self, response: &IncomingResponse) -> Option<(&'static str, String)> {
        let credentials = self.config.credentials.clone()?;
        let (answer_name, challenge) = crate::auth_retry::challenge_in(response)?;
        let cnonce = self.endpoint.new_tag();
        let r = self.registrar.as_mut()?;
        if r.auth_attempts >= 2 {
            return None;
        }
        r.auth_attempts += 1;
        let value = authorization(
            &challenge,
            &credentials,
            "REGISTER",
            &r.reg.registrar,
            &cnonce,
            1,
        );
        Some((answer_name, value))
    }
}

/// Every value of a header, by lower-case name.
fn header_values(response: &IncomingResponse, lower_name: &str) -> Vec<String> {
    response
        .message
        .headers()
        .iter()
        .filter_map(|h| {
            let text = h.to_string();
            let (name, value) = text.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case(lower_name)
                .then(|| value.trim().to_owned())
        })
        .collect()
}

fn header_u32(response: &IncomingResponse, lower_name: &str) -> Option<u32> {
    header_values(response, lower_name).first()?.parse().ok()
}

/// The lifetime the registrar granted: the Contact's `expires` parameter, else Expires.
fn granted_expires(response: &IncomingResponse) -> Option<u32> {
    let from_contact = header_values(response, "contact").iter().find_map(|c| {
        c.split(';').skip(1).find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("expires")
                .then(|| v.trim().parse().ok())
                .flatten()
        })
    });
    from_contact.or_else(|| header_u32(response, "expires"))
}
