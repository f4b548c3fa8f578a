#include "store/memory/memory_store.h"

#include <algorithm>
#include <charconv>
#include <utility>

namespace flowstate::store {
namespace {

std::optional<int64_t> ParseCursor(const std::string& token) {
  int64_t value = 0;
  const char* end = token.data() + token.size();
  auto [ptr, ec] = std::from_chars(token.data(), end, value);
  if (ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

base::Status MemoryStore::CreateStateMachine(const StateMachineRecord& record) {
  std::lock_guard lock(mu_);
  if (state_machines_.contains(record.name)) {
    return base::Status::AlreadyExists("State Machine Already Exists: '" + record.arn + "'");
  }
  auto stored = std::make_shared<const StateMachineRecord>(record);
  state_machines_.emplace(record.name, stored);
  name_by_arn_.emplace(record.arn, record.name);
  revisions_.emplace(record.revision_id, std::move(stored));
  return base::Status::Ok();
}

base::Result<StateMachinePtr> MemoryStore::GetStateMachine(std::string_view arn) {
  std::lock_guard lock(mu_);
  auto name = name_by_arn_.find(std::string(arn));
  if (name == name_by_arn_.end()) {
    return base::Err(
        base::Status::NotFound("State Machine Does Not Exist: '" + std::string(arn) + "'"));
  }
  return state_machines_.find(name->second)->second;
}

base::Status MemoryStore::UpdateStateMachine(const StateMachineRecord& record) {
  std::lock_guard lock(mu_);
  auto it = state_machines_.find(record.name);
  if (it == state_machines_.end() || it->second->arn != record.arn) {
    return base::Status::NotFound("State Machine Does Not Exist: '" + record.arn + "'");
  }
  it->second = std::make_shared<const StateMachineRecord>(record);
  revisions_.insert_or_assign(record.revision_id, it->second);
  return base::Status::Ok();
}

base::Status MemoryStore::DeleteStateMachine(std::string_view arn) {
  std::lock_guard lock(mu_);
  auto name = name_by_arn_.find(std::string(arn));
  if (name == name_by_arn_.end()) {
    return base::Status::NotFound("State Machine Does Not Exist: '" + std::string(arn) + "'");
  }
  // Revisions stay: executions that are still running (or described) refer to them.
  state_machines_.erase(name->second);
  name_by_arn_.erase(name);
  return base::Status::Ok();
}

base::Result<Page<StateMachineRecord>> MemoryStore::ListStateMachines(const PageRequest& page) {
  std::lock_guard lock(mu_);
  Page<StateMachineRecord> result;
  auto it = page.token.empty() ? state_machines_.begin() : state_machines_.upper_bound(page.token);
  for (; it != state_machines_.end(); ++it) {
    if (static_cast<int>(result.items.size()) == page.size()) {
      result.next_token = result.items.back().name;
      break;
    }
    result.items.push_back(*it->second);
  }
  return result;
}

base::Result<StateMachinePtr> MemoryStore::GetRevision(std::string_view revision_id) {
  std::lock_guard lock(mu_);
  auto it = revisions_.find(std::string(revision_id));
  if (it == revisions_.end()) {
    return base::Err(base::Status::NotFound("Unknown revision: " + std::string(revision_id)));
  }
  return it->second;
}

base::Result<StartResult> MemoryStore::StartExecution(const ExecutionRecord& record) {
  std::lock_guard lock(mu_);
  auto existing = executions_.find(record.arn);
  if (existing != executions_.end()) {
    const ExecutionRecord& old = existing->second->record;
    // AWS: a repeat of a RUNNING start with the same input is idempotent.
    if (old.status == model::ExecutionStatus::kRunning && old.input == record.input) {
      return StartResult{old, false};
    }
    return base::Err(base::Status::AlreadyExists("Execution Already Exists: '" + record.arn + "'"));
  }
  auto stored = std::make_unique<StoredExecution>();
  stored->record = record;
  stored->sequence = next_sequence_++;
  executions_by_machine_[record.state_machine_arn].emplace(stored->sequence, record.arn);
  StartResult result{stored->record, true};
  executions_.emplace(record.arn, std::move(stored));
  return result;
}

base::Result<ExecutionRecord> MemoryStore::GetExecution(std::string_view arn) {
  std::lock_guard lock(mu_);
  auto it = executions_.find(std::string(arn));
  if (it == executions_.end()) {
    return base::Err(
        base::Status::NotFound("Execution Does Not Exist: '" + std::string(arn) + "'"));
  }
  return it->second->record;
}

base::Result<Page<ExecutionRecord>> MemoryStore::ListExecutions(const ExecutionFilter& filter,
                                                                const PageRequest& page) {
  std::lock_guard lock(mu_);
  Page<ExecutionRecord> result;
  auto machine = executions_by_machine_.find(filter.state_machine_arn);
  if (machine == executions_by_machine_.end()) {
    return result;
  }
  const auto& by_sequence = machine->second;
  auto it = by_sequence.rbegin();
  if (!page.token.empty()) {
    auto cursor = ParseCursor(page.token);
    if (!cursor) {
      return base::Err(base::Status::InvalidArgument("Invalid page token"));
    }
    it = std::make_reverse_iterator(by_sequence.lower_bound(*cursor));
  }
  for (; it != by_sequence.rend(); ++it) {
    const StoredExecution& stored = *executions_.at(it->second);
    if (filter.status && stored.record.status != *filter.status) {
      continue;
    }
    if ((!filter.version_arn.empty() &&
         stored.record.state_machine_version_arn != filter.version_arn) ||
        (!filter.alias_arn.empty() && stored.record.state_machine_alias_arn != filter.alias_arn) ||
        (filter.redriven && (stored.record.redrive_count > 0) != *filter.redriven)) {
      continue;
    }
    if (static_cast<int>(result.items.size()) == page.size()) {
      result.next_token = std::to_string(it->first + 1);
      break;
    }
    result.items.push_back(stored.record);
  }
  return result;
}

base::Result<Page<model::HistoryEvent>> MemoryStore::GetHistory(std::string_view execution_arn,
                                                                const PageRequest& page,
                                                                bool reverse) {
  std::lock_guard lock(mu_);
  auto it = executions_.find(std::string(execution_arn));
  if (it == executions_.end()) {
    return base::Err(
        base::Status::NotFound("Execution Does Not Exist: '" + std::string(execution_arn) + "'"));
  }
  const auto& history = it->second->history;
  const auto total = static_cast<int64_t>(history.size());
  int64_t skip = 0;  // events already returned by earlier pages
  if (!page.token.empty()) {
    auto cursor = ParseCursor(page.token);
    if (!cursor || *cursor < 0 || *cursor > total) {
      return base::Err(base::Status::InvalidArgument("Invalid page token"));
    }
    skip = *cursor;
  }
  Page<model::HistoryEvent> result;
  const int64_t count = std::min<int64_t>(page.size(), total - skip);
  result.items.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const int64_t index = reverse ? total - 1 - skip - i : skip + i;
    result.items.push_back(history[static_cast<size_t>(index)]);
  }
  if (skip + count < total) {
    result.next_token = std::to_string(skip + count);
  }
  return result;
}

base::Result<std::vector<ExecutionRecord>> MemoryStore::RunningExecutions() {
  std::lock_guard lock(mu_);
  std::vector<ExecutionRecord> running;
  for (const auto& [arn, stored] : executions_) {
    if (stored->record.status == model::ExecutionStatus::kRunning) {
      running.push_back(stored->record);
    }
  }
  return running;
}

base::Result<ExecutionState> MemoryStore::LoadExecutionState(std::string_view arn) {
  std::lock_guard lock(mu_);
  auto it = executions_.find(std::string(arn));
  if (it == executions_.end()) {
    return base::Err(
        base::Status::NotFound("Execution Does Not Exist: '" + std::string(arn) + "'"));
  }
  const StoredExecution& stored = *it->second;
  ExecutionState state;
  state.record = stored.record;
  state.snapshot = stored.snapshot;
  for (const auto& [stamp, fire_at] : stored.timers) {
    state.timers.push_back(TimerRow{stamp, fire_at});
  }
  std::stable_sort(state.timers.begin(), state.timers.end(),
                   [](const TimerRow& a, const TimerRow& b) { return a.fire_at < b.fire_at; });
  for (const auto& [stamp, item] : stored.outbox) {
    state.outbox.push_back(item);
  }
  return state;
}

base::Result<std::vector<DueTimer>> MemoryStore::TimersDue(base::Timestamp after,
                                                           base::Timestamp until) {
  std::lock_guard lock(mu_);
  std::vector<DueTimer> due;
  for (const auto& [arn, stored] : executions_) {
    for (const auto& [stamp, fire_at] : stored->timers) {
      if (fire_at > after && fire_at <= until) {
        due.push_back(DueTimer{arn, stamp, fire_at});
      }
    }
  }
  std::sort(due.begin(), due.end(),
            [](const DueTimer& a, const DueTimer& b) { return a.fire_at < b.fire_at; });
  return due;
}

CommitResult MemoryStore::Apply(Transition& transition) {
  auto it = executions_.find(transition.execution_arn);
  if (it == executions_.end()) {
    return CommitResult::kNotFound;
  }
  StoredExecution& stored = *it->second;
  if (stored.record.version != transition.expected_version) {
    return CommitResult::kVersionConflict;
  }
  stored.record.version++;
  for (auto& event : transition.events) {
    stored.history.push_back(std::move(event));
  }
  if (transition.snapshot) {
    stored.snapshot = std::move(transition.snapshot);
    stored.record.has_snapshot = true;
  }
  for (const uint64_t stamp : transition.answered) {
    stored.timers.erase(stamp);
    stored.outbox.erase(stamp);
  }
  for (const TimerRow& timer : transition.timers) {
    stored.timers[timer.stamp] = timer.fire_at;
  }
  for (OutboxRow& item : transition.outbox) {
    const uint64_t stamp = item.stamp;
    stored.outbox[stamp] = std::move(item);
  }
  for (const EndedToken& ended : transition.ended_tokens) {
    ended_tokens_[ended.token] = ended.timed_out;
  }
  if (transition.reopen) {
    ExecutionReopen& reopen = *transition.reopen;
    stored.record.status = model::ExecutionStatus::kRunning;
    stored.record.output.reset();
    stored.record.error.reset();
    stored.record.cause.reset();
    stored.record.stop_date.reset();
    stored.record.redrive_count = reopen.redrive_count;
    stored.record.redrive_date = reopen.redrive_date;
    RememberRedriveToken(stored.record, reopen);
  }
  if (transition.close) {
    stored.timers.clear();
    stored.outbox.clear();
    ExecutionClose& close = *transition.close;
    stored.record.status = close.status;
    stored.record.output = std::move(close.output);
    stored.record.error = std::move(close.error);
    stored.record.cause = std::move(close.cause);
    stored.record.stop_date = close.stop_date;
  }
  return CommitResult::kOk;
}

base::Result<EndedTokenStatus> MemoryStore::LookupEndedToken(std::string_view token) {
  std::lock_guard lock(mu_);
  auto it = ended_tokens_.find(std::string(token));
  if (it == ended_tokens_.end()) {
    return EndedTokenStatus::kUnknown;
  }
  return it->second ? EndedTokenStatus::kTimedOut : EndedTokenStatus::kFinished;
}

void MemoryStore::Commit(std::vector<Transition> batch, CommitDone done) {
  std::vector<CommitResult> results;
  results.reserve(batch.size());
  {
    std::lock_guard lock(mu_);
    for (auto& transition : batch) {
      results.push_back(Apply(transition));
    }
  }
  done(std::move(results));
}

}  // namespace flowstate::store
