//! Serving stored images to users in scope, for pages (the session cookie). An image out
//! of scope and a missing one both answer 404, so ids reveal nothing.

use std::io::Cursor;

use rocket::http::{ContentType, Header};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use sea_orm::DatabaseConnection;

use super::service::{self, MediaStore};
use crate::auth::guards::CurrentUser;
use crate::error::AppResult;
use crate::state::Shared;

/// An image answer: never sniffed as anything else, shown inline, cached by the browser
/// only (it is private to the users in scope).
pub struct MediaFile {
    pub content_type: ContentType,
    pub bytes: Vec<u8>,
}

impl<'r> Responder<'r, 'static> for MediaFile {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        Response::build()
            .header(self.content_type)
            .header(Header::new("X-Content-Type-Options", "nosniff"))
            .header(Header::new("Cache-Control", "private, max-age=3600"))
            .header(Header::new("Content-Disposition", "inline"))
            .sized_body(self.bytes.len(), Cursor::new(self.bytes))
            .ok()
    }
}

#[rocket::get("/media/<id>")]
pub async fn show(
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    store: &Shared<MediaStore>,
    id: i64,
) -> AppResult<MediaFile> {
    let (content_type, bytes) = service::get_media_file_for(db, user, store, id, false).await?;
    Ok(MediaFile {
        content_type,
        bytes,
    })
}

#[rocket::get("/media/<id>/thumb")]
pub async fn thumb(
    user: &CurrentUser,
    db: &Shared<DatabaseConnection>,
    store: &Shared<MediaStore>,
    id: i64,
) -> AppResult<MediaFile> {
    let (content_type, bytes) = service::get_media_file_for(db, user, store, id, true).await?;
    Ok(MediaFile {
        content_type,
        bytes,
    })
}

pub fn all() -> Vec<rocket::Route> {
    rocket::routes![show, thumb]
}

#[cfg(test)]
mod tests {
    use rocket::figment::providers::Serialized;
    use rocket::http::{Cookie, Status};
    use rocket::local::asynchronous::Client;
    use rocket_dyn_templates::Template;

    use crate::auth::jwt::JwtKeys;
    use crate::auth::roles::Role;
    use crate::config::AppConfig;
    use crate::media::testdata::{self, institution, setup, user};

    #[rocket::async_test]
    async fn images_are_served_in_scope_with_safe_headers() {
        let s = setup().await;
        let a = institution(&s.db, "Kementerian A").await;
        let b = institution(&s.db, "Kementerian B").await;
        let owner = user(&s.db, Role::Ambassador, Some(a)).await;
        let outsider = user(&s.db, Role::Coordinator, Some(b)).await;
        let m = s
            .store
            .store(
                &s.db,
                owner.id(),
                Some(a),
                "screenshot",
                testdata::png_rgba(600, 300, 100),
            )
            .await
            .unwrap();

        let figment = crate::figment()
            .merge(Serialized::default("log_level", "off"))
            .merge(Serialized::default(
                "template_dir",
                concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
            ))
            .merge(Serialized::default(
                "jwt_keys",
                serde_json::json!([{ "kid": "k1", "secret": "a-secret-of-at-least-thirty-two-chars!" }]),
            ));
        let keys = JwtKeys::from_config(&AppConfig::from_figment(&figment).unwrap()).unwrap();
        let token = |u: &crate::auth::guards::CurrentUser| {
            keys.issue(u.id(), u.role.as_str(), "stamp").unwrap().0
        };
        let (owner_token, outsider_token) = (token(&owner), token(&outsider));
        let rocket = rocket::custom(figment)
            .attach(Template::custom(|engines| {
                engines
                    .tera
                    .register_function("t", crate::web::i18n::tera_t);
            }))
            .manage(
                crate::state::AppState::default()
                    .with(s.db.clone())
                    .with(keys)
                    .with(s.store.clone()),
            )
            .mount("/", crate::media::routes())
            .register("/", crate::web::catchers::html_catchers());
        let client = Client::untracked(rocket).await.unwrap();

        for (path, width) in [
            (format!("/media/{}", m.id), 600),
            (format!("/media/{}/thumb", m.id), 320),
        ] {
            let res = client
                .get(path.as_str())
                .cookie(Cookie::new("duta_session", owner_token.clone()))
                .dispatch()
                .await;
            assert_eq!(res.status(), Status::Ok, "{path}");
            let h = res.headers();
            assert_eq!(h.get_one("Content-Type"), Some("image/png"));
            assert_eq!(h.get_one("X-Content-Type-Options"), Some("nosniff"));
            assert_eq!(h.get_one("Cache-Control"), Some("private, max-age=3600"));
            assert_eq!(h.get_one("Content-Disposition"), Some("inline"));
            let body = res.into_bytes().await.unwrap();
            assert_eq!(image::load_from_memory(&body).unwrap().width(), width);
        }

        for path in [
            format!("/media/{}", m.id),
            format!("/media/{}/thumb", m.id),
            format!("/media/{}", m.id + 1),
        ] {
            let res = client
                .get(path.as_str())
                .cookie(Cookie::new("duta_session", outsider_token.clone()))
                .dispatch()
                .await;
            assert_eq!(res.status(), Status::NotFound, "{path}");
        }

        let res = client.get(format!("/media/{}", m.id)).dispatch().await;
        assert_eq!(res.status(), Status::SeeOther);
    }
}
