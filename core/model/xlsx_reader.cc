#include "fieldcrm/model/xlsx_reader.h"

#include <expat.h>
#include <zip.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>

#include "fieldcrm/base/error.h"

namespace fieldcrm {

namespace {

constexpr size_t kMaxColumns = 16384;       // Excel's XFD
constexpr size_t kMaxRows = 1'048'576;      // Excel's last row
constexpr double kMaxDateSerial = 2958465;  // 9999-12-31

// A zip archive held in memory.
class Archive {
 public:
  explicit Archive(const std::string& bytes) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (source) archive_ = zip_open_from_source(source, ZIP_RDONLY, &error);
    if (!archive_) {
      std::string reason = zip_error_strerror(&error);
      if (source) zip_source_free(source);
      zip_error_fini(&error);
      throw InvalidInput("not a readable zip archive (" + reason + ")");
    }
    zip_error_fini(&error);
  }
  ~Archive() { zip_discard(archive_); }
  Archive(const Archive&) = delete;
  Archive& operator=(const Archive&) = delete;

  // Calls `consume` with the member's bytes, a piece at a time; false when there is no such
  // member. Throws InvalidInput for a damaged one (a CRC error shows at its end).
  template <typename Consume>
  bool Read(const std::string& name, Consume&& consume) {
    std::unique_ptr<zip_file_t, decltype(&zip_fclose)> file(
        zip_fopen(archive_, name.c_str(), ZIP_FL_NOCASE), &zip_fclose);
    if (!file) return false;
    char buffer[1 << 16];
    for (;;) {
      zip_int64_t got = zip_fread(file.get(), buffer, sizeof buffer);
      if (got < 0) {
        throw InvalidInput(name + " is damaged (" +
                           zip_error_strerror(zip_file_get_error(file.get())) + ")");
      }
      if (got == 0) return true;
      consume(std::string_view(buffer, static_cast<size_t>(got)), false);
    }
  }

 private:
  zip_t* archive_ = nullptr;
};

std::string_view LocalName(const char* name) {
  std::string_view text(name);
  size_t colon = text.rfind(':');
  return colon == std::string_view::npos ? text : text.substr(colon + 1);
}

// The value of the attribute with this local name (any prefix), or nullptr.
const char* Attribute(const char** attributes, std::string_view local) {
  for (size_t i = 0; attributes[i]; i += 2) {
    if (LocalName(attributes[i]) == local) return attributes[i + 1];
  }
  return nullptr;
}

// What one XML part of the workbook means to us: called with local element names.
class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  virtual void Start(std::string_view element, const char** attributes) = 0;
  virtual void End(std::string_view element) = 0;
  virtual void Text(std::string_view) {}
};

// Streams a member of the archive through expat into `handler`; false when there is no such
// member. Throws InvalidInput naming the member and line of malformed XML.
bool ParseMember(Archive& archive, const std::string& name, XmlHandler& handler) {
  std::unique_ptr<std::remove_pointer_t<XML_Parser>, decltype(&XML_ParserFree)> parser(
      XML_ParserCreate("UTF-8"), &XML_ParserFree);
  XML_SetUserData(parser.get(), &handler);
  XML_SetElementHandler(
      parser.get(),
      [](void* user, const XML_Char* element, const XML_Char** attributes) {
        static_cast<XmlHandler*>(user)->Start(LocalName(element), attributes);
      },
      [](void* user, const XML_Char* element) {
        static_cast<XmlHandler*>(user)->End(LocalName(element));
      });
  XML_SetCharacterDataHandler(parser.get(), [](void* user, const XML_Char* text, int length) {
    static_cast<XmlHandler*>(user)->Text(std::string_view(text, static_cast<size_t>(length)));
  });
  auto feed = [&](std::string_view bytes, bool last) {
    if (XML_Parse(parser.get(), bytes.data(), static_cast<int>(bytes.size()), last) ==
        XML_STATUS_ERROR) {
      throw InvalidInput(name + ": malformed XML at line " +
                         std::to_string(XML_GetCurrentLineNumber(parser.get())) + " (" +
                         XML_ErrorString(XML_GetErrorCode(parser.get())) + ")");
    }
  };
  if (!archive.Read(name, feed)) return false;
  feed({}, true);
  return true;
}

