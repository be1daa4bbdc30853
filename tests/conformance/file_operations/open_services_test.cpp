// NtDeleteFile, NtQueryAttributesFile, NtQueryFullAttributesFile, NtCreateNamedPipeFile and
// NtCreateMailslotFile: what the driver receives for each open, what the caller gets back, and the
// statuses of names that do not resolve (no named-pipe or mailslot file system exists yet).
#include "conformance/file_operations/file_operations_test_driver.hpp"
#include "support/io_status.hpp"

namespace ntio::file_operations_test {
namespace {
using ntio::test::kUntouched;
using ntio::test::untouched;

struct Name {
    explicit Name(const wchar_t* text) {
        RtlInitUnicodeString(&string, text);
        InitializeObjectAttributes(&attributes, &string, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    }
    UNICODE_STRING string;
    OBJECT_ATTRIBUTES attributes;
};

// NtDeleteFile opens the name for DELETE with FILE_DELETE_ON_CLOSE (the file system deletes it at
// cleanup) and closes it: IRP_MJ_CREATE, then IRP_MJ_CLEANUP and IRP_MJ_CLOSE before it returns.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-zwdeletefile
TEST_F(FileOperationsTest, delete_file_opens_for_delete_on_close_and_closes)
{
    Name name(L"\\??\\FoNeither\\victim");
    EXPECT_EQ(NtDeleteFile(&name.attributes), STATUS_SUCCESS);
    ASSERT_EQ(g_state.creates.size(), 1u);
    EXPECT_EQ(g_state.creates[0].major, IRP_MJ_CREATE);
    EXPECT_TRUE(g_state.creates[0].desired_access & DELETE);
    EXPECT_TRUE(g_state.creates[0].create_options & FILE_DELETE_ON_CLOSE);
    EXPECT_EQ(g_state.creates[0].create_options >> 24, static_cast<ULONG>(FILE_OPEN));
    EXPECT_EQ(g_state.cleanup_close, 2);
    Name missing(L"\\??\\NoSuchLink");
    EXPECT_EQ(NtDeleteFile(&missing.attributes), STATUS_OBJECT_NAME_NOT_FOUND);
    Name missing_path(L"\\??\\NoSuchLink\\victim");
    EXPECT_EQ(NtDeleteFile(&missing_path.attributes), STATUS_OBJECT_PATH_NOT_FOUND);
}

// The attribute queries open the name for FILE_READ_ATTRIBUTES, send IRP_MJ_QUERY_INFORMATION for
// FileBasicInformation / FileNetworkOpenInformation and return the driver's answer; the file is
// closed again before the call returns.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-zwqueryfullattributesfile
TEST_F(FileOperationsTest, query_attributes_file_returns_the_driver_answer_for_the_name)
{
    Name name(L"\\??\\FoNeither\\file.txt");
    g_state.information = sizeof(FILE_BASIC_INFORMATION);
    g_state.fill = 0x11;
    FILE_BASIC_INFORMATION basic{};
    EXPECT_EQ(NtQueryAttributesFile(&name.attributes, &basic), STATUS_SUCCESS);
    EXPECT_EQ(basic.FileAttributes, 0x11111111u);
    ASSERT_EQ(g_state.creates.size(), 1u);
    EXPECT_TRUE(g_state.creates[0].desired_access & FILE_READ_ATTRIBUTES);
    std::vector<Record> records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].major, IRP_MJ_QUERY_INFORMATION);
    EXPECT_EQ(records[0].information_class, FileBasicInformation);
    EXPECT_EQ(records[0].length, sizeof(FILE_BASIC_INFORMATION));
    EXPECT_EQ(g_state.cleanup_close, 2);

    g_state.information = sizeof(FILE_NETWORK_OPEN_INFORMATION);
    g_state.fill = 0x22;
    FILE_NETWORK_OPEN_INFORMATION full{};
    EXPECT_EQ(NtQueryFullAttributesFile(&name.attributes, &full), STATUS_SUCCESS);
    EXPECT_EQ(full.EndOfFile.QuadPart, 0x2222222222222222);
    records = g_state.take();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].information_class, FileNetworkOpenInformation);
}

