// A table-driven sweep of bad inputs through the Win32 surface: handles that are null, never issued,
// just closed or of the wrong type; buffers on pages the caller cannot touch; and out-of-range
// lengths, flags and names. Every call must return (waits use zero timeouts), fail the way Windows
// documents, and leave nothing changed. Cases the other Win32 suites already check are not repeated.
//
// Error codes: https://learn.microsoft.com/windows/win32/debug/system-error-codes--0-499-
//   ERROR_INVALID_HANDLE (6) "The handle is invalid.", ERROR_INVALID_PARAMETER (87), ERROR_NOACCESS
//   (998) "Invalid access to memory location.";
// and the NTSTATUS to Win32 mapping of the status the NT service returns
// (https://learn.microsoft.com/windows/win32/debug/... and the table error_table_test.cpp checks):
//   STATUS_INVALID_HANDLE and STATUS_OBJECT_TYPE_MISMATCH -> ERROR_INVALID_HANDLE,
//   STATUS_ACCESS_VIOLATION -> ERROR_NOACCESS.
//
// Left out on purpose, because the Win32 function itself dereferences the pointer in user mode on
// Windows (so Windows raises an access violation in the caller rather than returning an error):
// a bad lpNumberOfBytesRead/Written or lpBytesReturned of a synchronous call, a bad
// BY_HANDLE_FILE_INFORMATION (GetFileInformationByHandle assembles it from several queries), a bad
// lpNumberOfBytes/lpCompletionKey/lpOverlapped of GetQueuedCompletionStatus, a bad handle array of
// WaitForMultipleObjects (kernel32 copies it to translate pseudo handles), bad object names (turned
// into a UNICODE_STRING by kernel32) and a bad lpcbData/lpData of RegQueryValueEx.
//
// Also left out, because Microsoft Learn does not say what Windows returns: the error code for a
// registry key name over 255 characters or a value name over 16,383 (only the refusal is checked);
// the return value of CloseHandle on a pseudo handle (only "no effect" is checked); whether
// DUPLICATE_CLOSE_SOURCE still closes the source when lpTargetHandle itself is not writable; bad
// SERVICE_STATUS/QUERY_SERVICE_CONFIG pointers (the RPC client stub writes them); a wait on an object
// that is not a dispatcher object; and a never-issued SC_HANDLE value or a kernel handle passed as one.
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "../win32_io/win32_io_driver.hpp"
#include "support/administrator_process.hpp"
#include "win32_test_support.hpp"

#include <winsvc.h>

namespace ntio::test::win32_io {
namespace {

// What a row reports when the call did not fail.
constexpr DWORD kSucceeded = 0xFFFFFFFFu;
// A value no handle table issued in a fresh System (handles are small multiples of 4).
const HANDLE kNeverIssued = reinterpret_cast<HANDLE>(static_cast<ULONG_PTR>(0x7ff0));
// A value far beyond any handle table (the largest positive multiple of 4).
const HANDLE kBeyondTable = reinterpret_cast<HANDLE>(static_cast<ULONG_PTR>(0x7FFFFFFFFFFFFFFCull));
// Stored as the last error before each call, so that a failure that sets no error shows.
constexpr DWORD kUntouched = 0xDEADBEEFu;

DWORD error_if(bool failed) { return failed ? GetLastError() : kSucceeded; }

// One page the caller cannot touch at all and one it can only read, and two pages of which only the
// first is accessible (a buffer whose length runs past the end of what is mapped).
class Pages {
public:
    Pages() {
        m_page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
        m_no_access = map(m_page, PROT_NONE);
        m_read_only = map(m_page, PROT_READ);
        m_half = map(2 * m_page, PROT_READ | PROT_WRITE);
        if (m_half) mprotect(static_cast<char*>(m_half) + m_page, m_page, PROT_NONE);
    }
    Pages(const Pages&) = delete;
    Pages& operator=(const Pages&) = delete;
    ~Pages() {
        if (m_no_access) munmap(m_no_access, m_page);
        if (m_read_only) munmap(m_read_only, m_page);
        if (m_half) munmap(m_half, 2 * m_page);
    }
    bool ok() const { return m_no_access && m_read_only && m_half; }
    void* no_access() const { return m_no_access; }
    void* read_only() const { return m_read_only; }
    // A buffer of 2 * page() bytes whose second page is inaccessible.
    void* half() const { return m_half; }
    DWORD page() const { return static_cast<DWORD>(m_page); }
    bool read_only_is_zero() const {
        const auto* p = static_cast<const unsigned char*>(m_read_only);
        for (std::size_t i = 0; i < m_page; ++i)
            if (p[i]) return false;
        return true;
    }

private:
    static void* map(std::size_t size, int protection) {
        void* p = mmap(nullptr, size, protection, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return p == MAP_FAILED ? nullptr : p;
    }
    std::size_t m_page = 0;
    void* m_no_access = nullptr;
    void* m_read_only = nullptr;
    void* m_half = nullptr;
};

// The kinds of bad handle the sweep tries.
enum class Bad { null, invalid_value, never_issued, beyond_table, closed, wrong_type };
const char* name_of(Bad bad) {
    switch (bad) {
    case Bad::null: return "NULL";
    case Bad::invalid_value: return "INVALID_HANDLE_VALUE";
    case Bad::never_issued: return "never issued";
    case Bad::beyond_table: return "beyond the handle table";
    case Bad::closed: return "just closed";
    case Bad::wrong_type: return "wrong type";
    }
    return "?";
}

// Objects a row can take its closed or wrong-type handle from.
enum class Object { none, event, file, key, port };

class BadInputSweep : public Win32IoTest {
protected:
    void SetUp() override {
        Win32IoTest::SetUp();
        ASSERT_TRUE(m_pages.ok());
    }

    // A fresh handle to an object of the kind; the caller closes it.
    HANDLE make(Object object) {
        switch (object) {
        case Object::event: return CreateEventW(nullptr, TRUE, FALSE, nullptr);
        case Object::file: return open_device(false);
        case Object::key: {
            HKEY key = nullptr;
            EXPECT_EQ(RegCreateKeyExW(HKEY_CURRENT_USER, L"Software\\ntio-bad-input", 0, nullptr, 0, KEY_ALL_ACCESS,
                                      nullptr, &key, nullptr),
                      ERROR_SUCCESS);
            return static_cast<HANDLE>(key);
        }
        case Object::port: return CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
        case Object::none: break;
        }
        return nullptr;
    }

    // A row of the kernel-handle tables: the call with the handle under test, the object whose
    // closed handle it gets, the object of the wrong type it gets (none: no such case), and whether
    // INVALID_HANDLE_VALUE is skipped (it is the current process pseudo handle, which some calls
    // accept: a process is waitable, and closing or duplicating the pseudo handle succeeds).
    struct Row {
        const char* function;
        std::function<DWORD(HANDLE)> call;
        Object closed;
        Object wrong;
        bool skip_invalid_value = false;
        bool skip_null = false;  // NULL is a meaningful value of the argument
    };

