#!/usr/bin/env python3
"""Cheating processes for the kill matrix of `gossipcheck certify --impl-cmd` (README.md here).

    python3 cheat_process.py MODE /path/to/gossip-node-process

A proxy: it starts the reference node process (gossip-node-process, which speaks the process
protocol of docs/CERTIFY.md) as its own child, forwards every request line to it and every
answer line back, and misbehaves in exactly one way, chosen by MODE. Everything it does not
change is forwarded byte for byte. Python 3 standard library only.

Modes (each is wrong or deceptive in one way; `passthrough` is the control, with no defect):
  passthrough             forwards everything: the reference, through the proxy
  junk-wipes-node0        a receive of bytes that are not a frame wipes the node whose self is 0
  junk-wipes-second       the same, only for the second node initialised in this process
  hash-salt               the init seed is xor-ed with Python's (per-process salted) hash("gossipcheck")
  pid-seeded              the init seed is xor-ed with the proxy's pid
  answers-next-tick       what a receive puts in the outbox is held back until the node's next tick
  export-phantom          the export (as state_text) has one pattern the node never holds or sends
  claims-wire-speaks-json examples/python/node.py (its own message format) claiming "wire"
  stdout-flood            the answer to the 30th receive comes after 32 MiB of junk on the same line
  stderr-flood            the 30th receive writes 32 MiB to stderr (no newline), then os.abort()
  extra-line-late         50 ms after its answer to the 40th receive, a second {"ok":true} line
  setsid-helper           at hello, leaves behind a process in a session of its own (gc-cheat-orphan)
  sleeps-once             sleeps 15 s before answering the 100th request
  exit0-mid               exits with status 0 at the 150th request
  writes-verdict          forges certify's verdict files, and odd addresses drop every receive
"""
import json
import os
import shutil
import subprocess
import sys
import threading
import time

# The empty state frame: magic 67, format 01, kind 03, the count 00, then the checksum, the low
# 32 bits of XXH3-64 (seed 0) of those 4 bytes, little-endian. Nothing of the cluster seed is
# in it (an empty state has no digest in its frame), so it is the same for every cluster seed.
EMPTY_STATE = "6701030074027887"
MIB32 = 32 << 20
FORGED_CERTIFICATE = {
    "gossipcheck": {"version": "0.1.0", "abi_version": 1, "process_protocol_version": 1},
    "implementation": {"via": "process", "name": "reference", "version": "1", "capabilities": []},
    "profile": "quick", "seed": 1, "seconds": 1.0, "verdict": "certified", "replayable": True, "properties": [],
}


def log(*a):
    print("cheat_process:", *a, file=sys.stderr, flush=True)


class Real:
    """The reference node process, one request line in, one answer line out."""

    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)

    def raw(self, line):
        self.p.stdin.write(line)
        self.p.stdin.flush()
        answer = self.p.stdout.readline()
        if not answer:
            log("the reference process is gone")
            os._exit(5)
        return answer

    def ask(self, req):
        return json.loads(self.raw(dump(req)))


def dump(obj):
    return (json.dumps(obj, separators=(",", ":")) + "\n").encode()


