//! A real SMTP sink for tests: Debian's `python3-aiosmtpd` storing every message
//! in a Maildir. The app talks SMTP to it exactly as to a production server.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running sink; killed when dropped.
pub struct SmtpSink {
    child: Child,
    /// Port it listens on (127.0.0.1).
    pub port: u16,
    /// Its Maildir.
    pub dir: PathBuf,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl SmtpSink {
    /// Starts a sink on a free port and waits until it accepts connections.
    pub fn start() -> Self {
        Self::start_on(free_port())
    }

    /// Starts a sink on `port` (one the app was told about while nothing
    /// listened there) and waits until it accepts connections.
    pub fn start_on(port: u16) -> Self {
        let dir = std::env::temp_dir().join(format!("paws-mail-{}-{port}", std::process::id()));
        // The Mailbox handler creates the Maildir (cur/new/tmp) only if it is absent.
        let _ = std::fs::remove_dir_all(&dir);
        let python = std::env::var("PAWS_SMTP_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".to_owned());
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start python3 -m aiosmtpd (apt-get install python3-aiosmtpd)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "SMTP sink did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port, dir }
    }

    /// Settings that point the app at this sink.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        smtp_env(self.port)
    }

    /// Every raw message addressed to `to`, oldest first.
    pub fn messages_to(&self, to: &str) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(self.dir.join("new"))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .into_iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .filter(|m| m.lines().any(|l| l.eq_ignore_ascii_case(&format!("To: {to}"))))
            .collect()
    }

    /// Waits (up to 30 s: the suite keeps both cores busy) for the `n`-th
    /// message to `to` and returns it.
    pub async fn wait_for(&self, to: &str, n: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(m) = self.messages_to(to).into_iter().nth(n - 1) {
                return m;
            }
            assert!(Instant::now() < deadline, "no email #{n} to {to} arrived");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A port nothing listens on yet.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Settings that point the app at an SMTP server on `port` (none there yet, maybe).
pub fn smtp_env(port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("SMTP_HOST", "127.0.0.1".to_owned()),
        ("SMTP_PORT", port.to_string()),
        ("SMTP_TLS", "none".to_owned()),
        ("MAIL_FROM", "Paws Inside <hello@paws.test>".to_owned()),
    ]
}

/// Decodes quoted-printable soft breaks and escapes.
pub fn decode_qp(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'=' && i + 2 < bytes.len())
            .then(|| std::str::from_utf8(&bytes[i + 1..i + 3]).ok())
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let Some(b) = escaped {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The sign-in token in a message (the text part's link).
pub fn token_in(message: &str) -> String {
    token_for(message, "/auth/confirm")
}

/// The token of the link to `path` in a message.
pub fn token_for(message: &str, path: &str) -> String {
    let text = decode_qp(message);
    let marker = format!("{path}?token=");
    let at = text
        .find(&marker)
        .unwrap_or_else(|| panic!("message has a {path} link"))
        + marker.len();
    let token: String = text[at..].chars().take_while(|c| c.is_ascii_hexdigit()).collect();
    assert_eq!(token.len(), 64, "token in the email is 64 hex characters");
    token
}

/// The sign-in code in an email (shown as "1234 5678"), as the 8 digits.
pub fn code_in(message: &str) -> String {
    let text = decode_qp(message);
    let marker = "where you asked for it: ";
    let at = text.find(marker).expect("message has a sign-in code") + marker.len();
    let code: String = text[at..]
        .chars()
        .take(9)
        .filter(|c| c.is_ascii_digit())
        .collect();
    assert_eq!(code.len(), 8, "the code in the email is 8 digits");
    code
}

/// Waits (up to 20 s) until the outbox has nothing left to send and no
/// sender holds a row (senders keep a row locked while they talk SMTP and
/// mark it in the same transaction). From then on nothing more goes out, so
/// what the sink holds is final.
pub async fn outbox_settled(pool: &sqlx::PgPool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let pending: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM mail_outbox WHERE sent_at IS NULL AND gave_up_at IS NULL)",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        // Only looked at once nothing is pending, so the probe's brief locks
        // never make a sender skip a mail it should send.
        let held = !pending && {
            let free: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM (SELECT id FROM mail_outbox FOR KEY SHARE SKIP LOCKED) free",
            )
            .fetch_one(pool)
            .await
            .unwrap();
            let all: i64 = sqlx::query_scalar("SELECT count(*) FROM mail_outbox")
                .fetch_one(pool)
                .await
                .unwrap();
            free < all
        };
        if !pending && !held {
            return;
        }
        assert!(Instant::now() < deadline, "the outbox did not settle");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// How many tokens `email` has, and how many mails were queued to it.
pub async fn tokens_and_mails(pool: &sqlx::PgPool, email: &str) -> (i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM auth_tokens WHERE email = $1),
                (SELECT count(*) FROM mail_outbox WHERE recipient = $1)",
    )
    .bind(email)
    .fetch_one(pool)
    .await
    .unwrap()
}
