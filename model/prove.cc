#include "model/prove.h"

#include <z3++.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

namespace gossip::model::prove {
namespace {

constexpr unsigned kSummaries = 8;   // "s0".."s7"
constexpr unsigned kEpisodes = 4;    // episodes 0..3, one bit each
constexpr std::int64_t kCounterMax = std::int64_t{1} << 62;
constexpr std::int64_t kStrengthMax = (std::int64_t{1} << 32) - 1;

const std::vector<Law> kLaws = {
    {"clock_join_semilattice",
     "clock join (pointwise max) is commutative, associative, idempotent and an upper bound", "I4"},
    {"clock_write_dominates",
     "a write's clock (the join of what it saw, its own entry incremented) is above each clock it saw",
     "I3"},
    {"join_commutative", "a join b = b join a", "I4"},
    {"join_associative", "(a join b) join c = a join (b join c)", "I4"},
    {"join_idempotent", "a join a = a", "I4"},
    {"join_inflationary", "a and b are below a join b: a join (a join b) = a join b", "I4"},
    {"join_no_loss",
     "every version of a and b is in a join b or dominated by a version in it, and every version "
     "in it comes from a or b",
     "I2"},
    {"join_antichain", "no version of a join b dominates another (nothing dominated survives)", "I3"},
    {"conflict_never_resolved",
     "a join meeting equal clocks with different content is refused: no result holds a content "
     "other than an input's under the same clock",
     "I3"},
    {"refine_dominates",
     "a write at any replica dominates every sibling it saw, so the register after it is above the "
     "one before (local operations are inflations)",
     "I3"},
    {"join_limit_commutative",
     "a join whose result has more siblings than the limit is refused in both orders or in "
     "neither, and otherwise gives the same register: the limit bounds the result, never a step "
     "of the join",
     "I4"},
    {"view_order_independent",
     "the resolved content of a register (episodes union, strength max, summary by (counter sum, "
     "digest), smallest absorbed_into) does not depend on the order of its siblings",
     "view"},
    {"view_cycles",
     "the survivor found by following absorbed_into is live, the end of the chain, or the smallest "
     "pattern of the cycle the chain enters",
     "view"},
    {"view_unique",
     "the survivor rules have exactly one solution: the view is a function of the state, absorb "
     "cycles included",
     "view"},
};

const std::vector<std::string> kGuards = {
    "G1 counters are not negative, every version's clock has an entry > 0, counters < 2^62",
    "G2 the siblings of one register are pairwise concurrent (an antichain)",
    "G3 equal clocks imply equal content, across every input (not assumed by "
    "conflict_never_resolved)",
    "G4 contents are valid: strength < 2^32; summaries s0-s7, episodes 0-3 (a finite alphabet, "
    "enough to tell contents apart)",
    "G5 the content digest is injective on the contents involved (the summary's tie-break)",
};

const std::vector<Mutant> kMutants = {
    {"resurrect-dominated", "a version that arrives dominated by a local sibling is kept beside it"},
    {"equal-clock-first-wins",
     "equal clocks with different content: the local content is kept, no error"},
    {"lww-drops-concurrent",
     "of two concurrent versions only the one with the greater counter sum is kept"},
    {"non-idempotent-merge", "a version received again adds 1 to the local copy's strength"},
    {"prune-clock", "a clock join with more than 2 entries drops its first entry"},
    {"strength-averaged", "the resolved strength folds siblings by (running + next) / 2"},
    {"cycle-picks-largest", "an absorb cycle resolves to its largest pattern"},
    {"sibling-limit-on-each-step",
     "the sibling limit is checked after each version of the other register is merged in, not on "
     "the result"},
};

// ---------------------------------------------------------------------------------------------
// The encoding.

struct Ver {
  z3::expr in;              // this slot holds a version of the set
  std::vector<z3::expr> c;  // counter per replica, 0 = no entry
  z3::expr summary, episodes, strength, absorbed;  // absorbed: -1 none, n: pattern p<n+1>
};
using Set = std::vector<Ver>;

struct Joined {
  Set set;
  z3::expr conflict;
  z3::expr over;  // refused for the sibling limit (false when no limit is set)
};

class Encoding {
 public:
  // `limit`: the sibling limit a join's result must keep (0: none).
  Encoding(z3::context& ctx, unsigned replicas, std::string mutant, unsigned limit = 0)
      : ctx_(ctx), k_(replicas), mutant_(std::move(mutant)), limit_(limit), guards_(ctx) {}

  z3::context& ctx() { return ctx_; }
  const z3::expr_vector& guards() const { return guards_; }
  void guard(const z3::expr& e) { guards_.push_back(e); }

  // M fresh slots, under G1, G2 and G4.
  Set fresh(const std::string& name, unsigned slots) {
    Set s;
    for (unsigned i = 0; i < slots; ++i) s.push_back(fresh_version(name + std::to_string(i)));
    for (unsigned i = 0; i < slots; ++i) {
      for (unsigned j = i + 1; j < slots; ++j) {
        guard(z3::implies(s[i].in && s[j].in, concurrent(s[i], s[j])));
      }
    }
    return s;
  }

