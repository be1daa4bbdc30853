// Handle tables: values, tag bits, invalid and protected handles, kernel handles seen from user
// mode, granted access on reference, duplication (same access, close source, between processes,
// more access than the source), OBJ_EXCLUSIVE, pseudo handles, ObOpenObjectByPointer (NT fact K9).
#include "unit/ob/ob_test_support.hpp"

#include <cstdint>
#include <vector>

#include "se/security_descriptor.hpp"

namespace ntio::ob::test {
namespace {

std::uint64_t value_of(HANDLE h) { return reinterpret_cast<std::uint64_t>(h); }

class HandleTest : public ObTest {
protected:
    void* object_of(HANDLE h, KPROCESSOR_MODE mode = KernelMode)
    {
        void* body = nullptr;
        EXPECT_EQ(om().reference_object_by_handle(h, 0, nullptr, mode, &body, nullptr), STATUS_SUCCESS);
        if (body) ObDereferenceObject(body);
        return body;
    }
    HANDLE new_event(ULONG attributes = 0, KPROCESSOR_MODE mode = UserMode)
    {
        HANDLE h = nullptr;
        EXPECT_EQ(create_event(om(), u"", attributes, &h, mode), STATUS_SUCCESS);
        return h;
    }
};

TEST_F(HandleTest, ValuesAreMultiplesOfFourAndFreedValuesAreReused)
{
    std::vector<HANDLE> handles;
    for (int i = 0; i < 5; ++i) handles.push_back(new_event());
    for (HANDLE h : handles) {
        EXPECT_EQ(value_of(h) % 4, 0u);
        EXPECT_GE(value_of(h), 4u);
        EXPECT_LT(value_of(h), 0x80000000u);
    }
    for (std::size_t i = 1; i < handles.size(); ++i) EXPECT_NE(handles[i], handles[i - 1]);
    HANDLE freed = handles[2];
    EXPECT_EQ(om().close_handle(freed, UserMode), STATUS_SUCCESS);
    handles[2] = new_event();
    EXPECT_EQ(handles[2], freed);
    // The two low bits are tag bits that lookups ignore.
    EXPECT_EQ(object_of(reinterpret_cast<HANDLE>(value_of(handles[0]) | 3)), object_of(handles[0]));
    for (HANDLE h : handles) EXPECT_EQ(om().close_handle(h, UserMode), STATUS_SUCCESS);
}

TEST_F(HandleTest, InvalidHandlesAreRejected)
{
    HANDLE h = new_event();
    EXPECT_EQ(om().close_handle(h, UserMode), STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(h, UserMode), STATUS_INVALID_HANDLE);
    EXPECT_EQ(om().close_handle(nullptr, UserMode), STATUS_INVALID_HANDLE);
    EXPECT_EQ(om().close_handle(reinterpret_cast<HANDLE>(0x123450), UserMode), STATUS_INVALID_HANDLE);
    void* body = reinterpret_cast<void*>(1);
    EXPECT_EQ(ObReferenceObjectByHandle(h, 0, nullptr, UserMode, &body, nullptr), STATUS_INVALID_HANDLE);
    EXPECT_EQ(body, nullptr);
    EXPECT_EQ(ObReferenceObjectByHandle(reinterpret_cast<HANDLE>(0x7ffffff0), 0, nullptr, KernelMode, &body,
                                        nullptr),
              STATUS_INVALID_HANDLE);
}

TEST_F(HandleTest, ProtectedHandlesCannotBeClosed)
{
    HANDLE h = new_event();
    ASSERT_EQ(om().set_handle_attributes(h, false, true, UserMode), STATUS_SUCCESS);
    BasicInformation basic;
    ASSERT_EQ(om().query_basic(h, UserMode, basic), STATUS_SUCCESS);
    EXPECT_EQ(basic.attributes & OBJ_PROTECT_CLOSE, ULONG(OBJ_PROTECT_CLOSE));
    EXPECT_EQ(om().close_handle(h, UserMode), STATUS_HANDLE_NOT_CLOSABLE);
    EXPECT_EQ(om().close_handle(h, KernelMode), STATUS_HANDLE_NOT_CLOSABLE);
    ASSERT_EQ(om().set_handle_attributes(h, true, false, UserMode), STATUS_SUCCESS);
    ASSERT_EQ(om().query_basic(h, UserMode, basic), STATUS_SUCCESS);
    EXPECT_EQ(basic.attributes, ULONG(OBJ_INHERIT));
    EXPECT_EQ(om().close_handle(h, UserMode), STATUS_SUCCESS);
    EXPECT_EQ(om().set_handle_attributes(h, false, false, UserMode), STATUS_INVALID_HANDLE);
}

TEST_F(HandleTest, KernelHandlesAreInvisibleToUserMode)
{
    HANDLE k = new_event(OBJ_KERNEL_HANDLE, KernelMode);
    EXPECT_EQ(value_of(k) & kKernelHandleMask, kKernelHandleMask);
    EXPECT_EQ(value_of(k) % 4, 0u);
    void* body = nullptr;
    EXPECT_EQ(ObReferenceObjectByHandle(k, 0, nullptr, UserMode, &body, nullptr), STATUS_INVALID_HANDLE);
    EXPECT_EQ(om().close_handle(k, UserMode), STATUS_INVALID_HANDLE);
    ASSERT_EQ(ObReferenceObjectByHandle(k, EVENT_ALL_ACCESS, *ExEventObjectType, KernelMode, &body, nullptr),
              STATUS_SUCCESS);
    ObDereferenceObject(body);
    // Kernel handles live in the System process whichever process the caller acts in.
    PEPROCESS other = nullptr;
    ASSERT_EQ(om().create_process(nullptr, u"other", &other), STATUS_SUCCESS);
    {
        ProcessAttach attach(other);
        EXPECT_EQ(om().reference_object_by_handle(k, 0, nullptr, KernelMode, &body, nullptr), STATUS_SUCCESS);
        ObDereferenceObject(body);
    }
    om().terminate_process(other, STATUS_SUCCESS);
    ObDereferenceObject(other);
    EXPECT_EQ(om().close_handle(k, KernelMode), STATUS_SUCCESS);
    // User mode cannot ask for a kernel handle: the attribute is ignored.
    HANDLE u = new_event(OBJ_KERNEL_HANDLE, UserMode);
    EXPECT_EQ(value_of(u) & kKernelHandleMask, 0u);
    EXPECT_EQ(om().close_handle(u, UserMode), STATUS_SUCCESS);
}

TEST_F(HandleTest, UserModeReferencesNeedTheGrantedAccess)
{
    HANDLE ev = nullptr;
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObAccess", 0, &ev), STATUS_SUCCESS);
    HANDLE reader = nullptr;
    ASSERT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObAccess", 0, *ExEventObjectType, &reader, UserMode,
                           nullptr, EVENT_QUERY_STATE),
              STATUS_SUCCESS);
    void* body = nullptr;
    OBJECT_HANDLE_INFORMATION info{};
    ASSERT_EQ(ObReferenceObjectByHandle(reader, EVENT_QUERY_STATE, *ExEventObjectType, UserMode, &body, &info),
              STATUS_SUCCESS);
    EXPECT_EQ(info.GrantedAccess, ACCESS_MASK(EVENT_QUERY_STATE));
    ObDereferenceObject(body);
    EXPECT_EQ(ObReferenceObjectByHandle(reader, EVENT_MODIFY_STATE, *ExEventObjectType, UserMode, &body, nullptr),
              STATUS_ACCESS_DENIED);
    EXPECT_EQ(ObReferenceObjectByHandle(reader, GENERIC_WRITE, *ExEventObjectType, UserMode, &body, nullptr),
              STATUS_ACCESS_DENIED);
    ASSERT_EQ(ObReferenceObjectByHandle(reader, EVENT_MODIFY_STATE, *ExEventObjectType, KernelMode, &body, nullptr),
              STATUS_SUCCESS);
    ObDereferenceObject(body);
    EXPECT_EQ(ObReferenceObjectByHandle(reader, 0, *ExSemaphoreObjectType, KernelMode, &body, nullptr),
              STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(om().close_handle(reader, UserMode), STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(ev, UserMode), STATUS_SUCCESS);
}

TEST_F(HandleTest, DuplicateWithSameAccessAndCloseSource)
{
    HANDLE ev = nullptr;
    ASSERT_EQ(create_event(om(), u"", 0, &ev, UserMode, nullptr, nullptr, EVENT_QUERY_STATE | SYNCHRONIZE),
              STATUS_SUCCESS);
    PEPROCESS self = current_process();
    HANDLE dup = nullptr;
    ASSERT_EQ(om().duplicate_object(self, ev, self, &dup, 0, 0, DUPLICATE_SAME_ACCESS, UserMode), STATUS_SUCCESS);
    EXPECT_NE(dup, ev);
    EXPECT_EQ(object_of(dup), object_of(ev));
    BasicInformation basic;
    ASSERT_EQ(om().query_basic(dup, UserMode, basic), STATUS_SUCCESS);
    EXPECT_EQ(basic.granted_access, ACCESS_MASK(EVENT_QUERY_STATE | SYNCHRONIZE));
    EXPECT_EQ(basic.handle_count, 2u);
    HANDLE moved = nullptr;
    ASSERT_EQ(om().duplicate_object(self, dup, self, &moved, SYNCHRONIZE, 0, DUPLICATE_CLOSE_SOURCE, UserMode),
              STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(dup, UserMode), STATUS_INVALID_HANDLE);
    ASSERT_EQ(om().query_basic(moved, UserMode, basic), STATUS_SUCCESS);
    EXPECT_EQ(basic.granted_access, ACCESS_MASK(SYNCHRONIZE));
    EXPECT_EQ(basic.handle_count, 2u);
    // DUPLICATE_SAME_ATTRIBUTES copies inherit/protect; otherwise HandleAttributes decides.
    ASSERT_EQ(om().set_handle_attributes(moved, true, false, UserMode), STATUS_SUCCESS);
    HANDLE same_attrs = nullptr;
    ASSERT_EQ(om().duplicate_object(self, moved, self, &same_attrs, 0, 0,
                                    DUPLICATE_SAME_ACCESS | DUPLICATE_SAME_ATTRIBUTES, UserMode),
              STATUS_SUCCESS);
    ASSERT_EQ(om().query_basic(same_attrs, UserMode, basic), STATUS_SUCCESS);
    EXPECT_EQ(basic.attributes, ULONG(OBJ_INHERIT));
    EXPECT_EQ(om().close_handle(same_attrs, UserMode), STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(moved, UserMode), STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(ev, UserMode), STATUS_SUCCESS);
    // Closing the source only (no target process).
    HANDLE lone = new_event();
    EXPECT_EQ(om().duplicate_object(self, lone, nullptr, nullptr, 0, 0, DUPLICATE_CLOSE_SOURCE, UserMode),
              STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(lone, UserMode), STATUS_INVALID_HANDLE);
}

TEST_F(HandleTest, DuplicateBetweenProcessesUsesTheTargetTable)
{
    PEPROCESS self = current_process();
    PEPROCESS other = nullptr;
    ASSERT_EQ(om().create_process(nullptr, u"other", &other), STATUS_SUCCESS);
    HANDLE ev = new_event();
    HANDLE theirs = nullptr;
    ASSERT_EQ(om().duplicate_object(self, ev, other, &theirs, 0, 0, DUPLICATE_SAME_ACCESS, UserMode),
              STATUS_SUCCESS);
    void* mine = object_of(ev);
    {
        ProcessAttach attach(other);
        EXPECT_EQ(current_process(), other);
        EXPECT_EQ(object_of(theirs, UserMode), mine);
        // The other table has only this handle: our event's value means nothing there.
        if (theirs != ev) {
            void* body = nullptr;
            EXPECT_EQ(om().reference_object_by_handle(ev, 0, nullptr, UserMode, &body, nullptr),
                      STATUS_INVALID_HANDLE);
        }
        // Duplicating back into ourselves, closing the source in the other process.
        HANDLE back = nullptr;
        ASSERT_EQ(om().duplicate_object(other, theirs, self, &back, 0, 0,
                                        DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE, UserMode),
                  STATUS_SUCCESS);
        EXPECT_EQ(om().close_handle(theirs, UserMode), STATUS_INVALID_HANDLE);
        ProcessAttach back_home(self);
        EXPECT_EQ(object_of(back, UserMode), mine);
        EXPECT_EQ(om().close_handle(back, UserMode), STATUS_SUCCESS);
    }
    EXPECT_EQ(current_process(), self);
    om().terminate_process(other, STATUS_SUCCESS);
    HANDLE late = nullptr;
    EXPECT_EQ(om().duplicate_object(self, ev, other, &late, 0, 0, DUPLICATE_SAME_ACCESS, UserMode),
              STATUS_PROCESS_IS_TERMINATING);
    ObDereferenceObject(other);
    EXPECT_EQ(om().close_handle(ev, UserMode), STATUS_SUCCESS);
}

TEST_F(HandleTest, DuplicateAskingMoreAccessRunsAnAccessCheck)
{
    // Everyone may only wait on and query this event (SDDL built with se).
    se::SecurityDescriptor sd = se::SecurityDescriptor::from_sddl("D:(A;;0x00100001;;;WD)");
    ASSERT_FALSE(sd.empty());
    HANDLE ev = nullptr;
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObLocked", 0, &ev, UserMode, nullptr, sd.get(),
                           SYNCHRONIZE),
              STATUS_SUCCESS);
    PEPROCESS self = current_process();
    HANDLE dup = nullptr;
    EXPECT_EQ(om().duplicate_object(self, ev, self, &dup, EVENT_MODIFY_STATE, 0, 0, UserMode), STATUS_ACCESS_DENIED);
    EXPECT_EQ(dup, nullptr);
    ASSERT_EQ(om().duplicate_object(self, ev, self, &dup, EVENT_QUERY_STATE | SYNCHRONIZE, 0, 0, UserMode),
              STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(dup, UserMode), STATUS_SUCCESS);
    // A failed duplicate still closes the source when asked to.
    EXPECT_EQ(om().duplicate_object(self, ev, self, &dup, EVENT_MODIFY_STATE, 0, DUPLICATE_CLOSE_SOURCE, UserMode),
              STATUS_ACCESS_DENIED);
    EXPECT_EQ(om().close_handle(ev, UserMode), STATUS_INVALID_HANDLE);

    // With the default descriptor the creator owns the object: more access is granted.
    HANDLE open = nullptr;
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObOpen", 0, &open, UserMode, nullptr, nullptr, SYNCHRONIZE),
              STATUS_SUCCESS);
    ASSERT_EQ(om().duplicate_object(self, open, self, &dup, EVENT_MODIFY_STATE, 0, 0, UserMode), STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(dup, UserMode), STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(open, UserMode), STATUS_SUCCESS);
}

