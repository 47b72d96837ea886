//! Request bodies of sign-up, resubmission and screenshots, and their checks that need
//! no database (those live in `service.rs`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::rules::{normalize_handle, normalize_phone, parse_nip, EmployeeType, NipInfo};
use crate::accounts::rules::{clean_name, is_valid_email, normalize_email};
use crate::auth::passwords::check_new_password;
use crate::error::{FieldErrors, Msg};
use crate::settings::rules::PLATFORMS;

/// The version of the consent text the sign-up form shows; stored with every consent.
pub const CONSENT_VERSION: &str = "2026-11-v1";
/// The largest follower count Duta believes.
pub const MAX_FOLLOWERS: i64 = 10_000_000_000;

/// One platform account as a candidate gives it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlatformInput {
    #[serde(default)]
    pub platform: String,
    /// The handle, `@handle` or the profile URL.
    #[serde(default)]
    pub handle: String,
    /// `api` (checked automatically where Duta has the platform's API) or `screenshot`.
    #[serde(default)]
    pub method: String,
    /// The self-reported follower count (with `screenshot`).
    #[schema(value_type = Option<i64>)]
    pub count: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub nip: String,
    /// `pns` or `pppk`
    #[serde(default)]
    pub employee_type: String,
    #[serde(default)]
    pub email: String,
    /// WhatsApp number; stored as +62…
    #[serde(default)]
    pub phone: String,
    pub institution_id: Option<i64>,
    pub work_unit_id: Option<i64>,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub consent: bool,
    /// The version of the consent text agreed to (see `GET /api/v1/signup/form`).
    #[serde(default)]
    pub consent_version: String,
    #[serde(default)]
    pub platforms: Vec<PlatformInput>,
}

/// What a candidate may change when fixing and resubmitting.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResubmitRequest {
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub phone: String,
    pub work_unit_id: Option<i64>,
    #[serde(default)]
    pub platforms: Vec<PlatformInput>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanPlatform {
    pub platform: String,
    pub handle: String,
    pub method: String,
    pub count: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct CleanProfile {
    pub display_name: String,
    pub phone: String,
    pub platforms: Vec<CleanPlatform>,
}

#[derive(Debug, Clone)]
pub struct CleanSignup {
    pub name: String,
    pub email: String,
    pub nip: NipInfo,
    pub employee_type: EmployeeType,
    pub password: String,
    pub institution_id: i64,
    pub work_unit_id: i64,
    pub profile: CleanProfile,
}

/// A follower count that is not a whole number from 0 to 10^10.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidCount;

/// A follower count from JSON or a form: a whole number from 0 to 10^10; people may
/// type thousands separators (`12.500`, `12,500`, `12 500`).
pub fn parse_count(value: &serde_json::Value) -> Result<i64, InvalidCount> {
    let n = match value {
        serde_json::Value::Number(n) => n.as_i64().ok_or(InvalidCount)?,
        serde_json::Value::String(s) => parse_count_text(s)?,
        _ => return Err(InvalidCount),
    };
    if (0..=MAX_FOLLOWERS).contains(&n) {
        Ok(n)
    } else {
        Err(InvalidCount)
    }
}

/// A follower count as the document gives it: a whole number from 0 to
/// [`MAX_FOLLOWERS`], or text of digits with `.`, `,`, `_` or spaces between them (as
/// people copy it from a profile: `1.050`), as [`parse_count`] reads it.
pub fn count_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    let space = crate::text::SPACE;
    let (d, sep) = ("[0-9]", "[., _]");
    let text = format!(
        "^{space}*({sep}*({d}{sep}*){{1,10}}|{sep}*0{sep}*({d}{sep}*){{10}}|{sep}*1{sep}*(0{sep}*){{10}}){space}*$"
    );
    utoipa::openapi::RefOr::T(utoipa::openapi::Schema::OneOf(
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0))
                    .maximum(Some(MAX_FOLLOWERS)),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(text)),
            )
            .build(),
    ))
}

pub fn parse_count_text(s: &str) -> Result<i64, InvalidCount> {
    let digits: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | ' ' | '_'))
        .collect();
    if digits.is_empty() || digits.len() > 11 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(InvalidCount);
    }
    digits.parse::<i64>().map_err(|_| InvalidCount)
}

