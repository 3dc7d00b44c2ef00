#include "fieldcrm/cli/output.h"
#include "server_cli.h"

namespace fieldcrm::sync {

void PrintRows(const ServerContext& ctx, const nlohmann::json& rows,
               const std::vector<std::pair<std::string, std::string>>& columns) {
  if (ctx.json) return cli::PrintJson(rows);
  std::vector<std::string> headers;
  for (const auto& [header, key] : columns) headers.push_back(header);
  std::vector<std::vector<std::string>> table;
  for (const nlohmann::json& row : rows) {
    std::vector<std::string> cells;
    for (const auto& [header, key] : columns) cells.push_back(cli::Show(row, key.c_str()));
    table.push_back(std::move(cells));
  }
  cli::PrintTable(headers, table);
}

}  // namespace fieldcrm::sync
