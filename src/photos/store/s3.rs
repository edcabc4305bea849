//! Photo files in an S3-compatible bucket (AWS, MinIO, Garage, R2, s3s…), by
//! `object_store`: `<prefix>/<first two key chars>/<key>-<variant>.jpg`. A PUT
//! is atomic, so no temporary objects exist.

use anyhow::Context;
use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{
    Attribute, Attributes, ClientOptions, ObjectStore, ObjectStoreExt, PutOptions, PutPayload, RetryConfig,
};
use std::sync::Arc;
use std::time::Duration;

/// Where the bucket is and how to sign for it. `Debug` hides the secret key.
#[derive(Clone)]
pub struct S3Config {
    /// The bucket's name; it must exist.
    pub bucket: String,
    /// `https://host[:port]` of a non-AWS server; `None` for AWS itself.
    pub endpoint: Option<String>,
    /// Signing region (`us-east-1` for most non-AWS servers).
    pub region: String,
    /// Static credentials; `None` uses the instance's role (web identity,
    /// container or instance metadata), as AWS SDKs do.
    pub credentials: Option<(String, String)>,
    /// `https://endpoint/bucket/key` rather than `https://bucket.endpoint/key`.
    pub path_style: bool,
    /// Folder inside the bucket (no slashes at either end); may be empty.
    pub prefix: String,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.credentials.as_ref().map(|(id, _)| id))
            .field("path_style", &self.path_style)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// An open bucket. Cheap to clone.
#[derive(Clone, Debug)]
pub struct S3Store {
    bucket: Arc<AmazonS3>,
    prefix: Option<Path>,
    name: String,
}

impl std::fmt::Display for S3Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}", self.name)
    }
}

impl S3Store {
    /// Builds the client; nothing is sent until [`S3Store::check`] or the first use.
    pub fn open(config: &S3Config) -> anyhow::Result<Self> {
        // HTTPS goes through the process's rustls provider: ring, as for SMTP.
        // Installing it twice is harmless (the first one stays).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_virtual_hosted_style_request(!config.path_style)
            // A photo request waits for the bucket: an outage must fail it in
            // seconds, not after object_store's default three minutes of retries.
            .with_retry(RetryConfig {
                max_retries: 2,
                retry_timeout: Duration::from_secs(10),
                ..RetryConfig::default()
            })
            .with_client_options(
                ClientOptions::new()
                    .with_connect_timeout(Duration::from_secs(3))
                    .with_timeout(Duration::from_secs(20)),
            );
        if let Some(endpoint) = &config.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if let Some((id, secret)) = &config.credentials {
            builder = builder.with_access_key_id(id).with_secret_access_key(secret);
        }
        let bucket = builder.build().context("invalid S3 settings")?;
        let prefix = config.prefix.trim_matches('/');
        let name = match prefix {
            "" => config.bucket.clone(),
            p => format!("{}/{p}", config.bucket),
        };
        Ok(Self {
            bucket: Arc::new(bucket),
            prefix: (!prefix.is_empty()).then(|| Path::from(prefix)),
            name,
        })
    }

    /// Lists the folder once: a missing bucket, a wrong key or an unreachable
    /// endpoint is an error at start-up, not at the first upload.
    pub async fn check(&self) -> anyhow::Result<()> {
        self.bucket
            .list_with_delimiter(self.prefix.as_ref())
            .await
            .with_context(|| format!("cannot list {self}"))?;
        Ok(())
    }

    fn location(&self, key: &str, variant: &str) -> Path {
        let name = format!("{key}-{variant}.jpg");
        let parts = [&key[..2], name.as_str()];
        match &self.prefix {
            Some(prefix) => parts.iter().fold(prefix.clone(), |p, part| p.join(*part)),
            None => Path::from_iter(parts),
        }
    }

    /// Stores one object.
    pub(super) async fn put(&self, key: &str, variant: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let mut attributes = Attributes::new();
        attributes.insert(Attribute::ContentType, "image/jpeg".into());
        let options = PutOptions {
            attributes,
            ..PutOptions::default()
        };
        let location = self.location(key, variant);
        self.bucket
            .put_opts(&location, PutPayload::from(bytes.to_vec()), options)
            .await
            .with_context(|| format!("cannot store {location} in {self}"))?;
        Ok(())
    }

    /// One object's bytes, `None` when it does not exist.
    pub(super) async fn get(&self, key: &str, variant: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let location = self.location(key, variant);
        let found = match self.bucket.get(&location).await {
            Ok(found) => found,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(err) => return Err(err).with_context(|| format!("cannot read {location} in {self}")),
        };
        let bytes = found
            .bytes()
            .await
            .with_context(|| format!("cannot read {location} in {self}"))?;
        Ok(Some(bytes.to_vec()))
    }

    /// Whether one object exists.
    pub(super) async fn exists(&self, key: &str, variant: &str) -> anyhow::Result<bool> {
        let location = self.location(key, variant);
        match self.bucket.head(&location).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(err) => Err(err).with_context(|| format!("cannot look up {location} in {self}")),
        }
    }

    /// Deletes one object; a missing one is fine.
    pub(super) async fn remove(&self, key: &str, variant: &str) {
        let location = self.location(key, variant);
        match self.bucket.delete(&location).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(err) => tracing::warn!(error = %err, %location, "could not remove photos object"),
        }
    }

    /// Names (`<key>-<variant>.jpg`) of objects in the folder last written at
    /// least `min_age` ago.
    pub(super) async fn names_older_than(&self, min_age: Duration) -> anyhow::Result<Vec<String>> {
        let mut names = Vec::new();
        let mut objects = self.bucket.list(self.prefix.as_ref());
        while let Some(object) = objects.next().await {
            let object = object.with_context(|| format!("cannot list {self}"))?;
            let written = std::time::SystemTime::from(object.last_modified);
            let old = written.elapsed().is_ok_and(|age| age >= min_age);
            if old && let Some(name) = object.location.filename() {
                names.push(name.to_owned());
            }
        }
        Ok(names)
    }
}
