//! Outgoing email. Flows queue their mail in the database ([`outbox`], in the
//! transaction that makes the token it carries); a worker sends it through
//! the identity crate's [`Mailer`]: SMTP in production, a folder of `.eml`
//! files in development. Sending happens off the request path, so how long a
//! request takes says nothing about the address. The words are ours
//! (`templates`, `digest`).

mod digest;
pub mod outbox;
mod templates;

pub use digest::saved_digest;
pub use templates::{
    add_email, change_email, email_changed, magic_link, password_reset, sign_up_attempt, verify_email,
};

pub use anonymous_first::mail::{Email, Mailer, Secret, SmtpConfig, SmtpTls};
