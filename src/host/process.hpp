// Facts about the host process and its surroundings: its id, its program file, its terminal, a random
// source and its immediate exit.
#pragma once

#include <cstddef>
#include <string>

namespace ntio::host {

int process_id() noexcept;           // the host process's id
std::string program_path();          // the host program's file (/proc/self/exe), empty if unknown
bool input_is_terminal() noexcept;   // standard input is a terminal (an interactive user)

// Fills `length` bytes from the host's random source (not for keys: for UUIDs and seeds); false
// when the host gives none.
bool random_bytes(void* out, std::size_t length) noexcept;

// Ends the host process now with `code` (the host keeps its low byte): the C streams are flushed,
// no atexit handler or static destructor runs and no other thread is waited for.
[[noreturn]] void exit_process_now(int code) noexcept;

}  // namespace ntio::host
