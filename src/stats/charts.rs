//! Server-side SVG charts for the statistics pages: plain strings of markup with no
//! script, no web font and no chart crate, so they work under a strict CSP, print, and
//! scale to a phone's width (a 420-unit `viewBox` at `width="100%"`).
//!
//! Every string that comes in (titles, labels, series names, units) is XML-escaped
//! here; callers pass plain text.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

/// One named line or stack layer; `None` is a week with no data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// Series of values over the x labels, drawn as lines from a y axis starting at 0.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineChart {
    pub title: String,
    pub x_labels: Vec<String>,
    pub series: Vec<Series>,
    /// Shown above the y axis and in tooltips: "%", "unggahan", …
    pub y_unit: String,
    /// Top of the y axis (100 for a percentage); raised if the data go higher.
    pub y_max: Option<f64>,
    /// "12,5" (Indonesian) instead of "12.5".
    pub decimal_comma: bool,
    /// Shown instead of the plot when there is nothing to draw.
    pub empty_text: String,
}

/// Non-negative values stacked per x label (posts per platform, say); `None` counts as 0.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StackedBars {
    pub title: String,
    pub x_labels: Vec<String>,
    pub series: Vec<Series>,
    pub y_unit: String,
    pub decimal_comma: bool,
    pub empty_text: String,
}

const WIDTH: f64 = 420.0;
const PLOT_HEIGHT: f64 = 240.0;
const MARGIN: f64 = 16.0;
const TITLE_SIZE: f64 = 16.0;
const TITLE_LINE: f64 = 22.0;
const LABEL_SIZE: f64 = 13.0;
const LEGEND_SIZE: f64 = 14.0;
const LEGEND_ROW: f64 = 22.0;
/// Text cannot be measured without fonts: a generous average glyph width, as a share of
/// the font size, keeps estimated labels from overlapping.
const GLYPH: f64 = 0.6;
const FONT_FAMILY: &str = "system-ui, sans-serif";
const TEXT_COLOUR: &str = "#222222";
const MUTED_COLOUR: &str = "#595959";
const GRID_COLOUR: &str = "#dddddd";
/// Okabe–Ito colours, which stay apart under the common colour-vision deficiencies,
/// with orange darkened and sky blue replaced so each has 3:1 contrast on white.
const PALETTE: [&str; 6] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#B07800", "#333333",
];
/// Lines also differ by dash, so they can be told apart without colour.
const DASHES: [&str; 4] = ["", "6 4", "2 3", "10 3 2 3"];

/// The smallest of 1, 2, 2.5 and 5 × 10^k that is at least `v`; 1 for anything not
/// positive (or not finite), so an axis always has a height.
pub fn nice_max(v: f64) -> f64 {
    if !(v > 0.0 && v.is_finite()) {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        // The tolerance absorbs log10's rounding for exact powers of ten.
        .find(|candidate| *candidate >= v * (1.0 - 1e-12))
        .unwrap_or(10.0 * magnitude)
}

/// About five evenly spaced ticks from 0 up to `top` (inclusive when `top` is nice).
pub fn ticks(top: f64) -> Vec<f64> {
    let step = nice_max(top / 5.0);
    let count = (top / step + 1e-9).floor() as usize;
    (0..=count).map(|i| i as f64 * step).collect()
}

/// Integers without decimals, anything else with one.
fn format_number(v: f64, decimal_comma: bool) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    let text = if rounded.fract() == 0.0 {
        // `+ 0.0` turns -0 into 0.
        format!("{:.0}", rounded + 0.0)
    } else {
        format!("{rounded:.1}")
    };
    if decimal_comma {
        text.replace('.', ",")
    } else {
        text
    }
}

/// Text for XML content and attribute values; control characters that XML 1.0 forbids
/// are dropped so the document stays well-formed.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with at most two decimals and no trailing zeros.
fn px(v: f64) -> String {
    let text = format!("{v:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

fn estimated_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * GLYPH * size
}

/// Greedy word wrap, so a long title stays inside the picture on a phone.
fn wrap(text: &str, max_chars: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= max_chars => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// A value that can be drawn: finite, or else treated as missing.
fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite())
}

