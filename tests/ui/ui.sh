#!/bin/sh
# ui.sh VIGIL WORKDIR [IMAGES] — the dashboard end to end: a real docker-registry holding the
# Debian test images and alpine:3.14, the feeds of ../shared loaded through a mirror, `vigil
# serve` with the three manifests indexed under repository names (X-Vigil-Repository), and an
# update of the Alpine feed (by the server's own updater) that makes a notification set. First
# the dashboard's JSON routes and assets over curl (paging, formats, errors, ETag/304, CSP, no
# auth on assets), then ui.mjs drives Debian's headless Chromium through playwright-core: the
# overview against the API, sort and filter, the alpine image against `vigil scan`, the report
# downloads, a vulnerability page, notifications, 375 px, and no console error or failed
# request; then the token flow against a second server in PSK mode. Screenshots and downloads
# are kept in WORKDIR/artifacts.
set -eu
vigil=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
images=${3:-$work/../test-images}
shared=${VIGIL_SHARED:-$here/../../../shared}
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
. "$here/../api/lib.sh"
trap 'cleanup_servers; registry_stop' EXIT

if [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
    echo "FAIL playwright-core is not installed in $here/node_modules: run scripts/deps"
    exit 1
fi
[ -x /usr/bin/chromium ] || { echo "FAIL /usr/bin/chromium is missing: run scripts/deps"; exit 1; }

registry_with_images
push_alpine
# The feeds load first without the Alpine 3.14 openssl records; once the images are indexed the
# test puts them back, and the server's alpine updater (every second) makes a notification set.
sec=secdb.alpinelinux.org/v3.14/main.json
cp -r "$work/mirror" "$work/live"
# (the mirror's files are links into ../shared, which is read-only: the swaps replace the link)
python3 - "$work/mirror/$sec" "$work/without.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
j["packages"] = [p for p in j["packages"] if p["pkg"]["name"] != "openssl"]
json.dump(j, open(sys.argv[2], "w"))
PY
cp "$work/without.json" "$work/live/$sec.tmp" && mv "$work/live/$sec.tmp" "$work/live/$sec"
db=$work/vigil.db
"$vigil" update --no-progress --db "$db" --source debian,alpine,osv --mirror "$work/live" >/dev/null
printf 'updaters:\n  sets: [alpine]\n  interval: 1s\n  on_start: false\n  mirror: %s\n' \
    "$work/live" >"$work/serve.yaml"
serve_start A --db "$db" --config "$work/serve.yaml"
U=$A_URL
D=$U/dashboard/api/v1
echo "server at $U"

# ---- index three images under repository names ----
reg=127.0.0.1:$PORT
clair_manifest test >"$work/m-test.json"
clair_manifest test2 >"$work/m-test2.json"
clair_manifest alpine "http://127.0.0.1:$PPORT/v2/alpine/blobs" >"$work/m-alpine.json"
hash_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hash"])' "$1"; }
dhash=$(hash_of "$work/m-test.json")
d2hash=$(hash_of "$work/m-test2.json")
ahash=$(hash_of "$work/m-alpine.json")
for m in "test debian:test" "test2 debian:test2" "alpine alpine:3.14" "alpine mirror.example/library/alpine:3.14"; do
    set -- $m
    req "$work/ix" POST "$U/indexer/api/v1/index_report" -H "X-Vigil-Repository: $reg/$2" \
        --data-binary "@$work/m-$1.json"
    check "POST $2 -> 201" status_is "$work/ix" 201
done

# vigil scan's findings for the alpine image: what the image page must show. The scan records
# its manifest in the store too (vigil's CLI cache): a fourth image, without a repository name.
"$vigil" scan --format json --db "$db" docker-archive:"$shared/images/snyk/containerd-alpine-3.14.tar" \
    >"$work/scan-alpine.json" || true

# ---- the openssl records come back: the updater makes a notification set ----
cp "$work/mirror/$sec" "$work/live/$sec.tmp" && mv "$work/live/$sec.tmp" "$work/live/$sec"
n=0
until curl -s "$D/notifications" | grep -q '"id"' || [ $n -ge 300 ]; do sleep 0.1; n=$((n + 1)); done
req "$work/ns" GET "$D/notifications"
check "the update made one notification set (alpine, delivery none: no webhook)" jq_ok "$work/ns.body" \
    'len(j["sets"]) == 1 and j["sets"][0]["updater"] == "alpine" and j["sets"][0]["count"] >= 1 and j["sets"][0]["delivery"] == "none"'
sid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sets"][0]["id"])' "$work/ns.body")
req "$work/nn" GET "$U/notifier/api/v1/notification/$sid"
check "its notifications name the alpine image, added" jq_ok "$work/nn.body" \
    "'$ahash' in [n['manifest'] for n in j['notifications']] and all(n['reason'] == 'added' for n in j['notifications'])"
# The scan again, on the data the server now serves.
"$vigil" scan --format json --db "$db" docker-archive:"$shared/images/snyk/containerd-alpine-3.14.tar" \
    >"$work/scan-alpine.json" || true
check "vigil scan now finds the openssl CVEs in the alpine image" grep -q CVE-2023-0464 "$work/scan-alpine.json"

# ---- the JSON routes ----
req "$work/c" GET "$D/config"
check "config: 200 {auth: false, version}" jq_ok "$work/c.body" 'j["auth"] is False and j["version"]'
req "$work/i" GET "$D/images"
check "images: the four, each with counts and names" jq_ok "$work/i.body" \
    "len(j['images']) == 4 and j['next'] is None and j['generation'] > 0 and all(set(i) >= {'hash','names','indexed','matched','severity','fixable','unfixed','total','generation'} for i in j['images'])"
check "images: counts add up (severities == total == fixable + unfixed)" jq_ok "$work/i.body" \
    "all(sum(i['severity'].values()) == i['total'] == i['fixable'] + i['unfixed'] for i in j['images'])"
check "images: alpine has findings, two repository names" jq_ok "$work/i.body" \
    "[i for i in j['images'] if i['hash'] == '$ahash'][0]['total'] >= 4 and sorted([i for i in j['images'] if i['hash'] == '$ahash'][0]['names']) == sorted(['$reg/alpine:3.14', '$reg/mirror.example/library/alpine:3.14'])"
check "images: matched at the current generation" jq_ok "$work/i.body" \
    "all(i['generation'] == j['generation'] and i['matched'] for i in j['images'])"
# Paging one at a time walks the same list.
python3 - "$D" "$work/i.body" <<'PY' && ok "images: limit=1 pages with next cursors give the same list" || bad "images: paging"
import json, sys, urllib.request
base, full = sys.argv[1], json.load(open(sys.argv[2]))
got, after = [], ""
for _ in range(10):
    page = json.load(urllib.request.urlopen(base + "/images?limit=1" + ("&after=" + after if after else "")))
    got += page["images"]
    if not page["next"]:
        break
    after = page["next"]
sys.exit(0 if got == full["images"] else 1)
PY
req "$work/e" GET "$D/images?limit=0"
check "images?limit=0 -> 400 {code,message}" sh -c "grep -q 400 '$work/e.status' && grep -q '\"code\"' '$work/e.body'"
req "$work/e" GET "$D/images?after=nope"
check "images?after=nope -> 400" status_is "$work/e" 400

req "$work/im" GET "$D/image/$ahash"
check "image: layers with digests, the distribution, names" jq_ok "$work/im.body" \
    "j['hash'] == '$ahash' and len(j['layers']) >= 1 and all(l['digest'].startswith('sha256:') for l in j['layers']) and j['distributions'][0]['namespace'].startswith('alpine') and len(j['names']) == 2"
req "$work/e" GET "$D/image/sha256:$(printf '%064d' 0)"
check "image: unknown digest -> 404" status_is "$work/e" 404
req "$work/e" GET "$D/image/sha256:xyz"
check "image: malformed digest -> 400" status_is "$work/e" 400

for f in json sarif cyclonedx; do
    req "$work/r-$f" GET "$D/report/$ahash?format=$f"
done
check "report json: application/json, attachment, == vulnerability_report's findings" sh -c \
    "grep -q 200 '$work/r-json.status' && grep -qi '^content-disposition: attachment; filename=\"vigil-' '$work/r-json.headers'"
check "report sarif: application/sarif+json, SARIF 2.1.0 with results" sh -c \
    "grep -qi '^content-type: application/sarif+json' '$work/r-sarif.headers' && python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j[\"version\"] == \"2.1.0\" and j[\"runs\"][0][\"results\"]' '$work/r-sarif.body'"
check "report cyclonedx: CycloneDX JSON with vulnerabilities" sh -c \
    "grep -qi '^content-type: application/vnd.cyclonedx+json' '$work/r-cyclonedx.headers' && python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j[\"bomFormat\"] == \"CycloneDX\" and j[\"vulnerabilities\"]' '$work/r-cyclonedx.body'"
req "$work/e" GET "$D/report/$ahash?format=table"
check "report: format=table -> 400" status_is "$work/e" 400

req "$work/v" GET "$U/matcher/api/v1/vulnerability_report/$ahash"
python3 - "$work/scan-alpine.json" "$work/v.body" "$work/i.body" "$ahash" >"$work/check.out" <<'PY' && ok "images: alpine's counts == vigil scan's findings ($(cat "$work/check.out"))" || bad "images: alpine's counts vs vigil scan ($(cat "$work/check.out"))"
import json, sys
scan, rep, imgs, h = (json.load(open(sys.argv[1])), json.load(open(sys.argv[2])),
                      json.load(open(sys.argv[3])), sys.argv[4])
pairs = [(p, v) for p, vs in scan["package_vulnerabilities"].items() for v in vs]
img = [i for i in imgs["images"] if i["hash"] == h][0]
fix = sum(1 for p, v in pairs if scan["vulnerabilities"][v].get("fixed_in_version"))
print(len(pairs), "findings,", fix, "fixable")
sys.exit(0 if len(pairs) == img["total"] and fix == img["fixable"] else 1)
PY

vid=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(sorted(v["name"] for v in j["vulnerabilities"].values())[0])' "$work/v.body")
req "$work/vu" GET "$D/vulnerability/$vid"
check "vulnerability $vid: advisories with affected ranges, the alpine image affected" jq_ok "$work/vu.body" \
    "j['id'] == '$vid' and len(j['advisories']) >= 1 and all(a['affected'] for a in j['advisories']) and '$ahash' in [i['hash'] for i in j['images']] and all(i['findings'] for i in j['images'])"
req "$work/e" GET "$D/vulnerability/CVE-1999-99999999"
check "vulnerability: unknown id -> 404" status_is "$work/e" 404
req "$work/e" GET "$D/vulnerability/bad%20id"
check "vulnerability: malformed id -> 400" status_is "$work/e" 400
# A vulnerability whose advisory carries a CVSS vector, for the browser to show.
cvss_vuln=$(python3 - "$D" "$work/v.body" <<'PY'
import json, sys, urllib.request
for name in sorted({v["name"] for v in json.load(open(sys.argv[2]))["vulnerabilities"].values()}):
    j = json.load(urllib.request.urlopen(sys.argv[1] + "/vulnerability/" + name))
    if any(c["vector"].startswith("CVSS:3") for a in j["advisories"] for c in a["cvss"]):
        print(name)
        break
PY
)
echo "vulnerability with a CVSS vector: ${cvss_vuln:-none}"

req "$work/o" GET "$U/openapi/v1"
check "openapi: documents the dashboard routes" jq_ok "$work/o.body" \
    'all(("/dashboard/api/v1/" + p) in j["paths"] for p in ["config", "images", "image/{digest}", "report/{digest}", "vulnerability/{id}", "notifications", "history"])'
req "$work/n" GET "$D/notifications"
check "notifications: 200 {webhook, sets}" jq_ok "$work/n.body" 'j["webhook"] is False and isinstance(j["sets"], list)'
req "$work/h" GET "$D/history"
check "history: a point for the current generation (recorded on first read), totals == images" python3 - "$work/h.body" "$work/i.body" <<'PY'
import json, sys
h, i = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
p = h["points"][-1]
s = p["summary"]
imgs = i["images"]
ok = (p["generation"] == h["generation"] == i["generation"] and s["images"] == len(imgs)
      and s["vulnerable"] == sum(1 for x in imgs if x["total"])
      and s["fixable"] == sum(1 for x in imgs if x["fixable"])
      and s["findings"] == sum(x["total"] for x in imgs)
      and sum(s["worst"].values()) == s["vulnerable"])
sys.exit(0 if ok else 1)
PY
req "$work/h2" GET "$D/history"
check "history: read again, still one point for the generation" sh -c \
    "python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); assert len(a[\"points\"]) == len(b[\"points\"])' '$work/h.body' '$work/h2.body'"
history_points=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["points"]))' "$work/h.body")