TEST_F(HandleTest, ExclusiveObjectsStayInTheirProcess)
{
    HANDLE ev = nullptr;
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObExclusive", OBJ_EXCLUSIVE, &ev), STATUS_SUCCESS);
    HANDLE again = nullptr;
    ASSERT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObExclusive", 0, *ExEventObjectType, &again),
              STATUS_SUCCESS);
    PEPROCESS other = nullptr;
    ASSERT_EQ(om().create_process(nullptr, u"other", &other), STATUS_SUCCESS);
    {
        ProcessAttach attach(other);
        HANDLE h = nullptr;
        EXPECT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObExclusive", 0, *ExEventObjectType, &h),
                  STATUS_ACCESS_DENIED);
    }
    HANDLE theirs = nullptr;
    EXPECT_EQ(om().duplicate_object(current_process(), ev, other, &theirs, 0, 0, DUPLICATE_SAME_ACCESS, UserMode),
              STATUS_ACCESS_DENIED);
    // A shared object cannot become exclusive while other handles exist.
    HANDLE shared = nullptr;
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObShared", 0, &shared), STATUS_SUCCESS);
    HANDLE h = nullptr;
    EXPECT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObShared", OBJ_EXCLUSIVE, *ExEventObjectType, &h),
              STATUS_ACCESS_DENIED);
    EXPECT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObBad", OBJ_EXCLUSIVE | OBJ_INHERIT, &h),
              STATUS_INVALID_PARAMETER);
    om().terminate_process(other, STATUS_SUCCESS);
    ObDereferenceObject(other);
    EXPECT_EQ(om().close_handle(shared, UserMode), STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(again, UserMode), STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(ev, UserMode), STATUS_SUCCESS);
}

