// Reading changes back from rows of the log table.
#pragma once

#include "fieldcrm/storage/change.h"
#include "fieldcrm/storage/sqlite.h"

namespace fieldcrm {

// The log's columns that make up a change, in the order ReadLogRow reads them.
#define FIELDCRM_LOG_CHANGE_COLUMNS "device, seq, hlc, base, kind, record, field, value"

// The change in the columns FIELDCRM_LOG_CHANGE_COLUMNS names, from column `col` of the current
// row on.
Change ReadLogRow(const Statement& stmt, int col);

}  // namespace fieldcrm
