#include "fieldcrm/storage/hlc.h"

#include <doctest/doctest.h>

#include "fieldcrm/storage/uuid.h"

using namespace fieldcrm;

TEST_CASE("hybrid clock follows wall time and never goes backwards") {
  int64_t wall = 1'000'000;
  HybridClock clock(0, [&] { return wall; });
  Hlc first = clock.Now();
  CHECK(HlcMillis(first) == wall);
  Hlc second = clock.Now();  // same millisecond: the counter moves
  CHECK(second == first + 1);
  wall -= 5000;  // the tablet's clock is set back
  Hlc third = clock.Now();
  CHECK(third > second);
  wall += 60'000;
  CHECK(HlcMillis(clock.Now()) == wall);
}

TEST_CASE("hybrid clock stamps after anything it has observed") {
  int64_t wall = 1'000'000;
  HybridClock clock(0, [&] { return wall; });
  Hlc remote = HlcFromMillis(wall + 10'000) + 7;  // another device runs ahead
  clock.Observe(remote);
  CHECK(clock.Now() == remote + 1);
  clock.Observe(HlcFromMillis(1));  // older stamps change nothing
  CHECK(clock.Now() == remote + 2);
}

TEST_CASE("HLC renders as ISO-8601 UTC") {
  CHECK(HlcToIso(HlcFromMillis(1764073845123)) == "2025-11-25T12:30:45.123Z");
}

TEST_CASE("UUIDv7 ids are well formed, unique and ordered by time") {
  std::string a = NewUuidV7(1764073845000);
  std::string b = NewUuidV7(1764073845001);
  CHECK(IsUuid(a));
  CHECK(a[14] == '7');
  CHECK(a < b);
  CHECK(NewUuidV7(1764073845000) != NewUuidV7(1764073845000));
  CHECK_FALSE(IsUuid("not-a-uuid"));
  CHECK(NewUuidV7(1764073845000, 1) < NewUuidV7(1764073845000, 2));  // same millisecond
}
