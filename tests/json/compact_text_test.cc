#include "json/compact_text.h"

#include <string>

#include <gtest/gtest.h>

#include "json/json.h"

namespace flowstate::json {
namespace {

using json::Json;

void ExpectSameAsDump(const Json& value) {
  EXPECT_EQ(CompactText(value), json::Dump(value));
  EXPECT_EQ(CompactTextSize(value), json::Dump(value).size());
  std::string quoted;
  AppendQuoted(json::Dump(value), quoted);
  std::string direct = "prefix";
  EXPECT_EQ(AppendQuotedCompactText(value, direct), json::Dump(value).size());
  EXPECT_EQ(direct, "prefix" + quoted);
}

TEST(CompactTextTest, MatchesDumpOnScalars) {
  for (const Json& value :
       {Json(nullptr), Json(true), Json(false), Json(0), Json(-1), Json(INT64_MIN), Json(INT64_MAX),
        Json(UINT64_MAX), Json(1.5), Json(100.0), Json(1e20), Json(-0.0), Json(0.1), Json(3.0e-7),
        Json(""), Json("plain")}) {
    ExpectSameAsDump(value);
  }
}

TEST(CompactTextTest, MatchesDumpOnEscapes) {
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls.push_back(static_cast<char>(c));
  for (const std::string& text :
       {controls, std::string("q\"b\\s/\x7f"), std::string("caf\xc3\xa9 \xe2\x82\xac"),
        std::string("bad \xff\xfe utf8"), std::string("tab\tnl\ncr\r"),
        // Quote-dense JSON text, as history quotes payloads; then one that needs a \u escape
        // only after some quotes were written.
        Dump(Json::parse(R"({"a":{"b":"c\"d","e":[1,2,"\\"]}})")),
        std::string("{\"q\":\"x\"}\x01\"")}) {
    ExpectSameAsDump(Json(text));
    ExpectSameAsDump(Json::object({{text, text}}));
  }
}

TEST(CompactTextTest, MatchesDumpOnNestedValuesInOrder) {
  auto parsed = json::Parse(
      R"({"z":1,"a":[1,2.25,{"k":null,"e":[],"o":{}}],"s":"x\"y","n":{"deep":[[true,false]]}})");
  ASSERT_TRUE(parsed.has_value());
  ExpectSameAsDump(*parsed);
  ExpectSameAsDump(Json::array());
  ExpectSameAsDump(Json::object());
  Json big = Json::array();
  for (int i = 0; i < 500; ++i) big.push_back(Json::object({{"k" + std::to_string(i), "v\"w"}}));
  ExpectSameAsDump(Json(Dump(big)));  // a long quoted payload
}

}  // namespace
}  // namespace flowstate::json
