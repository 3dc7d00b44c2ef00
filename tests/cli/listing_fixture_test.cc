// Listings read a window of customers at a time (bounded memory whatever the store's size) and
// print exactly what they printed when they held every customer at once: the fixture is a store
// of 1,098 live customers (more than one window; with an alias, a tombstone, an extension field,
// a note with line breaks and an escape sequence, a visit and a signed deal) and the outputs the
// build before streaming (f2552a0) gave for it, compared byte for byte.
#include <doctest/doctest.h>

#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

namespace fieldcrm::testing {
namespace {

TEST_CASE("customer list and export print the fixture's old output byte for byte") {
  TempDir dir;
  RunResult unpacked =
      Run({"/usr/bin/tar", "-xJf",
           FIELDCRM_SOURCE_DIR "/tests/cli/data/customer_list_fixture.tar.xz", "-C", dir.File("")});
  REQUIRE_MESSAGE(unpacked.exit_code == 0, unpacked.err);
  std::string db = dir.File("list.db");
  const std::string as_of = "--as-of=2026-12-01T00:00+08:00";
  struct Case {
    std::vector<std::string> args;
    const char* expected;
  };
  for (const Case& c : std::vector<Case>{
           {{as_of, "customer", "list", "--json"}, "list.json"},
           {{as_of, "customer", "list"}, "list.txt"},
           {{as_of, "customer", "list", "--tier", "C", "--json"}, "list_tier_c.json"},
           {{"export", "--format", "json"}, "export.json"},
           {{"export", "--format", "csv"}, "export.csv"},
       }) {
    CAPTURE(c.expected);
    RunResult r = Cli(db, c.args);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    std::string expected = Slurp(dir.File(c.expected));
    REQUIRE(!expected.empty());
    CHECK(r.out.size() == expected.size());
    CHECK(r.out == expected);
  }
}

}  // namespace
}  // namespace fieldcrm::testing
