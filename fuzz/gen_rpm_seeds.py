#!/usr/bin/python3
"""gen_rpm_seeds.py — writes the seed corpora of the rpm fuzz targets (fuzz/corpora/rpmhdr,
rpmdb_bdb, rpmdb_ndb), each file under 4 KiB: synthetic headers in rpm's layout, one real
header of the shared infra-rpmroot-sqlite fixture, and small Berkeley DB / NDB files built
around them. Run once from the repository root; the files are committed.

  python3 fuzz/gen_rpm_seeds.py [VIGIL_SHARED]
"""
import os
import sqlite3
import struct
import sys

STRING, INT32, BIN = 6, 4, 7


def header(tags, dribbles=()):
    """A header blob: a HEADERIMMUTABLE region over `tags`, then `dribbles` outside it."""
    data = b""
    entries = []

    def put(tag, typ, val):
        nonlocal data
        if typ == INT32:
            while len(data) % 4:
                data += b"\0"
            off = len(data)
            data += struct.pack(">I", val)
        else:
            off = len(data)
            data += val.encode() + b"\0"
        entries.append(struct.pack(">IIII", tag, typ, off, 1))

    for t in tags:
        put(*t)
    il = len(entries) + 1
    trailer = len(data)
    data += struct.pack(">IIiI", 63, BIN, -(il * 16), 16)
    for t in dribbles:
        put(*t)
    region = struct.pack(">IIII", 63, BIN, trailer, 16)
    il = len(entries) + 1
    return struct.pack(">II", il, len(data)) + region + b"".join(entries) + data


BASIC = [(1000, STRING, "hello"), (1001, STRING, "1.0~rc1"), (1002, STRING, "3.el9"),
         (1003, INT32, 2), (1011, STRING, "Red Hat, Inc."), (1022, STRING, "x86_64"),
         (1044, STRING, "hello-1.0~rc1-3.el9.src.rpm"),
         (5096, STRING, "hello:1.0:8060020220408134227:ad008a3a")]
SEEDS = {
    "basic": header(BASIC),
    "dribble": header(BASIC[:3], [(1002, STRING, "4.el9"), (1022, STRING, "noarch")]),
    "minimal": header([(1000, STRING, "a"), (1001, STRING, "1"), (1002, STRING, "1")]),
    "pubkey": header([(1000, STRING, "gpg-pubkey"), (1001, STRING, "fd431d51"),
                      (1002, STRING, "4ae0493b")]),
    "nosrc-plus": header([(1000, STRING, "libstdc++"), (1001, STRING, "11^git"),
                          (1002, STRING, "1"), (1044, STRING, "gcc-11-1.nosrc.rpm"),
                          (1011, STRING, "")]),
}


def write(dirname, name, data):
    assert len(data) < 4096, (dirname, name, len(data))
    os.makedirs(dirname, exist_ok=True)
    with open(os.path.join(dirname, name), "wb") as f:
        f.write(data)


def bdb(values, pagesize=512, big=False):
    """A Berkeley DB hash file (version 9) with one bucket: key i+1 -> values[i]; values
    longer than 128 bytes go to overflow chains."""
    e32 = ">I" if big else "<I"
    e16 = ">H" if big else "<H"
    pages = {}
    nxt = 2

    def page(pgno, typ, nitems=0, hf=0, next_pg=0):
        p = bytearray(pagesize)
        p[8:12] = struct.pack(e32, pgno)
        p[16:20] = struct.pack(e32, next_pg)
        p[20:22] = struct.pack(e16, nitems)
        p[22:24] = struct.pack(e16, hf)
        p[25] = typ
        return p

    items = []  # (key item bytes, value item bytes)
    for i, v in enumerate(values):
        key = b"\x01" + struct.pack(e32, i + 1)
        if len(v) <= 128:
            items.append((key, b"\x01" + v))
            continue
        first = nxt
        chunks = [v[k:k + pagesize - 26] for k in range(0, len(v), pagesize - 26)]
        for j, c in enumerate(chunks):
            pg = nxt
            nxt += 1
            nx = nxt if j + 1 < len(chunks) else 0
            p = page(pg, 7, 1, len(c), nx)
            p[26:26 + len(c)] = c
            pages[pg] = p
        items.append((key, b"\x03\0\0\0" + struct.pack(e32, first) + struct.pack(e32, len(v))))
    hp = page(1, 13, 2 * len(items))
    end = pagesize
    inp = []
    for k, v in items:
        end -= len(k)
        hp[end:end + len(k)] = k
        inp.append(end)
        end -= len(v)
        hp[end:end + len(v)] = v
        inp.append(end)
    for i, off in enumerate(inp):
        hp[26 + 2 * i:28 + 2 * i] = struct.pack(e16, off)
    pages[1] = hp
    last = max(pages)
    meta = bytearray(pagesize)
    meta[12:16] = struct.pack(e32, 0x061561)
    meta[16:20] = struct.pack(e32, 9)
    meta[20:24] = struct.pack(e32, pagesize)
    meta[25] = 8
    meta[32:36] = struct.pack(e32, last)
    meta[72:76] = struct.pack(e32, 0)  # max bucket
    meta[96:100] = struct.pack(e32, 1)  # spares[0]: bucket 0 on page 1
    return bytes(meta) + b"".join(bytes(pages[i]) for i in range(1, last + 1))


def ndb_input(blobs):
    """The NDB fuzzer's input: k, the 32-byte header, k slots, then the bytes that follow the
    first slot page (rpmdb_ndb_fuzzer.c expands the free slots)."""
    hdr = struct.pack("<IIIII", 0x506d7052, 0, 1, 1, len(blobs) + 1) + bytes(12)
    slots = b""
    area = b""
    blk = 4096 // 16
    for i, b in enumerate(blobs):
        cnt = (16 + len(b) + 12 + 15) // 16
        slots += struct.pack("<IIII", 0x746f6c53, i + 1, blk + len(area) // 16, cnt)
        body = struct.pack("<IIII", 0x53626c42, i + 1, 0, len(b)) + b
        body += bytes(cnt * 16 - 12 - len(body))
        area += body + struct.pack("<III", 0, len(b), 0x45626c42)
    return bytes([len(blobs)]) + hdr + slots + area


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else "../shared"
    db = sqlite3.connect("file:%s/fixtures/rpmdb/sqlite/infra-rpmroot-sqlite/rpmdb.sqlite"
                         "?immutable=1" % shared, uri=True)
    real = min((b for (b,) in db.execute("SELECT blob FROM Packages")), key=len)
    out = "fuzz/corpora"
    for name, h in SEEDS.items():
        write(out + "/rpmhdr", name, h)
    write(out + "/rpmhdr", "real-hello-infra", real)
    write(out + "/rpmdb_bdb", "inline", bdb([SEEDS["minimal"], SEEDS["pubkey"][:40]]))
    write(out + "/rpmdb_bdb", "overflow", bdb([SEEDS["basic"], SEEDS["minimal"]]))
    write(out + "/rpmdb_bdb", "overflow-big-endian", bdb([SEEDS["basic"]], big=True))
    write(out + "/rpmdb_bdb", "real-512", bdb([real]))
    write(out + "/rpmdb_ndb", "two", ndb_input([SEEDS["basic"], SEEDS["minimal"]]))
    write(out + "/rpmdb_ndb", "real", ndb_input([real]))
    write(out + "/rpmdb_ndb", "pubkey-dribble", ndb_input([SEEDS["pubkey"], SEEDS["dribble"]]))


main()
