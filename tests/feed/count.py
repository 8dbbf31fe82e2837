#!/usr/bin/python3
# count.py — an independent reading of the real Debian tracker JSON, Alpine secdb and OSV
# files with Python's json and zipfile modules, under the mapping rules that
# src/feed/{debian,alpine,osv}.c document. tests/unit/feed_test.c compares the C parsers'
# counts with this script's output, and tests/feed/update.sh the counts `vigil update` prints.
#
# usage: count.py debian|alpine|osv PATH...   (a file, a directory of *.json, or a zip)
# prints "key value" lines:
#   advisories N            advisories after merging by id where the updater merges
#   affected N              affected records
#   status.<name> N         affected records per status (fixed, affected, will-not-fix, ...)
#   skipped N               records the parser drops and counts (GIT ranges, withdrawn, ...)
#   id <ID>                 every advisory id (sorted)
#   vunnel <ns> <id> <pkg> <fixed|-|0>   (debian) vunnel's expected records that exist in the input
import json
import os
import re
import sys
import zipfile

CODENAMES = {
    "buzz": "1.1", "rex": "1.2", "bo": "1.3", "hamm": "2.0", "slink": "2.1", "potato": "2.2",
    "woody": "3.0", "sarge": "3.1", "etch": "4", "lenny": "5", "squeeze": "6", "wheezy": "7",
    "jessie": "8", "stretch": "9", "buster": "10", "bullseye": "11", "bookworm": "12",
    "trixie": "13",
}


def documents(paths):
    """(name, parsed JSON) for each document, in the order the fetch layer reads them."""
    for p in paths:
        if os.path.isdir(p):
            rels = []
            for root, dirs, files in os.walk(p):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for f in files:
                    if f.endswith(".json") and not f.startswith("."):
                        rels.append(os.path.relpath(os.path.join(root, f), p))
            for r in sorted(rels):
                with open(os.path.join(p, r), "rb") as fh:
                    yield r, json.load(fh)
        elif zipfile.is_zipfile(p):
            with zipfile.ZipFile(p) as z:
                for info in z.infolist():
                    if info.is_dir() or not info.filename.endswith(".json"):
                        continue
                    yield info.filename, json.loads(z.read(info))
        else:
            with open(p, "rb") as fh:
                yield p, json.load(fh)


def out(counts, ids, extra=()):
    for k in sorted(counts):
        print(k, counts[k])
    for i in sorted(ids):
        print("id", i)
    for line in extra:
        print(line)


# ---- debian ---------------------------------------------------------------------------------

def debian_status(rel):
    status = rel.get("status")
    fixed = rel.get("fixed_version") or ""
    if fixed == "0":
        return "not-affected", None
    if status == "resolved":
        return ("fixed", fixed) if fixed else ("not-affected", None)
    if status == "open":
        return ("will-not-fix" if rel.get("urgency") == "end-of-life" else "affected"), None
    return "under-investigation", None


def debian(paths):
    counts = {"affected": 0, "skipped": 0}
    ids = set()
    records = {}
    for _, doc in documents(paths):
        for pkg, cves in doc.items():
            for cve, entry in cves.items():
                if not cve or not pkg:
                    counts["skipped"] += 1
                    continue
                ids.add(cve)
                rels = entry.get("releases") or {}
                for codename, rel in rels.items():
                    st, fixed = debian_status(rel)
                    if fixed is not None and (" " in fixed or not fixed[0].isdigit()):
                        counts["skipped"] += 1
                        continue
                    counts["affected"] += 1
                    counts["status." + st] = counts.get("status." + st, 0) + 1
                    ns = "debian:" + CODENAMES.get(codename, codename)
                    records[(ns, cve, pkg)] = fixed if st == "fixed" else ("0" if st == "not-affected" else "-")
    counts["advisories"] = len(ids)
    # vunnel's normalised output for the same input, where the record exists in ours.
    extra = []
    shared = os.environ.get("VIGIL_SHARED", os.path.join(os.path.dirname(__file__), "../../../shared"))
    exp_root = os.path.join(shared, "feeds/debian/expected-vunnel")
    if os.path.isdir(exp_root):
        for d in sorted(os.listdir(exp_root)):
            rel = d[len("debian-"):]
            ns = "debian:" + ("sid" if rel == "unstable" else rel)
            for f in sorted(os.listdir(os.path.join(exp_root, d))):
                v = json.load(open(os.path.join(exp_root, d, f)))["item"]["Vulnerability"]
                for fi in v.get("FixedIn") or []:
                    key = (ns, v["Name"], fi["Name"])
                    if key not in records:
                        continue
                    want = fi["Version"]
                    want = "-" if want == "None" else want
                    extra.append("vunnel %s %s %s %s" % (ns, v["Name"], fi["Name"], want))
    out(counts, ids, extra)


# ---- alpine ---------------------------------------------------------------------------------

ID_RE = re.compile(r"[A-Za-z]+-[A-Za-z0-9._:-]+")


def alpine_ids(entry):
    toks = [t for t in entry.split() if not t.startswith("(") and ID_RE.fullmatch(t)]
    return toks


def alpine(paths):
    counts = {"skipped": 0}
    records = set()
    ids = set()
    for name, doc in documents(paths):
        dv = doc.get("distroversion")
        if not dv:
            m = re.search(r"/(v\d+\.\d+)/", name)
            dv = m.group(1)
        ns = "alpine:" + (dv[1:] if dv.startswith("v") else dv)
        pkgs = [p["pkg"] for p in doc["packages"]] if "packages" in doc else [doc]
        for pkg in pkgs:
            for ver, entries in (pkg.get("secfixes") or {}).items():
                for e in entries or []:
                    toks = alpine_ids(e)
                    if not toks:
                        counts["skipped"] += 1
                        continue
                    ids.add(toks[0])
                    st = "not-affected" if ver == "0" else "fixed"
                    records.add((toks[0], ns, pkg["name"], ver, st))
    counts["advisories"] = len(ids)
    counts["affected"] = len(records)
    for r in records:
        counts["status." + r[4]] = counts.get("status." + r[4], 0) + 1
    out(counts, ids)


# ---- osv ------------------------------------------------------------------------------------

def osv_record(rec, counts, ids):
    if rec.get("withdrawn"):
        counts["skipped"] += 1
        return
    ids.append(rec["id"])
    for a in rec.get("affected") or []:
        if not a.get("package"):
            counts["skipped"] += 1
            continue
        n = 0
        for r in a.get("ranges") or []:
            if r.get("type") == "GIT":
                counts["skipped"] += 1
                continue
            evs = [k for e in r.get("events") or [] for k in e
                   if k in ("introduced", "fixed", "last_affected", "limit")]
            if not evs:
                counts["skipped"] += 1
                continue
            st = "fixed" if "fixed" in evs else "affected"
            counts["status." + st] = counts.get("status." + st, 0) + 1
            n += 1
        if a.get("versions"):
            counts["status.affected"] = counts.get("status.affected", 0) + 1
            n += 1
        if n == 0:
            counts["skipped"] += 1
        counts["affected"] += n


def osv(paths):
    counts = {"affected": 0, "skipped": 0}
    ids = []
    for _, doc in documents(paths):
        if isinstance(doc, list):
            for rec in doc:
                if not any(k in rec for k in ("affected", "summary", "details")):
                    counts["skipped"] += 1
                else:
                    osv_record(rec, counts, ids)
        else:
            osv_record(doc, counts, ids)
    counts["advisories"] = len(ids)
    out(counts, ids)


if __name__ == "__main__":
    {"debian": debian, "alpine": alpine, "osv": osv}[sys.argv[1]](sys.argv[2:])
