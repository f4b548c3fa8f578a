#include "runtime/execution_log.h"

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "json/json.h"

namespace flowstate::runtime {
namespace {

using json::Json;

constexpr const char* kGroup = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/states/demo:*";

Json Config(std::string_view text) { return *json::Parse(text); }

TEST(ParseLoggingConfigurationTest, AcceptsEachLevelWithOneDestination) {
  for (const char* level : {"ALL", "ERROR", "FATAL", "OFF"}) {
    auto settings = ParseLoggingConfiguration(Config(
        std::string(R"({"level":")") + level +
        R"(","includeExecutionData":true,"destinations":[{"cloudWatchLogsLogGroup":{"logGroupArn":")" +
        kGroup + R"("}}]})"));
    ASSERT_TRUE(settings.has_value()) << level;
    EXPECT_TRUE(settings->include_execution_data);
    EXPECT_EQ(settings->log_group_arn, kGroup);
  }
  EXPECT_TRUE(ParseLoggingConfiguration(Config(R"({"level":"OFF"})")).has_value());
}

TEST(ParseLoggingConfigurationTest, RefusesWhatAwsRefuses) {
  auto bad_level = ParseLoggingConfiguration(Config(R"({"level":"DEBUG"})"));
  ASSERT_FALSE(bad_level.has_value());
  EXPECT_EQ(bad_level.error().code, "ValidationException");
  EXPECT_NE(bad_level.error().message.find("[ALL, ERROR, FATAL, OFF]"), std::string::npos);

  auto no_destination = ParseLoggingConfiguration(Config(R"({"level":"ALL"})"));
  ASSERT_FALSE(no_destination.has_value());
  EXPECT_EQ(no_destination.error().code, "InvalidLoggingConfiguration");
  EXPECT_EQ(no_destination.error().message,
            "Invalid Logging Configuration: Must specify exactly one Log Destination.");

  auto no_qualifier = ParseLoggingConfiguration(Config(
      R"({"level":"ALL","destinations":[{"cloudWatchLogsLogGroup":{"logGroupArn":"arn:aws:logs:us-east-1:1:log-group:x"}}]})"));
  ASSERT_FALSE(no_qualifier.has_value());
  EXPECT_EQ(no_qualifier.error().message,
            "Invalid Logging Configuration: Log Group ARN must be provided with '*' qualifier.");

  auto two = ParseLoggingConfiguration(
      Config(std::string(R"({"level":"ALL","destinations":[)") +
             R"({"cloudWatchLogsLogGroup":{"logGroupArn":")" + kGroup +
             R"("}},{"cloudWatchLogsLogGroup":{"logGroupArn":")" + kGroup + R"("}}]})"));
  ASSERT_FALSE(two.has_value());
  EXPECT_EQ(two.error().code, "InvalidLoggingConfiguration");

  auto not_bool =
      ParseLoggingConfiguration(Config(R"({"level":"OFF","includeExecutionData":"yes"})"));
  ASSERT_FALSE(not_bool.has_value());
  EXPECT_EQ(not_bool.error().code, "ValidationException");
}

TEST(LogSettingsTest, LevelsKeepTheirEvents) {
  LogSettings all{LogLevel::kAll, true, kGroup};
  LogSettings error{LogLevel::kError, true, kGroup};
  LogSettings fatal{LogLevel::kFatal, true, kGroup};
  EXPECT_TRUE(all.Logs("PassStateEntered"));
  EXPECT_FALSE(error.Logs("PassStateEntered"));
  EXPECT_TRUE(error.Logs("TaskFailed"));
  EXPECT_TRUE(error.Logs("ExecutionFailed"));
  EXPECT_FALSE(fatal.Logs("TaskFailed"));
  EXPECT_TRUE(fatal.Logs("ExecutionTimedOut"));
  EXPECT_EQ(LogSettingsOf(R"({"level":"OFF","includeExecutionData":false})"), nullptr);
  auto settings = LogSettingsOf(
      std::string(
          R"({"level":"ERROR","destinations":[{"cloudWatchLogsLogGroup":{"logGroupArn":")") +
      kGroup + R"("}}]})");
  ASSERT_NE(settings, nullptr);
  EXPECT_EQ(settings->level, LogLevel::kError);
}

model::HistoryEvent Started() {
  model::HistoryEvent event;
  event.id = 1;
  event.previous_event_id = 0;
  event.timestamp = base::FromUnixMillis(1700000000123);
  event.type = "ExecutionStarted";
  event.details_key = "executionStartedEventDetails";
  event.details["input"] = R"({"a":1})";
  event.details["inputDetails"] = model::RawJson{R"({"truncated":false})"};
  event.details["roleArn"] = "arn:aws:iam::123456789012:role/r";
  return event;
}

TEST(LogRecordTest, HasAwsRecordFieldsAndDropsDataWhenAsked) {
  LogSettings with_data{LogLevel::kAll, true, kGroup};
  Json record = *json::Parse(LogRecord(with_data, Started(), "arn:x", 0));
  EXPECT_EQ(record["id"], "1");
  EXPECT_EQ(record["type"], "ExecutionStarted");
  EXPECT_EQ(record["previous_event_id"], "0");
  EXPECT_EQ(record["event_timestamp"], "1700000000123");
  EXPECT_EQ(record["execution_arn"], "arn:x");
  EXPECT_EQ(record["redrive_count"], "0");
  EXPECT_EQ(record["details"]["input"], R"({"a":1})");

  LogSettings without_data{LogLevel::kAll, false, kGroup};
  Json bare = *json::Parse(LogRecord(without_data, Started(), "arn:x", 2));
  EXPECT_FALSE(bare["details"].contains("input"));
  EXPECT_EQ(bare["details"]["roleArn"], "arn:aws:iam::123456789012:role/r");
  EXPECT_EQ(bare["redrive_count"], "2");

  model::HistoryEvent no_details;
  no_details.id = 2;
  no_details.type = "MapStateSucceeded";
  EXPECT_EQ((*json::Parse(LogRecord(with_data, no_details, "arn:x", 0)))["details"],
            Json::object());
}

TEST(ExecutionLogWriterTest, AppendsOneLinePerLoggedEventToTheGroupsFile) {
  const std::string dir = testing::TempDir() + "/fs_execution_log_test";
  std::filesystem::remove_all(dir);
  ExecutionLogWriter writer(dir);
  LogSettings fatal{LogLevel::kFatal, true, kGroup};
  model::HistoryEvent failed;
  failed.id = 2;
  failed.previous_event_id = 1;
  failed.type = "ExecutionFailed";
  failed.details["error"] = "E";
  writer.Write(fatal, {Started(), failed}, "arn:x", 0);
  writer.Write(fatal, {failed}, "arn:y", 0);
  const std::string path = writer.PathFor(kGroup);
  EXPECT_EQ(std::filesystem::path(path).filename(), "_aws_states_demo.log");
  std::ifstream in(path);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    Json record = *json::Parse(line);
    EXPECT_EQ(record["type"], "ExecutionFailed");
    EXPECT_EQ(record["details"]["error"], "E");
    ++lines;
  }
  EXPECT_EQ(lines, 2);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace flowstate::runtime
