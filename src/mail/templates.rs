//! Email texts. Every message has a plain-text and an HTML version; values are
//! HTML-escaped in the HTML one.

use super::Email;
use crate::email::EmailAddress;

/// The sign-in link email.
pub fn magic_link(to: &EmailAddress, url: &str, minutes: i64) -> Email {
    let text = format!(
        "Hello from Paws Inside!\n\n\
         Open this link to sign in. It works once, for the next {minutes} minutes:\n\n\
         {url}\n\n\
         Anything you added as a guest (dogs, photos, suggestions) comes with you.\n\n\
         If you did not ask for this, ignore this email: nothing happens until the link is opened and confirmed.\n"
    );
    let link = Some(url.to_owned());
    let url = escape(url);
    let html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:system-ui,sans-serif;color:#1f2a27\">\
         <h1 style=\"font-size:20px\">Sign in to Paws Inside</h1>\
         <p>Open this link to sign in. It works once, for the next {minutes} minutes.</p>\
         <p><a href=\"{url}\" style=\"display:inline-block;padding:10px 16px;background:#2f5d50;color:#fff;\
         border-radius:6px;text-decoration:none\">Sign in</a></p>\
         <p>Or paste this address into your browser:<br><span style=\"word-break:break-all\">{url}</span></p>\
         <p>Anything you added as a guest (dogs, photos, suggestions) comes with you.</p>\
         <p style=\"color:#5b6b66\">If you did not ask for this, ignore this email: nothing happens until \
         the link is opened and confirmed.</p></body></html>"
    );
    Email {
        to: to.clone(),
        subject: "Your Paws Inside sign-in link".to_owned(),
        text,
        html,
        link,
    }
}

/// Escapes text for HTML element content and double-quoted attributes.
fn escape(raw: &str) -> String {
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
        let e = super::magic_link(&to, "http://x/auth/confirm?token=ab&x=<1>", 10);
        assert!(e.text.contains("http://x/auth/confirm?token=ab&x=<1>"));
        assert!(e.html.contains("token=ab&amp;x=&lt;1&gt;") && !e.html.contains("<1>"));
        assert!(e.text.contains("10 minutes"));
    }
}
