//! The admin's flows over people: the identity crate's `admin` flows (who
//! is an admin is our users table's role, read by our hook), with our words
//! and our errors. Each converts its input, calls one crate flow and words
//! what it returns.

use super::flows::ModerationError;
use super::people::{Acting, Audit, AuditLine, People, Person, PersonPage, owns_words};
use crate::auth::Caller;
use crate::context::Context;
use crate::time::{ago, date, date_time, unix_secs};
use anonymous_first::admin::{self, AdminError, AuditEntry, Kind, Search, UserRow};
use uuid::Uuid;

impl From<AdminError> for ModerationError {
    fn from(err: AdminError) -> Self {
        match err {
            AdminError::NotAdmin => Self::Forbidden,
            AdminError::NotFound => Self::NotFound("There is no such person."),
            AdminError::Unexpected(err) => Self::Unexpected(err),
            AdminError::Yourself => Self::Invalid("You cannot suspend yourself.".into()),
            AdminError::TargetIsAdmin => {
                Self::Invalid("This person is an admin. Take the admin role away first.".into())
            }
            AdminError::NotBanned => Self::Invalid("This person is not suspended (any more).".into()),
            AdminError::NotActing => Self::Invalid("You are not acting as anyone (any more).".into()),
            other => Self::Invalid(other.to_string()),
        }
    }
}

/// People whose address holds `text`, of `kind` ("", "members", "guests",
/// "suspended"), the latest seen first.
pub async fn list(
    ctx: &Context,
    caller: &Caller,
    text: &str,
    kind: &str,
    page: u32,
) -> Result<People, ModerationError> {
    let kind = match kind {
        "members" => Kind::Members,
        "guests" => Kind::Guests,
        "suspended" => Kind::Banned,
        _ => Kind::All,
    };
    let text = super::flows::read(&super::fields::SEARCH, text)?;
    let search = Search {
        text: text.as_str().to_owned(),
        kind,
        page,
    };
    let found = admin::users(&ctx.identity, caller, &search).await?;
    let now = unix_secs();
    Ok(People {
        rows: found.rows.iter().map(|u| person(u, now)).collect(),
        more: found.more,
        page,
    })
}

/// One person, with what admins did to them.
pub async fn page(ctx: &Context, caller: &Caller, id: &str) -> Result<PersonPage, ModerationError> {
    let id = user_id(id)?;
    let found = admin::user(&ctx.identity, caller, id).await?;
    let audit = admin::audit(&ctx.identity, caller, Some(id), 0).await?;
    Ok(PersonPage {
        person: person(&found, unix_secs()),
        audit: audit.rows.iter().map(line).collect(),
        is_you: caller.user().is_some_and(|u| u.id() == id),
    })
}

/// Suspends a person for `length` days ("" until lifted): every session of
/// theirs ends at once.
pub async fn ban(
    ctx: &Context,
    caller: &Caller,
    id: &str,
    reason: &str,
    length: &str,
) -> Result<(), ModerationError> {
    let id = user_id(id)?;
    let days = match length.trim() {
        "" => None,
        n => Some(
            n.parse::<u32>()
                .map_err(|_| ModerationError::Invalid("Choose how long the suspension lasts.".into()))?,
        ),
    };
    admin::ban(&ctx.identity, caller, id, reason, days).await?;
    Ok(())
}

/// Lifts a person's suspension.
pub async fn unban(ctx: &Context, caller: &Caller, id: &str) -> Result<(), ModerationError> {
    admin::unban(&ctx.identity, caller, user_id(id)?).await?;
    Ok(())
}

/// This browser acts as the member `id` for an hour at most; where to go next.
pub async fn act_as(ctx: &Context, caller: &mut Caller, id: &str) -> Result<String, ModerationError> {
    let ended = admin::act_as(&ctx.identity, caller, user_id(id)?, "/").await?;
    Ok(ended.next)
}

/// The admin is themselves again; back to the page of the person they acted as.
pub async fn stop_acting(ctx: &Context, caller: &mut Caller) -> Result<String, ModerationError> {
    let next = caller.user().map_or("/admin/people".to_owned(), |u| {
        format!("/admin/people/{}", u.id())
    });
    let ended = admin::stop_acting(&ctx.identity, caller, &next).await?;
    Ok(ended.next)
}

/// Whom this browser acts as and until when, in words, for the banner on
/// every page: `None` when it acts as nobody.
pub fn acting(caller: &Caller) -> Option<Acting> {
    let until = caller.session.acting_until()?;
    let user = caller.user()?;
    Some(Acting {
        name: user.email().unwrap_or("a member without an address").to_owned(),
        until: crate::time::date_time(until),
    })
}

/// What admins did to people, the latest first.
pub async fn audit(ctx: &Context, caller: &Caller, page: u32) -> Result<Audit, ModerationError> {
    let found = admin::audit(&ctx.identity, caller, None, page).await?;
    Ok(Audit {
        rows: found.rows.iter().map(line).collect(),
        more: found.more,
        page,
    })
}

fn user_id(raw: &str) -> Result<Uuid, ModerationError> {
    Uuid::parse_str(raw.trim()).map_err(|_| ModerationError::NotFound("There is no such person."))
}

fn person(u: &UserRow, now: i64) -> Person {
    let owns = crate::auth::merge::words(&u.owns);
    let parts = [
        (owns.dogs, "dog", "dogs"),
        (owns.photos, "photo", "photos"),
        (owns.suggestions, "suggested place", "suggested places"),
        (owns.checks, "answer", "answers"),
        (owns.saved, "saved place", "saved places"),
    ];
    let name = match (&u.email, u.guest) {
        (Some(email), _) => email.clone(),
        (None, true) => "A guest".to_owned(),
        (None, false) => "A member without an address".to_owned(),
    };
    let kind = match (u.guest, u.admin) {
        (true, _) => "Guest",
        (false, true) => "Admin",
        (false, false) => "Member",
    };
    let ban = u.ban.as_ref().map(|b| {
        let until = b
            .until
            .map_or("until lifted".to_owned(), |t| format!("until {}", date(t)));
        let by = b.by.as_deref().unwrap_or("an admin who has left");
        format!("Suspended {until} by {by} on {}: {}", date(b.at), b.reason)
    });
    Person {
        id: u.id,
        name,
        kind: kind.to_owned(),
        owns: owns_words(&parts),
        seen: format!("Last seen {}", ago(u.last_seen_at, now)),
        joined: format!("Joined {}", date(u.created_at)),
        ban,
        admin: u.admin,
    }
}

fn line(e: &AuditEntry) -> AuditLine {
    let actor = e.actor.as_deref().unwrap_or("An admin who has left");
    let subject = e.subject.as_deref().unwrap_or("a guest or a deleted account");
    let what = match e.action.as_str() {
        "ban" => {
            let until = e
                .until
                .map_or("until lifted".to_owned(), |t| format!("until {}", date(t)));
            let why = e.reason.as_deref().unwrap_or("");
            format!("{actor} suspended {subject} {until}: {why}")
        }
        "unban" => format!("{actor} lifted the suspension of {subject}"),
        "act_as" => format!("{actor} acted as {subject} (for an hour at most)"),
        "act_end" => format!("{actor} stopped acting as {subject}"),
        other => format!("{actor}: {other} {subject}"),
    };
    AuditLine {
        when: date_time(e.at),
        what,
    }
}
