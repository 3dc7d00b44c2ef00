// Errors a person can act on. Every failure fieldcrm reports is an Error: a message that names
// the offending input, for people, and a stable code, for programs (the HTTP API answers it as
// {"error": {"code": ...}}, docs/sync-protocol.md). Codes never change meaning once released.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace fieldcrm {

class Error : public std::runtime_error {
 public:
  Error(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

// The caller gave something we cannot accept (bad field, bad phone, malformed file...).
class InvalidInput : public Error {
 public:
  explicit InvalidInput(const std::string& message) : Error("bad_request", message) {}
};

// A record or file that was asked for does not exist.
class NotFound : public Error {
 public:
  explicit NotFound(const std::string& message) : Error("not_found", message) {}
};

// The storage layer failed (SQLite error, incompatible file, disk full...).
class StorageError : public Error {
 public:
  explicit StorageError(const std::string& message) : Error("storage", message) {}
};

// A plugin failed (refused at load, threw, or is disabled); the message names it and the reason.
class PluginError : public Error {
 public:
  explicit PluginError(const std::string& message) : Error("plugin_unavailable", message) {}
};

// The work was stopped before it finished because nobody waits for it any more (a server's client
// hung up); nothing it would have written was written.
class Cancelled : public Error {
 public:
  explicit Cancelled(const std::string& message) : Error("cancelled", message) {}
};

}  // namespace fieldcrm