  Ver fresh_version(const std::string& p) {
    Ver v{ctx_.bool_const((p + ".in").c_str()), {},
          ctx_.int_const((p + ".summary").c_str()),
          ctx_.bv_const((p + ".episodes").c_str(), kEpisodes),
          ctx_.int_const((p + ".strength").c_str()),
          ctx_.int_const((p + ".absorbed").c_str())};
    z3::expr sum = ctx_.int_val(0);
    for (unsigned r = 0; r < k_; ++r) {
      v.c.push_back(ctx_.int_const((p + ".c" + std::to_string(r)).c_str()));
      guard(v.c[r] >= 0 && v.c[r] < ctx_.int_val(kCounterMax));
      sum = sum + v.c[r];
    }
    guard(z3::implies(v.in, sum > 0));
    guard(v.summary >= 0 && v.summary < static_cast<int>(kSummaries));
    guard(v.strength >= 0 && v.strength <= ctx_.int_val(kStrengthMax));
    guard(v.absorbed == -1 || (v.absorbed >= 1 && v.absorbed <= 2));  // none, p2 or p3: not itself
    return v;
  }

  // G3 over any number of sets.
  void guard_consistent(const std::vector<const Set*>& sets) {
    std::vector<const Ver*> all;
    for (const Set* s : sets) {
      for (const Ver& v : *s) all.push_back(&v);
    }
    for (std::size_t i = 0; i < all.size(); ++i) {
      for (std::size_t j = i + 1; j < all.size(); ++j) {
        guard(z3::implies(all[i]->in && all[j]->in && clock_eq(*all[i], *all[j]),
                          same_content(*all[i], *all[j])));
      }
    }
  }

  z3::expr le(const Ver& a, const Ver& b) const {
    z3::expr e = ctx_.bool_val(true);
    for (unsigned r = 0; r < k_; ++r) e = e && a.c[r] <= b.c[r];
    return e;
  }
  z3::expr clock_eq(const Ver& a, const Ver& b) const {
    z3::expr e = ctx_.bool_val(true);
    for (unsigned r = 0; r < k_; ++r) e = e && a.c[r] == b.c[r];
    return e;
  }
  z3::expr lt(const Ver& a, const Ver& b) const { return le(a, b) && !clock_eq(a, b); }
  z3::expr concurrent(const Ver& a, const Ver& b) const { return !le(a, b) && !le(b, a); }
  z3::expr sum(const Ver& a) const {
    z3::expr s = ctx_.int_val(0);
    for (unsigned r = 0; r < k_; ++r) s = s + a.c[r];
    return s;
  }
  static z3::expr same_content(const Ver& a, const Ver& b) {
    return a.summary == b.summary && a.episodes == b.episodes && a.strength == b.strength &&
           a.absorbed == b.absorbed;
  }
  z3::expr same_version(const Ver& a, const Ver& b) const {
    return clock_eq(a, b) && same_content(a, b);
  }

  z3::expr any(const Set& s, const std::function<z3::expr(const Ver&)>& f) const {
    z3::expr e = ctx_.bool_val(false);
    for (const Ver& v : s) e = e || (v.in && f(v));
    return e;
  }
  z3::expr all(const Set& s, const std::function<z3::expr(const Ver&)>& f) const {
    z3::expr e = ctx_.bool_val(true);
    for (const Ver& v : s) e = e && z3::implies(v.in, f(v));
    return e;
  }

  // The lattice join (model::join): the maximal elements of the union; a version of `t` equal
  // to one of `s` is the same write, kept once. `conflict`: equal clocks, different content.
  Joined join(const Set& s, const Set& t) const {
    Set u = s;
    u.insert(u.end(), t.begin(), t.end());
    Joined out{{}, ctx_.bool_val(false), ctx_.bool_val(false)};
    for (const Ver& x : s) {
      out.conflict = out.conflict ||
                     any(t, [&](const Ver& y) { return x.in && clock_eq(x, y) && !same_content(x, y); });
    }
    if (mutant_ == "equal-clock-first-wins") out.conflict = ctx_.bool_val(false);
    for (const Ver& x : s) {
      Ver v = x;
      v.in = x.in && !any(u, [&](const Ver& y) { return lt(x, y); });
      if (mutant_ == "lww-drops-concurrent") {
        v.in = v.in && !any(t, [&](const Ver& y) { return concurrent(x, y) && sum(x) <= sum(y); });
      }
      if (mutant_ == "non-idempotent-merge") {
        const z3::expr again = any(t, [&](const Ver& y) { return same_version(x, y); });
        v.strength = z3::ite(again, x.strength + 1, x.strength);
      }
      out.set.push_back(v);
    }
    for (const Ver& y : t) {
      Ver v = y;
      const z3::expr seen = any(s, [&](const Ver& x) { return clock_eq(y, x); });
      if (mutant_ == "resurrect-dominated") {
        v.in = y.in && !seen && !any(t, [&](const Ver& z) { return lt(y, z); });
      } else {
        v.in = y.in && !seen && !any(u, [&](const Ver& z) { return lt(y, z); });
      }
      if (mutant_ == "lww-drops-concurrent") {
        v.in = v.in && !any(s, [&](const Ver& x) { return concurrent(x, y) && sum(x) > sum(y); });
      }
      out.set.push_back(v);
    }
    if (limit_ > 0) {
      out.over = mutant_ == "sibling-limit-on-each-step" ? over_on_some_step(s, t) : count(out.set) > static_cast<int>(limit_);
    }
    return out;
  }

