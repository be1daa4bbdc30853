// Object lifetime: pointer and handle counts, the order of the close and delete procedures,
// temporary versus permanent names, and ObInsertObject's consumption of the creation reference.
#include "unit/ob/ob_test_support.hpp"

#include <unistd.h>

#include <cstdio>
#include <optional>
#include <vector>

#include "support/bugcheck_catcher.hpp"

namespace ntio::ob::test {
namespace {

struct TraceEvent {
    char what;  // 'c' close, 'd' delete
    ULONG_PTR process_count;
    ULONG_PTR system_count;
};
std::vector<TraceEvent> g_trace;

void trace_close(PEPROCESS, void*, ACCESS_MASK, ULONG_PTR process_count, ULONG_PTR system_count)
{
    g_trace.push_back({'c', process_count, system_count});
}
void trace_delete(void*) { g_trace.push_back({'d', 0, 0}); }

_OBJECT_TYPE g_traced_type{
    u"ObTraced", {STANDARD_RIGHTS_READ | 1, STANDARD_RIGHTS_WRITE | 2, STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE,
                  STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 3},
    STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 3, NonPagedPool, false, false, 0,
    nullptr, trace_close, trace_delete};

class ObjectLifetimeTest : public ObTest {
protected:
    void SetUp() override
    {
        ObTest::SetUp();
        g_trace.clear();
    }
    void* create_traced(HANDLE* handle)
    {
        void* body = nullptr;
        EXPECT_EQ(om().create_object(KernelMode, &g_traced_type, nullptr, 16, &body), STATUS_SUCCESS);
        void* object = nullptr;
        EXPECT_EQ(om().insert_object(body, GENERIC_ALL, KernelMode, handle, &object), STATUS_SUCCESS);
        return object;
    }
};

TEST_F(ObjectLifetimeTest, UnnamedEventLivesWhileItsHandleIsOpen)
{
    std::size_t objects = om().object_count();
    std::size_t handles = om().handle_count();
    HANDLE h = nullptr;
    ASSERT_EQ(create_event(om(), u"", 0, &h), STATUS_SUCCESS);
    EXPECT_NE(h, nullptr);
    EXPECT_EQ(om().object_count(), objects + 1);
    EXPECT_EQ(om().handle_count(), handles + 1);
    EXPECT_EQ(om().object_count(*ExEventObjectType), 1u);
    EXPECT_EQ(om().close_handle(h, UserMode), STATUS_SUCCESS);
    EXPECT_EQ(om().object_count(), objects);
    EXPECT_EQ(om().handle_count(), handles);
}

TEST_F(ObjectLifetimeTest, ReferenceOutlivesTheLastHandle)
{
    std::size_t objects = om().object_count();
    HANDLE h = nullptr;
    ASSERT_EQ(create_event(om(), u"", 0, &h), STATUS_SUCCESS);
    PVOID event = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(h, EVENT_MODIFY_STATE, *ExEventObjectType, UserMode, &event, nullptr),
              STATUS_SUCCESS);
    EXPECT_EQ(ObCloseHandle(h, UserMode), STATUS_SUCCESS);
    EXPECT_EQ(om().object_count(), objects + 1);
    // The body is still usable through the reference.
    KeSetEvent(static_cast<PKEVENT>(event), 0, FALSE);
    EXPECT_EQ(KeReadStateEvent(static_cast<PKEVENT>(event)), 1);
    EXPECT_EQ(ObReferenceObject(event), 2);
    EXPECT_EQ(ObDereferenceObject(event), 1);
    EXPECT_EQ(ObDereferenceObject(event), 0);
    EXPECT_EQ(om().object_count(), objects);
}

TEST_F(ObjectLifetimeTest, LastHandleRunsCloseAndLastReferenceRunsDelete)
{
    HANDLE first = nullptr;
    void* object = create_traced(&first);  // returned with a reference of ours
    HANDLE second = nullptr;
    ASSERT_EQ(om().open_object_by_pointer(object, 0, GENERIC_READ, &g_traced_type, KernelMode, &second),
              STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(first, KernelMode), STATUS_SUCCESS);
    ASSERT_EQ(g_trace.size(), 1u);
    EXPECT_EQ(g_trace[0].what, 'c');
    EXPECT_EQ(g_trace[0].process_count, 2u);  // NT passes the counts before the close
    EXPECT_EQ(g_trace[0].system_count, 2u);
    EXPECT_EQ(om().close_handle(second, KernelMode), STATUS_SUCCESS);
    ASSERT_EQ(g_trace.size(), 2u);
    EXPECT_EQ(g_trace[1].what, 'c');
    EXPECT_EQ(g_trace[1].process_count, 1u);
    EXPECT_EQ(g_trace[1].system_count, 1u);
    ObDereferenceObject(object);
    ASSERT_EQ(g_trace.size(), 3u);
    EXPECT_EQ(g_trace[2].what, 'd');
}

TEST_F(ObjectLifetimeTest, ProcessHandleCountIsPerProcess)
{
    HANDLE mine = nullptr;
    void* object = create_traced(&mine);
    PEPROCESS other = nullptr;
    ASSERT_EQ(om().create_process(nullptr, u"other", &other), STATUS_SUCCESS);
    HANDLE theirs = nullptr;
    ASSERT_EQ(om().duplicate_object(current_process(), mine, other, &theirs, 0, 0, DUPLICATE_SAME_ACCESS,
                                    KernelMode),
              STATUS_SUCCESS);
    {
        ProcessAttach attach(other);
        EXPECT_EQ(om().close_handle(theirs, KernelMode), STATUS_SUCCESS);
    }
    ASSERT_EQ(g_trace.size(), 1u);
    EXPECT_EQ(g_trace[0].process_count, 1u);  // the other process's only handle
    EXPECT_EQ(g_trace[0].system_count, 2u);
    EXPECT_EQ(om().close_handle(mine, KernelMode), STATUS_SUCCESS);
    om().terminate_process(other, STATUS_SUCCESS);
    ObDereferenceObject(other);
    ObDereferenceObject(object);
    ASSERT_EQ(g_trace.size(), 3u);
    EXPECT_EQ(g_trace[2].what, 'd');
}

TEST_F(ObjectLifetimeTest, TemporaryNameGoesWithTheLastHandle)
{
    HANDLE h = nullptr;
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObTemp", 0, &h), STATUS_SUCCESS);
    HANDLE h2 = nullptr;
    EXPECT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObTemp", 0, *ExEventObjectType, &h2), STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(h, UserMode), STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(h2, UserMode), STATUS_SUCCESS);
    EXPECT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObTemp", 0, *ExEventObjectType, &h2),
              STATUS_OBJECT_NAME_NOT_FOUND);
}

