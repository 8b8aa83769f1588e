//! The headers a drop carries: one Q.850 Reason (RFC 3326) and the UUI (RFC 7433).
use sip_message::{Reason, UserToUser};

/// `Reason: Q.850;cause=N;text="..."` and, with UUI, `User-to-User: HEX;encoding=hex;purpose=isdn-uui`.
/// One Reason value per header line (Asterisk reads only one, drop-semantics §8).
pub fn reason_and_uui(cause: u16, uui: Option<&[u8]>) -> Vec<(String, String)> {
    let mut headers = vec![("Reason".to_owned(), Reason::q850(cause).to_string())];
    if let Some(data) = uui {
        headers.push((
            "User-to-User".to_owned(),
            UserToUser::isdn(data.to_vec()).to_string(),
        ));
    }
    headers
}
