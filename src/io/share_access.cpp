// Share access for file systems: the SHARE_ACCESS counters a file system keeps per open file and the
// per-open FILE_OBJECT access/share flags. Only the data accesses (read class FILE_READ_DATA |
// FILE_EXECUTE, write class FILE_WRITE_DATA | FILE_APPEND_DATA, and DELETE) take part (NT fact N1).
// The I/O manager does not call these for plain devices (NT fact N3); file systems do, under their
// own lock for the file.
#include "io/objects.hpp"
#include "verifier/verifier.hpp"

namespace ntio::io {
namespace {

struct Classes {
    bool read;
    bool write;
    bool del;
    bool any() const noexcept { return read || write || del; }
};

Classes access_classes(ACCESS_MASK access) noexcept {
    return {(access & (FILE_READ_DATA | FILE_EXECUTE)) != 0, (access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) != 0,
            (access & DELETE) != 0};
}

// Records the open's classes and share mode in the file object (done even when the check fails,
// as NT does; a file object that fails its open is discarded anyway).
Classes record(ACCESS_MASK access, ULONG share, PFILE_OBJECT file) noexcept {
    const Classes c = access_classes(access);
    file->ReadAccess = c.read;
    file->WriteAccess = c.write;
    file->DeleteAccess = c.del;
    if (c.any()) {
        file->SharedRead = (share & FILE_SHARE_READ) != 0;
        file->SharedWrite = (share & FILE_SHARE_WRITE) != 0;
        file->SharedDelete = (share & FILE_SHARE_DELETE) != 0;
    }
    return c;
}

void add(PFILE_OBJECT file, PSHARE_ACCESS share) noexcept {
    share->OpenCount += 1;
    share->Readers += file->ReadAccess ? 1 : 0;
    share->Writers += file->WriteAccess ? 1 : 0;
    share->Deleters += file->DeleteAccess ? 1 : 0;
    share->SharedRead += file->SharedRead ? 1 : 0;
    share->SharedWrite += file->SharedWrite ? 1 : 0;
    share->SharedDelete += file->SharedDelete ? 1 : 0;
}

bool has_data_access(PFILE_OBJECT file) noexcept { return file->ReadAccess || file->WriteAccess || file->DeleteAccess; }

void remove(PFILE_OBJECT file, PSHARE_ACCESS share) noexcept {
    share->OpenCount -= 1;
    share->Readers -= file->ReadAccess ? 1 : 0;
    share->Writers -= file->WriteAccess ? 1 : 0;
    share->Deleters -= file->DeleteAccess ? 1 : 0;
    share->SharedRead -= file->SharedRead ? 1 : 0;
    share->SharedWrite -= file->SharedWrite ? 1 : 0;
    share->SharedDelete -= file->SharedDelete ? 1 : 0;
}

// A link's counters hold the delete state of the opens made through it.
void add_link(PFILE_OBJECT file, PLINK_SHARE_ACCESS link) noexcept {
    link->OpenCount += 1;
    link->Deleters += file->DeleteAccess ? 1 : 0;
    link->SharedDelete += file->SharedDelete ? 1 : 0;
}
void remove_link(PFILE_OBJECT file, PLINK_SHARE_ACCESS link) noexcept {
    link->OpenCount -= 1;
    link->Deleters -= file->DeleteAccess ? 1 : 0;
    link->SharedDelete -= file->SharedDelete ? 1 : 0;
}

// The share mode an open gets: without write permission, an open that reads and does not write
// may not keep others from reading (it shares reads).
ULONG share_for(ACCESS_MASK access, ULONG share, bool write_permission) noexcept {
    const Classes c = access_classes(access);
    if (!write_permission && c.read && !c.write) share |= FILE_SHARE_READ;
    return share;
}

// The conflicts of the open recorded in `file` with the opens `share` counts, per class.
bool read_conflict(PFILE_OBJECT file, const SHARE_ACCESS& share) noexcept {
    return (file->ReadAccess && share.SharedRead < share.OpenCount) || (share.Readers != 0 && !file->SharedRead);
}
bool write_conflict(PFILE_OBJECT file, const SHARE_ACCESS& share) noexcept {
    return (file->WriteAccess && share.SharedWrite < share.OpenCount) || (share.Writers != 0 && !file->SharedWrite);
}
bool delete_conflict(PFILE_OBJECT file, ULONG opens, ULONG deleters, ULONG shared_delete) noexcept {
    return (file->DeleteAccess && shared_delete < opens) || (deleters != 0 && !file->SharedDelete);
}

}  // namespace
}  // namespace ntio::io

using namespace ntio;

