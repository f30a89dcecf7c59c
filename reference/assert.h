// Always-on assertions for programming errors.
//
// GOSSIP_ASSERT survives NDEBUG: release, fuzz and simulation builds keep every check,
// because a broken invariant in a verification suite must stop the run, not skew its
// results. Expected failures (bad input, a corrupt message) are Status values instead.
#pragma once

namespace gossip::detail {
[[noreturn]] void assert_fail(const char* expr, const char* file, int line, const char* msg);
}  // namespace gossip::detail

namespace gossip {
// Called when an assertion fails, before the process aborts. The property runners install one
// that throws, so that a broken implementation's own assertion fails the property case (and
// is shrunk and replayed like any other failure) instead of killing the run. Returns the
// previous handler; nullptr restores the default (print, then abort).
using AssertHandler = void (*)(const char* expr, const char* file, int line, const char* msg);
AssertHandler set_assert_handler(AssertHandler handler);
}  // namespace gossip

#define GOSSIP_ASSERT(cond)                                                         \
  do {                                                                              \
    if (!(cond)) ::gossip::detail::assert_fail(#cond, __FILE__, __LINE__, nullptr); \
  } while (0)

#define GOSSIP_ASSERT_MSG(cond, msg)                                              \
  do {                                                                            \
    if (!(cond)) ::gossip::detail::assert_fail(#cond, __FILE__, __LINE__, (msg)); \
  } while (0)
