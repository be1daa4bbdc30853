// `ntio kd`: the inspector as a command, post-mortem on a dump (-z DUMP) or attached to a running
// ntio process (-p PID). tools/ntio forwards its arguments here.
#pragma once

namespace ntio::inspect {

// argv[0] is the command's own name ("kd"); then -z DUMP or -p PID, optionally followed by one
// command line (its words; ';' separates several commands). Without a command, reads commands from
// stdin, one per line, until EOF or "q". Returns 0 when every command succeeded, 1 when one failed,
// 2 for bad usage or a dump / process that cannot be opened.
int kd_main(int argc, char** argv);

}  // namespace ntio::inspect
