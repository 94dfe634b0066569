//! File writing for the PKI directory: private keys readable by their owner only, and public
//! files replaced atomically so a server reloading its trust store never reads half a CRL.

use super::PkiError;
use app::platform::private_file;
use std::io::Write;
use std::path::Path;

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> PkiError + '_ {
    move |source| PkiError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub(super) fn read_text(path: &Path) -> Result<String, PkiError> {
    std::fs::read_to_string(path).map_err(io_error(path))
}

/// Reads a secret written by [`write_secret`], refusing it if other users may read it.
pub(super) fn read_secret(path: &Path) -> Result<String, PkiError> {
    private_file::read(path)
        .and_then(|bytes| {
            String::from_utf8(bytes)
                .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidData, error))
        })
        .map_err(io_error(path))
}

/// Creates a directory (and its parents); `private` ones are closed to everyone but the owner.
pub(super) fn create_dir(path: &Path, private: bool) -> Result<(), PkiError> {
    std::fs::create_dir_all(path).map_err(io_error(path))?;
    if private {
        set_mode(path, 0o700)?;
    }
    Ok(())
}

/// Writes a secret that must not exist yet, with mode 0600 from the first byte.
pub(super) fn write_secret(path: &Path, contents: &str) -> Result<(), PkiError> {
    private_file::write_new(path, contents.as_bytes()).map_err(io_error(path))
}

/// Writes a public file through a temporary file and a rename.
pub(super) fn write_public(path: &Path, contents: &str) -> Result<(), PkiError> {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, contents).map_err(io_error(&temporary))?;
    std::fs::rename(&temporary, path).map_err(io_error(path))
}

/// Appends one line to a text file, creating it if needed.
pub(super) fn append_line(path: &Path, line: &str) -> Result<(), PkiError> {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(io_error(path))?;
    writeln!(file, "{line}").map_err(io_error(path))
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<(), PkiError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(io_error(path))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> Result<(), PkiError> {
    Ok(())
}
