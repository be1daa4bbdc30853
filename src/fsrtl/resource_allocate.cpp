// FsRtlAllocateResource: an initialized ERESOURCE for an old file system's FCB, which it never
// frees. Learn calls the routine obsolete and names what replaces it (ExAllocateFromNPagedLookasideList
// and ExInitializeResourceLite), which is what this does, from nonpaged pool:
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlallocateresource
// Each call gets a resource of its own, owned by the System and deleted when it shuts down (after
// the file systems' work is over). A guess (docs/nt-deviations.md, FsRtl): NT hands out resources
// from a small fixed set shared between callers.
#include <ntifs.h>

#include "ntio/system.hpp"

#include <new>

namespace {

constexpr ULONG kResourceTag = 'rRsF';

void delete_resource(void* context) {
    auto* resource = static_cast<PERESOURCE>(context);
    (void)ExDeleteResourceLite(resource);
    ExFreePoolWithTag(resource, kResourceTag);
}

}  // namespace

extern "C" {

PERESOURCE NTAPI FsRtlAllocateResource(VOID) {
    ntio::System* system = ntio::System::current();
    if (!system) return nullptr;
    auto* resource =
        static_cast<PERESOURCE>(ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(ERESOURCE), kResourceTag));
    if (!resource) return nullptr;
    (void)ExInitializeResourceLite(resource);
    if (!system->try_at_shutdown(delete_resource, resource)) {
        (void)ExDeleteResourceLite(resource);
        ExFreePoolWithTag(resource, kResourceTag);
        return nullptr;
    }
    return resource;
}

}  // extern "C"
