// SPDX-License-Identifier: GPL-2.0-only
//
// Json: the one writer of the JSON that the tools print for machines
// (`replay --json`, `triage --json`). Compact (no spaces or newlines), keys
// in the order written, strings escaped by JsonString.
//
//   JsonWriter w;
//   w.BeginObject().Field("files", 3).Key("buckets").BeginArray();
//   w.BeginObject().Field("signature", "llist-self-loop").EndObject();
//   w.EndArray().EndObject();
//   w.str()  // {"files":3,"buckets":[{"signature":"llist-self-loop"}]}
//
// The writer places the commas; it does not check that the calls nest (a
// value in an object needs its Key first), which its callers' tests do.

#ifndef SMPFUZZ_LIB_JSON_H_
#define SMPFUZZ_LIB_JSON_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace smpfuzz {

// `s` as a JSON string, quotes included: `"` `\` and control characters
// escaped, bytes that are not UTF-8 as U+FFFD.
std::string JsonString(std::string_view s);

// The length of the well-formed UTF-8 sequence of two to four bytes at
// s[i], or 0 when there is none.
std::size_t Utf8SequenceAt(std::string_view s, std::size_t i);

class JsonWriter {
 public:
  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  // The key of the next value in an object.
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view s);
  JsonWriter& Int(std::int64_t v);
  JsonWriter& Uint(std::uint64_t v);
  JsonWriter& Bool(bool v);

  // Key(key) and its value.
  JsonWriter& Field(std::string_view key, std::string_view s) { return Key(key).String(s); }
  JsonWriter& Field(std::string_view key, const char* s) { return Key(key).String(s); }
  JsonWriter& Field(std::string_view key, const std::string& s) { return Key(key).String(s); }
  JsonWriter& Field(std::string_view key, int v) { return Key(key).Int(v); }
  JsonWriter& Field(std::string_view key, unsigned v) { return Key(key).Uint(v); }
  JsonWriter& Field(std::string_view key, std::int64_t v) { return Key(key).Int(v); }
  JsonWriter& Field(std::string_view key, std::uint64_t v) { return Key(key).Uint(v); }
  JsonWriter& Field(std::string_view key, bool v) { return Key(key).Bool(v); }

  // The document so far.
  const std::string& str() const { return out_; }

 private:
  // Before a value or key: a comma unless it is the first in its container
  // or follows its key.
  void Separate();
  JsonWriter& Open(char c);
  JsonWriter& Close(char c);

  std::string out_;
  std::vector<bool> first_;  // per open container: nothing in it yet
  bool after_key_ = false;
};

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_JSON_H_
