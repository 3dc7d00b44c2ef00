#include "tests/support/state_dump.h"

namespace fieldcrm::testing {

std::string StateDump(Database& db) {
  std::string out;
  Statement& fields = db.Prepare(
      "SELECT record, field, COALESCE(value, '<removed>'), hlc, device, base FROM field_state "
      "ORDER BY record, field");
  while (fields.Step()) {
    out += "F " + fields.Text(0) + " " + fields.Text(1) + " = " + fields.Text(2) + " @" +
           std::to_string(fields.Int(3)) + "/" + fields.Text(4) + " base " +
           std::to_string(fields.Int(5)) + "\n";
  }
  fields.Reset();
  Statement& records = db.Prepare(
      "SELECT id, kind, COALESCE(parent, ''), COALESCE(root, ''), deleted, COALESCE(phone, ''), "
      "COALESCE(team, ''), COALESCE(stage, ''), updated_hlc, doc FROM records ORDER BY id");
  while (records.Step()) {
    out += "R";
    for (int col = 0; col < 10; ++col) out += " " + records.Text(col);
    out += "\n";
  }
  records.Reset();
  // The fact tables, every column as text.
  for (const char* table : {"customer_facts", "history_facts"}) {
    Statement& facts = db.Prepare(std::string("SELECT * FROM ") + table + " ORDER BY id");
    while (facts.Step()) {
      out += table[0] == 'c' ? "C" : "H";
      for (int col = 0; col < facts.ColumnCount(); ++col) {
        out += " " + facts.OptText(col).value_or("-");
      }
      out += "\n";
    }
    facts.Reset();
  }
  return out;
}

}  // namespace fieldcrm::testing
