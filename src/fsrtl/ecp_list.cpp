// Extra create parameters: ECP lists and the typed context blocks in them, allocated from pool
// (under the caller's tag, so pool tracking sees them), and the list a create IRP carries, which
// lives on the file object it opens while the create is out (io/ecp_list.hpp holds the shapes).
// https://learn.microsoft.com/windows-hardware/drivers/ifs/using-extra-create-parameters-with-an-irp-mj-create-operation
#include "fsrtl/ecp_list.hpp"

#include "io/ecp_list.hpp"
#include "io/objects.hpp"

#include <cstring>
#include <new>

using ntio::io::EcpEntry;
using ntio::io::is_ecp;
using ntio::io::is_ecp_list;

namespace {

constexpr ULONG kListTag = 'LpcE';

bool same_type(const GUID& a, const GUID& b) noexcept { return std::memcmp(&a, &b, sizeof(GUID)) == 0; }

// Frees one ECP (out of any list), calling its cleanup callback first; one from a lookaside list
// goes back to it.
void free_entry(EcpEntry* entry) noexcept {
    if (entry->cleanup) entry->cleanup(entry->context(), &entry->type);
    const ULONG tag = entry->tag;
    PVOID lookaside = entry->lookaside;
    const bool paged = entry->paged_lookaside;
    entry->magic = 0;
    entry->~EcpEntry();
    if (!lookaside)
        ExFreePoolWithTag(entry, tag);
    else if (paged)
        ExFreeToPagedLookasideList(static_cast<PPAGED_LOOKASIDE_LIST>(lookaside), entry);
    else
        ExFreeToNPagedLookasideList(static_cast<PNPAGED_LOOKASIDE_LIST>(lookaside), entry);
}

// Makes an ECP in `memory` (sizeof(EcpEntry) + size bytes), its context zeroed.
PVOID make_entry(void* memory, LPCGUID type, ULONG size, PFSRTL_EXTRA_CREATE_PARAMETER_CLEANUP_CALLBACK cleanup,
                 ULONG tag) noexcept {
    auto* entry = new (memory) EcpEntry();
    entry->size = size;
    entry->type = *type;
    entry->cleanup = cleanup;
    entry->tag = tag;
    std::memset(entry->context(), 0, size);
    return entry->context();
}

// The lookaside lists FsRtlInitExtraCreateParameterLookasideList makes hold whole ECPs: the entry
// in front of the context, then the context.
constexpr FSRTL_ALLOCATE_ECP_FLAGS kKnownEcpFlags =
    FSRTL_ALLOCATE_ECP_FLAG_CHARGE_QUOTA | FSRTL_ALLOCATE_ECP_FLAG_NONPAGED_POOL;

EcpEntry* find(PECP_LIST list, LPCGUID type) noexcept {
    for (EcpEntry* e : list->entries)
        if (same_type(e->type, *type)) return e;
    return nullptr;
}

}  // namespace