    // Runs every row with every kind of bad handle and expects ERROR_INVALID_HANDLE. Returns the
    // number of cases checked.
    int sweep(const std::vector<Row>& rows) {
        int cases = 0;
        for (const Row& row : rows) {
            for (Bad bad : {Bad::null, Bad::invalid_value, Bad::never_issued, Bad::beyond_table, Bad::closed,
                            Bad::wrong_type}) {
                if (bad == Bad::invalid_value && row.skip_invalid_value) continue;
                if (bad == Bad::null && row.skip_null) continue;
                if (bad == Bad::wrong_type && row.wrong == Object::none) continue;
                HANDLE handle = nullptr;
                HANDLE owned = nullptr;
                switch (bad) {
                case Bad::null: handle = nullptr; break;
                case Bad::invalid_value: handle = INVALID_HANDLE_VALUE; break;
                case Bad::never_issued: handle = kNeverIssued; break;
                case Bad::beyond_table: handle = kBeyondTable; break;
                case Bad::closed:
                    handle = make(row.closed);
                    EXPECT_TRUE(handle != nullptr && handle != INVALID_HANDLE_VALUE) << row.function;
                    EXPECT_TRUE(CloseHandle(handle)) << row.function;
                    break;
                case Bad::wrong_type:
                    owned = make(row.wrong);
                    EXPECT_TRUE(owned != nullptr && owned != INVALID_HANDLE_VALUE) << row.function;
                    handle = owned;
                    break;
                }
                SetLastError(kUntouched);
                const DWORD error = row.call(handle);
                EXPECT_EQ(error, static_cast<DWORD>(ERROR_INVALID_HANDLE))
                    << row.function << " with a " << name_of(bad) << " handle ("
                    << (error == kSucceeded ? "succeeded" : "failed with another error") << ")";
                if (owned) CloseHandle(owned);
                ++cases;
            }
        }
        return cases;
    }

