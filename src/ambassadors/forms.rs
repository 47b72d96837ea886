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
    /// `facebook`, `x`, `instagram`, `tiktok` or `youtube` (letters in either case,
    /// spaces around ignored); each platform at most once in the list.
    #[serde(default)]
    #[schema(required = true, schema_with = platform_name_schema)]
    pub platform: String,
    /// The handle, `@handle` or the profile URL (`https://x.com/handle`,
    /// `instagram.com/handle/`, `facebook.com/profile.php?id=…`). What a handle may be
    /// depends on the platform: X 1–15 letters, digits or `_`; Instagram 1–30 letters,
    /// digits, `_` or `.` (no `.` first, last or twice in a row); Facebook 5–50 letters,
    /// digits or `.`, or a profile number of 5–20 digits; TikTok 2–24 letters, digits, `_`
    /// or `.`; YouTube 3–30 letters, digits, `_`, `.` or `-`. Empty for an optional
    /// platform means "not given"; a required platform needs one.
    #[serde(default)]
    #[schema(required = true, schema_with = handle_schema)]
    pub handle: String,
    /// `api` (checked automatically where Duta has the platform's API, see
    /// `api_platforms` in `GET /api/v1/signup/form`) or `screenshot` (the default when
    /// empty).
    #[serde(default)]
    #[schema(schema_with = method_schema)]
    pub method: String,
    /// The self-reported follower count; required with `screenshot`.
    #[schema(schema_with = nullable_count_schema)]
    pub count: Option<serde_json::Value>,
}

/// A handle or profile URL as sent: at most 200 characters, none of them a control
/// character (what else it must be depends on the platform: `normalize_handle`).
pub const HANDLE: crate::text::Text = crate::text::Text::line(0, 200);

/// `word` with each ASCII letter in either case, as a regular expression.
fn caseless(word: &str) -> String {
    word.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                format!("[{}{}]", c.to_ascii_uppercase(), c)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A platform's name as [`check_platforms`] reads it (trimmed, ASCII case ignored).
pub fn platform_name_pattern() -> String {
    let space = crate::text::SPACE;
    let names: Vec<String> = PLATFORMS.iter().map(|p| caseless(p)).collect();
    format!("^{space}*({}){space}*$", names.join("|"))
}

fn platform_name_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(crate::text::pattern_schema(platform_name_pattern()))
}

/// A handle as [`HANDLE`] says (the rules of each platform are in the field's
/// description).
pub fn handle_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(HANDLE.schema())
}

/// The method as [`check_platforms`] reads it: `api`, `screenshot` or empty, spaces
/// around ignored.
pub fn method_pattern() -> String {
    let space = crate::text::SPACE;
    format!("^{space}*(api|screenshot)?{space}*$")
}

fn method_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(crate::text::pattern_schema(method_pattern()))
}

/// [`count_schema`], or blank or `null` (no count: only with `api`).
fn nullable_count_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    count_or_none(true)
}

/// [`count_schema`], or blank (no count): a form field, where a number and its digits as
/// text are the same bytes.
pub fn blank_count_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    count_or_none(false)
}

fn count_or_none(null: bool) -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    let utoipa::openapi::RefOr::T(utoipa::openapi::Schema::OneOf(count)) = count_schema() else {
        unreachable!("count_schema is a oneOf")
    };
    let mut items = count.items;
    let blank = format!("^{}*$", crate::text::SPACE);
    items.push(crate::text::pattern_schema(blank).into());
    if null {
        items.push(ObjectBuilder::new().schema_type(Type::Null).into());
    }
    let mut one_of = OneOfBuilder::new();
    for item in items {
        one_of = one_of.item(item);
    }
    utoipa::openapi::RefOr::T(utoipa::openapi::Schema::OneOf(one_of.build()))
}