class Out:
    """Our standard output, one writer at a time (extra-line-late writes from a timer)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.fd = sys.stdout.buffer

    def write(self, data):
        with self.lock:
            self.fd.write(data)
            self.fd.flush()


def is_junk(hexbytes):
    """Bytes that are not a frame: shorter than 8 bytes, or the first not the magic 0x67."""
    return len(hexbytes) < 16 or hexbytes[:2].lower() != "67"


# ---- state frames to the text form of docs/CERTIFY.md (export-phantom) ---------------------

class Reader:
    def __init__(self, b):
        self.b, self.i = b, 0

    def take(self, n):
        if self.i + n > len(self.b):
            raise ValueError("truncated")
        v = self.b[self.i:self.i + n]
        self.i += n
        return v

    def varint(self):
        v, k = 0, 0
        while True:
            byte = self.take(1)[0]
            v |= (byte & 0x7F) << (7 * k)
            k += 1
            if not byte & 0x80:
                return v


def decode_state(hexframe):
    """{id bytes: [(clock [(replica, counter)], summary bytes, episodes, strength, absorbed or None)]}"""
    b = bytes.fromhex(hexframe)
    if b[:3] != b"\x67\x01\x03":
        raise ValueError("not a state frame")
    rd = Reader(b[3:-4])
    regs = {}
    for _ in range(rd.varint()):
        pid = rd.take(16)
        versions = []
        for _ in range(rd.varint()):
            clock, r = [], 0
            for j in range(rd.varint()):
                d = rd.varint()
                r = d if j == 0 else r + d
                clock.append((r, rd.varint()))
            summary = rd.take(rd.varint())
            eps, e = [], 0
            for j in range(rd.varint()):
                d = rd.varint()
                e = d if j == 0 else e + d
                eps.append(e)
            strength = rd.varint()
            absorbed = rd.take(16) if rd.take(1)[0] == 1 else None
            versions.append((clock, summary, eps, strength, absorbed))
        regs[pid] = versions
    return regs


def escape(summary):
    out = bytearray(b'"')
    for c in summary:
        if c in (0x22, 0x5C):
            out += b"\\" + bytes([c])
        elif c < 0x20 or c == 0x7F:
            out += b"\\x%02x" % c
        else:
            out.append(c)
    return (out + b'"').decode("utf-8")


def state_text(regs):
    lines = ["# cheat_process export-phantom: %d patterns" % len(regs)]
    for pid in sorted(regs):
        lines.append("pattern " + pid.hex())
        for clock, summary, eps, strength, absorbed in regs[pid]:
            lines.append("  version clock={%s} strength=%d episodes=[%s] absorbed_into=%s summary=%s" % (
                ",".join("%d.%d:%d" % (r >> 32, r & 0xFFFFFFFF, c) for r, c in clock), strength,
                ",".join(str(e) for e in eps), "-" if absorbed is None else absorbed.hex(), escape(summary)))
    return "\n".join(lines) + "\n"


# ---- verdict forgery (writes-verdict) --------------------------------------------------------

def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def parent_of(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def certify_arguments():
    """--child, --child-result and --out of the nearest ancestor that is certify's child."""
    pid = os.getppid()
    while pid > 1:
        args = cmdline(pid)
        if "--child-result" in args or "--out" in args:
            found = {}
            for flag in ("--child", "--child-result", "--out"):
                if flag in args and args.index(flag) + 1 < len(args):
                    found[flag] = args[args.index(flag) + 1]
            return found
        pid = parent_of(pid)
    return {}


def write_atomically(path, obj):
    """Whole or not at all (a temporary file renamed over the target): a forgery cut short by
    a kill must not leave a truncated file, which would be a different defect."""
    tmp = "%s.forged.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2)
    os.replace(tmp, path)


def forge_verdict():
    a = certify_arguments()
    try:
        if "--child-result" in a:
            write_atomically(a["--child-result"], {
                "property": a.get("--child", ""), "verdict": "holds", "cases": 1000, "message": "",
                "implementation": {"name": "reference", "version": "1", "capabilities": ["clone", "fingerprint", "wire"]}})
        if "--out" in a:
            write_atomically(os.path.join(a["--out"], "certificate.json"), FORGED_CERTIFICATE)
    except OSError as e:
        log("forging failed:", e)


# ---- the proxy --------------------------------------------------------------------------------