    Pages m_pages;
};

VOID WINAPI ignore_completion(DWORD, DWORD, LPOVERLAPPED) {}
VOID NTAPI ignore_apc(ULONG_PTR) {}

// File and device calls: each goes to an NT file service (NtReadFile, NtWriteFile,
// NtDeviceIoControlFile, NtFlushBuffersFile, NtQuery/SetInformationFile, NtLock/UnlockFile,
// NtCancelIoFile(Ex), NtNotifyChangeDirectoryFile), which references the handle as a file object:
// an invalid or closed handle is STATUS_INVALID_HANDLE, an event (or the process that
// INVALID_HANDLE_VALUE names) is STATUS_OBJECT_TYPE_MISMATCH, both ERROR_INVALID_HANDLE. Each page
// documents "If the function fails, the return value is zero (FALSE) ... call GetLastError":
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-readfile (and -writefile,
// -flushfilebuffers, -getfilesizeex, -setfilepointerex, -setendoffile, -lockfile, -lockfileex,
// -unlockfile, -unlockfileex, -getfileinformationbyhandle), .../ioapiset/nf-ioapiset-deviceiocontrol,
// -cancelio, -cancelioex, -createiocompletionport ("returns NULL"), .../winbase/...-setfilepointer
// (INVALID_SET_FILE_POINTER), -readfileex, -writefileex, -getfileinformationbyhandleex,
// -setfileinformationbyhandle, -setfilecompletionnotificationmodes, -readdirectorychangesw.
TEST_F(BadInputSweep, file_calls_reject_bad_handles_with_invalid_handle) {
    char buffer[16] = {};
    DWORD bytes = 0;
    const std::vector<Row> rows = {
        {"ReadFile", [&](HANDLE h) { return error_if(!ReadFile(h, buffer, 4, &bytes, nullptr)); }, Object::file,
         Object::event},
        {"ReadFile overlapped",
         [&](HANDLE h) {
             OVERLAPPED ov{};
             return error_if(!ReadFile(h, buffer, 4, nullptr, &ov));
         },
         Object::file, Object::event},
        {"WriteFile", [&](HANDLE h) { return error_if(!WriteFile(h, "abcd", 4, &bytes, nullptr)); }, Object::file,
         Object::event},
        {"ReadFileEx",
         [&](HANDLE h) {
             OVERLAPPED ov{};
             return error_if(!ReadFileEx(h, buffer, 4, &ov, ignore_completion));
         },
         Object::file, Object::event},
        {"WriteFileEx",
         [&](HANDLE h) {
             OVERLAPPED ov{};
             return error_if(!WriteFileEx(h, "abcd", 4, &ov, ignore_completion));
         },
         Object::file, Object::event},
        {"DeviceIoControl",
         [&](HANDLE h) {
             return error_if(!DeviceIoControl(h, kIoctlMatrix, nullptr, 0, buffer, sizeof(buffer), &bytes, nullptr));
         },
         Object::file, Object::event},
        {"FlushFileBuffers", [](HANDLE h) { return error_if(!FlushFileBuffers(h)); }, Object::file, Object::event},
        {"GetFileSizeEx",
         [](HANDLE h) {
             LARGE_INTEGER size{};
             return error_if(!GetFileSizeEx(h, &size));
         },
         Object::file, Object::event},
        {"SetFilePointer",
         [](HANDLE h) { return error_if(SetFilePointer(h, 1, nullptr, FILE_BEGIN) == INVALID_SET_FILE_POINTER); },
         Object::file, Object::event},
        {"SetFilePointerEx",
         [](HANDLE h) {
             LARGE_INTEGER to{};
             to.QuadPart = 1;
             return error_if(!SetFilePointerEx(h, to, nullptr, FILE_BEGIN));
         },
         Object::file, Object::event},
        {"SetEndOfFile", [](HANDLE h) { return error_if(!SetEndOfFile(h)); }, Object::file, Object::event},
        {"GetFileInformationByHandle",
         [](HANDLE h) {
             BY_HANDLE_FILE_INFORMATION info{};
             return error_if(!GetFileInformationByHandle(h, &info));
         },
         Object::file, Object::event},
        {"GetFileInformationByHandleEx",
         [](HANDLE h) {
             FILE_STANDARD_INFO info{};
             return error_if(!GetFileInformationByHandleEx(h, FileStandardInfo, &info, sizeof(info)));
         },
         Object::file, Object::event},
        {"SetFileInformationByHandle",
         [](HANDLE h) {
             FILE_BASIC_INFO info{};  // all zero: change nothing
             return error_if(!SetFileInformationByHandle(h, FileBasicInfo, &info, sizeof(info)));
         },
         Object::file, Object::event},
        {"LockFile", [](HANDLE h) { return error_if(!LockFile(h, 0, 0, 1, 0)); }, Object::file, Object::event},
        {"UnlockFile", [](HANDLE h) { return error_if(!UnlockFile(h, 0, 0, 1, 0)); }, Object::file, Object::event},
        {"LockFileEx",
         [](HANDLE h) {
             OVERLAPPED ov{};
             return error_if(!LockFileEx(h, LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ov));
         },
         Object::file, Object::event},
        {"UnlockFileEx",
         [](HANDLE h) {
             OVERLAPPED ov{};
             return error_if(!UnlockFileEx(h, 0, 1, 0, &ov));
         },
         Object::file, Object::event},
        {"CancelIo", [](HANDLE h) { return error_if(!CancelIo(h)); }, Object::file, Object::event},
        {"CancelIoEx", [](HANDLE h) { return error_if(!CancelIoEx(h, nullptr)); }, Object::file, Object::event},
        // INVALID_HANDLE_VALUE as the file creates a port that is not associated with a file.
        {"CreateIoCompletionPort (file)",
         [](HANDLE h) {
             HANDLE port = CreateIoCompletionPort(h, nullptr, 1, 0);
             if (port) CloseHandle(port);
             return error_if(port == nullptr);
         },
         Object::file, Object::event, true},
        {"SetFileCompletionNotificationModes",
         [](HANDLE h) { return error_if(!SetFileCompletionNotificationModes(h, FILE_SKIP_SET_EVENT_ON_HANDLE)); },
         Object::file, Object::event},
        {"ReadDirectoryChangesW",
         [&](HANDLE h) {
             alignas(DWORD) char changes[256];
             return error_if(!ReadDirectoryChangesW(h, changes, sizeof(changes), FALSE, FILE_NOTIFY_CHANGE_FILE_NAME,
                                                    &bytes, nullptr, nullptr));
         },
         Object::file, Object::event},
    };
    EXPECT_EQ(sweep(rows), 23 * 6 - 1);
}

// Synchronization, wait, handle and completion-port calls. The wrong-type handle is one the NT
// service refuses with STATUS_OBJECT_TYPE_MISMATCH: a file for NtSetEvent, NtReleaseMutant,
// NtReleaseSemaphore and the signal half of NtSignalAndWaitForSingleObject; a registry key (not a
// dispatcher object) for the waits; an event for the completion-port services.
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-setevent (-resetevent,
// -releasemutex, -releasesemaphore, -waitforsingleobject "WAIT_FAILED ... call GetLastError",
// -waitforsingleobjectex, -signalobjectandwait), .../winbase/nf-winbase-pulseevent,
// .../handleapi/nf-handleapi-closehandle ("If the application is running under a debugger, the
// function will throw an exception if it receives either a handle value that is not valid or a
// pseudo-handle value" - without one it returns FALSE with ERROR_INVALID_HANDLE),
// .../handleapi/nf-handleapi-duplicatehandle, .../ioapiset/nf-ioapiset-getqueuedcompletionstatus,
// -getqueuedcompletionstatusex, -postqueuedcompletionstatus, -createiocompletionport.
TEST_F(BadInputSweep, object_calls_reject_bad_handles_with_invalid_handle) {
    Win32Handle event(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    ASSERT_NE(event.get(), nullptr);
    Win32Handle to_signal(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    ASSERT_NE(to_signal.get(), nullptr);
    Win32Handle overlapped_file(open_device(true));
    const std::vector<Row> rows = {
        {"SetEvent", [](HANDLE h) { return error_if(!SetEvent(h)); }, Object::event, Object::file},
        {"ResetEvent", [](HANDLE h) { return error_if(!ResetEvent(h)); }, Object::event, Object::file},
        {"PulseEvent", [](HANDLE h) { return error_if(!PulseEvent(h)); }, Object::event, Object::file},
        {"ReleaseMutex", [](HANDLE h) { return error_if(!ReleaseMutex(h)); }, Object::event, Object::file},
        {"ReleaseSemaphore", [](HANDLE h) { return error_if(!ReleaseSemaphore(h, 1, nullptr)); }, Object::event,
         Object::file},
        // No wrong-type case for the waits: what a wait on an object without a dispatcher header
        // returns is not documented (and a handle without SYNCHRONIZE access is refused first).
        {"WaitForSingleObject", [](HANDLE h) { return error_if(WaitForSingleObject(h, 0) == WAIT_FAILED); },
         Object::event, Object::none, true},
        {"WaitForSingleObjectEx",
         [](HANDLE h) { return error_if(WaitForSingleObjectEx(h, 0, TRUE) == WAIT_FAILED); }, Object::event,
         Object::none, true},
        {"WaitForMultipleObjects",
         [&](HANDLE h) {
             HANDLE both[] = {event.get(), h};
             return error_if(WaitForMultipleObjects(2, both, TRUE, 0) == WAIT_FAILED);
         },
         Object::event, Object::none, true},
        {"SignalObjectAndWait (signal)",
         [&](HANDLE h) { return error_if(SignalObjectAndWait(h, event.get(), 0, FALSE) == WAIT_FAILED); },
         Object::event, Object::file},
        {"SignalObjectAndWait (wait)",
         [&](HANDLE h) { return error_if(SignalObjectAndWait(to_signal.get(), h, 0, FALSE) == WAIT_FAILED); },
         Object::event, Object::none, true},
        // GetOverlappedResultEx waits on the file when the OVERLAPPED has no event and the request is
        // still pending: the wait on a bad handle fails (WAIT_FAILED) and so does the call. A wrong-type
        // handle would just time out, and INVALID_HANDLE_VALUE names the (waitable) process.
        // https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-getoverlappedresultex
        {"GetOverlappedResultEx",
         [](HANDLE h) {
             OVERLAPPED ov{};
             ov.Internal = STATUS_PENDING;
             DWORD bytes = 0;
             return error_if(!GetOverlappedResultEx(h, &ov, &bytes, 1, FALSE));
         },
         Object::file, Object::none, true},
        {"CloseHandle", [](HANDLE h) { return error_if(!CloseHandle(h)); }, Object::event, Object::none, true},
        {"DuplicateHandle",
         [](HANDLE h) {
             HANDLE copy = nullptr;
             const BOOL ok =
                 DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &copy, 0, FALSE, DUPLICATE_SAME_ACCESS);
             if (ok) CloseHandle(copy);
             return error_if(!ok);
         },
         Object::event, Object::none, true},
        // The process handles of DuplicateHandle: an event is not a process.
        {"DuplicateHandle (source process)",
         [&](HANDLE h) {
             HANDLE copy = nullptr;
             const BOOL ok = DuplicateHandle(h, event.get(), GetCurrentProcess(), &copy, 0, FALSE, DUPLICATE_SAME_ACCESS);
             if (ok) CloseHandle(copy);
             return error_if(!ok);
         },
         Object::event, Object::event, true},
        {"DuplicateHandle (target process)",
         [&](HANDLE h) {
             HANDLE copy = nullptr;
             const BOOL ok = DuplicateHandle(GetCurrentProcess(), event.get(), h, &copy, 0, FALSE, DUPLICATE_SAME_ACCESS);
             if (ok) CloseHandle(copy);
             return error_if(!ok);
         },
         Object::event, Object::event, true},
        {"GetQueuedCompletionStatus",
         [](HANDLE h) {
             DWORD bytes = 7;
             ULONG_PTR key = 7;
             OVERLAPPED dummy{};
             LPOVERLAPPED ov = &dummy;
             const BOOL ok = GetQueuedCompletionStatus(h, &bytes, &key, &ov, 0);
             const DWORD error = error_if(!ok);
             // "If *lpOverlapped is NULL, the function did not dequeue a completion packet".
             EXPECT_EQ(ov, nullptr);
             SetLastError(error);
             return error;
         },
         Object::port, Object::event},
        {"GetQueuedCompletionStatusEx",
         [](HANDLE h) {
             OVERLAPPED_ENTRY entries[2] = {};
             ULONG removed = 7;
             const BOOL ok = GetQueuedCompletionStatusEx(h, entries, 2, &removed, 0, FALSE);
             return error_if(!ok);
         },
         Object::port, Object::event},
        {"PostQueuedCompletionStatus",
         [](HANDLE h) { return error_if(!PostQueuedCompletionStatus(h, 1, 2, nullptr)); }, Object::port,
         Object::event},
        // Thread calls reference the handle as a thread: an event (or the process that
        // INVALID_HANDLE_VALUE names) is STATUS_OBJECT_TYPE_MISMATCH.
        // https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getthreadid
        // ("If the function fails, the return value is zero"), -getexitcodethread, -queueuserapc.
        {"GetThreadId", [](HANDLE h) { return error_if(GetThreadId(h) == 0); }, Object::event, Object::event},
        {"GetExitCodeThread",
         [](HANDLE h) {
             DWORD code = 0;
             return error_if(!GetExitCodeThread(h, &code));
         },
         Object::event, Object::event},
        {"QueueUserAPC", [](HANDLE h) { return error_if(QueueUserAPC(ignore_apc, h, 0) == 0); }, Object::event,
         Object::event},
        // A NULL ExistingCompletionPort asks for a new port.
        {"CreateIoCompletionPort (existing port)",
         [&](HANDLE h) { return error_if(CreateIoCompletionPort(overlapped_file.get(), h, 1, 0) == nullptr); },
         Object::port, Object::event, false, true},
    };
    // 22 rows; INVALID_HANDLE_VALUE skipped by 9, NULL by 1, no wrong type for 7.
    EXPECT_EQ(sweep(rows), 22 * 6 - 9 - 1 - 7);
    EXPECT_EQ(WaitForSingleObject(event, 0), static_cast<DWORD>(WAIT_TIMEOUT)) << "no row signalled the event";
}

// Output pointers the NT service writes itself: ReleaseSemaphore passes lpPreviousCount to
// NtReleaseSemaphore and DuplicateHandle passes lpTargetHandle to NtDuplicateObject; each probes the
// pointer before it changes anything, so the call fails with ERROR_NOACCESS, the semaphore keeps its
// count and no handle is created (the fixture fails the test on a leaked handle).
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-releasesemaphore,
// https://learn.microsoft.com/windows/win32/api/handleapi/nf-handleapi-duplicatehandle
TEST_F(BadInputSweep, result_pointers_on_bad_pages_fail_with_noaccess_and_change_nothing) {
    Win32Handle sem(CreateSemaphoreW(nullptr, 0, 5, nullptr));
    ASSERT_NE(sem.get(), nullptr);
    for (void* page : {m_pages.no_access(), m_pages.read_only()}) {
        SetLastError(kUntouched);
        EXPECT_FALSE(ReleaseSemaphore(sem, 1, static_cast<LPLONG>(page)));
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOACCESS));
        SetLastError(kUntouched);
        EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), sem, GetCurrentProcess(), static_cast<LPHANDLE>(page), 0,
                                     FALSE, DUPLICATE_SAME_ACCESS));
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOACCESS));
    }
    EXPECT_TRUE(m_pages.read_only_is_zero());
    EXPECT_EQ(WaitForSingleObject(sem, 0), static_cast<DWORD>(WAIT_TIMEOUT)) << "the count stayed 0";
}

