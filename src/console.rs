//! What the commands print on stdout: a closed stdout (`| head`, `| true`)
//! is a quiet end, a failing one (`> /dev/full`) one line on stderr; never a
//! panic. Files are written before anything is printed, so neither costs them.

use std::io::{ErrorKind, Write};

use crate::error::{Error, Result};

/// Writes `text` to stdout and flushes it. A broken pipe is
/// [`Error::StdoutClosed`] (a quiet exit 0); any other failure a runtime error.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            ErrorKind::BrokenPipe => Error::StdoutClosed,
            _ => Error::runtime(format!("cannot write to standard output: {e}")),
        })
}

/// Writes one line to stderr; a closed stderr is ignored (there is nowhere left to say so).
pub fn warn(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "kl-landscape: {line}");
}
