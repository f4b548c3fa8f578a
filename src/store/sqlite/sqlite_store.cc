#include "store/sqlite/sqlite_store.h"

#include <charconv>
#include <exception>
#include <future>
#include <limits>
#include <utility>

#include <sqlite3.h>

#include "json/json.h"
#include "store/sqlite/schema.h"

namespace flowstate::store {
namespace {

using sqlite::Connection;
using sqlite::Statement;

constexpr const char* kWorkflowStandard = "STANDARD";
constexpr const char* kWorkflowExpress = "EXPRESS";

std::string_view TypeText(model::WorkflowType type) {
  return type == model::WorkflowType::kExpress ? kWorkflowExpress : kWorkflowStandard;
}

model::WorkflowType ParseType(const std::string& text) {
  return text == kWorkflowExpress ? model::WorkflowType::kExpress : model::WorkflowType::kStandard;
}

std::optional<int64_t> ParseCursor(const std::string& token) {
  int64_t value = 0;
  const char* end = token.data() + token.size();
  auto [ptr, ec] = std::from_chars(token.data(), end, value);
  if (ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return value;
}

base::Status InvalidToken() { return base::Status::InvalidArgument("Invalid page token"); }

// --- State machines -------------------------------------------------------------------------

constexpr const char* kRevisionColumns =
    "r.arn, r.name, r.definition, r.role_arn, r.type, r.revision_id, r.logging_configuration, "
    "r.tracing_configuration, r.description, r.creation_date, r.update_date";

StateMachineRecord ReadStateMachine(const Statement& stmt) {
  StateMachineRecord record;
  record.arn = stmt.Text(0);
  record.name = stmt.Text(1);
  record.definition = stmt.Text(2);
  record.role_arn = stmt.Text(3);
  record.type = ParseType(stmt.Text(4));
  record.revision_id = stmt.Text(5);
  record.logging_configuration = stmt.Text(6);
  record.tracing_configuration = stmt.Text(7);
  record.description = stmt.Text(8);
  record.creation_date = base::FromUnixMillis(stmt.Int(9));
  record.update_date = base::FromUnixMillis(stmt.Int(10));
  return record;
}

base::Status PutRevision(Connection& db, const StateMachineRecord& record) {
  static constexpr const char* kSql =
      "INSERT OR REPLACE INTO state_machine_revision (revision_id, arn, name, definition, "
      "role_arn, type, logging_configuration, tracing_configuration, description, "
      "creation_date, update_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
  auto stmt = db.Prepare(kSql);
  if (!stmt) {
    return stmt.error();
  }
  stmt->Bind(1, std::string_view(record.revision_id));
  stmt->Bind(2, std::string_view(record.arn));
  stmt->Bind(3, std::string_view(record.name));
  stmt->Bind(4, std::string_view(record.definition));
  stmt->Bind(5, std::string_view(record.role_arn));
  stmt->Bind(6, TypeText(record.type));
  stmt->Bind(7, std::string_view(record.logging_configuration));
  stmt->Bind(8, std::string_view(record.tracing_configuration));
  stmt->Bind(9, std::string_view(record.description));
  stmt->Bind(10, base::ToUnixMillis(record.creation_date));
  stmt->Bind(11, base::ToUnixMillis(record.update_date));
  return stmt->Step() == SQLITE_DONE ? base::Status::Ok() : db.Error("put revision");
}

// --- Executions -----------------------------------------------------------------------------

constexpr const char* kExecutionColumns =
    "arn, name, state_machine_arn, revision_id, type, status, input, output, error, cause, "
    "trace_header, start_date, stop_date, version, state_machine_version_arn, "
    "state_machine_alias_arn, redrive_count, redrive_date, redrive_tokens, snapshot IS NOT NULL, "
    "id";
constexpr int kExecutionIdColumn = 20;

// RedriveExecution client tokens as a JSON array of {"t": token, "d": redrive date (ms)}.
std::string RedriveTokensText(const std::vector<RedriveToken>& tokens) {
  json::Json out = json::Json::array();
  for (const RedriveToken& token : tokens) {
    out.push_back({{"t", token.token}, {"d", base::ToUnixMillis(token.redrive_date)}});
  }
  return json::Dump(out);
}

std::vector<RedriveToken> ParseRedriveTokens(const std::optional<std::string>& text) {
  std::vector<RedriveToken> tokens;
  if (!text) {
    return tokens;
  }
  auto parsed = json::Parse(*text);
  if (!parsed || !parsed->is_array()) {
    return tokens;
  }
  for (const auto& item : *parsed) {
    if (item.is_object() && item.contains("t") && item["t"].is_string() && item.contains("d") &&
        item["d"].is_number_integer()) {
      tokens.push_back(RedriveToken{item["t"].get<std::string>(),
                                    base::FromUnixMillis(item["d"].get<int64_t>())});
    }
  }
  return tokens;
}

ExecutionRecord ReadExecution(const Statement& stmt) {
  ExecutionRecord record;
  record.arn = stmt.Text(0);
  record.name = stmt.Text(1);
  record.state_machine_arn = stmt.Text(2);
  record.revision_id = stmt.Text(3);
  record.type = ParseType(stmt.Text(4));
  record.status =
      model::ParseExecutionStatus(stmt.Text(5)).value_or(model::ExecutionStatus::kRunning);
  record.input = stmt.Text(6);
  record.output = stmt.OptionalText(7);
  record.error = stmt.OptionalText(8);
  record.cause = stmt.OptionalText(9);
  record.trace_header = stmt.Text(10);
  record.start_date = base::FromUnixMillis(stmt.Int(11));
  if (!stmt.IsNull(12)) {
    record.stop_date = base::FromUnixMillis(stmt.Int(12));
  }
  record.version = stmt.Int(13);
  record.state_machine_version_arn = stmt.OptionalText(14).value_or("");
  record.state_machine_alias_arn = stmt.OptionalText(15).value_or("");
  record.redrive_count = stmt.Int(16);
  if (!stmt.IsNull(17)) {
    record.redrive_date = base::FromUnixMillis(stmt.Int(17));
  }
  record.redrive_tokens = ParseRedriveTokens(stmt.OptionalText(18));
  record.has_snapshot = stmt.Int(19) != 0;
  return record;
}

base::Status InsertExecution(Connection& db, const ExecutionRecord& record) {
  static constexpr const char* kSql =
      "INSERT INTO execution (arn, name, state_machine_arn, revision_id, type, status, input, "
      "output, error, cause, trace_header, start_date, stop_date, next_event_id, version, "
      "state_machine_version_arn, state_machine_alias_arn) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 1, ?14, ?15, ?16)";
  auto stmt = db.Prepare(kSql);
  if (!stmt) {
    return stmt.error();
  }
  stmt->Bind(1, std::string_view(record.arn));
  stmt->Bind(2, std::string_view(record.name));
  stmt->Bind(3, std::string_view(record.state_machine_arn));
  stmt->Bind(4, std::string_view(record.revision_id));
  stmt->Bind(5, TypeText(record.type));
  stmt->Bind(6, model::ToString(record.status));
  stmt->Bind(7, std::string_view(record.input));
  stmt->Bind(8, record.output);
  stmt->Bind(9, record.error);
  stmt->Bind(10, record.cause);
  stmt->Bind(11, std::string_view(record.trace_header));
  stmt->Bind(12, base::ToUnixMillis(record.start_date));
  if (record.stop_date) {
    stmt->Bind(13, base::ToUnixMillis(*record.stop_date));
  }
  stmt->Bind(14, record.version);
  if (!record.state_machine_version_arn.empty()) {
    stmt->Bind(15, std::string_view(record.state_machine_version_arn));
  }
  if (!record.state_machine_alias_arn.empty()) {
    stmt->Bind(16, std::string_view(record.state_machine_alias_arn));
  }
  return stmt->Step() == SQLITE_DONE ? base::Status::Ok() : db.Error("insert execution");
}

// --- Transitions ----------------------------------------------------------------------------

// The conditional update is the version check: it matches only the expected version, and
// RETURNING hands back the row id the history rows need, in one statement.
constexpr const char* kUpdateStep =
    "UPDATE execution SET version = version + 1, next_event_id = max(next_event_id, ?3), "
    "snapshot = coalesce(?4, snapshot) WHERE arn = ?1 AND version = ?2 RETURNING id";
constexpr const char* kUpdateClose =
    "UPDATE execution SET version = version + 1, next_event_id = max(next_event_id, ?3), "
    "snapshot = coalesce(?4, snapshot), status = ?5, output = ?6, error = ?7, cause = ?8, "
    "stop_date = ?9 WHERE arn = ?1 AND version = ?2 RETURNING id";
// A redrive reopens the execution before the step's own update (which may close it again).
constexpr const char* kReopen =
    "UPDATE execution SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, "
    "stop_date = NULL, redrive_count = ?3, redrive_date = ?4, "
    "redrive_tokens = coalesce(?5, redrive_tokens) WHERE arn = ?1 AND version = ?2";
constexpr const char* kInsertEndedToken =
    "INSERT OR REPLACE INTO task_token_ended (token, execution_id, timed_out) VALUES (?1, ?2, ?3)";
constexpr const char* kInsertEvent =
    "INSERT INTO history_event (execution_id, event_id, previous_event_id, timestamp, type, "
    "details_key, details) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

base::Status InsertEvents(Connection& db, int64_t execution_id,
                          const std::vector<model::HistoryEvent>& events) {
  for (const auto& event : events) {
    auto stmt = db.Prepare(kInsertEvent);
    if (!stmt) {
      return stmt.error();
    }
    // Stored as the text the engine wrote; reads return it as is.
    const bool has_details = !event.details.is_null();
    stmt->Bind(1, execution_id);
    stmt->Bind(2, event.id);
    stmt->Bind(3, event.previous_event_id);
    stmt->Bind(4, base::ToUnixMillis(event.timestamp));
    stmt->Bind(5, std::string_view(event.type));
    stmt->Bind(6, std::string_view(event.details_key));
    if (has_details) {
      stmt->Bind(7, std::string_view(event.details.text()));
    } else {
      stmt->BindNull(7);
    }
    if (stmt->Step() != SQLITE_DONE) {
      return db.Error("insert history event " + std::to_string(event.id));
    }
  }
  return base::Status::Ok();
}

constexpr const char* kInsertTimer =
    "INSERT OR REPLACE INTO timer (execution_id, stamp, fire_at) VALUES (?1, ?2, ?3)";
constexpr const char* kInsertOutbox =
    "INSERT OR REPLACE INTO outbox (execution_id, stamp, kind, payload) VALUES (?1, ?2, ?3, ?4)";
constexpr const char* kDeleteTimer = "DELETE FROM timer WHERE execution_id = ?1 AND stamp = ?2";
constexpr const char* kDeleteOutbox = "DELETE FROM outbox WHERE execution_id = ?1 AND stamp = ?2";
constexpr const char* kDeleteTimers = "DELETE FROM timer WHERE execution_id = ?1";
constexpr const char* kDeleteOutboxes = "DELETE FROM outbox WHERE execution_id = ?1";

// Stamps are unsigned 64-bit on the C++ side; SQLite keeps their bit pattern as INTEGER.
int64_t StampColumn(uint64_t stamp) { return static_cast<int64_t>(stamp); }

base::Status RunKeyed(Connection& db, const char* sql, int64_t execution_id,
                      std::optional<uint64_t> stamp) {
  auto stmt = db.Prepare(sql);
  if (!stmt) {
    return stmt.error();
  }
  stmt->Bind(1, execution_id);
  if (stamp) {
    stmt->Bind(2, StampColumn(*stamp));
  }
  return stmt->Step() == SQLITE_DONE ? base::Status::Ok() : db.Error(sql);
}

// The timer and outbox rows of one transition: consumed stamps go first, so a stamp answered
// and re-armed in the same step (it cannot be: stamps are fresh) would still be kept.
base::Status ApplyRows(Connection& db, int64_t execution_id, const Transition& transition) {
  if (transition.close) {
    for (const char* sql : {kDeleteTimers, kDeleteOutboxes}) {
      if (auto status = RunKeyed(db, sql, execution_id, std::nullopt); !status.ok()) {
        return status;
      }
    }
    return base::Status::Ok();  // an ended execution needs no timer or outbound work
  }
  for (const uint64_t stamp : transition.answered) {
    for (const char* sql : {kDeleteTimer, kDeleteOutbox}) {
      if (auto status = RunKeyed(db, sql, execution_id, stamp); !status.ok()) {
        return status;
      }
    }
  }
  for (const TimerRow& timer : transition.timers) {
    auto stmt = db.Prepare(kInsertTimer);
    if (!stmt) {
      return stmt.error();
    }
    stmt->Bind(1, execution_id);
    stmt->Bind(2, StampColumn(timer.stamp));
    stmt->Bind(3, base::ToUnixMillis(timer.fire_at));
    if (stmt->Step() != SQLITE_DONE) {
      return db.Error("insert timer");
    }
  }
  for (const OutboxRow& item : transition.outbox) {
    auto stmt = db.Prepare(kInsertOutbox);
    if (!stmt) {
      return stmt.error();
    }
    stmt->Bind(1, execution_id);
    stmt->Bind(2, StampColumn(item.stamp));
    stmt->Bind(3, std::string_view(item.kind));
    stmt->Bind(4, std::string_view(item.payload));
    if (stmt->Step() != SQLITE_DONE) {
      return db.Error("insert outbox item");
    }
  }
  return base::Status::Ok();
}

// The redrive tokens are read inside the write transaction (the writer is the only one to change
// them), so the remembered list is the latest.
base::Status Reopen(Connection& db, const Transition& transition) {
  const ExecutionReopen& reopen = *transition.reopen;
  std::optional<std::string> tokens_text;
  if (!reopen.client_token.empty()) {
    auto read = db.Prepare("SELECT redrive_tokens FROM execution WHERE arn = ?1");
    if (!read) {
      return read.error();
    }
    read->Bind(1, std::string_view(transition.execution_arn));
    const int rc = read->Step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      return db.Error("read redrive tokens");
    }
    ExecutionRecord record;
    if (rc == SQLITE_ROW) {
      record.redrive_tokens = ParseRedriveTokens(read->OptionalText(0));
    }
    RememberRedriveToken(record, reopen);
    tokens_text = RedriveTokensText(record.redrive_tokens);
  }
  auto stmt = db.Prepare(kReopen);
  if (!stmt) {
    return stmt.error();
  }
  stmt->Bind(1, std::string_view(transition.execution_arn));
  stmt->Bind(2, transition.expected_version);
  stmt->Bind(3, reopen.redrive_count);
  stmt->Bind(4, base::ToUnixMillis(reopen.redrive_date));
  stmt->Bind(5, tokens_text);
  return stmt->Step() == SQLITE_DONE ? base::Status::Ok() : db.Error("reopen execution");
}

base::Status InsertEndedTokens(Connection& db, int64_t execution_id,
                               const std::vector<EndedToken>& tokens) {
  for (const EndedToken& ended : tokens) {
    auto stmt = db.Prepare(kInsertEndedToken);
    if (!stmt) {
      return stmt.error();
    }
    stmt->Bind(1, std::string_view(ended.token));
    stmt->Bind(2, execution_id);
    stmt->Bind(3, int64_t{ended.timed_out ? 1 : 0});
    if (stmt->Step() != SQLITE_DONE) {
      return db.Error("insert ended task token");
    }
  }
  return base::Status::Ok();
}

base::Result<CommitResult> ApplyTransition(Connection& db, const Transition& transition) {
  const int64_t next_event_id = transition.events.empty() ? 0 : transition.events.back().id + 1;
  int64_t execution_id = 0;
  if (transition.reopen) {
    if (auto status = Reopen(db, transition); !status.ok()) {
      return base::Err(std::move(status));
    }
  }
  {
    auto stmt = db.Prepare(transition.close ? kUpdateClose : kUpdateStep);
    if (!stmt) {
      return base::Err(stmt.error());
    }
    stmt->Bind(1, std::string_view(transition.execution_arn));
    stmt->Bind(2, transition.expected_version);
    stmt->Bind(3, next_event_id);
    stmt->Bind(4, transition.snapshot);
    if (transition.close) {
      const ExecutionClose& close = *transition.close;
      stmt->Bind(5, model::ToString(close.status));
      stmt->Bind(6, close.output);
      stmt->Bind(7, close.error);
      stmt->Bind(8, close.cause);
      stmt->Bind(9, base::ToUnixMillis(close.stop_date));
    }
    const int rc = stmt->Step();
    if (rc == SQLITE_ROW) {
      execution_id = stmt->Int(0);
      if (stmt->Step() != SQLITE_DONE) {  // finishes the UPDATE
        return base::Err(db.Error("update execution"));
      }
    } else if (rc != SQLITE_DONE) {
      return base::Err(db.Error("update execution"));
    }
  }
  if (execution_id == 0) {
    auto exists = db.Prepare("SELECT 1 FROM execution WHERE arn = ?1");
    if (!exists) {
      return base::Err(exists.error());
    }
    exists->Bind(1, std::string_view(transition.execution_arn));
    const int rc = exists->Step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      return base::Err(db.Error("find execution"));
    }
    return rc == SQLITE_ROW ? CommitResult::kVersionConflict : CommitResult::kNotFound;
  }
  if (auto status = InsertEvents(db, execution_id, transition.events); !status.ok()) {
    return base::Err(std::move(status));
  }
  if (auto status = ApplyRows(db, execution_id, transition); !status.ok()) {
    return base::Err(std::move(status));
  }
  if (auto status = InsertEndedTokens(db, execution_id, transition.ended_tokens); !status.ok()) {
    return base::Err(std::move(status));
  }
  return CommitResult::kOk;
}

// Creates the execution row, or finds the RUNNING one an idempotent repeat names (AWS: the
// same name with the same input while RUNNING).
base::Status ApplyStart(Connection& db, const ExecutionRecord& record, StartResult& result) {
  static const std::string kSelect =
      std::string("SELECT ") + kExecutionColumns + " FROM execution WHERE arn = ?1";
  {
    auto stmt = db.Prepare(kSelect.c_str());
    if (!stmt) {
      return stmt.error();
    }
    stmt->Bind(1, std::string_view(record.arn));
    const int rc = stmt->Step();
    if (rc == SQLITE_ROW) {
      ExecutionRecord old = ReadExecution(*stmt);
      if (old.status == model::ExecutionStatus::kRunning && old.input == record.input) {
        result = StartResult{std::move(old), false};
        return base::Status::Ok();
      }
      return base::Status::AlreadyExists("Execution Already Exists: '" + record.arn + "'");
    }
    if (rc != SQLITE_DONE) {
      return db.Error("find execution");
    }
  }
  result = StartResult{record, true};
  return InsertExecution(db, record);
}

base::Status Savepoint(Connection& db, const char* sql) {
  auto stmt = db.Prepare(sql);
  if (!stmt) {
    return stmt.error();
  }
  return stmt->Step() == SQLITE_DONE ? base::Status::Ok() : db.Error(sql);
}

}  // namespace

