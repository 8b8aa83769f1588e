//! tracing to stderr: warnings by default, more with -v, the SIP trace with --sip-trace.
use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use super::args::LogArgs;

/// Installs the global subscriber. `RUST_LOG`, when set, replaces the -v levels.
pub fn init(args: &LogArgs) {
    let level = match args.verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let mut filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    if args.sip_trace {
        let directive = format!("{}=info", sipdrop_runtime::SIP_TRACE_TARGET);
        match directive.parse() {
            Ok(directive) => filter = filter.add_directive(directive),
            Err(e) => eprintln!("sipdrop: warning: cannot enable the SIP trace: {e}"),
        }
    }
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour only for a person: scripts and CI capture stderr as text.
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(args.verbose > 0)
        .init();
}
