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

/// Writes `contents` to `path`, which must not exist yet, with mode 0600 from the first byte,
/// and on to the disk before returning.
pub fn write_new(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = create_new(path)?;
    io::Write::write_all(&mut file, contents)?;
    file.sync_all()
}

/// Puts `contents` in `path` whether or not it exists, mode 0600: written aside and renamed
/// into place, so that a reader sees the old file or the new one and never half of one, and
/// the rename on to the disk before returning (the directory is synced).
pub fn replace(path: &Path, contents: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        create_dir(dir)?;
    }
    let aside = path.with_extension(format!("new-{}", uuid::Uuid::new_v4().simple()));
    let renamed = write_new(&aside, contents).and_then(|()| std::fs::rename(&aside, path));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&aside);
    }
    renamed?;
    sync_dir_of(path)
}

/// Puts on the disk the directory entry of `path`, made, renamed or removed just now: a file
/// synced is not found after a power cut unless its directory is too.
pub fn sync_dir_of(path: &Path) -> io::Result<()> {
    let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty());
    File::open(dir.unwrap_or(Path::new(".")))?.sync_all()
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
    match std::fs::metadata(path) {
        Ok(metadata) => refuse_shared(path, &metadata),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error),
    }
}

/// Reads the secret in `path`, checked on the file it opened — not on the path, which another
/// user able to write its directory could point elsewhere in between: it must be a regular
/// file of the server's own user that no one else may access, in a directory that no one else
/// may write to (unless, like `/tmp`, only a file's owner may remove or rename it).
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = File::open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(refused(path, "is not a regular file"));
    }
    refuse_shared(path, &metadata)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        if metadata.uid() != rustix::process::geteuid().as_raw() {
            return Err(refused(path, "belongs to another user"));
        }
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mode = std::fs::metadata(dir)?.permissions().mode();
        if mode & 0o022 != 0 && mode & 0o1000 == 0 {
            return Err(refused(
                path,
                &format!("is in {}, which other users may write to", dir.display()),
            ));
        }
    }
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut file, &mut bytes)?;
    Ok(bytes)
}

fn refused(path: &Path, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("{} {why} and holds secrets: refused", path.display()),
    )
}

fn refuse_shared(path: &Path, metadata: &std::fs::Metadata) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
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
    let _ = (path, metadata);
    Ok(())
}