// --- Lifecycle ------------------------------------------------------------------------------

base::Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(SqliteOptions options) {
  auto lock = sqlite::FileLock::Acquire(options.path + ".lock");
  if (!lock) {
    return base::Err(lock.error());
  }
  auto writer = Connection::Open(options.path, /*read_only=*/false);
  if (!writer) {
    return base::Err(writer.error());
  }
  const char* pragmas = options.synchronous == SqliteOptions::Synchronous::kFull
                            ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                            : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
  for (const char* sql : {pragmas,
                          "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON; "
                          "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536; "
                          "PRAGMA journal_size_limit=67108864;"}) {
    if (auto status = (*writer)->Exec(sql); !status.ok()) {
      return base::Err(std::move(status));
    }
  }
  if (auto status = sqlite::Migrate(**writer); !status.ok()) {
    return base::Err(std::move(status));
  }
  return std::unique_ptr<SqliteStore>(
      new SqliteStore(std::move(options), std::move(*lock), std::move(*writer)));
}

SqliteStore::SqliteStore(SqliteOptions options, std::unique_ptr<sqlite::FileLock> lock,
                         std::unique_ptr<sqlite::Connection> writer)
    : options_(std::move(options)), lock_(std::move(lock)), writer_(std::move(writer)) {
  if (auto stmt = writer_->Prepare("PRAGMA page_size"); stmt && stmt->Step() == SQLITE_ROW) {
    page_size_ = stmt->Int(0);
  }
  // Replaces SQLite's auto-checkpoint: the writer decides when and how hard to checkpoint.
  sqlite3_wal_hook(writer_->db(), &SqliteStore::OnWalCommit, this);
  writer_thread_ = std::thread([this] { WriterLoop(); });
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  writer_thread_.join();
  idle_readers_.clear();
  writer_.reset();  // closes the last connection (checkpoints) before the lock is released
}

