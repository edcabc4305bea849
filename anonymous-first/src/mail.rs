//! Mail delivery: one message in text and HTML ([`Email`]), sent over SMTP
//! (lettre, pooled, STARTTLS or TLS) or, for development, written as `.eml`
//! files to a folder ([`Mailer`]). What a message says is the app's; queueing
//! it durably with the flow that needs it is the outbox's.

use crate::email::EmailAddress;
use anyhow::Context;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text (local sinks and relays on loopback only).
    None,
    /// Plain connection upgraded with STARTTLS (usually port 587).
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

/// A secret (a password): `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The value, where it is needed (a login).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// SMTP server settings.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    /// Host name.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Transport security.
    pub tls: SmtpTls,
    /// User name, if the server wants a login.
    pub username: Option<String>,
    /// Password.
    pub password: Option<Secret>,
}

/// One message: a text and an HTML version of the same content.
#[derive(Clone, Debug)]
pub struct Email {
    /// Recipient.
    pub to: EmailAddress,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
    /// The message's action link; only the development outbox logs it.
    pub link: Option<String>,
    /// A one-click unsubscribe URL (RFC 8058): sent as `List-Unsubscribe`
    /// with `List-Unsubscribe-Post`, for mail people asked to get regularly.
    pub unsubscribe: Option<String>,
}

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// A real SMTP server.
    Smtp {
        /// Pooled transport.
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// Sender.
        from: Mailbox,
    },
    /// Development: `.eml` files in a folder.
    Folder {
        /// The folder.
        dir: PathBuf,
        /// Sender.
        from: Mailbox,
    },
}

impl Mailer {
    /// An SMTP mailer.
    pub fn smtp(config: &SmtpConfig, from: &str) -> anyhow::Result<Self> {
        let builder = match config.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
            SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                .context("invalid SMTP host for STARTTLS")?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)
                .context("invalid SMTP host for TLS")?,
        };
        let mut builder = builder.port(config.port).timeout(Some(Duration::from_secs(15)));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        Ok(Self::Smtp {
            transport: builder.build(),
            from: from.parse().context("the sender is not a valid mailbox")?,
        })
    }

    /// A mailer that writes to `dir` (created if missing).
    pub fn folder(dir: PathBuf, from: &str) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create mail folder {}", dir.display()))?;
        Ok(Self::Folder {
            dir,
            from: from.parse().context("the sender is not a valid mailbox")?,
        })
    }

    /// Sends now and waits for the server's answer.
    pub async fn send(&self, email: &Email) -> anyhow::Result<()> {
        let (Self::Smtp { from, .. } | Self::Folder { from, .. }) = self;
        let message = build(from, email)?;
        match self {
            Self::Smtp { transport, .. } => {
                transport.send(message).await.context("SMTP delivery failed")?;
            }
            Self::Folder { dir, .. } => {
                let millis = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis());
                // Named by time first, so a folder lists in the order sent.
                let name = format!("{millis}-{}.eml", uuid::Uuid::new_v4().simple());
                let path = dir.join(name);
                tokio::fs::write(&path, message.formatted())
                    .await
                    .with_context(|| format!("cannot write {}", path.display()))?;
                // For development: an app should refuse it in production.
                let link = email.link.as_deref().unwrap_or("-");
                tracing::info!(to = %email.to, path = %path.display(), link, "email written to the mail folder");
            }
        }
        Ok(())
    }
}

fn build(from: &Mailbox, email: &Email) -> anyhow::Result<Message> {
    // Quoted-printable keeps long links intact and readable in both parts.
    let part = |kind: ContentType, body: &str| {
        SinglePart::builder()
            .header(kind)
            .header(ContentTransferEncoding::QuotedPrintable)
            .body(body.to_owned())
    };
    let builder = Message::builder()
        .from(from.clone())
        .to(Mailbox::new(
            None,
            email
                .to
                .as_str()
                .parse()
                .context("recipient is not a valid address")?,
        ))
        .subject(email.subject.clone());
    let builder = match &email.unsubscribe {
        Some(url) => builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            )),
        None => builder,
    };
    builder
        .multipart(
            MultiPart::alternative()
                .singlepart(part(ContentType::TEXT_PLAIN, &email.text))
                .singlepart(part(ContentType::TEXT_HTML, &email.html)),
        )
        .context("failed to build email")
}

#[cfg(test)]
mod tests {
    use super::{Email, Mailer};
    use crate::EmailAddress;

    #[tokio::test]
    async fn a_folder_gets_one_message_in_both_parts_with_its_unsubscribe_header() {
        let dir =
            std::env::temp_dir().join(format!("anonymous-first-mail-{}", uuid::Uuid::new_v4().simple()));
        let mailer = Mailer::folder(dir.clone(), "Lists <hello@lists.test>").unwrap();
        let email = Email {
            to: EmailAddress::parse("ada@example.com").unwrap(),
            subject: "Your weekly list".into(),
            text: "Hello, here is a long line with a link".into(),
            html: "<p>Hello &amp; welcome</p>".into(),
            link: None,
            unsubscribe: Some("https://lists.test/stop?token=abc".into()),
        };
        mailer.send(&email).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(files.len(), 1);
        let eml = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
        for part in [
            "To: ada@example.com",
            "From: Lists <hello@lists.test>",
            "Subject: Your weekly list",
            "text/plain",
            "text/html",
            "List-Unsubscribe: <https://lists.test/stop?token=abc>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        ] {
            assert!(eml.contains(part), "{part} in {eml}");
        }
        assert!(Mailer::folder(dir.clone(), "not a mailbox").is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
