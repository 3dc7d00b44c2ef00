// LD_PRELOAD shim for tests: files under $FIELDCRM_READ_ONLY_PREFIX behave as on a read-only
// filesystem (opening them for writing, or creating files there, fails with EROFS). It works the
// same as root and as an ordinary user, where chmod would not stop root and a read-only mount
// would need privileges.
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>

#include <cstdarg>
#include <cstdlib>
#include <cstring>

namespace {

bool RefusedWrite(const char* path, int flags) {
  const char* prefix = std::getenv("FIELDCRM_READ_ONLY_PREFIX");
  if (!prefix || !*prefix || !path || std::strncmp(path, prefix, std::strlen(prefix)) != 0) {
    return false;
  }
  return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) != 0;
}

mode_t ModeOf(int flags, va_list args) {
  return (flags & (O_CREAT | O_TMPFILE)) ? va_arg(args, mode_t) : 0;
}

template <typename Fn>
Fn Next(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" {

int open(const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  mode_t mode = ModeOf(flags, args);
  va_end(args);
  if (RefusedWrite(path, flags)) return errno = EROFS, -1;
  static auto real = Next<int (*)(const char*, int, ...)>("open");
  return real(path, flags, mode);
}

int open64(const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  mode_t mode = ModeOf(flags, args);
  va_end(args);
  if (RefusedWrite(path, flags)) return errno = EROFS, -1;
  static auto real = Next<int (*)(const char*, int, ...)>("open64");
  return real(path, flags, mode);
}

int openat(int dir, const char* path, int flags, ...) {
  va_list args;
  va_start(args, flags);
  mode_t mode = ModeOf(flags, args);
  va_end(args);
  if (RefusedWrite(path, flags)) return errno = EROFS, -1;
  static auto real = Next<int (*)(int, const char*, int, ...)>("openat");
  return real(dir, path, flags, mode);
}

}  // extern "C"
