#include "json/json.h"

#include <gtest/gtest.h>

namespace flowstate::json {
namespace {

TEST(JsonTest, KeepsKeyOrderAndDumpsCompactly) {
  auto parsed = Parse(R"({"b": 1, "a": [1, 2.5, "x"]})");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(Dump(*parsed), R"({"b":1,"a":[1,2.5,"x"]})");
}

TEST(JsonTest, MalformedTextIsAnError) {
  EXPECT_FALSE(Parse("{").has_value());
  EXPECT_FALSE(Parse("{} x").has_value());
  EXPECT_TRUE(Parse("{}").has_value());
}

}  // namespace
}  // namespace flowstate::json
