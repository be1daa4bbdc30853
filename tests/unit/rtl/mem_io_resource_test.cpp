// RtlCmEncodeMemIoResource / RtlCmDecodeMemIoResource / RtlIoEncodeMemIoResource /
// RtlIoDecodeMemIoResource / RtlFindClosestEncodableLength through <wdm.h>: the 32-bit forms, the
// large 40/48/64-bit forms with their shifts (Learn: the lowest 8/16/32 bits must be zero), and
// the statuses for what cannot be encoded.
#include <gtest/gtest.h>

#include <wdm.h>

namespace rtlse_mem_io {
namespace {

TEST(RtlseMemIoResource, memory_and_port_keep_32_bit_lengths) {
    CM_PARTIAL_RESOURCE_DESCRIPTOR d{};
    ASSERT_EQ(RtlCmEncodeMemIoResource(&d, CmResourceTypeMemory, 0x1234, 0xFED00000ULL), STATUS_SUCCESS);
    EXPECT_EQ(d.Type, CmResourceTypeMemory);
    EXPECT_EQ(d.u.Memory.Length, 0x1234u);
    EXPECT_EQ(d.u.Memory.Start.QuadPart, 0xFED00000LL);
    ULONGLONG start = 0;
    EXPECT_EQ(RtlCmDecodeMemIoResource(&d, &start), 0x1234u);
    EXPECT_EQ(start, 0xFED00000ULL);
    EXPECT_EQ(RtlCmEncodeMemIoResource(&d, CmResourceTypePort, 0x100000000ULL, 0), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(RtlCmEncodeMemIoResource(&d, CmResourceTypeInterrupt, 16, 0), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(RtlCmEncodeMemIoResource(nullptr, CmResourceTypeMemory, 16, 0), STATUS_INVALID_PARAMETER);
}

TEST(RtlseMemIoResource, large_memory_takes_the_smallest_form_that_holds_the_length) {
    struct Case {
        ULONGLONG length;
        USHORT flag;
        ULONG stored;
    };
    const Case cases[] = {
        {0x100, CM_RESOURCE_MEMORY_LARGE_40, 0x1},
        {0x1234567800ULL, CM_RESOURCE_MEMORY_LARGE_40, 0x12345678},
        {CM_RESOURCE_MEMORY_LARGE_40_MAXLEN, CM_RESOURCE_MEMORY_LARGE_40, 0xFFFFFFFF},
        {0x10000000000ULL, CM_RESOURCE_MEMORY_LARGE_48, 0x1000000},
        {CM_RESOURCE_MEMORY_LARGE_48_MAXLEN, CM_RESOURCE_MEMORY_LARGE_48, 0xFFFFFFFF},
        {0x1000000000000ULL, CM_RESOURCE_MEMORY_LARGE_64, 0x10000},
        {CM_RESOURCE_MEMORY_LARGE_64_MAXLEN, CM_RESOURCE_MEMORY_LARGE_64, 0xFFFFFFFF},
    };
    for (const Case& c : cases) {
        CM_PARTIAL_RESOURCE_DESCRIPTOR d{};
        d.Flags = CM_RESOURCE_MEMORY_PREFETCHABLE;
        ASSERT_EQ(RtlCmEncodeMemIoResource(&d, CmResourceTypeMemoryLarge, c.length, 0x4000000000ULL), STATUS_SUCCESS)
            << std::hex << c.length;
        EXPECT_EQ(d.Type, CmResourceTypeMemoryLarge);
        EXPECT_EQ(d.Flags, static_cast<USHORT>(CM_RESOURCE_MEMORY_PREFETCHABLE | c.flag)) << std::hex << c.length;
        EXPECT_EQ(d.u.Memory40.Length40, c.stored) << std::hex << c.length;
        ULONGLONG start = 0;
        EXPECT_EQ(RtlCmDecodeMemIoResource(&d, &start), c.length);
        EXPECT_EQ(start, 0x4000000000ULL);
        EXPECT_EQ(RtlCmDecodeMemIoResource(&d, nullptr), c.length);
    }
}

TEST(RtlseMemIoResource, large_lengths_with_low_bits_set_are_unsuccessful) {
    CM_PARTIAL_RESOURCE_DESCRIPTOR d{};
    EXPECT_EQ(RtlCmEncodeMemIoResource(&d, CmResourceTypeMemoryLarge, 0x101, 0), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(RtlCmEncodeMemIoResource(&d, CmResourceTypeMemoryLarge, 0x10000000100ULL, 0), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(RtlCmEncodeMemIoResource(&d, CmResourceTypeMemoryLarge, 0x1000000010000ULL, 0), STATUS_UNSUCCESSFUL);
    // A descriptor of another type, or a large one naming no form, decodes to 0.
    d.Type = CmResourceTypeInterrupt;
    EXPECT_EQ(RtlCmDecodeMemIoResource(&d, nullptr), 0u);
    d.Type = CmResourceTypeMemoryLarge;
    d.Flags = CM_RESOURCE_MEMORY_LARGE_40 | CM_RESOURCE_MEMORY_LARGE_64;
    EXPECT_EQ(RtlCmDecodeMemIoResource(&d, nullptr), 0u);
}

TEST(RtlseMemIoResource, requirements_encode_length_and_alignment_together) {
    IO_RESOURCE_DESCRIPTOR d{};
    ASSERT_EQ(RtlIoEncodeMemIoResource(&d, CmResourceTypeMemory, 0x1000, 0x1000, 0xF0000000ULL, 0xFFFFFFFFULL),
              STATUS_SUCCESS);
    ULONGLONG alignment = 0, minimum = 0, maximum = 0;
    EXPECT_EQ(RtlIoDecodeMemIoResource(&d, &alignment, &minimum, &maximum), 0x1000u);
    EXPECT_EQ(alignment, 0x1000u);
    EXPECT_EQ(minimum, 0xF0000000ULL);
    EXPECT_EQ(maximum, 0xFFFFFFFFULL);

    // 64 GiB aligned on 64 GiB: the 40-bit form holds both.
    ASSERT_EQ(RtlIoEncodeMemIoResource(&d, CmResourceTypeMemoryLarge, 0x1000000000ULL, 0x1000000000ULL, 0, ~0ULL),
              STATUS_SUCCESS);
    EXPECT_EQ(d.Flags & CM_RESOURCE_MEMORY_LARGE, CM_RESOURCE_MEMORY_LARGE_40);
    EXPECT_EQ(d.u.Memory40.Length40, 0x10000000u);
    EXPECT_EQ(RtlIoDecodeMemIoResource(&d, &alignment, nullptr, &maximum), 0x1000000000ULL);
    EXPECT_EQ(alignment, 0x1000000000ULL);
    EXPECT_EQ(maximum, ~0ULL);

    // The length fits the 40-bit form but the alignment has low bits no large form keeps.
    EXPECT_EQ(RtlIoEncodeMemIoResource(&d, CmResourceTypeMemoryLarge, 0x100, 0x80, 0, ~0ULL), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(RtlIoEncodeMemIoResource(&d, CmResourceTypeMemory, 0x1000, 0x100000000ULL, 0, ~0ULL),
              STATUS_UNSUCCESSFUL);
    EXPECT_EQ(RtlIoEncodeMemIoResource(&d, CmResourceTypeDma, 1, 1, 0, 1), STATUS_INVALID_PARAMETER);
    d.Type = CmResourceTypeDma;
    EXPECT_EQ(RtlIoDecodeMemIoResource(&d, nullptr, nullptr, nullptr), 0u);
}

TEST(RtlseMemIoResource, closest_encodable_length_rounds_up_to_a_form) {
    ULONGLONG target = 0;
    ASSERT_EQ(RtlFindClosestEncodableLength(0x12345, &target), STATUS_SUCCESS);
    EXPECT_EQ(target, 0x12345u);
    ASSERT_EQ(RtlFindClosestEncodableLength(0x100000001ULL, &target), STATUS_SUCCESS);
    EXPECT_EQ(target, 0x100000100ULL);
    ASSERT_EQ(RtlFindClosestEncodableLength(CM_RESOURCE_MEMORY_LARGE_40_MAXLEN + 1, &target), STATUS_SUCCESS);
    EXPECT_EQ(target, 0x10000000000ULL);
    ASSERT_EQ(RtlFindClosestEncodableLength(CM_RESOURCE_MEMORY_LARGE_48_MAXLEN + 1, &target), STATUS_SUCCESS);
    EXPECT_EQ(target, 0x1000000000000ULL);
    EXPECT_EQ(RtlFindClosestEncodableLength(CM_RESOURCE_MEMORY_LARGE_64_MAXLEN + 1, &target), STATUS_UNSUCCESSFUL);
    EXPECT_EQ(RtlFindClosestEncodableLength(1, nullptr), STATUS_INVALID_PARAMETER);
    // Whatever it returns encodes.
    for (ULONGLONG length : {0x1ULL, 0x123456789ULL, 0x123456789ABULL, 0x123456789ABCDULL, 0x123456789ABCDEFULL}) {
        ASSERT_EQ(RtlFindClosestEncodableLength(length, &target), STATUS_SUCCESS);
        EXPECT_GE(target, length);
        CM_PARTIAL_RESOURCE_DESCRIPTOR d{};
        const UCHAR type = target > 0xFFFFFFFFULL ? CmResourceTypeMemoryLarge : CmResourceTypeMemory;
        EXPECT_EQ(RtlCmEncodeMemIoResource(&d, type, target, 0), STATUS_SUCCESS) << std::hex << length;
        EXPECT_EQ(RtlCmDecodeMemIoResource(&d, nullptr), target);
    }
}

}  // namespace
}  // namespace rtlse_mem_io