SqliteStore::Reader::~Reader() {
  if (connection_ != nullptr) {
    std::lock_guard lock(store_->readers_mu_);
    store_->idle_readers_.push_back(std::move(connection_));
  }
}

base::Result<SqliteStore::Reader> SqliteStore::AcquireReader() {
  {
    std::lock_guard lock(readers_mu_);
    if (!idle_readers_.empty()) {
      Reader reader(this, std::move(idle_readers_.back()));
      idle_readers_.pop_back();
      return reader;
    }
  }
  auto connection = Connection::Open(options_.path, /*read_only=*/true);
  if (!connection) {
    return base::Err(connection.error());
  }
  if (auto status = (*connection)->Exec("PRAGMA busy_timeout=5000"); !status.ok()) {
    return base::Err(std::move(status));
  }
  return Reader(this, std::move(*connection));
}

// --- Writer thread --------------------------------------------------------------------------

void SqliteStore::Enqueue(Write write) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(write));
  }
  wake_.notify_one();
}

base::Status SqliteStore::WriteAndWait(std::function<base::Status(Connection&)> apply) {
  std::promise<base::Status> outcome;
  auto future = outcome.get_future();
  Write write{std::move(apply),
              [&outcome](base::Status status) { outcome.set_value(std::move(status)); }};
  if (std::this_thread::get_id() == writer_thread_.get_id()) {
    // Called from a Commit's `done` (which runs on the writer thread, after the group's
    // transaction ended): waiting for the queue would wait for ourselves, so commit it here.
    std::vector<Write> group;
    group.push_back(std::move(write));
    CommitGroup(group);
  } else {
    Enqueue(std::move(write));
  }
  return future.get();
}

