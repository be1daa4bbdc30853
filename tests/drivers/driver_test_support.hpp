// Helpers of the in-box driver tests: writing a service key (Type, Start, ImagePath, Parameters) and
// loading a built .sys either through the registry (ZwLoadDriver, as the system does) or directly
// (dlopen + NtioCreateDriver, the path that does not need the loader), opening devices and sending
// synchronous requests through the Nt services.
#pragma once

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "support/system_fixture.hpp"

#undef __try
#include <ntio/ntapi.h>
#include <ntio/ntio.h>

#include "ntio_test_config.h"  // NTIO_DRIVERS_DIR: where the built .sys images are

namespace ntio::test::drivers {

// 16-bit strings from ASCII (the tests' names and paths are ASCII).
inline std::u16string u16(std::string_view text) { return std::u16string(text.begin(), text.end()); }

// A path in the build's drivers directory (the in-box .sys files, the tests' scratch files).
// Appended rather than joined with operator+: GCC 12 raises a false -Warray-bounds on
// `std::string(literal) + "/" + ...` when the test is compiled with the precompiled header.
inline std::string drivers_dir_path(std::string_view name) {
    std::string path = NTIO_DRIVERS_DIR;
    path.append("/").append(name);
    return path;
}

inline std::string image_path(std::string_view image) { return drivers_dir_path(image); }

inline UNICODE_STRING unicode(const std::u16string& text) {
    UNICODE_STRING s;
    s.Buffer = const_cast<PWCH>(reinterpret_cast<const WCHAR*>(text.c_str()));
    s.Length = static_cast<USHORT>(text.size() * sizeof(WCHAR));
    s.MaximumLength = s.Length;
    return s;
}

inline std::u16string service_path(std::string_view service) {
    return u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\" + u16(service);
}

// A registry value for a service's Parameters key.
struct Value {
    std::string name;
    std::variant<ULONG, ULONGLONG, std::string, std::vector<std::string>> data;
};

inline HANDLE create_key(const std::u16string& path) {
    UNICODE_STRING name = unicode(path);
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, nullptr, nullptr);
    HANDLE key = nullptr;
    const NTSTATUS status =
        ZwCreateKey(&key, KEY_ALL_ACCESS, &attributes, 0, nullptr, REG_OPTION_NON_VOLATILE, nullptr);
    EXPECT_EQ(status, STATUS_SUCCESS) << "creating a key";
    return key;
}

inline void set_value(HANDLE key, const Value& value) {
    std::u16string name16 = u16(value.name);
    UNICODE_STRING name = unicode(name16);
    NTSTATUS status;
    if (const ULONG* dword = std::get_if<ULONG>(&value.data)) {
        status = ZwSetValueKey(key, &name, 0, REG_DWORD, const_cast<ULONG*>(dword), sizeof(ULONG));
    } else if (const ULONGLONG* qword = std::get_if<ULONGLONG>(&value.data)) {
        status = ZwSetValueKey(key, &name, 0, REG_QWORD, const_cast<ULONGLONG*>(qword), sizeof(ULONGLONG));
    } else if (const std::string* text = std::get_if<std::string>(&value.data)) {
        std::u16string wide = u16(*text);
        status = ZwSetValueKey(key, &name, 0, REG_SZ, wide.data(), static_cast<ULONG>((wide.size() + 1) * 2));
    } else {
        std::u16string multi;
        for (const std::string& item : std::get<std::vector<std::string>>(value.data)) multi += u16(item) + u'\0';
        multi += u'\0';
        status = ZwSetValueKey(key, &name, 0, REG_MULTI_SZ, multi.data(), static_cast<ULONG>(multi.size() * 2));
    }
    EXPECT_EQ(status, STATUS_SUCCESS) << "setting " << value.name;
}

// Writes Services\<service> (a demand-start kernel driver whose ImagePath is the built image) and
// its Parameters key.
inline void write_service(std::string_view service, std::string_view image, const std::vector<Value>& parameters) {
    HANDLE key = create_key(service_path(service));
    set_value(key, {"Type", ULONG{1}});
    set_value(key, {"Start", ULONG{3}});
    set_value(key, {"ErrorControl", ULONG{1}});
    set_value(key, {"ImagePath", image_path(image)});
    HANDLE params = create_key(service_path(service) + u"\\Parameters");
    for (const Value& value : parameters) set_value(params, value);
    EXPECT_EQ(ZwClose(params), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(key), STATUS_SUCCESS);
}

