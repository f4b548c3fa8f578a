// The physical limit of durable transitions on this machine (ARCHITECTURE.md §8.3), beside what
// SqliteStore::Commit reaches with the same rows, settings and batching.
//
// Raw: one transition = UPDATE of an execution row (~300-byte snapshot, version + 1) + INSERT
// of one ~400-byte history event, prepared statements, WAL, N transitions per BEGIN IMMEDIATE
// ... COMMIT. Store: the same transitions through SqliteStore::Commit (N per batch, one batch
// in flight), plus one row with 1-transition batches from many concurrent callers, which the
// store's writer thread groups into shared commits.
//
//   sqlite_raw_bench [--dir DIR] [--seconds S] [--sync full|normal|both] [--batch N]
// DIR must be on the disk under test (default ./sqlite-bench-data; removed afterwards).
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "json/json.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using flowstate::store::SqliteOptions;
using flowstate::store::SqliteStore;
using Clock = std::chrono::steady_clock;

constexpr int kExecutions = 1000;
const std::string kSnapshot(300, 's');
const std::string kPayload(360, 'p');  // + the event's other fields: ~400 bytes stored

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "sqlite_raw_bench: %s failed\n", what);
    std::exit(1);
  }
}

void Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite_raw_bench: %s: %s\n", sql, error);
    std::exit(1);
  }
}

struct Rate {
  double commits_per_s = 0;
  double transitions_per_s = 0;
};

