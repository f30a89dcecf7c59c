#!/usr/bin/env python3
"""A gossip node speaking gossipcheck's process protocol (docs/CERTIFY.md), written from the
documents alone, Python 3 standard library only. See README.md in this directory."""
import bisect
import copy
import hashlib
import json
import random
import sys

# ---------------------------------------------------------------------------
# XXH3-128 (seed 0), pure Python: only the resolved view's summary tie-break needs it
# (docs/PROTOCOL.md "The resolved view, exactly": H(0, "C" || content)), used by absorb.
# ---------------------------------------------------------------------------
M64 = (1 << 64) - 1
P32_1 = 0x9E3779B1; P32_2 = 0x85EBCA77; P32_3 = 0xC2B2AE3D
P64_1 = 0x9E3779B185EBCA87; P64_2 = 0xC2B2AE3D27D4EB4F; P64_3 = 0x165667B19E3779F9
P64_4 = 0x85EBCA77C2B2AE63; P64_5 = 0x27D4EB2F165667C5
_SECRET = bytes.fromhex(
    "b8fe6c3923a44bbe7c01812cf721ad1cded46de9839097db7240a4a4b7b3671f"
    "cb79e64eccc0e578825ad07dccff7221b8084674f743248ee03590e6813a264c"
    "3c2852bb91c300cb88d0658b1b532ea371644897a20df94e3819ef46a9deacd8"
    "a8fa763fe39c343ff9dcbbc7c70b4f1d8a51e04bcdb45931c89f7ec9d9787364"
    "eac5ac8334d3ebc3c581a0fffa1363eb170ddd51b7f0da49d316552629d4689e"
    "2b16be587d47a1fc8ff8b8d17ad031ce45cb3a8f95160428afd7fbcabb4b407e")

def _r64(b, i):
    return int.from_bytes(b[i:i + 8], "little")

def _r32(b, i):
    return int.from_bytes(b[i:i + 4], "little")

def _avx64(h):
    h ^= h >> 33; h = (h * P64_2) & M64; h ^= h >> 29; h = (h * P64_3) & M64; h ^= h >> 32
    return h

def _avx3(h):
    h ^= h >> 37; h = (h * 0x165667919E3779F9) & M64; h ^= h >> 32
    return h

def _fold(a, b):
    p = a * b
    return (p & M64) ^ (p >> 64)

def _mix16(inp, i, s, seed):
    return _fold(_r64(inp, i) ^ ((_r64(_SECRET, s) + seed) & M64),
                 _r64(inp, i + 8) ^ ((_r64(_SECRET, s + 8) - seed) & M64))

def _mix32(lo, hi, inp, i1, i2, s, seed):
    lo = (lo + _mix16(inp, i1, s, seed)) & M64
    lo ^= (_r64(inp, i2) + _r64(inp, i2 + 8)) & M64
    hi = (hi + _mix16(inp, i2, s + 16, seed)) & M64
    hi ^= (_r64(inp, i1) + _r64(inp, i1 + 8)) & M64
    return lo, hi

def _swap32(x):
    return int.from_bytes(x.to_bytes(4, "little"), "big")

def _swap64(x):
    return int.from_bytes(x.to_bytes(8, "little"), "big")

def _rotl32(x, r):
    return ((x << r) | (x >> (32 - r))) & 0xFFFFFFFF

