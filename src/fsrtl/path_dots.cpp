// FsRtlRemoveDotsFromPath: a backslash-separated path with its "." components dropped and each ".."
// taking the component before it away, rewritten in place; a ".." with nothing before it to take
// (at the root or the start) fails the path.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-fsrtlremovedotsfrompath
#include <ntifs.h>

#include <new>
#include <vector>

namespace {

bool is_dot(const WCHAR* p, size_t n) noexcept { return n == 1 && p[0] == L'.'; }
bool is_dot_dot(const WCHAR* p, size_t n) noexcept { return n == 2 && p[0] == L'.' && p[1] == L'.'; }

}  // namespace

extern "C" {

// PathLength counts bytes; an odd last byte is not part of the path. What Learn leaves open, chosen
// here: other components are kept as they are, empty ones (doubled or trailing backslashes)
// included, and a ".." takes away the component before it whatever it is, except the root a
// leading backslash stands for. NULL OriginalString (with a nonzero length) or NewLength is
// STATUS_INVALID_PARAMETER, and STATUS_INSUFFICIENT_RESOURCES when the component list cannot be
// allocated.
NTKERNELAPI NTSTATUS NTAPI FsRtlRemoveDotsFromPath(PWSTR OriginalString, USHORT PathLength, USHORT* NewLength) {
    if (!NewLength || (!OriginalString && PathLength >= sizeof(WCHAR))) return STATUS_INVALID_PARAMETER;
    const size_t count = PathLength / sizeof(WCHAR);
    struct Component {
        size_t start;
        size_t length;
    };
    std::vector<Component> kept;
    try {
        size_t i = 0;
        const bool rooted = count > 0 && OriginalString[0] == L'\\';
        if (rooted) i = 1;
        while (true) {
            size_t end = i;
            while (end < count && OriginalString[end] != L'\\') ++end;
            const WCHAR* name = OriginalString + i;
            const size_t length = end - i;
            if (is_dot_dot(name, length)) {
                if (kept.empty()) return STATUS_IO_REPARSE_DATA_INVALID;
                kept.pop_back();
            } else if (!is_dot(name, length)) {
                kept.push_back({i, length});
            }
            if (end >= count) break;
            i = end + 1;
        }
        // Rewrite: every kept component starts at or after where it is written, so the copy is safe in
        // place going left to right.
        size_t out = 0;
        if (rooted) OriginalString[out++] = L'\\';
        for (size_t k = 0; k < kept.size(); ++k) {
            if (k > 0) OriginalString[out++] = L'\\';
            for (size_t c = 0; c < kept[k].length; ++c) OriginalString[out++] = OriginalString[kept[k].start + c];
        }
        *NewLength = static_cast<USHORT>(out * sizeof(WCHAR));
        return STATUS_SUCCESS;
    } catch (const std::bad_alloc&) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
}

}  // extern "C"
