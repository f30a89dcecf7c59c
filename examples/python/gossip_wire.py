#!/usr/bin/python3
"""gossip_wire: an independent implementation of docs/WIRE_FORMAT.md (wire format, version 1).

Written from the documents alone (docs/WIRE_FORMAT.md, docs/PROTOCOL.md, ARCHITECTURE.md,
README.md), never from the reference's C++ code, to show that the specification suffices.
Python 3 standard library plus the `xxhash` module (Debian: python3-xxhash).

As a module it offers:

- `decode(data)`: the total decoder of every frame kind ("Frames", "Values", "Sync
  messages", "Views (kind 8)"): any bytes give `(frame, None)` or `(None, error_class)`;
- `encode(frame)`: the canonical encoder of every frame kind;
- `build_tree(seed, patterns)` / `root(seed, patterns)`: the Merkle tree ("Digests");
- `salt`, `child_digest`, `entry_tag`, `content_digest`: "Walk hashes" and "The resolved
  view's digest";
- `to_json(frame, seed)`: the JSON form of "Test vectors".

As a program:

    /usr/bin/python3 gossip_wire.py decode [--seed 0x5eed]     < frames.hex
    /usr/bin/python3 gossip_wire.py vectors docs/WIRE_FORMAT.md

Section names in the docstrings below ("Counts", "Decoding a value, step by step", ...) are
the headings of docs/WIRE_FORMAT.md unless another document is named.
"""

import argparse
import json
import re
import sys
from dataclasses import dataclass
from typing import Optional, Tuple

import xxhash

# ---------------------------------------------------------------------------------------------
# Limits ("Limits"): every limit is inclusive.
# ---------------------------------------------------------------------------------------------

SUMMARY_BYTES_MAX = 1024
EPISODES_MAX = 1024
SIBLINGS_MAX = 32
CLOCK_ENTRIES_MAX = 256
PATTERNS_MAX = 10_000_000
SYNC_TAGS_MAX = 1_048_576
SYNC_WIDTH_MAX = 8
FRAME_BYTES_MAX = 268_435_456
FRAME_OVERHEAD_BYTES = 7
LEAF_CAPACITY = 8
DEPTH_MAX = 32
U32_MAX = (1 << 32) - 1
U64_MAX = (1 << 64) - 1

# Minimum bytes per element of each count ("Counts", second table).
MIN_CLOCK_ENTRY = 2
MIN_SUMMARY_BYTE = 1
MIN_EPISODE = 1
MIN_VERSION = 7
MIN_PATTERN = 24
MIN_PROBE = 3
MIN_WANT = 6
MIN_TAG = 4
# Views ("Views (kind 8)"): an id, a survivor and the smallest content (4 bytes) a pattern; two
# ids and a one-byte weight an edge. A merged content may hold up to 32 x 1,024 episodes.
MIN_VIEW_PATTERN = 36
MIN_VIEW_EDGE = 33
VIEW_EPISODES_MAX = SIBLINGS_MAX * EPISODES_MAX

# Frame constants ("Frames").
MAGIC = 0x67
FORMAT_VERSION = 1
KIND_VERSION, KIND_REGISTER, KIND_STATE, KIND_DIGEST = 1, 2, 3, 4
KIND_HELLO, KIND_REPLY, KIND_WALK = 5, 6, 7
KIND_VIEW = 8
KIND_NAMES = {1: "version", 2: "register", 3: "state", 4: "digest",
              5: "hello", 6: "reply", 7: "walk", 8: "view"}
SYNC_KINDS = (KIND_HELLO, KIND_REPLY, KIND_WALK)

# Sync message flags ("Sync messages").
FLAG_ROOT, FLAG_REGISTERS, FLAG_PROBES, FLAG_WANTS, FLAG_INITIATOR = 1, 2, 4, 8, 16
FLAGS_UNKNOWN = 0xE0

# The error classes ("Decoding errors").
TRUNCATED = "truncated"
UNKNOWN_TAG = "unknown tag"
OVER_LIMIT = "over limit"
NON_CANONICAL = "non-canonical"
CHECKSUM_MISMATCH = "checksum mismatch"
CONFLICTING_WRITE = "conflicting write"
INVALID = "invalid"

DEFAULT_SEED = 0x5EED
TAG_SALT_XOR = 0x5BD1E9955BD1E995
ZERO_DIGEST = bytes(16)


class DecodeError(Exception):
    """A refusal: one class of "Decoding errors", with the offset (from the frame's first
    byte) and what was being read. Only the class is part of the format."""

    def __init__(self, cls: str, offset: int, what: str):
        super().__init__(f"{cls} at byte {offset}: {what}")
        self.cls = cls
        self.offset = offset
        self.what = what


# ---------------------------------------------------------------------------------------------
# Values ("Values").
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Content:
    """content := summary, episodes, strength, absorbed_into ("Values")."""
    summary: str
    episodes: Tuple[int, ...]
    strength: int
    absorbed_into: Optional[bytes]


@dataclass(frozen=True)
class Version:
    """version := clock content. A clock is a tuple of (replica, counter) pairs, replicas
    strictly ascending, counters >= 1."""
    clock: Tuple[Tuple[int, int], ...]
    content: Content


# A register is a tuple of Versions (1 to 32, pairwise concurrent, canonical order).
# A pattern is a pair (id: 16 bytes, register).


@dataclass(frozen=True)
class InnerProbe:
    """probe := path 0x00 present:u16be digests ("Sync messages")."""
    path: Tuple[int, ...]
    present: int
    digests: bytes


@dataclass(frozen=True)
class LeafProbe:
    """probe := path 0x01 n:varint tag:u32le{n}: a leaf set ("Sync messages")."""
    path: Tuple[int, ...]
    tags: Tuple[int, ...]


@dataclass(frozen=True)
class Want:
    """want := path n:varint tag:u32le{n} ("Sync messages")."""
    path: Tuple[int, ...]
    tags: Tuple[int, ...]


@dataclass(frozen=True)
class SyncMessage:
    """The payload of a Hello, Reply or Walk ("Sync messages"). `width` is 0 when there are
    no probes."""
    xid: int
    from_initiator: bool
    root: Optional[bytes]
    registers: tuple  # of (id, register)
    width: int
    probes: tuple     # of InnerProbe | LeafProbe
    wants: tuple      # of Want


@dataclass(frozen=True)
class ViewPattern:
    """One pattern of a view ("Views (kind 8)"): its id, its survivor and its merged content.
    It is live exactly when its survivor is its id."""
    pid: bytes
    survivor: bytes
    content: Content


@dataclass(frozen=True)
class ViewEdge:
    """An edge of a view: a < b, its weight (1 to 2^32 - 1)."""
    a: bytes
    b: bytes
    weight: int


@dataclass(frozen=True)
class View:
    """The payload of a view frame: patterns by ascending id, edges by ascending (a, b)."""
    patterns: tuple  # of ViewPattern
    edges: tuple     # of ViewEdge


@dataclass(frozen=True)
class Frame:
    """A decoded frame: its kind (1 to 8) and its value:
    version: (id, Version); register: (id, register); state: tuple of (id, register);
    digest: 16 bytes; hello, reply, walk: SyncMessage; view: View."""
    kind: int
    value: object


