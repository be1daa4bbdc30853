# target_sources(ntio_io PRIVATE ...) for this service group.
