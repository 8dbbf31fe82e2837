#!/usr/bin/env python3
"""proxy.py - a misbehaving front for the test registry (started by start.sh in `htpasswd` mode).

Every request path is first answered 503 with "Retry-After: 1", then 429 without it, and only
the third time forwarded to the registry: the client must retry with backoff. A blob GET that
arrived for host 127.0.0.1 is then redirected (307) to http://localhost:PORT/storage/..., a
different host, where the proxy serves it with its own credentials and counts how many of
those requests still carried an Authorization header (GET /_stats). Python 3 stdlib only.
"""
import argparse
import base64
import http.client
import http.server
import json
import os
import sys
import threading

FORWARD_REQ = ("Authorization", "Accept", "Range")
FORWARD_RESP = ("Content-Type", "Content-Length", "Docker-Content-Digest",
                "WWW-Authenticate", "Docker-Distribution-Api-Version", "Location", "ETag")


class Stats:
    lock = threading.Lock()
    seen = {}
    storage = 0
    storage_with_auth = 0
    failures = 0


def make_handler(args):
    own_auth = "Basic " + base64.b64encode(
        ("%s:%s" % (args.user, args.password)).encode()).decode()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            pass

        def small(self, code, body=b"", extra=()):
            self.send_response(code)
            for k, v in extra:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def forward(self, path, auth):
            conn = http.client.HTTPConnection(args.upstream, timeout=60)
            headers = {k: self.headers[k] for k in FORWARD_REQ if self.headers.get(k)}
            headers.pop("Authorization", None)
            if auth:
                headers["Authorization"] = auth
            conn.request(self.command, path, headers=headers)
            resp = conn.getresponse()
            self.send_response(resp.status)
            length = resp.getheader("Content-Length")
            for k in FORWARD_RESP:
                for v in resp.headers.get_all(k) or []:
                    self.send_header(k, v)
            if length is None:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            while self.command != "HEAD":
                chunk = resp.read(65536)
                if not chunk:
                    break
                self.wfile.write(chunk)
            conn.close()

        def do_GET(self):
            if self.path == "/_stats":
                with Stats.lock:
                    body = json.dumps({"storage": Stats.storage,
                                       "storage_with_auth": Stats.storage_with_auth,
                                       "failures": Stats.failures}).encode()
                self.small(200, body, [("Content-Type", "application/json")])
                return
            if self.path.startswith("/storage/"):
                with Stats.lock:
                    Stats.storage += 1
                    if self.headers.get("Authorization"):
                        Stats.storage_with_auth += 1
                self.forward(self.path[len("/storage"):], own_auth)
                return
            key = (self.command, self.path)
            with Stats.lock:
                n = Stats.seen.get(key, 0)
                Stats.seen[key] = n + 1
                if n < 2:
                    Stats.failures += 1
            if n == 0:
                self.small(503, b'{"errors":[{"code":"UNAVAILABLE"}]}', [("Retry-After", "1")])
                return
            if n == 1:
                self.small(429, b'{"errors":[{"code":"TOOMANYREQUESTS"}]}')
                return
            host = (self.headers.get("Host") or "").split(":")[0]
            if "/blobs/" in self.path and host == "127.0.0.1":
                loc = "http://localhost:%d/storage%s" % (self.server.server_address[1],
                                                         self.path)
                self.small(307, b"", [("Location", loc)])
                return
            self.forward(self.path, self.headers.get("Authorization"))

        do_HEAD = do_GET

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(args))
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
