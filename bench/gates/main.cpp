// ntio_gates: `ntio bench` as a stand-alone executable (the same options at top level), so the
// gates can be run and tested without the ntio tool.
#include "harness/bench_command.hpp"

int main(int argc, char** argv) { return ntio::bench::gates_main(argc, argv); }
