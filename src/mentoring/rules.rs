//! Mentoring's plain rules: the length of what is written, and where a commented passage
//! is in the text it comments on.

use crate::text::Text;

/// A version of a draft: the text as it would be posted.
pub const VERSION: Text = Text::lines(1, 5_000);
/// A reviewer's comment.
pub const BODY: Text = Text::lines(1, 2_000);
/// The passage a comment is about: a piece of the version's text.
pub const PASSAGE: Text = Text::lines(0, 1_000);
/// The wording a reviewer suggests for it.
pub const SUGGESTION: Text = Text::lines(0, 2_000);

/// A review's states: waiting for a reviewer, answered by one, accepted as ready to post.
pub const STATES: [&str; 3] = ["waiting", "answered", "accepted"];

/// Whether `passage` is a piece of `text` (spaces at its ends aside, line endings as
/// `\n`): a comment can only point at what the version says.
pub fn passage_in(text: &str, passage: &str) -> bool {
    let norm = |s: &str| s.replace("\r\n", "\n");
    let passage = norm(passage);
    let passage = passage.trim();
    !passage.is_empty() && norm(text).contains(passage)
}

/// The text of a version with the passage of a comment marked: (before, passage, after);
/// `None` when the passage is no longer in it.
pub fn split_at_passage<'a>(text: &'a str, passage: &str) -> Option<(&'a str, &'a str, &'a str)> {
    let passage = passage.trim();
    if passage.is_empty() {
        return None;
    }
    let start = text.find(passage)?;
    let end = start + passage.len();
    Some((&text[..start], &text[start..end], &text[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passage_must_be_in_the_text() {
        let text = "Layanan KTP kini selesai dalam 1 hari.\r\nDatang ke kantor kecamatan.";
        assert!(passage_in(text, "selesai dalam 1 hari"));
        assert!(passage_in(text, "  1 hari.\nDatang "));
        assert!(!passage_in(text, "selesai dalam 2 hari"));
        assert!(!passage_in(text, "   "));
        assert_eq!(
            split_at_passage("abc def ghi", " def "),
            Some(("abc ", "def", " ghi"))
        );
        assert_eq!(split_at_passage("abc", "x"), None);
    }

    #[test]
    fn the_limits_count_characters() {
        assert!(VERSION.clean(&"é".repeat(5_000)).is_some());
        assert!(VERSION.clean(&"é".repeat(5_001)).is_none());
        assert!(VERSION.clean("  ").is_none());
        assert!(BODY.clean("Bagus\nsekali").is_some());
        assert!(PASSAGE.clean("").is_some());
    }
}
