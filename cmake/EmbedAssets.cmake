# fieldcrm_embed_assets(OUT HEADER NAMESPACE FUNCTION TYPE FILES...): a custom command that
# compiles FILES into the C++ source OUT with cmake/embed.cmake (see there).
set(FIELDCRM_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed.cmake)
function(fieldcrm_embed_assets out header namespace function type)
  string(REPLACE ";" "|" file_arg "${ARGN}")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} "-DFILES=${file_arg}" -DHEADER=${header}
            -DNAMESPACE=${namespace} -DFUNCTION=${function} -DTYPE=${type}
            -P ${FIELDCRM_EMBED_SCRIPT}
    DEPENDS ${ARGN} ${FIELDCRM_EMBED_SCRIPT}
    COMMENT "Embedding ${function}"
    VERBATIM)
endfunction()
