//! Pure rules of ambassador identity: the NIP (civil-servant number), WhatsApp numbers
//! and platform handles. Everything here is plain data in, plain data out.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

pub use crate::followers::handles::normalize_handle;

/// PNS (civil servant) or PPPK (government employee with a work agreement).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EmployeeType {
    Pns,
    Pppk,
}

impl EmployeeType {
    pub fn parse(s: &str) -> Option<EmployeeType> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pns" => Some(EmployeeType::Pns),
            "pppk" => Some(EmployeeType::Pppk),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            EmployeeType::Pns => "pns",
            EmployeeType::Pppk => "pppk",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    Male,
    Female,
}

/// What a NIP says about its holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NipInfo {
    /// The 18 digits, without spaces or dots.
    pub digits: String,
    pub birth_date: NaiveDate,
    pub gender: Gender,
    /// PNS: the first day of the TMT CPNS month; PPPK: 1 January of the first contract year.
    pub appointed: NaiveDate,
    /// Whether `appointed` is only known to the year (PPPK).
    pub appointed_year_only: bool,
}

/// Why a NIP was refused, each with its catalogue key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NipError {
    NotDigits,
    Length,
    BirthDate,
    AppointmentMonth,
    AppointmentFuture,
    AppointmentAge,
    Gender,
    Sequence,
}

impl NipError {
    pub fn key(self) -> &'static str {
        match self {
            NipError::NotDigits => "nip.not_digits",
            NipError::Length => "nip.length",
            NipError::BirthDate => "nip.birth_date",
            NipError::AppointmentMonth => "nip.appointment_month",
            NipError::AppointmentFuture => "nip.appointment_future",
            NipError::AppointmentAge => "nip.appointment_age",
            NipError::Gender => "nip.gender",
            NipError::Sequence => "nip.sequence",
        }
    }
}

/// Removes the spaces and dots people type between the NIP's groups.
pub fn clean_nip(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .collect()
}

fn num(s: &str) -> u32 {
    s.parse().unwrap_or(0)
}

/// Whole years from `from` to `to`.
pub fn years_between(from: NaiveDate, to: NaiveDate) -> i32 {
    let mut years = to.year() - from.year();
    if (to.month(), to.day()) < (from.month(), from.day()) {
        years -= 1;
    }
    years
}

/// Parses and checks a NIP of the given type against `today` (in the programme's zone).
pub fn parse_nip(input: &str, kind: EmployeeType, today: NaiveDate) -> Result<NipInfo, NipError> {
    let digits = clean_nip(input);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(NipError::NotDigits);
    }
    if digits.len() != 18 {
        return Err(NipError::Length);
    }
    let birth_date = NaiveDate::from_ymd_opt(
        num(&digits[0..4]) as i32,
        num(&digits[4..6]),
        num(&digits[6..8]),
    )
    .filter(|d| *d <= today && d.year() >= 1900)
    .ok_or(NipError::BirthDate)?;
    let (appointed, year_only) = match kind {
        EmployeeType::Pns => {
            let month = num(&digits[12..14]);
            if !(1..=12).contains(&month) {
                return Err(NipError::AppointmentMonth);
            }
            let date = NaiveDate::from_ymd_opt(num(&digits[8..12]) as i32, month, 1)
                .ok_or(NipError::AppointmentMonth)?;
            (date, false)
        }
        EmployeeType::Pppk => {
            let date = NaiveDate::from_ymd_opt(num(&digits[8..12]) as i32, 1, 1)
                .ok_or(NipError::AppointmentFuture)?;
            (date, true)
        }
    };
    let future = if year_only {
        appointed.year() > today.year()
    } else {
        appointed > today
    };
    if future {
        return Err(NipError::AppointmentFuture);
    }
    // PNS: age on the first of the TMT month; PPPK: the age reached in the contract year.
    let age = if year_only {
        appointed.year() - birth_date.year()
    } else {
        years_between(birth_date, appointed)
    };
    if !(18..=60).contains(&age) {
        return Err(NipError::AppointmentAge);
    }
    let gender = match &digits[14..15] {
        "1" => Gender::Male,
        "2" => Gender::Female,
        _ => return Err(NipError::Gender),
    };
    if &digits[15..18] == "000" {
        return Err(NipError::Sequence);
    }
    Ok(NipInfo {
        digits,
        birth_date,
        gender,
        appointed,
        appointed_year_only: year_only,
    })
}

