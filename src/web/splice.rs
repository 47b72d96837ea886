//! Pages with large parts rendered before (and shared between requests): the template
//! is rendered with a short mark where each part goes, and the part is put in its place
//! afterwards, so that it is not copied through the template context (which
//! `rocket_dyn_templates` serialises twice) nor walked by Tera.

use rocket::response::content::RawHtml;
use rocket_dyn_templates::Metadata;
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::kept::{Kept, Topic};
use crate::web::i18n::Lang;
use crate::web::layout::Layout;

/// A mark for a part: an HTML comment, so that a mark left in a page shows nothing.
pub fn mark(name: &str) -> String {
    format!("<!--duta:part:{name}-->")
}

/// Renders `name` with `context`, then puts each part where its mark (the first one)
/// stands. A part whose mark the template does not print is left out.
pub fn render(
    templates: &Metadata<'_>,
    name: &'static str,
    context: impl Serialize,
    parts: &[(&str, &str)],
) -> AppResult<RawHtml<String>> {
    let (_, html) = templates
        .render(name, context)
        .ok_or_else(|| AppError::internal(format!("template {name} did not render")))?;
    Ok(RawHtml(put(html, parts)))
}

/// Pages kept at most. A page is some tens of kilobytes (the progress page with 52 week
/// cells is about 30 KB), so this bounds them to some tens of MiB.
const MAX_OWN_PAGES: usize = 1_000;

/// A part of the application state (`crate::state`): the pages that show one viewer their
/// own things (an ambassador's home and progress), rendered with a marked layout (see
/// `crate::web::layout::Layout::marked`) and kept per viewer, page and language under the
/// `week` stamp and a fingerprint of everything else they show (the kept week's serial, the
/// board's stamp, the window, the unread count, hours left, …): a repeated visit costs a
/// lookup and a fill. One page per viewer and page is kept; another fingerprint replaces
/// it.
pub struct OwnPages(Kept<(i64, &'static str, Lang), (Vec<i64>, String)>);

impl Default for OwnPages {
    fn default() -> Self {
        OwnPages(Kept::new(Topic::Week, MAX_OWN_PAGES))
    }
}

impl OwnPages {
    /// The page kept for this viewer at `stamp` (the `week` stamp read before anything it
    /// shows) with this fingerprint, or `render`'s, which is then kept.
    pub async fn get_or_render<F, Fut>(
        &self,
        stamp: i64,
        key: (i64, &'static str, Lang),
        fingerprint: Vec<i64>,
        render: F,
    ) -> AppResult<std::sync::Arc<(Vec<i64>, String)>>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = AppResult<String>>,
    {
        if let Some(page) = self.0.find(stamp, &key) {
            if page.0 == fingerprint {
                return Ok(page);
            }
        }
        let html = render().await?;
        Ok(self.0.keep(stamp, key, (fingerprint, html)))
    }

    /// The page for this request: `render` with the request's own layout when it carries
    /// a flash message (such pages are not kept), else the kept page (or `render`'s with a
    /// marked layout, then kept) filled with this layout's values.
    pub async fn serve<F>(
        &self,
        stamp: i64,
        key: (i64, &'static str, Lang),
        fingerprint: Vec<i64>,
        layout: &Layout,
        render: F,
    ) -> AppResult<RawHtml<String>>
    where
        F: Fn(Layout) -> AppResult<RawHtml<String>>,
    {
        if layout.flash.is_some() {
            return render(layout.clone());
        }
        let page = self
            .get_or_render(stamp, key, fingerprint, || async {
                Ok(render(layout.marked())?.0)
            })
            .await?;
        Ok(RawHtml(layout.fill(&page.1)))
    }

    /// How many pages are kept (for tests).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn put(html: String, parts: &[(&str, &str)]) -> String {
    let extra: usize = parts.iter().map(|(_, p)| p.len()).sum();
    let mut found: Vec<(usize, usize, &str)> = parts
        .iter()
        .filter_map(|(name, part)| {
            let m = mark(name);
            html.find(&m).map(|at| (at, m.len(), *part))
        })
        .collect();
    if found.is_empty() {
        return html;
    }
    found.sort_by_key(|f| f.0);
    let mut out = String::with_capacity(html.len() + extra);
    let mut from = 0;
    for (at, len, part) in found {
        if at < from {
            continue;
        }
        out.push_str(&html[from..at]);
        out.push_str(part);
        from = at + len;
    }
    out.push_str(&html[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_go_where_their_marks_stand() {
        let html = format!("<ul>{}</ul><select>{}</select>", mark("rows"), mark("opts"));
        let out = put(
            html,
            &[("opts", "<option>b</option>"), ("rows", "<li>a</li>")],
        );
        assert_eq!(
            out,
            "<ul><li>a</li></ul><select><option>b</option></select>"
        );
    }

    #[test]
    fn a_part_without_its_mark_is_left_out_and_text_like_a_mark_inside_a_part_stays() {
        let html = format!("<p>{}</p>", mark("rows"));
        let out = put(html, &[("rows", &mark("opts")), ("opts", "<b>x</b>")]);
        assert_eq!(out, format!("<p>{}</p>", mark("opts")));
    }
}
