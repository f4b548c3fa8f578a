#include "store/sqlite/connection.h"

#include <sqlite3.h>

namespace flowstate::store::sqlite {

Statement::~Statement() {
  if (stmt_ == nullptr) {
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Statement::Bind(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }

void Statement::Bind(int index, std::string_view text) {
  // A default string_view has no data pointer, which SQLite would bind as NULL, not as ''.
  const char* data = text.data() != nullptr ? text.data() : "";
  sqlite3_bind_text(stmt_, index, data, static_cast<int>(text.size()), SQLITE_STATIC);
}

void Statement::Bind(int index, const std::optional<std::string>& text) {
  if (text) {
    Bind(index, std::string_view(*text));
  } else {
    BindNull(index);
  }
}

void Statement::BindNull(int index) { sqlite3_bind_null(stmt_, index); }

int Statement::Step() { return sqlite3_step(stmt_); }

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  return data == nullptr ? std::string() : std::string(data, static_cast<size_t>(size));
}

std::optional<std::string> Statement::OptionalText(int column) const {
  if (IsNull(column)) {
    return std::nullopt;
  }
  return Text(column);
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

base::Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                           bool read_only) {
  sqlite3* db = nullptr;
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message =
        "cannot open " + path + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return base::Err(base::Status::IoError(std::move(message)));
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) {
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db_);
}

base::Status Connection::Exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Error(sql);
  }
  return base::Status::Ok();
}

base::Result<Statement> Connection::Prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      return base::Err(Error(sql));
    }
    it = statements_.emplace(sql, stmt).first;
  }
  return Statement(it->second);
}

base::Status Connection::Error(std::string_view what) const {
  return base::Status::IoError("sqlite: " + std::string(what) + ": " + sqlite3_errmsg(db_) + " (" +
                               std::to_string(sqlite3_extended_errcode(db_)) + ")");
}

}  // namespace flowstate::store::sqlite
