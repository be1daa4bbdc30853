// NtQueryEaFile, NtSetEaFile, NtQueryQuotaInformationFile and NtSetQuotaInformationFile through
// the public surface: access, list validation (IOSB carries the offending offset), the IRPs the
// driver sees, and buffering by the device's flags; IoCheckEaBufferValidity directly.
#include "conformance/file_information/information_test_driver.hpp"

namespace ntio::test::info {
namespace {

// Where add_ea puts the second entry after a first one named "ONE" with value "1" (8 + 3 + 1 + 1
// bytes, rounded up to a ULONG).
constexpr ULONG kSecond = 16;

// Appends one FILE_FULL_EA_INFORMATION entry, ULONG-aligned, linking the previous one to it.
void add_ea(std::vector<UCHAR>& buffer, std::size_t* previous, const char* name, const char* value) {
    const std::size_t start = (buffer.size() + 3) & ~std::size_t{3};
    const std::size_t name_length = std::strlen(name), value_length = std::strlen(value);
    buffer.resize(start + FIELD_OFFSET(FILE_FULL_EA_INFORMATION, EaName) + name_length + 1 + value_length, 0);
    auto* ea = reinterpret_cast<FILE_FULL_EA_INFORMATION*>(buffer.data() + start);
    ea->EaNameLength = static_cast<UCHAR>(name_length);
    ea->EaValueLength = static_cast<USHORT>(value_length);
    std::memcpy(ea->EaName, name, name_length + 1);
    std::memcpy(ea->EaName + name_length + 1, value, value_length);
    if (previous && *previous != ~std::size_t{0})
        reinterpret_cast<FILE_FULL_EA_INFORMATION*>(buffer.data() + *previous)->NextEntryOffset =
            static_cast<ULONG>(start - *previous);
    if (previous) *previous = start;
}

TEST_F(InformationTest, ea_buffer_validity_follows_the_ddi_rules) {
    std::vector<UCHAR> good;
    std::size_t previous = ~std::size_t{0};
    add_ea(good, &previous, "ONE", "1");
    add_ea(good, &previous, "TWO", "22");
    ULONG offset = 0xffff;
    EXPECT_EQ(IoCheckEaBufferValidity(good.data(), static_cast<ULONG>(good.size()), &offset), STATUS_SUCCESS);

    std::vector<UCHAR> bad = good;  // second entry's name not NUL-terminated at EaNameLength
    reinterpret_cast<FILE_FULL_EA_INFORMATION*>(bad.data() + kSecond)->EaNameLength = 2;
    EXPECT_EQ(IoCheckEaBufferValidity(bad.data(), static_cast<ULONG>(bad.size()), &offset), STATUS_EA_LIST_INCONSISTENT);
    EXPECT_EQ(offset, kSecond);
    bad = good;  // misaligned link
    reinterpret_cast<FILE_FULL_EA_INFORMATION*>(bad.data())->NextEntryOffset = 13;
    EXPECT_EQ(IoCheckEaBufferValidity(bad.data(), static_cast<ULONG>(bad.size()), &offset), STATUS_EA_LIST_INCONSISTENT);
    EXPECT_EQ(offset, 0u);
    // Last entry cut short.
    EXPECT_EQ(IoCheckEaBufferValidity(good.data(), static_cast<ULONG>(good.size() - 1), &offset),
              STATUS_EA_LIST_INCONSISTENT);
    EXPECT_EQ(offset, kSecond);
    EXPECT_EQ(IoCheckEaBufferValidity(good.data(), 3, &offset), STATUS_EA_LIST_INCONSISTENT);
    EXPECT_EQ(offset, 0u);
}

TEST_F(InformationTest, set_ea_checks_the_buffer_before_the_driver) {
    std::vector<UCHAR> eas;
    std::size_t previous = ~std::size_t{0};
    add_ea(eas, &previous, "ONE", "1");
    add_ea(eas, &previous, "TWO", "22");
    HANDLE h = open_sync(L"\\??\\InfoDev\\file", FILE_WRITE_EA);
    IO_STATUS_BLOCK iosb = untouched_iosb();
    EXPECT_EQ(NtSetEaFile(h, &iosb, eas.data(), static_cast<ULONG>(eas.size())), STATUS_SUCCESS);
    auto seen = requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].major, IRP_MJ_SET_EA);
    EXPECT_EQ(seen[0].parameters.SetEa.Length, eas.size());
    EXPECT_EQ(seen[0].input, std::string(reinterpret_cast<char*>(eas.data()), eas.size()));

