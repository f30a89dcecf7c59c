# gossip_target_defaults(<target>): the warning set every gossipcheck target builds with.
# GOSSIP_WERROR turns warnings into errors (CI sets it).
function(gossip_target_defaults target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
    -Wnull-dereference -Wimplicit-fallthrough)
  if(GOSSIP_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
