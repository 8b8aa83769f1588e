//! The 49 RFC 4475 torture messages, each checked against the outcome that
//! `shared/rfc4475/INDEX.md` lists for a UA receiving it over UDP: pure parsing, no network.
//!
//! Outcomes decided above this crate (405/501 for REGISTER, 416 for unknown schemes, 420,
//! 415, 406, transaction matching) are checked only as far as this crate's part goes: the
//! message parses, and carries what the upper layer needs to decide.
use std::path::PathBuf;

use sip_message::rsip::{self, SipMessage};
use sip_message::{error_response, frame_datagram, parse, Limits, ParseError, ParsedMessage};

/// What the parser must do with a message.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// A request that parses.
    Request,
    /// A request with a method rsip does not know that parses (answered 501 above).
    UnknownMethod(&'static str),
    /// A response that parses (it is then discarded for lack of a transaction).
    Response,
    /// A request refused with this status.
    Reject(u16),
    /// An invalid response: an error, and nothing is sent back.
    DiscardResponse,
}

const CASES: [(&str, Expect); 49] = [
    ("wsinv.dat", Expect::Request),
    (
        "intmeth.dat",
        Expect::UnknownMethod("!interesting-Method0123456789_*+`.%indeed'~"),
    ),
    ("esc01.dat", Expect::Request),
    ("escnull.dat", Expect::Request),
    ("esc02.dat", Expect::UnknownMethod("RE%47IST%45R")),
    ("lwsdisp.dat", Expect::Request),
    ("longreq.dat", Expect::Request),
    ("dblreq.dat", Expect::Request),
    ("semiuri.dat", Expect::Request),
    ("transports.dat", Expect::Request),
    ("mpart01.dat", Expect::Request),
    ("unreason.dat", Expect::Response),
    ("noreason.dat", Expect::Response),
    ("badinv01.dat", Expect::Reject(400)),
    ("clerr.dat", Expect::Reject(400)),
    ("ncl.dat", Expect::Reject(400)),
    ("scalar02.dat", Expect::Reject(400)),
    ("scalarlg.dat", Expect::DiscardResponse),
    ("quotbal.dat", Expect::Reject(400)),
    ("ltgtruri.dat", Expect::Reject(400)),
    ("lwsruri.dat", Expect::Reject(400)),
    ("lwsstart.dat", Expect::Reject(400)),
    ("trws.dat", Expect::Reject(400)),
    ("escruri.dat", Expect::Reject(400)),
    ("baddate.dat", Expect::Reject(400)),
    ("regbadct.dat", Expect::Reject(400)),
    ("badaspec.dat", Expect::Reject(400)),
    ("baddn.dat", Expect::Reject(400)),
    ("badvers.dat", Expect::Reject(505)),
    ("mismatch01.dat", Expect::Reject(400)),
    ("mismatch02.dat", Expect::Reject(400)),
    ("bigcode.dat", Expect::DiscardResponse),
    ("badbranch.dat", Expect::Request),
    ("insuf.dat", Expect::Reject(400)),
    ("unkscm.dat", Expect::Request),
    ("novelsc.dat", Expect::Request),
    ("unksm2.dat", Expect::Request),
    ("bext01.dat", Expect::Request),
    ("invut.dat", Expect::Request),
    ("regaut01.dat", Expect::Request),
    ("multi01.dat", Expect::Reject(400)),
    ("mcl01.dat", Expect::Reject(400)),
    ("bcast.dat", Expect::Response),
    ("zeromf.dat", Expect::Request),
    ("cparam01.dat", Expect::Request),
    ("cparam02.dat", Expect::Request),
    ("regescrt.dat", Expect::Request),
    ("sdp01.dat", Expect::Request),
    ("inv2543.dat", Expect::Request),
];

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/rfc4475")
}

/// What the UDP receive path does: frame the datagram, then parse the frame.
fn receive(datagram: &[u8]) -> Result<ParsedMessage, ParseError> {
    let frame = frame_datagram(datagram, &Limits::default())?;
    parse(frame)
}

fn load(name: &str) -> Option<Vec<u8>> {
    let dir = corpus_dir();
    if !dir.is_dir() {
        eprintln!(
            "note: {} is absent; RFC 4475 corpus checks skipped",
            dir.display()
        );
        return None;
    }
    match std::fs::read(dir.join(name)) {
        Ok(bytes) => Some(bytes),
        Err(e) => panic!("{name}: {e}"),
    }
}

#[test]
fn every_message_has_an_expectation() {
    let dir = corpus_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!(
            "note: {} is absent; RFC 4475 corpus checks skipped",
            dir.display()
        );
        return;
    };
    let mut files: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".dat"))
        .collect();
    files.sort();
    let mut listed: Vec<String> = CASES.iter().map(|(n, _)| (*n).to_owned()).collect();
    listed.sort();
    assert_eq!(files, listed);
}