// A missing name gets the lookup's status and leaves the caller's buffer alone; a driver error is
// returned as is; a bad output pointer is STATUS_ACCESS_VIOLATION before anything is opened.
TEST_F(FileOperationsTest, query_attributes_file_statuses_for_missing_names_and_errors)
{
    FILE_BASIC_INFORMATION basic;
    std::memset(&basic, 0x5a, sizeof(basic));
    Name missing(L"\\??\\NoSuchLink");
    EXPECT_EQ(NtQueryAttributesFile(&missing.attributes, &basic), STATUS_OBJECT_NAME_NOT_FOUND);
    Name missing_path(L"\\??\\NoSuchLink\\file.txt");
    EXPECT_EQ(NtQueryAttributesFile(&missing_path.attributes, &basic), STATUS_OBJECT_PATH_NOT_FOUND);
    Name missing_device(L"\\Device\\NoSuchDevice");
    EXPECT_EQ(NtQueryAttributesFile(&missing_device.attributes, &basic), STATUS_OBJECT_NAME_NOT_FOUND);
    Name missing_directory(L"\\NoSuchDirectory\\file.txt");
    EXPECT_EQ(NtQueryAttributesFile(&missing_directory.attributes, &basic), STATUS_OBJECT_PATH_NOT_FOUND);
    EXPECT_EQ(basic.FileAttributes, 0x5a5a5a5au);

    Name name(L"\\??\\FoNeither\\file.txt");
    g_state.status = STATUS_INVALID_DEVICE_REQUEST;
    EXPECT_EQ(NtQueryAttributesFile(&name.attributes, &basic), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(basic.FileAttributes, 0x5a5a5a5au);
    EXPECT_EQ(NtQueryAttributesFile(&name.attributes, reinterpret_cast<PFILE_BASIC_INFORMATION>(8)),
              STATUS_ACCESS_VIOLATION);
    EXPECT_EQ(NtQueryAttributesFile(nullptr, &basic), STATUS_INVALID_PARAMETER);
}

// \Device\NamedPipe is npfs.sys (started from the default hive), also reached through \??\PIPE: the
// create reaches the pipe file system, which creates the pipe and then refuses a second instance of
// a one-instance pipe. \Device\Mailslot is msfs.sys, also reached through \??\MAILSLOT: it
// creates the mailslot and then refuses a second one of the name, handle and IOSB untouched.
TEST_F(FileOperationsTest, pipe_and_mailslot_creates_reach_npfs_and_msfs)
{
    HANDLE handle = reinterpret_cast<HANDLE>(0x1234);
    IO_STATUS_BLOCK iosb = kUntouched;
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10000000;
    Name pipe(L"\\Device\\NamedPipe\\ntio_test");
    ASSERT_EQ(NtCreateNamedPipeFile(&handle, GENERIC_READ | SYNCHRONIZE, &pipe.attributes, &iosb,
                                    FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN_IF, 0, FILE_PIPE_MESSAGE_TYPE,
                                    FILE_PIPE_MESSAGE_MODE, FILE_PIPE_QUEUE_OPERATION, 1, 4096, 4096, &timeout),
              STATUS_SUCCESS);
    EXPECT_EQ(iosb.Status, STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, static_cast<ULONG_PTR>(FILE_CREATED));
    HANDLE second = reinterpret_cast<HANDLE>(0x1234);
    iosb = kUntouched;
    Name dos_pipe(L"\\??\\PIPE\\ntio_test");
    EXPECT_EQ(NtCreateNamedPipeFile(&second, GENERIC_READ | SYNCHRONIZE, &dos_pipe.attributes, &iosb,
                                    FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN_IF, 0, FILE_PIPE_BYTE_STREAM_TYPE,
                                    FILE_PIPE_BYTE_STREAM_MODE, FILE_PIPE_QUEUE_OPERATION, 1, 0, 0, nullptr),
              STATUS_INSTANCE_NOT_AVAILABLE);
    EXPECT_EQ(second, reinterpret_cast<HANDLE>(0x1234));
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(NtClose(handle), STATUS_SUCCESS);
    handle = reinterpret_cast<HANDLE>(0x1234);
    iosb = kUntouched;
    Name mailslot(L"\\Device\\Mailslot\\ntio_test");
    ASSERT_EQ(NtCreateMailslotFile(&handle, GENERIC_READ | SYNCHRONIZE, &mailslot.attributes, &iosb, 0, 0, 0, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, static_cast<ULONG_PTR>(FILE_CREATED));
    second = reinterpret_cast<HANDLE>(0x1234);
    iosb = kUntouched;
    Name dos_mailslot(L"\\??\\MAILSLOT\\ntio_test");
    EXPECT_EQ(NtCreateMailslotFile(&second, GENERIC_READ | SYNCHRONIZE, &dos_mailslot.attributes, &iosb, 0, 0, 0,
                                   nullptr),
              STATUS_OBJECT_NAME_COLLISION);
    EXPECT_EQ(second, reinterpret_cast<HANDLE>(0x1234));
    EXPECT_TRUE(untouched(iosb));
    EXPECT_EQ(NtClose(handle), STATUS_SUCCESS);
}

// The parameter rules of a named-pipe create: every violation is STATUS_INVALID_PARAMETER before
// the name is looked up (so even for a name that does not exist).
TEST_F(FileOperationsTest, named_pipe_create_rejects_invalid_parameters)
{
    HANDLE handle = nullptr;
    IO_STATUS_BLOCK iosb = kUntouched;
    Name pipe(L"\\Device\\NamedPipe\\ntio_test");
    auto create = [&](ULONG share, ULONG disposition, ULONG options, ULONG type, ULONG read_mode, ULONG completion,
                      ULONG instances) {
        return NtCreateNamedPipeFile(&handle, GENERIC_READ | SYNCHRONIZE, &pipe.attributes, &iosb, share, disposition,
                                     options, type, read_mode, completion, instances, 0, 0, nullptr);
    };
    const ULONG rw = FILE_SHARE_READ | FILE_SHARE_WRITE;
    EXPECT_EQ(create(0, FILE_OPEN_IF, 0, FILE_PIPE_MESSAGE_TYPE, FILE_PIPE_MESSAGE_MODE, 0, 1), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(create(rw, FILE_SUPERSEDE, 0, FILE_PIPE_MESSAGE_TYPE, FILE_PIPE_MESSAGE_MODE, 0, 1), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(create(rw, FILE_OVERWRITE_IF, 0, FILE_PIPE_MESSAGE_TYPE, FILE_PIPE_MESSAGE_MODE, 0, 1), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(create(rw, FILE_OPEN_IF, FILE_DIRECTORY_FILE, 0, 0, 0, 1), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(create(rw, FILE_OPEN_IF, 0, FILE_PIPE_BYTE_STREAM_TYPE, FILE_PIPE_MESSAGE_MODE, 0, 1), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(create(rw, FILE_OPEN_IF, 0, 4, 0, 0, 1), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(create(rw, FILE_OPEN_IF, 0, 0, 2, 0, 1), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(create(rw, FILE_OPEN_IF, 0, 0, 0, 2, 1), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(create(rw, FILE_OPEN_IF, 0, 0, 0, 0, 0), STATUS_INVALID_PARAMETER);
    Name mailslot(L"\\Device\\Mailslot\\ntio_test");
    EXPECT_EQ(NtCreateMailslotFile(&handle, GENERIC_READ, &mailslot.attributes, &iosb, FILE_DIRECTORY_FILE, 0, 0, nullptr),
              STATUS_INVALID_PARAMETER);
    EXPECT_TRUE(untouched(iosb));
}

// A named-pipe create on a name under a driver's device reaches it as IRP_MJ_CREATE_NAMED_PIPE with
// Parameters.CreatePipe.Parameters describing the pipe.
// https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-create-named-pipe
TEST_F(FileOperationsTest, named_pipe_create_reaches_the_driver_with_its_parameters)
{
    HANDLE handle = nullptr;
    IO_STATUS_BLOCK iosb = kUntouched;
    LARGE_INTEGER timeout;
    timeout.QuadPart = -500000;
    Name pipe(L"\\Device\\FoNeither\\pipe");
    ASSERT_EQ(NtCreateNamedPipeFile(&handle, GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE, &pipe.attributes, &iosb,
                                    FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN_IF, FILE_SYNCHRONOUS_IO_NONALERT,
                                    FILE_PIPE_MESSAGE_TYPE, FILE_PIPE_MESSAGE_MODE, FILE_PIPE_COMPLETE_OPERATION, 3,
                                    1000, 2000, &timeout),
              STATUS_SUCCESS);
    ASSERT_EQ(g_state.creates.size(), 1u);
    const Record& r = g_state.creates[0];
    EXPECT_EQ(r.major, IRP_MJ_CREATE_NAMED_PIPE);
    EXPECT_EQ(r.create_options >> 24, static_cast<ULONG>(FILE_OPEN_IF));
    EXPECT_EQ(r.share_access, FILE_SHARE_READ | FILE_SHARE_WRITE);
    EXPECT_EQ(r.pipe.NamedPipeType, static_cast<ULONG>(FILE_PIPE_MESSAGE_TYPE));
    EXPECT_EQ(r.pipe.ReadMode, static_cast<ULONG>(FILE_PIPE_MESSAGE_MODE));
    EXPECT_EQ(r.pipe.CompletionMode, static_cast<ULONG>(FILE_PIPE_COMPLETE_OPERATION));
    EXPECT_EQ(r.pipe.MaximumInstances, 3u);
    EXPECT_EQ(r.pipe.InboundQuota, 1000u);
    EXPECT_EQ(r.pipe.OutboundQuota, 2000u);
    EXPECT_TRUE(r.pipe.TimeoutSpecified);
    EXPECT_EQ(r.pipe.DefaultTimeout.QuadPart, -500000);
    EXPECT_EQ(NtClose(handle), STATUS_SUCCESS);
}

// A mailslot create on a name under a driver's device reaches it as IRP_MJ_CREATE_MAILSLOT with
// Parameters.CreateMailslot.Parameters describing the mailslot; the disposition is FILE_CREATE.
// https://learn.microsoft.com/windows-hardware/drivers/ifs/irp-mj-create-mailslot
TEST_F(FileOperationsTest, mailslot_create_reaches_the_driver_with_its_parameters)
{
    HANDLE handle = nullptr;
    IO_STATUS_BLOCK iosb = kUntouched;
    LARGE_INTEGER timeout;
    timeout.QuadPart = -250000;
    Name mailslot(L"\\Device\\FoNeither\\slot");
    ASSERT_EQ(NtCreateMailslotFile(&handle, GENERIC_READ | SYNCHRONIZE, &mailslot.attributes, &iosb,
                                   FILE_SYNCHRONOUS_IO_NONALERT, 4096, 512, &timeout),
              STATUS_SUCCESS);
    ASSERT_EQ(g_state.creates.size(), 1u);
    const Record& r = g_state.creates[0];
    EXPECT_EQ(r.major, IRP_MJ_CREATE_MAILSLOT);
    EXPECT_EQ(r.create_options >> 24, static_cast<ULONG>(FILE_CREATE));
    EXPECT_EQ(r.mailslot.MailslotQuota, 4096u);
    EXPECT_EQ(r.mailslot.MaximumMessageSize, 512u);
    EXPECT_TRUE(r.mailslot.TimeoutSpecified);
    EXPECT_EQ(r.mailslot.ReadTimeout.QuadPart, -250000);
    EXPECT_EQ(NtClose(handle), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::file_operations_test
