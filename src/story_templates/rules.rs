//! Pure rules of storytelling templates: the blanks of a body, guidance that matches
//! them, rendering a draft, and each platform's length rule.

use std::collections::{BTreeMap, BTreeSet};

/// The longest template body Duta accepts.
pub const MAX_BODY_CHARS: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    TooLong,
    /// A `{{` without its `}}` (at this character offset).
    Unclosed(usize),
    /// A blank whose name is not lower-case letters, digits and `_` (1–40 characters).
    BadName(String),
    NoBlanks,
}

impl TemplateError {
    pub fn key(&self) -> &'static str {
        match self {
            TemplateError::TooLong => "templates.too_long",
            TemplateError::Unclosed(_) => "templates.unclosed",
            TemplateError::BadName(_) => "templates.bad_name",
            TemplateError::NoBlanks => "templates.no_blanks",
        }
    }
}

/// A body holds no control characters but tab, line feed and carriage return.
pub fn body_chars_ok(body: &str) -> bool {
    !body
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// A body as [`blanks`] and [`body_chars_ok`] take it, as a regular expression (its
/// length is `maxLength`): text with no `{{` outside blanks, at least one blank
/// `{{ name }}` whose name is 1 to 40 lower-case letters, digits or `_`.
pub fn body_pattern() -> String {
    let ctrl = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f";
    let text = format!("([^{{{ctrl}]|\\{{[^{{{ctrl}])*");
    // The spaces `trim` removes, less the control characters a body may not hold.
    let space = "[\\t\\n\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
    let blank = format!("\\{{\\{{{space}*[a-z0-9_]{{1,40}}{space}*\\}}\\}}");
    format!("^({text}{blank})+{text}(\\{{)?$")
}

/// A blank's name: 1 to 40 lower-case letters, digits or `_`.
pub fn valid_name(name: &str) -> bool {
    (1..=40).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The blanks of a body in order of first appearance (`{{ hook }}` and `{{hook}}` alike).
pub fn blanks(body: &str) -> Result<Vec<String>, TemplateError> {
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(TemplateError::TooLong);
    }
    let mut out: Vec<String> = Vec::new();
    let mut rest = body;
    let mut offset = 0;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(TemplateError::Unclosed(offset + start));
        };
        let name = after[..end].trim();
        if after[..end].contains("{{") || !valid_name(name) {
            return Err(TemplateError::BadName(name.chars().take(40).collect()));
        }
        if !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
        let consumed = start + 2 + end + 2;
        offset += consumed;
        rest = &rest[consumed..];
    }
    if out.is_empty() {
        return Err(TemplateError::NoBlanks);
    }
    Ok(out)
}

/// Blanks without guidance, and guidance for blanks the body does not have.
pub fn guidance_mismatch(
    blanks: &[String],
    guidance: &BTreeMap<String, String>,
) -> (Vec<String>, Vec<String>) {
    let named: BTreeSet<&str> = blanks.iter().map(String::as_str).collect();
    let guided: BTreeSet<&str> = guidance
        .iter()
        .filter(|(_, text)| !text.trim().is_empty())
        .map(|(k, _)| k.as_str())
        .collect();
    (
        named.difference(&guided).map(|s| s.to_string()).collect(),
        guidance
            .keys()
            .filter(|k| !named.contains(k.as_str()))
            .cloned()
            .collect(),
    )
}

/// Fills the blanks; an unfilled blank disappears, and the draft is trimmed of the blank
/// lines that leaves.
pub fn render(body: &str, fields: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = after[..end].trim();
                if let Some(value) = fields.get(name) {
                    out.push_str(value.trim());
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    let mut lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    lines.dedup_by(|a, b| a.is_empty() && b.is_empty());
    lines.join("\n").trim().to_string()
}

/// Appends the brief's hashtags and mentions on their own line, without repeating any the
/// draft already has.
pub fn append_tags(draft: &str, hashtags: &[String], mentions: &[String]) -> String {
    let lower = draft.to_lowercase();
    let extra: Vec<&str> = hashtags
        .iter()
        .chain(mentions)
        .map(String::as_str)
        .filter(|t| !lower.contains(&t.to_lowercase()))
        .collect();
    if extra.is_empty() {
        draft.to_string()
    } else {
        format!("{draft}\n\n{}", extra.join(" "))
    }
}

/// Each platform's limit, in that platform's own counting.
pub fn limit(platform: &str) -> Option<usize> {
    match platform {
        "x" => Some(280),
        "instagram" | "tiktok" => Some(2_200),
        "facebook" => Some(63_206),
        "youtube" => Some(5_000),
        _ => None,
    }
}

const TLDS: [&str; 12] = [
    "id", "com", "org", "net", "info", "io", "co", "gov", "edu", "me", "ly", "app",
];

/// Whether a whitespace-separated token is a link X would shorten.
fn is_url(token: &str) -> bool {
    let t = token.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'']);
    if t.starts_with("http://") || t.starts_with("https://") {
        return t.len() > 8;
    }
    let host = t.split('/').next().unwrap_or("");
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && labels
            .last()
            .is_some_and(|tld| TLDS.contains(&tld.to_ascii_lowercase().as_str()))
}

