// Restarting an in-box driver the default system started (npfs.sys, msfs.sys, ...) with the I/O
// verifier on its image, for stress tests that want the verifier to watch it: VerifyDrivers names
// the image and is read when the driver loads again.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include <ntio/ntapi.h>
#include <ntio/ntio.h>

namespace ntio::test {

// `image` is the driver's file name ("npfs.sys"), `service` its service key and driver object name
// ("Npfs"). Checks that the reloaded driver carries the standard verifier flags.
inline void reload_inbox_driver_verified(const wchar_t* image, const wchar_t* service) {
    // 16-bit strings built by hand: std::wstring's library parts assume a 32-bit wchar_t.
    auto text = [](const wchar_t* s) {
        std::u16string out;
        while (*s) out.push_back(static_cast<char16_t>(*s++));
        return out;
    };
    auto unicode = [](std::u16string& s) {
        UNICODE_STRING u;
        u.Buffer = reinterpret_cast<PWCH>(s.data());
        u.Length = u.MaximumLength = static_cast<USHORT>(s.size() * sizeof(WCHAR));
        return u;
    };
    std::u16string image_name = text(image);
    ASSERT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_CONTROL, L"Session Manager\\Memory Management", L"VerifyDrivers",
                                    REG_SZ, image_name.data(),
                                    static_cast<ULONG>((image_name.size() + 1) * sizeof(WCHAR))),
              STATUS_SUCCESS);
    std::u16string key = u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\" + text(service);
    UNICODE_STRING key_name = unicode(key);
    ASSERT_EQ(ZwUnloadDriver(&key_name), STATUS_SUCCESS);
    ASSERT_EQ(ZwLoadDriver(&key_name), STATUS_SUCCESS);
    std::u16string object = u"\\Driver\\" + text(service);
    UNICODE_STRING object_name = unicode(object);
    PVOID driver = nullptr;
    ASSERT_EQ(ObReferenceObjectByName(&object_name, OBJ_CASE_INSENSITIVE, nullptr, 0, *IoDriverObjectType, KernelMode,
                                      nullptr, &driver),
              STATUS_SUCCESS);
    EXPECT_EQ(NtioVerifierQueryFlags(static_cast<PDRIVER_OBJECT>(driver)), NTIO_VERIFIER_STANDARD_FLAGS);
    ObDereferenceObject(driver);
}

}  // namespace ntio::test
