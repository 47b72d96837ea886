#!/usr/bin/env python3
"""Issue 19: SIGKILL the real binary during mixed writes, ROUNDS times (default 200).

Each round starts `duta serve` on the same data, lets five clients write for a random
200-1200 ms — sign-ups, post submissions, verifications and reverts of posts, edits of
a brief's title — and kills the server with SIGKILL in the middle of it. Every write the
server acknowledged (a 2xx answer) is recorded by its client, and so is the one request
each client had in flight when the server died (it may or may not have landed). After
every kill, with the server dead:

  * the database passes its integrity check: SQLite's `PRAGMA integrity_check`, or on
    PostgreSQL amcheck's `bt_index_check` on every B-tree index and `verify_heapam` on
    every table;
  * every acknowledged write is there: each acknowledged sign-up's account, each
    acknowledged submission, and each post and brief in the state of its last
    acknowledged change (or of the change in flight);
  * the standings equal the rebuild: `duta leaderboard rebuild` finds 0 differences.

Usage: python3 bench/kill.py BINARY [ROUNDS]. DUTA_DATABASE_URL=postgres://… runs it on
PostgreSQL (a fresh database `duta_kill` is made); the default is SQLite in a temporary
folder. Prints one line per 20 rounds and a summary; exits 1 at the first violation.
"""

import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/duta")
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 200
PASSWORD = "duta-bench-2026"  # duta::seed::bench::BENCH_PASSWORD
WEEKS = 4
AMBASSADORS = 2000
# `duta seed --bench` puts ambassador a in institution ((a - 1) % 200) // 20 + 1, and
# gives institution i the briefs (i - 1) * WEEKS * 10 + 1 … i * WEEKS * 10.
OURS = [a for a in range(1, AMBASSADORS + 1) if (a - 1) % 200 < 20]  # institution 1
rng = random.Random(19)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Database:
    """Reads the database while the server is dead: SQLite directly, PostgreSQL by psql."""

    def __init__(self, url, data):
        self.url = url
        self.sqlite = None if url.startswith("postgres") else os.path.join(data, "duta.db")

    def rows(self, sql):
        if self.sqlite:
            con = sqlite3.connect(self.sqlite)
            try:
                return [tuple(r) for r in con.execute(sql).fetchall()]
            finally:
                con.close()
        out = subprocess.run(["psql", self.url, "-AtF", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]

    def integrity(self):
        if self.sqlite:
            found = self.rows("PRAGMA integrity_check")
            return [r[0] for r in found if r[0] != "ok"]
        self.rows("CREATE EXTENSION IF NOT EXISTS amcheck")
        try:
            # Every B-tree index of Duta's tables, with its heap (`heapallindexed`), in one
            # statement: the first corrupt index stops it with an error that names it.
            self.rows(
                "SELECT count(bt_index_check(c.oid, true)) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE a.amname = 'btree' AND c.relkind = 'i' AND n.nspname = 'public'")
        except subprocess.CalledProcessError as e:
            return [f"bt_index_check: {e.stderr.strip()}"]
        return [f"table {r[0]} block {r[1]}: {r[2]}" for r in self.rows(
            "SELECT c.relname, v.blkno, v.msg FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace, LATERAL verify_heapam(c.oid) v "
            "WHERE c.relkind = 'r' AND n.nspname = 'public'")]


class Client:
    def __init__(self, port):
        self.port = port

    def call(self, method, path, body=None, token=None, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, None if body is None else json.dumps(body), headers)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, (json.loads(data) if data else None)
        finally:
            conn.close()


class Server:
    def __init__(self, env):
        self.env = env
        self.proc = None

    def start(self):
        port = free_port()
        env = dict(self.env, DUTA_PORT=str(port))
        self.proc = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(env["DUTA_DATA_DIR"], "serve.log"), "a"))
        client = Client(port)
        deadline = time.time() + 60
        while True:
            try:
                if client.call("GET", "/healthz", timeout=1)[0] == 200:
                    return client
            except OSError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                raise SystemExit(f"kill: duta did not start (exit {self.proc.poll()})")
            time.sleep(0.02)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


class Ledger:
    """What the clients were told was stored, and what they had in flight."""

    def __init__(self):
        self.lock = threading.Lock()
        self.signups = []          # emails acknowledged
        self.submissions = []      # ids acknowledged
        self.post_state = {}       # submission id -> status last acknowledged
        self.post_inflight = {}    # submission id -> status the request in flight asks for
        self.title = None          # the brief's title last acknowledged
        self.title_inflight = None
        self.acks = 0
        self.refused = {}          # status -> count of non-2xx answers


def writer(name, stop, ledger, step):
    """Runs `step` until the server dies or the round stops; a dead server ends it."""
    n = 0
    while not stop.is_set():
        try:
            step(n)
        except (OSError, http.client.HTTPException, json.JSONDecodeError):
            return
        n += 1


