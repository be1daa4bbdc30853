/* <ntio/ntapi.h> piece: file information services (Nt* prototypes for applications). */
#ifndef NTIO_NT_FILE_INFORMATION_SERVICES_H
#define NTIO_NT_FILE_INFORMATION_SERVICES_H
#endif
