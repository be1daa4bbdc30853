/* <ntifs.h> contents: the tunnel cache, where a file system keeps the names (and a packet of its
 * own data, such as the creation time) of files it just deleted or renamed, so that a file created
 * under the same name soon after gets them back. WDK names, signatures and Windows x64 layout:
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtladdtotunnelcache
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-_fsrtl_advanced_fcb_header-fsrtlfindintunnelcache
 * IRQL <= APC_LEVEL. */
#ifndef NTIO_DDK_FSRTL_TUNNEL_H
#define NTIO_DDK_FSRTL_TUNNEL_H

#include "ex.h"
#include "rtl_generic_table.h"

NTIO_BEGIN_DECLS

typedef struct _TUNNEL {
    FAST_MUTEX Mutex;
    PRTL_SPLAY_LINKS Cache; /* FsRtl's own */
    LIST_ENTRY TimerQueue;
    USHORT NumEntries;
} TUNNEL, *PTUNNEL;

NTKERNELAPI VOID NTAPI FsRtlInitializeTunnelCache(PTUNNEL Cache);
NTKERNELAPI VOID NTAPI FsRtlAddToTunnelCache(PTUNNEL Cache, ULONGLONG DirectoryKey, PUNICODE_STRING ShortName,
                                             PUNICODE_STRING LongName, BOOLEAN KeyByShortName, ULONG DataLength,
                                             PVOID Data);
NTKERNELAPI BOOLEAN NTAPI FsRtlFindInTunnelCache(PTUNNEL Cache, ULONGLONG DirectoryKey, PUNICODE_STRING Name,
                                                 PUNICODE_STRING ShortName, PUNICODE_STRING LongName,
                                                 PULONG DataLength, PVOID Data);
NTKERNELAPI VOID NTAPI FsRtlDeleteKeyFromTunnelCache(PTUNNEL Cache, ULONGLONG DirectoryKey);
NTKERNELAPI VOID NTAPI FsRtlDeleteTunnelCache(PTUNNEL Cache);

NTIO_END_DECLS

#endif
