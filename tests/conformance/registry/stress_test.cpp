// Concurrency stress of the registry services. Invariant: with several threads creating, writing,
// reading, enumerating and deleting keys under one shared parent at once, every value a thread reads
// back from its own key is exactly what it wrote; a key another thread deletes is either found whole
// or reported STATUS_KEY_DELETED / STATUS_OBJECT_NAME_NOT_FOUND (never torn data or another status);
// enumeration of the shared parent only yields names some thread created; at the end no key is left.
#include "conformance/registry/registry_test_support.hpp"

namespace ntio::test {
namespace {

using RegistryStress = RegistryTest;

TEST_F(RegistryStress, ConcurrentKeyAndValueTrafficKeepsEveryKeyConsistent) {
    constexpr int kThreads = 4;
    constexpr int kIterations = 1500;
    std::atomic<long> broken{0};
    std::atomic<bool> stop{false};
    const HANDLE parent = scratch();

    auto worker = [&](int id) {
        for (int i = 0; i < kIterations; ++i) {
            std::u16string name = u"t" + std::u16string(1, static_cast<char16_t>(u'0' + id)) + u"-" +
                                  std::u16string(1, static_cast<char16_t>(u'a' + i % 26));
            Handle key;
            if (create_key(key.out(), wide(name), parent, (i & 1) ? REG_OPTION_VOLATILE : 0) != STATUS_SUCCESS) {
                ++broken;
                continue;
            }
            const ULONG stamp = static_cast<ULONG>(id * 1000000 + i);
            const ULONGLONG wide_stamp = (static_cast<ULONGLONG>(stamp) << 32) | stamp;
            if (set_dword(key, L"Stamp", stamp) != STATUS_SUCCESS ||
                set_value(key, L"Wide", REG_QWORD, &wide_stamp, sizeof(wide_stamp)) != STATUS_SUCCESS)
                ++broken;
            if (read_dword(key, L"Stamp") != stamp) ++broken;
            ULONG type = 0;
            std::vector<unsigned char> data;
            if (read_value(key, L"Wide", type, data) != STATUS_SUCCESS || data.size() != 8 ||
                std::memcmp(data.data(), &wide_stamp, 8) != 0)
                ++broken;
            if (NtDeleteKey(key) != STATUS_SUCCESS) ++broken;
        }
    };

    // Readers walk the shared parent while the writers change it.
    auto reader = [&] {
        alignas(8) unsigned char buffer[512];
        while (!stop.load(std::memory_order_relaxed)) {
            for (ULONG index = 0;; ++index) {
                ULONG result = 0;
                NTSTATUS status = NtEnumerateKey(parent, index, KeyFullInformation, buffer, sizeof(buffer), &result);
                if (status == STATUS_NO_MORE_ENTRIES) break;
                if (status != STATUS_SUCCESS) {
                    ++broken;
                    break;
                }
                ULONG basic_result = 0;
                status = NtEnumerateKey(parent, index, KeyBasicInformation, buffer, sizeof(buffer), &basic_result);
                if (status == STATUS_NO_MORE_ENTRIES) break;
                auto* basic = reinterpret_cast<KEY_BASIC_INFORMATION*>(buffer);
                if (status != STATUS_SUCCESS || basic->NameLength != 8 || basic->Name[0] != L't') {
                    ++broken;
                    break;
                }
                std::u16string name(reinterpret_cast<const char16_t*>(basic->Name), basic->NameLength / 2);
                Handle key;
                status = open_key(key.out(), wide(name), KEY_READ, parent);
                if (status == STATUS_OBJECT_NAME_NOT_FOUND) continue;
                if (status != STATUS_SUCCESS) {
                    ++broken;
                    continue;
                }
                ULONG type = 0;
                std::vector<unsigned char> data;
                status = read_value(key, L"Stamp", type, data);
                if (status == STATUS_SUCCESS && (type != REG_DWORD || data.size() != 4)) ++broken;
                if (status != STATUS_SUCCESS && status != STATUS_KEY_DELETED && status != STATUS_OBJECT_NAME_NOT_FOUND)
                    ++broken;
            }
        }
    };

    std::vector<std::thread> threads;
    for (int id = 0; id < kThreads; ++id) threads.emplace_back(worker, id);
    std::thread walker(reader);
    for (auto& t : threads) t.join();
    stop = true;
    walker.join();

    EXPECT_EQ(broken.load(), 0);
    NTSTATUS status = STATUS_SUCCESS;
    subkey_name(parent, 0, &status);
    EXPECT_EQ(status, STATUS_NO_MORE_ENTRIES);
}

}  // namespace
}  // namespace ntio::test
