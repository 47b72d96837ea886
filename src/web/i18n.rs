//! The one catalogue of every string a person reads, in Indonesian (default) and English.
//!
//! Templates call `t(k="key", l=lang)`; Rust code calls [`t`]. Extra arguments fill
//! `{name}` placeholders. The language comes from the signed-in user's choice, else the
//! `duta_lang` cookie, else `Accept-Language`, else the configured default.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Id,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Id, Lang::En];

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "id" | "id-id" | "in" => Some(Lang::Id),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    /// Picks the first supported language of an `Accept-Language` header, by quality.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut tags: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let primary = tag.split('-').next()?;
                let lang = Lang::parse(primary)?;
                let q = pieces
                    .find_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                    })
                    .unwrap_or(1.0);
                Some((q, lang))
            })
            .collect();
        tags.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        tags.first().map(|(_, l)| *l)
    }
}

pub const LANG_COOKIE: &str = "duta_lang";

type Catalogue = HashMap<String, String>;

fn catalogues() -> &'static (Catalogue, Catalogue) {
    static CATALOGUES: OnceLock<(Catalogue, Catalogue)> = OnceLock::new();
    CATALOGUES.get_or_init(|| {
        (
            parse(include_str!("locales/id.toml")),
            parse(include_str!("locales/en.toml")),
        )
    })
}

/// Flattens `[section] key = "text"` into `section.key`.
fn parse(text: &str) -> Catalogue {
    let mut out = Catalogue::new();
    // The catalogues are compiled in and checked by the unit tests below.
    let value: toml::Table = toml::from_str(text).unwrap_or_default();
    fn walk(prefix: &str, table: &toml::Table, out: &mut Catalogue) {
        for (k, v) in table {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::String(s) => {
                    out.insert(key, s.clone());
                }
                toml::Value::Table(t) => walk(&key, t, out),
                _ => {}
            }
        }
    }
    walk("", &value, &mut out);
    out
}

fn catalogue(lang: Lang) -> &'static Catalogue {
    let (id, en) = catalogues();
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}

