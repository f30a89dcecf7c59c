#!/usr/bin/env python3
"""Source-level mutants of reference/: shows that the unit tests can fail.

Each mutant is one textual edit of one file, modelled on a real bug class. For each, the
script copies the source tree to a scratch folder, applies the edit, builds the dev preset
there and runs ctest; a mutant is *killed* when at least one test fails. The working tree
is never touched. Usage:

    python3 tests/mutants/source_mutants.py            # all mutants
    python3 tests/mutants/source_mutants.py NAME ...   # some of them

Exit code 0 only when every mutant is killed. MUTANTS_ALL_NAMES=1 lists every failing test. The full mutant catalogue, run by
`gossipcheck mutants` against the property suite, replaces this with the properties issue.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# name, file, text to replace, replacement, bug class
MUTANTS = [
    ("no-eager-push", "reference/node.cc",
     "  hello.registers = fresh_registers({});\n",
     "",
     "fresh writes wait for the walk: slow under loss (I10)"),
    ("ideal-model-push-only", "faultnet/sim.cc",
     "        if (knows[v] || knows[u]) next[v] = next[u] = 1;",
     "        if (knows[v]) next[u] = 1;",
     "the yardstick itself wrong: push-only taken for push-pull"),
    ("hidden-global-seed", "reference/node.cc",
     "      rng_(seed),",
     "      rng_([&] { static std::uint64_t calls = 0; return seed + calls++; }()),",
     "state outside the seed: the same seed does not replay (I12)"),
    ("exchanges-never-expire", "reference/node.cc",
     "    if (it->second.deadline <= now_) {",
     "    if (false) {",
     "a peer that vanishes mid-exchange is waited for forever"),
    ("checksum-ignored", "reference/codec.cc",
     "  if (stored != checksum32(bytes.first(body))) {",
     "  if (false) {",
     "corrupted frames accepted"),
    ("push-never-pull", "reference/node.cc",
     "  SyncMessage reply;\n",
     "  return;\n  SyncMessage reply;\n",
     "an exchange that pushes but never pulls"),
    ("in-sync-still-answers", "reference/node.cc",
     "  if (state_.root() == *m.root) {\n    // In sync",
     "  if (false) {\n    // In sync",
     "an in-sync exchange that costs more than one message (I8)"),
    ("walk-skips-differing-child", "reference/node.cc",
     "        if (!differ) continue;",
     "        if (true) continue;",
     "a walk that stops early: old divergence never found (I1)"),
    ("stale-inner-digest", "reference/merkle_tree.cc",
     "  inner.digest = inner_digest(seed, inner.child_digests);\n  return added;",
     "  if (!added) inner.digest = inner_digest(seed, inner.child_digests);\n  return added;",
     "a Merkle path not updated up to the root"),
    ("hash-ids-only", "reference/merkle_tree.cc",
     "  encode_register(w, reg);\n  return hash128(seed_, w.bytes());",
     "  (void)reg;\n  return hash128(seed_, w.bytes());",
     "digests over ids only: content divergence never found"),
    ("hash-omits-strength", "reference/merkle_tree.cc",
     "  encode_register(w, reg);\n  return hash128(seed_, w.bytes());",
     "  for (const Version& v : reg.siblings()) { encode_clock(w, v.clock);"
     " w.raw(v.content.summary); }\n  return hash128(seed_, w.bytes());",
     "a semantic field left out of the digest"),
    ("resurrect-dominated", "reference/register.cc",
     "        return Status::ok();  // dominated: it never comes back (I3)",
     "        kept.push_back(sibling);\n        break;",
     "a dominated version kept: resurrection"),
    ("equal-clock-first-wins", "reference/register.cc",
     "        return sibling.content == version.content ? Status::ok() : conflicting_write();",
     "        return Status::ok();",
     "corruption silently resolved"),
    ("always-mutate-in-place", "reference/merkle_tree.cc",
     "  if (slot.use_count() != 1) slot",
     "  if (false) slot",
     "snapshots share mutable nodes"),
    ("accept-overlong-varint", "reference/encoding.cc",
     "      if (i > 0 && b == 0) {",
     "      if (false) {",
     "a decoder that accepts non-canonical input"),
    ("accept-repeated-episode", "reference/encoding.cc",
     '      if (v == 0) return r.fail(Status::Code::kNonCanonical, "episodes not strictly ascending");',
     "",
     "a decoder that accepts non-canonical input"),
    ("prune-clock", "reference/vector_clock.cc",
     "  entries_ = std::move(merged);\n  GOSSIP_ASSERT(check_invariants());",
     "  if (merged.size() > 2) merged.erase(merged.begin());\n  entries_ = std::move(merged);\n"
     "  GOSSIP_ASSERT(check_invariants());",
     "clock pruning (loses concurrent writes)"),
    ("strength-averaged", "reference/resolve.cc",
     "    out.strength = std::max(out.strength, c.strength);",
     "    out.strength = i == 0 ? c.strength : (out.strength + c.strength) / 2;",
     "a merged field averaged (not associative)"),
    ("cycle-picks-largest", "reference/resolve.cc",
     "        survivor = *std::min_element(first, path.end());",
     "        survivor = *std::max_element(first, path.end());",
     "absorb cycles resolved against the specification"),
    ("leaf-split-off-by-one", "reference/merkle_tree.cc",
     "    if (leaf.entries.size() > MerkleTree::kLeafCapacity && depth < MerkleTree::kDepthMax) {",
     "    if (leaf.entries.size() > MerkleTree::kLeafCapacity + 1 && depth < MerkleTree::kDepthMax) {",
     "tree shape depends on insertion history"),
]


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
               "-DGOSSIP_BUILD_BENCH=OFF"]
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
                    print(f"{name:26} {'build':7} (the mutant does not compile: fix the mutant)")
                    survivors.append(name)
                    continue
                out = subprocess.run(["ctest", "--test-dir", build, "-j2", "--timeout", "300"],
                                     cwd=src, capture_output=True, text=True).stdout
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