# ---- the assets ----
req "$work/u" GET "$U/ui"
check "/ui -> 308 to /ui/" sh -c "grep -q 308 '$work/u.status' && [ '$(header "$work/u" Location)' = /ui/ ]"
req "$work/u" GET "$U/ui/"
csp=$(header "$work/u" Content-Security-Policy)
echo "CSP: $csp"
check "/ui/: text/html, no-cache, an ETag" sh -c \
    "grep -q 200 '$work/u.status' && grep -qi '^content-type: text/html' '$work/u.headers' && [ '$(header "$work/u" Cache-Control)' = no-cache ] && [ -n '$(header "$work/u" ETag)' ]"
case "$csp" in
*"default-src 'none'"*"script-src 'self';"*"style-src 'self';"*) ok "/ui/: a strict Content-Security-Policy" ;;
*) bad "/ui/: a strict Content-Security-Policy" ;;
esac
case "$csp" in *unsafe-inline* | *unsafe-eval*) bad "/ui/: CSP allows inline code" ;; *) ok "/ui/: CSP allows no inline code" ;; esac
check "/ui/: no inline script or style in the page" sh -c "! grep -Eq '<script>|<script [^>]*>[^<]|<style|style=|onclick=' '$work/u.body'"
uetag=$(header "$work/u" ETag)
req "$work/u2" GET "$U/ui/" -H "If-None-Match: $uetag"
check "/ui/ with If-None-Match -> 304" status_is "$work/u2" 304
for a in "app.js text/javascript" "app.css text/css" "favicon.svg image/svg+xml" "index.html text/html"; do
    set -- $a
    req "$work/u" GET "$U/ui/$1"
    check "/ui/$1: 200 $2" sh -c "grep -q 200 '$work/u.status' && grep -qi '^content-type: $2' '$work/u.headers'"
