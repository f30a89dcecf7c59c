# The wrong implementations that docs/claims.json names for obligations judged through the
# seam, where tests/certify/CMakeLists.txt does not already show them failing: each a mutant of
# the reference's node code built as a plug-in, run at the quick profile on the one property
# that must refuse it. tests/docs/claims_test.py (ctest docs.claims) reads refused.txt to check
# that every claim judged through the seam names a refuter some certify test shows failing.
# Included at the end of tests/certify/CMakeLists.txt: refused.txt is written again below.

# claims_refuter(MUTANT PROPERTY VERDICT MATCH): certify.mutant_<MUTANT with _> must exit 1 with
# PROPERTY's verdict VERDICT and the output matching MATCH. A test of that name already defined
# (by tests/certify/CMakeLists.txt) is kept as it is.
function(claims_refuter mutant property verdict match)
  string(REPLACE "-" "_" t ${mutant})
  if(TEST certify.mutant_${t})
    return()
  endif()
  gossip_use_mutant(gossip-mutant-plugin-${mutant} have)
  if(NOT have)
    return()
  endif()
  gossip_certify_test(mutant_${t} EXIT 1
                      ARGS --impl $<TARGET_FILE:gossip-mutant-plugin-${mutant}> --profile quick --only ${property}
                      VERDICTS ${property}=${verdict} MATCH "${match}")
endfunction()

# The data model: clocks, registers, joins, local writes (each fails within a second).
claims_refuter(prune-clock histories fails "the model writes")           # a write's clock drops an entry
claims_refuter(resurrect-dominated histories crashed "check_invariants")  # a dominated sibling kept (its own check aborts)
claims_refuter(non-idempotent-merge histories fails "I[0-9]+ after step") # a second delivery changes the state
claims_refuter(absorb-reads-first-sibling histories fails "the model writes")
claims_refuter(counter-overflow-asserts writes_at_limits crashed "UINT64_MAX")  # a write at 2^64 - 1 aborts
claims_refuter(decode-refuses-full-register writes_at_limits fails "does not decode")  # 32 siblings refused
claims_refuter(refused-register-drops-message hostile_receive fails "dropped a whole Hello")
# The codec, budgets and exchanges.
claims_refuter(accept-overlong-varint refused_frames_leave_no_trace fails "overlong")
claims_refuter(probe-min-four-bytes histories fails "not converged")      # a count's minimum bytes wrong
claims_refuter(oversize-register-fills-the-budget budget_strands_nothing fails "never reached an empty node")
claims_refuter(exchanges-never-expire flood_fair_share fails "got no Reply")
# Digests: a wire node whose roots are not the specified function of its state (the reference
# partners of interop then answer in-sync Hellos).
claims_refuter(root-depends-on-history interop fails "in sync")
claims_refuter(stale-inner-digest interop fails "in sync")
claims_refuter(hash-omits-strength interop fails "in sync")
claims_refuter(leaf-split-off-by-one interop fails "in sync")

# refused.txt, written by tests/certify/CMakeLists.txt before this file was included, again with
# the tests above (certify.every_property_refused and docs.claims read it).
get_property(claims_refused GLOBAL PROPERTY GOSSIP_CERTIFY_REFUSED)
string(REPLACE ";" "\n" claims_refused_lines "${claims_refused}")
file(WRITE ${work}/refused.txt "${claims_refused_lines}\n")
