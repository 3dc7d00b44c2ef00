// The file `fieldcrm customer set-many FILE` reads: one customer's edit per line, for scripts.
//  - JSON lines (a .jsonl/.ndjson file, or one whose first character is '{'): each line an object
//    with "id" or "phone" naming the customer and the fields to set as its other members; a
//    string is the text as typed (`customer set`'s), a number or true/false its JSON text, null
//    or "" clears the field.
//  - Otherwise a spreadsheet (CSV or .xlsx, as `import` reads them): a header row with an "id" or
//    "phone" column naming the customer and a column per field; an empty cell leaves that field
//    as it is (a sheet of sparse edits), so clearing a field needs JSON lines.
// With both "id" and "phone", id names the customer and phone is a field to set.
#pragma once

#include <string>
#include <vector>

#include "fieldcrm/model/customers.h"

namespace fieldcrm::cli {

// The edits in file order, each naming its line ("line 7") or spreadsheet row ("row 7") for the
// errors of Customers::SetMany. Throws NotFound for an unreadable file, InvalidInput naming the
// line for one that cannot be read as edits (and for a file without any).
std::vector<CustomerEdit> ReadCustomerEdits(const std::string& path);

}  // namespace fieldcrm::cli
