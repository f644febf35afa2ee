#!/usr/bin/env python3
"""Independent RFC 9162 Merkle tree test vectors, written from the RFC's recursive definitions (§2.1.1,
§2.1.3.1, §2.1.4.1) and nothing else, so the Swift implementation is checked against a second one.

Leaves are the UTF-8 bytes of "entry-<i>". Prints JSON:
  {"leafHashes": [hex...], "roots": [hex for sizes 0..N],
   "inclusion": [[index, size, [hex...]], ...], "consistency": [[m, n, [hex...]], ...]}

usage: merkle_vectors.py [N]   (default 40)
"""
import hashlib
import json
import sys


def h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def k_of(n: int) -> int:
    """The largest power of two strictly smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d):
    n = len(d)
    if n == 0:
        return h(b"")
    if n == 1:
        return h(b"\x00" + d[0])
    k = k_of(n)
    return h(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m, d):
    n = len(d)
    if n == 1:
        return []
    k = k_of(n)
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m, d, b):
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = k_of(n)
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    leaves = [f"entry-{i}".encode() for i in range(n)]
    out = {
        "leafHashes": [h(b"\x00" + e).hex() for e in leaves],
        "roots": [mth(leaves[:size]).hex() for size in range(n + 1)],
        "inclusion": [],
        "consistency": [],
    }
    for size in range(1, n + 1):
        for index in range(size):
            out["inclusion"].append([index, size, [p.hex() for p in path(index, leaves[:size])]])
    for new in range(1, n + 1):
        for old in range(1, new):
            out["consistency"].append([old, new, [p.hex() for p in subproof(old, leaves[:new], True)]])
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
