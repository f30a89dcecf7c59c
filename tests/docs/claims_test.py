#!/usr/bin/env python3
"""docs/claims.json against the specification and the checks (ctest docs.claims).

Every obligation sentence of docs/MODEL.md, docs/PROTOCOL.md, docs/WIRE_FORMAT.md and
docs/CERTIFY.md (outside fenced code blocks, table rows included: one that holds MUST, "is
refused", "are refused" or the word never) must hold the text of a claim of docs/claims.json;
every claim must name properties that exist, say whether a property of `gossipcheck certify`
judges it through the seam, and name the wrong implementations shown failing it, or say why
there is none. A claim judged through the seam that names refuters must have one that a
certify ctest shows refusing one of its properties (refused.txt, written by
tests/certify/CMakeLists.txt: "property:certify.<test>" lines).

  claims_test.py --source DIR --gossipcheck PATH --refused PATH [--properties PATH] [--claims PATH] [--no-mutants]

Exit 0 when everything holds, 1 with one line per problem otherwise, 2 on bad arguments.
Python 3 standard library only.
"""
import argparse
import json
import os
import re
import subprocess
import sys

DOCS = ["docs/MODEL.md", "docs/PROTOCOL.md", "docs/WIRE_FORMAT.md", "docs/CERTIFY.md"]
CLASSES = ["model", "codec", "merge", "exchange", "resources", "view", "determinism", "certify"]
FIELDS = {"id", "doc", "text", "class", "judged_by", "through_seam", "refuted_by", "refuted_in_house",
          "other_checks", "reason", "note"}
REQUIRED = ["id", "doc", "text", "class", "judged_by", "through_seam", "refuted_by"]

# ---- the documents ------------------------------------------------------------------------


def normalize(s):
    """What a claim's text is matched against: ` and * removed, every run of whitespace one space."""
    return re.sub(r"\s+", " ", s.replace("`", "").replace("*", "")).strip()


ITEM = re.compile(r"^\s*(?:[-+]|\d+\.)\s+")
SEPARATOR = re.compile(r"\|[\s:|-]*")


def blocks(path):
    """(first line, raw text) of each paragraph, list item, heading and table row outside fences."""
    out, cur, fence = [], None, False
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n, line in enumerate(lines, 1):
        s = line.strip()
        if s.startswith("```"):
            if cur:
                out.append(cur)
            cur, fence = None, not fence
            continue
        if fence:
            continue
        if not s:
            if cur:
                out.append(cur)
            cur = None
            continue
        if s.startswith("|"):  # a table row is a block of its own
            if cur:
                out.append(cur)
            cur = None
            if not SEPARATOR.fullmatch(s):
                out.append((n, line))
            continue
        if s.startswith("#") or ITEM.match(line):
            if cur:
                out.append(cur)
            cur = (n, line)
            if s.startswith("#"):
                out.append(cur)
                cur = None
            continue
        cur = (n, line) if cur is None else (cur[0], cur[1] + "\n" + line)
    if cur:
        out.append(cur)
    return out


# A sentence ends at . ! or ? (or .) and the like) followed by a space and a capital letter.
SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z])|(?<=[.!?]\))\s+(?=[A-Z])")
MUST = re.compile(r"\bMUST\b")
REFUSED = re.compile(r"\b(?:is|are) refused\b", re.I)
NEVER = re.compile(r"(?<![\w-])never(?![\w-])", re.I)  # the word, not a name like push-never-pull
LOWER_MUST = re.compile(r"(?<![\w-])must(?![\w-])")


def sentences(path):
    for n, raw in blocks(path):
        for s in SPLIT.split(normalize(raw)):
            if s:
                yield n, s


def is_obligation(s):
    return bool(MUST.search(s) or REFUSED.search(s) or NEVER.search(s))


# ---- the names the claims may use ---------------------------------------------------------


def run_lines(cmd):
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, str(e)
    if r.returncode != 0:
        return None, "%s exited %d: %s" % (" ".join(cmd), r.returncode, r.stderr.strip()[:300])
    return [l for l in r.stdout.split("\n") if l.strip()], None


