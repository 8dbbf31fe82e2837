#!/usr/bin/env python3
"""blob_server.py - serves the blobs of an OCI layout over HTTP for tests/image/uri.sh, the way
a registry and its blob storage would to a Clair-style indexer fetching layer URIs.

Two ports in one process. The "registry" port (first line of --port-file) needs
`Authorization: Bearer <--token>` (401 with a WWW-Authenticate challenge otherwise) and serves:
  /blobs/<digest>     the blob
  /wrong/<digest>     the largest other blob's bytes (a valid layer, but a digest mismatch)
  /missing/<digest>   404
  /flaky/<digest>     503 the first time a digest is asked for, then the blob
  /redirect/<digest>  307 to the "storage" port's /blobs/<digest>?X-Amz-Signature=... (also
                      for a blob the layout lacks: storage answers 404)
  /bigerror/<digest>  403 with a 64 MiB body (logs whether the client read it all)
  /loop/<n>           307 to /loop/<n+1> on the same port, forever
  /file/<digest>      307 to file:///etc/passwd
The "storage" port (second line) serves /blobs/<digest> without auth, like a presigned URL.
Every request is logged to --log as "ROLE METHOD PATH AUTHORIZATION" (ROLE "registry" or
"storage"; "-" when there is no Authorization header).
Python 3 stdlib only.
"""
import argparse
import http.server
import os
import sys
import threading

LOCK = threading.Lock()
SEEN = set()


def blob_path(layout, digest):
    alg, _, hexd = digest.partition(":")
    if alg != "sha256" or len(hexd) != 64 or any(c not in "0123456789abcdef" for c in hexd):
        return None
    p = os.path.join(layout, "blobs", alg, hexd)
    return p if os.path.isfile(p) else None


def make_handler(args, role, ports):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            pass

        def log_request_line(self):
            auth = self.headers.get("Authorization") or "-"
            with LOCK, open(args.log, "a") as f:
                f.write("%s %s %s %s\n" % (role, self.command, self.path, auth))

        def log_note(self, text):
            with LOCK, open(args.log, "a") as f:
                f.write("%s note %s\n" % (role, text))

        def reply(self, code, body=b"", headers=()):
            self.send_response(code)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def send_file(self, path):
            size = os.path.getsize(path)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            if self.command == "HEAD":
                return
            with open(path, "rb") as f:
                while True:
                    chunk = f.read(65536)
                    if not chunk:
                        break
                    self.wfile.write(chunk)

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            self.log_request_line()
            path = self.path.split("?", 1)[0]
            parts = path.strip("/").split("/", 1)
            kind, arg = (parts + [""])[:2]
            if role == "storage":
                p = blob_path(args.layout, arg) if kind == "blobs" else None
                return self.send_file(p) if p else self.reply(404, b"no such blob\n")
            if self.headers.get("Authorization") != "Bearer " + args.token:
                return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                                  [("WWW-Authenticate", 'Bearer realm="http://127.0.0.1/token"')])
            if kind == "bigerror":  # a 403 whose 64 MiB body a client should not read
                self.send_response(403)
                self.send_header("Content-Length", str(64 << 20))
                self.end_headers()
                try:
                    for _ in range(1024):
                        self.wfile.write(b"x" * 65536)
                    self.log_note("bigerror body sent whole")
                except OSError:
                    self.log_note("bigerror body cut by the client")
                self.close_connection = True
                return None
            if kind == "loop":
                n = int(arg) if arg.isdigit() else 0
                return self.reply(307, b"", [("Location", "/loop/%d" % (n + 1))])
            if kind == "file":
                return self.reply(307, b"", [("Location", "file:///etc/passwd")])
            if kind == "redirect":  # even for an unknown blob: storage answers 404 then
                loc = "http://127.0.0.1:%d/blobs/%s?X-Amz-Signature=s1gn" % (ports[1], arg)
                return self.reply(307, b"", [("Location", loc)])
            p = blob_path(args.layout, arg)
            if kind == "missing" or not p:
                return self.reply(404, b'{"errors":[{"code":"BLOB_UNKNOWN"}]}')
            if kind == "blobs":
                return self.send_file(p)
            if kind == "wrong":  # the largest other blob: a real layer, whole and valid
                d = os.path.dirname(p)
                others = [os.path.join(d, o) for o in os.listdir(d) if o != os.path.basename(p)]
                return self.send_file(max(others, key=os.path.getsize))
            if kind == "flaky":
                with LOCK:
                    first = arg not in SEEN
                    SEEN.add(arg)
                if first:
                    return self.reply(503, b"try again\n", [("Retry-After", "0")])
                return self.send_file(p)
            return self.reply(404, b"unknown path\n")

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layout", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()
    ports = []
    servers = []
    for role in ("registry", "storage"):
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), None)
        servers.append((role, srv))
        ports.append(srv.server_address[1])
    for role, srv in servers:
        srv.RequestHandlerClass = make_handler(args, role, ports)
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n%d\n" % tuple(ports))
    os.rename(tmp, args.port_file)
    threading.Event().wait()


if __name__ == "__main__":
    sys.exit(main())
