#!/usr/bin/env python3
"""Failure drills against a cluster started by deploy/cluster.sh (issue 22).

Run through deploy/drill.sh, which passes the cluster's settings in the same DUTA_*
variables. Each drill prints PASS, FAIL or SKIP with its figures, and a JSON line
(`drill-result {...}`) for the record.

  kill      kill -9 one node under load, DRILL_KILLS times (default 3), starting it again
            3 s after each kill: a read page through HAProxy with wrk (paced) and writers
            of post submissions (each 201 recorded); HAProxy takes the node out and puts it
            back each time, every acknowledged write is in the database afterwards (psql),
            and errors seen by clients stay under 0.1 % of requests.
  job       a follower re-check run made long (the X accounts due, a stand-in X API on
            loopback answering slowly; nodes restarted with it and jobs.lease_seconds = 15)
            is SIGKILLed with the node running it: another node must claim it once the
            lease has run out, finish it (attempt 2) with every account checked, and the
            run must not be scheduled twice. Nodes are restarted as before afterwards.
  pg        PostgreSQL's primary restarts under load (pg_ctlcluster restart): nodes
            reconnect by themselves, no request takes 10 s or more, acknowledged writes
            are all there; /healthz of a node is polled throughout.
  pgdown    the primary is stopped for DRILL_PG_DOWN seconds (default 12) under load,
            then started: /healthz must answer 503 meanwhile, and no request may take
            10 s or more (so a request must fail rather than wait for the database).
  s3        the object store (weed) is killed: an upload answers 503, nothing is half
            written, pages still load; weed is started again. SKIP when the nodes do not
            store files in the bucket.
  replica   the replica applies each commit 5 s late (recovery_min_apply_delay, set for the
            drill and reset after): DRILL_REPLICA_ROUNDS times (default 10) an ambassador
            submits a post and the coordinator verifies it on the page, then at once reads
            the briefs download with their browser's cookies: the post must be counted
            every time (their own write: the primary answers), while the same download
            without the write mark (another browser) comes from the replica
            (X-Duta-Read: replica) and may still miss it. SKIP when the nodes have no
            database_read_url.

Usage: deploy/drill.sh [kill] [job] [pg] [pgdown] [s3] [replica]   (default: all, in that order)
"""

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIR = os.environ.get("DUTA_CLUSTER_DIR", "/tmp/duta-cluster")
NODES = int(os.environ.get("DUTA_CLUSTER_NODES", "3"))
NODE_PORT = int(os.environ.get("DUTA_CLUSTER_NODE_PORT", "8001"))
LB_PORT = int(os.environ.get("DUTA_CLUSTER_LB_PORT", "8000"))
STATS_PORT = int(os.environ.get("DUTA_CLUSTER_STATS_PORT", "8404"))
PG_PRIMARY = os.environ.get("DUTA_CLUSTER_PG_PRIMARY", "duta_p")
PG_REPLICA_PORT = int(os.environ.get("DUTA_CLUSTER_PG_REPLICA_PORT", "5434"))
REPLICA_ROUNDS = int(os.environ.get("DRILL_REPLICA_ROUNDS", "10"))
S3_PORT = int(os.environ.get("DUTA_CLUSTER_S3_PORT", "8333"))
SECONDS = int(os.environ.get("DRILL_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("DRILL_CONNECTIONS", "8"))
DELAY_MS = int(os.environ.get("DRILL_DELAY_MS", "40"))
WRITERS = int(os.environ.get("DRILL_WRITERS", "4"))
PG_DOWN = float(os.environ.get("DRILL_PG_DOWN", "12"))
READ_PATH = os.environ.get("DRILL_READ_PATH", "/leaderboard")
VICTIM = int(os.environ.get("DRILL_VICTIM", "2"))
KILLS = int(os.environ.get("DRILL_KILLS", "3"))
PASSWORD = "duta-demo-2026"  # duta seed --demo
COORDINATOR = "koordinator@demo.duta.id"
IMAGE = os.path.join(ROOT, "docs", "screenshots", "leaderboard-phone.png")
LB = ("127.0.0.1", LB_PORT)
LIMIT_S = 10.0  # no request may take this long (issue 22)


def secrets():
    out = {}
    with open(os.path.join(DIR, "secrets.env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            if k:
                out[k] = v
    return out


SECRETS = secrets()
DB_URL = f"postgres://duta:{SECRETS['DB_PASSWORD']}@127.0.0.1:" \
         f"{os.environ.get('DUTA_CLUSTER_PG_PRIMARY_PORT', '5433')}/duta"


def psql(sql):
    out = subprocess.run(["psql", DB_URL, "-qXAtF", "\t", "-v", "ON_ERROR_STOP=1"], input=sql,
                         check=True, capture_output=True, text=True).stdout
    return [tuple(line.split("\t")) for line in out.splitlines() if line]


def call(addr, method, path, body=None, token=None, timeout=30, headers=None, raw=None):
    """One request on a new connection: (status or None, parsed body or error text, seconds)."""
    conn = http.client.HTTPConnection(*addr, timeout=timeout)
    h = {"Content-Type": "application/json"} if raw is None else {}
    if token:
        h["Authorization"] = f"Bearer {token}"
    h.update(headers or {})
    t0 = time.monotonic()
    try:
        conn.request(method, path, raw if raw is not None else
                     (None if body is None else json.dumps(body)), h)
        resp = conn.getresponse()
        data = resp.read()
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = data[:200]
        return resp.status, parsed, time.monotonic() - t0
    except (OSError, http.client.HTTPException) as e:
        return None, f"{type(e).__name__}: {e}", time.monotonic() - t0
    finally:
        conn.close()


def node_addr(i):
    return ("127.0.0.1", NODE_PORT + i - 1)


def login(email):
    s, b, _ = call(LB, "POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})
    if s != 200:
        raise SystemExit(f"drill: cannot sign in as {email}: {s} {b}")
    return b["token"]


def servers_state():
    """HAProxy's view: {'n1': 'UP', 'n2': 'DOWN', …} from the statistics CSV."""
    conn = http.client.HTTPConnection("127.0.0.1", STATS_PORT, timeout=2)
    try:
        conn.request("GET", "/;csv")
        rows = conn.getresponse().read().decode().splitlines()
    finally:
        conn.close()
    head = rows[0].lstrip("# ").split(",")
    out = {}
    for r in rows[1:]:
        f = dict(zip(head, r.split(",")))
        if f.get("pxname") == "duta_nodes" and f.get("svname") not in ("BACKEND", "FRONTEND"):
            out[f["svname"]] = f["status"]
    return out


def backend_counters():
    """HAProxy's counters for the nodes' backend: retries, redispatches, connection and
    response errors."""
    conn = http.client.HTTPConnection("127.0.0.1", STATS_PORT, timeout=2)
    try:
        conn.request("GET", "/;csv")
        rows = conn.getresponse().read().decode().splitlines()
    finally:
        conn.close()
    head = rows[0].lstrip("# ").split(",")
    for r in rows[1:]:
        f = dict(zip(head, r.split(",")))
        if f.get("pxname") == "duta_nodes" and f.get("svname") == "BACKEND":
            return {k: int(f[k] or 0) for k in ("wretr", "wredis", "econ", "eresp")}
    return {}


def cluster(*args):
    subprocess.run(["bash", os.path.join(ROOT, "deploy", "cluster.sh"), *args], check=True,
                   stdout=subprocess.DEVNULL)


class Writer:
    """Ambassadors submitting posts through HAProxy, each to a free (brief, platform) slot of
    a brief the coordinator made for the drill (a new brief when the slots run out). Records
    what was acknowledged (201), what was refused, and what got no answer."""

    PLATFORMS = ("x", "instagram", "facebook", "tiktok", "youtube")

    def __init__(self, coordinator, ambassadors, tag):
        self.coordinator = coordinator
        self.ambassadors = ambassadors
        self.tag = tag
        self.lock = threading.Lock()
        self.brief_lock = threading.Lock()
        self.acked = []            # submission ids answered 201
        self.acked_briefs = []     # brief ids answered 201
        self.unknown = []          # urls with no answer or a 5xx: stored or not, nobody knows
        self.statuses = {}
        self.failures = {}         # kind -> count (no answer)
        self.requests = 0
        self.max_s = 0.0
        self.slowest = None
        self.timeline = []         # (t, ok) per request
        self.slots = []
        self.n = 0
        self.t0 = time.monotonic()

    def note(self, kind, status, secs, err=None):
        with self.lock:
            self.requests += 1
            key = f"{kind} {status if status is not None else 'no answer'}"
            self.statuses[key] = self.statuses.get(key, 0) + 1
            if status is None:
                self.failures[err.split(":")[0]] = self.failures.get(err.split(":")[0], 0) + 1
            if secs > self.max_s:
                self.max_s, self.slowest = secs, key
            self.timeline.append((time.monotonic() - self.t0, status is not None and status < 400))

    def new_brief(self):
        week = datetime.now(timezone(timedelta(hours=7))).strftime("%G-W%V")
        deadline = (datetime.now(timezone.utc) + timedelta(hours=30)).isoformat(timespec="seconds")
        body = {
            "title": f"Drill {self.tag} {uuid.uuid4().hex[:8]}", "week": week, "category": "sosialisasi",
            "key_messages": "Layanan publik makin mudah.", "facts": [], "hashtags": ["ASNBerAKHLAK"],
            "mentions": [], "dos": "", "donts": "", "sample": "", "platforms": list(self.PLATFORMS),
            "deadline": deadline, "priority": "normal", "work_unit_ids": [], "template_ids": [],
            "status": "published",
        }
        s, b, secs = call(LB, "POST", "/api/v1/briefs", body, self.coordinator)
        self.note("brief", s, secs, None if s else b)
        if s == 201:
            with self.lock:
                self.acked_briefs.append(b["id"])
            return b["id"]
        return None

    def next_slot(self):
        # One thread at a time takes a slot, and the one that finds none left makes the
        # next brief (the others wait for it rather than make briefs of their own).
        with self.brief_lock:
            if not self.slots:
                brief = self.new_brief()
                if brief is None:
                    time.sleep(0.1)
                    return None, None
                self.slots = [(a, brief, p) for p in self.PLATFORMS for a in range(len(self.ambassadors))]
            self.n += 1
            return self.slots.pop(), self.n

    def step(self):
        slot, n = self.next_slot()
        if slot is None:
            return
        amb, brief, platform = slot
        r = uuid.uuid4()
        k = r.int
        url = {"x": f"https://x.com/drillbench/status/19{k % 10**17:017d}",
               "instagram": f"https://www.instagram.com/p/D{k % 10**14:014d}/",
               "facebook": f"https://www.facebook.com/drillbench/posts/{k % 10**15}",
               "tiktok": f"https://www.tiktok.com/@drillbench/video/7{k % 10**18:018d}",
               "youtube": f"https://www.youtube.com/watch?v={r.hex[:11]}"}[platform]
        posted = (datetime.now(timezone.utc) - timedelta(seconds=30)).isoformat(timespec="seconds")
        body = {"brief_id": brief, "platform": platform, "url": url, "posted_at": posted, "likes": 3}
        s, b, secs = call(LB, "POST", "/api/v1/submissions", body, self.ambassadors[amb])
        self.note("submission", s, secs, None if s else b)
        with self.lock:
            if s == 201:
                self.acked.append(b["id"])
            elif s is None or s >= 500:
                self.unknown.append(url)
            elif s == 409 or s == 422:
                # Not a failure of the cluster: report it, but it should not happen.
                pass

    def run(self, stop):
        while not stop.is_set():
            self.step()

    def errors(self):
        return sum(n for k, n in self.statuses.items()
                   if k.endswith("no answer") or not k.split()[-1].startswith("2"))

    def check(self):
        """Every acknowledged write is in the database; how many unanswered ones landed."""
        missing = []
        if self.acked:
            ids = ",".join(str(i) for i in self.acked)
            found = {int(r[0]) for r in psql(f"SELECT id FROM submissions WHERE id IN ({ids})")}
            missing = [i for i in self.acked if i not in found]
        missing_briefs = []
        if self.acked_briefs:
            ids = ",".join(str(i) for i in self.acked_briefs)
            found = {int(r[0]) for r in psql(f"SELECT id FROM briefs WHERE id IN ({ids})")}
            missing_briefs = [i for i in self.acked_briefs if i not in found]
        landed = 0
        if self.unknown:
            quoted = ",".join("'" + u.replace("'", "''") + "'" for u in self.unknown)
            landed = int(psql(f"SELECT count(*) FROM submissions WHERE url IN ({quoted})")[0][0])
        return missing, missing_briefs, landed


def start_wrk(cookie, seconds):
    env = dict(os.environ, HEADER=f"Cookie: duta_session={cookie}", DELAY_MS=str(DELAY_MS))
    return subprocess.Popen(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s", "-s",
         os.path.join(ROOT, "deploy", "drill_read.lua"), f"http://127.0.0.1:{LB_PORT}{READ_PATH}"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wrk_result(proc):
    out, _ = proc.communicate()
    m = re.search(r"^drill (.*)$", out, re.M)
    if not m:
        raise SystemExit(f"drill: wrk gave no summary:\n{out}")
    f = dict(kv.split("=", 1) for kv in m.group(1).split())
    statuses = dict(s.split(":") for s in f["statuses"].split(",") if s)
    bad = sum(int(n) for s, n in statuses.items() if not s.startswith("2"))
    socket = sum(int(f[k]) for k in ("errors_connect", "errors_read", "errors_write", "errors_timeout"))
    return {"requests": int(f["requests"]), "non2xx": bad, "socket_errors": socket,
            "statuses": statuses, "max_s": int(f["latency_max_us"]) / 1e6,
            "p99_ms": int(f["latency_p99_us"]) / 1e3}


def report(name, ok, lines, record):
    verdict = "PASS" if ok is True else ("SKIP" if ok is None else "FAIL")
    print(f"\n== {name}: {verdict}")
    for line in lines:
        print(f"   {line}")
    record = dict(record, drill=name, verdict=verdict, at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    print("drill-result " + json.dumps(record), flush=True)
    return verdict


class Load:
    """wrk on the read page and the writers, for `seconds`."""

    def __init__(self, tokens, tag, seconds):
        self.writer = Writer(tokens["coordinator"], tokens["ambassadors"], tag)
        self.cookie = tokens["coordinator"]
        self.seconds = seconds
        self.stop = threading.Event()

    def __enter__(self):
        self.t0 = time.monotonic()
        self.wrk = start_wrk(self.cookie, self.seconds)
        self.threads = [threading.Thread(target=self.writer.run, args=(self.stop,)) for _ in range(WRITERS)]
        for t in self.threads:
            t.start()
        return self

    def at(self, t):
        """Sleeps until `t` seconds after the load started."""
        left = self.t0 + t - time.monotonic()
        if left > 0:
            time.sleep(left)

    def now(self):
        return time.monotonic() - self.t0

    def finish(self):
        self.at(self.seconds)
        self.stop.set()
        for t in self.threads:
            t.join()
        self.read = wrk_result(self.wrk)
        return self.read, self.writer

    def __exit__(self, *exc):
        self.stop.set()
        if self.wrk.poll() is None:
            self.wrk.kill()


def pid_of(name):
    with open(os.path.join(DIR, f"{name}.pid")) as f:
        return int(f.read().strip())


# ------------------------------------------------------------------ the drills

def drill_kill():
    victim = f"n{VICTIM}"
    rounds = []
    states = []  # (t, state of the victim in HAProxy)
    counters = backend_counters()
    with Load(TOKENS, "kill", SECONDS) as load:
        def watch():
            while not load.stop.is_set():
                try:
                    states.append((load.now(), servers_state().get(victim)))
                except OSError:
                    pass
                time.sleep(0.1)
        watcher = threading.Thread(target=watch)
        watcher.start()
        for r in range(KILLS):
            load.at(SECONDS * (0.1 + 0.8 * r / KILLS))
            pid = pid_of(f"node{VICTIM}")
            os.kill(pid, signal.SIGKILL)
            t_kill = load.now()
            time.sleep(3)
            cluster("start-node", str(VICTIM))
            t_answers = load.now()
            while load.now() < t_answers + 10 and not any(
                    t > t_answers and s and s.startswith("UP") for t, s in states):
                time.sleep(0.1)
            down = [t for t, s in states if s and s.startswith("DOWN") and t > t_kill]
            up = [t for t, s in states if s and s.startswith("UP") and t > t_answers]
            rounds.append({"pid": pid, "kill": t_kill, "answers": t_answers,
                           "down_after": down[0] - t_kill if down else None,
                           "up_after": up[0] - t_answers if up else None})
        read, writer = load.finish()
        watcher.join()
    after = backend_counters()
    lb = {k: after[k] - counters.get(k, 0) for k in after}
    missing, missing_briefs, landed = writer.check()
    total = read["requests"] + writer.requests
    errors = read["non2xx"] + read["socket_errors"] + writer.errors()
    rate = errors / total if total else 1
    every_round = all(r["down_after"] is not None and r["up_after"] is not None for r in rounds)
    ok = not missing and not missing_briefs and rate < 0.001 and every_round
    fmt = lambda v: f"{v:.2f} s" if v is not None else "never"
    lines = [
        f"load: {SECONDS} s; wrk {CONNECTIONS} connections ({DELAY_MS} ms pause) on {READ_PATH} through HAProxy, "
        f"{WRITERS} writers of post submissions; node {VICTIM} SIGKILLed {KILLS} times, started again 3 s after each kill",
    ] + [
        f"kill {i + 1} at {r['kill']:.1f} s (pid {r['pid']}): {victim} DOWN in HAProxy {fmt(r['down_after'])} after; "
        f"node answering again at {r['answers']:.1f} s, UP in HAProxy {fmt(r['up_after'])} after that"
        for i, r in enumerate(rounds)
    ] + [
        f"reads: {read['requests']} requests ({read['requests'] / SECONDS:.0f}/s), statuses {read['statuses']}, "
        f"socket errors {read['socket_errors']}, p99 {read['p99_ms']:.1f} ms, max {read['max_s'] * 1000:.0f} ms",
        f"writes: {writer.requests} requests, {len(writer.acked)} submissions and {len(writer.acked_briefs)} briefs "
        f"acknowledged, answers {dict(sorted(writer.statuses.items()))}, slowest {writer.max_s * 1000:.0f} ms",
        f"HAProxy during the drill: {lb.get('wredis', 0)} requests redispatched to another node, {lb.get('wretr', 0)} retries, "
        f"{lb.get('eresp', 0)} response errors, {lb.get('econ', 0)} connection errors",
        f"errors seen by clients: {errors} of {total} requests = {rate * 100:.3f} % (limit 0.1 %)",
        f"acknowledged writes missing from the database: {len(missing) + len(missing_briefs)}; "
        f"writes without an answer (or a 5xx): {len(writer.unknown)}, of which stored: {landed}",
    ]
    return report("kill -9 one node under load", ok, lines, {
        "seconds": SECONDS, "kills": rounds, "reads": read, "writes": writer.requests, "acked": len(writer.acked),
        "acked_briefs": len(writer.acked_briefs), "write_statuses": writer.statuses, "haproxy": lb,
        "errors": errors, "total": total, "error_rate": rate, "missing": len(missing) + len(missing_briefs),
        "unknown": len(writer.unknown), "unknown_stored": landed})


class SlowX:
    """A stand-in for X's user lookup (API v2, `GET /2/users/by/username/{u}`) on loopback
    that takes `delay` seconds per answer, so a follower re-check run lasts long enough to
    kill the node running it."""

    def __init__(self, delay):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        slow = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                slow.calls += 1
                if not self.path.startswith("/2/users/by/username/"):
                    self.send_error(404)
                    return
                time.sleep(delay)
                body = json.dumps({"data": {"public_metrics": {"followers_count": 5000}}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass  # the node asking was killed meanwhile

            def log_message(self, *args):
                pass

        self.calls = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def restart_nodes(extra_env):
    """Every node stopped (SIGTERM: it gives back its runs) and started again with
    `extra_env` (NAME=value lines, see DUTA_CLUSTER_NODE_ENV) added to its settings."""
    env = dict(os.environ, DUTA_CLUSTER_NODE_ENV=extra_env)
    for i in range(1, NODES + 1):
        pid = pid_of(f"node{i}")
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.time() + 30
        while os.path.exists(f"/proc/{pid}") and time.time() < deadline:
            time.sleep(0.05)
        subprocess.run(["bash", os.path.join(ROOT, "deploy", "cluster.sh"), "start-node", str(i)],
                       check=True, stdout=subprocess.DEVNULL, env=env)


def node_of(holder):
    """The node number of a holder id in job_runs: cluster.sh names node i's host `node{i}`,
    and a node's holder id is its host name and a random part."""
    m = re.fullmatch(r"node(\d+)-[0-9a-f]+", holder or "")
    return int(m.group(1)) if m else None


def drill_job():
    # The X accounts of approved ambassadors, made due for the re-check through the API.
    accounts = psql(
        "UPDATE ambassador_platforms SET method = 'api', checked_at = now() - interval '400 days', "
        "check_error = NULL, retry_after = NULL WHERE platform = 'x' AND ambassador_id IN "
        "(SELECT id FROM ambassadors WHERE status = 'approved') RETURNING id")
    if len(accounts) < 2:
        return report("a killed node's job run again by another node", None,
                      [f"SKIP: {len(accounts)} X accounts of approved ambassadors to re-check"], {})
    delay = min(20.0, max(1.0, 40.0 / len(accounts)))
    lease = 15
    x = SlowX(delay)
    extra = "\n".join([
        f'DUTA_FOLLOWERS={{x={{base_url="http://127.0.0.1:{x.port}",token="drill"}},timeout_secs=30}}',
        # A run every minute: this hour's may have run before the drill.
        f"DUTA_JOBS={{lease_seconds={lease},tick_minutes=1}}",
    ])
    try:
        restart_nodes(extra)
        t0 = time.monotonic()
        run = None
        while time.monotonic() < t0 + 120 and not run:
            rows = psql("SELECT id, claimed_by, attempts FROM job_runs "
                        "WHERE job = 'followers.recheck' AND state = 'running' ORDER BY id LIMIT 1")
            run = rows[0] if rows else None
            if not run:
                time.sleep(0.5)
        if not run:
            return report("a killed node's job run again by another node", False,
                          ["no follower re-check run started within 120 s"], {})
        run_id, holder, _ = run
        # Part of the batch asked before the kill.
        time.sleep(delay * 1.5 + 0.5)
        before = int(psql("SELECT count(*) FROM ambassador_platforms WHERE platform = 'x' "
                          "AND method = 'api' AND checked_at > now() - interval '1 day'")[0][0])
        victim = node_of(holder)
        if victim is None:
            return report("a killed node's job run again by another node", False,
                          [f"run {run_id} is held by {holder}, not a node of this cluster"], {})
        os.kill(pid_of(f"node{victim}"), signal.SIGKILL)
        t_kill = time.monotonic()
        time.sleep(3)
        subprocess.run(["bash", os.path.join(ROOT, "deploy", "cluster.sh"), "start-node", str(victim)],
                       check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, DUTA_CLUSTER_NODE_ENV=extra))
        limit = lease + 60 + delay * len(accounts) + 60
        final = None
        retaken = None
        while time.monotonic() < t_kill + limit:
            state, by, attempts = psql(
                f"SELECT state, coalesce(claimed_by, ''), attempts FROM job_runs WHERE id = {run_id}")[0]
            if by and by != holder and retaken is None:
                retaken = time.monotonic() - t_kill
            if state in ("done", "failed"):
                final = (state, by, int(attempts))
                break
            time.sleep(0.5)
        after = int(psql("SELECT count(*) FROM ambassador_platforms WHERE platform = 'x' "
                         "AND method = 'api' AND (checked_at IS NULL OR checked_at < now() - interval '1 day')")[0][0])
        runs_of_due = int(psql(f"SELECT count(*) FROM job_runs WHERE job = 'followers.recheck' AND due_at = "
                               f"(SELECT due_at FROM job_runs WHERE id = {run_id})")[0][0])
        finished_s = time.monotonic() - t_kill
    finally:
        restart_nodes("")
        x.stop()
    ok = (final is not None and final[0] == "done" and final[1] != holder and final[2] >= 2
          and after == 0 and runs_of_due == 1)
    finisher = final[1] if final else "none"
    lines = [
        f"{len(accounts)} X accounts due for the follower re-check, a stand-in X API answering after "
        f"{delay:.1f} s each; nodes restarted with jobs.lease_seconds = {lease}, jobs.tick_minutes = 1",
        f"run {run_id} of followers.recheck claimed by {holder} (node {victim}); {before} accounts asked "
        f"before node {victim} was SIGKILLed, started again 3 s later",
        f"claimed by another holder {retaken:.1f} s after the kill" if retaken is not None
        else "never claimed by another holder",
        f"run ended {final[0] if final else 'never'} by {finisher} (node {node_of(finisher)}, attempt "
        f"{final[2] if final else '-'}) "
        f"{finished_s:.1f} s after the kill (limit {limit:.0f} s: lease, a wake, the rest of the batch)",
        f"accounts still unchecked after it: {after}; runs of that due time: {runs_of_due} (one: not run twice)",
        f"stand-in X API asked {x.calls} times for {len(accounts)} accounts",
    ]
    return report("a killed node's job run again by another node", ok, lines, {
        "accounts": len(accounts), "delay_s": delay, "lease_s": lease, "run": run_id, "victim": victim,
        "retaken_after_s": retaken, "finished_after_s": finished_s, "final": final,
        "unchecked_after": after, "runs_of_due": runs_of_due, "api_calls": x.calls})


def poll_health(stop, log, t0):
    """/healthz of node 1, directly, every 100 ms: (t, status, seconds)."""
    while not stop.is_set():
        s, _, secs = call(node_addr(1), "GET", "/healthz", timeout=30)
        log.append((time.monotonic() - t0, s, secs))
        time.sleep(0.1)


def drill_pg(mode):
    at = SECONDS * 0.25
    health = []
    lb_states = []  # (t, nodes UP in HAProxy)
    with Load(TOKENS, mode, SECONDS) as load:
        poller = threading.Thread(target=poll_health, args=(load.stop, health, load.t0))
        poller.start()

        def watch():
            while not load.stop.is_set():
                try:
                    lb_states.append((load.now(), list(servers_state().values()).count("UP")))
                except OSError:
                    pass
                time.sleep(0.1)
        watcher = threading.Thread(target=watch)
        watcher.start()
        load.at(at)
        t_down = load.now()
        if mode == "restart":
            subprocess.run(["pg_ctlcluster", "15", PG_PRIMARY, "restart"], check=True)
        else:
            subprocess.run(["pg_ctlcluster", "15", PG_PRIMARY, "stop", "-m", "fast"], check=True)
            time.sleep(PG_DOWN)
            subprocess.run(["pg_ctlcluster", "15", PG_PRIMARY, "start"], check=True)
        t_up = load.now()
        read, writer = load.finish()
        poller.join()
        watcher.join()
    # After the load: every node answers /healthz 200 by itself (no restart of Duta).
    back = {}
    for i in range(1, NODES + 1):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            s, _, _ = call(node_addr(i), "GET", "/healthz", timeout=5)
            if s == 200:
                back[i] = True
                break
            time.sleep(0.2)
    writes_after = sum(1 for t, good in writer.timeline if good and t > t_up + 2)
    fewest = min((n for t, n in lb_states if t_down <= t <= t_up + 5), default=NODES)
    none_up = [t for t, n in lb_states if n == 0 and t >= t_down]
    missing, missing_briefs, landed = writer.check()
    during = [(t, s, secs) for t, s, secs in health if t_down - 0.2 <= t + secs and t <= t_up]
    saw_503 = [t for t, s, _ in during if s == 503]
    health_max = max((secs for _, _, secs in health), default=0)
    slowest = max(read["max_s"], writer.max_s, health_max)
    first_503 = (saw_503[0] - t_down) if saw_503 else None
    recovered = [t for t, s, _ in health if s == 200 and t > t_up]
    errors = read["non2xx"] + read["socket_errors"] + writer.errors()
    total = read["requests"] + writer.requests
    ok = (slowest < LIMIT_S and len(back) == NODES and writes_after > 0 and not missing
          and not missing_briefs and bool(saw_503))
    what = ("pg_ctlcluster 15 %s restart" % PG_PRIMARY if mode == "restart"
            else f"pg_ctlcluster 15 {PG_PRIMARY} stop -m fast; {PG_DOWN:.0f} s down; start")
    signed_out = sum(n for k, n in writer.statuses.items() if k.endswith(" 401")) + \
        int(read["statuses"].get("303", 0)) + int(read["statuses"].get("401", 0))
    codes = {}
    for _, s, _ in during:
        codes[str(s)] = codes.get(str(s), 0) + 1
    lines = [
        f"load: {SECONDS} s as in the kill drill; at {t_down:.1f} s: {what} (database back at {t_up:.1f} s, "
        f"{t_up - t_down:.1f} s)",
        f"slowest request: {slowest:.2f} s (reads {read['max_s']:.2f} s, writes {writer.max_s:.2f} s, "
        f"/healthz {health_max:.2f} s; limit {LIMIT_S:.0f} s)",
        f"/healthz of node 1 while the database was away: {codes}"
        + (f", first 503 {first_503:.2f} s after it went" if first_503 is not None else ", never 503"),
        f"/healthz 200 again {recovered[0] - t_up:.2f} s after the database was back" if recovered else "/healthz never 200 again during the load",
        f"HAProxy: fewest nodes UP during the outage {fewest} of {NODES}"
        + (f" (none from {none_up[0] - t_down:.1f} s after the database went: its 2 s check timeout)" if none_up else ""),
        f"after the load, nodes answering /healthz 200 without a restart: {len(back)} of {NODES}",
        f"reads: {read['requests']} requests, statuses {read['statuses']}, socket errors {read['socket_errors']}",
        f"writes: {writer.requests} requests, {len(writer.acked)} acknowledged, answers {dict(sorted(writer.statuses.items()))}; "
        f"acknowledged more than 2 s after the database was back: {writes_after}",
        f"errors during the drill: {errors} of {total} requests (not a criterion: the database was away); "
        f"of them answers that read as signed out (401, or 303 to the sign-in page): {signed_out}",
        f"acknowledged writes missing: {len(missing) + len(missing_briefs)}; without an answer: {len(writer.unknown)}, stored: {landed}",
    ]
    name = "PostgreSQL primary restarts under load" if mode == "restart" else \
        f"PostgreSQL primary down {PG_DOWN:.0f} s under load"
    return report(name, ok, lines, {
        "mode": mode, "outage_s": t_up - t_down, "slowest_s": slowest, "read_max_s": read["max_s"],
        "write_max_s": writer.max_s, "health_max_s": health_max, "health_codes": codes,
        "first_503_after_s": first_503, "nodes_back": len(back), "writes_after": writes_after,
        "fewest_up": fewest, "none_up_after_s": (none_up[0] - t_down) if none_up else None,
        "reads": read, "write_statuses": writer.statuses, "errors": errors, "total": total,
        "signed_out": signed_out, "missing": len(missing) + len(missing_briefs)})


def multipart(path):
    boundary = uuid.uuid4().hex
    with open(path, "rb") as f:
        data = f.read()
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"drill.png\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def in_bucket(name):
    """Whether the bucket holds a stored file of this name, at `<first two characters>/<name>`
    as Duta names objects (a signed HEAD)."""
    code = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-I", "-w", "%{http_code}", "-m", "5", "--aws-sigv4",
         "aws:amz:us-east-1:s3", "--user", f"{SECRETS['S3_ACCESS_KEY']}:{SECRETS['S3_SECRET_KEY']}",
         f"http://127.0.0.1:{S3_PORT}/duta/{name[:2]}/{name}"], capture_output=True, text=True).stdout
    return code == "200"


def upload(brief):
    body, ctype = multipart(IMAGE)
    return call(LB, "POST", f"/api/v1/briefs/{brief}/images", token=TOKENS["coordinator"],
                headers={"Content-Type": ctype}, raw=body, timeout=60)


def drill_s3():
    w = Writer(TOKENS["coordinator"], TOKENS["ambassadors"], "s3")
    brief = w.new_brief()
    s, b, secs = upload(brief)
    stored = psql("SELECT stored_name FROM media ORDER BY id DESC LIMIT 1")[0][0] if s == 201 else None
    if s != 201 or not in_bucket(stored):
        said = b.get("message") if isinstance(b, dict) else b
        why = ("the nodes have storage.s3 but cannot write to the bucket while it is up (see their logs)"
               if s == 503 else
               "the nodes keep their files in upload_dir, not in the bucket (storage.s3 not in this binary, "
               "or DUTA_CLUSTER_S3=0)")
        return report("the object store stops", None, [
            f"with the object store up, an upload through the API answered {s} ({said!r});",
            (f"the file it stored ({stored}) is not in the bucket: {why}." if s == 201 else f"{why}."),
            "The drill (kill weed; an upload answers 503, nothing half-written; pages still load; weed back)",
            "is skipped until uploads reach the bucket (issue 22 item 2).",
        ], {"skipped": "files not stored in S3", "upload_status": s})
    rows = lambda: psql("SELECT (SELECT count(*) FROM media), (SELECT count(*) FROM brief_images)")[0]
    before_rows = rows()
    os.kill(pid_of("weed"), signal.SIGKILL)
    time.sleep(1)
    s2, b2, secs2 = upload(brief)
    after_rows = rows()
    page = call(LB, "GET", READ_PATH, headers={"Cookie": f"duta_session={TOKENS['coordinator']}"})
    brief_page = call(LB, "GET", f"/briefs/{brief}", headers={"Cookie": f"duta_session={TOKENS['coordinator']}"})
    message = b2.get("message") if isinstance(b2, dict) else b2
    cluster("start")  # starts only what is missing: weed
    s3, _, _ = upload(brief)
    ok = (s2 == 503 and secs2 < LIMIT_S and before_rows == after_rows and page[0] == 200
          and brief_page[0] == 200 and s3 == 201)
    return report("the object store stops", ok, [
        f"with weed killed: upload answered {s2} in {secs2:.2f} s: {message!r}",
        f"media and brief_images rows before/after the refused upload: {before_rows} / {after_rows}",
        f"{READ_PATH} answered {page[0]} in {page[2] * 1000:.0f} ms; the brief's page (with its image) {brief_page[0]}",
        f"after weed was started again: upload answered {s3}",
    ], {"upload_status": s2, "upload_s": secs2, "rows_same": before_rows == after_rows,
        "page": page[0], "brief_page": brief_page[0], "after": s3})


def replica_sql(sql):
    return subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-p", str(PG_REPLICA_PORT),
                           "-XAtc", sql], check=True, capture_output=True, text=True, cwd="/").stdout.strip()


def browser(method, path, cookies, form=None):
    """A request as a browser sends it: cookies, a form body. (status, headers, body text)."""
    conn = http.client.HTTPConnection(*LB, timeout=30)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items() if v is not None)}
    body = None
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Origin"] = f"http://{LB[0]}:{LB[1]}"
        body = "&".join(f"{k}={v}" for k, v in form.items())
    try:
        conn.request(method, path, body, headers)
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def from_replica(headers):
    """Whether a response says it was read from the replica (`X-Duta-Read: replica`)."""
    return any(k.lower() == "x-duta-read" and v == "replica" for k, v in headers)


def verified_of(csv_text, title):
    """The brief's verified count in the briefs download (columns: week, brief, category,
    submitted, verified, …), or None when the row is missing."""
    for line in csv_text.splitlines():
        sep = ";" if line.count(";") > line.count(",") else ","
        cells = [c.strip('"') for c in line.split(sep)]
        if len(cells) > 4 and cells[1] == title:
            return int(cells[4])
    return None


def drill_replica():
    env = open(f"/proc/{pid_of('node1')}/environ", "rb").read().split(b"\0")
    if not any(e.startswith(b"DUTA_DATABASE_READ_URL=") for e in env):
        return report("a replica lagging 5 s", None, [
            "the nodes have no database_read_url: statistics read the primary only"],
            {"skipped": "no database_read_url"})
    w = Writer(TOKENS["coordinator"], TOKENS["ambassadors"], "replica")
    brief = w.new_brief()
    title = psql(f"SELECT title FROM briefs WHERE id = {int(brief)}")[0][0]
    csrf = uuid.uuid4().hex
    session = {"duta_session": TOKENS["coordinator"], "duta_csrf": csrf}
    replica_sql("ALTER SYSTEM SET recovery_min_apply_delay = '5s'")
    replica_sql("SELECT pg_reload_conf()")
    own = []     # (expected, counted, from replica) right after each verification
    others = []  # the same download without the write mark
    problems = []
    try:
        time.sleep(1)
        for k in range(1, REPLICA_ROUNDS + 1):
            amb = TOKENS["ambassadors"][k % len(TOKENS["ambassadors"])]
            platform = Writer.PLATFORMS[(k // len(TOKENS["ambassadors"])) % len(Writer.PLATFORMS)]
            posted = (datetime.now(timezone.utc) - timedelta(seconds=30)).isoformat(timespec="seconds")
            url = {"x": f"https://x.com/drillreplica/status/19{uuid.uuid4().int % 10**17:017d}",
                   "instagram": f"https://www.instagram.com/p/R{uuid.uuid4().int % 10**14:014d}/",
                   "facebook": f"https://www.facebook.com/drillreplica/posts/{uuid.uuid4().int % 10**15}",
                   "tiktok": f"https://www.tiktok.com/@drillreplica/video/7{uuid.uuid4().int % 10**18:018d}",
                   "youtube": f"https://www.youtube.com/watch?v={uuid.uuid4().hex[:11]}"}[platform]
            st, b, _ = call(LB, "POST", "/api/v1/submissions",
                            {"brief_id": brief, "platform": platform, "url": url, "posted_at": posted}, amb)
            if st != 201:
                problems.append(f"round {k}: the submission answered {st} {b}")
                break
            st, headers, _ = browser("POST", f"/submissions/{b['id']}/verify", session, {"csrf_token": csrf})
            mark = None
            for name, value in headers:
                if name.lower() == "set-cookie" and value.startswith("duta_wal="):
                    mark = value.split(";")[0].split("=", 1)[1]
            if st >= 400 or mark is None:
                problems.append(f"round {k}: the verification answered {st}, write mark {mark}")
                break
            st, headers, text = browser("GET", "/stats/export/briefs.csv", dict(session, duta_wal=mark))
            own.append((k, verified_of(text, title), from_replica(headers)))
            st, headers, text = browser("GET", "/stats/export/briefs.csv", session)
            others.append((k, verified_of(text, title), from_replica(headers)))
        time.sleep(6)
        st, headers, text = browser("GET", "/stats/export/briefs.csv", session)
        settled = (verified_of(text, title), from_replica(headers))
    finally:
        replica_sql("ALTER SYSTEM RESET recovery_min_apply_delay")
        replica_sql("SELECT pg_reload_conf()")
    missed = [r for r in own if r[1] != r[0]]
    replica_reads = sum(1 for r in others if r[2])
    stale = sum(1 for r in others if r[1] != r[0])
    ok = (not problems and len(own) == REPLICA_ROUNDS and not missed and replica_reads > 0
          and settled == (REPLICA_ROUNDS, True))
    return report("a replica lagging 5 s", ok, problems + [
        f"{len(own)} verifications; right after each, the coordinator's own read counted it "
        f"{len(own) - len(missed)} times (missed: {missed})",
        f"the same read without the write mark: {replica_reads} of {len(others)} from the replica, "
        f"{stale} of them not showing the newest verification yet (the replica applies 5 s late)",
        f"6 s after the last one, a read without the mark: {settled[0]} verified, "
        f"{'from the replica' if settled[1] else 'from the primary'}",
    ], {"rounds": len(own), "own_missed": len(missed), "others_from_replica": replica_reads,
        "others_stale": stale, "settled": settled[0]})


def main():
    wanted = sys.argv[1:] or ["kill", "job", "pg", "pgdown", "s3", "replica"]
    global TOKENS
    states = servers_state()
    if list(states.values()).count("UP") != NODES:
        raise SystemExit(f"drill: HAProxy does not see {NODES} nodes UP ({states}): deploy/cluster.sh start")
    emails = [r[0] for r in psql(
        "SELECT u.email FROM users u JOIN ambassadors a ON a.user_id = u.id "
        "WHERE a.status = 'approved' AND u.email LIKE '%@demo.duta.id' ORDER BY u.id")]
    if not emails:
        raise SystemExit("drill: no approved demo ambassadors (DUTA_CLUSTER_SEED=demo)")
    TOKENS = {"coordinator": login(COORDINATOR), "ambassadors": [login(e) for e in emails]}
    s, _, _ = call(LB, "GET", READ_PATH, headers={"Cookie": f"duta_session={TOKENS['coordinator']}"})
    if s != 200:
        raise SystemExit(f"drill: {READ_PATH} answers {s} for the coordinator")
    print(f"drill: {len(emails)} ambassadors and the coordinator signed in; {NODES} nodes UP; "
          f"{READ_PATH} answers 200", flush=True)
    verdicts = []
    for name in wanted:
        fn = {"kill": drill_kill, "job": drill_job, "pg": lambda: drill_pg("restart"), "pgdown": lambda: drill_pg("stop"),
              "s3": drill_s3, "replica": drill_replica}.get(name)
        if fn is None:
            raise SystemExit(f"drill: unknown drill {name}")
        verdicts.append(fn())
        # Let the cluster settle (nodes back UP) before the next drill.
        deadline = time.time() + 30
        while time.time() < deadline and list(servers_state().values()).count("UP") != NODES:
            time.sleep(0.2)
    print(f"\ndrill: {verdicts.count('PASS')} passed, {verdicts.count('FAIL')} failed, "
          f"{verdicts.count('SKIP')} skipped")
    sys.exit(1 if "FAIL" in verdicts else 0)


TOKENS = {}

if __name__ == "__main__":
    main()
