// model/prove: the merge-lattice laws of the model, proved by Z3.
//
// The model's merge (model.h: join, write_clock, resolve) is written again as Z3 formulas:
// a register is M version slots, each with a membership flag, a clock over K replicas
// (counters, 0 for an absent entry) and a content (summary, episodes, strength,
// absorbed_into); a join is the maximal elements of the union. Each law is asserted negated
// under the well-formedness guards; unsat is a proof, sat a counterexample (a concrete pair or
// triple of states), unknown is reported as unknown and never as proved.
//
// Bounds. The clock laws hold for any number of replicas (clocks as arrays). The register
// laws are proved for every K up to replicas_max and every M up to siblings_max, the
// resolution laws for every P up to patterns_max patterns: see docs/PROPERTIES.md ("Proofs")
// for what the bounds mean.
//
// Guards (what a law assumes of its inputs), stated once here and printed by the CLI:
//   G1 counters are not negative, every version's clock has an entry > 0, counters < 2^62;
//   G2 the siblings of one register are pairwise concurrent (a register is an antichain);
//   G3 equal clocks imply equal content, across every input (corruption is the subject of
//      conflict_never_resolved, the one law without G3);
//   G4 contents are valid: strength < 2^32, summaries and episodes from a finite alphabet;
//   G5 (the summary's tie-break) the content digest is injective on the contents involved.
//
// Z3 stays inside prove.cc: this header is plain C++.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/model.h"

namespace gossip::model::prove {

enum class Verdict { kProved, kCounterexample, kUnknown };
const char* to_string(Verdict verdict);

struct Law {
  std::string name;
  std::string statement;
  std::string invariant;  // the invariant of docs/MODEL.md it proves part of
};
const std::vector<Law>& laws();
const std::vector<std::string>& guards();

// A merge bug the encoding can take in place of the model's merge, named as the mutant of
// properties/mutants/catalogue.json it mirrors (the same bug class, written as formulas).
struct Mutant {
  std::string name;
  std::string change;  // what the encoding does instead
};
const std::vector<Mutant>& mutants();

struct Options {
  unsigned replicas_max = 4;  // K
  unsigned siblings_max = 3;  // M
  unsigned patterns_max = 5;  // P, for the resolution laws
  unsigned timeout_ms = 30'000;  // per query and attempt
  unsigned attempts = 3;  // an unknown answer is retried under another random seed
  unsigned seed = 1;      // Z3's random seed for the first attempt
  std::string mutant;     // "" for the model's merge
  std::vector<std::string> only;  // law names; empty: all
};

// A refuted law's inputs as concrete states. Every register is pattern p1
// (PatternId::from_u64(1)) except in the resolution laws, whose patterns are p1..pP; replica
// i of the encoding is ReplicaId (node i, incarnation 0).
struct Counterexample {
  unsigned replicas = 0, siblings = 0;  // the bounds of the query that found it
  // Named inputs, in order: "a", "b", "c" for joins; "a" and "write" for refine_dominates
  // (write: one version, its clock {writer: 1}, its content the new content).
  std::vector<std::pair<std::string, StateMap>> states;
  std::string explanation;
};

struct LawResult {
  Law law;
  std::string scope;  // what the verdict covers
  Verdict verdict = Verdict::kProved;
  double seconds = 0;
  unsigned queries = 0;
  unsigned retries = 0;  // attempts that came back unknown and were run again
  std::string detail;    // for unknown: which query and Z3's reason
  std::optional<Counterexample> counterexample;
};

// Runs every law (or options.only) in the order of laws(), calling `each` as each is settled.
// A law stops at its first counterexample. Throws std::invalid_argument for an unknown law or
// mutant name, or bounds out of range (K 1-8, M 1-4, P 1-6).
std::vector<LawResult> prove(const Options& options,
                             const std::function<void(const LawResult&)>& each = {});

// The encoding evaluated on concrete registers, so that tests can check that it is the model's
// merge (model::join, model::write_clock) and not something else. The registers must fit the
// encoding's alphabet: summaries "s0".."s7", episodes 0..3, absorbed_into none or p1..p3, at
// most 8 replicas; std::invalid_argument otherwise.
std::optional<Register> encoded_join(const Register& a, const Register& b,
                                     const std::string& mutant = "");
Clock encoded_write_clock(const Register& seen, Replica writer, const std::string& mutant = "");

// "4.8.12.0": the Z3 the proofs ran on.
std::string z3_version();

// PatternId::from_u64(n) in the model's terms.
PatternKey pattern_key(std::uint64_t n);

}  // namespace gossip::model::prove
