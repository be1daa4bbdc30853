/* <ntio/ntapi.h> piece: io completion services (Nt* prototypes for applications). */
#ifndef NTIO_NT_IO_COMPLETION_SERVICES_H
#define NTIO_NT_IO_COMPLETION_SERVICES_H
#endif
