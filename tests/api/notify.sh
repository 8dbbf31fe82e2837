#!/bin/sh
# notify.sh VIGIL WORKDIR [IMAGES] — continuous monitoring end to end with real components.
# `vigil serve` runs its alpine updater every second from a local feed mirror whose Alpine 3.14
# secdb file the test swaps: first without the openssl records (the updater's first run: no
# notifications), then the real file (advisories added), then without them again (removed).
# Images in a real docker-registry: the demo's Alpine 3.14 image, a second image on the same
# layers plus one, and the two Debian test images (not affected). Checks: the notification set
# names exactly the manifests an independent computation over the IndexReports finds (source
# package openssl on Alpine 3.14 below the fixed version), for added and for removed; paging
# with sizes 1, 7 and 500 returns every notification once; the webhook receiver gets the set
# (signature verified) although it first refuses the connection, then answers 500, then times
# out; a server killed with -9 while a delivery is pending delivers it after a restart; DELETE
# acknowledges; `vigil update --notify` prints the same manifests without a server.
set -eu
vigil=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
images=${3:-$work/../test-images}
shared=${VIGIL_SHARED:-$here/../../../shared}
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
. "$here/lib.sh"
trap 'cleanup_servers; [ -s "$work/hook.pid" ] && kill "$(cat "$work/hook.pid")" 2>/dev/null; registry_stop' EXIT

registry_with_images
push_alpine
# alpine:plus — the same layers plus one.
skopeo copy -q --insecure-policy docker-archive:"$shared/images/snyk/containerd-alpine-3.14.tar" oci:"$work/alp:base"
mkdir -p "$work/extra2/etc"
printf 'plus\n' >"$work/extra2/etc/plus.txt"
tar -C "$work/extra2" --owner=0 --group=0 -cf "$work/extra2.tar" etc
umoci tag --image "$work/alp:base" plus
umoci raw add-layer --image "$work/alp:plus" "$work/extra2.tar" >/dev/null
skopeo copy -q --insecure-policy --dest-tls-verify=false oci:"$work/alp:plus" docker://127.0.0.1:"$PORT"/alpine:plus
skopeo inspect --raw --tls-verify=false docker://127.0.0.1:"$PORT"/alpine:plus >"$work/manifest-plus.json"

# The live mirror and the two versions of the Alpine 3.14 secdb file.
sec=secdb.alpinelinux.org/v3.14/main.json
cp -r "$work/mirror" "$work/live"
cp "$work/mirror/$sec" "$work/full.json"
python3 - "$work/full.json" "$work/without.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
j["packages"] = [p for p in j["packages"] if p["pkg"]["name"] != "openssl"]
json.dump(j, open(sys.argv[2], "w"))
PY
swap() { cp "$1" "$work/live/$sec.tmp" && mv "$work/live/$sec.tmp" "$work/live/$sec"; }
swap "$work/without.json"

hport=$(free_port)
key=hook-secret-0123456789
cat >"$work/serve.yaml" <<EOF
store:
  dsn: $work/vigil.db
updaters:
  sets: [alpine]
  interval: 1s
  on_start: true
  mirror: $work/live
notifier:
  webhook: http://127.0.0.1:$hport/hook
  hmac_key: $key
  full: true
  timeout: 1s
  retry_base: 1s
  retry_max: 2s
  poll: 200ms
log:
  level: info
EOF
serve_start N --config "$work/serve.yaml"
U=$N_URL

# ops_count: alpine operations so far.
ops_count() {
    curl -s "$U/matcher/api/v1/internal/update_operation" |
        python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("alpine", [])))'
}
wait_ops() { # wait_ops N: until there are N alpine operations (30 s)
    n=0
    until [ "$(ops_count)" -ge "$1" ] || [ $n -ge 300 ]; do sleep 0.1; n=$((n + 1)); done
    [ "$(ops_count)" -ge "$1" ]
}
check "first updater run" wait_ops 1
n=0
until grep -q '"msg":"notifications"' "$work/N.log" || [ $n -ge 100 ]; do sleep 0.1; n=$((n + 1)); done
check "the first run of an updater notifies nothing" sh -c \
    "grep '\"msg\":\"notifications\"' '$work/N.log' | grep -q '\"first_run\":\"yes\".*\"notifications\":0'"

# Index every image through the server.
for t in alpine plus test test2; do
    repo=debian
    case $t in alpine | plus) repo=alpine ;; esac
    clair_manifest $t "http://127.0.0.1:$PORT/v2/$repo/blobs" >"$work/m-$t.json"
    req "$work/r" POST "$U/indexer/api/v1/index_report" --data-binary "@$work/m-$t.json"
    check "index $t -> 201" status_is "$work/r" 201
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hash"])' "$work/m-$t.json" >>"$work/manifests"
done

