/* The over-reading part of overread.sys, the way real drivers have it: a fixed-length field copied
 * from a table of shorter string literals. Harmless on Windows (the bytes after a literal are
 * readable), an AddressSanitizer global-buffer-overflow in a sanitized build: CMakeLists.txt builds
 * this file as an UNSANITIZED_SOURCE of the image (NT fact S24), the driver source stays as it is. */
#include <wdm.h>

#include "overread.h"

static const char *const OverreadVersions[] = {"1.0", "2.10", "3.0.1"};

VOID OverreadCopyVersion(_In_ ULONG Index, _Out_writes_bytes_(OVERREAD_VERSION_FIELD) PUCHAR Field)
{
    RtlCopyMemory(Field, OverreadVersions[Index % RTL_NUMBER_OF(OverreadVersions)], OVERREAD_VERSION_FIELD);
}
