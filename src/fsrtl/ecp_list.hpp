// Between the ECP routines and the oplock package: the ntio file object a create IRP opens, whose
// private part holds the IRP's ECP list while the create is out and the open's oplock key after.
#pragma once

#include <ntifs.h>

namespace ntio::fsrtl {

// The file object `irp` (an IRP-based IRP_MJ_CREATE: IRP_CREATE_OPERATION set) opens, when ntio made
// it; NULL for any other IRP, or for a create of a file object a driver built itself.
PFILE_OBJECT create_file_object(PIRP irp) noexcept;

// Whether `file` is a file object ntio made (its private part may be read).
bool is_ntio_file(PFILE_OBJECT file) noexcept;

}  // namespace ntio::fsrtl
