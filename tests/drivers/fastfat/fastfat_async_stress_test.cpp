// Stress: fastfat.sys's posted requests. Several files on a FAT volume, each with many overlapped
// reads and writes in flight at once on asynchronous handles (half the files non-cached, so every
// request of theirs is posted to a worker), told through one completion port and then through APCs,
// while the workers complete them and set the file objects' flags.
// Invariant: every request completes exactly once, with its full length and the data written; the
// volume checks clean afterwards.
#include "fastfat_async_support.hpp"

namespace ntio::test::drivers {
namespace fastfat_async {

class FastFatAsyncStressTest : public FastFatAsyncTest {};

TEST_F(FastFatAsyncStressTest, posted_requests_in_flight_on_several_files_complete_once) {
    for (int round = 0; round < 3; ++round) {
        many_requests_in_flight(4, 48, Told::port);
        many_requests_in_flight(4, 48, Told::apc);
    }
    unmount();
    expect_fsck_clean();
}

}  // namespace fastfat_async
}  // namespace ntio::test::drivers
