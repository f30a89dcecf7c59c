#!/usr/bin/env python3
"""Black-box cluster tests for gossipd (standard library only).

Usage:
  python3 cluster_test.py --gossipd PATH --gossipctl PATH --scenario NAME [--workdir DIR] [--keep]

Scenarios: converge, kill9, amnesia, torn_log, flood, wrong_key.

Each scenario starts its own daemons on 127.0.0.1 (free ports found by binding
port 0), talks to them only through gossipctl (and the Prometheus endpoint),
and kills every daemon it started on exit. Exit 0 = pass, 1 = fail (the
message says what was expected and what was seen, followed by the last 30
lines of every daemon's stderr log), 2 = usage error.

What each scenario checks, beyond its name:
  converge   5 keyed nodes (node 5 configured via --config); 20 creates with episodes and
             strength; equal roots, `view` and `get` everywhere; stats counters, peers and
             last_heard; /metrics; exit 2 on bad flags, gossipctl exit 3 on an unreachable admin; exit 0 on
             SIGTERM and SIGINT.
  kill9      SIGKILL of node 3 with writes in flight; every acknowledged write survives,
             node 3 keeps its replica and holds its own acknowledged writes on restart.
  amnesia    node 2 loses its data dir: new replica, re-convergence, its new writes spread;
             then 4 quick wipe/restart cycles must each yield a fresh replica.
  torn_log   a torn last record is dropped ("torn" logged) and the log stays usable
             across another SIGKILL; a flipped byte in the first record stops the daemon
             (exit 1, "corrupt").
  flood      junk, forged headers, 60 KB, truncated and replayed datagrams at node 2
             (recorded through a UDP proxy on the node1->node2 path): admin stays
             responsive, counters, node 2 still hears node 1, RSS bounded, convergence.
  wrong_key  a wrong-key daemon with a new id (peer of node 1) and one impersonating
             member id 2: their patterns never spread, bad_mac grows, the rest converge.
"""

import argparse
import ctypes
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from concurrent.futures import ThreadPoolExecutor

INTERVAL_MS = 100           # gossip interval used by every scenario
SCENARIO_BUDGET_S = 115     # hard watchdog per scenario (requirement: < 120 s)
READY_TIMEOUT_S = 20        # a daemon must answer `root` within this after start
CONVERGE_TIMEOUT_S = 45     # bounded wait for convergence
TAIL_LINES = 30
# How fast a flooded node must still answer its clients. Generous for a 2-core CI machine
# running other tests beside (an fsync alone can take a second there); a node that stops
# serving under the flood misses it by far.
SERVE_S = 5

T0 = time.monotonic()


class TestFailure(Exception):
    pass


def fail(msg):
    raise TestFailure(msg)


def log(msg):
    print(f"[{time.monotonic() - T0:7.2f}s] {msg}", flush=True)


def hexid(n):
    """Decimal id n as the daemon prints it: 32 lowercase hex digits."""
    return format(n, "032x")


def short(obj, limit=600):
    s = obj if isinstance(obj, str) else json.dumps(obj, sort_keys=True)
    return s if len(s) <= limit else s[:limit] + f"... ({len(s)} chars)"


# --------------------------------------------------------------------------
# Process helpers

_libc = None
try:
    _libc = ctypes.CDLL(None, use_errno=True)
    _prctl = _libc.prctl
except Exception:  # pragma: no cover - non-Linux
    _prctl = None


def _child_setup():
    # Make the daemon die with the test process even if the test is SIGKILLed
    # (PR_SET_PDEATHSIG = 1). Daemons are only ever started from the main thread.
    if _prctl is not None:
        try:
            _prctl(1, signal.SIGKILL, 0, 0, 0)
        except Exception:
            pass


def alloc_ports(n_udp, n_tcp):
    """Distinct free ports on 127.0.0.1: bind port 0, read it, close afterwards."""
    socks, seen, udp, tcp = [], set(), [], []
    try:
        while len(udp) < n_udp:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            p = s.getsockname()[1]
            if p not in seen:
                seen.add(p)
                udp.append(p)
        while len(tcp) < n_tcp:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            p = s.getsockname()[1]
            if p not in seen:
                seen.add(p)
                tcp.append(p)
    finally:
        for s in socks:
            s.close()
    return udp, tcp


def read_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    fail(f"no VmRSS in /proc/{pid}/status")


def file_tail(path, n=TAIL_LINES):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 256 * 1024))
            data = f.read()
    except OSError as e:
        return [f"<cannot read {path}: {e}>"]
    lines = data.decode("utf-8", "replace").splitlines()
    return lines[-n:]


class CtlResult:
    def __init__(self, argv, rc, out, err, elapsed):
        self.argv, self.rc, self.out, self.err, self.elapsed = argv, rc, out, err, elapsed
        self.js = None
        txt = out.strip()
        if txt:
            try:
                self.js = json.loads(txt)
            except ValueError:
                # tolerate a trailing newline-separated extra line: take the first
                try:
                    self.js = json.loads(txt.splitlines()[0])
                except ValueError:
                    self.js = None

    @property
    def ok(self):
        return self.rc == 0 and isinstance(self.js, dict) and self.js.get("ok") is True

    def describe(self):
        return (f"`{' '.join(self.argv[1:])}` -> exit {self.rc} in {self.elapsed:.2f}s, "
                f"stdout={short(self.out.strip())!r}, stderr={short(self.err.strip())!r}")


# --------------------------------------------------------------------------
# Nodes and clusters

