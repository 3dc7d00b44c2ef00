// Errors a person can act on. Every failure the store reports is one of these, with a message
// that names the offending input.
#pragma once

#include <stdexcept>
#include <string>

namespace fieldcrm {

// The caller gave something we cannot accept (bad field, bad phone, malformed file...).
class InvalidInput : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A record or file that was asked for does not exist.
class NotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The storage layer failed (SQLite error, incompatible file, disk full...).
class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A plugin failed (refused at load, threw, or is disabled); the message names it and the reason.
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace fieldcrm
