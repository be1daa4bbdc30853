// Bodies of the namespace object types (Directory, SymbolicLink, Type) and the parse request that
// name lookup hands to parse procedures (symbolic links here, devices and files in io).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "ob/ddk.hpp"

#include "ob/object_header.hpp"

namespace ntio::ob {

// A directory maps upcased component names to the headers of its named objects. Guarded by the
// ObjectManager's namespace lock. Entries hold no reference on the objects: a named object holds
// one on itself and one on its directory while it is entered (kObjectNamed).
struct DirectoryBody {
    std::unordered_multimap<std::u16string, ObjectHeader*> entries;
};

struct SymbolicLinkBody {
    std::u16string target;
    LARGE_INTEGER creation_time{};
};

// The per-System Type object naming a process-global descriptor.
struct TypeObjectBody {
    _OBJECT_TYPE* descriptor = nullptr;
};

// Handed to a type's parse procedure when a lookup reaches one of its objects.
struct ParseRequest {
    _OBJECT_TYPE* object_type = nullptr;  // type the caller expects (may be null)
    PACCESS_STATE access_state = nullptr;
    ACCESS_MASK desired_access = 0;
    KPROCESSOR_MODE access_mode = KernelMode;
    ULONG attributes = 0;                 // OBJ_* of the request (case sensitivity, OBJ_OPENLINK...)
    std::u16string complete_name;         // the full name; replaced by a parse that reparses
    std::u16string remaining_name;        // after the parse object: "" or starting with '\'
    void* parse_context = nullptr;
    PEPROCESS process = nullptr;
    bool inserting = false;               // lookup on behalf of ObInsertObject
};

// Upcases with RtlUpcaseUnicodeChar (the key of directory entries).
std::u16string upcase_name(std::u16string_view name);

}  // namespace ntio::ob
