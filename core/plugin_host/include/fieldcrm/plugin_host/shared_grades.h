// The memory that grade batches cross between the host and a plugin-host process
// (isolated_plugin.h): one shared file (memfd) mapped by both, of two slots, each holding a
// batch's customer facts followed by room for their grades, in the plain layout of plugin_abi.h.
// A batch crosses with two copies and two small frames instead of its bytes through a socket and
// back, and while the process grades one slot the host fills the other: the isolation costs
// grading little more than in process (bench `tiering`).
//
// The host writes a slot's facts, asks the process to grade `count` of them, and reads the
// slot's grades only after the answer; the process touches a slot only while it answers. The
// host treats what it reads back as untrusted, like any other answer of the plugin.
#pragma once

#include <cstddef>

#include "fieldcrm/plugin_abi.h"

namespace fieldcrm {

// The fd number at which a plugin-host process finds the shared file.
inline constexpr int kSharedGradesFd = 4;

class SharedGrades {
 public:
  // Customers one slot holds.
  static constexpr size_t kCapacity = 8192;
  static constexpr int kSlots = 2;

  // The host's side: a new shared file; throws PluginError when the system refuses one.
  static SharedGrades Create();
  // The process's side: maps the file at fd. Throws PluginError when it is not one.
  static SharedGrades Map(int fd);
  SharedGrades(SharedGrades&& other) noexcept;
  SharedGrades& operator=(SharedGrades&& other) noexcept;
  SharedGrades(const SharedGrades&) = delete;
  SharedGrades& operator=(const SharedGrades&) = delete;
  ~SharedGrades();

  int fd() const { return fd_; }
  // slot: 0 .. kSlots - 1.
  fieldcrm_customer_facts* facts(int slot) const;
  fieldcrm_tier_grade* grades(int slot) const;

 private:
  SharedGrades(int fd, void* memory) : fd_(fd), memory_(memory) {}
  int fd_ = -1;
  void* memory_ = nullptr;
};

}  // namespace fieldcrm
