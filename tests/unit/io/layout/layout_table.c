/* The layout parity table (layout_table.h) expanded into offsets and sizes. Built twice from this
 * one file: by x86_64-w64-mingw32-gcc against the mingw-w64 DDK (NTIO_LAYOUT_MINGW; the values land
 * in the section .ntiolay, which the build extracts without running anything), and by the host
 * compiler against our DDK headers into the test binary. */
#include <stddef.h>
#include <ntifs.h>

#define NTIO_LAYOUT_MAGIC 0x4e54494f4c41594fULL /* "NTIOLAYO" */

#define NTIO_FIELD_SIZE(T, f) sizeof(((T *)0)->f)
#ifdef NTIO_LAYOUT_MINGW
#define NTIO_LAYOUT_PICK(ours, theirs) theirs
#else
#define NTIO_LAYOUT_PICK(ours, theirs) ours
#endif

#define NTIO_LAYOUT_SIZE(T) sizeof(T),
#ifdef NTIO_LAYOUT_MINGW
#define NTIO_LAYOUT_SIZE_ALIGNED(T, a) ((sizeof(T) + (a) - 1) / (a) * (a)),
#else
#define NTIO_LAYOUT_SIZE_ALIGNED(T, a) sizeof(T),
#endif
#define NTIO_LAYOUT_FIELD(T, f) offsetof(T, f), NTIO_FIELD_SIZE(T, f),
#define NTIO_LAYOUT_OFFSET(T, f) offsetof(T, f),
#define NTIO_LAYOUT_RENAMED(T, ours, theirs) \
    offsetof(T, NTIO_LAYOUT_PICK(ours, theirs)), NTIO_FIELD_SIZE(T, NTIO_LAYOUT_PICK(ours, theirs)),

#define NTIO_LAYOUT_ENTRIES_ \
    (sizeof(ntio_layout_entries_) / sizeof(ntio_layout_entries_[0]))

static const unsigned long long ntio_layout_entries_[] = {
#include "layout_table.h"
};

#ifdef NTIO_LAYOUT_MINGW
/* Magic, entry count, then the entries, in the order of layout_table.h. */
__attribute__((used, section(".ntiolay"))) const unsigned long long ntio_layout_mingw[2 + NTIO_LAYOUT_ENTRIES_] = {
    NTIO_LAYOUT_MAGIC, NTIO_LAYOUT_ENTRIES_,
#include "layout_table.h"
};
#else
#undef NTIO_LAYOUT_SIZE
#undef NTIO_LAYOUT_SIZE_ALIGNED
#undef NTIO_LAYOUT_FIELD
#undef NTIO_LAYOUT_OFFSET
#undef NTIO_LAYOUT_RENAMED
#define NTIO_LAYOUT_SIZE(T) "sizeof(" #T ")",
#define NTIO_LAYOUT_SIZE_ALIGNED(T, a) "sizeof(" #T ") (mingw-w64 rounded to " #a ")",
#define NTIO_LAYOUT_FIELD(T, f) #T "." #f " offset", #T "." #f " size",
#define NTIO_LAYOUT_OFFSET(T, f) #T "." #f " offset",
#define NTIO_LAYOUT_RENAMED(T, ours, theirs) \
    #T "." #ours " offset (mingw-w64: " #theirs ")", #T "." #ours " size (mingw-w64: " #theirs ")",

const char *const ntio_layout_names[] = {
#include "layout_table.h"
};
const unsigned long long *const ntio_layout_ours = ntio_layout_entries_;
const size_t ntio_layout_count = NTIO_LAYOUT_ENTRIES_;
_Static_assert(sizeof(ntio_layout_names) / sizeof(ntio_layout_names[0]) == NTIO_LAYOUT_ENTRIES_,
               "one name per entry");
#endif
