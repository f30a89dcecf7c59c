#!/usr/bin/env python3
"""The figures of gossipd on loopback (docs/PERFORMANCE.md, "gossipd on loopback").

Starts 5 gossipd with a cluster key on 127.0.0.1 and measures
  1. bytes per second per node, and bytes per exchange, of the converged cluster at a
     1-second interval (after the fresh-write windows have passed);
  2. the time from an acknowledged write at one node until all 5 hold it, over --writes
     writes (one every --spacing seconds, round robin over the nodes), in ms and in
     gossip intervals;
  3. the latency of an acknowledged (fsync'd) write, seen by a client on one persistent
     admin connection, over --acked writes.
Every figure is printed and, with --json FILE, written as JSON.

  python3 bench/cluster_bench.py --bin build/release/gossipd [--json out.json]
"""
import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Admin:
    """A persistent connection to a daemon's admin interface (JSON lines), opened again when
    the daemon closed it (it closes connections idle for 60 s)."""

    def __init__(self, port):
        self.port = port
        self.connect()

    def connect(self):
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        self.buf = b""

    def ask(self, **request):
        for attempt in range(2):
            try:
                self.sock.sendall((json.dumps(request) + "\n").encode())
                while b"\n" not in self.buf:
                    chunk = self.sock.recv(1 << 16)
                    if not chunk:
                        raise ConnectionError("admin connection closed")
                    self.buf += chunk
                line, self.buf = self.buf.split(b"\n", 1)
                return json.loads(line)
            except (ConnectionError, BrokenPipeError):
                if attempt == 1 or request.get("op") in ("create", "refine", "absorb"):
                    raise  # a write is never sent twice: its first answer may have been lost
                self.sock.close()
                self.connect()