/// Checks the platform accounts: every required platform present, handles valid, a
/// method the programme offers for that platform, and a count with `screenshot`.
pub fn check_platforms(
    inputs: &[PlatformInput],
    required: &[String],
    api_platforms: &[&str],
    errors: &mut FieldErrors,
) -> Vec<CleanPlatform> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in inputs {
        let platform = p.platform.trim().to_lowercase();
        if !PLATFORMS.contains(&platform.as_str()) {
            errors.add(
                "platforms",
                Msg::new("signup.platform_unknown").arg("platform", &p.platform),
            );
            continue;
        }
        if !seen.insert(platform.clone()) {
            errors.add(
                "platforms",
                Msg::new("settings.platform_twice").arg("platform", &platform),
            );
            continue;
        }
        // An optional platform left empty is simply not given.
        if p.handle.trim().is_empty() && !required.contains(&platform) {
            continue;
        }
        let field = |f: &str| format!("platforms.{platform}.{f}");
        let handle = normalize_handle(&platform, &p.handle);
        if handle.is_none() {
            let key = if p.handle.trim().is_empty() {
                "signup.handle_required"
            } else {
                "signup.handle_invalid"
            };
            errors.add(&field("handle"), Msg::new(key));
        }
        let method = match p.method.trim() {
            "" | "screenshot" => "screenshot",
            "api" if api_platforms.contains(&platform.as_str()) => "api",
            _ => {
                errors.add(&field("method"), Msg::new("signup.method_unavailable"));
                "screenshot"
            }
        };
        let count = match (&p.count, method) {
            (Some(serde_json::Value::Null) | None, "screenshot") => {
                errors.add(&field("count"), Msg::new("signup.count_required"));
                None
            }
            (Some(serde_json::Value::String(s)), "api") if s.trim().is_empty() => None,
            (Some(serde_json::Value::Null) | None, _) => None,
            (Some(v), _) => match parse_count(v) {
                Ok(n) => Some(n),
                Err(InvalidCount) => {
                    errors.add(&field("count"), Msg::new("signup.count_invalid"));
                    None
                }
            },
        };
        if let Some(handle) = handle {
            out.push(CleanPlatform {
                platform,
                handle,
                method: method.to_string(),
                count,
            });
        }
    }
    for r in required {
        if !seen.contains(r) {
            errors.add(
                &format!("platforms.{r}.handle"),
                Msg::new("signup.handle_required"),
            );
        }
    }
    out
}

/// Everything of a sign-up that can be checked without the database.
pub fn check_signup(
    input: &SignupRequest,
    required: &[String],
    api_platforms: &[&str],
    today: NaiveDate,
) -> Result<CleanSignup, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = clean_name(&input.name);
    if name.is_none() {
        errors.add("name", Msg::new("users.name_invalid"));
    }
    let email = normalize_email(&input.email);
    if !is_valid_email(&input.email) {
        errors.add("email", Msg::new("users.email_invalid"));
    }
    let employee_type = EmployeeType::parse(&input.employee_type);
    if employee_type.is_none() {
        errors.add("employee_type", Msg::new("signup.employee_type_invalid"));
    }
    let nip = employee_type.and_then(|t| match parse_nip(&input.nip, t, today) {
        Ok(info) => Some(info),
        Err(e) => {
            errors.add("nip", Msg::new(e.key()));
            None
        }
    });
    errors
        .0
        .extend(check_new_password("password", &input.password, &email).0);
    if input.institution_id.is_none() {
        errors.add("institution_id", Msg::new("users.institution_required"));
    }
    if input.work_unit_id.is_none() {
        errors.add("work_unit_id", Msg::new("signup.work_unit_required"));
    }
    if !input.consent {
        errors.add("consent", Msg::new("signup.consent_required"));
    } else if input.consent_version != CONSENT_VERSION {
        errors.add("consent", Msg::new("signup.consent_outdated"));
    }
    let profile = check_profile(
        &input.display_name,
        &input.phone,
        &input.platforms,
        required,
        api_platforms,
        &mut errors,
    );
    match (
        name,
        nip,
        employee_type,
        input.institution_id,
        input.work_unit_id,
    ) {
        (Some(name), Some(nip), Some(employee_type), Some(institution_id), Some(work_unit_id))
            if errors.is_empty() =>
        {
            Ok(CleanSignup {
                name,
                email,
                nip,
                employee_type,
                password: input.password.clone(),
                institution_id,
                work_unit_id,
                profile,
            })
        }
        _ => Err(errors),
    }
}

