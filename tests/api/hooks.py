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


@schemathesis.hook("filter_case").apply_to(
    path_regex=r"^/api/v1/ambassadors/\{id\}/leaves(/\{leave_id\})?$", method_regex="^(POST|PUT)$"
)
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


@schemathesis.hook("filter_case").apply_to(method="POST", path="/api/v1/roster/bulk")
def bulk_rules(ctx, case):
    """`move` names the unit to move to, `suspend` gives the reason (5 characters or
    more once trimmed): the other actions take neither."""
    body = case.body if isinstance(case.body, dict) else {}
    if not positive(case):
        return True
    if body.get("action") == "move":
        return isinstance(body.get("work_unit_id"), int)
    if body.get("action") == "suspend":
        reason = body.get("reason")
        return isinstance(reason, str) and len(reason.strip()) >= 5
    return True


BLANK = __import__("re").compile(r"\{\{\s*([a-z0-9_]{1,40})\s*\}\}")


@schemathesis.hook("map_case").apply_to(
    path_regex=r"^/api/v1/story-templates(/\{id\})?$", method_regex="^(POST|PUT)$"
)
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


@schemathesis.hook("filter_case").apply_to(method="POST", path="/api/v1/national-briefs")
def national_brief_rules(ctx, case):
    """The deadline comes after now (it is published at once; two minutes of margin), and
    the kinds and regions chosen match an institution: the demo programme has one
    ministry of the central government (no region)."""
    import datetime

    body = case.body if isinstance(case.body, dict) else {}
    if not positive(case):
        return True
    now = datetime.datetime.now(datetime.timezone.utc)
    deadline = instant(body.get("deadline"))
    kinds = body.get("kinds") or []
    regions = body.get("regions") or []
    return (
        (deadline is None or deadline > now + datetime.timedelta(minutes=2))
        and (not kinds or "ministry" in kinds)
        and not regions
    )


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
    path_regex=r"^/api/v1/(briefs/\{id\}/images(/\{image_id\}/file)?|me/platforms/\{platform\}/screenshot)$"
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


@schemathesis.hook("map_case").apply_to(method="POST", path="/api/v1/hoax-reports")
def a_hoax_report(ctx, case):
    """`links` holds web addresses and a screenshot is an image (see the operation's
    description): a valid case sends one or two links, and a PNG when it sends a file."""
    import random

    body = case.body
    if positive(case) and isinstance(body, dict):
        n = random.randrange(10**9)
        links = [f"https://hoaks-api-{n}.id/berita/{random.randrange(1000)}"]
        if random.random() < 0.5:
            links.append(f"https://x.com/penyebar/status/{random.randrange(10**17, 10**18)}")
        body["links"] = "\n".join(links)
        if "screenshot" in body:
            body["screenshot"] = png()
    return case


@schemathesis.hook("map_case").apply_to(method="POST", path="/api/v1/push/subscriptions")
def a_browser_subscription(ctx, case):
    """A subscription's keys must be a P-256 point and a 16-byte secret, and its endpoint
    on a configured push service (run.sh configures 127.0.0.1:9): a valid case sends a
    browser's, made here."""
    import base64
    import os

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    body = case.body
    if positive(case) and isinstance(body, dict):
        key = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()  # noqa: E731
        body["endpoint"] = f"http://127.0.0.1:9/push/{b64(os.urandom(12))}"
        body["keys"] = {"p256dh": b64(key), "auth": b64(os.urandom(16))}
    return case


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


_SIGNUP_FORM = None


def signup_form():
    """What the running server's sign-up form offers (institutions and their units, the
    required platforms, those checked by API), read once from GET /api/v1/signup/form."""
    global _SIGNUP_FORM
    if _SIGNUP_FORM is None:
        import json
        import os
        import urllib.request

        with urllib.request.urlopen(os.environ["DUTA_API_BASE"] + "/api/v1/signup/form") as r:
            _SIGNUP_FORM = json.load(r)
    return _SIGNUP_FORM


