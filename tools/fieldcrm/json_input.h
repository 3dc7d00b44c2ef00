// JSON given on the command line or in a file (plugin settings, questionnaires, a script's
// edits), with errors that say where it came from.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace fieldcrm::cli {

// The whole file's bytes; throws NotFound for a file that cannot be read.
std::string ReadTextFile(const std::string& path);
// Throws InvalidInput naming `what` when text is not JSON.
nlohmann::json ParseJsonText(const std::string& text, const std::string& what);
// Throws NotFound for an unreadable file, InvalidInput naming the file for bad JSON.
nlohmann::json ReadJsonFile(const std::string& path);

}  // namespace fieldcrm::cli
