// Every live customer out as a spreadsheet, for the office's Excel and for importing elsewhere:
// one row per customer with its id, the known fields, the extension fields any customer has
// (office.wechat) and updated_at. `fieldcrm import` reads either file back (customer_import.h).
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

#include "fieldcrm/model/xlsx_writer.h"
#include "fieldcrm/storage/store.h"

namespace fieldcrm {

// CSV, UTF-8 without a byte-order mark, every cell quoted, CRLF lines.
void ExportCustomersCsv(Store& store, std::ostream& out);

// A worksheet "customers" in a workbook: budgets as amounts, birthdays as dates, created_at and
// updated_at as local times (xlsx_writer.h).
void AddCustomersSheet(Store& store, XlsxWriter& writer);

// How a customer field is written to a workbook: budget an amount, birthday a date, created_at
// and updated_at times, the rest general.
XlsxKind CustomerFieldXlsxKind(std::string_view field);

}  // namespace fieldcrm