TEST_F(ObjectLifetimeTest, PermanentNameSurvivesUntilMadeTemporary)
{
    std::size_t objects = om().object_count();
    HANDLE h = nullptr;
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObPerm", OBJ_PERMANENT, &h, KernelMode), STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(h, KernelMode), STATUS_SUCCESS);
    EXPECT_EQ(om().object_count(), objects + 1);
    ASSERT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObPerm", 0, *ExEventObjectType, &h), STATUS_SUCCESS);
    BasicInformation basic;
    ASSERT_EQ(om().query_basic(h, UserMode, basic), STATUS_SUCCESS);
    EXPECT_TRUE(basic.attributes & OBJ_PERMANENT);
    PVOID event = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(h, 0, *ExEventObjectType, KernelMode, &event, nullptr), STATUS_SUCCESS);
    ObMakeTemporaryObject(event);  // a handle is still open: the name stays for now
    ObDereferenceObject(event);
    HANDLE h2 = nullptr;
    EXPECT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObPerm", 0, *ExEventObjectType, &h2), STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(h2, UserMode), STATUS_SUCCESS);
    EXPECT_EQ(om().close_handle(h, UserMode), STATUS_SUCCESS);
    EXPECT_EQ(open_by_name(om(), u"\\BaseNamedObjects\\ObPerm", 0, *ExEventObjectType, &h2),
              STATUS_OBJECT_NAME_NOT_FOUND);
    EXPECT_EQ(om().object_count(), objects);
}

