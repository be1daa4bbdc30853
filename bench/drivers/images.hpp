// Loading the in-box .sys images (ramdisk.sys, uring_disk.sys, passthrough.sys) the way `ntio sc`
// would: a service key with its Parameters, dlopen of the image, NtioCreateDriver. The images are
// looked up at run time (NTIO_DRIVERS, then the build tree around the running binary), because
// `ntio bench` runs from whatever build directory it was built in.
#pragma once

#include <initializer_list>
#include <string>

#include <wdm.h>

namespace ntio::bench {

// The directory holding the built .sys images, or "" when none was found.
std::string drivers_directory();
// Why `images` cannot be loaded ("" when they all exist): the gates that need them report SKIP.
std::string missing_images(std::initializer_list<const char*> images);

UNICODE_STRING unicode(const std::u16string& text);  // views `text` (it must outlive the result)

// Services\<service>\Parameters\<value> = data (volatile keys of the bench's in-memory hive).
void set_service_parameter(const std::u16string& service, const std::u16string& value, ULONG type,
                           const void* data, ULONG size);
void set_service_dword(const std::u16string& service, const std::u16string& value, ULONG data);
void set_service_string(const std::u16string& service, const std::u16string& value, const std::u16string& data);

// dlopen + NtioCreateDriver for the image in drivers_directory(), or at `image` itself when it is a
// path (holds a '/'); exits with a message on failure. The driver object comes back referenced:
// release with unload_driver().
PDRIVER_OBJECT load_driver_image(const char* image, const std::u16string& service);
void unload_driver(PDRIVER_OBJECT& driver);

}  // namespace ntio::bench
