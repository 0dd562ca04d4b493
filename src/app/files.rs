//! The files the window writes (the scenario, the maps as PNG and JSON): a
//! typed path is made absolute and checked by [`crate::output::check_path`],
//! an existing file is replaced only once the user confirms, and every
//! message names the absolute path. The writing itself goes through
//! [`crate::output`] (a temporary file renamed into place), so a failed
//! write leaves the earlier file.

use std::path::{Path, PathBuf};

use crate::error::Result;

/// What a write produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// The target and family (Save).
    Scenario,
    /// The finished maps as a PNG.
    MapsPng,
    /// The finished maps as `basins` JSON.
    MapsJson,
}

impl FileKind {
    /// How messages name the file.
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Scenario => "scenario",
            FileKind::MapsPng => "map PNG",
            FileKind::MapsJson => "map JSON",
        }
    }
}

/// A write the user asked for: what, and the absolute path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRequest {
    /// What is written.
    pub kind: FileKind,
    /// The absolute path it goes to.
    pub path: PathBuf,
}

/// The window's writes: the one awaiting confirmation and the last message.
#[derive(Debug, Default)]
pub struct Files {
    confirm: Option<FileRequest>,
    message: Option<(String, bool)>,
}

impl Files {
    /// The user asked to write `kind` to `typed` (relative to the working
    /// folder). Returns the request to write now, or None: the path cannot
    /// take the file (the message says why) or a file is there (it waits for
    /// [`Files::replace`] or [`Files::cancel`]).
    pub fn ask(&mut self, kind: FileKind, typed: &Path) -> Option<FileRequest> {
        self.confirm = None;
        let path = match std::path::absolute(typed) {
            Ok(p) => p,
            Err(e) => {
                let shown = typed.display();
                self.note(format!("{} path '{shown}': {e}", kind.label()), true);
                return None;
            }
        };
        if let Err(e) = crate::output::check_path(kind.label(), &path) {
            self.note(e.to_string(), true);
            return None;
        }
        let request = FileRequest { kind, path };
        if request.path.exists() {
            self.message = None;
            self.confirm = Some(request);
            return None;
        }
        Some(request)
    }

    /// The write waiting for the user to confirm replacing an existing file.
    pub fn awaiting(&self) -> Option<&FileRequest> {
        self.confirm.as_ref()
    }

    /// The user confirmed: the waiting request, to write now.
    pub fn replace(&mut self) -> Option<FileRequest> {
        self.confirm.take()
    }

    /// The user declined: nothing is written, and the message says so.
    pub fn cancel(&mut self) {
        if let Some(r) = self.confirm.take() {
            self.note(format!("kept {} (not replaced)", r.path.display()), false);
        }
    }

    /// Records how `request` went, naming the absolute path.
    pub fn done(&mut self, request: &FileRequest, result: Result<()>) {
        match result {
            Ok(()) => self.note(
                format!("wrote {} {}", request.kind.label(), request.path.display()),
                false,
            ),
            Err(e) => self.note(e.to_string(), true),
        }
    }

    /// Sets the message (and whether it is an error).
    pub fn note(&mut self, text: String, error: bool) {
        self.message = Some((text, error));
    }

    /// The last message and whether it was an error.
    pub fn message(&self) -> Option<(&str, bool)> {
        self.message.as_ref().map(|(t, e)| (t.as_str(), *e))
    }
}

/// `typed` as an absolute path (for the Load message), or as typed if it cannot be resolved.
pub fn absolute(typed: &Path) -> PathBuf {
    std::path::absolute(typed).unwrap_or_else(|_| typed.to_path_buf())
}
