#!/usr/bin/python3
# config_docs.py SRC_ROOT — every YAML key of `vigil serve` (the K("...") entries of
# src/api/config.c) appears in docs/CONFIG.md, and every key the doc's table names exists.
import re, sys
root = sys.argv[1]
keys = set(re.findall(r'K\("([a-z_.]+)"', open(root + "/src/api/config.c").read()))
doc = open(root + "/docs/CONFIG.md").read()
table = set(re.findall(r"^\| `([a-z_.]+)`", doc, re.M)) | set(re.findall(r", `([a-z_.]+)` \|", doc))
missing = sorted(k for k in keys if "`" + k + "`" not in doc)
extra = sorted(table - keys)
for k in missing:
    print("docs/CONFIG.md does not document", k)
for k in extra:
    print("docs/CONFIG.md documents an unknown key", k)
sys.exit(1 if missing or extra or not keys else 0)
