// ExecutionSnapshot is the engine state of one execution between two engine::Advance calls
// (ARCHITECTURE.md §3): identity, counters and a flat list of frames forming a tree (the root,
// one frame per running Parallel branch and per running Map iteration). Plain value; persisted
// as versioned JSON ("v": 1) by ToJson/FromJson.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "json/json.h"
#include "model/execution_info.h"
#include "model/execution_status.h"

namespace flowstate::model {

// What a frame is doing. The engine resumes a frame according to its phase.
enum class FramePhase : uint8_t {
  kEnter,         // about to enter `state` with `input` (nothing emitted yet)
  kWaitTimer,     // Wait state: timer `stamp` pending
  kWaitTask,      // Task: outbound task `stamp` pending (+ timeout timer `timeout_stamp`)
  kRetryBackoff,  // Retry: timer `stamp` pending, then the state runs again
  kWaitChildren,  // Parallel/Map: child frames running
  kDone,          // the scope ended: `input` holds its output
  kFailed,        // the scope failed: `error`/`cause`
  kFree,          // slot unused (reusable)
};

struct Frame {
  int32_t parent = -1;      // index in ExecutionSnapshot::frames; -1 for the root
  int32_t scope = 0;        // asl::ScopeIndex
  int32_t state = -1;       // asl::StateIndex of the current state
  int32_t child_index = 0;  // branch number or Map iteration index within the parent
  FramePhase phase = FramePhase::kEnter;

  json::Json input;                   // the current state's raw input (kDone: the scope's output)
  int64_t entered_event_id = 0;       // the current state's ...StateEntered event id
  int64_t last_event_id = 0;          // previousEventId of this frame's next event
  base::Timestamp entered_time{};     // $$.State.EnteredTime
  std::vector<int32_t> retry_counts;  // per retrier of the current state
  int32_t retry_count = 0;            // $$.State.RetryCount (attempts retried so far)
  uint64_t stamp = 0;                 // pending timer / task
  uint64_t timeout_stamp = 0;         // pending task timeout timer
  json::Json effective_input;         // Task: effective input sent; Map: the item list
  // Activities and `.waitForTaskToken` tasks (kWaitTask).
  std::string task_token;                // what SendTask* names; empty for other tasks
  bool task_started = false;             // ActivityStarted / TaskSubmitted recorded
  int64_t heartbeat_seconds = 0;         // 0: no HeartbeatSeconds
  uint64_t heartbeat_stamp = 0;          // pending heartbeat timer
  base::Timestamp heartbeat_deadline{};  // moved by every SendTaskHeartbeat
  // Workflow variables declared in this frame's scope (object name -> value; null: none).
  // Inner frames read their ancestors' variables too (engine/variables.cc).
  json::Json variables;

  // Parallel/Map bookkeeping (kWaitChildren).
  std::vector<json::Json> results;  // per branch / iteration, in order
  int32_t next_child = 0;           // next Map iteration to start
  int32_t running_children = 0;
  int32_t failed_children = 0;
  int32_t max_concurrency = 0;  // resolved for this Map run (0 = unlimited)
  std::string error;            // kFailed, or the first child failure of a Parallel/Map
  std::string cause;
  bool has_child_error = false;
  // Parallel/Map: children that failed or were aborted and are kept (phase kFailed) until the
  // state's outcome is known: released when it succeeds, retries or is caught; kept in the
  // terminal snapshot when its failure ends the execution, so a redrive reruns only them.
  int32_t parked_children = 0;
  bool pumping = false;  // transient (not persisted): the engine is starting children
  // Transient (not persisted): `input`'s compact text as a quoted JSON string, as history embeds
  // it, when the engine already has it (the previous state's Exited output), so the Entered
  // event does not serialize it again.
  std::string input_text;
  // Transient (not persisted): `input`'s compact text size when the engine measured it (the
  // previous state's output), else 0. Bounds what an output built in the input may grow to.
  size_t input_bytes = 0;
};

struct ExecutionSnapshot {
  static constexpr int kVersion = 1;

  ExecutionInfo info;
  json::Json execution_input;  // $$.Execution.Input
  ExecutionStatus status = ExecutionStatus::kRunning;
  int64_t next_event_id = 1;
  uint64_t next_stamp = 1;
  uint64_t execution_timeout_stamp = 0;
  uint64_t map_run_counter = 0;
  int64_t variable_bytes = 0;  // JSON size of all live variables (names + values): 10 MiB cap  //
                               // distinguishes Map Run ARNs within the execution
  std::vector<Frame> frames;   // frames[0] is the root once started
  std::vector<int32_t> free_frames;

  json::Json ToJson() const;
  static base::Result<ExecutionSnapshot> FromJson(const json::Json& value);
};

}  // namespace flowstate::model
