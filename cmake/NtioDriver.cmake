# In-tree driver images: ntio_add_driver(<name> SOURCES <file>... [UNSANITIZED_SOURCES <file>...]
# [OUTPUT_DIRECTORY <dir>]) builds
# <name>.sys, a loadable module that resolves its DDIs against libntio (the way a .sys imports
# ntoskrnl.exe), with the DDK include paths and 16-bit wchar_t. The same function name as the
# installed package's (cmake/ntioConfig.cmake.in), so drivers build the same way in and out of tree.
# Images go to <build>/drivers unless OUTPUT_DIRECTORY says otherwise. UNSANITIZED_SOURCES are part of
# the image but compiled without AddressSanitizer in the asan build: real drivers may over-read
# constant data (a fixed-length copy from a shorter literal), harmless on Windows, and a sanitizer
# build of the driver host exempts such sources instead of changing them (NT fact S24).
function(ntio_add_driver name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "OUTPUT_DIRECTORY" "SOURCES;UNSANITIZED_SOURCES")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "ntio_add_driver(${name}): no SOURCES given")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "ntio_add_driver(${name}): unexpected arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_OUTPUT_DIRECTORY)
    set(ARG_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/drivers)
  endif()
  add_library(${name} MODULE ${ARG_SOURCES} ${ARG_UNSANITIZED_SOURCES})
  if(ARG_UNSANITIZED_SOURCES AND NTIO_SANITIZE STREQUAL "address")
    set_source_files_properties(${ARG_UNSANITIZED_SOURCES} PROPERTIES COMPILE_OPTIONS "-fno-sanitize=address")
  endif()
  target_link_libraries(${name} PRIVATE ntio ntio_flags)
  # A driver that links against an export driver names it by its image name (the SONAME) and finds
  # it next to itself, as a .sys imports another .sys by name.
  set_target_properties(${name} PROPERTIES PREFIX "" SUFFIX ".sys"
                        LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY}
                        BUILD_RPATH "$ORIGIN" INSTALL_RPATH "$ORIGIN")
  target_link_options(${name} PRIVATE "LINKER:-soname,${name}.sys")
endfunction()