// Registry calls return the error instead of setting it. The HKEY goes to an NT key service
// (NtOpenKey's RootDirectory, NtQueryValueKey, NtSetValueKey, ...): a null, closed or never-issued
// handle is STATUS_INVALID_HANDLE, and an event, the process that INVALID_HANDLE_VALUE names, or an
// SC_HANDLE (not a kernel handle at all) is rejected the same way; all are ERROR_INVALID_HANDLE.
// https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regopenkeyexw ("If the function
// fails, the return value is a nonzero error code defined in Winerror.h"; the same sentence on
// -regcreatekeyexw, -regqueryvalueexw, -regsetvalueexw, -regdeletevaluew, -regdeletekeyw,
// -regdeletekeyexw, -regenumkeyexw, -regenumvaluew, -regqueryinfokeyw, -regflushkey, -reggetvaluew,
// -regclosekey).
TEST_F(BadInputSweep, registry_calls_reject_bad_keys_with_invalid_handle) {
    Win32Handle event(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    ASSERT_NE(event.get(), nullptr);
    SC_HANDLE scm = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
    ASSERT_NE(scm, nullptr) << GetLastError();

    struct KeyRow {
        const char* function;
        std::function<LSTATUS(HKEY)> call;
        bool skip_foreign = false;  // RegCloseKey: an event or an SC_HANDLE would really be closed
    };
    WCHAR name[64];
    BYTE data[64];
    const std::vector<KeyRow> rows = {
        {"RegOpenKeyExW",
         [](HKEY k) {
             HKEY out = nullptr;
             LSTATUS e = RegOpenKeyExW(k, L"x", 0, KEY_READ, &out);
             if (out) RegCloseKey(out);
             return e;
         }},
        {"RegOpenKeyExA",
         [](HKEY k) {
             HKEY out = nullptr;
             LSTATUS e = RegOpenKeyExA(k, "x", 0, KEY_READ, &out);
             if (out) RegCloseKey(out);
             return e;
         }},
        {"RegCreateKeyExW",
         [](HKEY k) {
             HKEY out = nullptr;
             LSTATUS e = RegCreateKeyExW(k, L"x", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, &out, nullptr);
             if (out) RegCloseKey(out);
             return e;
         }},
        {"RegQueryValueExW",
         [&](HKEY k) {
             DWORD size = sizeof(data);
             return RegQueryValueExW(k, L"x", nullptr, nullptr, data, &size);
         }},
        {"RegQueryValueExA",
         [&](HKEY k) {
             DWORD size = sizeof(data);
             return RegQueryValueExA(k, "x", nullptr, nullptr, data, &size);
         }},
        {"RegSetValueExW",
         [](HKEY k) {
             const DWORD v = 1;
             return RegSetValueExW(k, L"x", 0, REG_DWORD, reinterpret_cast<const BYTE*>(&v), sizeof(v));
         }},
        {"RegSetValueExA",
         [](HKEY k) {
             const DWORD v = 1;
             return RegSetValueExA(k, "x", 0, REG_DWORD, reinterpret_cast<const BYTE*>(&v), sizeof(v));
         }},
        {"RegDeleteValueW", [](HKEY k) { return RegDeleteValueW(k, L"x"); }},
        {"RegDeleteKeyW", [](HKEY k) { return RegDeleteKeyW(k, L"x"); }},
        {"RegDeleteKeyExW", [](HKEY k) { return RegDeleteKeyExW(k, L"x", 0, 0); }},
        {"RegEnumKeyExW",
         [&](HKEY k) {
             DWORD chars = 64;
             return RegEnumKeyExW(k, 0, name, &chars, nullptr, nullptr, nullptr, nullptr);
         }},
        {"RegEnumValueW",
         [&](HKEY k) {
             DWORD chars = 64;
             DWORD size = sizeof(data);
             return RegEnumValueW(k, 0, name, &chars, nullptr, nullptr, data, &size);
         }},
        {"RegQueryInfoKeyW",
         [](HKEY k) {
             DWORD subkeys = 0, values = 0;
             return RegQueryInfoKeyW(k, nullptr, nullptr, nullptr, &subkeys, nullptr, nullptr, &values, nullptr,
                                     nullptr, nullptr, nullptr);
         }},
        {"RegFlushKey", [](HKEY k) { return RegFlushKey(k); }},
        {"RegGetValueW",
         [&](HKEY k) {
             DWORD size = sizeof(data);
             return RegGetValueW(k, nullptr, L"x", RRF_RT_ANY, nullptr, data, &size);
         }},
        {"RegCreateKeyExA",
         [](HKEY k) {
             HKEY out = nullptr;
             LSTATUS e = RegCreateKeyExA(k, "x", 0, nullptr, 0, KEY_ALL_ACCESS, nullptr, &out, nullptr);
             if (out) RegCloseKey(out);
             return e;
         }},
        {"RegDeleteValueA", [](HKEY k) { return RegDeleteValueA(k, "x"); }},
        {"RegDeleteKeyA", [](HKEY k) { return RegDeleteKeyA(k, "x"); }},
        {"RegDeleteKeyExA", [](HKEY k) { return RegDeleteKeyExA(k, "x", 0, 0); }},
        {"RegEnumKeyExA",
         [&](HKEY k) {
             char narrow[64];
             DWORD chars = 64;
             return RegEnumKeyExA(k, 0, narrow, &chars, nullptr, nullptr, nullptr, nullptr);
         }},
        {"RegEnumValueA",
         [&](HKEY k) {
             char narrow[64];
             DWORD chars = 64;
             DWORD size = sizeof(data);
             return RegEnumValueA(k, 0, narrow, &chars, nullptr, nullptr, data, &size);
         }},
        {"RegQueryInfoKeyA",
         [](HKEY k) {
             DWORD subkeys = 0;
             return RegQueryInfoKeyA(k, nullptr, nullptr, nullptr, &subkeys, nullptr, nullptr, nullptr, nullptr,
                                     nullptr, nullptr, nullptr);
         }},
        {"RegGetValueA",
         [&](HKEY k) {
             DWORD size = sizeof(data);
             return RegGetValueA(k, nullptr, "x", RRF_RT_ANY, nullptr, data, &size);
         }},
        {"RegCloseKey", [](HKEY k) { return RegCloseKey(k); }, true},
    };
    int cases = 0;
    for (const KeyRow& row : rows) {
        struct Case {
            const char* what;
            HKEY key;
            bool foreign;
        };
        HKEY closed = static_cast<HKEY>(make(Object::key));
        ASSERT_NE(closed, nullptr);
        ASSERT_EQ(RegCloseKey(closed), ERROR_SUCCESS);
        const Case cases_of_row[] = {
            {"NULL", nullptr, false},
            {"INVALID_HANDLE_VALUE", reinterpret_cast<HKEY>(INVALID_HANDLE_VALUE), true},
            {"never issued", reinterpret_cast<HKEY>(kNeverIssued), false},
            {"beyond the handle table", reinterpret_cast<HKEY>(kBeyondTable), false},
            {"just closed", closed, false},
            {"an event handle", static_cast<HKEY>(event.get()), true},
            {"an SC_HANDLE", reinterpret_cast<HKEY>(scm), true},
        };
        for (const Case& c : cases_of_row) {
            if (c.foreign && row.skip_foreign) continue;
            SetLastError(kUntouched);
            EXPECT_EQ(row.call(c.key), ERROR_INVALID_HANDLE) << row.function << " with " << c.what;
            EXPECT_EQ(GetLastError(), kUntouched) << row.function << ": Reg* functions return the error";
            ++cases;
        }
    }
    EXPECT_EQ(cases, 23 * 7 + 4);
    EXPECT_EQ(WaitForSingleObject(event, 0), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_TRUE(CloseServiceHandle(scm)) << "the SC_HANDLE survived being passed as a key";
}

// Service calls: a null or closed SC_HANDLE, or a handle of the other kind (the SCM's where a
// service's is expected and the reverse), fails with ERROR_INVALID_HANDLE, which every page lists:
// https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-queryservicestatus ("ERROR_INVALID_HANDLE
// The handle is invalid."), -queryservicestatusex, -queryserviceconfigw, -controlservice,
// -startservicew, -deleteservice, -changeserviceconfigw, -openservicew, -createservicew,
// -enumservicesstatusexw. A never-issued SC_HANDLE value and a kernel HANDLE passed as an SC_HANDLE
// are left out: on Windows the RPC client stub interprets the value as its own context-handle
// record, and the outcome is not documented.
TEST_F(BadInputSweep, service_calls_reject_bad_sc_handles_with_invalid_handle) {
    AdministratorProcess admin(system(), u"badinput.exe");
    auto open_manager = [] { return OpenSCManagerW(nullptr, nullptr, SC_MANAGER_ALL_ACCESS); };
    auto create_service = [](SC_HANDLE scm) {
        return CreateServiceW(scm, L"ntio-bad-input", L"ntio-bad-input", SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                              SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, L"C:\\nowhere\\bad-input.sys", nullptr,
                              nullptr, nullptr, nullptr, nullptr);
    };
    SC_HANDLE scm = open_manager();
    ASSERT_NE(scm, nullptr) << GetLastError();
    SC_HANDLE service = create_service(scm);
    ASSERT_NE(service, nullptr) << GetLastError();

    struct ScRow {
        const char* function;
        std::function<DWORD(SC_HANDLE)> call;
        bool wants_service;  // else it wants the SCM's handle
    };
    std::vector<unsigned char> buffer(8192);
    DWORD needed = 0;
    const std::vector<ScRow> rows = {
        {"QueryServiceStatus",
         [](SC_HANDLE s) {
             SERVICE_STATUS status{};
             return error_if(!QueryServiceStatus(s, &status));
         },
         true},
        {"QueryServiceStatusEx",
         [&](SC_HANDLE s) {
             SERVICE_STATUS_PROCESS status{};
             return error_if(!QueryServiceStatusEx(s, SC_STATUS_PROCESS_INFO, reinterpret_cast<LPBYTE>(&status),
                                                   sizeof(status), &needed));
         },
         true},
        {"QueryServiceConfigW",
         [&](SC_HANDLE s) {
             return error_if(!QueryServiceConfigW(s, reinterpret_cast<LPQUERY_SERVICE_CONFIGW>(buffer.data()),
                                                  static_cast<DWORD>(buffer.size()), &needed));
         },
         true},
        {"QueryServiceConfigA",
         [&](SC_HANDLE s) {
             return error_if(!QueryServiceConfigA(s, reinterpret_cast<LPQUERY_SERVICE_CONFIGA>(buffer.data()),
                                                  static_cast<DWORD>(buffer.size()), &needed));
         },
         true},
        {"ControlService",
         [](SC_HANDLE s) {
             SERVICE_STATUS status{};
             return error_if(!ControlService(s, SERVICE_CONTROL_INTERROGATE, &status));
         },
         true},
        {"StartServiceW", [](SC_HANDLE s) { return error_if(!StartServiceW(s, 0, nullptr)); }, true},
        {"StartServiceA", [](SC_HANDLE s) { return error_if(!StartServiceA(s, 0, nullptr)); }, true},
        {"DeleteService", [](SC_HANDLE s) { return error_if(!DeleteService(s)); }, true},
        {"ChangeServiceConfigW",
         [](SC_HANDLE s) {
             return error_if(!ChangeServiceConfigW(s, SERVICE_NO_CHANGE, SERVICE_NO_CHANGE, SERVICE_NO_CHANGE, nullptr,
                                                   nullptr, nullptr, nullptr, nullptr, nullptr, nullptr));
         },
         true},
        {"OpenServiceW",
         [](SC_HANDLE m) {
             SC_HANDLE s = OpenServiceW(m, L"ntio-bad-input", SERVICE_QUERY_STATUS);
             const DWORD error = error_if(s == nullptr);
             if (s) CloseServiceHandle(s);
             return error;
         },
         false},
        {"OpenServiceA",
         [](SC_HANDLE m) {
             SC_HANDLE s = OpenServiceA(m, "ntio-bad-input", SERVICE_QUERY_STATUS);
             const DWORD error = error_if(s == nullptr);
             if (s) CloseServiceHandle(s);
             return error;
         },
         false},
        {"CreateServiceW",
         [](SC_HANDLE m) {
             SC_HANDLE s = CreateServiceW(m, L"ntio-bad-input-2", nullptr, SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                                          SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, L"C:\\nowhere\\x.sys", nullptr,
                                          nullptr, nullptr, nullptr, nullptr);
             const DWORD error = error_if(s == nullptr);
             if (s) CloseServiceHandle(s);
             return error;
         },
         false},
        {"CreateServiceA",
         [](SC_HANDLE m) {
             SC_HANDLE s = CreateServiceA(m, "ntio-bad-input-2", nullptr, SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                                          SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, "C:\\nowhere\\x.sys", nullptr,
                                          nullptr, nullptr, nullptr, nullptr);
             const DWORD error = error_if(s == nullptr);
             if (s) CloseServiceHandle(s);
             return error;
         },
         false},
        {"EnumServicesStatusExA",
         [&](SC_HANDLE m) {
             DWORD count = 0, resume = 0;
             return error_if(!EnumServicesStatusExA(m, SC_ENUM_PROCESS_INFO, SERVICE_DRIVER, SERVICE_STATE_ALL,
                                                    buffer.data(), static_cast<DWORD>(buffer.size()), &needed, &count,
                                                    &resume, nullptr));
         },
         false},
        {"ChangeServiceConfigA",
         [](SC_HANDLE s) {
             return error_if(!ChangeServiceConfigA(s, SERVICE_NO_CHANGE, SERVICE_NO_CHANGE, SERVICE_NO_CHANGE, nullptr,
                                                   nullptr, nullptr, nullptr, nullptr, nullptr, nullptr));
         },
         true},
        {"EnumServicesStatusExW",
         [&](SC_HANDLE m) {
             DWORD count = 0, resume = 0;
             return error_if(!EnumServicesStatusExW(m, SC_ENUM_PROCESS_INFO, SERVICE_DRIVER, SERVICE_STATE_ALL,
                                                    buffer.data(), static_cast<DWORD>(buffer.size()), &needed, &count,
                                                    &resume, nullptr));
         },
         false},
    };
    int cases = 0;
    for (const ScRow& row : rows) {
        // A handle of the expected kind, opened and closed just before the call.
        SC_HANDLE closed = row.wants_service ? OpenServiceW(scm, L"ntio-bad-input", SERVICE_ALL_ACCESS) : open_manager();
        ASSERT_NE(closed, nullptr) << row.function << ": " << GetLastError();
        ASSERT_TRUE(CloseServiceHandle(closed));
        const struct {
            const char* what;
            SC_HANDLE handle;
        } cases_of_row[] = {
            {"NULL", nullptr},
            {"just closed", closed},
            {"the other kind", row.wants_service ? scm : service},
        };
        for (const auto& c : cases_of_row) {
            SetLastError(kUntouched);
            const DWORD error = row.call(c.handle);
            EXPECT_EQ(error, static_cast<DWORD>(ERROR_INVALID_HANDLE))
                << row.function << " with " << c.what << " (" << (error == kSucceeded ? "succeeded" : "other error")
                << ")";
            ++cases;
        }
    }
    EXPECT_EQ(cases, 16 * 3);
    // Nothing was changed through the other-kind handles: the service is still there and stopped.
    SERVICE_STATUS status{};
    EXPECT_TRUE(QueryServiceStatus(service, &status)) << GetLastError();
    EXPECT_EQ(status.dwCurrentState, static_cast<DWORD>(SERVICE_STOPPED));
    SC_HANDLE again = OpenServiceW(scm, L"ntio-bad-input-2", SERVICE_QUERY_STATUS);
    EXPECT_EQ(again, nullptr) << "no CreateServiceW with a bad handle created a service";
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SERVICE_DOES_NOT_EXIST));
    if (again) CloseServiceHandle(again);
    EXPECT_TRUE(DeleteService(service));
    EXPECT_TRUE(CloseServiceHandle(service));
    EXPECT_TRUE(CloseServiceHandle(scm));
}

