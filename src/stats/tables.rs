//! The dashboard's tables as downloadable tables, with headers in the reader's language.
//! They hold no NIP, phone number or email: only names, units and figures.

use super::export::{Cell, Column, Kind, Table};
use super::service::Participation;
use crate::web::i18n::{t, t_with, Lang};

fn col(lang: Lang, key: &str, kind: Kind) -> Column {
    Column {
        label: t(lang, key),
        kind,
    }
}

fn pct(v: Option<f64>) -> Cell {
    v.map_or(Cell::Empty, |r| Cell::Num((r * 1000.0).round() / 10.0))
}

fn num(v: Option<f64>) -> Cell {
    v.map_or(Cell::Empty, Cell::Num)
}

fn int(v: impl Into<i64>) -> Cell {
    Cell::Int(v.into())
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn u(v: u64) -> Cell {
    Cell::Int(i64::try_from(v).unwrap_or(i64::MAX))
}

/// Every table with its file key (`weeks`, `work_units`, …), in page order. The inactive
/// list is included only for those who follow ambassadors up.
pub fn all(p: &Participation, lang: Lang, follow_up: bool) -> Vec<(&'static str, Table)> {
    let mut out = vec![
        ("weeks", weeks(p, lang)),
        ("work_units", work_units(p, lang)),
        ("platforms", platforms(p, lang)),
        ("funnel", funnel(p, lang)),
        ("briefs", briefs(p, lang)),
        ("categories", categories(p, lang)),
        ("most_consistent", most_consistent(p, lang)),
    ];
    if follow_up {
        out.push(("inactive", inactive(p, lang)));
    }
    out
}

/// The words a download is named after: the statistics, the scope, the window.
pub fn file_base(p: &Participation, lang: Lang) -> Vec<String> {
    let mut parts = vec![t(lang, "stats.file_prefix")];
    match (&p.scope.institution, &p.scope.work_unit) {
        (_, Some(unit)) => parts.push(unit.clone()),
        (Some(inst), None) => parts.push(inst.clone()),
        (None, None) => parts.push(t(lang, "stats.national")),
    }
    if let Some(pl) = &p.scope.platform {
        parts.push(pl.clone());
    }
    parts.push(t_with(
        lang,
        "stats.file_weeks",
        &[("n", &p.window.weeks.to_string())],
    ));
    parts.push(p.window.to_week.clone());
    parts
}

/// The weekly figures, with posts and reach for each platform the programme has (see
/// [`Participation::platforms`]).
pub fn weeks(p: &Participation, lang: Lang) -> Table {
    let shown: Vec<&str> = p.platforms.iter().map(|r| r.platform).collect();
    let mut columns = vec![
        col(lang, "stats.week", Kind::Text),
        col(lang, "stats.active_ambassadors", Kind::Integer),
        col(lang, "stats.expected_ambassadors", Kind::Integer),
        col(lang, "stats.posting_ambassadors", Kind::Integer),
        col(lang, "stats.participation_rate_pct", Kind::Percent),
    ];
    for figure in ["posts", "reach"] {
        for pl in &shown {
            columns.push(col(lang, &format!("stats.{figure}_{pl}"), Kind::Integer));
        }
    }
    Table {
        name: t(lang, "stats.sheet_weeks"),
        columns,
        rows: p
            .weeks
            .iter()
            .map(|w| {
                let mut row = vec![
                    text(&w.week),
                    int(w.active_ambassadors),
                    int(w.expected_ambassadors),
                    int(w.posting_ambassadors),
                    pct(w.participation_rate),
                ];
                row.extend(shown.iter().map(|pl| u(w.posts.get(pl))));
                row.extend(shown.iter().map(|pl| u(w.reach.get(pl))));
                row
            })
            .collect(),
    }
}

pub fn work_units(p: &Participation, lang: Lang) -> Table {
    let national = p.scope.institution_id.is_none();
    Table {
        name: t(lang, "stats.sheet_units"),
        columns: vec![
            col(
                lang,
                if national {
                    "stats.institution"
                } else {
                    "stats.work_unit"
                },
                Kind::Text,
            ),
            col(lang, "stats.ambassadors", Kind::Integer),
            col(lang, "stats.rate_this_week_pct", Kind::Percent),
            col(lang, "stats.rate_window_pct", Kind::Percent),
            col(lang, "stats.rate_previous_pct", Kind::Percent),
            col(lang, "stats.change_points", Kind::Decimal),
            col(lang, "stats.urgent_posted", Kind::Integer),
            col(lang, "stats.time_to_amplify_min", Kind::Decimal),
        ],
        rows: p
            .work_units
            .iter()
            .map(|r| {
                let indent = "  ".repeat(r.depth as usize);
                vec![
                    Cell::Text(format!("{indent}{}", r.name)),
                    int(r.ambassadors),
                    pct(r.rate_this_week),
                    pct(r.rate_window),
                    pct(r.rate_previous_window),
                    num(r.change_points),
                    u(r.urgent_briefs_posted),
                    num(r.time_to_amplify_minutes),
                ]
            })
            .collect(),
    }
}

pub fn platforms(p: &Participation, lang: Lang) -> Table {
    Table {
        name: t(lang, "stats.sheet_platforms"),
        columns: vec![
            col(lang, "stats.platform", Kind::Text),
            col(lang, "stats.posts", Kind::Integer),
            col(lang, "stats.reach_this_week", Kind::Integer),
            col(lang, "stats.reach_weekly_average", Kind::Integer),
            col(lang, "stats.engagement_pct", Kind::Decimal),
        ],
        rows: p
            .platforms
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(t(lang, &format!("platforms.{}", r.platform))),
                    u(r.posts),
                    u(r.reach_this_week),
                    u(r.reach_weekly_average),
                    num(r.engagement_rate),
                ]
            })
            .collect(),
    }
}

