//! The flags of `cli.md`, as clap derive types. Names are a contract: add, never rename.
use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use super::values::{
    parse_expect, parse_ms, parse_rate, parse_t1, parse_uri, parse_uui, Expect, UriArg, Uui,
};

/// A SIP user agent with TAPI call control: place, answer and above all drop calls.
#[derive(Debug, Parser)]
#[command(
    name = "sipdrop",
    version,
    subcommand_required = true,
    propagate_version = true
)]
pub struct Cli {
    /// What to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a UAS: receive calls and handle them by policy.
    Listen(ListenArgs),
    /// Run a UAC: place one call, or many (load), and drop them.
    Call(CallArgs),
    /// Call each URI, join them into one local conference, drop it.
    Conference(ConferenceArgs),
    /// Long-running UA controlled by JSON lines on stdin (for embedding).
    Serve(ServeArgs),
    /// Self-contained demo on loopback (two UAs in one process), no arguments needed.
    Demo(DemoArgs),
}

/// `--transport`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TransportArg {
    /// UDP.
    Udp,
    /// TCP.
    Tcp,
}

/// The flags every UA subcommand takes (cli.md, "Common flags").
#[derive(Debug, Args)]
pub struct Common {
    /// Listen and send on UDP at ADDR [default: 127.0.0.1:5060 for listen/serve, 127.0.0.1:0
    /// otherwise].
    #[arg(long, value_name = "ADDR")]
    pub udp: Option<SocketAddr>,
    /// Also listen on TCP at ADDR.
    #[arg(long, value_name = "ADDR")]
    pub tcp: Option<SocketAddr>,
    /// Transport for outgoing requests (a `;transport=tcp` URI parameter also selects TCP).
    #[arg(long, value_enum, value_name = "PROTO")]
    pub transport: Option<TransportArg>,
    /// Print every event as one JSON object per line on stdout.
    #[arg(long)]
    pub events: bool,
    /// User-user information to send with every drop (hex; first octet = protocol
    /// discriminator).
    #[arg(long, value_name = "HEX", value_parser = parse_uui)]
    pub uui: Option<Uui>,
    /// Q.850 cause for the Reason header on drops [default: 16 for BYE/CANCEL, 21 for a
    /// decline].
    #[arg(long, allow_negative_numbers = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=127))]
    pub cause: Option<u16>,
    /// User name for digest challenges (401/407; MD5, SHA-256 and their -sess forms); also the user
    /// part of our From and Contact URIs (PBXs often identify a caller by it) when it is a valid
    /// SIP user name.
    #[arg(long, value_name = "NAME", requires = "password", value_parser = crate::cli::values::parse_user)]
    pub user: Option<String>,
    /// Password for digest challenges (see --user).
    #[arg(long, value_name = "PW", requires = "user")]
    pub password: Option<String>,
    /// RFC 3261 T1 in milliseconds; T2 = 8·T1 and T4 = 10·T1.
    #[arg(long, allow_negative_numbers = true, value_name = "MS", default_value = "500", value_parser = parse_t1)]
    pub t1: Duration,
    /// Outbound proxy: send every request there (loose routing).
    #[arg(long, value_name = "URI", value_parser = parse_uri)]
    pub proxy: Option<UriArg>,
    /// Logging.
    #[command(flatten)]
    pub log: LogArgs,
}

/// Logging flags (also taken by `demo`).
#[derive(Debug, Args)]
pub struct LogArgs {
    /// More logging on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Print every SIP message sent and received on stderr.
    #[arg(long)]
    pub sip_trace: bool,
}

/// `--register` (listen, serve).
#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// Register AOR with the registrar at --proxy (else the AOR's host). Not supported yet:
    /// refused with exit status 2.
    #[arg(long, value_name = "AOR", value_parser = parse_uri)]
    pub register: Option<UriArg>,
}

/// `--on-offer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOffer {
    /// Answer the call (after --answer-after).
    Answer,
    /// Drop it while offered: a final response (--decline-code).
    Decline,
    /// Send 180 Ringing and never answer.
    Ring,
}

