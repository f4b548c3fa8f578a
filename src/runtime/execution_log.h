// Execution logging (AWS-REFERENCE.md §10): a state machine's LoggingConfiguration sends the
// history events of its executions, filtered by level, to a CloudWatch Logs group. Flowstate
// writes them as JSON lines, one per event, in AWS's log record shape, to one file per log group
// (or to stdout). This is how Express executions, which keep no history, can be followed.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "json/json.h"
#include "model/history_event.h"

namespace flowstate::runtime {

enum class LogLevel { kOff, kAll, kError, kFatal };

// A state machine's LoggingConfiguration, checked.
struct LogSettings {
  LogLevel level = LogLevel::kOff;
  bool include_execution_data = false;
  std::string log_group_arn;  // arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*

  // Whether an event of this type is logged at this level.
  bool Logs(std::string_view event_type) const;
};

// Why a LoggingConfiguration is refused: `code` is the AWS error name (ValidationException or
// InvalidLoggingConfiguration) and `message` its text.
struct LoggingConfigurationError {
  std::string code;
  std::string message;
};

// Checks a LoggingConfiguration as CreateStateMachine/UpdateStateMachine do.
tl::expected<LogSettings, LoggingConfigurationError> ParseLoggingConfiguration(
    const json::Json& configuration);

// The settings of a stored configuration (JSON text, already checked), or null when it logs
// nothing: what an execution carries.
std::shared_ptr<const LogSettings> LogSettingsOf(std::string_view configuration_text);

// One log record (a JSON line without its newline), as CloudWatch Logs receives it from AWS:
// {"id","type","details","previous_event_id","event_timestamp","execution_arn","redrive_count"}.
std::string LogRecord(const LogSettings& settings, const model::HistoryEvent& event,
                      std::string_view execution_arn, int64_t redrive_count);

// Appends log records to `<directory>/<log group name>.log` (the name made file-safe), or to
// stdout when the directory is "-". Thread-safe; each record is written whole.
class ExecutionLogWriter {
 public:
  explicit ExecutionLogWriter(std::string directory);
  ~ExecutionLogWriter();
  ExecutionLogWriter(const ExecutionLogWriter&) = delete;
  ExecutionLogWriter& operator=(const ExecutionLogWriter&) = delete;

  void Write(const LogSettings& settings, const std::vector<model::HistoryEvent>& events,
             std::string_view execution_arn, int64_t redrive_count);

  // The file a log group's records go to (empty for stdout).
  std::string PathFor(std::string_view log_group_arn) const;

 private:
  std::FILE* FileFor(const std::string& log_group_arn);  // REQUIRES: mu_ held

  const std::string directory_;
  std::mutex mu_;
  std::unordered_map<std::string, std::FILE*> files_;
};

}  // namespace flowstate::runtime
