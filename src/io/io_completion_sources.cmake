# target_sources(ntio_io PRIVATE ...) for this service group.
target_sources(ntio_io PRIVATE io_completion.cpp)
