//! Text a person types, defined once for the server's check and for the OpenAPI
//! document, so the two cannot disagree.
//!
//! A rule counts characters (Unicode scalar values, as JSON Schema's `maxLength` does):
//! - at most `max` characters as sent, spaces included;
//! - at least `min` characters once spaces at both ends are trimmed (what is stored);
//! - no control characters (U+0000–U+001F, U+007F–U+009F); text of several lines may
//!   hold tab, line feed and carriage return.
//!
//! The document says the same with `maxLength` and a `pattern` written in the common
//! subset of ECMA 262 and Python regular expressions, with the whitespace of Rust's
//! `str::trim` (Unicode `White_Space`) spelt out.

use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Schema};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    pub min: usize,
    pub max: usize,
    /// Tab, line feed and carriage return are allowed.
    pub lines: bool,
}

/// Characters that are neither control characters nor `White_Space`.
const VISIBLE: &str =
    "[^\\u0000-\\u0020\\u007f-\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
/// Rust's `White_Space`, which `str::trim` removes.
pub const SPACE: &str =
    "[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
/// Any character but a control character.
const ONE_LINE: &str = "[^\\u0000-\\u001f\\u007f-\\u009f]";
/// Any character but a control character other than tab, line feed and carriage return.
const SEVERAL_LINES: &str = "[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]";

impl Text {
    /// One line of `min` to `max` characters.
    pub const fn line(min: usize, max: usize) -> Text {
        Text {
            min,
            max,
            lines: false,
        }
    }

    /// Text of several lines, `min` to `max` characters.
    pub const fn lines(min: usize, max: usize) -> Text {
        Text {
            min,
            max,
            lines: true,
        }
    }

    fn allowed(&self, c: char) -> bool {
        !c.is_control() || (self.lines && matches!(c, '\t' | '\n' | '\r'))
    }

    /// The text trimmed, when `raw` meets the rule.
    pub fn clean(&self, raw: &str) -> Option<String> {
        if raw.chars().count() > self.max || !raw.chars().all(|c| self.allowed(c)) {
            return None;
        }
        let trimmed = raw.trim();
        (trimmed.chars().count() >= self.min).then(|| trimmed.to_string())
    }

    /// The rule as a regular expression (the length limit is `maxLength`).
    pub fn pattern(&self) -> String {
        let any = if self.lines { SEVERAL_LINES } else { ONE_LINE };
        match self.min {
            0 => format!("^{any}*$"),
            1 => format!("^{any}*{VISIBLE}{any}*$"),
            n => format!("^{any}*{VISIBLE}{any}{{{},}}{VISIBLE}{any}*$", n - 2),
        }
    }

    /// The rule as a JSON Schema string.
    pub fn schema(&self) -> ObjectBuilder {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(self.min))
            .max_length(Some(self.max))
            .pattern(Some(self.pattern()))
    }

    /// The rule for a field that may also be `null`.
    pub fn nullable_schema(&self) -> ObjectBuilder {
        self.schema()
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                Type::String,
                Type::Null,
            ]))
    }
}

/// `#[schema(schema_with = …)]` wants a function; this makes one from a rule.
#[macro_export]
macro_rules! text_schema {
    ($name:ident, $rule:expr) => {
        pub fn $name() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
            utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Object($rule.schema().build()))
        }
    };
    ($name:ident, $rule:expr, nullable) => {
        pub fn $name() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
            utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Object(
                $rule.nullable_schema().build(),
            ))
        }
    };
}

/// A list of 1 to `max` distinct positive ids (the bulk actions' `ids`).
pub fn id_list_schema(max: usize) -> RefOr<Schema> {
    use utoipa::openapi::schema::ArrayBuilder;
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                    utoipa::openapi::KnownFormat::Int64,
                )))
                .minimum(Some(1)),
        )
        .min_items(Some(1))
        .max_items(Some(max))
        .unique_items(true)
        .build()
        .into()
}

pub fn as_schema(builder: ObjectBuilder) -> RefOr<Schema> {
    RefOr::T(Schema::Object(builder.build()))
}

/// A string the server reads only when it matches `pattern` (the document's `pattern`).
pub fn pattern_schema(pattern: String) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
}

/// The longest email address Duta takes, as sent (spaces around it included).
pub const EMAIL_MAX: usize = 254;

/// An email address as Duta takes it: ASCII, one `@`, at most 64 characters before it,
/// a dotted domain of letters, digits and hyphens; spaces around it are ignored.
pub fn email_pattern() -> String {
    format!("^{SPACE}*[!-?A-~]{{1,64}}@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+{SPACE}*$")
}

