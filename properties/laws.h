// Law cases: a merge law and the concrete states it is claimed for, checked against the
// implementation's merge. `gossipcheck prove` writes one for every counterexample Z3 finds
// (model/prove.h); `gossipcheck replay FILE` and every runner's `--replay FILE` check it, so that
// a counterexample found on the model is replayed against the reference and against the mutant
// whose bug it mirrors.
//
// Text form (docs/PROPERTIES.md, "Counterexample files"):
//   # gossipcheck counterexample 1
//   law join_commutative
//   cluster_seed 1
//   state a
//   pattern 00000000000000000000000000000001
//     version clock={0.0:1} strength=0 episodes=[] absorbed_into=- summary="s0"
//   state b
//   ...
// Each `state NAME` section is a state in the text form of reference/text.h. Lines starting with
// '#' are comments.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/model.h"
#include "reference/state.h"
#include "reference/status.h"

namespace gossip::properties {

inline constexpr std::string_view kLawCaseHeader = "# gossipcheck counterexample 1";

struct LawCase {
  std::string law;
  std::uint64_t cluster_seed = 1;
  std::vector<std::pair<std::string, State>> states;  // named inputs, in order
  std::string comment;  // written as '#' lines after the header (not parsed back)
};

// The laws a case can name: those of model/prove.h, checked here on the implementation.
const std::vector<std::string>& checkable_laws();

std::string to_text(const LawCase& c);
// Total: any text gives a case or an error naming the line.
Result<LawCase> parse_law_case(std::string_view text);

// "" when the law holds for the implementation on the case's states, otherwise what broke. An
// assertion or exception inside the implementation is a break, not a crash.
std::string check_law(const LawCase& c);

}  // namespace gossip::properties