/// "2026-W47: 12,5 %", prefixed with the series' name when there are several.
fn tooltip(series: Option<&str>, label: &str, value: f64, unit: &str, comma: bool) -> String {
    let mut text = String::new();
    if let Some(name) = series {
        text.push_str(name);
        text.push_str(", ");
    }
    text.push_str(label);
    text.push_str(": ");
    text.push_str(&format_number(value, comma));
    if !unit.is_empty() {
        text.push(' ');
        text.push_str(unit);
    }
    escape(&text)
}

/// An id for `aria-labelledby` that differs between the charts of one page.
fn chart_id(title: &str, x_labels: &[String], series: &[Series]) -> String {
    let mut hasher = DefaultHasher::new();
    title.hash(&mut hasher);
    x_labels.hash(&mut hasher);
    for s in series {
        s.name.hash(&mut hasher);
    }
    format!("chart-{:016x}", hasher.finish())
}

fn svg_open(id: &str, title: &str, height: f64) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="{id}" font-family="{FONT_FAMILY}"><title id="{id}">{t}</title>"#,
        w = px(WIDTH),
        h = px(height),
        t = escape(title),
    )
}

/// The visible title, wrapped; returns its markup and the height it takes.
fn title_block(title: &str) -> (String, f64) {
    let max_chars = ((WIDTH - 2.0 * MARGIN) / (GLYPH * TITLE_SIZE)) as usize;
    let lines = wrap(title, max_chars);
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        out.push_str(&format!(
            r#"<text x="{x}" y="{y}" font-size="{TITLE_SIZE}" font-weight="600" fill="{TEXT_COLOUR}">{t}</text>"#,
            x = px(MARGIN),
            y = px(TITLE_LINE * (i + 1) as f64),
            t = escape(line),
        ));
    }
    (out, TITLE_LINE * lines.len().max(1) as f64)
}

/// A chart with nothing to plot: its title and the caller's "no data" text.
fn empty_chart(id: &str, title: &str, empty_text: &str) -> String {
    let (heading, heading_height) = title_block(title);
    let height = heading_height + 96.0;
    let mut out = svg_open(id, title, height);
    out.push_str(&heading);
    out.push_str(&format!(
        r#"<text x="{x}" y="{y}" font-size="{LEGEND_SIZE}" text-anchor="middle" fill="{MUTED_COLOUR}">{t}</text>"#,
        x = px(WIDTH / 2.0),
        y = px(heading_height + 52.0),
        t = escape(empty_text),
    ));
    out.push_str("</svg>");
    out
}

/// How a series is told apart: in the legend, on the lines and on the bars.
struct Style<'a> {
    name: &'a str,
    colour: &'static str,
    dash: &'static str,
}

fn styles(series: &[Series], dashed: bool) -> Vec<Style<'_>> {
    series
        .iter()
        .enumerate()
        .map(|(i, s)| Style {
            name: &s.name,
            colour: PALETTE[i % PALETTE.len()],
            dash: if dashed { DASHES[i % DASHES.len()] } else { "" },
        })
        .collect()
}

/// The geometry shared by line and bar charts: title, unit, y ticks, x bands, legend.
struct Frame<'a> {
    id: String,
    title: &'a str,
    x_labels: &'a [String],
    y_unit: &'a str,
    y_top: f64,
    ticks: Vec<f64>,
    decimal_comma: bool,
    heading: String,
    left: f64,
    top: f64,
    /// Legend items with their (x, baseline y), empty for a single series.
    legend: Vec<(Style<'a>, f64, f64)>,
    height: f64,
}

