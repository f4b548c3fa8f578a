#include "store/sqlite/file_lock.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace flowstate::store::sqlite {

base::Result<std::unique_ptr<FileLock>> FileLock::Acquire(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return base::Err(base::Status::IoError("cannot open " + path + ": " + std::strerror(errno)));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK) {
      return base::Err(base::Status::Unavailable("database is in use by another process (" + path +
                                                 " is locked)"));
    }
    return base::Err(base::Status::IoError("cannot lock " + path + ": " + std::strerror(error)));
  }
  return std::unique_ptr<FileLock>(new FileLock(fd));
}

FileLock::~FileLock() { ::close(fd_); }  // closing the descriptor releases the flock

}  // namespace flowstate::store::sqlite
