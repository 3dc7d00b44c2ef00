# The walls between fieldcrm's layers, checked when CMake configures (docs/architecture.md).
# Each target below belongs to one layer; a target may link only targets of lower layers (and
# anything outside fieldcrm). A link upwards, or across to another target of the same layer,
# stops the configure step with a message naming both targets.
#
# Layers, lowest first. Targets in one entry (separated by commas) share the layer.
set(FIELDCRM_LAYERS
  "fieldcrm_warnings"  # compile flags only, below everything
  "fieldcrm_sdk"
  "tiering,referral,surveys,alerts"  # the built-in plugins: the SDK only
  "fieldcrm_base"
  "fieldcrm_storage"
  "fieldcrm_storage_internal"  # storage's internal headers: for core's subsystems and tests
  "fieldcrm_model"
  "fieldcrm_projections"
  "fieldcrm_plugin_host"
  "fieldcrm_application"
  "fieldcrm_sync,fieldcrm_reports,fieldcrm_postgres"
  "fieldcrm_server,fieldcrm_tablet"
  "fieldcrm_cli_common"
  "fieldcrm,fieldcrm-server,fieldcrm-plugin-host,fieldcrm-bench")

function(fieldcrm_check_layers)
  set(rank 0)
  foreach(layer IN LISTS FIELDCRM_LAYERS)
    string(REPLACE "," ";" layer "${layer}")
    foreach(target IN LISTS layer)
      if(NOT TARGET ${target})
        message(FATAL_ERROR "cmake/Layers.cmake names ${target}, which is not a target")
      endif()
      set(rank_of_${target} ${rank})
    endforeach()
    math(EXPR rank "${rank} + 1")
  endforeach()
  foreach(layer IN LISTS FIELDCRM_LAYERS)
    string(REPLACE "," ";" layer "${layer}")
    foreach(target IN LISTS layer)
      get_target_property(direct ${target} LINK_LIBRARIES)
      get_target_property(interface ${target} INTERFACE_LINK_LIBRARIES)
      foreach(dependency IN LISTS direct interface)
        # PRIVATE links of static libraries show up as $<LINK_ONLY:name>.
        string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" dependency "${dependency}")
        if(TARGET "${dependency}")
          get_target_property(aliased "${dependency}" ALIASED_TARGET)
          if(aliased)
            set(dependency "${aliased}")
          endif()
        endif()
        if(NOT DEFINED rank_of_${dependency})
          if(dependency MATCHES "^fieldcrm")
            message(FATAL_ERROR
              "${target} links ${dependency}, which has no layer: add it to cmake/Layers.cmake")
          endif()
          continue()
        endif()
        if(rank_of_${dependency} LESS rank_of_${target})
          continue()
        endif()
        message(FATAL_ERROR "${target} links ${dependency}, a target of the same or a higher "
                            "layer: dependencies point down only (cmake/Layers.cmake)")
      endforeach()
    endforeach()
  endforeach()
endfunction()