enum class LoadPath { registry, direct };

inline const char* to_string(LoadPath path) { return path == LoadPath::registry ? "registry" : "direct"; }

// One loaded driver; unload() (or the destructor) unloads it the way it was loaded.
class Driver {
public:
    Driver() = default;
    Driver(const Driver&) = delete;
    Driver& operator=(const Driver&) = delete;
    Driver(Driver&& other) noexcept { *this = std::move(other); }
    Driver& operator=(Driver&& other) noexcept {
        std::swap(m_service, other.m_service);
        std::swap(m_object, other.m_object);
        std::swap(m_path, other.m_path);
        std::swap(m_loaded, other.m_loaded);
        return *this;
    }
    ~Driver() { (void)unload(); }

    // Writes the service key, then loads `image` by `path`. Returns DriverEntry's (or the load's) status.
    NTSTATUS load(LoadPath path, std::string_view service, std::string_view image,
                  const std::vector<Value>& parameters = {}) {
        write_service(service, image, parameters);
        m_service = std::string(service);
        m_path = path;
        NTSTATUS status;
        if (path == LoadPath::registry) {
            std::u16string key = service_path(service);
            UNICODE_STRING name = unicode(key);
            status = ZwLoadDriver(&name);
        } else {
            // Images stay mapped for the life of the process: a driver object may outlive the test
            // body by a little, and dlopen of the same path returns the same mapping anyway.
            void* module = dlopen(image_path(image).c_str(), RTLD_NOW | RTLD_LOCAL);
            if (!module) {
                ADD_FAILURE() << "dlopen: " << dlerror();
                return STATUS_DLL_NOT_FOUND;
            }
            auto entry = reinterpret_cast<PDRIVER_INITIALIZE>(dlsym(module, "DriverEntry"));
            if (!entry) {
                ADD_FAILURE() << "no DriverEntry in " << image;
                return STATUS_PROCEDURE_NOT_FOUND;
            }
            std::u16string name16 = u16(service);
            UNICODE_STRING name = unicode(name16);
            status = NtioCreateDriver(&name, entry, &m_object);
        }
        m_loaded = NT_SUCCESS(status);
        return status;
    }

    NTSTATUS unload() {
        if (!m_loaded) return STATUS_SUCCESS;
        m_loaded = false;
        if (m_path == LoadPath::registry) {
            std::u16string key = service_path(m_service);
            UNICODE_STRING name = unicode(key);
            return ZwUnloadDriver(&name);
        }
        const NTSTATUS status = NtioUnloadDriver(m_object);
        ObDereferenceObject(m_object);
        m_object = nullptr;
        return status;
    }

    // An unload with references left on the driver's devices (a file system's volume still closing
    // on another thread) is deferred: DriverUnload runs on the thread that drops the last one, and
    // the driver's name leaves \Driver after it (the issue's driver-unload rules: "DriverUnload is
    // called when all of the driver's devices have no handles or attachments"). Waits for that after
    // unload(), so that a test reading what DriverUnload writes (a RAM disk's image) does not race
    // it. Bounded, so that a reference leaked for good fails the test instead of hanging it.
    bool wait_unloaded() const {
        const std::u16string path = u"\\Driver\\" + u16(m_service);
        for (int attempt = 0; attempt < 30000; ++attempt) {
            UNICODE_STRING name = unicode(path);
            PVOID object = nullptr;
            if (!NT_SUCCESS(ObReferenceObjectByName(&name, OBJ_CASE_INSENSITIVE, nullptr, 0, *IoDriverObjectType,
                                                    KernelMode, nullptr, &object)))
                return true;
            ObDereferenceObject(object);
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return false;
    }

private:
    std::string m_service;
    PDRIVER_OBJECT m_object = nullptr;
    LoadPath m_path = LoadPath::direct;
    bool m_loaded = false;
};

// NtCreateFile of an NT name (relative to `root` when given), synchronous (FILE_SYNCHRONOUS_IO_NONALERT),
// case-insensitive; `information` receives the IOSB's Information (0xDEAD when the call wrote none).
inline NTSTATUS create_nt(const std::u16string& path, HANDLE* h, ULONG disposition, ACCESS_MASK access, ULONG options,
                          ULONG share, ULONG_PTR* information, ULONG attributes, HANDLE root = nullptr) {
    UNICODE_STRING object_name = unicode(path);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &object_name, OBJ_CASE_INSENSITIVE, root, nullptr);
    IO_STATUS_BLOCK iosb{};
    iosb.Information = 0xDEAD;
    *h = nullptr;
    NTSTATUS status = NtCreateFile(h, access | SYNCHRONIZE, &oa, &iosb, nullptr, attributes, share, disposition,
                                   options | FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0);
    if (information) *information = iosb.Information;
    return status;
}