def main():
    data = tempfile.mkdtemp(prefix="duta-kill-")
    url = os.environ.get("DUTA_DATABASE_URL", "")
    if url.startswith("postgres"):
        base = url.rsplit("/", 1)[0]
        subprocess.run(["psql", f"{base}/postgres", "-qc", "DROP DATABASE IF EXISTS duta_kill"], check=True)
        subprocess.run(["psql", f"{base}/postgres", "-qc", "CREATE DATABASE duta_kill"], check=True)
        url = f"{base}/duta_kill"
    else:
        url = f"sqlite://{data}/duta.db?mode=rwc"
    env = dict(os.environ, DUTA_DATA_DIR=data, DUTA_DATABASE_URL=url, DUTA_LOG="error",
               DUTA_JOBS="{enabled=false}")
    db = Database(url, data)
    subprocess.run([BIN, "seed", "--bench", "--ambassadors", str(AMBASSADORS), "--weeks", str(WEEKS)],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    server = Server(env)
    client = server.start()

    def login(email):
        s, b = client.call("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})
        assert s == 200, (email, s, b)
        return b["token"]

    coordinator = login("coordinator1@bench.duta.id")
    ambassadors = [login(f"amb{a}@bench.duta.id") for a in OURS]
    unit = int(db.rows("SELECT MIN(id) FROM work_units WHERE institution_id = 1 AND parent_id IS NOT NULL")[0][0])
    consent = client.call("GET", "/api/v1/signup/form")[1]["consent_version"]
    briefs = list(range(1, WEEKS * 10 + 1))  # institution 1's
    flip_ids = [int(r[0]) for r in db.rows(
        "SELECT s.id FROM submissions s JOIN briefs b ON b.id = s.brief_id "
        "WHERE b.institution_id = 1 AND s.status = 'verified' ORDER BY s.id LIMIT 40")]
    assert len(flip_ids) >= 10, "the seed has verified posts of institution 1 to flip"
    deadline = (datetime.now(timezone.utc) + timedelta(hours=30)).isoformat(timespec="seconds")
    week = datetime.now(timezone(timedelta(hours=7))).strftime("%G-W%V")
    brief = {
        "title": "Brief yang disunting", "week": week, "category": "sosialisasi",
        "key_messages": "Layanan publik makin mudah.", "facts": [], "hashtags": ["ASNBerAKHLAK"],
        "mentions": [], "dos": "", "donts": "", "sample": "", "platforms": ["x", "instagram", "facebook"],
        "deadline": deadline, "priority": "normal", "work_unit_ids": [], "template_ids": [],
        "status": "published",
    }
    s, b = client.call("POST", "/api/v1/briefs", brief, coordinator)
    assert s == 201, (s, b)
    edited = b["id"]
    server.kill()

    ledger = Ledger()
    ledger.title = brief["title"]
    for i in flip_ids:
        ledger.post_state[i] = "verified"
    counter = {"signup": 0, "post": 0}
    new_posts = []  # acknowledged, waiting for the verifier
    started = time.time()

    def answer(kind, s, b):
        with ledger.lock:
            if 200 <= s < 300:
                ledger.acks += 1
            else:
                key = f"{kind} {s}"
                if key not in ledger.refused:
                    print(f"first refusal of a {kind}: {s} {json.dumps(b, ensure_ascii=False)[:300]}", flush=True)
                ledger.refused[key] = ledger.refused.get(key, 0) + 1

    for rnd in range(1, ROUNDS + 1):
        client = server.start()
        stop = threading.Event()

        def signup(n):
            with ledger.lock:
                counter["signup"] += 1
                k = counter["signup"]
            day, seq = k % 28 + 1, (k // 28) % 999 + 1
            body = {
                "name": f"Kill {k}", "display_name": f"Kill {k}",
                "nip": f"198609{day:02d}2015052{seq:03d}", "employee_type": "pns",
                "email": f"kill{k}@instansi.go.id", "phone": f"0812 3456 {k % 10000:04d}",
                "institution_id": 1, "work_unit_id": unit, "password": f"kill password {k}",
                "consent": True, "consent_version": consent,
                "platforms": [{"platform": p, "handle": h, "method": "screenshot", "count": 900}
                              for p, h in (("facebook", f"kill.fb.{k}"), ("x", f"killx{k}"),
                                           ("instagram", f"kill.ig.{k}"))],
            }
            s, b = client.call("POST", "/api/v1/signup", body)
            answer("sign-up", s, b)
            if s == 201:
                with ledger.lock:
                    ledger.signups.append(body["email"])

        def submit(n):
            with ledger.lock:
                counter["post"] += 1
                k = counter["post"]
            # Each (ambassador, brief, platform) once: a post takes that slot.
            who = k % len(ambassadors)
            which = (k // len(ambassadors)) % len(briefs)
            platform = ("instagram", "facebook", "x")[(k // (len(ambassadors) * len(briefs))) % 3]
            url = {"instagram": f"https://www.instagram.com/p/K{k:014d}/",
                   "facebook": f"https://www.facebook.com/killbench/posts/{900000 + k}",
                   "x": f"https://x.com/killbench/status/19{k:017d}"}[platform]
            posted = (datetime.now(timezone.utc) - timedelta(minutes=2)).isoformat(timespec="seconds")
            body = {"brief_id": briefs[which], "platform": platform, "url": url,
                    "posted_at": posted, "likes": 3}
            s, b = client.call("POST", "/api/v1/submissions", body, ambassadors[who])
            answer("submission", s, b)
            if s == 201:
                with ledger.lock:
                    ledger.submissions.append(b["id"])
                    new_posts.append(b["id"])

        def decide(n):
            # Verify a new post when there is one; otherwise flip one of the seed's posts.
            with ledger.lock:
                target = new_posts.pop(0) if new_posts and n % 2 == 0 else None
            if target is None:
                target = flip_ids[n % len(flip_ids)]
                action = "revert" if ledger.post_state.get(target) == "verified" else "verify"
            else:
                action = "verify"
            wanted = "verified" if action == "verify" else "pending"
            with ledger.lock:
                ledger.post_inflight[target] = wanted
            s, b = client.call("POST", f"/api/v1/submissions/{target}/{action}", {}, coordinator)
            answer(action, s, b)
            with ledger.lock:
                ledger.post_inflight.pop(target, None)
                if 200 <= s < 300:
                    ledger.post_state[target] = b["status"]

        def edit(n):
            title = f"Brief yang disunting r{rnd} n{n}"
            with ledger.lock:
                ledger.title_inflight = title
            s, b = client.call("PUT", f"/api/v1/briefs/{edited}", dict(brief, title=title), coordinator)
            answer("brief edit", s, b)
            with ledger.lock:
                ledger.title_inflight = None
                if 200 <= s < 300:
                    ledger.title = title

        threads = [threading.Thread(target=writer, args=(f.__name__, stop, ledger, f))
                   for f in (signup, submit, submit, decide, edit)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.2, 1.2))
        server.kill()
        stop.set()
        for t in threads:
            t.join()

        # The checks, with the server dead.
        bad = db.integrity()
        if bad:
            raise SystemExit(f"kill: round {rnd}: integrity check failed: {bad[:5]}")
        emails = {r[0] for r in db.rows("SELECT email FROM users WHERE email LIKE 'kill%'")}
        missing = [e for e in ledger.signups if e not in emails]
        if missing:
            raise SystemExit(f"kill: round {rnd}: acknowledged sign-ups missing: {missing[:5]}")
        ids = {int(r[0]) for r in db.rows("SELECT id FROM submissions")}
        missing = [i for i in ledger.submissions if i not in ids]
        if missing:
            raise SystemExit(f"kill: round {rnd}: acknowledged submissions missing: {missing[:5]}")
        states = {int(r[0]): r[1] for r in db.rows("SELECT id, status FROM submissions")}
        for i, last in list(ledger.post_state.items()):
            allowed = {last, ledger.post_inflight.get(i)}
            if states.get(i) not in allowed:
                raise SystemExit(f"kill: round {rnd}: submission {i} is {states.get(i)}, acknowledged {last}")
            ledger.post_state[i] = states[i]
        ledger.post_inflight.clear()
        title = db.rows(f"SELECT title FROM briefs WHERE id = {edited}")[0][0]
        if title not in (ledger.title, ledger.title_inflight):
            raise SystemExit(f"kill: round {rnd}: the brief reads {title!r}, acknowledged {ledger.title!r}")
        ledger.title, ledger.title_inflight = title, None
        # Posts acknowledged but not yet verified stay queued for the next round.
        rebuilt = subprocess.run([BIN, "leaderboard", "rebuild"], env=env, capture_output=True, text=True)
        found = re.search(r"(\d+) difference", rebuilt.stdout)
        if rebuilt.returncode != 0 or not found or found.group(1) != "0":
            raise SystemExit(f"kill: round {rnd}: the standings differ from the rebuild:\n{rebuilt.stdout}{rebuilt.stderr}")
        if rnd % 20 == 0 or rnd == ROUNDS:
            print(f"round {rnd}: {ledger.acks} acknowledged writes so far "
                  f"({len(ledger.signups)} sign-ups, {len(ledger.submissions)} submissions), "
                  f"integrity ok, 0 missing, 0 differences from the rebuild", flush=True)

    backend = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"\n{ROUNDS} SIGKILLs on {backend} in {time.time() - started:.0f} s: {ledger.acks} acknowledged writes "
          f"({len(ledger.signups)} sign-ups, {len(ledger.submissions)} submissions, the rest verifications, "
          f"reverts and brief edits), non-2xx answers {dict(sorted(ledger.refused.items()))}; "
          f"after every kill: integrity ok, every acknowledged write present, standings = rebuild")
    shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
