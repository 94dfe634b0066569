//! Key files: secrets the server keeps outside the database (the ID-number hash key, the seal
//! of certificate applications, the metrics token), made at first start and read by every
//! server process.

use anyhow::Context;
use app::platform::private_file;
use std::path::Path;

/// The secret in `path` (64 hexadecimal digits, or more: at least 32 bytes); when there is no
/// file, one is made from the system's random source, readable by the server's user only (in
/// a directory closed to others when it makes that too). A file other users may read is
/// refused (`private_file::check`).
/// Two servers starting at once agree: the file appears whole (written aside, then linked
/// into place, which fails if it exists), so the second reads the first's.
pub fn load_or_create(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    let (fresh, tag) = (random::<32>()?, random::<8>()?);
    if let Some(dir) = path.parent() {
        private_file::create_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    if !path.exists() {
        // A random name of its own, so that servers starting together write apart.
        let aside = path.with_extension(format!("new-{}", hex::encode(tag)));
        private_file::write_new(&aside, hex::encode(fresh).as_bytes())
            .with_context(|| format!("writing {}", aside.display()))?;
        let linked = std::fs::hard_link(&aside, path);
        std::fs::remove_file(&aside).with_context(|| format!("removing {}", aside.display()))?;
        match linked {
            Ok(()) => tracing::info!(path = %path.display(), "made a new {what}"),
            // Made by another server starting at the same moment: use it.
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(error) => {
                return Err(error).with_context(|| format!("creating {}", path.display()))
            }
        }
    }
    let text = private_file::read(path)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .map_err(|error| anyhow::anyhow!("reading {}: {error}", path.display()))?;
    hex::decode(text.trim())
        .ok()
        .filter(|secret| secret.len() >= 32)
        .with_context(|| {
            format!(
                "{} must hold at least 64 hexadecimal digits",
                path.display()
            )
        })
}

/// `N` bytes from the system's random source: a new secret.
pub fn random<const N: usize>() -> anyhow::Result<[u8; N]> {
    let mut bytes = [0u8; N];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .map_err(|_| anyhow::anyhow!("the system random source failed"))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_starting_together_read_one_whole_key() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("secrets/seal.key");
        let keys: Vec<Vec<u8>> = std::thread::scope(|scope| {
            let started: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| load_or_create(&path, "test key").expect("a key")))
                .collect();
            started
                .into_iter()
                .map(|s| s.join().expect("joined"))
                .collect()
        });
        assert!(keys.iter().all(|key| key.len() == 32 && key == &keys[0]));
        assert_eq!(
            std::fs::read_dir(path.parent().expect("dir"))
                .expect("dir")
                .count(),
            1
        );
    }
}
