// The server's store file, as it was when the server opened it. If it is deleted or replaced
// while the server runs, SQLite keeps writing to the old, unlinked file, which vanishes with the
// process: pushes would be acknowledged and then lost. The server asks before every push.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace fieldcrm::sync {

class StoreFileWatch {
 public:
  // Remembers which file path names now; an empty path watches nothing.
  explicit StoreFileWatch(std::string path);
  // Why the store file is no longer the one opened (deleted, replaced), or nullopt.
  std::optional<std::string> Vanished() const;

 private:
  std::string path_;
  dev_t device_ = 0;
  ino_t inode_ = 0;
};

}  // namespace fieldcrm::sync
