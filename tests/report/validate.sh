#!/bin/sh
# validate.sh RENDER_SAMPLE SCHEMA_DIR — renders the hand-built sample report (with findings
# and empty) as SARIF and CycloneDX and validates each against the official JSON schema
# (SARIF 2.1.0, CycloneDX 1.5 with its spdx and jsf sub-schemas) with python3-jsonschema.
set -u
render=$1
schemas=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for variant in full empty; do
    arg=""
    [ "$variant" = empty ] && arg=empty
    for fmt in sarif cyclonedx; do
        if ! "$render" "$fmt" $arg >"$tmp/$fmt-$variant.json"; then
            echo "FAIL: render_sample $fmt $arg"
            fail=$((fail + 1))
        fi
    done
done
/usr/bin/python3 - "$schemas" "$tmp" <<'PY' || fail=$((fail + 1))
import json, os, sys
try:
    import jsonschema
except ImportError:
    print("FAIL: python3-jsonschema is not installed (scripts/deps installs it)")
    sys.exit(1)

schemas, tmp = sys.argv[1], sys.argv[2]

def load(name):
    with open(os.path.join(schemas, name), encoding="utf-8") as f:
        return json.load(f)

sarif = load("sarif-2.1.0-rtm.5.json")
bom = load("bom-1.5.SNAPSHOT.schema.json")
# Every reference resolves from disk, never from the network: each schema under its own
# id, and the CycloneDX sub-schemas under the relative names the BOM schema uses.
store = {sarif["id"]: sarif, bom["$id"]: bom}
for name in ("spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"):
    store["http://cyclonedx.org/schema/" + name] = load(name)

class OfflineResolver(jsonschema.RefResolver):
    def resolve_remote(self, uri):
        raise jsonschema.exceptions.RefResolutionError("not vendored: %s" % uri)
checker = jsonschema.FormatChecker()
failed = passed = 0
for variant in ("full", "empty"):
    for fmt, schema in (("sarif", sarif), ("cyclonedx", bom)):
        path = os.path.join(tmp, "%s-%s.json" % (fmt, variant))
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print("FAIL %s %s: not JSON: %s" % (fmt, variant, e))
            failed += 1
            continue
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        resolver = OfflineResolver.from_schema(schema, id_of=cls.ID_OF, store=store)
        errors = sorted(cls(schema, resolver=resolver, format_checker=checker).iter_errors(doc),
                        key=lambda e: list(e.absolute_path))
        for e in errors[:20]:
            print("FAIL %s %s at /%s: %s" % (fmt, variant,
                  "/".join(str(p) for p in e.absolute_path), e.message[:300]))
        if errors:
            failed += 1
        else:
            passed += 1
            print("ok %s %s (%s)" % (fmt, variant, cls.__name__))

# The validator is not vacuous: broken copies of the full documents must fail.
def broken_sarif(d):
    d["runs"][0]["results"][0]["level"] = "fatal"

def broken_cdx(d):
    d["components"][0]["type"] = "gadget"
    d["serialNumber"] = d["serialNumber"].upper()

for fmt, schema, breaker in (("sarif", sarif, broken_sarif), ("cyclonedx", bom, broken_cdx)):
    with open(os.path.join(tmp, "%s-full.json" % fmt), encoding="utf-8") as f:
        doc = json.load(f)
    breaker(doc)
    cls = jsonschema.validators.validator_for(schema)
    resolver = OfflineResolver.from_schema(schema, id_of=cls.ID_OF, store=store)
    if any(True for _ in cls(schema, resolver=resolver).iter_errors(doc)):
        passed += 1
        print("ok %s broken copy rejected" % fmt)
    else:
        failed += 1
        print("FAIL %s: a broken copy validated" % fmt)
if "uri" not in checker.checkers:
    print("note: python3-rfc3987 is missing, so \"uri\" formats are not checked")
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
[ "$fail" -eq 0 ]
