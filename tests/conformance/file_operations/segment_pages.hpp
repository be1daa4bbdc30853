// Caller pages for the scatter/gather services: page-aligned, deliberately not adjacent (every other
// page of one mapping), and the FILE_SEGMENT_ELEMENT array naming them (null-terminated).
#pragma once

#include <sys/mman.h>

#include <vector>

#include <wdm.h>

namespace ntio::file_operations_test {

class SegmentPages {
public:
    explicit SegmentPages(ULONG count) : m_count(count) {
        m_base = static_cast<char*>(mmap(nullptr, 2 * count * PAGE_SIZE, PROT_READ | PROT_WRITE,
                                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        m_segments.resize(count + 1);
        for (ULONG i = 0; i < count; ++i) m_segments[i].Buffer = m_base + (2 * i + 1) * PAGE_SIZE;
        m_segments[count].Alignment = 0;
    }
    ~SegmentPages() { munmap(m_base, 2 * m_count * PAGE_SIZE); }
    SegmentPages(const SegmentPages&) = delete;
    SegmentPages& operator=(const SegmentPages&) = delete;
    char* page(ULONG i) { return static_cast<char*>(m_segments[i].Buffer); }
    PFILE_SEGMENT_ELEMENT segments() { return m_segments.data(); }

private:
    ULONG m_count;
    char* m_base;
    std::vector<FILE_SEGMENT_ELEMENT> m_segments;
};

}  // namespace ntio::file_operations_test
