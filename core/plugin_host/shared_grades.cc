#include "fieldcrm/plugin_host/shared_grades.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "fieldcrm/base/error.h"

namespace fieldcrm {

namespace {

constexpr size_t kSlotBytes =
    SharedGrades::kCapacity * (sizeof(fieldcrm_customer_facts) + sizeof(fieldcrm_tier_grade));
constexpr size_t kBytes = SharedGrades::kSlots * kSlotBytes;

void* MapShared(int fd) {
  void* memory = ::mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  return memory == MAP_FAILED ? nullptr : memory;
}

}  // namespace

SharedGrades SharedGrades::Create() {
  int fd = ::memfd_create("fieldcrm-grades", MFD_CLOEXEC);
  void* memory = nullptr;
  if (fd >= 0 && ::ftruncate(fd, static_cast<off_t>(kBytes)) == 0) memory = MapShared(fd);
  if (memory == nullptr) {
    std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    throw PluginError("no shared memory for an isolated plugin's grades (" + why + ")");
  }
  return SharedGrades(fd, memory);
}

SharedGrades SharedGrades::Map(int fd) {
  struct stat file {};
  if (::fstat(fd, &file) != 0 || static_cast<size_t>(file.st_size) != kBytes) {
    throw PluginError("fd " + std::to_string(fd) + " is not the host's shared grade memory");
  }
  void* memory = MapShared(fd);
  if (memory == nullptr) {
    throw PluginError(std::string("cannot map the host's shared grade memory (") +
                      std::strerror(errno) + ")");
  }
  return SharedGrades(fd, memory);
}

SharedGrades::SharedGrades(SharedGrades&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), memory_(std::exchange(other.memory_, nullptr)) {}

SharedGrades& SharedGrades::operator=(SharedGrades&& other) noexcept {
  std::swap(fd_, other.fd_);
  std::swap(memory_, other.memory_);
  return *this;
}

SharedGrades::~SharedGrades() {
  if (memory_ != nullptr) ::munmap(memory_, kBytes);
  if (fd_ >= 0) ::close(fd_);
}

fieldcrm_customer_facts* SharedGrades::facts(int slot) const {
  return reinterpret_cast<fieldcrm_customer_facts*>(static_cast<char*>(memory_) +
                                                    static_cast<size_t>(slot) * kSlotBytes);
}

fieldcrm_tier_grade* SharedGrades::grades(int slot) const {
  return reinterpret_cast<fieldcrm_tier_grade*>(facts(slot) + kCapacity);
}

}  // namespace fieldcrm
