//! Files that hold secrets at rest — the key files, the CA keys, the SQLite database and its
//! log (issue 21 item 11): made readable and writable by their owner only (0600, in 0700
//! directories), and checked when the server starts. A file open to other users is refused
//! rather than used: whoever could read it may already have copied it, so the operator must
//! decide whether to replace it or, sure that nobody did, close it (`chmod 600`).

use std::fs::File;
use std::io;
use std::path::Path;

/// Creates `path`, which must not exist yet, with mode 0600 from the first byte.
pub fn create_new(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Creates the directory `path` and its parents; a directory made here is closed to everyone
/// but its owner (0700), one that was there is left as it is.
pub fn create_dir(path: &Path) -> io::Result<()> {
    if path.as_os_str().is_empty() || path.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(path)?;
    #[cfg(unix)]
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
    Ok(())
}

/// Refuses `path` when its group or other users have any access to it; a missing file passes.
pub fn check(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match std::fs::metadata(path) {
            Ok(metadata) => metadata.permissions().mode() & 0o777,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(error),
        };
        if mode & 0o077 != 0 {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "{path} is open to other users (mode {mode:03o}) and holds secrets: replace \
                     it, or if nobody else can have read it, `chmod 600 {path}`",
                    path = path.display()
                ),
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