void SqliteStore::WriterLoop() {
  std::vector<Write> group;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // stopping, and every write is done
      }
      while (!queue_.empty() && group.size() < options_.max_group_size) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitGroup(group);
    group.clear();
    MaybeCheckpoint();
  }
}

void SqliteStore::CommitGroup(std::vector<Write>& group) {
  Connection& db = *writer_;
  std::vector<base::Status> outcomes(group.size());
  // A lone write needs no savepoint (its failure rolls back the whole transaction), and a
  // savepoint around a big batch costs a sub-journal copy of every page it touches.
  const bool savepoints = group.size() > 1;
  base::Status group_status = Savepoint(db, "BEGIN IMMEDIATE");
  for (size_t i = 0; group_status.ok() && i < group.size(); ++i) {
    if (savepoints) {
      if (group_status = Savepoint(db, "SAVEPOINT w"); !group_status.ok()) {
        break;
      }
    }
    try {
      outcomes[i] = group[i].apply(db);
    } catch (const std::exception& e) {  // e.g. bad_alloc: never let it kill the writer
      outcomes[i] = base::Status::Internal(std::string("store write failed: ") + e.what());
    }
    if (!outcomes[i].ok()) {
      if (!savepoints) {
        (void)db.Exec("ROLLBACK");
        break;  // nothing else to commit; the write reports its own error
      }
      // Undo just this write; the rest of the group still commits.
      (void)Savepoint(db, "ROLLBACK TO w");
      if (sqlite3_get_autocommit(db.db()) != 0) {
        // SQLite rolled the whole transaction back (e.g. disk full): nothing of the group
        // is there any more.
        group_status = outcomes[i];
        break;
      }
    }
    if (savepoints) {
      group_status = Savepoint(db, "RELEASE w");
    }
  }
  if (group_status.ok() && sqlite3_get_autocommit(db.db()) == 0) {
    group_status = Savepoint(db, "COMMIT");
  }
  if (!group_status.ok() && sqlite3_get_autocommit(db.db()) == 0) {
    (void)db.Exec("ROLLBACK");
  }
  for (size_t i = 0; i < group.size(); ++i) {
    group[i].complete(group_status.ok() ? std::move(outcomes[i]) : group_status);
  }
}

