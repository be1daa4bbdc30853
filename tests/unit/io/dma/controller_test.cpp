// Controller objects: the extension, one owner at a time, devices waiting in order, and the owner's
// IO_ALLOCATION_ACTION deciding whether the controller stays or goes on.
#include "dma_test_driver.hpp"

namespace controller_test {
using namespace dma_test;

struct Owner {
    IO_ALLOCATION_ACTION action = KeepObject;
    int calls = 0;
    int order = 0;
    KIRQL irql = PASSIVE_LEVEL;
    PVOID map_register_base = reinterpret_cast<PVOID>(1);
    PIRP irp = reinterpret_cast<PIRP>(1);
};
int g_sequence = 0;

DRIVER_CONTROL controller_control;
IO_ALLOCATION_ACTION NTAPI controller_control(PDEVICE_OBJECT, PIRP Irp, PVOID MapRegisterBase, PVOID Context) {
    auto* owner = static_cast<Owner*>(Context);
    ++owner->calls;
    owner->order = ++g_sequence;
    owner->irql = KeGetCurrentIrql();
    owner->map_register_base = MapRegisterBase;
    owner->irp = Irp;
    return owner->action;
}

class ControllerTest : public DmaTest {
protected:
    void SetUp() override {
        DmaTest::SetUp();
        g_sequence = 0;
    }
};

TEST_F(ControllerTest, CreateGivesAZeroedExtensionBehindTheObject) {
    PCONTROLLER_OBJECT controller = IoCreateController(64);
    ASSERT_NE(controller, nullptr);
    EXPECT_EQ(controller->Type, IO_TYPE_CONTROLLER);
    EXPECT_EQ(controller->ControllerExtension, static_cast<PVOID>(controller + 1));
    const auto* extension = static_cast<const UCHAR*>(controller->ControllerExtension);
    for (int i = 0; i < 64; ++i) EXPECT_EQ(extension[i], 0) << i;
    std::memset(controller->ControllerExtension, 0xEE, 64);
    IoDeleteController(controller);
}

TEST_F(ControllerTest, DevicesWaitInOrderForAControllerItsOwnerKeeps) {
    PCONTROLLER_OBJECT controller = IoCreateController(0);
    ASSERT_NE(controller, nullptr);
    Owner first;           // keeps it
    Owner second;          // hands it on at once
    second.action = DeallocateObject;
    Owner third;           // keeps it
    {
        AtDispatch dispatch;
        IoAllocateController(controller, g_devices[0], controller_control, &first);
        ASSERT_EQ(first.calls, 1);
        EXPECT_EQ(first.irql, DISPATCH_LEVEL);
        EXPECT_EQ(first.map_register_base, nullptr);
        EXPECT_EQ(first.irp, g_devices[0]->CurrentIrp);
        IoAllocateController(controller, g_devices[1], controller_control, &second);
        IoAllocateController(controller, g_devices[2], controller_control, &third);
        EXPECT_EQ(second.calls, 0);
        EXPECT_EQ(third.calls, 0);
        IoFreeController(controller);
        // The second ran, gave the controller up, and the third got it.
        EXPECT_EQ(second.calls, 1);
        EXPECT_EQ(third.calls, 1);
        EXPECT_LT(second.order, third.order);
        // The third keeps it: a new request waits until it frees it.
        Owner fourth;
        fourth.action = DeallocateObject;
        IoAllocateController(controller, g_devices[0], controller_control, &fourth);
        EXPECT_EQ(fourth.calls, 0);
        IoFreeController(controller);
        EXPECT_EQ(fourth.calls, 1);
        // Free now: the next request runs at once, even from PASSIVE_LEVEL callers below.
    }
    Owner fifth;
    fifth.action = DeallocateObject;
    IoAllocateController(controller, g_devices[1], controller_control, &fifth);
    EXPECT_EQ(fifth.calls, 1);
    EXPECT_EQ(fifth.irql, DISPATCH_LEVEL);
    IoDeleteController(controller);
}

}  // namespace controller_test