def a_nip(employee_type):
    """An 18-digit NIP of the kind that reads with real dates: born 1970–1999, appointed
    at 25 (PNS: a month of that year; PPPK: the year), gender digit 1 or 2, a sequence
    number other than 000."""
    import random

    born = (random.randrange(1970, 2000), random.randrange(1, 13), random.randrange(1, 29))
    appointed = born[0] + 25
    month = random.randrange(1, 13) if employee_type.strip().lower() == "pns" else 1
    return (
        f"{born[0]:04d}{born[1]:02d}{born[2]:02d}{appointed:04d}{month:02d}"
        f"{random.choice('12')}{random.randrange(1, 1000):03d}"
    )


HANDLE_OF = {
    "x": "duta_{n}",
    "instagram": "duta.api{n}",
    "facebook": "duta.api.{n}",
    "tiktok": "duta.api{n}",
    "youtube": "duta-api-{n}",
}


def valid_platforms(given, form):
    """The platforms of a valid application: every one the programme requires, each
    once, with a handle of the platform's own form, and a count with `screenshot`."""
    import random

    wanted = list(dict.fromkeys(form["required_platforms"]))
    for p in given if isinstance(given, list) else []:
        name = p.get("platform", "").strip().lower() if isinstance(p, dict) else ""
        if name in HANDLE_OF and name not in wanted and len(wanted) < 5:
            wanted.append(name)
    out = []
    for name in wanted:
        n = random.randrange(10**6, 10**7)
        method = "api" if name in form["api_platforms"] and random.random() < 0.5 else "screenshot"
        entry = {"platform": name, "handle": HANDLE_OF[name].format(n=n), "method": method}
        entry["count"] = random.randrange(0, 100000) if method == "screenshot" else None
        out.append(entry)
    return out


@schemathesis.hook("map_case").apply_to(method="POST", path="/api/v1/signup")
def a_valid_application(ctx, case):
    """A valid case is a whole valid application (see the operation's description): a
    NIP with real dates, a unit of an institution that exists, the required platforms
    with handles of their own form, a password that is not the email address."""
    import random

    body = case.body
    if not (positive(case) and isinstance(body, dict)):
        return case
    form = signup_form()
    kind = body.get("employee_type") if isinstance(body.get("employee_type"), str) else "pns"
    body["nip"] = a_nip(kind)
    institution = random.choice([i for i in form["institutions"] if i["work_units"]])
    body["institution_id"] = institution["id"]
    body["work_unit_id"] = random.choice(institution["work_units"])["id"]
    body["platforms"] = valid_platforms(body.get("platforms"), form)
    if str(body.get("password", "")).strip().lower() == str(body.get("email", "")).strip().lower():
        body["password"] = "bukan alamat surel " + str(random.randrange(10**6))
    return case


@schemathesis.hook("map_case").apply_to(path_regex=r"^/api/v1/me/(erasure|withdrawal)$")
def the_right_password(ctx, case):
    """A valid confirmation carries the caller's password (a wrong one is a field error,
    which no schema can tell from a right one): the destructive runs sign in with the demo
    password, which run.sh passes as DUTA_API_PASSWORD."""
    import os

    if positive(case) and isinstance(case.body, dict):
        case.body["password"] = os.environ["DUTA_API_PASSWORD"]
    return case


@schemathesis.hook("map_case").apply_to(method="POST", path="/api/v1/me/password")
def a_password_change(ctx, case):
    """A valid change gives the current password and a new one that is neither it nor
    the email address."""
    import os

    body = case.body
    if positive(case) and isinstance(body, dict):
        current = os.environ["DUTA_API_PASSWORD"]
        body["current_password"] = current
        if body.get("new_password") == current or "@" in str(body.get("new_password")):
            body["new_password"] = current + " baru"
    return case


_ME = {}


def caller():
    """Who the run's token belongs to (GET /api/v1/me), or None in an anonymous run:
    run.sh passes each run's token as DUTA_API_TOKEN."""
    import json
    import os
    import urllib.request

    token = os.environ.get("DUTA_API_TOKEN")
    if not token:
        return None
    if token not in _ME:
        request = urllib.request.Request(
            os.environ["DUTA_API_BASE"] + "/api/v1/me", headers={"Authorization": "Bearer " + token}
        )
        with urllib.request.urlopen(request) as r:
            _ME[token] = json.load(r)
    return _ME[token]


