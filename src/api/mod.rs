//! The OpenAPI document at `/api/openapi.json`, generated from the handlers'
//! annotations (the JSON body guard every domain uses is `crate::web::json`), and the
//! API's answer to a method a path does not have (405 with `Allow`), read off the same
//! document so the two cannot disagree.

use std::sync::OnceLock;

use rocket::catcher::{BoxFuture, Catcher};
use rocket::http::{Header, Status};
use rocket::request::Request;
use rocket::serde::json::Json;
use serde_json::{json, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Duta API", description = "ASN ambassador programmes for government PR offices (humas)."),
    paths(
        crate::auth::api::login,
        crate::auth::api::logout,
        crate::ambassadors::api::me,
        crate::auth::api::change_password,
        crate::auth::api::two_factor_setup,
        crate::auth::api::two_factor_enable,
        crate::auth::api::two_factor_disable,
        crate::auth::api::two_factor_recovery_codes,
        crate::auth::api::forgot_password,
        crate::auth::api::reset_password,
        crate::auth::api::password_reset_link,
        crate::auth::api::reset_two_factor,
        crate::auth::api::confirm_email,
        crate::auth::api::accept_invitation,
        crate::auth::api::send_invitation,
        crate::auth::api::revoke_invitation,
        crate::auth::api::resend_confirmation,
        crate::org::api::index,
        crate::org::api::create,
        crate::org::api::show,
        crate::org::api::work_units,
        crate::org::api::create_work_unit,
        crate::org::api::change,
        crate::org::api::change_work_unit,
        crate::org::api::merge_work_unit,
        crate::accounts::api::index,
        crate::accounts::api::create,
        crate::accounts::api::update,
        crate::accounts::api::deactivate,
        crate::accounts::api::reactivate,
        crate::settings::api::show,
        crate::settings::api::update,
        crate::ambassadors::api::signup,
        crate::ambassadors::api::signup_form,
        crate::ambassadors::api::show_own,
        crate::ambassadors::api::resubmit,
        crate::ambassadors::api::upload_screenshot,
        crate::ambassadors::api::add_account,
        crate::vetting::api::index,
        crate::vetting::api::show,
        crate::vetting::api::approve,
        crate::vetting::api::reject,
        crate::vetting::api::followers,
        crate::vetting::api::recheck,
        crate::vetting::api::suspend,
        crate::vetting::api::remove,
        crate::vetting::api::reinstate,
        crate::vetting::api::correct,
        crate::home::api::show,
        crate::roster::api::index,
        crate::roster::api::bulk,
        crate::vetting::api::import,
        crate::briefs::api::create,
        crate::briefs::api::update,
        crate::briefs::api::index,
        crate::briefs::api::current,
        crate::briefs::api::show,
        crate::briefs::api::pause_all,
        crate::briefs::api::resume_all,
        crate::briefs::api::add_image,
        crate::briefs::api::replace_image,
        crate::briefs::api::delete_image,
        crate::briefs::api::audience,
        crate::briefs::api::copy,
        crate::briefs::api::delete,
        crate::story_templates::api::index,
        crate::story_templates::api::create,
        crate::story_templates::api::render,
        crate::story_templates::api::update,
        crate::story_templates::api::archive,
        crate::story_templates::api::restore,
        crate::notifications::api::index,
        crate::notifications::api::email,
        crate::notifications::api::set_email,
        crate::submissions::api::create,
        crate::submissions::api::mine,
        crate::submissions::api::queue,
        crate::submissions::api::show,
        crate::submissions::api::verify,
        crate::submissions::api::reject,
        crate::submissions::api::revert,
        crate::submissions::api::bulk_verify,
        crate::submissions::api::bulk_reject,
        crate::leaderboard::api::index,
        crate::leaderboard::api::me,
        crate::leaderboard::api::holidays,
        crate::leaderboard::api::add_holiday,
        crate::leaderboard::api::remove_holiday,
        crate::leaderboard::api::leaves,
        crate::leaderboard::api::add_leave,
        crate::leaderboard::api::update_leave,
        crate::leaderboard::api::cancel_leave,
        crate::stats::api::participation,
        crate::privacy::api::export,
        crate::privacy::api::correct,
        crate::privacy::api::withdraw,
        crate::privacy::api::erase,
        crate::audit::api::index,
        crate::integrity::api::index,
        crate::integrity::api::clear,
        crate::notifications::api::push_key,
        crate::notifications::api::push_subscriptions,
        crate::notifications::api::push_subscribe,
        crate::notifications::api::push_unsubscribe,
        crate::hoaxes::api::create,
        crate::hoaxes::api::mine,
        crate::hoaxes::api::index,
        crate::hoaxes::api::show,
        crate::hoaxes::api::decide,
        crate::hoaxes::api::forward,
        crate::briefs::api::clarify,
        crate::briefs::api::seen,
        crate::briefs::api::amplification,
        crate::narratives::api::create,
        crate::narratives::api::index,
        crate::narratives::api::show,
        crate::narratives::api::adopt,
        crate::narratives::api::decline,
        crate::recruitment::api::show,
        crate::recruitment::api::update,
        crate::recruitment::api::referral,
        crate::recruitment::api::recruitment,
        crate::recognition::api::rules,
        crate::recognition::api::mine,
        crate::recognition::api::set_board,
        crate::recognition::api::issue,
        crate::recognition::api::list,
        crate::recognition::api::my_certificates,
        crate::recognition::api::verify,
        crate::mentoring::api::request,
        crate::mentoring::api::index,
        crate::mentoring::api::show,
        crate::mentoring::api::comment,
        crate::mentoring::api::revise,
        crate::mentoring::api::name_mentor,
        crate::mentoring::api::end_mentor,
        crate::training::api::index,
        crate::training::api::show,
        crate::training::api::attempt,
        crate::training::api::create,
        crate::training::api::update,
        crate::training::api::archive,
        crate::training::api::required,
        crate::training::api::progress,
        crate::jobs::api::index,
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Operations that count failed attempts and answer 429 while a client is throttled.
const THROTTLED: &[&str] = &["/api/v1/auth/login"];

/// The document as served: the handlers' annotations plus the error answers the framework
/// gives every operation of a kind — 400, 413 and 422 for a JSON body (malformed, too
/// large, of the wrong shape or with an unknown field), 422 for a parameter that does not
/// parse (a number out of its type's range), 404 for a path with an id, 409 for a write
/// that conflicts with what the programme holds, 401 and 403 for an operation that needs
/// a token, 503 for a write while the disk is full — and the rules of query parameters
/// that are code. Built once.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null);
        if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
            for (path, item) in paths.iter_mut() {
                let Some(item) = item.as_object_mut() else {
                    continue;
                };
                for (method, op) in item.iter_mut() {
                    add_error_answers(path, method, op);
                    add_query_rules(path, op);
                }
            }
        }
        if let Some(schemas) = doc
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
        {
            for (name, rule) in body_rules() {
                if let Some(schema) = schemas.get_mut(name).and_then(Value::as_object_mut) {
                    if let Some(rule) = rule.as_object() {
                        schema.extend(rule.clone());
                    }
                }
            }
        }
        doc
    })
}