/// The text for `key` in `lang`; an unknown key shows itself, so a gap is visible, not fatal.
pub fn t(lang: Lang, key: &str) -> String {
    catalogue(lang)
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// Like [`t`], filling `{name}` placeholders.
pub fn t_with(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut text = t(lang, key);
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

pub fn has_key(lang: Lang, key: &str) -> bool {
    catalogue(lang).contains_key(key)
}

/// The Tera function `t(k=..., l=...)`; an unknown key is an error, so tests catch it.
pub fn tera_t(args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let key = args
        .get("k")
        .and_then(|v| v.as_str())
        .ok_or_else(|| tera::Error::msg("t() needs k=\"key\""))?;
    let lang = args
        .get("l")
        .and_then(|v| v.as_str())
        .and_then(Lang::parse)
        .unwrap_or(Lang::Id);
    let mut text = catalogue(lang).get(key).cloned().ok_or_else(|| {
        tera::Error::msg(format!("no catalogue entry \"{key}\" for {}", lang.code()))
    })?;
    for (name, value) in args {
        if name == "k" || name == "l" {
            continue;
        }
        let shown = match value {
            tera::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        text = text.replace(&format!("{{{name}}}"), &shown);
    }
    Ok(tera::Value::String(text))
}

/// A number as people read it: thousands grouped and the decimal sign of the language
/// (Indonesian `12.345,5`, English `12,345.5`), with `decimals` places.
pub fn format_number(v: f64, decimals: usize, lang: Lang) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let (group, point) = match lang {
        Lang::Id => ('.', ','),
        Lang::En => (',', '.'),
    };
    let fixed = format!("{:.*}", decimals, v.abs());
    let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    let negative = v < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0');
    if negative {
        out.insert(0, '−');
    }
    out
}

fn filter_lang(args: &HashMap<String, tera::Value>) -> Lang {
    args.get("l")
        .and_then(|v| v.as_str())
        .and_then(Lang::parse)
        .unwrap_or(Lang::Id)
}

/// The Tera filter `num(l=lang, d=decimals)`: a number formatted for the language; a
/// missing value shows as a dash.
pub fn tera_num(
    value: &tera::Value,
    args: &HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let decimals = args.get("d").and_then(|v| v.as_u64()).unwrap_or(0).min(6) as usize;
    Ok(tera::Value::String(match value.as_f64() {
        Some(v) => format_number(v, decimals, filter_lang(args)),
        None => "–".into(),
    }))
}

/// The Tera filter `pct(l=lang, d=decimals)`: a share (0–1) as a percentage with one
/// decimal by default, like `42,5 %`; a missing value shows as a dash.
pub fn tera_pct(
    value: &tera::Value,
    args: &HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let decimals = args.get("d").and_then(|v| v.as_u64()).unwrap_or(1).min(6) as usize;
    Ok(tera::Value::String(match value.as_f64() {
        Some(v) => format_percent(v * 100.0, decimals, filter_lang(args)),
        None => "–".into(),
    }))
}

/// The Tera filter `percent(l=lang, d=decimals)`: a figure already in percent (0–100),
/// with no decimals by default; a missing value shows as a dash.
pub fn tera_percent(
    value: &tera::Value,
    args: &HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let decimals = args.get("d").and_then(|v| v.as_u64()).unwrap_or(0).min(6) as usize;
    Ok(tera::Value::String(match value.as_f64() {
        Some(v) => format_percent(v, decimals, filter_lang(args)),
        None => "–".into(),
    }))
}

/// A percentage the way each language writes it: `12,5 %` in Indonesian (PUEBI puts a
/// space before the sign), `12.5%` in English.
pub fn format_percent(v: f64, decimals: usize, lang: Lang) -> String {
    let n = format_number(v, decimals, lang);
    match lang {
        Lang::Id => format!("{n} %"),
        Lang::En => format!("{n}%"),
    }
}

/// Every key of a catalogue, for the test that both languages say everything.
pub fn keys(lang: Lang) -> Vec<String> {
    let mut k: Vec<String> = catalogue(lang).keys().cloned().collect();
    k.sort();
    k
}

use rocket_dyn_templates::tera;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_the_way_each_language_writes_them() {
        assert_eq!(format_number(1234567.0, 0, Lang::Id), "1.234.567");
        assert_eq!(format_number(1050.0, 0, Lang::Id), "1.050");
        assert_eq!(format_number(1050.0, 0, Lang::En), "1,050");
        assert_eq!(format_percent(12.5, 1, Lang::Id), "12,5 %");
        assert_eq!(format_percent(12.5, 1, Lang::En), "12.5%");
        assert_eq!(format_number(1234567.0, 0, Lang::En), "1,234,567");
        assert_eq!(format_number(12.26, 1, Lang::Id), "12,3");
        assert_eq!(format_number(0.5, 2, Lang::En), "0.50");
        assert_eq!(format_number(-3.5, 1, Lang::Id), "−3,5");
        assert_eq!(format_number(-0.01, 1, Lang::Id), "0,0");
        assert_eq!(format_number(999.0, 0, Lang::Id), "999");
        assert_eq!(format_number(f64::NAN, 0, Lang::Id), "–");
        let mut args = HashMap::new();
        args.insert("l".to_string(), tera::Value::from("id"));
        assert_eq!(
            tera_pct(&tera::Value::from(0.4256), &args).ok(),
            Some(tera::Value::from("42,6 %"))
        );
        assert_eq!(
            tera_pct(&tera::Value::Null, &args).ok(),
            Some(tera::Value::from("–"))
        );
    }

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let id = keys(Lang::Id);
        let en = keys(Lang::En);
        let missing_en: Vec<_> = id.iter().filter(|k| !en.contains(k)).collect();
        let missing_id: Vec<_> = en.iter().filter(|k| !id.contains(k)).collect();
        assert!(missing_en.is_empty(), "missing in en.toml: {missing_en:?}");
        assert!(missing_id.is_empty(), "missing in id.toml: {missing_id:?}");
        assert!(id.len() > 50, "catalogue did not parse: {} keys", id.len());
    }

    #[test]
    fn every_key_a_template_uses_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(dir)];
        while let Some(p) = stack.pop() {
            for entry in std::fs::read_dir(&p).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for piece in text.split("t(k=\"").skip(1) {
                    let key = piece.split('"').next().unwrap();
                    // `t(k="roles." ~ role)` builds the key at render time; the prefix is checked by the page tests.
                    if key.ends_with('.') || key.ends_with('_') {
                        continue;
                    }
                    if !has_key(Lang::Id, key) || !has_key(Lang::En, key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from a catalogue: {missing:#?}"
        );
    }

    #[test]
    fn accept_language_respects_quality() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,id;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("fr, id;q=0.5, en;q=0.4"),
            Some(Lang::Id)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
        assert_eq!(Lang::from_accept_language(""), None);
    }

    #[test]
    fn placeholders_are_filled() {
        assert!(t_with(Lang::En, "auth.throttled", &[("minutes", "15")]).contains("15"));
    }
}
