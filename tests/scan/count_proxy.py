#!/usr/bin/python3
"""count_proxy.py --upstream HOST:PORT --port-file FILE --log FILE — a plain-HTTP reverse proxy
in front of the test registry (whose access log start.sh disables) that appends one
"METHOD PATH STATUS" line per request to --log, so cache.sh can count blob downloads."""
import argparse
import http.client
import http.server
import os
import threading

ap = argparse.ArgumentParser()
ap.add_argument("--upstream", required=True)
ap.add_argument("--port-file", required=True)
ap.add_argument("--log", required=True)
args = ap.parse_args()
lock = threading.Lock()
HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
       "proxy-authorization", "proxy-authenticate"}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def forward(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in HOP and k.lower() != "host"}
        hdrs["Host"] = args.upstream
        up = http.client.HTTPConnection(args.upstream, timeout=60)
        up.request(self.command, self.path, body=body, headers=hdrs)
        r = up.getresponse()
        data = r.read() if self.command != "HEAD" else b""
        with lock, open(args.log, "a") as fh:
            fh.write("%s %s %d\n" % (self.command, self.path, r.status))
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in HOP and k.lower() != "content-length":
                self.send_header(k, v)
        if self.command == "HEAD":
            self.send_header("Content-Length", r.getheader("Content-Length") or "0")
        else:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)
        up.close()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = forward


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(args.port_file + ".tmp", "w") as fh:
    fh.write(str(srv.server_address[1]))
os.rename(args.port_file + ".tmp", args.port_file)
srv.serve_forever()