TEST_F(ObjectLifetimeTest, FailedInsertConsumesTheCreationReference)
{
    HANDLE h = nullptr;
    ASSERT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObTwice", 0, &h), STATUS_SUCCESS);
    std::size_t objects = om().object_count();
    HANDLE h2 = nullptr;
    EXPECT_EQ(create_event(om(), u"\\BaseNamedObjects\\ObTwice", 0, &h2), STATUS_OBJECT_NAME_COLLISION);
    EXPECT_EQ(h2, nullptr);
    EXPECT_EQ(om().object_count(), objects);
    EXPECT_EQ(om().close_handle(h, UserMode), STATUS_SUCCESS);
}

TEST_F(ObjectLifetimeTest, InsertWithoutHandleReturnsTheReference)
{
    std::size_t objects = om().object_count();
    PVOID body = nullptr;
    ASSERT_EQ(ObCreateObject(KernelMode, *ExEventObjectType, nullptr, KernelMode, nullptr, sizeof(KEVENT), 0, 0,
                             &body),
              STATUS_SUCCESS);
    KeInitializeEvent(static_cast<PKEVENT>(body), SynchronizationEvent, FALSE);
    PVOID inserted = nullptr;
    ASSERT_EQ(ObInsertObject(body, nullptr, 0, 0, &inserted, nullptr), STATUS_SUCCESS);
    EXPECT_EQ(inserted, body);
    EXPECT_EQ(ObGetObjectType(inserted), *ExEventObjectType);
    EXPECT_EQ(om().object_count(), objects + 1);
    ObDereferenceObject(inserted);
    EXPECT_EQ(om().object_count(), objects);
}

TEST_F(ObjectLifetimeTest, InsertWithHandleKeepsOnlyTheBias)
{
    std::size_t objects = om().object_count();
    PVOID body = nullptr;
    ASSERT_EQ(ObCreateObject(KernelMode, *ExEventObjectType, nullptr, KernelMode, nullptr, sizeof(KEVENT), 0, 0,
                             &body),
              STATUS_SUCCESS);
    KeInitializeEvent(static_cast<PKEVENT>(body), NotificationEvent, FALSE);
    PVOID inserted = nullptr;
    HANDLE h = nullptr;
    ASSERT_EQ(ObInsertObject(body, nullptr, EVENT_ALL_ACCESS, 1, &inserted, &h), STATUS_SUCCESS);
    EXPECT_EQ(ObCloseHandle(h, KernelMode), STATUS_SUCCESS);
    EXPECT_EQ(om().object_count(), objects + 1);  // the bias reference
    ObDereferenceObject(inserted);
    EXPECT_EQ(om().object_count(), objects);
}

TEST_F(ObjectLifetimeTest, ReferenceObjectSafeSucceedsOnLiveObjects)
{
    HANDLE h = nullptr;
    ASSERT_EQ(create_event(om(), u"", 0, &h), STATUS_SUCCESS);
    PVOID event = nullptr;
    ASSERT_EQ(ObReferenceObjectByHandle(h, 0, nullptr, KernelMode, &event, nullptr), STATUS_SUCCESS);
    EXPECT_TRUE(ObReferenceObjectSafe(event));
    ObDereferenceObject(event);
    ObDereferenceObject(event);
    EXPECT_EQ(om().close_handle(h, UserMode), STATUS_SUCCESS);
}

