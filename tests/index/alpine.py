#!/usr/bin/python3
"""alpine.py VIGIL — `vigil index` on the real Alpine images in $VIGIL_SHARED/images: the
package list and distribution must equal what this script reads independently from the
image files (Python's tarfile + json: manifest → layers → lib/apk/db/installed P:/V:/o:
lines, etc/os-release VERSION_ID), and the trimmed-layer archive must fail on its digest."""
import io
import json
import os
import subprocess
import sys
import tarfile

vigil = sys.argv[1]
shared = os.environ.get("VIGIL_SHARED", "../shared")
fails = 0


def apk_db(text):
    pkgs, cur = set(), {}
    for line in text.splitlines() + [""]:
        if not line.strip():
            if "P" in cur and "V" in cur:
                pkgs.add((cur["P"], cur["V"], cur.get("o", cur["P"])))
            cur = {}
        elif len(line) > 2 and line[1] == ":":
            cur[line[0]] = line[2:]
    return pkgs


def layers_of(outer):
    """Yields layer tar bytes (decompressed), bottom first, from a docker/OCI archive."""
    names = outer.getnames()
    if "manifest.json" in names:
        man = json.load(outer.extractfile("manifest.json"))[0]
        paths = man["Layers"]
    else:
        idx = json.load(outer.extractfile("index.json"))
        d = idx["manifests"][0]["digest"].replace(":", "/")
        man = json.load(outer.extractfile("blobs/" + d))
        paths = ["blobs/" + l["digest"].replace(":", "/") for l in man["layers"]]
    for p in paths:
        member = outer.getmember(p)
        while member.issym():
            member = outer.getmember(os.path.normpath(os.path.join(os.path.dirname(p), member.linkname)))
        yield outer.extractfile(member).read()


def expected(path):
    pkgs, version = set(), None
    with tarfile.open(path) as outer:
        for blob in layers_of(outer):
            with tarfile.open(fileobj=io.BytesIO(blob)) as layer:
                for m in layer.getmembers():
                    name = m.name.lstrip("./")
                    if name == "lib/apk/db/installed" and m.isfile():
                        pkgs = apk_db(layer.extractfile(m).read().decode())
                    if name == "etc/os-release" and m.isfile():
                        for line in layer.extractfile(m).read().decode().splitlines():
                            if line.startswith("VERSION_ID="):
                                version = line.split("=", 1)[1].strip('"')
    return pkgs, version


def check(ref, path):
    global fails
    want, version = expected(path)
    r = subprocess.run([vigil, "index", ref], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"FAIL {ref}: exit {r.returncode}: {r.stderr.strip()}")
        fails += 1
        return
    rep = json.loads(r.stdout)
    got = {(p["name"], p["version"], p["source"]["name"]) for p in rep["packages"].values()}
    ns = "alpine:" + ".".join(version.split(".")[:2])
    dists = list(rep["distributions"].values())
    if got != want or len(want) == 0:
        print(f"FAIL {ref}: packages differ: missing {sorted(want - got)} extra {sorted(got - want)}")
        fails += 1
    elif len(dists) != 1 or dists[0]["namespace"] != ns:
        print(f"FAIL {ref}: distribution {dists}, want {ns}")
        fails += 1
    else:
        print(f"ok   {ref}: {len(got)} packages, {ns}")


img = os.path.join(shared, "images")
check("docker-archive:" + img + "/trivy/alpine-310.tar.gz", img + "/trivy/alpine-310.tar.gz")
check("docker-archive:" + img + "/snyk/containerd-alpine-3.14.tar", img + "/snyk/containerd-alpine-3.14.tar")
check("oci-archive:" + img + "/snyk/containerd-alpine-3.14.tar", img + "/snyk/containerd-alpine-3.14.tar")
check(img + "/snyk/containerd-alpine-3.14.tar", img + "/snyk/containerd-alpine-3.14.tar")

bad = img + "/snyk/oci-archive-alpine-3.12.0-trimmed-layer.tar"
r = subprocess.run([vigil, "index", "oci-archive:" + bad], capture_output=True, text=True)
if r.returncode == 0 or "digest" not in r.stderr or r.stdout:
    print(f"FAIL trimmed layer: exit {r.returncode}, stderr {r.stderr.strip()!r}, stdout {len(r.stdout)} bytes")
    fails += 1
else:
    print(f"ok   trimmed layer refused: {r.stderr.strip()}")
sys.exit(1 if fails else 0)
