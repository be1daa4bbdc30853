# libntio is linked by its users at start-up, never dlopen()ed, so its thread-locals (current
# thread, deferred wakes, SEH frames) can use the initial-exec model: no __tls_get_addr call on
# every wait, APC or probe.
# Nothing interposes libntio's functions (drivers and programs call them, never replace them):
# calls inside the library may be inlined and bound directly (with -Bsymbolic-functions at
# link time), not sent through the PLT.
# NTIO_LIBRARY_INTERNAL: the code is libntio's own, so data only the library reads (the
# verifier's hook flags, NTIO_LIBRARY_LOCAL) is hidden and read directly, not through the GOT.
set(NTIO_COMPONENT_OPTIONS -ftls-model=initial-exec -fno-semantic-interposition -DNTIO_LIBRARY_INTERNAL)

# ntio_component(<name> SOURCES ...): an object library ntio_<name> that becomes part of libntio,
# compiled with the shared precompiled header of ntio_pch (src/CMakeLists.txt).
function(ntio_component name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  add_library(ntio_${name} OBJECT ${ARG_SOURCES})
  target_link_libraries(ntio_${name} PUBLIC ntio_flags)
  target_compile_options(ntio_${name} PRIVATE ${NTIO_COMPONENT_OPTIONS})
  target_precompile_headers(ntio_${name} REUSE_FROM ntio_pch)
endfunction()
