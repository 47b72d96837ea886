//! Recruitment's plain rules: what a programme page's text may be, the shape of a referral
//! code, the links, the page's paragraphs and the QR code of a link.

use crate::text::Text;

/// A programme page's headline: one line.
pub const HEADLINE: Text = Text::line(3, 200);
/// Its text: paragraphs separated by an empty line, at most 5,000 characters.
pub const BODY: Text = Text::lines(0, 5_000);

/// The purpose a referral code is made for (see `NipKey::link_code`).
pub const REFERRAL: &str = "referral";
/// A referral code as the API accepts it: an ambassador's id and 12 hex digits.
pub const REFERRAL_PATTERN: &str = "^[1-9][0-9]{0,17}-[0-9a-f]{12}$";
/// The longest referral code (18 digits, a hyphen, 12 hex digits).
pub const REFERRAL_MAX: usize = 31;

/// Whether `code` has the shape of a referral code (it may still name nobody).
pub fn is_referral_shaped(code: &str) -> bool {
    let Some((id, tag)) = code.split_once('-') else {
        return false;
    };
    !id.is_empty()
        && id.len() <= 18
        && !id.starts_with('0')
        && id.bytes().all(|b| b.is_ascii_digit())
        && tag.len() == 12
        && tag.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The public programme page of an institution, with a referral code when there is one.
pub fn programme_path(institution_id: i64, referral: Option<&str>) -> String {
    match referral {
        Some(code) => format!("/program/{institution_id}?ref={code}"),
        None => format!("/program/{institution_id}"),
    }
}

/// The sign-up form for an institution, carrying a referral code when there is one.
pub fn signup_path(institution_id: i64, referral: Option<&str>) -> String {
    match referral {
        Some(code) => format!("/signup?institution={institution_id}&ref={code}"),
        None => format!("/signup?institution={institution_id}"),
    }
}

/// The QR code (SVG) of the link for the programme page of an institution.
pub fn qr_path(institution_id: i64, referral: Option<&str>) -> String {
    match referral {
        Some(code) => format!("/program/{institution_id}/qr.svg?ref={code}"),
        None => format!("/program/{institution_id}/qr.svg"),
    }
}

/// A page's text as paragraphs: split at empty lines, each trimmed, empty ones left out;
/// the lines inside a paragraph are kept (the page shows them as line breaks).
pub fn paragraphs(body: &str) -> Vec<String> {
    let body = body.replace("\r\n", "\n").replace('\r', "\n");
    body.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// An SVG drawing of the QR code of `link`, large enough to print (at least 320 px) and
/// with its quiet zone; `None` for a link too long for a QR code.
pub fn qr_svg(link: &str) -> Option<String> {
    let code = qrcode::QrCode::new(link.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(320, 320)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referral_codes_have_one_shape() {
        // The OpenAPI document's pattern says the same as the server's check.
        let pattern = regex::Regex::new(REFERRAL_PATTERN).unwrap();
        assert!(is_referral_shaped("42-3fa9c0d18e2b"));
        for bad in [
            "",
            "42",
            "42-",
            "-3fa9c0d18e2b",
            "042-3fa9c0d18e2b",
            "42-3FA9C0D18E2B",
            "42-3fa9c0d18e2",
            "42-3fa9c0d18e2bb",
            "4a-3fa9c0d18e2b",
            "42-3fa9c0d18e2g",
            "1234567890123456789-3fa9c0d18e2b",
            "42-3fa9c0d18e2b ",
        ] {
            assert!(!is_referral_shaped(bad), "{bad:?}");
            assert!(
                !pattern.is_match(bad),
                "the documented pattern takes {bad:?}"
            );
        }
        assert!(pattern.is_match("42-3fa9c0d18e2b"));
        let longest = format!("{}-{}", "9".repeat(18), "a".repeat(12));
        assert!(is_referral_shaped(&longest));
        assert_eq!(longest.len(), REFERRAL_MAX);
    }

    #[test]
    fn links_carry_the_referral_code_only_when_there_is_one() {
        assert_eq!(programme_path(7, None), "/program/7");
        assert_eq!(
            programme_path(7, Some("3-aaaaaaaaaaaa")),
            "/program/7?ref=3-aaaaaaaaaaaa"
        );
        assert_eq!(signup_path(7, None), "/signup?institution=7");
        assert_eq!(
            signup_path(7, Some("3-aaaaaaaaaaaa")),
            "/signup?institution=7&ref=3-aaaaaaaaaaaa"
        );
        assert_eq!(qr_path(7, None), "/program/7/qr.svg");
    }

    #[test]
    fn paragraphs_are_split_at_empty_lines() {
        assert_eq!(
            paragraphs("  Satu\r\nbaris dua\r\n\r\n\r\nTiga  \n\n \n"),
            vec!["Satu\nbaris dua".to_string(), "Tiga".to_string()]
        );
        assert!(paragraphs(" \n\n ").is_empty());
    }

    #[test]
    fn a_qr_code_is_drawn_for_a_link() {
        let svg = qr_svg("https://duta.example.go.id/program/7?ref=42-3fa9c0d18e2b").unwrap();
        assert!(svg.starts_with("<?xml") || svg.starts_with("<svg"));
        assert!(svg.contains("<path") || svg.contains("<rect"));
        assert!(qr_svg(&"x".repeat(8_000)).is_none());
    }
}
