//! A minimal SDP offer and answer (RFC 4566 / 3264): one PCMU audio stream. sipdrop controls
//! calls, it does not carry media; peers still expect a session description.
use std::net::SocketAddr;

use bytes::Bytes;
use dialog_layer::Body;

/// A session description for `local`, with session id `session`.
pub fn audio_sdp(local: SocketAddr, session: u64, media_port: u16) -> Body {
    let (net, addr) = match local {
        SocketAddr::V4(a) => ("IP4", a.ip().to_string()),
        SocketAddr::V6(a) => ("IP6", a.ip().to_string()),
    };
    let text = format!(
        "v=0\r\no=sipdrop {session} {session} IN {net} {addr}\r\ns=sipdrop\r\nc=IN {net} {addr}\r\n\
         t=0 0\r\nm=audio {media_port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"
    );
    Body {
        content_type: "application/sdp".into(),
        bytes: Bytes::from(text),
    }
}
