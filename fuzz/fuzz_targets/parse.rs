//! Any octets through datagram framing, the parser and the error-response builder.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = sip_message::Limits::default();
    if let Ok(framed) = sip_message::frame_datagram(data, &limits) {
        match sip_message::parse(framed) {
            Ok(parsed) => {
                let _ = sip_message::encode(&parsed.message);
            }
            Err(error) => {
                let _ = sip_message::error_response(framed, &error);
            }
        }
    }
});
