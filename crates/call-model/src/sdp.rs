//! A minimal SDP offer and answer (RFC 4566 / 3264): one PCMU audio stream. sipdrop controls
//! calls, it does not carry media; peers still expect a session description, and hold is
//! expressed in it (RFC 3264 §8.4).
use std::net::SocketAddr;

use bytes::Bytes;
use dialog_layer::Body;

/// The direction attribute of the audio stream (RFC 3264 §5.1, §6.1): which ways media may
/// flow, from the point of view of the side that writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaDirection {
    /// We may send.
    pub send: bool,
    /// We may receive.
    pub recv: bool,
}

impl MediaDirection {
    /// `a=sendrecv`: a normal call.
    pub const SEND_RECV: MediaDirection = MediaDirection {
        send: true,
        recv: true,
    };
    /// `a=sendonly`: we hold the call (RFC 3264 §8.4).
    pub const SEND_ONLY: MediaDirection = MediaDirection {
        send: true,
        recv: false,
    };

    /// The attribute name.
    pub fn as_attr(self) -> &'static str {
        match (self.send, self.recv) {
            (true, true) => "sendrecv",
            (true, false) => "sendonly",
            (false, true) => "recvonly",
            (false, false) => "inactive",
        }
    }

    /// The direction an offer asks of its author; `sendrecv` when it says none (§5.1).
    pub fn of_offer(body: &[u8]) -> MediaDirection {
        let text = String::from_utf8_lossy(body);
        // The media-level attribute wins over the session-level one; with one audio stream
        // the last direction line is the one that applies.
        let mut direction = MediaDirection::SEND_RECV;
        for line in text.lines().map(str::trim) {
            direction = match line {
                "a=sendrecv" => MediaDirection::SEND_RECV,
                "a=sendonly" => MediaDirection::SEND_ONLY,
                "a=recvonly" => MediaDirection {
                    send: false,
                    recv: true,
                },
                "a=inactive" => MediaDirection {
                    send: false,
                    recv: false,
                },
                _ => continue,
            };
        }
        direction
    }

    /// Our answer to an offer with direction `offer` when we want `self` (RFC 3264 §6.1): we
    /// send only if the offerer receives, and receive only if it sends.
    pub fn answer_to(self, offer: MediaDirection) -> MediaDirection {
        MediaDirection {
            send: self.send && offer.recv,
            recv: self.recv && offer.send,
        }
    }
}

/// What one side's session description says: its origin (session id and version, RFC 4566
/// §5.2), media port and direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionDescription {
    /// `o=` session id.
    pub session: u64,
    /// `o=` version: raised with every change (RFC 3264 §8).
    pub version: u64,
    /// The audio port.
    pub media_port: u16,
    /// The audio direction.
    pub direction: MediaDirection,
}

/// A session description for `local`.
pub fn audio_sdp(local: SocketAddr, sd: SessionDescription) -> Body {
    let (net, addr) = match local {
        SocketAddr::V4(a) => ("IP4", a.ip().to_string()),
        SocketAddr::V6(a) => ("IP6", a.ip().to_string()),
    };
    let SessionDescription {
        session,
        version,
        media_port,
        direction,
    } = sd;
    let text = format!(
        "v=0\r\no=sipdrop {session} {version} IN {net} {addr}\r\ns=sipdrop\r\nc=IN {net} {addr}\r\n\
         t=0 0\r\nm=audio {media_port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na={}\r\n",
        direction.as_attr()
    );
    Body {
        content_type: "application/sdp".into(),
        bytes: Bytes::from(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offer_direction_is_the_last_one_written() {
        let offer = b"v=0\r\na=sendrecv\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n";
        assert_eq!(MediaDirection::of_offer(offer), MediaDirection::SEND_ONLY);
        assert_eq!(
            MediaDirection::of_offer(b"v=0\r\nm=audio 4000 RTP/AVP 0\r\n"),
            MediaDirection::SEND_RECV
        );
    }

    #[test]
    fn answers_follow_rfc_3264_section_6_1() {
        let ours = MediaDirection::SEND_RECV;
        let held = MediaDirection::SEND_ONLY;
        let of = |attr: &str| MediaDirection::of_offer(format!("a={attr}\r\n").as_bytes());
        assert_eq!(ours.answer_to(of("sendonly")).as_attr(), "recvonly");
        assert_eq!(ours.answer_to(of("recvonly")).as_attr(), "sendonly");
        assert_eq!(ours.answer_to(of("inactive")).as_attr(), "inactive");
        assert_eq!(ours.answer_to(of("sendrecv")).as_attr(), "sendrecv");
        assert_eq!(held.answer_to(of("sendrecv")).as_attr(), "sendonly");
        assert_eq!(held.answer_to(of("sendonly")).as_attr(), "inactive");
    }

    #[test]
    fn the_version_and_direction_are_written() {
        let sd = SessionDescription {
            session: 7,
            version: 3,
            media_port: 20_014,
            direction: MediaDirection::SEND_ONLY,
        };
        let body = audio_sdp("127.0.0.1:5060".parse().unwrap(), sd);
        let text = String::from_utf8(body.bytes.to_vec()).unwrap();
        assert!(
            text.contains("o=sipdrop 7 3 IN IP4 127.0.0.1\r\n"),
            "{text}"
        );
        assert!(text.contains("m=audio 20014 RTP/AVP 0\r\n"), "{text}");
        assert!(text.ends_with("a=sendonly\r\n"), "{text}");
    }
}
