//! The installable app's own pages: the service worker at `/sw.js` (at the root, so it
//! covers every page; compiled in, so every node serves the same one) and the page it
//! shows when the network is gone (`/offline`, kept by the worker at install).

use rocket::http::{ContentType, Header};
use rocket::response::Responder;
use rocket_dyn_templates::Template;
use serde::Serialize;

use crate::web::layout::Layout;

/// The service worker, with no caching by the browser's HTTP cache: a new one is
/// picked up at the next visit.
#[derive(Responder)]
#[response(content_type = "text/javascript")]
pub struct ServiceWorker {
    body: &'static str,
    cache: Header<'static>,
}

#[rocket::get("/sw.js")]
pub fn service_worker() -> ServiceWorker {
    ServiceWorker {
        body: include_str!("../../assets/js/sw.js"),
        cache: Header::new("Cache-Control", "no-cache"),
    }
}

#[derive(Serialize)]
pub struct OfflinePage {
    layout: Layout,
}

/// What the app shows offline for a page it has not kept, and after a draft was saved
/// on the phone to be sent later (the worker marks it `data-queued="1"`).
#[rocket::get("/offline")]
pub fn offline(layout: Layout) -> (ContentType, Template) {
    (
        ContentType::HTML,
        Template::render("offline", OfflinePage { layout }),
    )
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![service_worker, offline]
}
