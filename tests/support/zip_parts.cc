#include "tests/support/zip_parts.h"

#include <zip.h>

#include <memory>
#include <stdexcept>

namespace fieldcrm::testing {

void WriteZip(const std::string& path, const std::map<std::string, std::string>& members) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (!archive) throw std::runtime_error("cannot create " + path);
  for (const auto& [name, content] : members) {
    zip_source_t* source = zip_source_buffer(archive, content.data(), content.size(), 0);
    if (!source || zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8) < 0) {
      zip_source_free(source);
      zip_discard(archive);
      throw std::runtime_error("cannot add " + name + " to " + path);
    }
  }
  if (zip_close(archive) < 0) {  // the buffers are read here, while `members` still holds them
    zip_discard(archive);
    throw std::runtime_error("cannot write " + path);
  }
}

std::optional<std::string> ZipMember(const std::string& path, const std::string& name) {
  int error = 0;
  std::unique_ptr<zip_t, decltype(&zip_discard)> archive(zip_open(path.c_str(), ZIP_RDONLY, &error),
                                                         &zip_discard);
  if (!archive) throw std::runtime_error(path + " is not a zip archive");
  std::unique_ptr<zip_file_t, decltype(&zip_fclose)> file(zip_fopen(archive.get(), name.c_str(), 0),
                                                          &zip_fclose);
  if (!file) return std::nullopt;
  std::string content;
  char buffer[8192];
  for (zip_int64_t got; (got = zip_fread(file.get(), buffer, sizeof buffer)) > 0;) {
    content.append(buffer, static_cast<size_t>(got));
  }
  return content;
}

std::map<std::string, std::string> WorkbookParts(const std::string& sheet_data,
                                                 const std::string& shared_strings,
                                                 const std::string& styles,
                                                 const std::string& workbook_properties) {
  const std::string xml = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)";
  const std::string main = R"(xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main")";
  const std::string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  std::map<std::string, std::string> parts = {
      {"[Content_Types].xml",
       xml + R"(<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">)"
             R"(<Default Extension="xml" ContentType="application/xml"/></Types>)"},
      {"xl/workbook.xml",
       xml + "<workbook " + main + " xmlns:r=\"" + rel + "\">" + workbook_properties +
           R"(<sheets><sheet name="客户" sheetId="1" r:id="rId7"/>)"
           R"(<sheet name="Other" sheetId="2" r:id="rId1"/></sheets></workbook>)"},
      // The first sheet is not sheet1.xml: the reader follows the relationship.
      {"xl/_rels/workbook.xml.rels",
       xml +
           R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
           R"(<Relationship Id="rId1" Type=")" +
           rel +
           R"(/worksheet" Target="worksheets/sheet1.xml"/>)"
           R"(<Relationship Id="rId7" Type=")" +
           rel +
           R"(/worksheet" Target="/xl/worksheets/first.xml"/>)"
           R"(</Relationships>)"},
      {"xl/worksheets/first.xml",
       xml + "<worksheet " + main + "><sheetData>" + sheet_data + "</sheetData></worksheet>"},
      {"xl/worksheets/sheet1.xml",
       xml + "<worksheet " + main +
           R"(><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>)"
           R"(not this sheet</t></is></c></row></sheetData></worksheet>)"},
  };
  if (!shared_strings.empty()) {
    parts["xl/sharedStrings.xml"] = xml + "<sst " + main + ">" + shared_strings + "</sst>";
  }
  if (!styles.empty())
    parts["xl/styles.xml"] = xml + "<styleSheet " + main + ">" + styles + "</styleSheet>";
  return parts;
}

}  // namespace fieldcrm::testing
