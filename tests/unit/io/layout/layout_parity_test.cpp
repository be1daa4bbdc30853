// Layout parity with Windows x64: every entry of layout_table.h (offsets and sizes of IRP,
// IO_STACK_LOCATION, DEVICE_OBJECT, ... ) as our DDK headers lay it out, against the same table
// built by the mingw-w64 cross compiler from its DDK headers (architecture.md, "Types are LLP64 and
// layouts are Windows x64"). The cross-compiled table is read from the object file, never run.
#include <cstddef>
#include <cstdio>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include "ntio_test_config.h"  // NTIO_LAYOUT_HAVE_MINGW

#if NTIO_LAYOUT_HAVE_MINGW
#include "mingw_layout_values.h"
#endif

extern "C" {
extern const char *const ntio_layout_names[];
extern const unsigned long long *const ntio_layout_ours;
extern const size_t ntio_layout_count;
}

namespace {

[[maybe_unused]] std::string hex(unsigned long long value) {
    char text[32];
    std::snprintf(text, sizeof text, "0x%llx", value);
    return text;
}

TEST(LayoutParity, EveryFieldOffsetAndSizeMatchesMingwW64) {
#if !NTIO_LAYOUT_HAVE_MINGW
    GTEST_SKIP() << "x86_64-w64-mingw32-gcc (Debian gcc-mingw-w64-x86-64, mingw-w64-x86-64-dev) was not "
                    "found when the build was configured; scripts/setup.sh installs it";
#else
    ASSERT_EQ(std::size(kMingwLayout), ntio_layout_count) << "the two builds of layout_table.c disagree";
    size_t mismatches = 0;
    for (size_t i = 0; i < ntio_layout_count; ++i) {
        if (ntio_layout_ours[i] != kMingwLayout[i]) {
            ++mismatches;
            ADD_FAILURE() << ntio_layout_names[i] << ": ours " << hex(ntio_layout_ours[i]) << ", mingw-w64 "
                          << hex(kMingwLayout[i]);
        }
    }
    EXPECT_EQ(mismatches, 0u) << "of " << ntio_layout_count << " entries";
#endif
}

// The table is only as good as its coverage: every structure the architecture promises is in it.
TEST(LayoutParity, TableCoversThePromisedStructures) {
    const char *const structures[] = {
        "IRP", "IO_STACK_LOCATION", "DEVICE_OBJECT", "DRIVER_OBJECT", "DRIVER_EXTENSION", "FILE_OBJECT",
        "MDL", "KDEVICE_QUEUE", "KDEVICE_QUEUE_ENTRY", "IO_STATUS_BLOCK", "KEVENT", "DISPATCHER_HEADER",
        "KDPC", "KAPC", "KTIMER", "UNICODE_STRING", "OBJECT_ATTRIBUTES", "LIST_ENTRY",
        "IO_COMPLETION_CONTEXT", "SECTION_OBJECT_POINTERS", "VPB", "FAST_IO_DISPATCH", "IO_CSQ",
        "IO_CSQ_IRP_CONTEXT", "IO_REMOVE_LOCK", "SHARE_ACCESS", "ACCESS_STATE", "IO_SECURITY_CONTEXT",
        "WAIT_CONTEXT_BLOCK", "KSEMAPHORE", "KMUTANT", "GENERIC_MAPPING", "LARGE_INTEGER",
    };
    for (const char *structure : structures) {
        const std::string prefix = std::string(structure) + ".";
        size_t fields = 0;
        for (size_t i = 0; i < ntio_layout_count; ++i) {
            fields += std::string(ntio_layout_names[i]).rfind(prefix, 0) == 0;
        }
        EXPECT_GT(fields, 0u) << structure << " has no entry in layout_table.h";
    }
}

}  // namespace