# ---------------------------------------------------------------------------------------------
# Hashes ("Conventions", "Digests", "Walk hashes", "The resolved view's digest").
# ---------------------------------------------------------------------------------------------

def h128(seed: int, data: bytes) -> bytes:
    """H(seed, bytes): XXH3-128, 16 bytes big-endian, high half first ("Conventions")."""
    return xxhash.xxh3_128_digest(data, seed=seed)


def h64(seed: int, data: bytes) -> int:
    """H64(seed, bytes): XXH3-64 as a number ("Conventions")."""
    return xxhash.xxh3_64_intdigest(data, seed=seed)


def frame_checksum(data: bytes) -> int:
    """checksum := the low 32 bits of H64(0, every byte before the checksum) ("Frames")."""
    return h64(0, data) & U32_MAX


# ---------------------------------------------------------------------------------------------
# Reading primitives ("Primitives", "Counts").
# ---------------------------------------------------------------------------------------------

class Reader:
    """A cursor over the payload bytes data[pos:end]. Every read past `end` is `truncated`.
    Offsets in errors count from the frame's first byte."""

    def __init__(self, data: bytes, pos: int, end: int):
        self.data = data
        self.pos = pos
        self.end = end

    def fail(self, cls: str, what: str, offset: Optional[int] = None):
        raise DecodeError(cls, self.pos if offset is None else offset, what)

    def left(self) -> int:
        return self.end - self.pos

    def take(self, n: int, what: str) -> bytes:
        """n raw bytes; fewer left is `truncated`."""
        if n > self.left():
            self.fail(TRUNCATED, f"{what}: needs {n} bytes, {self.left()} left")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u8(self, what: str) -> int:
        return self.take(1, what)[0]

    def u16be(self, what: str) -> int:
        return int.from_bytes(self.take(2, what), "big")

    def u32le(self, what: str) -> int:
        return int.from_bytes(self.take(4, what), "little")

    def id(self, what: str = "id") -> bytes:
        """id: a PatternId, 16 raw bytes ("Primitives")."""
        return self.take(16, what)

    def varint(self, what: str) -> int:
        """Unsigned LEB128, shortest form, at most 10 bytes ("Primitives"): the input ending
        first is `truncated`; a 10th byte above 0x01 is `over limit`; a last byte of 0x00
        after at least one byte is `non-canonical`."""
        start = self.pos
        value = 0
        for i in range(10):
            if self.pos >= self.end:
                self.fail(TRUNCATED, f"{what}: varint cut short", start)
            b = self.data[self.pos]
            self.pos += 1
            if i == 9 and b > 0x01:
                self.fail(OVER_LIMIT, f"{what}: varint past 64 bits", start)
            value |= (b & 0x7F) << (7 * i)
            if not b & 0x80:
                if b == 0 and i > 0:
                    self.fail(NON_CANONICAL, f"{what}: overlong varint", start)
                return value
        raise AssertionError("unreachable: a 10th byte <= 0x01 ends the varint")

    def count(self, limit: int, min_bytes: int, what: str) -> int:
        """A count ("Counts"): above its limit is `over limit` (checked first); more than
        floor(bytes left / minimum bytes per element) is `truncated`, before any element
        is read."""
        start = self.pos
        n = self.varint(what)
        if n > limit:
            self.fail(OVER_LIMIT, f"{what}: {n} above the limit {limit}", start)
        if n > self.left() // min_bytes:
            self.fail(TRUNCATED, f"{what}: {n} elements cannot fit in {self.left()} bytes", start)
        return n


# ---------------------------------------------------------------------------------------------
# Clocks and canonical order ("Values").
# ---------------------------------------------------------------------------------------------

def clock_before(a, b) -> bool:
    """`a` is before `b`: every counter of a is at most b's (missing = 0) and they differ."""
    if a == b:
        return False
    bm = dict(b)
    return all(c <= bm.get(r, 0) for r, c in a)


def clocks_concurrent(a, b) -> bool:
    """Neither clock is before the other and they are not equal."""
    return a != b and not clock_before(a, b) and not clock_before(b, a)


def canonical_key(clock):
    """Canonical order: entries as a sequence of (replica, counter) pairs, lexicographic, a
    prefix first. Python's tuple order is exactly that."""
    return tuple(clock)


# ---------------------------------------------------------------------------------------------
# Decoding values ("Decoding a value, step by step").
# ---------------------------------------------------------------------------------------------

def decode_ascending_u64s(r: Reader, n: int, what: str) -> Tuple[int, ...]:
    """n varints, the first absolute and each later one a delta >= 1 from the one before: a
    delta of 0 is `non-canonical`, a sum past 2^64 - 1 is `invalid`."""
    out = []
    for i in range(n):
        start = r.pos
        v = r.varint(what)
        if i > 0:
            if v == 0:
                r.fail(NON_CANONICAL, f"{what}: delta of 0", start)
            v += out[-1]
            if v > U64_MAX:
                r.fail(INVALID, f"{what}: id past 2^64 - 1", start)
        out.append(v)
    return tuple(out)


def decode_clock(r: Reader):
    """clock := n (replica counter){n} (step 1): count (limit 256, 2 bytes each), n = 0
    `invalid`; per entry the replica (delta rules), then the counter (0 `non-canonical`)."""
    start = r.pos
    n = r.count(CLOCK_ENTRIES_MAX, MIN_CLOCK_ENTRY, "clock entries")
    if n == 0:
        r.fail(INVALID, "clock of no entries", start)
    entries = []
    for i in range(n):
        rstart = r.pos
        replica = r.varint("replica")
        if i > 0:
            if replica == 0:
                r.fail(NON_CANONICAL, "replica delta of 0", rstart)
            replica += entries[-1][0]
            if replica > U64_MAX:
                r.fail(INVALID, "replica id past 2^64 - 1", rstart)
        cstart = r.pos
        counter = r.varint("counter")
        if counter == 0:
            r.fail(NON_CANONICAL, "counter of 0", cstart)
        entries.append((replica, counter))
    return tuple(entries)


def decode_summary(r: Reader) -> str:
    """len:varint summary:byte{len} (step 2): limit 1,024; well-formed UTF-8 (RFC 3629),
    checked right after the bytes are read, else `invalid`."""
    n = r.count(SUMMARY_BYTES_MAX, MIN_SUMMARY_BYTE, "summary bytes")
    start = r.pos
    raw = r.take(n, "summary")
    try:
        # Python's strict UTF-8 codec is RFC 3629's: no overlongs, no surrogates, nothing
        # above U+10FFFF, no stray continuation byte, no cut sequence.
        return raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        r.fail(INVALID, "summary is not well-formed UTF-8", start)


def decode_content(r: Reader, episodes_max: int = EPISODES_MAX) -> Content:
    """content (step 2): summary, episodes (limit 1,024, or `episodes_max` for a view's
    merged content; deltas), strength (above 2^32 - 1 `over limit`), the absorbed byte (above
    1 `unknown tag`; 1 followed by a target id)."""
    summary = decode_summary(r)
    m = r.count(episodes_max, MIN_EPISODE, "episodes")
    episodes = decode_ascending_u64s(r, m, "episode")
    sstart = r.pos
    strength = r.varint("strength")
    if strength > U32_MAX:
        r.fail(OVER_LIMIT, "strength above 2^32 - 1", sstart)
    astart = r.pos
    absorbed = r.u8("absorbed")
    if absorbed > 1:
        r.fail(UNKNOWN_TAG, f"absorbed byte {absorbed}", astart)
    target = r.id("absorbed target") if absorbed == 1 else None
    return Content(summary, episodes, strength, target)


