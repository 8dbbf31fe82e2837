#!/usr/bin/python3
# count2.py — an independent reading of the real Ubuntu OSV, Red Hat CSAF VEX and NVD files,
# with Python's json module, under the mapping rules that src/feed/{ubuntu,rhel,nvd}.c
# document. tests/unit/feed2_test.c compares the C parsers' counts with this script's output.
#
# usage: count2.py ubuntu|rhel|nvd FILE...
# prints one line per file: PATH <TAB> advisories <TAB> affected <TAB> c3 <TAB> c4, where
#   ubuntu: c3 = affected records with a fix, c4 = range events kept
#   rhel:   c3 = fixed records,              c4 = will-not-fix records
#   nvd:    c3 = CVSS entries,               c4 = CWE ids
import json
import re
import sys
from urllib.parse import unquote_to_bytes


# ---- ubuntu ---------------------------------------------------------------------------------

def ubuntu(doc):
    if doc.get("withdrawn") or doc["id"].startswith(("USN-", "LSN-")):
        return 0, 0, 0, 0
    affected = fixed = events = 0
    for a in doc.get("affected") or []:
        eco = a["package"]["ecosystem"]
        if not eco.startswith("Ubuntu:"):
            continue
        if not any(re.fullmatch(r"[0-9]+\.[0-9]+", part) for part in eco.split(":")[1:]):
            raise ValueError("no release in " + eco)
        affected += 1
        evs = [e for r in a.get("ranges") or [] if r["type"] == "ECOSYSTEM" for e in r["events"]]
        events += len(evs)
        if any("fixed" in e for e in evs):
            fixed += 1
    return 1, affected, fixed, events


# ---- rhel -----------------------------------------------------------------------------------

RHEL_PRODUCTS = {"enterprise_linux", "rhel_eus", "rhel_aus", "rhel_e4s", "rhel_tus", "rhel_els"}
STATUS_LISTS = ["fixed", "known_affected", "known_not_affected", "under_investigation"]


class BadPurl(Exception):
    pass


def decode(s):
    """Percent-decoding as rhel.c does it: the result must be UTF-8 without control bytes."""
    try:
        out = unquote_to_bytes(s).decode("utf-8")
    except UnicodeDecodeError:
        raise BadPurl(s)
    if re.search(r"[\x00-\x1f\x7f]", out):
        raise BadPurl(s)
    return out


def purl(s):
    """pkg:type/ns/name@version?quals#sub -> dict, or None."""
    try:
        return purl_parts(s)
    except BadPurl:
        return None


def purl_parts(s):
    if not s.startswith("pkg:"):
        return None
    s = s[4:].lstrip("/")
    s = s.split("#", 1)[0]
    quals = {}
    if "?" in s:
        s, q = s.split("?", 1)
        for kv in q.split("&"):
            if "=" in kv:
                k, v = kv.split("=", 1)
                quals[k] = decode(v)
    if "/" not in s or s.startswith("/"):
        return None
    typ, rest = s.split("/", 1)
    version = None
    if "@" in rest:
        rest, version = rest.rsplit("@", 1)
        version = decode(version)
    ns, _, name = rest.rpartition("/")
    if not name:
        return None
    return {"type": typ, "ns": decode(ns) if ns else None, "name": decode(name),
            "version": version, "quals": quals}


def stream(s):
    """'a:b:c:d' -> 'a:b'; None unless the first two fields are non-empty."""
    if s is None:
        return None
    parts = s.split(":")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return None
    return parts[0] + ":" + parts[1]


def cpe_ns(cpe):
    if cpe.startswith("cpe:/"):
        f = cpe[5:].split(":")
    elif cpe.startswith("cpe:2.3:"):
        f = cpe[8:].split(":")
    else:
        return None
    if len(f) < 4 or f[1] != "redhat":
        return None
    for x in f[4:12]:
        m = re.fullmatch(r"el([0-9]+)", x)
        if m:
            return "rhel:" + m.group(1)[:16]
    if f[2] not in RHEL_PRODUCTS:
        return None
    m = re.match(r"[0-9]+", f[3])
    return "rhel:" + m.group(0)[:16] if m else None


