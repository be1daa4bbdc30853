// "Run as administrator" for sample_app.c: before main() the default System boots and the main
// thread starts acting in a process with an elevated administrator's token, in the directory it was
// started from (what CreateProcess gives the new process), as a Windows test application that
// installs drivers is launched; at exit the process ends before the System does.
#include <unistd.h>

#include <string>

#include <ntio/system.hpp>

#include "ob/object_manager.hpp"
#include "ob/process.hpp"
#include "se/token.hpp"
#include "win32/dos_paths.hpp"

namespace {

struct Elevated {
    Elevated() {
        if (!NT_SUCCESS(system.objects().create_process(ntio::se::Token::create_user(true), u"sample_app.exe",
                                                        &process)))
            process = nullptr;
        if (process) attach = new ntio::ob::ProcessAttach(process);
        // The host directory as a DOS path (C: is the host root), set the way the process
        // creator does it: SetCurrentDirectory cannot prove a host directory exists, there being no
        // file system over the host tree yet.
        char host[4096];
        if (process && getcwd(host, sizeof(host))) {
            std::u16string dos = u"C:";
            for (const char* p = host; *p; ++p) dos.push_back(*p == '/' ? u'\\' : static_cast<char16_t>(*p));
            if (dos.back() != u'\\') dos.push_back(u'\\');
            ntio::win32::set_current_directory(std::move(dos));
        }
    }
    ~Elevated() {
        delete attach;
        if (process) {
            system.objects().terminate_process(process, 0);
            ObDereferenceObject(process);
        }
    }
    ntio::System system;
    PEPROCESS process = nullptr;
    ntio::ob::ProcessAttach* attach = nullptr;
};

Elevated g_elevated;

}  // namespace