// Buffers the caller cannot access. ReadFile, WriteFile and DeviceIoControl hand lpBuffer,
// lpInBuffer and lpOutBuffer to NtReadFile / NtWriteFile / NtDeviceIoControlFile unchanged, and the
// I/O manager probes a caller's buffer (ProbeForWrite for what it fills, ProbeForRead for what it
// reads) before it builds a request: the probe raises STATUS_ACCESS_VIOLATION, which the service
// returns, ERROR_NOACCESS. https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-probeforwrite
// ("If the specified memory range is not within the user-mode address range or is not writable,
// ProbeForWrite raises the STATUS_ACCESS_VIOLATION exception") and -probeforread. No request reaches
// the driver, so the file position does not move.
TEST_F(BadInputSweep, inaccessible_io_buffers_fail_with_noaccess_and_change_nothing) {
    Win32Handle file(open_device(false));
    ASSERT_NE(file.get(), INVALID_HANDLE_VALUE);
    struct BufferRow {
        const char* what;
        std::function<BOOL(DWORD*)> call;
    };
    const std::vector<BufferRow> rows = {
        {"ReadFile into a page with no access",
         [&](DWORD* n) { return ReadFile(file, m_pages.no_access(), 4, n, nullptr); }},
        {"ReadFile into a read-only page",
         [&](DWORD* n) { return ReadFile(file, m_pages.read_only(), 4, n, nullptr); }},
        {"ReadFile whose length runs past the mapped page",
         [&](DWORD* n) { return ReadFile(file, m_pages.half(), 2 * m_pages.page(), n, nullptr); }},
        {"ReadFile of the largest length into a small buffer",
         [&](DWORD* n) { return ReadFile(file, m_pages.half(), 0xFFFFFFFFu, n, nullptr); }},
        {"ReadFile into a NULL buffer with a length", [&](DWORD* n) { return ReadFile(file, nullptr, 4, n, nullptr); }},
        {"WriteFile from a NULL buffer with a length", [&](DWORD* n) { return WriteFile(file, nullptr, 4, n, nullptr); }},
        {"WriteFile from a page with no access",
         [&](DWORD* n) { return WriteFile(file, m_pages.no_access(), 4, n, nullptr); }},
        {"WriteFile whose length runs past the mapped page",
         [&](DWORD* n) { return WriteFile(file, m_pages.half(), 2 * m_pages.page(), n, nullptr); }},
        {"DeviceIoControl input on a page with no access",
         [&](DWORD* n) {
             char out[16];
             return DeviceIoControl(file, kIoctlMatrix, m_pages.no_access(), 16, out, sizeof(out), n, nullptr);
         }},
        {"DeviceIoControl output on a read-only page",
         [&](DWORD* n) {
             return DeviceIoControl(file, kIoctlMatrix, nullptr, 0, m_pages.read_only(), 16, n, nullptr);
         }},
        // GetFileInformationByHandleEx hands lpFileInformation to NtQueryInformationFile.
        {"GetFileInformationByHandleEx into a read-only page",
         [&](DWORD*) {
             return GetFileInformationByHandleEx(file, FileStandardInfo, m_pages.read_only(), sizeof(FILE_STANDARD_INFO));
         }},
        {"DeviceIoControl output on a page with no access",
         [&](DWORD* n) {
             return DeviceIoControl(file, kIoctlMatrix, nullptr, 0, m_pages.no_access(), 16, n, nullptr);
         }},
    };
    g_state.last_write_offset = -1;
    for (const BufferRow& row : rows) {
        DWORD n = 12345;
        SetLastError(kUntouched);
        EXPECT_FALSE(row.call(&n)) << row.what;
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOACCESS)) << row.what;
    }
    EXPECT_TRUE(m_pages.read_only_is_zero());
    EXPECT_EQ(g_state.last_write_offset.load(), -1) << "a write reached the driver";
    // The file position did not move: the next read starts at the beginning.
    char text[5] = {};
    DWORD n = 0;
    ASSERT_TRUE(ReadFile(file, text, 4, &n, nullptr)) << GetLastError();
    EXPECT_EQ(n, 4u);
    EXPECT_STREQ(text, "0123");
}

