# fieldcrm_add_plugin(NAME sources...): a plugin library named NAME.so that the fieldcrm host can
# load. Only the entry point is exported (hidden visibility), so plugins cannot clash.
function(fieldcrm_add_plugin name)
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE fieldcrm::sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
endfunction()
