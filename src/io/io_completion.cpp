// PLACEHOLDER until the completion-port work lands: no completion class is answered yet.
#include "io/io_completion.hpp"

namespace ntio::io {

NTSTATUS set_completion_information(PFILE_OBJECT, FILE_INFORMATION_CLASS, const void*, ULONG,
                                    KPROCESSOR_MODE) noexcept {
    return STATUS_INVALID_INFO_CLASS;
}

NTSTATUS query_completion_information(PFILE_OBJECT, FILE_INFORMATION_CLASS, void*, ULONG, ULONG*) noexcept {
    return STATUS_INVALID_INFO_CLASS;
}

}  // namespace ntio::io
