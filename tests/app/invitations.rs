//! Invitations: staff accounts and imported ambassadors set their own first password with
//! a single-use link (emailed through a real SMTP server, and always shown to the sender to
//! copy or send over WhatsApp); resend, revoke, expiry, a reset link accepting it, scope,
//! hostile tokens and passwords, and the pages from the admin's form to signed in.

use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};

use crate::smtp::{skip_without_aiosmtpd, SmtpServer};
use crate::support::{json, text, TestApp};

const FIRST_PASSWORD: &str = "sate padang enak sekali";

async fn post(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> (Status, Value) {
    json(app.send_api("POST", path, token, &body).await).await
}

async fn accept(app: &TestApp, token: &str, password: &str) -> (Status, Value) {
    post(
        app,
        "/api/v1/auth/invitation/accept",
        None,
        json!({ "token": token, "new_password": password }),
    )
    .await
}

/// The token at the end of an invitation link (in a page, an email or a WhatsApp text).
fn token_of(text: &str) -> String {
    let (_, token) = text
        .split_once("/invitation/")
        .unwrap_or_else(|| panic!("no invitation link in {text}"));
    token
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn user_row(app: &TestApp, email: &str) -> entity::users::Model {
    entity::users::Entity::find()
        .filter(entity::users::Column::Email.eq(email))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no user {email}"))
}

async fn audit_actions(app: &TestApp, user_id: i64) -> Vec<String> {
    entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::TargetId.eq(user_id))
        .filter(entity::audit_log::Column::TargetType.eq("user"))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect()
}

#[rocket::async_test]
async fn a_staff_account_is_made_with_an_invitation_that_works_once() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Undangan").await;
    let admin = app.user("admin", "admin@pusat.go.id", None, None).await;
    let admin = app.token(admin).await;

    let body = json!({
        "email": "Sari@Undangan.go.id",
        "name": "Sari Wulandari",
        "role": "coordinator",
        "institution_id": inst,
    });
    let (status, made) = post(&app, "/api/v1/users", Some(&admin), body).await;
    assert_eq!(status, Status::Created, "{made}");
    assert_eq!(made["email"], "sari@undangan.go.id");
    assert_eq!(made["invitation_pending"], true);
    let invitation = &made["invitation"];
    let link = invitation["link"].as_str().unwrap();
    assert!(
        link.starts_with("http://localhost/invitation/"),
        "{invitation}"
    );
    assert_eq!(invitation["emailed"], false, "no SMTP configured");
    let wa = invitation["whatsapp_url"].as_str().unwrap();
    assert!(
        wa.starts_with("https://wa.me/?text="),
        "staff have no mobile number: the sender picks the chat: {wa}"
    );
    assert!(wa.contains("%2Finvitation%2F"), "{wa}");
    let expires: chrono::DateTime<chrono::Utc> =
        invitation["expires_at"].as_str().unwrap().parse().unwrap();
    let days = (expires - chrono::Utc::now()).num_hours();
    assert!((167..=168).contains(&days), "7 days: {days} hours");
    let token = token_of(link);
    assert_eq!(token.len(), 43);

    // Nobody knows the account's password until the invitation is accepted.
    let user = user_row(&app, "sari@undangan.go.id").await;
    assert!(user.invitation_pending_since.is_some());
    for guess in ["", "sate padang enak sekali", &token] {
        let status = app.login_api("sari@undangan.go.id", guess).await.status();
        assert_ne!(status, Status::Ok, "{guess:?}");
    }
    // The roster shows it as not accepted.
    let (status, list) = json(
        app.get_api("/api/v1/users?status=invited", Some(&admin))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{list}");
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["users"][0]["email"], "sari@undangan.go.id");

    // Hostile tokens: unknown, tampered, overlong, of another purpose.
    // The last character changed (to one it is not).
    let last = if token.ends_with('A') { 'B' } else { 'A' };
    let tampered = format!("{}{last}", &token[..42]);
    let long = "A".repeat(5000);
    for bad in [tampered.as_str(), "nope", long.as_str()] {
        let (status, body) = accept(&app, bad, FIRST_PASSWORD).await;
        assert!(
            status == Status::NotFound || status == Status::UnprocessableEntity,
            "{bad:.20}: {status} {body}"
        );
    }
    let reset_link = post(
        &app,
        &format!("/api/v1/users/{}/password-reset-link", user.id),
        Some(&admin),
        json!({}),
    )
    .await
    .1["link"]
        .as_str()
        .unwrap()
        .to_string();
    let reset_token = reset_link.rsplit('/').next().unwrap();
    let (status, _) = accept(&app, reset_token, FIRST_PASSWORD).await;
    assert_eq!(status, Status::NotFound, "a reset link is no invitation");

    // Bad passwords are refused at their field, and the link stays good.
    let (status, body) = accept(&app, &token, "pendek").await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert!(body["fields"]["new_password"].is_array(), "{body}");
    let (status, body) = accept(&app, &token, "sari@undangan.go.id").await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");

    // Accepted: signed in at once, the password works, the link is spent.
    let (status, done) = accept(&app, &token, FIRST_PASSWORD).await;
    assert_eq!(status, Status::Ok, "{done}");
    assert_eq!(done["user"]["invitation_pending"], false);
    let session = done["token"].as_str().unwrap();
    assert_eq!(
        app.get_api("/api/v1/me", Some(session)).await.status(),
        Status::Ok
    );
    let status = app
        .login_api("sari@undangan.go.id", FIRST_PASSWORD)
        .await
        .status();
    assert_eq!(status, Status::Ok);
    let (status, body) = accept(&app, &token, "another long password").await;
    assert_eq!(status, Status::Conflict, "{body}");
    assert!(body["fields"]["token"].is_array(), "{body}");
    let (status, body) = accept(&app, reset_token, FIRST_PASSWORD).await;
    assert_eq!(
        status,
        Status::NotFound,
        "the reset link made before is no invitation either way: {body}"
    );
    let status = post(
        &app,
        "/api/v1/auth/password/reset",
        None,
        json!({ "token": reset_token, "new_password": "yet another password" }),
    )
    .await
    .0;
    assert_eq!(
        status,
        Status::Conflict,
        "accepting revoked the open reset link"
    );
    // Sending again after acceptance is refused.
    let (status, body) = post(
        &app,
        &format!("/api/v1/users/{}/invitation", user.id),
        Some(&admin),
        json!({}),
    )
    .await;
    assert_eq!(status, Status::Conflict, "{body}");
    let (_, list) = json(
        app.get_api("/api/v1/users?status=invited", Some(&admin))
            .await,
    )
    .await;
    assert_eq!(list["total"], 0, "{list}");
    let actions = audit_actions(&app, user.id).await;
    for action in ["user.created", "user.invitation_accepted"] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
    // The audit log never holds the token.
    let audit = entity::audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert!(audit.iter().all(|r| !r.detail.to_string().contains(&token)));

    // An invitation to an address already in Duta is refused, and no link is made.
    let links_before = entity::account_tokens::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .len();
    let body = json!({
        "email": "SARI@undangan.go.id", "name": "Sari Lain", "role": "leadership", "institution_id": inst,
    });
    let (status, refused) = post(&app, "/api/v1/users", Some(&admin), body).await;
    assert_eq!(status, Status::Conflict, "{refused}");
    assert!(refused["fields"]["email"].is_array(), "{refused}");
    let links_after = entity::account_tokens::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .len();
    assert_eq!(links_before, links_after);

    // A password given through the API makes an account without an invitation.
    let body = json!({
        "email": "budi@undangan.go.id", "name": "Budi", "role": "leadership",
        "institution_id": inst, "password": "kata sandi awal budi",
    });
    let (status, made) = post(&app, "/api/v1/users", Some(&admin), body).await;
    assert_eq!(status, Status::Created, "{made}");
    assert_eq!(made["invitation"], Value::Null);
    assert_eq!(made["invitation_pending"], false);
    let status = app
        .login_api("budi@undangan.go.id", "kata sandi awal budi")
        .await
        .status();
    assert_eq!(status, Status::Ok);
}

