//! Email texts. Every message has a plain-text and an HTML version of the same
//! words; values are HTML-escaped in the HTML one.

use super::Email;
use crate::email::EmailAddress;

/// The words of one message with one action link.
struct Content<'a> {
    subject: &'a str,
    heading: &'a str,
    lead: String,
    button: &'a str,
    after: &'a str,
    footer: &'a str,
    /// A sign-in code, shown as "1234 5678" below the link.
    code: Option<&'a str>,
}

/// "12345678" as people read and type it: "1234 5678".
fn grouped(code: &str) -> String {
    let (a, b) = code.split_at(code.len() / 2);
    format!("{a} {b}")
}

fn render(to: &EmailAddress, url: &str, c: Content<'_>) -> Email {
    let code_line = |code: &str| {
        format!(
            "Or type this code on the sign-in page, in the browser where you asked for it: {}",
            grouped(code)
        )
    };
    let text_code = c
        .code
        .map(|code| format!("{}\n\n", code_line(code)))
        .unwrap_or_default();
    let text = format!(
        "Hello from Paws Inside!\n\n{}\n\n{url}\n\n{text_code}{}\n\n{}\n",
        c.lead, c.after, c.footer
    );
    let html_code = c
        .code
        .map(|code| {
            format!(
                "<p>Or type this code on the sign-in page, in the browser where you asked for it:</p>\
                 <p style=\"font-size:24px;letter-spacing:4px;font-family:monospace\">{}</p>",
                escape(&grouped(code))
            )
        })
        .unwrap_or_default();
    let link = Some(url.to_owned());
    let url = escape(url);
    let html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:system-ui,sans-serif;color:#1f2a27\">\
         <h1 style=\"font-size:20px\">{heading}</h1><p>{lead}</p>\
         <p><a href=\"{url}\" style=\"display:inline-block;padding:10px 16px;background:#2f5d50;color:#fff;\
         border-radius:6px;text-decoration:none\">{button}</a></p>\
         <p>Or paste this address into your browser:<br><span style=\"word-break:break-all\">{url}</span></p>\
         {html_code}<p>{after}</p><p style=\"color:#5b6b66\">{footer}</p></body></html>",
        heading = escape(c.heading),
        lead = escape(&c.lead),
        button = escape(c.button),
        after = escape(c.after),
        footer = escape(c.footer),
    );
    Email {
        to: to.clone(),
        subject: c.subject.to_owned(),
        text,
        html,
        link,
        unsubscribe: None,
    }
}

/// The sign-in link email, with its code when it has one.
pub fn magic_link(to: &EmailAddress, url: &str, minutes: i64, code: Option<&str>) -> Email {
    render(
        to,
        url,
        Content {
            subject: "Your Paws Inside sign-in link",
            heading: "Sign in to Paws Inside",
            lead: format!("Open this link to sign in. It works once, for the next {minutes} minutes:"),
            button: "Sign in",
            after: "Anything you added as a guest (dogs, photos, suggestions) comes with you.",
            footer: "If you did not ask for this, ignore this email: nothing happens until the link is opened and \
                     confirmed, or the code typed. Never tell anyone the code.",
            code,
        },
    )
}

/// "Confirm your address" after signing up with a password.
pub fn verify_email(to: &EmailAddress, url: &str) -> Email {
    render(
        to,
        url,
        Content {
            subject: "Confirm your Paws Inside address",
            heading: "Confirm your email address",
            lead: "Thanks for signing up! Open this link within 24 hours to confirm this is your address \
               and finish creating your account:"
                .to_owned(),
            button: "Confirm my address",
            after: "Dogs, photos and suggestions you added as a guest come with you.",
            footer: "If you did not sign up, ignore this email: no account is created.",
            code: None,
        },
    )
}