pub fn funnel(p: &Participation, lang: Lang) -> Table {
    let f = &p.funnel;
    Table {
        name: t(lang, "stats.sheet_funnel"),
        columns: vec![
            col(lang, "stats.stage", Kind::Text),
            col(lang, "stats.ambassadors", Kind::Integer),
        ],
        rows: [
            ("stats.funnel_signed_up", f.signed_up),
            ("stats.funnel_pending", f.pending),
            ("stats.funnel_approved", f.approved),
            ("stats.funnel_active", f.active_this_week),
            ("stats.funnel_inactive", f.inactive),
            ("stats.funnel_referred", f.referred),
            ("stats.funnel_referred_approved", f.referred_approved),
        ]
        .iter()
        .map(|(k, n)| vec![Cell::Text(t(lang, k)), u(*n)])
        .collect(),
    }
}

pub fn briefs(p: &Participation, lang: Lang) -> Table {
    Table {
        name: t(lang, "stats.sheet_briefs"),
        columns: vec![
            col(lang, "stats.week", Kind::Text),
            col(lang, "stats.brief", Kind::Text),
            col(lang, "stats.category", Kind::Text),
            col(lang, "stats.submitted", Kind::Integer),
            col(lang, "stats.verified", Kind::Integer),
            col(lang, "stats.on_time_pct", Kind::Percent),
            col(lang, "stats.engagement_pct", Kind::Decimal),
            col(lang, "stats.urgent", Kind::Text),
            col(lang, "stats.posters", Kind::Integer),
            col(lang, "stats.time_to_amplify_min", Kind::Decimal),
        ],
        rows: p
            .briefs
            .iter()
            .map(|b| {
                vec![
                    text(&b.week),
                    text(&b.title),
                    Cell::Text(t(lang, &format!("categories.{}", b.category))),
                    int(b.submitted),
                    int(b.verified),
                    pct(b.on_time_rate),
                    num(b.engagement_rate),
                    Cell::Text(if b.urgent {
                        t(lang, "stats.urgent")
                    } else {
                        String::new()
                    }),
                    if b.urgent { u(b.posters) } else { Cell::Empty },
                    num(b.time_to_amplify_minutes),
                ]
            })
            .collect(),
    }
}

pub fn categories(p: &Participation, lang: Lang) -> Table {
    Table {
        name: t(lang, "stats.sheet_categories"),
        columns: vec![
            col(lang, "stats.category", Kind::Text),
            col(lang, "stats.briefs", Kind::Integer),
            col(lang, "stats.submitted", Kind::Integer),
            col(lang, "stats.verified", Kind::Integer),
            col(lang, "stats.on_time_pct", Kind::Percent),
            col(lang, "stats.engagement_pct", Kind::Decimal),
        ],
        rows: p
            .categories
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(t(lang, &format!("categories.{}", c.category))),
                    u(c.briefs),
                    int(c.submitted),
                    int(c.verified),
                    pct(c.on_time_rate),
                    num(c.engagement_rate),
                ]
            })
            .collect(),
    }
}

pub fn most_consistent(p: &Participation, lang: Lang) -> Table {
    Table {
        name: t(lang, "stats.sheet_top"),
        columns: vec![
            col(lang, "leaderboard.rank", Kind::Integer),
            col(lang, "leaderboard.name", Kind::Text),
            col(lang, "leaderboard.work_unit", Kind::Text),
            col(lang, "stats.consistency_pct", Kind::Percent),
            col(lang, "leaderboard.active_weeks", Kind::Integer),
            col(lang, "stats.eligible_weeks", Kind::Integer),
            col(lang, "leaderboard.current_streak", Kind::Integer),
        ],
        rows: p
            .most_consistent
            .iter()
            .map(|r| {
                vec![
                    int(r.rank),
                    text(&r.display_name),
                    text(&r.work_unit),
                    pct(Some(r.consistency)),
                    int(r.active_weeks),
                    int(r.eligible_weeks),
                    int(r.current_streak),
                ]
            })
            .collect(),
    }
}

pub fn inactive(p: &Participation, lang: Lang) -> Table {
    Table {
        name: t(lang, "stats.sheet_inactive"),
        columns: vec![
            col(lang, "leaderboard.name", Kind::Text),
            col(lang, "leaderboard.work_unit", Kind::Text),
            col(lang, "stats.last_active_week", Kind::Text),
        ],
        rows: p
            .inactive
            .iter()
            .map(|r| {
                vec![
                    text(&r.display_name),
                    text(&r.work_unit),
                    r.last_active_week
                        .as_deref()
                        .map_or_else(|| Cell::Text(t(lang, "stats.never")), text),
                ]
            })
            .collect(),
    }
}
