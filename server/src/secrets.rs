//! Key files: secrets the server keeps outside the database (the ID-number hash key, the seal
//! of certificate applications), made at first start and read by every server process.

use anyhow::Context;
use std::io::Write;
use std::path::Path;

/// The 32-byte secret in `path` (64 hexadecimal digits, or more); when there is no file, one
/// is made from the system's random source, readable by the server's user only. Two servers
/// starting at once agree: the second finds the first's file.
pub fn load_or_create(path: &Path, what: &str) -> anyhow::Result<[u8; 32]> {
    let mut fresh = [0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut fresh)
        .map_err(|_| anyhow::anyhow!("the system random source failed"))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(hex::encode(fresh).as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
            tracing::info!(path = %path.display(), "made a new {what}");
        }
        // Made before (or by another server starting at the same moment): use it.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(error) => return Err(error).with_context(|| format!("creating {}", path.display())),
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    hex::decode(text.trim())
        .ok()
        .and_then(|secret| secret.get(..32).and_then(|key| key.try_into().ok()))
        .with_context(|| {
            format!(
                "{} must hold at least 64 hexadecimal digits",
                path.display()
            )
        })
}
