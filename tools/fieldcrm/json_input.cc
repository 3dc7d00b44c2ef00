#include "json_input.h"

#include <fstream>
#include <sstream>

#include "fieldcrm/base/error.h"

namespace fieldcrm::cli {

std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw NotFound("cannot read '" + path + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

nlohmann::json ParseJsonText(const std::string& text, const std::string& what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw InvalidInput(what + " is not valid JSON: " + e.what());
  }
}

nlohmann::json ReadJsonFile(const std::string& path) {
  return ParseJsonText(ReadTextFile(path), "'" + path + "'");
}

}  // namespace fieldcrm::cli
