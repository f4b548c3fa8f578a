// Store is the persistence boundary of Flowstate (ARCHITECTURE.md §7): plain CRUD for state
// machines, and a write path shaped around transitions (one engine step = one Transition,
// applied all-or-nothing). Implementations: memory/ (Express, tests, `flowstate serve --data
// :memory:`) and sqlite/ (the durable default). Thread-safe: every method may be called from any
// thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "model/history_event.h"
#include "store/records.h"

namespace flowstate::store {

// The closing fields of an execution, set by the Transition that ends it.
struct ExecutionClose {
  model::ExecutionStatus status = model::ExecutionStatus::kSucceeded;
  std::optional<std::string> output;
  std::optional<std::string> error;
  std::optional<std::string> cause;
  base::Timestamp stop_date{};
};

// A durable timer (ARCHITECTURE.md §3): the engine's TimerRequest, kept until the step that
// answers its stamp (or the execution's end) deletes it, and re-armed after a restart.
struct TimerRow {
  uint64_t stamp = 0;
  base::Timestamp fire_at{};
};

// Outbound work (a Lambda call, ...) committed with the step that asked for it and started only
// after that commit; kept until the step that takes its answer (same stamp) deletes it, so a
// restart dispatches it again (at least once, as AWS). `kind` and `payload` are opaque here
// (the runtime's encoding of a model::OutboundTask).
struct OutboxRow {
  uint64_t stamp = 0;
  std::string kind;
  std::string payload;
};

// The redrive that reopens a closed execution (RedriveExecution): it is RUNNING again, its
// closing fields cleared, with one more redrive.
struct ExecutionReopen {
  int64_t redrive_count = 0;  // after this redrive
  base::Timestamp redrive_date{};
  std::string client_token;  // remembered with the redrive (may be empty)
};

// A task token an execution stopped waiting on, remembered so that a late SendTask* gets the
// same answer after a restart (TaskDoesNotExist, or TaskTimedOut when it timed out).
struct EndedToken {
  std::string token;
  bool timed_out = false;
};

struct Transition {
  std::string execution_arn;
  int64_t expected_version = 0;             // the record's version before this step
  std::vector<model::HistoryEvent> events;  // appended in order; ids continue the history
  std::optional<ExecutionClose> close;      // set when the execution ended in this step; it
                                            // also deletes the execution's timers and outbox
  std::optional<ExecutionReopen> reopen;    // set when this step redrives the execution (it is
                                            // applied before `close`: a redrive may end at once)
  // The engine snapshot after this step (opaque bytes); durable stores keep the latest one so
  // recovery resumes from it, and the terminal one so a redrive continues from it. Unset: the
  // stored snapshot is left as it was.
  std::optional<std::string> snapshot;
  std::vector<TimerRow> timers;    // timers this step set
  std::vector<OutboxRow> outbox;   // outbound work this step asked for
  std::vector<uint64_t> answered;  // stamps this step consumed: their timer and outbox rows go
  std::vector<EndedToken> ended_tokens;  // task tokens this step stopped waiting on
  // Task tokens and activity tasks (callbacks, activities) are further row kinds of the same
  // transaction; they belong here, beside timers and outbox, with their own table.
};

// A timer row with the execution it belongs to (the runtime's look-ahead loads these).
struct DueTimer {
  std::string execution_arn;
  uint64_t stamp = 0;
  base::Timestamp fire_at{};
};

// Everything recovery needs to resume one execution where its last commit left it.
struct ExecutionState {
  ExecutionRecord record;
  std::optional<std::string> snapshot;  // nullopt: no step committed yet (only the start)
  std::vector<TimerRow> timers;         // by fire_at
  std::vector<OutboxRow> outbox;        // by stamp
};

enum class CommitResult { kOk, kVersionConflict, kNotFound };

// A page request: `token` is empty for the first page, else a cursor this store returned.
struct PageRequest {
  int limit = 100;  // items per page; a limit below 1 reads as 1
  std::string token;

  int size() const { return limit < 1 ? 1 : limit; }
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_token;  // empty on the last page
};

struct ExecutionFilter {
  std::string state_machine_arn;
  std::optional<model::ExecutionStatus> status;
  std::string version_arn;       // non-empty: only executions of this version
  std::string alias_arn;         // non-empty: only executions started through this alias
  std::optional<bool> redriven;  // true: redriven at least once; false: never
};

// How an ended task token ended (Store::LookupEndedToken).
enum class EndedTokenStatus { kUnknown, kFinished, kTimedOut };

struct StartResult {
  ExecutionRecord record;
  bool created = false;  // false: an identical RUNNING start already existed (AWS idempotency)
};

// Adds the client token of `reopen` to the record's remembered ones (the oldest go first).
inline void RememberRedriveToken(ExecutionRecord& record, const ExecutionReopen& reopen) {
  if (reopen.client_token.empty()) {
    return;
  }
  record.redrive_tokens.push_back(RedriveToken{reopen.client_token, reopen.redrive_date});
  while (record.redrive_tokens.size() > kRememberedRedriveTokens) {
    record.redrive_tokens.erase(record.redrive_tokens.begin());
  }
}

class Store {
 public:
  virtual ~Store() = default;