  z3::expr count(const Set& s) const {
    z3::expr n = ctx_.int_val(0);
    for (const Ver& v : s) n = n + z3::ite(v.in, ctx_.int_val(1), ctx_.int_val(0));
    return n;
  }

  // Equal as sets of versions.
  z3::expr equal(const Set& a, const Set& b) const {
    return all(a, [&](const Ver& x) { return any(b, [&](const Ver& y) { return same_version(x, y); }); }) &&
           all(b, [&](const Ver& y) { return any(a, [&](const Ver& x) { return same_version(x, y); }); });
  }
  // Every version of a is in r or dominated by one in r.
  z3::expr below(const Set& a, const Set& r) const {
    return all(a, [&](const Ver& x) {
      return any(r, [&](const Ver& y) { return same_version(x, y) || lt(x, y); });
    });
  }

  // model::write_clock: the join of the clocks of the siblings, writer's entry incremented.
  std::vector<z3::expr> write_clock(const Set& seen, const z3::expr& writer) const {
    std::vector<z3::expr> acc(k_, ctx_.int_val(0));
    for (const Ver& v : seen) {
      std::vector<z3::expr> m;
      for (unsigned r = 0; r < k_; ++r) m.push_back(z3::ite(v.c[r] > acc[r], v.c[r], acc[r]));
      if (mutant_ == "prune-clock") prune(m);
      for (unsigned r = 0; r < k_; ++r) acc[r] = z3::ite(v.in, m[r], acc[r]);
    }
    for (unsigned r = 0; r < k_; ++r) acc[r] = z3::ite(writer == static_cast<int>(r), acc[r] + 1, acc[r]);
    return acc;
  }

  // The resolved content of one register, folding its slots in order (model::resolve).
  struct Merged {
    z3::expr episodes, strength, summary, absorbed;
  };
  Merged merged(const Set& s, const z3::func_decl& digest) const {
    Merged m{ctx_.bv_val(0, kEpisodes), ctx_.int_val(0), ctx_.int_val(0), ctx_.int_val(-1)};
    z3::expr have = ctx_.bool_val(false);
    z3::expr best_sum = ctx_.int_val(0), best_digest = ctx_.int_val(0);
    for (const Ver& v : s) {
      m.episodes = z3::ite(v.in, m.episodes | v.episodes, m.episodes);
      const z3::expr folded = mutant_ == "strength-averaged"
                                  ? (m.strength + v.strength) / 2
                                  : z3::ite(v.strength > m.strength, v.strength, m.strength);
      m.strength = z3::ite(v.in, z3::ite(have, folded, v.strength), m.strength);
      m.absorbed = z3::ite(v.in && v.absorbed >= 0 && (m.absorbed < 0 || v.absorbed < m.absorbed),
                           v.absorbed, m.absorbed);
      const z3::expr d = digest(v.summary, v.episodes, v.strength, v.absorbed);
      const z3::expr greater = sum(v) > best_sum || (sum(v) == best_sum && d > best_digest);
      const z3::expr take = v.in && (!have || greater);
      m.summary = z3::ite(take, v.summary, m.summary);
      best_sum = z3::ite(take, sum(v), best_sum);
      best_digest = z3::ite(take, d, best_digest);
      have = have || v.in;
    }
    return m;
  }

 private:
  // The sibling-limit-on-each-step mutant: t's versions merged into s one at a time, the limit
  // checked on the register after each (the reference at 3ff66f8, issue 13 defect 3).
  z3::expr over_on_some_step(const Set& s, const Set& t) const {
    Set cur = s;
    z3::expr over = ctx_.bool_val(false);
    for (const Ver& y : t) {
      Ver v = y;
      v.in = y.in && !any(cur, [&](const Ver& x) { return lt(y, x) || clock_eq(y, x); });
      for (Ver& x : cur) x.in = x.in && !(v.in && lt(x, y));
      cur.push_back(v);
      over = over || (y.in && count(cur) > static_cast<int>(limit_));
    }
    return over;
  }

  // The prune-clock mutant: a join whose result has more than 2 entries drops the first.
  void prune(std::vector<z3::expr>& m) const {
    z3::expr count = ctx_.int_val(0);
    for (unsigned r = 0; r < k_; ++r) count = count + z3::ite(m[r] > 0, ctx_.int_val(1), ctx_.int_val(0));
    z3::expr before = ctx_.bool_val(false);  // an entry before r is present
    std::vector<z3::expr> out;
    for (unsigned r = 0; r < k_; ++r) {
      out.push_back(z3::ite(count > 2 && m[r] > 0 && !before, ctx_.int_val(0), m[r]));
      before = before || m[r] > 0;
    }
    m = out;
  }

