# Writes an X-macro list of every "#define <NAME> <value>" in a header whose name matches a prefix
# pattern, so the names tables cannot drift from the headers. Called at build time:
#   cmake -DINPUT=<header> -DOUTPUT=<inc> -DPATTERN=<regex for the name> [-DCAST=<type>] -P gen_names.cmake
file(STRINGS "${INPUT}" lines REGEX "^#define ${PATTERN} ")
set(body "// Generated from ${INPUT}; do not edit.\n")
foreach(line IN LISTS lines)
  if(DEFINED CAST)
    # Only values written with the cast, e.g. ((NTSTATUS)0xC0000001L), not helper constants.
    if(line MATCHES "^#define (${PATTERN}) \\(\\(${CAST}\\)(0x[0-9A-Fa-f]+)L\\)$")
      string(APPEND body "NTIO_NAME_ENTRY(${CMAKE_MATCH_1}, ${CMAKE_MATCH_2})\n")
    endif()
  elseif(line MATCHES "^#define (${PATTERN}) (0x[0-9A-Fa-f]+)L$")
    string(APPEND body "NTIO_NAME_ENTRY(${CMAKE_MATCH_1}, ${CMAKE_MATCH_2})\n")
  endif()
endforeach()
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
else()
  set(old "")
endif()
if(NOT old STREQUAL body)
  file(WRITE "${OUTPUT}" "${body}")
endif()