# The independent computation: which manifests hold a package built from openssl on Alpine
# 3.14, at a version below 1.1.1t-r2 (the highest fix in the file, for CVE-2023-0465)?
expected() {
    python3 - "$U" "$work/manifests" <<'PY'
import json, re, sys, urllib.request
def key(v):  # enough of apk ordering for these versions: 1.1.1t-r0 < 1.1.1t-r2
    m = re.match(r"(\d+)\.(\d+)\.(\d+)([a-z]?)-r(\d+)$", v)
    return (int(m[1]), int(m[2]), int(m[3]), m[4], int(m[5]))
for h in open(sys.argv[2]).read().split():
    r = json.load(urllib.request.urlopen(sys.argv[1] + "/indexer/api/v1/index_report/" + h))
    for p in r["packages"].values():
        src = (p.get("source") or {}).get("name")
        if src == "openssl" and key(p["version"]) < key("1.1.1t-r2"):
            print(h)
            break
PY
}
expected | sort >"$work/expected"
check "the independent computation finds 2 affected manifests" [ "$(wc -l <"$work/expected")" -eq 2 ]

# page_all SET SIZE: every notification of the set, one JSON line each.
page_all() {
    python3 - "$U" "$1" "$2" <<'PY'
import json, sys, urllib.request
base, sid, size = sys.argv[1:4]
nxt, pages = None, 0
while True:
    url = "%s/notifier/api/v1/notification/%s?page_size=%s" % (base, sid, size)
    if nxt:
        url += "&next=" + nxt
    j = json.load(urllib.request.urlopen(url))
    pages += 1
    for n in j["notifications"]:
        print(json.dumps(n, sort_keys=True))
    nxt = j["page"].get("next")
    if not nxt:
        break
    assert pages < 10000
PY
}

# ---- advisories added; the receiver is down (connection refused) ----
swap "$work/full.json"
check "second updater run (openssl records added)" wait_ops 2
n=0
until grep -q '"msg":"notifications".*"notifications":[1-9]' "$work/N.log" || [ $n -ge 100 ]; do sleep 0.1; n=$((n + 1)); done
sid=$(grep '"msg":"notifications".*"notifications":[1-9]' "$work/N.log" | tail -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["set"])')
check "a notification set was made ($sid)" [ -n "$sid" ]
n=0
until grep -q '"msg":"webhook delivery".*"result":"retried"' "$work/N.log" || [ $n -ge 100 ]; do sleep 0.1; n=$((n + 1)); done
check "first delivery attempt failed (connection refused) and is retried" grep -q '"msg":"webhook delivery".*"result":"retried"' "$work/N.log"
python3 "$here/webhook.py" --port "$hport" --log "$work/hook.log" --key "$key" --fail 500,timeout \
    </dev/null >"$work/hook.out" 2>&1 &
echo $! >"$work/hook.pid"
delivered() { [ -s "$work/hook.log" ] && python3 - "$work/hook.log" "$1" <<'PY'
import json, sys
ok = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if any(r["answer"] == "200" and json.loads(r["body"])["notification_id"] == sys.argv[2] for r in ok) else 1)
PY
}
n=0
until delivered "$sid" || [ $n -ge 400 ]; do sleep 0.1; n=$((n + 1)); done
check "the receiver got the set after 500 and a timeout" delivered "$sid"
check "the receiver saw the 500 and the timeout first" sh -c "head -2 '$work/hook.log' | grep -q '\"answer\": \"500\"' && head -2 '$work/hook.log' | grep -q '\"answer\": \"timeout\"'"
check "every delivery is signed and verifies" python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if r and all(x["sig_ok"] for x in r) else 1)' "$work/hook.log"
check "the callback names the set" python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).readlines()[-1]); b=json.loads(r["body"]); sys.exit(0 if b["callback"].endswith("/notifier/api/v1/notification/"+sys.argv[2]) else 1)' "$work/hook.log" "$sid"

for size in 1 7 500; do
    page_all "$sid" $size >"$work/page$size"
done
for size in 1 7 500; do sort "$work/page$size" >"$work/page$size.s"; done
check "pages of 1, 7 and 500 hold the same notifications, each once" sh -c \
    "[ -z \"\$(uniq -d '$work/page1.s')\" ] && cmp -s '$work/page1.s' '$work/page7.s' && cmp -s '$work/page7.s' '$work/page500.s'"
