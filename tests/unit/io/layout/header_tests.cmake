# Header compile tests: every public header compiles on its own as C11 and C++20 with gcc and
# clang-14 under -Wall -Wextra -Werror -fshort-wchar; the driver idioms (SAL, alloc_text, PAGED_CODE)
# compile, in a free and a checked (DBG) build; and without -fshort-wchar the headers stop with their #error. Each test runs a compiler.

set(hdr_dir ${CMAKE_CURRENT_BINARY_DIR}/headers)
set(hdr_includes -I${PROJECT_SOURCE_DIR}/include/ntio/ddk -I${PROJECT_SOURCE_DIR}/include)
set(hdr_warnings -Wall -Wextra -Werror)
set(hdr_headers wdm.h ntddk.h ntifs.h ntio/ntapi.h ntio/ntio.h)

# compiler id, language flag, standard, program
ntio_header_compilers(hdr_compilers)

foreach(header IN LISTS hdr_headers)
  string(MAKE_C_IDENTIFIER "${header}" stem)
  file(CONFIGURE OUTPUT ${hdr_dir}/${stem}.c CONTENT "#include <${header}>\n")
endforeach()

foreach(entry IN LISTS hdr_compilers)
  string(REPLACE "|" ";" entry "${entry}")
  list(GET entry 0 id)
  list(GET entry 1 lang)
  list(GET entry 2 std)
  list(GET entry 3 program)
  foreach(header IN LISTS hdr_headers)
    string(MAKE_C_IDENTIFIER "${header}" stem)
    add_test(NAME header_compiles_alone.${id}.${header}
             COMMAND ${program} -x ${lang} ${std} ${hdr_warnings} -fshort-wchar ${hdr_includes}
                     -fsyntax-only ${hdr_dir}/${stem}.c)
    set_tests_properties(header_compiles_alone.${id}.${header} PROPERTIES LABELS unit TIMEOUT 60)
  endforeach()

  set(idiom_flags)
  set(program_version "")
  if(id STREQUAL "g++")
    # Ask the program itself: in the clang preset CMAKE_CXX_COMPILER is clang, not this g++.
    execute_process(COMMAND ${program} -dumpversion OUTPUT_VARIABLE program_version OUTPUT_STRIP_TRAILING_WHITESPACE)
  endif()
  if(id STREQUAL "g++" AND program_version VERSION_LESS 13)
    # g++ before 13 lexes the whole file before applying '#pragma GCC diagnostic', so the headers
    # cannot silence -Wunknown-pragmas for a later '#pragma alloc_text' (GCC bug 53431).
    set(idiom_flags -Wno-unknown-pragmas)
  endif()
  add_test(NAME header_driver_idioms_compile.${id}
           COMMAND ${program} -x ${lang} ${std} ${hdr_warnings} ${idiom_flags} -fshort-wchar ${hdr_includes}
                   -c ${CMAKE_CURRENT_SOURCE_DIR}/headers/driver_idioms.c -o ${hdr_dir}/driver_idioms.${id}.o)
  set_tests_properties(header_driver_idioms_compile.${id} PROPERTIES LABELS unit TIMEOUT 60)
  # A checked build (DBG=1): PAGED_CODE and ASSERT expand to their checks.
  add_test(NAME header_driver_idioms_compile_checked.${id}
           COMMAND ${program} -x ${lang} ${std} ${hdr_warnings} ${idiom_flags} -fshort-wchar -DDBG=1 ${hdr_includes}
                   -c ${CMAKE_CURRENT_SOURCE_DIR}/headers/driver_idioms.c -o ${hdr_dir}/driver_idioms_checked.${id}.o)
  set_tests_properties(header_driver_idioms_compile_checked.${id} PROPERTIES LABELS unit TIMEOUT 60)

  # Without -fshort-wchar, wchar_t is 32 bits and every WCHAR layout would be wrong: the headers
  # must refuse with their #error, not compile into something subtly broken.
  add_test(NAME header_rejects_long_wchar.${id}
           COMMAND ${program} -x ${lang} ${std} ${hdr_includes} -fsyntax-only ${hdr_dir}/wdm_h.c)
  # The #error's own text, so a failure for any other reason does not count as a pass.
  set_tests_properties(header_rejects_long_wchar.${id} PROPERTIES
                       LABELS unit TIMEOUT 60 PASS_REGULAR_EXPRESSION "error:[^\n]*compile with -fshort-wchar")
endforeach()
