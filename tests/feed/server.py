#!/usr/bin/python3
# server.py — the feed tests' HTTP server: serves a mirror directory (<host>/<path> layout)
# with strong ETags (SHA-256 of the content), Last-Modified, and 304 answers to
# If-None-Match / If-Modified-Since, logging every request as one JSON line; plus fault paths
# under /_fault/ that real networks produce: a body shorter than its Content-Length, a chunked
# body cut before its last chunk, a 500, a 1 GB Content-Length claim, a slow body.
#
# usage: server.py ROOT LOGFILE   — prints "PORT <n>" on stdout once listening (127.0.0.1).
import email.utils
import hashlib
import http.server
import json
import os
import sys
import threading
import time
import urllib.parse

ROOT = os.path.realpath(sys.argv[1])
LOG = sys.argv[2]
lock = threading.Lock()


def log(entry):
    with lock, open(LOG, "a") as fh:
        fh.write(json.dumps(entry) + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the JSON log is what tests read
        pass

    def reply(self, status, body=b"", headers=(), length=None):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def fault(self, name):
        if name == "500":
            self.reply(500, b"internal error\n")
        elif name == "short":
            # 200 announcing 100000 bytes, then 1000 bytes of a JSON document and a close.
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b'{"openssl": {"CVE-2023-0464": {"releases": {' + b" " * 950)
            self.wfile.flush()
            self.close_connection = True
        elif name == "chunked":
            # a chunked 200 whose last chunk never comes: the stream dies mid-way.
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            part = b'{"a": [' + b"1," * 500
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.flush()
            self.close_connection = True
        elif name == "huge":
            # a 1 GB claim: the client must refuse before reading it.
            self.send_response(200)
            self.send_header("Content-Length", str(1 << 30))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"{" * 10)
            self.wfile.flush()
            self.close_connection = True
        else:
            self.reply(404, b"no such fault\n")

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if path.startswith("/_fault/"):
            log({"path": path, "inm": inm, "ims": ims, "status": "fault"})
            return self.fault(path[len("/_fault/"):])
        slow = path.startswith("/_slow/")
        if slow:
            path = path[len("/_slow"):]
        rel = os.path.normpath(urllib.parse.unquote(path).lstrip("/"))
        full = os.path.realpath(os.path.join(ROOT, rel))
        if rel.startswith("..") or not os.path.isfile(full):
            log({"path": path, "inm": inm, "ims": ims, "status": 404})
            return self.reply(404, b"not found\n")
        with open(full, "rb") as fh:
            body = fh.read()
        etag = '"%s"' % hashlib.sha256(body).hexdigest()
        mtime = email.utils.formatdate(os.stat(full).st_mtime, usegmt=True)
        hdrs = [("ETag", etag), ("Last-Modified", mtime)]
        if inm is not None and inm == etag:
            log({"path": path, "inm": inm, "ims": ims, "status": 304})
            self.send_response(304)
            for k, v in hdrs:
                self.send_header(k, v)
            self.end_headers()
            return
        log({"path": path, "inm": inm, "ims": ims, "status": 200})
        if not slow:
            return self.reply(200, body, hdrs)
        self.send_response(200)
        for k, v in hdrs:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for i in range(0, len(body), 4096):  # about 40 KB/s
            self.wfile.write(body[i:i + 4096])
            self.wfile.flush()
            time.sleep(0.1)


def main():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print("PORT", srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