python3 - "$work/page500" >"$work/got-added" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    n = json.loads(l)
    if n["reason"] == "added":
        print(n["manifest"])
PY
sort -u "$work/got-added" >"$work/got-added.u"
check "added: exactly the expected manifests ($(wc -l <"$work/got-added.u"))" cmp -s "$work/got-added.u" "$work/expected"
check "full mode: one per (manifest, vulnerability): 2 CVEs x 2 manifests = 4" [ "$(wc -l <"$work/page500")" -eq 4 ]
check "notifications carry the vulnerability" python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if all(x["vulnerability"]["name"].startswith("CVE-2023-046") and x["vulnerability"]["fixed_in_version"] for x in r) else 1)' "$work/page500"

# ---- advisories removed; the server is killed with -9 while the delivery is pending ----
kill "$(cat "$work/hook.pid")"
wait "$(cat "$work/hook.pid")" 2>/dev/null || true
: >"$work/hook.pid"
swap "$work/without.json"
check "third updater run (openssl records removed)" wait_ops 3
n=0
until [ "$(grep -c '"msg":"notifications".*"notifications":[1-9]' "$work/N.log")" -ge 2 ] || [ $n -ge 100 ]; do sleep 0.1; n=$((n + 1)); done
sid2=$(grep '"msg":"notifications".*"notifications":[1-9]' "$work/N.log" | tail -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["set"])')
check "a second set was made ($sid2)" sh -c "[ -n '$sid2' ] && [ '$sid2' != '$sid' ]"
kill -9 "$N_PID"
wait "$N_PID" 2>/dev/null || true
page_all "$sid2" 500 >/dev/null 2>&1 && bad "server still answering after kill -9" || ok "server killed with -9 with the delivery pending"
python3 "$here/webhook.py" --port "$hport" --log "$work/hook2.log" --key "$key" </dev/null >"$work/hook2.out" 2>&1 &
echo $! >"$work/hook.pid"
mv "$work/N.log" "$work/N1.log"
serve_start N --config "$work/serve.yaml"
U=$N_URL
n=0
until { [ -s "$work/hook2.log" ] && grep -q "$sid2" "$work/hook2.log"; } || [ $n -ge 700 ]; do sleep 0.1; n=$((n + 1)); done
check "after the restart the pending set is delivered" grep -q "$sid2" "$work/hook2.log"
page_all "$sid2" 7 >"$work/page-removed"
python3 - "$work/page-removed" >"$work/got-removed" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    n = json.loads(l)
    assert n["reason"] == "removed", n
    print(n["manifest"])
PY
sort -u "$work/got-removed" >"$work/got-removed.u"
check "removed: exactly the expected manifests" cmp -s "$work/got-removed.u" "$work/expected"
check "nothing was delivered twice at once and nothing lost: both sets delivered" sh -c \
    "grep -q '$sid' '$work/hook.log' && grep -q '$sid2' '$work/hook2.log'"

# ---- acknowledge ----
req "$work/r" DELETE "$U/notifier/api/v1/notification/$sid"
check "DELETE acknowledges -> 204" status_is "$work/r" 204
req "$work/r" GET "$U/notifier/api/v1/notification/$sid"
check "an acknowledged set is gone -> 404" status_is "$work/r" 404
req "$work/r" GET "$U/notifier/api/v1/notification/00000000-0000-0000-0000-000000000000"
check "unknown set -> 404" status_is "$work/r" 404
req "$work/r" GET "$U/notifier/api/v1/notification/nope"
check "malformed id -> 400" status_is "$work/r" 400
req "$work/r" GET "$U/notifier/api/v1/notification/$sid2?page_size=0"
check "page_size=0 -> 400" status_is "$work/r" 400
req "$work/m" GET "$U/metrics"
check "metrics: deliveries and lag" sh -c "grep -q 'vigil_webhook_deliveries_total{result=\"delivered\"}' '$work/m.body' && grep -q vigil_notification_delivery_lag_seconds_count '$work/m.body'"
serve_stop "$N_PID" || true

# ---- vigil update --notify: the same computation without a server ----
cp "$work/vigil.db" "$work/cli.db"
swap "$work/full.json"
"$vigil" update --no-progress --db "$work/cli.db" --source alpine --mirror "$work/live" --notify >"$work/cli.out"
grep '^  added ' "$work/cli.out" | awk '{print $2}' | sort -u >"$work/cli-added"
check "vigil update --notify: the same manifests, one line each by default" sh -c \
    "cmp -s '$work/cli-added' '$work/expected' && [ \$(grep -c '^  added ' '$work/cli.out') -eq 2 ]"

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
