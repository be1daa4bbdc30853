// Attaching a thread to another process as a driver does: while attached, the thread acts in that
// process (PsGetCurrentProcess, and the handle table its handles go to and come from); attaches nest
// and come undone innermost first; attaching to the process the thread is in changes nothing; the
// bug checks for detaching out of order and for KeAttachProcess while attached.
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-kestackattachprocess
#include "unit/ob/ob_test_support.hpp"

#include <ntifs.h>

#include "support/bugcheck_catcher.hpp"

namespace process_attach_test {

using ntio::test::catch_bugcheck;

class ProcessAttachTest : public ntio::ob::test::ObTest {
protected:
    void SetUp() override
    {
        ObTest::SetUp();
        ASSERT_EQ(om().create_process(nullptr, u"attached", &m_target), STATUS_SUCCESS);
    }
    void TearDown() override
    {
        om().terminate_process(m_target, STATUS_SUCCESS);
        ObDereferenceObject(m_target);
        ObTest::TearDown();
    }
    // A handle to a new event in the process the thread acts in (not a kernel handle).
    static HANDLE new_event()
    {
        HANDLE h = nullptr;
        EXPECT_EQ(ZwCreateEvent(&h, EVENT_ALL_ACCESS, nullptr, NotificationEvent, FALSE), STATUS_SUCCESS);
        return h;
    }
    static bool handle_valid_here(HANDLE h)
    {
        PVOID object = nullptr;
        if (!NT_SUCCESS(ObReferenceObjectByHandle(h, SYNCHRONIZE, *ExEventObjectType, KernelMode, &object, nullptr)))
            return false;
        ObDereferenceObject(object);
        return true;
    }
    PEPROCESS m_target = nullptr;
};

TEST_F(ProcessAttachTest, an_attached_thread_acts_in_the_target_process_until_it_detaches)
{
    PEPROCESS home = PsGetCurrentProcess();
    ASSERT_NE(home, m_target);
    KAPC_STATE state;
    KeStackAttachProcess(m_target, &state);
    EXPECT_EQ(PsGetCurrentProcess(), m_target);
    EXPECT_EQ(IoGetCurrentProcess(), m_target);
    HANDLE there = new_event();
    EXPECT_TRUE(handle_valid_here(there));

    // Nested: the system process, then back.
    KAPC_STATE nested;
    KeStackAttachProcess(om().system_process(), &nested);
    EXPECT_EQ(PsGetCurrentProcess(), om().system_process());
    KeUnstackDetachProcess(&nested);
    EXPECT_EQ(PsGetCurrentProcess(), m_target);

    KeUnstackDetachProcess(&state);
    EXPECT_EQ(PsGetCurrentProcess(), home);
    EXPECT_FALSE(handle_valid_here(there));  // the handle is in the target's table, not this one's
    KeStackAttachProcess(m_target, &state);
    EXPECT_TRUE(handle_valid_here(there));
    EXPECT_EQ(ZwClose(there), STATUS_SUCCESS);
    KeUnstackDetachProcess(&state);
}

TEST_F(ProcessAttachTest, attaching_to_the_current_process_changes_nothing_but_still_nests)
{
    PEPROCESS home = PsGetCurrentProcess();
    HANDLE here = new_event();
    KAPC_STATE state;
    KeStackAttachProcess(home, &state);
    EXPECT_EQ(PsGetCurrentProcess(), home);
    EXPECT_TRUE(handle_valid_here(here));
    KAPC_STATE inner;
    KeStackAttachProcess(m_target, &inner);
    auto bc = catch_bugcheck([&] { KeUnstackDetachProcess(&state); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(INVALID_PROCESS_DETACH_ATTEMPT));
    EXPECT_EQ(bc->p1, reinterpret_cast<ULONG_PTR>(&state));
    EXPECT_EQ(bc->p2, reinterpret_cast<ULONG_PTR>(&inner));
    KeUnstackDetachProcess(&inner);
    KeUnstackDetachProcess(&state);
    EXPECT_EQ(PsGetCurrentProcess(), home);
    EXPECT_EQ(ZwClose(here), STATUS_SUCCESS);
}

TEST_F(ProcessAttachTest, the_obsolete_attach_does_not_nest)
{
    PEPROCESS home = PsGetCurrentProcess();
    KeDetachProcess();  // not attached: nothing happens
    EXPECT_EQ(PsGetCurrentProcess(), home);
    KeAttachProcess(home);  // already there: nothing happens
    KeAttachProcess(m_target);
    EXPECT_EQ(PsGetCurrentProcess(), m_target);
    auto bc = catch_bugcheck([&] { KeAttachProcess(om().system_process()); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(INVALID_PROCESS_ATTACH_ATTEMPT));
    EXPECT_EQ(bc->p1, reinterpret_cast<ULONG_PTR>(om().system_process()));
    EXPECT_EQ(bc->p2, reinterpret_cast<ULONG_PTR>(m_target));
    EXPECT_EQ(bc->p3, 1u);
    EXPECT_EQ(PsGetCurrentProcess(), m_target);

    // A stack attach nests inside it; detaching the old way first is out of order.
    KAPC_STATE state;
    KeStackAttachProcess(om().system_process(), &state);
    auto out_of_order = catch_bugcheck([] { KeDetachProcess(); });
    ASSERT_TRUE(out_of_order.has_value());
    EXPECT_EQ(out_of_order->code, static_cast<ULONG>(INVALID_PROCESS_DETACH_ATTEMPT));
    KeUnstackDetachProcess(&state);
    KeDetachProcess();
    EXPECT_EQ(PsGetCurrentProcess(), home);
}

TEST_F(ProcessAttachTest, attaching_to_an_object_that_is_not_a_process_bugchecks)
{
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    KAPC_STATE state;
    auto bc = catch_bugcheck([&] { KeStackAttachProcess(reinterpret_cast<PRKPROCESS>(&event), &state); });
    ASSERT_TRUE(bc.has_value());
    EXPECT_EQ(bc->code, static_cast<ULONG>(INVALID_PROCESS_ATTACH_ATTEMPT));
    EXPECT_EQ(bc->p1, reinterpret_cast<ULONG_PTR>(&event));
    EXPECT_EQ(bc->p3, 0u);
}

}  // namespace process_attach_test
