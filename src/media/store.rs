//! Where photo files live. One local-disk implementation today; an object store
//! becomes another variant with the same three operations.

use super::process::Processed;
use anyhow::Context;
use std::path::{Path, PathBuf};

/// The two files every photo has.
pub const VARIANTS: [&str; 2] = ["display", "thumb"];

/// A photo file store.
#[derive(Clone, Debug)]
pub enum MediaStore {
    /// Files under a local directory: `<root>/<first two key chars>/<key>-<variant>.jpg`.
    Local(PathBuf),
}

impl MediaStore {
    /// A fresh, server-generated key (never derived from the upload's name).
    pub fn new_key() -> String {
        uuid::Uuid::new_v4().simple().to_string()
    }

    /// Whether `key` has the shape of a key we generate.
    pub fn is_valid_key(key: &str) -> bool {
        key.len() == 32
            && key
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    /// The file for `key` and `variant`, or `None` for anything malformed.
    pub fn path(&self, key: &str, variant: &str) -> Option<PathBuf> {
        if !Self::is_valid_key(key) || !VARIANTS.contains(&variant) {
            return None;
        }
        let MediaStore::Local(root) = self;
        Some(root.join(&key[..2]).join(format!("{key}-{variant}.jpg")))
    }

    /// Writes both files, each through a temporary file and a rename, so a
    /// reader never sees half a file. On failure nothing is left behind.
    pub async fn put(&self, key: &str, photo: &Processed) -> anyhow::Result<()> {
        let result = async {
            for (variant, bytes) in VARIANTS.iter().zip([&photo.display, &photo.thumb]) {
                let path = self.path(key, variant).context("invalid media key")?;
                write_atomic(&path, bytes).await?;
            }
            anyhow::Ok(())
        }
        .await;
        if result.is_err() {
            self.remove(key).await;
        }
        result
    }

    /// Removes both files; missing files are fine.
    pub async fn remove(&self, key: &str) {
        for path in VARIANTS.iter().filter_map(|variant| self.path(key, variant)) {
            if let Err(err) = tokio::fs::remove_file(&path).await
                && err.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!(error = %err, path = %path.display(), "could not remove media file");
            }
        }
    }
}

async fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().context("media path has no parent")?;
    tokio::fs::create_dir_all(dir)
        .await
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
    tokio::fs::write(&tmp, bytes)
        .await
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    if let Err(err) = tokio::fs::rename(&tmp, path).await {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(err).with_context(|| format!("cannot move media into {}", path.display()));
    }
    Ok(())
}
