// Helper process for the kill -9 test: boots a System on the hive file named by argv[1], then sets
// the values v0, v1, ... (REG_DWORD i) under HKLM\SOFTWARE\CrashTest one by one, printing each index
// once NtSetValueKey returned success (the change is committed), until it is killed.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "ntio/system.hpp"

#undef __try
#include <ntio/ntapi.h>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s HIVE\n", argv[0]);
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
    for (ULONG i = 0;; ++i) {
        char16_t value_name[16];
        std::string digits = "v" + std::to_string(i);
        std::size_t n = 0;
        for (char c : digits) value_name[n++] = static_cast<char16_t>(c);
        value_name[n] = 0;
        UNICODE_STRING value;
        RtlInitUnicodeString(&value, reinterpret_cast<PCWSTR>(value_name));
        if (ZwSetValueKey(key, &value, 0, REG_DWORD, &i, sizeof(i)) != STATUS_SUCCESS) return 1;
        std::printf("%lu\n", static_cast<unsigned long>(i));
        std::fflush(stdout);
    }
}
