# Warning set for all ntio code; NTIO_WERROR (on in CI) turns them into errors.
function(ntio_apply_warnings target)
  target_compile_options(${target} INTERFACE
    -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
    $<$<COMPILE_LANGUAGE:CXX>:-Wno-invalid-offsetof>)
  if(NTIO_WERROR)
    target_compile_options(${target} INTERFACE -Werror)
  endif()
  if(NTIO_THREAD_SAFETY AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    target_compile_options(${target} INTERFACE -Wthread-safety)
  endif()
endfunction()
