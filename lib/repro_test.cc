// SPDX-License-Identifier: GPL-2.0-only
//
// The reproducer text format and the fuzzers' byte format.

#include "lib/repro.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>

#include "gtest/gtest.h"
#include "lib/input_bytes.h"
#include "lib/trace_format.h"

namespace smpfuzz {
namespace {

constexpr char kExample[] = R"(smpfuzz-repro 1
# a comment
cpus 4
variant b0473dcd
csdlock_debug on        # trailing comment
csd_lock_timeout_ms 100
offline 3
max_steps 5000
ns_per_step 10
stop_on llist-self-loop cpu-stuck
cpu 1: call_single target=0 wait=0
cpu 2: call_single_async target=-1 csd=1
cpu 1: call_many mask=0b0111 wait=1 local=1
cpu 0: flush
cpu 0: irqs_off ms=6000
cpu 2: call_single_async target=9
schedule 1 2*3 0i 1*2
schedule 2
expect b0473dcd llist-self-loop csd-double-lock
expect fixed clean
)";

TEST(ReproText, ParsesEveryFact) {
  Repro r;
  std::string error;
  ASSERT_TRUE(ParseRepro(kExample, "x.repro", &r, &error)) << error;
  EXPECT_EQ(r.scenario.nr_cpus, 4);
  EXPECT_STREQ(r.scenario.variant->name, "b0473dcd");
  EXPECT_TRUE(r.scenario.csdlock_debug);
  EXPECT_EQ(r.scenario.csd_lock_timeout_ms, 100u);
  EXPECT_EQ(r.scenario.offline_mask, 8u);
  EXPECT_EQ(r.max_steps, 5000u);
  EXPECT_EQ(r.ns_per_step, 10u);
  EXPECT_EQ(r.stop_on, SignatureBit(Signature::kLlistSelfLoop) | SignatureBit(Signature::kCpuStuck));
  ASSERT_EQ(r.scenario.ops[1].size(), 2u);
  EXPECT_EQ(r.scenario.ops[1][1].kind, OpKind::kCallMany);
  EXPECT_EQ(r.scenario.ops[1][1].mask, 7u);
  EXPECT_TRUE(r.scenario.ops[1][1].local);
  ASSERT_EQ(r.scenario.ops[2].size(), 2u);
  EXPECT_EQ(r.scenario.ops[2][0].target, -1);
  EXPECT_EQ(r.scenario.ops[2][0].csd, 1);
  EXPECT_EQ(r.scenario.ops[2][1].csd, -1);
  EXPECT_EQ(r.scenario.ops[0][1].ms, 6000u);
  EXPECT_EQ(FormatSchedule(r.schedule), "1 2*3 0i 1*2 2");
  ASSERT_EQ(r.expectations.size(), 2u);
  EXPECT_TRUE(r.expectations[1].clean);
  EXPECT_EQ(r.expectations[0].signatures.size(), 2u);
}

TEST(ReproText, FormatAndParseRoundTrip) {
  Repro r;
  std::string error;
  ASSERT_TRUE(ParseRepro(kExample, "x.repro", &r, &error)) << error;
  std::string text = FormatRepro(r, {"hello"});
  Repro again;
  ASSERT_TRUE(ParseRepro(text, "y.repro", &again, &error)) << error << "\n" << text;
  EXPECT_TRUE(again == r) << text;
  EXPECT_EQ(FormatRepro(again, {"hello"}), text);
}

struct Malformed {
  const char* what;
  std::string text;
  std::string error;  // expected prefix of the error
};

std::string Head(const std::string& rest) {
  return "smpfuzz-repro 1\ncpus 3\nvariant fixed\ncsdlock_debug on\n" + rest;
}

TEST(ReproText, MalformedInputGivesFileLineColumnAndMessage) {
  const std::vector<Malformed> cases = {
      {"empty", "", "f:1:1: empty reproducer"},
      {"only comments", "# nothing\n\n", "f:1:1: expected 'smpfuzz-repro 1' at the start of the file, got a comment"},
      {"only blank space", " \n\t\n", "f:1:1: only blank space"},
      {"comment before the header", "# from a hunt\nsmpfuzz-repro 1\ncpus 3\n",
       "f:1:1: 'smpfuzz-repro 1' must begin the file, found it at line 2, column 1"},
      {"blank line before the header", "\n  smpfuzz-repro 1\n",
       "f:1:1: 'smpfuzz-repro 1' must begin the file, found it at line 2, column 3"},
      {"byte order mark", "\xEF\xBB\xBFsmpfuzz-repro 1\n", "f:1:1: a UTF-8 byte order mark before the header"},
      {"binary", std::string("\x0a\x23\x02\x02\x00", 5), "f:1:1: expected 'smpfuzz-repro 1' at the start of the file, got a comment"},
      {"binary word", std::string("\x01\x02 x", 4), "f:1:1: expected 'smpfuzz-repro 1' at the start of the file, got '\\x01\\x02'"},
      {"too many words", Head("offline" + std::string(200, ' ') + [] { std::string w; for (int i = 0; i < 200; ++i) w += " 1"; return w; }() + "\n"),
       "f:5:"},
      {"no header", "cpus 3\n", "f:1:1: expected 'smpfuzz-repro 1'"},
      {"future version", "smpfuzz-repro 2\n", "f:1:15: unsupported format version '2'"},
      {"cpus out of range", "smpfuzz-repro 1\ncpus 65\n", "f:2:6: expected a CPU count between 2 and 64"},
      {"cpus not a number", "smpfuzz-repro 1\ncpus three\n", "f:2:6: expected a CPU count"},
      {"cpus twice", "smpfuzz-repro 1\ncpus 3\ncpus 4\n", "f:3:1: 'cpus' given twice"},
      {"unknown variant", "smpfuzz-repro 1\nvariant 6.13\n", "f:2:9: unknown variant '6.13'"},
      {"debug maybe", "smpfuzz-repro 1\ncsdlock_debug maybe\n", "f:2:15: expected 'on' or 'off'"},
      {"unknown fact", Head("frobnicate 1\n"), "f:5:1: unknown fact 'frobnicate'"},
      {"unknown operation", Head("cpu 1: call_singel target=0\n"), "f:5:8: unknown operation 'call_singel'"},
      {"missing colon", Head("cpu 1 call_single target=0\n"), "f:5:5: expected 'N:'"},
      {"truncated op line", Head("cpu 1:\n"), "f:5:7: expected 'cpu N: operation ...'"},
      {"missing target", Head("cpu 1: call_single wait=1\n"), "f:5:8: 'call_single' needs target="},
      {"not key=value", Head("cpu 1: call_single target\n"), "f:5:20: expected key=value"},
      {"key twice", Head("cpu 1: call_single target=0 target=1\n"), "f:5:29: 'target' given twice"},
      {"foreign key", Head("cpu 1: flush target=0\n"), "f:5:14: 'flush' takes no 'target'"},
      {"wait=2", Head("cpu 1: call_single target=0 wait=2\n"), "f:5:34: wait= takes 0 or 1"},
      {"overflowing target", Head("cpu 1: call_single target=99999999999999999999\n"),
       "f:5:27: expected a target CPU"},
      {"bad mask", Head("cpu 1: call_many mask=0xZZ\n"), "f:5:23: expected a CPU mask"},
      {"csd out of range", Head("cpu 1: call_single_async target=0 csd=16\n"), "f:5:39: expected a csd number"},
      {"cpu beyond cpus", Head("cpu 5: flush\n"), "f:5:5: cpu 5 but 'cpus 3'"},
      {"schedule garbage", Head("schedule 1 x 2\n"), "f:5:12: expected a schedule step"},
      {"schedule zero repeat", Head("schedule 1*0\n"), "f:5:12: expected a repeat count"},
      {"schedule cpu beyond cpus", Head("schedule 1 7\n"), "f:5:12: schedule names cpu 7"},
      {"huge schedule", Head("schedule 1*99999999\n"), "f:5:12: expected a repeat count"},
      {"unknown signature", Head("expect fixed llist-loop\n"), "f:5:14: unknown signature 'llist-loop'"},
      {"clean plus more", Head("expect fixed clean data-race\n"), "f:5:20: 'clean' stands alone"},
      {"expect twice", Head("expect fixed clean\nexpect fixed clean\n"), "f:6:8: a second 'expect' for fixed"},
      {"NUL byte", Head(std::string("cpu 1: flush\0\n", 14)), "f:5:13: control character"},
      {"offline cpu with ops", Head("offline 1\ncpu 1: flush\n"), "f:5:9: cpu 1 is offline but has operations"},
      {"every cpu offline", Head("offline 0 1 2\n"), "f:2:1: every CPU is offline"},
      {"no variant", "smpfuzz-repro 1\ncpus 3\ncsdlock_debug on\n", "f:4:1: no 'variant' line"},
      {"header twice", Head("smpfuzz-repro 1\n"), "f:5:1: 'smpfuzz-repro' given twice"},
  };
  for (const Malformed& c : cases) {
    Repro r;
    std::string error;
    EXPECT_FALSE(ParseRepro(c.text, "f", &r, &error)) << c.what;
    EXPECT_EQ(error.substr(0, c.error.size()), c.error) << c.what << ": got " << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << c.what << ": one line";
  }
}

// The rule: a reproducer begins with its header; nothing else is one.
TEST(ReproText, AReproducerBeginsWithItsHeader) {
  EXPECT_TRUE(HasReproHeader("smpfuzz-repro 1\n# comment\n"));
  EXPECT_FALSE(HasReproHeader("# comment\nsmpfuzz-repro 1\n"));
  EXPECT_FALSE(HasReproHeader("\n  smpfuzz-repro 1\n"));
  EXPECT_FALSE(HasReproHeader("\xEF\xBB\xBFsmpfuzz-repro 1\n"));
  EXPECT_FALSE(HasReproHeader(""));
  // What would be read as a reproducer by the old sniffing: raw fuzzer
  // inputs whose first non-blank byte is '#' (libFuzzer's crash 0a 23 02 02,
  // AFL++'s 23 29 29 2e).
  EXPECT_FALSE(HasReproHeader(std::string("\x0a\x23\x02\x02\x00", 5)));
  EXPECT_FALSE(HasReproHeader("\x23\x29\x29\x2e\x01"));
}

// Text that is plainly meant as a reproducer but lacks the header: refused
// where a user names it (not run as raw bytes). Binary never is.
TEST(ReproText, HeaderlessReproducersAreRecognised) {
  EXPECT_TRUE(LooksLikeHeaderlessRepro("# from a hunt\nsmpfuzz-repro 1\ncpus 3\n"));
  EXPECT_TRUE(LooksLikeHeaderlessRepro("cpus 3\nvariant fixed\n"));
  EXPECT_TRUE(LooksLikeHeaderlessRepro("  \n# only a comment, caf\xC3\xA9\n"));
  EXPECT_TRUE(LooksLikeHeaderlessRepro("\xEF\xBB\xBFsmpfuzz-repro 1\n"));
  EXPECT_FALSE(LooksLikeHeaderlessRepro(std::string("\x0a\x23\x02\x02\x00\x01", 6)));
  EXPECT_FALSE(LooksLikeHeaderlessRepro("\x23\x29\x29\x2e\x01\x80"));
  EXPECT_FALSE(LooksLikeHeaderlessRepro("# but not UTF-8: \xC3\n"));
  EXPECT_FALSE(LooksLikeHeaderlessRepro("hello world\n"));
  EXPECT_FALSE(LooksLikeHeaderlessRepro(""));
}

// The formatter writes what the parser takes: comments after the header.
TEST(ReproText, CommentsFollowTheHeader) {
  Repro r;
  std::string error;
  ASSERT_TRUE(ParseRepro(kExample, "x.repro", &r, &error)) << error;
  const std::string text = FormatRepro(r, {"from somewhere"});
  EXPECT_EQ(text.substr(0, 33), "smpfuzz-repro 1\n# from somewhere\n");
}

// A schedule line is read a step at a time: a line of millions of steps is
// refused at the first step past the limit, without a list of its words.
TEST(ReproText, HugeScheduleLineFailsAtTheLimit) {
  std::string text = Head("schedule");
  text.reserve(text.size() + 2 * 5000000 + 2);
  for (int i = 0; i < 5000000; ++i) text += " 1";
  text += "\n";
  Repro r;
  std::string error;
  EXPECT_FALSE(ParseRepro(text, "f", &r, &error));
  EXPECT_EQ(error, "f:5:" + std::to_string(9 + 2 * (1 << 22) + 1) + ": schedule longer than 4194304 steps");
}

std::string TempPath(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return std::string(tmp ? tmp : "/tmp") + "/" + name;
}

// Where a file comes from decides how it is read.
TEST(InputBytes, OriginDecidesHowAFileIsRead) {
  const std::string late = TempPath("late-header");
  std::ofstream(late, std::ios::binary) << "# comment first\n" << kExample;
  const std::string raw = TempPath("raw-hash");
  std::ofstream(raw, std::ios::binary) << std::string("\x0a\x23\x02\x02\x00\x00\x03\x00\x00\x02", 10);
  const Variant* v = FindVariant("b0473dcd");
  Repro r;
  bool was_text = true;
  std::string error;
  // A user's file: text without its header is refused, raw bytes are raw.
  EXPECT_FALSE(ReadReproOrInput(late, v, InputOrigin::kSniff, &r, &was_text, &error));
  EXPECT_EQ(error, late + ":1:1: 'smpfuzz-repro 1' must begin the file, found it at line 2, "
                          "column 1 (comments go after it); to run the file as raw fuzzer bytes, use --raw");
  ASSERT_TRUE(ReadReproOrInput(raw, v, InputOrigin::kSniff, &r, &was_text, &error)) << error;
  EXPECT_FALSE(was_text);
  EXPECT_EQ(r.scenario.nr_cpus, 5);
  // An engine's file and --raw: raw whatever it looks like.
  ASSERT_TRUE(ReadReproOrInput(late, v, InputOrigin::kCrashFile, &r, &was_text, &error)) << error;
  EXPECT_FALSE(was_text);
  ASSERT_TRUE(ReadReproOrInput(late, v, InputOrigin::kRaw, &r, &was_text, &error)) << error;
  EXPECT_FALSE(was_text);
  // Must be a reproducer: the parser's error.
  EXPECT_FALSE(ReadReproOrInput(raw, v, InputOrigin::kReproducer, &r, &was_text, &error));
  EXPECT_EQ(error.rfind(raw + ":1:1: expected 'smpfuzz-repro 1'", 0), 0u) << error;
  EXPECT_EQ(CrashDirOrigin("x/a.repro"), InputOrigin::kReproducer);
  EXPECT_EQ(CrashDirOrigin("x/crash-1"), InputOrigin::kCrashFile);
}

// Only regular files, never blocking, never without bound.
TEST(InputBytes, OnlyRegularFilesOfBoundedSizeAreRead) {
  std::string data, error;
  const std::string fifo = TempPath("fifo");
  unlink(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_FALSE(ReadRegularFile(fifo, 100, &data, &error));  // no writer: must not block
  EXPECT_EQ(error, fifo + ": not a regular file (a FIFO)");
  const std::string dir = TempPath("");
  EXPECT_FALSE(ReadRegularFile(dir, 100, &data, &error));
  EXPECT_EQ(error, dir + ": not a regular file (a directory)");
  const std::string big = TempPath("big");
  std::ofstream(big, std::ios::binary) << std::string(101, 'x');
  EXPECT_FALSE(ReadRegularFile(big, 100, &data, &error));
  EXPECT_EQ(error, big + ": too big: 101 bytes (inputs are at most 100)");
  ASSERT_TRUE(ReadRegularFile(big, 101, &data, &error)) << error;
  EXPECT_EQ(data, std::string(101, 'x'));
  EXPECT_FALSE(ReadRegularFile(TempPath("missing"), 100, &data, &error));
  EXPECT_EQ(error, TempPath("missing") + ": cannot read: No such file or directory");
}

// The one JSON escaper: any path or message gives a valid JSON string.
TEST(Json, StringsAreEscaped) {
  EXPECT_EQ(JsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonString("\n\r\t\x01"), "\"\\n\\r\\t\\u0001\"");
  EXPECT_EQ(JsonString("caf\xC3\xA9"), "\"caf\xC3\xA9\"");
  EXPECT_EQ(JsonString("bad\xC3 \xFF"), "\"bad\\ufffd \\ufffd\"");
}

TEST(InputBytes, EveryByteStringDecodesToAValidScenario) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(rng() % 64, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    Repro r = DecodeInputBytes(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(),
                               FindVariant("fixed"));
    ASSERT_TRUE(r.scenario.Validate().ok()) << i;
    ASSERT_LE(r.scenario.TotalOps(), kBytesMaxOps);
    // Decoded inputs re-encode to bytes that decode to the same thing.
    std::string again, error;
    ASSERT_TRUE(EncodeInputBytes(r, &again, &error)) << error;
    Repro r2 = DecodeInputBytes(reinterpret_cast<const std::uint8_t*>(again.data()), again.size(),
                                FindVariant("fixed"));
    ASSERT_TRUE(r2 == r) << i;
  }
}

TEST(InputBytes, CanonicalScenarioRoundTrips) {
  Repro r;
  r.scenario = CanonicalScenario(FindVariant("b0473dcd"));
  r.schedule = CanonicalSelfLoopSchedule();
  std::string bytes, error;
  ASSERT_TRUE(EncodeInputBytes(r, &bytes, &error)) << error;
  EXPECT_EQ(bytes.size(), kBytesHeader + 2 * kBytesPerOp + r.schedule.size());
  Repro back = DecodeInputBytes(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(),
                                FindVariant("b0473dcd"));
  EXPECT_TRUE(back == r);
}

TEST(InputBytes, WhatDoesNotFitIsRefusedWithAReason) {
  Repro r;
  r.scenario = CanonicalScenario(FindVariant("fixed"));
  std::string bytes, error;
  r.scenario.nr_cpus = 9;
  r.scenario.ops.resize(9);
  EXPECT_FALSE(EncodeInputBytes(r, &bytes, &error));
  EXPECT_NE(error.find("CPUs"), std::string::npos);
  r.scenario = CanonicalScenario(FindVariant("fixed"));
  r.scenario.ops[1][0].target = 40;
  EXPECT_FALSE(EncodeInputBytes(r, &bytes, &error));
  EXPECT_NE(error.find("targets"), std::string::npos);
}

}  // namespace
}  // namespace smpfuzz
