//! Reads sign-in links from the SMTP sink's Maildir, the way a person reads
//! their inbox: one scanner for everyone, waiters woken on every new mail.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// Tokens received per address, in arrival order.
#[derive(Clone)]
pub struct Mailbox {
    tokens: Arc<Mutex<HashMap<String, Vec<String>>>>,
    arrived: watch::Sender<u64>,
}

impl Mailbox {
    /// Starts scanning `dir` (a Maildir) every 20 ms.
    pub fn watch(dir: String) -> Self {
        let mailbox = Self {
            tokens: Arc::default(),
            arrived: watch::Sender::new(0),
        };
        let scanner = mailbox.clone();
        tokio::spawn(async move {
            let mut seen = HashSet::new();
            loop {
                scanner.scan(&PathBuf::from(&dir).join("new"), &mut seen);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        mailbox
    }

    fn scan(&self, dir: &std::path::Path, seen: &mut HashSet<std::ffi::OsString>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut fresh: Vec<_> = entries
            .filter_map(Result::ok)
            .filter(|e| !seen.contains(&e.file_name()))
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.file_name(), e.path())))
            .collect();
        fresh.sort();
        for (_, name, path) in fresh {
            let Ok(raw) = std::fs::read_to_string(&path) else {
                continue;
            };
            seen.insert(name);
            if let (Some(to), Some(token)) = (recipient(&raw), token_in(&raw)) {
                self.tokens.lock().unwrap().entry(to).or_default().push(token);
                self.arrived.send_modify(|n| *n += 1);
            }
        }
    }

    /// Links received so far for `to`.
    pub fn count(&self, to: &str) -> usize {
        self.tokens.lock().unwrap().get(to).map_or(0, Vec::len)
    }

    /// Links received so far by addresses containing `part`.
    pub fn total(&self, part: &str) -> usize {
        let tokens = self.tokens.lock().unwrap();
        tokens
            .iter()
            .filter(|(to, _)| to.contains(part))
            .map(|(_, t)| t.len())
            .sum()
    }

    /// The newest token for `to` once more than `seen` arrived, or `None` after `timeout`.
    pub async fn wait(&self, to: &str, seen: usize, timeout: Duration) -> Option<String> {
        let mut rx = self.arrived.subscribe();
        let newest = || {
            let tokens = self.tokens.lock().unwrap();
            tokens
                .get(to)
                .filter(|t| t.len() > seen)
                .and_then(|t| t.last().cloned())
        };
        tokio::time::timeout(timeout, async {
            loop {
                if let Some(token) = newest() {
                    return token;
                }
                if rx.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
        })
        .await
        .ok()
    }
}

/// The address in the `To:` header.
fn recipient(raw: &str) -> Option<String> {
    let line = raw
        .lines()
        .take_while(|l| !l.is_empty())
        .find(|l| l.len() > 3 && l[..3].eq_ignore_ascii_case("to:"))?;
    let value = line[3..].trim();
    let address = match (value.find('<'), value.find('>')) {
        (Some(a), Some(b)) if a < b => &value[a + 1..b],
        _ => value,
    };
    Some(address.trim().to_ascii_lowercase())
}

/// The 64-hex sign-in token in the (quoted-printable) text part.
fn token_in(raw: &str) -> Option<String> {
    let text = raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    let at = text.find("/auth/confirm?token=")? + "/auth/confirm?token=".len();
    let token: String = text[at..].chars().take_while(char::is_ascii_hexdigit).collect();
    (token.len() == 64).then_some(token)
}