def catalogue_from_doc(source):
    """The property names of docs/PROPERTIES.md's tables (first cell, in backticks)."""
    names = set()
    with open(os.path.join(source, "docs/PROPERTIES.md"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\|\s*`([a-z_]+)`\s*\|", line)
            if m:
                names.add(m.group(1))
    return names


def cmake_list(text, name):
    m = re.search(r"set\(\s*" + re.escape(name) + r"\s+(.*?)\)", text, re.S)
    if not m:
        return []
    return [w for w in re.findall(r'"[^"]*"|[^\s"]+', m.group(1)) if w != "PARENT_SCOPE"]


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""


def test_sources(source):
    """The text of every test source, for unit:Suite.Name."""
    out = []
    for root, _, files in os.walk(os.path.join(source, "tests")):
        for f in files:
            if f.endswith(".cc"):
                out.append(read(os.path.join(root, f)))
    return "\n".join(out)


def squash(name):
    return re.sub(r"[^A-Za-z0-9]+", "_", name)


def shown_by(entry, test):
    """Whether certify test `test` (its name after 'certify.') runs the wrong implementation `entry`."""
    kind, _, name = entry.partition(":")
    if kind == "mutant":
        return "mutant_" + name.replace("-", "_") in test
    if kind == "cheat":
        if name.startswith("process-"):
            return "cheat_process_" + name[len("process-"):].replace("-", "_") in test
        return "cheat_" + name.replace("-", "_") in test
    if kind == "broken":
        return "broken_" + name.replace("-", "_") in test
    if kind == "rule":
        return "rule_skip_" + squash(name) in test
    if kind == "example":
        return "example_" + name.replace("-", "_") in test
    return False


# ---- the test -----------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", required=True, help="the repository")
    ap.add_argument("--gossipcheck", required=True, help="the gossipcheck binary (certify --list)")
    ap.add_argument("--refused", required=True, help="refused.txt, written by tests/certify/CMakeLists.txt")
    ap.add_argument("--properties", help="the gossip-properties binary (--list, --list-rules)")
    ap.add_argument("--claims", help="default: SOURCE/docs/claims.json")
    ap.add_argument("--no-mutants", action="store_true",
                    help="the build has no mutant plug-ins (GOSSIP_BUILD_MUTANTS=OFF): a claim whose refuters include "
                         "a mutant is not held to refused.txt")
    ap.add_argument("--verbose", action="store_true", help="print every claim's verdict")
    a = ap.parse_args()
    source = a.source
    errors = []

    def error(msg):
        errors.append(msg)

    claims_path = a.claims or os.path.join(source, "docs/claims.json")
    try:
        with open(claims_path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        print("FAIL %s cannot be read: %s" % (claims_path, e))
        return 1
    claims = data.get("claims") if isinstance(data, dict) else None
    if not isinstance(claims, list) or "comment" not in data:
        print('FAIL %s: expected {"comment": ..., "claims": [...]}' % claims_path)
        return 1

    # Names.
    certify, why = run_lines([a.gossipcheck, "certify", "--list"])
    if certify is None:
        print("FAIL gossipcheck certify --list: %s" % why)
        return 1
    certify = set(l.strip() for l in certify)
    catalogue, rules = None, None
    if a.properties:
        lines, why = run_lines([a.properties, "--list"])
        if lines is None:
            print("FAIL gossip-properties --list: %s" % why)
            return 1
        catalogue = set(l.split("\t")[0].strip() for l in lines)
        lines, _ = run_lines([a.properties, "--list-rules"])
        if lines is not None:
            rules = set(l.split("\t")[0].strip() for l in lines)
    if catalogue is None:
        catalogue = catalogue_from_doc(source)
    certify_cmake = read(os.path.join(source, "tests/certify/CMakeLists.txt"))
    if rules is None:
        listed = [w.strip('"') for w in cmake_list(certify_cmake, "GOSSIP_DECODE_RULES")]
        rules = set(listed) if listed else None
    properties = certify | catalogue
    with open(os.path.join(source, "properties/mutants/catalogue.json"), encoding="utf-8") as f:
        mutants = set(m["name"] for m in json.load(f)["mutants"])
    cheats_cmake = read(os.path.join(source, "tests/certify/cheats/CMakeLists.txt"))
    cheats = set(cmake_list(cheats_cmake, "cheat_plugins"))
    cheats |= set("process-" + m for m in cmake_list(cheats_cmake, "GOSSIP_CHEAT_PROCESS_MODES"))
    broken = set(k.lower() for k in re.findall(r"defined\(BAD_([A-Z0-9]+)\)",
                                                read(os.path.join(source, "tests/certify/bad_plugin.cc"))))
    tests_text = test_sources(source)
    cmake_tests = certify_cmake + read(os.path.join(source, "tests/certify/claims_refuters.cmake"))
    prove = read(os.path.join(source, "model/prove.cc"))

    def known_refuter(entry):
        kind, _, name = entry.partition(":")
        if kind == "mutant":
            return name in mutants
        if kind == "cheat":
            return name in cheats
        if kind == "broken":
            return name in broken
        if kind == "rule":
            return rules is None or name in rules
        if kind == "example":
            return os.path.isdir(os.path.join(source, "examples", name))
        return False

    def known_check(entry):
        kind, _, name = entry.partition(":")
        if kind == "fuzz":
            return os.path.exists(os.path.join(source, "fuzz", name + "_fuzzer.cc"))
        if kind == "unit":
            suite, _, test = name.partition(".")
            return re.search(r"\bTEST(?:_F|_P)?\(\s*" + re.escape(suite) + r"\s*,\s*" + re.escape(test) + r"\s*\)",
                             tests_text) is not None
        if kind == "prove":
            return '"%s"' % name in prove
        if kind == "ctest":
            t = name[len("certify."):] if name.startswith("certify.") else name
            return (re.search(r"\bgossip_certify_test\(%s\s" % re.escape(t), cmake_tests) is not None or
                    re.search(r"\bNAME certify\.%s\s" % re.escape(t), cmake_tests) is not None or
                    (t.startswith("cheat_") and
                     re.search(r"\bgossip_cheat\(%s\s" % re.escape(t[len("cheat_"):]), cmake_tests) is not None))
        return False

    refused = []
    try:
        with open(a.refused, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    prop, _, test = line.partition(":")
                    refused.append((prop, test[len("certify."):] if test.startswith("certify.") else test))
    except OSError as e:
        print("FAIL %s cannot be read (configure with tests/certify): %s" % (a.refused, e))
        return 1

    # The documents: their sentences, and the text each claim is looked for in.
    doc_sentences, doc_text = {}, {}
    for d in DOCS:
        path = os.path.join(source, d)
        if not os.path.exists(path):
            error("%s does not exist" % d)
            continue
        doc_sentences[d] = list(sentences(path))
        doc_text[d] = " ".join(normalize(raw) for _, raw in blocks(path))

    # Each claim on its own.
    ids, unchecked = {}, []
    for i, c in enumerate(claims):
        if not isinstance(c, dict):
            error("claim %d is not an object" % i)
            continue
        cid = c.get("id", "claim %d" % i)
        missing = [k for k in REQUIRED if k not in c]
        if missing:
            error("%s: missing %s" % (cid, ", ".join(missing)))
            continue
        for k in sorted(set(c) - FIELDS):
            error("%s: unknown field %r" % (cid, k))
        if cid in ids:
            error("%s: the id repeats (claims %d and %d)" % (cid, ids[cid], i))
        ids[cid] = i
        if not re.fullmatch(r"(MODEL|PROTOCOL|WIRE|CERTIFY)\.[A-Za-z0-9][A-Za-z0-9.-]*", cid):
            error("%s: an id is DOC.words (MODEL, PROTOCOL, WIRE or CERTIFY, then words of letters, digits, - and .)" % cid)
        if c["doc"] not in DOCS:
            error("%s: doc %r is not one of %s" % (cid, c["doc"], ", ".join(DOCS)))
            continue
        if c["class"] not in CLASSES:
            error("%s: class %r is not one of %s" % (cid, c["class"], ", ".join(CLASSES)))
        text = c["text"]
        if not isinstance(text, str) or len(text) < 12:
            error("%s: text %r is too short to be found on its own" % (cid, text))
            continue
        if text != normalize(text):
            error("%s: text %r is not normalized (one space a run, no ` or *)" % (cid, text))
        n = doc_text.get(c["doc"], "").count(text)
        if n == 0:
            error("%s: its text is not in %s: %r" % (cid, c["doc"], text))
        elif n > 1:
            error("%s: its text occurs %d times in %s, not once (make it longer): %r" % (cid, n, c["doc"], text))
        elif not any(text in s for _, s in doc_sentences.get(c["doc"], [])):
            error("%s: its text runs over the end of a sentence of %s: %r" % (cid, c["doc"], text))
        for k in ("judged_by", "refuted_by", "refuted_in_house", "other_checks"):
            if k in c and not (isinstance(c[k], list) and all(isinstance(x, str) for x in c[k])):
                error("%s: %s is not a list of names" % (cid, k))
                c[k] = []
        if not isinstance(c["through_seam"], bool):
            error("%s: through_seam is not true or false" % cid)
        for p in c["judged_by"]:
            if p not in properties:
                error("%s: judged_by %r is no property (gossipcheck certify --list, gossip-properties --list)" % (cid, p))
        seam_props = [p for p in c["judged_by"] if p in certify]
        if c["through_seam"] and not seam_props:
            error("%s: through_seam, but none of judged_by %s is a property of gossipcheck certify --list" %
                  (cid, c["judged_by"]))
        for r in c["refuted_by"]:
            if not known_refuter(r):
                error("%s: refuted_by %r is no known wrong implementation (mutant:, cheat:, cheat:process-, broken:, "
                      "rule:, example:)" % (cid, r))
        for r in c.get("refuted_in_house", []):
            if not r.startswith("mutant:") or r[len("mutant:"):] not in mutants:
                error("%s: refuted_in_house %r is no mutant of properties/mutants/catalogue.json" % (cid, r))
        for o in c.get("other_checks", []):
            if not known_check(o):
                error("%s: other_checks %r names no check that exists (fuzz:, unit:, ctest:, prove:)" % (cid, o))
        reason = c.get("reason", "")
        if not isinstance(reason, str):
            error("%s: reason is not text" % cid)
            reason = ""
        if not c["refuted_by"] and not reason.strip():
            error("%s: neither refuted_by nor a reason" % cid)
        if not c["through_seam"] and not reason.strip():
            error("%s: not judged through the seam, and no reason why" % cid)
        c["_shown"] = []
        if c["through_seam"]:
            for r in c["refuted_by"]:
                for prop, test in refused:
                    if prop in seam_props and shown_by(r, test):
                        c["_shown"].append("%s:certify.%s" % (prop, test))
            if c["refuted_by"] and not c["_shown"] and a.no_mutants and any(r.startswith("mutant:") for r in c["refuted_by"]):
                unchecked.append(cid)
            elif c["refuted_by"] and not c["_shown"]:
                seen = sorted(set("%s:certify.%s" % (p, t) for r in c["refuted_by"] for p, t in refused if shown_by(r, t)))
                error("%s: judged through the seam, but no certify ctest shows any of %s refusing one of %s (%s)" %
                      (cid, c["refuted_by"], seam_props,
                       "refused.txt shows them only as " + ", ".join(seen) if seen else "refused.txt names none of them"))

    # Every obligation sentence holds the text of a claim of its document.
    uncovered_lower = []
    for d, ss in doc_sentences.items():
        texts = [c["text"] for c in claims if isinstance(c, dict) and c.get("doc") == d and isinstance(c.get("text"), str)]
        for n, s in ss:
            if any(t in s for t in texts):
                continue
            if is_obligation(s):
                error("%s:%d: an obligation sentence with no claim: %s" % (d, n, s))
            elif LOWER_MUST.search(s) and not s.startswith("#"):
                uncovered_lower.append("%s:%d: %s" % (d, n, s))

    # The summary, per class.
    good = [c for c in claims if isinstance(c, dict) and "class" in c and "_shown" in c]
    print("%-12s %7s %9s %10s %12s" % ("class", "claims", "the seam", "ctest", "with reason"))
    total = [0, 0, 0, 0]
    for k in CLASSES:
        of = [c for c in good if c["class"] == k]
        row = [len(of), sum(1 for c in of if c["through_seam"]), sum(1 for c in of if c["_shown"]),
               sum(1 for c in of if c.get("reason", "").strip())]
        total = [x + y for x, y in zip(total, row)]
        print("%-12s %7d %9d %10d %12d" % ((k,) + tuple(row)))
    print("%-12s %7d %9d %10d %12d" % (("all",) + tuple(total)))
    print("(claims; judged through the seam; refuted in ctest; listed with a reason)")
    gaps = [c for c in good if not c["judged_by"] and c["class"] != "certify"]
    unshown = [c for c in good if c["judged_by"] and not c["refuted_by"]]
    if gaps:
        print("\nJudged by no property (%d):" % len(gaps))
        for c in gaps:
            print("  %s: %s" % (c["id"], c.get("reason", "")))
    if unshown:
        print("\nJudged, but no wrong implementation shown failing it (%d):" % len(unshown))
        for c in unshown:
            print("  %s%s: %s" % (c["id"], " (through the seam)" if c["through_seam"] else "", c.get("reason", "")))
    if a.verbose:
        print()
        for c in good:
            print("%s [%s] seam=%s shown=%s" % (c["id"], c["class"], c["through_seam"], c["_shown"][:3]))
    if unchecked:
        print("\nNot held to refused.txt: this build has no mutant plug-ins (%d): %s" % (len(unchecked), ", ".join(unchecked)))
    if uncovered_lower:
        print("\nNote: sentences with a lower-case 'must' and no claim (not required):")
        for s in uncovered_lower:
            print("  " + s[:200])
    if errors:
        print()
        for e in errors:
            print("FAIL " + e)
        print("\n%d problem(s) in %s" % (len(errors), os.path.relpath(claims_path, source)))
        return 1
    print("\n%d claims, every obligation sentence of %s has one" % (len(good), ", ".join(DOCS)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
