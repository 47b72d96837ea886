#!/usr/bin/env python3
"""A push service on 127.0.0.1 for Duta's tests, speaking the real formats: it takes
Web Push requests (RFC 8030) at /push/<name>, checks their VAPID authorization (RFC 8292:
an ES256 JWT for this origin, not expired, with the `k` key that signed it) and decrypts
their bodies (RFC 8291, `aes128gcm`) with `http_ece`, an implementation independent of
Duta's. Each <name> is a browser subscription whose keys this service made.

It prints one JSON line when it listens: {"port": …, "subscriptions": {name: {endpoint,
keys: {p256dh, auth}}}}. GET /log answers every delivery so far as JSON; special names
answer as a push service does when a subscription is gone ("gone": 410, "missing": 404),
is slow ("hang": no answer for a minute) or refuses ("busy": 429).

Usage: fake_push.py NAME [NAME …]
"""

import base64
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64e(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


LOG = []
LOCK = threading.Lock()
KEYS = {}


def check_vapid(header, origin):
    """The VAPID header's problem, or None when it is right."""
    if not header.startswith("vapid "):
        return "not a vapid authorization"
    parts = dict(p.strip().split("=", 1) for p in header[6:].split(","))
    token, k = parts.get("t", ""), parts.get("k", "")
    try:
        h, c, s = token.split(".")
        head = json.loads(b64d(h))
        claims = json.loads(b64d(c))
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(k))
        sig = b64d(s)
        der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        public.verify(der, f"{h}.{c}".encode(), ec.ECDSA(hashes.SHA256()))
    except Exception as e:  # noqa: BLE001 - any fault is a refusal
        return f"bad token: {e}"
    if head.get("alg") != "ES256":
        return "alg is not ES256"
    if claims.get("aud") != origin:
        return f"aud {claims.get('aud')} is not {origin}"
    if not (time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600):
        return "exp out of range"
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        return "sub is not mailto: or https:"
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/log":
            with LOCK:
                body = json.dumps(LOG).encode()
            return self.reply(200, body)
        self.reply(404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        name = self.path.rsplit("/", 1)[-1]
        if name == "hang":
            time.sleep(60)
            return self.reply(201)
        if name == "gone":
            return self.reply(410)
        if name == "missing":
            return self.reply(404)
        if name == "busy":
            return self.reply(429)
        entry = {"name": name, "ttl": self.headers.get("TTL"), "urgency": self.headers.get("Urgency"),
                 "encoding": self.headers.get("Content-Encoding")}
        origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        problem = check_vapid(self.headers.get("Authorization", ""), origin)
        key = KEYS.get(name)
        if problem is None and key is None:
            problem = "no such subscription"
        if problem is None:
            try:
                plain = http_ece.decrypt(body, private_key=key["private"], auth_secret=key["auth"],
                                         version="aes128gcm")
                entry["message"] = json.loads(plain)
            except Exception as e:  # noqa: BLE001
                problem = f"cannot decrypt: {e}"
        entry["problem"] = problem
        with LOCK:
            LOG.append(entry)
        self.reply(400 if problem else 201)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    subscriptions = {}
    for name in sys.argv[1:]:
        private = ec.generate_private_key(ec.SECP256R1())
        public = private.public_key().public_bytes(serialization.Encoding.X962,
                                                   serialization.PublicFormat.UncompressedPoint)
        auth = bytes(16) if name == "zero-auth" else __import__("os").urandom(16)
        KEYS[name] = {"private": private, "auth": auth}
        subscriptions[name] = {"endpoint": f"http://127.0.0.1:{port}/push/{name}",
                               "keys": {"p256dh": b64e(public), "auth": b64e(auth)}}
    print(json.dumps({"port": port, "subscriptions": subscriptions}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
