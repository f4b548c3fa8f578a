// The records the Store keeps for the Step Functions API: state machines (with every revision an
// execution may still run) and executions. Plain values; JSON payloads are kept as the JSON text
// the API returns, so reads need no re-serialization.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "model/execution_info.h"
#include "model/execution_status.h"

namespace flowstate::store {

struct StateMachineRecord {
  std::string arn;
  std::string name;
  std::string definition;  // as the client sent it (DescribeStateMachine returns it verbatim)
  std::string role_arn;
  model::WorkflowType type = model::WorkflowType::kStandard;
  std::string revision_id;                   // changes on every UpdateStateMachine
  std::string logging_configuration = "{}";  // JSON text, as Describe returns it
  std::string tracing_configuration = "{}";  // JSON text
  std::string description;
  base::Timestamp creation_date{};
  base::Timestamp update_date{};  // == creation_date until the first update
};

// State machine records are immutable once stored (an update stores a new one), so readers on
// the hot path (every StartExecution) share them instead of copying the definition text.
using StateMachinePtr = std::shared_ptr<const StateMachineRecord>;

// Catalog kinds (Store::*CatalogEntry): the API's smaller resources, each a JSON text by key.
inline constexpr std::string_view kActivityCatalog = "activity";  // key: activity ARN
inline constexpr std::string_view kTagCatalog = "tags";           // key: resource ARN
// Versions: key `<state machine ARN>:<N as 10 digits>` (sorted by N); the last N handed out per
// state machine (numbers are never reused); aliases: key = alias ARN.
inline constexpr std::string_view kVersionCatalog = "version";
inline constexpr std::string_view kVersionCounterCatalog = "version-counter";
inline constexpr std::string_view kAliasCatalog = "alias";

struct CatalogEntry {
  std::string key;
  std::string value;  // JSON text
};

// A RedriveExecution clientToken and the redrive it made.
struct RedriveToken {
  std::string token;
  base::Timestamp redrive_date{};
};
// AWS answers idempotently for the last 10 client tokens of an execution.
inline constexpr size_t kRememberedRedriveTokens = 10;

struct ExecutionRecord {
  std::string arn;
  std::string name;
  std::string state_machine_arn;
  std::string revision_id;  // the revision the execution runs, fixed at start
  model::WorkflowType type = model::WorkflowType::kStandard;
  model::ExecutionStatus status = model::ExecutionStatus::kRunning;
  std::string input = "{}";           // JSON text
  std::optional<std::string> output;  // JSON text, when SUCCEEDED
  std::optional<std::string> error;
  std::optional<std::string> cause;
  std::string trace_header;
  base::Timestamp start_date{};
  std::optional<base::Timestamp> stop_date;
  int64_t version = 0;  // committed transitions; a Transition must name the current one
  // Started through a version or an alias (StartExecution on a qualified ARN): the version it
  // runs and the alias it came through; empty otherwise. ListExecutions filters on them.
  std::string state_machine_version_arn;
  std::string state_machine_alias_arn;
  // RedriveExecution: how often, when last, and the client tokens of the recent redrives (the
  // API answers a repeated token with the redrive it made).
  int64_t redrive_count = 0;
  std::optional<base::Timestamp> redrive_date;
  std::vector<RedriveToken> redrive_tokens;  // oldest first, at most kRememberedRedriveTokens
  // The store holds the execution's snapshot: once it ended, the terminal one a redrive
  // continues from (executions ended before Flowstate kept it have none).
  bool has_snapshot = false;
};

// The identity `execution` started with ($$.Execution, $$.StateMachine, ExecutionStarted):
// from its record and the revision it runs. Its redrive count is the start's, 0.
model::ExecutionInfo ExecutionInfoAtStart(const ExecutionRecord& execution,
                                          const StateMachineRecord& revision);

}  // namespace flowstate::store