def percentile(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def start_cluster(args, work, n):
    key = os.path.join(work, "key")
    subprocess.run([os.path.join(args.bin, "gossipctl"), "keygen", key], check=True, stdout=subprocess.DEVNULL)
    udp = [free_port(socket.SOCK_DGRAM) for _ in range(n)]
    admin = [free_port(socket.SOCK_STREAM) for _ in range(n)]
    procs = []
    for i in range(n):
        cmd = [os.path.join(args.bin, "gossipd"), "--id", str(i + 1), "--listen", f"127.0.0.1:{udp[i]}",
               "--data", os.path.join(work, f"d{i + 1}"), "--key-file", key, "--interval-ms", str(args.interval_ms),
               "--admin-port", str(admin[i]), "--cluster-seed", "17"]
        for j in range(n):
            if j != i:
                cmd += ["--peer", f"{j + 1}=127.0.0.1:{udp[j]}"]
        procs.append(subprocess.Popen(cmd, stderr=open(os.path.join(work, f"log{i + 1}"), "w")))
    clients = []
    deadline = time.time() + 10
    for i in range(n):
        while True:
            try:
                clients.append(Admin(admin[i]))
                break
            except OSError:
                if time.time() > deadline or procs[i].poll() is not None:
                    raise RuntimeError(f"node {i + 1} did not start; see {work}/log{i + 1}")
                time.sleep(0.05)
    return procs, clients


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="the folder with gossipd and gossipctl")
    ap.add_argument("--interval-ms", type=int, default=1000)
    ap.add_argument("--idle", type=float, default=60, help="seconds the converged cluster is measured")
    ap.add_argument("--writes", type=int, default=100)
    ap.add_argument("--spacing", type=float, default=0.5, help="seconds between the propagation writes")
    ap.add_argument("--acked", type=int, default=1000)
    ap.add_argument("--json")
    ap.add_argument("--workdir", help="where the data directories go (default: a new folder in /tmp)")
    args = ap.parse_args()
    n = 5
    interval = args.interval_ms / 1000
    work = tempfile.mkdtemp(prefix="gossipd-bench-", dir=args.workdir)
    procs, nodes = start_cluster(args, work, n)
    out = {"nodes": n, "interval_ms": args.interval_ms, "date": time.strftime("%Y-%m-%d"),
           "filesystem": subprocess.run(["df", "-T", work], capture_output=True, text=True).stdout.split("\n")[1].split()[1]}
    try:
        # 100 patterns, then wait for the fresh windows (2*ceil(log2 5)+4 = 10 rounds) to pass.
        for k in range(100):
            r = nodes[k % n].ask(op="create", id=str(10_000 + k), summary=f"seed {k}", episodes=[k, k + 1])
            assert r["ok"], r
        settle = time.time() + 12 * interval + 3
        while time.time() < settle or len({c.ask(op="root")["root"] for c in nodes}) != 1:
            time.sleep(0.2)
            if time.time() > settle + 60:
                raise RuntimeError("the cluster did not converge")
        # 1. the converged cluster.
        before = [c.ask(op="stats") for c in nodes]
        t0 = time.time()
        time.sleep(args.idle)
        after = [c.ask(op="stats") for c in nodes]
        elapsed = time.time() - t0
        sent = [a["bytes_out"] - b["bytes_out"] for a, b in zip(after, before)]
        received = [a["bytes_in"] - b["bytes_in"] for a, b in zip(after, before)]
        exchanges = sum(a["exchanges_started"] - b["exchanges_started"] for a, b in zip(after, before))
        datagrams = sum(a["datagrams_out"] - b["datagrams_out"] for a, b in zip(after, before))
        out["idle"] = {
            "seconds": round(elapsed, 1),
            "bytes_out_per_s_per_node": [round(s / elapsed, 1) for s in sent],
            "bytes_in_per_s_per_node": [round(r / elapsed, 1) for r in received],
            "exchanges": exchanges,
            "datagrams": datagrams,
            "bytes_per_exchange": round(sum(sent) / exchanges, 2),
            "bytes_per_datagram": round(sum(sent) / datagrams, 2),
        }
        print(f"converged, {n} nodes, interval {args.interval_ms} ms, {elapsed:.1f} s: "
              f"bytes out per node per second {out['idle']['bytes_out_per_s_per_node']}, "
              f"{exchanges} exchanges, {datagrams} datagrams, {out['idle']['bytes_per_exchange']} bytes per exchange "
              f"(envelope and MAC included)", flush=True)

        # 2. write -> held by all 5.
        pending = {}  # id -> (t_ack, writer)
        delays = []
        next_write = time.time()
        k = 0
        deadline = time.time() + args.writes * args.spacing + 60
        while (k < args.writes or pending) and time.time() < deadline:
            now = time.time()
            if k < args.writes and now >= next_write:
                pid = str(20_000 + k)
                writer = k % n
                r = nodes[writer].ask(op="create", id=pid, summary=f"w{k}", episodes=[k])
                assert r["ok"], r
                pending[pid] = (time.time(), {writer})
                k += 1
                next_write += args.spacing
            for pid, (t_ack, holders) in list(pending.items()):
                for i in range(n):
                    if i not in holders and nodes[i].ask(op="get", id=pid)["found"]:
                        holders.add(i)
                if len(holders) == n:
                    delays.append(time.time() - t_ack)
                    del pending[pid]
            time.sleep(0.005)
        if pending:
            raise RuntimeError(f"{len(pending)} writes did not reach every node in time")
        out["propagation"] = {
            "writes": len(delays),
            "p50_ms": round(percentile(delays, 50) * 1000, 1),
            "p99_ms": round(percentile(delays, 99) * 1000, 1),
            "max_ms": round(max(delays) * 1000, 1),
            "p50_intervals": round(percentile(delays, 50) / interval, 2),
            "p99_intervals": round(percentile(delays, 99) / interval, 2),
        }
        print(f"write -> all {n}: {len(delays)} writes, p50 {out['propagation']['p50_ms']} ms "
              f"({out['propagation']['p50_intervals']} intervals), p99 {out['propagation']['p99_ms']} ms "
              f"({out['propagation']['p99_intervals']} intervals), max {out['propagation']['max_ms']} ms", flush=True)

        # 3. acknowledged-write latency (fsync) at node 1.
        lat = []
        for k in range(args.acked):
            t = time.perf_counter()
            r = nodes[0].ask(op="create", id=str(30_000 + k), summary=f"a{k}")
            lat.append(time.perf_counter() - t)
            assert r["ok"] and r["durable"], r
        out["acked_write"] = {
            "writes": len(lat),
            "p50_ms": round(percentile(lat, 50) * 1000, 3),
            "p99_ms": round(percentile(lat, 99) * 1000, 3),
            "max_ms": round(max(lat) * 1000, 3),
        }
        print(f"acknowledged write (fsync'd) at node 1: {len(lat)} writes, p50 {out['acked_write']['p50_ms']} ms, "
              f"p99 {out['acked_write']['p99_ms']} ms, max {out['acked_write']['max_ms']} ms "
              f"(data on {out['filesystem']})", flush=True)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
