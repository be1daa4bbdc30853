// The thread's top-level IRP set to one of the FSRTL_*_TOP_LEVEL_IRP values for a scope (the cache
// manager, FsRtl's fast I/O and the memory manager calling into a file system), the previous value
// back at its end (top_level_irp.cpp).
#pragma once

#include "io/ddk.hpp"

namespace ntio::io {

class TopLevelIrpScope {
public:
    explicit TopLevelIrpScope(LONG_PTR value) noexcept : m_previous(IoGetTopLevelIrp()) {
        IoSetTopLevelIrp(reinterpret_cast<PIRP>(value));
    }
    ~TopLevelIrpScope() { IoSetTopLevelIrp(m_previous); }
    TopLevelIrpScope(const TopLevelIrpScope&) = delete;
    TopLevelIrpScope& operator=(const TopLevelIrpScope&) = delete;

private:
    PIRP m_previous;
};

}  // namespace ntio::io