def xxh3_128(inp: bytes) -> bytes:
    """XXH3-128 with seed 0, canonical (big-endian: high 64 bits first)."""
    n = len(inp)
    S = _SECRET
    seed = 0
    if n == 0:
        lo = _avx64(seed ^ (_r64(S, 64) ^ _r64(S, 72)))
        hi = _avx64(seed ^ (_r64(S, 80) ^ _r64(S, 88)))
    elif n <= 3:
        c1 = inp[0]; c2 = inp[n >> 1]; c3 = inp[n - 1]
        cl = (c1 << 16) | (c2 << 24) | c3 | (n << 8)
        ch = _rotl32(_swap32(cl), 13)
        bl = ((_r32(S, 0) ^ _r32(S, 4)) + seed) & M64
        bh = ((_r32(S, 8) ^ _r32(S, 12)) - seed) & M64
        lo = _avx64(cl ^ bl); hi = _avx64(ch ^ bh)
    elif n <= 8:
        s2 = seed ^ (_swap32(seed & 0xFFFFFFFF) << 32)
        i64 = _r32(inp, 0) + (_r32(inp, n - 4) << 32)
        bf = ((_r64(S, 16) ^ _r64(S, 24)) + s2) & M64
        p = (i64 ^ bf) * ((P64_1 + (n << 2)) & M64)
        mlo = p & M64; mhi = p >> 64
        mhi = (mhi + (mlo << 1)) & M64
        mlo ^= mhi >> 3
        mlo ^= mlo >> 35; mlo = (mlo * 0x9FB21C651E98DF25) & M64; mlo ^= mlo >> 28
        lo = mlo; hi = _avx3(mhi)
    elif n <= 16:
        bl = ((_r64(S, 32) ^ _r64(S, 40)) - seed) & M64
        bh = ((_r64(S, 48) ^ _r64(S, 56)) + seed) & M64
        ilo = _r64(inp, 0); ihi = _r64(inp, n - 8)
        p = (ilo ^ ihi ^ bl) * P64_1
        mlo = p & M64; mhi = p >> 64
        mlo = (mlo + ((n - 1) << 54)) & M64
        ihi ^= bh
        mhi = (mhi + ihi + (ihi & 0xFFFFFFFF) * (P32_2 - 1)) & M64
        mlo ^= _swap64(mhi)
        p = mlo * P64_2
        hlo = p & M64; hhi = ((p >> 64) + mhi * P64_2) & M64
        lo = _avx3(hlo); hi = _avx3(hhi)
    elif n <= 240:
        alo = (n * P64_1) & M64; ahi = 0
        if n <= 128:
            if n > 32:
                if n > 64:
                    if n > 96:
                        alo, ahi = _mix32(alo, ahi, inp, 48, n - 64, 96, seed)
                    alo, ahi = _mix32(alo, ahi, inp, 32, n - 48, 64, seed)
                alo, ahi = _mix32(alo, ahi, inp, 16, n - 32, 32, seed)
            alo, ahi = _mix32(alo, ahi, inp, 0, n - 16, 0, seed)
        else:
            rounds = n // 32
            for i in range(4):
                alo, ahi = _mix32(alo, ahi, inp, 32 * i, 32 * i + 16, 32 * i, seed)
            alo = _avx3(alo); ahi = _avx3(ahi)
            for i in range(4, rounds):
                alo, ahi = _mix32(alo, ahi, inp, 32 * i, 32 * i + 16, 3 + 32 * (i - 4), seed)
            alo, ahi = _mix32(alo, ahi, inp, n - 16, n - 32, 136 - 17 - 16, (-seed) & M64)
        lo = (alo + ahi) & M64
        hi = (alo * P64_1 + ahi * P64_4 + ((n - seed) & M64) * P64_2) & M64
        lo = _avx3(lo); hi = (-_avx3(hi)) & M64
    else:
        acc = [P32_3, P64_1, P64_2, P64_3, P64_4, P32_2, P64_5, P32_1]
        ssize = len(S)
        per_block = (ssize - 64) // 8
        block_len = 64 * per_block
        nb_blocks = (n - 1) // block_len

        def acc512(off, soff):
            for i in range(8):
                dv = _r64(inp, off + 8 * i)
                dk = dv ^ _r64(S, soff + 8 * i)
                acc[i ^ 1] = (acc[i ^ 1] + dv) & M64
                acc[i] = (acc[i] + (dk & 0xFFFFFFFF) * (dk >> 32)) & M64

        def scramble():
            for i in range(8):
                a = acc[i]
                a ^= a >> 47
                a ^= _r64(S, ssize - 64 + 8 * i)
                acc[i] = (a * P32_1) & M64

        for b in range(nb_blocks):
            for s in range(per_block):
                acc512(b * block_len + s * 64, s * 8)
            scramble()
        stripes = ((n - 1) - block_len * nb_blocks) // 64
        for s in range(stripes):
            acc512(nb_blocks * block_len + s * 64, s * 8)
        acc512(n - 64, ssize - 64 - 7)

        def merge(soff, start):
            r = start
            for i in range(4):
                r = (r + _fold(acc[2 * i] ^ _r64(S, soff + 16 * i), acc[2 * i + 1] ^ _r64(S, soff + 16 * i + 8))) & M64
            return _avx3(r)
        lo = merge(11, (n * P64_1) & M64)
        hi = merge(ssize - 64 - 11, (~(n * P64_2)) & M64)
    return hi.to_bytes(8, "big") + lo.to_bytes(8, "big")

# ---------------------------------------------------------------------------
# Data model
# ---------------------------------------------------------------------------
# A clock is a tuple of (replica, counter) pairs, replicas ascending.
# A content is (summary: bytes, episodes: tuple of ints, strength: int, absorbed_into: bytes|None).
# A version is (clock, content); a register is a tuple of versions in canonical order
# (sorted by clock entries as a sequence of pairs), pairwise concurrent.

SUMMARY_MAX = 1024
EPISODES_MAX = 1024
SIBLINGS_MAX = 32
CLOCK_MAX = 256
U32 = (1 << 32) - 1
DEPTH_MAX = 32
LEAF_CAP = 8
MASK128 = (1 << 128) - 1


def log(*a):
    print(*a, file=sys.stderr)


def clock_lt(a, b):
    """a strictly before b."""
    if a == b:
        return False
    db = dict(b)
    for r, c in a:
        if c > db.get(r, 0):
            return False
    return True


def valid_utf8(b):
    try:
        b.decode("utf-8", "strict")
        return True
    except UnicodeDecodeError:
        return False


def join_register(local, incoming):
    """Maximal elements of the union; None when refused (conflicting write, too many siblings)."""
    union = {}
    for v in (local or ()) + incoming:
        c = v[0]
        old = union.get(c)
        if old is None:
            union[c] = v[1]
        elif old != v[1]:
            return None
    items = list(union.items())
    keep = []
    for c, ct in items:
        if not any(clock_lt(c, d) for d, _ in items):
            keep.append((c, ct))
    if len(keep) > SIBLINGS_MAX:
        return None
    keep.sort()
    return tuple(keep)


def register_ok(reg):
    """Checks of a register received or loaded: limits, pairwise concurrent, no repeats."""
    if not (1 <= len(reg) <= SIBLINGS_MAX):
        return False
    for clock, content in reg:
        if not (1 <= len(clock) <= CLOCK_MAX):
            return False
        prev = -1
        for r, c in clock:
            if r <= prev or r > M64 or not (1 <= c <= M64):
                return False
            prev = r
        s, eps, st, ab = content
        if len(s) > SUMMARY_MAX or not valid_utf8(s):
            return False
        if len(eps) > EPISODES_MAX:
            return False
        prev = -1
        for e in eps:
            if e <= prev or e > M64:
                return False
            prev = e
        if not (0 <= st <= U32):
            return False
        if ab is not None and len(ab) != 16:
            return False
    for i in range(len(reg)):
        for j in range(len(reg)):
            if i != j and (reg[i][0] == reg[j][0] or clock_lt(reg[i][0], reg[j][0])):
                return False
    return True