// An overlapped request whose buffer fails the probe fails at once: FALSE with ERROR_NOACCESS, not
// ERROR_IO_PENDING, and no completion packet is queued (nothing was started).
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-readfile (return value) and
// https://learn.microsoft.com/windows/win32/fileio/i-o-completion-ports.
TEST_F(BadInputSweep, overlapped_reads_into_bad_buffers_fail_at_once_without_a_packet) {
    Win32Handle file(open_device(true));
    Win32Handle port(CreateIoCompletionPort(file, nullptr, 9, 0));
    ASSERT_NE(port.get(), nullptr) << GetLastError();
    for (void* buffer : {m_pages.no_access(), m_pages.read_only()}) {
        OVERLAPPED ov{};
        SetLastError(kUntouched);
        EXPECT_FALSE(ReadFile(file, buffer, 4, nullptr, &ov));
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOACCESS));
        OVERLAPPED w{};
        SetLastError(kUntouched);
        EXPECT_FALSE(WriteFile(file, m_pages.no_access(), 4, nullptr, &w));
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOACCESS));
    }
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    LPOVERLAPPED ov = nullptr;
    EXPECT_FALSE(GetQueuedCompletionStatus(port, &bytes, &key, &ov, 0));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(WAIT_TIMEOUT));
    EXPECT_EQ(ov, nullptr);
}

// GetQueuedCompletionStatusEx passes lpCompletionPortEntries to NtRemoveIoCompletionEx, which
// probes it for writing before it removes anything: ERROR_NOACCESS, and the packet stays queued.
// https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-getqueuedcompletionstatusex
TEST_F(BadInputSweep, completion_entries_on_a_bad_page_fail_with_noaccess_and_keep_the_packet) {
    Win32Handle port(CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0));
    ASSERT_NE(port.get(), nullptr);
    ASSERT_TRUE(PostQueuedCompletionStatus(port, 5, 6, nullptr));
    for (void* entries : {m_pages.no_access(), m_pages.read_only()}) {
        ULONG removed = 0;
        SetLastError(kUntouched);
        EXPECT_FALSE(GetQueuedCompletionStatusEx(port, static_cast<LPOVERLAPPED_ENTRY>(entries), 2, &removed, 0,
                                                 FALSE));
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOACCESS));
    }
    EXPECT_TRUE(m_pages.read_only_is_zero());
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    LPOVERLAPPED ov = nullptr;
    EXPECT_TRUE(GetQueuedCompletionStatus(port, &bytes, &key, &ov, 0)) << GetLastError();
    EXPECT_EQ(bytes, 5u);
    EXPECT_EQ(key, 6u);
}