#[test]
fn corpus_outcomes() {
    let mut failures = Vec::new();
    for (name, expect) in CASES {
        let Some(bytes) = load(name) else { return };
        if let Err(problem) = check(&bytes, expect) {
            failures.push(format!("{name} ({expect:?}): {problem}"));
        }
    }
    assert!(
        failures.is_empty(),
        "RFC 4475 failures:\n{}",
        failures.join("\n")
    );
}

fn check(bytes: &[u8], expect: Expect) -> Result<(), String> {
    let result = receive(bytes);
    match (expect, &result) {
        (Expect::Request, Ok(p)) if p.message.is_request() && p.unknown_method.is_none() => Ok(()),
        (Expect::UnknownMethod(m), Ok(p)) if p.unknown_method.as_deref() == Some(m) => Ok(()),
        (Expect::Response, Ok(p)) if p.message.is_response() => Ok(()),
        (Expect::Reject(status), Err(e)) => {
            if e.response_status() != Some(status) {
                return Err(format!("{e:?} maps to {:?}", e.response_status()));
            }
            let response = error_response(bytes, e).ok_or("no error response")?;
            let line = format!("SIP/2.0 {status} ");
            if !response.starts_with(line.as_bytes()) {
                return Err(format!("response {:?}", String::from_utf8_lossy(&response)));
            }
            // What we send back frames as one whole message. (It need not parse: it echoes the
            // request's From/To/CSeq as received, broken ones included, as RFC 3261 §8.2.6.2
            // requires.)
            match frame_datagram(&response, &Limits::default()) {
                Ok(frame) if frame.len() == response.len() => Ok(()),
                other => Err(format!("our {status} does not frame: {other:?}")),
            }
        }
        (Expect::DiscardResponse, Err(e)) => match error_response(bytes, e) {
            None => Ok(()),
            Some(r) => Err(format!(
                "answered a response: {}",
                String::from_utf8_lossy(&r)
            )),
        },
        (_, result) => Err(format!("got {result:?}")),
    }
}

fn request(name: &str) -> Option<rsip::Request> {
    let bytes = load(name)?;
    match receive(&bytes).map(|p| p.message) {
        Ok(SipMessage::Request(r)) => Some(r),
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn details_the_upper_layers_rely_on() {
    use sip_message::fields::{call_id, cseq, from_tag, to_tag};
    use sip_message::via::top_via;

    let Some(wsinv) = request("wsinv.dat") else {
        return;
    };
    assert_eq!(to_tag(&wsinv.headers), Some("1918181833n"));
    assert_eq!(from_tag(&wsinv.headers), Some("98asjd8"));
    assert_eq!(cseq(&wsinv.headers).map(|c| c.seq), Some(9));
    assert_eq!(
        top_via(&wsinv.headers)
            .and_then(|v| v.branch().map(str::to_owned))
            .as_deref(),
        Some("390skdjuw")
    );
    let vias = wsinv
        .headers
        .iter()
        .filter(|h| matches!(h, rsip::Header::Via(_)))
        .count();
    assert_eq!(vias, 3, "the comma-joined Via is split");
    assert_eq!(wsinv.body.len(), 150);

    // dblreq: the REGISTER is the message; the INVITE after it is ignored.
    if let Some(dblreq) = request("dblreq.dat") {
        assert_eq!(dblreq.method, rsip::Method::Register);
        assert!(dblreq.body.is_empty());
    }
    // escnull: %00 stays escaped, nothing is truncated.
    if let Some(escnull) = request("escnull.dat") {
        let contacts = escnull
            .headers
            .iter()
            .filter(|h| matches!(h, rsip::Header::Contact(_)))
            .count();
        assert_eq!(contacts, 2);
    }
    // unknown schemes are visible to the layer that answers 416.
    for name in ["unkscm.dat", "novelsc.dat"] {
        if let Some(r) = request(name) {
            assert!(
                matches!(r.uri.scheme, Some(rsip::Scheme::Other(_))),
                "{name}"
            );
        }
    }
    // mpart01: the binary body is intact.
    if let Some(mpart) = request("mpart01.dat") {
        assert_eq!(mpart.body.len(), 553);
    }
    // longreq: every Via, compact or not, in any case.
    if let Some(longreq) = request("longreq.dat") {
        let vias = longreq
            .headers
            .iter()
            .filter(|h| matches!(h, rsip::Header::Via(_)))
            .count();
        assert_eq!(vias, 34);
        assert!(call_id(&longreq.headers).is_some_and(|c| c.ends_with("longcallid")));
    }
    // quotbal answers to port 5050 of the packet source: sent-by port survives in the 400.
    if let Some(bytes) = load("quotbal.dat") {
        let err = receive(&bytes).err().unwrap_or(ParseError::StartLine);
        let response = error_response(&bytes, &err).unwrap_or_default();
        let text = String::from_utf8_lossy(&response);
        let via = text
            .lines()
            .find_map(|l| l.strip_prefix("Via: "))
            .unwrap_or_default();
        let via = sip_message::via::ViaValue::parse(via).map(|v| v.port);
        assert_eq!(via, Ok(Some(5050)));
    }
}
