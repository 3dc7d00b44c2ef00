#include "fieldcrm/model/import_columns.h"

#include <algorithm>
#include <utility>

#include "fieldcrm/base/error.h"
#include "fieldcrm/model/fields.h"

namespace fieldcrm {

namespace {

// Header spellings seen in Chinese CRM exports (明源, 售楼通...) and hand-made Excel templates,
// by field. Matching is on NormalizeHeader, so spacing, case and notes do not matter here.
const std::vector<std::pair<std::string, std::vector<std::string>>>& Variants() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> variants = {
      {"name",
       {"姓名", "客户姓名", "客户名称", "客户名", "名字", "联系人", "客户", "full name",
        "customer name", "customer"}},
      {"phone",
       {"电话", "手机", "手机号", "手机号码", "联系电话", "电话号码", "联系方式", "移动电话",
        "客户电话", "客户手机", "mobile", "mobile phone", "phone number", "tel", "telephone",
        "cell"}},
      {"gender", {"性别", "sex"}},
      {"age_band", {"年龄段", "年龄", "年龄区间", "age", "age group"}},
      {"occupation", {"职业", "工作", "行业", "job"}},
      {"income_band", {"收入", "家庭收入", "年收入", "月收入", "收入水平", "income"}},
      {"family", {"家庭结构", "家庭情况", "家庭成员", "family structure"}},
      {"city", {"城市", "所在城市", "居住城市"}},
      {"district", {"区域", "居住区域", "所在区域", "意向区域", "区县", "area"}},
      {"budget",
       {"预算", "购房预算", "意向预算", "总价预算", "预算总价", "心理价位", "budget cny"}},
      {"purpose", {"购房目的", "用途", "购房用途", "置业目的", "置业用途"}},
      {"house_type", {"户型", "意向户型", "需求户型", "house type", "unit type"}},
      {"project", {"项目", "意向项目", "项目名称", "楼盘", "楼盘名称"}},
      {"preferences", {"偏好", "关注点", "客户偏好", "需求"}},
      {"source",
       {"来源", "渠道", "客户来源", "来源渠道", "获客渠道", "来访渠道", "认知途径", "媒介"}},
      {"stage", {"阶段", "客户阶段", "客户状态", "跟进阶段", "状态", "status"}},
      {"agent",
       {"置业顾问", "销售顾问", "顾问", "经纪人", "归属顾问", "跟进人", "销售", "sales",
        "consultant"}},
      {"team", {"团队", "所属团队", "小组", "销售小组", "组别", "group"}},
      {"tags", {"标签", "客户标签", "tag"}},
      {"notes", {"备注", "备注信息", "说明", "跟进记录", "note", "remarks", "comment"}},
      {"birthday", {"生日", "出生日期", "出生年月", "date of birth", "dob", "birth date"}},
      {"created_at", {"登记时间", "创建时间", "录入时间", "登记日期", "首次到访时间", "created"}}};
  return variants;
}

// Columns an export writes that fieldcrm maintains itself: an import takes them as information.
bool IsMaintainedColumn(std::string_view name) {
  return name == "id" || name == "updated_at";
}

// One UTF-8 character's code point at text[i], with its length.
char32_t CodePoint(std::string_view text, size_t i, size_t& length) {
  unsigned char lead = static_cast<unsigned char>(text[i]);
  length = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : 4;
  if (i + length > text.size()) length = 1;
  char32_t code = length == 1 ? lead : lead & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) code = (code << 6) | (text[i + k] & 0x3F);
  return code;
}

