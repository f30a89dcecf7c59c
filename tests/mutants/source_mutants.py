#!/usr/bin/env python3
"""Source-level mutants of reference/: shows that the unit tests can fail.

Each mutant is one textual edit of one file, modelled on a real bug class. For each, the
script copies the source tree to a scratch folder, applies the edit, builds the dev preset
there and runs ctest; a mutant is *killed* when at least one test fails. The working tree
is never touched. Usage:

    python3 tests/mutants/source_mutants.py            # all mutants
    python3 tests/mutants/source_mutants.py NAME ...   # some of them

Exit code 0 only when every mutant is killed. MUTANTS_ALL_NAMES=1 lists every failing test.
The catalogue is properties/mutants/catalogue.json; `gossipcheck mutants` runs the property
suite against the same mutants (the CI gate); this script, run by hand, shows that the unit
tests bite as well.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# One catalogue for both: properties/mutants/catalogue.json (gossipcheck mutants runs the
# property suite against each; this script runs the unit tests against each).
with open(os.path.join(ROOT, "properties", "mutants", "catalogue.json")) as f:
    MUTANTS = [(m["name"], m["file"], m["find"], m["replace"], m["bug"])
               for m in json.load(f)["mutants"]]


def run(cmd, cwd, log):
    return subprocess.run(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT).returncode


def main(names):
    chosen = [m for m in MUTANTS if not names or m[0] in names]
    if names and len(chosen) != len(names):
        print("unknown mutant; known: " + ", ".join(m[0] for m in MUTANTS), file=sys.stderr)
        return 2
    scratch = tempfile.mkdtemp(prefix="gossip-mutants-")
    src = os.path.join(scratch, "src")
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns("build", ".git"))
    build = os.path.join(scratch, "build")
    log_path = os.path.join(scratch, "log.txt")
    survivors = []
    with open(log_path, "w") as log:
        cfg = ["cmake", "-S", src, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Debug",
               "-DGOSSIP_BUILD_BENCH=OFF", "-DGOSSIP_BUILD_MUTANTS=OFF"]
        if run(cfg, src, log) != 0:
            print("configure failed, see " + log_path)
            return 2
        print(f"{'mutant':26} {'killed':7} failing tests (bug class)")
        for name, rel, old, new, bug in chosen:
            path = os.path.join(src, rel)
            original = open(path).read()
            if original.count(old) != 1:
                print(f"{name:26} ERROR   the text to replace is not found exactly once in {rel}")
                survivors.append(name)
                continue
            open(path, "w").write(original.replace(old, new))
            try:
                if run(["cmake", "--build", build], src, log) != 0:
                    log.flush()
                    with open(log_path) as f:
                        tail = [l for l in f.read().splitlines() if "error" in l][-3:]
                    print(f"{name:26} {'build':7} (the mutant does not compile: fix the mutant)")
                    for line in tail:
                        print("    " + line)
                    survivors.append(name)
                    continue
                # One failing test is enough to kill a mutant: stop there (a mutant that makes
                # the simulator run to its liveness bound costs minutes otherwise), unless
                # every failing test is asked for.
                # The unit, sim and CLI tests only: the properties are the kill matrix's business
                # (gossipcheck mutants).
                cmd = ["ctest", "--test-dir", build, "-j2", "--timeout", "300", "-LE", "property"]
                if not os.environ.get("MUTANTS_ALL_NAMES"):
                    cmd.append("--stop-on-failure")
                out = subprocess.run(cmd, cwd=src, capture_output=True, text=True).stdout
                failing = re.findall(r"\d+ - (\S+) \(", out)
                killed = bool(failing)
                shown = ", ".join(failing[:3]) + (f" (+{len(failing) - 3})" if len(failing) > 3 else "")
                if os.environ.get("MUTANTS_ALL_NAMES"):
                    shown = ", ".join(failing)
                print(f"{name:26} {'yes' if killed else 'NO':7} {shown or '-'}  ({bug})")
                if not killed:
                    survivors.append(name)
            finally:
                open(path, "w").write(original)
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"{len(chosen) - len(survivors)} of {len(chosen)} mutants killed")
    print(f"mutants: {len(chosen) - len(survivors)} passed, {len(survivors)} failed")
    return 0 if not survivors else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
