// Prints the test vectors in docs/WIRE_FORMAT.md's form (docs_test checks the document
// quotes exactly these).
#include <iostream>

#include "tests/docs/vectors.h"

int main() {
  for (const gossip::docs::Vector& v : gossip::docs::all_vectors()) std::cout << gossip::docs::format_vector(v) << "\n";
  return 0;
}
