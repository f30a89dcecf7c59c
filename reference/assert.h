// Always-on assertions for programming errors.
//
// GOSSIP_ASSERT survives NDEBUG: release, fuzz and simulation builds keep every check,
// because a broken invariant in a verification suite must stop the run, not skew its
// results. Expected failures (bad input, a corrupt message) are Status values instead.
#pragma once

namespace gossip::detail {
[[noreturn]] void assert_fail(const char* expr, const char* file, int line, const char* msg);
}  // namespace gossip::detail

#define GOSSIP_ASSERT(cond)                                                         \
  do {                                                                              \
    if (!(cond)) ::gossip::detail::assert_fail(#cond, __FILE__, __LINE__, nullptr); \
  } while (0)

#define GOSSIP_ASSERT_MSG(cond, msg)                                              \
  do {                                                                            \
    if (!(cond)) ::gossip::detail::assert_fail(#cond, __FILE__, __LINE__, (msg)); \
  } while (0)
