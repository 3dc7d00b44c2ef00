#include "fieldcrm/server/store_file_watch.h"

#include <sys/stat.h>

#include "fieldcrm/base/error.h"

namespace fieldcrm::sync {

StoreFileWatch::StoreFileWatch(std::string path) : path_(std::move(path)) {
  if (path_.empty()) return;
  struct stat file {};
  if (stat(path_.c_str(), &file) != 0) throw InvalidInput("no store file at '" + path_ + "'");
  device_ = file.st_dev;
  inode_ = file.st_ino;
}

std::optional<std::string> StoreFileWatch::Vanished() const {
  if (path_.empty()) return std::nullopt;
  struct stat file {};
  if (stat(path_.c_str(), &file) != 0) {
    return "the server's store file '" + path_ + "' was deleted while the server ran";
  }
  if (file.st_dev != device_ || file.st_ino != inode_) {
    return "the server's store file '" + path_ + "' was replaced while the server ran";
  }
  return std::nullopt;
}

}  // namespace fieldcrm::sync