// Excel writes characters XML cannot hold as _xHHHH_ (a line break in a cell: _x000D_).
std::string DecodeEscapes(std::string text) {
  size_t at = text.find("_x");
  if (at == std::string::npos) return text;
  std::string out;
  size_t from = 0;
  for (; at != std::string::npos; at = text.find("_x", at + 1)) {
    unsigned code = 0;
    auto [end, error] = std::from_chars(text.data() + at + 2, text.data() + at + 6, code, 16);
    if (at + 7 > text.size() || error != std::errc() || end != text.data() + at + 6 ||
        text[at + 6] != '_') {
      continue;
    }
    out.append(text, from, at - from);
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
    from = at + 7;
    at += 6;
  }
  out.append(text, from);
  return out;
}

// The first worksheet's part name and the workbook's date system, from xl/workbook.xml.
struct WorkbookHandler : XmlHandler {
  std::string first_sheet_id;
  bool date1904 = false;
  void Start(std::string_view element, const char** attributes) override {
    if (element == "workbookPr") {
      const char* value = Attribute(attributes, "date1904");
      date1904 = value && (std::string_view(value) == "1" || std::string_view(value) == "true");
    } else if (element == "sheet" && first_sheet_id.empty()) {
      const char* id = Attribute(attributes, "id");
      if (id) first_sheet_id = id;
    }
  }
  void End(std::string_view) override {}
};

struct RelationshipsHandler : XmlHandler {
  std::map<std::string, std::string> targets;  // Id -> Target
  void Start(std::string_view element, const char** attributes) override {
    const char* id = Attribute(attributes, "Id");
    const char* target = Attribute(attributes, "Target");
    if (element == "Relationship" && id && target) targets[id] = target;
  }
  void End(std::string_view) override {}
};