/// An application to become an ambassador. Besides each field's own rule: the NIP must
/// read as an 18-digit NIP of the `employee_type` given (a real birth date, not in the
/// future; for PNS a TMT month 01–12 not in the future), the work unit must belong to the
/// institution, the password must not be the email address, and `platforms` must hold
/// every platform the programme requires (`required_platforms` in `GET
/// /api/v1/signup/form`) with a handle, and a count for those sent with `screenshot`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Siti Rahmawati",
    "display_name": "Siti R.",
    "nip": "19860926 201505 2 001",
    "employee_type": "pns",
    "email": "siti.rahmawati@kominfo.go.id",
    "phone": "0812 3456 7890",
    "institution_id": 1,
    "work_unit_id": 1,
    "password": "kata sandi yang panjang",
    "consent": true,
    "consent_version": CONSENT_VERSION,
    "platforms": [
        {"platform": "facebook", "handle": "siti.rahma.86", "method": "screenshot", "count": 812},
        {"platform": "x", "handle": "@SitiR_86", "method": "screenshot", "count": "1.250"},
        {"platform": "instagram", "handle": "https://instagram.com/siti.r86/", "method": "screenshot", "count": 640}
    ]
}))]
pub struct SignupRequest {
    #[serde(default)]
    #[schema(required = true, schema_with = person_name_schema)]
    pub name: String,
    /// The name shown on the leaderboard.
    #[serde(default)]
    #[schema(required = true, schema_with = display_name_schema)]
    pub display_name: String,
    /// 18 digits; spaces and dots between them are ignored (`19860926 201505 2 001`).
    #[serde(default)]
    #[schema(required = true, schema_with = nip_schema)]
    pub nip: String,
    /// `pns` or `pppk` (either case).
    #[serde(default)]
    #[schema(required = true, schema_with = employee_type_schema)]
    pub employee_type: String,
    #[serde(default)]
    #[schema(required = true, schema_with = crate::text::email_schema)]
    pub email: String,
    /// An Indonesian mobile (WhatsApp) number; stored as +62…
    #[serde(default)]
    #[schema(required = true, schema_with = phone_schema)]
    pub phone: String,
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub institution_id: Option<i64>,
    /// A work unit of the institution.
    #[schema(required = true, value_type = i64, minimum = 1)]
    pub work_unit_id: Option<i64>,
    #[serde(default)]
    #[schema(required = true, schema_with = crate::accounts::forms::new_password_schema)]
    pub password: String,
    /// Agreement to the consent text; must be `true`.
    #[serde(default)]
    #[schema(required = true, schema_with = consent_schema)]
    pub consent: bool,
    /// The version of the consent text agreed to (see `GET /api/v1/signup/form`).
    #[serde(default)]
    #[schema(required = true, schema_with = consent_version_schema)]
    pub consent_version: String,
    #[serde(default)]
    #[schema(required = true, max_items = 5)]
    pub platforms: Vec<PlatformInput>,
    /// The referral code of the link the candidate came through (see
    /// `GET /api/v1/institutions/{id}/programme`): recorded as their referrer when it is
    /// an approved ambassador's of the institution signed up to; any other well-formed
    /// code is ignored.
    #[serde(default)]
    #[schema(schema_with = crate::recruitment::forms::referral_schema)]
    pub referral_code: Option<String>,
}

/// What a candidate may change when fixing and resubmitting.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResubmitRequest {
    #[serde(default)]
    #[schema(required = true, schema_with = display_name_schema)]
    pub display_name: String,
    #[serde(default)]
    #[schema(required = true, schema_with = phone_schema)]
    pub phone: String,
    /// Another work unit of the institution; absent or `null` keeps the current one.
    #[schema(minimum = 1)]
    pub work_unit_id: Option<i64>,
    #[serde(default)]
    #[schema(required = true, max_items = 5)]
    pub platforms: Vec<PlatformInput>,
}

crate::text_schema!(person_name_schema, crate::accounts::rules::PERSON_NAME);
crate::text_schema!(display_name_schema, crate::accounts::rules::DISPLAY_NAME);

/// A NIP as [`parse_nip`] reads it before its dates: 18 digits, with any spaces and dots.
pub fn nip_pattern() -> String {
    let gap = format!("({}|\\.)*", crate::text::SPACE);
    format!("^({gap}[0-9]){{18}}{gap}$")
}

fn nip_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(
        crate::text::pattern_schema(nip_pattern())
            .examples([serde_json::json!("19860926 201505 2 001")]),
    )
}

/// `pns` or `pppk` as [`EmployeeType::parse`] reads them.
pub fn employee_type_pattern() -> String {
    let space = crate::text::SPACE;
    format!(
        "^{space}*({}|{}){space}*$",
        caseless("pns"),
        caseless("pppk")
    )
}

fn employee_type_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(
        crate::text::pattern_schema(employee_type_pattern()).examples([serde_json::json!("pns")]),
    )
}

fn phone_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(super::rules::phone_schema())
}

fn consent_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::as_schema(
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Boolean)
            .enum_values(Some([true])),
    )
}

