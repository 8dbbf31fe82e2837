#!/usr/bin/python3
"""expected_apk.py IMAGE FEED ORACLE WORKDIR — the findings `vigil scan` must report for an
Alpine image, computed without vigil: Python's tarfile reads the image's lib/apk/db/installed
(P:, V:, o:), json reads the secdb feed (secfixes: fixed version -> ids; "0" = not affected),
and go-apk-version (ORACLE) decides installed < fixed. Prints "package id fixed" lines."""
import io
import json
import subprocess
import sys
import tarfile

img, feed, oracle, work = sys.argv[1:5]
with tarfile.open(img) as outer:
    man = json.load(outer.extractfile("manifest.json"))[0]
    pkgs, cur = [], {}
    for layer in man["Layers"]:
        with tarfile.open(fileobj=io.BytesIO(outer.extractfile(layer).read())) as t:
            for m in t.getmembers():
                if m.name.lstrip("./") == "lib/apk/db/installed":
                    pkgs = []
                    for line in t.extractfile(m).read().decode().splitlines() + [""]:
                        if not line.strip():
                            if "P" in cur and "V" in cur:
                                pkgs.append((cur["P"], cur["V"], cur.get("o", cur["P"])))
                            cur = {}
                        elif len(line) > 2 and line[1] == ":":
                            cur[line[0]] = line[2:]
fixes = {}
for p in json.load(open(feed))["packages"]:
    for fixed, ids in p["pkg"]["secfixes"].items():
        if fixed == "0":
            continue
        for i in ids or []:
            fixes.setdefault(p["pkg"]["name"], []).append((i.split()[0], fixed))
pairs, keys = [], []
for name, ver, origin in pkgs:
    for cve, fixed in fixes.get(origin, []):
        pairs.append(f"{ver} {fixed}")
        keys.append((name, cve, fixed))
res = subprocess.run([oracle, work], input="\n".join(pairs) + "\n", capture_output=True,
                     text=True, check=True).stdout.split()
best = {}
for (name, cve, fixed), r in zip(keys, res):
    if r == "<":  # installed below the fix: affected (Alpine lists each id once per package)
        k = (name, cve)
        best[k] = fixed if k not in best else best[k]
for (name, cve), fixed in sorted(best.items()):
    print(name, cve, fixed)
