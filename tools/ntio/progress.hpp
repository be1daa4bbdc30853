// A one-line progress indicator on stderr for operations that can take a while (importing a large
// .reg file, preparing a hive): shown only when stderr is a terminal and the operation is still
// running after a short delay, then erased, so scripts and quick runs see nothing.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace ntio::tool {

class Progress {
public:
    explicit Progress(std::string label);
    ~Progress();  // erases the line
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

private:
    void run();

    std::string m_label;
    std::mutex m_lock;
    std::condition_variable m_wake;
    bool m_done = false;
    std::thread m_thread;
};

// "12.3 MiB" style sizes for labels.
std::string human_size(std::uintmax_t bytes);

}  // namespace ntio::tool