/// X's weight of one character: 1 for Latin and common punctuation, 2 for the rest
/// (CJK, emoji); joiners, variation selectors and skin-tone modifiers add nothing.
fn x_weight(c: char) -> usize {
    let cp = c as u32;
    match cp {
        0x200D | 0xFE0E | 0xFE0F | 0x1F3FB..=0x1F3FF => 0,
        0..=4351 | 8192..=8205 | 8208..=8223 | 8242..=8247 => 1,
        _ => 2,
    }
}

/// A draft's length as the platform counts it: on X every link counts 23 and characters
/// are weighted; elsewhere, Unicode characters.
pub fn length(platform: &str, text: &str) -> usize {
    if platform != "x" {
        return text.chars().count();
    }
    let mut total = 0;
    let mut token = String::new();
    let flush = |token: &mut String, total: &mut usize| {
        if !token.is_empty() {
            *total += if is_url(token) {
                23
            } else {
                token.chars().map(x_weight).sum()
            };
            token.clear();
        }
    };
    for c in text.chars() {
        if c.is_whitespace() {
            flush(&mut token, &mut total);
            total += 1;
        } else {
            token.push(c);
        }
    }
    flush(&mut token, &mut total);
    total
}

/// How much of the draft repeats the brief's sample wording: the share of the draft's
/// word trigrams found in the sample (0.0 to 1.0). Above [`NUDGE_SHARE`] the composer
/// nudges the ambassador to tell it in their own words.
pub fn repeated_share(draft: &str, sample: &str) -> f64 {
    fn trigrams(text: &str) -> Vec<String> {
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        words.windows(3).map(|w| w.join(" ")).collect()
    }
    let d = trigrams(draft);
    if d.is_empty() {
        return 0.0;
    }
    let s: BTreeSet<String> = trigrams(sample).into_iter().collect();
    d.iter().filter(|t| s.contains(*t)).count() as f64 / d.len() as f64
}

pub const NUDGE_SHARE: f64 = 0.6;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_in_order_once() {
        let b = blanks("{{hook}}\n\n{{ konteks }} lalu {{data_1}} dan lagi {{hook}}").unwrap();
        assert_eq!(b, vec!["hook", "konteks", "data_1"]);
    }

    #[test]
    fn hostile_bodies_are_refused() {
        assert_eq!(
            blanks("Halo {{hook").unwrap_err(),
            TemplateError::Unclosed(5)
        );
        assert!(matches!(
            blanks("{{../../etc}}").unwrap_err(),
            TemplateError::BadName(_)
        ));
        assert!(matches!(
            blanks("{{Hook}}").unwrap_err(),
            TemplateError::BadName(_)
        ));
        assert!(matches!(
            blanks("{{a {{b}}").unwrap_err(),
            TemplateError::BadName(_)
        ));
        assert_eq!(blanks("tanpa isian").unwrap_err(), TemplateError::NoBlanks);
        assert_eq!(
            blanks(&"a".repeat(1024 * 1024)).unwrap_err(),
            TemplateError::TooLong
        );
    }

    #[test]
    fn guidance_must_match_the_blanks() {
        let b = vec!["hook".to_string(), "ajakan".to_string()];
        let g: BTreeMap<String, String> = [
            ("hook".to_string(), "Buka dengan pertanyaan".to_string()),
            ("data".to_string(), "Angka".to_string()),
        ]
        .into();
        assert_eq!(
            guidance_mismatch(&b, &g),
            (vec!["ajakan".to_string()], vec!["data".to_string()])
        );
    }

    #[test]
    fn rendering_fills_and_tidies() {
        let f: BTreeMap<String, String> =
            [("hook".to_string(), " Tahukah Anda? ".to_string())].into();
        assert_eq!(
            render("{{hook}}\n\n{{isi}}\n\nSalam", &f),
            "Tahukah Anda?\n\nSalam"
        );
        let tagged = append_tags(
            "Ayo vaksin #SehatBersama",
            &["#sehatbersama".into(), "#Indonesia".into()],
            &["@kemenkes".into()],
        );
        assert_eq!(tagged, "Ayo vaksin #SehatBersama\n\n#Indonesia @kemenkes");
    }

    #[test]
    fn x_counts_links_as_23_and_emoji_as_2() {
        assert_eq!(length("x", "Halo dunia"), 10);
        assert_eq!(
            length(
                "x",
                "Baca https://www.kominfo.go.id/berita/sangat/panjang/sekali?utm=1"
            ),
            5 + 23
        );
        assert_eq!(length("x", "Lihat kominfo.go.id/x."), 6 + 23);
        assert_eq!(length("x", "🇮🇩"), 4, "a flag is two regional indicators");
        assert_eq!(length("x", "👍🏽"), 2, "a skin tone adds nothing");
        assert_eq!(
            length("x", "👨‍👩‍👧"),
            6,
            "joined emoji: three people, joiners free"
        );
        assert_eq!(
            length("x", "Rp1.000.000"),
            11,
            "numbers with dots are not links"
        );
        assert_eq!(length("instagram", "Halo 🇮🇩"), 7);
        let long = "Kabar baik dari Desa Sukamaju. ".repeat(10);
        assert!(length("x", &long) > limit("x").unwrap());
    }

    #[test]
    fn nudge_when_the_sample_is_copied() {
        let sample = "Program vaksinasi gratis tersedia di seluruh puskesmas mulai Senin depan";
        assert!(repeated_share(sample, sample) > 0.99);
        let own = "Tadi pagi saya antar ibu ke puskesmas dekat rumah, vaksinnya gratis dan cepat";
        assert!(repeated_share(own, sample) < NUDGE_SHARE);
        assert_eq!(repeated_share("", sample), 0.0);
    }
}