TEST_F(ObjectLifetimeTest, DeletingAnOwnedMutantAbandonsIt)
{
    std::size_t objects = om().object_count();
    PVOID body = nullptr;
    ASSERT_EQ(ObCreateObject(KernelMode, *ExMutantObjectType, nullptr, KernelMode, nullptr, sizeof(KMUTANT), 0, 0,
                             &body),
              STATUS_SUCCESS);
    KeInitializeMutant(static_cast<PRKMUTANT>(body), TRUE);  // owned by this thread
    HANDLE h = nullptr;
    ASSERT_EQ(ObInsertObject(body, nullptr, MUTANT_ALL_ACCESS, 0, nullptr, &h), STATUS_SUCCESS);
    EXPECT_EQ(ObCloseHandle(h, KernelMode), STATUS_SUCCESS);
    EXPECT_EQ(om().object_count(), objects);
    // The thread's owned-mutant list no longer holds the freed mutant: another one works normally.
    KMUTANT other;
    KeInitializeMutant(&other, TRUE);
    EXPECT_EQ(KeReleaseMutant(&other, 0, FALSE, FALSE), 0);
}

TEST_F(ObjectLifetimeTest, DeletingASetTimerCancelsIt)
{
    std::size_t objects = om().object_count();
    PVOID body = nullptr;
    ASSERT_EQ(ObCreateObject(KernelMode, *ExTimerObjectType, nullptr, KernelMode, nullptr, sizeof(KTIMER), 0, 0,
                             &body),
              STATUS_SUCCESS);
    KeInitializeTimerEx(static_cast<PKTIMER>(body), NotificationTimer);
    LARGE_INTEGER due;
    due.QuadPart = -3600LL * 10'000'000;  // an hour from now: still queued at deletion
    EXPECT_FALSE(KeSetTimer(static_cast<PKTIMER>(body), due, nullptr));
    HANDLE h = nullptr;
    ASSERT_EQ(ObInsertObject(body, nullptr, TIMER_ALL_ACCESS, 0, nullptr, &h), STATUS_SUCCESS);
    EXPECT_EQ(ObCloseHandle(h, KernelMode), STATUS_SUCCESS);
    EXPECT_EQ(om().object_count(), objects);
    // A timer set afterwards in the same engine still fires normally.
    KTIMER probe;
    KeInitializeTimerEx(&probe, NotificationTimer);
    due.QuadPart = -1;
    KeSetTimer(&probe, due, nullptr);
    LARGE_INTEGER guard;
    guard.QuadPart = -600LL * 10'000'000;  // hang guard only
    EXPECT_EQ(KeWaitForSingleObject(&probe, Executive, KernelMode, FALSE, &guard), STATUS_SUCCESS);
}

// A delete procedure with a reference bug: it drops one reference more on the object it deletes,
// whose count is already 0. The body is still valid there, so the second dereference reaches the
// count check rather than freed memory; the catcher returns to the procedure, and the deletion it
// interrupted then finishes normally.
struct OverDereference {
    void* body = nullptr;
    std::optional<ntio::test::BugCheck> bugcheck;
};
OverDereference g_over_dereference;

void delete_dereferencing_again(void* body)
{
    if (body != g_over_dereference.body) return;
    g_over_dereference.bugcheck = ntio::test::catch_bugcheck([body] { ObDereferenceObject(body); });
}

_OBJECT_TYPE g_over_dereferenced_type{
    u"ObOverDereferenced", {STANDARD_RIGHTS_READ, STANDARD_RIGHTS_WRITE, STANDARD_RIGHTS_EXECUTE,
                            STANDARD_RIGHTS_REQUIRED},
    STANDARD_RIGHTS_REQUIRED, NonPagedPool, false, false, 0,
    nullptr, nullptr, delete_dereferencing_again};

