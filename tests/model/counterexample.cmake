# A Z3 counterexample of a merge mutant, kept as a regression test: the shipped reference keeps
# the law on it (exit 0), the mutant's runner breaks it (exit 1).
#   cmake -DREFERENCE=<gossip-properties> [-DMUTANT=<gossip-mutant-X>] -DCASE=<file> -P counterexample.cmake
execute_process(COMMAND ${REFERENCE} --replay ${CASE} --quiet RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the reference breaks the law on ${CASE} (exit ${rc}):\n${out}${err}")
endif()
if(MUTANT)
  execute_process(COMMAND ${MUTANT} --replay ${CASE} --quiet RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 1)
    message(FATAL_ERROR "the mutant's runner does not break the law on ${CASE} (exit ${rc}, want 1):\n${out}${err}")
  endif()
  message(STATUS "${out}")
endif()