/// `sipdrop listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// The common flags.
    #[command(flatten)]
    pub common: Common,
    /// Registration.
    #[command(flatten)]
    pub register: RegisterArgs,
    /// What to do with an offered call.
    #[arg(long, value_enum, default_value = "answer")]
    pub on_offer: OnOffer,
    /// Final response used when a drop rejects an offered call.
    #[arg(
        long,
        allow_negative_numbers = true,
        value_name = "CODE",
        default_value_t = 603,
        value_parser = clap::value_parser!(u16).range(400..=699)
    )]
    pub decline_code: u16,
    /// Send 180 Ringing, answer after MS (0: answer at once, no 180).
    #[arg(long, allow_negative_numbers = true, value_name = "MS", default_value = "0", value_parser = parse_ms)]
    pub answer_after: Duration,
    /// Drop each call MS after it connects (BYE with Reason/UUI).
    #[arg(long, allow_negative_numbers = true, value_name = "MS", value_parser = parse_ms)]
    pub drop_after: Option<Duration>,
    /// Exit 0 once N calls have ended (idle and deallocated).
    #[arg(long, allow_negative_numbers = true, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_calls: Option<u64>,
}

/// `sipdrop call URI`.
#[derive(Debug, Args)]
pub struct CallArgs {
    /// The common flags.
    #[command(flatten)]
    pub common: Common,
    /// The SIP URI to call, e.g. sip:bob@127.0.0.1:5070.
    #[arg(value_name = "URI", value_parser = parse_uri)]
    pub uri: UriArg,
    /// Drop MS after the call connects (BYE).
    #[arg(long, allow_negative_numbers = true, value_name = "MS", value_parser = parse_ms)]
    pub drop_after: Option<Duration>,
    /// Drop MS after the INVITE is sent, whatever the state (CANCEL, deferred CANCEL, or BYE).
    #[arg(long, allow_negative_numbers = true, value_name = "MS", value_parser = parse_ms)]
    pub cancel_after: Option<Duration>,
    /// Place N calls.
    #[arg(long, allow_negative_numbers = true, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub calls: u64,
    /// Calls started per second.
    #[arg(long, allow_negative_numbers = true, value_name = "R", default_value = "10", value_parser = parse_rate)]
    pub rate: f64,
    /// At most C calls in progress at once [default: unlimited].
    #[arg(long, allow_negative_numbers = true, value_name = "C", value_parser = clap::value_parser!(u64).range(1..))]
    pub concurrency: Option<u64>,
    /// Exit non-zero unless every call ended so: `dropped` (we dropped it) or a disconnect
    /// mode (busy, reject, normal, ...) [default: dropped with a drop flag, else normal].
    #[arg(long, value_name = "MODE", value_parser = parse_expect)]
    pub expect: Option<Expect>,
}

/// `sipdrop conference URI URI...`.
#[derive(Debug, Args)]
pub struct ConferenceArgs {
    /// The common flags.
    #[command(flatten)]
    pub common: Common,
    /// The participants' SIP URIs (at least two).
    #[arg(value_name = "URI", num_args = 2.., required = true, value_parser = parse_uri)]
    pub uris: Vec<UriArg>,
    /// Drop the conference MS after every participant has connected.
    #[arg(long, allow_negative_numbers = true, value_name = "MS", default_value = "0", value_parser = parse_ms)]
    pub drop_after: Duration,
}

/// `sipdrop serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The common flags.
    #[command(flatten)]
    pub common: Common,
    /// Registration.
    #[command(flatten)]
    pub register: RegisterArgs,
    /// Final response used when a drop rejects an offered call.
    #[arg(
        long,
        allow_negative_numbers = true,
        value_name = "CODE",
        default_value_t = 603,
        value_parser = clap::value_parser!(u16).range(400..=699)
    )]
    pub decline_code: u16,
}

/// `sipdrop demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Logging.
    #[command(flatten)]
    pub log: LogArgs,
    /// RFC 3261 T1 in milliseconds for both UAs (short: the demo runs on loopback).
    #[arg(long, allow_negative_numbers = true, value_name = "MS", default_value = "100", value_parser = parse_t1)]
    pub t1: Duration,
}

impl Command {
    /// The logging flags of whichever subcommand runs.
    pub fn log(&self) -> &LogArgs {
        match self {
            Command::Listen(a) => &a.common.log,
            Command::Call(a) => &a.common.log,
            Command::Conference(a) => &a.common.log,
            Command::Serve(a) => &a.common.log,
            Command::Demo(a) => &a.log,
        }
    }
}
