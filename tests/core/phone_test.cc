#include "fieldcrm/model/phone.h"

#include <doctest/doctest.h>

#include "fieldcrm/base/error.h"

using namespace fieldcrm;

TEST_CASE("the ways agents type one mainland number are one number") {
  for (const char* typed : {"+86 138-0013-8000", "8613800138000", "138 0013 8000", "13800138000",
                            "+8613800138000", "0086 138 0013 8000"}) {
    CAPTURE(typed);
    CHECK(NormalizePhone(typed) == "+8613800138000");
  }
}

TEST_CASE("Hong Kong, Taiwan, overseas and landline numbers work") {
  CHECK(NormalizePhone("+852 5123 4567") == "+85251234567");
  CHECK(NormalizePhone("+886 912 345 678") == "+886912345678");
  CHECK(NormalizePhone("+1 650-253-0000") == "+16502530000");
  CHECK(NormalizePhone("010-6552 9988") == "+861065529988");  // Beijing landline
  CHECK(NormalizePhone("5123 4567", "HK") == "+85251234567");
}

TEST_CASE("invalid numbers get a clear error naming the input") {
  for (const char* typed : {"12345", "not-a-phone", "", "+86 138 0013", "999999999999999999"}) {
    CAPTURE(typed);
    CHECK_THROWS_WITH_AS(NormalizePhone(typed), doctest::Contains("invalid phone number"),
                         InvalidInput);
  }
}