// RegSetValueEx of a non-string type hands lpData to NtSetValueKey, which captures it with
// ProbeForRead: ERROR_NOACCESS, and no value is created. (The NULL-with-a-size case is in
// registry_values_test.cpp.) https://learn.microsoft.com/windows/win32/api/winreg/nf-winreg-regsetvalueexw
TEST_F(BadInputSweep, registry_data_on_a_bad_page_fails_with_noaccess_and_sets_nothing) {
    HKEY key = static_cast<HKEY>(make(Object::key));
    ASSERT_NE(key, nullptr);
    EXPECT_EQ(RegSetValueExW(key, L"bin", 0, REG_BINARY, static_cast<const BYTE*>(m_pages.no_access()), 16),
              ERROR_NOACCESS);
    EXPECT_EQ(RegSetValueExW(key, L"bin", 0, REG_BINARY, static_cast<const BYTE*>(m_pages.half()), 2 * m_pages.page()),
              ERROR_NOACCESS);
    EXPECT_EQ(RegQueryValueExW(key, L"bin", nullptr, nullptr, nullptr, nullptr), ERROR_FILE_NOT_FOUND);
    RegCloseKey(key);
}

// Out-of-range values the documentation rules out.
TEST_F(BadInputSweep, out_of_range_lengths_flags_and_counts_are_invalid_parameters) {
    // https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-createfilew: dwCreationDisposition
    // "must be one of the following values" (1 to 5); 0 is in dos_paths_test.cpp.
    for (DWORD disposition : {6u, 0xFFFFFFFFu}) {
        SetLastError(kUntouched);
        EXPECT_EQ(CreateFileW(L"\\\\.\\W32Io", GENERIC_READ, 0, nullptr, disposition, 0, nullptr),
                  INVALID_HANDLE_VALUE);
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER)) << disposition;
    }
    // https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-setfilepointerex: dwMoveMethod is
    // FILE_BEGIN, FILE_CURRENT or FILE_END (SetFilePointer's case is in file_pointer_test.cpp).
    {
        Win32Handle file(open_device(false));
        LARGE_INTEGER to{};
        LARGE_INTEGER now{};
        now.QuadPart = 77;
        SetLastError(kUntouched);
        EXPECT_FALSE(SetFilePointerEx(file, to, &now, 3));
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    }
    // https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-createsemaphorew: "lMaximumCount
    // ... must be greater than zero"; lInitialCount "must be greater than or equal to zero and less
    // than or equal to lMaximumCount" (initial > maximum is in synch_test.cpp).
    const std::pair<LONG, LONG> counts[] = {{0, 0}, {0, -1}, {-1, 1}};
    for (auto [initial, maximum] : counts) {
        SetLastError(kUntouched);
        HANDLE sem = CreateSemaphoreW(nullptr, initial, maximum, nullptr);
        EXPECT_EQ(sem, nullptr) << initial << "/" << maximum;
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER)) << initial << "/" << maximum;
        if (sem) CloseHandle(sem);
    }
    // https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-releasesemaphore: lReleaseCount
    // "must be greater than zero"; the count stays as it was.
    {
        Win32Handle sem(CreateSemaphoreW(nullptr, 1, 5, nullptr));
        ASSERT_NE(sem.get(), nullptr);
        for (LONG count : {LONG{0}, LONG{-1}}) {
            LONG previous = 99;
            SetLastError(kUntouched);
            EXPECT_FALSE(ReleaseSemaphore(sem, count, &previous)) << count;
            EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER)) << count;
        }
        LONG previous = -1;
        EXPECT_TRUE(ReleaseSemaphore(sem, 1, &previous));
        EXPECT_EQ(previous, 1);
    }
}

// https://learn.microsoft.com/windows/win32/sysinfo/registry-element-size-limits: "Key name: 255
// characters" per key, "Value name: 16,383 characters". Windows does not document which error a
// longer name gets, so the sweep checks only that the call fails and creates nothing.
TEST_F(BadInputSweep, registry_names_beyond_the_limits_are_refused) {
    HKEY parent = static_cast<HKEY>(make(Object::key));
    ASSERT_NE(parent, nullptr);
    const std::u16string at_limit(255, u'k');
    const std::u16string too_long(256, u'k');
    HKEY child = nullptr;
    EXPECT_EQ(RegCreateKeyExW(parent, reinterpret_cast<LPCWSTR>(at_limit.c_str()), 0, nullptr, 0, KEY_ALL_ACCESS,
                              nullptr, &child, nullptr),
              ERROR_SUCCESS)
        << "255 characters are allowed";
    if (child) RegCloseKey(child);
    child = nullptr;
    EXPECT_NE(RegCreateKeyExW(parent, reinterpret_cast<LPCWSTR>(too_long.c_str()), 0, nullptr, 0, KEY_ALL_ACCESS,
                              nullptr, &child, nullptr),
              ERROR_SUCCESS);
    EXPECT_EQ(child, nullptr);
    if (child) RegCloseKey(child);
    DWORD subkeys = 99;
    EXPECT_EQ(RegQueryInfoKeyW(parent, nullptr, nullptr, nullptr, &subkeys, nullptr, nullptr, nullptr, nullptr,
                               nullptr, nullptr, nullptr),
              ERROR_SUCCESS);
    EXPECT_EQ(subkeys, 1u) << "only the 255-character key exists";

    const std::u16string value_at_limit(16383, u'v');
    const std::u16string value_too_long(16384, u'v');
    const DWORD one = 1;
    EXPECT_EQ(RegSetValueExW(parent, reinterpret_cast<LPCWSTR>(value_at_limit.c_str()), 0, REG_DWORD,
                             reinterpret_cast<const BYTE*>(&one), sizeof(one)),
              ERROR_SUCCESS)
        << "16,383 characters are allowed";
    EXPECT_NE(RegSetValueExW(parent, reinterpret_cast<LPCWSTR>(value_too_long.c_str()), 0, REG_DWORD,
                             reinterpret_cast<const BYTE*>(&one), sizeof(one)),
              ERROR_SUCCESS);
    DWORD values = 99;
    EXPECT_EQ(RegQueryInfoKeyW(parent, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &values, nullptr,
                               nullptr, nullptr, nullptr),
              ERROR_SUCCESS);
    EXPECT_EQ(values, 1u) << "only the 16,383-character value exists";
    RegCloseKey(parent);
}