def roster_unit(case):
    """A work unit the import may name: the caller's own unit, else the first unit of the
    caller's institution (or of the institution an admin names in the query)."""
    me = caller() or {}
    if me.get("work_unit_id"):
        return me["work_unit_id"]
    institution = me.get("institution_id") or (case.query or {}).get("institution_id")
    for i in signup_form()["institutions"]:
        if str(i["id"]) == str(institution) and i["work_units"]:
            return i["work_units"][0]["id"]
    return None


@schemathesis.hook("map_case").apply_to(method="POST", path="/api/v1/vetting/import")
def a_valid_roster(ctx, case):
    """A valid case sends a roster the server takes (see the operation's description):
    one row per person with a NIP of real dates, a unit in the caller's reach, a handle of
    each required platform's own form and a count over its threshold."""
    import random

    if not (positive(case) and isinstance(case.body, dict)):
        return case
    if not (caller() or {}).get("institution_id") and roster_unit(case) is None:
        # An admin names the institution: one with units (an institution without any
        # cannot take a roster, whatever the file).
        first = next(i for i in signup_form()["institutions"] if i["work_units"])
        case.query = {**(case.query or {}), "institution_id": first["id"]}
    unit = roster_unit(case)
    if unit is None:
        return case
    platforms = signup_form()["required_platforms"]
    header = ["name", "nip", "type", "email", "phone", "work_unit"]
    for p in platforms:
        header += [p, f"{p}_followers"]
    lines = [",".join(header)]
    for _ in range(random.randrange(1, 4)):
        n = random.randrange(10**6, 10**7)
        row = [f"Duta Impor {n}", a_nip("pns"), "pns", f"impor{n}@contoh.go.id", f"0812{n:07d}", str(unit)]
        for p in platforms:
            row += [HANDLE_OF[p].format(n=n), str(random.randrange(10**5, 10**6))]
        lines.append(",".join(row))
    case.body["file"] = ("\n".join(lines) + "\n").encode()
    return case


