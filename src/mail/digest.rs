//! The weekly "what changed near your saved places" mail: the same lines as
//! `/saved`, in text and HTML, with the one-click unsubscribe link in the
//! body and in the `List-Unsubscribe` header.

use super::Email;
use super::templates::escape;
use crate::email::EmailAddress;
use crate::saved::{Changes, describe};

/// The digest of `changes` for `to`; `base` is the site's address.
pub fn saved_digest(to: &EmailAddress, base: &str, changes: &Changes, unsubscribe: &str) -> Email {
    // (line, link) pairs, the same in both parts.
    let mut lines: Vec<(String, String)> = Vec::new();
    for n in &changes.new_nearby {
        lines.push((
            format!("New near {}: {}, {}", n.near, n.name, n.city),
            format!("{base}/venues/{}", n.slug),
        ));
    }
    for a in &changes.answers {
        lines.push((
            format!("{}: {} (latest {})", a.name, describe(a), a.last_on),
            format!("{base}/venues/{}", a.slug),
        ));
    }
    let list = format!("{base}/saved");
    let text_lines: String = lines
        .iter()
        .map(|(line, link)| format!("- {line}\n  {link}\n"))
        .collect();
    let text = format!(
        "Hello from Paws Inside!\n\nWhat changed near your saved places since {since}:\n\n{text_lines}\n\
         Your saved places: {list}\n\nYou get this email once a week because you asked for it. \
         Stop it with one click: {unsubscribe}\n",
        since = changes.since,
    );
    let html_lines: String = lines
        .iter()
        .map(|(line, link)| {
            format!(
                "<li><a href=\"{}\">{}</a></li>",
                escape(link),
                escape(line)
            )
        })
        .collect();
    let html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:system-ui,sans-serif;color:#1f2a27\">\
         <h1 style=\"font-size:20px\">What changed near your saved places</h1>\
         <p>Since {since}:</p><ul>{html_lines}</ul>\
         <p><a href=\"{list}\">Your saved places</a></p>\
         <p style=\"color:#5b6b66\">You get this email once a week because you asked for it. \
         <a href=\"{unsubscribe}\">Stop these emails</a> (one click, no sign-in).</p></body></html>",
        since = escape(&changes.since),
        list = escape(&list),
        unsubscribe = escape(unsubscribe),
    );
    Email {
        to: to.clone(),
        subject: "What changed near your saved places".to_owned(),
        text,
        html,
        link: Some(list),
        unsubscribe: Some(unsubscribe.to_owned()),
    }
}