done
check "assets served are the files in src/api/ui/" cmp -s "$work/u.body" "$here/../../src/api/ui/index.html"
req "$work/u" GET "$U/ui/nope.js"
check "/ui/nope.js -> 404" status_is "$work/u" 404
req "$work/u" POST "$U/ui/app.js"
check "POST /ui/app.js -> 405" status_is "$work/u" 405

# ---- the browser ----
python3 - "$work/i.body" "$work/scan-alpine.json" "$ahash" "$reg/alpine:3.14" "$history_points" \
    "$cvss_vuln" "$sid" >"$work/expect.json" <<'PY'
import json, sys
imgs, scan = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
pk, vu = scan["packages"], scan["vulnerabilities"]
findings = ["\t".join((pk[p]["name"], pk[p]["version"], vu[v]["name"], vu[v].get("fixed_in_version", "")))
            for p, vs in scan["package_vulnerabilities"].items() for v in vs]
print(json.dumps({"images": imgs["images"], "scan_alpine": findings, "alpine_hash": sys.argv[3],
                  "alpine_name": sys.argv[4], "history_points": int(sys.argv[5]),
                  "cvss_vuln": sys.argv[6] or None, "set_id": sys.argv[7]}))
PY
mkdir -p "$work/artifacts"
VIGIL_URL=$U ARTIFACTS=$work/artifacts EXPECT=$work/expect.json node "$here/ui.mjs" main \
    >"$work/ui-main.out" 2>&1 && rc=0 || rc=$?
