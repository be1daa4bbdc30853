/* <aux_klib.h>: the Auxiliary Kernel-Mode Library: the loaded image modules and the data of the bug
 * check in progress. On Windows a static library linked into the driver; in ntio exported by the
 * runtime, so AuxKlibInitialize is a formality. */
#ifndef NTIO_AUX_KLIB_H
#define NTIO_AUX_KLIB_H
#include "wdm.h"

NTIO_BEGIN_DECLS

#define AUX_KLIB_MODULE_PATH_LEN 256

typedef struct _AUX_MODULE_BASIC_INFO {
    PVOID ImageBase;
} AUX_MODULE_BASIC_INFO, *PAUX_MODULE_BASIC_INFO;

typedef struct _AUX_MODULE_EXTENDED_INFO {
    AUX_MODULE_BASIC_INFO BasicInfo;
    ULONG ImageSize;
    USHORT FileNameOffset; /* of the file name within FullPathName, in bytes */
    UCHAR FullPathName[AUX_KLIB_MODULE_PATH_LEN];
} AUX_MODULE_EXTENDED_INFO, *PAUX_MODULE_EXTENDED_INFO;

typedef struct _KBUGCHECK_DATA {
    ULONG BugCheckDataSize; /* set by the caller: sizeof(KBUGCHECK_DATA) */
    ULONG BugCheckCode;
    ULONG_PTR Parameter1;
    ULONG_PTR Parameter2;
    ULONG_PTR Parameter3;
    ULONG_PTR Parameter4;
} KBUGCHECK_DATA, *PKBUGCHECK_DATA;

/* PASSIVE_LEVEL. Always STATUS_SUCCESS. */
NTSTATUS NTAPI AuxKlibInitialize(VOID);
/* PASSIVE_LEVEL. ElementSize is sizeof(AUX_MODULE_BASIC_INFO) or sizeof(AUX_MODULE_EXTENDED_INFO).
 * QueryInfo NULL: *BufferSize receives the bytes needed. Otherwise the array is written when
 * *BufferSize holds that many (STATUS_BUFFER_TOO_SMALL and the size needed when not). The first
 * module is the kernel (the ntio runtime, named ntoskrnl.exe), then the loaded drivers. */
NTSTATUS NTAPI AuxKlibQueryModuleInformation(PULONG BufferSize, ULONG ElementSize, PVOID QueryInfo);
/* Only from a bug check callback routine: the bug check's code and parameters.
 * STATUS_INFO_LENGTH_MISMATCH when BugCheckDataSize is not sizeof(KBUGCHECK_DATA). */
NTSTATUS NTAPI AuxKlibGetBugCheckData(PKBUGCHECK_DATA BugCheckData);

NTIO_END_DECLS

#endif /* NTIO_AUX_KLIB_H */
