"""How a certification run behaves as a process, for the certify tests (label certify):

  lock        a second certify on the same --out is refused (exit 2) while the first runs
  progress    with stdout to a pipe, a line per property comes as each finishes, not at the end
  interrupt   SIGINT: exit 130, certificate.json left with "complete": false, nothing left running
  trace       a replay that runs otherwise than the run certify recorded is said (exit 3 when it holds)
  verify      --verify reproduces an intact certificate (exit 0), and says a changed certificate or a
              changed plug-in (exit 1)

usage: run_control_test.py GOSSIPCHECK HANG_PLUGIN REFERENCE_PLUGIN MUTANT_PLUGIN WORK_DIR
Every wait is bounded; a failure says what was expected and what was seen.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

gossipcheck, hang, reference, mutant, work = sys.argv[1:6]
failures = []


def fail(what):
    failures.append(what)
    print("FAIL:", what, flush=True)


def wait_for(predicate, seconds, what):
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if predicate():
            return True
        time.sleep(0.05)
    fail("timed out waiting for " + what)
    return False


def certify(out, *args, **kw):
    return subprocess.Popen([gossipcheck, "certify", "--out", out] + list(args), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def descendants_alive(marker):
    """Processes whose command line names `marker` (a directory of this test)."""
    alive = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in cmd and "run_control_test" not in cmd:
            alive.append(pid + " " + cmd)
    return alive


shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)

# lock, progress and interrupt: one run that hangs (each property times out after 6 s).
out = os.path.join(work, "hang")
started = time.monotonic()
first = certify(out, "--impl", hang, "--profile", "smoke", "--only", "histories,in_sync_cost,near_collision",
                "--timeout", "6", "--jobs", "1")
wait_for(lambda: os.path.exists(os.path.join(out, "logs", "histories.log")), 20, "the first run's first property")
second = certify(out, "--impl", reference, "--profile", "smoke", "--only", "in_sync_cost")
try:
    o2, e2 = second.communicate(timeout=30)
except subprocess.TimeoutExpired:
    second.kill()
    o2, e2 = second.communicate()
if second.returncode != 2 or "another gossipcheck certify is writing to" not in e2:
    fail("lock: a second certify on the same --out exited %s, not 2 with a refusal: %s" % (second.returncode, e2))

# progress: the first property's line arrives when it ends (about 6 s in), not with the rest
# (18 s in).
line = ""
until = time.monotonic() + 30
while time.monotonic() < until and not re.match(r"^  histories\s", line):
    line = first.stdout.readline()
    if line == "":
        break
if not re.match(r"^  histories\s+timed out", line):
    fail("progress: expected the line '  histories ... timed out' before the end, got %r" % line)
elif time.monotonic() - started > 11 or first.poll() is not None:
    fail("progress: the first property's line came %.1f s after the start: only when the run ended"
         % (time.monotonic() - started))

# interrupt: SIGINT while the second property hangs.
first.send_signal(signal.SIGINT)
try:
    rest, err = first.communicate(timeout=30)
except subprocess.TimeoutExpired:
    first.kill()
    rest, err = first.communicate()
    fail("interrupt: certify did not end within 30 s of SIGINT")
if first.returncode != 130:
    fail("interrupt: exit %s, expected 130; stderr: %s" % (first.returncode, err))
try:
    with open(os.path.join(out, "certificate.json")) as f:
        cert = json.load(f)
    if cert.get("complete") is not False or cert.get("verdict") != "interrupted":
        fail("interrupt: the certificate says complete=%r verdict=%r, expected false and 'interrupted'"
             % (cert.get("complete"), cert.get("verdict")))
    if not any(p["property"] == "histories" and p["verdict"] == "timed out" for p in cert.get("properties", [])):
        fail("interrupt: the certificate lost the property that finished before the interrupt")
except (OSError, ValueError) as e:
    fail("interrupt: no readable certificate.json: %s" % e)
time.sleep(0.5)
left = descendants_alive(out)
if left:
    fail("interrupt: processes left running: %s" % left)
    for p in left:
        os.kill(int(p.split()[0]), signal.SIGKILL)

# trace: a failing history of a mutant, recorded with its run's trace; replayed on the same
# plug-in it is the same run; with its trace changed it is said not to be, and on the reference
# (another implementation) the trace is not compared.
out = os.path.join(work, "mutant")
run = subprocess.run([gossipcheck, "certify", "--out", out, "--impl", mutant, "--profile", "smoke", "--only", "histories"],
                     capture_output=True, text=True, timeout=300)
histories = [os.path.join(out, "counterexamples", f) for f in os.listdir(os.path.join(out, "counterexamples"))
             if f.endswith(".history")] if os.path.isdir(os.path.join(out, "counterexamples")) else []
if run.returncode != 1 or not histories:
    fail("trace: the mutant's certification exited %s with %d histories saved" % (run.returncode, len(histories)))
else:
    text = open(histories[0]).read()
    if not re.search(r"(?m)^trace [0-9a-f]{16}$", text) or not re.search(r"(?m)^implementation [0-9a-f]{64}$", text):
        fail("trace: the saved history records no trace and implementation:\n" + text[:400])
    same = subprocess.run([gossipcheck, "replay", "--quiet", "--impl", mutant, histories[0]], capture_output=True, text=True,
                          timeout=120)
    if same.returncode != 1 or "the same run as the one recorded" not in same.stdout:
        fail("trace: replaying on the mutant gave exit %s: %s" % (same.returncode, same.stdout + same.stderr))
    changed = os.path.join(work, "changed.history")
    with open(changed, "w") as f:
        f.write(re.sub(r"(?m)^trace [0-9a-f]{16}$", "trace 0123456789abcdef", text))
    differs = subprocess.run([gossipcheck, "replay", "--quiet", "--impl", mutant, changed], capture_output=True, text=True,
                             timeout=120)
    if differs.returncode != 1 or "NOT THE RUN RECORDED" not in differs.stdout:
        fail("trace: a changed trace was not said (exit %s): %s" % (differs.returncode, differs.stdout))
    # A run that holds and is not the recorded one: the same file with the reference's identity
    # recorded (the reference holds on a mutant's counterexample): exit 3.
    ident = subprocess.run([gossipcheck, "certify", "--out", os.path.join(work, "ref"), "--impl", reference, "--profile",
                            "smoke", "--only", "in_sync_cost"], capture_output=True, text=True, timeout=120)
    digest = json.load(open(os.path.join(work, "ref", "certificate.json")))["implementation"]["digest"]
    held = os.path.join(work, "held.history")
    with open(held, "w") as f:
        f.write(re.sub(r"(?m)^implementation [0-9a-f]{64}$", "implementation " + digest, text))
    three = subprocess.run([gossipcheck, "replay", "--quiet", "--impl", reference, held], capture_output=True, text=True,
                           timeout=120)
    if three.returncode != 3 or "NOT THE RUN RECORDED" not in three.stdout:
        fail("trace: a replay that held and ran otherwise than recorded gave exit %s, not 3: %s"
             % (three.returncode, three.stdout + three.stderr))

# verify: a certificate of a copy of the reference plug-in.
lib = os.path.join(work, "libnode.so")
shutil.copy(reference, lib)
out = os.path.join(work, "verify")
subprocess.run([gossipcheck, "certify", "--out", out, "--impl", lib, "--profile", "smoke", "--only",
                "in_sync_cost,writes_at_limits"], capture_output=True, text=True, timeout=120)
cert_file = os.path.join(out, "certificate.json")
again = subprocess.run([gossipcheck, "certify", "--verify", cert_file, "--out", os.path.join(work, "again")],
                       capture_output=True, text=True, timeout=120)
if again.returncode != 0 or "reproduced: every verdict is the one certified" not in again.stdout:
    fail("verify: an intact certificate gave exit %s: %s" % (again.returncode, again.stdout + again.stderr))
cert = json.load(open(cert_file))
cert["properties"][0]["verdict"] = "fails" if cert["properties"][0]["verdict"] == "holds" else "holds"
changed = os.path.join(work, "changed.json")
json.dump(cert, open(changed, "w"))
tampered = subprocess.run([gossipcheck, "certify", "--verify", changed, "--out", os.path.join(work, "again")],
                          capture_output=True, text=True, timeout=120)
if tampered.returncode != 1 or "was changed after certify wrote it" not in tampered.stdout or "DIFFERS" not in tampered.stdout:
    fail("verify: a changed certificate gave exit %s: %s" % (tampered.returncode, tampered.stdout + tampered.stderr))
with open(lib, "ab") as f:
    f.write(b"\0")
rebuilt = subprocess.run([gossipcheck, "certify", "--verify", cert_file, "--out", os.path.join(work, "again")],
                         capture_output=True, text=True, timeout=120)
if rebuilt.returncode != 1 or "not the ones certified" not in rebuilt.stdout:
    fail("verify: a changed plug-in gave exit %s: %s" % (rebuilt.returncode, rebuilt.stdout + rebuilt.stderr))

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
