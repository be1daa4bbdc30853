# <windows.h> compile tests: alone, with <winerror.h>, and together with <ntio/ntapi.h> / <winternl.h> /
# <wdm.h> in both orders, as C11 and C++20 with gcc and clang-14 under -Wall -Wextra -Werror
# -fshort-wchar, with and without UNICODE. Each test runs a compiler.

set(w32_hdr_includes -I${PROJECT_SOURCE_DIR}/include/ntio/sdk -I${PROJECT_SOURCE_DIR}/include
    -I${PROJECT_SOURCE_DIR}/include/ntio/ddk)
set(w32_hdr_warnings -Wall -Wextra -Werror)

ntio_header_compilers(w32_compilers)

set(w32_cases windows_alone winerror_alone windows_then_ntapi ntapi_then_windows windows_then_wdm
    wdm_then_windows winternl_then_windows windows_usage)
foreach(entry IN LISTS w32_compilers)
  string(REPLACE "|" ";" entry "${entry}")
  list(GET entry 0 id)
  list(GET entry 1 lang)
  list(GET entry 2 std)
  list(GET entry 3 program)
  foreach(case IN LISTS w32_cases)
    foreach(unicode IN ITEMS ansi unicode)
      set(defs)
      if(unicode STREQUAL "unicode")
        set(defs -DUNICODE -D_UNICODE)
      endif()
      add_test(NAME windows_header_compiles.${id}.${case}.${unicode}
               COMMAND ${program} -x ${lang} ${std} ${w32_hdr_warnings} -fshort-wchar ${defs} ${w32_hdr_includes}
                       -fsyntax-only ${CMAKE_CURRENT_SOURCE_DIR}/headers/${case}.c)
      set_tests_properties(windows_header_compiles.${id}.${case}.${unicode} PROPERTIES LABELS unit TIMEOUT 60)
    endforeach()
  endforeach()
  # Without -fshort-wchar the shared base types refuse with their #error.
  add_test(NAME windows_header_rejects_long_wchar.${id}
           COMMAND ${program} -x ${lang} ${std} ${w32_hdr_includes} -fsyntax-only
                   ${CMAKE_CURRENT_SOURCE_DIR}/headers/windows_alone.c)
  set_tests_properties(windows_header_rejects_long_wchar.${id} PROPERTIES
                       LABELS unit TIMEOUT 60 PASS_REGULAR_EXPRESSION "error:[^\n]*compile with -fshort-wchar")
endforeach()
