// Compiled only to build the components' shared precompiled header (see src/CMakeLists.txt).
