/* A module for the LoadLibrary tests: an ELF shared object named NtioTestModule.dll with one export. */
__attribute__((visibility("default"))) int NtioTestModuleAdd(int a, int b) { return a + b; }