int SqliteStore::OnWalCommit(void* self, sqlite3* /*db*/, const char* /*name*/, int pages) {
  static_cast<SqliteStore*>(self)->wal_pages_ = pages;
  return SQLITE_OK;
}

void SqliteStore::MaybeCheckpoint() {
  const int64_t wal_bytes = static_cast<int64_t>(wal_pages_) * page_size_;
  if (wal_bytes < options_.checkpoint_bytes) {
    return;
  }
  // PASSIVE never waits; when readers keep it from finishing and the WAL keeps growing,
  // RESTART waits for them (busy_timeout) so the next writes start the WAL over.
  const int mode =
      wal_bytes >= options_.wal_limit_bytes ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE;
  int log_frames = 0;
  int checkpointed = 0;
  if (sqlite3_wal_checkpoint_v2(writer_->db(), nullptr, mode, &log_frames, &checkpointed) ==
          SQLITE_OK &&
      checkpointed == log_frames) {
    wal_pages_ = 0;
  }
}

// --- State machines -------------------------------------------------------------------------

base::Status SqliteStore::CreateStateMachine(const StateMachineRecord& record) {
  return WriteAndWait([&record](Connection& db) {
    {
      auto stmt = db.Prepare("INSERT OR IGNORE INTO state_machine VALUES (?1, ?2, ?3)");
      if (!stmt) {
        return stmt.error();
      }
      stmt->Bind(1, std::string_view(record.arn));
      stmt->Bind(2, std::string_view(record.name));
      stmt->Bind(3, std::string_view(record.revision_id));
      if (stmt->Step() != SQLITE_DONE) {
        return db.Error("insert state machine");
      }
    }
    if (sqlite3_changes(db.db()) == 0) {
      return base::Status::AlreadyExists("State Machine Already Exists: '" + record.arn + "'");
    }
    return PutRevision(db, record);
  });
}

base::Result<StateMachinePtr> SqliteStore::GetStateMachine(std::string_view arn) {
  static const std::string kSql = std::string("SELECT ") + kRevisionColumns +
                                  " FROM state_machine m JOIN state_machine_revision r ON "
                                  "r.revision_id = m.revision_id WHERE m.arn = ?1";
  auto reader = AcquireReader();
  if (!reader) {
    return base::Err(reader.error());
  }
  auto stmt = (*reader)->Prepare(kSql.c_str());
  if (!stmt) {
    return base::Err(stmt.error());
  }
  stmt->Bind(1, arn);
  const int rc = stmt->Step();
  if (rc == SQLITE_ROW) {
    return std::make_shared<const StateMachineRecord>(ReadStateMachine(*stmt));
  }
  if (rc != SQLITE_DONE) {
    return base::Err((*reader)->Error("get state machine"));
  }
  return base::Err(
      base::Status::NotFound("State Machine Does Not Exist: '" + std::string(arn) + "'"));
}

base::Status SqliteStore::UpdateStateMachine(const StateMachineRecord& record) {
  return WriteAndWait([&record](Connection& db) {
    {
      auto stmt =
          db.Prepare("UPDATE state_machine SET revision_id = ?3 WHERE arn = ?1 AND name = ?2");
      if (!stmt) {
        return stmt.error();
      }
      stmt->Bind(1, std::string_view(record.arn));
      stmt->Bind(2, std::string_view(record.name));
      stmt->Bind(3, std::string_view(record.revision_id));
      if (stmt->Step() != SQLITE_DONE) {
        return db.Error("update state machine");
      }
    }
    if (sqlite3_changes(db.db()) == 0) {
      return base::Status::NotFound("State Machine Does Not Exist: '" + record.arn + "'");
    }
    return PutRevision(db, record);
  });
}