def decode_version(r: Reader) -> Version:
    """version := clock content."""
    clock = decode_clock(r)
    return Version(clock, decode_content(r))


def decode_register(r: Reader):
    """register := k version{k} (step 3): count (limit 32, 7 bytes each), k = 0 `invalid`;
    each version i > 0 compared with version i - 1 as soon as it is read (equal clocks:
    different content `conflicting write`, same content `non-canonical`; not after in
    canonical order `non-canonical`); when all are read, a dominated sibling is `invalid`."""
    start = r.pos
    k = r.count(SIBLINGS_MAX, MIN_VERSION, "versions")
    if k == 0:
        r.fail(INVALID, "register of no versions", start)
    versions = []
    for i in range(k):
        vstart = r.pos
        v = decode_version(r)
        if i > 0:
            prev = versions[-1]
            if v.clock == prev.clock:
                if v.content != prev.content:
                    r.fail(CONFLICTING_WRITE, "equal clocks, different content", vstart)
                r.fail(NON_CANONICAL, "a sibling repeated", vstart)
            if not canonical_key(v.clock) > canonical_key(prev.clock):
                r.fail(NON_CANONICAL, "siblings out of canonical order", vstart)
        versions.append(v)
    for i in range(k):
        for j in range(k):
            if i != j and clock_before(versions[i].clock, versions[j].clock):
                r.fail(INVALID, f"sibling {i} dominated by sibling {j}", start)
    return tuple(versions)


def decode_id_registers(r: Reader, n: int):
    """n (id register) pairs: an id not greater than the one before is `non-canonical`,
    checked before its register is read."""
    out = []
    prev = None
    for _ in range(n):
        start = r.pos
        pid = r.id()
        if prev is not None and pid <= prev:
            r.fail(NON_CANONICAL, "ids not strictly ascending", start)
        out.append((pid, decode_register(r)))
        prev = pid
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Decoding sync messages ("Decoding a sync message, step by step").
# ---------------------------------------------------------------------------------------------

def check_flags(r: Reader, kind: int, flags: int, at: int) -> None:
    """Steps 2 and 3: unknown bits, then the flags against the kind, in the spec's order."""
    if flags & FLAGS_UNKNOWN:
        r.fail(UNKNOWN_TAG, f"flag bits {flags:#x}", at)
    has_root = bool(flags & FLAG_ROOT)
    if (kind in (KIND_HELLO, KIND_REPLY)) != has_root:
        r.fail(INVALID, "root flag disagrees with the kind", at)
    if kind == KIND_HELLO and flags & (FLAG_PROBES | FLAG_WANTS):
        r.fail(INVALID, "a Hello with probes or wants", at)
    if kind == KIND_REPLY and flags & FLAG_WANTS:
        r.fail(INVALID, "a Reply with wants", at)
    if kind in (KIND_HELLO, KIND_REPLY) and flags & FLAG_INITIATOR:
        r.fail(INVALID, "flag 16 on a Hello or Reply", at)
    if kind == KIND_WALK and not flags & (FLAG_REGISTERS | FLAG_PROBES | FLAG_WANTS):
        r.fail(INVALID, "a Walk that says nothing", at)


