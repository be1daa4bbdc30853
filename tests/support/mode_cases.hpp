// NT fact I11: FileModeInformation is answered by the I/O manager from the create options, whatever
// the driver: each option a test opens with, and the mode it must report.
#pragma once

#include <wdm.h>

namespace ntio::test {

struct ModeCase {
    ULONG options;
    ULONG mode;
};

inline constexpr ModeCase kModeCases[] = {
    {0, 0},
    {FILE_WRITE_THROUGH, FILE_WRITE_THROUGH},
    {FILE_SEQUENTIAL_ONLY, FILE_SEQUENTIAL_ONLY},
    {FILE_NO_INTERMEDIATE_BUFFERING, FILE_NO_INTERMEDIATE_BUFFERING},
    {FILE_SYNCHRONOUS_IO_ALERT, FILE_SYNCHRONOUS_IO_ALERT},
    {FILE_SYNCHRONOUS_IO_NONALERT, FILE_SYNCHRONOUS_IO_NONALERT},
    // Never reported.
    {FILE_NON_DIRECTORY_FILE, 0},
    {FILE_DELETE_ON_CLOSE, 0},
    {FILE_RANDOM_ACCESS, 0},
    {FILE_NO_COMPRESSION, 0},
};

}  // namespace ntio::test