class Node:
    def __init__(self, cluster, nid, gport, aport, mport=0, key_file=None, name=None,
                 use_config=False, cluster_seed=None):
        self.cl = cluster
        self.nid = nid
        self.name = name or f"node{nid}"
        self.gport = gport
        self.aport = aport
        self.mport = mport
        self.key_file = key_file
        self.use_config = use_config
        self.cluster_seed = cluster_seed
        self.data_dir = os.path.join(cluster.workdir, f"{self.name}-data")
        self.peers = {}  # id -> "127.0.0.1:port"
        self.proc = None
        self.logs = []
        self.starts = 0
        self._argv = None

    @property
    def listen(self):
        return f"127.0.0.1:{self.gport}"

    def argv(self):
        # Computed once: a restart uses exactly the same flags.
        if self._argv is not None:
            return self._argv
        base = {
            "id": str(self.nid),
            "listen": self.listen,
            "data": self.data_dir,
            "interval-ms": str(INTERVAL_MS),
            "admin-port": str(self.aport),
        }
        if self.mport:
            base["metrics-port"] = str(self.mport)
        if self.key_file:
            base["key-file"] = self.key_file
        if self.cluster_seed is not None:
            base["cluster-seed"] = str(self.cluster_seed)
        a = [self.cl.gossipd]
        if self.use_config:
            path = os.path.join(self.cl.workdir, f"{self.name}.conf")
            with open(path, "w") as f:
                f.write(f"# gossipd config for {self.name} (written by cluster_test.py)\n")
                for k, v in base.items():
                    f.write(f"{k} = {v}\n")
            a += ["--config", path]
        else:
            for k, v in base.items():
                a += [f"--{k}", v]
        for pid in sorted(self.peers):
            a += ["--peer", f"{pid}={self.peers[pid]}"]
        self._argv = a
        return a

    def start(self, wait=True):
        self.starts += 1
        errp = os.path.join(self.cl.workdir, f"{self.name}.stderr.{self.starts}.log")
        outp = os.path.join(self.cl.workdir, f"{self.name}.stdout.{self.starts}.log")
        self.logs.append(errp)
        with open(outp, "wb") as out, open(errp, "wb") as err:
            self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=err, close_fds=True, preexec_fn=_child_setup)
        log(f"started {self.name} (pid {self.proc.pid}, gossip {self.gport}, admin {self.aport}"
            f"{', metrics ' + str(self.mport) if self.mport else ''}) start #{self.starts}")
        if wait:
            self.wait_ready()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def check_alive(self, context=""):
        if self.proc is None:
            fail(f"{self.name} was never started ({context})")
        rc = self.proc.poll()
        if rc is not None:
            fail(f"{self.name} (pid {self.proc.pid}) exited unexpectedly with code {rc} {context}")

    def wait_ready(self, timeout=READY_TIMEOUT_S):
        deadline = time.monotonic() + timeout
        last = None
        while True:
            self.check_alive("while waiting for its admin port to answer `root`")
            r = self.ctl("root", timeout_ms=1000)
            if r.ok:
                log(f"{self.name} ready: root={r.js.get('root')} patterns={r.js.get('patterns')}")
                return r.js
            last = r
            if time.monotonic() > deadline:
                fail(f"{self.name} did not answer `root` within {timeout}s of start; "
                     f"last attempt: {last.describe()}")
            time.sleep(0.1)

    def ctl(self, *args, timeout_ms=3000):
        argv = [self.cl.gossipctl, "--admin", str(self.aport), "--timeout-ms", str(timeout_ms)]
        argv += [str(a) for a in args]
        return self.cl.run_ctl(argv, timeout_ms)

    def ctl_ok(self, *args, timeout_ms=3000, what=None):
        r = self.ctl(*args, timeout_ms=timeout_ms)
        if not r.ok:
            self.check_alive(f"(while running {args[0]})")
            fail(f"expected {what or args[0]} on {self.name} to succeed (exit 0, \"ok\": true); "
                 f"seen: {r.describe()}")
        return r.js

    def stats(self):
        js = self.ctl_ok("stats")
        return js

    def kill9(self):
        if not self.alive():
            fail(f"expected {self.name} to be running before kill -9")
        os.kill(self.proc.pid, signal.SIGKILL)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            fail(f"{self.name} did not die within 10s of SIGKILL")
        log(f"killed {self.name} with SIGKILL")

    def terminate(self, timeout=10):
        """SIGTERM and wait; returns the exit code (None if it did not exit in time)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def force_stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.kill(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=3)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            pass
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass

    def stderr_text(self, start_index=-1):
        if not self.logs:
            return ""
        with open(self.logs[start_index], "rb") as f:
            return f.read().decode("utf-8", "replace")


class Cluster:
    def __init__(self, gossipd, gossipctl, workdir):
        self.gossipd = gossipd
        self.gossipctl = gossipctl
        self.workdir = workdir
        self.nodes = {}        # id -> Node (the real members)
        self.extra = []        # other daemons (rogues)
        self.ctl_calls = 0

    def all_daemons(self):
        return list(self.nodes.values()) + self.extra

    def run_ctl(self, argv, timeout_ms):
        self.ctl_calls += 1
        t = time.monotonic()
        try:
            p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=timeout_ms / 1000.0 + 5)
            rc, out, err = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            rc, out, err = None, e.stdout or b"", (e.stderr or b"") + b"<gossipctl itself hung: killed>"
        return CtlResult(argv, rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                         time.monotonic() - t)

    def keygen(self, name):
        path = os.path.join(self.workdir, name)
        argv = [self.gossipctl, "keygen", path]
        r = self.run_ctl(argv, 5000)
        if r.rc != 0:
            fail(f"expected `gossipctl keygen {path}` to exit 0; seen: {r.describe()}")
        try:
            with open(path) as f:
                txt = f.read().strip()
        except OSError as e:
            fail(f"expected keygen to write {path}; seen: {e}")
        if len(txt) != 64 or any(c not in "0123456789abcdefABCDEF" for c in txt):
            fail(f"expected key file {path} to hold 64 hex digits; seen {txt!r}")
        mode = os.stat(path).st_mode & 0o777
        if mode != 0o600:
            fail(f"expected key file {path} to have mode 0600; seen {oct(mode)}")
        return path

    def make_members(self, n, key_file=None, metrics_for=(), config_for=(), cluster_seed=None):
        udp, tcp = alloc_ports(n, n + len(metrics_for))
        mports = dict(zip(metrics_for, tcp[n:]))
        for i in range(1, n + 1):
            self.nodes[i] = Node(self, i, udp[i - 1], tcp[i - 1], mports.get(i, 0), key_file,
                                 use_config=(i in config_for), cluster_seed=cluster_seed)
        for a in self.nodes.values():
            for b in self.nodes.values():
                if a is not b:
                    a.peers[b.nid] = b.listen
        return [self.nodes[i] for i in range(1, n + 1)]

    def stop_all(self):
        for d in self.all_daemons():
            d.force_stop()

    def print_tails(self):
        for d in self.all_daemons():
            for idx, p in enumerate(d.logs):
                if idx < len(d.logs) - 1:
                    state = "earlier run"
                elif d.alive():
                    state = "running"
                else:
                    state = f"exited rc={d.proc.returncode}"
                print(f"----- last {TAIL_LINES} lines of {d.name} stderr, run #{idx + 1} ({p}) "
                      f"[{state}] -----")
                for line in file_tail(p):
                    print("  " + line)
        print("----- end of daemon logs -----", flush=True)


# --------------------------------------------------------------------------
# Common checks

def write(node, pid, summary, episodes=None, strength=None, timeout_ms=3000):
    args = ["create", pid, "--summary", summary]
    if episodes:
        args += ["--episodes", ",".join(str(e) for e in episodes)]
    if strength is not None:
        args += ["--strength", strength]
    return node.ctl(*args, timeout_ms=timeout_ms)


def write_ok(node, pid, summary, **kw):
    r = write(node, pid, summary, **kw)
    if not r.ok:
        node.check_alive("(while writing)")
        fail(f"expected create {pid} at {node.name} to be acknowledged; seen: {r.describe()}")
    if r.js.get("id") != hexid(pid):
        fail(f"expected create {pid} at {node.name} to print id {hexid(pid)}; seen {short(r.js)}")
    return r.js



def start_all(daemons, after_fork=None):
    """Starts every daemon, then waits until each is ready (all start in parallel).
    `after_fork` runs between the two (threads only after the daemons are forked)."""
    for d in daemons:
        d.start(wait=False)
    if after_fork:
        after_fork()
    for d in daemons:
        d.wait_ready()


def write_round_robin(nodes, count, first_pid, text):
    """`count` acknowledged creates, write i at nodes[i % len(nodes)] under id first_pid + i
    with summary text(i, node); returns {id: summary}."""
    written = {}
    for i in range(count):
        n = nodes[i % len(nodes)]
        written[first_pid + i] = text(i, n)
        write_ok(n, first_pid + i, written[first_pid + i])
    return written

def get_root(node):
    r = node.ctl("root", timeout_ms=2000)
    if not r.ok:
        node.check_alive("(while polling root)")
        return None, None, r
    return r.js.get("root"), r.js.get("patterns"), r


def get_view(node):
    js = node.ctl_ok("view", timeout_ms=5000)
    pats = js.get("patterns")
    if not isinstance(pats, list):
        fail(f"expected `view` on {node.name} to have a \"patterns\" list; seen {short(js)}")
    if not isinstance(js.get("edges"), list):
        fail(f"expected `view` on {node.name} to have an \"edges\" list; seen {short(js)}")
    out = {}
    for p in pats:
        out[p.get("id")] = p
    return out


def wait_converged(nodes, expected, timeout=CONVERGE_TIMEOUT_S, what="convergence"):
    """Poll until all `root` digests are equal and every expected id (dict id -> summary)
    is listed by `view` on every node with its summary. Returns {nid: view}."""
    deadline = time.monotonic() + timeout
    t = time.monotonic()
    want = {hexid(i): s for i, s in expected.items()}
    last_state = "never polled"
    while True:
        for n in nodes:
            n.check_alive(f"(while waiting for {what})")
        roots = {}
        for n in nodes:
            root, count, r = get_root(n)
            roots[n.nid] = (root, count) if root is not None else (f"<error: {r.describe()}>", None)
        if len({v[0] for v in roots.values()}) == 1 and all(v[1] is not None for v in roots.values()):
            views = {n.nid: get_view(n) for n in nodes}
            problems = {}
            for nid, v in views.items():
                missing = [i for i in want if i not in v]
                wrong = [(i, v[i].get("summary")) for i in want if i in v and v[i].get("summary") != want[i]]
                if missing or wrong:
                    problems[nid] = {"missing": missing[:8], "n_missing": len(missing),
                                     "wrong_summary": wrong[:4]}
            if not problems:
                log(f"{what}: {len(nodes)} nodes agree on root {next(iter(roots.values()))[0]} "
                    f"({next(iter(roots.values()))[1]} patterns) after {time.monotonic() - t:.1f}s")
                return views
            last_state = (f"roots equal {short(roots)} but views incomplete: {short(problems, 1500)}")
        else:
            counts = {}
            if time.monotonic() > deadline:
                for n in nodes:
                    try:
                        v = get_view(n)
                        counts[n.nid] = sum(1 for i in want if i not in v)
                    except TestFailure as e:
                        counts[n.nid] = str(e)
            last_state = f"roots (root, patterns) per node: {short(roots, 2000)}; " \
                         f"expected ids missing per node: {counts or '(not computed)'}"
        if time.monotonic() > deadline:
            fail(f"expected {what} within {timeout}s: all {len(nodes)} roots equal and all "
                 f"{len(want)} expected ids present; seen: {last_state}")
        time.sleep(0.2)


def check_gets(nodes, expected, ids=None, extra=None):
    """`get` every id (or the subset ids) on every node; found, live, summary (+extra fields)."""
    ids = list(expected) if ids is None else list(ids)
    jobs = [(n, i) for n in nodes for i in ids]

    def one(job):
        n, i = job
        r = n.ctl("get", i, timeout_ms=3000)
        return n, i, r

    errors = []
    with ThreadPoolExecutor(max_workers=4) as ex:
        for n, i, r in ex.map(one, jobs):
            if not r.ok:
                errors.append(f"{n.name}: get {i}: {r.describe()}")
                continue
            js = r.js
            exp = {"found": True, "id": hexid(i), "live": True, "summary": expected[i]}
            if extra and i in extra:
                exp.update(extra[i])
            bad = {k: (v, js.get(k)) for k, v in exp.items() if js.get(k) != v}
            if bad:
                errors.append(f"{n.name}: get {i}: expected/seen {bad}")
    if errors:
        fail(f"expected every written id to be visible via `get` on every node "
             f"({len(jobs)} lookups); {len(errors)} problems, first ones:\n  " + "\n  ".join(errors[:10]))
    log(f"get-checked {len(ids)} ids on {len(nodes)} nodes ({len(jobs)} lookups)")


def dropped(stats, node_name):
    d = stats.get("dropped")
    keys = ["short", "oversized", "bad_version", "bad_mac", "unknown_sender", "replayed",
            "decode", "send_failed"]
    if not isinstance(d, dict) or any(not isinstance(d.get(k), int) for k in keys):
        fail(f"expected {node_name} stats.dropped to be an object with integer {keys}; seen {short(d)}")
    return d


def check_replica_format(replica, nid, node_name):
    if not isinstance(replica, str) or not replica.startswith(f"{nid}.") or \
            not replica[len(str(nid)) + 1:]:
        fail(f"expected {node_name} stats.replica to look like \"{nid}.INCARNATION\"; seen {replica!r}")


# --------------------------------------------------------------------------
# Scenarios

def scenario_converge(cl):
    key = cl.keygen("cluster.key")
    nodes = cl.make_members(5, key_file=key, metrics_for=(1,), config_for=(5,), cluster_seed=7)
    start_all(nodes)

    rng = random.Random(11)
    expected, extra = {}, {}
    per_node = {n.nid: 0 for n in nodes}
    for i in range(20):
        n = nodes[i % 5]
        pid = 100 + i
        summary = f"pattern {i} written at node {n.nid}"
        eps = sorted(rng.sample(range(1, 60), rng.randint(1, 4)))
        strength = rng.randint(1, 9)
        write_ok(n, pid, summary, episodes=eps, strength=strength)
        expected[pid] = summary
        extra[pid] = {"episodes": eps, "strength": strength, "absorbed_into": None}
        per_node[n.nid] += 1
    log("wrote 20 patterns over 5 nodes")

    views = wait_converged(nodes, expected)
    check_gets(nodes, expected, extra=extra)
    for nid, v in views.items():
        if len(v) != 20:
            fail(f"expected `view` on node{nid} to list exactly the 20 written patterns; "
                 f"seen {len(v)}: {sorted(v)[:25]}")

    # stats: poll until every peer has been heard from (bounded)
    deadline = time.monotonic() + 10
    while True:
        problems = []
        all_stats = {}
        for n in nodes:
            st = n.stats()
            all_stats[n.nid] = st
            if st.get("node") != n.nid:
                fail(f"expected {n.name} stats.node == {n.nid}; seen {st.get('node')!r}")
            check_replica_format(st.get("replica"), n.nid, n.name)
            for k in ("exchanges_started", "bytes_out", "bytes_in", "datagrams_out", "datagrams_in",
                      "rounds"):
                if not isinstance(st.get(k), int) or st.get(k) <= 0:
                    problems.append(f"{n.name}: expected stats.{k} > 0, seen {st.get(k)!r}")
            if not isinstance(st.get("writes_acknowledged"), int) or \
                    st["writes_acknowledged"] < per_node[n.nid]:
                problems.append(f"{n.name}: expected stats.writes_acknowledged >= {per_node[n.nid]}, "
                                f"seen {st.get('writes_acknowledged')!r}")
            dropped(st, n.name)
            peers = st.get("peers")
            if not isinstance(peers, list):
                fail(f"expected {n.name} stats.peers to be a list; seen {short(peers)}")
            seen = {p.get("id"): p for p in peers}
            if set(seen) != set(n.peers):
                fail(f"expected {n.name} stats.peers ids {sorted(n.peers)}; seen {sorted(seen, key=str)}")
            for pid, p in seen.items():
                if p.get("address") != n.peers[pid]:
                    fail(f"expected {n.name} peer {pid} address {n.peers[pid]}; seen {p.get('address')!r}")
                lh = p.get("last_heard_s")
                if not isinstance(lh, (int, float)) or lh < 0 or lh > 30:
                    problems.append(f"{n.name}: expected peer {pid} last_heard_s a small number, seen {lh!r}")
        if not problems:
            break
        if time.monotonic() > deadline:
            fail("stats check failed:\n  " + "\n  ".join(problems[:12]))
        time.sleep(0.3)
    log("stats OK on all nodes: " + ", ".join(
        f"node{k}: ex={v['exchanges_started']} out={v['bytes_out']}B in={v['bytes_in']}B"
        for k, v in all_stats.items()))

    # Prometheus endpoint of node 1
    n1 = nodes[0]
    url = f"http://127.0.0.1:{n1.mport}/metrics"
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            status = resp.status
            text = resp.read().decode("utf-8", "replace")
    except Exception as e:
        fail(f"expected GET {url} to answer 200 with metrics text; seen error {e!r}")
    if status != 200:
        fail(f"expected GET {url} to answer 200; seen {status}")
    names = ["gossipd_bytes_out_total", "gossipd_bytes_in_total", "gossipd_datagrams_dropped_total",
             "gossipd_exchanges_started_total", "gossipd_patterns"]
    missing = [m for m in names if m not in text]
    if missing:
        fail(f"expected /metrics to contain {names}; missing {missing}; text starts: {text[:800]!r}")

    def metric_sum(name):
        total, found = 0.0, False
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) >= 2 and (parts[0] == name or parts[0].startswith(name + "{")):
                try:
                    total += float(parts[1])
                    found = True
                except ValueError:
                    fail(f"unparseable metrics line {line!r}")
        return total if found else None

    bo = metric_sum("gossipd_bytes_out_total")
    pats = metric_sum("gossipd_patterns")
    if bo is None or bo <= 0:
        fail(f"expected gossipd_bytes_out_total > 0 in /metrics; seen {bo}")
    if pats != 20:
        fail(f"expected gossipd_patterns == 20 in /metrics after convergence; seen {pats}")
    if 'cause="' not in text:
        fail(f"expected gossipd_datagrams_dropped_total to carry cause=\"...\" labels; text: {text[:800]!r}")
    log(f"/metrics OK (bytes_out_total={bo:.0f}, patterns={pats:.0f})")

    # exit codes: bad flags -> 2; gossipctl against a dead port -> 3
    def run_bad(what, argv):
        try:
            p = subprocess.run(argv, capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            fail(f"expected gossipd {what} to exit 2 at once; it was still running after 10s")
        if p.returncode != 2:
            fail(f"expected gossipd {what} to exit 2; seen {p.returncode}, stderr {p.stderr[-400:]!r}")

    _, (free_admin,) = alloc_ports(0, 1)
    bad_data = os.path.join(cl.workdir, "bad-data")
    run_bad("with an unknown flag", [cl.gossipd, "--id", "9", "--listen", "127.0.0.1:1", "--data",
                                     bad_data, "--admin-port", str(free_admin), "--no-such-flag"])
    run_bad("without the required --id", [cl.gossipd, "--listen", "127.0.0.1:1", "--data", bad_data,
                                          "--admin-port", str(free_admin)])
    _, (dead_port,) = alloc_ports(0, 1)
    r = cl.run_ctl([cl.gossipctl, "--admin", str(dead_port), "--timeout-ms", "1000", "root"], 1000)
    if r.rc != 3:
        fail(f"expected gossipctl against a port nobody listens on to exit 3; seen {r.describe()}")

    # clean shutdown: SIGTERM (SIGINT for node 5) -> exit 0
    for n in nodes:
        if n.nid == 5:
            os.kill(n.proc.pid, signal.SIGINT)
            try:
                rc = n.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                rc = None
            sig = "SIGINT"
        else:
            rc = n.terminate(timeout=10)
            sig = "SIGTERM"
        if rc != 0:
            fail(f"expected {n.name} to exit 0 within 10s of {sig}; seen exit code {rc}")
    log("all 5 daemons exited 0 (4 after SIGTERM, 1 after SIGINT)")


def scenario_kill9(cl):
    key = cl.keygen("cluster.key")
    nodes = cl.make_members(5, key_file=key)
    start_all(nodes)
    n3 = cl.nodes[3]
    replica_before = n3.stats().get("replica")
    check_replica_format(replica_before, 3, n3.name)

    acked = {}          # id -> summary
    acked_by = {}       # id -> (node id, "before-kill"/"down"/"after-restart")
    failed = []         # (id, node, rc)
    lock = threading.Lock()
    phase = {"n3": "before-kill"}
    stop_bg = threading.Event()

    def record(pid, summary, node, r, ph):
        # ph: node 3's phase when the write was *started* (an ack may arrive after the kill)
        with lock:
            if r.ok:
                acked[pid] = summary
                acked_by[pid] = (node.nid, ph if node is n3 else "-")
            else:
                failed.append((pid, node.nid, r.rc, ph if node is n3 else "-"))

    def bg_writer():
        # Keeps writes to node 3 in flight all the time until stopped.
        k = 0
        while not stop_bg.is_set():
            pid = 5000 + k
            summary = f"bg write {k} to node3"
            with lock:
                ph = phase["n3"]
            r = write(n3, pid, summary, timeout_ms=2000)
            record(pid, summary, n3, r, ph)
            if not r.ok and r.rc not in (1, 3, None):
                log(f"unexpected gossipctl exit {r.rc}: {r.describe()}")
            k += 1
            time.sleep(0.02)

    bg = threading.Thread(target=bg_writer, daemon=True)
    bg.start()
    inflight_result = None
    for i in range(60):
        if i == 25:
            # start one more write to node 3 right now and SIGKILL it while in flight
            argv = [cl.gossipctl, "--admin", str(n3.aport), "--timeout-ms", "2000", "create",
                    "4000", "--summary", "inflight write at kill"]
            ip = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  stdin=subprocess.DEVNULL)
            time.sleep(random.uniform(0.0, 0.015))
            with lock:
                n3.kill9()
                phase["n3"] = "down"
            try:
                out, err = ip.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                ip.kill()
                out, err = ip.communicate()
            inflight_result = CtlResult(argv, ip.returncode, out.decode(), err.decode(), 0)
            record(4000, "inflight write at kill", n3, inflight_result, "before-kill")
            log(f"in-flight write at kill: exit {ip.returncode} ({'acknowledged' if inflight_result.ok else 'not acknowledged'})")
        if i == 45:
            stop_bg.set()
            bg.join(timeout=15)
            if bg.is_alive():
                fail("test bug: background writer did not stop within 15s")
            n3.start(wait=True)
            phase["n3"] = "after-restart"
            replica_after = n3.stats().get("replica")
            if replica_after != replica_before:
                fail(f"expected node3 to keep its replica after a restart with its data dir "
                     f"(no amnesia): before {replica_before!r}, after {replica_after!r}")
            log(f"node3 restarted with the same replica {replica_after}")
            # Everything node 3 acknowledged must be on node 3 right after the restart
            # (a lower bound: gossip could only add, never remove).
            with lock:
                own = [(p, acked[p]) for p, (nid, ph) in acked_by.items() if nid == 3]
            lost = []
            for p, summ in own:
                r = n3.ctl("get", p)
                if not (r.ok and r.js.get("found") is True and r.js.get("summary") == summ):
                    lost.append((p, r.describe()))
            if lost:
                fail(f"expected all {len(own)} writes acknowledged by node3 before the SIGKILL to be "
                     f"on node3 right after its restart; {len(lost)} missing, e.g. {lost[:3]}")
            log(f"node3 holds all {len(own)} writes it acknowledged before the kill")
        n = nodes[i % 5]
        pid = 2000 + i
        summary = f"kill9 write {i} at node {n.nid}"
        ph = phase["n3"]
        r = write(n, pid, summary, timeout_ms=5000)  # an fsync under a loaded CI machine can take seconds
        record(pid, summary, n, r, ph)
        if not r.ok and n is not n3:
            fail(f"expected write {pid} to live node{n.nid} to be acknowledged; seen {r.describe()}")
        time.sleep(0.05)
    stop_bg.set()

    before_kill = sorted(p for p, (nid, ph) in acked_by.items() if nid == 3 and ph == "before-kill")
    after_restart = sorted(p for p, (nid, ph) in acked_by.items() if nid == 3 and ph == "after-restart")
    down_acks = sorted(p for p, (nid, ph) in acked_by.items() if nid == 3 and ph == "down")
    n3_failures = [f for f in failed if f[1] == 3]
    log(f"{len(acked)} writes acknowledged; node3 acked {len(before_kill)} before the kill, "
        f"{len(after_restart)} after restart; {len(n3_failures)} writes to node3 failed "
        f"(exit codes {sorted({str(f[2]) for f in n3_failures})})")
    if down_acks:
        fail(f"expected no write to be acknowledged by node3 while it was dead; seen acks for {down_acks}")
    if not before_kill or not n3_failures or not after_restart:
        fail(f"test did not exercise the scenario: node3 acks before kill {len(before_kill)}, "
             f"failures while down {len(n3_failures)}, acks after restart {len(after_restart)}")
    bad_rc = [f for f in n3_failures if f[2] not in (3, None, 1)]
    if bad_rc:
        fail(f"expected writes to a dead node to fail with gossipctl exit 3 (no answer); seen {bad_rc[:5]}")

    views = wait_converged(nodes, acked)
    # `get` for everything node 3 acknowledged (incl. before the kill) plus a sample of the rest
    rest = [p for p in acked if p not in before_kill]
    sample = before_kill + random.Random(3).sample(rest, min(15, len(rest)))
    check_gets(nodes, acked, ids=sample)
    if n3.stats().get("replica") != replica_before:
        fail(f"expected node3 replica to stay {replica_before!r} after convergence")
    log(f"all {len(acked)} acknowledged writes visible on all 5 nodes "
        f"({len(next(iter(views.values())))} patterns in total)")


def scenario_amnesia(cl):
    key = cl.keygen("cluster.key")
    nodes = cl.make_members(5, key_file=key)
    start_all(nodes)
    expected = write_round_robin(nodes, 15, 3000, lambda i, n: f"amnesia write {i} at node {n.nid}")
    wait_converged(nodes, expected)

    n2 = cl.nodes[2]
    rep1 = n2.stats().get("replica")
    check_replica_format(rep1, 2, n2.name)
    rc = n2.terminate(timeout=10)
    if rc != 0:
        fail(f"expected node2 to exit 0 within 10s of SIGTERM; seen exit code {rc}")
    log(f"node2 stopped cleanly (replica was {rep1}); deleting {n2.data_dir}")
    shutil.rmtree(n2.data_dir)
    n2.start(wait=True)
    rep2 = n2.stats().get("replica")
    check_replica_format(rep2, 2, n2.name)
    if rep2 == rep1:
        fail(f"expected node2 to come back with a new incarnation after losing its data dir; "
             f"replica before {rep1!r}, after {rep2!r}")
    log(f"node2 restarted empty with new replica {rep2}")

    wait_converged(nodes, expected, what="re-convergence of the amnesiac node2")
    check_gets([n2], expected)

    new = {}
    for k in range(3):
        pid = 3100 + k
        new[pid] = f"written at node2 after amnesia {k}"
        write_ok(n2, pid, new[pid])
    # also a write elsewhere after the restart must reach node 2
    new[3200] = "written at node4 after node2's amnesia"
    write_ok(cl.nodes[4], 3200, new[3200])
    allw = {**expected, **new}
    wait_converged(nodes, allw, what="propagation of node2's new writes")
    check_gets(nodes, new)
    if n2.stats().get("replica") != rep2:
        fail("expected node2's replica to stay the same while running")

    # Part 2: a node that loses its data several times in quick succession (e.g. a
    # crash-looping container on tmpfs) must get a fresh incarnation every time: a reused
    # ReplicaId lets the new life issue different writes under versions the cluster
    # already holds for the old life.
    replicas = [rep1, rep2]
    for cycle in range(4):
        rc = n2.terminate(timeout=10)
        if rc != 0:
            fail(f"expected node2 to exit 0 within 10s of SIGTERM (wipe cycle {cycle + 1}); seen {rc}")
        shutil.rmtree(n2.data_dir)
        n2.start(wait=True)
        r = n2.stats().get("replica")
        check_replica_format(r, 2, n2.name)
        replicas.append(r)
    log(f"node2 replicas over {len(replicas)} lives: {replicas}")
    if len(set(replicas)) != len(replicas):
        dups = sorted({r for r in replicas if replicas.count(r) > 1})
        fail(f"expected node2 to get a new incarnation after every loss of its data dir "
             f"(wiped and restarted {len(replicas) - 1} times, cycles ~tens of ms apart); "
             f"seen replicas {replicas} (reused: {dups})")
    final = {**allw}
    final[3300] = "written at node2 after the wipe cycles"
    write_ok(n2, 3300, final[3300])
    wait_converged(nodes, final, what="convergence after the wipe cycles")
    check_gets(nodes, {3300: final[3300]})


def scenario_torn_log(cl):
    nodes = cl.make_members(3)   # unauthenticated cluster on purpose
    start_all(nodes)
    n1 = cl.nodes[1]
    deadline = time.monotonic() + 5
    while not any("warn" in l.lower() and ("key" in l.lower() or "authenticat" in l.lower())
                  for l in n1.stderr_text().splitlines()):
        if time.monotonic() > deadline:
            fail(f"expected a daemon started without --key-file to log a warning about the "
                 f"unauthenticated cluster; stderr: {n1.stderr_text()[-800:]!r}")
        time.sleep(0.1)
    writes = {}
    order = []
    for i in range(5):
        pid = 4000 + i
        writes[pid] = f"torn-log record {i} with summary text TORNPAYLOAD{i:03d}"
        write_ok(n1, pid, writes[pid])
        order.append(pid)
    # the others must hold every write (including the last) before node 1 loses its tail
    wait_converged(nodes, writes)
    time.sleep(3 * INTERVAL_MS / 1000.0)
    n1.kill9()

    logpath = os.path.join(n1.data_dir, "log")
    if not os.path.isfile(logpath):
        fail(f"expected node1's log at {logpath}; data dir holds {os.listdir(n1.data_dir)}")
    size = os.path.getsize(logpath)
    if size <= 7:
        fail(f"expected node1's log to hold the written records; it is only {size} bytes")
    with open(logpath, "r+b") as f:
        f.truncate(size - 7)
    log(f"truncated {logpath} from {size} to {size - 7} bytes (torn last record)")

    n1.start(wait=True)
    # right after restart: everything but possibly the last write must be there
    # (gossip can only add, so this is a lower bound that cannot flake)
    lost = []
    for pid in order[:-1]:
        r = n1.ctl("get", pid)
        if not (r.ok and r.js.get("found") is True and r.js.get("summary") == writes[pid]):
            lost.append((pid, r.describe()))
    if lost:
        fail(f"expected all but the last write to survive a torn tail on node1 right after "
             f"restart; missing: {lost}")
    deadline = time.monotonic() + 5
    while "torn" not in n1.stderr_text().lower():
        if time.monotonic() > deadline:
            fail(f"expected node1's stderr after restart on a torn log to mention \"torn\"; "
                 f"log {n1.logs[-1]} does not")
        time.sleep(0.1)
    log("node1 restarted on the torn log and said so (\"torn\" in stderr)")
    wait_converged(nodes, writes, what="convergence after torn-log recovery")
    check_gets(nodes, writes)

    # The recovered log must be clean: new records appended after the recovery and
    # another SIGKILL + restart must not run into the old torn bytes.
    more = {}
    for i in range(3):
        pid = 4010 + i
        more[pid] = f"post-recovery record {i}"
        write_ok(n1, pid, more[pid])
    time.sleep(2 * INTERVAL_MS / 1000.0)
    n1.kill9()
    n1.start(wait=True)
    lost = []
    for pid in order[:-1] + sorted(more):
        r = n1.ctl("get", pid)
        want = writes.get(pid, more.get(pid))
        if not (r.ok and r.js.get("found") is True and r.js.get("summary") == want):
            lost.append((pid, r.describe()))
    if lost:
        fail(f"expected node1 to restart from its recovered-then-appended log with every write it "
             f"acknowledged; missing: {lost}")
    err2 = n1.stderr_text().lower()
    if "corrupt" in err2 or "torn" in err2:
        fail(f"expected a clean restart after torn-tail recovery (no torn/corrupt records left); "
             f"stderr: {n1.stderr_text()[-1200:]!r}")
    log("second restart after recovery is clean and has every acknowledged write")
    wait_converged(nodes, {**writes, **more}, what="convergence after the second restart")

    # Part 2: a flipped byte in the middle of the log must stop the daemon.
    time.sleep(2 * INTERVAL_MS / 1000.0)
    n1.kill9()
    with open(logpath, "rb") as f:
        data = bytearray(f.read())
    needle = f"TORNPAYLOAD{0:03d}".encode()
    pos = data.find(needle)
    if pos < 0:
        # summary not stored verbatim: fall back to a byte a third into the file
        off = len(data) // 3
        log(f"summary text not found verbatim in the log; flipping byte at offset {off} instead")
    else:
        off = pos + len(needle) // 2
    if off >= len(data) - 64:
        fail(f"test could not place the flipped byte in the middle of the log (offset {off}, "
             f"size {len(data)})")
    data[off] ^= 0x01
    with open(logpath, "wb") as f:
        f.write(data)
    log(f"flipped byte {off} of {len(data)} in {logpath} (inside the first record's payload)")
    n1.start(wait=False)
    try:
        rc = n1.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        rc = None
    err = n1.stderr_text()
    if rc is None:
        up = n1.ctl("root", timeout_ms=1000)
        n1.force_stop()
        fail(f"expected node1 to refuse to start on a log with a corrupted middle record "
             f"(exit 1 within 10s with \"corrupt\" on stderr); it was still running after 10s "
             f"(admin: {up.describe()})")
    if rc != 1:
        fail(f"expected node1 to exit with code 1 (cannot start) on a corrupt log; seen exit code {rc}")
    if "corrupt" not in err.lower():
        fail(f"expected node1's stderr to contain \"corrupt\" when refusing the log; "
             f"seen stderr: {err[-1500:]!r}")
    log(f"node1 refused the corrupted log: exit {rc}; stderr: "
        f"{[l for l in err.splitlines() if 'corrupt' in l.lower()][:2]}")
    for n in nodes[1:]:
        n.check_alive("(the healthy nodes must keep running)")


def scenario_flood(cl):
    key = cl.keygen("cluster.key")
    nodes = cl.make_members(3, key_file=key)
    n1, n2, n3 = nodes
    proxy = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    proxy.bind(("127.0.0.1", 0))
    proxy_port = proxy.getsockname()[1]
    n1.peers[2] = f"127.0.0.1:{proxy_port}"     # node 1 reaches node 2 via the proxy
    n2_addr = ("127.0.0.1", n2.gport)
    n1_addr = ("127.0.0.1", n1.gport)

    recorded = []
    rec_lock = threading.Lock()
    stop = threading.Event()
    pstats = {"from1": 0, "from2": 0, "doubled": 0}
    doubling = threading.Event()

    def proxy_loop():
        proxy.settimeout(0.2)
        while not stop.is_set():
            try:
                data, src = proxy.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                if stop.is_set():
                    break
                continue
            try:
                if src == n2_addr:
                    pstats["from2"] += 1
                    proxy.sendto(data, n1_addr)
                else:
                    pstats["from1"] += 1
                    with rec_lock:
                        if len(recorded) < 400:
                            recorded.append(bytes(data))
                    proxy.sendto(data, n2_addr)
                    if doubling.is_set():
                        # an immediate replay: the newest counter, well inside the window
                        proxy.sendto(data, n2_addr)
                        pstats["doubled"] += 1
            except OSError:
                pass

    pt = threading.Thread(target=proxy_loop, daemon=True)
    flood_sock = None
    try:
        start_all(nodes, after_fork=pt.start)  # the proxy's thread after the daemons are forked
        expected = write_round_robin(nodes, 6, 6000, lambda i, n: f"flood pre-write {i} at node {n.nid}")
        wait_converged(nodes, expected)
        deadline = time.monotonic() + 20
        while True:
            with rec_lock:
                nrec = len(recorded)
            if nrec >= 10:
                break
            if time.monotonic() > deadline:
                fail(f"expected node1 to send gossip to node2 via the proxy (node1's peer entry for "
                     f"node 2 is the proxy address); the proxy saw only {nrec} datagrams in 20s")
            time.sleep(0.2)
        time.sleep(0.5)   # let node 2 process what the proxy forwarded: recorded ones are now replays
        with rec_lock:
            samples = list(recorded)
        log(f"proxy recorded {len(samples)} node1->node2 datagrams "
            f"(sizes {min(map(len, samples))}..{max(map(len, samples))}); forwarded so far: "
            f"{pstats['from1']} towards node2, {pstats['from2']} towards node1")

        st0 = n2.stats()
        d0 = dropped(st0, "node2")
        rss0 = read_rss_kib(n2.proc.pid)

        flood_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        flood_sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        fstats = {"sent": 0, "errors": 0, "kinds": {}}

        def flood():
            rng = random.Random(99)
            junk = [os.urandom(rng.randint(0, 1500)) for _ in range(400)]
            big = [os.urandom(60 * 1024) for _ in range(3)]
            t0 = time.monotonic()
            sent = 0
            while sent < 50000 and time.monotonic() - t0 < 5.0 and not stop.is_set():
                r = rng.random()
                if r < 0.25:
                    kind, d = "junk", rng.choice(junk)
                elif r < 0.40:
                    # plausible header (version 1, a member id, any counter), garbage body/MAC
                    kind = "forged"
                    d = b"\x01" + struct.pack("<IQ", rng.choice([1, 2, 3, 77]),
                                              rng.getrandbits(64)) + rng.choice(junk)[:rng.randint(0, 300)]
                elif r < 0.43:
                    # 60 KB: half pure junk, half with a plausible header from node 1
                    kind, d = "oversized", rng.choice(big)
                    if rng.random() < 0.5:
                        d = b"\x01" + struct.pack("<IQ", 1, rng.getrandbits(64)) + d[13:]
                elif r < 0.63:
                    s = rng.choice(samples)
                    kind, d = "truncated", s[:rng.randrange(len(s))] if s else b""
                else:
                    kind, d = "replay", rng.choice(samples)
                try:
                    flood_sock.sendto(d, n2_addr)
                except OSError:
                    fstats["errors"] += 1
                sent += 1
                fstats["kinds"][kind] = fstats["kinds"].get(kind, 0) + 1
                if sent % 200 == 0:   # pace at ~10k datagrams/s
                    ahead = sent / 10000.0 - (time.monotonic() - t0)
                    if ahead > 0:
                        time.sleep(ahead)
            fstats["sent"] = sent
            fstats["secs"] = time.monotonic() - t0

        ft = threading.Thread(target=flood, daemon=True)
        log("flooding node2's gossip port for ~5s")
        ft.start()
        probes = []
        k = 0
        while ft.is_alive():
            n2.check_alive("(during the flood)")
            r = n2.ctl("root", timeout_ms=SERVE_S * 1000)
            probes.append(("root", r))
            pid = 6100 + k
            w = write(n2, pid, f"written at node2 during the flood {k}", timeout_ms=SERVE_S * 1000)
            probes.append(("create", w))
            if w.ok:
                expected[pid] = f"written at node2 during the flood {k}"
            k += 1
            for what, pr in probes[-2:]:
                if not pr.ok or pr.elapsed > SERVE_S:
                    stop.set()
                    fail(f"expected node2 to answer `{what}` within {SERVE_S}s during the flood; "
                         f"seen {pr.describe()}")
            time.sleep(0.25)
        ft.join(timeout=10)
        log(f"flood done: {fstats['sent']} datagrams in {fstats.get('secs', 0):.1f}s "
            f"{fstats['kinds']}, {fstats['errors']} send errors; {len(probes)} admin probes OK "
            f"(max {max(p.elapsed for _, p in probes):.2f}s)")
        n2.check_alive("(after the flood)")
        for what in ("root", "create"):
            if what == "root":
                r = n2.ctl("root", timeout_ms=SERVE_S * 1000)
            else:
                expected[6199] = "written at node2 after the flood"
                r = write(n2, 6199, expected[6199], timeout_ms=SERVE_S * 1000)
            if not r.ok or r.elapsed > SERVE_S:
                fail(f"expected node2 to answer `{what}` within {SERVE_S}s after the flood; seen {r.describe()}")
        pid = 6198
        expected[pid] = "written at node1 after the flood"
        write_ok(n1, pid, expected[pid])
        wait_converged(nodes, expected, what="convergence after the flood")

        st1 = n2.stats()
        d1 = dropped(st1, "node2")
        delta = {k: d1[k] - d0[k] for k in d0}
        log(f"node2 dropped counters grew by {delta}")
        if delta["replayed"] <= 0:
            fail(f"expected node2 stats.dropped.replayed to grow from exact replays of recorded "
                 f"datagrams; before {d0}, after {d1}")
        if delta["bad_mac"] <= 0 and delta["short"] <= 0:
            fail(f"expected node2 stats.dropped.bad_mac (or short) to grow from junk/truncated "
                 f"datagrams; before {d0}, after {d1}")
        total_delta = sum(delta.values())
        if total_delta < fstats["sent"] // 10:
            fail(f"expected most of the {fstats['sent']} flood datagrams to be counted as dropped; "
                 f"dropped counters grew by only {total_delta}: {delta}")

        # node 2 must still accept node 1's genuine traffic (forged counters must not
        # have poisoned its replay window for node 1)
        deadline = time.monotonic() + 10
        while True:
            peers = {p.get("id"): p for p in n2.stats().get("peers", [])}
            lh = peers.get(1, {}).get("last_heard_s")
            if isinstance(lh, (int, float)) and lh < 1.0:
                break
            if time.monotonic() > deadline:
                fail(f"expected node2 to keep hearing from node1 after the flood (last_heard_s < 1); "
                     f"seen {peers.get(1)}")
            time.sleep(0.3)

        rss1 = read_rss_kib(n2.proc.pid)
        log(f"node2 RSS before flood {rss0} KiB, after {rss1} KiB")
        if rss1 > rss0 + 64 * 1024:
            fail(f"expected node2's RSS to grow by at most 64 MiB during the flood; "
                 f"before {rss0} KiB, after {rss1} KiB")
        check_gets(nodes, expected, ids=[p for p in expected if p >= 6100])

        # Immediate replays: every node1->node2 datagram sent twice for a while. The copy has
        # the newest counter, inside the replay window: each must be counted as a replay (an
        # old recorded datagram is refused by the window's lower edge alone; this checks the
        # window's memory of what it has seen).
        r0 = dropped(n2.stats(), "node2")["replayed"]
        doubling.set()
        deadline = time.monotonic() + 10
        while pstats["doubled"] < 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        doubling.clear()
        time.sleep(0.3)
        doubled = pstats["doubled"]
        r1 = dropped(n2.stats(), "node2")["replayed"]
        log(f"immediate replays: {doubled} datagrams sent twice, node2's replayed grew by {r1 - r0}")
        if doubled < 5:
            fail(f"the proxy doubled only {doubled} datagrams in 10 s (node1 sends to node2 through it)")
        if r1 - r0 < doubled:
            fail(f"expected each of the {doubled} immediate copies to be dropped as replayed; "
                 f"node2's replayed grew by {r1 - r0}")
    finally:
        stop.set()
        if pt.is_alive():
            pt.join(timeout=5)
        proxy.close()
        if flood_sock:
            flood_sock.close()


def scenario_wrong_key(cl):
    key_a = cl.keygen("cluster-a.key")
    key_b = cl.keygen("rogue-b.key")
    nodes = cl.make_members(3, key_file=key_a)
    udp, tcp = alloc_ports(2, 2)
    # rogue 1: a new id (4) that node 1 lists as a peer, with the wrong key
    rogue = Node(cl, 4, udp[0], tcp[0], key_file=key_b, name="rogue4")
    rogue.peers[1] = cl.nodes[1].listen
    cl.nodes[1].peers[4] = rogue.listen
    # rogue 2: an impostor claiming member id 2 (wrong key, other address), talking to node 3
    impostor = Node(cl, 2, udp[1], tcp[1], key_file=key_b, name="impostor2")
    impostor.peers[3] = cl.nodes[3].listen
    cl.extra += [rogue, impostor]
    start_all(nodes + [rogue, impostor])
    n1, n3 = cl.nodes[1], cl.nodes[3]
    bm1_0 = dropped(n1.stats(), "node1")["bad_mac"]
    d3_0 = dropped(n3.stats(), "node3")

    write_ok(rogue, 9001, "rogue pattern, must not spread")
    write_ok(impostor, 9002, "impostor pattern, must not spread")
    good = write_round_robin(nodes, 6, 9100, lambda i, n: f"good write {i} at node {n.nid}")

    # Watch for a window of many gossip intervals: the rogue ids never show up.
    t_end = time.monotonic() + max(4.0, 20 * INTERVAL_MS / 1000.0)
    polls = 0
    while time.monotonic() < t_end:
        for n in nodes:
            for pid in (9001, 9002):
                r = n.ctl("get", pid, timeout_ms=2000)
                if not r.ok:
                    n.check_alive("(during the wrong-key window)")
                    fail(f"expected `get {pid}` on {n.name} to answer; seen {r.describe()}")
                if r.js.get("found") is not False:
                    fail(f"expected pattern {pid} written at a daemon with the wrong key never to "
                         f"appear at {n.name}; seen {short(r.js)}")
        polls += 1
        time.sleep(0.2)
    log(f"rogue patterns absent from nodes 1..3 over {polls} polls")

    views = wait_converged(nodes, good, what="convergence of the three good nodes")
    for nid, v in views.items():
        for pid in (9001, 9002):
            if hexid(pid) in v:
                fail(f"expected rogue pattern {pid} not in node{nid}'s view; it is")
    rv = get_view(rogue)
    leaked = [p for p in good if hexid(p) in rv]
    if leaked:
        fail(f"expected the rogue (wrong key) not to learn the cluster's patterns; it has {leaked}")
    bm1_1 = dropped(n1.stats(), "node1")["bad_mac"]
    if not bm1_1 > bm1_0:
        fail(f"expected node1 stats.dropped.bad_mac to grow while the wrong-key daemon gossips "
             f"with it; before {bm1_0}, after {bm1_1}")
    d3_1 = dropped(n3.stats(), "node3")
    g3 = (d3_1["bad_mac"] + d3_1["unknown_sender"]) - (d3_0["bad_mac"] + d3_0["unknown_sender"])
    if g3 <= 0:
        fail(f"expected node3 to drop the impostor's datagrams (bad_mac or unknown_sender to grow); "
             f"before {d3_0}, after {d3_1}")
    log(f"node1 bad_mac {bm1_0} -> {bm1_1}; node3 bad_mac+unknown_sender grew by {g3}")
    for d in nodes + [rogue, impostor]:
        d.check_alive("(end of wrong_key)")


SCENARIOS = {
    "converge": scenario_converge,
    "kill9": scenario_kill9,
    "amnesia": scenario_amnesia,
    "torn_log": scenario_torn_log,
    "flood": scenario_flood,
    "wrong_key": scenario_wrong_key,
}


# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gossipd", required=True)
    ap.add_argument("--gossipctl", required=True)
    ap.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    ap.add_argument("--workdir", help="work directory (must be empty or missing; default: a new temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory on success")
    args = ap.parse_args()

    for b in (args.gossipd, args.gossipctl):
        if not (os.path.isfile(b) and os.access(b, os.X_OK)):
            print(f"error: {b} is not an executable file", file=sys.stderr)
            return 2
    gossipd = os.path.abspath(args.gossipd)
    gossipctl = os.path.abspath(args.gossipctl)
    if args.workdir:
        workdir = os.path.abspath(args.workdir)
        if os.path.exists(workdir) and os.listdir(workdir):
            print(f"error: --workdir {workdir} exists and is not empty", file=sys.stderr)
            return 2
        os.makedirs(workdir, exist_ok=True)
    else:
        workdir = tempfile.mkdtemp(prefix=f"gossipd-{args.scenario}-")

    cl = Cluster(gossipd, gossipctl, workdir)

    def on_alarm(signum, frame):
        raise TestFailure(f"scenario exceeded its {SCENARIO_BUDGET_S}s budget")

    def on_term(signum, frame):
        raise TestFailure(f"test interrupted by signal {signum}")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_term)
    signal.alarm(SCENARIO_BUDGET_S)
    log(f"scenario {args.scenario}: workdir {workdir}")
    t = time.monotonic()
    ok = False
    try:
        SCENARIOS[args.scenario](cl)
        ok = True
    except TestFailure as e:
        signal.alarm(0)
        print(f"\nFAIL {args.scenario} after {time.monotonic() - t:.1f}s: {e}", flush=True)
    except KeyboardInterrupt:
        signal.alarm(0)
        print(f"\nFAIL {args.scenario}: interrupted", flush=True)
    except Exception:
        signal.alarm(0)
        print(f"\nFAIL {args.scenario} (unexpected test exception):", flush=True)
        traceback.print_exc(file=sys.stdout)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if not ok:
            cl.print_tails()
        cl.stop_all()
    elapsed = time.monotonic() - t
    if ok:
        print(f"PASS {args.scenario} in {elapsed:.1f}s ({cl.ctl_calls} gossipctl calls)", flush=True)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept workdir {workdir}")
        return 0
    print(f"workdir kept for inspection: {workdir}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