// Bug check 0x18 REFERENCE_BY_POINTER (object type, object, reserved, reserved):
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x18--reference-by-pointer
TEST_F(ObjectLifetimeTest, DereferencingAnObjectWithNoReferenceLeftBugchecks)
{
    std::size_t objects = om().object_count();
    g_over_dereference = {};
    PVOID body = nullptr;
    ASSERT_EQ(ObCreateObject(KernelMode, &g_over_dereferenced_type, nullptr, KernelMode, nullptr, 16, 0, 0, &body),
              STATUS_SUCCESS);
    g_over_dereference.body = body;
    EXPECT_EQ(om().object_count(), objects + 1);
    EXPECT_EQ(ObDereferenceObject(body), 0);  // the creation reference: the delete procedure runs
    ASSERT_TRUE(g_over_dereference.bugcheck.has_value());
    EXPECT_EQ(g_over_dereference.bugcheck->code, static_cast<ULONG>(REFERENCE_BY_POINTER));
    EXPECT_EQ(g_over_dereference.bugcheck->p1, reinterpret_cast<ULONG_PTR>(&g_over_dereferenced_type));
    EXPECT_EQ(g_over_dereference.bugcheck->p2, reinterpret_cast<ULONG_PTR>(body));
    EXPECT_EQ(g_over_dereference.bugcheck->p3, 0u);
    EXPECT_EQ(g_over_dereference.bugcheck->p4, 0u);  // the pointer count the dereference found
    EXPECT_EQ(om().object_count(), objects);  // the object was still deleted, once
    g_over_dereference = {};
}

// Bug check 0x5E OBJECT_INITIALIZATION_FAILED (no parameters documented; ntio passes 0 for a full
// table of object types):
// https://learn.microsoft.com/windows-hardware/drivers/debugger/bug-check-0x5e--object-initialization-failed
// Types register on their first object and stay registered for the process, in every System booted
// after; the table is filled in a child process, which reports what it caught and exits.
[[noreturn]] void fill_the_object_type_table()
{
    int registered = 0;
    const std::optional<ntio::test::BugCheck> bugcheck = ntio::test::catch_bugcheck([&registered] {
        for (; registered <= static_cast<int>(kMaxObjectTypes); ++registered) {
            auto* type = new _OBJECT_TYPE{u"ObFiller", {STANDARD_RIGHTS_READ, STANDARD_RIGHTS_WRITE,
                                                        STANDARD_RIGHTS_EXECUTE, STANDARD_RIGHTS_REQUIRED},
                                          STANDARD_RIGHTS_REQUIRED, NonPagedPool, false, false, 0};
            PVOID body = nullptr;
            if (!NT_SUCCESS(ObCreateObject(KernelMode, type, nullptr, KernelMode, nullptr, 8, 0, 0, &body))) return;
            ObDereferenceObject(body);
        }
    });
    if (!bugcheck) {
        std::fprintf(stderr, "no bugcheck after %d new types\n", registered);
        _exit(4);
    }
    // How many fitted depends on the types ntio registers itself; some must have, none past the table.
    const bool fitted = registered > 0 && registered < static_cast<int>(kMaxObjectTypes);
    std::fprintf(stderr, "stop %lx %lx %lx %lx %lx, %s\n", static_cast<unsigned long>(bugcheck->code),
                 static_cast<unsigned long>(bugcheck->p1), static_cast<unsigned long>(bugcheck->p2),
                 static_cast<unsigned long>(bugcheck->p3), static_cast<unsigned long>(bugcheck->p4),
                 fitted ? "fitted" : "did not fit");
    _exit(3);
}

class ObjectTypeTableDeathTest : public ObTest {};

TEST_F(ObjectTypeTableDeathTest, RegisteringMoreTypesThanTheTableHoldsBugchecks)
{
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(fill_the_object_type_table(), testing::ExitedWithCode(3), "stop 5e 0 0 0 0, fitted");
}

}  // namespace
}  // namespace ntio::ob::test
