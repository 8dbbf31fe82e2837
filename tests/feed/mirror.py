#!/usr/bin/python3
# mirror.py — builds and edits the mirror that tests/feed/update.sh serves: the shared feeds
# laid out as <host>/<path> of the official URLs (symlinks where a shared file is used as is,
# generated zips and merged JSON in the temp dir, never in the repo), and prints expected
# counts with tests/feed/count.py's rules.
#
# usage: mirror.py build SHARED MIRROR      lay out the mirror
#        mirror.py expect MIRROR SOURCE      "advisories N" for a source's documents
#        mirror.py edit MIRROR               add and remove records (see edit())
#        mirror.py bigzip MIRROR N           replace the PyPI zip by N generated records
#        mirror.py expect2 MIRROR SOURCE     ubuntu, rhel, nvd: "advisories N" by count2.py
#
# ubuntu is osv.dev's Ubuntu zip (the shared osv/cve records zipped here); rhel is the VEX
# feed's changes.csv index (written here, listing the laid-out files) plus the <year>/cve-*.json
# files it names; nvd's API pages. update.sh fetches all three over http.
import json
import os
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEB = "security-tracker.debian.org/tracker/data/json"
SECDB = "secdb.alpinelinux.org"
OSV = "osv-vulnerabilities.storage.googleapis.com"
UBUNTU = OSV + "/Ubuntu/all.zip"
RHEL = "security.access.redhat.com/data/csaf/v2/vex"
NVD = "services.nvd.nist.gov/rest/json/cves/2.0"
NVD_PAGE = 15  # vunnel's 38-record page split into pages of 15, 15 and 8
ALPINE_SUBSETS = {"3.14": "secdb-v3.14-main.SUBSET.json", "3.18": "secdb-v3.18-main.SUBSET.json"}


def put_json(path, doc):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.islink(path):
        os.unlink(path)
    with open(path, "w") as fh:
        json.dump(doc, fh, indent=1)


def link(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    os.symlink(src, dst)


def zip_records(dst, records):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.lexists(dst):
        os.unlink(dst)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in records:
            z.writestr(name, data)


def read_dir(d):
    return [(f, open(os.path.join(d, f), "rb").read()) for f in sorted(os.listdir(d))
            if f.endswith(".json")]


def build(shared, m):
    feeds = os.path.join(shared, "feeds")
    # debian: the three tracker samples merged into one document (distinct package keys)
    merged = {}
    tj = os.path.join(feeds, "debian/tracker-json")
    for f in sorted(os.listdir(tj)):
        merged.update(json.load(open(os.path.join(tj, f))))
    put_json(os.path.join(m, DEB), merged)
    # alpine: secdb v3.3-v3.11 as they are, plus the 3.14 / 3.18 subsets as branch files
    for v in sorted(os.listdir(os.path.join(feeds, "alpine/secdb"))):
        for repo in ("main", "community"):
            link(os.path.join(feeds, "alpine/secdb", v, repo + ".json"),
                 os.path.join(m, SECDB, v, repo + ".json"))
    for v, f in ALPINE_SUBSETS.items():
        link(os.path.join(feeds, "alpine/vuln-list", f), os.path.join(m, SECDB, "v" + v, "main.json"))
    # osv: osv.dev's zips as they are; npm, Maven, PyPI-GHSA, AlmaLinux, Rocky zipped here
    z = os.path.join(feeds, "osv/osvdev-all-zip")
    for eco in ("Go", "crates.io"):
        link(os.path.join(z, eco + "-all.zip"), os.path.join(m, OSV, eco, "all.zip"))
    pypi = []
    with zipfile.ZipFile(os.path.join(z, "PyPI-all.zip")) as zz:
        pypi = [(i.filename, zz.read(i)) for i in zz.infolist()]
    pypi += read_dir(os.path.join(feeds, "osv/ghsa/pypi"))
    zip_records(os.path.join(m, OSV, "PyPI", "all.zip"), pypi)
    zip_records(os.path.join(m, OSV, "npm", "all.zip"), read_dir(os.path.join(feeds, "osv/ghsa/npm")))
    zip_records(os.path.join(m, OSV, "Maven", "all.zip"), read_dir(os.path.join(feeds, "osv/ghsa/maven")))
    zip_records(os.path.join(m, OSV, "AlmaLinux", "all.zip"), read_dir(os.path.join(feeds, "osv/almalinux")))
    zip_records(os.path.join(m, OSV, "Rocky Linux", "all.zip"), read_dir(os.path.join(feeds, "osv/rocky")))
    # ubuntu: Canonical's osv/cve/<year>/ records zipped as osv.dev serves them (flat names)
    u = os.path.join(feeds, "ubuntu/osv/cve")
    zip_records(os.path.join(m, UBUNTU),
                [rec for y in sorted(os.listdir(u)) for rec in read_dir(os.path.join(u, y))])
    # rhel: the VEX feed's <year>/cve-*.json files (feed layout and acceptance samples) and a
    # changes.csv that lists them as Red Hat's does ("<year>/<file>.json","<time>"); the shared
    # changes.csv names files that are not there on purpose, so it is not used as is
    listed = []
    for d in ("rhel/csaf-vex-feed-layout/2023", "rhel/csaf-vex-acceptance"):
        for f in sorted(os.listdir(os.path.join(feeds, d))):
            if f.endswith(".json"):
                year = f.split("-")[1]
                link(os.path.join(feeds, d, f), os.path.join(m, RHEL, year, f))
                listed.append("%s/%s" % (year, f))
    with open(os.path.join(m, RHEL, "changes.csv"), "w") as fh:
        for rel in listed:
            fh.write('"%s","2023-12-12T00:00:00+00:00"\n' % rel)
    # nvd: one API page split into a paged sequence, under the names wget -x writes
    page = json.load(open(os.path.join(feeds, "nvd/api-pages/vunnel-full-page.json")))
    vulns = page["vulnerabilities"]
    for start in range(0, len(vulns), NVD_PAGE):
        part = vulns[start:start + NVD_PAGE]
        doc = dict(page, startIndex=start, resultsPerPage=len(part), totalResults=len(vulns),
                   vulnerabilities=part)
        name = NVD if start == 0 else "%s?startIndex=%d&resultsPerPage=2000" % (NVD, start)
        put_json(os.path.join(m, name), doc)


def docs2(m, source):
    if source == "nvd":
        d = os.path.dirname(os.path.join(m, NVD))
        return [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.startswith("2.0")]
    if source == "rhel":  # the files changes.csv lists
        root = os.path.join(m, RHEL)
        lines = open(os.path.join(root, "changes.csv")).read().splitlines()
        return [os.path.join(root, line.split(",")[0].strip('"')) for line in lines if line]
    raise ValueError(source)


def expect2(m, source):
    with tempfile.TemporaryDirectory() as tmp:
        if source == "ubuntu":  # the zip's records, extracted for count2.py
            with zipfile.ZipFile(os.path.join(m, UBUNTU)) as z:
                z.extractall(tmp)
            files = [os.path.join(tmp, f) for f in sorted(os.listdir(tmp)) if f.endswith(".json")]
        else:
            files = docs2(m, source)
        out = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "count2.py"), source] + files,
                             check=True, capture_output=True, text=True).stdout
    print("advisories", sum(int(line.split("\t")[1]) for line in out.splitlines()))


