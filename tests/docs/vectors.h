// The test vectors of docs/WIRE_FORMAT.md ("Test vectors"), computed by the reference.
//
// docs_test checks that the document quotes exactly these; `gossip-vectors` prints them in
// the document's form, for the day the wire format changes on purpose.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace gossip::docs {

struct Vector {
  std::string name;
  std::vector<std::pair<std::string, std::string>> fields;  // in order: "frame", "json", ...
};

std::vector<Vector> all_vectors();

// One fenced block: ```vector / "name: ..." / "key: value" lines / ```.
std::string format_vector(const Vector& v);
// Every fenced block of that form in a Markdown text, in order.
std::vector<Vector> parse_vectors(const std::string& markdown);

}  // namespace gossip::docs
