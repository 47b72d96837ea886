#!/usr/bin/env python3
"""Issue 20: a national roster import. Starts `duta serve` on a fresh database (SQLite, or
PostgreSQL with DUTA_DATABASE_URL), makes an institution with a unit, and imports a CSV of
BASE rows, then one of ROWS rows (different people), each through
`POST /api/v1/vetting/import` as an admin. Prints, for each, the wall time, the rows per
second, and the server's peak resident memory (VmHWM) after it; and the ratio of the big
import's time per row to the small one's (1.0: it scales linearly).

    DUTA_BIN=target/release/duta python3 bench/import_roster.py   (ROWS=50000 BASE=5000)
"""

import datetime
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid

BIN = os.environ.get("DUTA_BIN", "target/release/duta")
ROWS = int(os.environ.get("ROWS", "50000"))
BASE = int(os.environ.get("BASE", "5000"))
PASSWORD = "duta-bench-2026"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(port):
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("duta did not start")


def call(port, method, path, body=None, token=None, content_type="application/json"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    conn.request(method, path, body=data, headers=headers)
    resp = conn.getresponse()
    raw = resp.read()
    conn.close()
    return resp.status, raw


def roster(n, offset):
    """`n` valid rows whose NIPs, emails and handles differ from those of any other offset."""
    header = "name,nip,type,email,phone,work_unit,facebook,facebook_followers,x,x_followers,instagram,instagram_followers"
    lines = [header]
    for k in range(n):
        i = offset + k
        birth = datetime.date(1975, 1, 1) + datetime.timedelta(days=i % 7000)
        seq = (i // 7000) % 999 + 1
        appointed = f"{birth.year + 25}{(i % 12) + 1:02d}"
        nip = f"{birth:%Y%m%d}{appointed}{1 + i % 2}{seq:03d}"
        lines.append(
            f"Duta Impor {i},{nip},pns,impor{i}@bench.duta.id,0812{i % 100000000:08d},Biro Humas,"
            f"impor.fb.{i},812,impor_x{i},1250,impor.ig.{i},640"
        )
    return ("\n".join(lines) + "\n").encode()


def multipart(csv):
    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"roster.csv\"\r\n"
        f"Content-Type: text/csv\r\n\r\n"
    ).encode() + csv + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    work = tempfile.mkdtemp(prefix="duta-import-")
    port = free_port()
    env = dict(os.environ, DUTA_DATA_DIR=work, DUTA_PORT=str(port), DUTA_ADDRESS="127.0.0.1",
               DUTA_ADMIN_PASSWORD=PASSWORD, DUTA_LOG_LEVEL="critical")
    subprocess.run([BIN, "create-admin", "--email", "admin@bench.duta.id", "--name", "Admin"],
                   env=env, check=True, capture_output=True)
    server = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait_for(port)
        _, raw = call(port, "POST", "/api/v1/auth/login",
                      {"email": "admin@bench.duta.id", "password": PASSWORD})
        token = json.loads(raw)["token"]
        status, raw = call(port, "POST", "/api/v1/institutions",
                           {"name": "Kementerian Impor", "kind": "ministry"}, token)
        assert status == 201, raw
        inst = json.loads(raw)["id"]
        status, raw = call(port, "POST", f"/api/v1/institutions/{inst}/work-units",
                           {"name": "Biro Humas"}, token)
        assert status == 201, raw
        print(f"{'rows':>8} {'MB':>6} {'seconds':>9} {'rows/s':>8} {'peak RSS MB':>12}")
        results = []
        offset = 0
        for n in (BASE, ROWS):
            csv = roster(n, offset)
            offset += n
            body, ctype = multipart(csv)
            start = time.monotonic()
            status, raw = call(port, "POST", f"/api/v1/vetting/import?institution_id={inst}",
                               body, token, ctype)
            took = time.monotonic() - start
            if status != 201:
                sys.exit(f"import of {n} rows answered {status}: {raw[:500]!r}")
            report = json.loads(raw)
            assert report["imported"] == n and len(report["invitations"]) == n, report.keys()
            rss = peak_rss_mb(server.pid)
            results.append((n, took))
            print(f"{n:>8} {len(csv) / 1e6:>6.1f} {took:>9.1f} {n / took:>8.0f} {rss:>12.0f}")
        (n0, t0), (n1, t1) = results
        print(f"time per row, {n1} rows vs {n0}: {(t1 / n1) / (t0 / n0):.2f} x")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
