#!/usr/bin/python3
"""check_index.py — assertions on `vigil index` JSON output, shared by the index tests.

  check_index.py packages REPORT.json EXPECTED.tsv
      the (name, version, source, source version) set equals EXPECTED (dpkg-query's answer);
  check_index.py same A.json B.json
      two reports list the same package set;
  check_index.py introduced REPORT.json LAYER_INDEX NAME... (layer digests from --layers FILE)
      each NAME was introduced in the given layer.
"""
import json
import sys


def pkgs(path):
    rep = json.load(open(path))
    assert rep["state"] == "IndexFinished" and rep["success"] is True, rep.get("err")
    out = {}
    for pid, p in rep["packages"].items():
        env = rep["environments"][pid][0]
        key = (p["name"], p["version"], p["source"]["name"], p["source"]["version"])
        out[key] = env["introduced_in"]
    return rep, out


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def main():
    cmd = sys.argv[1]
    if cmd == "packages":
        _, got = pkgs(sys.argv[2])
        want = set()
        for line in open(sys.argv[3]):
            f = line.rstrip("\n").split("\t")
            if len(f) >= 4:
                want.add(tuple(f[:4]))
        if not want:
            fail("expected list is empty")
        if set(got) != want:
            fail(f"package sets differ: missing {sorted(want - set(got))[:10]}, "
                 f"extra {sorted(set(got) - want)[:10]}")
        print(f"ok: {len(want)} packages equal dpkg-query's list")
    elif cmd == "same":
        _, a = pkgs(sys.argv[2])
        _, b = pkgs(sys.argv[3])
        if set(a) != set(b):
            fail(f"reports differ: {sorted(set(a) ^ set(b))[:10]}")
        print(f"ok: same {len(a)} packages")
    elif cmd == "introduced":
        rep, got = pkgs(sys.argv[2])
        digest = sys.argv[3]
        for name in sys.argv[4:]:
            hits = [d for (n, *_), d in got.items() if n == name]
            if not hits:
                fail(f"{name} not in the report")
            if hits[0] != digest:
                fail(f"{name} introduced in {hits[0]}, want {digest}")
        print(f"ok: {len(sys.argv) - 4} packages introduced in {digest[:19]}")
    elif cmd == "absent":
        _, got = pkgs(sys.argv[2])
        for name in sys.argv[3:]:
            if any(n == name for (n, *_) in got):
                fail(f"{name} should be absent")
        print(f"ok: {len(sys.argv) - 3} packages absent")
    elif cmd == "dist":
        rep = json.load(open(sys.argv[2]))
        d = list(rep["distributions"].values())
        if len(d) != 1 or d[0]["namespace"] != sys.argv[3]:
            fail(f"distribution {d}, want namespace {sys.argv[3]}")
        print(f"ok: distribution {sys.argv[3]} from {d[0]['found_in']}")
    else:
        fail(f"unknown command {cmd}")


main()