// Whether a number format shows a date or time: Excel's built-in date formats (the CJK ones
// included), or a custom code with y, m, d, h or s outside quotes, brackets and escapes.
bool IsDateFormat(int id, std::string_view code) {
  if ((id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
      (id >= 50 && id <= 58)) {
    return true;
  }
  for (size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    if (c == '"') {
      i = code.find('"', i + 1);
      if (i == std::string_view::npos) return false;
    } else if (c == '[') {
      i = code.find(']', i + 1);
      if (i == std::string_view::npos) return false;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;
    } else if (std::string_view("yYmMdDhHsS").find(c) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

// Which cell styles (the s attribute) are dates, from xl/styles.xml.
struct StylesHandler : XmlHandler {
  std::map<int, std::string> codes;  // custom numFmtId -> formatCode
  std::vector<bool> is_date;         // by cellXfs index
  bool in_cell_xfs = false;
  void Start(std::string_view element, const char** attributes) override {
    const char* id = Attribute(attributes, "numFmtId");
    int number = id ? std::atoi(id) : 0;
    if (element == "numFmt" && id) {
      const char* code = Attribute(attributes, "formatCode");
      codes[number] = code ? code : "";
    } else if (element == "cellXfs") {
      in_cell_xfs = true;
    } else if (element == "xf" && in_cell_xfs) {
      auto code = codes.find(number);
      is_date.push_back(IsDateFormat(number, code == codes.end() ? "" : code->second));
    }
  }
  void End(std::string_view element) override {
    if (element == "cellXfs") in_cell_xfs = false;
  }
};

// The text of <si> (shared strings) or <is> (inline strings): every <t>, phonetic guides (<rPh>,
// the readings Excel keeps beside Chinese and Japanese text) left out.
struct RichText {
  std::string text;
  bool in_t = false;
  bool in_phonetic = false;
  void Start(std::string_view element) {
    if (element == "rPh") in_phonetic = true;
    if (element == "t" && !in_phonetic) in_t = true;
  }
  void End(std::string_view element) {
    if (element == "rPh") in_phonetic = false;
    if (element == "t") in_t = false;
  }
  void Text(std::string_view piece) {
    if (in_t) text += piece;
  }
};

struct SharedStringsHandler : XmlHandler {
  std::vector<std::string> strings;
  RichText item;
  void Start(std::string_view element, const char**) override {
    if (element == "si") item = {};
    item.Start(element);
  }
  void End(std::string_view element) override {
    item.End(element);
    if (element == "si") strings.push_back(DecodeEscapes(std::move(item.text)));
  }
  void Text(std::string_view piece) override { item.Text(piece); }
};

std::string TwoDigits(int value) {
  char text[8];
  std::snprintf(text, sizeof text, "%02d", value % 100);
  return text;
}

// An Excel date number as text: days since 1899-12-30 (1900 system, whose fictitious
// 1900-02-29 makes serials below 61 count from 1899-12-31) or since 1904-01-01, the fraction the
// time of day.
std::string SerialDateText(double serial, bool date1904) {
  double whole = std::floor(serial);
  auto seconds_of_day = static_cast<int64_t>(std::llround((serial - whole) * 86400));
  auto day = static_cast<int64_t>(whole);
  if (seconds_of_day == 86400) {
    ++day;
    seconds_of_day = 0;
  }
  std::string time = TwoDigits(static_cast<int>(seconds_of_day / 3600)) + ":" +
                     TwoDigits(static_cast<int>(seconds_of_day / 60 % 60)) + ":" +
                     TwoDigits(static_cast<int>(seconds_of_day % 60));
  if (day == 0 && !date1904) return time;  // a time of day alone
  day += date1904 ? 1462 : day < 61 ? 1 : 0;
  auto seconds = static_cast<std::time_t>((day - 25569) * 86400);  // 25569: 1970-01-01
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char date[32];
  std::snprintf(date, sizeof date, "%04d-%02d-%02d", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday);
  return seconds_of_day == 0 ? date : std::string(date) + " " + time;
}

// A number cell's text as Excel shows it in a General column: integers in full (a phone number
// 13800138000), fractions to 15 significant digits (what Excel keeps), dates as dates.
std::string NumberText(const std::string& raw, bool is_date, bool date1904) {
  double value = 0;
  auto [end, error] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
  if (error != std::errc() || end != raw.data() + raw.size() || !std::isfinite(value)) return raw;
  if (is_date && value >= 0 && value <= kMaxDateSerial) return SerialDateText(value, date1904);
  char text[64];
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(text, sizeof text, "%.0f", value);
  } else {
    std::snprintf(text, sizeof text, "%.15g", value);
  }
  return text;
}

// Column index (from 0) and row number of a cell reference such as "AB12"; 0 for a part missing.
std::pair<size_t, size_t> ParseReference(std::string_view reference) {
  size_t column = 0, i = 0;
  for (; i < reference.size() && reference[i] >= 'A' && reference[i] <= 'Z'; ++i) {
    column = column * 26 + static_cast<size_t>(reference[i] - 'A' + 1);
    if (column > kMaxColumns) break;
  }
  size_t row = 0;
  std::from_chars(reference.data() + i, reference.data() + reference.size(), row);
  return {column, row};
}

// The worksheet's rows.
struct SheetHandler : XmlHandler {
  SheetHandler(const std::vector<std::string>& shared, const std::vector<bool>& dates, bool is_1904)
      : shared_strings(shared), date_styles(dates), date1904(is_1904) {}

  const std::vector<std::string>& shared_strings;
  const std::vector<bool>& date_styles;
  bool date1904;
  std::vector<SheetRow> rows;

  SheetRow row{0, {}};
  size_t column = 0;  // of the current cell, from 0
  std::string type, reference;
  size_t style = 0;
  std::string value;  // <v>
  bool in_value = false, in_inline = false;
  RichText inline_text;

  void Start(std::string_view element, const char** attributes) override {
    if (element == "row") {
      const char* number = Attribute(attributes, "r");
      row = {number ? ParseReference(number).second : row.row + 1, {}};
      if (row.row == 0 || row.row > kMaxRows)
        throw InvalidInput("a row numbered outside 1 to 1048576");
      column = 0;
    } else if (element == "c") {
      const char* ref = Attribute(attributes, "r");
      const char* t = Attribute(attributes, "t");
      const char* s = Attribute(attributes, "s");
      reference = ref ? ref : "";
      size_t from_reference = ref ? ParseReference(ref).first : 0;
      if (from_reference > kMaxColumns)
        throw InvalidInput("cell " + reference + ": beyond column XFD");
      if (from_reference) column = from_reference - 1;
      type = t ? t : "n";
      style = s ? static_cast<size_t>(std::atol(s)) : 0;
      value.clear();
      inline_text = {};
    } else if (element == "v") {
      in_value = true;
    } else if (element == "is") {
      in_inline = true;
    } else if (in_inline) {
      inline_text.Start(element);
    }
  }

  void End(std::string_view element) override {
    if (element == "v") {
      in_value = false;
    } else if (element == "is") {
      in_inline = false;
    } else if (in_inline) {
      inline_text.End(element);
    } else if (element == "c") {
      if (row.cells.size() <= column) row.cells.resize(column + 1);
      row.cells[column] = CellText();
      ++column;
    } else if (element == "row") {
      while (!row.cells.empty() && row.cells.back().empty()) row.cells.pop_back();
      if (!row.cells.empty()) rows.push_back(std::move(row));
      row.cells.clear();
    }
  }

  void Text(std::string_view piece) override {
    if (in_value) value += piece;
    if (in_inline) inline_text.Text(piece);
  }

  std::string CellText() {
    if (type == "s") {
      size_t index = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), index);
      if (error != std::errc() || index >= shared_strings.size()) {
        throw InvalidInput("cell " + reference + " names shared string '" + value + "' of " +
                           std::to_string(shared_strings.size()));
      }
      return shared_strings[index];
    }
    if (type == "inlineStr") return DecodeEscapes(std::move(inline_text.text));
    if (type == "b") return value == "1" ? "TRUE" : "FALSE";
    if (type == "n") {
      bool is_date = style < date_styles.size() && date_styles[style];
      return NumberText(value, is_date, date1904);
    }
    return DecodeEscapes(value);  // str (a formula's text), e (#N/A...), d (an ISO date)
  }
};

std::string PartPath(const std::string& target) {
  if (target.starts_with("/")) return target.substr(1);
  return "xl/" + target;
}

}  // namespace