/// The parts a candidate can fix later: display name, phone and platform accounts.
pub fn check_profile(
    display_name: &str,
    phone: &str,
    platforms: &[PlatformInput],
    required: &[String],
    api_platforms: &[&str],
    errors: &mut FieldErrors,
) -> CleanProfile {
    let display = clean_name(display_name).filter(|n| n.chars().count() <= 60);
    if display.is_none() {
        errors.add("display_name", Msg::new("signup.display_name_invalid"));
    }
    let phone = normalize_phone(phone);
    if phone.is_none() {
        errors.add("phone", Msg::new("signup.phone_invalid"));
    }
    let platforms = check_platforms(platforms, required, api_platforms, errors);
    CleanProfile {
        display_name: display.unwrap_or_default(),
        phone: phone.unwrap_or_default(),
        platforms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn required() -> Vec<String> {
        vec!["facebook".into(), "x".into(), "instagram".into()]
    }

    fn good() -> SignupRequest {
        SignupRequest {
            name: "Siti Rahmawati".into(),
            display_name: "Siti R.".into(),
            nip: "19860926 201505 2 001".into(),
            employee_type: "pns".into(),
            email: "siti@kemenkeu.go.id".into(),
            phone: "0812 3456 7890".into(),
            institution_id: Some(1),
            work_unit_id: Some(2),
            password: "a long enough passphrase".into(),
            consent: true,
            consent_version: CONSENT_VERSION.into(),
            platforms: vec![
                PlatformInput {
                    platform: "facebook".into(),
                    handle: "siti.rahma.96".into(),
                    method: "screenshot".into(),
                    count: Some(json!(812)),
                },
                PlatformInput {
                    platform: "x".into(),
                    handle: "@SitiR".into(),
                    method: "screenshot".into(),
                    count: Some(json!("1.250")),
                },
                PlatformInput {
                    platform: "instagram".into(),
                    handle: "https://instagram.com/siti.r/".into(),
                    method: "screenshot".into(),
                    count: Some(json!(640)),
                },
            ],
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn a_good_signup_is_cleaned() {
        let c = check_signup(&good(), &required(), &[], today()).unwrap();
        assert_eq!(c.profile.phone, "+6281234567890");
        assert_eq!(c.profile.platforms[1].handle, "sitir");
        assert_eq!(c.profile.platforms[1].count, Some(1250));
        assert_eq!(c.profile.platforms[2].handle, "siti.r");
    }

    #[test]
    fn hostile_counts_and_handles() {
        for (count, ok) in [
            (json!(-1), false),
            (json!("lima ratus"), false),
            (json!(1e30), false),
            (json!("1000000000000000000000000000000"), false),
            (json!(0), true),
            (json!("12 500"), true),
        ] {
            let mut s = good();
            s.platforms[0].count = Some(count.clone());
            let r = check_signup(&s, &required(), &[], today());
            assert_eq!(r.is_ok(), ok, "{count}");
            if !ok {
                assert!(r.unwrap_err().0.contains_key("platforms.facebook.count"));
            }
        }
        for handle in ["siti rahma", "siti😀", ""] {
            let mut s = good();
            s.platforms[1].handle = handle.into();
            let e = check_signup(&s, &required(), &[], today()).unwrap_err();
            assert!(e.0.contains_key("platforms.x.handle"), "{handle}");
        }
    }

    #[test]
    fn required_platforms_consent_and_methods() {
        let mut s = good();
        s.platforms.remove(2);
        s.consent = false;
        s.platforms[0].method = "api".into();
        let e = check_signup(&s, &required(), &["x"], today()).unwrap_err();
        assert!(e.0.contains_key("platforms.instagram.handle"));
        assert!(e.0.contains_key("consent"));
        assert!(
            e.0.contains_key("platforms.facebook.method"),
            "no API for facebook here"
        );
        let mut s = good();
        s.platforms[1].method = "api".into();
        s.platforms[1].count = None;
        assert!(
            check_signup(&s, &required(), &["x"], today()).is_ok(),
            "api needs no count"
        );
        let mut s = good();
        s.consent_version = "2020-01".into();
        assert!(check_signup(&s, &required(), &[], today())
            .unwrap_err()
            .0
            .contains_key("consent"));
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let s = SignupRequest {
            platforms: vec![],
            ..Default::default()
        };
        let e = check_signup(&s, &required(), &[], today()).unwrap_err();
        for f in [
            "name",
            "email",
            "employee_type",
            "password",
            "institution_id",
            "work_unit_id",
            "consent",
            "display_name",
            "phone",
            "platforms.x.handle",
        ] {
            assert!(e.0.contains_key(f), "{f} not named: {e:?}");
        }
    }
}

#[cfg(test)]
mod count_schema_tests {
    use super::{count_schema, parse_count_text};

    #[test]
    fn text_counts_and_pattern_agree() {
        let doc = serde_json::to_value(count_schema()).expect("schema");
        let pattern = doc["oneOf"][1]["pattern"]
            .as_str()
            .expect("pattern")
            .to_string();
        let re = regex::Regex::new(&pattern).expect("compiles");
        for s in [
            "1.050",
            "1,050",
            " 12 345 ",
            "0",
            "",
            "..",
            "abc",
            "1e3",
            "-5",
            "10000000000",
            "10000000001",
            "09999999999",
            "99999999999",
            "1_000_000",
            "\u{3000}7\u{a0}",
            "١٢",
            "1.0.0.0.0.0.0.0.0.0.0",
            "12345678901",
        ] {
            assert_eq!(
                parse_count_text(s).is_ok_and(|n| n <= super::MAX_FOLLOWERS),
                re.is_match(s),
                "{s:?}"
            );
        }
    }
}
