#include "reference/status.h"
#include "reference/assert.h"

#include <cstdio>
#include <cstdlib>

namespace gossip {

std::string_view code_name(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return "ok";
    case Status::Code::kTruncated:
      return "truncated";
    case Status::Code::kUnknownTag:
      return "unknown tag";
    case Status::Code::kOverLimit:
      return "over limit";
    case Status::Code::kNonCanonical:
      return "non-canonical";
    case Status::Code::kChecksumMismatch:
      return "checksum mismatch";
    case Status::Code::kConflictingWrite:
      return "conflicting write";
    case Status::Code::kInvalid:
      return "invalid";
    case Status::Code::kNotFound:
      return "not found";
    case Status::Code::kAlreadyExists:
      return "already exists";
  }
  return "unknown code";
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  std::string out(code_name(code_));
  out += ": ";
  out += message_;
  return out;
}

namespace {
AssertHandler assert_handler = nullptr;
}  // namespace

AssertHandler set_assert_handler(AssertHandler handler) {
  AssertHandler previous = assert_handler;
  assert_handler = handler;
  return previous;
}

namespace detail {
void assert_fail(const char* expr, const char* file, int line, const char* msg) {
  if (assert_handler) assert_handler(expr, file, line, msg);  // may throw
  std::fprintf(stderr, "gossipcheck: assertion failed: %s (%s:%d)%s%s\n", expr, file, line,
               msg ? ": " : "", msg ? msg : "");
  std::fflush(stderr);
  std::abort();
}
}  // namespace detail

}  // namespace gossip
