// Oplock keys (MS-FSA 2.1.1.10, Open.OplockKey; 2.1.5.1): an open's key is the GUID of the oplock
// key ECP its create carried, recorded on its file object when the file system checks the create
// with the oplock package, and otherwise the open itself. Opens with equal keys do not break each
// other's oplocks.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-oplock_key_ecp_context
#include "fsrtl/ecp_list.hpp"
#include "fsrtl/oplock_state.hpp"

#include "io/objects.hpp"

#include <cstring>

namespace ntio::fsrtl::oplock {

void record_create_key(PIRP irp) noexcept {
    PFILE_OBJECT file = create_file_object(irp);
    if (!file) return;
    io::FilePrivate& priv = io::file_private(file);
    PECP_LIST list = priv.create_ecp_list;
    PVOID context = nullptr;
    ULONG size = 0;
    if (!list || !NT_SUCCESS(FsRtlFindExtraCreateParameter(list, &GUID_ECP_OPLOCK_KEY, &context, &size)) ||
        size < sizeof(OPLOCK_KEY_ECP_CONTEXT))
        return;
    // The first check records it; a create checked again (posted and started over) finds it there.
    if (priv.has_oplock_key) return;
    priv.oplock_key = static_cast<POPLOCK_KEY_ECP_CONTEXT>(context)->OplockKey;
    priv.has_oplock_key = true;
}

bool same_key(PFILE_OBJECT a, PFILE_OBJECT b) noexcept {
    if (a == b) return a != nullptr;
    if (!is_ntio_file(a) || !is_ntio_file(b)) return false;
    const io::FilePrivate& pa = io::file_private(a);
    const io::FilePrivate& pb = io::file_private(b);
    return pa.has_oplock_key && pb.has_oplock_key &&
           std::memcmp(&pa.oplock_key, &pb.oplock_key, sizeof(GUID)) == 0;
}

}  // namespace ntio::fsrtl::oplock

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtloplockkeysequal
NTKERNELAPI BOOLEAN NTAPI FsRtlOplockKeysEqual(PFILE_OBJECT Fo1, PFILE_OBJECT Fo2) {
    return ntio::fsrtl::oplock::same_key(Fo1, Fo2) ? TRUE : FALSE;
}

}  // extern "C"