def rhel(doc):
    tracking = doc["document"]["tracking"]
    if tracking.get("status") == "deleted":
        return 0, 0, 0, 0
    tree = doc.get("product_tree") or {}
    prods, rels = {}, {}

    def walk(node):
        for b in node.get("branches") or []:
            if b.get("product"):
                prods[b["product"]["product_id"]] = b["product"]
            walk(b)

    walk(tree)
    for p in tree.get("full_product_names") or []:
        prods[p["product_id"]] = p
    for r in tree.get("relationships") or []:
        if r["category"] == "default_component_of":
            rels[r["full_product_name"]["product_id"]] = r

    def helper(p, k):
        return ((p or {}).get("product_identification_helper") or {}).get(k)

    def resolve(pid):
        """[component, (module), repository] ids, or None (no relationship / too deep)."""
        r = rels.get(pid)
        if r is None:
            return None
        out, steps = [], [0]

        def expand(ref, to):
            for side in (ref, to):
                steps[0] += 1
                if steps[0] > 8:
                    return False
                sub = rels.get(side)
                if sub is not None:
                    if not expand(sub["product_reference"], sub["relates_to_product_reference"]):
                        return False
                else:
                    if len(out) == 10:
                        return False
                    out.append(side)
            return True

        if not expand(r["product_reference"], r["relates_to_product_reference"]) or len(out) < 2:
            return None
        return out

    total = [0, 0, 0, 0]
    for v in doc.get("vulnerabilities") or []:
        total[0] += 1
        wontfix = set()
        for rem in v.get("remediations") or []:
            if rem["category"] == "no_fix_planned":
                wontfix.update(rem.get("product_ids") or [])
        keys = set()
        ps = v.get("product_status") or {}
        for st in STATUS_LISTS:
            for pid in ps.get(st) or []:
                chain = resolve(pid)
                if chain is None:
                    continue
                comp, repo = prods.get(chain[0]), prods.get(chain[-1])
                modp = prods.get(chain[-2]) if len(chain) > 2 else None
                cpe = helper(repo, "cpe")
                if comp is None or cpe is None:
                    continue
                ns = cpe_ns(cpe)
                if ns is None:
                    continue
                module = evr = None
                ps_url = helper(comp, "purl")
                if ps_url is not None:
                    u = purl(ps_url)
                    if u is None or u["type"] != "rpm" or u["ns"] != "redhat":
                        continue
                    name = u["name"]
                    if "rpmmod" in u["quals"]:
                        module = stream(u["quals"]["rpmmod"])
                        if module is None:
                            continue
                    if u["version"]:
                        epoch = u["quals"].get("epoch")
                        evr = (epoch + ":" if epoch else "") + u["version"]
                else:
                    name = comp.get("name")
                    if not isinstance(name, str) or not name or len(name) > 4096 or \
                            re.search(r"[ \t/]", name):
                        continue
                if module is None and modp is not None:
                    mp = helper(modp, "purl")
                    m = purl(mp) if mp is not None else None
                    if m is not None and m["type"] == "rpmmod":
                        if m["ns"] and m["ns"].startswith("redhat/"):
                            module = stream(m["ns"][7:])
                        elif m["version"]:
                            module = stream(m["name"] + ":" + m["version"])
                    else:
                        module = stream(chain[-2])
                    if module is None:
                        continue
                status = st
                if st == "fixed" and not evr:
                    continue
                if st == "known_affected" and pid in wontfix:
                    status = "wontfix"
                keys.add((status, ns, cpe, module or "", name, evr if st == "fixed" else ""))
        total[1] += len(keys)
        total[2] += sum(1 for k in keys if k[0] == "fixed")
        total[3] += sum(1 for k in keys if k[0] == "wontfix")
    return tuple(total)


# ---- nvd ------------------------------------------------------------------------------------

def nvd_cves(doc):
    if isinstance(doc, list):
        return [e["cve"] for e in doc]
    if "vulnerabilities" in doc:
        return [e["cve"] for e in doc["vulnerabilities"]]
    if "cve" in doc:
        return [doc["cve"]]
    if "item" in doc:
        return [doc["item"]["cve"]]
    if "id" in doc:
        return [doc]
    return []


def nvd(doc):
    total = [0, 0, 0, 0]
    for c in nvd_cves(doc):
        if (c.get("vulnStatus") or "").lower() == "rejected":
            continue
        total[0] += 1
        seen = set()
        for key in ("cvssMetricV40", "cvssMetricV31", "cvssMetricV30", "cvssMetricV2"):
            for m in (c.get("metrics") or {}).get(key) or []:
                seen.add((m.get("source") or "", m["cvssData"]["vectorString"]))
        total[2] += len(seen)
        cwes = {d["value"] for w in c.get("weaknesses") or [] for d in w["description"]
                if d["value"].startswith("CWE-")}
        total[3] += len(cwes)
    return tuple(total)


def main():
    fn = {"ubuntu": ubuntu, "rhel": rhel, "nvd": nvd}[sys.argv[1]]
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            doc = json.load(f)
        print(path, *fn(doc), sep="\t")


if __name__ == "__main__":
    main()
