// IoGetTopLevelIrp / IoSetTopLevelIrp: the calling thread's top-level IRP field (ETHREAD.TopLevelIrp
// on NT), which file systems set when they enter at the top and read to tell a recursive entry (a
// paging read from inside their own cached read) from a top-level one. The cache manager's lazy
// writer and read-ahead, FsRtl's fast I/O and the memory manager's writes of mapped pages set the
// FSRTL_*_TOP_LEVEL_IRP values while they call into a file system.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iogettoplevelirp
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-iosettoplevelirp
#include "io/ddk.hpp"

namespace {
// constinit: no TLS initialisation check on the file systems' paths.
constinit thread_local PIRP t_top_level_irp = nullptr;
}  // namespace

extern "C" {

NTKERNELAPI PIRP NTAPI IoGetTopLevelIrp(VOID) { return t_top_level_irp; }

NTKERNELAPI VOID NTAPI IoSetTopLevelIrp(PIRP Irp) { t_top_level_irp = Irp; }

}  // extern "C"
