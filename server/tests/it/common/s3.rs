//! A real S3-compatible server for tests: `s3s-fs` (crates.io, installed by
//! `./test`), keeping each bucket as a folder of plain files. The app talks to
//! it over HTTP with signed requests exactly as to AWS.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The bucket every test server has.
pub const BUCKET: &str = "paws-photos";
/// The folder inside it the app is told to use.
pub const PREFIX: &str = "photos";
const ACCESS_KEY: &str = "paws-test-key";
const SECRET_KEY: &str = "paws-test-secret-0123456789";

/// A running server with its own storage folder; killed when dropped.
pub struct S3Server {
    child: Option<Child>,
    /// Port it listens on (127.0.0.1).
    pub port: u16,
    /// Its storage folder (buckets are folders in it).
    pub root: PathBuf,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

impl S3Server {
    /// Starts a server with an empty bucket on a free port.
    pub fn start() -> Self {
        let port = super::mail::free_port();
        let root = std::env::temp_dir().join(format!("paws-s3-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join(BUCKET)).unwrap();
        let mut server = Self {
            child: None,
            port,
            root,
        };
        server.restart();
        server
    }

    /// Kills the server (as an outage would); its objects stay on disk.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and folder, waiting until it accepts
    /// connections.
    pub fn restart(&mut self) {
        self.stop();
        let bin = std::env::var("PAWS_S3_SERVER").unwrap_or_else(|_| "s3s-fs".to_owned());
        let mut child = Command::new(&bin)
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(&self.root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| {
                panic!("cannot start {bin} ({err}): ./test installs it, or `cargo install s3s-fs --version 0.14.1 --features binary --locked`")
            });
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "S3 server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        // Listening, and it is ours: had another process taken the port, ours
        // would have exited.
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            child.try_wait().ok().flatten().is_none(),
            "s3s-fs exited: port {} taken?",
            self.port
        );
        self.child = Some(child);
    }

    /// Settings that keep the app's photos in this server's bucket.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("PHOTO_STORE", "s3".into()),
            ("S3_ENDPOINT", format!("http://127.0.0.1:{}", self.port)),
            ("S3_BUCKET", BUCKET.into()),
            ("S3_ACCESS_KEY_ID", ACCESS_KEY.into()),
            ("S3_SECRET_ACCESS_KEY", SECRET_KEY.into()),
            ("S3_PREFIX", PREFIX.into()),
        ]
    }

    /// Where the server keeps the object for `key` and `variant`.
    pub fn object_file(&self, key: &str, variant: &str) -> PathBuf {
        self.root
            .join(BUCKET)
            .join(PREFIX)
            .join(&key[..2])
            .join(format!("{key}-{variant}.jpg"))
    }

    /// Every object file in the bucket (the server's own metadata files aside).
    pub fn objects(&self) -> Vec<PathBuf> {
        super::files_under(&self.root.join(BUCKET))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
            .collect()
    }
}

/// `pairs` as the `&str` pairs `settings` takes.
pub fn borrowed<'a>(pairs: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
