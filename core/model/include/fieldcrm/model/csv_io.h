// Customers in and out as CSV, the format head office and agencies exchange lists in.
// Files may be UTF-8 (with or without BOM) or GBK/GB18030, as Excel on a Chinese Windows saves
// them.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "fieldcrm/storage/store.h"

namespace fieldcrm {

struct ImportReport {
  int added = 0;
  int existing = 0;                 // rows whose phone was already on the store
  std::vector<std::string> errors;  // "row N: reason", one per rejected row
};

// Header row names the columns: customer field names or their Chinese labels (姓名, 电话...);
// the id and updated_at columns of an export are ignored, so an export imports back.
// Good rows are kept even when others are rejected. Throws InvalidInput when the file as a whole
// cannot be read (unknown column, no name/phone column, broken quoting, undecodable text).
ImportReport ImportCustomersCsv(Store& store, const std::string& path);

void ExportCustomersCsv(Store& store, std::ostream& out);
// One CSV cell: quoted, with its quotes doubled.
std::string CsvCell(const std::string& text);

// Converts to UTF-8: text that is already valid UTF-8 is returned as is, other text is decoded as
// GB18030 (a superset of GBK). Throws InvalidInput when it is neither.
std::string ToUtf8(std::string bytes);

}  // namespace fieldcrm
