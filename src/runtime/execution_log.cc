#include "runtime/execution_log.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>

#include "base/clock.h"
#include "json/compact_text.h"

namespace flowstate::runtime {
namespace {

// AWS-REFERENCE.md §10: what ERROR and FATAL keep.
constexpr std::array<std::string_view, 20> kErrorEvents = {"ExecutionAborted",
                                                           "ExecutionFailed",
                                                           "ExecutionTimedOut",
                                                           "FailStateEntered",
                                                           "LambdaFunctionFailed",
                                                           "LambdaFunctionScheduleFailed",
                                                           "LambdaFunctionStartFailed",
                                                           "LambdaFunctionTimedOut",
                                                           "MapIterationAborted",
                                                           "MapIterationFailed",
                                                           "MapStateAborted",
                                                           "MapStateFailed",
                                                           "ParallelStateAborted",
                                                           "ParallelStateFailed",
                                                           "TaskFailed",
                                                           "TaskStartFailed",
                                                           "TaskStateAborted",
                                                           "TaskSubmitFailed",
                                                           "TaskTimedOut",
                                                           "WaitStateAborted"};
constexpr std::array<std::string_view, 3> kFatalEvents = {"ExecutionAborted", "ExecutionFailed",
                                                          "ExecutionTimedOut"};

tl::unexpected<LoggingConfigurationError> Invalid(std::string why) {
  return tl::unexpected(LoggingConfigurationError{"InvalidLoggingConfiguration",
                                                  "Invalid Logging Configuration: " + why});
}

tl::unexpected<LoggingConfigurationError> ValidationError(std::string why) {
  return tl::unexpected(LoggingConfigurationError{"ValidationException", std::move(why)});
}

// arn:aws:logs:REGION:ACCOUNT:log-group:NAME:* -> NAME ("" when the ARN is not of that form).
std::string_view LogGroupName(std::string_view arn) {
  constexpr std::string_view kPrefix = "arn:aws:logs:";
  if (!arn.starts_with(kPrefix)) return {};
  size_t marker = arn.find(":log-group:");
  if (marker == std::string_view::npos) return {};
  std::string_view name = arn.substr(marker + std::string_view(":log-group:").size());
  if (!name.ends_with(":*")) return {};
  return name.substr(0, name.size() - 2);
}

}  // namespace

bool LogSettings::Logs(std::string_view event_type) const {
  switch (level) {
    case LogLevel::kOff:
      return false;
    case LogLevel::kAll:
      return true;
    case LogLevel::kError:
      return std::find(kErrorEvents.begin(), kErrorEvents.end(), event_type) != kErrorEvents.end();
    case LogLevel::kFatal:
      return std::find(kFatalEvents.begin(), kFatalEvents.end(), event_type) != kFatalEvents.end();
  }
  return false;
}

tl::expected<LogSettings, LoggingConfigurationError> ParseLoggingConfiguration(
    const json::Json& configuration) {
  LogSettings settings;
  if (!configuration.is_object()) {
    return ValidationError("Invalid loggingConfiguration: must be an object");
  }
  if (auto level = configuration.find("level"); level != configuration.end()) {
    const std::string text = level->is_string() ? level->get<std::string>() : json::Dump(*level);
    if (text == "ALL") {
      settings.level = LogLevel::kAll;
    } else if (text == "ERROR") {
      settings.level = LogLevel::kError;
    } else if (text == "FATAL") {
      settings.level = LogLevel::kFatal;
    } else if (text != "OFF") {
      return ValidationError("1 validation error detected: Value '" + text +
                             "' at 'loggingConfiguration.level' failed to satisfy constraint: "
                             "Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]");
    }
  }
  if (auto data = configuration.find("includeExecutionData"); data != configuration.end()) {
    if (!data->is_boolean()) {
      return ValidationError(
          "Invalid loggingConfiguration: includeExecutionData must be a boolean");
    }
    settings.include_execution_data = data->get<bool>();
  }
  auto destinations = configuration.find("destinations");
  const bool has_destinations =
      destinations != configuration.end() && destinations->is_array() && !destinations->empty();
  if (destinations != configuration.end() && !destinations->is_array()) {
    return ValidationError("Invalid loggingConfiguration: destinations must be a list");
  }
  if (has_destinations && destinations->size() > 1) {
    return Invalid("Must specify exactly one Log Destination.");
  }
  if (has_destinations) {
    const json::Json& destination = destinations->front();
    const json::Json* arn = nullptr;
    if (destination.is_object()) {
      auto group = destination.find("cloudWatchLogsLogGroup");
      if (group != destination.end() && group->is_object()) {
        auto found = group->find("logGroupArn");
        if (found != group->end() && found->is_string()) arn = &*found;
      }
    }
    if (arn == nullptr) {
      return Invalid("Must specify exactly one Log Destination.");
    }
    settings.log_group_arn = arn->get<std::string>();
    if (!settings.log_group_arn.ends_with(":*")) {
      return Invalid("Log Group ARN must be provided with '*' qualifier.");
    }
    if (LogGroupName(settings.log_group_arn).empty()) {
      return Invalid("Invalid Log Group ARN: '" + settings.log_group_arn + "'");
    }
  } else if (settings.level != LogLevel::kOff) {
    return Invalid("Must specify exactly one Log Destination.");
  }
  return settings;
}

std::shared_ptr<const LogSettings> LogSettingsOf(std::string_view configuration_text) {
  // Most state machines log nothing: spare them the parse.
  if (configuration_text.empty() ||
      configuration_text.find("\"level\":\"OFF\"") != std::string_view::npos) {
    return nullptr;
  }
  auto parsed = json::Parse(configuration_text);
  if (!parsed) return nullptr;
  auto settings = ParseLoggingConfiguration(*parsed);
  if (!settings || settings->level == LogLevel::kOff) return nullptr;
  return std::make_shared<const LogSettings>(std::move(*settings));
}

std::string LogRecord(const LogSettings& settings, const model::HistoryEvent& event,
                      std::string_view execution_arn, int64_t redrive_count) {
  std::string out;
  out.reserve(160 + event.details.text().size() + execution_arn.size());
  out += "{\"id\":\"" + std::to_string(event.id) + "\",\"type\":";
  json::AppendQuoted(event.type, out);
  out += ",\"details\":";
  if (event.details.is_null()) {
    out += "{}";
  } else if (settings.include_execution_data) {
    out += event.details.text();
  } else {
    json::Json details = event.details.ToJson();
    if (details.is_object()) {
      details.erase("input");
      details.erase("output");
      details.erase("parameters");
    }
    json::AppendCompactText(details, out);
  }
  out += ",\"previous_event_id\":\"" + std::to_string(event.previous_event_id) + "\"";
  out += ",\"event_timestamp\":\"" + std::to_string(base::ToUnixMillis(event.timestamp)) + "\"";
  out += ",\"execution_arn\":";
  json::AppendQuoted(execution_arn, out);
  out += ",\"redrive_count\":\"" + std::to_string(redrive_count) + "\"}";
  return out;
}

ExecutionLogWriter::ExecutionLogWriter(std::string directory) : directory_(std::move(directory)) {}

ExecutionLogWriter::~ExecutionLogWriter() {
  for (auto& [arn, file] : files_) {
    if (file != nullptr) std::fclose(file);
  }
}

std::string ExecutionLogWriter::PathFor(std::string_view log_group_arn) const {
  if (directory_ == "-") return "";
  std::string name(LogGroupName(log_group_arn));
  for (char& c : name) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    if (!safe) c = '_';
  }
  if (name.empty() || name == "." || name == "..") name = "_";
  return directory_ + "/" + name + ".log";
}

