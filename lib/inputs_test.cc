// SPDX-License-Identifier: GPL-2.0-only
#include "lib/inputs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace smpfuzz {
namespace {

constexpr char kRepro[] = R"(smpfuzz-repro 1
cpus 3
variant b0473dcd
csdlock_debug on
cpu 1: call_single target=0 wait=0
schedule 1 2
)";

std::string TempPath(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return std::string(tmp ? tmp : "/tmp") + "/" + name;
}

// Where a file comes from decides how it is read.
TEST(Inputs, OriginDecidesHowAFileIsRead) {
  const std::string late = TempPath("late-header");
  std::ofstream(late, std::ios::binary) << "# comment first\n" << kRepro;
  const std::string raw = TempPath("raw-hash");
  std::ofstream(raw, std::ios::binary) << std::string("\x0a\x23\x02\x02\x00\x00\x03\x00\x00\x02", 10);
  const Variant* v = FindVariant("b0473dcd");
  // A user's file: text without its header is refused, raw bytes are raw.
  absl::StatusOr<Input> in = ReadInput(late, v, InputOrigin::kSniff);
  EXPECT_EQ(in.status().message(), late + ":1:1: 'smpfuzz-repro 1' must begin the file, found it at line 2, "
                          "column 1 (comments go after it); to run the file as raw fuzzer bytes, use --raw");
  in = ReadInput(raw, v, InputOrigin::kSniff);
  ASSERT_TRUE(in.ok()) << in.status().message();
  EXPECT_FALSE(in->was_text);
  EXPECT_EQ(in->repro.scenario.nr_cpus, 5);
  // An engine's file and --raw: raw whatever it looks like.
  for (InputOrigin origin : {InputOrigin::kCrashFile, InputOrigin::kRaw}) {
    in = ReadInput(late, v, origin);
    ASSERT_TRUE(in.ok()) << in.status().message();
    EXPECT_FALSE(in->was_text);
  }
  // Must be a reproducer: the parser's error.
  in = ReadInput(raw, v, InputOrigin::kReproducer);
  const std::string error(in.status().message());
  EXPECT_EQ(error.rfind(raw + ":1:1: expected 'smpfuzz-repro 1'", 0), 0u) << error;
  EXPECT_EQ(CrashDirOrigin("x/a.repro"), InputOrigin::kReproducer);
  EXPECT_EQ(CrashDirOrigin("x/crash-1"), InputOrigin::kCrashFile);
}

// Only regular files, never blocking, never without bound.
TEST(Inputs, OnlyRegularFilesOfBoundedSizeAreRead) {
  const std::string fifo = TempPath("fifo");
  unlink(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(ReadRegularFile(fifo, 100).status().message(),  // no writer: must not block
            fifo + ": not a regular file (a FIFO)");
  const std::string dir = TempPath("");
  EXPECT_EQ(ReadRegularFile(dir, 100).status().message(),
            dir + ": not a regular file (a directory)");
  const std::string big = TempPath("big");
  std::ofstream(big, std::ios::binary) << std::string(101, 'x');
  EXPECT_EQ(ReadRegularFile(big, 100).status().message(),
            big + ": too big: 101 bytes (inputs are at most 100)");
  absl::StatusOr<std::string> data = ReadRegularFile(big, 101);
  ASSERT_TRUE(data.ok()) << data.status().message();
  EXPECT_EQ(*data, std::string(101, 'x'));
  EXPECT_EQ(ReadRegularFile(TempPath("missing"), 100).status().message(),
            TempPath("missing") + ": cannot read: No such file or directory");
}

// A directory stands for the crash files under it, sorted; a file for itself.
TEST(Inputs, ADirectoryStandsForItsCrashFiles) {
  const std::string dir = TempPath("crashes");
  ASSERT_EQ(system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "/sub'").c_str()), 0);
  for (const char* name : {"sub/crash-2", "id:000001", "a.repro", "notes.txt", ".repro", "crash-1"}) {
    std::ofstream(dir + "/" + name) << "x";
  }
  EXPECT_EQ(InputFiles(dir), (std::vector<std::string>{dir + "/a.repro", dir + "/crash-1",
                                                        dir + "/id:000001", dir + "/sub/crash-2"}));
  EXPECT_EQ(InputFiles(dir + "/notes.txt"), std::vector<std::string>{dir + "/notes.txt"});
  EXPECT_EQ(InputFiles(dir + "/missing"), std::vector<std::string>{dir + "/missing"});
}

}  // namespace
}  // namespace smpfuzz
