//! The command-line contract for bad input (cli.md): one line on stderr naming the flag, exit
//! status 2, nothing on stdout. These run no UA, so they do not depend on the protocol crates.
use std::process::{Command, Output};

fn sipdrop(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sipdrop"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("the sipdrop binary runs")
}

/// Asserts a usage error: status 2, one stderr line starting `sipdrop: error:` and containing
/// `needle`, empty stdout.
fn assert_usage_error(args: &[&str], needle: &str) {
    let out = sipdrop(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert_eq!(
        stderr.lines().count(),
        1,
        "{args:?}: not one line:\n{stderr}"
    );
    assert!(stderr.starts_with("sipdrop: error: "), "{args:?}: {stderr}");
    assert!(stderr.contains(needle), "{args:?}: {stderr} lacks {needle}");
    assert!(out.stdout.is_empty(), "{args:?}: stdout not empty");
}

#[test]
fn bad_flag_values_name_the_flag() {
    let uri = "sip:bob@127.0.0.1:5070";
    assert_usage_error(&["call", uri, "--t1", "x"], "--t1");
    assert_usage_error(&["call", uri, "--t1", "0"], "--t1");
    assert_usage_error(&["call", uri, "--uui", "zz"], "--uui");
    assert_usage_error(&["call", uri, "--uui", "4a1"], "--uui");
    assert_usage_error(&["call", uri, "--uui", &"00".repeat(129)], "--uui");
    assert_usage_error(&["call", uri, "--cause", "300"], "--cause");
    assert_usage_error(&["call", uri, "--calls", "0"], "--calls");
    assert_usage_error(&["call", uri, "--rate", "-1"], "--rate");
    assert_usage_error(&["call", uri, "--expect", "sideways"], "--expect");
    assert_usage_error(&["call", uri, "--transport", "sctp"], "--transport");
    assert_usage_error(&["call", uri, "--drop-after", "soon"], "--drop-after");
    assert_usage_error(&["listen", "--udp", "localhost"], "--udp");
    assert_usage_error(&["listen", "--on-offer", "maybe"], "--on-offer");
    assert_usage_error(&["listen", "--decline-code", "200"], "--decline-code");
    assert_usage_error(&["listen", "--max-calls", "0"], "--max-calls");
    assert_usage_error(&["serve", "--proxy", "proxy.example.test"], "--proxy");
}

#[test]
fn malformed_uris_are_one_line_errors() {
    assert_usage_error(&["call", "bob@127.0.0.1"], "<URI>");
    assert_usage_error(&["call", "sip:bob@"], "<URI>");
    assert_usage_error(&["call", "sip:bob@127.0.0.1:70000"], "<URI>");
    assert_usage_error(&["call", "sip:bob@host;transport=tls"], "<URI>");
    assert_usage_error(&["call", "sips:bob@127.0.0.1"], "<URI>");
    assert_usage_error(&["conference", "sip:a@127.0.0.1", "nope"], "<URI>");
}

#[test]
fn missing_and_unknown_arguments() {
    assert_usage_error(&[], "subcommand");
    assert_usage_error(&["dial"], "dial");
    assert_usage_error(&["call"], "<URI>");
    assert_usage_error(&["call", "sip:a@127.0.0.1", "--bogus"], "--bogus");
    assert_usage_error(&["conference", "sip:a@127.0.0.1"], "<URI>");
    assert_usage_error(
        &["call", "sip:a@127.0.0.1", "--user", "alice"],
        "--password",
    );
}

#[test]
fn a_bad_register_aor_is_a_usage_error() {
    assert_usage_error(&["listen", "--register", "bob@example.test"], "--register");
    assert_usage_error(&["serve", "--register", "tel:+15551234"], "--register");
}

#[test]
fn help_and_version() {
    let out = sipdrop(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for sub in ["listen", "call", "conference", "serve", "demo"] {
        assert!(help.contains(sub), "--help lacks {sub}");
    }
    let out = sipdrop(&["call", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--drop-after",
        "--cancel-after",
        "--calls",
        "--rate",
        "--concurrency",
        "--expect",
    ] {
        assert!(help.contains(flag), "call --help lacks {flag}");
    }
    let out = sipdrop(&["listen", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--on-offer",
        "--decline-code",
        "--answer-after",
        "--max-calls",
        "--events",
    ] {
        assert!(help.contains(flag), "listen --help lacks {flag}");
    }
    let out = sipdrop(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("sipdrop "));
}