impl<'a> Frame<'a> {
    fn new(
        id: String,
        title: &'a str,
        x_labels: &'a [String],
        y_unit: &'a str,
        y_top: f64,
        decimal_comma: bool,
        styles: Vec<Style<'a>>,
    ) -> Self {
        let (heading, heading_height) = title_block(title);
        let top = heading_height + 36.0;
        let ticks = ticks(y_top);
        let widest_tick = ticks
            .iter()
            .map(|t| estimated_width(&format_number(*t, decimal_comma), LABEL_SIZE))
            .fold(0.0, f64::max);
        let left = (widest_tick + 14.0).max(36.0);
        let bottom = top + PLOT_HEIGHT;

        let mut legend = Vec::new();
        let mut height = bottom + 32.0;
        if styles.len() > 1 {
            let (mut x, mut row) = (left, 0.0);
            for style in styles {
                let width = 30.0 + estimated_width(style.name, LEGEND_SIZE) + 18.0;
                if x > left && x + width > WIDTH - MARGIN {
                    x = left;
                    row += 1.0;
                }
                legend.push((style, x, bottom + 48.0 + row * LEGEND_ROW));
                x += width;
            }
            height = bottom + 48.0 + (row + 1.0) * LEGEND_ROW;
        }

        Frame {
            id,
            title,
            x_labels,
            y_unit,
            y_top,
            ticks,
            decimal_comma,
            heading,
            left,
            top,
            legend,
            height,
        }
    }

    fn bottom(&self) -> f64 {
        self.top + PLOT_HEIGHT
    }

    fn band(&self) -> f64 {
        (WIDTH - MARGIN - self.left) / self.x_labels.len().max(1) as f64
    }

    /// The centre of the i-th x band, where its point, bar and label go.
    fn x(&self, i: usize) -> f64 {
        self.left + (i as f64 + 0.5) * self.band()
    }

    /// Values are drawn clamped to the axis, which starts at 0.
    fn y(&self, v: f64) -> f64 {
        self.bottom() - self.height_of(v)
    }

    fn height_of(&self, v: f64) -> f64 {
        v.clamp(0.0, self.y_top) / self.y_top * PLOT_HEIGHT
    }

    /// Label every k-th week, counted back from the latest, so labels never overlap
    /// and the most recent week is always named.
    fn label_step(&self) -> usize {
        let widest = self
            .x_labels
            .iter()
            .map(|l| estimated_width(l, LABEL_SIZE))
            .fold(0.0, f64::max);
        let fits = ((WIDTH - MARGIN - self.left) / (widest + 12.0)).floor() as usize;
        self.x_labels.len().div_ceil(fits.max(1)).max(1)
    }

    /// Opening tag, title, unit, grid, y ticks, axes and x labels.
    fn open(&self) -> String {
        let mut out = svg_open(&self.id, self.title, self.height);
        out.push_str(&self.heading);
        let right = WIDTH - MARGIN;
        let bottom = self.bottom();

        out.push_str(&format!(
            r#"<text x="{x}" y="{y}" font-size="{LABEL_SIZE}" fill="{MUTED_COLOUR}">{t}</text>"#,
            x = px(MARGIN / 2.0),
            y = px(self.top - 14.0),
            t = escape(self.y_unit),
        ));

        out.push_str(&format!(
            r#"<g font-size="{LABEL_SIZE}" fill="{MUTED_COLOUR}" text-anchor="end">"#
        ));
        for tick in &self.ticks {
            let y = px(self.y(*tick));
            out.push_str(&format!(
                r#"<line x1="{l}" y1="{y}" x2="{r}" y2="{y}" stroke="{GRID_COLOUR}"/><text x="{tx}" y="{y}" dy="0.35em">{t}</text>"#,
                l = px(self.left),
                r = px(right),
                tx = px(self.left - 6.0),
                t = format_number(*tick, self.decimal_comma),
            ));
        }
        out.push_str("</g>");

        out.push_str(&format!(
            r#"<path d="M{l} {t}V{b}H{r}" fill="none" stroke="{MUTED_COLOUR}"/>"#,
            l = px(self.left),
            t = px(self.top),
            b = px(bottom),
            r = px(right),
        ));

        let step = self.label_step();
        let last = self.x_labels.len().saturating_sub(1);
        out.push_str(&format!(
            r#"<g class="x-labels" font-size="{LABEL_SIZE}" fill="{MUTED_COLOUR}" text-anchor="middle">"#
        ));
        for (i, label) in self.x_labels.iter().enumerate() {
            if (last - i).is_multiple_of(step) {
                // Pulled in from the edges so the first and last labels are not cut.
                let half = estimated_width(label, LABEL_SIZE) / 2.0;
                out.push_str(&format!(
                    r#"<text x="{x}" y="{y}">{t}</text>"#,
                    x = px(self.x(i).min(WIDTH - half - MARGIN / 2.0).max(half)),
                    y = px(bottom + 20.0),
                    t = escape(label),
                ));
            }
        }
        out.push_str("</g>");
        out
    }