# ---------------------------------------------------------------------------
# Encoding (the wire format's value encoding, reused for our own messages)
# ---------------------------------------------------------------------------

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def enc_clock(clock):
    out = [varint(len(clock))]
    prev = 0
    for i, (r, c) in enumerate(clock):
        out.append(varint(r if i == 0 else r - prev))
        out.append(varint(c))
        prev = r
    return b"".join(out)


def enc_content(ct):
    s, eps, st, ab = ct
    out = [varint(len(s)), s, varint(len(eps))]
    prev = 0
    for i, e in enumerate(eps):
        out.append(varint(e if i == 0 else e - prev))
        prev = e
    out.append(varint(st))
    out.append(b"\x00" if ab is None else b"\x01" + ab)
    return b"".join(out)


def enc_register(reg):
    return varint(len(reg)) + b"".join(enc_clock(c) + enc_content(ct) for c, ct in reg)


class Reader:
    __slots__ = ("b", "i")

    def __init__(self, b, i=0):
        self.b = b
        self.i = i

    def byte(self):
        if self.i >= len(self.b):
            raise ValueError("truncated")
        v = self.b[self.i]
        self.i += 1
        return v

    def take(self, n):
        if n < 0 or self.i + n > len(self.b):
            raise ValueError("truncated")
        v = self.b[self.i:self.i + n]
        self.i += n
        return v

    def varint(self):
        v = 0
        for k in range(10):
            b = self.byte()
            v |= (b & 0x7F) << (7 * k)
            if not b & 0x80:
                if v > M64:
                    raise ValueError("over limit")
                return v
        raise ValueError("varint too long")

    def count(self, limit, minbytes):
        n = self.varint()
        if n > limit or n * minbytes > len(self.b) - self.i:
            raise ValueError("count")
        return n


def dec_register(rd):
    k = rd.count(SIBLINGS_MAX, 7)
    vs = []
    for _ in range(k):
        n = rd.count(CLOCK_MAX, 2)
        clock = []
        r = 0
        for j in range(n):
            d = rd.varint()
            r = d if j == 0 else r + d
            clock.append((r, rd.varint()))
        ln = rd.count(SUMMARY_MAX, 1)
        s = bytes(rd.take(ln))
        m = rd.count(EPISODES_MAX, 1)
        eps = []
        e = 0
        for j in range(m):
            d = rd.varint()
            e = d if j == 0 else e + d
            eps.append(e)
        st = rd.varint()
        t = rd.byte()
        if t == 0:
            ab = None
        elif t == 1:
            ab = bytes(rd.take(16))
        else:
            raise ValueError("tag")
        vs.append((tuple(clock), (s, tuple(eps), st, ab)))
    return tuple(vs)


# ---------------------------------------------------------------------------
# Text form of a state (docs/CERTIFY.md)
# ---------------------------------------------------------------------------

def esc_summary(s):
    out = bytearray(b'"')
    for b in s:
        if b == 0x22 or b == 0x5C:
            out += b"\\" + bytes([b])
        elif b < 0x20 or b == 0x7F:
            out += b"\\x%02x" % b
        else:
            out.append(b)
    out += b'"'
    return out.decode("utf-8")


def text_of_state(regs):
    lines = ["# python node state: %d patterns" % len(regs)]
    for pid in sorted(regs):
        lines.append("pattern " + pid.hex())
        for clock, (s, eps, st, ab) in regs[pid]:
            cl = ",".join("%d.%d:%d" % (r >> 32, r & 0xFFFFFFFF, c) for r, c in clock)
            lines.append("  version clock={%s} strength=%d episodes=[%s] absorbed_into=%s summary=%s" % (
                cl, st, ",".join(str(e) for e in eps), "-" if ab is None else ab.hex(), esc_summary(s)))
    return "\n".join(lines) + "\n"


def to_bytes_lenient(s):
    try:
        return s.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return s.encode("utf-8", "surrogatepass")


