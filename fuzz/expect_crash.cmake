# cmake -DPROGRAM=... "-DARGS=a;b" "-DEXPECTED=regex" -P expect_crash.cmake
# Passes when PROGRAM fails (a non-zero exit or a signal) and its output matches EXPECTED:
# how ctest checks that the canary crashes the way it must.
execute_process(COMMAND ${PROGRAM} ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(all "${out}${err}")
if(rc EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} exited 0; it had to crash with: ${EXPECTED}\n${all}")
endif()
if(NOT all MATCHES "${EXPECTED}")
  message(FATAL_ERROR "${PROGRAM} failed (${rc}) without the expected report (${EXPECTED}):\n${all}")
endif()
string(REGEX MATCH "[^\n]*${EXPECTED}[^\n]*" line "${all}")
message(STATUS "crashed as it must (${rc}): ${line}")
