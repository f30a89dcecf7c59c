# gossipcheck explore on a mutant's runner must find a violation (exit 1), save its history,
# and the saved history must fail again on the mutant when replayed.
#   cmake -DRUNNER=<gossip-mutant-X> -DWORK=<dir> -P explore_finds.cmake
file(REMOVE_RECURSE ${WORK})
execute_process(COMMAND ${RUNNER} explore --writes 2 --ticks 1 --duplicates 1 --crashes 1 --failures ${WORK}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "${out}")
if(NOT rc EQUAL 1 OR NOT out MATCHES "VIOLATION")
  message(FATAL_ERROR "explore found no violation on the mutant (exit ${rc}):\n${out}${err}")
endif()
file(GLOB saved ${WORK}/explore-*.history)
list(LENGTH saved n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one saved history in ${WORK}, found ${n}")
endif()
execute_process(COMMAND ${RUNNER} --replay ${saved} --quiet RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "the saved history does not fail again on the mutant (exit ${rc}):\n${out}${err}")
endif()
