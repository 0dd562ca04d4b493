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
            // clap's first line names the problem; the usage lines that follow are noise here.
            let text = e.render().to_string();
            let line = text.lines().next().unwrap_or("invalid arguments");
            eprintln!("kl-landscape: {}", line.trim_start_matches("error: "));
            std::process::exit(2);
        }
    };
    if let Err(e) = run(cli) {
        eprintln!("kl-landscape: {e}");
        std::process::exit(e.exit_code());
    }
}