base::Status SqliteStore::DeleteStateMachine(std::string_view arn) {
  return WriteAndWait([arn](Connection& db) {
    auto stmt = db.Prepare("DELETE FROM state_machine WHERE arn = ?1");
    if (!stmt) {
      return stmt.error();
    }
    stmt->Bind(1, arn);
    if (stmt->Step() != SQLITE_DONE) {
      return db.Error("delete state machine");
    }
    // Revisions stay: executions that still run (or are described) refer to them.
    if (sqlite3_changes(db.db()) == 0) {
      return base::Status::NotFound("State Machine Does Not Exist: '" + std::string(arn) + "'");
    }
    return base::Status::Ok();
  });
}

base::Result<Page<StateMachineRecord>> SqliteStore::ListStateMachines(const PageRequest& page) {
  static const std::string kSql = std::string("SELECT ") + kRevisionColumns +
                                  " FROM state_machine m JOIN state_machine_revision r ON "
                                  "r.revision_id = m.revision_id WHERE m.name > ?1 "
                                  "ORDER BY m.name LIMIT ?2";
  auto reader = AcquireReader();
  if (!reader) {
    return base::Err(reader.error());
  }
  auto stmt = (*reader)->Prepare(kSql.c_str());
  if (!stmt) {
    return base::Err(stmt.error());
  }
  stmt->Bind(1, std::string_view(page.token));
  stmt->Bind(2, static_cast<int64_t>(page.size()) + 1);  // one more: is there a next page?
  Page<StateMachineRecord> result;
  int rc = 0;
  while ((rc = stmt->Step()) == SQLITE_ROW) {
    if (static_cast<int>(result.items.size()) == page.size()) {
      result.next_token = result.items.back().name;
      break;
    }
    result.items.push_back(ReadStateMachine(*stmt));
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    return base::Err((*reader)->Error("list state machines"));
  }
  return result;
}

base::Result<StateMachinePtr> SqliteStore::GetRevision(std::string_view revision_id) {
  static const std::string kSql = std::string("SELECT ") + kRevisionColumns +
                                  " FROM state_machine_revision r WHERE r.revision_id = ?1";
  auto reader = AcquireReader();
  if (!reader) {
    return base::Err(reader.error());
  }
  auto stmt = (*reader)->Prepare(kSql.c_str());
  if (!stmt) {
    return base::Err(stmt.error());
  }
  stmt->Bind(1, revision_id);
  const int rc = stmt->Step();
  if (rc == SQLITE_ROW) {
    return std::make_shared<const StateMachineRecord>(ReadStateMachine(*stmt));
  }
  if (rc != SQLITE_DONE) {
    return base::Err((*reader)->Error("get revision"));
  }
  return base::Err(base::Status::NotFound("Unknown revision: " + std::string(revision_id)));
}

// --- Executions -----------------------------------------------------------------------------

base::Result<StartResult> SqliteStore::StartExecution(const ExecutionRecord& record) {
  StartResult result;
  base::Status status =
      WriteAndWait([&](Connection& db) { return ApplyStart(db, record, result); });
  if (!status.ok()) {
    return base::Err(std::move(status));
  }
  return result;
}

void SqliteStore::StartExecutionAsync(const ExecutionRecord& record, StartDone done) {
  struct Pending {
    ExecutionRecord record;
    StartResult result;
    StartDone done;
  };
  auto pending = std::make_shared<Pending>(Pending{record, {}, std::move(done)});
  Enqueue(
      Write{[pending](Connection& db) { return ApplyStart(db, pending->record, pending->result); },
            [pending](base::Status status) {
              if (status.ok()) {
                pending->done(std::move(pending->result));
              } else {
                pending->done(base::Err(std::move(status)));
              }
            }});
}

base::Result<ExecutionRecord> SqliteStore::GetExecution(std::string_view arn) {
  static const std::string kSql =
      std::string("SELECT ") + kExecutionColumns + " FROM execution WHERE arn = ?1";
  auto reader = AcquireReader();
  if (!reader) {
    return base::Err(reader.error());
  }
  auto stmt = (*reader)->Prepare(kSql.c_str());
  if (!stmt) {
    return base::Err(stmt.error());
  }
  stmt->Bind(1, arn);
  const int rc = stmt->Step();
  if (rc == SQLITE_ROW) {
    return ReadExecution(*stmt);
  }
  if (rc != SQLITE_DONE) {
    return base::Err((*reader)->Error("get execution"));
  }
  return base::Err(base::Status::NotFound("Execution Does Not Exist: '" + std::string(arn) + "'"));
}