/// Sent instead of a sign-up confirmation when the address already has an account.
pub fn sign_up_attempt(to: &EmailAddress, url: &str) -> Email {
    render(
        to,
        url,
        Content {
            subject: "Someone tried to sign up with your address",
            heading: "You already have an account",
            lead: "Someone (hopefully you) tried to create a Paws Inside account with this address. \
               You already have one: this link signs you in, once, for the next few minutes:"
                .to_owned(),
            button: "Sign in",
            after: "Nothing was changed in your account. Forgot your password? Reset it from the sign-in page.",
            footer: "If this was not you, you can ignore this email.",
            code: None,
        },
    )
}

/// The password reset link.
pub fn password_reset(to: &EmailAddress, url: &str) -> Email {
    render(
        to,
        url,
        Content {
            subject: "Reset your Paws Inside password",
            heading: "Choose a new password",
            lead: "Open this link within 30 minutes to choose a new password. It works once:".to_owned(),
            button: "Choose a new password",
            after: "Choosing a new password signs out every other device.",
            footer: "If you did not ask for this, ignore this email: your password stays as it is.",
            code: None,
        },
    )
}

/// The link that adds this address to an account that has none.
pub fn add_email(to: &EmailAddress, url: &str) -> Email {
    render(
        to,
        url,
        Content {
            subject: "Add this address to your Paws Inside account",
            heading: "Add this address to your account",
            lead: "Open this link in the browser where you are signed in to Paws Inside. It works once:"
                .to_owned(),
            button: "Add this address",
            after: "You can then sign in with an email link or code as well.",
            footer: "If you did not ask for this, ignore this email: nothing changes.",
            code: None,
        },
    )
}

/// The link that makes this (new) address the account's.
pub fn change_email(to: &EmailAddress, url: &str) -> Email {
    render(
        to,
        url,
        Content {
            subject: "Confirm your new address for Paws Inside",
            heading: "Use this address for your account",
            lead: "Open this link in the browser where you are signed in to Paws Inside. It works once:"
                .to_owned(),
            button: "Use this address",
            after: "Your old address gets a link to undo the change for seven days.",
            footer: "If you did not ask for this, ignore this email: nothing changes.",
            code: None,
        },
    )
}

/// To the old address: it was replaced, and the link that puts it back.
pub fn email_changed(to: &EmailAddress, url: &str) -> Email {
    render(
        to,
        url,
        Content {
            subject: "Your Paws Inside address was changed",
            heading: "Your address was changed",
            lead: "Your Paws Inside account now signs in with another address. If that was you, there is                    nothing to do. If it was not, this link puts this address back, once, for seven days:"
                .to_owned(),
            button: "Undo the change",
            after: "Undoing it signs out every device and removes the password, so whoever changed it is out.                     Then sign in with a link to this address.",
            footer: "You get this email because this address was on a Paws Inside account.",
            code: None,
        },
    )
}

/// Escapes text for HTML element content and double-quoted attributes.
pub(super) fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_parts_carry_the_link() {
        let to = crate::EmailAddress::parse("a@example.com").unwrap();
        let e = super::magic_link(&to, "http://x/auth/confirm?token=ab&x=<1>", 10, Some("12345678"));
        assert!(
            e.text.contains("1234 5678") && e.html.contains("1234 5678"),
            "the code, grouped"
        );
        let no_code = super::magic_link(&to, "u", 10, None);
        assert!(!no_code.text.contains("code on the sign-in page"));
        assert!(e.text.contains("http://x/auth/confirm?token=ab&x=<1>"));
        assert!(e.html.contains("token=ab&amp;x=&lt;1&gt;") && !e.html.contains("<1>"));
        assert!(e.text.contains("10 minutes"));
        for e in [
            super::verify_email(&to, "u"),
            super::sign_up_attempt(&to, "u"),
            super::password_reset(&to, "u"),
        ] {
            assert!(
                e.text.contains("\nu\n") && e.html.contains("href=\"u\""),
                "{}",
                e.subject
            );
        }
    }
}
