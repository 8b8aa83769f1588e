//! clap's errors as one line (cli.md: "a one-line error naming the flag and the reason, exit 2").
//!
//! clap renders an error as a paragraph (which names the flag), then tips and a usage block.
//! Scripts read one line, so only the first paragraph is kept, folded onto one line.
use std::process::ExitCode;

use clap::error::ErrorKind;

/// The exit status for bad arguments.
pub const USAGE_EXIT: u8 = 2;

/// Prints `err` and returns the exit status: help and version go to stdout as clap prints them
/// (status 0); every real error becomes one `sipdrop: error: ...` line on stderr (status 2).
pub fn report(err: &clap::Error) -> ExitCode {
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = err.print();
            ExitCode::SUCCESS
        }
        // clap renders the whole help here; the contract wants one line.
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            eprintln!(
                "sipdrop: error: a subcommand is required: listen, call, conference, serve or \
                 demo (see --help)"
            );
            ExitCode::from(USAGE_EXIT)
        }
        _ => {
            eprintln!("sipdrop: {}", one_line(&err.render().to_string()));
            ExitCode::from(USAGE_EXIT)
        }
    }
}

/// The first paragraph of a rendered clap error, on one line, starting with `error: `.
pub fn one_line(rendered: &str) -> String {
    let paragraph: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty() && !l.starts_with("Usage:"))
        .collect();
    let line = paragraph.join(" ");
    if line.starts_with("error:") {
        line
    } else {
        format!("error: {line}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_the_first_paragraph() {
        let rendered = "error: the following required arguments were not provided:\n  \
                        <URI>\n\nUsage: sipdrop call <URI>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line(rendered),
            "error: the following required arguments were not provided: <URI>"
        );
        let rendered = "error: invalid value 'x' for '--t1 <MS>': bad\n\nFor more information.\n";
        assert_eq!(
            one_line(rendered),
            "error: invalid value 'x' for '--t1 <MS>': bad"
        );
    }
}
