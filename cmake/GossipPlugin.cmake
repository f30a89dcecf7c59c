# gossip_add_plugin(TARGET SOURCES...): a plug-in module (include/gossipcheck/plugin.h) linked
# against the reference library, whose symbols stay inside it: only gossipcheck_plugin is
# exported, so two plug-ins (or gossipcheck and a plug-in) never bind to each other's code.
function(gossip_add_plugin target)
  add_library(${target} MODULE ${ARGN})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(${target} PRIVATE gossip::reference)
  target_link_options(${target} PRIVATE -Wl,--exclude-libs,ALL -Wl,-Bsymbolic)
  set_target_properties(${target} PROPERTIES PREFIX "lib" CXX_VISIBILITY_PRESET hidden)
endfunction()
