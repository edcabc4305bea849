//! `/admin/people`: find people by address and kind; `/admin/people/:id`: one
//! person, what admins did to them, and suspending them or lifting it;
//! `/admin/audit`: what every admin did. Everyone who is not an admin gets
//! the 404 page; the server functions answer 403.

use super::people_api::{AdminBan, AdminUnban, admin_audit, admin_people, admin_person};
use crate::NotFound;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use paws_inside::moderation::people::{AuditLine, BAN_LENGTHS, KINDS, Person, PersonPage, REASON_MAX};

/// `/admin/people?q=…&kind=…&page=N`.
#[component]
pub fn PeoplePage() -> impl IntoView {
    let query = use_query_map();
    let read = move || {
        query.with(|m| {
            let page = m.get("page").and_then(|p| p.parse::<u32>().ok()).unwrap_or(0);
            (
                m.get("q").unwrap_or_default(),
                m.get("kind").unwrap_or_default(),
                page,
            )
        })
    };
    let found = Resource::new(read, |(q, kind, page)| admin_people(q, kind, page));
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let Ok(people) = found.await else {
                    return view! { <NotFound /> }.into_any();
                };
                let (q, kind, _) = read();
                let at = {
                    let (q, kind) = (urlencoding(&q), urlencoding(&kind));
                    move |page: u32| format!("/admin/people?q={q}&kind={kind}&page={page}")
                };
                view! {
                    <Title text="People" />
                    <h1>"People"</h1>
                    <p><a href="/admin">"← Admin"</a>" · "<a href="/admin/audit">"What admins did"</a></p>
                    <form method="get" action="/admin/people" class="form-card form-grid">
                        <div class="field">
                            <label for="people-q">"Address contains"</label>
                            <input id="people-q" name="q" type="search" maxlength="100" value=q />
                        </div>
                        <div class="field">
                            <label for="people-kind">"Show"</label>
                            <select id="people-kind" name="kind">
                                {KINDS.iter().map(|(value, words)| {
                                    view! { <option value=*value selected=kind == *value>{*words}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="field-wide"><button type="submit" class="button">"Find"</button></div>
                    </form>
                    {people.rows.is_empty().then(|| view! { <p class="muted">"Nobody found."</p> })}
                    <ul class="people-list" data-testid="people">
                        {people.rows.into_iter().map(|p| view! { <PersonRow p /> }).collect_view()}
                    </ul>
                    <nav class="pager" aria-label="Pages of people">
                        {(people.page > 0).then(|| view! { <a href=at(people.page - 1)>"← Previous"</a> })}
                        {people.more.then(|| view! { <a href=at(people.page + 1)>"Next →"</a> })}
                    </nav>
                }
                .into_any()
            })}
        </Suspense>
    }
}

