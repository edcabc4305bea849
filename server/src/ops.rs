//! Operator tasks from the command line: granting admin (no web path can) and
//! retrying failed claim merges. Each returns the text to print.

use anyhow::Context;
use paws_inside::moderation::{failures, queries as admin};
use sqlx::PgPool;

/// A task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Task {
    /// Make the member with this email an admin.
    Grant(String),
    /// Make an admin a plain user again.
    Revoke(String),
    /// List admins.
    ListAdmins,
    /// List open claim failures.
    ListClaims,
    /// Retry one failure.
    Retry(i64),
    /// Retry every open failure.
    RetryAll,
}

/// Runs a task against `pool`.
pub async fn run(pool: &PgPool, task: Task) -> anyhow::Result<String> {
    Ok(match task {
        Task::Grant(email) | Task::Revoke(email) if email.trim().is_empty() => {
            anyhow::bail!("no email given")
        }
        Task::Grant(email) => {
            let email = email.trim().to_lowercase();
            anyhow::ensure!(
                admin::set_role(pool, &email, true).await?,
                "no account with the email {email}"
            );
            format!("{email} is now an admin\n")
        }
        Task::Revoke(email) => {
            let email = email.trim().to_lowercase();
            anyhow::ensure!(
                admin::set_role(pool, &email, false).await?,
                "no account with the email {email}"
            );
            format!("{email} is no longer an admin\n")
        }
        Task::ListAdmins => admin::admins(pool).await?.into_iter().map(|e| e + "\n").collect(),
        Task::ListClaims => {
            // Every open failure, a bounded page at a time.
            let mut open = Vec::new();
            for page in 0..=paws_inside::moderation::Page::MAX {
                let queue = paws_inside::moderation::Queue::of(
                    failures::open(pool, paws_inside::moderation::Page(page)).await?,
                );
                open.extend(queue.items);
                if !queue.more {
                    break;
                }
            }
            if open.is_empty() {
                "no failed claim merges\n".to_owned()
            } else {
                open.into_iter()
                    .map(|f| {
                        let target = f.target_email.unwrap_or_else(|| f.target_id.to_string());
                        format!(
                            "{}\t{}\tguest {} -> {target}\t{}\t{}\n",
                            f.id, f.created_at, f.guest_id, f.counts, f.error
                        )
                    })
                    .collect()
            }
        }
        Task::Retry(id) => retry(pool, id).await?,
        Task::RetryAll => {
            let mut out = String::new();
            for id in failures::open_ids(pool).await? {
                out.push_str(
                    &retry(pool, id)
                        .await
                        .unwrap_or_else(|e| format!("{id}: failed again: {e:#}\n")),
                );
            }
            if out.is_empty() {
                "no failed claim merges\n".to_owned()
            } else {
                out
            }
        }
    })
}

async fn retry(pool: &PgPool, id: i64) -> anyhow::Result<String> {
    let done = failures::retry(pool, None, id)
        .await
        .with_context(|| format!("retry of {id} failed"))?;
    // As after a sign-in's merge: the verdicts the guest's answers count in
    // catch up (what the servers' claim hook does).
    let mut verdicts = 0;
    if let failures::Retry::Merged { account, .. } = &done {
        verdicts = paws_inside::venues::verdicts::after_claim(pool, *account)
            .await
            .unwrap_or_else(|err| {
                eprintln!("the verdicts catch up at the next daily pass: {err:#}");
                0
            });
    }
    // Run outside the servers: they hear of a change to their pages from here.
    if (done.changes_public_pages() || verdicts > 0)
        && let Err(err) = crate::notify::announce(pool, "claims-retry").await
    {
        eprintln!(
            "the running servers were not told (their pages catch up within PAGE_CACHE_SECONDS): {err}"
        );
    }
    match done {
        failures::Retry::Merged { moved, .. } => Ok(format!(
            "{id}: merged {}\n",
            paws_inside::auth::merge::words(&moved).describe()
        )),
        failures::Retry::NothingToDo => Ok(format!("{id}: nothing to do\n")),
    }
}