std::FILE* ExecutionLogWriter::FileFor(const std::string& log_group_arn) {
  if (directory_ == "-") return stdout;
  auto found = files_.find(log_group_arn);
  if (found != files_.end()) return found->second;
  std::error_code ignored;
  std::filesystem::create_directories(directory_, ignored);
  const std::string path = PathFor(log_group_arn);
  std::FILE* file = std::fopen(path.c_str(), "a");
  if (file == nullptr) {
    std::fprintf(stderr, "flowstate: cannot open execution log %s\n", path.c_str());
  }
  files_.emplace(log_group_arn, file);  // a failed open is not retried per event
  return file;
}

void ExecutionLogWriter::Write(const LogSettings& settings,
                               const std::vector<model::HistoryEvent>& events,
                               std::string_view execution_arn, int64_t redrive_count) {
  std::string lines;
  for (const model::HistoryEvent& event : events) {
    if (!settings.Logs(event.type)) continue;
    lines += LogRecord(settings, event, execution_arn, redrive_count);
    lines += '\n';
  }
  if (lines.empty()) return;
  std::lock_guard lock(mu_);
  std::FILE* file = FileFor(settings.log_group_arn);
  if (file == nullptr) return;
  std::fwrite(lines.data(), 1, lines.size(), file);
  std::fflush(file);
}

}  // namespace flowstate::runtime
