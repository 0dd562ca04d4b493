//! The one error type: bad input (exit code 2), a failure while running
//! (exit code 1), or a closed stdout (a quiet end).

use std::fmt;

/// What went wrong, as one line a user can act on.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The user's input cannot be used: the message names the problem (exit code 2).
    Input(String),
    /// Input was fine but something failed while running (exit code 1).
    Runtime(String),
    /// Standard output was closed by its reader (`| head`): a quiet end, exit code 0.
    StdoutClosed,
}

impl Error {
    /// Shorthand for [`Error::Input`].
    pub fn input(message: impl Into<String>) -> Self {
        Error::Input(message.into())
    }

    /// Shorthand for [`Error::Runtime`].
    pub fn runtime(message: impl Into<String>) -> Self {
        Error::Runtime(message.into())
    }

    /// The process exit code this error calls for.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => 2,
            Error::Runtime(_) => 1,
            Error::StdoutClosed => 0,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(m) | Error::Runtime(m) => f.write_str(m),
            Error::StdoutClosed => f.write_str("standard output was closed"),
        }
    }
}

impl std::error::Error for Error {}

/// Results of this crate.
pub type Result<T> = std::result::Result<T, Error>;