    reinterpret_cast<FILE_FULL_EA_INFORMATION*>(eas.data() + kSecond)->EaNameLength = 1;
    iosb = untouched_iosb();
    EXPECT_EQ(NtSetEaFile(h, &iosb, eas.data(), static_cast<ULONG>(eas.size())), STATUS_EA_LIST_INCONSISTENT);
    EXPECT_EQ(iosb.Status, STATUS_EA_LIST_INCONSISTENT);
    EXPECT_EQ(iosb.Information, kSecond);
    EXPECT_TRUE(requests().empty());
    close(h);

    HANDLE no_ea = open_sync(L"\\??\\InfoDev\\file", FILE_READ_EA);
    iosb = untouched_iosb();
    EXPECT_EQ(NtSetEaFile(no_ea, &iosb, eas.data(), static_cast<ULONG>(eas.size())), STATUS_ACCESS_DENIED);
    EXPECT_TRUE(is_untouched(iosb));
    close(no_ea);
}

// The EA buffer of a create is checked as NtSetEaFile's is: an inconsistent one is
// STATUS_EA_LIST_INCONSISTENT with the offending entry's offset in the IOSB and no handle; a
// consistent one opens. Kernel callers (ZwCreateFile) are not checked.
TEST_F(InformationTest, create_checks_its_ea_buffer_before_the_driver) {
    std::vector<UCHAR> eas;
    std::size_t previous = ~std::size_t{0};
    add_ea(eas, &previous, "ONE", "1");
    add_ea(eas, &previous, "TWO", "22");
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\??\\InfoDev\\file");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    auto create = [&](auto&& service, HANDLE* h, IO_STATUS_BLOCK* iosb) {
        return service(h, FILE_READ_DATA | SYNCHRONIZE, &oa, iosb, nullptr, 0, 0, FILE_OPEN,
                       FILE_SYNCHRONOUS_IO_NONALERT, eas.data(), static_cast<ULONG>(eas.size()));
    };
    HANDLE h = nullptr;
    IO_STATUS_BLOCK iosb = untouched_iosb();
    ASSERT_EQ(create(NtCreateFile, &h, &iosb), STATUS_SUCCESS);
    close(h);

    reinterpret_cast<FILE_FULL_EA_INFORMATION*>(eas.data() + kSecond)->EaNameLength = 1;
    h = reinterpret_cast<HANDLE>(0x1234);
    iosb = untouched_iosb();
    EXPECT_EQ(create(NtCreateFile, &h, &iosb), STATUS_EA_LIST_INCONSISTENT);
    EXPECT_EQ(iosb.Status, STATUS_EA_LIST_INCONSISTENT);
    EXPECT_EQ(iosb.Information, kSecond);
    EXPECT_EQ(h, reinterpret_cast<HANDLE>(0x1234));

    iosb = untouched_iosb();
    ASSERT_EQ(create(ZwCreateFile, &h, &iosb), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(h), STATUS_SUCCESS);
}

TEST_F(InformationTest, query_ea_passes_flags_index_and_a_copied_list) {
    HANDLE h = open_sync(L"\\??\\InfoDev\\file", FILE_READ_EA);
    alignas(4) UCHAR list[16] = {};
    auto* get = reinterpret_cast<FILE_GET_EA_INFORMATION*>(list);
    get->EaNameLength = 3;
    std::memcpy(get->EaName, "ONE", 4);
    g_state.user_ea_list = list;
    g_state.reply = "EAEAEA";
    g_state.information = 6;
    UCHAR out[32] = {};
    ULONG index = 7;
    IO_STATUS_BLOCK iosb = untouched_iosb();
    EXPECT_EQ(NtQueryEaFile(h, &iosb, out, sizeof(out), TRUE, list, 9, &index, TRUE), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, 6u);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(out), 6), "EAEAEA");
    auto seen = requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].major, IRP_MJ_QUERY_EA);
    EXPECT_EQ(seen[0].stack_flags, SL_RESTART_SCAN | SL_RETURN_SINGLE_ENTRY | SL_INDEX_SPECIFIED);
    EXPECT_EQ(seen[0].parameters.QueryEa.Length, sizeof(out));
    EXPECT_EQ(seen[0].parameters.QueryEa.EaIndex, 7u);
    EXPECT_EQ(seen[0].parameters.QueryEa.EaListLength, 9u);
    EXPECT_TRUE(seen[0].ea_list_is_kernel_copy);
    EXPECT_EQ(seen[0].ea_list, std::string(reinterpret_cast<char*>(list), 9));

    // A name running past the list is refused with its offset.
    get->EaNameLength = 12;
    iosb = untouched_iosb();
    EXPECT_EQ(NtQueryEaFile(h, &iosb, out, sizeof(out), FALSE, list, 9, nullptr, FALSE), STATUS_EA_LIST_INCONSISTENT);
    EXPECT_EQ(iosb.Information, 0u);
    EXPECT_TRUE(requests().empty());
    close(h);

    HANDLE no_ea = open_sync(L"\\??\\InfoDev\\file", FILE_READ_DATA);
    iosb = untouched_iosb();
    EXPECT_EQ(NtQueryEaFile(no_ea, &iosb, out, sizeof(out), FALSE, nullptr, 0, nullptr, FALSE), STATUS_ACCESS_DENIED);
    EXPECT_TRUE(is_untouched(iosb));
    close(no_ea);
}