fn add_error_answers(path: &str, method: &str, op: &mut Value) {
    let has_body = op.get("requestBody").is_some();
    let has_params = op
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|p| !p.is_empty());
    let secured = op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    let mut codes: Vec<(&str, &str)> = Vec::new();
    if has_body {
        codes.push(("400", "The body is not JSON (or not a form)."));
        codes.push(("413", "The body is over its size limit."));
    }
    if op
        .pointer("/requestBody/content/multipart~1form-data")
        .is_some()
    {
        codes.push(("415", "The body is not `multipart/form-data`."));
    }
    if has_body || has_params {
        codes.push((
            "422",
            "A field or parameter breaks its constraints, or the body has a field the operation does not have.",
        ));
    }
    if path.contains('{') {
        codes.push((
            "404",
            "No such object, or it is outside the caller's scope.",
        ));
    }
    if secured && (method != "get" || has_params) {
        codes.push((
            "409",
            "Well formed, but it conflicts with what the programme holds: a field names an object that does not exist or is out of reach, or the object is not in a state that allows this (`fields` says which).",
        ));
    }
    if secured {
        codes.push((
            "401",
            "No token, or a token that has expired or was revoked.",
        ));
        codes.push((
            "403",
            "The caller's role may not do this (or their two-step sign-in is not set up yet).",
        ));
    }
    if method != "get" {
        codes.push((
            "503",
            "The disk under the database or the uploads is full: nothing was stored; `Retry-After` says when to send it again.",
        ));
    }
    if THROTTLED.contains(&path) {
        codes.push((
            "429",
            "Too many failed attempts; `Retry-After` says when to try again.",
        ));
    }
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    for (code, description) in codes {
        responses
            .entry(code)
            .or_insert_with(|| error_answer(description));
    }
}

