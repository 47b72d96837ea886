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


def instant(text):
    """An instant as the document's pattern writes it (a local time is read in the demo
    programme's time zone, Asia/Jakarta); None when empty or not one."""
    import datetime
    import re

    text = (text or "").strip()
    if not text:
        return None
    m = re.match(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:\d{2})?$", text)
    if not m:
        return None
    date, time, offset = m.groups()
    time = time.split(".")[0]
    if len(time) == 5:
        time += ":00"
    zone = offset or "+07:00"
    if zone == "Z":
        zone = "+00:00"
    try:
        return datetime.datetime.fromisoformat(f"{date}T{time}{zone}")
    except ValueError:
        return None


@schemathesis.hook("filter_case").apply_to(path_regex=r"^/api/v1/briefs(/\{id\})?$", method_regex="^(POST|PUT)$")
def brief_rules(ctx, case):
    """`scheduled` needs a publish_at ahead, `published` none ahead, and the deadline
    comes after publishing (a minute of margin either way: time passes between writing
    the case and sending it)."""
    import datetime

    body = case.body if isinstance(case.body, dict) else {}
    if not positive(case):
        return True
    now = datetime.datetime.now(datetime.timezone.utc)
    margin = datetime.timedelta(minutes=2)
    status = body.get("status") or ("draft" if case.method.upper() == "POST" else "")
    publish_at = instant(body.get("publish_at"))
    deadline = instant(body.get("deadline"))
    if status == "scheduled":
        return publish_at is not None and publish_at > now + margin and (
            deadline is None or deadline > publish_at
        )
    if status == "published":
        if publish_at is not None and publish_at > now - margin:
            return False
        return deadline is None or deadline > (publish_at or now + margin)
    return True


def png(width=64, height=48, rgb=(30, 110, 200)):
    """A small PNG, written by hand (no imaging library needed)."""
    import struct
    import zlib

    def chunk(kind, data):
        out = struct.pack(">I", len(data)) + kind + data
        return out + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


@schemathesis.hook("map_case").apply_to(
    path_regex=r"^/api/v1/(briefs/\{id\}/images|me/platforms/\{platform\}/screenshot)$"
)
def an_image(ctx, case):
    """The file must be an image (its bytes are read): a valid case sends one."""
    if positive(case) and isinstance(case.body, dict):
        case.body["file"] = png()
    return case


def post_url(platform):
    """A post address of the platform, new each time."""
    import random

    n = random.randrange(10**17, 10**18)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    code = "".join(random.choice(letters) for _ in range(11))
    return {
        "x": f"https://x.com/duta_api/status/{n}",
        "instagram": f"https://www.instagram.com/p/{code}/",
        "facebook": f"https://www.facebook.com/watch/?v={n}",
        "tiktok": f"https://www.tiktok.com/@duta_api/video/{n}",
        "youtube": f"https://www.youtube.com/watch?v={code}",
    }.get(platform)


@schemathesis.hook("map_case").apply_to(method="POST", path="/api/v1/submissions")
def a_post_url(ctx, case):
    """The url must be a post of the platform named (see the operation's description):
    a valid case sends one."""
    body = case.body
    if positive(case) and isinstance(body, dict):
        url = post_url(body.get("platform"))
        if url:
            body["url"] = url
    return case