// Zero lengths: ProbeForRead and ProbeForWrite do no probing when the length is zero
// (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-probeforread, "If Length is
// zero, ProbeForRead does no probing"; -probeforwrite says the same), so a NULL buffer with a zero
// length is no error: the request goes to the driver, which completes it with 0 bytes.
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-writefile ("A value of zero
// specifies a null write operation. The behavior of a null write operation depends on the
// underlying file system or communications technology").
TEST_F(BadInputSweep, zero_lengths_with_null_buffers_reach_the_driver) {
    Win32Handle file(open_device(false));
    DWORD n = 12345;
    EXPECT_TRUE(ReadFile(file, nullptr, 0, &n, nullptr)) << GetLastError();
    EXPECT_EQ(n, 0u);
    g_state.last_write_offset = -1;
    n = 12345;
    EXPECT_TRUE(WriteFile(file, nullptr, 0, &n, nullptr)) << GetLastError();
    EXPECT_EQ(n, 0u);
    EXPECT_EQ(g_state.last_write_offset.load(), 0) << "the null write reached the driver at the file position";
}

// Size queries with no buffer return the size needed, terminating null included.
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-getfullpathnamew ("If the lpBuffer
// buffer is too small to contain the path, the return value is the size, in TCHARs, of the buffer that
// is required to hold the path and the terminating null character") and
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getcurrentdirectory ("If the buffer
// that is pointed to by lpBuffer is not large enough, the return value specifies the required size of
// the buffer, in characters, including the null-terminating character").
TEST_F(BadInputSweep, zero_sized_buffers_get_the_size_needed) {
    EXPECT_EQ(GetFullPathNameW(L"C:\\abcdef", 0, nullptr, nullptr), 10u);
    EXPECT_EQ(GetFullPathNameA("C:\\abcdef", 0, nullptr, nullptr), 10u);
    WCHAR wide[MAX_PATH];
    const DWORD length = GetCurrentDirectoryW(MAX_PATH, wide);
    ASSERT_GT(length, 0u);
    EXPECT_EQ(GetCurrentDirectoryW(0, nullptr), length + 1);
    EXPECT_EQ(GetCurrentDirectoryA(0, nullptr), length + 1);
    char small[2] = {'x', 'y'};
    EXPECT_EQ(GetCurrentDirectoryA(1, small), length + 1);
}

// The event of an OVERLAPPED is a handle too: NtReadFile, NtWriteFile, NtDeviceIoControlFile and
// NtLockFile reference it as an event before they build a request, so a never-issued or closed
// handle is STATUS_INVALID_HANDLE and a file handle STATUS_OBJECT_TYPE_MISMATCH, both
// ERROR_INVALID_HANDLE, and no request starts. GetOverlappedResultEx waits on hEvent while the
// request is pending, and a wait on a bad handle fails. NULL is no event, and a file as the event of
// GetOverlappedResultEx is a valid (waitable) object, so those cases are not bad input.
// https://learn.microsoft.com/windows/win32/api/minwinbase/ns-minwinbase-overlapped (hEvent),
// .../fileapi/nf-fileapi-readfile, -writefile, -lockfileex, .../ioapiset/nf-ioapiset-deviceiocontrol,
// -getoverlappedresultex.
TEST_F(BadInputSweep, overlapped_events_that_are_bad_handles_fail_with_invalid_handle) {
    Win32Handle file(open_device(true));
    ASSERT_NE(file.get(), INVALID_HANDLE_VALUE);
    char buffer[16];
    const std::vector<Row> rows = {
        {"ReadFile (hEvent)",
         [&](HANDLE h) {
             OVERLAPPED ov{};
             ov.hEvent = h;
             return error_if(!ReadFile(file, buffer, 4, nullptr, &ov));
         },
         Object::event, Object::file, true, true},
        {"WriteFile (hEvent)",
         [&](HANDLE h) {
             OVERLAPPED ov{};
             ov.hEvent = h;
             return error_if(!WriteFile(file, "abcd", 4, nullptr, &ov));
         },
         Object::event, Object::file, true, true},
        {"DeviceIoControl (hEvent)",
         [&](HANDLE h) {
             OVERLAPPED ov{};
             ov.hEvent = h;
             return error_if(!DeviceIoControl(file, kIoctlMatrix, nullptr, 0, buffer, sizeof(buffer), nullptr, &ov));
         },
         Object::event, Object::file, true, true},
        {"LockFileEx (hEvent)",
         [&](HANDLE h) {
             OVERLAPPED ov{};
             ov.hEvent = h;
             return error_if(!LockFileEx(file, LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ov));
         },
         Object::event, Object::file, true, true},
        {"GetOverlappedResultEx (hEvent)",
         [&](HANDLE h) {
             OVERLAPPED ov{};
             ov.hEvent = h;
             ov.Internal = STATUS_PENDING;
             DWORD bytes = 0;
             return error_if(!GetOverlappedResultEx(file, &ov, &bytes, 1, FALSE));
         },
         Object::event, Object::none, true, true},
    };
    g_state.last_write_offset = -1;
    EXPECT_EQ(sweep(rows), 5 * 4 - 1);
    EXPECT_EQ(g_state.last_write_offset.load(), -1) << "a write reached the driver";
}

// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitformultipleobjects: the array
// "may not contain multiple copies of the same handle" when bWaitAll is TRUE (the wait fails with
// ERROR_INVALID_PARAMETER and takes nothing); a wait for any of them is allowed.
TEST_F(BadInputSweep, wait_all_on_the_same_handle_twice_is_an_invalid_parameter) {
    Win32Handle sem(CreateSemaphoreW(nullptr, 2, 2, nullptr));
    ASSERT_NE(sem.get(), nullptr);
    HANDLE twice[] = {sem.get(), sem.get()};
    SetLastError(kUntouched);
    EXPECT_EQ(WaitForMultipleObjects(2, twice, TRUE, 0), WAIT_FAILED);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    LONG previous = -1;
    EXPECT_FALSE(ReleaseSemaphore(sem, 1, &previous)) << "both counts are still there";
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_TOO_MANY_POSTS));
}

// https://learn.microsoft.com/windows/win32/api/handleapi/nf-handleapi-duplicatehandle,
// DUPLICATE_CLOSE_SOURCE: "Closes the source handle. This occurs regardless of any error status
// returned." A bad target process fails the call with ERROR_INVALID_HANDLE and still closes the
// source. (hTargetProcessHandle "can be specified as NULL if the DUPLICATE_CLOSE_SOURCE flag is
// set": that is no bad input, the call only closes the source.)
TEST_F(BadInputSweep, duplicate_with_close_source_closes_it_when_the_target_process_is_bad) {
    {
        HANDLE source = CreateEventW(nullptr, TRUE, FALSE, nullptr);
        ASSERT_NE(source, nullptr);
        EXPECT_TRUE(DuplicateHandle(GetCurrentProcess(), source, nullptr, nullptr, 0, FALSE, DUPLICATE_CLOSE_SOURCE))
            << GetLastError();
        EXPECT_FALSE(SetEvent(source)) << "the source is closed";
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    }
    for (Bad bad : {Bad::never_issued, Bad::closed, Bad::wrong_type}) {
        HANDLE source = CreateEventW(nullptr, TRUE, FALSE, nullptr);
        ASSERT_NE(source, nullptr);
        HANDLE target = nullptr;
        HANDLE owned = nullptr;
        if (bad == Bad::never_issued) target = kNeverIssued;
        if (bad == Bad::closed) {
            target = CreateEventW(nullptr, TRUE, FALSE, nullptr);
            ASSERT_TRUE(CloseHandle(target));
        }
        if (bad == Bad::wrong_type) target = owned = CreateEventW(nullptr, TRUE, FALSE, nullptr);
        HANDLE copy = nullptr;
        SetLastError(kUntouched);
        EXPECT_FALSE(DuplicateHandle(GetCurrentProcess(), source, target, &copy, 0, FALSE,
                                     DUPLICATE_CLOSE_SOURCE | DUPLICATE_SAME_ACCESS))
            << name_of(bad);
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE)) << name_of(bad);
        SetLastError(kUntouched);
        EXPECT_FALSE(SetEvent(source)) << name_of(bad) << ": the source is closed";
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE)) << name_of(bad);
        if (owned) CloseHandle(owned);
    }
}

// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getcurrentprocess
// ("Calling the CloseHandle function with a pseudo handle has no effect") and -getcurrentthread
// ("Calling the CloseHandle function with this handle has no effect"). The return value of such a
// CloseHandle is not documented, so only the absence of an effect is checked: the pseudo handles
// still work afterwards.
TEST_F(BadInputSweep, closing_a_pseudo_handle_has_no_effect) {
    (void)CloseHandle(GetCurrentProcess());
    (void)CloseHandle(GetCurrentThread());
    Win32Handle event(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    HANDLE copy = nullptr;
    ASSERT_TRUE(DuplicateHandle(GetCurrentProcess(), event, GetCurrentProcess(), &copy, 0, FALSE,
                                DUPLICATE_SAME_ACCESS))
        << GetLastError();
    CloseHandle(copy);
    EXPECT_EQ(GetThreadId(GetCurrentThread()), GetCurrentThreadId());
}

}  // namespace
}  // namespace ntio::test::win32_io
