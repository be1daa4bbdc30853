/* The memory manager's file-system DDIs (ntifs.h part): what a file system asks about the sections of
 * a file before it lets an open write it, deletes it or truncates it. SECTION_OBJECT_POINTERS'
 * DataSectionObject and ImageSectionObject are the memory manager's and opaque to file systems.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-mmflushimagesection
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-mmcanfilebetruncated
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-mmdoesfilehaveuserwritablereferences
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-mmforcesectionclosed */
#ifndef NTIO_DDK_MM_FILE_SYSTEM_H
#define NTIO_DDK_MM_FILE_SYSTEM_H
#include "basetypes.h"
#include "sal.h"
#include "io_types.h"

NTIO_BEGIN_DECLS

typedef enum _MMFLUSH_TYPE { MmFlushForDelete, MmFlushForWrite } MMFLUSH_TYPE;

/* TRUE when the file has no image section or its image section is not in use (then it is gone);
 * FALSE while an image section or a view of one exists. MmFlushForDelete is FALSE also while a view
 * of the file's data section is mapped. < DISPATCH_LEVEL. */
NTKERNELAPI BOOLEAN NTAPI MmFlushImageSection(_In_ PSECTION_OBJECT_POINTERS SectionObjectPointer,
                                              _In_ MMFLUSH_TYPE FlushType);
/* FALSE when truncating the file to *NewFileSize would cut a mapped view or a section of it, or an
 * image section is in use. NewFileSize NULL asks about truncating to the current sections' end.
 * < DISPATCH_LEVEL. */
NTKERNELAPI BOOLEAN NTAPI MmCanFileBeTruncated(_In_ PSECTION_OBJECT_POINTERS SectionPointer,
                                               _In_opt_ PLARGE_INTEGER NewFileSize);
/* The number of writable user references of the file's data section: sections created with a
 * writable page protection and views mapped writable. < DISPATCH_LEVEL. */
NTKERNELAPI ULONG NTAPI MmDoesFileHaveUserWritableReferences(_In_ PSECTION_OBJECT_POINTERS SectionPointer);

/* TRUE when the file has no data or image section left (the memory manager keeps none that is not
 * in use); FALSE while a section or a view of one exists. With DelayClose the sections go as soon as
 * their last user does, as they always do here. < DISPATCH_LEVEL. */
NTKERNELAPI BOOLEAN NTAPI MmForceSectionClosed(_In_ PSECTION_OBJECT_POINTERS SectionObjectPointer,
                                               _In_ BOOLEAN DelayClose);

/* Whether the current thread is inside the I/O of a page fault it took (a file system then must not
 * take a second fault's locks). ntio's views read their pages ahead of any access, never from a
 * fault, so this is always FALSE. Any IRQL.
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-mmisrecursiveiofault */
NTKERNELAPI BOOLEAN NTAPI MmIsRecursiveIoFault(VOID);
NTIO_END_DECLS

#endif