def parse_summary(b):
    if len(b) < 2 or b[0:1] != b'"' or b[-1:] != b'"':
        raise ValueError("summary not quoted")
    body = b[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c == 0x5C:
            if i + 1 >= len(body):
                raise ValueError("bad escape")
            n = body[i + 1]
            if n in (0x22, 0x5C):
                out.append(n)
                i += 2
            elif n == 0x78:
                out.append(int(body[i + 2:i + 4].decode("ascii"), 16))
                if len(body[i + 2:i + 4]) != 2:
                    raise ValueError("bad escape")
                i += 4
            else:
                raise ValueError("bad escape")
        elif c == 0x22:
            raise ValueError("unescaped quote")
        else:
            out.append(c)
            i += 1
    return bytes(out)


def parse_id(h):
    if not isinstance(h, str) or len(h) != 32:
        raise ValueError("bad id")
    int(h, 16)
    return bytes.fromhex(h)


def parse_state_text(text):
    regs = {}
    cur = None
    for raw in text.split("\n"):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("pattern "):
            pid = parse_id(line[8:].strip())
            if pid in regs:
                raise ValueError("pattern twice")
            regs[pid] = []
            cur = pid
            continue
        st = line.strip()
        if not st.startswith("version ") or cur is None:
            raise ValueError("bad line: " + line)
        b = to_bytes_lenient(st)
        k = b.index(b" summary=")
        head = b[:k].decode("ascii").split()
        summary = parse_summary(b[k + 9:])
        fields = {}
        for f in head[1:]:
            key, _, val = f.partition("=")
            fields[key] = val
        cl = fields["clock"]
        if not (cl.startswith("{") and cl.endswith("}")):
            raise ValueError("bad clock")
        clock = []
        for e in cl[1:-1].split(","):
            rid, _, ctr = e.partition(":")
            node, _, inc = rid.partition(".")
            clock.append(((int(node) << 32) | int(inc), int(ctr)))
        clock.sort()
        ep = fields["episodes"]
        if not (ep.startswith("[") and ep.endswith("]")):
            raise ValueError("bad episodes")
        eps = tuple(int(x) for x in ep[1:-1].split(",") if x != "")
        ab = fields["absorbed_into"]
        ab = None if ab == "-" else parse_id(ab)
        regs[cur].append((tuple(clock), (summary, eps, int(fields["strength"]), ab)))
    out = {}
    for pid, vs in regs.items():
        reg = tuple(sorted(vs))
        if not register_ok(reg):
            raise ValueError("invalid register " + pid.hex())
        out[pid] = reg
    return out


# ---------------------------------------------------------------------------
# The resolved view's merge of one register (for absorb)
# ---------------------------------------------------------------------------

def content_digest(ct):
    return xxh3_128(b"C" + enc_content(ct))


def merged(reg):
    eps = set()
    strength = 0
    targets = []
    for _, (s, e, st, ab) in reg:
        eps.update(e)
        strength = max(strength, st)
        if ab is not None:
            targets.append(ab)
    best_sum = max(sum(c for _, c in clock) for clock, _ in reg)
    tied = [ct for clock, ct in reg if sum(c for _, c in clock) == best_sum]
    if len(set(ct[0] for ct in tied)) == 1:
        summary = tied[0][0]
    else:
        summary = max(tied, key=content_digest)[0]
    return (summary, tuple(sorted(eps)), strength, min(targets) if targets else None)


def resolved_view(regs):
    """The resolved view and edges of a state (docs/MODEL.md, "The resolved view", "Edges",
    "The resolved view, as a node exports it"), in the JSON form of the process protocol's
    `view` op: patterns by ascending id, edges by ascending (a, b)."""
    ids = sorted(regs)
    content = {pid: merged(regs[pid]) for pid in ids}
    # Survivors: follow the merged targets; a target the state does not hold (or none) ends
    # the chain at a live pattern; a chain that meets itself ends at the smallest id of the
    # cycle. Iterative: chains may be thousands of patterns long.
    survivor = {}
    for start in ids:
        if start in survivor:
            continue
        path, on_path = [], {}
        at = start
        while True:
            if at in survivor:
                end = survivor[at]
                break
            if at in on_path:
                end = min(path[on_path[at]:])
                break
            on_path[at] = len(path)
            path.append(at)
            target = content[at][3]
            if target is None or target not in regs:
                end = at
                break
            at = target
        for pid in path:
            survivor[pid] = end
    patterns = []
    for pid in ids:
        s, eps, st, ab = content[pid]
        patterns.append({"id": pid.hex(), "live": survivor[pid] == pid,
                         "survivor": survivor[pid].hex(),
                         "summary": s.decode("utf-8"), "episodes": list(eps), "strength": st,
                         "absorbed_into": None if ab is None else ab.hex()})
    # Edges: live patterns a < b sharing episodes, weighted by how many they share.
    holders = {}
    for pid in ids:
        if survivor[pid] == pid:
            for e in content[pid][1]:
                holders.setdefault(e, []).append(pid)
    weight = {}
    for who in holders.values():
        for x in range(len(who)):
            for y in range(x + 1, len(who)):
                pair = (who[x], who[y])
                weight[pair] = weight.get(pair, 0) + 1
    edges = [{"a": a.hex(), "b": b.hex(), "weight": w} for (a, b), w in sorted(weight.items())]
    return {"patterns": patterns, "edges": edges}


# ---------------------------------------------------------------------------
# Messages (our own format; opaque to the suite)
# ---------------------------------------------------------------------------
# MAGIC kind varint(xid) [root:16 for hello/reply]
#   varint(nregs) (id:16 register){nregs}
#   varint(nprobes) [width:u8 when nprobes > 0] probe{nprobes}
#   varint(nwants) want{nwants}
# checksum:4 = blake2b-32 keyed of everything before.
# probe := path kind:u8 (0: inner: bitmap:u16be digest{popcount}; 1: leaf set: varint(n) tag:u32be{n})
# want  := path varint(n) tag:u32be{n}
# path  := depth:u8 nibbles packed two a byte (high nibble first)

MAGIC = 0xB7
K_HELLO, K_REPLY, K_WALK_R, K_WALK_I = 1, 2, 3, 4
CKEY = b"gossip-py-node-v1"
CHECK = 4
HEADER_MAX = 1 + 1 + 10 + 16 + 3 * 5 + 1  # bounds of everything besides sections' elements


def checksum(b):
    return hashlib.blake2b(b, digest_size=CHECK, key=CKEY).digest()


def enc_path(path):
    out = bytearray([len(path)])
    for i in range(0, len(path), 2):
        hi = path[i]
        lo = path[i + 1] if i + 1 < len(path) else 0
        out.append((hi << 4) | lo)
    return bytes(out)


def dec_path(rd):
    d = rd.byte()
    if d > DEPTH_MAX:
        raise ValueError("depth")
    raw = rd.take((d + 1) // 2)
    path = []
    for i in range(d):
        b = raw[i // 2]
        path.append(b >> 4 if i % 2 == 0 else b & 0xF)
    if d % 2 == 1 and raw[-1] & 0xF:
        raise ValueError("noncanonical path")
    return tuple(path)


def enc_message(kind, xid, root, regs, width, probes, wants):
    out = [bytes([MAGIC, kind]), varint(xid)]
    if kind in (K_HELLO, K_REPLY):
        out.append(root)
    out.append(varint(len(regs)))
    out.extend(regs)
    out.append(varint(len(probes)))
    if probes:
        out.append(bytes([width]))
    out.extend(probes)
    out.append(varint(len(wants)))
    out.extend(wants)
    body = b"".join(out)
    return body + checksum(body)


def dec_message(b):
    if len(b) < 2 + 1 + 3 + CHECK or b[0] != MAGIC:
        raise ValueError("not ours")
    if checksum(b[:-CHECK]) != b[-CHECK:]:
        raise ValueError("checksum")
    body = b[:-CHECK]
    rd = Reader(body)
    rd.take(1)
    kind = rd.byte()
    if kind not in (1, 2, 3, 4):
        raise ValueError("kind")
    xid = rd.varint()
    root = bytes(rd.take(16)) if kind in (K_HELLO, K_REPLY) else None
    n = rd.count(10_000_000, 24)
    regs = []
    for _ in range(n):
        pid = bytes(rd.take(16))
        regs.append((pid, dec_register(rd)))
    n = rd.count(10_000_000, 3)
    width = 0
    probes = []
    if n:
        width = rd.byte()
        if not 1 <= width <= 8:
            raise ValueError("width")
    for _ in range(n):
        path = dec_path(rd)
        t = rd.byte()
        if t == 0:
            bm = int.from_bytes(rd.take(2), "big")
            digs = {}
            for i in range(16):
                if bm >> i & 1:
                    digs[i] = bytes(rd.take(width))
            probes.append((path, 0, digs))
        elif t == 1:
            m = rd.count(1 << 20, 4)
            probes.append((path, 1, [int.from_bytes(rd.take(4), "big") for _ in range(m)]))
        else:
            raise ValueError("probe kind")
    n = rd.count(10_000_000, 6)
    wants = []
    for _ in range(n):
        path = dec_path(rd)
        m = rd.count(1 << 20, 4)
        wants.append((path, [int.from_bytes(rd.take(4), "big") for _ in range(m)]))
    if rd.i != len(body):
        raise ValueError("trailing bytes")
    return kind, xid, root, regs, width, probes, wants


def enc_inner_probe(path, digs):
    bm = 0
    for i in digs:
        bm |= 1 << i
    return enc_path(path) + b"\x00" + bm.to_bytes(2, "big") + b"".join(digs[i] for i in sorted(digs))


def enc_leafset(path, tags):
    return enc_path(path) + b"\x01" + varint(len(tags)) + b"".join(t.to_bytes(4, "big") for t in tags)


def enc_want(path, tags):
    return enc_path(path) + varint(len(tags)) + b"".join(t.to_bytes(4, "big") for t in tags)


# ---------------------------------------------------------------------------
# The node
# ---------------------------------------------------------------------------

class Refused(Exception):
    def __init__(self, status):
        Exception.__init__(self, status)
        self.status = status


def check_content(ct):
    s, eps, st, ab = ct
    if len(s) > SUMMARY_MAX:
        raise Refused("over_limit")
    if not valid_utf8(s):
        raise Refused("invalid")
    if len(eps) > EPISODES_MAX:
        raise Refused("over_limit")
    for i in range(1, len(eps)):
        if eps[i] <= eps[i - 1]:
            raise Refused("invalid")
    if st > U32:
        raise Refused("over_limit")


class Node:
    def __init__(self, me, replica, members, config, seed, regs):
        self.me = me
        self.replica = replica
        self.members = sorted(set(members))
        self.others = [m for m in self.members if m != me]
        c = config
        self.interval = c.get("gossip_interval_us") or 1_000_000
        self.timeout = c.get("exchange_timeout_us") or self.interval
        self.bytes_max = c.get("message_bytes_max") or 1_048_576
        n = max(1, len(self.members))
        self.recent_rounds = c.get("recent_rounds") or (2 * (n - 1).bit_length() + 4)
        self.recent_max = c.get("recent_max")
        if self.recent_max is None:
            self.recent_max = 32
        self.width = min(8, max(1, c.get("walk_width") or 2))
        self.ex_max = c.get("exchanges_max") or 64
        self.ex_peer_max = c.get("exchanges_per_peer_max") or 2
        self.msgs_max = c.get("messages_per_exchange_max") or 100
        self.cluster_seed = (c.get("cluster_seed") or 0) & M64
        self.rng = random.Random(seed)
        self.phase = self.rng.randrange(self.interval)
        self.xid = 1 + self.rng.randrange(8192)
        self.now = 0
        self.started = False
        # The first exchange is due at the phase (time 0 + phase); a node first ticked later
        # starts one at its first tick and then keeps the phase (skipped intervals are not made up).
        self.next_gossip = self.phase
        self.exchanges = {}   # (initiator, xid) -> [peer, deadline, count, set(checksums)]
        self.fresh = {}       # id -> (seq, time)
        self.seq = 0
        self.outbox = []
        # state and its digest tree
        self.regs = {}
        self.ehash = {}
        self.keyof = {}
        self.sorted_keys = []   # sorted list of (key int, id)
        self.levels = [dict() for _ in range(5)]  # depth 1..4: prefix -> [count, sum]
        self.total = [0, 0]
        for pid in sorted(regs):
            self.set_register(pid, regs[pid], fresh=False)

    # -- state and digests ---------------------------------------------------
    def key(self, pid):
        k = self.keyof.get(pid)
        if k is None:
            k = int.from_bytes(hashlib.blake2b(pid, digest_size=16,
                                               key=self.cluster_seed.to_bytes(8, "big")).digest(), "big")
        return k

    def set_register(self, pid, reg, fresh=True):
        h = int.from_bytes(hashlib.blake2b(pid + enc_register(reg), digest_size=16).digest(), "big")
        old = self.ehash.get(pid)
        k = self.key(pid)
        if old is None:
            self.keyof[pid] = k
            bisect.insort(self.sorted_keys, (k, pid))
            dc, dh = 1, h
        else:
            dc, dh = 0, h - old
        self.regs[pid] = reg
        self.ehash[pid] = h
        self.total[0] += dc
        self.total[1] = (self.total[1] + dh) & MASK128
        for d in range(1, 5):
            p = k >> (128 - 4 * d)
            e = self.levels[d].get(p)
            if e is None:
                e = self.levels[d][p] = [0, 0]
            e[0] += dc
            e[1] = (e[1] + dh) & MASK128
        if fresh:
            self.seq += 1
            self.fresh[pid] = (self.seq, self.now)

    def root(self):
        return self.total[1].to_bytes(16, "big")

    def join(self, pid, reg):
        """Joins a received register; True when it changed the state."""
        if not register_ok(reg):
            return False
        local = self.regs.get(pid)
        new = join_register(local, reg)
        if new is None or new == local:
            return False
        self.set_register(pid, new)
        return True

    @staticmethod
    def prefix_of(path):
        p = 0
        for n in path:
            p = (p << 4) | n
        return p

    def range_of(self, path):
        d = len(path)
        p = self.prefix_of(path)
        lo = p << (128 - 4 * d)
        hi = (p + 1) << (128 - 4 * d)
        i = bisect.bisect_left(self.sorted_keys, (lo,))
        j = bisect.bisect_left(self.sorted_keys, (hi,))
        return i, j

    def ids_under(self, path):
        i, j = self.range_of(path)
        return [pid for _, pid in self.sorted_keys[i:j]]

    def info(self, path):
        d = len(path)
        if d == 0:
            return self.total
        if d <= 4:
            return self.levels[d].get(self.prefix_of(path), (0, 0))
        i, j = self.range_of(path)
        s = 0
        for _, pid in self.sorted_keys[i:j]:
            s += self.ehash[pid]
        return (j - i, s & MASK128)

    def children(self, path):
        d = len(path)
        if d < 4:
            lv = self.levels[d + 1]
            base = self.prefix_of(path) << 4
            out = {}
            for i in range(16):
                e = lv.get(base | i)
                if e is not None and e[0] > 0:
                    out[i] = (e[0], e[1])
            return out
        i, j = self.range_of(path)
        out = {}
        shift = 128 - 4 * (d + 1)
        for k, pid in self.sorted_keys[i:j]:
            c = (k >> shift) & 0xF
            e = out.get(c)
            if e is None:
                e = out[c] = [0, 0]
            e[0] += 1
            e[1] += self.ehash[pid]
        return {c: (e[0], e[1] & MASK128) for c, e in out.items()}

    # -- exchange hashes -------------------------------------------------------
    def salt(self, initiator, xid):
        return hashlib.blake2b(self.cluster_seed.to_bytes(8, "big") + initiator.to_bytes(8, "big") +
                               xid.to_bytes(8, "big"), digest_size=8, key=b"salt").digest()

    @staticmethod
    def child_digest(salt, info, width):
        return hashlib.blake2b(salt + info[0].to_bytes(8, "big") + info[1].to_bytes(16, "big"),
                               digest_size=width).digest()

    def tag(self, salt, pid):
        return int.from_bytes(hashlib.blake2b(salt + self.ehash[pid].to_bytes(16, "big"),
                                              digest_size=4).digest(), "big")

    def own_probe(self, salt, path):
        inf = self.info(path)
        if inf[0] > LEAF_CAP and len(path) < DEPTH_MAX:
            ch = self.children(path)
            return enc_inner_probe(path, {i: self.child_digest(salt, e, self.width) for i, e in ch.items()})
        tags = sorted(set(self.tag(salt, pid) for pid in self.ids_under(path)))
        return enc_leafset(path, tags)

    # -- local writes ----------------------------------------------------------
    def next_clock(self, pid):
        joined = {}
        for clock, _ in self.regs.get(pid, ()):
            for r, c in clock:
                if c > joined.get(r, 0):
                    joined[r] = c
        mine = joined.get(self.replica, 0)
        if mine >= M64:
            raise Refused("over_limit")
        joined[self.replica] = mine + 1
        if len(joined) > CLOCK_MAX:
            raise Refused("over_limit")
        return tuple(sorted(joined.items()))

    def write(self, op, pid, ct):
        if op == "create" and pid in self.regs:
            raise Refused("already_exists")
        if op == "refine" and pid not in self.regs:
            raise Refused("not_found")
        check_content(ct)
        clock = self.next_clock(pid)
        self.set_register(pid, ((clock, ct),))

    def absorb(self, a, b):
        if a == b:
            raise Refused("invalid")
        if a not in self.regs or b not in self.regs:
            raise Refused("not_found")
        ma = merged(self.regs[a])
        mb = merged(self.regs[b])
        cb = (mb[0], tuple(sorted(set(mb[1]) | set(ma[1]))), mb[2], mb[3])
        ca = (ma[0], ma[1], ma[2], b)
        check_content(cb)
        clb = self.next_clock(b)
        check_content(ca)
        cla = self.next_clock(a)
        self.set_register(b, ((clb, cb),))
        self.set_register(a, ((cla, ca),))

    # -- time ------------------------------------------------------------------
    def fresh_registers(self, exclude=None):
        window = self.recent_rounds * self.interval
        live = [(seq, pid) for pid, (seq, t) in self.fresh.items() if self.now < t + window]
        live.sort(reverse=True)
        ids = sorted(pid for _, pid in live[:self.recent_max])
        out = []
        for pid in ids:
            reg = self.regs[pid]
            if exclude is not None and exclude.get(pid) == reg:
                continue
            out.append((pid, reg))
        return out

    def tick(self, now):
        if now > self.now:
            self.now = now
        self.started = True
        for k in [k for k, e in self.exchanges.items() if e[1] <= self.now]:
            del self.exchanges[k]
        window = self.recent_rounds * self.interval
        for pid in [p for p, (_, t) in self.fresh.items() if self.now >= t + window]:
            del self.fresh[pid]
        if self.now >= self.next_gossip:
            skipped = (self.now - self.next_gossip) // self.interval
            self.next_gossip += (skipped + 1) * self.interval
            self.start_exchange()

    def wakeup(self):
        if not self.others:
            return None
        return max(self.next_gossip, self.now)

    def start_exchange(self):
        if not self.others:
            return
        peer = self.others[self.rng.randrange(len(self.others))]
        alive = sum(1 for k in self.exchanges if k[0] == self.me)
        if alive >= self.ex_max:
            return
        xid = self.xid
        self.xid += 1
        self.exchanges[(self.me, xid)] = [peer, self.now + self.timeout, 0, set()]
        fresh = self.fresh_registers()
        msgs = self.pack(K_HELLO, xid, self.root(), [enc_entry(p, r) for p, r in fresh], [], [], 1)
        for m in msgs:
            self.outbox.append((peer, m))

    # -- packing ---------------------------------------------------------------
    def pack(self, kind, xid, root, regs, probes, wants, max_msgs):
        """Splits into at most max_msgs messages of at most bytes_max bytes each.
        Fill order: wants, probes, registers. The first message is of `kind`; the others walks."""
        cap = self.bytes_max - HEADER_MAX - CHECK
        walk_kind = K_WALK_I if kind in (K_HELLO, K_WALK_I) else K_WALK_R
        if kind == K_HELLO:
            walk_kind = None
        msgs = []
        cur = [[], [], []]
        used = 0
        queue = [(2, w) for w in wants] + [(1, p) for p in probes] + [(0, r) for r in regs]
        pending = []
        for sect, el in queue:
            if len(el) > cap:
                continue
            if used + len(el) > cap:
                pending.append((sect, el))
                continue
            cur[sect].append(el)
            used += len(el)
        msgs.append(cur)
        # further messages for what did not fit
        while pending and len(msgs) < max_msgs and walk_kind is not None:
            cur = [[], [], []]
            used = 0
            rest = []
            for sect, el in pending:
                if used + len(el) > cap:
                    rest.append((sect, el))
                    continue
                cur[sect].append(el)
                used += len(el)
            msgs.append(cur)
            pending = rest
        out = []
        for n, (rg, pr, wa) in enumerate(msgs):
            k = kind if n == 0 else walk_kind
            if n > 0 and not (rg or pr or wa):
                continue
            out.append(enc_message(k, xid, root, rg, self.width, pr, wa))
        return out

    # -- receiving -------------------------------------------------------------
    def receive(self, frm, data):
        if frm == self.me:
            return
        try:
            kind, xid, root, regs, width, probes, wants = dec_message(data)
        except Exception:
            return
        ck = data[-CHECK:]
        if kind == K_HELLO:
            self.on_hello(frm, xid, root, regs)
            return
        key = (frm, xid) if kind == K_WALK_I else (self.me, xid)
        ex = self.exchanges.get(key)
        if ex is None or ex[0] != frm or ex[1] <= self.now:
            self.join_all(regs)       # safe on its own: joined, not answered
            return
        if ck in ex[3]:
            return
        ex[3].add(ck)
        if ex[2] + 2 > self.msgs_max:
            self.join_all(regs)
            return
        ex[2] += 1
        salt = self.salt(key[0], xid)
        gathered = {}
        self.answer_wants(salt, wants, gathered)
        self.join_all(regs)
        if kind == K_REPLY and root == self.root():
            return
        out_probes = {}
        out_wants = {}
        self.answer_probes(salt, width, probes, gathered, out_probes, out_wants)
        if not (gathered or out_probes or out_wants):
            return
        out_kind = K_WALK_I if key[0] == self.me else K_WALK_R
        room = max(1, self.msgs_max - ex[2] - 1)
        msgs = self.pack(out_kind, xid, None,
                         [enc_entry(p, self.regs[p]) for p in sorted(gathered)],
                         [out_probes[p] for p in sorted(out_probes)],
                         [out_wants[p] for p in sorted(out_wants)], min(8, room))
        for m in msgs:
            ex[2] += 1
            self.outbox.append((frm, m))

    def join_all(self, regs):
        for pid, reg in sorted(regs, key=lambda x: x[0]):
            self.join(pid, reg)

    def on_hello(self, frm, xid, root, regs):
        key = (frm, xid)
        ex = self.exchanges.get(key)
        if ex is not None and ex[1] > self.now:
            return
        self.join_all(regs)
        if root == self.root():
            return
        answering = [k for k in self.exchanges if k[0] != self.me]
        if len(answering) >= self.ex_max or sum(1 for k in answering if k[0] == frm) >= self.ex_peer_max:
            return
        ck = None
        ex = self.exchanges[key] = [frm, self.now + self.timeout, 2, set()]
        salt = self.salt(frm, xid)
        carried = {}
        for pid, reg in regs:
            carried[pid] = join_register(None, reg) if register_ok(reg) else None
        fresh = self.fresh_registers(exclude=carried)
        probe = self.own_probe(salt, ())
        room = max(1, self.msgs_max - ex[2])
        msgs = self.pack(K_REPLY, xid, self.root(), [enc_entry(p, r) for p, r in fresh], [probe], [],
                         min(8, room))
        for n, m in enumerate(msgs):
            if n > 0:
                ex[2] += 1
            self.outbox.append((frm, m))

    def answer_wants(self, salt, wants, gathered):
        for path, tags in wants:
            ts = set(tags)
            for pid in self.ids_under(path):
                if self.tag(salt, pid) in ts:
                    gathered[pid] = True

    def answer_probes(self, salt, width, probes, gathered, out_probes, out_wants):
        for path, t, data in probes:
            if t == 0:
                inf = self.info(path)
                if inf[0] > LEAF_CAP and len(path) < DEPTH_MAX:
                    mine = self.children(path)
                    for i in range(16):
                        p2 = path + (i,)
                        if i in data and i in mine:
                            if self.child_digest(salt, mine[i], width) != data[i]:
                                if p2 not in out_probes:
                                    out_probes[p2] = self.own_probe(salt, p2)
                        elif i in data:
                            if p2 not in out_probes:
                                out_probes[p2] = enc_leafset(p2, [])
                        elif i in mine:
                            for pid in self.ids_under(p2):
                                gathered[pid] = True
                else:
                    if path not in out_probes:
                        out_probes[path] = self.own_probe(salt, path)
            else:
                ts = set(data)
                have = set()
                for pid in self.ids_under(path):
                    tg = self.tag(salt, pid)
                    have.add(tg)
                    if tg not in ts:
                        gathered[pid] = True
                missing = sorted(ts - have)
                if missing and path not in out_wants:
                    out_wants[path] = enc_want(path, missing)

    def take_outbox(self):
        out = self.outbox
        self.outbox = []
        return out

    def fingerprint(self):
        parts = (
            self.me, self.replica, tuple(self.members), self.interval, self.timeout, self.bytes_max,
            self.recent_rounds, self.recent_max, self.width, self.ex_max, self.ex_peer_max,
            self.msgs_max, self.cluster_seed, self.phase, self.xid, self.now, self.started,
            self.next_gossip, self.rng.getstate(),
            tuple(sorted((k, e[0], e[1], e[2], tuple(sorted(e[3]))) for k, e in self.exchanges.items())),
            tuple(sorted((v[0], v[1], pid) for pid, v in self.fresh.items())), self.seq,
            tuple(self.outbox),
            tuple((pid, self.regs[pid]) for pid in sorted(self.regs)),
        )
        return hashlib.sha256(repr(parts).encode()).digest()


def enc_entry(pid, reg):
    return pid + enc_register(reg)


# ---------------------------------------------------------------------------
# The process protocol
# ---------------------------------------------------------------------------

def parse_content(c):
    if not isinstance(c, dict):
        raise Refused("invalid")
    s = c.get("summary")
    eps = c.get("episodes")
    st = c.get("strength")
    ab = c.get("absorbed_into")
    if not isinstance(s, str) or not isinstance(eps, list) or type(st) is not int:
        raise Refused("invalid")
    sb = to_bytes_lenient(s)
    for e in eps:
        if type(e) is not int or e < 0 or e > M64:
            raise Refused("invalid")
    if st < 0:
        raise Refused("invalid")
    if ab is not None:
        try:
            ab = parse_id(ab)
        except Exception:
            raise Refused("invalid")
    return (sb, tuple(eps), st, ab)


class Host:
    def __init__(self):
        self.nodes = {}

    def handle(self, req):
        op = req.get("op")
        if op == "hello":
            return {"ok": True, "protocol": 1, "name": "python-docs-only",
                    "version": "examples/python/node.py 1 (stdlib only)",
                    "capabilities": ["clone", "fingerprint", "view"]}
        h = req.get("node")
        if op == "init":
            try:
                regs = parse_state_text(req.get("state_text", ""))
            except Exception as e:
                return {"ok": False, "error": "cannot read state_text: %s" % e}
            self.nodes[h] = Node(req["self"], req["replica"], req["members"], req.get("config") or {},
                                 req["seed"], regs)
            return {"ok": True}
        node = self.nodes.get(h)
        if node is None:
            return {"ok": False, "error": "no node %r" % (h,)}
        if op == "destroy":
            del self.nodes[h]
            return {"ok": True}
        if op in ("create", "refine"):
            try:
                pid = parse_id(req["id"])
                ct = parse_content(req["content"])
                node.write(op, pid, ct)
            except Refused as r:
                return {"ok": True, "status": r.status}
            return {"ok": True, "status": "ok"}
        if op == "absorb":
            try:
                node.absorb(parse_id(req["a"]), parse_id(req["into"]))
            except Refused as r:
                return {"ok": True, "status": r.status}
            return {"ok": True, "status": "ok"}
        if op == "tick":
            node.tick(req["now"])
            return {"ok": True}
        if op == "receive":
            try:
                data = bytes.fromhex(req.get("bytes", ""))
            except Exception:
                return {"ok": True}
            try:
                node.receive(req.get("from"), data)
            except Exception as e:  # never crash on hostile bytes
                log("receive failed:", repr(e))
            return {"ok": True}
        if op == "outbox":
            return {"ok": True, "messages": [{"to": t, "bytes": b.hex()} for t, b in node.take_outbox()]}
        if op == "wakeup":
            return {"ok": True, "at": node.wakeup()}
        if op == "export":
            return {"ok": True, "state_text": text_of_state(node.regs)}
        if op == "clone":
            self.nodes[req["new"]] = copy.deepcopy(node)
            return {"ok": True}
        if op == "fingerprint":
            return {"ok": True, "bytes": node.fingerprint().hex()}
        if op == "view":
            return {"ok": True, "view": resolved_view(node.regs)}
        return {"ok": False, "error": "unknown op %r" % (op,)}


def main():
    host = Host()
    out = sys.stdout
    for raw in sys.stdin.buffer:
        line = raw.decode("utf-8", "surrogateescape").strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            ans = host.handle(req)
        except Exception as e:
            log("request failed:", repr(e), line[:200])
            ans = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        out.write(json.dumps(ans, sort_keys=True, separators=(",", ":")) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
