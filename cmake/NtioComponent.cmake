# ntio_component(<name> SOURCES ...): an object library ntio_<name> that becomes part of libntio.
function(ntio_component name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  add_library(ntio_${name} OBJECT ${ARG_SOURCES})
  target_link_libraries(ntio_${name} PUBLIC ntio_flags)
endfunction()
