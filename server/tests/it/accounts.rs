//! Email + password accounts: a sign-up waits for its address and then
//! promotes the guest, sign-in merges guest data (and ends the session id
//! held before), no enumeration, brute force meets the limits (per client,
//! per account at a client, never the owner elsewhere), pre-hijacking, reset
//! (one link used twice at once sets one password), the session list (nobody
//! else's), password change and deletion.

use crate::common::Browser;
use crate::common::counters::{
    LOOPBACK, PROXIED, address_from, assert_far, assert_refused, client, counted, fill, max, use_up,
};
use crate::common::flows::{
    add_dog, add_photo_row, me, owner_of, post_form, post_in_background, spawn, spawn_env, user_id,
};
use crate::common::mail::{SmtpSink, decode_qp, tokens_and_mails};
use crate::common::{TestApp, files_under};
use paws_inside::limits::LimitedAction;
use serde_json::Value;
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery";

/// The first link to `/auth/{kind}?token=` in the `n`-th email to `to`.
async fn link_token(sink: &SmtpSink, to: &str, n: usize, kind: &str) -> String {
    let text = decode_qp(&sink.wait_for(to, n).await);
    let marker = format!("/auth/{kind}?token=");
    let at = text
        .find(&marker)
        .unwrap_or_else(|| panic!("no {kind} link in: {text}"))
        + marker.len();
    text[at..].chars().take_while(|c| c.is_ascii_hexdigit()).collect()
}

async fn sign_up(app: &TestApp, b: &Browser, email: &str, password: &str) -> reqwest::Response {
    app.call(b, "auth/sign-up", &[("email", email), ("password", password)])
        .await
}

async fn sign_in(app: &TestApp, b: &Browser, email: &str, password: &str) -> reqwest::Response {
    app.call(
        b,
        "auth/sign-in",
        &[("email", email), ("password", password), ("next", "/dogs")],
    )
    .await
}

