// Which customer field each column of a spreadsheet holds. Offices export from their own
// templates, so a header is matched after folding away what varies between them: spaces,
// full-width punctuation, case, required-marks (*) and notes in brackets such as （必填） or
// (万元). The variants Chinese CRM and Excel templates use are listed in import_columns.cc and
// in docs/import.md; anything else the user maps (import --map 列名=field).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace fieldcrm {

// The header folded for matching: "客户 姓名（必填）" and "客户姓名" give the same text.
std::string NormalizeHeader(std::string_view header);

// A mapping the user gives: header (as written, or normalised) -> a customer field, an
// extension field, or "-" to ignore the column.
using ColumnMapping = std::map<std::string, std::string>;

// "列名=field" as typed after --map; throws InvalidInput for a malformed entry or an unknown
// field.
std::pair<std::string, std::string> ParseMappingEntry(std::string_view entry);

struct ImportColumn {
  std::string header;   // as written in the file
  std::string field;    // "" when the column is ignored
  bool in_wan = false;  // a budget column whose note says 万: plain numbers are 万 CNY
};

struct ImportColumns {
  std::vector<ImportColumn> columns;  // one per header cell, in file order
  std::vector<std::string> ignored;   // headers of the columns no field takes
};

// Resolves a header row: the user's mapping first, then field names (an export's own header),
// then the known variants; unknown columns are ignored, or kept as extension fields
// "import.<header>" when keep_unknown. Throws InvalidInput when two columns give the same field
// (naming both) or when there is no name or no phone column.
ImportColumns ResolveColumns(const std::vector<std::string>& header, const ColumnMapping& mapping,
                             bool keep_unknown);

}  // namespace fieldcrm