  // State machines. Create fails with AlreadyExists when the name is taken (the API decides
  // whether the request is an idempotent repeat by comparing with GetStateMachine).
  virtual base::Status CreateStateMachine(const StateMachineRecord& record) = 0;
  virtual base::Result<StateMachinePtr> GetStateMachine(std::string_view arn) = 0;
  virtual base::Status UpdateStateMachine(const StateMachineRecord& record) = 0;
  virtual base::Status DeleteStateMachine(std::string_view arn) = 0;
  // Sorted by name; `token` is the name to continue after.
  virtual base::Result<Page<StateMachineRecord>> ListStateMachines(const PageRequest& page) = 0;
  // The state machine as it was at `revision_id` (what an execution started on it runs).
  virtual base::Result<StateMachinePtr> GetRevision(std::string_view revision_id) = 0;

  // Catalog: the API's smaller resources (activities, tags, versions, aliases) as JSON text by
  // (kind, key); kinds are the k*Catalog constants of records.h. Create fails with
  // AlreadyExists when the key is taken; Get and Delete with NotFound when it is not. List
  // returns the entries whose key starts with `prefix`, sorted by key; `token` is the key to
  // continue after.
  virtual base::Status CreateCatalogEntry(std::string_view kind, std::string_view key,
                                          std::string_view value) = 0;
  virtual base::Status PutCatalogEntry(std::string_view kind, std::string_view key,
                                       std::string_view value) = 0;
  virtual base::Result<std::string> GetCatalogEntry(std::string_view kind,
                                                    std::string_view key) = 0;
  virtual base::Status DeleteCatalogEntry(std::string_view kind, std::string_view key) = 0;
  virtual base::Result<Page<CatalogEntry>> ListCatalogEntries(std::string_view kind,
                                                              std::string_view prefix,
                                                              const PageRequest& page) = 0;

  // Creates a RUNNING execution, applying AWS's name idempotency (AWS-REFERENCE.md §5): the
  // same name with the same input while RUNNING returns the existing record (created=false);
  // otherwise a used name is AlreadyExists.
  virtual base::Result<StartResult> StartExecution(const ExecutionRecord& record) = 0;
  // The same, answered through `done` (on any thread, possibly before it returns): a durable
  // store does not hold the caller (a network thread) while the start is made durable.
  using StartDone = std::function<void(base::Result<StartResult>)>;
  virtual void StartExecutionAsync(const ExecutionRecord& record, StartDone done) {
    done(StartExecution(record));
  }
  virtual base::Result<ExecutionRecord> GetExecution(std::string_view arn) = 0;
  // Newest first.
  virtual base::Result<Page<ExecutionRecord>> ListExecutions(const ExecutionFilter& filter,
                                                             const PageRequest& page) = 0;
  // Events in id order (or reverse); `token` continues after the last event returned. Forward,
  // the token after event N is "N" (ids are contiguous from 1), so a reader holding events up to
  // N may continue from there.
  virtual base::Result<Page<model::HistoryEvent>> GetHistory(std::string_view execution_arn,
                                                             const PageRequest& page,
                                                             bool reverse) = 0;
  virtual base::Result<std::vector<ExecutionRecord>> RunningExecutions() = 0;
  // The execution's record, latest snapshot, timers and outbox (recovery, and reloading after a
  // commit whose outcome is unknown).
  virtual base::Result<ExecutionState> LoadExecutionState(std::string_view arn) = 0;
  // The timers of running executions with after < fire_at <= until, by fire_at.
  virtual base::Result<std::vector<DueTimer>> TimersDue(base::Timestamp after,
                                                        base::Timestamp until) = 0;

  // What became of a task token after its execution stopped waiting on it (Transition::
  // ended_tokens); kUnknown when no execution ever recorded its end.
  virtual base::Result<EndedTokenStatus> LookupEndedToken(std::string_view token) = 0;

  // Write path: one result per Transition, in order. A non-OK Result means the outcome of the
  // whole batch is unknown: the caller reloads, never guesses. `done` may run on any thread,
  // possibly before Commit returns.
  using CommitDone = std::function<void(base::Result<std::vector<CommitResult>>)>;
  virtual void Commit(std::vector<Transition> batch, CommitDone done) = 0;
};

}  // namespace flowstate::store