/// A query value as a URL writes it.
fn urlencoding(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
fn PersonRow(p: Person) -> impl IntoView {
    view! {
        <li class="admin-card" data-testid="person">
            <p><a href=format!("/admin/people/{}", p.id)>{p.name}</a>" "<span class="badge">{p.kind}</span></p>
            <p class="muted small">{format!("{} · {} · {}", p.owns, p.seen, p.joined)}</p>
            {p.ban.map(|ban| view! { <p class="ban-note small" data-testid="ban">{ban}</p> })}
        </li>
    }
}

/// `/admin/people/:id`.
#[component]
pub fn PersonAdminPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let person = Resource::new(id, admin_person);
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match person.await {
                    Ok(page) => view! { <PersonDetail page /> }.into_any(),
                    Err(_) => view! { <NotFound /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PersonDetail(page: PersonPage) -> impl IntoView {
    let PersonPage {
        person: p,
        audit,
        is_you,
    } = page;
    let id = p.id.to_string();
    let actions = match (is_you, p.admin, p.ban.is_some()) {
        (true, _, _) => view! { <p class="muted">"This is you."</p> }.into_any(),
        (_, true, _) => {
            view! { <p class="muted">"Admins cannot be suspended: take the admin role away first."</p> }
                .into_any()
        }
        (_, _, true) => view! { <UnbanForm id /> }.into_any(),
        _ => view! { <BanForm id /> }.into_any(),
    };
    // Acting: members only, never an admin, a suspended person or oneself.
    let act = (p.kind == "Member" && !is_you && p.ban.is_none()).then(|| {
        view! {
            <section class="admin-section" aria-labelledby="person-act">
                <h2 id="person-act">"See what they see"</h2>
                <p class="muted">"Act as this person for an hour at most. A banner on every page says so, with a button to stop; their sign-in and ways in stay as they are, and it goes in the audit."</p>
                <form method="post" action="/admin/act-as">
                    <input type="hidden" name="id" value=p.id.to_string() />
                    <button type="submit" class="button button-quiet">"Act as this person"</button>
                </form>
            </section>
        }
    });
    view! {
        <Title text=p.name.clone() />
        <p><a href="/admin/people">"← People"</a></p>
        <h1>{p.name}</h1>
        <p><span class="badge">{p.kind}</span></p>
        <p>{p.owns}</p>
        <p class="muted">{format!("{} · {}", p.seen, p.joined)}</p>
        {p.ban.map(|ban| view! { <p class="ban-note" data-testid="ban">{ban}</p> })}
        <section class="admin-section" aria-labelledby="person-actions">
            <h2 id="person-actions">"Suspension"</h2>
            {actions}
        </section>
        {act}
        <section class="admin-section" aria-labelledby="person-audit">
            <h2 id="person-audit">"What admins did"</h2>
            <AuditList lines=audit />
        </section>
    }
}

/// Suspending: a reason for the other admins and how long. Their sessions end at once.
#[island(lazy)]
fn BanForm(id: String) -> impl IntoView {
    crate::preload::island("ban_form");
    let ban = ServerAction::<AdminBan>::new();
    view! {
        <ActionForm action=ban attr:class="form-card form-grid">
            <input type="hidden" name="id" value=id />
            <div class="field field-wide">
                <label for="ban-reason">"Why (other admins read this; the person does not)"</label>
                <textarea id="ban-reason" name="reason" required maxlength=REASON_MAX rows="3"></textarea>
            </div>
            <div class="field">
                <label for="ban-length">"For how long"</label>
                <select id="ban-length" name="length">
                    {BAN_LENGTHS.iter().map(|(value, words)| view! { <option value=*value>{*words}</option> }).collect_view()}
                </select>
            </div>
            <p class="muted small field-wide">"Every browser signed in to this account is signed out at once, and every way in refuses until the end."</p>
            {crate::error::action_error(ban.value())}
            <div class="field-wide"><button type="submit" class="button button-danger">"Suspend"</button></div>
        </ActionForm>
    }
}

/// Lifting a suspension.
#[island(lazy)]
fn UnbanForm(id: String) -> impl IntoView {
    crate::preload::island("unban_form");
    let unban = ServerAction::<AdminUnban>::new();
    view! {
        <ActionForm action=unban>
            <input type="hidden" name="id" value=id />
            {crate::error::action_error(unban.value())}
            <button type="submit" class="button">"Lift the suspension"</button>
        </ActionForm>
    }
}

#[component]
fn AuditList(lines: Vec<AuditLine>) -> impl IntoView {
    view! {
        {lines.is_empty().then(|| view! { <p class="muted">"Nothing yet."</p> })}
        <ul class="audit-list" data-testid="audit">
            {lines.into_iter().map(|l| view! { <li><span class="muted small">{l.when}</span>" "{l.what}</li> }).collect_view()}
        </ul>
    }
}

/// `/admin/audit?page=N`.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let page = move || query.with(|q| q.get("page").and_then(|p| p.parse::<u32>().ok()).unwrap_or(0));
    let audit = Resource::new(page, admin_audit);
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let Ok(audit) = audit.await else {
                    return view! { <NotFound /> }.into_any();
                };
                let page = audit.page;
                view! {
                    <Title text="What admins did" />
                    <h1>"What admins did"</h1>
                    <p><a href="/admin/people">"← People"</a></p>
                    <AuditList lines=audit.rows />
                    <nav class="pager" aria-label="Pages of the audit">
                        {(page > 0).then(|| view! { <a href=format!("/admin/audit?page={}", page - 1)>"← Newer"</a> })}
                        {audit.more.then(|| view! { <a href=format!("/admin/audit?page={}", page + 1)>"Older →"</a> })}
                    </nav>
                }
                .into_any()
            })}
        </Suspense>
    }
}
