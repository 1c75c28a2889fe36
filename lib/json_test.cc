// SPDX-License-Identifier: GPL-2.0-only
#include "lib/json.h"

#include "gtest/gtest.h"

namespace smpfuzz {
namespace {

// The one JSON escaper: any path or message gives a valid JSON string.
TEST(Json, StringsAreEscaped) {
  EXPECT_EQ(JsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonString("\n\r\t\x01"), "\"\\n\\r\\t\\u0001\"");
  EXPECT_EQ(JsonString("caf\xC3\xA9"), "\"caf\xC3\xA9\"");
  EXPECT_EQ(JsonString("bad\xC3 \xFF"), "\"bad\\ufffd \\ufffd\"");
}

// The writer places commas and colons; nothing else between the tokens.
TEST(Json, WriterPlacesTheCommas) {
  JsonWriter w;
  w.BeginObject().Field("files", 3).Field("ok", true).Key("buckets").BeginArray();
  w.BeginObject().Field("signature", "llist-self-loop").Field("steps", std::uint64_t{7}).EndObject();
  w.BeginObject().Key("cpus").BeginArray().Int(1).Int(-2).EndArray().EndObject();
  w.EndArray().Field("empty", "").Key("none").BeginArray().EndArray().EndObject();
  EXPECT_EQ(w.str(),
            "{\"files\":3,\"ok\":true,\"buckets\":[{\"signature\":\"llist-self-loop\",\"steps\":7},"
            "{\"cpus\":[1,-2]}],\"empty\":\"\",\"none\":[]}");
}

}  // namespace
}  // namespace smpfuzz