/// A template Duta ships (from `shipped.toml`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ShippedTemplate {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub body: String,
    pub example: String,
    pub guidance: BTreeMap<String, String>,
}

#[derive(serde::Deserialize)]
struct Shipped {
    templates: Vec<ShippedTemplate>,
}

/// The Indonesian templates Duta ships; checked by the tests below.
pub fn shipped() -> Vec<ShippedTemplate> {
    toml::from_str::<Shipped>(include_str!("shipped.toml"))
        .map(|s| s.templates)
        .unwrap_or_default()
}

#[cfg(test)]
mod shipped_tests {
    use super::*;

    #[test]
    fn at_least_five_shipped_templates_each_consistent() {
        let all = shipped();
        assert!(all.len() >= 5, "{} templates", all.len());
        for t in &all {
            let b = blanks(&t.body).unwrap_or_else(|e| panic!("{}: {e:?}", t.slug));
            assert_eq!(
                guidance_mismatch(&b, &t.guidance),
                (vec![], vec![]),
                "{}",
                t.slug
            );
            assert!(!t.example.trim().is_empty() && !t.description.trim().is_empty());
        }
        let clarification = all.iter().find(|t| t.slug == "klarifikasi-hoaks").unwrap();
        let fields: BTreeMap<String, String> = clarification
            .guidance
            .keys()
            .map(|k| (k.clone(), format!("isi {k}")))
            .collect();
        let draft = render(&clarification.body, &fields);
        assert!(draft.starts_with("Beredar kabar: isi klaim") && length("x", &draft) <= 280);
    }
}

#[cfg(test)]
mod body_pattern_tests {
    use super::{blanks, body_chars_ok, body_pattern, MAX_BODY_CHARS};

    #[test]
    fn rules_and_pattern_agree() {
        let re = regex::Regex::new(&body_pattern()).expect("compiles");
        let long = format!("{{{{a}}}}{}", "x".repeat(MAX_BODY_CHARS));
        let samples = [
            "{{hook}}",
            "Halo {{ nama }}!",
            "{{a}}{{b}}",
            "tanpa bagian",
            "{{Hook}}",
            "{{}}",
            "{{a}",
            "{a}} {{b}}",
            "x{{{a}}",
            "{{a}}{",
            "{{a}}{{",
            "{ {{a}} }",
            "{{a}}}",
            "{{a\u{7}}}",
            "{{a}}\u{7}",
            "{{a}}\r\n\t",
            "{{ a b }}",
            "{{\u{3000}a\u{a0}}}",
            "{{a}}\u{85}",
            long.as_str(),
            "{x}{{a}}",
            "{{\u{85}a}}",
            "{{\u{b}a}}",
            "{{\na\t}}",
        ];
        for s in samples {
            let by_rules = blanks(s).is_ok() && body_chars_ok(s);
            let by_schema = s.chars().count() <= MAX_BODY_CHARS && re.is_match(s);
            assert_eq!(by_rules, by_schema, "{s:?}");
        }
    }
}