    /// The legend (only with more than one series) and the closing tag.
    fn close(&self, line_swatches: bool) -> String {
        let mut out = String::new();
        if !self.legend.is_empty() {
            out.push_str(&format!(
                r#"<g class="legend" font-size="{LEGEND_SIZE}" fill="{TEXT_COLOUR}">"#
            ));
            for (style, x, y) in &self.legend {
                if line_swatches {
                    out.push_str(&format!(
                        r#"<line x1="{x1}" y1="{sy}" x2="{x2}" y2="{sy}" stroke="{c}" stroke-width="3"{d}/>"#,
                        x1 = px(*x),
                        x2 = px(x + 24.0),
                        sy = px(y - 4.5),
                        c = style.colour,
                        d = dash_attribute(style.dash),
                    ));
                } else {
                    out.push_str(&format!(
                        r#"<rect x="{rx}" y="{ry}" width="14" height="14" fill="{c}"/>"#,
                        rx = px(x + 5.0),
                        ry = px(y - 11.5),
                        c = style.colour,
                    ));
                }
                out.push_str(&format!(
                    r#"<text x="{tx}" y="{y}">{t}</text>"#,
                    tx = px(x + 30.0),
                    y = px(*y),
                    t = escape(style.name),
                ));
            }
            out.push_str("</g>");
        }
        out.push_str("</svg>");
        out
    }
}