  z3::context& ctx_;
  unsigned k_;
  std::string mutant_;
  unsigned limit_;
  z3::expr_vector guards_;
};

// ---------------------------------------------------------------------------------------------
// Reading values back.

PatternKey key(std::uint64_t n) { return pattern_key(n); }
Replica replica_of(unsigned r) { return static_cast<Replica>(r) << 32; }

std::int64_t int_of(const z3::model& m, const z3::expr& e) {
  return m.eval(e, true).get_numeral_int64();
}
bool bool_of(const z3::model& m, const z3::expr& e) { return m.eval(e, true).is_true(); }

Content content_of(const z3::model& m, const Ver& v) {
  Content c;
  c.summary = "s" + std::to_string(int_of(m, v.summary));
  const std::uint64_t bits = m.eval(v.episodes, true).get_numeral_uint64();
  for (unsigned e = 0; e < kEpisodes; ++e) {
    if ((bits >> e) & 1u) c.episodes.insert(e);
  }
  c.strength = static_cast<std::uint32_t>(int_of(m, v.strength));
  const std::int64_t a = int_of(m, v.absorbed);
  if (a >= 0) c.absorbed_into = key(static_cast<std::uint64_t>(a) + 1);
  return c;
}

Clock clock_of(const z3::model& m, const std::vector<z3::expr>& c) {
  Clock out;
  for (unsigned r = 0; r < c.size(); ++r) {
    const std::int64_t n = int_of(m, c[r]);
    if (n > 0) out[replica_of(r)] = static_cast<std::uint64_t>(n);
  }
  return out;
}

Register register_of(const z3::model& m, const Set& s) {
  Register out;
  for (const Ver& v : s) {
    if (bool_of(m, v.in)) out.emplace(clock_of(m, v.c), content_of(m, v));
  }
  return out;
}

StateMap state_of(const Register& r) {
  StateMap s;
  if (!r.empty()) s.emplace(key(1), r);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Queries.

struct Outcome {
  z3::check_result result = z3::unknown;
  std::string reason;
  unsigned retries = 0;
  std::optional<Counterexample> counterexample;
};

// Asserts `facts` and checks them; an unknown answer is retried under the next random seed.
Outcome solve(z3::context& ctx, const z3::expr_vector& facts, const Options& o,
              const std::function<Counterexample(const z3::model&)>& read) {
  Outcome out;
  for (unsigned attempt = 0; attempt < std::max(1u, o.attempts); ++attempt) {
    z3::solver s(ctx);
    z3::params p(ctx);
    p.set("timeout", o.timeout_ms);
    p.set("random_seed", o.seed + attempt);
    s.set(p);
    s.add(facts);
    out.result = s.check();
    if (out.result == z3::sat) {
      out.counterexample = read(s.get_model());
      return out;
    }
    if (out.result == z3::unsat) return out;
    out.reason = s.reason_unknown();
    ++out.retries;
  }
  return out;
}

using Inputs = std::vector<std::pair<std::string, const Set*>>;

Counterexample read_sets(const z3::model& m, const Inputs& inputs, unsigned k, unsigned slots) {
  Counterexample cx;
  cx.replicas = k;
  cx.siblings = slots;
  for (const auto& [name, set] : inputs) cx.states.emplace_back(name, state_of(register_of(m, *set)));
  return cx;
}

Set concat(const Set& a, const Set& b) {
  Set out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// One register law at K replicas and M slots per register.
Outcome register_law(z3::context& ctx, const std::string& law, unsigned k, unsigned slots,
                     const Options& o, unsigned limit = 0) {
  Encoding enc(ctx, k, o.mutant, limit);
  const Set a = enc.fresh("a", slots), b = enc.fresh("b", slots), c = enc.fresh("c", slots);
  Inputs inputs{{"a", &a}, {"b", &b}};
  z3::expr claim = ctx.bool_val(true);
  Set write;  // refine_dominates: the write, shown as a one-version state
  if (law == "join_commutative") {
    enc.guard_consistent({&a, &b});
    claim = enc.equal(enc.join(a, b).set, enc.join(b, a).set);
  } else if (law == "join_associative") {
    enc.guard_consistent({&a, &b, &c});
    claim = enc.equal(enc.join(enc.join(a, b).set, c).set, enc.join(a, enc.join(b, c).set).set);
    inputs.emplace_back("c", &c);
  } else if (law == "join_limit_commutative") {
    enc.guard_consistent({&a, &b});
    enc.guard(enc.count(a) <= static_cast<int>(limit) && enc.count(b) <= static_cast<int>(limit));  // inputs within it
    const Joined ab = enc.join(a, b), ba = enc.join(b, a);
    claim = ab.over == ba.over && z3::implies(!ab.over, enc.equal(ab.set, ba.set));
  } else if (law == "join_idempotent") {
    claim = enc.equal(enc.join(a, a).set, a);
    inputs = {{"a", &a}};
  } else if (law == "join_inflationary") {
    enc.guard_consistent({&a, &b});
    const Set j = enc.join(a, b).set;
    claim = enc.equal(enc.join(a, j).set, j) && enc.equal(enc.join(b, j).set, j);
  } else if (law == "join_no_loss") {
    enc.guard_consistent({&a, &b});
    const Set j = enc.join(a, b).set;
    const Set ab = concat(a, b);
    claim = enc.below(a, j) && enc.below(b, j) && enc.all(j, [&](const Ver& y) {
              return enc.any(ab, [&](const Ver& x) { return enc.same_version(x, y); });
            });
  } else if (law == "join_antichain") {
    enc.guard_consistent({&a, &b});
    const Set j = enc.join(a, b).set;
    for (std::size_t x = 0; x < j.size(); ++x) {
      for (std::size_t y = 0; y < j.size(); ++y) {
        if (x != y) claim = claim && z3::implies(j[x].in && j[y].in, !enc.lt(j[x], j[y]));
      }
    }
  } else if (law == "conflict_never_resolved") {
    const Joined j = enc.join(a, b);
    claim = j.conflict || enc.all(concat(a, b), [&](const Ver& x) {
              return enc.all(j.set, [&](const Ver& y) {
                return z3::implies(enc.clock_eq(x, y), Encoding::same_content(x, y));
              });
            });
  } else if (law == "refine_dominates") {
    const z3::expr writer = ctx.int_const("writer");
    enc.guard(writer >= 0 && writer < static_cast<int>(k));
    const std::vector<z3::expr> n = enc.write_clock(a, writer);
    Ver w = enc.fresh_version("w");
    enc.guard(w.in);
    for (unsigned r = 0; r < k; ++r) enc.guard(w.c[r] == n[r]);
    claim = enc.all(a, [&](const Ver& x) { return enc.lt(x, w); });
    for (unsigned r = 0; r < k; ++r) {
      w.c[r] = z3::ite(writer == static_cast<int>(r), ctx.int_val(1), ctx.int_val(0));
    }
    write.push_back(w);
    inputs = {{"a", &a}, {"write", &write}};
  } else {
    throw std::logic_error("not a register law: " + law);
  }
  z3::expr_vector facts = enc.guards();
  facts.push_back(!claim);
  return solve(ctx, facts, o, [&](const z3::model& m) { return read_sets(m, inputs, k, slots); });
}

// view_order_independent at K replicas and M slots: the merged content is the same for the
// slots in order and with any two neighbours swapped (transpositions generate every order).
Outcome view_order_law(z3::context& ctx, unsigned k, unsigned slots, const Options& o) {
  Encoding enc(ctx, k, o.mutant);
  const Set a = enc.fresh("a", slots);
  z3::sort_vector domain(ctx);
  domain.push_back(ctx.int_sort());
  domain.push_back(ctx.bv_sort(kEpisodes));
  domain.push_back(ctx.int_sort());
  domain.push_back(ctx.int_sort());
  const z3::func_decl digest = ctx.function("digest", domain, ctx.int_sort());
  for (std::size_t i = 0; i < a.size(); ++i) {  // G5
    for (std::size_t j = i + 1; j < a.size(); ++j) {
      enc.guard(z3::implies(!Encoding::same_content(a[i], a[j]),
                            digest(a[i].summary, a[i].episodes, a[i].strength, a[i].absorbed) !=
                                digest(a[j].summary, a[j].episodes, a[j].strength, a[j].absorbed)));
    }
  }
  const Encoding::Merged base = enc.merged(a, digest);
  z3::expr claim = ctx.bool_val(true);
  for (std::size_t i = 0; i + 1 < a.size(); ++i) {
    Set swapped = a;
    std::swap(swapped[i], swapped[i + 1]);
    const Encoding::Merged m = enc.merged(swapped, digest);
    claim = claim && m.episodes == base.episodes && m.strength == base.strength &&
            m.summary == base.summary && m.absorbed == base.absorbed;
  }
  z3::expr_vector facts = enc.guards();
  facts.push_back(!claim);
  const Inputs inputs{{"a", &a}};
  return solve(ctx, facts, o, [&](const z3::model& m) { return read_sets(m, inputs, k, slots); });
}

// The survivor rules over P patterns. target[p]: -1 none, 0..P-1 a known pattern, P a pattern
// the state does not hold.
// Patterns, targets and survivors are 4-bit vectors (P <= 6): the question is finite, and
// bit-blasting settles it where integer arithmetic times out at P = 5. A target t: t < P a
// known pattern, t = P a pattern the state does not hold, t = P + 1 none.
constexpr unsigned kPatternBits = 4;

struct Survivors {
  z3::context& ctx;
  unsigned n;
  std::vector<z3::expr> target;
  z3::expr_vector& facts;  // each step of a chain is a fresh constant defined here
  std::map<unsigned, std::vector<z3::expr>> chains = {};
  unsigned fresh = 0;

  z3::expr val(unsigned v) const { return ctx.bv_val(v, kPatternBits); }
  z3::expr known(unsigned p) const { return z3::ult(target[p], val(n)); }
  // One step of the chain: the target when known, else the pattern itself; a new constant, so
  // that formulas grow linearly with the length of a chain.
  z3::expr next(const z3::expr& q) {
    z3::expr out = q;
    for (unsigned p = 0; p < n; ++p) out = z3::ite(q == val(p), z3::ite(known(p), target[p], q), out);
    const z3::expr c = ctx.bv_const(("chain" + std::to_string(fresh++)).c_str(), kPatternBits);
    facts.push_back(c == out);
    return c;
  }
  // p, next(p), next(next(p)), ...: n + 2 positions, memoized.
  const std::vector<z3::expr>& chain(unsigned p) {
    auto it = chains.find(p);
    if (it != chains.end()) return it->second;
    std::vector<z3::expr> c{val(p)};
    for (unsigned i = 0; i <= n; ++i) c.push_back(next(c.back()));
    return chains.emplace(p, std::move(c)).first->second;
  }
  // The extreme (min, or max for the mutant) of n positions of a chain: its cycle's, when the
  // chain starts on one.
  z3::expr extreme(const std::vector<z3::expr>& positions, bool largest) const {
    z3::expr best = positions[0];
    for (unsigned i = 1; i < n; ++i) {
      const z3::expr& at = positions[i];
      best = largest ? z3::ite(z3::ugt(at, best), at, best) : z3::ite(z3::ult(at, best), at, best);
    }
    return best;
  }
  // What model::resolve computes: follow the chain n steps (it is then at its end or on the
  // cycle it enters) and take the end, or the cycle's smallest pattern.
  z3::expr algorithm(unsigned p, bool largest) {
    const z3::expr end = chain(p)[n];
    std::vector<z3::expr> around{end};
    for (unsigned i = 1; i < n; ++i) around.push_back(next(around.back()));
    return z3::ite(chain(p)[n + 1] == end, end, extreme(around, largest));
  }
  // p lies on a cycle: the chain comes back to it.
  z3::expr on_cycle(unsigned p) {
    z3::expr out = ctx.bool_val(false);
    for (unsigned i = 1; i <= n; ++i) out = out || (known(p) && chain(p)[i] == val(p));
    return out;
  }
  // The rules of docs/MODEL.md ("The resolved view") as constraints on a candidate survivor function s: a pattern with
  // no known target survives itself; a pattern on a cycle survives as the cycle's smallest; any
  // other survives as its target does.
  z3::expr rules(const std::vector<z3::expr>& s) {
    z3::expr out = ctx.bool_val(true);
    for (unsigned p = 0; p < n; ++p) {
      z3::expr of_target = s[0];
      for (unsigned q = 0; q < n; ++q) of_target = z3::ite(target[p] == val(q), s[q], of_target);
      const z3::expr self = val(p);
      out = out && z3::ite(!known(p), s[p] == self,
                           z3::ite(on_cycle(p), s[p] == extreme(chain(p), false), s[p] == of_target));
    }
    return out;
  }
};

Outcome survivor_law(z3::context& ctx, const std::string& law, unsigned patterns, const Options& o) {
  z3::expr_vector facts(ctx);
  Survivors sv{ctx, patterns, {}, facts};
  for (unsigned p = 0; p < patterns; ++p) {
    sv.target.push_back(ctx.bv_const(("target" + std::to_string(p)).c_str(), kPatternBits));
    facts.push_back(z3::ule(sv.target[p], sv.val(patterns + 1)));
  }
  if (law == "view_cycles") {
    std::vector<z3::expr> s;
    for (unsigned p = 0; p < patterns; ++p) s.push_back(sv.algorithm(p, o.mutant == "cycle-picks-largest"));
    facts.push_back(!sv.rules(s));
  } else {  // view_unique
    std::vector<z3::expr> s1, s2;
    z3::expr same = ctx.bool_val(true);
    for (unsigned p = 0; p < patterns; ++p) {
      s1.push_back(ctx.bv_const(("s" + std::to_string(p)).c_str(), kPatternBits));
      s2.push_back(ctx.bv_const(("t" + std::to_string(p)).c_str(), kPatternBits));
      same = same && s1[p] == s2[p];
    }
    facts.push_back(sv.rules(s1));
    facts.push_back(sv.rules(s2));
    facts.push_back(!same);
  }
  return solve(ctx, facts, o, [&](const z3::model& m) {
    Counterexample cx;
    cx.siblings = 1;
    cx.replicas = 1;
    StateMap state;
    for (unsigned p = 0; p < patterns; ++p) {
      Content c;
      c.summary = "s0";
      const std::uint64_t t = m.eval(sv.target[p], true).get_numeral_uint64();
      if (t <= patterns) c.absorbed_into = key(t + 1);  // t == P: a pattern the state lacks
      state[key(p + 1)].emplace(Clock{{replica_of(0), 1}}, c);
    }
    cx.states.emplace_back("a", state);
    return cx;
  });
}

// The clock laws over arrays: any number of replicas.
Outcome clock_law(z3::context& ctx, const std::string& law, const Options& o) {
  const z3::sort arr = ctx.array_sort(ctx.int_sort(), ctx.int_sort());
  const z3::expr a = ctx.constant("a", arr), b = ctx.constant("b", arr), c = ctx.constant("c", arr);
  const z3::expr i = ctx.int_const("i");
  auto join = [&](const z3::expr& x, const z3::expr& y) {
    return z3::lambda(i, z3::ite(z3::select(x, i) >= z3::select(y, i), z3::select(x, i), z3::select(y, i)));
  };
  Outcome total;
  total.result = z3::unsat;
  std::vector<z3::expr> negated;
  const z3::expr j = ctx.int_const("j"), r = ctx.int_const("r");
  if (law == "clock_join_semilattice") {
    negated.push_back(join(a, b) != join(b, a));
    negated.push_back(join(join(a, b), c) != join(a, join(b, c)));
    negated.push_back(join(a, a) != a);
    negated.push_back(z3::select(a, j) > z3::select(join(a, b), j));
  } else {  // clock_write_dominates
    const z3::expr joined = join(a, b);
    const z3::expr written = z3::store(joined, r, z3::select(joined, r) + 1);
    negated.push_back(z3::select(a, j) > z3::select(written, j) || a == written);
    negated.push_back(z3::select(b, j) > z3::select(written, j) || b == written);
  }
  for (const z3::expr& n : negated) {
    z3::expr_vector facts(ctx);
    facts.push_back(n);
    Outcome one = solve(ctx, facts, o, [&](const z3::model&) {
      Counterexample cx;
      cx.explanation = "clock arrays: " + n.to_string();
      return cx;
    });
    total.retries += one.retries;
    if (one.result != z3::unsat) return one;
  }
  return total;
}

std::string explain(const std::string& law) {
  for (const Law& l : kLaws) {
    if (l.name == law) return "refutes: " + l.statement;
  }
  return "";
}

}  // namespace

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kProved: return "proved";
    case Verdict::kCounterexample: return "counterexample";
    case Verdict::kUnknown: return "unknown";
  }
  return "?";
}

const std::vector<Law>& laws() { return kLaws; }
const std::vector<std::string>& guards() { return kGuards; }
const std::vector<Mutant>& mutants() { return kMutants; }

std::string z3_version() {
  unsigned major = 0, minor = 0, build = 0, revision = 0;
  Z3_get_version(&major, &minor, &build, &revision);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(build) + "." +
         std::to_string(revision);
}

PatternKey pattern_key(std::uint64_t n) {
  PatternKey k{};
  for (unsigned i = 0; i < 8; ++i) k[15 - i] = static_cast<std::uint8_t>(n >> (8 * i));
  return k;
}

std::vector<LawResult> prove(const Options& o, const std::function<void(const LawResult&)>& each) {
  if (o.replicas_max < 1 || o.replicas_max > 8 || o.siblings_max < 1 || o.siblings_max > 4 ||
      o.patterns_max < 1 || o.patterns_max > 6) {
    throw std::invalid_argument("bounds out of range: replicas 1-8, siblings 1-4, patterns 1-6");
  }
  if (!o.mutant.empty() &&
      std::none_of(kMutants.begin(), kMutants.end(), [&](const Mutant& m) { return m.name == o.mutant; })) {
    throw std::invalid_argument("no merge mutant named '" + o.mutant + "'");
  }
  for (const std::string& name : o.only) {
    if (std::none_of(kLaws.begin(), kLaws.end(), [&](const Law& l) { return l.name == name; })) {
      throw std::invalid_argument("no law named '" + name + "'");
    }
  }
  std::vector<LawResult> results;
  for (const Law& law : kLaws) {
    if (!o.only.empty() && std::find(o.only.begin(), o.only.end(), law.name) == o.only.end()) continue;
    LawResult result;
    result.law = law;
    const auto start = std::chrono::steady_clock::now();
    z3::context ctx;
    auto settle = [&](const Outcome& out, const std::string& label) {
      ++result.queries;
      result.retries += out.retries;
      if (out.result == z3::sat) {
        result.verdict = Verdict::kCounterexample;
        result.counterexample = out.counterexample;
        result.counterexample->explanation = explain(law.name) + " (" + label + ")";
        return true;
      }
      if (out.result == z3::unknown) {
        result.verdict = Verdict::kUnknown;
        result.detail += (result.detail.empty() ? "" : "; ") + label + ": " + out.reason;
      }
      return false;
    };
    if (law.name.rfind("clock_", 0) == 0) {
      result.scope = "any number of replicas";
      settle(clock_law(ctx, law.name, o), "arrays");
    } else if (law.name == "view_cycles" || law.name == "view_unique") {
      result.scope = "1-" + std::to_string(o.patterns_max) + " patterns";
      for (unsigned p = 1; p <= o.patterns_max; ++p) {
        if (settle(survivor_law(ctx, law.name, p, o), "P=" + std::to_string(p))) break;
      }
    } else {
      const bool view = law.name == "view_order_independent";
      result.scope = "1-" + std::to_string(o.replicas_max) + " replicas x " + (view ? "2-" : "1-") +
                     std::to_string(o.siblings_max) + " siblings";
      // The limit law at a stand-in limit L: every L from 1 to 2M - 1 (the sizes a join of two
      // M-sibling registers can exceed) stands for the real 32 (docs/PROPERTIES.md, "Proofs").
      const bool limit = law.name == "join_limit_commutative";
      if (limit) result.scope += " x every limit 1-" + std::to_string(2 * o.siblings_max - 1);
      bool found = false;
      for (unsigned k = 1; k <= o.replicas_max && !found; ++k) {
        for (unsigned m = view ? 2 : 1; m <= o.siblings_max && !found; ++m) {
          for (unsigned l = limit ? 1 : 0; l <= (limit ? 2 * m - 1 : 0) && !found; ++l) {
            const std::string label = "K=" + std::to_string(k) + " M=" + std::to_string(m) +
                                      (limit ? " L=" + std::to_string(l) : "");
            found = settle(view ? view_order_law(ctx, k, m, o) : register_law(ctx, law.name, k, m, o, l), label);
          }
        }
      }
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (each) each(result);
    results.push_back(std::move(result));
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// The encoding on concrete values.

namespace {

struct Alphabet {
  std::map<Replica, unsigned> replicas;  // replica -> index in the encoding
};

Alphabet alphabet_of(const std::vector<const Register*>& regs, std::optional<Replica> extra) {
  Alphabet al;
  std::set<Replica> all;
  for (const Register* r : regs) {
    for (const auto& [clock, unused] : *r) {
      for (const auto& [rep, n] : clock) all.insert(rep);
    }
  }
  if (extra) all.insert(*extra);
  if (all.size() > 8) throw std::invalid_argument("more than 8 replicas");
  for (Replica r : all) al.replicas.emplace(r, static_cast<unsigned>(al.replicas.size()));
  return al;
}

Set concrete(z3::context& ctx, const Register& reg, const Alphabet& al) {
  Set s;
  for (const auto& [clock, content] : reg) {
    Ver v{ctx.bool_val(true), std::vector<z3::expr>(std::max<std::size_t>(1, al.replicas.size()), ctx.int_val(0)),
          ctx.int_val(0), ctx.bv_val(0, kEpisodes), ctx.int_val(0), ctx.int_val(-1)};
    for (const auto& [rep, n] : clock) v.c[al.replicas.at(rep)] = ctx.int_val(static_cast<std::int64_t>(n));
    const std::string& sm = content.summary;
    if (sm.size() != 2 || sm[0] != 's' || sm[1] < '0' || sm[1] >= static_cast<char>('0' + kSummaries)) {
      throw std::invalid_argument("summary outside the alphabet: " + sm);
    }
    v.summary = ctx.int_val(sm[1] - '0');
    unsigned bits = 0;
    for (std::uint64_t e : content.episodes) {
      if (e >= kEpisodes) throw std::invalid_argument("episode outside the alphabet");
      bits |= 1u << e;
    }
    v.episodes = ctx.bv_val(bits, kEpisodes);
    v.strength = ctx.int_val(static_cast<std::int64_t>(content.strength));
    if (content.absorbed_into) {
      int t = -1;
      for (int n = 1; n <= 3; ++n) {
        if (*content.absorbed_into == pattern_key(static_cast<std::uint64_t>(n))) t = n - 1;
      }
      if (t < 0) throw std::invalid_argument("absorbed_into outside the alphabet");
      v.absorbed = ctx.int_val(t);
    }
    s.push_back(v);
  }
  return s;
}

// Reads a set whose formulas are closed: simplification decides them.
Register evaluate(const Set& s, const Alphabet& al) {
  std::vector<Replica> index(al.replicas.size());
  for (const auto& [rep, i] : al.replicas) index[i] = rep;
  Register out;
  for (const Ver& v : s) {
    if (!v.in.simplify().is_true()) continue;
    Clock clock;
    for (std::size_t r = 0; r < index.size(); ++r) {
      const std::int64_t n = v.c[r].simplify().get_numeral_int64();
      if (n > 0) clock[index[r]] = static_cast<std::uint64_t>(n);
    }
    Content c;
    c.summary = "s" + std::to_string(v.summary.simplify().get_numeral_int64());
    const std::uint64_t bits = v.episodes.simplify().get_numeral_uint64();
    for (unsigned e = 0; e < kEpisodes; ++e) {
      if ((bits >> e) & 1u) c.episodes.insert(e);
    }
    c.strength = static_cast<std::uint32_t>(v.strength.simplify().get_numeral_int64());
    const std::int64_t t = v.absorbed.simplify().get_numeral_int64();
    if (t >= 0) c.absorbed_into = pattern_key(static_cast<std::uint64_t>(t) + 1);
    out.emplace(clock, c);
  }
  return out;
}

}  // namespace

std::optional<Register> encoded_join(const Register& a, const Register& b, const std::string& mutant) {
  z3::context ctx;
  const Alphabet al = alphabet_of({&a, &b}, std::nullopt);
  Encoding enc(ctx, static_cast<unsigned>(std::max<std::size_t>(1, al.replicas.size())), mutant);
  const Joined j = enc.join(concrete(ctx, a, al), concrete(ctx, b, al));
  if (j.conflict.simplify().is_true()) return std::nullopt;
  return evaluate(j.set, al);
}

Clock encoded_write_clock(const Register& seen, Replica writer, const std::string& mutant) {
  z3::context ctx;
  const Alphabet al = alphabet_of({&seen}, writer);
  Encoding enc(ctx, static_cast<unsigned>(al.replicas.size()), mutant);
  const std::vector<z3::expr> n =
      enc.write_clock(concrete(ctx, seen, al), ctx.int_val(static_cast<int>(al.replicas.at(writer))));
  Clock out;
  for (const auto& [rep, i] : al.replicas) {
    const std::int64_t v = n[i].simplify().get_numeral_int64();
    if (v > 0) out[rep] = static_cast<std::uint64_t>(v);
  }
  return out;
}

}  // namespace gossip::model::prove
