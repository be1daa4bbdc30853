// Shared helpers of the mailslot suite: creating a mailslot's server end with NtCreateMailslotFile,
// opening a client with NtCreateFile, reading, writing and querying. msfs.sys is started by every
// System from the default hive, as NT starts Msfs.
#pragma once

#include <chrono>
#include <cstring>
#include <thread>

#include "conformance/nt/nt_test_support.hpp"
#include "support/io_status.hpp"

#include <ntifs.h>

namespace ntio::test::mailslots {

inline constexpr const wchar_t* kMailslot = L"\\Device\\Mailslot\\ntio_mailslot_test";

// A read timeout in milliseconds as NtCreateMailslotFile takes it; kForever is MAILSLOT_WAIT_FOREVER.
inline constexpr LONGLONG kForever = -1;

inline NTSTATUS create_mailslot(HANDLE* server, LONGLONG timeout_ms = 0, ULONG max_message = 0, bool overlapped = true,
                                const wchar_t* name = kMailslot, ULONG quota = 0) {
    ObjectName object(name);
    IO_STATUS_BLOCK iosb{};
    LARGE_INTEGER timeout;
    timeout.QuadPart = timeout_ms == kForever ? -1 : -timeout_ms * 10000;
    return NtCreateMailslotFile(server, GENERIC_READ | SYNCHRONIZE | WRITE_DAC, object.get(), &iosb,
                                overlapped ? 0 : FILE_SYNCHRONOUS_IO_NONALERT, quota, max_message, &timeout);
}

inline NTSTATUS open_mailslot_client(HANDLE* client, const wchar_t* name = kMailslot,
                                     ACCESS_MASK access = GENERIC_WRITE, bool overlapped = false) {
    ObjectName object(name);
    IO_STATUS_BLOCK iosb{};
    return NtCreateFile(client, access | SYNCHRONIZE, object.get(), &iosb, nullptr, 0,
                        FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, overlapped ? 0 : FILE_SYNCHRONOUS_IO_NONALERT,
                        nullptr, 0);
}

inline NTSTATUS read_slot(HANDLE h, void* buffer, ULONG length, IO_STATUS_BLOCK* iosb, HANDLE event = nullptr,
                          PIO_APC_ROUTINE apc = nullptr, PVOID context = nullptr) {
    return NtReadFile(h, event, apc, context, iosb, buffer, length, nullptr, nullptr);
}

inline NTSTATUS write_slot(HANDLE h, const void* buffer, ULONG length, IO_STATUS_BLOCK* iosb = nullptr) {
    IO_STATUS_BLOCK local{};
    return NtWriteFile(h, nullptr, nullptr, nullptr, iosb ? iosb : &local, const_cast<void*>(buffer), length, nullptr,
                       nullptr);
}

inline FILE_MAILSLOT_QUERY_INFORMATION mailslot_information(HANDLE h) {
    FILE_MAILSLOT_QUERY_INFORMATION info{};
    IO_STATUS_BLOCK iosb{};
    EXPECT_EQ(NtQueryInformationFile(h, &iosb, &info, sizeof(info), FileMailslotQueryInformation), STATUS_SUCCESS);
    EXPECT_EQ(iosb.Information, sizeof(info));
    return info;
}

// An APC routine counting its calls in the ULONG its context points to.
inline VOID NTAPI count_slot_apc(PVOID context, PIO_STATUS_BLOCK, ULONG) { ++*static_cast<ULONG*>(context); }

// Waits up to 10 s for `h` (an event or a file) to be signalled.
inline NTSTATUS wait_for_slot(HANDLE h) {
    LARGE_INTEGER timeout = relative_ms(10000);
    return NtWaitForSingleObject(h, FALSE, &timeout);
}

// A mailslot and one client of it.
struct Slot {
    Handle server;
    Handle client;
};

inline void make_slot(Slot& slot, LONGLONG timeout_ms = 0, ULONG max_message = 0) {
    ASSERT_EQ(create_mailslot(slot.server.out(), timeout_ms, max_message), STATUS_SUCCESS);
    ASSERT_EQ(open_mailslot_client(slot.client.out()), STATUS_SUCCESS);
}

using MailslotTest = SystemTest;

}  // namespace ntio::test::mailslots
