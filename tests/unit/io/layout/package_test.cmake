# package_install: `cmake --install` of this build into a scratch prefix, then the outside project in
# tests/package/ built against it with find_package(ntio) and with pkg-config, run, and checked.
find_program(NTIO_PKG_CONFIG pkg-config)
find_program(NTIO_NM nm)
if(NTIO_PKG_CONFIG AND NTIO_NM)
  set(package_flags "")
  if(NTIO_SANITIZE STREQUAL "address")
    set(package_flags "-fsanitize=address,undefined")
  elseif(NTIO_SANITIZE STREQUAL "thread")
    set(package_flags "-fsanitize=thread")
  endif()
  add_test(NAME package_install
           COMMAND ${PROJECT_SOURCE_DIR}/tests/package/run_package_test.sh ${PROJECT_BINARY_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/package_install ${CMAKE_C_COMPILER} ${CMAKE_CXX_COMPILER}
                   "${CMAKE_GENERATOR}" "${package_flags}")
  # RUN_SERIAL: the outside build uses both cores for a few seconds.
  set_tests_properties(package_install PROPERTIES LABELS unit TIMEOUT 120 RUN_SERIAL TRUE)
else()
  message(STATUS "ntio: pkg-config or nm missing; no package_install test")
endif()
