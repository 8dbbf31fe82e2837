#!/usr/bin/python3
# layers.py --blobs DIR --port-file F — a layer server for the API tests: serves the blobs of an
# OCI layout (DIR/sha256/<hex>) by digest, with ways to misbehave on purpose:
#   /ok/<digest>             the blob
#   /slow/<seconds>/<digest> the blob, after a pause (holds an index job open)
#   /wrong/<digest>          another gzip'd blob's bytes (a digest mismatch)
#   anything else            404
# Every request is appended to --log as "METHOD PATH STATUS".
import argparse, http.server, os, time

ap = argparse.ArgumentParser()
ap.add_argument("--blobs", required=True)
ap.add_argument("--port-file", required=True)
ap.add_argument("--log", required=True)
args = ap.parse_args()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, body):
        with open(args.log, "a") as fh:
            fh.write("%s %s %d\n" % (self.command, self.path, status))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def blob(self, digest):
        algo, _, hexd = digest.partition(":")
        p = os.path.join(args.blobs, algo, hexd)
        if "/" in hexd or not os.path.isfile(p):
            return None
        with open(p, "rb") as fh:
            return fh.read()

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        data = None
        if len(parts) == 2 and parts[0] == "ok":
            data = self.blob(parts[1])
        elif len(parts) == 3 and parts[0] == "slow":
            time.sleep(float(parts[1]))
            data = self.blob(parts[2])
        elif len(parts) == 2 and parts[0] == "wrong":
            # Another layer's bytes: a well-formed layer under the wrong digest.
            algo, _, hexd = parts[1].partition(":")
            others = sorted(n for n in os.listdir(os.path.join(args.blobs, algo)) if n != hexd)
            for n in others:
                d = self.blob(algo + ":" + n)
                if d and d[:2] == b"\x1f\x8b":
                    data = d
                    break
        if data is None:
            return self.send(404, b"not found\n")
        self.send(200, data)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(args.port_file + ".tmp", "w") as fh:
    fh.write(str(srv.server_address[1]))
os.rename(args.port_file + ".tmp", args.port_file)
srv.serve_forever()
