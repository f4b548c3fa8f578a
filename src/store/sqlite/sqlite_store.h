// SqliteStore is the durable Store (ARCHITECTURE.md §8): one database file in WAL mode, with
// synchronous=FULL by default so an acknowledged commit survives power loss.
//
// Every write (state machine CRUD, StartExecution, Commit) goes through one writer thread that
// drains a queue LevelDB-style: it takes every pending write, runs each inside its own SAVEPOINT
// of one BEGIN IMMEDIATE transaction, commits once (one fsync for the whole group) and then
// completes every waiter with its own outcome. Reads run on read-only connections of their own
// (a small pool), which WAL lets proceed during writes. An exclusive flock on "<path>.lock"
// keeps a second process out. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/file_lock.h"
#include "store/store.h"

namespace flowstate::store {

struct SqliteOptions {
  enum class Synchronous { kFull, kNormal };

  std::string path;  // the database file; created (with its schema) when missing
  // kFull: a commit is on disk when acknowledged. kNormal: survives a process crash, but the
  // last commits may roll back on power loss (no fsync per commit).
  Synchronous synchronous = Synchronous::kFull;
  // A passive checkpoint runs once the WAL holds this much; past `wal_limit_bytes` the writer
  // runs a RESTART checkpoint (waits for readers) so the WAL cannot grow without bound.
  int64_t checkpoint_bytes = 4 << 20;
  int64_t wal_limit_bytes = 64 << 20;
  // At most this many queued writes share one transaction.
  size_t max_group_size = 1024;
};

class SqliteStore final : public Store {
 public:
  static base::Result<std::unique_ptr<SqliteStore>> Open(SqliteOptions options);
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  // Finishes every queued write, then closes.
  ~SqliteStore() override;

  base::Status CreateStateMachine(const StateMachineRecord& record) override;
  base::Result<StateMachinePtr> GetStateMachine(std::string_view arn) override;
  base::Status UpdateStateMachine(const StateMachineRecord& record) override;
  base::Status DeleteStateMachine(std::string_view arn) override;
  base::Result<Page<StateMachineRecord>> ListStateMachines(const PageRequest& page) override;
  base::Result<StateMachinePtr> GetRevision(std::string_view revision_id) override;

  // sqlite_catalog.cc
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
  void StartExecutionAsync(const ExecutionRecord& record, StartDone done) override;
  base::Result<ExecutionRecord> GetExecution(std::string_view arn) override;
  base::Result<Page<ExecutionRecord>> ListExecutions(const ExecutionFilter& filter,
                                                     const PageRequest& page) override;
  base::Result<Page<model::HistoryEvent>> GetHistory(std::string_view execution_arn,
                                                     const PageRequest& page,
                                                     bool reverse) override;
  base::Result<std::vector<ExecutionRecord>> RunningExecutions() override;
  base::Result<ExecutionState> LoadExecutionState(std::string_view arn) override;
  base::Result<EndedTokenStatus> LookupEndedToken(std::string_view token) override;
  base::Result<std::vector<DueTimer>> TimersDue(base::Timestamp after,
                                                base::Timestamp until) override;

  void Commit(std::vector<Transition> batch, CommitDone done) override;

  // The snapshot the last committed Transition stored (nullopt: none yet), for recovery.
  base::Result<std::optional<std::string>> LoadSnapshot(std::string_view execution_arn);

 private:
  // One queued write: `apply` runs on the writer thread inside its own SAVEPOINT (a non-OK
  // status rolls back just this write); `complete` runs after the group's COMMIT with the
  // final outcome (a failed COMMIT turns every OK into that error: outcome unknown).
  struct Write {
    std::function<base::Status(sqlite::Connection&)> apply;
    std::function<void(base::Status)> complete;
  };

  // Returns a reader connection to the pool when destroyed.
  class Reader {
   public:
    Reader(SqliteStore* store, std::unique_ptr<sqlite::Connection> connection)
        : store_(store), connection_(std::move(connection)) {}
    Reader(Reader&&) = default;
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    Reader& operator=(Reader&&) = delete;
    ~Reader();
    sqlite::Connection& operator*() const { return *connection_; }
    sqlite::Connection* operator->() const { return connection_.get(); }

   private:
    SqliteStore* store_;
    std::unique_ptr<sqlite::Connection> connection_;
  };

  SqliteStore(SqliteOptions options, std::unique_ptr<sqlite::FileLock> lock,
              std::unique_ptr<sqlite::Connection> writer);

  void Enqueue(Write write);
  // Enqueues `apply` and waits for its outcome.
  base::Status WriteAndWait(std::function<base::Status(sqlite::Connection&)> apply);
  void WriterLoop();
  void CommitGroup(std::vector<Write>& group);
  void MaybeCheckpoint();
  static int OnWalCommit(void* self, struct sqlite3* db, const char* name, int pages);

  base::Result<Reader> AcquireReader();

  const SqliteOptions options_;
  std::unique_ptr<sqlite::FileLock> lock_;
  std::unique_ptr<sqlite::Connection> writer_;  // only the writer thread uses it
  int64_t page_size_ = 4096;
  int wal_pages_ = 0;  // set by the WAL hook on the writer thread

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Write> queue_;
  bool stopping_ = false;
  std::thread writer_thread_;

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<sqlite::Connection>> idle_readers_;
};

}  // namespace flowstate::store
