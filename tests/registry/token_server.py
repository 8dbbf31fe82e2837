#!/usr/bin/env python3
"""token_server.py - a tiny Docker token server (auth.token realm) for the registry tests.

Issues real RS256 JWTs signed with the key whose certificate the registry trusts through
rootcertbundle; the "kid" header is the libtrust fingerprint of that public key, which is how
docker-registry 2.x finds the signing key. Python 3 stdlib only; signing goes through the
openssl CLI. Started by start.sh in `token` mode.

Users: USER:PASSWORD (answers {"token": ...}) and USER-oauth:PASSWORD (answers only
{"access_token": ...}, the OAuth2 form). No credentials: a token with no access. Wrong
credentials: 401. Every token request is counted in --count-file (for the caching test).
"""
import argparse
import base64
import hashlib
import http.server
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def libtrust_kid(cert_path):
    """The key ID docker's libtrust derives: SHA-256 of the DER SubjectPublicKeyInfo, first
    240 bits, base32, in 12 groups of 4 joined by ':'."""
    pem = subprocess.run(
        ["openssl", "x509", "-in", cert_path, "-pubkey", "-noout"],
        check=True, capture_output=True).stdout
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "DER"],
        input=pem, check=True, capture_output=True).stdout
    b32 = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode("ascii")
    return ":".join(b32[i:i + 4] for i in range(0, 48, 4))


class State:
    lock = threading.Lock()
    count = 0


def make_handler(args, kid):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):  # quiet; the registry log is enough
            pass

        def reply(self, code, obj):
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path != "/token":
                self.reply(404, {"error": "not found"})
                return
            with State.lock:
                State.count += 1
                with open(args.count_file, "w") as f:
                    f.write("%d\n" % State.count)
            q = urllib.parse.parse_qs(url.query)
            user = None
            hdr = self.headers.get("Authorization", "")
            if hdr.startswith("Basic "):
                try:
                    u, _, p = base64.b64decode(hdr[6:]).decode().partition(":")
                except Exception:
                    u, p = "", ""
                if p != args.password or u not in (args.user, args.user + "-oauth"):
                    self.reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                                 "message": "bad credentials"}]})
                    return
                user = u
            if q.get("service", [""])[0] != args.service:
                self.reply(400, {"error": "wrong service"})
                return
            access = []
            for scope in q.get("scope", []):
                parts = scope.split(":")
                if len(parts) == 3 and parts[0] == "repository" and user:
                    access.append({"type": "repository", "name": parts[1],
                                   "actions": [a for a in parts[2].split(",")
                                               if a in ("pull", "push")]})
            now = int(time.time())
            header = {"typ": "JWT", "alg": "RS256", "kid": kid}
            claims = {"iss": args.issuer, "sub": user or "", "aud": args.service,
                      "exp": now + 300, "nbf": now - 10, "iat": now,
                      "jti": secrets.token_hex(16), "access": access}
            signing_input = (b64url(json.dumps(header).encode()) + "." +
                             b64url(json.dumps(claims).encode()))
            sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", args.key],
                                 input=signing_input.encode(), check=True,
                                 capture_output=True).stdout
            token = signing_input + "." + b64url(sig)
            if user and user.endswith("-oauth"):
                self.reply(200, {"access_token": token, "expires_in": 300})
            else:
                self.reply(200, {"token": token, "expires_in": 300,
                                 "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                            time.gmtime(now))})

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--key", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--issuer", required=True)
    ap.add_argument("--service", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--count-file", required=True)
    args = ap.parse_args()
    kid = libtrust_kid(args.cert)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                          make_handler(args, kid))
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    with open(args.count_file, "w") as f:
        f.write("0\n")
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