cat "$work/ui-main.out"
fails=$((fails + $(grep -c '^FAIL' "$work/ui-main.out" || true)))
[ "$rc" = 0 ] || grep -q '^FAIL' "$work/ui-main.out" || bad "ui.mjs main exited $rc"
for s in overview-desktop image-desktop vuln-desktop notifications-desktop overview-mobile image-mobile; do
    check "screenshot $s.png kept" sh -c "[ -s '$work/artifacts/$s.png' ] && head -c 8 '$work/artifacts/$s.png' | grep -q PNG"
done

# ---- many images: summaries are matched on several threads; aliases count as their image ----
python3 - "$U" "$work/m-test.json" "$work/m-alpine.json" <<'PY' && ok "48 more manifests (aliases of test and alpine) -> 201 each" || bad "48 more manifests"
import hashlib, json, sys, urllib.request
url, deb, alp = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
for i in range(48):
    m = dict(alp if i % 2 else deb)
    m["hash"] = "sha256:" + hashlib.sha256(b"vigil-ui-test-%d" % i).hexdigest()
    rq = urllib.request.Request(url + "/indexer/api/v1/index_report", data=json.dumps(m).encode())
    assert urllib.request.urlopen(rq).status == 201
PY
req "$work/many" GET "$D/images?limit=1000"
check "images: 52, the aliases' counts == their image's" python3 - "$work/many.body" "$work/i.body" <<'PY'
import json, sys
many, first = json.load(open(sys.argv[1]))["images"], json.load(open(sys.argv[2]))["images"]
counts = {json.dumps([i["severity"], i["fixable"], i["total"]]) for i in first}
alp = [i for i in first if i["total"]][0]
sys.exit(0 if len(many) == 52 and sum(1 for i in many if i["total"] == alp["total"] and i["severity"] == alp["severity"]) == 26
         and all(json.dumps([i["severity"], i["fixable"], i["total"]]) in counts for i in many) else 1)
