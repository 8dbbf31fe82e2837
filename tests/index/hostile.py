#!/usr/bin/python3
"""hostile.py VIGIL WORKDIR — `vigil index` against hostile images, built here as OCI
layouts with Python's tarfile/gzip/hashlib: each must end with the documented exit code, a
message that says what was wrong and where, no report on stdout, and bounded memory (peak
RSS read from /usr/bin/time). Paths that climb out of the root or absolute symlinks must
never be followed or indexed."""
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile

vigil, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
fails = 0
RSS_CAP_KB = 200 * 1024  # every hostile case must stay under 200 MiB

STATUS = (b"Package: good\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: all\n\n")


def blob(layout, data):
    d = hashlib.sha256(data).hexdigest()
    os.makedirs(f"{layout}/blobs/sha256", exist_ok=True)
    with open(f"{layout}/blobs/sha256/{d}", "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + d, "size": len(data)}


def tar_bytes(entries):
    """entries: (name, bytes) files, (name, None, linkname) symlinks."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for e in entries:
            ti = tarfile.TarInfo(e[0])
            if len(e) == 3:
                ti.type, ti.linkname = tarfile.SYMTYPE, e[2]
                t.addfile(ti)
            else:
                ti.size = len(e[1])
                t.addfile(ti, io.BytesIO(e[1]))
    return buf.getvalue()


def layout(name, layers, gz=True, tweak=None):
    """Writes an OCI layout with the given layer tars; returns its oci: reference."""
    path = f"{work}/{name}"
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    open(f"{path}/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
    descs = []
    for data in layers:
        raw = gzip.compress(data, 1) if gz and not data.startswith(b"\x1f\x8b") else data
        d = blob(path, raw)
        d["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
        descs.append(d)
    cfg = blob(path, json.dumps({"architecture": "amd64", "os": "linux",
                                 "rootfs": {"type": "layers", "diff_ids": []}}).encode())
    cfg["mediaType"] = "application/vnd.oci.image.config.v1+json"
    man = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
           "config": cfg, "layers": descs}
    if tweak:
        tweak(path, man)
    m = blob(path, json.dumps(man).encode())
    m["mediaType"] = man["mediaType"]
    m["annotations"] = {"org.opencontainers.image.ref.name": "t"}
    json.dump({"schemaVersion": 2, "manifests": [m]}, open(f"{path}/index.json", "w"))
    return f"oci:{path}:t"


def run(ref, *limits):
    args = ["/usr/bin/time", "-f", "RSS %M", vigil, "index"]
    for l in limits:
        args += ["--limit", l]
    # Under ASan, freed memory sits in a 256 MiB quarantine by default; shrink it so that
    # RSS measures vigil's own memory rather than the sanitizer's bookkeeping.
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16"
    r = subprocess.run(args + [ref], capture_output=True, text=True, env=env)
    lines = [l for l in r.stderr.strip().splitlines() if not l.startswith("Command exited")]
    rss = int(lines[-1].split()[1]) if lines and lines[-1].startswith("RSS ") else -1
    return r.returncode, r.stdout, "\n".join(lines[:-1]), rss


def expect_fail(name, ref, code, needles, *limits):
    global fails
    rc, out, err, rss = run(ref, *limits)
    missing = [n for n in needles if n not in err]
    if rc != code or out or missing or rss < 0 or rss > RSS_CAP_KB:
        print(f"FAIL {name}: exit {rc} (want {code}), stdout {len(out)} bytes, rss {rss} KiB, "
              f"missing {missing} in: {err}")
        fails += 1
    else:
        print(f"ok   {name}: exit {rc}, rss {rss // 1024} MiB: {err}")


def expect_ok(name, ref, check):
    global fails
    rc, out, err, rss = run(ref)
    if rc != 0:
        print(f"FAIL {name}: exit {rc}: {err}")
        fails += 1
        return
    rep = json.loads(out)
    names = sorted(p["name"] for p in rep["packages"].values())
    problem = check(names)
    if problem:
        print(f"FAIL {name}: {problem}; packages {names}")
        fails += 1
    else:
        print(f"ok   {name}: packages {names}, rss {rss // 1024} MiB")


evil = STATUS.replace(b"good", b"evil")

# Names that climb out of the root are ignored; absolute symlinks are never followed.
expect_ok("dot-dot names", layout("dotdot", [tar_bytes([
    ("../../var/lib/dpkg/status", evil),
    ("/../var/lib/dpkg/../../../status", evil),
    ("./usr/../var/lib/dpkg/status", STATUS),
])]), lambda n: None if n == ["good"] else "want only 'good'")
expect_ok("absolute symlink over the database", layout("abslink", [
    tar_bytes([("var/lib/dpkg/status", STATUS)]),
    tar_bytes([("var/lib/dpkg/status", None, "/etc/shadow")]),
]), lambda n: None if n == [] else "the symlink must hide the lower database, not be followed")
expect_ok("symlinked parent", layout("linkparent", [tar_bytes([
    ("var/lib/dpkg", None, "/tmp"), ("var/lib/dpkg/status", STATUS)])]),
    lambda n: None if n == ["good"] else "want the in-layer file only")

# Decompression bomb: 256 MiB of zeros in a ~256 KiB gzip, over a 100:1 ratio cap.
zeros = tarfile.TarInfo("zeros")
zeros.size = 256 << 20
bomb = io.BytesIO()
with gzip.GzipFile(fileobj=bomb, mode="wb", compresslevel=9) as g:
    g.write(zeros.tobuf(tarfile.GNU_FORMAT))
    chunk = bytes(1 << 20)
    for _ in range(256):
        g.write(chunk)
    g.write(bytes(1024))
expect_fail("gzip bomb", layout("bomb", [bomb.getvalue()]), 3, ["max_ratio"],
            "max_ratio=100", "max_ratio_floor=16M")

# Over a million tiny entries against the default max_entries (1,000,000).
hdr = io.BytesIO()
with gzip.GzipFile(fileobj=hdr, mode="wb", compresslevel=1) as g:
    ti = tarfile.TarInfo("f0000000")
    template = bytearray(ti.tobuf(tarfile.GNU_FORMAT))
    for i in range(1_000_100):
        name = b"f%07d" % i
        template[0:8] = name
        template[148:156] = b"        "
        csum = sum(template[:512])
        template[148:156] = b"%06o\x00 " % csum
        g.write(template)
    g.write(bytes(1024))
expect_fail("a million tiny entries", layout("entries", [hdr.getvalue()]), 3, ["max_entries"])

# A package database larger than its cap.
big = STATUS * 40000
expect_fail("database over max_file_bytes", layout("bigdb", [tar_bytes([("var/lib/dpkg/status", big)])]),
            3, ["var/lib/dpkg/status", "max_file_bytes"], "max_file_bytes=1M")

# A truncated gzip layer.
good = gzip.compress(tar_bytes([("var/lib/dpkg/status", STATUS), ("pad", os.urandom(65536))]))
expect_fail("truncated gzip", layout("trunc", [good[: len(good) // 2]]), 3, ["truncated"])


# A blob whose bytes do not match its digest.
def corrupt(path, man):
    d = man["layers"][0]["digest"].split(":")[1]
    p = f"{path}/blobs/sha256/{d}"
    data = bytearray(open(p, "rb").read())
    data[-9] ^= 0xFF  # inside the gzip trailer: the tar still reads, the digest cannot match
    open(p, "wb").write(bytes(data))


expect_fail("digest mismatch", layout("mismatch", [tar_bytes([("var/lib/dpkg/status", STATUS)])],
                                      tweak=corrupt), 3, ["digest mismatch"])


# A manifest that references a blob that is not there.
def drop(path, man):
    os.remove(f"{path}/blobs/sha256/" + man["layers"][0]["digest"].split(":")[1])


expect_fail("missing blob", layout("missing", [tar_bytes([("a", b"x")])], tweak=drop), 4,
            ["sha256:"])

# A malformed package database: the error names the file and the line.
expect_fail("malformed status", layout("malformed", [tar_bytes([
    ("var/lib/dpkg/status", STATUS + b"Package: x\nthis line has no colon\n")])]), 3,
    ["var/lib/dpkg/status:7"])

sys.exit(1 if fails else 0)
