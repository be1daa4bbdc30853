# NTIO_SANITIZE=address|thread selects a sanitizer build for every target (asan adds UBSan).
set(NTIO_SANITIZE "" CACHE STRING "Sanitizer: address or thread")
if(NTIO_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(NTIO_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