PY

# ---- auth: PSK mode ----
key=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
cat >"$work/auth.yaml" <<EOF
auth:
  psk:
    key: "$key"
    issuers: [dashboard]
updaters:
  on_start: false
  interval: 0
EOF
serve_start P --config "$work/auth.yaml" --db "$db"
now=$(date +%s)
good=$(python3 "$here/../api/mkjwt.py" --key-b64 "$key" "{\"iss\":\"dashboard\",\"exp\":$((now + 3600))}")
badtok=$(python3 "$here/../api/mkjwt.py" --key-b64 "$key" "{\"iss\":\"mallory\",\"exp\":$((now + 3600))}")
req "$work/c" GET "$P_URL/dashboard/api/v1/config"
check "auth: config open, says auth" jq_ok "$work/c.body" 'j["auth"] is True'
req "$work/a" GET "$P_URL/dashboard/api/v1/images"
check "auth: images without a token -> 401" status_is "$work/a" 401
req "$work/a" GET "$P_URL/dashboard/api/v1/images" -H "Authorization: Bearer $good"
check "auth: images with a token -> 200" status_is "$work/a" 200
req "$work/a" GET "$P_URL/ui/app.js"
check "auth: assets need no token" status_is "$work/a" 200
VIGIL_URL=$P_URL ARTIFACTS=$work/artifacts TOKEN=$good BAD_TOKEN=$badtok node "$here/ui.mjs" auth \
    >"$work/ui-auth.out" 2>&1 && rc=0 || rc=$?
cat "$work/ui-auth.out"
fails=$((fails + $(grep -c '^FAIL' "$work/ui-auth.out" || true)))
[ "$rc" = 0 ] || grep -q '^FAIL' "$work/ui-auth.out" || bad "ui.mjs auth exited $rc"

serve_stop "$P_PID" || true
serve_stop "$A_PID" && rc=0 || rc=$?
check "server exits 0" [ "$rc" = 0 ]
echo "artifacts: $work/artifacts"
echo "$fails failure(s)"
[ "$fails" -eq 0 ]
