//! The `kl-landscape` binary: parse the command line, run, and turn any error
//! into one line on stderr (exit code 2 for bad input, 1 for failures).

use clap::Parser;
use clap::error::ErrorKind;
use kl_landscape::cli::{Cli, run};

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            print!("{e}");
            return;
        }
        Err(e) => {
            eprintln!("kl-landscape: {}", one_line(&e.render().to_string()));
            std::process::exit(2);
        }
    };
    if let Err(e) = run(cli) {
        eprintln!("kl-landscape: {e}");
        std::process::exit(e.exit_code());
    }
}

/// clap's message in one line: its first line, joined with the next one when
/// the first ends in ':' (a list of missing arguments); usage lines dropped.
fn one_line(text: &str) -> String {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines
        .next()
        .unwrap_or("invalid arguments")
        .trim_start_matches("error: ");
    match lines.next() {
        Some(next) if first.ends_with(':') => format!("{first} {next}"),
        _ => first.to_string(),
    }
}
