//! Where photo files live: a local folder (the default, one box) or an
//! S3-compatible bucket (several instances). Both hold the same two files per
//! photo under the same names; callers see only these operations.
//!
//! Files are written before their row and removed after it: a crash in between
//! leaves files without a row, never a row without files, and the reaper
//! removes such orphans once they are an hour old.

mod local;
mod s3;

pub use s3::{S3Config, S3Store};

use super::process::Processed;
use anyhow::Context;
use std::path::PathBuf;

/// The two files every photo has.
pub const VARIANTS: [&str; 2] = ["display", "thumb"];

/// A photo file store.
#[derive(Clone, Debug)]
pub enum PhotoStore {
    /// Files under a local directory: `<root>/<first two key chars>/<key>-<variant>.jpg`.
    Local(PathBuf),
    /// Objects in a bucket, named as the files are.
    S3(S3Store),
}

impl std::fmt::Display for PhotoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PhotoStore::Local(root) => write!(f, "{}", root.display()),
            PhotoStore::S3(bucket) => bucket.fmt(f),
        }
    }
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

    fn valid(key: &str, variant: &str) -> bool {
        Self::is_valid_key(key) && VARIANTS.contains(&variant)
    }

    /// The local file for `key` and `variant`; `None` for anything malformed or
    /// when the photos are not on this disk.
    pub fn path(&self, key: &str, variant: &str) -> Option<PathBuf> {
        match self {
            PhotoStore::Local(root) if Self::valid(key, variant) => Some(local::path(root, key, variant)),
            _ => None,
        }
    }

    /// Checks at start-up that the store can be used (the bucket answers).
    pub async fn check(&self) -> anyhow::Result<()> {
        match self {
            PhotoStore::Local(_) => Ok(()),
            PhotoStore::S3(bucket) => bucket.check().await,
        }
    }

    /// Writes both files; a reader never sees half of one. On failure nothing
    /// is left behind.
    pub async fn put(&self, key: &str, photo: &Processed) -> anyhow::Result<()> {
        anyhow::ensure!(Self::is_valid_key(key), "invalid photos key");
        let result = async {
            for (variant, bytes) in VARIANTS.iter().zip([&photo.display, &photo.thumb]) {
                match self {
                    PhotoStore::Local(root) => {
                        local::write_atomic(&local::path(root, key, variant), bytes).await?
                    }
                    PhotoStore::S3(bucket) => bucket.put(key, variant, bytes).await?,
                }
            }
            anyhow::Ok(())
        }
        .await;
        if result.is_err() {
            match self {
                PhotoStore::Local(_) => self.remove(key).await,
                // The bucket is slow or down: clean up without keeping the
                // person waiting (what stays is swept as an orphan).
                PhotoStore::S3(_) => {
                    let (store, key) = (self.clone(), key.to_owned());
                    tokio::spawn(async move { store.remove(&key).await });
                }
            }
        }
        result
    }

    /// One file's bytes; `None` when it does not exist or the name is malformed.
    pub async fn get(&self, key: &str, variant: &str) -> anyhow::Result<Option<Vec<u8>>> {
        if !Self::valid(key, variant) {
            return Ok(None);
        }
        match self {
            PhotoStore::Local(root) => local::read(&local::path(root, key, variant)).await,
            PhotoStore::S3(bucket) => bucket.get(key, variant).await,
        }
    }

    /// Whether one file exists (answers a revalidation without reading it).
    pub async fn exists(&self, key: &str, variant: &str) -> anyhow::Result<bool> {
        if !Self::valid(key, variant) {
            return Ok(false);
        }
        match self {
            PhotoStore::Local(root) => {
                let path = local::path(root, key, variant);
                tokio::fs::try_exists(&path)
                    .await
                    .with_context(|| format!("cannot look up {}", path.display()))
            }
            PhotoStore::S3(bucket) => bucket.exists(key, variant).await,
        }
    }

    /// Removes both files (and, on disk, temporary files a crash mid-write
    /// left behind); missing files are fine, failures are logged and left to
    /// the reaper's orphan sweep.
    pub async fn remove(&self, key: &str) {
        if !Self::is_valid_key(key) {
            return;
        }
        match self {
            PhotoStore::Local(root) => {
                let paths = VARIANTS.iter().map(|v| local::path(root, key, v)).collect();
                local::remove(paths, key).await
            }
            PhotoStore::S3(bucket) => {
                for variant in VARIANTS {
                    bucket.remove(key, variant).await;
                }
            }
        }
    }

    /// Keys with files last written at least `min_age` ago (so an upload in
    /// flight, whose files exist before its row, is never listed).
    pub async fn keys_older_than(&self, min_age: std::time::Duration) -> anyhow::Result<Vec<String>> {
        let names = match self {
            PhotoStore::Local(root) => local::names_older_than(root, min_age).await?,
            PhotoStore::S3(bucket) => bucket.names_older_than(min_age).await?,
        };
        let keys: std::collections::BTreeSet<String> = names
            .iter()
            .filter_map(|name| name.get(..32).filter(|k| Self::is_valid_key(k)))
            .map(str::to_owned)
            .collect();
        Ok(keys.into_iter().collect())
    }
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
