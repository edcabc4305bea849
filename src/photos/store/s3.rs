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
    /// Static credentials; `None` uses the standard AWS environment
    /// (`AWS_ACCESS_KEY_ID`…, web identity, container credentials, instance
    /// metadata), as AWS SDKs do.
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
        // From the environment first, so the role a container or pod is given
        // (web identity, container credentials) is found; ours override it.
        let mut builder = AmazonS3Builder::from_env()
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
            // A photo is at most a few hundred KB: 5 s is slow already, and a
            // server that accepts but never answers must not hold an upload.
            .with_client_options(
                ClientOptions::new()
                    .with_connect_timeout(Duration::from_secs(3))
                    .with_timeout(Duration::from_secs(5)),
            );
        if let Some(endpoint) = &config.endpoint {
            // object_store takes a custom endpoint as the bucket's own address
            // when virtual-hosted: put the bucket in front of the host.
            let endpoint = match config.path_style {
                true => endpoint.clone(),
                false => virtual_hosted(endpoint, &config.bucket),
            };
            builder = builder
                .with_allow_http(endpoint.starts_with("http://"))
                .with_endpoint(endpoint);
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

    /// Lists the folder once. Any answer but a listing (no such bucket,
    /// refused keys) is an error: a setting is wrong. No answer at all (no
    /// connection, a timeout) only warns, so a restart during a bucket outage
    /// still serves every page but photos.
    pub async fn check(&self) -> anyhow::Result<()> {
        match self.bucket.list_with_delimiter(self.prefix.as_ref()).await {
            Ok(_) => Ok(()),
            Err(err) if unanswered(&err) => {
                tracing::warn!(error = %err, store = %self, "the photo bucket does not answer; starting anyway");
                Ok(())
            }
            Err(err) => Err(err).with_context(|| format!("cannot list {self}")),
        }
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
            // Only objects exactly where we put ours (not, say, a folder of
            // someone else's nested under the prefix).
            let ours = |name: &str| {
                let (key, variant) = name.strip_suffix(".jpg")?.split_once('-')?;
                let valid = super::PhotoStore::is_valid_key(key) && super::VARIANTS.contains(&variant);
                (valid && self.location(key, variant) == object.location).then_some(())
            };
            if old
                && let Some(name) = object.location.filename()
                && ours(name).is_some()
            {
                names.push(name.to_owned());
            }
        }
        Ok(names)
    }
}

/// Whether `err` is a request that got no answer (the transport failed)
/// rather than an answer saying no.
fn unanswered(err: &object_store::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.downcast_ref::<object_store::client::HttpError>().is_some() {
            return true;
        }
        source = e.source();
    }
    false
}

/// `https://host` as the bucket's own address, `https://bucket.host`.
fn virtual_hosted(endpoint: &str, bucket: &str) -> String {
    match endpoint.split_once("://") {
        Some((scheme, host)) => format!("{scheme}://{bucket}.{host}"),
        None => format!("{bucket}.{endpoint}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_virtual_hosted_endpoint_names_the_bucket_first() {
        assert_eq!(
            super::virtual_hosted("https://s3.example.net:9000", "paws"),
            "https://paws.s3.example.net:9000"
        );
    }
}
