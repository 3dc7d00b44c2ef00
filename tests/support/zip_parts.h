// Zip archives at the level of their members, for tests of .xlsx files: build a workbook part by
// part (as Excel or another program would write it) and look inside one that was written.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace fieldcrm::testing {

// Writes a zip archive at `path` holding `members` (name -> content), deflated.
void WriteZip(const std::string& path, const std::map<std::string, std::string>& members);

// The content of a member of the archive at `path`; nullopt when there is no such member.
std::optional<std::string> ZipMember(const std::string& path, const std::string& name);

// A minimal .xlsx workbook whose first worksheet is `sheet_data` (the XML inside <sheetData>),
// with `shared_strings` (the XML inside <sst>) and `styles` (the XML inside <styleSheet>), as
// Excel lays the parts out.
std::map<std::string, std::string> WorkbookParts(const std::string& sheet_data,
                                                 const std::string& shared_strings = "",
                                                 const std::string& styles = "",
                                                 const std::string& workbook_properties = "");

}  // namespace fieldcrm::testing
