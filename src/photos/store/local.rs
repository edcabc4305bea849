//! Photo files on a local disk: `<root>/<first two key chars>/<key>-<variant>.jpg`,
//! each written through a temporary file and a rename.

use anyhow::Context;
use std::path::{Path, PathBuf};

/// The file for `key` and `variant` (both already validated).
pub(super) fn path(root: &Path, key: &str, variant: &str) -> PathBuf {
    root.join(&key[..2]).join(format!("{key}-{variant}.jpg"))
}

/// Writes one file through a temporary file and a rename, so a reader never
/// sees half a file.
pub(super) async fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
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

/// The bytes of a file, `None` when it does not exist.
pub(super) async fn read(path: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    match tokio::fs::read(path).await {
        Ok(bytes) => Ok(Some(bytes)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Removes the given files and temporary files a crash mid-write left behind
/// for `key`; missing files are fine.
pub(super) async fn remove(mut paths: Vec<PathBuf>, key: &str) {
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

/// Names (`<key>-<variant>.jpg`, temporary files too) of files under `root`
/// last written at least `min_age` ago.
pub(super) async fn names_older_than(
    root: &Path,
    min_age: std::time::Duration,
) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    let Ok(mut shards) = tokio::fs::read_dir(root).await else {
        return Ok(names);
    };
    while let Some(shard) = shards.next_entry().await.context("cannot list photos")? {
        let Ok(mut files) = tokio::fs::read_dir(shard.path()).await else {
            continue;
        };
        while let Some(file) = files.next_entry().await.context("cannot list photos")? {
            let old = file
                .metadata()
                .await
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age >= min_age);
            if old {
                names.push(file.file_name().to_string_lossy().into_owned());
            }
        }
    }
    Ok(names)
}
