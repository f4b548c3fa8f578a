#include "json/discard.h"

#include <gtest/gtest.h>

#include "json/json.h"

namespace flowstate::json {
namespace {

TEST(DiscardTest, LeavesNull) {
  Json value = Json::parse(R"({"a":{"b":[1,{"c":"text"}]},"d":"x"})");
  Discard(value);
  EXPECT_TRUE(value.is_null());
  Json scalar = "text";
  Discard(scalar);
  EXPECT_TRUE(scalar.is_null());
}

TEST(DiscardTest, DeepDocumentsDoNotExhaustTheStack) {
  Json deep = Json::array();
  Json* node = &deep;
  for (int i = 0; i < 200000; ++i) {
    node->push_back(Json::array());
    node = &(*node)[0];
  }
  Discard(deep);
  EXPECT_TRUE(deep.is_null());
}

TEST(DiscardTest, ReplaceTakesTheNewValue) {
  Json to = Json::parse(R"({"old":[1,2,3]})");
  Replace(to, Json::parse(R"({"new":true})"));
  EXPECT_EQ(Dump(to), R"({"new":true})");
}

}  // namespace
}  // namespace flowstate::json
