//! The `kl-landscape` binary: parse the command line, run, and turn any error
//! into one line on stderr (exit code 2 for bad input, 1 for failures; a
//! closed stdout is a quiet end).

use clap::Parser;
use clap::error::ErrorKind;
use kl_landscape::cli::{Cli, run};
use kl_landscape::{Error, console};

fn main() {
    quiet_vulkan_layers();
    let result = match Cli::try_parse() {
        Ok(cli) => run(cli),
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            console::print(&e.render().to_string())
        }
        Err(e) => Err(Error::input(one_line(&e.render().to_string()))),
    };
    match result {
        Ok(()) | Err(Error::StdoutClosed) => {}
        Err(e) => {
            console::warn(&e.to_string());
            std::process::exit(e.exit_code());
        }
    }
}

/// Mesa's device-select Vulkan layer probes for a Wayland session when the
/// first Vulkan instance is made and prints "error: XDG_RUNTIME_DIR is
/// invalid or not set" where there is none (a terminal over ssh, CI). wgpu
/// ranks adapters itself, so the layer is switched off unless the user
/// steers it (MESA_VK_DEVICE_SELECT) or set NODEVICE_SELECT already.
fn quiet_vulkan_layers() {
    let steered = ["NODEVICE_SELECT", "MESA_VK_DEVICE_SELECT"]
        .iter()
        .any(|v| std::env::var_os(v).is_some());
    if !steered {
        // SAFETY: the first statement of main, before any thread exists.
        unsafe { std::env::set_var("NODEVICE_SELECT", "1") };
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
