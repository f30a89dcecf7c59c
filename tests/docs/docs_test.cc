// The documents cannot drift from the code: every test vector docs/WIRE_FORMAT.md quotes,
// and every figure its tables and docs/PROTOCOL.md's give, is checked here against the
// reference.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "reference/codec.h"
#include "reference/limits.h"
#include "reference/merkle_tree.h"
#include "reference/node.h"
#include "reference/sync_message.h"
#include "tests/docs/vectors.h"

namespace gossip::docs {
namespace {

std::string read_doc(const std::string& name) {
  std::ifstream in(std::string(GOSSIP_SOURCE_DIR) + "/docs/" + name);
  EXPECT_TRUE(in.good()) << "cannot read docs/" << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string trimmed(const std::string& s) {
  const std::size_t b = s.find_first_not_of(' ');
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(' ') - b + 1);
}

// Table rows whose last two cells are a number (commas allowed) and a `name`: name -> number.
// (No std::regex: gcc 12 warns inside <regex> under the sanitizers, and CI builds -Werror.)
std::map<std::string, std::string> checked_rows(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() != '|') continue;
    std::vector<std::string> cells;
    std::size_t at = 1;
    for (std::size_t bar; (bar = line.find('|', at)) != std::string::npos; at = bar + 1) {
      cells.push_back(trimmed(line.substr(at, bar - at)));
    }
    if (cells.size() < 2) continue;
    const std::string& name = cells.back();
    std::string number = cells[cells.size() - 2];
    std::erase(number, ',');
    const bool is_name = name.size() > 2 && name.front() == '`' && name.back() == '`';
    const bool is_number = !number.empty() && number.find_first_not_of("0123456789") == std::string::npos;
    if (is_name && is_number) out[name.substr(1, name.size() - 2)] = number;
  }
  return out;
}

// Every constant of `code` has a checked row in docs/`doc` with its value.
void expect_rows(const std::string& doc, const std::map<std::string, std::uint64_t>& code) {
  const std::map<std::string, std::string> rows = checked_rows(read_doc(doc));
  for (const auto& [name, value] : code) {
    auto it = rows.find(name);
    if (it == rows.end()) {
      ADD_FAILURE() << "docs/" << doc << " has no row for " << name << " (" << value << ")";
      continue;
    }
    EXPECT_EQ(it->second, std::to_string(value)) << "docs/" << doc << ": " << name;
  }
}

TEST(Docs, WireFormatQuotesExactlyTheReferencesVectors) {
  const std::vector<Vector> quoted = parse_vectors(read_doc("WIRE_FORMAT.md"));
  const std::vector<Vector> computed = all_vectors();
  std::map<std::string, const Vector*> by_name;
  for (const Vector& v : quoted) by_name[v.name] = &v;
  EXPECT_EQ(by_name.size(), quoted.size()) << "two vectors of docs/WIRE_FORMAT.md share a name";
  for (const Vector& v : computed) {
    auto it = by_name.find(v.name);
    if (it == by_name.end()) {
      ADD_FAILURE() << "docs/WIRE_FORMAT.md lacks the vector \"" << v.name
                    << "\"; build the target gossip-vectors (cmake --build --preset dev --target gossip-vectors), run it and paste its output:\n" << format_vector(v);
      continue;
    }
    EXPECT_EQ(it->second->fields, v.fields) << "the vector \"" << v.name << "\" differs from the reference's:\n"
                                            << format_vector(v);
    by_name.erase(it);
  }
  for (const auto& [name, v] : by_name) ADD_FAILURE() << "docs/WIRE_FORMAT.md quotes a vector the reference does not make: " << name;
}

TEST(Docs, WireFormatLimitsAreTheCodes) {
  const std::map<std::string, std::uint64_t> code{
      {"kSummaryBytesMax", limits::kSummaryBytesMax},
      {"kEpisodesMax", limits::kEpisodesMax},
      {"kSiblingsMax", limits::kSiblingsMax},
      {"kClockEntriesMax", limits::kClockEntriesMax},
      {"kPatternsMax", limits::kPatternsMax},
      {"kFrameBytesMax", limits::kFrameBytesMax},
      {"kSyncTagsMax", kSyncTagsMax},
      {"kSyncWidthMax", kSyncWidthMax},
      {"kLeafCapacity", MerkleTree::kLeafCapacity},
      {"kDepthMax", MerkleTree::kDepthMax},
      {"kFrameOverheadBytes", kFrameOverheadBytes},
  };
  expect_rows("WIRE_FORMAT.md", code);
}

TEST(Docs, ProtocolDefaultsAreTheNodes) {
  const NodeConfig c;
  const std::map<std::string, std::uint64_t> code{
      {"gossip_interval", c.gossip_interval},
      {"recent_max", c.recent_max},
      {"walk_width", c.walk_width},
      {"message_bytes_max", c.message_bytes_max},
      {"exchanges_max", c.exchanges_max},
      {"exchanges_per_peer_max", c.exchanges_per_peer_max},
      {"messages_per_exchange_max", c.messages_per_exchange_max},
      {"kSectionBytesMax", kSectionBytesMax},
      {"kMessageOverheadMax", kMessageOverheadMax},
  };
  expect_rows("PROTOCOL.md", code);
}

}  // namespace
}  // namespace gossip::docs
