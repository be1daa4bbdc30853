/* <ntio/ntapi.h> piece: file operation services (Nt* prototypes for applications). */
#ifndef NTIO_NT_FILE_OPERATION_SERVICES_H
#define NTIO_NT_FILE_OPERATION_SERVICES_H
#endif
