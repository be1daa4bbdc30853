// MUP raced: two threads open UNC names of the server the Alpha provider claims (some under a cached
// prefix, some not) while a third deregisters Alpha and registers it again, over and over; the
// UncRedir test redirector serves the opens.
//
// Invariant: every open either succeeds, is served by Alpha (its reads answer "A:" and the name) and
// gets exactly one cleanup and one close, or fails with STATUS_BAD_NETWORK_PATH (Alpha was not
// registered when it was resolved); never another status, never a create without its close, and
// nothing leaked at teardown (MUP's provider references, links and handles included).
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "../../conformance/unc/unc_redirector.hpp"

namespace ntio::test::unc {
namespace mup_race {

constexpr int kOpensPerThread = 1500;
constexpr int kReRegistrations = 400;

TEST_F(UncTest, OpensRacingReRegistrationEachEndOneWay) {
    std::atomic<int> opened{0};
    std::atomic<int> refused{0};
    std::atomic<int> wrong{0};
    std::atomic<bool> stop{false};
    auto opener = [&](int thread) {
        for (int i = 0; i < kOpensPerThread; ++i) {
            std::u16string path = u"\\??\\UNC\\server1\\share" + std::u16string(1, char16_t(u'0' + (i % 5))) + u"\\f" +
                                  std::u16string(1, char16_t(u'a' + thread));
            HANDLE handle = nullptr;
            const NTSTATUS status = open(reinterpret_cast<const wchar_t*>(path.c_str()), &handle);
            if (status == STATUS_SUCCESS) {
                const std::string expected = "A:" + std::string(path.begin() + 7, path.end());
                if (read(handle) != expected) ++wrong;
                if (ZwClose(handle) != STATUS_SUCCESS) ++wrong;
                ++opened;
            } else if (status == STATUS_BAD_NETWORK_PATH) {
                ++refused;
            } else {
                ++wrong;
            }
        }
    };
    std::thread registrar([&] {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, g_state.alpha.redir_name);
        // At least kReRegistrations rounds, and on until the openers are done.
        for (int i = 0; i < kReRegistrations || !stop; ++i) {
            FsRtlDeregisterUncProvider(g_state.alpha.mup);
            g_state.alpha.mup = nullptr;
            if (FsRtlRegisterUncProviderEx(&g_state.alpha.mup, &name, g_state.alpha.device, 0) != STATUS_SUCCESS) ++wrong;
        }
    });
    std::vector<std::thread> openers;
    for (int t = 0; t < 2; ++t) openers.emplace_back(opener, t);
    for (std::thread& t : openers) t.join();
    stop = true;
    registrar.join();

    EXPECT_EQ(wrong, 0);
    EXPECT_EQ(opened + refused, 2 * kOpensPerThread);
    EXPECT_EQ(g_state.alpha.creates, opened);
    EXPECT_EQ(g_state.alpha.cleanups, opened);
    EXPECT_EQ(g_state.alpha.closes, opened);
    EXPECT_EQ(g_state.beta.creates + g_state.legacy.creates, 0);
}

}  // namespace mup_race
}  // namespace ntio::test::unc