namespace ntio::fsrtl {

bool is_ntio_file(PFILE_OBJECT file) noexcept {
    return file && file->Type == IO_TYPE_FILE && ob::type_of(file) == &io::g_file_type;
}

PFILE_OBJECT create_file_object(PIRP irp) noexcept {
    if (!irp || !(irp->Flags & IRP_CREATE_OPERATION)) return nullptr;
    PFILE_OBJECT file = irp->Tail.Overlay.OriginalFileObject;
    if (!file) file = IoGetCurrentIrpStackLocation(irp)->FileObject;
    return is_ntio_file(file) ? file : nullptr;
}

}  // namespace ntio::fsrtl

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlallocateextracreateparameterlist
// The quota flag is accepted and charges nothing (ntio keeps no pool quotas).
NTKERNELAPI NTSTATUS NTAPI FsRtlAllocateExtraCreateParameterList(FSRTL_ALLOCATE_ECPLIST_FLAGS Flags,
                                                                 PECP_LIST* EcpList) {
    if (!EcpList || (Flags & ~FSRTL_ALLOCATE_ECPLIST_FLAG_CHARGE_QUOTA)) return STATUS_INVALID_PARAMETER;
    *EcpList = nullptr;
    void* memory = ExAllocatePoolWithTag(PagedPool, sizeof(ECP_LIST), kListTag);
    if (!memory) return STATUS_INSUFFICIENT_RESOURCES;
    *EcpList = new (memory) ECP_LIST();
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlfreeextracreateparameterlist
// The ECPs still in the list go with it, each through its cleanup callback.
NTKERNELAPI VOID NTAPI FsRtlFreeExtraCreateParameterList(PECP_LIST EcpList) {
    if (!is_ecp_list(EcpList)) return;
    for (EcpEntry* e : EcpList->entries) free_entry(e);
    EcpList->magic = 0;
    EcpList->~ECP_LIST();
    ExFreePoolWithTag(EcpList, kListTag);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlallocateextracreateparameter
// The context comes zeroed.
NTKERNELAPI NTSTATUS NTAPI FsRtlAllocateExtraCreateParameter(LPCGUID EcpType, ULONG SizeOfContext,
                                                             FSRTL_ALLOCATE_ECP_FLAGS Flags,
                                                             PFSRTL_EXTRA_CREATE_PARAMETER_CLEANUP_CALLBACK CleanupCallback,
                                                             ULONG PoolTag, PVOID* EcpContext) {
    if (!EcpType || !EcpContext || SizeOfContext == 0 || (Flags & ~kKnownEcpFlags)) return STATUS_INVALID_PARAMETER;
    *EcpContext = nullptr;
    if (SizeOfContext > MAXULONG - sizeof(EcpEntry)) return STATUS_INVALID_PARAMETER;
    const POOL_TYPE pool = (Flags & FSRTL_ALLOCATE_ECP_FLAG_NONPAGED_POOL) ? NonPagedPoolNx : PagedPool;
    void* memory = ExAllocatePoolWithTag(pool, sizeof(EcpEntry) + SizeOfContext, PoolTag);
    if (!memory) return STATUS_INSUFFICIENT_RESOURCES;
    *EcpContext = make_entry(memory, EcpType, SizeOfContext, CleanupCallback, PoolTag);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlinitextracreateparameterlookasidelist
// Lookaside is a PAGED_LOOKASIDE_LIST, or an NPAGED_LOOKASIDE_LIST with
// FSRTL_ECP_LOOKASIDE_FLAG_NONPAGED_POOL. Size is the size of the contexts it gives out (Learn: "the
// size, in bytes, for all ECP entries"); each of its blocks also holds FsRtl's header in front.
NTKERNELAPI VOID NTAPI FsRtlInitExtraCreateParameterLookasideList(PVOID Lookaside, FSRTL_ECP_LOOKASIDE_FLAGS Flags,
                                                                  SIZE_T Size, ULONG Tag) {
    const SIZE_T block = Size > MAXULONG - sizeof(EcpEntry) ? MAXULONG : sizeof(EcpEntry) + Size;
    if (Flags & FSRTL_ECP_LOOKASIDE_FLAG_NONPAGED_POOL)
        ExInitializeNPagedLookasideList(static_cast<PNPAGED_LOOKASIDE_LIST>(Lookaside), nullptr, nullptr,
                                        POOL_NX_ALLOCATION, block, Tag, 0);
    else
        ExInitializePagedLookasideList(static_cast<PPAGED_LOOKASIDE_LIST>(Lookaside), nullptr, nullptr, 0, block, Tag,
                                       0);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtldeleteextracreateparameterlookasidelist
// Flags must say the kind of list it was initialized as. ECPs still out must have been freed
// (Learn: drivers free every ECP and lookaside list they create before unloading).
NTKERNELAPI VOID NTAPI FsRtlDeleteExtraCreateParameterLookasideList(PVOID Lookaside, FSRTL_ECP_LOOKASIDE_FLAGS Flags) {
    if (Flags & FSRTL_ECP_LOOKASIDE_FLAG_NONPAGED_POOL)
        ExDeleteNPagedLookasideList(static_cast<PNPAGED_LOOKASIDE_LIST>(Lookaside));
    else
        ExDeletePagedLookasideList(static_cast<PPAGED_LOOKASIDE_LIST>(Lookaside));
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlallocateextracreateparameterfromlookasidelist
// A context larger than the list's size comes from pool (under the list's tag, charged to the
// process with FSRTL_ALLOCATE_ECP_FLAG_CHARGE_QUOTA), nonpaged when the list is; one that fits comes
// from the list, and the quota flag is ignored, as Learn says. Either way it is zeroed, and
// FsRtlFreeExtraCreateParameter gives it back where it came from. The list's kind is read from
// its pool type; FSRTL_ALLOCATE_ECP_FLAG_NONPAGED_POOL in Flags is accepted and does not change it.
NTKERNELAPI NTSTATUS NTAPI FsRtlAllocateExtraCreateParameterFromLookasideList(
    LPCGUID EcpType, ULONG SizeOfContext, FSRTL_ALLOCATE_ECP_FLAGS Flags,
    PFSRTL_EXTRA_CREATE_PARAMETER_CLEANUP_CALLBACK CleanupCallback, PVOID LookasideList, PVOID* EcpContext) {
    if (!EcpType || !EcpContext || !LookasideList || SizeOfContext == 0 || (Flags & ~kKnownEcpFlags))
        return STATUS_INVALID_PARAMETER;
    *EcpContext = nullptr;
    if (SizeOfContext > MAXULONG - sizeof(EcpEntry)) return STATUS_INVALID_PARAMETER;
    auto* general = static_cast<PGENERAL_LOOKASIDE>(LookasideList);
    const bool paged = (general->Type & 1) == PagedPool;  // the base pool type's low bit
    const ULONG tag = general->Tag;
    if (sizeof(EcpEntry) + SizeOfContext > general->Size) {
        const POOL_TYPE pool = paged ? PagedPool : NonPagedPoolNx;
        void* memory = (Flags & FSRTL_ALLOCATE_ECP_FLAG_CHARGE_QUOTA)
                           ? ExAllocatePoolWithQuotaTag(static_cast<POOL_TYPE>(pool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE),
                                                        sizeof(EcpEntry) + SizeOfContext, tag)
                           : ExAllocatePoolWithTag(pool, sizeof(EcpEntry) + SizeOfContext, tag);
        if (!memory) return STATUS_INSUFFICIENT_RESOURCES;
        *EcpContext = make_entry(memory, EcpType, SizeOfContext, CleanupCallback, tag);
        return STATUS_SUCCESS;
    }
    void* memory = paged ? ExAllocateFromPagedLookasideList(static_cast<PPAGED_LOOKASIDE_LIST>(LookasideList))
                         : ExAllocateFromNPagedLookasideList(static_cast<PNPAGED_LOOKASIDE_LIST>(LookasideList));
    if (!memory) return STATUS_INSUFFICIENT_RESOURCES;
    *EcpContext = make_entry(memory, EcpType, SizeOfContext, CleanupCallback, tag);
    EcpEntry* entry = EcpEntry::of(*EcpContext);
    entry->lookaside = LookasideList;
    entry->paged_lookaside = paged;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlfreeextracreateparameter
// An ECP still in a list leaves it first (Learn asks callers not to free one in a list; ntio does
// not leave the list pointing at freed memory).
NTKERNELAPI VOID NTAPI FsRtlFreeExtraCreateParameter(PVOID EcpContext) {
    if (!is_ecp(EcpContext)) return;
    EcpEntry* entry = EcpEntry::of(EcpContext);
    if (PECP_LIST list = entry->list) std::erase(list->entries, entry);
    free_entry(entry);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlinsertextracreateparameter
// A list holds one ECP of each type: another of the same type is STATUS_OBJECT_NAME_COLLISION.
NTKERNELAPI NTSTATUS NTAPI FsRtlInsertExtraCreateParameter(PECP_LIST EcpList, PVOID EcpContext) {
    if (!is_ecp_list(EcpList) || !is_ecp(EcpContext)) return STATUS_INVALID_PARAMETER;
    EcpEntry* entry = EcpEntry::of(EcpContext);
    if (entry->list) return STATUS_INVALID_PARAMETER;  // a guess: Learn does not say
    if (find(EcpList, &entry->type)) return STATUS_OBJECT_NAME_COLLISION;
    try {
        EcpList->entries.push_back(entry);
    } catch (const std::bad_alloc&) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    entry->list = EcpList;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlfindextracreateparameter
NTKERNELAPI NTSTATUS NTAPI FsRtlFindExtraCreateParameter(PECP_LIST EcpList, LPCGUID EcpType, PVOID* EcpContext,
                                                         ULONG* EcpContextSize) {
    if (EcpContext) *EcpContext = nullptr;
    if (EcpContextSize) *EcpContextSize = 0;
    if (!is_ecp_list(EcpList) || !EcpType) return STATUS_INVALID_PARAMETER;
    EcpEntry* entry = find(EcpList, EcpType);
    if (!entry) return STATUS_NOT_FOUND;
    if (EcpContext) *EcpContext = entry->context();
    if (EcpContextSize) *EcpContextSize = entry->size;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlremoveextracreateparameter
// The ECP leaves the list and becomes the caller's to free.
NTKERNELAPI NTSTATUS NTAPI FsRtlRemoveExtraCreateParameter(PECP_LIST EcpList, LPCGUID EcpType, PVOID* EcpContext,
                                                           ULONG* EcpContextSize) {
    if (!EcpContext) return STATUS_INVALID_PARAMETER;
    NTSTATUS status = FsRtlFindExtraCreateParameter(EcpList, EcpType, EcpContext, EcpContextSize);
    if (!NT_SUCCESS(status)) return status;
    EcpEntry* entry = EcpEntry::of(*EcpContext);
    std::erase(EcpList->entries, entry);
    entry->list = nullptr;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlgetnextextracreateparameter
// A NULL CurrentEcpContext starts with the first ECP; past the last one is STATUS_NOT_FOUND.
NTKERNELAPI NTSTATUS NTAPI FsRtlGetNextExtraCreateParameter(PECP_LIST EcpList, PVOID CurrentEcpContext,
                                                            LPGUID NextEcpType, PVOID* NextEcpContext,
                                                            ULONG* NextEcpContextSize) {
    if (NextEcpContext) *NextEcpContext = nullptr;
    if (NextEcpContextSize) *NextEcpContextSize = 0;
    if (!is_ecp_list(EcpList)) return STATUS_INVALID_PARAMETER;
    std::size_t next = 0;
    if (CurrentEcpContext) {
        if (!is_ecp(CurrentEcpContext) || EcpEntry::of(CurrentEcpContext)->list != EcpList)
            return STATUS_INVALID_PARAMETER;
        while (EcpList->entries[next] != EcpEntry::of(CurrentEcpContext)) ++next;
        ++next;
    }
    if (next >= EcpList->entries.size()) return STATUS_NOT_FOUND;
    EcpEntry* entry = EcpList->entries[next];
    if (NextEcpType) *NextEcpType = entry->type;
    if (NextEcpContext) *NextEcpContext = entry->context();
    if (NextEcpContextSize) *NextEcpContextSize = entry->size;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlgetecplistfromirp
// NULL (and STATUS_SUCCESS) for a create without a list.
NTKERNELAPI NTSTATUS NTAPI FsRtlGetEcpListFromIrp(PIRP Irp, PECP_LIST* EcpList) {
    if (!Irp || !EcpList || !(Irp->Flags & IRP_CREATE_OPERATION)) return STATUS_INVALID_PARAMETER;
    PFILE_OBJECT file = ntio::fsrtl::create_file_object(Irp);
    *EcpList = file ? ntio::io::file_private(file).create_ecp_list : nullptr;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlsetecplistintoirp
// NT deviation: the list is kept with the file object ntio made for the create, so a create IRP a
// driver built around its own FILE_OBJECT cannot carry one (STATUS_INVALID_PARAMETER_2).
NTKERNELAPI NTSTATUS NTAPI FsRtlSetEcpListIntoIrp(PIRP Irp, PECP_LIST EcpList) {
    if (!is_ecp_list(EcpList)) return STATUS_INVALID_PARAMETER;
    PFILE_OBJECT file = ntio::fsrtl::create_file_object(Irp);
    if (!file) return STATUS_INVALID_PARAMETER_2;
    auto& priv = ntio::io::file_private(file);
    if (priv.create_ecp_list) return STATUS_INVALID_PARAMETER_3;
    priv.create_ecp_list = EcpList;
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlacknowledgeecp
NTKERNELAPI VOID NTAPI FsRtlAcknowledgeEcp(PVOID EcpContext) {
    if (is_ecp(EcpContext)) EcpEntry::of(EcpContext)->acknowledged = true;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlisecpacknowledged
NTKERNELAPI BOOLEAN NTAPI FsRtlIsEcpAcknowledged(PVOID EcpContext) {
    return is_ecp(EcpContext) && EcpEntry::of(EcpContext)->acknowledged ? TRUE : FALSE;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlisecpfromusermode
// Every ECP here comes from a kernel caller: user mode has no way to send one.
NTKERNELAPI BOOLEAN NTAPI FsRtlIsEcpFromUserMode(PVOID EcpContext) {
    (void)EcpContext;
    return FALSE;
}

}  // extern "C"
