#include "fieldcrm/base/utf8.h"

#include <doctest/doctest.h>

using fieldcrm::IsValidUtf8;

TEST_CASE("UTF-8 is checked as strictly as JSON checks it") {
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("张伟 13800138000 ✓ 😀"));
  CHECK(!IsValidUtf8("\xff"));
  CHECK(!IsValidUtf8("\xe5\xbc"));          // cut off in the middle of 张
  CHECK(!IsValidUtf8("\xc0\xaf"));          // an overlong '/'
  CHECK(!IsValidUtf8("\xe0\x80\xaf"));      // the same, three bytes long
  CHECK(!IsValidUtf8("\xed\xa0\x80"));      // a UTF-16 surrogate
  CHECK(!IsValidUtf8("\xf4\x90\x80\x80"));  // beyond U+10FFFF
  CHECK(IsValidUtf8("\xf4\x8f\xbf\xbf"));   // U+10FFFF itself
}