base::Result<Page<ExecutionRecord>> SqliteStore::ListExecutions(const ExecutionFilter& filter,
                                                                const PageRequest& page) {
  // The token is the row id to continue below (exclusive); ids grow with start order.
  static const std::string kSql =
      std::string("SELECT ") + kExecutionColumns +
      " FROM execution WHERE state_machine_arn = ?1 AND id < ?2 AND (?3 IS NULL OR status = ?3) "
      "AND (?5 IS NULL OR state_machine_version_arn = ?5) "
      "AND (?6 IS NULL OR state_machine_alias_arn = ?6) "
      "AND (?7 IS NULL OR (redrive_count > 0) = ?7) ORDER BY id DESC LIMIT ?4";
  int64_t below = std::numeric_limits<int64_t>::max();
  if (!page.token.empty()) {
    auto cursor = ParseCursor(page.token);
    if (!cursor) {
      return base::Err(InvalidToken());
    }
    below = *cursor;
  }
  auto reader = AcquireReader();
  if (!reader) {
    return base::Err(reader.error());
  }
  auto stmt = (*reader)->Prepare(kSql.c_str());
  if (!stmt) {
    return base::Err(stmt.error());
  }
  stmt->Bind(1, std::string_view(filter.state_machine_arn));
  stmt->Bind(2, below);
  if (filter.status) {
    stmt->Bind(3, model::ToString(*filter.status));
  }
  stmt->Bind(4, static_cast<int64_t>(page.size()) + 1);
  if (!filter.version_arn.empty()) {
    stmt->Bind(5, std::string_view(filter.version_arn));
  }
  if (!filter.alias_arn.empty()) {
    stmt->Bind(6, std::string_view(filter.alias_arn));
  }
  if (filter.redriven) {
    stmt->Bind(7, int64_t{*filter.redriven ? 1 : 0});
  }
  Page<ExecutionRecord> result;
  int rc = 0;
  while ((rc = stmt->Step()) == SQLITE_ROW) {
    if (static_cast<int>(result.items.size()) == page.size()) {
      result.next_token = std::to_string(stmt->Int(kExecutionIdColumn) + 1);
      break;
    }
    result.items.push_back(ReadExecution(*stmt));
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    return base::Err((*reader)->Error("list executions"));
  }
  return result;
}

base::Result<Page<model::HistoryEvent>> SqliteStore::GetHistory(std::string_view execution_arn,
                                                                const PageRequest& page,
                                                                bool reverse) {
  // The token is the id of the last event returned; the next page continues past it.
  static constexpr const char* kForward =
      "SELECT h.event_id, h.previous_event_id, h.timestamp, h.type, h.details_key, h.details "
      "FROM history_event h WHERE h.execution_id = ?1 AND h.event_id > ?2 "
      "ORDER BY h.event_id LIMIT ?3";
  static constexpr const char* kReverse =
      "SELECT h.event_id, h.previous_event_id, h.timestamp, h.type, h.details_key, h.details "
      "FROM history_event h WHERE h.execution_id = ?1 AND h.event_id < ?2 "
      "ORDER BY h.event_id DESC LIMIT ?3";
  int64_t after = reverse ? std::numeric_limits<int64_t>::max() : 0;
  if (!page.token.empty()) {
    auto cursor = ParseCursor(page.token);
    if (!cursor || *cursor < 0) {
      return base::Err(InvalidToken());
    }
    after = *cursor;
  }
  auto reader = AcquireReader();
  if (!reader) {
    return base::Err(reader.error());
  }
  Connection& db = **reader;
  int64_t execution_id = 0;
  {
    auto stmt = db.Prepare("SELECT id FROM execution WHERE arn = ?1");
    if (!stmt) {
      return base::Err(stmt.error());
    }
    stmt->Bind(1, execution_arn);
    const int rc = stmt->Step();
    if (rc == SQLITE_DONE) {
      return base::Err(
          base::Status::NotFound("Execution Does Not Exist: '" + std::string(execution_arn) + "'"));
    }
    if (rc != SQLITE_ROW) {
      return base::Err(db.Error("find execution"));
    }
    execution_id = stmt->Int(0);
  }
  auto stmt = db.Prepare(reverse ? kReverse : kForward);
  if (!stmt) {
    return base::Err(stmt.error());
  }
  stmt->Bind(1, execution_id);
  stmt->Bind(2, after);
  stmt->Bind(3, static_cast<int64_t>(page.size()) + 1);
  Page<model::HistoryEvent> result;
  int rc = 0;
  while ((rc = stmt->Step()) == SQLITE_ROW) {
    if (static_cast<int>(result.items.size()) == page.size()) {
      result.next_token = std::to_string(result.items.back().id);
      break;
    }
    model::HistoryEvent& event = result.items.emplace_back();
    event.id = stmt->Int(0);
    event.previous_event_id = stmt->Int(1);
    event.timestamp = base::FromUnixMillis(stmt->Int(2));
    event.type = base::InternedName::Intern(stmt->Text(3));
    event.details_key = base::InternedName::Intern(stmt->Text(4));
    if (!stmt->IsNull(5)) {
      event.details = model::EventDetails::FromText(stmt->Text(5));
    }
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    return base::Err(db.Error("read history"));
  }
  return result;
}

base::Result<std::vector<ExecutionRecord>> SqliteStore::RunningExecutions() {
  static const std::string kSql = std::string("SELECT ") + kExecutionColumns +
                                  " FROM execution WHERE status = 'RUNNING' ORDER BY id";
  auto reader = AcquireReader();
  if (!reader) {
    return base::Err(reader.error());
  }
  auto stmt = (*reader)->Prepare(kSql.c_str());
  if (!stmt) {
    return base::Err(stmt.error());
  }
  std::vector<ExecutionRecord> running;
  int rc = 0;
  while ((rc = stmt->Step()) == SQLITE_ROW) {
    running.push_back(ReadExecution(*stmt));
  }
  if (rc != SQLITE_DONE) {
    return base::Err((*reader)->Error("running executions"));
  }
  return running;
}

base::Result<std::optional<std::string>> SqliteStore::LoadSnapshot(std::string_view execution_arn) {
  auto reader = AcquireReader();
  if (!reader) {
    return base::Err(reader.error());
  }
  auto stmt = (*reader)->Prepare("SELECT snapshot FROM execution WHERE arn = ?1");
  if (!stmt) {
    return base::Err(stmt.error());
  }
  stmt->Bind(1, execution_arn);
  const int rc = stmt->Step();
  if (rc == SQLITE_ROW) {
    return stmt->OptionalText(0);
  }
  if (rc != SQLITE_DONE) {
    return base::Err((*reader)->Error("load snapshot"));
  }
  return base::Err(
      base::Status::NotFound("Execution Does Not Exist: '" + std::string(execution_arn) + "'"));
}

