#include "runtime/timer_service.h"

#include <vector>

#include <gtest/gtest.h>

namespace flowstate::runtime {
namespace {

TEST(TimerServiceTest, FiresInDeadlineOrderWhenDue) {
  base::ManualClock clock(base::FromUnixMillis(1000));
  TimerService timers(clock);
  std::vector<int> fired;
  timers.Arm(base::FromUnixMillis(3000), [&] { fired.push_back(3); });
  timers.Arm(base::FromUnixMillis(2000), [&] { fired.push_back(2); });
  timers.Arm(base::FromUnixMillis(2000), [&] { fired.push_back(22); });
  EXPECT_EQ(timers.RunDue(), 0u);
  clock.Set(base::FromUnixMillis(2000));
  EXPECT_EQ(timers.RunDue(), 2u);
  EXPECT_EQ(fired, (std::vector<int>{2, 22}));
  EXPECT_EQ(timers.pending(), 1u);
  clock.Advance(std::chrono::seconds(5));
  EXPECT_EQ(timers.RunDue(), 1u);
  EXPECT_EQ(fired.back(), 3);
}

TEST(TimerServiceTest, StopDropsPendingTimers) {
  base::ManualClock clock(base::FromUnixMillis(0));
  TimerService timers(clock);
  timers.StartThread();
  bool fired = false;
  timers.Arm(base::FromUnixMillis(1000000), [&] { fired = true; });
  timers.Stop();
  EXPECT_EQ(timers.pending(), 0u);
  timers.Arm(base::FromUnixMillis(0), [&] { fired = true; });  // ignored after Stop
  EXPECT_EQ(timers.RunDue(), 0u);
  EXPECT_FALSE(fired);
}

}  // namespace
}  // namespace flowstate::runtime
