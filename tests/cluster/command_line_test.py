#!/usr/bin/env python3
"""gossipd and gossipctl on bad input (ctest cluster.command_line): every mistake gets a
clear message and its exit status (2: usage, 1: refused or cannot start), the admin and
metrics interfaces survive garbage, and a SIGTERM'd daemon comes back with its data and its
ReplicaId. One daemon at a time, loopback only, every wait bounded."""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

failures = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what, flush=True)
    if not cond:
        failures.append(what)


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(cmd, timeout=20):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def wait_for_port(port, proc, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def raw_exchange(port, payload, read_until=b"\n", limit=1 << 16):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(payload)
    except OSError:
        pass  # the daemon may close a connection whose request is too long before reading all of it
    data = b""
    try:
        while read_until not in data and len(data) < limit:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    return s, data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gossipd", required=True)
    ap.add_argument("--gossipctl", required=True)
    args = ap.parse_args()
    gd, ctl = args.gossipd, args.gossipctl
    work = tempfile.mkdtemp(prefix="gossipd-cli-")
    procs = []
    try:
        data = os.path.join(work, "d")
        udp = free_port(socket.SOCK_DGRAM)
        base = ["--listen", f"127.0.0.1:{udp}", "--data", data]

        r = run([gd] + base)
        check(r.returncode == 2 and "--id" in r.stderr, f"no --id: exit 2 naming --id (got {r.returncode}: {r.stderr.strip()[:120]})")
        r = run([gd, "--id", "1", "--peer", "two=127.0.0.1:1"] + base)
        check(r.returncode == 2 and "ID=HOST:PORT" in r.stderr, f"bad --peer: exit 2 ({r.returncode}: {r.stderr.strip()[:120]})")
        r = run([gd, "--id", "1", "--peer", "1=127.0.0.1:9"] + base)
        check(r.returncode == 2 and "twice" in r.stderr, f"peer id = own id: exit 2 ({r.returncode}: {r.stderr.strip()[:120]})")
        r = run([gd, "--id", "1", "--message-bytes-max", "100"] + base)
        check(r.returncode == 2 and "message-bytes-max" in r.stderr, f"--message-bytes-max 100: exit 2 ({r.returncode})")
        r = run([gd, "--id", "1", "--log-level", "loud"] + base)
        check(r.returncode == 2 and "log-level" in r.stderr, f"--log-level loud: exit 2 ({r.returncode})")
        bad_key = os.path.join(work, "bad.key")
        with open(bad_key, "w") as f:
            f.write("not a key\n")
        r = run([gd, "--id", "1", "--key-file", bad_key] + base)
        check(r.returncode == 2 and "64 hex digits" in r.stderr, f"junk key file: exit 2 ({r.returncode}: {r.stderr.strip()[:120]})")
        r = run([gd, "--id", "1", "--key-file", os.path.join(work, "missing.key")] + base)
        check(r.returncode == 2 and "cannot read" in r.stderr, f"missing key file: exit 2 ({r.returncode})")

        key = os.path.join(work, "key")
        r = run([ctl, "keygen", key])
        check(r.returncode == 0 and os.stat(key).st_mode & 0o777 == 0o600, "keygen writes a 0600 key")
        r = run([ctl, "keygen", key])
        check(r.returncode == 2 and "cannot create" in r.stderr, f"keygen never overwrites: exit 2 ({r.returncode})")

        dead = free_port(socket.SOCK_STREAM)
        r = run([ctl, "--admin", str(dead), "root"])
        check(r.returncode == 3 and "cannot reach" in r.stderr, f"gossipctl with no daemon: exit 3 ({r.returncode}: {r.stderr.strip()[:120]})")
        r = run([ctl, "--admin", str(dead), "create", "1", "--summary", "s", "--episodes", "1,x"])
        check(r.returncode == 2 and "episodes" in r.stderr, f"gossipctl bad --episodes: exit 2 ({r.returncode})")
        r = run([ctl, "root"])
        check(r.returncode == 2 and "--admin" in r.stderr, f"gossipctl without --admin: exit 2 ({r.returncode})")

        # A UDP port in use: cannot start, exit 1.
        busy = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        busy.bind(("127.0.0.1", 0))
        r = run([gd, "--id", "1", "--listen", f"127.0.0.1:{busy.getsockname()[1]}", "--data", data])
        busy.close()
        check(r.returncode == 1 and "cannot listen" in r.stderr, f"UDP port in use: exit 1 ({r.returncode}: {r.stderr.strip()[-160:]})")

        # One daemon from a config file, with a small message budget.
        admin, metrics = free_port(socket.SOCK_STREAM), free_port(socket.SOCK_STREAM)
        conf = os.path.join(work, "node.conf")
        with open(conf, "w") as f:
            f.write(f'id = 1\nlisten = "127.0.0.1:{udp}"\ndata = "{data}"\nkey-file = "{key}"\n'
                    f'admin-port = {admin}\nmetrics-port = {metrics}\nmessage-bytes-max = 512\n'
                    f'peer = ["2=127.0.0.1:{free_port(socket.SOCK_DGRAM)}"]\ninterval-ms = 100\n')
        log = open(os.path.join(work, "log"), "w")
        p = subprocess.Popen([gd, "--config", conf], stderr=log)
        procs.append(p)
        check(wait_for_port(admin, p), "a daemon started from a config file answers")
        a = ["--admin", str(admin)]
        r = run([gd, "--id", "1", "--listen", f"127.0.0.1:{free_port(socket.SOCK_DGRAM)}", "--data", data])
        check(r.returncode == 1 and "LOCK" in r.stderr,
              f"a second daemon on the same data directory refuses to start ({r.returncode}: {r.stderr.strip()[-160:]})")
        r = run([ctl] + a + ["create", "7", "--summary", "seven", "--episodes", "3,1,2"])
        first = json.loads(r.stdout) if r.returncode == 0 else {}
        check(r.returncode == 0 and first.get("durable") is True, f"create answered durable ({r.returncode}: {r.stdout[:160]})")
        r = run([ctl] + a + ["create", "7", "--summary", "again"])
        check(r.returncode == 1 and json.loads(r.stdout)["ok"] is False, f"create of an existing id: exit 1 ({r.returncode})")
        r = run([ctl] + a + ["refine", "8", "--summary", "nobody"])
        check(r.returncode == 1, f"refine of a missing id: exit 1 ({r.returncode})")
        r = run([ctl] + a + ["absorb", "7", "7"])
        check(r.returncode == 1, f"absorb into itself: exit 1 ({r.returncode})")
        big = ",".join(str(i * 1_000_003) for i in range(300))  # deltas of 3 varint bytes: about 900 bytes
        r = run([ctl] + a + ["create", "9", "--summary", "big", "--episodes", big])
        check(r.returncode == 1 and "could never reach" in r.stdout, f"a register over the 512-byte budget is refused ({r.returncode}: {r.stdout[:200]})")
        r = run([ctl] + a + ["get", "9"])
        check(r.returncode == 0 and json.loads(r.stdout)["found"] is False, "the refused write left nothing")
        r = run([ctl] + a + ["get", "zz"])
        check(r.returncode == 1 and "hex" in r.stdout, f"get of a malformed id: exit 1 ({r.returncode})")
        r = run([ctl] + a + ["get", "7"])
        got = json.loads(r.stdout)
        check(got.get("episodes") == [1, 2, 3] and got.get("summary") == "seven", f"get reads the write back ({r.stdout[:160]})")

        # Garbage on the admin interface: an error answer, the connection still usable.
        s, out = raw_exchange(admin, b"this is not json\n")
        check(b'"ok":false' in out and b"bad request" in out, f"a non-JSON line gets an error ({out[:100]!r})")
        s.sendall(b'{"op":"root"}\n')
        more = s.recv(65536)
        check(b'"root"' in more, "the same connection answers the next request")
        s.close()
        s, out = raw_exchange(admin, b'{"op":"fly"}\n')
        check(b"unknown op" in out, "an unknown op is named")
        s.close()
        # Found by a review: bytes that are not UTF-8 made the error answer itself unprintable,
        # and the daemon aborted; values of the wrong type were cast and acknowledged.
        for bad in (b"\xff\n", b'{"op":"\xc3\x28"}\n', b'{"op":"get","id":"\xff"}\n'):
            s, out = raw_exchange(admin, bad)
            check(b'"ok":false' in out, f"a request with bytes that are not UTF-8 gets an error ({bad!r}: {out[:80]!r})")
            s.close()
        for field, value in (("strength", -1), ("strength", 1 << 40), ("strength", True), ("strength", 2.5),
                             ("episodes", [-1]), ("episodes", [2.7]), ("episodes", "x"), ("episodes", [True]),
                             ("summary", 7)):
            req = {"op": "create", "id": "77", "summary": "typed", "episodes": [1], "strength": 1}
            req[field] = value
            s, out = raw_exchange(admin, (json.dumps(req) + "\n").encode())
            check(b'"ok":false' in out, f"create with {field} = {value!r} is refused ({out[:120]!r})")
            s.close()
        check(json.loads(run([ctl] + a + ["get", "77"]).stdout).get("found") is False, "no mistyped write was made")
        check(p.poll() is None, "the daemon is still running after the malformed requests")
        s, out = raw_exchange(admin, b"x" * (2 << 20))
        check(b"longer than" in out, f"a 2 MiB request is refused ({out[:100]!r})")
        s.close()
        # Metrics: 200 at /metrics, 404 elsewhere.
        s, out = raw_exchange(metrics, b"GET /metrics HTTP/1.0\r\n\r\n", read_until=b"gossipd_uptime_seconds")
        check(out.startswith(b"HTTP/1.0 200") and b"gossipd_patterns 1" in out, f"GET /metrics ({out[:60]!r})")
        s.close()
        s, out = raw_exchange(metrics, b"GET / HTTP/1.0\r\n\r\n")
        check(out.startswith(b"HTTP/1.0 404"), "GET / is 404")
        s.close()
        replica = json.loads(run([ctl] + a + ["stats"]).stdout)["replica"]

        # SIGTERM: exit 0 with a snapshot; back with its data and its ReplicaId.
        p.send_signal(signal.SIGTERM)
        try:
            code = p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        log.flush()
        text = open(os.path.join(work, "log")).read()
        check(code == 0 and "snapshot written" in text, f"SIGTERM: exit 0 after a snapshot ({code})")
        p = subprocess.Popen([gd, "--config", conf], stderr=log)
        procs.append(p)
        check(wait_for_port(admin, p), "restarts")
        st = json.loads(run([ctl] + a + ["stats"]).stdout)
        check(st["replica"] == replica, f"a restart with its data keeps its ReplicaId ({replica} -> {st['replica']})")
        check(json.loads(run([ctl] + a + ["get", "7"]).stdout).get("summary") == "seven", "the write survived the restart")
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=10)

        # kill -9 a lone node (its one peer never answers, so nothing it wrote is anywhere else):
        # every write it acknowledged is back after the restart, from its log alone.
        p = subprocess.Popen([gd, "--config", conf], stderr=log)
        procs.append(p)
        check(wait_for_port(admin, p), "restarts for kill -9")
        lone = []
        for k in range(30):
            r = run([ctl] + a + ["create", str(1000 + k), "--summary", f"lone {k}", "--episodes", str(k)])
            if r.returncode == 0:
                lone.append(1000 + k)
        p.kill()
        p.wait(timeout=10)
        p = subprocess.Popen([gd, "--config", conf], stderr=log)
        procs.append(p)
        check(wait_for_port(admin, p), "restarts after kill -9")
        missing = [i for i in lone if not json.loads(run([ctl] + a + ["get", str(i)]).stdout).get("found")]
        check(len(lone) == 30 and not missing, f"kill -9: every acknowledged write is back from the log ({len(lone)} acknowledged, missing {missing[:5]})")
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=10)

        # The disk fails under a write (a file size limit, so the append fails with EFBIG):
        # that write is not acknowledged, the daemon exits 1, and a restart holds every write
        # it did acknowledge.
        full = os.path.join(work, "full")
        conf2 = os.path.join(work, "full.conf")
        with open(conf2, "w") as f:
            f.write(f'id = 1\nlisten = "127.0.0.1:{udp}"\ndata = "{full}"\nadmin-port = {admin}\n')
        limit = 4096
        p = subprocess.Popen([gd, "--config", conf2], stderr=log,
                             preexec_fn=lambda: __import__("resource").setrlimit(
                                 __import__("resource").RLIMIT_FSIZE, (limit, limit)))
        procs.append(p)
        check(wait_for_port(admin, p), "a daemon under a 4 KiB file size limit starts")
        acked, refused = [], None
        for k in range(200):
            r = run([ctl] + a + ["create", str(100 + k), "--summary", "x" * 40])
            if r.returncode == 0:
                acked.append(100 + k)
            else:
                refused = r
                break
        check(refused is not None and refused.returncode in (1, 3) and "not durable" in (refused.stdout + refused.stderr),
              f"the write the disk refused is not acknowledged ({len(acked)} acknowledged before it; "
              f"{(refused.stdout + refused.stderr)[:160] if refused else 'none refused'})")
        try:
            code = p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        check(code == 1, f"the daemon exits 1 after the disk failed ({code})")
        p = subprocess.Popen([gd, "--config", conf2], stderr=log)
        procs.append(p)
        check(wait_for_port(admin, p), "restarts without the limit")
        missing = [i for i in acked if not json.loads(run([ctl] + a + ["get", str(i)]).stdout).get("found")]
        check(acked and not missing, f"every acknowledged write is back ({len(acked)} acknowledged, missing {missing[:5]})")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    if failures:
        print(f"\n{len(failures)} checks failed; logs in {work}")
        try:
            print(open(os.path.join(work, "log")).read()[-3000:])
        except OSError:
            pass
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print("all checks hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