TEST_F(InformationTest, query_ea_on_a_neither_device_passes_the_raw_buffer) {
    HANDLE h = open_sync(L"\\??\\InfoRaw\\file", FILE_READ_EA);
    g_state.reply = "RAW";
    g_state.information = 3;
    UCHAR out[16] = {};
    IO_STATUS_BLOCK iosb = untouched_iosb();
    EXPECT_EQ(NtQueryEaFile(h, &iosb, out, sizeof(out), FALSE, nullptr, 0, nullptr, FALSE), STATUS_SUCCESS);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(out), 3), "RAW");
    auto seen = requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].user_buffer, static_cast<PVOID>(out));
    EXPECT_EQ(seen[0].system_buffer, nullptr);
    EXPECT_EQ(seen[0].irp_flags & IRP_BUFFERED_IO, 0u);
    close(h);
}

// The well-known Everyone SID (S-1-1-0).
struct EveryoneSid {
    SID sid{};
    EveryoneSid() {
        sid.Revision = SID_REVISION;
        sid.SubAuthorityCount = 1;
        sid.IdentifierAuthority.Value[5] = 1;
        sid.SubAuthority[0] = 0;
    }
};

TEST_F(InformationTest, quota_requests_capture_and_check_their_sids) {
    HANDLE h = open_sync(L"\\??\\InfoDev\\vol", FILE_READ_DATA | FILE_WRITE_DATA);
    EveryoneSid everyone;
    UCHAR out[64] = {};
    IO_STATUS_BLOCK iosb = untouched_iosb();
    EXPECT_EQ(NtQueryQuotaInformationFile(h, &iosb, out, sizeof(out), TRUE, nullptr, 0, &everyone.sid, FALSE),
              STATUS_SUCCESS);
    auto seen = requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].major, IRP_MJ_QUERY_QUOTA);
    EXPECT_EQ(seen[0].stack_flags, SL_RETURN_SINGLE_ENTRY);
    EXPECT_EQ(seen[0].parameters.QueryQuota.Length, sizeof(out));
    EXPECT_NE(seen[0].parameters.QueryQuota.StartSid, static_cast<PSID>(&everyone.sid));
    EXPECT_EQ(seen[0].start_sid, std::string(reinterpret_cast<char*>(&everyone.sid), 12));

    SID broken = everyone.sid;
    broken.Revision = 9;
    iosb = untouched_iosb();
    EXPECT_EQ(NtQueryQuotaInformationFile(h, &iosb, out, sizeof(out), FALSE, nullptr, 0, &broken, FALSE),
              STATUS_INVALID_SID);
    EXPECT_TRUE(is_untouched(iosb));

    alignas(8) UCHAR quota[sizeof(FILE_QUOTA_INFORMATION)] = {};
    auto* entry = reinterpret_cast<FILE_QUOTA_INFORMATION*>(quota);
    entry->SidLength = 12;
    entry->Sid = everyone.sid;
    entry->QuotaLimit.QuadPart = 1 << 20;
    EXPECT_EQ(NtSetQuotaInformationFile(h, &iosb, quota, sizeof(quota)), STATUS_SUCCESS);
    seen = requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].major, IRP_MJ_SET_QUOTA);
    EXPECT_EQ(seen[0].parameters.SetQuota.Length, sizeof(quota));
    entry->SidLength = 16;  // disagrees with the SID
    iosb = untouched_iosb();
    EXPECT_EQ(NtSetQuotaInformationFile(h, &iosb, quota, sizeof(quota)), STATUS_QUOTA_LIST_INCONSISTENT);
    EXPECT_EQ(iosb.Status, STATUS_QUOTA_LIST_INCONSISTENT);
    EXPECT_EQ(iosb.Information, 0u);
    EXPECT_TRUE(requests().empty());
    close(h);

    HANDLE read_only = open_sync(L"\\??\\InfoDev\\vol", FILE_READ_DATA);
    entry->SidLength = 12;
    iosb = untouched_iosb();
    EXPECT_EQ(NtSetQuotaInformationFile(read_only, &iosb, quota, sizeof(quota)), STATUS_ACCESS_DENIED);
    EXPECT_TRUE(is_untouched(iosb));
    close(read_only);
}

}  // namespace
}  // namespace ntio::test::info
