// Connection owns one sqlite3 handle and the prepared statements used on it (cached by the
// address of their SQL literal, so a hot path never re-parses SQL). A Connection is used by one
// thread at a time (opened NOMUTEX); SqliteStore gives the writer thread one and each reader
// its own.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.h"
#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace flowstate::store::sqlite {

// A prepared statement borrowed from a Connection's cache; resets it (keeping the plan) when
// the borrow ends. Bound text is not copied: it must outlive the borrow.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  void Bind(int index, int64_t value);
  void Bind(int index, std::string_view text);
  void Bind(int index, const std::optional<std::string>& text);  // NULL when empty
  void BindNull(int index);

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step();

  int64_t Int(int column) const;
  std::string Text(int column) const;
  std::optional<std::string> OptionalText(int column) const;
  bool IsNull(int column) const;

 private:
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  static base::Result<std::unique_ptr<Connection>> Open(const std::string& path, bool read_only);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  sqlite3* db() const { return db_; }
  // Runs one or more statements without results (schema, pragmas, BEGIN/COMMIT).
  base::Status Exec(const char* sql);
  // `sql` must be a string literal (or otherwise live as long as the connection): its address
  // is the cache key.
  base::Result<Statement> Prepare(const char* sql);
  // The connection's last error as a Status (SQLITE_BUSY/FULL/IOERR etc. become IoError).
  base::Status Error(std::string_view what) const;

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

}  // namespace flowstate::store::sqlite