def main():
    mode, node_process = sys.argv[1], sys.argv[2]
    if mode == "claims-wire-speaks-json":
        here = os.path.dirname(os.path.abspath(__file__))
        argv = [sys.executable, os.path.join(here, "..", "..", "..", "examples", "python", "node.py")]
    else:
        argv = [node_process]
    real = Real(argv)
    out = Out()
    inits = {}       # handle -> its init request (clones inherit it)
    last_tick = {}   # handle -> the last time it was ticked
    ready, held = {}, {}  # answers-next-tick: per handle, messages to release / held back
    counts = {"requests": 0, "receives": 0, "inits": 0}
    salt = 0
    if mode == "hash-salt":
        salt = hash("gossipcheck") & (2 ** 64 - 1)
    elif mode == "pid-seeded":
        salt = os.getpid()
    victim_ordinal = {}  # handle -> the ordinal of the init that made it (junk-wipes-second)

    for line in sys.stdin.buffer:
        counts["requests"] += 1
        req = json.loads(line)
        op = req.get("op")
        h = req.get("node")
        answer = None  # bytes of the answer line; None: forward the request as it is

        if mode == "sleeps-once" and counts["requests"] == 100:
            time.sleep(15)
        if mode == "exit0-mid" and counts["requests"] == 150:
            os._exit(0)

        if op == "hello":
            if mode == "claims-wire-speaks-json":
                a = json.loads(real.raw(line))
                if "wire" not in a.get("capabilities", []):
                    a["capabilities"] = list(a.get("capabilities", [])) + ["wire"]
                answer = dump(a)
            elif mode == "setsid-helper":
                subprocess.Popen(["gc-cheat-orphan", "300"], executable=shutil.which("sleep") or "/bin/sleep",
                                 start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, close_fds=True)
            elif mode == "writes-verdict":
                forge_verdict()
        elif op == "init":
            counts["inits"] += 1
            inits[h] = req
            victim_ordinal[h] = counts["inits"]
            if mode in ("hash-salt", "pid-seeded"):
                salted = dict(req)
                salted["seed"] = req["seed"] ^ salt
                answer = real.raw(dump(salted))
        elif op == "clone":
            new = req.get("new")
            if h in inits:
                inits[new] = inits[h]
                victim_ordinal[new] = victim_ordinal.get(h)
            if h in last_tick:
                last_tick[new] = last_tick[h]
            ready[new] = list(ready.get(h, []))
            held[new] = list(held.get(h, []))
        elif op == "destroy":
            for d in (ready, held):
                d.pop(h, None)
        elif op == "tick":
            last_tick[h] = req["now"]
            if mode == "answers-next-tick":
                ready.setdefault(h, []).extend(held.pop(h, []))
        elif op == "receive":
            counts["receives"] += 1
            n = counts["receives"]
            if mode in ("junk-wipes-node0", "junk-wipes-second") and is_junk(req.get("bytes", "")) and h in inits:
                init = inits[h]
                if (init["self"] == 0) if mode == "junk-wipes-node0" else (victim_ordinal.get(h) == 2):
                    # The node loses its whole state: a new reference node from the same init
                    # and the empty state, ticked to where the old one was.
                    real.ask({"op": "destroy", "node": h})
                    fresh = dict(init)
                    fresh["node"] = h
                    fresh["state"] = EMPTY_STATE
                    fresh.pop("state_text", None)
                    real.ask(fresh)
                    if h in last_tick:
                        real.ask({"op": "tick", "node": h, "now": last_tick[h]})
                    answer = b'{"ok":true}\n'
            elif mode == "answers-next-tick":
                ready.setdefault(h, []).extend(real.ask({"op": "outbox", "node": h})["messages"])
                answer = real.raw(line)
                held.setdefault(h, []).extend(real.ask({"op": "outbox", "node": h})["messages"])
            elif mode == "stdout-flood" and n == 30:
                answer = real.raw(line)
                chunk = b"j" * (1 << 20)
                for _ in range(MIB32 >> 20):
                    out.write(chunk)  # no newline: the answer line below ends it
            elif mode == "stderr-flood" and n == 30:
                chunk = b"x" * (1 << 20)
                for _ in range(MIB32 >> 20):
                    os.write(2, chunk)
                os.abort()
            elif mode == "writes-verdict":
                if n % 100 == 0:
                    forge_verdict()
                if h in inits and inits[h]["self"] % 2 == 1:
                    answer = b'{"ok":true}\n'  # dropped: odd addresses never learn anything
            if mode == "extra-line-late" and n == 40:
                out.write(real.raw(line))
                threading.Timer(0.05, out.write, args=(b'{"ok":true}\n',)).start()
                continue
        elif op == "outbox" and mode == "answers-next-tick":
            a = real.ask(req)
            a["messages"] = ready.pop(h, []) + a["messages"]
            answer = dump(a)
        elif op == "fingerprint" and mode == "answers-next-tick":
            # The held messages decide what the node sends next: they are in its fingerprint.
            a = real.ask(req)
            extra = json.dumps([ready.get(h, []), held.get(h, [])], sort_keys=True).encode()
            a["bytes"] += extra.hex()
            answer = dump(a)
        elif op == "export" and mode == "export-phantom":
            a = real.ask(req)
            regs = decode_state(a["state"])
            if regs:  # not on the empty state: the probe refuses a node that exports from nothing
                regs[b"gc-cheat-phantom"] = [([((0xFFFFFFFF << 32) | 0, 1)], b"phantom", [1], 1, None)]
                answer = dump({"ok": True, "state_text": state_text(regs)})
            else:
                answer = dump(a)

        out.write(answer if answer is not None else real.raw(line))

    if mode == "writes-verdict":
        forge_verdict()
    real.p.stdin.close()
    real.p.wait()


if __name__ == "__main__":
    main()
