// MemoryStore's catalog (activities, tags, versions, aliases): a sorted map per kind.
#include <mutex>
#include <string>

#include "store/memory/memory_store.h"

namespace flowstate::store {
namespace {

std::string NotFoundMessage(std::string_view kind, std::string_view key) {
  return std::string(kind) + " not found: '" + std::string(key) + "'";
}

}  // namespace

base::Status MemoryStore::CreateCatalogEntry(std::string_view kind, std::string_view key,
                                             std::string_view value) {
  std::lock_guard lock(mu_);
  auto& entries = catalog_[std::string(kind)];
  if (entries.contains(key)) {
    return base::Status::AlreadyExists(std::string(kind) + " already exists: '" + std::string(key) +
                                       "'");
  }
  entries.emplace(std::string(key), std::string(value));
  return base::Status::Ok();
}

base::Status MemoryStore::PutCatalogEntry(std::string_view kind, std::string_view key,
                                          std::string_view value) {
  std::lock_guard lock(mu_);
  catalog_[std::string(kind)].insert_or_assign(std::string(key), std::string(value));
  return base::Status::Ok();
}

base::Result<std::string> MemoryStore::GetCatalogEntry(std::string_view kind,
                                                       std::string_view key) {
  std::lock_guard lock(mu_);
  auto entries = catalog_.find(kind);
  if (entries != catalog_.end()) {
    auto entry = entries->second.find(key);
    if (entry != entries->second.end()) {
      return entry->second;
    }
  }
  return base::Err(base::Status::NotFound(NotFoundMessage(kind, key)));
}

base::Status MemoryStore::DeleteCatalogEntry(std::string_view kind, std::string_view key) {
  std::lock_guard lock(mu_);
  auto entries = catalog_.find(kind);
  if (entries != catalog_.end()) {
    auto entry = entries->second.find(key);
    if (entry != entries->second.end()) {
      entries->second.erase(entry);
      return base::Status::Ok();
    }
  }
  return base::Status::NotFound(NotFoundMessage(kind, key));
}

base::Result<Page<CatalogEntry>> MemoryStore::ListCatalogEntries(std::string_view kind,
                                                                 std::string_view prefix,
                                                                 const PageRequest& page) {
  std::lock_guard lock(mu_);
  Page<CatalogEntry> result;
  auto entries = catalog_.find(kind);
  if (entries == catalog_.end()) {
    return result;
  }
  auto it = page.token.empty() ? entries->second.lower_bound(prefix)
                               : entries->second.upper_bound(page.token);
  for (; it != entries->second.end() && it->first.starts_with(prefix); ++it) {
    if (static_cast<int>(result.items.size()) == page.size()) {
      result.next_token = result.items.back().key;
      break;
    }
    result.items.push_back(CatalogEntry{it->first, it->second});
  }
  return result;
}

}  // namespace flowstate::store