/// The NIP as everyone but its holder, their coordinators and admins see it:
/// the birth year, the gender digit, the rest hidden (`1986********1***`).
pub fn mask_nip(digits: &str) -> String {
    if digits.len() != 18 || !digits.is_ascii() {
        return "****************".into();
    }
    format!("{}********{}***", &digits[0..4], &digits[14..15])
}

/// The longest phone number as typed (spaces around it included).
pub const MAX_PHONE_CHARS: usize = 32;

/// [`normalize_phone`] as a regular expression (its length is `maxLength`).
pub fn phone_pattern() -> String {
    let space = crate::text::SPACE;
    let sep = "[ ().-]*";
    let rest = format!("({sep}[0-9]){{8,11}}{sep}");
    format!("^{space}*(\\+{sep}6{sep}2{sep}8{rest}|{sep}(6{sep}2{sep}8|0{sep}8|8){rest}){space}*$")
}

/// A phone number as the document gives it: [`phone_pattern`], at most
/// [`MAX_PHONE_CHARS`] characters.
pub fn phone_schema() -> utoipa::openapi::schema::ObjectBuilder {
    crate::text::pattern_schema(phone_pattern())
        .max_length(Some(MAX_PHONE_CHARS))
        .examples([serde_json::json!("0812 3456 7890")])
}

/// Normalises an Indonesian mobile (WhatsApp) number to `+628…`; `None` when it is not one.
/// Accepts `0812…`, `62812…`, `+62 812-…`, `812…`, with spaces, dots, dashes and brackets.
pub fn normalize_phone(input: &str) -> Option<String> {
    let trimmed = input.trim();
    if trimmed.is_empty() || input.chars().count() > MAX_PHONE_CHARS {
        return None;
    }
    let plus = trimmed.starts_with('+');
    let mut digits = String::new();
    for (i, c) in trimmed.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => {}
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    let national = if let Some(rest) = digits.strip_prefix("62") {
        rest.to_string()
    } else if plus {
        return None; // another country's number
    } else if let Some(rest) = digits.strip_prefix('0') {
        rest.to_string()
    } else {
        digits
    };
    let ok = national.starts_with('8') && (9..=12).contains(&national.len());
    ok.then(|| format!("+62{national}"))
}

/// The verdict for a platform account: a count from the API or typed by a coordinator is
/// compared with the threshold; a self-reported count waits for review.
pub fn verdict(method: &str, count: Option<i64>, threshold: i64) -> &'static str {
    match (method, count) {
        ("api" | "coordinator", Some(n)) if n >= threshold => "meets",
        ("api" | "coordinator", Some(_)) => "below",
        _ => "unverified",
    }
}

/// A platform account as the lifecycle rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountState<'a> {
    pub platform: &'a str,
    pub method: &'a str,
    pub count: Option<i64>,
    pub has_screenshot: bool,
    pub verdict: &'a str,
    pub check_error: Option<&'a str>,
}

/// What still stands between a candidate and approval, platform by platform, as
/// catalogue keys: `account`, `screenshot`, `count`, `api_failed`, `below`, `review`.
pub fn missing(required: &[String], accounts: &[AccountState<'_>]) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for platform in required {
        let Some(a) = accounts.iter().find(|a| a.platform == platform) else {
            out.push((platform.clone(), "account"));
            continue;
        };
        let what = match (a.method, a.verdict) {
            (_, "meets") => continue,
            (_, "below") => "below",
            ("api", _) if a.check_error.is_some() => "api_failed",
            ("api", _) => "review",
            ("screenshot", _) if !a.has_screenshot => "screenshot",
            ("screenshot", _) if a.count.is_none() => "count",
            _ => "review",
        };
        out.push((platform.clone(), what));
    }
    out
}

