// raw_uring(QD, direct): the file-disk baseline of performance-gates.md, a raw io_uring random-read
// loop over the same backing file the uring_disk gates read through ntio.
#pragma once

namespace ntio::bench {

// A file of `bytes` random data at `path` (created once; reused when it already has that size).
void make_random_file(const char* path, unsigned long long bytes);
// ns per 4 KiB random read at queue depth `qd`, buffered (page cache warmed first) or O_DIRECT.
double raw_uring(const char* path, unsigned long long bytes, int qd, bool direct, double min_ns);

}  // namespace ntio::bench
