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

TEST(AppendMemberTest, KeepsOrderAndValuesAcrossGrowth) {
  Json object = Json::object();
  for (int i = 0; i < 20; ++i) {
    Json& added = AppendMember(object, "k" + std::to_string(i), Json::array({i, "v"}));
    EXPECT_EQ(added, Json::array({i, "v"}));
  }
  ASSERT_EQ(object.size(), 20u);
  int i = 0;
  for (auto it = object.begin(); it != object.end(); ++it, ++i) {
    EXPECT_EQ(it.key(), "k" + std::to_string(i));
    EXPECT_EQ(it.value(), Json::array({i, "v"}));
  }
  EXPECT_EQ(object["k7"], Json::array({7, "v"}));  // lookups still work
}

}  // namespace
}  // namespace flowstate::json
