// What an ECP list and an ECP are (the FsRtl*ExtraCreateParameter* routines, fsrtl/ecp_list.cpp,
// make and use them): io needs the list's shape to check the one IoCreateFileEx is given and to
// hand it to the create IRP. Each ECP's context is preceded by its EcpEntry; a list keeps its ECPs
// in the order they were inserted.
#pragma once

#include "io/ddk.hpp"

namespace ntio::io {

struct alignas(16) EcpEntry {
    static constexpr ULONG kMagic = 0x20504345;  // 'ECP '
    ULONG magic = kMagic;
    ULONG size = 0;  // of the context
    GUID type{};
    PFSRTL_EXTRA_CREATE_PARAMETER_CLEANUP_CALLBACK cleanup = nullptr;
    ULONG tag = 0;
    bool acknowledged = false;
    struct ::_ECP_LIST* list = nullptr;  // the list holding it, if any
    // The lookaside list it came from (FsRtlAllocateExtraCreateParameterFromLookasideList), else
    // NULL for pool; `paged_lookaside` tells which kind of list.
    PVOID lookaside = nullptr;
    bool paged_lookaside = false;

    PVOID context() noexcept { return this + 1; }
    static EcpEntry* of(PVOID context) noexcept { return static_cast<EcpEntry*>(context) - 1; }
};

}  // namespace ntio::io

struct _ECP_LIST {
    static constexpr ULONG kMagic = 0x4c504345;  // 'ECPL'
    ULONG magic = kMagic;
    std::vector<ntio::io::EcpEntry*> entries;
};

namespace ntio::io {

// A list FsRtlAllocateExtraCreateParameterList made (and not freed), as far as its first word tells.
inline bool is_ecp_list(const struct ::_ECP_LIST* list) noexcept { return list && list->magic == _ECP_LIST::kMagic; }
// An ECP context FsRtlAllocateExtraCreateParameter made, as far as the word before it tells.
inline bool is_ecp(PVOID context) noexcept { return context && EcpEntry::of(context)->magic == EcpEntry::kMagic; }

}  // namespace ntio::io
