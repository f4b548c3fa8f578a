// Test-only driver: runs one execution to its end in-process with a manual clock, firing
// timers by moving time forward (no sleeps) and answering tasks with a caller-supplied
// function. Header-only so every engine test can use it.
#pragma once

#include <algorithm>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "asl/model_builder.h"
#include "asl/state_machine_model.h"
#include "base/rng.h"
#include "engine/advance.h"
#include "json/json.h"
#include "model/execution_snapshot.h"
#include "model/input.h"

namespace flowstate::engine::testing {

struct DriveResult {
  std::optional<model::Terminal> terminal;
  std::vector<model::HistoryEvent> events;
  std::string problem;  // set when the driver gave up (no progress, too many steps)
  int64_t advances = 0;
};

// Answers an outbound task: returns the Input (kTaskSucceeded/kTaskFailed, stamp filled in by
// the driver), or nullopt to leave it unanswered. An answer whose `info.start_time` is after
// the epoch is delivered that long after the call (FromUnixMillis(60000): 60 s of simulated
// time later) instead of at once: a slow function.
using TaskAnswer = std::function<std::optional<model::Input>(const model::OutboundTask&)>;

inline model::ExecutionInfo TestExecutionInfo(base::Timestamp start) {
  model::ExecutionInfo info;
  info.state_machine_name = "TestStateMachine";
  info.state_machine_arn = "arn:aws:states:us-east-1:111111111111:stateMachine:TestStateMachine";
  info.execution_name = "test-execution";
  info.execution_arn =
      "arn:aws:states:us-east-1:111111111111:execution:TestStateMachine:test-execution";
  info.role_arn = "arn:aws:iam::000000000000:role/sfn";
  info.start_time = start;
  return info;
}

// A Start input with the test execution's identity, started at `now`.
inline model::Input StartInput(const json::Json& payload, base::Timestamp now) {
  model::Input input;
  input.kind = model::InputKind::kStart;
  input.payload = payload;
  input.info = TestExecutionInfo(now);
  return input;
}

// The model of a definition the test expects to be valid (a failure is reported, and null
// returned).
inline std::shared_ptr<const asl::StateMachineModel> BuildModel(const std::string& text) {
  auto parsed = json::Parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  if (!parsed) return nullptr;
  auto model = asl::BuildModel(*parsed);
  EXPECT_TRUE(model.has_value()) << (model ? "" : model.error().message());
  return model ? *model : nullptr;
}

inline std::vector<std::string> EventTypes(const std::vector<model::HistoryEvent>& events) {
  std::vector<std::string> types;
  for (const auto& event : events) types.emplace_back(event.type);
  return types;
}

// Applies `first` to `snapshot` at `now` and drives the execution on to its end (a redrive:
// the terminal snapshot of an earlier Drive and a kRedrive input).
inline DriveResult DriveFrom(const asl::StateMachineModel& model,
                             model::ExecutionSnapshot& snapshot, model::Input first,
                             base::Timestamp now, const TaskAnswer& answer = nullptr,
                             int64_t max_advances = 100000, AdvanceOptions options = {}) {
  DriveResult result;
  base::Rng rng(42);
  std::vector<model::TimerRequest> timers;
  std::deque<model::Input> pending;                               // task answers to deliver
  std::vector<std::pair<base::Timestamp, model::Input>> delayed;  // slow task answers
  model::Input next = std::move(first);
  while (true) {
    if (++result.advances > max_advances) {
      result.problem = "too many Advance calls";
      return result;
    }
    Outcome outcome = Advance(model, snapshot, model::Input(next), now, rng, options);
    for (auto& event : outcome.events) {
      result.events.push_back(std::move(event));
    }
    if (outcome.terminal) {
      result.terminal = std::move(outcome.terminal);
      return result;
    }
    for (const auto& timer : outcome.timers) {
      timers.push_back(timer);
    }
    for (const auto& task : outcome.tasks) {
      if (!answer) {
        result.problem = "unexpected task for " + task.resource;
        return result;
      }
      std::optional<model::Input> reply = answer(task);
      if (reply) {
        reply->stamp = task.stamp;
        int64_t delay_ms = base::ToUnixMillis(reply->info.start_time);
        if (delay_ms > 0) {
          base::Timestamp at = now + std::chrono::milliseconds(delay_ms);
          reply->info = model::ExecutionInfo();
          delayed.emplace_back(at, std::move(*reply));
        } else {
          pending.push_back(std::move(*reply));
        }
      }
    }
    if (outcome.more_work) {
      next = model::Input();
      next.kind = model::InputKind::kTimerFired;
      next.stamp = 0;
      continue;
    }
    if (!pending.empty()) {
      next = std::move(pending.front());
      pending.pop_front();
      continue;
    }
    if (timers.empty() && delayed.empty()) {
      result.problem = "execution blocked with nothing pending";
      return result;
    }
    auto earliest = std::min_element(
        timers.begin(), timers.end(),
        [](const auto& lhs, const auto& rhs) { return lhs.fire_at < rhs.fire_at; });
    auto slow =
        std::min_element(delayed.begin(), delayed.end(),
                         [](const auto& lhs, const auto& rhs) { return lhs.first < rhs.first; });
    if (slow != delayed.end() && (earliest == timers.end() || slow->first < earliest->fire_at)) {
      now = std::max(now, slow->first);
      next = std::move(slow->second);
      delayed.erase(slow);
      continue;
    }
    now = std::max(now, earliest->fire_at);
    next = model::Input();
    next.kind = model::InputKind::kTimerFired;
    next.stamp = earliest->stamp;
    timers.erase(earliest);
  }
}

inline DriveResult Drive(const asl::StateMachineModel& model, const json::Json& input,
                         const TaskAnswer& answer = nullptr, int64_t max_advances = 100000,
                         AdvanceOptions options = {}, model::ExecutionSnapshot* end = nullptr) {
  const base::Timestamp now = base::FromUnixMillis(1700000000000);
  model::ExecutionSnapshot snapshot;
  model::Input start;
  start.kind = model::InputKind::kStart;
  start.payload = input;
  start.info = TestExecutionInfo(now);
  DriveResult result = DriveFrom(model, end != nullptr ? *end : snapshot, std::move(start), now,
                                 answer, max_advances, std::move(options));
  return result;
}

}  // namespace flowstate::engine::testing