base::Result<EndedTokenStatus> SqliteStore::LookupEndedToken(std::string_view token) {
  auto reader = AcquireReader();
  if (!reader) {
    return base::Err(reader.error());
  }
  auto stmt = (*reader)->Prepare("SELECT timed_out FROM task_token_ended WHERE token = ?1");
  if (!stmt) {
    return base::Err(stmt.error());
  }
  stmt->Bind(1, token);
  const int rc = stmt->Step();
  if (rc == SQLITE_ROW) {
    return stmt->Int(0) != 0 ? EndedTokenStatus::kTimedOut : EndedTokenStatus::kFinished;
  }
  if (rc != SQLITE_DONE) {
    return base::Err((*reader)->Error("look up task token"));
  }
  return EndedTokenStatus::kUnknown;
}

base::Result<ExecutionState> SqliteStore::LoadExecutionState(std::string_view arn) {
  static const std::string kSql =
      std::string("SELECT ") + kExecutionColumns + ", snapshot FROM execution WHERE arn = ?1";
  static constexpr const char* kTimers =
      "SELECT stamp, fire_at FROM timer WHERE execution_id = ?1 ORDER BY fire_at, stamp";
  static constexpr const char* kOutbox =
      "SELECT stamp, kind, payload FROM outbox WHERE execution_id = ?1 ORDER BY stamp";
  auto reader = AcquireReader();
  if (!reader) {
    return base::Err(reader.error());
  }
  Connection& db = **reader;
  // One read transaction: the record, timers and outbox of the same commit.
  if (auto status = db.Exec("BEGIN"); !status.ok()) {
    return base::Err(std::move(status));
  }
  auto loaded = [&]() -> base::Result<ExecutionState> {
    ExecutionState state;
    int64_t execution_id = 0;
    {
      auto stmt = db.Prepare(kSql.c_str());
      if (!stmt) {
        return base::Err(stmt.error());
      }
      stmt->Bind(1, arn);
      const int rc = stmt->Step();
      if (rc == SQLITE_DONE) {
        return base::Err(
            base::Status::NotFound("Execution Does Not Exist: '" + std::string(arn) + "'"));
      }
      if (rc != SQLITE_ROW) {
        return base::Err(db.Error("load execution"));
      }
      state.record = ReadExecution(*stmt);
      execution_id = stmt->Int(kExecutionIdColumn);
      state.snapshot = stmt->OptionalText(kExecutionIdColumn + 1);
    }
    {
      auto stmt = db.Prepare(kTimers);
      if (!stmt) {
        return base::Err(stmt.error());
      }
      stmt->Bind(1, execution_id);
      int rc = 0;
      while ((rc = stmt->Step()) == SQLITE_ROW) {
        state.timers.push_back(
            TimerRow{static_cast<uint64_t>(stmt->Int(0)), base::FromUnixMillis(stmt->Int(1))});
      }
      if (rc != SQLITE_DONE) {
        return base::Err(db.Error("load timers"));
      }
    }
    auto stmt = db.Prepare(kOutbox);
    if (!stmt) {
      return base::Err(stmt.error());
    }
    stmt->Bind(1, execution_id);
    int rc = 0;
    while ((rc = stmt->Step()) == SQLITE_ROW) {
      state.outbox.push_back(
          OutboxRow{static_cast<uint64_t>(stmt->Int(0)), stmt->Text(1), stmt->Text(2)});
    }
    if (rc != SQLITE_DONE) {
      return base::Err(db.Error("load outbox"));
    }
    return state;
  }();
  (void)db.Exec("COMMIT");
  return loaded;
}

base::Result<std::vector<DueTimer>> SqliteStore::TimersDue(base::Timestamp after,
                                                           base::Timestamp until) {
  // Rows exist only for running executions (the closing step deletes them).
  static constexpr const char* kSql =
      "SELECT e.arn, t.stamp, t.fire_at FROM timer t JOIN execution e ON e.id = t.execution_id "
      "WHERE t.fire_at > ?1 AND t.fire_at <= ?2 ORDER BY t.fire_at";
  auto reader = AcquireReader();
  if (!reader) {
    return base::Err(reader.error());
  }
  auto stmt = (*reader)->Prepare(kSql);
  if (!stmt) {
    return base::Err(stmt.error());
  }
  stmt->Bind(1, base::ToUnixMillis(after));
  stmt->Bind(2, base::ToUnixMillis(until));
  std::vector<DueTimer> due;
  int rc = 0;
  while ((rc = stmt->Step()) == SQLITE_ROW) {
    due.push_back(DueTimer{stmt->Text(0), static_cast<uint64_t>(stmt->Int(1)),
                           base::FromUnixMillis(stmt->Int(2))});
  }
  if (rc != SQLITE_DONE) {
    return base::Err((*reader)->Error("timers due"));
  }
  return due;
}

// --- Commit ---------------------------------------------------------------------------------

void SqliteStore::Commit(std::vector<Transition> batch, CommitDone done) {
  struct Pending {
    std::vector<Transition> batch;
    std::vector<CommitResult> results;
    CommitDone done;
  };
  auto pending = std::make_shared<Pending>(Pending{std::move(batch), {}, std::move(done)});
  Enqueue(
      Write{[pending](Connection& db) {
              pending->results.clear();
              pending->results.reserve(pending->batch.size());
              for (const Transition& transition : pending->batch) {
                auto result = ApplyTransition(db, transition);
                if (!result) {
                  return result.error();  // the whole batch rolls back: the caller sees the error
                }
                pending->results.push_back(*result);
              }
              return base::Status::Ok();
            },
            [pending](base::Status status) {
              if (status.ok()) {
                pending->done(std::move(pending->results));
              } else {
                pending->done(base::Err(std::move(status)));
              }
            }});
}

}  // namespace flowstate::store