/// Query parameters whose rules are code (text rules, dates): the handlers' annotations
/// give their names and meaning, and this their schema, from the same definitions the
/// server checks with.
fn query_rules() -> Vec<(&'static str, &'static str, RefOr<Schema>)> {
    use crate::text::{as_schema, date_schema};
    let filter = || as_schema(crate::audit::service::FILTER_TEXT.schema());
    vec![
        ("/api/v1/audit", "action", filter()),
        ("/api/v1/audit", "actor", filter()),
        ("/api/v1/audit", "target_type", filter()),
        ("/api/v1/audit", "from", date_schema()),
        ("/api/v1/audit", "to", date_schema()),
        (
            "/api/v1/users",
            "q",
            as_schema(crate::accounts::service::SEARCH_TEXT.schema()),
        ),
        (
            "/api/v1/briefs",
            "week",
            crate::briefs::rules::week_or_blank_schema(),
        ),
        ("/api/v1/stats/participation", "weeks", {
            let windows = crate::stats::rules::WINDOWS.iter().map(|w| json!(w));
            as_schema(
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::Integer)
                    .enum_values(Some(windows)),
            )
        }),
    ]
}

/// Rules between the fields of a body, in JSON Schema's `if`/`then`/`else`.
fn body_rules() -> Vec<(&'static str, Value)> {
    let unscoped = json!({"enum": ["national", "admin"]});
    let no_scope = json!({
        "properties": {"institution_id": {"type": "null"}, "work_unit_id": {"type": "null"}}
    });
    vec![
        // National users and admins belong to no institution; the others to one.
        (
            "NewUser",
            json!({
                "if": {"properties": {"role": unscoped}, "required": ["role"]},
                "then": no_scope,
                "else": {
                    "required": ["institution_id"],
                    "properties": {"institution_id": {"type": "integer"}}
                }
            }),
        ),
        // The neutrality period: both days or neither.
        (
            "SettingsInput",
            json!({
                "if": {
                    "properties": {"neutrality_from": {"type": "string", "minLength": 1}},
                    "required": ["neutrality_from"]
                },
                "then": {
                    "required": ["neutrality_to"],
                    "properties": {"neutrality_to": {"type": "string", "minLength": 1}}
                },
                "else": {
                    "properties": {"neutrality_to": {"anyOf": [{"type": "null"}, {"maxLength": 0}]}}
                }
            }),
        ),
        (
            "UserUpdate",
            json!({
                "if": {"properties": {"role": unscoped}, "required": ["role"]},
                "then": no_scope
            }),
        ),
    ]
}

