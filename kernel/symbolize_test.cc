// SPDX-License-Identifier: GPL-2.0-only
//
// PlaceFile: a place looked up by one process is found by the next without
// a lookup; a line for another build of the object is not used.

#include "kernel/symbolize.h"

#include <sys/stat.h>
#include <utime.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace smpfuzz {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

TEST(PlaceFile, ALookedUpPlaceIsFoundByTheNextProcessWithoutALookup) {
  const std::string object = TempPath("object.so"), places = TempPath("places");
  std::ofstream(object) << "code";
  std::remove(places.c_str());
  int lookups = 0;
  auto lookup = [&] {
    ++lookups;
    return std::string("llist_add_batch(lib/llist.c:33)");
  };
  {
    PlaceFile first(places);
    EXPECT_EQ(first.Find(object, 0x1234, lookup), "llist_add_batch(lib/llist.c:33)");
    EXPECT_EQ(first.Find(object, 0x1234, lookup), "llist_add_batch(lib/llist.c:33)");
    EXPECT_EQ(lookups, 1);
  }
  PlaceFile next(places);  // as a fresh process reads it
  EXPECT_EQ(next.Find(object, 0x1234, lookup), "llist_add_batch(lib/llist.c:33)");
  EXPECT_EQ(lookups, 1);
  // Another offset is another place.
  EXPECT_EQ(next.Find(object, 0x99, [] { return std::string("csd_lock(kernel/smp.c:356)"); }),
            "csd_lock(kernel/smp.c:356)");
  // A rebuilt object (another mtime) is looked up again.
  struct utimbuf t {1000000, 1000000};
  ASSERT_EQ(utime(object.c_str(), &t), 0);
  PlaceFile rebuilt(places);
  EXPECT_EQ(rebuilt.Find(object, 0x1234, lookup), "llist_add_batch(lib/llist.c:33)");
  EXPECT_EQ(lookups, 2);
  // Unknown places are not kept: a later lookup may know them.
  int unknown = 0;
  auto nothing = [&] {
    ++unknown;
    return std::string();
  };
  EXPECT_EQ(rebuilt.Find(object, 0x55, nothing), "");
  EXPECT_EQ(PlaceFile(places).Find(object, 0x55, nothing), "");
  EXPECT_EQ(unknown, 2);
}

}  // namespace
}  // namespace smpfuzz
