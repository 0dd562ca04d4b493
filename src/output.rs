//! Files the program writes, made safe: every output path is checked before
//! any computation (its folder exists and takes a new file, it is not a
//! folder or a device, no two outputs and no input share it), and every file
//! is written to a temporary file beside it and renamed into place when
//! complete, so a failure (a full disk, a killed process) never destroys an
//! earlier file of that name.

use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

/// The folder a path's file goes in ("." for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A path as the file system resolves it (folder canonicalised, name kept),
/// so `./a.json` and `a.json` compare equal; the path itself when it cannot be resolved.
fn resolved(path: &Path) -> PathBuf {
    match (std::fs::canonicalize(folder_of(path)), path.file_name()) {
        (Ok(folder), Some(name)) => folder.join(name),
        _ => path.to_path_buf(),
    }
}

/// Checks that `path` can take an output file: one clear line (exit code 2)
/// naming `flag` when it cannot. Probes the folder by creating (and
/// removing) a temporary file in it, the same way the write will.
pub fn check_path(flag: &str, path: &Path) -> Result<()> {
    let shown = path.display();
    let refuse = |why: String| Err(Error::input(format!("{flag} {shown}: {why}")));
    if path.as_os_str().is_empty() {
        return Err(Error::input(format!("{flag}: the path is empty")));
    }
    if path.file_name().is_none() || path.as_os_str().to_string_lossy().ends_with('/') {
        return refuse("is a folder, not a file".into());
    }
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.is_dir() {
            return refuse("is a folder, not a file".into());
        }
        if !meta.is_file() {
            return refuse("is not a regular file (a device or a pipe); give a file path".into());
        }
    }
    let folder = folder_of(path);
    match std::fs::metadata(folder) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => return refuse(format!("{} is not a folder", folder.display())),
        Err(_) => return refuse(format!("folder {} does not exist", folder.display())),
    }
    if let Err(e) = temporary_in(path) {
        return refuse(format!("cannot write in {}: {e}", folder.display()));
    }
    Ok(())
}

/// Checks every output asked for (`(flag, path)`, None where the flag was
/// not given) with [`check_path`], and that no two outputs and no output and
/// input (`(flag, path)`) are the same file.
pub fn check_all(outputs: &[(&str, Option<&Path>)], inputs: &[(&str, &Path)]) -> Result<()> {
    let outputs: Vec<(&str, &Path)> = outputs
        .iter()
        .filter_map(|&(flag, path)| path.map(|p| (flag, p)))
        .collect();
    for (flag, path) in &outputs {
        check_path(flag, path)?;
    }
    for (i, (flag, path)) in outputs.iter().enumerate() {
        let here = resolved(path);
        for (other, other_path) in &outputs[i + 1..] {
            if resolved(other_path) == here {
                return Err(Error::input(format!(
                    "{flag} and {other} name the same file {}: give each output its own path",
                    path.display()
                )));
            }
        }
        for (input, input_path) in inputs {
            let same = std::fs::canonicalize(input_path).is_ok_and(|p| p == here);
            if same {
                return Err(Error::input(format!(
                    "{flag} {} is the {input} file: writing it would destroy the input",
                    path.display()
                )));
            }
        }
    }
    Ok(())
}

/// A new temporary file in `path`'s folder, named after it.
fn temporary_in(path: &Path) -> std::io::Result<NamedTempFile> {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(folder_of(path))
}

/// A file being written: a temporary file beside its final path, renamed
/// into place by [`PendingFile::commit`]; dropped uncommitted, it vanishes
/// and the earlier file of that name is untouched.
#[derive(Debug)]
pub struct PendingFile {
    file: NamedTempFile,
    path: PathBuf,
}

impl PendingFile {
    /// Opens the temporary file for `path`.
    pub fn create(path: &Path) -> Result<Self> {
        let file = temporary_in(path).map_err(|e| cannot_write(path, &e))?;
        Ok(Self {
            file,
            path: path.to_path_buf(),
        })
    }

    /// A second handle on the same temporary file, for a writer that lives
    /// elsewhere (the window's frame log) while this one keeps the right to commit.
    pub fn writer(&self) -> Result<std::fs::File> {
        self.file
            .as_file()
            .try_clone()
            .map_err(|e| cannot_write(&self.path, &e))
    }

    /// Flushes the file to disk and renames it into place, keeping the
    /// permissions of the file it replaces (0644 for a new one).
    pub fn commit(self) -> Result<()> {
        let Self { file, path } = self;
        let fail = |e: &dyn std::fmt::Display| cannot_write(&path, e);
        file.as_file().sync_all().map_err(|e| fail(&e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).map_or(0o644, |m| m.permissions().mode());
            file.as_file()
                .set_permissions(std::fs::Permissions::from_mode(mode))
                .map_err(|e| fail(&e))?;
        }
        file.persist(&path).map_err(|e| fail(&e.error))?;
        Ok(())
    }
}

impl Write for PendingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

fn cannot_write(path: &Path, e: &dyn std::fmt::Display) -> Error {
    Error::runtime(format!("cannot write '{}': {e}", path.display()))
}

/// Writes `bytes` to `path` whole or not at all (temporary file, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = PendingFile::create(path)?;
    file.write_all(bytes).map_err(|e| cannot_write(path, &e))?;
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_earlier_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomic(&path, b"first").unwrap();
        {
            let mut pending = PendingFile::create(&path).unwrap();
            pending.write_all(b"half").unwrap();
            // Dropped without commit: as if the process failed mid-way.
        }
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn outputs_are_checked_before_anything_runs() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.json");
        std::fs::write(&file, "{}").unwrap();
        let missing = dir.path().join("nowhere/x.json");
        let under_file = file.join("x.json");
        for bad in [
            missing.as_path(),
            under_file.as_path(),
            dir.path(),
            Path::new("/dev/full"),
        ] {
            let e = check_path("--json", bad).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{e}");
        }
        check_path("--json", &file).unwrap();
        let same = dir.path().join(".").join("a.json");
        let e = check_all(&[("--json", Some(&file)), ("--png", Some(&same))], &[]).unwrap_err();
        assert!(e.to_string().contains("same file"), "{e}");
        let e = check_all(&[("--png", Some(&file))], &[("--scenario", &same)]).unwrap_err();
        assert!(e.to_string().contains("destroy the input"), "{e}");
    }
}
