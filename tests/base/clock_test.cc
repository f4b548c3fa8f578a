#include "base/clock.h"

#include <gtest/gtest.h>

namespace flowstate::base {
namespace {

TEST(ClockTest, FormatsIsoWithMilliseconds) {
  EXPECT_EQ(FormatIso8601(FromUnixMillis(1553631253192)), "2019-03-26T20:14:13.192Z");
  EXPECT_EQ(FormatIso8601(FromUnixMillis(0)), "1970-01-01T00:00:00.000Z");
}

TEST(ClockTest, ParsesZonesAndFractions) {
  EXPECT_EQ(ParseIso8601("2019-03-26T20:14:13.192Z"), FromUnixMillis(1553631253192));
  EXPECT_EQ(ParseIso8601("2019-03-26T21:14:13.192+01:00"), FromUnixMillis(1553631253192));
  EXPECT_EQ(ParseIso8601("2019-03-26T20:14:13Z"), FromUnixMillis(1553631253000));
}

TEST(ClockTest, RejectsMalformedTimestamps) {
  EXPECT_FALSE(ParseIso8601("2019-03-26"));
  EXPECT_FALSE(ParseIso8601("2019-02-30T00:00:00Z"));
  EXPECT_FALSE(ParseIso8601("2019-03-26T20:14:13"));
  EXPECT_FALSE(ParseIso8601("2019-03-26T20:14:13.Z"));
  EXPECT_FALSE(ParseIso8601("2019-03-26T25:14:13Z"));
}

TEST(ClockTest, ManualClockMovesOnlyWhenAdvanced) {
  ManualClock clock(FromUnixMillis(1000));
  EXPECT_EQ(ToUnixMillis(clock.Now()), 1000);
  clock.Advance(std::chrono::milliseconds(500));
  EXPECT_EQ(ToUnixMillis(clock.Now()), 1500);
}

}  // namespace
}  // namespace flowstate::base
