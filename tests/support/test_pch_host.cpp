// Compiles nothing of its own: the target that owns this file builds the precompiled header every
// GoogleTest executable reuses (tests/CMakeLists.txt, ntio_add_gtest).
