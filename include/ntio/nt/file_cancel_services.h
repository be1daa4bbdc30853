/* <ntio/ntapi.h> piece: file cancel services (Nt* prototypes for applications). */
#ifndef NTIO_NT_FILE_CANCEL_SERVICES_H
#define NTIO_NT_FILE_CANCEL_SERVICES_H
#endif
