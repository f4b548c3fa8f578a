// MemoryStore keeps everything in process memory behind one mutex: the store for Express
// executions, for tests, and for `flowstate serve` until a durable store is configured.
// Commit applies a batch atomically and calls `done` before returning. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/store.h"

namespace flowstate::store {

class MemoryStore final : public Store {
 public:
  MemoryStore() = default;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  base::Status CreateStateMachine(const StateMachineRecord& record) override;
  base::Result<StateMachinePtr> GetStateMachine(std::string_view arn) override;
  base::Status UpdateStateMachine(const StateMachineRecord& record) override;
  base::Status DeleteStateMachine(std::string_view arn) override;
  base::Result<Page<StateMachineRecord>> ListStateMachines(const PageRequest& page) override;
  base::Result<StateMachinePtr> GetRevision(std::string_view revision_id) override;

  base::Status CreateCatalogEntry(std::string_view kind, std::string_view key,
                                  std::string_view value) override;
  base::Status PutCatalogEntry(std::string_view kind, std::string_view key,
                               std::string_view value) override;
  base::Result<std::string> GetCatalogEntry(std::string_view kind, std::string_view key) override;
  base::Status DeleteCatalogEntry(std::string_view kind, std::string_view key) override;
  base::Result<Page<CatalogEntry>> ListCatalogEntries(std::string_view kind,
                                                      std::string_view prefix,
                                                      const PageRequest& page) override;

  base::Result<StartResult> StartExecution(const ExecutionRecord& record) override;
  base::Result<ExecutionRecord> GetExecution(std::string_view arn) override;
  base::Result<Page<ExecutionRecord>> ListExecutions(const ExecutionFilter& filter,
                                                     const PageRequest& page) override;
  base::Result<Page<model::HistoryEvent>> GetHistory(std::string_view execution_arn,
                                                     const PageRequest& page,
                                                     bool reverse) override;
  base::Result<std::vector<ExecutionRecord>> RunningExecutions() override;
  base::Result<ExecutionState> LoadExecutionState(std::string_view arn) override;
  base::Result<std::vector<DueTimer>> TimersDue(base::Timestamp after,
                                                base::Timestamp until) override;

  base::Result<EndedTokenStatus> LookupEndedToken(std::string_view token) override;

  void Commit(std::vector<Transition> batch, CommitDone done) override;

 private:
  struct StoredExecution {
    ExecutionRecord record;
    int64_t sequence = 0;  // start order, for newest-first listing and page tokens
    std::vector<model::HistoryEvent> history;
    // What a running execution resumes from (and an ended one is redriven from).
    std::optional<std::string> snapshot;
    std::map<uint64_t, base::Timestamp> timers;  // by stamp
    std::map<uint64_t, OutboxRow> outbox;        // by stamp
  };

  CommitResult Apply(Transition& transition);

  std::mutex mu_;
  std::map<std::string, StateMachinePtr, std::less<>> state_machines_;  // by name
  std::unordered_map<std::string, std::string> name_by_arn_;
  std::unordered_map<std::string, StateMachinePtr> revisions_;
  std::unordered_map<std::string, std::unique_ptr<StoredExecution>> executions_;  // by ARN
  // state machine ARN -> (sequence -> execution ARN): listing without a scan of all executions.
  std::unordered_map<std::string, std::map<int64_t, std::string>> executions_by_machine_;
  int64_t next_sequence_ = 1;
  std::unordered_map<std::string, bool> ended_tokens_;  // token -> timed out
  // kind -> key -> JSON text
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> catalog_;
};

}  // namespace flowstate::store