def totp_now(secret_base32):
    """The authenticator app's current code (RFC 6238: HMAC-SHA1, 30-second steps, six
    digits) for the secret that setup gave in base32."""
    import base64
    import hashlib
    import hmac
    import struct
    import time

    secret = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    tag = hmac.new(secret, struct.pack(">q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = tag[-1] & 0x0F
    number = struct.unpack(">I", tag[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**6:06d}"


@schemathesis.hook("map_case").apply_to(method="POST", path_regex=r"^/api/v1/me/two-factor/(enable|disable|recovery-codes)$")
def a_second_factor(ctx, case):
    """A valid case proves what the account holder has: the password (run.sh passes it as
    DUTA_API_PASSWORD) and a code — to turn two-step sign-in on, the app's current code
    for the secret of the setup run.sh began (DUTA_API_TOTP_SECRET); to turn it off, a
    recovery code run.sh took just before (DUTA_API_RECOVERY_CODE). Which code is right
    is a secret no schema can state. Once the first valid case has turned it on (or off),
    the later ones meet the account in that state and are answered 409."""
    import os

    body = case.body
    if not (positive(case) and isinstance(body, dict)):
        return case
    path = case.operation.path
    body["password"] = os.environ["DUTA_API_PASSWORD"]
    if path.endswith("/enable") and os.environ.get("DUTA_API_TOTP_SECRET"):
        body["code"] = totp_now(os.environ["DUTA_API_TOTP_SECRET"])
    elif path.endswith("/disable") and os.environ.get("DUTA_API_RECOVERY_CODE"):
        body["code"] = os.environ["DUTA_API_RECOVERY_CODE"]
    return case


@schemathesis.hook("map_case").apply_to(method="POST", path="/api/v1/auth/password/reset")
def a_reset_link(ctx, case):
    """A valid case carries the token of a reset link Duta made (run.sh has an admin make
    one and passes it as DUTA_API_RESET_TOKEN): which tokens exist is a secret no schema
    can state. The first valid case sets the password; the later ones meet a used link
    and are answered 409."""
    import os

    body = case.body
    if positive(case) and isinstance(body, dict) and os.environ.get("DUTA_API_RESET_TOKEN"):
        body["token"] = os.environ["DUTA_API_RESET_TOKEN"]
    return case


@schemathesis.hook("map_case").apply_to(method="POST", path="/api/v1/auth/invitation/accept")
def an_invitation(ctx, case):
    """A valid case carries the token of an invitation Duta made (run.sh has an admin make
    an account with one and passes it as DUTA_API_INVITE_TOKEN). The first valid case
    accepts it; the later ones meet a used link and are answered 409."""
    import os

    body = case.body
    if positive(case) and isinstance(body, dict) and os.environ.get("DUTA_API_INVITE_TOKEN"):
        body["token"] = os.environ["DUTA_API_INVITE_TOKEN"]
    return case


_DOCUMENT = None


def form_schema(case):
    """The schema of the operation's multipart form, from the served document."""
    global _DOCUMENT
    if _DOCUMENT is None:
        import json
        import os
        import urllib.request

        with urllib.request.urlopen(os.environ["DUTA_API_BASE"] + "/api/openapi.json") as r:
            _DOCUMENT = json.load(r)
    operation = _DOCUMENT["paths"][case.operation.path][case.method.lower()]
    schema = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    ref = schema.get("$ref", "")
    return _DOCUMENT["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


def wire_text_accepted(property_schema, value):
    """Whether a form field's value, as the text that goes on the wire, meets its schema:
    in a form every value is text, so the number 5 and the string "5" are the same bytes."""
    import json

    import jsonschema_rs

    if type(value) not in (str, int, float, bool, list, dict, type(None)):
        return True  # bytes (a file's content, schemathesis's `Binary`): a binary string
    text = value if isinstance(value, str) else json.dumps(value)
    if jsonschema_rs.is_valid(property_schema, text):
        return True
    try:
        return jsonschema_rs.is_valid(property_schema, json.loads(text))
    except ValueError:
        return False


@schemathesis.hook("filter_case").apply_to(
    method="POST",
    path_regex=r"^/api/v1/(briefs/\{id\}/images(/\{image_id\}/file)?|me/platforms/\{platform\}/screenshot|vetting/import|hoax-reports)$",
)
def only_forms_invalid_on_the_wire(ctx, case):
    """A multipart form carries text only: a negative case whose change is a field's type
    (`"alt": 123` for `"alt": "123"`) sends the same bytes as a valid form, which the
    server rightly takes. Such a case is dropped; every case whose bytes break the form
    (a value out of range, a pattern not met, a field unknown or missing) still runs."""
    body = case.body
    if positive(case) or not isinstance(body, dict) or case.method.upper() != "POST":
        return True
    schema = form_schema(case)
    properties = schema.get("properties", {})
    if any(name not in properties for name in body):
        return True
    if any(name not in body for name in schema.get("required", [])):
        return True
    return not all(wire_text_accepted(properties[name], value) for name, value in body.items())


# The kinds of email each role receives (the operation's description says a kind of
# another role is refused).
EMAIL_KINDS = {
    "ambassador": {"brief_published", "brief_changed", "reminder", "post_rejected"},
    "coordinator": {"candidate_waiting", "hoax_reported", "national_brief"},
    "national": {"hoax_reported"},
}


@schemathesis.hook("filter_case").apply_to(method="PUT", path="/api/v1/notifications/email")
def own_email_kinds(ctx, case):
    """A valid case names only kinds of email the caller's role receives."""
    body = case.body if isinstance(case.body, dict) else {}
    if not positive(case):
        return True
    mine = EMAIL_KINDS.get((caller() or {}).get("role"), set())
    return all(kind in mine for kind in body)


@schemathesis.hook("filter_case")
def no_missing_path_ids(ctx, case):
    """A stateful step may take an id from a field that is null in the answer before it
    (a hoax report's `brief_id` while its clarification is not out yet): a path without
    its id is not a request of the document, so such a step is dropped."""
    return all(v is not None and v != "None" for v in (case.path_parameters or {}).values())
