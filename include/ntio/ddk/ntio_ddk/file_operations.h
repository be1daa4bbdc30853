/* <wdm.h>/<ntifs.h> contents: directory enumeration and change notification structures
 * (FILE_DIRECTORY_INFORMATION and its relatives, FILE_NOTIFY_INFORMATION), byte-range lock,
 * scatter/gather and named-pipe/mailslot creation types, and the Zw routines that use them. */
#ifndef NTIO_DDK_FILE_OPERATIONS_H
#define NTIO_DDK_FILE_OPERATIONS_H
#endif /* NTIO_DDK_FILE_OPERATIONS_H */
