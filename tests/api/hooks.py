"""Rules between fields that JSON Schema cannot state, for schemathesis.

The document states every rule of a single field, and rules such as "national users and
admins have no institution" with if/then. What it cannot state is an order between two
fields (a first day not after a last day). Each such rule is written in the operation's
description in the document, and here, so that schemathesis does not send a request it
calls valid but that breaks one: only valid (positive) cases are dropped, so the server
still meets every invalid one.
"""

import schemathesis
from schemathesis import GenerationMode


def positive(case):
    meta = case.meta
    return meta is not None and meta.generation.mode == GenerationMode.POSITIVE


def ordered(first, last):
    """Both given (non-empty): the first must not come after the last."""
    return not (first and last) or first <= last


@schemathesis.hook("filter_case").apply_to(method="PUT", path="/api/v1/settings")
def settings_rules(ctx, case):
    body = case.body if isinstance(case.body, dict) else {}
    if not positive(case):
        return True
    platforms = [p.get("platform") for p in body.get("platforms", []) if isinstance(p, dict)]
    return (
        ordered(body.get("neutrality_from"), body.get("neutrality_to"))
        and len(platforms) == len(set(platforms))
    )


def iso_week_key(text):
    """`2026-W05` as (2026, 5); None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    year, week = text.replace("w", "W").split("-W")
    return int(year), int(week)


def weeks_between(first, last):
    import datetime

    a = datetime.date.fromisocalendar(first[0], first[1], 1)
    b = datetime.date.fromisocalendar(last[0], last[1], 1)
    return (b - a).days // 7


@schemathesis.hook("filter_case").apply_to(method="POST", path="/api/v1/ambassadors/{id}/leaves")
def leave_rules(ctx, case):
    """The last week of leave is not before the first, and a leave spans at most 52 weeks."""
    body = case.body if isinstance(case.body, dict) else {}
    if not positive(case):
        return True
    try:
        first = iso_week_key(body.get("from_week"))
        last = iso_week_key(body.get("to_week")) or first
    except (ValueError, AttributeError):
        return True
    return first is None or (last >= first and weeks_between(first, last) < 52)


BLANK = __import__("re").compile(r"\{\{\s*([a-z0-9_]{1,40})\s*\}\}")


@schemathesis.hook("map_case").apply_to(method="POST", path="/api/v1/story-templates")
def template_guidance(ctx, case):
    """Guidance names every blank of the body, and nothing else: a valid case gets
    guidance for exactly the blanks its body has."""
    body = case.body
    if positive(case) and isinstance(body, dict) and isinstance(body.get("body"), str):
        names = dict.fromkeys(BLANK.findall(body["body"]))
        given = body.get("guidance") if isinstance(body.get("guidance"), dict) else {}
        body["guidance"] = {n: given.get(n) or "Panduan singkat." for n in names}
    return case