def decode_path(r: Reader) -> Tuple[int, ...]:
    """path := depth:u8 byte{ceil(depth/2)}: depth above 32 `over limit`; when the depth is
    odd, a non-zero low half of the last byte is `non-canonical`."""
    start = r.pos
    depth = r.u8("path depth")
    if depth > DEPTH_MAX:
        r.fail(OVER_LIMIT, f"path depth {depth}", start)
    raw = r.take((depth + 1) // 2, "path")
    if depth % 2 and raw[-1] & 0x0F:
        r.fail(NON_CANONICAL, "non-zero spare nibble", start)
    nibbles = []
    for k in range(depth):
        b = raw[k // 2]
        nibbles.append(b >> 4 if k % 2 == 0 else b & 0x0F)
    return tuple(nibbles)


def decode_tags(r: Reader, n: int) -> Tuple[int, ...]:
    """n u32le tags, strictly ascending: one not greater than the one before is
    `non-canonical`."""
    tags = []
    for _ in range(n):
        start = r.pos
        t = r.u32le("tag")
        if tags and t <= tags[-1]:
            r.fail(NON_CANONICAL, "tags not strictly ascending", start)
        tags.append(t)
    return tuple(tags)


def decode_probe(r: Reader, width: int, prev_path):
    """probe (step 6): the path; a path not after the one before `non-canonical`; the type
    byte (above 1 `unknown tag`); type 0: present (0 `non-canonical`) and popcount(present)
    digests of `width` bytes; type 1: the tag count (limit 2^20, 4 bytes each) and tags."""
    start = r.pos
    path = decode_path(r)
    if prev_path is not None and not path > prev_path:
        r.fail(NON_CANONICAL, "probe paths not strictly ascending", start)
    tstart = r.pos
    ptype = r.u8("probe type")
    if ptype > 1:
        r.fail(UNKNOWN_TAG, f"probe type {ptype}", tstart)
    if ptype == 0:
        pstart = r.pos
        present = r.u16be("present")
        if present == 0:
            r.fail(NON_CANONICAL, "inner probe of no child", pstart)
        digests = r.take(bin(present).count("1") * width, "child digests")
        return InnerProbe(path, present, digests)
    n = r.count(SYNC_TAGS_MAX, MIN_TAG, "leaf set tags")
    return LeafProbe(path, decode_tags(r, n))


def decode_want(r: Reader, prev_path) -> Want:
    """want (step 7): the path, strictly after the one before; the tag count (limit 2^20, 4
    bytes each), 0 `non-canonical`; the tags, strictly ascending."""
    start = r.pos
    path = decode_path(r)
    if prev_path is not None and not path > prev_path:
        r.fail(NON_CANONICAL, "want paths not strictly ascending", start)
    cstart = r.pos
    n = r.count(SYNC_TAGS_MAX, MIN_TAG, "want tags")
    if n == 0:
        r.fail(NON_CANONICAL, "a want of no tags", cstart)
    return Want(path, decode_tags(r, n))


def decode_sync(r: Reader, kind: int) -> SyncMessage:
    """A Hello, Reply or Walk payload, steps 1 to 7 (step 8, bytes left, is the frame's)."""
    xid = r.varint("xid")
    fstart = r.pos
    flags = r.u8("flags")
    check_flags(r, kind, flags, fstart)
    root = r.take(16, "root") if flags & FLAG_ROOT else None
    registers = ()
    if flags & FLAG_REGISTERS:
        start = r.pos
        n = r.count(PATTERNS_MAX, MIN_PATTERN, "registers")
        if n == 0:
            r.fail(NON_CANONICAL, "empty register section", start)
        registers = decode_id_registers(r, n)
    width, probes = 0, ()
    if flags & FLAG_PROBES:
        wstart = r.pos
        width = r.u8("width")
        if not 1 <= width <= SYNC_WIDTH_MAX:
            r.fail(INVALID, f"width {width}", wstart)
        start = r.pos
        n = r.count(PATTERNS_MAX, MIN_PROBE, "probes")
        if n == 0:
            r.fail(NON_CANONICAL, "empty probe section", start)
        out, prev = [], None
        for _ in range(n):
            p = decode_probe(r, width, prev)
            out.append(p)
            prev = p.path
        probes = tuple(out)
    wants = ()
    if flags & FLAG_WANTS:
        start = r.pos
        n = r.count(PATTERNS_MAX, MIN_WANT, "wants")
        if n == 0:
            r.fail(NON_CANONICAL, "empty want section", start)
        out, prev = [], None
        for _ in range(n):
            w = decode_want(r, prev)
            out.append(w)
            prev = w.path
        wants = tuple(out)
    return SyncMessage(xid, bool(flags & FLAG_INITIATOR), root, registers, width, probes, wants)


# ---------------------------------------------------------------------------------------------
# Decoding views ("Views (kind 8)").
# ---------------------------------------------------------------------------------------------

def decode_view(r: Reader) -> View:
    """A view payload, steps 1 to 4 (step 5, bytes left, is the frame's):
    1. the pattern count (limit 10,000,000, 36 bytes each);
    2. per pattern: its id, not greater than the one before `non-canonical`; its survivor;
       its content, with an episode limit of 32 x 1,024;
    3. the edge count (33 bytes each; the section gives it no limit of its own);
    4. per edge: a and b; a not smaller than b, or (a, b) not greater than the pair before,
       `non-canonical`; the weight varint, 0 `non-canonical`, above 2^32 - 1 `over limit`."""
    n = r.count(PATTERNS_MAX, MIN_VIEW_PATTERN, "view patterns")
    patterns, prev = [], None
    for _ in range(n):
        start = r.pos
        pid = r.id("view pattern id")
        if prev is not None and pid <= prev:
            r.fail(NON_CANONICAL, "view ids not strictly ascending", start)
        survivor = r.id("view survivor")
        content = decode_content(r, VIEW_EPISODES_MAX)
        patterns.append(ViewPattern(pid, survivor, content))
        prev = pid
    start = r.pos
    m = r.varint("view edges")
    if m > r.left() // MIN_VIEW_EDGE:
        r.fail(TRUNCATED, f"view edges: {m} elements cannot fit in {r.left()} bytes", start)
    edges, prev_pair = [], None
    for _ in range(m):
        start = r.pos
        a = r.id("edge a")
        b = r.id("edge b")
        if not a < b:
            r.fail(NON_CANONICAL, "an edge whose a is not smaller than its b", start)
        if prev_pair is not None and not (a, b) > prev_pair:
            r.fail(NON_CANONICAL, "edges not strictly ascending", start)
        wstart = r.pos
        weight = r.varint("edge weight")
        if weight == 0:
            r.fail(NON_CANONICAL, "an edge of weight 0", wstart)
        if weight > U32_MAX:
            r.fail(OVER_LIMIT, "edge weight above 2^32 - 1", wstart)
        edges.append(ViewEdge(a, b, weight))
        prev_pair = (a, b)
    return View(tuple(patterns), tuple(edges))


# ---------------------------------------------------------------------------------------------
# Decoding frames ("Frames").
# ---------------------------------------------------------------------------------------------

def decode_payload(r: Reader, kind: int):
    """The payload by kind (check 7 of "Frames")."""
    if kind == KIND_VERSION:
        pid = r.id()
        return (pid, decode_version(r))
    if kind == KIND_REGISTER:
        pid = r.id()
        return (pid, decode_register(r))
    if kind == KIND_STATE:
        n = r.count(PATTERNS_MAX, MIN_PATTERN, "patterns")
        return decode_id_registers(r, n)
    if kind == KIND_DIGEST:
        return r.take(16, "digest")
    if kind == KIND_VIEW:
        return decode_view(r)
    return decode_sync(r, kind)


def decode_frame(data: bytes, want_kind: Optional[int] = None) -> Frame:
    """A frame, checked in the order of "Frames": size, short, magic, format version,
    checksum, kind, payload, bytes left. Raises DecodeError. `want_kind`, when given, is the
    kind the caller expects: another kind is `unknown tag` (check 7)."""
    n = len(data)
    if n > FRAME_BYTES_MAX:
        raise DecodeError(OVER_LIMIT, 0, f"frame of {n} bytes")
    if n < FRAME_OVERHEAD_BYTES:
        raise DecodeError(TRUNCATED, 0, f"frame of {n} bytes")
    if data[0] != MAGIC:
        raise DecodeError(UNKNOWN_TAG, 0, "bad magic")
    if data[1] != FORMAT_VERSION:
        raise DecodeError(UNKNOWN_TAG, 1, f"format version {data[1]}")
    if frame_checksum(data[:-4]) != int.from_bytes(data[-4:], "little"):
        raise DecodeError(CHECKSUM_MISMATCH, n - 4, "frame checksum does not match")
    kind = data[2]
    if kind not in KIND_NAMES:
        raise DecodeError(UNKNOWN_TAG, 2, f"frame kind {kind}")
    if want_kind is not None and kind != want_kind:
        raise DecodeError(UNKNOWN_TAG, 2, f"frame kind {kind}, wanted {want_kind}")
    r = Reader(data, 3, n - 4)
    value = decode_payload(r, kind)
    if r.left():
        r.fail(NON_CANONICAL, f"{r.left()} bytes after the payload")
    return Frame(kind, value)


def decode(data: bytes, want_kind: Optional[int] = None):
    """Total decoding ("Decoding errors"): returns (frame, None) or (None, error class)."""
    try:
        return decode_frame(bytes(data), want_kind), None
    except DecodeError as e:
        return None, e.cls


# ---------------------------------------------------------------------------------------------
# Encoding (canonical form).
# ---------------------------------------------------------------------------------------------

def enc_varint(v: int) -> bytes:
    """Unsigned LEB128, shortest form ("Primitives")."""
    if not 0 <= v <= U64_MAX:
        raise ValueError(f"varint out of range: {v}")
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def enc_ascending(values) -> bytes:
    """The first value absolute, then deltas ("Values": clocks and episodes)."""
    out, prev = bytearray(), None
    for v in values:
        out += enc_varint(v if prev is None else v - prev)
        prev = v
    return bytes(out)


def enc_clock(clock) -> bytes:
    """clock := n (replica delta, counter){n}."""
    out = bytearray(enc_varint(len(clock)))
    prev = None
    for replica, counter in clock:
        out += enc_varint(replica if prev is None else replica - prev)
        out += enc_varint(counter)
        prev = replica
    return bytes(out)


def enc_content(c: Content) -> bytes:
    """content := len summary m episodes strength absorbed [target]."""
    s = c.summary.encode("utf-8")
    out = bytearray(enc_varint(len(s)) + s)
    out += enc_varint(len(c.episodes)) + enc_ascending(c.episodes)
    out += enc_varint(c.strength)
    out += b"\x00" if c.absorbed_into is None else b"\x01" + c.absorbed_into
    return bytes(out)


def enc_version(v: Version) -> bytes:
    return enc_clock(v.clock) + enc_content(v.content)


def enc_register(register) -> bytes:
    """register := k version{k}, in the given (canonical) order."""
    return enc_varint(len(register)) + b"".join(enc_version(v) for v in register)


def enc_id_registers(patterns) -> bytes:
    return enc_varint(len(patterns)) + b"".join(pid + enc_register(reg) for pid, reg in patterns)


def enc_path(path) -> bytes:
    """path := depth byte{ceil(depth/2)}, high nibble first, spare nibble 0."""
    out = bytearray([len(path)])
    for k in range(0, len(path), 2):
        hi = path[k]
        lo = path[k + 1] if k + 1 < len(path) else 0
        out.append(hi << 4 | lo)
    return bytes(out)


def enc_tags(tags) -> bytes:
    return enc_varint(len(tags)) + b"".join(t.to_bytes(4, "little") for t in tags)


def enc_probe(p) -> bytes:
    if isinstance(p, InnerProbe):
        return enc_path(p.path) + b"\x00" + p.present.to_bytes(2, "big") + p.digests
    return enc_path(p.path) + b"\x01" + enc_tags(p.tags)


def enc_sync(m: SyncMessage) -> bytes:
    """A sync message: each section's flag set exactly when it has an element."""
    flags = (FLAG_ROOT if m.root is not None else 0) \
        | (FLAG_REGISTERS if m.registers else 0) \
        | (FLAG_PROBES if m.probes else 0) \
        | (FLAG_WANTS if m.wants else 0) \
        | (FLAG_INITIATOR if m.from_initiator else 0)
    out = bytearray(enc_varint(m.xid) + bytes([flags]))
    if m.root is not None:
        out += m.root
    if m.registers:
        out += enc_id_registers(m.registers)
    if m.probes:
        out += bytes([m.width]) + enc_varint(len(m.probes))
        out += b"".join(enc_probe(p) for p in m.probes)
    if m.wants:
        out += enc_varint(len(m.wants))
        out += b"".join(enc_path(w.path) + enc_tags(w.tags) for w in m.wants)
    return bytes(out)


def enc_view(v: View) -> bytes:
    """view := n (id survivor content){n} m (a b weight){m}."""
    out = bytearray(enc_varint(len(v.patterns)))
    for p in v.patterns:
        out += p.pid + p.survivor + enc_content(p.content)
    out += enc_varint(len(v.edges))
    for e in v.edges:
        out += e.a + e.b + enc_varint(e.weight)
    return bytes(out)


def enc_payload(f: Frame) -> bytes:
    if f.kind == KIND_VERSION:
        return f.value[0] + enc_version(f.value[1])
    if f.kind == KIND_REGISTER:
        return f.value[0] + enc_register(f.value[1])
    if f.kind == KIND_STATE:
        return enc_id_registers(f.value)
    if f.kind == KIND_DIGEST:
        return f.value
    if f.kind == KIND_VIEW:
        return enc_view(f.value)
    return enc_sync(f.value)


def seal(kind: int, payload: bytes) -> bytes:
    """frame := 0x67 0x01 kind payload checksum:u32le ("Frames")."""
    head = bytes([MAGIC, FORMAT_VERSION, kind]) + payload
    return head + frame_checksum(head).to_bytes(4, "little")


def encode(f: Frame) -> bytes:
    """The canonical frame of a value."""
    return seal(f.kind, enc_payload(f))


# ---------------------------------------------------------------------------------------------
# The Merkle tree ("Digests (the Merkle tree)").
# ---------------------------------------------------------------------------------------------

def placement_key(seed: int, pid: bytes) -> bytes:
    """placement key(id) = H(seed, "P" || id)."""
    return h128(seed, b"P" + pid)


def entry_digest(seed: int, pid: bytes, register) -> bytes:
    """entry digest = H(seed, "E" || id || register), the register as encoded."""
    return h128(seed, b"E" + pid + enc_register(register))


def key_nibble(key: bytes, k: int) -> int:
    """Nibble k of a placement key, most significant nibble of the first byte first."""
    b = key[k // 2]
    return b >> 4 if k % 2 == 0 else b & 0x0F


@dataclass
class Entry:
    pid: bytes
    register: tuple
    key: bytes
    digest: bytes


@dataclass
class Node:
    """A node of the trie: kind is "empty", "leaf" or "inner"; `entries` are all the entries
    under it (leaf order for a leaf); `children` the 16 children of an inner node."""
    kind: str
    path: Tuple[int, ...]
    entries: list
    digest: bytes
    children: Optional[list] = None


def build_node(seed: int, entries: list, path: Tuple[int, ...]) -> Node:
    """The node at `path` holding `entries`: empty (16 zero bytes), a leaf (1 to 8 entries,
    or a path of 32 nibbles; ordered by placement key then id; H(seed, "L" || entry
    digests)), or inner (H(seed, "I" || 16 child digests))."""
    if not entries:
        return Node("empty", path, [], ZERO_DIGEST)
    if len(entries) <= LEAF_CAPACITY or len(path) == DEPTH_MAX:
        ordered = sorted(entries, key=lambda e: (e.key, e.pid))
        digest = h128(seed, b"L" + b"".join(e.digest for e in ordered))
        return Node("leaf", path, ordered, digest)
    buckets = [[] for _ in range(16)]
    for e in entries:
        buckets[key_nibble(e.key, len(path))].append(e)
    children = [build_node(seed, buckets[i], path + (i,)) for i in range(16)]
    digest = h128(seed, b"I" + b"".join(c.digest for c in children))
    return Node("inner", path, entries, digest, children)


def make_entries(seed: int, patterns) -> list:
    return [Entry(pid, reg, placement_key(seed, pid), entry_digest(seed, pid, reg))
            for pid, reg in patterns]


def build_tree(seed: int, patterns) -> Node:
    """The whole tree of a state (a sequence of (id, register)): its root node."""
    return build_node(seed, make_entries(seed, patterns), ())


def root(seed: int, patterns) -> bytes:
    """root = the digest of the node at the empty path; 16 zero bytes for an empty state."""
    return build_tree(seed, patterns).digest


def node_at(tree: Node, path) -> Tuple[Optional[Node], list]:
    """(the node at `path`, or None when the path lies under a leaf or an empty node; the
    entries whose placement key begins with `path`)."""
    node = tree
    for nib in path:
        if node.kind != "inner":
            under = [e for e in node.entries
                     if all(key_nibble(e.key, k) == path[k] for k in range(len(path)))]
            return None, under
        node = node.children[nib]
    return node, node.entries


# ---------------------------------------------------------------------------------------------
# Walk hashes and the content digest ("Walk hashes", "The resolved view's digest").
# ---------------------------------------------------------------------------------------------

def salt(seed: int, initiator: int, xid: int) -> int:
    """salt = H64(seed, initiator:u32le || xid:u64le)."""
    return h64(seed, initiator.to_bytes(4, "little") + xid.to_bytes(8, "little"))


def child_digest(salt_: int, digest: bytes, width: int) -> bytes:
    """child digest = the first `width` bytes of H64(salt, child's digest), as u64le."""
    return h64(salt_, digest).to_bytes(8, "little")[:width]


def entry_tag(salt_: int, entry: bytes) -> int:
    """entry tag = the low 32 bits of H64(salt XOR 0x5bd1e9955bd1e995, entry digest)."""
    return h64(salt_ ^ TAG_SALT_XOR, entry) & U32_MAX


def content_digest(content: Content) -> bytes:
    """H(0, "C" || content), the resolved view's tie-break."""
    return h128(0, b"C" + enc_content(content))


# ---------------------------------------------------------------------------------------------
# JSON form ("Test vectors").
# ---------------------------------------------------------------------------------------------

def path_text(path) -> str:
    """A path as its nibbles in hex digits ("" for the root)."""
    return "".join(f"{n:x}" for n in path)


def version_json(v: Version) -> dict:
    c = v.content
    return {"clock": [[r, n] for r, n in v.clock], "summary": c.summary,
            "episodes": list(c.episodes), "strength": c.strength,
            "absorbed_into": None if c.absorbed_into is None else c.absorbed_into.hex()}


def register_json(register) -> list:
    return [version_json(v) for v in register]


def patterns_json(patterns) -> list:
    return [{"id": pid.hex(), "register": register_json(reg)} for pid, reg in patterns]


def probe_json(p) -> dict:
    if isinstance(p, InnerProbe):
        return {"path": path_text(p.path), "present": p.present, "digests": p.digests.hex()}
    return {"path": path_text(p.path), "tags": list(p.tags)}


def view_json(v: View, kind: str = "view") -> dict:
    """{"kind": "view", "patterns": [{id, live, survivor, summary, episodes, strength,
    absorbed_into}, ...], "edges": [{a, b, weight}, ...]}."""
    return {"kind": kind,
            "patterns": [{"id": p.pid.hex(), "live": p.survivor == p.pid,
                          "survivor": p.survivor.hex(), "summary": p.content.summary,
                          "episodes": list(p.content.episodes), "strength": p.content.strength,
                          "absorbed_into": None if p.content.absorbed_into is None
                          else p.content.absorbed_into.hex()}
                         for p in v.patterns],
            "edges": [{"a": e.a.hex(), "b": e.b.hex(), "weight": e.weight} for e in v.edges]}


def to_json(f: Frame, seed: int = DEFAULT_SEED) -> dict:
    """The JSON form of a decoded frame; a state's "root" is computed under `seed`."""
    kind = KIND_NAMES[f.kind]
    if f.kind == KIND_VERSION:
        return {"kind": kind, "id": f.value[0].hex(), "version": version_json(f.value[1])}
    if f.kind == KIND_REGISTER:
        return {"kind": kind, "id": f.value[0].hex(), "register": register_json(f.value[1])}
    if f.kind == KIND_STATE:
        return {"kind": kind, "patterns": patterns_json(f.value),
                "root": root(seed, f.value).hex()}
    if f.kind == KIND_DIGEST:
        return {"kind": kind, "digest": f.value.hex()}
    if f.kind == KIND_VIEW:
        return view_json(f.value, kind)
    m = f.value
    return {"kind": kind, "xid": m.xid, "from_initiator": m.from_initiator,
            "root": None if m.root is None else m.root.hex(),
            "registers": patterns_json(m.registers),
            "width": m.width if m.probes else 0,
            "probes": [probe_json(p) for p in m.probes],
            "wants": [{"path": path_text(w.path), "tags": list(w.tags)} for w in m.wants]}


def dumps(obj) -> str:
    """Compact, one line, keys sorted, ASCII only."""
    return json.dumps(obj, separators=(",", ":"), sort_keys=True)


# ---------------------------------------------------------------------------------------------
# `decode` command.
# ---------------------------------------------------------------------------------------------

HEX_LINE = re.compile(rb"\A(?:[0-9a-fA-F]{2})*\Z")


def decode_line(data: bytes, seed: int) -> Tuple[str, Optional[str]]:
    """One frame: (its JSON line, a self-check complaint or None). Every accepted frame must
    re-encode to exactly its bytes (canonical form, docs/MODEL.md I11)."""
    frame, err = decode(data)
    if err is not None:
        return dumps({"error": err}), None
    problem = None
    again = encode(frame)
    if again != data:
        problem = f"re-encoding differs: input {data.hex()}, encoded {again.hex()}"
    return dumps(to_json(frame, seed)), problem


def cmd_decode(seed: int) -> int:
    """Frames from stdin, one hex line each; one JSON line each on stdout. Exit 0, 2 on a
    line that is not hex, 3 on an internal error (a failed self-check)."""
    status = 0
    out = sys.stdout
    for lineno, line in enumerate(sys.stdin.buffer, 1):
        text = line.strip()
        if not HEX_LINE.match(text):
            out.flush()
            print(f"gossip_wire: line {lineno}: not hexadecimal", file=sys.stderr)
            return 2
        data = bytes.fromhex(text.decode("ascii"))
        try:
            result, problem = decode_line(data, seed)
        except Exception as e:  # a bug of ours: never a normal outcome
            print(f"gossip_wire: internal error on line {lineno}: {e!r}", file=sys.stderr)
            status = 3
            continue
        out.write(result + "\n")
        if problem:
            print(f"gossip_wire: internal error on line {lineno}: {problem}", file=sys.stderr)
            status = 3
    out.flush()
    return status


# ---------------------------------------------------------------------------------------------
# `vectors` command: every ```vector block of docs/WIRE_FORMAT.md.
# ---------------------------------------------------------------------------------------------

def parse_vectors(text: str) -> list:
    """Each ```vector block as an ordered dict of its `key: value` lines."""
    vectors, current = [], None
    for line in text.splitlines():
        if current is None:
            if line.strip() == "```vector":
                current = {}
        elif line.strip() == "```":
            vectors.append(current)
            current = None
        elif line.strip():
            key, sep, value = line.partition(": ")
            if not sep:
                key, value = line.rstrip(":"), ""
            current[key.strip()] = value.strip()
    if current is not None:
        vectors.append(current)
    return vectors


def num(text: str) -> int:
    """A number written in decimal, or in hexadecimal with 0x (leading zeros allowed)."""
    text = text.strip()
    if text[:2].lower() == "0x":
        return int(text[2:], 16)
    return int(text, 10)


def rule_built_patterns(n: int) -> list:
    """The state built by rule ("Test vectors"): pattern i (1 to n), id i big-endian in 16
    bytes, one version: clock {2^32: 1}, summary "p<i>", episodes {i}, strength i, no
    target."""
    return [(i.to_bytes(16, "big"),
             (Version(((1 << 32, 1),), Content(f"p{i}", (i,), i, None)),))
            for i in range(1, n + 1)]


class Mismatch(Exception):
    """A vector that disagrees; the message says what differed."""


def expect(what: str, got, want) -> None:
    if got != want:
        raise Mismatch(f"{what}: got {got!r}, want {want!r}")


def check_frame_vector(v: dict) -> None:
    """frame + json: decode, compare as JSON values; accepted frames re-encode exactly; a
    `root` line is the state's root under `seed`."""
    data = bytes.fromhex(v["frame"])
    seed = num(v["seed"]) if "seed" in v else DEFAULT_SEED
    frame, err = decode(data)
    got = {"error": err} if err else json.loads(dumps(to_json(frame, seed)))
    expect("json", got, json.loads(v["json"]))
    if frame is not None:
        expect("re-encoding", encode(frame).hex(), v["frame"])
        if "root" in v:
            expect("root", root(seed, frame.value).hex(), v["root"])


def check_rule_built(v: dict) -> None:
    """patterns: n, [frame], root, child X: kind count digest."""
    seed = num(v.get("seed", hex(DEFAULT_SEED)))
    patterns = rule_built_patterns(int(v["patterns"]))
    if "frame" in v:
        expect("frame", seal(KIND_STATE, enc_id_registers(patterns)).hex(), v["frame"])
    tree = build_tree(seed, patterns)
    expect("root", tree.digest.hex(), v["root"])
    listed = set()
    for key, value in v.items():
        if not key.startswith("child "):
            continue
        path = tuple(int(c, 16) for c in key[len("child "):])
        listed.add(path)
        node, _ = node_at(tree, path)
        got = "none" if node is None else f"{node.kind} {len(node.entries)} {node.digest.hex()}"
        expect(f"child {path_text(path)}", got, value)
    if tree.kind == "inner":
        nonempty = {c.path for c in tree.children if c.kind != "empty"}
        expect("the root's non-empty children listed", sorted(listed), sorted(nonempty))


def check_hash_vector(v: dict) -> bool:
    """The hash vectors; False when `v` is none of them."""
    seed = num(v["seed"]) if "seed" in v else 0
    if "xxh3_64" in v or "xxh3_128" in v:
        # `length: N` stands for N bytes, byte i being i mod 256 ("Test vectors").
        if "length" in v:
            data = bytes(i % 256 for i in range(int(v["length"])))
        else:
            data = bytes.fromhex(v.get("input", ""))
        if "xxh3_64" in v:
            expect("xxh3_64", h64(seed, data), num(v["xxh3_64"]))
        if "xxh3_128" in v:
            expect("xxh3_128", h128(seed, data).hex(), v["xxh3_128"])
    elif "key" in v:
        expect("placement key", placement_key(seed, bytes.fromhex(v["id"])).hex(), v["key"])
    elif "register_frame" in v:
        frame, err = decode(bytes.fromhex(v["register_frame"]), KIND_REGISTER)
        if err:
            raise Mismatch(f"register_frame does not decode: {err}")
        pid, reg = frame.value
        expect("entry digest", entry_digest(seed, pid, reg).hex(), v["entry"])
    elif "initiator" in v:
        expect("salt", salt(seed, num(v["initiator"]), num(v["xid"])), num(v["salt"]))
    elif "width" in v and "child" in v:
        got = child_digest(num(v["salt"]), bytes.fromhex(v["child"]), int(v["width"]))
        expect("child digest", got.hex(), v["child_digest"])
    elif "entry" in v and "tag" in v:
        expect("entry tag", entry_tag(num(v["salt"]), bytes.fromhex(v["entry"])), int(v["tag"]))
    elif "content" in v:
        r = Reader(bytes.fromhex(v["content"]), 0, len(v["content"]) // 2)
        content = decode_content(r)
        if r.left():
            raise Mismatch("content has bytes left")
        expect("content digest", content_digest(content).hex(), v["digest"])
    else:
        return False
    return True


# --- The exchange vectors: one exchange replayed (docs/PROTOCOL.md, "The exchange, exactly").

def join_registers(a, b):
    """The join of two registers: the maximal versions of their union, canonical order
    (docs/MODEL.md, "Registers"). The vectors never reach the limits, so none is checked."""
    union = {v.clock: v for v in a + b}
    versions = list(union.values())
    maximal = [v for v in versions
               if not any(clock_before(v.clock, w.clock) for w in versions)]
    return tuple(sorted(maximal, key=lambda v: canonical_key(v.clock)))


class Replica:
    """A node's state for the exchange replay: patterns by id, and its tree."""

    def __init__(self, seed: int, patterns, width: int = 2):
        self.seed = seed
        self.width = width
        self.patterns = dict(patterns)

    def tree(self) -> Node:
        return build_tree(self.seed, sorted(self.patterns.items()))

    def join(self, registers) -> None:
        for pid, reg in registers:
            self.patterns[pid] = join_registers(self.patterns.get(pid, ()), reg)

    def own_probe(self, tree: Node, path, salt_: int):
        """Its own probe of a path: inner probe when its node there is inner, else the leaf
        set of the entries under it (distinct tags, ascending)."""
        node, under = node_at(tree, path)
        if node is not None and node.kind == "inner":
            present, digests = 0, b""
            for i, child in enumerate(node.children):
                if child.kind != "empty":
                    present |= 1 << i
                    digests += child_digest(salt_, child.digest, self.width)
            return InnerProbe(tuple(path), present, digests)
        return LeafProbe(tuple(path), tuple(sorted({entry_tag(salt_, e.digest) for e in under})))

    def answer_probes(self, tree: Node, probes, width: int, salt_: int):
        """Registers (by id), probes and wants answering `probes` (docs/PROTOCOL.md,
        "Answering a probe of path P"), without budgets."""
        registers, out_probes, wants = {}, [], []
        for p in probes:
            node, under = node_at(tree, p.path)
            if isinstance(p, InnerProbe):
                if node is None or node.kind != "inner":
                    out_probes.append(self.own_probe(tree, p.path, salt_))
                    continue
                digests = iter(p.digests[k:k + width] for k in range(0, len(p.digests), width))
                for i, child in enumerate(node.children):
                    theirs = next(digests) if p.present >> i & 1 else None
                    mine = child.kind != "empty"
                    if theirs is not None and mine:
                        if child_digest(salt_, child.digest, width) != theirs:
                            out_probes.append(self.own_probe(tree, p.path + (i,), salt_))
                    elif theirs is not None:
                        out_probes.append(LeafProbe(p.path + (i,), ()))
                    elif mine:
                        registers.update((e.pid, e.register) for e in child.entries)
            else:
                tags = set(p.tags)
                mine = {entry_tag(salt_, e.digest): e for e in under}
                registers.update((e.pid, e.register) for t, e in mine.items() if t not in tags)
                missing = tuple(sorted(tags - set(mine)))
                if missing:
                    wants.append(Want(p.path, missing))
        return registers, out_probes, wants

    def wanted(self, tree: Node, wants, salt_: int) -> dict:
        """The registers the wants name (a want at P with tags T: every register under P
        whose entry tag is in T)."""
        out = {}
        for w in wants:
            _, under = node_at(tree, w.path)
            out.update((e.pid, e.register) for e in under if entry_tag(salt_, e.digest) in w.tags)
        return out


def walk_or_none(xid, from_initiator, registers: dict, probes, wants, width):
    if not (registers or probes or wants):
        return None
    return SyncMessage(xid, from_initiator, None, tuple(sorted(registers.items())),
                       width if probes else 0, tuple(sorted(probes, key=lambda p: p.path)),
                       tuple(sorted(wants, key=lambda w: w.path)))


def exchange_states(messages) -> Tuple[list, list]:
    """The two states of the exchange vectors ("Test vectors"): node 7 holds the rule-built
    12 patterns and pattern 14 created by replica (7, 0); node 9 the same 12 with pattern 5
    refined by replica (9, 0) and pattern 13 created by it. The text does not give the
    contents of those three writes, so they are taken from the registers the messages carry
    and checked to be the writes described."""
    r7, r9 = 7 << 32, 9 << 32
    seen = {}
    for m in messages:
        for pid, reg in m.registers:
            seen.setdefault((pid, tuple(v.clock for v in reg)), reg)
    def find(pid_int, clock):
        reg = seen.get((pid_int.to_bytes(16, "big"), (clock,)))
        if reg is None:
            raise Mismatch(f"no register {pid_int} with clock {clock} travels in the exchange")
        return reg
    base = dict(rule_built_patterns(12))
    p14 = find(14, ((r7, 1),))
    p13 = find(13, ((r9, 1),))
    p5 = find(5, ((1 << 32, 1), (r9, 1)))
    state7 = dict(base)
    state7[(14).to_bytes(16, "big")] = p14
    state9 = dict(base)
    state9[(5).to_bytes(16, "big")] = p5
    state9[(13).to_bytes(16, "big")] = p13
    return sorted(state7.items()), sorted(state9.items())


def replay_exchange(frames, seed: int):
    """Replays the exchange between nodes 7 (initiator) and 9 from their states, with the
    xid of the first message (drawn from node 7's random stream) and no fresh writes (the
    Hello carries none), and returns (the frames it sends, in order; the final roots)."""
    decoded = [decode(f)[0] for f in frames]
    if any(d is None or d.kind not in SYNC_KINDS for d in decoded):
        raise Mismatch("an exchange message does not decode as a sync message")
    state7, state9 = exchange_states([d.value for d in decoded])
    xid = decoded[0].value.xid
    a, b = Replica(seed, state7), Replica(seed, state9)
    s = salt(seed, 7, xid)
    sent = []
    # 1. Hello, 7 -> 9.
    hello = SyncMessage(xid, False, a.tree().digest, (), 0, (), ())
    sent.append(seal(KIND_HELLO, enc_sync(hello)))
    b.join(hello.registers)
    tb = b.tree()
    if tb.digest == hello.root:
        return sent, (a.tree().digest, tb.digest)
    # 2. Reply, 9 -> 7: its root, no fresh registers, a probe of its root.
    reply = SyncMessage(xid, False, tb.digest, (), b.width, (b.own_probe(tb, (), s),), ())
    sent.append(seal(KIND_REPLY, enc_sync(reply)))
    # 3... Walks, alternately, until one side has nothing to say.
    incoming, receiver, sender, receiver_is_initiator = reply, a, b, True
    while True:
        before = receiver.tree()
        registers = receiver.wanted(before, incoming.wants, s)
        receiver.join(incoming.registers)
        tree = receiver.tree()
        if incoming.root is not None and tree.digest == incoming.root:
            break
        regs, probes, wants = receiver.answer_probes(tree, incoming.probes, incoming.width, s)
        registers.update(regs)
        walk = walk_or_none(xid, receiver_is_initiator, registers, probes, wants, receiver.width)
        if walk is None:
            break
        sent.append(seal(KIND_WALK, enc_sync(walk)))
        if len(sent) > 100:
            raise Mismatch("the replayed exchange does not end")
        incoming, receiver, sender = walk, sender, receiver
        receiver_is_initiator = not receiver_is_initiator
    return sent, (a.tree().digest, b.tree().digest)


def check_exchange(messages: list, final: Optional[dict], seed: int) -> list:
    """(name, problem or None) for each exchange vector, from the replay."""
    results = []
    frames = [bytes.fromhex(v["frame"]) for v in messages]
    try:
        sent, roots = replay_exchange(frames, seed)
    except Mismatch as e:
        return [(v["name"] + " (replayed)", str(e)) for v in messages]
    for i, v in enumerate(messages):
        got = sent[i].hex() if i < len(sent) else "nothing sent"
        results.append((v["name"] + " (replayed)",
                        None if got == v["frame"] else f"sent {got}, want {v['frame']}"))
    if len(sent) > len(messages):
        results.append(("exchange (replayed)", f"{len(sent) - len(messages)} more messages sent"))
    if final is not None:
        want = final["root"]
        got = [r.hex() for r in roots]
        results.append((final["name"] + " (replayed)",
                        None if got == [want, want] else f"roots {got}, want {want}"))
    return results


def check_one(v: dict) -> Optional[str]:
    """Checks one vector: None when it agrees, else what differed."""
    try:
        if "patterns" in v:
            check_rule_built(v)
        elif "frame" in v and "json" in v:
            check_frame_vector(v)
        elif not check_hash_vector(v):
            return "not understood (no check for its keys)"
    except Mismatch as e:
        return str(e)
    return None


def cmd_vectors(path: str) -> int:
    """Checks every vector of the document; one line each, a summary; exit 0 when all
    agree."""
    try:
        with open(path, encoding="utf-8") as f:
            vectors = parse_vectors(f.read())
    except OSError as e:
        print(f"gossip_wire: {e}", file=sys.stderr)
        return 2
    results = []
    exchange, final = [], None
    for v in vectors:
        name = v.get("name", "(unnamed)")
        is_exchange = name.startswith("exchange")
        if is_exchange and "frame" in v:
            exchange.append(v)
        if is_exchange and "frame" not in v and "root" in v:
            final = v
            continue  # checked by the replay below
        try:
            results.append((name, check_one(v)))
        except Exception as e:  # a bug of ours, reported rather than raised
            results.append((name, f"internal error: {e!r}"))
    if exchange:
        try:
            results += check_exchange(exchange, final, DEFAULT_SEED)
        except Exception as e:
            results.append(("exchange (replayed)", f"internal error: {e!r}"))
    elif final is not None:
        results.append((final["name"], "no exchange messages to replay"))
    failed = 0
    for name, problem in results:
        if problem is None:
            print(f"ok    {name}")
        else:
            failed += 1
            print(f"FAIL  {name}: {problem}")
    print(f"{len(results) - failed} of {len(results)} vectors agree, {failed} failed")
    return 0 if failed == 0 and results else 1


# ---------------------------------------------------------------------------------------------
# Command line.
# ---------------------------------------------------------------------------------------------

def parse_seed(text: str) -> int:
    try:
        seed = num(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}")
    if not 0 <= seed <= U64_MAX:
        raise argparse.ArgumentTypeError("a seed is a u64")
    return seed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="gossip_wire.py",
        description="Wire format v1 (docs/WIRE_FORMAT.md), written from the docs alone.")
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("decode", help="decode hex frames from stdin, one JSON line each")
    d.add_argument("--seed", type=parse_seed, default=DEFAULT_SEED,
                   help="cluster seed of a state's root (default 0x5eed)")
    v = sub.add_parser("vectors", help="check every vector of docs/WIRE_FORMAT.md")
    v.add_argument("document")
    args = parser.parse_args(argv)
    if args.command == "decode":
        return cmd_decode(args.seed)
    return cmd_vectors(args.document)


if __name__ == "__main__":
    sys.exit(main())