fn consent_version_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::text::choice(&[CONSENT_VERSION])
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
            .item(crate::text::pattern_schema(text))
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
        let platform = p.platform.trim().to_ascii_lowercase();
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
        let handle = HANDLE
            .clean(&p.handle)
            .and_then(|h| normalize_handle(&platform, &h));
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
        // A blank count is no count, as `null` is.
        let given = p.count.as_ref().filter(|v| match v {
            serde_json::Value::Null => false,
            serde_json::Value::String(s) => !s.trim().is_empty(),
            _ => true,
        });
        let count = match (given, method) {
            (None, "screenshot") => {
                errors.add(&field("count"), Msg::new("signup.count_required"));
                None
            }
            (None, _) => None,
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
    let display = crate::accounts::rules::DISPLAY_NAME.clean(display_name);
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
            referral_code: None,
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

    /// Each pattern of the sign-up document accepts exactly what the server reads.
    #[test]
    fn signup_patterns_agree_with_the_checks() {
        use super::super::rules::clean_nip;
        let nip = regex::Regex::new(&nip_pattern()).expect("compiles");
        for s in [
            "19860926 201505 2 001",
            "198609262015052001",
            "1986.0926.2015.05.2.001",
            " 198609262015052001\u{3000}",
            "19860926201505200",
            "1986092620150520011",
            "19860926-201505-2-001",
            "",
            "١٩٨٦٠٩٢٦٢٠١٥٠٥٢٠٠١",
            "19860926\t201505\n2 001",
        ] {
            let digits = clean_nip(s);
            let by_server = digits.len() == 18 && digits.chars().all(|c| c.is_ascii_digit());
            assert_eq!(by_server, nip.is_match(s), "nip {s:?}");
        }
        let kind = regex::Regex::new(&employee_type_pattern()).expect("compiles");
        for s in [
            "pns", "PPPK", " Pns ", "pn s", "honorer", "", "pppkk", "\u{212a}",
        ] {
            assert_eq!(EmployeeType::parse(s).is_some(), kind.is_match(s), "{s:?}");
        }
        let platform = regex::Regex::new(&platform_name_pattern()).expect("compiles");
        for s in [
            "x",
            " X ",
            "Instagram",
            "ti\u{212a}tok",
            "twitter",
            "",
            "youtube\n",
        ] {
            let by_server = PLATFORMS.contains(&s.trim().to_ascii_lowercase().as_str());
            assert_eq!(by_server, platform.is_match(s), "{s:?}");
        }
        let method = regex::Regex::new(&method_pattern()).expect("compiles");
        for (s, ok) in [
            ("", true),
            (" api ", true),
            ("screenshot", true),
            ("API", false),
            ("manual", false),
        ] {
            assert_eq!(method.is_match(s), ok, "{s:?}");
        }
    }

    /// A blank count is a missing one: refused with `screenshot`, nothing with `api`.
    #[test]
    fn a_blank_count_is_no_count() {
        let mut s = good();
        s.platforms[0].count = Some(json!("  "));
        let errors = check_signup(&s, &required(), &[], today()).unwrap_err();
        assert!(
            errors.0.contains_key("platforms.facebook.count"),
            "{errors:?}"
        );
        s.platforms[0].method = "api".into();
        let clean = check_signup(&s, &required(), &["facebook"], today()).unwrap();
        assert_eq!(clean.profile.platforms[0].count, None);
    }

    /// A handle with a control character is refused even where the platform's reading
    /// would find an account in it (a profile URL's query).
    #[test]
    fn a_handle_is_one_line_of_at_most_200_characters() {
        let mut s = good();
        s.platforms[0].handle = "facebook.com/profile.php?id=100012345&x=\u{1}".into();
        assert!(check_signup(&s, &required(), &[], today()).is_err());
        s.platforms[0].handle = "facebook.com/profile.php?id=100012345".into();
        assert!(check_signup(&s, &required(), &[], today()).is_ok());
        s.platforms[0].handle = format!(
            "facebook.com/profile.php?id=100012345&x={}",
            "é".repeat(150)
        );
        assert!(check_signup(&s, &required(), &[], today()).is_ok());
        s.platforms[0].handle = format!(
            "facebook.com/profile.php?id=100012345&x={}",
            "é".repeat(170)
        );
        assert!(check_signup(&s, &required(), &[], today()).is_err());
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

/// The account of a platform that became required, added by an approved ambassador.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountRequest {
    #[serde(default)]
    #[schema(required = true, schema_with = handle_schema)]
    pub handle: String,
}