TEST_F(HandleTest, PseudoHandlesNameTheCurrentProcessAndThread)
{
    void* body = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(NtCurrentProcess(), PROCESS_ALL_ACCESS, *PsProcessType, UserMode, &body,
                                        nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(body, PsGetCurrentProcess());
    ObDereferenceObject(body);
    EXPECT_EQ(ObReferenceObjectByHandle(NtCurrentProcess(), 0, *PsThreadType, UserMode, &body, nullptr),
              STATUS_OBJECT_TYPE_MISMATCH);
    ASSERT_EQ(ObReferenceObjectByHandle(NtCurrentThread(), 0, *PsThreadType, UserMode, &body, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(body, PsGetCurrentThread());
    ObDereferenceObject(body);
}

// NT fact K9: ObOpenObjectByPointer with a mismatched object type -> STATUS_OBJECT_TYPE_MISMATCH.
TEST_F(HandleTest, OpenByPointerChecksTheType)
{
    HANDLE ev = new_event();
    void* event = object_of(ev);
    HANDLE h = nullptr;
    EXPECT_EQ(ObOpenObjectByPointer(event, 0, nullptr, GENERIC_ALL, *ExSemaphoreObjectType, KernelMode, &h),
              STATUS_OBJECT_TYPE_MISMATCH);
    EXPECT_EQ(h, nullptr);
    ASSERT_EQ(ObOpenObjectByPointer(event, OBJ_KERNEL_HANDLE, nullptr, GENERIC_ALL, *ExEventObjectType, KernelMode,
                                    &h),
              STATUS_SUCCESS);
    EXPECT_EQ(object_of(h), event);
    EXPECT_EQ(ObCloseHandle(h, KernelMode), STATUS_SUCCESS);
    EXPECT_EQ(ObReferenceObjectByPointer(event, 0, *ExSemaphoreObjectType, KernelMode), STATUS_OBJECT_TYPE_MISMATCH);
    ASSERT_EQ(ObReferenceObjectByPointer(event, 0, *ExEventObjectType, KernelMode), STATUS_SUCCESS);
    ObDereferenceObject(event);
    EXPECT_EQ(om().close_handle(ev, UserMode), STATUS_SUCCESS);
}

}  // namespace
}  // namespace ntio::ob::test