// The names an open directory lists, in the order the file system gives them: FileDirectoryInformation
// one query after another through a buffer of `buffer_bytes` (a small one makes several queries), the
// first one with `mask` when given, until STATUS_NO_MORE_FILES (or STATUS_NO_SUCH_FILE for a mask
// nothing matches). Each entry must start 8-byte aligned. A character outside ASCII reads as '?'.
// Closes `h`.
inline std::vector<std::string> query_directory_names(HANDLE h, const char* mask, ULONG buffer_bytes) {
    std::vector<std::string> names;
    std::u16string mask16 = mask ? u16(mask) : std::u16string();
    UNICODE_STRING mask_string = unicode(mask16);
    std::vector<ULONGLONG> buffer((buffer_bytes + 7) / 8);
    const auto* bytes = reinterpret_cast<const uint8_t*>(buffer.data());
    bool first = true;
    for (;;) {
        IO_STATUS_BLOCK iosb{};
        NTSTATUS status = NtQueryDirectoryFile(h, nullptr, nullptr, nullptr, &iosb, buffer.data(), buffer_bytes,
                                               FileDirectoryInformation, FALSE, first && mask ? &mask_string : nullptr,
                                               FALSE);
        first = false;
        if (status != STATUS_SUCCESS) {
            EXPECT_TRUE(status == STATUS_NO_MORE_FILES || status == STATUS_NO_SUCH_FILE) << std::hex << status;
            break;
        }
        for (size_t at = 0;;) {
            EXPECT_EQ(at % 8, 0u);
            auto* entry = reinterpret_cast<const FILE_DIRECTORY_INFORMATION*>(bytes + at);
            std::string name;
            for (ULONG i = 0; i < entry->FileNameLength / sizeof(WCHAR); ++i) {
                const auto c = static_cast<char16_t>(entry->FileName[i]);
                name.push_back(c < 0x80 ? static_cast<char>(c) : '?');
            }
            names.push_back(name);
            if (!entry->NextEntryOffset) break;
            at += entry->NextEntryOffset;
        }
    }
    EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
    return names;
}

// NtCreateFile on an NT name, synchronous (FILE_SYNCHRONOUS_IO_NONALERT) unless `overlapped`.
inline NTSTATUS open_device(const std::u16string& name, HANDLE* handle, bool overlapped = false,
                            ACCESS_MASK access = GENERIC_READ | GENERIC_WRITE) {
    UNICODE_STRING object_name = unicode(name);
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &object_name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    return NtCreateFile(handle, access | SYNCHRONIZE, &attributes, &iosb, nullptr, FILE_ATTRIBUTE_NORMAL,
                        FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN,
                        overlapped ? 0 : FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0);
}

inline NTSTATUS read_at(HANDLE h, void* buffer, ULONG length, LONGLONG offset, IO_STATUS_BLOCK* iosb) {
    LARGE_INTEGER where;
    where.QuadPart = offset;
    return NtReadFile(h, nullptr, nullptr, nullptr, iosb, buffer, length, &where, nullptr);
}

inline NTSTATUS write_at(HANDLE h, const void* buffer, ULONG length, LONGLONG offset, IO_STATUS_BLOCK* iosb) {
    LARGE_INTEGER where;
    where.QuadPart = offset;
    return NtWriteFile(h, nullptr, nullptr, nullptr, iosb, const_cast<void*>(buffer), length, &where, nullptr);
}

inline NTSTATUS ioctl(HANDLE h, ULONG code, const void* in, ULONG in_length, void* out, ULONG out_length,
                      IO_STATUS_BLOCK* iosb) {
    return NtDeviceIoControlFile(h, nullptr, nullptr, nullptr, iosb, code, const_cast<void*>(in), in_length, out,
                                 out_length);
}

// Parameterised over the two ways of loading a driver.
class DriverTest : public SystemTest, public ::testing::WithParamInterface<LoadPath> {};

inline std::string load_path_name(const ::testing::TestParamInfo<LoadPath>& info) { return to_string(info.param); }

}  // namespace ntio::test::drivers
