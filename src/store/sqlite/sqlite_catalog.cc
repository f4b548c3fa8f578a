// SqliteStore's catalog (activities, tags, versions, aliases): table catalog_entry, keyed by
// (kind, key); writes go through the writer thread like every other write.
#include <string>

#include <sqlite3.h>

#include "store/sqlite/sqlite_store.h"

namespace flowstate::store {
namespace {

using sqlite::Connection;

std::string NotFoundMessage(std::string_view kind, std::string_view key) {
  return std::string(kind) + " not found: '" + std::string(key) + "'";
}

base::Status WriteEntry(Connection& db, const char* sql, std::string_view kind,
                        std::string_view key, std::string_view value) {
  auto stmt = db.Prepare(sql);
  if (!stmt) {
    return stmt.error();
  }
  stmt->Bind(1, kind);
  stmt->Bind(2, key);
  stmt->Bind(3, value);
  if (stmt->Step() != SQLITE_DONE) {
    return db.Error("write catalog entry");
  }
  return base::Status::Ok();
}

}  // namespace

base::Status SqliteStore::CreateCatalogEntry(std::string_view kind, std::string_view key,
                                             std::string_view value) {
  return WriteAndWait([kind, key, value](Connection& db) {
    if (auto status = WriteEntry(db, "INSERT OR IGNORE INTO catalog_entry VALUES (?1, ?2, ?3)",
                                 kind, key, value);
        !status.ok()) {
      return status;
    }
    if (sqlite3_changes(db.db()) == 0) {
      return base::Status::AlreadyExists(std::string(kind) + " already exists: '" +
                                         std::string(key) + "'");
    }
    return base::Status::Ok();
  });
}

base::Status SqliteStore::PutCatalogEntry(std::string_view kind, std::string_view key,
                                          std::string_view value) {
  return WriteAndWait([kind, key, value](Connection& db) {
    return WriteEntry(db, "INSERT OR REPLACE INTO catalog_entry VALUES (?1, ?2, ?3)", kind, key,
                      value);
  });
}

base::Result<std::string> SqliteStore::GetCatalogEntry(std::string_view kind,
                                                       std::string_view key) {
  auto reader = AcquireReader();
  if (!reader) {
    return base::Err(reader.error());
  }
  auto stmt = (*reader)->Prepare("SELECT value FROM catalog_entry WHERE kind = ?1 AND key = ?2");
  if (!stmt) {
    return base::Err(stmt.error());
  }
  stmt->Bind(1, kind);
  stmt->Bind(2, key);
  const int rc = stmt->Step();
  if (rc == SQLITE_ROW) {
    return stmt->Text(0);
  }
  if (rc != SQLITE_DONE) {
    return base::Err((*reader)->Error("get catalog entry"));
  }
  return base::Err(base::Status::NotFound(NotFoundMessage(kind, key)));
}

base::Status SqliteStore::DeleteCatalogEntry(std::string_view kind, std::string_view key) {
  return WriteAndWait([kind, key](Connection& db) {
    auto stmt = db.Prepare("DELETE FROM catalog_entry WHERE kind = ?1 AND key = ?2");
    if (!stmt) {
      return stmt.error();
    }
    stmt->Bind(1, kind);
    stmt->Bind(2, key);
    if (stmt->Step() != SQLITE_DONE) {
      return db.Error("delete catalog entry");
    }
    if (sqlite3_changes(db.db()) == 0) {
      return base::Status::NotFound(NotFoundMessage(kind, key));
    }
    return base::Status::Ok();
  });
}

base::Result<Page<CatalogEntry>> SqliteStore::ListCatalogEntries(std::string_view kind,
                                                                 std::string_view prefix,
                                                                 const PageRequest& page) {
  auto reader = AcquireReader();
  if (!reader) {
    return base::Err(reader.error());
  }
  // substr() compares the prefix exactly (LIKE would treat `%` and `_` in ARNs as patterns).
  // The first page starts at the prefix itself (a key may equal it); later ones after `token`.
  auto stmt = (*reader)->Prepare(
      page.token.empty() ? "SELECT key, value FROM catalog_entry WHERE kind = ?1 AND key >= ?2 AND "
                           "substr(key, 1, length(?3)) = ?3 ORDER BY key LIMIT ?4"
                         : "SELECT key, value FROM catalog_entry WHERE kind = ?1 AND key > ?2 AND "
                           "substr(key, 1, length(?3)) = ?3 ORDER BY key LIMIT ?4");
  if (!stmt) {
    return base::Err(stmt.error());
  }
  stmt->Bind(1, kind);
  stmt->Bind(2, page.token.empty() ? prefix : std::string_view(page.token));
  stmt->Bind(3, prefix);
  stmt->Bind(4, static_cast<int64_t>(page.size()) + 1);  // one more: is there a next page?
  Page<CatalogEntry> result;
  int rc = 0;
  while ((rc = stmt->Step()) == SQLITE_ROW) {
    if (static_cast<int>(result.items.size()) == page.size()) {
      result.next_token = result.items.back().key;
      break;
    }
    result.items.push_back(CatalogEntry{stmt->Text(0), stmt->Text(1)});
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    return base::Err((*reader)->Error("list catalog entries"));
  }
  return result;
}

}  // namespace flowstate::store
