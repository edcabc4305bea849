//! Photos and other server data: limits, and where photo files are kept.

use super::vars::{self, Lookup};
use anyhow::{Context, bail};
use paws_inside::photos::PhotoStore;
use paws_inside::photos::store::{S3Config, S3Store};
use std::path::PathBuf;
use std::time::Duration;

/// Uploaded photos and other data on disk.
#[derive(Clone, Debug)]
pub struct MediaSettings {
    /// Folder for server data (local photos in `media/` inside it, the
    /// development mail folder).
    pub data_dir: PathBuf,
    /// Where photo files are kept.
    pub store: PhotoStoreSettings,
    /// Largest accepted photo, in bytes.
    pub photo_max_bytes: usize,
    /// Most pixels accepted in a photo.
    pub photo_max_pixels: u64,
    /// How long an upload's body has to arrive once the upload holds a place.
    pub upload_body: Duration,
}

/// Where photo files are kept.
#[derive(Clone, Debug)]
pub enum PhotoStoreSettings {
    /// This folder: one box, or several sharing one network file system.
    Local(PathBuf),
    /// An S3-compatible bucket, shared by every instance.
    S3(S3Config),
}

impl MediaSettings {
    /// Opens the photo store (no request is sent yet; see `PhotoStore::check`).
    pub fn open_store(&self) -> anyhow::Result<PhotoStore> {
        Ok(match &self.store {
            PhotoStoreSettings::Local(dir) => PhotoStore::Local(dir.clone()),
            PhotoStoreSettings::S3(config) => PhotoStore::S3(S3Store::open(config)?),
        })
    }
}

pub(super) fn media(get: &impl Lookup) -> anyhow::Result<MediaSettings> {
    use vars::*;
    let data_dir: PathBuf = DATA_DIR.text(get)?.into();
    let store = match PHOTO_STORE.text(get)?.trim() {
        "local" => PhotoStoreSettings::Local(data_dir.join("media")),
        "s3" => PhotoStoreSettings::S3(s3(get)?),
        other => bail!("PHOTO_STORE must be local or s3, not {other:?}"),
    };
    Ok(MediaSettings {
        data_dir,
        store,
        photo_max_bytes: PHOTO_MAX_MB.parse::<usize>(get)?.clamp(1, 100) * 1024 * 1024,
        photo_max_pixels: PHOTO_MAX_MEGAPIXELS.parse::<u64>(get)?.clamp(1, 200) * 1_000_000,
        // Past two minutes every request is cut off anyway (`routes.rs`).
        upload_body: Duration::from_secs(UPLOAD_BODY_SECONDS.parse::<u64>(get)?.clamp(1, 120)),
    })
}

fn s3(get: &impl Lookup) -> anyhow::Result<S3Config> {
    use vars::*;
    let bucket = S3_BUCKET
        .get(get)
        .context("S3_BUCKET must be set when PHOTO_STORE=s3")?;
    let endpoint = S3_ENDPOINT
        .get(get)
        .map(|e| e.trim().trim_end_matches('/').to_owned());
    if let Some(endpoint) = &endpoint
        && !(endpoint.starts_with("https://") || endpoint.starts_with("http://"))
    {
        bail!("S3_ENDPOINT must start with https:// or http://, not {endpoint:?}");
    }
    let credentials = match (S3_ACCESS_KEY_ID.get(get), S3_SECRET_ACCESS_KEY.get(get)) {
        (Some(id), Some(secret)) => Some((id, secret)),
        (None, None) => None,
        _ => bail!("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are set together or not at all"),
    };
    Ok(S3Config {
        bucket: bucket.trim().to_owned(),
        endpoint,
        region: S3_REGION.text(get)?.trim().to_owned(),
        credentials,
        path_style: S3_PATH_STYLE.parse(get)?,
        prefix: S3_PREFIX
            .get(get)
            .unwrap_or_default()
            .trim()
            .trim_matches('/')
            .to_owned(),
    })
}
