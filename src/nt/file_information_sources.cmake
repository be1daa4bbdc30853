# target_sources(ntio_nt PRIVATE ...) for this service group.
