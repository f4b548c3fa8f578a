#include "json/json.h"

#include <string>

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

TEST(JsonTest, ParsesAsNlohmannDoes) {
  // Parse builds documents itself (members added without copying the earlier ones); the result
  // and the errors must be nlohmann's own.
  std::string big = R"({"items":[)";
  for (int i = 0; i < 300; ++i)
    big += (i ? "," : "") + std::string(R"({"id":)") + std::to_string(i) + "}";
  big +=
      R"(],"a":1,"b":{"c":[true,null,-2,18446744073709551615,1.5e300,"\u00e9"]},"d":"x","e":[]})";
  for (const std::string& text :
       {big, std::string(R"({"a":1,"b":[1,2],"a":3})"), std::string(R"([[[]],{},"",0])"),
        std::string("\"top\""), std::string("-0"), std::string(R"({"k":{"k":{"k":{}}}})")}) {
    auto parsed = Parse(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    EXPECT_EQ(*parsed, Json::parse(text)) << text;
    EXPECT_EQ(Dump(*parsed), Json::parse(text).dump()) << text;
  }
  for (const char* bad : {"", "{", "[1,]", R"({"a" 1})", "nul", "{} x", "\"\xff\""}) {
    auto parsed = Parse(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    try {
      Json accepted = Json::parse(bad);
      ADD_FAILURE() << "nlohmann accepted " << bad << ": " << accepted.dump();
    } catch (const Json::exception& e) {
      EXPECT_EQ(parsed.error().message(), e.what()) << bad;
    }
  }
}

TEST(JsonTest, DeepDocumentsParse) {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  auto parsed = Parse(deep);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(parsed->is_array());
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