bool IsZipArchive(std::string_view bytes) {
  return bytes.starts_with("PK\x03\x04") || bytes.starts_with("PK\x05\x06");
}

std::vector<SheetRow> ReadXlsxRows(const std::string& bytes) {
  Archive archive(bytes);
  WorkbookHandler workbook;
  if (!ParseMember(archive, "xl/workbook.xml", workbook)) {
    throw InvalidInput("a zip archive without xl/workbook.xml, so not an Excel workbook");
  }
  RelationshipsHandler relationships;
  ParseMember(archive, "xl/_rels/workbook.xml.rels", relationships);
  auto target = relationships.targets.find(workbook.first_sheet_id);
  std::string sheet_path =
      target == relationships.targets.end() ? "xl/worksheets/sheet1.xml" : PartPath(target->second);
  StylesHandler styles;
  ParseMember(archive, "xl/styles.xml", styles);
  SharedStringsHandler shared;
  ParseMember(archive, "xl/sharedStrings.xml", shared);

  SheetHandler sheet(shared.strings, styles.is_date, workbook.date1904);
  if (!ParseMember(archive, sheet_path, sheet)) {
    throw InvalidInput("the workbook has no worksheet " + sheet_path);
  }
  if (!sheet.rows.empty()) {
    size_t width = sheet.rows.front().cells.size();
    for (SheetRow& row : sheet.rows) {
      if (row.cells.size() < width) row.cells.resize(width);
    }
  }
  return std::move(sheet.rows);
}

}  // namespace fieldcrm
