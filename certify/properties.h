// The properties certify judges an implementation on: those of the catalogue that go through
// the seam (faultnet/node_under_test.h), run on the implementation's nodes, and its own
// (hostile_receive, writes_at_limits, flood_memory_bounded, interop, explore). RapidCheck stays
// in properties.cc.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "properties/catalogue.h"

namespace gossip::certify {

struct CertifyProfile {
  std::string name;
  properties::Profile budget;   // cases, sizes and trials of the catalogue's properties
  double timeout_seconds = 600;  // per property, before it counts as a hang
  std::uint64_t explore_states = 0;
  int hostile_inputs = 0;        // hostile byte strings fed to receive()
};
// "smoke" (CI's checks of certify itself), "quick" (a CI gate for implementers), "campaign".
// Anything else: quick.
CertifyProfile certify_profile(const std::string& name);
bool known_certify_profile(const std::string& name);

struct CertifyProperty {
  std::string name;
  std::string statement;
  std::string invariant;
  std::vector<std::string> needs;  // capabilities; without one the property is not applicable
  std::function<properties::Outcome(const properties::RunOptions&, const CertifyProfile&)> run;
};

const std::vector<CertifyProperty>& certify_properties();
const CertifyProperty* find_certify_property(const std::string& name);
// What the property spends under the profile, for the certificate.
nlohmann::json budget_json(const CertifyProperty& p, const CertifyProfile& profile);

}  // namespace gossip::certify
