#!/usr/bin/env python3
"""Issue 20: does "forgot password" take the same time for an address with an account as
for one without? Starts aiosmtpd (a sink) and `duta serve` with SMTP on and the request
limits lifted, then sends ROUNDS pairs of requests over one keep-alive connection each,
known and unknown address in turn (the order flips every round, so neither always goes
first), and prints the median and 90th percentile of each and their ratio, with
`/healthz` measured the same way as the baseline.

    DUTA_BIN=target/release/duta python3 bench/reset_timing.py   (ROUNDS=400 by default)
"""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

BIN = os.environ.get("DUTA_BIN", "target/release/duta")
ROUNDS = int(os.environ.get("ROUNDS", "400"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(port):
    for _ in range(400):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"nothing listens on port {port}")


def timed(conn, method, path, body=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    started = time.perf_counter()
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    return response.status, elapsed


def summary(name, times, base):
    times = sorted(times)
    median = statistics.median(times)
    p90 = times[int(len(times) * 0.9)]
    print(f"{name:<28} median {median:6.2f} ms   p90 {p90:6.2f} ms   median / healthz {median / base:5.2f}")
    return median


def main():
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3"
    smtp_port, port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as data:
        smtp = subprocess.Popen(
            [python, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}", "-c", "aiosmtpd.handlers.Sink"],
            stdout=subprocess.DEVNULL,
        )
        env = dict(
            os.environ,
            DUTA_DATA_DIR=data,
            DUTA_PORT=str(port),
            DUTA_LOG="error",
            DUTA_JOBS="{enabled=false}",
            DUTA_SMTP=f'{{host="127.0.0.1",port={smtp_port},tls="none",from="duta@bench.duta.id",public_url="http://127.0.0.1:{port}"}}',
            DUTA_PASSWORD_RESET_MAX_PER_ACCOUNT="1000000",
            DUTA_PASSWORD_RESET_MAX_PER_IP="1000000",
        )
        subprocess.run(
            [BIN, "create-admin", "--email", "ada@bench.duta.id", "--name", "Ada"],
            env=dict(env, DUTA_ADMIN_PASSWORD="bench admin password"),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        server = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(smtp_port)
            wait_for(port)
            conn = http.client.HTTPConnection("127.0.0.1", port)
            for _ in range(50):  # warm-up
                timed(conn, "GET", "/healthz")
                timed(conn, "POST", "/api/v1/auth/password/forgot", {"email": "ada@bench.duta.id"})
            health, known, unknown = [], [], []
            for n in range(ROUNDS):
                health.append(timed(conn, "GET", "/healthz")[1])
                order = [("ada@bench.duta.id", known), ("tidak.ada@bench.duta.id", unknown)]
                if n % 2:
                    order.reverse()
                for email, into in order:
                    status, ms = timed(conn, "POST", "/api/v1/auth/password/forgot", {"email": email})
                    if status != 202:
                        sys.exit(f"forgot answered {status}")
                    into.append(ms)
            base = statistics.median(health)
            print(f"{ROUNDS} rounds, {BIN}")
            summary("/healthz", health, base)
            a = summary("forgot, known address", known, base)
            b = summary("forgot, unknown address", unknown, base)
            print(f"known / unknown median: {a / b:.2f}")
        finally:
            server.terminate()
            smtp.terminate()
            server.wait()
            smtp.wait()


if __name__ == "__main__":
    main()
