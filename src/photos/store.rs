//! Where photo files live. One local-disk implementation today; an object store
//! becomes another variant with the same three operations.

use super::process::Processed;
use anyhow::Context;
use std::path::{Path, PathBuf};

/// The two files every photo has.
pub const VARIANTS: [&str; 2] = ["display", "thumb"];

/// A photo file store.
#[derive(Clone, Debug)]
pub enum PhotoStore {
    /// Files under a local directory: `<root>/<first two key chars>/<key>-<variant>.jpg`.
    Local(PathBuf),
}

impl PhotoStore {
    /// A fresh, server-generated key (never derived from the upload's name).
    pub fn new_key() -> String {
        uuid::Uuid::new_v4().simple().to_string()
    }

    /// The id of the photo stored under `key` (a key is its photo's id in 32 hex
    /// digits, see migration `20261124000001`), or `None` for anything else.
    pub fn photo_id(key: &str) -> Option<uuid::Uuid> {
        Self::is_valid_key(key)
            .then(|| uuid::Uuid::parse_str(key).ok())
            .flatten()
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
        let PhotoStore::Local(root) = self;
        Some(root.join(&key[..2]).join(format!("{key}-{variant}.jpg")))
    }

    /// Writes both files, each through a temporary file and a rename, so a
    /// reader never sees half a file. On failure nothing is left behind.
    pub async fn put(&self, key: &str, photo: &Processed) -> anyhow::Result<()> {
        let result = async {
            for (variant, bytes) in VARIANTS.iter().zip([&photo.display, &photo.thumb]) {
                let path = self.path(key, variant).context("invalid photos key")?;
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

    /// Removes both files, and temporary files a crash mid-write left behind;
    /// missing files are fine.
    pub async fn remove(&self, key: &str) {
        let mut paths: Vec<PathBuf> = VARIANTS
            .iter()
            .filter_map(|variant| self.path(key, variant))
            .collect();
        if let Some(shard) = paths.first().and_then(|p| p.parent())
            && let Ok(mut files) = tokio::fs::read_dir(shard).await
        {
            let prefix = format!("{key}-");
            while let Ok(Some(file)) = files.next_entry().await {
                let name = file.file_name().to_string_lossy().into_owned();
                if name.starts_with(&prefix) && name.contains(".tmp-") {
                    paths.push(file.path());
                }
            }
        }
        for path in paths {
            if let Err(err) = tokio::fs::remove_file(&path).await
                && err.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!(error = %err, path = %path.display(), "could not remove photos file");
            }
        }
    }
}

impl PhotoStore {
    /// Keys with files on disk last written more than `min_age` ago (so an
    /// upload in flight, whose files exist before its row, is never listed).
    pub async fn keys_older_than(&self, min_age: std::time::Duration) -> anyhow::Result<Vec<String>> {
        let PhotoStore::Local(root) = self;
        let mut keys = std::collections::BTreeSet::new();
        let Ok(mut shards) = tokio::fs::read_dir(root).await else {
            return Ok(Vec::new());
        };
        while let Some(shard) = shards.next_entry().await.context("cannot list photos")? {
            let Ok(mut files) = tokio::fs::read_dir(shard.path()).await else {
                continue;
            };
            while let Some(file) = files.next_entry().await.context("cannot list photos")? {
                let name = file.file_name().to_string_lossy().into_owned();
                let old = file
                    .metadata()
                    .await
                    .ok()
                    .and_then(|m| m.modified().ok())
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age >= min_age);
                if let Some(key) = name.get(..32).filter(|k| Self::is_valid_key(k))
                    && old
                {
                    keys.insert(key.to_owned());
                }
            }
        }
        Ok(keys.into_iter().collect())
    }
}

async fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().context("photos path has no parent")?;
    tokio::fs::create_dir_all(dir)
        .await
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
    tokio::fs::write(&tmp, bytes)
        .await
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    if let Err(err) = tokio::fs::rename(&tmp, path).await {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(err).with_context(|| format!("cannot move photos into {}", path.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::PhotoStore;

    #[test]
    fn a_key_is_its_photo_id() {
        let key = PhotoStore::new_key();
        let id = PhotoStore::photo_id(&key).expect("a new key is an id");
        assert_eq!(id.simple().to_string(), key);
        // Only the shape we generate: not the hyphenated form, not upper case.
        assert_eq!(PhotoStore::photo_id(&id.hyphenated().to_string()), None);
        assert_eq!(PhotoStore::photo_id(&key.to_uppercase()), None);
        assert_eq!(PhotoStore::photo_id("../etc/passwd"), None);
    }
}