#[rocket::async_test]
async fn invitations_are_sent_again_revoked_expire_and_two_uses_cannot_both_win() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Ulang").await;
    let admin = app.user("admin", "admin@pusat.go.id", None, None).await;
    let admin = app.token(admin).await;
    let body = json!({
        "email": "rina@ulang.go.id", "name": "Rina", "role": "coordinator", "institution_id": inst,
    });
    let (_, made) = post(&app, "/api/v1/users", Some(&admin), body).await;
    let id = made["id"].as_i64().unwrap();
    let first = token_of(made["invitation"]["link"].as_str().unwrap());
    let again = format!("/api/v1/users/{id}/invitation");

    // Sent again: a new link; the first stops working.
    let (status, second) = post(&app, &again, Some(&admin), json!({})).await;
    assert_eq!(status, Status::Ok, "{second}");
    let second = token_of(second["link"].as_str().unwrap());
    assert_ne!(first, second);
    let (status, _) = accept(&app, &first, FIRST_PASSWORD).await;
    assert_eq!(status, Status::Conflict, "replaced by a newer link");

    // Revoked: nobody can use it; the account still waits and a new one can be sent.
    let (status, body) = json(
        app.send_api("DELETE", &again, Some(&admin), &json!(null))
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    let (status, _) = accept(&app, &second, FIRST_PASSWORD).await;
    assert_eq!(status, Status::Conflict, "revoked");
    assert!(user_row(&app, "rina@ulang.go.id")
        .await
        .invitation_pending_since
        .is_some());

    // Expired.
    let (_, third) = post(&app, &again, Some(&admin), json!({})).await;
    let third = token_of(third["link"].as_str().unwrap());
    let row = entity::account_tokens::Entity::find()
        .filter(entity::account_tokens::Column::UserId.eq(id))
        .filter(entity::account_tokens::Column::UsedAt.is_null())
        .filter(entity::account_tokens::Column::RevokedAt.is_null())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut past: entity::account_tokens::ActiveModel = row.into();
    past.expires_at = Set(chrono::Utc::now() - chrono::Duration::minutes(1));
    past.update(&app.db).await.unwrap();
    let (status, body) = accept(&app, &third, FIRST_PASSWORD).await;
    assert_eq!(status, Status::Conflict, "{body}");
    let (status, page) = text(app.page(&format!("/invitation/{third}"), None).await).await;
    assert_eq!(status, Status::Conflict);
    assert!(page.contains("sudah kedaluwarsa"), "{page}");

    // Two uses of one link at once (two nodes): exactly one wins.
    let (_, fourth) = post(&app, &again, Some(&admin), json!({})).await;
    let fourth = token_of(fourth["link"].as_str().unwrap());
    let node = app.another_node().await;
    let (a, b) = tokio::join!(
        accept(&app, &fourth, "pertama kali masuk"),
        accept(&node, &fourth, "kedua kali masuk ya"),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort_by_key(|s| s.code);
    assert_eq!(statuses, [Status::Ok, Status::Conflict], "{a:?} {b:?}");
    let winner = if a.0 == Status::Ok {
        "pertama kali masuk"
    } else {
        "kedua kali masuk ya"
    };
    let status = app.login_api("rina@ulang.go.id", winner).await.status();
    assert_eq!(status, Status::Ok);
    let actions = audit_actions(&app, id).await;
    for action in [
        "user.invitation_sent",
        "user.invitation_revoked",
        "user.invitation_accepted",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
    // Revoking after acceptance is refused.
    let (status, _) = json(
        app.send_api("DELETE", &again, Some(&admin), &json!(null))
            .await,
    )
    .await;
    assert_eq!(status, Status::Conflict);
}

#[rocket::async_test]
async fn a_reset_link_used_before_the_invitation_accepts_it() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Reset").await;
    let admin = app.user("admin", "admin@pusat.go.id", None, None).await;
    let admin = app.token(admin).await;
    let body = json!({
        "email": "dewi@reset.go.id", "name": "Dewi", "role": "leadership", "institution_id": inst,
    });
    let (_, made) = post(&app, "/api/v1/users", Some(&admin), body).await;
    let id = made["id"].as_i64().unwrap();
    let invitation = token_of(made["invitation"]["link"].as_str().unwrap());
    let (_, link) = post(
        &app,
        &format!("/api/v1/users/{id}/password-reset-link"),
        Some(&admin),
        json!({}),
    )
    .await;
    let reset = link["link"].as_str().unwrap().rsplit('/').next().unwrap();
    let (status, body) = post(
        &app,
        "/api/v1/auth/password/reset",
        None,
        json!({ "token": reset, "new_password": FIRST_PASSWORD }),
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["user"]["invitation_pending"], false);
    let (status, _) = accept(&app, &invitation, "another long password").await;
    assert_eq!(status, Status::Conflict, "the invitation is spent");
}

#[rocket::async_test]
async fn coordinators_invite_only_the_ambassadors_in_their_scope() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Lingkup").await;
    let other = app.institution("Kementerian Lain").await;
    app.work_unit(inst, None, "Biro Humas").await;
    let other_unit = app.work_unit(other, None, "Biro Lain").await;
    let coordinator = app
        .user("coordinator", "koordinator@lingkup.go.id", Some(inst), None)
        .await;
    let coordinator = app.token(coordinator).await;
    let leadership = app
        .user("leadership", "pimpinan@lingkup.go.id", Some(inst), None)
        .await;
    let leadership = app.token(leadership).await;
    let admin = app.user("admin", "admin@pusat.go.id", None, None).await;
    let admin = app.token(admin).await;
    let (_, far_user) = app.candidate(other, other_unit, 2).await;

    let csv = "name,nip,type,email,phone,work_unit,facebook,facebook_followers,x,x_followers,instagram,instagram_followers\n\
        Ani Suryani,198609262015052001,pns,ani@lingkup.go.id,081211112222,Biro Humas,ani.suryani,812,ani_s,1250,ani.s,640\n\
        Budi Santoso,199003152022991005,pppk,budi@lingkup.go.id,081233334444,Biro Humas,budi.santoso,900,budi_s,700,budi.s,650\n";
    let (status, report) = json(
        app.upload(
            "/api/v1/vetting/import",
            &coordinator,
            "roster.csv",
            csv.as_bytes(),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Created, "{report}");
    let invitations = report["invitations"].as_array().unwrap();
    assert_eq!(invitations.len(), 2, "{report}");
    assert_eq!(invitations[0]["name"], "Ani Suryani");
    assert_eq!(invitations[1]["email"], "budi@lingkup.go.id");
    let wa = invitations[0]["invitation"]["whatsapp_url"]
        .as_str()
        .unwrap();
    assert!(
        wa.starts_with("https://wa.me/6281211112222?text="),
        "to the ambassador's own number: {wa}"
    );
    let ani = invitations[0]["user_id"].as_i64().unwrap();
    let ani_token = token_of(invitations[0]["invitation"]["link"].as_str().unwrap());

    // The coordinator's roster marks both as not accepted.
    let (status, queue) = json(
        app.get_api(
            "/api/v1/vetting/candidates?status=approved",
            Some(&coordinator),
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{queue}");
    let pending: Vec<bool> = queue
        .as_array()
        .or_else(|| queue["candidates"].as_array())
        .unwrap_or_else(|| panic!("{queue}"))
        .iter()
        .map(|r| r["invitation_pending"].as_bool().unwrap())
        .collect();
    assert_eq!(pending, [true, true]);

    let again = |id: i64| format!("/api/v1/users/{id}/invitation");
    let (status, body) = post(&app, &again(ani), Some(&coordinator), json!({})).await;
    assert_eq!(status, Status::Ok, "{body}");
    let newer = token_of(body["link"].as_str().unwrap());
    let (status, _) = accept(&app, &ani_token, FIRST_PASSWORD).await;
    assert_eq!(status, Status::Conflict, "the import's link was replaced");
    // Out of scope: another institution's people, staff, nobody.
    let staff = user_row(&app, "pimpinan@lingkup.go.id").await.id;
    for id in [far_user, staff, 999_999] {
        let (status, body) = post(&app, &again(id), Some(&coordinator), json!({})).await;
        assert_eq!(status, Status::NotFound, "{id}: {body}");
        let status = app
            .send_api("DELETE", &again(id), Some(&coordinator), &json!(null))
            .await
            .status();
        assert_eq!(status, Status::NotFound, "{id}");
    }
    let (status, _) = post(&app, &again(ani), Some(&leadership), json!({})).await;
    assert_eq!(status, Status::Forbidden);
    // The far candidate signed up with a password: nothing to send.
    let (status, _) = post(&app, &again(far_user), Some(&admin), json!({})).await;
    assert_eq!(status, Status::Conflict);

    let (status, done) = accept(&app, &newer, FIRST_PASSWORD).await;
    assert_eq!(status, Status::Ok, "{done}");
    assert_eq!(done["user"]["role"], "ambassador");
    let status = app
        .login_api("ani@lingkup.go.id", FIRST_PASSWORD)
        .await
        .status();
    assert_eq!(status, Status::Ok);
}

#[rocket::async_test]
async fn invitations_are_emailed_when_duta_sends_email() {
    if skip_without_aiosmtpd() {
        return;
    }
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with(&[("smtp", smtp.config())]).await;
    let inst = app.institution("Kementerian Surat").await;
    let admin = app.user("admin", "admin@pusat.go.id", None, None).await;
    let admin = app.token(admin).await;
    let body = json!({
        "email": "eka@surat.go.id", "name": "Eka Putri", "role": "coordinator", "institution_id": inst,
    });
    let (status, made) = post(&app, "/api/v1/users", Some(&admin), body).await;
    assert_eq!(status, Status::Created, "{made}");
    assert_eq!(made["invitation"]["emailed"], true);
    let mail = smtp.wait_for(1).await.remove(0);
    assert_eq!(mail["rcpt_tos"], json!(["eka@surat.go.id"]));
    assert_eq!(mail["subject"], "Undangan ke Duta: buat kata sandi Anda");
    let body = mail["body"].as_str().unwrap();
    assert!(body.contains("Halo Eka Putri"), "{body}");
    assert!(body.contains("7 hari"), "{body}");
    let link = body
        .split_whitespace()
        .find(|w| w.starts_with("https://duta.uji.go.id/invitation/"))
        .unwrap_or_else(|| panic!("no link in {body}"));
    assert_eq!(
        link,
        made["invitation"]["link"].as_str().unwrap(),
        "the emailed link is the one answered"
    );
    let (status, done) = accept(&app, &token_of(link), FIRST_PASSWORD).await;
    assert_eq!(status, Status::Ok, "{done}");
}

#[rocket::async_test]
async fn the_pages_take_a_new_coordinator_from_the_admins_form_to_signed_in() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Halaman").await;
    let admin = app.user("admin", "admin@pusat.go.id", None, None).await;
    let admin = app.token(admin).await;
    let form = |email: &'static str| {
        vec![
            ("name", "Sari Wulandari"),
            ("email", email),
            ("role", "coordinator"),
            ("work_unit_id", ""),
        ]
    };
    let inst_text = inst.to_string();
    let mut bad = form("sari-di-halaman");
    bad.push(("institution_id", &inst_text));
    let (status, page) = text(app.form("/admin/users", Some(&admin), &bad).await).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains(r#"value="sari-di-halaman""#), "kept: {page}");
    assert!(!page.contains(r#"name="password""#), "no password to type");
    let mut good = form("sari@halaman.go.id");
    good.push(("institution_id", &inst_text));
    let (status, page) = text(app.form("/admin/users", Some(&admin), &good).await).await;
    assert_eq!(status, Status::Created);
    let page = page.replace("&#x2F;", "/").replace("&amp;", "&");
    assert!(page.contains("Akun telah dibuat."), "{page}");
    assert!(page.contains("Tautan undangan"), "{page}");
    assert!(page.contains("https://wa.me/?text="), "{page}");
    let token = token_of(&page);

    // The admin's list marks the account, and its page offers sending again.
    let (_, list) = text(app.page("/admin/users?status=invited", Some(&admin)).await).await;
    assert!(list.contains("sari@halaman.go.id") && list.contains("Undangan belum diterima"));
    let id = user_row(&app, "sari@halaman.go.id").await.id;
    let (_, edit) = text(app.page(&format!("/admin/users/{id}"), Some(&admin)).await).await;
    assert!(
        edit.contains(&format!(r#"action="/users/{id}/invitation""#)),
        "{edit}"
    );

    // The invitee's page: a bad password keeps the link good.
    let path = format!("/invitation/{token}");
    let (status, page) = text(app.page(&path, None).await).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Selamat datang, Sari Wulandari"), "{page}");
    assert!(page.contains("sari@halaman.go.id"));
    let (status, page) = text(
        app.form(
            &path,
            None,
            &[
                ("new_password", FIRST_PASSWORD),
                ("confirm_password", "lain"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains(r#"id="f-confirm_password-error""#), "{page}");
    let resp = app
        .form(
            &path,
            None,
            &[
                ("new_password", FIRST_PASSWORD),
                ("confirm_password", FIRST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(resp.status(), Status::SeeOther);
    assert_eq!(resp.headers().get_one("Location"), Some("/"));
    let cookie = resp
        .headers()
        .get("Set-Cookie")
        .find(|c| c.starts_with("duta_session="))
        .map(str::to_string);
    assert!(cookie.is_some(), "signed in at once");
    let (status, page) = text(app.page(&path, None).await).await;
    assert_eq!(status, Status::Conflict, "used once");
    assert!(page.contains("sudah dipakai"), "{page}");
    let (status, page) = text(app.page("/invitation/bukan-tautan", None).await).await;
    assert_eq!(status, Status::NotFound);
    assert!(page.contains("tidak dikenal"), "{page}");
}

#[rocket::async_test]
async fn invited_staff_set_up_two_step_sign_in_first_when_the_programme_requires_it() {
    let app = TestApp::spawn().await;
    let inst = app.institution("Kementerian Dua Langkah").await;
    let admin = app.user("admin", "admin@pusat.go.id", None, None).await;
    let admin = app.token(admin).await;
    let body = json!({
        "email": "tia@langkah.go.id", "name": "Tia", "role": "coordinator", "institution_id": inst,
    });
    let (_, made) = post(&app, "/api/v1/users", Some(&admin), body).await;
    let token = token_of(made["invitation"]["link"].as_str().unwrap());
    // The programme requires two-step sign-in of staff from now on.
    let mut settings = json(app.get_api("/api/v1/settings", Some(&admin)).await)
        .await
        .1;
    settings["two_factor_required"] = json!(true);
    let (status, body) = json(
        app.send_api("PUT", "/api/v1/settings", Some(&admin), &settings)
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    let (status, done) = accept(&app, &token, FIRST_PASSWORD).await;
    assert_eq!(status, Status::Ok, "{done}");
    let session = done["token"].as_str().unwrap();
    // Signed in, but the coordinator's work waits for the second step.
    let status = app
        .get_api("/api/v1/vetting/candidates", Some(session))
        .await
        .status();
    assert_eq!(status, Status::Forbidden);
    let (status, setup) = post(
        &app,
        "/api/v1/me/two-factor/setup",
        Some(session),
        json!({}),
    )
    .await;
    assert_eq!(status, Status::Ok, "{setup}");
    assert!(setup["secret"].is_string());
}
