// FileLock holds an exclusive flock(2) on a file for its lifetime (LevelDB's db_lock_): the
// SQLite store takes one on "<db>.lock" so two processes never write one database.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"

namespace flowstate::store::sqlite {

class FileLock {
 public:
  // Unavailable when another process (or another open in this one) holds the lock.
  static base::Result<std::unique_ptr<FileLock>> Acquire(const std::string& path);
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace flowstate::store::sqlite
