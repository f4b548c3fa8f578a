#include "store/sqlite/schema.h"

#include <array>
#include <string>

#include <sqlite3.h>

namespace flowstate::store::sqlite {
namespace {

// Append-only: a shipped migration never changes; a new schema is a new entry.
constexpr std::array<const char*, 4> kMigrations = {
    // 1: state machines, executions, history.
    R"sql(
CREATE TABLE state_machine (
  arn TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  revision_id TEXT NOT NULL
);
CREATE TABLE state_machine_revision (
  revision_id TEXT PRIMARY KEY,
  arn TEXT NOT NULL,
  name TEXT NOT NULL,
  definition TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  type TEXT NOT NULL,
  logging_configuration TEXT NOT NULL,
  tracing_configuration TEXT NOT NULL,
  description TEXT NOT NULL,
  creation_date INTEGER NOT NULL,
  update_date INTEGER NOT NULL
);
CREATE TABLE execution (
  id INTEGER PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  state_machine_arn TEXT NOT NULL,
  revision_id TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT NOT NULL,
  output TEXT,
  error TEXT,
  cause TEXT,
  trace_header TEXT NOT NULL,
  start_date INTEGER NOT NULL,
  stop_date INTEGER,
  next_event_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  snapshot BLOB
);
CREATE INDEX execution_by_machine ON execution (state_machine_arn, id);
CREATE INDEX execution_running ON execution (id) WHERE status = 'RUNNING';
CREATE TABLE history_event (
  execution_id INTEGER NOT NULL,
  event_id INTEGER NOT NULL,
  previous_event_id INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  type TEXT NOT NULL,
  details_key TEXT NOT NULL,
  details TEXT,
  PRIMARY KEY (execution_id, event_id)
) WITHOUT ROWID;
)sql",
    // 2: durable timers and the transactional outbox, written by the transition that asks for
    // them and deleted by the one that consumes their stamp (or ends the execution).
    R"sql(
CREATE TABLE timer (
  execution_id INTEGER NOT NULL,
  stamp INTEGER NOT NULL,
  fire_at INTEGER NOT NULL,
  PRIMARY KEY (execution_id, stamp)
) WITHOUT ROWID;
CREATE INDEX timer_due ON timer (fire_at);
CREATE TABLE outbox (
  execution_id INTEGER NOT NULL,
  stamp INTEGER NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  PRIMARY KEY (execution_id, stamp)
) WITHOUT ROWID;
)sql",
    // 3: the catalog (activities, tags, versions, aliases: Store::*CatalogEntry).
    R"sql(
CREATE TABLE catalog_entry (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;
)sql",
    // 4: RedriveExecution bookkeeping; the version/alias an execution started through (filled
    // in for earlier executions from their ExecutionStarted event), so ListExecutions can filter
    // on them; task tokens an execution stopped waiting on (late SendTask* answers after a
    // restart).
    R"sql(
ALTER TABLE execution ADD COLUMN state_machine_version_arn TEXT;
ALTER TABLE execution ADD COLUMN state_machine_alias_arn TEXT;
ALTER TABLE execution ADD COLUMN redrive_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE execution ADD COLUMN redrive_date INTEGER;
ALTER TABLE execution ADD COLUMN redrive_tokens TEXT;
UPDATE execution SET
  state_machine_version_arn = (SELECT json_extract(h.details, '$.stateMachineVersionArn')
    FROM history_event h WHERE h.execution_id = execution.id AND h.event_id = 1
    AND h.type = 'ExecutionStarted' AND json_valid(h.details)),
  state_machine_alias_arn = (SELECT json_extract(h.details, '$.stateMachineAliasArn')
    FROM history_event h WHERE h.execution_id = execution.id AND h.event_id = 1
    AND h.type = 'ExecutionStarted' AND json_valid(h.details));
CREATE TABLE task_token_ended (
  token TEXT PRIMARY KEY,
  execution_id INTEGER NOT NULL,
  timed_out INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
};

}  // namespace

int CurrentSchemaVersion() { return static_cast<int>(kMigrations.size()); }

base::Status Migrate(Connection& connection) {
  if (auto status =
          connection.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
      !status.ok()) {
    return status;
  }
  int version = 0;
  {
    auto stmt = connection.Prepare("SELECT coalesce(max(version), 0) FROM schema_version");
    if (!stmt) {
      return stmt.error();
    }
    if (stmt->Step() != SQLITE_ROW) {
      return connection.Error("reading schema_version");
    }
    version = static_cast<int>(stmt->Int(0));
  }
  if (version > CurrentSchemaVersion()) {
    return base::Status::Corruption("database schema version " + std::to_string(version) +
                                    " is newer than this build's (" +
                                    std::to_string(CurrentSchemaVersion()) + ")");
  }
  for (; version < CurrentSchemaVersion(); ++version) {
    const std::string sql =
        std::string("BEGIN IMMEDIATE;") + kMigrations[static_cast<size_t>(version)] +
        "INSERT INTO schema_version VALUES (" + std::to_string(version + 1) + ");COMMIT;";
    if (auto status = connection.Exec(sql.c_str()); !status.ok()) {
      (void)connection.Exec("ROLLBACK");
      return status;
    }
  }
  return base::Status::Ok();
}

}  // namespace flowstate::store::sqlite