fn dash_attribute(dash: &str) -> String {
    if dash.is_empty() {
        String::new()
    } else {
        format!(r#" stroke-dasharray="{dash}""#)
    }
}

/// A line chart of one or more series over the x labels; a missing value breaks the line.
pub fn line_chart(spec: &LineChart) -> String {
    let id = chart_id(&spec.title, &spec.x_labels, &spec.series);
    let n = spec.x_labels.len();
    let data_max = spec
        .series
        .iter()
        .flat_map(|s| s.values.iter().take(n).filter_map(|v| finite(*v)))
        .fold(None, |max: Option<f64>, v| {
            Some(max.map_or(v, |m| m.max(v)))
        });
    let Some(data_max) = data_max else {
        return empty_chart(&id, &spec.title, &spec.empty_text);
    };
    // An axis shorter than 1 would need more than one decimal on its ticks.
    let y_top = match spec.y_max {
        Some(top) if top.is_finite() && top >= data_max.max(1.0) => top,
        _ => nice_max(data_max.max(1.0)),
    };

    let many = spec.series.len() > 1;
    let frame = Frame::new(
        id,
        &spec.title,
        &spec.x_labels,
        &spec.y_unit,
        y_top,
        spec.decimal_comma,
        styles(&spec.series, true),
    );
    let mut out = frame.open();
    for (series, style) in spec.series.iter().zip(styles(&spec.series, true)) {
        let mut path = String::new();
        let mut points = String::new();
        let mut pen_down = false;
        for (i, value) in series.values.iter().take(n).enumerate() {
            let Some(v) = finite(*value) else {
                pen_down = false;
                continue;
            };
            let (x, y) = (px(frame.x(i)), px(frame.y(v)));
            path.push_str(&format!("{}{x} {y}", if pen_down { 'L' } else { 'M' }));
            pen_down = true;
            points.push_str(&format!(
                r#"<circle cx="{x}" cy="{y}" r="3"><title>{t}</title></circle>"#,
                t = tooltip(
                    many.then_some(series.name.as_str()),
                    &spec.x_labels[i],
                    v,
                    &spec.y_unit,
                    spec.decimal_comma,
                ),
            ));
        }
        out.push_str(&format!(
            r#"<g fill="{c}"><path d="{path}" fill="none" stroke="{c}" stroke-width="2" stroke-linejoin="round"{d}/>{points}</g>"#,
            c = style.colour,
            d = dash_attribute(style.dash),
        ));
    }
    out.push_str(&frame.close(true));
    out
}

/// Stacked bars, one per x label, with the series in legend order from the bottom up.
pub fn stacked_bars(spec: &StackedBars) -> String {
    let id = chart_id(&spec.title, &spec.x_labels, &spec.series);
    let n = spec.x_labels.len();
    // Negative or non-finite values cannot be stacked: they count as 0.
    let value = |s: &Series, i: usize| {
        finite(s.values.get(i).copied().flatten())
            .unwrap_or(0.0)
            .max(0.0)
    };
    let has_data = spec
        .series
        .iter()
        .any(|s| s.values.iter().take(n).any(|v| finite(*v).is_some()));
    if !has_data {
        return empty_chart(&id, &spec.title, &spec.empty_text);
    }
    let max_total = (0..n)
        .map(|i| spec.series.iter().map(|s| value(s, i)).sum::<f64>())
        .fold(0.0, f64::max);

    let many = spec.series.len() > 1;
    let frame = Frame::new(
        id,
        &spec.title,
        &spec.x_labels,
        &spec.y_unit,
        nice_max(max_total.max(1.0)),
        spec.decimal_comma,
        styles(&spec.series, false),
    );
    let bar_width = (frame.band() * 0.7).min(48.0);
    let mut out = frame.open();
    for (i, label) in spec.x_labels.iter().enumerate() {
        let mut stacked = 0.0;
        for (series, style) in spec.series.iter().zip(styles(&spec.series, false)) {
            let v = value(series, i);
            if v == 0.0 {
                continue;
            }
            let height = frame.height_of(v);
            stacked += height;
            // A thin white edge keeps neighbouring layers apart without colour.
            out.push_str(&format!(
                r#"<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}" stroke="white" stroke-width="0.5"><title>{t}</title></rect>"#,
                x = px(frame.x(i) - bar_width / 2.0),
                y = px(frame.bottom() - stacked),
                w = px(bar_width),
                h = px(height),
                c = style.colour,
                t = tooltip(
                    many.then_some(series.name.as_str()),
                    label,
                    v,
                    &spec.y_unit,
                    spec.decimal_comma,
                ),
            ));
        }
    }
    out.push_str(&frame.close(false));
    out
}

/// A small trend line for a table cell, in the text colour; decorative, since the
/// numbers beside it carry the meaning.
pub fn sparkline(values: &[Option<f64>], y_max: Option<f64>) -> String {
    let (width, height, pad) = (100.0, 24.0, 2.0);
    let data_max = values.iter().filter_map(|v| finite(*v)).fold(0.0, f64::max);
    let top = match y_max {
        Some(top) if top.is_finite() && top > 0.0 => top,
        _ if data_max > 0.0 => data_max,
        _ => 1.0,
    };
    let x = |i: usize| {
        if values.len() < 2 {
            width / 2.0
        } else {
            pad + i as f64 * (width - 2.0 * pad) / (values.len() - 1) as f64
        }
    };
    let y = |v: f64| height - pad - v.clamp(0.0, top) / top * (height - 2.0 * pad);

    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" aria-hidden="true" focusable="false">"#
    );
    let mut path = String::new();
    let mut pen_down = false;
    let mut last = None;
    for (i, value) in values.iter().enumerate() {
        let Some(v) = finite(*value) else {
            pen_down = false;
            continue;
        };
        path.push_str(&format!(
            "{}{} {}",
            if pen_down { 'L' } else { 'M' },
            px(x(i)),
            px(y(v))
        ));
        pen_down = true;
        last = Some((x(i), y(v)));
    }
    if let Some((lx, ly)) = last {
        out.push_str(&format!(
            r#"<path d="{path}" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/><circle cx="{cx}" cy="{cy}" r="2" fill="currentColor"/>"#,
            cx = px(lx),
            cy = px(ly),
        ));
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Tags balance: every `<x …>` is closed by a matching `</x>` in order, or is
    /// self-closing, and there is exactly one root element.
    fn assert_well_formed(svg: &str) {
        let mut open: Vec<&str> = Vec::new();
        let mut roots = 0;
        let mut rest = svg;
        while let Some(start) = rest.find('<') {
            let tag_and_after = &rest[start + 1..];
            let end = tag_and_after.find('>').unwrap();
            let tag = &tag_and_after[..end];
            assert!(!tag.contains('<'), "'<' inside a tag: {tag}");
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(open.pop(), Some(name.trim()), "mismatched </{name}>");
            } else {
                if open.is_empty() {
                    roots += 1;
                }
                if !tag.ends_with('/') {
                    open.push(tag.split_whitespace().next().unwrap());
                }
            }
            // Text between tags may hold no raw '<' or '&' outside an entity.
            let next = &tag_and_after[end + 1..];
            let text = &next[..next.find('<').unwrap_or(next.len())];
            for (i, _) in text.match_indices('&') {
                let entity = &text[i..text[i..].find(';').map_or(text.len(), |e| i + e + 1)];
                assert!(
                    ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(&entity),
                    "bare & in {text}"
                );
            }
            rest = next;
        }
        assert!(open.is_empty(), "unclosed {open:?}");
        assert_eq!(roots, 1);
    }

    fn weeks(n: usize) -> Vec<String> {
        (1..=n).map(|w| format!("2026-W{w:02}")).collect()
    }

    fn series(name: &str, values: &[Option<f64>]) -> Series {
        Series {
            name: name.into(),
            values: values.to_vec(),
        }
    }

    fn line(series: Vec<Series>, x_labels: Vec<String>) -> LineChart {
        LineChart {
            title: "Partisipasi mingguan".into(),
            x_labels,
            series,
            y_unit: "%".into(),
            y_max: Some(100.0),
            decimal_comma: true,
            empty_text: "Belum ada data".into(),
        }
    }

    fn bars(series: Vec<Series>, x_labels: Vec<String>) -> StackedBars {
        StackedBars {
            title: "Unggahan per platform".into(),
            x_labels,
            series,
            y_unit: "unggahan".into(),
            decimal_comma: false,
            empty_text: "No data".into(),
        }
    }

    /// The `d` of every series' path (the axes' path is the one drawn with `V`).
    fn series_paths(svg: &str) -> Vec<&str> {
        svg.split(r#"<path d=""#)
            .skip(1)
            .map(|p| &p[..p.find('"').unwrap()])
            .filter(|d| !d.contains('V'))
            .collect()
    }

    /// A numeric attribute of an element split off after its tag name.
    fn attribute(element: &str, name: &str) -> f64 {
        let element = format!(" {element}");
        let key = format!(r#" {name}=""#);
        let start = element.find(&key).unwrap() + key.len();
        let len = element[start..].find('"').unwrap();
        element[start..start + len].parse().unwrap()
    }

    #[test]
    fn escapes_markup_ampersands_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;y&apos;"
        );
        assert_eq!(escape("a\u{0}b\u{1b}c"), "abc");
    }

    #[test]
    fn hostile_text_is_escaped_everywhere() {
        let evil = r#"<script>alert("&")</script>"#;
        let mut spec = line(
            vec![
                series(evil, &[Some(1.0), Some(2.0)]),
                series("B", &[Some(3.0), None]),
            ],
            vec![evil.into(), "2026-W02".into()],
        );
        spec.title = evil.into();
        spec.y_unit = evil.into();
        let svg = line_chart(&spec);
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;script&gt;"));
        assert_well_formed(&svg);

        let svg = stacked_bars(&bars(vec![series(evil, &[Some(1.0)])], vec![evil.into()]));
        assert!(!svg.contains("<script"));
        assert_well_formed(&svg);
    }

    #[test]
    fn charts_are_accessible_and_scale_to_the_screen() {
        let svg = line_chart(&line(vec![series("A", &[Some(10.0)])], weeks(1)));
        assert_well_formed(&svg);
        assert!(svg.starts_with("<svg "));
        assert!(svg.contains(r#"viewBox="0 0 420 "#));
        assert!(svg.contains(r#"width="100%""#));
        assert!(svg.contains(r#"role="img""#));
        let id = svg.split(r#"aria-labelledby=""#).nth(1).unwrap();
        let id = &id[..id.find('"').unwrap()];
        assert!(svg.contains(&format!(r#"<title id="{id}">Partisipasi mingguan</title>"#)));
        assert!(svg.contains(">Partisipasi mingguan</text>"));
        assert!(svg.contains(">%</text>"), "y unit label");
        assert!(
            svg.contains(">100</text>"),
            "caller's y max is the top tick"
        );
        assert!(svg.contains("<title>2026-W01: 10 %</title>"));
        for size in svg.split(r#"font-size=""#).skip(1) {
            let size: f64 = size[..size.find('"').unwrap()].parse().unwrap();
            assert!(size >= 11.0);
        }
    }

    #[test]
    fn legend_only_with_more_than_one_series() {
        let one = line_chart(&line(vec![series("A", &[Some(1.0)])], weeks(1)));
        assert!(!one.contains(r#"class="legend""#));
        let two = line_chart(&line(
            vec![
                series("Kominfo", &[Some(1.0)]),
                series("Setda", &[Some(2.0)]),
            ],
            weeks(1),
        ));
        assert_well_formed(&two);
        assert!(two.contains(r#"class="legend""#));
        assert!(two.contains(">Kominfo</text>") && two.contains(">Setda</text>"));
        assert!(two.contains("<title>Setda, 2026-W01: 2 %</title>"));

        let stacked = stacked_bars(&bars(
            vec![series("X", &[Some(1.0)]), series("Instagram", &[Some(2.0)])],
            weeks(1),
        ));
        assert!(stacked.contains(r#"class="legend""#));
    }

    #[test]
    fn nice_max_steps() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(-5.0), 1.0);
        assert_eq!(nice_max(f64::NAN), 1.0);
        assert_eq!(nice_max(1.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(10.0), 10.0);
        assert_eq!(nice_max(23.0), 25.0);
        assert_eq!(nice_max(100.0), 100.0);
        assert_eq!(nice_max(101.0), 200.0);
        assert_eq!(nice_max(1000.0), 1000.0);
        assert!((nice_max(0.3) - 0.5).abs() < 1e-12);
        let mut previous = 0.0;
        for i in 1..5000 {
            let v = f64::from(i) * 0.37;
            let nice = nice_max(v);
            assert!(nice >= v && nice >= previous, "{v} -> {nice}");
            previous = nice;
        }
    }

    #[test]
    fn about_five_ticks_from_zero_to_the_top() {
        assert_eq!(ticks(10.0), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(ticks(25.0), vec![0.0, 5.0, 10.0, 15.0, 20.0, 25.0]);
        assert_eq!(ticks(200.0), vec![0.0, 50.0, 100.0, 150.0, 200.0]);
        for top in [1.0, 2.0, 2.5, 5.0, 100.0, 250.0, 5000.0] {
            let t = ticks(top);
            assert!((5..=6).contains(&t.len()), "{top}: {t:?}");
            assert!((t[t.len() - 1] - top).abs() < 1e-9, "{top}: {t:?}");
        }
    }

    #[test]
    fn gaps_break_the_line() {
        let svg = line_chart(&line(
            vec![series(
                "A",
                &[Some(10.0), Some(20.0), None, Some(30.0), Some(40.0)],
            )],
            weeks(5),
        ));
        assert_well_formed(&svg);
        let paths = series_paths(&svg);
        assert_eq!(paths.len(), 1);
        assert_eq!(paths[0].matches('M').count(), 2, "{}", paths[0]);
        assert_eq!(paths[0].matches('L').count(), 2);
        assert_eq!(svg.matches("<circle").count(), 4);
    }

    #[test]
    fn values_above_the_callers_max_raise_the_axis() {
        let svg = line_chart(&line(vec![series("A", &[Some(130.0)])], weeks(1)));
        assert!(svg.contains(">200</text>"));
    }

    #[test]
    fn empty_charts_still_say_so() {
        for spec in [
            line(vec![series("A", &[None, None])], weeks(2)),
            line(vec![series("A", &[Some(1.0)])], Vec::new()),
            line(Vec::new(), weeks(3)),
        ] {
            let svg = line_chart(&spec);
            assert_well_formed(&svg);
            assert!(svg.contains(">Partisipasi mingguan</text>"));
            assert!(svg.contains(">Belum ada data</text>"));
            assert!(!svg.contains("<path"));
        }
        let svg = stacked_bars(&bars(vec![series("X", &[None])], weeks(1)));
        assert_well_formed(&svg);
        assert!(svg.contains(">No data</text>"));
    }

    #[test]
    fn stacks_are_proportional() {
        let svg = stacked_bars(&bars(
            vec![
                series("X", &[Some(5.0), Some(10.0)]),
                series("Instagram", &[Some(5.0), None]),
                series("Facebook", &[None, Some(20.0)]),
            ],
            weeks(2),
        ));
        assert_well_formed(&svg);
        let rects: Vec<&str> = svg.split("<rect ").skip(1).collect();
        let (mut first, mut second) = (0.0, 0.0);
        for rect in rects.iter().filter(|r| r.contains("<title>")) {
            if rect.contains("2026-W01") {
                first += attribute(rect, "height");
            } else {
                second += attribute(rect, "height");
            }
        }
        assert!(first > 0.0);
        assert_eq!(second, 3.0 * first);
        assert!(svg.contains("<title>Facebook, 2026-W02: 20 unggahan</title>"));
    }

    #[test]
    fn only_every_kth_label_of_a_year_is_shown() {
        let labels = weeks(52);
        let values: Vec<Option<f64>> = (0..52).map(|i| Some(f64::from(i))).collect();
        let svg = line_chart(&line(vec![series("A", &values)], labels.clone()));
        assert_well_formed(&svg);
        let group = svg.split(r#"class="x-labels""#).nth(1).unwrap();
        let group = &group[..group.find("</g>").unwrap()];
        let shown: Vec<&String> = labels
            .iter()
            .filter(|l| group.contains(&format!(">{l}</text>")))
            .collect();
        assert!(shown.len() > 3 && shown.len() < 13, "{shown:?}");
        assert_eq!(shown.last().unwrap().as_str(), "2026-W52");
        assert!(!group.contains(">2026-W51</text>"));
        // Evenly spaced, every k-th week, and far enough apart not to overlap.
        let indexes: Vec<usize> = shown
            .iter()
            .map(|l| labels.iter().position(|x| x == *l).unwrap())
            .collect();
        let k = indexes[1] - indexes[0];
        assert!(k > 1 && indexes.windows(2).all(|w| w[1] - w[0] == k));
        let xs: Vec<f64> = group
            .split("<text ")
            .skip(1)
            .map(|t| attribute(t, "x"))
            .collect();
        assert!(xs
            .windows(2)
            .all(|w| w[1] - w[0] > estimated_width("2026-W52", LABEL_SIZE)));
    }

    #[test]
    fn numbers_use_the_locales_decimal_mark() {
        assert_eq!(format_number(12.5, true), "12,5");
        assert_eq!(format_number(12.5, false), "12.5");
        assert_eq!(format_number(12.0, true), "12");
        assert_eq!(format_number(12.04, false), "12");
        assert_eq!(format_number(-0.01, false), "0");
        let spec = line(vec![series("A", &[Some(12.5)])], weeks(1));
        assert!(line_chart(&spec).contains("<title>2026-W01: 12,5 %</title>"));
        let mut spec = line(vec![series("A", &[Some(0.4)])], weeks(1));
        spec.y_max = None;
        assert!(line_chart(&spec).contains(">0,2</text>"));
        spec.decimal_comma = false;
        assert!(line_chart(&spec).contains(">0.2</text>"));
    }

    #[test]
    fn sparkline_is_small_decorative_and_breaks_at_gaps() {
        let svg = sparkline(&[Some(1.0), None, Some(3.0), Some(2.0)], None);
        assert_well_formed(&svg);
        assert!(svg.contains(r#"viewBox="0 0 100 24""#));
        assert!(svg.contains(r#"aria-hidden="true""#));
        let d = series_paths(&svg)[0];
        assert_eq!(d.matches('M').count(), 2);
        assert!(d.starts_with("M2 "), "{d}");
        let empty = sparkline(&[None], Some(100.0));
        assert_well_formed(&empty);
        assert!(!empty.contains("<path"));
        assert_well_formed(&sparkline(&[], None));
    }
}
