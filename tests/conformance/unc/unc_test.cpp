// UNC names through MUP (\Device\Mup, reached by \??\UNC and Win32 \\server\share): prefix
// resolution by IOCTL_REDIR_QUERY_PATH_EX / IOCTL_REDIR_QUERY_PATH, the hand-off of the create to the
// provider that claimed the name and the name it sees, the prefix cache, provider order, the status
// of a name nobody claims, deregistration and the registration routines' parameter checks.
// https://learn.microsoft.com/windows-hardware/drivers/ifs/support-for-unc-naming-and-mup
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ni-ntifs-ioctl_redir_query_path_ex
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ni-ntifs-ioctl_redir_query_path
#include "unc_redirector.hpp"

namespace ntio::test::unc {
namespace {

PDEVICE_OBJECT device_of(HANDLE handle) {
    PFILE_OBJECT file = nullptr;
    if (!NT_SUCCESS(ObReferenceObjectByHandle(handle, 0, *IoFileObjectType, KernelMode, reinterpret_cast<PVOID*>(&file),
                                              nullptr)))
        return nullptr;
    PDEVICE_OBJECT device = file->DeviceObject;
    ObDereferenceObject(file);
    return device;
}

std::u16string link_target(const wchar_t* link) {
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, link);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    HANDLE handle = nullptr;
    if (!NT_SUCCESS(ZwOpenSymbolicLinkObject(&handle, SYMBOLIC_LINK_QUERY, &oa))) return u"(none)";
    WCHAR buffer[128];
    UNICODE_STRING target{0, sizeof(buffer), buffer};
    const NTSTATUS status = ZwQuerySymbolicLinkObject(handle, &target, nullptr);
    (void)ZwClose(handle);
    if (!NT_SUCCESS(status)) return u"(error)";
    return std::u16string(reinterpret_cast<const char16_t*>(target.Buffer), target.Length / sizeof(WCHAR));
}

TEST_F(UncTest, TheUncLinkNamesMupAndExProvidersGetTheirLink) {
    EXPECT_EQ(link_target(L"\\GLOBAL??\\UNC"), u"\\Device\\Mup");
    // FsRtlRegisterUncProviderEx: "MUP uses this device name to create a symbolic link ... whose
    // target is \Device\Mup."
    EXPECT_EQ(link_target(L"\\Device\\AlphaRedir"), u"\\Device\\Mup");
    EXPECT_EQ(link_target(L"\\Device\\BetaRedir"), u"\\Device\\Mup");
    FsRtlDeregisterUncProvider(g_state.alpha.mup);
    g_state.alpha.mup = nullptr;
    EXPECT_EQ(link_target(L"\\Device\\AlphaRedir"), u"(none)");
}

TEST_F(UncTest, AnNtOpenReachesTheExProviderThatClaimsTheServer) {
    HANDLE handle = nullptr;
    ASSERT_EQ(open(L"\\??\\UNC\\server1\\share\\file.txt", &handle), STATUS_SUCCESS);
    // The query: from kernel mode, the whole name below \Device\Mup, a QUERY_PATH_REQUEST_EX.
    EXPECT_EQ(g_state.alpha.queries, 1);
    EXPECT_EQ(g_state.alpha.last_query, u"\\server1\\share\\file.txt");
    EXPECT_EQ(g_state.alpha.last_query_mode, KernelMode);
    EXPECT_EQ(g_state.alpha.last_query_input_length, sizeof(QUERY_PATH_REQUEST_EX));
    // The create: the same name, and the file stays MUP's (later requests go through MUP).
    EXPECT_EQ(g_state.alpha.creates, 1);
    EXPECT_EQ(g_state.alpha.last_create, u"\\server1\\share\\file.txt");
    EXPECT_EQ(device_of(handle), g_state.alpha.last_create_file_device);
    EXPECT_NE(device_of(handle), g_state.alpha.device);
    EXPECT_EQ(read(handle), "A:\\server1\\share\\file.txt");
    EXPECT_EQ(g_state.beta.creates, 0);
    EXPECT_EQ(g_state.legacy.queries, 0) << "the first provider's claim ends the resolution";
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    EXPECT_EQ(g_state.alpha.cleanups, 1);
    EXPECT_EQ(g_state.alpha.closes, 1);
}

TEST_F(UncTest, TheProvidersCreateStatusIsTheOpensAndRelativeOpensGoToItToo) {
    HANDLE handle = nullptr;
    // A failed create leaves MUP nothing to pass on: no cleanup or close reaches the provider.
    EXPECT_EQ(open(L"\\??\\UNC\\server1\\share\\missing", &handle), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(handle, nullptr);
    EXPECT_EQ(g_state.alpha.creates, 0);
    ASSERT_EQ(open(L"\\??\\UNC\\server1\\share\\dir", &handle), STATUS_SUCCESS);
    // A name relative to the provider's file is the provider's, without a query.
    const int queries = g_state.alpha.queries;
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"sub.txt");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, handle, nullptr);
    IO_STATUS_BLOCK iosb{};
    HANDLE child = nullptr;
    ASSERT_EQ(ZwCreateFile(&child, GENERIC_READ | SYNCHRONIZE, &oa, &iosb, nullptr, 0, FILE_SHARE_READ, FILE_OPEN,
                           FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0),
              STATUS_SUCCESS);
    EXPECT_EQ(g_state.alpha.queries, queries);
    EXPECT_EQ(g_state.alpha.last_create, u"sub.txt");
    EXPECT_EQ(read(child), "A:sub.txt");
    RtlInitUnicodeString(&name, L"missing");
    HANDLE missing = nullptr;
    EXPECT_EQ(ZwCreateFile(&missing, GENERIC_READ | SYNCHRONIZE, &oa, &iosb, nullptr, 0, FILE_SHARE_READ, FILE_OPEN,
                           FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0),
              STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(ZwClose(child), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    EXPECT_EQ(g_state.alpha.creates, 2);
    EXPECT_EQ(g_state.alpha.cleanups, 2);
    EXPECT_EQ(g_state.alpha.closes, 2);
}

TEST_F(UncTest, Win32UncNamesReachTheProvider) {
    HANDLE file = CreateFileW(L"\\\\server2\\docs\\readme.txt", GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING,
                              FILE_ATTRIBUTE_NORMAL, nullptr);
    ASSERT_NE(file, INVALID_HANDLE_VALUE) << GetLastError();
    EXPECT_EQ(g_state.beta.last_create, u"\\server2\\docs\\readme.txt");
    char buffer[64] = {};
    DWORD got = 0;
    ASSERT_TRUE(ReadFile(file, buffer, sizeof(buffer), &got, nullptr)) << GetLastError();
    EXPECT_EQ(std::string(buffer, got), "B:\\server2\\docs\\readme.txt");
    EXPECT_TRUE(CloseHandle(file));
    EXPECT_EQ(g_state.alpha.creates, 0);
    EXPECT_EQ(g_state.beta.closes, 1);
}

// GetDriveType on Learn: a UNC root is DRIVE_REMOTE ("a remote (network) drive"); \Device\Mup is a
// remote device.
TEST_F(UncTest, AUncRootIsARemoteDrive) {
    EXPECT_EQ(GetDriveTypeW(L"\\\\server1\\share\\"), UINT(DRIVE_REMOTE));
    EXPECT_EQ(g_state.alpha.last_create, u"\\server1\\share\\");
    EXPECT_EQ(g_state.alpha.closes, g_state.alpha.creates);
}

TEST_F(UncTest, TwoProvidersEachGetTheirOwnServers) {
    HANDLE one = nullptr, two = nullptr;
    ASSERT_EQ(open(L"\\??\\UNC\\server1\\s\\a", &one), STATUS_SUCCESS);
    ASSERT_EQ(open(L"\\??\\UNC\\SERVER2\\s\\b", &two), STATUS_SUCCESS);
    EXPECT_EQ(read(one), "A:\\server1\\s\\a");
    EXPECT_EQ(read(two), "B:\\SERVER2\\s\\b");
    EXPECT_EQ(g_state.alpha.creates, 1);
    EXPECT_EQ(g_state.beta.creates, 1);
    EXPECT_EQ(g_state.beta.queries, 1) << "asked only for the name alpha declined";
    EXPECT_EQ(ZwClose(one), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(two), STATUS_SUCCESS);
}

TEST_F(UncTest, ANameNoProviderClaimsFails) {
    HANDLE handle = nullptr;
    EXPECT_EQ(open(L"\\??\\UNC\\nobody\\share\\x", &handle), STATUS_BAD_NETWORK_PATH);
    EXPECT_EQ(handle, nullptr);
    EXPECT_EQ(g_state.alpha.queries, 1);
    EXPECT_EQ(g_state.beta.queries, 1);
    EXPECT_EQ(g_state.legacy.queries, 1);
    // A provider that knows the server but not the share says so, and that is the answer.
    EXPECT_EQ(open(L"\\??\\UNC\\denied\\share\\x", &handle), STATUS_BAD_NETWORK_NAME);
    SetLastError(0);
    EXPECT_EQ(CreateFileW(L"\\\\nobody\\share\\x", GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr),
              INVALID_HANDLE_VALUE);
    EXPECT_EQ(GetLastError(), DWORD(ERROR_BAD_NETPATH));
    EXPECT_EQ(g_state.alpha.creates + g_state.beta.creates + g_state.legacy.creates, 0);
}

TEST_F(UncTest, ThePrefixCacheAnswersLaterOpensUnderTheClaimedPrefix) {
    HANDLE handle = nullptr;
    ASSERT_EQ(open(L"\\??\\UNC\\server1\\share\\a", &handle), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    ASSERT_EQ(g_state.alpha.queries, 1);
    // The claim was "\server1\share": names under it go straight to alpha, in any case.
    ASSERT_EQ(open(L"\\??\\UNC\\server1\\share\\b", &handle), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    ASSERT_EQ(open(L"\\??\\UNC\\SERVER1\\SHARE\\dir\\c", &handle), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    EXPECT_EQ(g_state.alpha.queries, 1);
    EXPECT_EQ(g_state.alpha.creates, 3);
    EXPECT_EQ(g_state.alpha.last_create, u"\\SERVER1\\SHARE\\dir\\c");
    // Another share of the server, or a share whose name only begins like it, is asked about again.
    ASSERT_EQ(open(L"\\??\\UNC\\server1\\shared\\d", &handle), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    EXPECT_EQ(g_state.alpha.queries, 2);
}

TEST_F(UncTest, DeregistrationStopsRoutingAndForgetsTheCache) {
    HANDLE handle = nullptr;
    ASSERT_EQ(open(L"\\??\\UNC\\server1\\share\\a", &handle), STATUS_SUCCESS);
    FsRtlDeregisterUncProvider(g_state.alpha.mup);
    g_state.alpha.mup = nullptr;
    // The open file is still alpha's until it closes.
    EXPECT_EQ(read(handle), "A:\\server1\\share\\a");
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    EXPECT_EQ(g_state.alpha.closes, 1);
    const int queries = g_state.alpha.queries;
    EXPECT_EQ(open(L"\\??\\UNC\\server1\\share\\a", &handle), STATUS_BAD_NETWORK_PATH);
    EXPECT_EQ(g_state.alpha.queries, queries);
    EXPECT_EQ(g_state.alpha.creates, 1);
    // "both" was alpha's first; now beta gets it.
    ASSERT_EQ(open(L"\\??\\UNC\\both\\s\\x", &handle), STATUS_SUCCESS);
    EXPECT_EQ(read(handle), "B:\\both\\s\\x");
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
}

TEST_F(UncTest, ALegacyProviderGetsTheOpenByReparseToItsDevice) {
    HANDLE handle = nullptr;
    ASSERT_EQ(open(L"\\??\\UNC\\oldserver\\share\\f.txt", &handle), STATUS_SUCCESS);
    EXPECT_EQ(g_state.legacy.queries, 1);
    EXPECT_EQ(g_state.legacy.last_query, u"\\oldserver\\share\\f.txt");
    EXPECT_GE(g_state.legacy.last_query_input_length, sizeof(QUERY_PATH_REQUEST));
    // The create arrives on its own device, relative to it: "\oldserver\share\f.txt"; later
    // requests bypass MUP.
    EXPECT_EQ(g_state.legacy.last_create, u"\\oldserver\\share\\f.txt");
    EXPECT_EQ(device_of(handle), g_state.legacy.device);
    EXPECT_EQ(read(handle), "L:\\oldserver\\share\\f.txt");
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    EXPECT_EQ(g_state.legacy.closes, 1);
    // Cached too: the next open under the prefix is not a query.
    ASSERT_EQ(open(L"\\??\\UNC\\oldserver\\share\\g.txt", &handle), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    EXPECT_EQ(g_state.legacy.queries, 1);
    EXPECT_EQ(g_state.legacy.creates, 2);
}

TEST_F(UncTest, ProvidersAreAskedInProviderOrder) {
    // Registration order first: alpha, then beta.
    HANDLE handle = nullptr;
    ASSERT_EQ(open(L"\\??\\UNC\\both\\one\\x", &handle), STATUS_SUCCESS);
    EXPECT_EQ(read(handle), "A:\\both\\one\\x");
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    // ProviderOrder puts BetaNet (\Device\BetaRedir) before AlphaNet; a provider registering now
    // takes its place by it.
    ASSERT_EQ(RtlCreateRegistryKey(RTL_REGISTRY_CONTROL, const_cast<PWSTR>(L"NetworkProvider")), STATUS_SUCCESS);
    ASSERT_EQ(RtlCreateRegistryKey(RTL_REGISTRY_CONTROL, const_cast<PWSTR>(L"NetworkProvider\\Order")), STATUS_SUCCESS);
    ASSERT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_CONTROL, L"NetworkProvider\\Order", L"ProviderOrder", REG_SZ,
                                    const_cast<wchar_t*>(L"BetaNet,AlphaNet"), sizeof(L"BetaNet,AlphaNet")),
              STATUS_SUCCESS);
    struct Service {
        const wchar_t* key;
        const wchar_t* sub_key;
        const wchar_t* device;
    };
    for (const Service& s : {Service{L"BetaNet", L"BetaNet\\NetworkProvider", L"\\Device\\BetaRedir"},
                             Service{L"AlphaNet", L"AlphaNet\\NetworkProvider", L"\\Device\\AlphaRedir"}}) {
        ASSERT_EQ(RtlCreateRegistryKey(RTL_REGISTRY_SERVICES, const_cast<PWSTR>(s.key)), STATUS_SUCCESS);
        ASSERT_EQ(RtlCreateRegistryKey(RTL_REGISTRY_SERVICES, const_cast<PWSTR>(s.sub_key)), STATUS_SUCCESS);
        ASSERT_EQ(RtlWriteRegistryValue(RTL_REGISTRY_SERVICES, s.sub_key, L"DeviceName", REG_SZ,
                                        const_cast<wchar_t*>(s.device),
                                        static_cast<ULONG>((u16(s.device).size() + 1) * sizeof(WCHAR))),
                  STATUS_SUCCESS);
    }
    FsRtlDeregisterUncProvider(g_state.alpha.mup);
    FsRtlDeregisterUncProvider(g_state.beta.mup);
    g_state.alpha.mup = g_state.beta.mup = nullptr;
    UNICODE_STRING alpha, beta;
    RtlInitUnicodeString(&alpha, g_state.alpha.redir_name);
    RtlInitUnicodeString(&beta, g_state.beta.redir_name);
    // Alpha registers first this time; the order still puts beta first.
    ASSERT_EQ(FsRtlRegisterUncProviderEx(&g_state.alpha.mup, &alpha, g_state.alpha.device, 0), STATUS_SUCCESS);
    ASSERT_EQ(FsRtlRegisterUncProviderEx(&g_state.beta.mup, &beta, g_state.beta.device, 0), STATUS_SUCCESS);
    const int alpha_queries = g_state.alpha.queries;
    ASSERT_EQ(open(L"\\??\\UNC\\both\\two\\y", &handle), STATUS_SUCCESS);
    EXPECT_EQ(read(handle), "B:\\both\\two\\y");
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    EXPECT_EQ(g_state.alpha.queries, alpha_queries) << "beta claimed it before alpha was asked";
}

TEST_F(UncTest, RegistrationChecksItsParameters) {
    UNICODE_STRING empty{0, 0, nullptr};
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\GammaRedir");
    HANDLE handle = nullptr;
    // FsRtlRegisterUncProviderEx's page: a zero-length RedirDevName, an object that is not a device,
    // a provider already registered.
    EXPECT_EQ(FsRtlRegisterUncProviderEx(&handle, &empty, g_state.alpha.device, 0), STATUS_INVALID_PARAMETER);
    EXPECT_EQ(FsRtlRegisterUncProviderEx(&handle, &name, reinterpret_cast<PDEVICE_OBJECT>(m_driver), 0),
              STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(FsRtlRegisterUncProviderEx(&handle, &name, g_state.alpha.device, 0), STATUS_INVALID_DEVICE_REQUEST);
    UNICODE_STRING alpha;
    RtlInitUnicodeString(&alpha, g_state.alpha.redir_name);
    EXPECT_EQ(FsRtlRegisterUncProviderEx(&handle, &alpha, g_state.beta.device, 0), STATUS_INVALID_DEVICE_REQUEST);
    EXPECT_EQ(handle, nullptr);
    // FsRtlRegisterUncProvider's page: STATUS_INVALID_USER_BUFFER for a bad RedirDevName.
    EXPECT_EQ(FsRtlRegisterUncProvider(&handle, &empty, FALSE), STATUS_INVALID_USER_BUFFER);
    UNICODE_STRING odd{3, 4, const_cast<PWCH>(L"\\x")};
    EXPECT_EQ(FsRtlRegisterUncProvider(&handle, &odd, FALSE), STATUS_INVALID_USER_BUFFER);
    EXPECT_EQ(FsRtlRegisterUncProvider(&handle, &name, FALSE), STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(handle, nullptr);
    // Nothing half-registered: the names still resolve as before.
    HANDLE file = nullptr;
    ASSERT_EQ(open(L"\\??\\UNC\\server1\\s\\z", &file), STATUS_SUCCESS);
    EXPECT_EQ(read(file), "A:\\server1\\s\\z");
    EXPECT_EQ(ZwClose(file), STATUS_SUCCESS);
    FsRtlDeregisterUncProvider(nullptr);  // ignored
}

TEST_F(UncTest, MupItselfOpensAndNamesWithoutAServerAreInvalid) {
    HANDLE handle = nullptr;
    ASSERT_EQ(open(L"\\Device\\Mup", &handle), STATUS_SUCCESS);
    EXPECT_EQ(ZwClose(handle), STATUS_SUCCESS);
    EXPECT_EQ(open(L"\\Device\\Mup\\", &handle), STATUS_OBJECT_NAME_INVALID);
    EXPECT_EQ(g_state.alpha.queries + g_state.beta.queries + g_state.legacy.queries, 0);
}

}  // namespace
}  // namespace ntio::test::unc