def docs(m, source):
    if source == "debian":
        return [os.path.join(m, DEB)]
    if source == "alpine":
        root = os.path.join(m, SECDB)
        return [os.path.join(root, v, f) for v in sorted(os.listdir(root))
                for f in sorted(os.listdir(os.path.join(root, v)))]
    root = os.path.join(m, OSV)  # Ubuntu's zip there belongs to the ubuntu updater
    return [os.path.join(root, e, "all.zip") for e in sorted(os.listdir(root)) if e != "Ubuntu"]


def expect(m, source):
    out = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "count.py"), source] + docs(m, source),
                         check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("advisories "):
            print(line)


def edit(m):
    """Debian: +2 CVEs (a new package), -1 (CVE-2013-1444, txt2man only).
    Alpine: +1 (CVE-2099-1111 in v3.11 community), -1 (an id found once in all branches).
    OSV: +1 (GHSA-vgtt-0000-0001 in npm), -1 (GHSA-w9mr-4mfr-499f)."""
    p = os.path.join(m, DEB)
    d = json.load(open(p))
    del d["txt2man"]["CVE-2013-1444"]
    rel = {"status": "resolved", "fixed_version": "1.0-1", "urgency": "low"}
    d["vigil-test"] = {"CVE-2099-0001": {"releases": {"bookworm": rel}},
                       "CVE-2099-0002": {"releases": {"bookworm": dict(rel, status="open", fixed_version=None)}}}
    put_json(p, d)

    seen = {}
    for path in docs(m, "alpine"):
        for pkg in json.load(open(path))["packages"]:
            for ver, ids in pkg["pkg"]["secfixes"].items():
                for i in ids or []:
                    key = i.split()[0] if i.split() else i
                    seen[key] = seen.get(key, 0) + 1
    p = os.path.join(m, SECDB, "v3.11", "community.json")
    d = json.load(open(p))
    gone = None
    for pkg in d["packages"]:
        for ver, ids in pkg["pkg"]["secfixes"].items():
            for i in list(ids or []):
                if gone is None and i.startswith("CVE-") and " " not in i and seen.get(i) == 1:
                    ids.remove(i)
                    gone = i
    assert gone, "no alpine id to remove"
    d["packages"].append({"pkg": {"name": "vigil-test", "secfixes": {"1.0-r1": ["CVE-2099-1111"]}}})
    put_json(p, d)

    p = os.path.join(m, OSV, "npm", "all.zip")
    with zipfile.ZipFile(p) as z:
        recs = [(i.filename, z.read(i)) for i in z.infolist() if "GHSA-w9mr-4mfr-499f" not in i.filename]
    new = {"id": "GHSA-vgtt-0000-0001", "modified": "2099-01-01T00:00:00Z", "summary": "test",
           "affected": [{"package": {"ecosystem": "npm", "name": "vigil-test"},
                         "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.1"}]}]}]}
    recs.append(("GHSA-vgtt-0000-0001.json", json.dumps(new).encode()))
    zip_records(p, recs)


def bigzip(m, n):
    recs = []
    for i in range(n):
        r = {"id": "PYSEC-9999-%d" % i, "modified": "2099-01-01T00:00:00Z",
             "details": "generated record %d for the kill test" % i,
             "affected": [{"package": {"ecosystem": "PyPI", "name": "pkg%d" % i},
                           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.%d" % i}]}]}]}
        recs.append(("PYSEC-9999-%d.json" % i, json.dumps(r).encode()))
    zip_records(os.path.join(m, OSV, "PyPI", "all.zip"), recs)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "build":
        build(sys.argv[2], sys.argv[3])
    elif cmd == "expect":
        expect(sys.argv[2], sys.argv[3])
    elif cmd == "edit":
        edit(sys.argv[2])
    elif cmd == "expect2":
        expect2(sys.argv[2], sys.argv[3])
    elif cmd == "bigzip":
        bigzip(sys.argv[2], int(sys.argv[3]))