extern "C" {

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iocheckshareaccess
// The new open conflicts when it wants a class some existing open does not share (that open's
// Shared* count is below OpenCount), or when it refuses to share a class some open already has.
// A file object marked by IoSetFileObjectIgnoreSharing is neither checked nor counted.
NTSTATUS NTAPI IoCheckShareAccess(ACCESS_MASK DesiredAccess, ULONG DesiredShareAccess, PFILE_OBJECT FileObject,
                                  PSHARE_ACCESS ShareAccess, BOOLEAN Update) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive2);
    if (io::ignores_sharing(FileObject)) return STATUS_SUCCESS;
    const io::Classes c = io::record(DesiredAccess, DesiredShareAccess, FileObject);
    if (!c.any()) return STATUS_SUCCESS;
    const ULONG opens = ShareAccess->OpenCount;
    const bool conflict = (c.read && ShareAccess->SharedRead < opens) || (c.write && ShareAccess->SharedWrite < opens) ||
                          (c.del && ShareAccess->SharedDelete < opens) ||
                          (ShareAccess->Readers != 0 && !FileObject->SharedRead) ||
                          (ShareAccess->Writers != 0 && !FileObject->SharedWrite) ||
                          (ShareAccess->Deleters != 0 && !FileObject->SharedDelete);
    if (conflict) return STATUS_SHARING_VIOLATION;
    if (Update) io::add(FileObject, ShareAccess);
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iocheckshareaccessex
// IoCheckShareAccess, with WritePermission (optional) FALSE making an open that reads and does not
// write share reads ("downgraded to FILE_SHARE_READ"), as IoSetShareAccessEx does.
NTSTATUS NTAPI IoCheckShareAccessEx(ACCESS_MASK DesiredAccess, ULONG DesiredShareAccess, PFILE_OBJECT FileObject,
                                    PSHARE_ACCESS ShareAccess, BOOLEAN Update, PBOOLEAN WritePermission) {
    const ULONG share =
        WritePermission ? io::share_for(DesiredAccess, DesiredShareAccess, *WritePermission != FALSE) : DesiredShareAccess;
    return IoCheckShareAccess(DesiredAccess, share, FileObject, ShareAccess, Update);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetshareaccess
// The first open of a file: the counters describe this open alone (all zero when it has no data access).
VOID NTAPI IoSetShareAccess(ACCESS_MASK DesiredAccess, ULONG DesiredShareAccess, PFILE_OBJECT FileObject,
                            PSHARE_ACCESS ShareAccess) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
    *ShareAccess = SHARE_ACCESS{};
    if (io::record(DesiredAccess, DesiredShareAccess, FileObject).any()) io::add(FileObject, ShareAccess);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetshareaccessex
// IoSetShareAccess, with WritePermission (optional) FALSE making an open that reads and does not
// write share reads.
VOID NTAPI IoSetShareAccessEx(ACCESS_MASK DesiredAccess, ULONG DesiredShareAccess, PFILE_OBJECT FileObject,
                              PSHARE_ACCESS ShareAccess, PBOOLEAN WritePermission) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
    const ULONG share =
        WritePermission ? io::share_for(DesiredAccess, DesiredShareAccess, *WritePermission != FALSE) : DesiredShareAccess;
    *ShareAccess = SHARE_ACCESS{};
    if (io::record(DesiredAccess, share, FileObject).any()) io::add(FileObject, ShareAccess);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iochecklinkshareaccess
// IoCheckShareAccess for a file with several links: reads and writes are checked against
// ShareAccess (the file's), deletes against LinkShareAccess (the link the open names) when given,
// as deleting one link leaves the others. The IO_CHECK_SHARE_ACCESS_DONT_CHECK_* flags leave a
// class out. IO_CHECK_SHARE_ACCESS_UPDATE_SHARE_ACCESS counts a permitted open in ShareAccess (every
// class, so IoRemoveShareAccess takes it out again) and in LinkShareAccess.
// IO_CHECK_SHARE_ACCESS_DONT_UPDATE_FILE_OBJECT (or no FileObject) leaves the file object as it is.
// IO_SHARE_ACCESS_NO_WRITE_PERMISSION: an open that reads and does not write shares reads.
// A file object marked by IoSetFileObjectIgnoreSharing is neither checked nor counted unless
// IO_CHECK_SHARE_ACCESS_FORCE_CHECK asks for it; IO_SHARE_ACCESS_NON_PRIMARY_STREAM is accepted and
// not used.
NTSTATUS NTAPI IoCheckLinkShareAccess(ACCESS_MASK DesiredAccess, ULONG DesiredShareAccess, PFILE_OBJECT FileObject,
                                      PSHARE_ACCESS ShareAccess, PLINK_SHARE_ACCESS LinkShareAccess,
                                      ULONG IoShareAccessFlags) {
    if (!(IoShareAccessFlags & IO_CHECK_SHARE_ACCESS_FORCE_CHECK) && io::ignores_sharing(FileObject))
        return STATUS_SUCCESS;
    const ULONG share = io::share_for(DesiredAccess, DesiredShareAccess,
                                      !(IoShareAccessFlags & IO_SHARE_ACCESS_NO_WRITE_PERMISSION));
    FILE_OBJECT scratch{};
    PFILE_OBJECT open =
        FileObject && !(IoShareAccessFlags & IO_CHECK_SHARE_ACCESS_DONT_UPDATE_FILE_OBJECT) ? FileObject : &scratch;
    if (!io::record(DesiredAccess, share, open).any()) return STATUS_SUCCESS;
    bool conflict = false;
    if (ShareAccess) {
        if (!(IoShareAccessFlags & IO_CHECK_SHARE_ACCESS_DONT_CHECK_READ)) conflict |= io::read_conflict(open, *ShareAccess);
        if (!(IoShareAccessFlags & IO_CHECK_SHARE_ACCESS_DONT_CHECK_WRITE)) conflict |= io::write_conflict(open, *ShareAccess);
    }
    if (!(IoShareAccessFlags & IO_CHECK_SHARE_ACCESS_DONT_CHECK_DELETE)) {
        if (LinkShareAccess) {
            conflict |= io::delete_conflict(open, LinkShareAccess->OpenCount, LinkShareAccess->Deleters,
                                            LinkShareAccess->SharedDelete);
        } else if (ShareAccess) {
            conflict |= io::delete_conflict(open, ShareAccess->OpenCount, ShareAccess->Deleters, ShareAccess->SharedDelete);
        }
    }
    if (conflict) return STATUS_SHARING_VIOLATION;
    if (IoShareAccessFlags & IO_CHECK_SHARE_ACCESS_UPDATE_SHARE_ACCESS) {
        if (ShareAccess) io::add(open, ShareAccess);
        if (LinkShareAccess) io::add_link(open, LinkShareAccess);
    }
    return STATUS_SUCCESS;
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iosetlinkshareaccess
// The first open of a file, through one of its links: ShareAccess and LinkShareAccess (optional)
// describe this open alone, as IoSetShareAccess's counters do (all zero when it has no data access).
// IO_SHARE_ACCESS_NO_WRITE_PERMISSION: an open that reads and does not write shares reads. Setting
// is updating, so IO_CHECK_SHARE_ACCESS_UPDATE_SHARE_ACCESS changes nothing here; the file object
// keeps the open's classes whatever the flags, since IoRemoveLinkShareAccess reads them back.
VOID NTAPI IoSetLinkShareAccess(ACCESS_MASK DesiredAccess, ULONG DesiredShareAccess, PFILE_OBJECT FileObject,
                                PSHARE_ACCESS ShareAccess, PLINK_SHARE_ACCESS LinkShareAccess,
                                ULONG IoShareAccessFlags) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
    const ULONG share = io::share_for(DesiredAccess, DesiredShareAccess,
                                      !(IoShareAccessFlags & IO_SHARE_ACCESS_NO_WRITE_PERMISSION));
    *ShareAccess = SHARE_ACCESS{};
    if (LinkShareAccess) *LinkShareAccess = LINK_SHARE_ACCESS{};
    if (!io::record(DesiredAccess, share, FileObject).any()) return;
    io::add(FileObject, ShareAccess);
    if (LinkShareAccess) io::add_link(FileObject, LinkShareAccess);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioupdatelinkshareaccess
// Counts an open already checked with IoCheckLinkShareAccess without
// IO_CHECK_SHARE_ACCESS_UPDATE_SHARE_ACCESS: in the file's counters and in its link's.
VOID NTAPI IoUpdateLinkShareAccess(PFILE_OBJECT FileObject, PSHARE_ACCESS ShareAccess,
                                   PLINK_SHARE_ACCESS LinkShareAccess) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
    if (!io::has_data_access(FileObject)) return;
    io::add(FileObject, ShareAccess);
    if (LinkShareAccess) io::add_link(FileObject, LinkShareAccess);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioremovelinkshareaccess
// The inverse of IoUpdateLinkShareAccess, when the open is closed.
VOID NTAPI IoRemoveLinkShareAccess(PFILE_OBJECT FileObject, PSHARE_ACCESS ShareAccess,
                                   PLINK_SHARE_ACCESS LinkShareAccess) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
    if (!io::has_data_access(FileObject)) return;
    io::remove(FileObject, ShareAccess);
    if (LinkShareAccess) io::remove_link(FileObject, LinkShareAccess);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioremovelinkshareaccessex
// IoRemoveLinkShareAccess; its one flag, IO_SHARE_ACCESS_NON_PRIMARY_STREAM, is accepted and not
// used, as in IoCheckLinkShareAccess.
VOID NTAPI IoRemoveLinkShareAccessEx(PFILE_OBJECT FileObject, PSHARE_ACCESS ShareAccess,
                                     PLINK_SHARE_ACCESS LinkShareAccess, ULONG IoShareAccessFlags) {
    (void)IoShareAccessFlags;
    IoRemoveLinkShareAccess(FileObject, ShareAccess, LinkShareAccess);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioupdateshareaccess
// Counts an open already checked with IoCheckShareAccess(Update FALSE).
VOID NTAPI IoUpdateShareAccess(PFILE_OBJECT FileObject, PSHARE_ACCESS ShareAccess) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
    if (io::has_data_access(FileObject)) io::add(FileObject, ShareAccess);
}

// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioremoveshareaccess
VOID NTAPI IoRemoveShareAccess(PFILE_OBJECT FileObject, PSHARE_ACCESS ShareAccess) {
    NTIO_VERIFY_DDI(ntio::verifier::DdiRule::IoPassive5);
    if (io::has_data_access(FileObject)) io::remove(FileObject, ShareAccess);
}

}  // extern "C"
