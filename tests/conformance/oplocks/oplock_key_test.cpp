// Oplock keys on a FAT volume: opens made with IoCreateFileEx and an oplock key ECP
// (GUID_ECP_OPLOCK_KEY) carry that key; opens with the same key do not break each other's oplocks
// (MS-FSA 2.1.4.12.2, "Algorithm to Compare Oplock Keys"), a second open of the key takes a Windows 7
// oplock over (MS-FSA 2.1.5.17.2), and FsRtlOplockKeysEqual compares the keys of two file objects.
// https://learn.microsoft.com/openspecs/windows_protocols/ms-fsa/abeec095-2dee-4892-acfc-2eeb3d241a3d
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtloplockkeysequal
#include "oplocks/oplock_fat_support.hpp"

namespace ntio::test::oplocks {
namespace {

// {0B8E1D52-7C43-4F6A-A1D0-5E2C9B7F6A01} and ...02: two client keys.
const GUID kKey = {0x0b8e1d52, 0x7c43, 0x4f6a, {0xa1, 0xd0, 0x5e, 0x2c, 0x9b, 0x7f, 0x6a, 0x01}};
const GUID kOtherKey = {0x0b8e1d52, 0x7c43, 0x4f6a, {0xa1, 0xd0, 0x5e, 0x2c, 0x9b, 0x7f, 0x6a, 0x02}};

class OplockKeyTest : public OplockFatTest {
protected:
    // An asynchronous open of \file.bin through IoCreateFileEx whose ECP list holds an oplock key ECP.
    NTSTATUS open_keyed(HANDLE* h, const GUID& key, ULONG options = 0) {
        PECP_LIST list = nullptr;
        PVOID ecp = nullptr;
        EXPECT_EQ(FsRtlAllocateExtraCreateParameterList(0, &list), STATUS_SUCCESS);
        EXPECT_EQ(FsRtlAllocateExtraCreateParameter(&GUID_ECP_OPLOCK_KEY, sizeof(OPLOCK_KEY_ECP_CONTEXT), 0, nullptr,
                                                    'kpcE', &ecp),
                  STATUS_SUCCESS);
        if (!list || !ecp) return STATUS_INSUFFICIENT_RESOURCES;
        static_cast<POPLOCK_KEY_ECP_CONTEXT>(ecp)->OplockKey = key;
        EXPECT_EQ(FsRtlInsertExtraCreateParameter(list, ecp), STATUS_SUCCESS);
        IO_DRIVER_CREATE_CONTEXT context;
        IoInitializeDriverCreateContext(&context);
        context.ExtraCreateParameter = list;

        std::u16string path = path_of("\\file.bin");
        UNICODE_STRING name = drivers::unicode(path);
        OBJECT_ATTRIBUTES oa;
        InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
        IO_STATUS_BLOCK iosb{};
        *h = nullptr;
        NTSTATUS status = IoCreateFileEx(h, GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, &oa, &iosb, nullptr,
                                         FILE_ATTRIBUTE_NORMAL, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                         FILE_OPEN, options | FILE_NON_DIRECTORY_FILE, nullptr, 0, CreateFileTypeNone,
                                         nullptr, 0, &context);
        FsRtlFreeExtraCreateParameterList(list);  // the caller's again once the create returned
        return status;
    }
    static PFILE_OBJECT file_of(HANDLE h) {
        PVOID object = nullptr;
        EXPECT_EQ(ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, &object, nullptr), STATUS_SUCCESS);
        if (object) ObDereferenceObject(object);  // the handle keeps it
        return static_cast<PFILE_OBJECT>(object);
    }
};

// A batch oplock held under a key: another open of the key, its write and its read break nothing
// (FILE_COMPLETE_IF_OPLOCKED would report a break); an open under another key breaks it to level 2.
TEST_F(OplockKeyTest, opens_with_the_same_key_do_not_break_each_others_oplock) {
    HANDLE a = nullptr;
    ASSERT_EQ(open_keyed(&a, kKey), STATUS_SUCCESS);
    auto batch = legacy(a, FSCTL_REQUEST_BATCH_OPLOCK);
    ASSERT_EQ(batch->returned, STATUS_PENDING);

    HANDLE b = nullptr;
    ASSERT_EQ(open_keyed(&b, kKey, FILE_COMPLETE_IF_OPLOCKED), STATUS_SUCCESS);
    EXPECT_EQ(write_one(b, 0), STATUS_SUCCESS);
    EXPECT_EQ(read_one(b, 0), STATUS_SUCCESS);
    EXPECT_FALSE(batch->done());

    HANDLE c = nullptr;
    EXPECT_EQ(open_keyed(&c, kOtherKey, FILE_COMPLETE_IF_OPLOCKED), STATUS_OPLOCK_BREAK_IN_PROGRESS);
    EXPECT_EQ(batch->wait(), STATUS_SUCCESS);
    EXPECT_EQ(batch->iosb.Information, ULONG_PTR(FILE_OPLOCK_BROKEN_TO_LEVEL_2));
    auto ack = legacy(a, FSCTL_OPLOCK_BREAK_ACK_NO_2);
    EXPECT_EQ(ack->returned, STATUS_SUCCESS);
    EXPECT_EQ(NtClose(c), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(b), STATUS_SUCCESS);
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
}

// MS-FSA 2.1.5.17.2: an RH request from a second open of the key replaces the first open's RH
// oplock, whose request completes with STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE (no acknowledgement).
TEST_F(OplockKeyTest, a_second_open_of_the_key_takes_the_rh_oplock_over) {
    HANDLE a = nullptr;
    HANDLE b = nullptr;
    ASSERT_EQ(open_keyed(&a, kKey), STATUS_SUCCESS);
    ASSERT_EQ(open_keyed(&b, kKey), STATUS_SUCCESS);
    auto first = win7(a, R | H, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    ASSERT_EQ(first->returned, STATUS_PENDING);
    auto second = win7(b, R | H, REQUEST_OPLOCK_INPUT_FLAG_REQUEST);
    ASSERT_EQ(second->returned, STATUS_PENDING);
    // Completed by the second request itself (checked before any wait, so that a first request
    // still pending fails the test instead of blocking it; the closes below end it then).
    EXPECT_TRUE(first->done());
    EXPECT_EQ(first->iosb.Status, STATUS_OPLOCK_SWITCHED_TO_NEW_HANDLE);
    EXPECT_EQ(first->output.OriginalOplockLevel, R | H);
    EXPECT_EQ(first->output.NewOplockLevel, R | H);
    EXPECT_EQ(first->output.Flags, 0u);
    EXPECT_FALSE(second->done());
    EXPECT_EQ(NtClose(a), STATUS_SUCCESS);
    EXPECT_FALSE(second->done());  // the first open's close is not the owner's
    EXPECT_EQ(NtClose(b), STATUS_SUCCESS);
    EXPECT_EQ(second->wait(), STATUS_OPLOCK_HANDLE_CLOSED);
}

// Learn (FsRtlOplockKeysEqual): equal for the same file object or equal ECP keys; not for another
// key, for a file object without a key, or for a missing one.
TEST_F(OplockKeyTest, keys_equal_compares_the_keys_of_two_file_objects) {
    HANDLE a = nullptr;
    HANDLE b = nullptr;
    HANDLE c = nullptr;
    HANDLE d = nullptr;
    ASSERT_EQ(open_keyed(&a, kKey), STATUS_SUCCESS);
    ASSERT_EQ(open_keyed(&b, kKey), STATUS_SUCCESS);
    ASSERT_EQ(open_keyed(&c, kOtherKey), STATUS_SUCCESS);
    ASSERT_EQ(open(&d), STATUS_SUCCESS);
    EXPECT_TRUE(FsRtlOplockKeysEqual(file_of(a), file_of(b)));
    EXPECT_FALSE(FsRtlOplockKeysEqual(file_of(a), file_of(c)));
    EXPECT_FALSE(FsRtlOplockKeysEqual(file_of(a), file_of(d)));
    EXPECT_TRUE(FsRtlOplockKeysEqual(file_of(d), file_of(d)));
    EXPECT_FALSE(FsRtlOplockKeysEqual(file_of(d), nullptr));
    EXPECT_FALSE(FsRtlOplockKeysEqual(nullptr, nullptr));
    for (HANDLE h : {a, b, c, d}) EXPECT_EQ(NtClose(h), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::test::oplocks
