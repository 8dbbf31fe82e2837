#!/usr/bin/python3
"""expected_deb.py FEED ROOT [--include-kernel-headers] — the findings `vigil scan rootfs:ROOT`
must report against a Debian security-tracker JSON document, computed without vigil: the
release codename comes from ROOT/etc/os-release, the packages from ROOT/var/lib/dpkg/status
(installed stanzas only; `Source: name (version)` gives the source, else the binary itself),
and `dpkg --compare-versions` (real dpkg) decides installed < fixed. Rules per release entry:
resolved with fixed_version "0" = not affected; resolved with a fixed version = affected when
the source version is lower; open (no fixed version) = affected, no fix. Kernel headers
(linux-libc-dev, linux-headers-*) are left out unless asked. Prints "package id fixed|-"."""
import json
import subprocess
import sys

feed, root = sys.argv[1:3]
include_kernel = "--include-kernel-headers" in sys.argv[3:]

osr = {}
for line in open(root + "/etc/os-release"):
    if "=" in line:
        k, v = line.rstrip("\n").split("=", 1)
        osr[k] = v.strip('"')
release = osr["VERSION_CODENAME"]

pkgs = []
for stanza in open(root + "/var/lib/dpkg/status").read().split("\n\n"):
    f = {}
    for line in stanza.splitlines():
        if line and not line[0].isspace() and ":" in line:
            k, v = line.split(":", 1)
            f[k] = v.strip()
    if "Package" not in f or "Version" not in f:
        continue
    if f.get("Status", "").split()[-1:] != ["installed"]:
        continue
    src, sver = f["Package"], f["Version"]
    if f.get("Source"):
        parts = f["Source"].split()
        src = parts[0]
        if len(parts) > 1:
            sver = parts[1].strip("()")
    pkgs.append((f["Package"], src, sver))


def lower(a, b):
    """a < b by dpkg itself."""
    return subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0


data = json.load(open(feed))
out = set()
for name, src, sver in pkgs:
    if not include_kernel and (name == "linux-libc-dev" or name.startswith("linux-headers-")):
        continue
    cves = data.get(src)
    if not isinstance(cves, dict):
        continue
    for cve, rec in cves.items():
        if not isinstance(rec, dict):
            continue
        rel = rec.get("releases", {}).get(release)
        if not isinstance(rel, dict):
            continue
        fixed = rel.get("fixed_version")
        if rel.get("status") == "open" and not fixed:
            out.add((name, cve, "-"))
        elif rel.get("status") == "resolved" and fixed and fixed != "0" and lower(sver, fixed):
            out.add((name, cve, fixed))
for t in sorted(out):
    print(*t)