Rate RawRun(const std::filesystem::path& dir, bool full, int batch, double seconds) {
  const std::string path = (dir / "raw.db").string();
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  sqlite3* db = nullptr;
  Check(sqlite3_open(path.c_str(), &db) == SQLITE_OK, "open");
  Exec(db, "PRAGMA journal_mode=WAL; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;");
  Exec(db, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  Exec(db,
       "CREATE TABLE execution (id INTEGER PRIMARY KEY, version INTEGER NOT NULL, snapshot BLOB);"
       "CREATE TABLE history_event (execution_id INTEGER NOT NULL, event_id INTEGER NOT NULL, "
       "previous_event_id INTEGER NOT NULL, timestamp INTEGER NOT NULL, type TEXT NOT NULL, "
       "details TEXT, PRIMARY KEY (execution_id, event_id)) WITHOUT ROWID;");
  Exec(db, "BEGIN");
  for (int i = 1; i <= kExecutions; ++i) {
    Exec(db, ("INSERT INTO execution VALUES (" + std::to_string(i) + ", 0, NULL)").c_str());
  }
  Exec(db, "COMMIT");
  sqlite3_stmt* update = nullptr;
  sqlite3_stmt* insert = nullptr;
  Check(sqlite3_prepare_v2(db,
                           "UPDATE execution SET snapshot = ?1, version = version + 1 "
                           "WHERE id = ?2 AND version = ?3",
                           -1, &update, nullptr) == SQLITE_OK,
        "prepare update");
  Check(sqlite3_prepare_v2(db,
                           "INSERT INTO history_event VALUES (?1, ?2, ?3, ?4, "
                           "'PassStateEntered', ?5)",
                           -1, &insert, nullptr) == SQLITE_OK,
        "prepare insert");
  const std::string details = R"({"name":"A","input":")" + kPayload + R"("})";
  std::vector<int64_t> versions(kExecutions + 1, 0);
  int64_t transitions = 0;
  int64_t commits = 0;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    Exec(db, "BEGIN IMMEDIATE");
    for (int i = 0; i < batch; ++i, ++transitions) {
      const int64_t id = transitions % kExecutions + 1;
      sqlite3_bind_blob(update, 1, kSnapshot.data(), static_cast<int>(kSnapshot.size()),
                        SQLITE_STATIC);
      sqlite3_bind_int64(update, 2, id);
      sqlite3_bind_int64(update, 3, versions[static_cast<size_t>(id)]);
      Check(sqlite3_step(update) == SQLITE_DONE && sqlite3_changes(db) == 1, "update");
      sqlite3_reset(update);
      const int64_t event_id = ++versions[static_cast<size_t>(id)];
      sqlite3_bind_int64(insert, 1, id);
      sqlite3_bind_int64(insert, 2, event_id);
      sqlite3_bind_int64(insert, 3, event_id - 1);
      sqlite3_bind_int64(insert, 4, 1700000000000 + transitions);
      sqlite3_bind_text(insert, 5, details.data(), static_cast<int>(details.size()), SQLITE_STATIC);
      Check(sqlite3_step(insert) == SQLITE_DONE, "insert");
      sqlite3_reset(insert);
    }
    Exec(db, "COMMIT");
    ++commits;
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  sqlite3_finalize(update);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return {static_cast<double>(commits) / elapsed, static_cast<double>(transitions) / elapsed};
}

flowstate::store::ExecutionRecord Execution(int i) {
  flowstate::store::ExecutionRecord record;
  record.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:bench";
  record.name = "e" + std::to_string(i);
  record.arn = "arn:aws:states:us-east-1:123456789012:execution:bench:" + record.name;
  record.revision_id = "rev";
  return record;
}

flowstate::store::Transition MakeTransition(const std::string& arn, int64_t version,
                                            int64_t transition_index) {
  flowstate::store::Transition transition;
  transition.execution_arn = arn;
  transition.expected_version = version;
  transition.snapshot = kSnapshot;
  flowstate::model::HistoryEvent& event = transition.events.emplace_back();
  event.id = version + 1;
  event.previous_event_id = version;
  event.timestamp = flowstate::base::FromUnixMillis(1700000000000 + transition_index);
  event.type = "PassStateEntered";
  event.details_key = "stateEnteredEventDetails";
  event.details.MakeEmptyObject();
  event.details["name"] = "A";
  event.details["input"] = kPayload;
  return transition;
}

// Keeps up to `in_flight` Commit calls of `batch` transitions outstanding for `seconds`.
Rate StoreRun(const std::filesystem::path& dir, bool full, int batch, int in_flight,
              double seconds) {
  const std::string path = (dir / "store.db").string();
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  std::vector<std::string> arns;
  {
    SqliteOptions setup;
    setup.path = path;
    setup.synchronous = SqliteOptions::Synchronous::kNormal;  // setup speed only
    auto store = SqliteStore::Open(setup);
    Check(store.has_value(), "open store");
    for (int i = 0; i < kExecutions; ++i) {
      auto started = (*store)->StartExecution(Execution(i));
      Check(started.has_value(), "start execution");
      arns.push_back(started->record.arn);
    }
  }
  SqliteOptions options;
  options.path = path;
  options.synchronous =
      full ? SqliteOptions::Synchronous::kFull : SqliteOptions::Synchronous::kNormal;
  auto opened = SqliteStore::Open(options);
  Check(opened.has_value(), "open store");
  SqliteStore& store = **opened;

  std::vector<int64_t> versions(kExecutions, 0);
  std::mutex mu;
  std::condition_variable cv;
  int outstanding = 0;
  int64_t committed = 0;
  int64_t calls = 0;
  bool failed = false;
  int64_t issued = 0;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    std::vector<flowstate::store::Transition> transitions;
    transitions.reserve(static_cast<size_t>(batch));
    for (int i = 0; i < batch; ++i, ++issued) {
      const auto index = static_cast<size_t>(issued % kExecutions);
      transitions.push_back(MakeTransition(arns[index], versions[index]++, issued));
    }
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return outstanding < in_flight; });
      ++outstanding;
    }
    store.Commit(std::move(transitions),
                 [&](flowstate::base::Result<std::vector<flowstate::store::CommitResult>> r) {
                   std::lock_guard lock(mu);
                   --outstanding;
                   ++calls;
                   if (!r) {
                     failed = true;
                   } else {
                     for (auto result : *r) {
                       failed |= result != flowstate::store::CommitResult::kOk;
                       committed += result == flowstate::store::CommitResult::kOk;
                     }
                   }
                   cv.notify_all();
                 });
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return outstanding == 0; });
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  Check(!failed, "store commit");
  return {static_cast<double>(calls) / elapsed, static_cast<double>(committed) / elapsed};
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = "sqlite-bench-data";
  double seconds = 2.0;
  std::string sync = "both";
  std::vector<int> batches = {1, 10, 100, 1000};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--dir") {
      dir = argv[i + 1];
    } else if (flag == "--seconds") {
      seconds = std::atof(argv[i + 1]);
    } else if (flag == "--sync") {
      sync = argv[i + 1];
    } else if (flag == "--batch") {
      batches = {std::atoi(argv[i + 1])};
    }
  }
  std::filesystem::create_directories(dir);
  std::printf("%-6s %6s | %10s %14s | %14s %14s %7s\n", "sync", "batch", "raw com/s", "raw trans/s",
              "store calls/s", "store trans/s", "share");
  for (bool full : {true, false}) {
    if (sync != "both" && (sync == "full") != full) {
      continue;
    }
    for (int batch : batches) {
      const Rate raw = RawRun(dir, full, batch, seconds);
      const Rate store = StoreRun(dir, full, batch, 1, seconds);
      std::printf("%-6s %6d | %10.0f %14.0f | %14.0f %14.0f %6.0f%%\n", full ? "FULL" : "NORMAL",
                  batch, raw.commits_per_s, raw.transitions_per_s, store.commits_per_s,
                  store.transitions_per_s, 100.0 * store.transitions_per_s / raw.transitions_per_s);
      std::fflush(stdout);
    }
    // One transition per Commit call from 256 concurrent callers: the writer groups them.
    const Rate grouped = StoreRun(dir, full, 1, 256, seconds);
    std::printf("%-6s %6s | %10s %14s | %14.0f %14.0f\n", full ? "FULL" : "NORMAL", "1x256", "-",
                "-", grouped.commits_per_s, grouped.transitions_per_s);
    std::fflush(stdout);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