pub fn email_schema() -> RefOr<Schema> {
    as_schema(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(EMAIL_MAX))
            .pattern(Some(email_pattern()))
            .examples([serde_json::json!("humas@kominfo.go.id")]),
    )
}

/// The first and last years a date may name (`YYYY-MM-DD`).
pub const YEARS: (i32, i32) = (2000, 2100);

/// A calendar date `YYYY-MM-DD` from 2000 to 2100, or empty (no date).
pub const DATE_PATTERN: &str = concat!(
    "^$|^(20[0-9]{2}|2100)-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])",
    "|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))$",
    "|^20(0[048]|[2468][048]|[13579][26])-02-29$"
);

/// Text that is not a date as [`DATE_PATTERN`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotADate;

/// A date as [`DATE_PATTERN`] says: `None` for an empty one.
pub fn date(raw: &str) -> Result<Option<chrono::NaiveDate>, NotADate> {
    if raw.is_empty() {
        return Ok(None);
    }
    if raw.len() != 10 {
        return Err(NotADate);
    }
    match chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) if (YEARS.0..=YEARS.1).contains(&chrono::Datelike::year(&d)) => Ok(Some(d)),
        _ => Err(NotADate),
    }
}

pub fn date_schema() -> RefOr<Schema> {
    as_schema(pattern_schema(DATE_PATTERN.to_string()).examples([serde_json::json!("2026-11-24")]))
}

/// A date as [`date_schema`] says it, or `null`.
pub fn nullable_date_schema() -> RefOr<Schema> {
    as_schema(
        ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                Type::String,
                Type::Null,
            ]))
            .pattern(Some(DATE_PATTERN)),
    )
}

/// One of a fixed set of words, as the document's `enum`.
pub fn choice(values: &[&str]) -> RefOr<Schema> {
    as_schema(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values.iter().copied())),
    )
}

/// One of a fixed set of words, or `null`.
pub fn nullable_choice(values: &[&str]) -> RefOr<Schema> {
    as_schema(
        ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                Type::String,
                Type::Null,
            ]))
            .enum_values(Some(
                values
                    .iter()
                    .map(|v| serde_json::json!(v))
                    .chain([serde_json::Value::Null]),
            )),
    )
}

#[cfg(test)]
mod tests {
    use super::Text;

    #[test]
    fn date_pattern_is_the_calendar() {
        let re = regex::Regex::new(super::DATE_PATTERN).expect("compiles");
        let mut day = chrono::NaiveDate::from_ymd_opt(1999, 12, 1).expect("day");
        while day < chrono::NaiveDate::from_ymd_opt(2101, 1, 31).expect("day") {
            let text = day.format("%Y-%m-%d").to_string();
            assert_eq!(re.is_match(&text), super::date(&text).is_ok(), "{text}");
            day = day.succ_opt().expect("next");
        }
        for bad in [
            "2023-02-29",
            "2100-02-29",
            "2026-04-31",
            "2026-13-01",
            "2026-1-01",
            " 2026-01-01",
            "2026-01-01x",
            "+2026-01-01",
        ] {
            assert!(!re.is_match(bad), "{bad}");
            assert!(super::date(bad).is_err(), "{bad}");
        }
        assert!(re.is_match("") && super::date("") == Ok(None));
        assert!(re.is_match("2000-02-29") && re.is_match("2096-02-29"));
    }

    /// The server's check and the document's pattern agree on every kind of edge: the
    /// pattern is run with the `regex` crate's reading of the same syntax.
    #[test]
    fn check_and_pattern_agree() {
        let rules = [
            Text::line(0, 10),
            Text::line(1, 10),
            Text::line(2, 10),
            Text::lines(5, 40),
        ];
        let samples = [
            "",
            " ",
            "a",
            " a ",
            "ab",
            " a b ",
            "a\u{3000}",
            "\u{a0}a\u{a0}b",
            "a\u{85}b",
            "a\nb",
            "a\tb c",
            "ab\u{7}",
            "abcdefghij",
            "abcdefghijk",
            " abcdefghi ",
            "\u{feff}",
            "a\u{200b}b",
            "lima kata\r\nsaja",
            "\u{2028}ab\u{2029}",
        ];
        for rule in rules {
            let re = regex::Regex::new(&rule.pattern()).expect("pattern compiles");
            for s in samples {
                let by_schema = s.chars().count() <= rule.max && re.is_match(s);
                assert_eq!(
                    rule.clean(s).is_some(),
                    by_schema,
                    "{rule:?} on {s:?}: check and document disagree"
                );
            }
        }
    }
}