// Full-width ASCII forms and CJK brackets as their ASCII counterparts.
std::string FoldWidth(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t length = 0;
    char32_t code = CodePoint(text, i, length);
    if (code >= 0xFF01 && code <= 0xFF5E) {
      out += static_cast<char>(code - 0xFF01 + 0x21);
    } else if (code == 0x3000) {
      out += ' ';
    } else if (code == 0x3010 || code == 0x3014 || code == 0x300C) {  // 【 〔 「
      out += '(';
    } else if (code == 0x3011 || code == 0x3015 || code == 0x300D) {  // 】 〕 」
      out += ')';
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

// A header split into its text outside brackets and its notes inside them:
// "预算（万元）" -> {"预算", "万元"}.
std::pair<std::string, std::string> SplitNotes(std::string_view header) {
  std::string folded = FoldWidth(header);
  std::pair<std::string, std::string> out;
  int depth = 0;
  for (char c : folded) {
    if (c == '(' || c == '[') {
      ++depth;
    } else if (c == ')' || c == ']') {
      depth = std::max(0, depth - 1);
    } else {
      (depth > 0 ? out.second : out.first) += c;
    }
  }
  return out;
}

std::string Trimmed(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  return std::string(text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1));
}

}  // namespace

std::string NormalizeHeader(std::string_view header) {
  std::string out;
  for (char c : SplitNotes(header).first) {
    if (std::string_view(" \t\r\n*:_-").find(c) == std::string_view::npos) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

std::pair<std::string, std::string> ParseMappingEntry(std::string_view entry) {
  size_t eq = entry.rfind('=');
  std::string header = Trimmed(entry.substr(0, eq == std::string_view::npos ? 0 : eq));
  std::string field = eq == std::string_view::npos ? "" : Trimmed(entry.substr(eq + 1));
  if (header.empty() || field.empty()) {
    throw InvalidInput(
        "expected --map COLUMN=FIELD (e.g. 客户级别=office.level, or 微信=- to "
        "ignore a column), got '" +
        std::string(entry) + "'");
  }
  if (field != "-") CheckCustomerFieldName(field);
  return {header, field};
}

ImportColumns ResolveColumns(const std::vector<std::string>& header, const ColumnMapping& mapping,
                             bool keep_unknown) {
  std::map<std::string, std::string> by_normal;  // normalised spelling -> field
  for (const auto& [field, spellings] : Variants()) {
    by_normal.emplace(NormalizeHeader(field), field);
    for (const auto& spelling : spellings) by_normal.emplace(NormalizeHeader(spelling), field);
  }
  std::map<std::string, std::string> user;  // the user's mapping, by normalised header
  for (const auto& [column, field] : mapping) user[NormalizeHeader(column)] = field;

  ImportColumns out;
  std::map<std::string, size_t> taken;  // field -> column index that gives it
  for (size_t c = 0; c < header.size(); ++c) {
    std::string written = Trimmed(header[c]);
    if (c == 0 && written.starts_with("\xEF\xBB\xBF")) written.erase(0, 3);
    std::string normal = NormalizeHeader(written);
    ImportColumn column{written, "", false};
    if (auto it = user.find(normal); it != user.end()) {
      column.field = it->second == "-" ? "" : it->second;
    } else if (IsMaintainedColumn(written) || normal.empty()) {
      column.field = "";
    } else if (IsExtensionField(written)) {
      column.field = written;  // an export's own extension columns come back as they went
    } else if (auto known = by_normal.find(normal); known != by_normal.end()) {
      column.field = known->second;
    } else if (keep_unknown) {
      column.field = "import." + normal;
    }
    if (column.field == "budget") {
      column.in_wan = SplitNotes(written).second.find("万") != std::string::npos;
    }
    if (column.field.empty() && !IsMaintainedColumn(written) && !normal.empty()) {
      out.ignored.push_back(written);
    }
    if (!column.field.empty()) {
      auto [it, fresh] = taken.emplace(column.field, c);
      if (!fresh) {
        throw InvalidInput(
            "columns " + std::to_string(it->second + 1) + " ('" + out.columns[it->second].header +
            "') and " + std::to_string(c + 1) + " ('" + written + "') both hold " + column.field +
            "; map one of them elsewhere, e.g. --map '" + written + "=-' to " + "ignore it");
      }
    }
    out.columns.push_back(std::move(column));
  }
  if (!taken.count("name") || !taken.count("phone")) {
    throw InvalidInput(std::string("no ") + (taken.count("name") ? "phone" : "name") +
                       " column: the header needs a name and a phone column (姓名, 电话), or "
                       "--map COLUMN=" +
                       (taken.count("name") ? "phone" : "name"));
  }
  return out;
}

}  // namespace fieldcrm
