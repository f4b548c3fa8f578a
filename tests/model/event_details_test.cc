#include "model/event_details.h"

#include <gtest/gtest.h>

#include "json/json.h"

namespace flowstate::model {
namespace {

TEST(EventDetailsTest, NullUntilSomethingIsSet) {
  EventDetails details;
  EXPECT_TRUE(details.is_null());
  EXPECT_TRUE(details.empty());
  EXPECT_TRUE(details.ToJson().is_null());
}

TEST(EventDetailsTest, EmptyObjectStaysAnObject) {
  EventDetails details;
  details.MakeEmptyObject();
  EXPECT_FALSE(details.is_null());
  EXPECT_TRUE(details.empty());
  EXPECT_EQ(details.text(), "{}");
}

TEST(EventDetailsTest, MembersKeepTheirOrderAndTypes) {
  EventDetails details;
  details.MakeEmptyObject();
  details["name"] = std::string("Pass \"1\"");
  details["input"] = R"({"a":1})";
  details["inputDetails"] = RawJson{R"({"truncated":false})"};
  details["timeoutInSeconds"] = int64_t{30};
  details["index"] = 3;
  details["ok"] = false;
  details["ratio"] = 2.5;  // a double stays a number (no conversion to bool)
  details["value"] = json::Json{{"b", 2.5}};
  EXPECT_EQ(details.text(),
            R"({"name":"Pass \"1\"","input":"{\"a\":1}","inputDetails":{"truncated":false},)"
            R"("timeoutInSeconds":30,"index":3,"ok":false,"ratio":2.5,"value":{"b":2.5}})");
  EXPECT_FALSE(details.empty());
  EXPECT_EQ(details.ToJson()["name"], "Pass \"1\"");
}

TEST(EventDetailsTest, SettingOnNullOpensAnObject) {
  EventDetails details;
  details["error"] = "E";
  EXPECT_EQ(details.text(), R"({"error":"E"})");
}

TEST(EventDetailsTest, NonAsciiAndControlCharactersAreEscapedAsDump) {
  EventDetails details;
  std::string text = "caf\xc3\xa9\n\x01";
  details["cause"] = text;
  EXPECT_EQ(details.ToJson()["cause"], text);
  EXPECT_EQ(details.text(), "{\"cause\":" + json::Dump(json::Json(text)) + "}");
}

TEST(EventDetailsTest, ClearReturnsToNull) {
  EventDetails details;
  details["error"] = "E";
  details.Clear();
  EXPECT_TRUE(details.is_null());
  EXPECT_EQ(details, EventDetails());
}

}  // namespace
}  // namespace flowstate::model