/// A verified account with `PASSWORD`, signed in on the returned browser,
/// which signed up as a guest and confirmed the address itself.
async fn member(app: &TestApp, sink: &SmtpSink, email: &str) -> Browser {
    let b = Browser::new();
    assert_eq!(app.call(&b, "auth/anonymous", &[]).await.status(), 200);
    assert!(sign_up(app, &b, email, PASSWORD).await.status().is_success());
    let n = 1; // a fresh address: its first email
    let token = link_token(sink, email, n, "verify").await;
    let res = post_form(app, &b, "/auth/verify", &[("token", &token)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/account");
    b
}

async fn password_hash(app: &TestApp, email: &str) -> Option<String> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_up_waits_for_its_address_then_promotes_the_guest_in_place() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let b = Browser::new();
    let dog = add_dog(&app, &b, "Bentley").await;
    let guest = user_id(&app, &b).await;
    let old_cookie = b.cookie(&app).unwrap();
    let res = sign_up(&app, &b, "Bella@Example.com", PASSWORD).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(
        me(&app, &b).await.unwrap()["kind"],
        "guest",
        "nothing changes before the address is proven"
    );
    assert_eq!(b.cookie(&app).unwrap(), old_cookie);
    let accounts: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE email IS NOT NULL")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(accounts, 0, "no account before the address is proven");

    // GET of the confirmation link does not use it; the POST does.
    let token = link_token(&sink, "bella@example.com", 1, "verify").await;
    let page = b
        .client
        .get(format!("{}/auth/verify?token={token}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("One click and your account is ready. Your 1 dog will be in it."),
        "{page}"
    );
    assert!(
        !page.contains(r#"name="password""#),
        "the browser that signed up is not asked for it"
    );
    let res = post_form(&app, &b, "/auth/verify", &[("token", &token)]).await;
    assert_eq!(res.headers()["location"], "/account");
    assert_ne!(b.cookie(&app).unwrap(), old_cookie, "the session id rotates");
    assert_eq!(user_id(&app, &b).await, guest, "promoted in place: same id");
    assert_eq!(me(&app, &b).await.unwrap()["kind"], "member");
    let (verified, hash): (bool, String) =
        sqlx::query_as("SELECT email_verified_at IS NOT NULL, password_hash FROM users WHERE id = $1")
            .bind(guest)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(verified);
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");

    assert_eq!(post_form(&app, &b, "/auth/sign-out", &[]).await.status(), 303);
    assert!(me(&app, &b).await.is_none());
    let res = sign_in(&app, &b, "bella@example.com", PASSWORD).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(user_id(&app, &b).await, guest);
    assert_eq!(owner_of(&app, dog).await, guest, "the dog is still there");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_up_confirmed_on_another_device_keeps_the_password_when_typed() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let laptop = Browser::new();
    let dog = add_dog(&app, &laptop, "Bentley").await;
    let guest = user_id(&app, &laptop).await;
    sign_up(&app, &laptop, "bella@example.com", PASSWORD).await;
    let token = link_token(&sink, "bella@example.com", 1, "verify").await;

    // The email is read on a phone: the page asks for the password and offers the dogs.
    let phone = Browser::new();
    let page = phone
        .client
        .get(format!("{}/auth/verify?token={token}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"name="password""#), "{page}");
    assert!(page.contains("by a guest who added 1 dog"), "{page}");
    let wrong = post_form(
        &app,
        &phone,
        "/auth/verify",
        &[("token", &token), ("password", "not what I chose")],
    )
    .await;
    let location = wrong.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/auth/verify?token=") && location.contains("error="),
        "{location}"
    );
    assert!(me(&app, &phone).await.is_none(), "nothing happened");
    let res = post_form(
        &app,
        &phone,
        "/auth/verify",
        &[
            ("token", &token),
            ("password", PASSWORD),
            ("bring_requester", "true"),
        ],
    )
    .await;
    assert_eq!(res.headers()["location"], "/account");
    assert_eq!(
        user_id(&app, &phone).await,
        guest,
        "the laptop's guest became the account"
    );
    assert_eq!(owner_of(&app, dog).await, guest);
    assert!(
        me(&app, &laptop).await.is_none(),
        "only the browser that proved the address is in"
    );
    assert!(
        sign_in(&app, &laptop, "bella@example.com", PASSWORD)
            .await
            .status()
            .is_success()
    );
    assert_eq!(user_id(&app, &laptop).await, guest);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_up_with_a_taken_address_looks_the_same_and_tells_the_owner() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    member(&app, &sink, "owner@example.com").await;
    let before = password_hash(&app, "owner@example.com").await;

    let answer = |res: reqwest::Response| async move {
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        let cookie = res.headers().contains_key("set-cookie");
        (status, location, cookie, res.text().await.unwrap())
    };
    let taken = answer(sign_up(&app, &Browser::new(), "owner@example.com", "another good one").await).await;
    let fresh = answer(sign_up(&app, &Browser::new(), "new@example.com", "another good one").await).await;
    assert_eq!(taken, fresh);
    let mail = decode_qp(&sink.wait_for("owner@example.com", 2).await);
    assert!(
        mail.contains("Someone tried to sign up with your address"),
        "{mail}"
    );
    assert_eq!(
        password_hash(&app, "owner@example.com").await,
        before,
        "the account is untouched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weak_passwords_are_refused_and_nothing_is_created() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    for (password, message) in [
        ("short", "at least 8"),
        ("password1", "most common"),
        ("iloveyou", "most common"),
        ("weak@example.com", "must not be your email"),
    ] {
        let res = sign_up(&app, &Browser::new(), "weak@example.com", password).await;
        assert_eq!(res.status(), 400, "{password}");
        assert!(res.text().await.unwrap().contains(message), "{password}");
    }
    assert_eq!(app.count("users").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_sign_in_merges_the_guest_in_one_go() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let owner = member(&app, &sink, "owner@example.com").await;
    let account = user_id(&app, &owner).await;

    let b = Browser::new();
    let dog = add_dog(&app, &b, "Rex").await;
    let guest = user_id(&app, &b).await;
    add_photo_row(&app, guest, dog).await;
    let old_cookie = b.cookie(&app).unwrap();
    let res = sign_in(&app, &b, "owner@example.com", PASSWORD).await;
    assert!(res.status().is_success());
    assert_ne!(
        b.cookie(&app).unwrap(),
        old_cookie,
        "session id rotates on sign-in"
    );
    assert_eq!(user_id(&app, &b).await, account);
    assert_eq!(owner_of(&app, dog).await, account);
    assert_eq!(app.count("claim_audit").await, 1);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE id = $1")
        .bind(guest)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);

    // A failing merge on password sign-in: rolled back, recorded, signed in anyway.
    let c = Browser::new();
    let dog2 = add_dog(&app, &c, "Fifi").await;
    let guest2 = user_id(&app, &c).await;
    sqlx::raw_sql(
        "CREATE FUNCTION fail_merge() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$;
         CREATE TRIGGER fail_merge BEFORE UPDATE OF user_id ON dogs FOR EACH ROW EXECUTE FUNCTION fail_merge();",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    assert!(
        sign_in(&app, &c, "owner@example.com", PASSWORD)
            .await
            .status()
            .is_success()
    );
    assert_eq!(user_id(&app, &c).await, account);
    assert_eq!(owner_of(&app, dog2).await, guest2);
    assert_eq!(app.count("claim_failures").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_say_nothing_and_brute_force_meets_the_limit() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    member(&app, &sink, "owner@example.com").await;
    let wrong = sign_in(&app, &Browser::new(), "owner@example.com", "not the password").await;
    let (status, body) = (wrong.status(), wrong.text().await.unwrap());
    let unknown = sign_in(&app, &Browser::new(), "nobody@example.com", "not the password").await;
    assert_eq!(
        (status, body.clone()),
        (unknown.status(), unknown.text().await.unwrap())
    );
    assert_eq!(status, 401);
    // A wrong password counts against the account at this client …
    let action = LimitedAction::PasswordPerAccount;
    let per_account = address_from("owner@example.com", LOOPBACK);
    assert_eq!(counted(&app, action, &per_account).await, 1);
    // … and at the limit even the right one is refused.
    use_up(&app, action, &per_account).await;
    let res = sign_in(&app, &Browser::new(), "owner@example.com", PASSWORD).await;
    assert_refused(&res, action);
}

/// Accounts made by the sign-up of older versions exist before their address
/// was proven, with a password and sessions: the first proof ends both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proving_an_address_removes_a_password_someone_else_set() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let hash = paws_inside::password::Hasher::new(1)
        .hash("attacker's secret".into())
        .await
        .unwrap();
    let account: Uuid = sqlx::query_scalar(
        "INSERT INTO users (email, is_anonymous, password_hash) VALUES ('victim@example.com', false, $1) RETURNING id",
    )
    .bind(&hash)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let session = tower_sessions::session::Id::default().to_string();
    sqlx::query("INSERT INTO sessions (id, user_id, expiry_date) VALUES ($1, $2, now() + interval '1 day')")
        .bind(&session)
        .bind(account)
        .execute(&app.pool)
        .await
        .unwrap();
    let attacker = |path: &str| {
        app.client
            .post(format!("{}/api/{path}", app.address))
            .header("cookie", format!("paws_session={session}"))
            .header("accept", "application/json")
            .send()
    };
    assert!(
        !attacker("auth/me")
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
            .is_null()
    );
    assert_eq!(
        sign_in(&app, &Browser::new(), "victim@example.com", "attacker's secret")
            .await
            .status(),
        401,
        "a password nobody proved does not sign in"
    );
    // The victim signs in by email link: the address is proven now.
    let victim = Browser::new();
    app.call(&victim, "auth/magic-link", &[("email", "victim@example.com")])
        .await;
    let token = link_token(&sink, "victim@example.com", 1, "confirm").await;
    assert_eq!(
        post_form(&app, &victim, "/auth/confirm", &[("token", &token)])
            .await
            .status(),
        303
    );
    assert_eq!(
        password_hash(&app, "victim@example.com").await,
        None,
        "the unproven password is gone"
    );
    assert!(
        attacker("auth/me")
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
            .is_null(),
        "the attacker's session was ended"
    );
    assert_eq!(user_id(&app, &victim).await, account);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_link_sets_a_new_password_and_signs_out_everywhere_else() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let laptop = member(&app, &sink, "owner@example.com").await;
    let phone = Browser::new();
    assert!(
        sign_in(&app, &phone, "owner@example.com", PASSWORD)
            .await
            .status()
            .is_success()
    );

    let b = Browser::new();
    let res = app
        .call(&b, "auth/forgot", &[("email", "owner@example.com")])
        .await;
    let unknown = app
        .call(&Browser::new(), "auth/forgot", &[("email", "nobody@example.com")])
        .await;
    assert_eq!(
        res.status(),
        unknown.status(),
        "same answer for unknown addresses"
    );
    let token = link_token(&sink, "owner@example.com", 2, "reset").await;
    assert_eq!(sink.messages_to("nobody@example.com").len(), 0);

    let page = b
        .client
        .get(format!("{}/auth/reset?token={token}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    // A weak password: back to the page with the reason; the link still works.
    let res = post_form(
        &app,
        &b,
        "/auth/reset",
        &[("token", &token), ("password", "password1")],
    )
    .await;
    assert!(res.headers()["location"].to_str().unwrap().contains("error="));
    let res = post_form(
        &app,
        &b,
        "/auth/reset",
        &[("token", &token), ("password", "a brand new secret")],
    )
    .await;
    assert_eq!(res.headers()["location"], "/account");
    assert!(me(&app, &b).await.is_some(), "signed in here");
    assert!(me(&app, &laptop).await.is_none(), "other sessions ended");
    assert!(me(&app, &phone).await.is_none(), "other sessions ended");
    assert_eq!(
        sign_in(&app, &Browser::new(), "owner@example.com", PASSWORD)
            .await
            .status(),
        401
    );
    assert!(
        sign_in(&app, &Browser::new(), "owner@example.com", "a brand new secret")
            .await
            .status()
            .is_success()
    );
    let again = post_form(
        &app,
        &b,
        "/auth/reset",
        &[("token", &token), ("password", "yet another secret")],
    )
    .await;
    assert!(
        again.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/auth/reset?token=")
    );
    let page = b
        .client
        .get(format!("{}/auth/reset?token={token}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 410, "single use");
}

async fn account(app: &TestApp, b: &Browser) -> Value {
    app.call(b, "account/get", &[]).await.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_page_lists_and_revokes_sessions_and_changes_the_password() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let laptop = member(&app, &sink, "owner@example.com").await;
    let phone = Browser::new();
    phone
        .client
        .post(format!("{}/api/auth/sign-in", app.address))
        .header("user-agent", "Mozilla/5.0 (iPhone) Safari/604.1")
        .form(&[("email", "owner@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let view = account(&app, &laptop).await;
    let member = &view["Member"];
    assert_eq!(member["email"], "owner@example.com");
    assert_eq!(member["verified"], true);
    let sessions = member["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    let other = sessions.iter().find(|s| s["current"] == false).unwrap();
    // Browser, system and the day it was first signed in (two phones of one
    // kind are told apart).
    let today = paws_inside::time::date(paws_inside::time::unix_secs());
    assert_eq!(other["device"], format!("Safari on iPhone, since {today}"));
    assert!(!other["handle"].as_str().unwrap().is_empty());

    // Revoking someone else's handle does nothing; our own phone's works.
    let res = app
        .call(
            &Browser::new(),
            "account/revoke",
            &[("handle", other["handle"].as_str().unwrap())],
        )
        .await;
    assert_eq!(res.status(), 404);
    assert!(me(&app, &phone).await.is_some());
    let res = app
        .call(
            &laptop,
            "account/revoke",
            &[("handle", other["handle"].as_str().unwrap())],
        )
        .await;
    assert!(res.status().is_success() || res.status().is_redirection());
    assert!(me(&app, &phone).await.is_none());

    // Changing the password needs the current one.
    let res = app
        .call(
            &laptop,
            "account/password",
            &[("current", "wrong one!"), ("new_password", "fresh and long")],
        )
        .await;
    assert_eq!(res.status(), 400);
    assert!(
        sign_in(&app, &phone, "owner@example.com", PASSWORD)
            .await
            .status()
            .is_success()
    );
    let res = app
        .call(
            &laptop,
            "account/password",
            &[
                ("current", PASSWORD),
                ("new_password", "fresh and long"),
                ("sign_out_others", "1"),
            ],
        )
        .await;
    assert!(res.status().is_success() || res.status().is_redirection());
    assert!(me(&app, &phone).await.is_none(), "other devices signed out");
    assert!(me(&app, &laptop).await.is_some(), "this one stays");
    assert!(
        sign_in(&app, &Browser::new(), "owner@example.com", "fresh and long")
            .await
            .status()
            .is_success()
    );

    // Guests get no account actions.
    let guest = Browser::new();
    add_dog(&app, &guest, "Rex").await;
    assert!(account(&app, &guest).await["Guest"]["dogs"] == 1);
    let res = app
        .call(&guest, "account/password", &[("new_password", "fresh and long")])
        .await;
    assert_eq!(res.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_an_account_needs_a_fresh_sign_in_and_removes_everything() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let b = member(&app, &sink, "owner@example.com").await;
    let id = user_id(&app, &b).await;
    // A real photo, so there are files to remove.
    let dog = add_dog(&app, &b, "Rex").await;
    let png = {
        let img = image::RgbImage::from_pixel(8, 8, image::Rgb([200, 100, 50]));
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    };
    let form = reqwest::multipart::Form::new()
        .text("dog", dog.to_string())
        .part("photo", reqwest::multipart::Part::bytes(png).file_name("rex.png"));
    let res = b
        .client
        .post(format!("{}/api/photos", app.address))
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert!(!files_under(&app.data_dir.join("media")).is_empty());

    // The sign-in grows old (as if the laptop was left open for an hour).
    sqlx::query("UPDATE sessions SET authenticated_at = now() - interval '1 hour'")
        .execute(&app.pool)
        .await
        .unwrap();
    let res = app
        .call(&b, "account/delete", &[("confirm_email", "owner@example.com")])
        .await;
    assert_eq!(res.status(), 400, "a sign-in older than the window is not enough");
    assert!(res.text().await.unwrap().contains("sign in again"));

    assert!(
        sign_in(&app, &b, "owner@example.com", PASSWORD)
            .await
            .status()
            .is_success()
    );
    let res = app
        .call(&b, "account/delete", &[("confirm_email", "someone@else.com")])
        .await;
    assert_eq!(res.status(), 400);
    let res = app
        .call(&b, "account/delete", &[("confirm_email", "Owner@Example.com")])
        .await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert_eq!(app.count("dogs").await, 0);
    assert_eq!(app.count("photos").await, 0);
    assert!(
        files_under(&app.data_dir.join("media")).is_empty(),
        "photo files removed"
    );
    assert!(me(&app, &b).await.is_none());
    assert_eq!(app.count("venues").await, 72, "public venues stay");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_can_discard_its_data_after_confirming() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    let b = Browser::new();
    let dog = add_dog(&app, &b, "Rex").await;
    let guest: Uuid = user_id(&app, &b).await;
    add_photo_row(&app, guest, dog).await;
    assert_eq!(app.call(&b, "account/discard-guest", &[]).await.status(), 400);
    assert_eq!(app.count("dogs").await, 1);
    let res = app.call(&b, "account/discard-guest", &[("confirm", "1")]).await;
    assert!(res.status().is_success() || res.status().is_redirection());
    assert_eq!(app.count("users").await, 0);
    assert_eq!(app.count("dogs").await, 0);
    assert!(me(&app, &b).await.is_none());
    // Members cannot use the guest discard.
    let m = member(&app, &sink, "m@example.com").await;
    assert_eq!(
        app.call(&m, "account/discard-guest", &[("confirm", "1")])
            .await
            .status(),
        404
    );
}

/// How many session rows the account with `email` has.
async fn sessions_of(app: &TestApp, email: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1")
        .bind(email)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// A session fixation: whoever copied this browser's cookie before its
/// owner typed the password must not be signed in with it — neither the
/// guest's id nor, on a second sign-in, the member's own earlier one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_id_held_before_a_password_sign_in_dies() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    member(&app, &sink, "owner@example.com").await;
    let b = Browser::new();
    add_dog(&app, &b, "Rex").await;
    let guest = b.session_cookie(&app);
    assert!(
        sign_in(&app, &b, "owner@example.com", PASSWORD)
            .await
            .status()
            .is_success()
    );
    app.assert_session_dead(&guest).await;
    // The same account again (a fresh sign-in, say before deleting it): the
    // member's earlier id dies too, though its user stays the same.
    let earlier = b.session_cookie(&app);
    assert!(
        sign_in(&app, &b, "owner@example.com", PASSWORD)
            .await
            .status()
            .is_success()
    );
    assert_ne!(b.session_cookie(&app), earlier);
    app.assert_session_dead(&earlier).await;
    assert!(me(&app, &b).await.is_some());
}

/// One client trying passwords against many accounts (credential stuffing)
/// is stopped by its own counter; the owners, elsewhere, are not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_tries_are_limited_per_client() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &PROXIED).await;
    member(&app, &sink, "owner@example.com").await;
    let (stuffer, home) = ("203.0.113.6", "198.51.100.1");
    let action = LimitedAction::PasswordPerClient;
    fill(&app, action, &client(stuffer), max(action) - 1).await;
    let b = Browser::from_ip(stuffer);
    let res = sign_in(&app, &b, "owner@example.com", "a guess").await;
    assert_eq!(res.status(), 401, "the last allowed");
    assert_eq!(counted(&app, action, &client(stuffer)).await, max(action));
    use_up(&app, action, &client(stuffer)).await;
    let res = sign_in(&app, &b, "owner@example.com", PASSWORD).await;
    assert_refused(&res, action);
    assert!(me(&app, &b).await.is_none(), "not signed in");
    let per_account = address_from("owner@example.com", stuffer);
    assert_far(&app, LimitedAction::PasswordPerAccount, &per_account).await;
    let owner = Browser::from_ip(home);
    assert_eq!(
        sign_in(&app, &owner, "owner@example.com", PASSWORD)
            .await
            .status(),
        200
    );
}

/// An attacker guesses someone's password from one network until refused,
/// hoping to lock them out: the owner, elsewhere, still signs in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_a_password_from_one_client_does_not_lock_its_owner_out_elsewhere() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &PROXIED).await;
    member(&app, &sink, "owner@example.com").await;
    let (attacker_net, home) = ("203.0.113.6", "198.51.100.1");
    let action = LimitedAction::PasswordPerAccount;
    use_up(&app, action, &address_from("owner@example.com", attacker_net)).await;
    let attacker = Browser::from_ip(attacker_net);
    let res = sign_in(&app, &attacker, "owner@example.com", PASSWORD).await;
    assert_refused(&res, action);
    assert!(me(&app, &attacker).await.is_none());
    assert_far(&app, LimitedAction::PasswordPerClient, &client(attacker_net)).await;
    let owner = Browser::from_ip(home);
    assert_eq!(
        sign_in(&app, &owner, "owner@example.com", PASSWORD)
            .await
            .status(),
        200
    );
    assert_eq!(me(&app, &owner).await.unwrap()["email"], "owner@example.com");
}

/// One client asking for resets and sign-ups to many addresses (a spammer
/// using our mails) is stopped by its own counter; other clients are not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_and_sign_up_mails_are_limited_per_client() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &PROXIED).await;
    member(&app, &sink, "owner@example.com").await;
    let before = tokens_and_mails(&app.pool, "owner@example.com").await;
    let (spammer, other) = ("203.0.113.6", "198.51.100.2");
    let action = LimitedAction::AccountMailPerClient;
    fill(&app, action, &client(spammer), max(action) - 1).await;
    let b = Browser::from_ip(spammer);
    let res = app.call(&b, "auth/forgot", &[("email", "a@example.com")]).await;
    assert_eq!(res.status(), 200, "the last allowed");
    assert_eq!(counted(&app, action, &client(spammer)).await, max(action));
    use_up(&app, action, &client(spammer)).await;
    let res = app
        .call(&b, "auth/forgot", &[("email", "owner@example.com")])
        .await;
    assert_refused(&res, action);
    let res = app
        .call(
            &b,
            "auth/sign-up",
            &[("email", "new@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_refused(&res, action);
    assert_eq!(tokens_and_mails(&app.pool, "owner@example.com").await, before);
    assert_eq!(tokens_and_mails(&app.pool, "new@example.com").await, (0, 0));
    let per_address = address_from("owner@example.com", spammer);
    assert_far(&app, LimitedAction::AccountMailPerEmail, &per_address).await;
    let res = app
        .call(
            &Browser::from_ip(other),
            "auth/forgot",
            &[("email", "owner@example.com")],
        )
        .await;
    assert_eq!(res.status(), 200);
    link_token(&sink, "owner@example.com", 2, "reset").await;
}

/// An attacker asks for someone's reset mails (or signs up with their
/// address) from one network until refused: the owner, elsewhere, still gets
/// a reset link and can still sign up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_for_an_addresss_mails_from_one_client_does_not_stop_its_owner_elsewhere() {
    let sink = SmtpSink::start();
    let app = spawn_env(&sink, &PROXIED).await;
    member(&app, &sink, "owner@example.com").await;
    let (attacker_net, home) = ("203.0.113.6", "198.51.100.1");
    let action = LimitedAction::AccountMailPerEmail;
    let attacker = Browser::from_ip(attacker_net);
    for email in ["owner@example.com", "new@example.com"] {
        use_up(&app, action, &address_from(email, attacker_net)).await;
    }
    let before = tokens_and_mails(&app.pool, "owner@example.com").await;
    let res = app
        .call(&attacker, "auth/forgot", &[("email", "owner@example.com")])
        .await;
    assert_refused(&res, action);
    let res = app
        .call(
            &attacker,
            "auth/sign-up",
            &[("email", "new@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_refused(&res, action);
    assert_eq!(tokens_and_mails(&app.pool, "owner@example.com").await, before);
    assert_eq!(tokens_and_mails(&app.pool, "new@example.com").await, (0, 0));
    assert_far(&app, LimitedAction::AccountMailPerClient, &client(attacker_net)).await;

    let owner = Browser::from_ip(home);
    let res = app
        .call(&owner, "auth/forgot", &[("email", "owner@example.com")])
        .await;
    assert_eq!(res.status(), 200);
    let token = link_token(&sink, "owner@example.com", 2, "reset").await;
    let res = post_form(
        &app,
        &owner,
        "/auth/reset",
        &[("token", &token), ("password", "a brand new secret")],
    )
    .await;
    assert_eq!(res.headers()["location"], "/account");
    let res = app
        .call(
            &Browser::from_ip(home),
            "auth/sign-up",
            &[("email", "new@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 200);
    link_token(&sink, "new@example.com", 1, "verify").await;
}

/// The reset link opened twice at once (two tabs, or the owner and someone
/// who copied the link) with two new passwords: one password is set, one
/// session opened; the other request is told the link was used.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_link_used_twice_at_once_sets_one_password_and_one_session() {
    let sink = SmtpSink::start();
    let app = spawn(&sink).await;
    member(&app, &sink, "owner@example.com").await;
    let res = app
        .call(&Browser::new(), "auth/forgot", &[("email", "owner@example.com")])
        .await;
    assert_eq!(res.status(), 200);
    let token = link_token(&sink, "owner@example.com", 2, "reset").await;
    let (first, second) = ("first new secret", "second new secret");
    let held = app
        .hold(
            "SELECT 1 FROM auth_tokens WHERE purpose = 'password_reset' FOR UPDATE",
            &[],
        )
        .await;
    let (a, b) = (Browser::new(), Browser::new());
    let posts = [
        post_in_background(&app, &a, "/auth/reset", &[("token", &token), ("password", first)]),
        post_in_background(
            &app,
            &b,
            "/auth/reset",
            &[("token", &token), ("password", second)],
        ),
    ];
    held.until_waiting(2, "UPDATE auth_tokens").await;
    held.release().await;
    let mut answers = Vec::new();
    for p in posts {
        answers.push(p.await.unwrap());
    }
    answers.sort();
    assert_eq!(
        answers,
        [
            (303, "/account".to_owned()),
            (303, format!("/auth/reset?token={token}"))
        ]
    );
    assert_eq!(sessions_of(&app, "owner@example.com").await, 1, "one session");
    let resets: i64 = sqlx::query_scalar("SELECT count(*) FROM sign_ins WHERE method = 'reset'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(resets, 1);
    let works = async |password: &str| {
        sign_in(&app, &Browser::new(), "owner@example.com", password)
            .await
            .status()
            .is_success()
    };
    let (one, two) = (works(first).await, works(second).await);
    assert!(one != two, "exactly one new password: {one} {two}");
}

/// An attacker with an account of their own learns the handle of someone
/// else's session (it names a session on the account page) and revokes it:
/// the owner filter answers as for a handle that does not exist, and ends nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_member_cannot_revoke_someone_elses_session() {
    let app = crate::common::spawn_app().await;
    let victim = crate::common::flows::signed_in_member(&app, "victim@example.com").await;
    let cookie = victim.session_cookie(&app);
    let view = account(&app, &victim).await;
    let handle = view["Member"]["sessions"][0]["handle"]
        .as_str()
        .unwrap()
        .to_owned();
    let attacker = crate::common::flows::signed_in_member(&app, "attacker@example.com").await;
    let answer = async |handle: &str| {
        let res = app.call(&attacker, "account/revoke", &[("handle", handle)]).await;
        (res.status().as_u16(), res.text().await.unwrap())
    };
    let theirs = answer(&handle).await;
    assert_eq!(theirs.0, 404, "{theirs:?}");
    assert_eq!(
        theirs,
        answer(&"0".repeat(24)).await,
        "the same as for no such session"
    );
    assert!(app.session_row_exists(&cookie).await);
    assert_eq!(me(&app, &victim).await.unwrap()["email"], "victim@example.com");
    assert!(me(&app, &attacker).await.is_some());
}
