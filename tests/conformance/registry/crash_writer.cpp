// Helper process for the kill -9 tests: boots a System on the hive file named by argv[1], then sets
// the values v0, v1, ... (REG_DWORD i) under HKLM\SOFTWARE\CrashTest one by one, printing each index
// once NtSetValueKey returned success (the change is committed), until it is killed. With argv[2]
// "transacted" each index is one transaction setting a<i> and b<i>, printed once the commit returned.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "ntio/system.hpp"

#undef __try
#include <ntio/ntapi.h>

namespace {

// Sets REG_DWORD `prefix`<i> = i through `key`.
NTSTATUS set_indexed(HANDLE key, char prefix, ULONG i) {
    char16_t value_name[16];
    std::string digits = prefix + std::to_string(i);
    std::size_t n = 0;
    for (char c : digits) value_name[n++] = static_cast<char16_t>(c);
    value_name[n] = 0;
    UNICODE_STRING value;
    RtlInitUnicodeString(&value, reinterpret_cast<PCWSTR>(value_name));
    return ZwSetValueKey(key, &value, 0, REG_DWORD, &i, sizeof(i));
}

int write_transactions(POBJECT_ATTRIBUTES oa) {
    for (ULONG i = 0;; ++i) {
        HANDLE tx = nullptr, key = nullptr;
        if (ZwCreateTransaction(&tx, TRANSACTION_ALL_ACCESS, nullptr, nullptr, nullptr, 0, 0, 0, nullptr, nullptr) !=
            STATUS_SUCCESS)
            return 1;
        if (ZwOpenKeyTransacted(&key, KEY_ALL_ACCESS, oa, tx) != STATUS_SUCCESS) return 1;
        if (set_indexed(key, 'a', i) != STATUS_SUCCESS || set_indexed(key, 'b', i) != STATUS_SUCCESS) return 1;
        if (ZwCommitTransaction(tx, TRUE) != STATUS_SUCCESS) return 1;
        std::printf("%lu\n", static_cast<unsigned long>(i));
        std::fflush(stdout);
        (void)ZwClose(key);
        (void)ZwClose(tx);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2 && !(argc == 3 && std::string(argv[2]) == "transacted")) {
        std::fprintf(stderr, "usage: %s HIVE [transacted]\n", argv[0]);
        return 2;
    }
    ntio::BootOptions options;
    options.hive_path = argv[1];
    ntio::System system(options);
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\REGISTRY\\MACHINE\\SOFTWARE\\CrashTest");
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    HANDLE key = nullptr;
    if (ZwCreateKey(&key, KEY_ALL_ACCESS, &oa, 0, nullptr, 0, nullptr) != STATUS_SUCCESS) return 1;
    if (argc == 3) return write_transactions(&oa);
    for (ULONG i = 0;; ++i) {
        if (set_indexed(key, 'v', i) != STATUS_SUCCESS) return 1;
        std::printf("%lu\n", static_cast<unsigned long>(i));
        std::fflush(stdout);
    }
}