fn add_query_rules(path: &str, op: &mut Value) {
    let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
        return;
    };
    for (rule_path, name, schema) in query_rules() {
        if rule_path != path {
            continue;
        }
        if let Some(param) = params.iter_mut().find(|p| p["name"] == name) {
            param["schema"] = serde_json::to_value(schema).unwrap_or(Value::Null);
        }
    }
}

fn error_answer(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiErrorBody"}}}
    })
}

#[rocket::get("/openapi.json")]
pub fn openapi() -> Json<&'static Value> {
    Json(document())
}

/// One path of the document: its segments (`None` for a `{parameter}`) and methods.
struct PathMethods {
    segments: Vec<Option<String>>,
    methods: Vec<String>,
}

fn path_table() -> &'static [PathMethods] {
    static TABLE: OnceLock<Vec<PathMethods>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let Some(paths) = document().get("paths").and_then(Value::as_object) else {
            return Vec::new();
        };
        paths
            .iter()
            .map(|(path, item)| PathMethods {
                segments: path
                    .trim_matches('/')
                    .split('/')
                    .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
                    .collect(),
                methods: item
                    .as_object()
                    .map(|ops| ops.keys().map(|m| m.to_uppercase()).collect())
                    .unwrap_or_default(),
            })
            .collect()
    })
}

/// The methods the document gives the request's path, when it has the path at all. A
/// path with fixed segments wins over one with parameters (`/briefs/current` over
/// `/briefs/{id}`), as in OpenAPI.
pub fn allowed_methods(path: &str) -> Option<&'static [String]> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    path_table()
        .iter()
        .filter(|p| {
            p.segments.len() == segments.len()
                && p.segments
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t.as_deref().is_none_or(|t| t == *s))
        })
        .max_by_key(|p| p.segments.iter().filter(|s| s.is_some()).count())
        .map(|p| p.methods.as_slice())
}

/// 400, 404 and 422 under `/api`: when the path exists with other methods, the answer is
/// 405 with `Allow`; otherwise the usual error answer.
fn method_or_error<'r>(status: Status, req: &'r Request<'_>) -> BoxFuture<'r> {
    Box::pin(async move {
        let method = req.method().as_str();
        let path = req.uri().path().as_str();
        // Rocket answers a method it does not know (QUERY, PROPFIND, …) with 400 before
        // routing, as a GET that reached no route.
        let unknown_method = status == Status::BadRequest && req.route().is_none();
        if let Some(methods) = allowed_methods(path) {
            let listed = methods.iter().any(|m| m == method)
                || (method == "HEAD" && methods.iter().any(|m| m == "GET"));
            if unknown_method || !listed {
                let mut answer = crate::web::catchers::api_error(Status::MethodNotAllowed, req);
                answer.set_header(Header::new("Allow", methods.join(", ")));
                return Ok(answer);
            }
        }
        Ok(crate::web::catchers::api_error(status, req))
    })
}

/// The API's catchers for 400, 404 and 422 (405 when the method is the problem); every other
/// status goes to `web::catchers::api_catchers`.
pub fn catchers() -> Vec<Catcher> {
    vec![
        Catcher::new(400, method_or_error),
        Catcher::new(404, method_or_error),
        Catcher::new(422, method_or_error),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_rules_reach_the_document() {
        let doc = super::document();
        let from = doc["paths"]["/api/v1/audit"]["get"]["parameters"]
            .as_array()
            .and_then(|p| p.iter().find(|p| p["name"] == "from"))
            .map(|p| p["schema"]["pattern"].clone());
        assert_eq!(from, Some(serde_json::json!(crate::text::DATE_PATTERN)));
        let weeks = doc["paths"]["/api/v1/stats/participation"]["get"]["parameters"]
            .as_array()
            .and_then(|p| p.iter().find(|p| p["name"] == "weeks"))
            .map(|p| p["schema"]["enum"].clone());
        assert_eq!(weeks, Some(serde_json::json!([4, 12, 26, 52])));
    }
}