/// Eligible when every required platform meets its threshold.
pub fn is_eligible(required: &[String], accounts: &[AccountState<'_>]) -> bool {
    missing(required, accounts).is_empty()
}

/// Working days (Monday to Friday) from `from` to `to`, not counting `from` itself.
pub fn working_days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    let mut days = 0;
    let mut d = from;
    while d < to {
        d = d.succ_opt().unwrap_or(d);
        if d.weekday().number_from_monday() <= 5 {
            days += 1;
        }
        if days > 366 {
            break;
        }
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn a_real_pns_nip_decodes() {
        let info = parse_nip("19860926 201505 1 001", EmployeeType::Pns, today()).unwrap();
        assert_eq!(info.digits, "198609262015051001");
        assert_eq!(
            info.birth_date,
            NaiveDate::from_ymd_opt(1986, 9, 26).unwrap()
        );
        assert_eq!(info.appointed, NaiveDate::from_ymd_opt(2015, 5, 1).unwrap());
        assert_eq!(info.gender, Gender::Male);
        assert_eq!(
            parse_nip("1986.0926.2015.05.2.001", EmployeeType::Pns, today())
                .unwrap()
                .gender,
            Gender::Female
        );
    }

    #[test]
    fn hostile_nips_are_refused_for_the_right_reason() {
        let t = today();
        let pns = |s: &str| parse_nip(s, EmployeeType::Pns, t);
        assert_eq!(pns("19860926201505100A"), Err(NipError::NotDigits));
        assert_eq!(pns(""), Err(NipError::NotDigits));
        assert_eq!(pns("19860926201505100"), Err(NipError::Length));
        assert_eq!(pns("1986092620150510011"), Err(NipError::Length));
        assert_eq!(
            pns("198602312015051001"),
            Err(NipError::BirthDate),
            "31 February"
        );
        assert_eq!(
            pns("202712012015051001"),
            Err(NipError::BirthDate),
            "born in the future"
        );
        assert_eq!(
            pns("198609262015131001"),
            Err(NipError::AppointmentMonth),
            "month 13"
        );
        assert_eq!(
            pns("198609262015001001"),
            Err(NipError::AppointmentMonth),
            "month 00"
        );
        assert_eq!(
            pns("198609262003051001"),
            Err(NipError::AppointmentAge),
            "appointed at 16"
        );
        assert_eq!(
            pns("195001012015051001"),
            Err(NipError::AppointmentAge),
            "appointed at 65"
        );
        assert_eq!(pns("198609262027011001"), Err(NipError::AppointmentFuture));
        assert_eq!(
            pns("198609262015053001"),
            Err(NipError::Gender),
            "gender digit 3"
        );
        assert_eq!(
            pns("198609262015051000"),
            Err(NipError::Sequence),
            "sequence 000"
        );
    }

    #[test]
    fn appointment_age_bounds_are_inclusive() {
        let t = today();
        // Born 1 May 1997: 18 on 1 May 2015.
        assert!(parse_nip("199705012015051001", EmployeeType::Pns, t).is_ok());
        assert_eq!(
            parse_nip("199705022015051001", EmployeeType::Pns, t),
            Err(NipError::AppointmentAge)
        );
        // This month's appointment is not in the future.
        assert!(parse_nip("199001012026111001", EmployeeType::Pns, t).is_ok());
    }

    #[test]
    fn pppk_layout_and_free_digits() {
        let t = today();
        let info = parse_nip("199003152022991005", EmployeeType::Pppk, t).unwrap();
        assert_eq!(info.appointed, NaiveDate::from_ymd_opt(2022, 1, 1).unwrap());
        assert!(info.appointed_year_only);
        assert_eq!(info.gender, Gender::Male);
        assert_eq!(
            parse_nip("199003152027991005", EmployeeType::Pppk, t),
            Err(NipError::AppointmentFuture)
        );
        assert_eq!(
            parse_nip("199003152022993005", EmployeeType::Pppk, t),
            Err(NipError::Gender)
        );
        assert_eq!(
            parse_nip("199003152022992000", EmployeeType::Pppk, t),
            Err(NipError::Sequence)
        );
        assert_eq!(
            parse_nip("201003152022992001", EmployeeType::Pppk, t),
            Err(NipError::AppointmentAge)
        );
    }

    #[test]
    fn nip_masking_shows_birth_year_and_gender_only() {
        assert_eq!(mask_nip("198609262015051001"), "1986********1***");
        assert_eq!(mask_nip("short"), "****************");
    }

    #[test]
    fn verdicts_and_missing_items() {
        assert_eq!(verdict("api", Some(500), 500), "meets");
        assert_eq!(verdict("coordinator", Some(499), 500), "below");
        assert_eq!(verdict("screenshot", Some(9000), 500), "unverified");
        let required = vec![
            "facebook".to_string(),
            "x".to_string(),
            "instagram".to_string(),
        ];
        let accounts = [
            AccountState {
                platform: "facebook",
                method: "screenshot",
                count: Some(700),
                has_screenshot: false,
                verdict: "unverified",
                check_error: None,
            },
            AccountState {
                platform: "x",
                method: "api",
                count: None,
                has_screenshot: false,
                verdict: "unverified",
                check_error: Some("unavailable"),
            },
        ];
        assert_eq!(
            missing(&required, &accounts),
            vec![
                ("facebook".into(), "screenshot"),
                ("x".into(), "api_failed"),
                ("instagram".into(), "account")
            ]
        );
        let all_meet: Vec<AccountState> = ["facebook", "x", "instagram"]
            .iter()
            .map(|p| AccountState {
                platform: p,
                method: "coordinator",
                count: Some(600),
                has_screenshot: true,
                verdict: "meets",
                check_error: None,
            })
            .collect();
        assert!(is_eligible(&required, &all_meet));
    }

    #[test]
    fn working_days_skip_weekends() {
        let fri = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let mon = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let thu = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(working_days_between(fri, mon), 1);
        assert_eq!(working_days_between(fri, thu), 4);
        assert_eq!(working_days_between(mon, mon), 0);
    }

    #[test]
    fn phones_become_plus_62() {
        for input in [
            "0812-3456-7890",
            "+62 812 3456 7890",
            "6281234567890",
            "81234567890",
            "(0812) 3456.7890",
        ] {
            assert_eq!(
                normalize_phone(input).as_deref(),
                Some("+6281234567890"),
                "{input}"
            );
        }
        for input in [
            "",
            "021-555-1234",
            "+1 650 253 0000",
            "0812 ABC",
            "08123",
            "081234567890123456",
        ] {
            assert_eq!(normalize_phone(input), None, "{input}");
        }
    }

    #[test]
    fn handles_from_urls_and_at_signs() {
        assert_eq!(
            normalize_handle("x", "@Humas_Komdigi").as_deref(),
            Some("humas_komdigi")
        );
        assert_eq!(
            normalize_handle("x", "https://twitter.com/Humas_Komdigi?s=20").as_deref(),
            Some("humas_komdigi")
        );
        assert_eq!(
            normalize_handle("x", "x.com/humas_komdigi/status/123").as_deref(),
            Some("humas_komdigi")
        );
        assert_eq!(
            normalize_handle("instagram", "https://www.instagram.com/siti.rahma/").as_deref(),
            Some("siti.rahma")
        );
        assert_eq!(
            normalize_handle(
                "facebook",
                "https://m.facebook.com/profile.php?id=100012345678"
            )
            .as_deref(),
            Some("100012345678")
        );
        assert_eq!(
            normalize_handle("facebook", "facebook.com/siti.rahma.96").as_deref(),
            Some("siti.rahma.96")
        );
        assert_eq!(
            normalize_handle("tiktok", "https://www.tiktok.com/@siti.rahma").as_deref(),
            Some("siti.rahma")
        );
        assert_eq!(
            normalize_handle("youtube", "youtube.com/@KanalHumas").as_deref(),
            Some("kanalhumas")
        );
    }

    #[test]
    fn hostile_handles_are_refused() {
        for (p, h) in [
            ("x", "humas komdigi"),
            ("x", "humas😀"),
            ("x", "a_name_that_is_far_too_long"),
            ("instagram", ".dot"),
            ("instagram", "a..b"),
            ("facebook", "abc"),
            ("x", "https://instagram.com/someone"),
            ("x", ""),
            ("myspace", "tom"),
            // Found by fuzz/fuzz_targets/handle.rs: a platform's own address with `@`
            // in front is not a handle (it would not read back as itself).
            ("instagram", "@@@instagram.com"),
            ("facebook", "@facebook.com"),
            ("facebook", "facebook.com/facebook.com/ani"),
            ("instagram", "https://www.instagram.com/m.instagram.com/"),
        ] {
            assert_eq!(normalize_handle(p, h), None, "{p}: {h}");
        }
    }
}

#[cfg(test)]
mod phone_pattern_tests {
    use super::{normalize_phone, phone_pattern, MAX_PHONE_CHARS};

    #[test]
    fn normalize_and_pattern_agree() {
        let re = regex::Regex::new(&phone_pattern()).expect("compiles");
        for s in [
            "0812 3456 7890",
            "+62 812-3456-7890",
            "62812345678",
            "812345678",
            "(0812) 345.678",
            "+0812345678",
            "+1 812 345 678",
            "0712345678",
            "08123",
            "0812345678901234",
            "",
            " \u{3000}081234567890 ",
            "0812\t3456789",
            "+ 62 812 3456 789",
            "++62812345678",
            "6281234567",
            "628123456789012",
            "0 8 1 2 3 4 5 6 7 8",
            "١٢٣",
            "081234567890                       ",
        ] {
            let by_schema = s.chars().count() <= MAX_PHONE_CHARS && re.is_match(s);
            assert_eq!(normalize_phone(s).is_some(), by_schema, "{s:?}");
        }
    }
}
