#include "fieldcrm/sync/sync_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "fieldcrm/base/error.h"

namespace fieldcrm::sync {

namespace {

// What the holder wrote into the lock file: its process id, for the message.
std::string HolderOf(int fd) {
  char text[32] = {};
  ssize_t n = pread(fd, text, sizeof text - 1, 0);
  std::string pid(text, n > 0 ? static_cast<size_t>(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "" : " (process " + pid + ")";
}

}  // namespace

SyncLock::SyncLock(const std::string& db_path) {
  std::string path = db_path + ".sync-lock";
  fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    int error = errno;
    // A lock file an earlier sync left in a folder now read-only still locks.
    fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      throw StorageError(
          "cannot create '" + path + "' to hold this store's sync lock: " + std::strerror(error) +
          (error == EROFS || error == EACCES ? ": the store's folder is read-only; make it writable"
                                             : ""));
    }
  }
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    std::string holder = error == EWOULDBLOCK ? HolderOf(fd_) : "";
    close(fd_);
    fd_ = -1;
    if (error != EWOULDBLOCK) {
      throw StorageError("cannot lock '" + path + "': " + std::strerror(error));
    }
    throw Error(kSyncInProgress, "another sync of store '" + db_path + "' is running" + holder +
                                     ": wait for it to finish (nothing was sent by this one)");
  }
  // For the message of a second sync; failing to write it loses only that.
  std::string pid = std::to_string(getpid()) + "\n";
  static_cast<void>(ftruncate(fd_, 0) == 0 && pwrite(fd_, pid.data(), pid.size(), 0) > 0);
}

SyncLock::~SyncLock() {
  if (fd_ >= 0) close(fd_);  // releases the flock
}

}  // namespace fieldcrm::sync
