// Completion ports as the I/O manager sees them: the IoCompletion object type (a KQUEUE and its
// packets) and the completion settings of a file object. NtSetInformationFile and
// NtQueryInformationFile (nt/file_information_services.cpp) hand the completion classes here after
// probing and capturing the caller's buffer; buffers passed in are kernel copies.
#pragma once

#include "io/ddk.hpp"

namespace ntio::io {

// FileCompletionInformation (FILE_COMPLETION_INFORMATION: associate a port and key),
// FileReplaceCompletionInformation and FileIoCompletionNotificationInformation (FILE_SKIP_* flags)
// on `file`, with NT's rules (NT facts F3, F11). `mode` is the requestor's mode (port handle
// lookup). Returns STATUS_INVALID_INFO_CLASS for any other class.
NTSTATUS set_completion_information(PFILE_OBJECT file, FILE_INFORMATION_CLASS info_class, const void* buffer,
                                    ULONG length, KPROCESSOR_MODE mode) noexcept;

// FileIoCompletionNotificationInformation (and any other completion class NT answers): fills
// `buffer` (a kernel buffer of `length` bytes) and `*written`. STATUS_INVALID_INFO_CLASS otherwise.
NTSTATUS query_completion_information(PFILE_OBJECT file, FILE_INFORMATION_CLASS info_class, void* buffer,
                                      ULONG length, ULONG* written) noexcept;

}  // namespace ntio::io
