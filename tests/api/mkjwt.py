#!/usr/bin/env python3
"""mkjwt.py — an independent JWT signer (Python stdlib only) for vigil's PSK tests: it made
the tokens hard-coded in tests/unit/jwt_test.c and the seeds in fuzz/corpora/jwt/, so the C
verifier (src/api/jwt.c) is checked against code it shares nothing with.

    mkjwt.py --key-b64 KEY [--alg HS256|HS384|HS512|none] [--header JSON] [--raw] [--tamper]
             CLAIMS

KEY is standard base64 as in Clair's `auth: psk: key`; CLAIMS is a JSON object. The header
defaults to {"alg": ALG, "typ": "JWT"}; ALG picks the signature. JSON is encoded compactly in
the given key order; with --raw the header and CLAIMS texts are used byte for byte (for
duplicate keys, deep nesting, non-objects). --tamper flips one payload character after
signing. Prints the compact token.
"""
import argparse
import base64
import hashlib
import hmac
import json
import sys

HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def compact(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


def make(key: bytes, claims, alg: str = "HS256", header=None, tamper=False, raw=False) -> str:
    """claims and header are objects, or bytes used as they are when raw."""
    if header is None:
        header = {"alg": alg, "typ": "JWT"}
        raw_header = compact(header)
    else:
        raw_header = header if raw else compact(header)
    raw_claims = claims if raw else compact(claims)
    signing_input = b64url(raw_header) + "." + b64url(raw_claims)
    if alg == "none":
        sig = ""
    else:
        sig = b64url(hmac.new(key, signing_input.encode("ascii"), HASHES[alg]).digest())
    if tamper:
        h, p = signing_input.split(".")
        p = p[:-1] + ("A" if p[-1] != "A" else "B")
        signing_input = h + "." + p
    return signing_input + "." + sig


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--key-b64", required=True)
    ap.add_argument("--alg", default="HS256", choices=sorted(HASHES) + ["none"])
    ap.add_argument("--header", help="the whole JWS header as JSON (overrides --alg's header)")
    ap.add_argument("--raw", action="store_true", help="use the JSON texts byte for byte")
    ap.add_argument("--tamper", action="store_true")
    ap.add_argument("claims")
    a = ap.parse_args()
    key = base64.b64decode(a.key_b64, validate=True)
    if a.raw:
        header = a.header.encode("utf-8") if a.header else None
        claims = a.claims.encode("utf-8")
    else:
        header = json.loads(a.header) if a.header else None
        claims = json.loads(a.claims)
    print(make(key, claims, a.alg, header, a.tamper, a.raw))
    return 0


if __name__ == "__main__":
    sys.exit(main())
