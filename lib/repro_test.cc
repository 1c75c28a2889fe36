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
  absl::StatusOr<Repro> parsed = ParseRepro(kExample, "x.repro");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const Repro& r = *parsed;
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
  absl::StatusOr<Repro> parsed = ParseRepro(kExample, "x.repro");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const Repro& r = *parsed;
  std::string text = FormatRepro(r, {"hello"});
  absl::StatusOr<Repro> reparsed = ParseRepro(text, "y.repro");
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().message() << "\n" << text;
  const Repro& again = *reparsed;
  EXPECT_TRUE(again == r) << text;
  EXPECT_EQ(FormatRepro(again, {"hello"}), text);
}

// A kernel guest build is named by its hashes and survives the round trip;
// the model's (no line) is the default.
TEST(ReproText, GuestLineRoundTrips) {
  absl::StatusOr<Repro> model = ParseRepro(kExample, "x.repro");
  ASSERT_TRUE(model.ok());
  EXPECT_FALSE(model->guest.kernel);
  EXPECT_EQ(FormatRepro(*model).find("guest"), std::string::npos);
  Repro r = *model;
  r.guest.kernel = true;
  r.guest.tree_hash = 0xb0ae8e45c0c6cc7dULL;
  r.guest.build_hash = 0x0ddf7c0fc34078baULL;
  r.guest.patch_hashes = {0x1234, 0xfedcba9876543210ULL};
  const std::string text = FormatRepro(r);
  EXPECT_NE(text.find("guest kernel tree=b0ae8e45c0c6cc7d build=0ddf7c0fc34078ba "
                      "patches=0000000000001234,fedcba9876543210\n"),
            std::string::npos)
      << text;
  absl::StatusOr<Repro> again = ParseRepro(text, "y.repro");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(*again == r);
  Repro other = r;
  other.guest.build_hash ^= 1;
  EXPECT_FALSE(other == r);
  absl::StatusOr<Repro> explicit_model =
      ParseRepro(std::string(kExample) + "guest model\n", "z.repro");
  ASSERT_TRUE(explicit_model.ok()) << explicit_model.status();
  EXPECT_TRUE(*explicit_model == *model);
}

struct Malformed {
  const char* what;
  std::string text;
  std::string error;  // expected prefix of the error
};

std::string Head(const std::string& rest) {
  return "smpfuzz-repro 1\ncpus 3\nvariant fixed\ncsdlock_debug on\n" + rest;
}

// `r`'s operations come back the same through the fuzzers' byte format.
void ExpectBytesRoundTrip(const Repro& r) {
  absl::StatusOr<std::string> bytes = EncodeInputBytes(r);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  Repro back = DecodeInputBytes(reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size(),
                                FindVariant("fixed"));
  EXPECT_TRUE(back.scenario.ops == r.scenario.ops) << FormatRepro(back);
  EXPECT_TRUE(back.scenario.tasks == r.scenario.tasks) << FormatRepro(back);
}

// smp_call_function(), smp_call_function_any() and on_each_cpu_cond_mask().
TEST(ReproText, TheOtherCallApisParseAndRoundTrip) {
  absl::StatusOr<Repro> r = ParseRepro(
      "smpfuzz-repro 1\ncpus 3\nvariant fixed\ncsdlock_debug on\n"
      "cpu 1: call_function wait=1\ncpu 1: call_any mask=0x5\n"
      "cpu 2: call_many mask=0x7 wait=0 local=1 cond=0x5\n",
      "f");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const std::vector<Op>& one = r->scenario.ops[1];
  ASSERT_EQ(one.size(), 2u);
  EXPECT_EQ(one[0].kind, OpKind::kCallFunction);
  EXPECT_TRUE(one[0].wait);
  EXPECT_EQ(one[1].kind, OpKind::kCallAny);
  EXPECT_EQ(one[1].mask, 5u);
  EXPECT_FALSE(one[1].wait);
  ASSERT_EQ(r->scenario.ops[2].size(), 1u);
  EXPECT_EQ(r->scenario.ops[2][0].cond, 5u);
  EXPECT_EQ(one[0].cond, kNoCond);
  const std::string text = FormatRepro(*r);
  EXPECT_NE(text.find("cpu 2: call_many mask=0x7 wait=0 local=1 cond=0x5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("cpu 1: call_function wait=1\n"), std::string::npos) << text;
  absl::StatusOr<Repro> again = ParseRepro(text, "g");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(*again == *r);
  // And through the byte format: cond is one of its four.
  ExpectBytesRoundTrip(*r);
}

// free=1: the async callback kfree()s its fresh csd; the text and the byte
// format keep it, and a shared csd refuses it.
TEST(ReproText, ACallbackThatFreesItsCsdRoundTrips) {
  absl::StatusOr<Repro> r = ParseRepro(
      Head("cpu 1: call_single_async target=0 free=1\ncpu 2: call_single_async target=0\n"), "f");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->scenario.ops[1][0].handler_frees);
  EXPECT_FALSE(r->scenario.ops[2][0].handler_frees);
  const std::string text = FormatRepro(*r);
  EXPECT_NE(text.find("cpu 1: call_single_async target=0 free=1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("cpu 2: call_single_async target=0\n"), std::string::npos) << text;
  ExpectBytesRoundTrip(*r);
  absl::StatusOr<Repro> shared =
      ParseRepro(Head("cpu 1: call_single_async target=0 csd=1 free=1\n"), "f");
  ASSERT_FALSE(shared.ok());
  EXPECT_EQ(std::string(shared.status().message()),
            "f:5:46: free=1 needs a fresh csd: csd 1 is shared by its calls and outlives them");
}

// offline/online: CPU hotplug at run time, in the text and the byte format;
// a CPU past `cpus` is an error at its value, an impossible one too.
TEST(ReproText, HotplugOpsRoundTrip) {
  absl::StatusOr<Repro> r = ParseRepro(
      Head("cpu 0: offline target=2\ncpu 0: online target=2\ntask 3 on 1: offline target=0\n"), "h");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->scenario.ops[0].size(), 2u);
  EXPECT_EQ(r->scenario.ops[0][0].kind, OpKind::kCpuOffline);
  EXPECT_EQ(r->scenario.ops[0][1].kind, OpKind::kCpuOnline);
  EXPECT_TRUE(r->scenario.HasHotplug());
  const std::string text = FormatRepro(*r);
  EXPECT_NE(text.find("cpu 0: offline target=2\ncpu 0: online target=2\n"), std::string::npos) << text;
  absl::StatusOr<Repro> again = ParseRepro(text, "g");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(*again == *r);
  ExpectBytesRoundTrip(*r);
  absl::StatusOr<Repro> past = ParseRepro(Head("cpu 0: offline target=3\n"), "h");
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(std::string(past.status().message()), "h:5:23: offline target=3 but 'cpus 3'");
  absl::StatusOr<Repro> negative = ParseRepro(Head("cpu 0: online target=-1\n"), "h");
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(std::string(negative.status().message()),
            "h:5:22: expected a CPU to bring up between 0 and 63, got '-1'");
}

TEST(ReproText, IrqWorkAndTtwuOpsRoundTrip) {
  absl::StatusOr<Repro> r = ParseRepro(
      Head("cpu 1: irq_work_queue_on target=0 work=1\ncpu 2: irq_work_queue_on target=0 work=0\n"
           "task 3 on 2: ttwu_queue target=1\n"),
      "w");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->scenario.ops[1].size(), 1u);
  EXPECT_EQ(r->scenario.ops[1][0].kind, OpKind::kIrqWorkQueueOn);
  EXPECT_EQ(r->scenario.ops[1][0].csd, 1);
  EXPECT_EQ(r->scenario.tasks[0].ops[0].kind, OpKind::kTtwuQueue);
  const std::string text = FormatRepro(*r);
  EXPECT_NE(text.find("cpu 1: irq_work_queue_on target=0 work=1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("task 3 on 2: ttwu_queue target=1\n"), std::string::npos) << text;
  absl::StatusOr<Repro> again = ParseRepro(text, "g");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(*again == *r);
  ExpectBytesRoundTrip(*r);
  absl::StatusOr<Repro> no_work = ParseRepro(Head("cpu 0: irq_work_queue_on target=1\n"), "w");
  ASSERT_FALSE(no_work.ok());
  EXPECT_NE(std::string(no_work.status().message()).find("w:5:"), std::string::npos);
  EXPECT_NE(std::string(no_work.status().message()).find("work"), std::string::npos);
  absl::StatusOr<Repro> big = ParseRepro(Head("cpu 0: irq_work_queue_on target=1 work=16\n"), "w");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(std::string(big.status().message()).find("an irq_work number"), std::string::npos)
      << big.status().message();
  // The byte format holds works 0 and 1 only.
  absl::StatusOr<Repro> two = ParseRepro(Head("cpu 0: irq_work_queue_on target=1 work=2\n"), "w");
  ASSERT_TRUE(two.ok());
  EXPECT_FALSE(EncodeInputBytes(*two).ok());
}

// act=: callbacks that delay, re-arm their csd or call another CPU, in the
// text and the byte format; what cannot act is an error at its value.
TEST(ReproText, CallbacksThatActRoundTrip) {
  absl::StatusOr<Repro> r = ParseRepro(
      Head("cpu 1: call_single target=0 wait=1 act=delay:3\n"
           "cpu 1: call_single_async target=0 act=rearm\n"
           "cpu 2: call_single_async target=0 free=1 act=nest:1\n"
           "cpu 2: call_single target=3 wait=0 act=nest:-1\n"
           "cpu 0: call_single target=1 wait=0 act=complete\n"),
      "a");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Op& delay = r->scenario.ops[1][0];
  EXPECT_EQ(delay.act, CallbackAct::kDelay);
  EXPECT_EQ(delay.act_arg, 3);
  EXPECT_EQ(r->scenario.ops[1][1].act, CallbackAct::kRearm);
  EXPECT_EQ(r->scenario.ops[2][0].act, CallbackAct::kNest);
  EXPECT_EQ(r->scenario.ops[2][0].act_arg, 1);
  EXPECT_EQ(r->scenario.ops[2][1].act_arg, -1);
  EXPECT_EQ(r->scenario.ops[0][0].act, CallbackAct::kComplete);
  const std::string text = FormatRepro(*r);
  EXPECT_NE(text.find("cpu 1: call_single target=0 wait=1 act=delay:3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("cpu 1: call_single_async target=0 act=rearm\n"), std::string::npos) << text;
  EXPECT_NE(text.find("cpu 2: call_single_async target=0 free=1 act=nest:1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("cpu 0: call_single target=1 wait=0 act=complete\n"), std::string::npos)
      << text;
  absl::StatusOr<Repro> again = ParseRepro(text, "g");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(*again == *r);
  ExpectBytesRoundTrip(*r);
  const std::vector<Malformed> bad = {
      {"delay 0", Head("cpu 1: call_single target=0 act=delay:0\n"), "a:5:39: expected a delay in steps"},
      {"delay 9", Head("cpu 1: call_single target=0 act=delay:9\n"), "a:5:39: expected a delay in steps"},
      {"no steps", Head("cpu 1: call_single target=0 act=delay\n"),
       "a:5:33: act= takes delay:STEPS, rearm, nest:CPU or complete, got 'delay'"},
      {"unknown act", Head("cpu 1: call_single target=0 act=sleep:1\n"), "a:5:33: act= takes"},
      {"rearm on call_single", Head("cpu 1: call_single target=0 act=rearm\n"),
       "a:5:33: act=rearm queues the callback's own async csd: call_single has none"},
      {"rearm on a shared csd", Head("cpu 1: call_single_async target=0 csd=0 act=rearm\n"),
       "a:5:45: act= needs a fresh csd (no csd=): every call on csd 0 is one request"},
      {"nest on a shared csd", Head("cpu 1: call_single_async target=0 csd=1 act=nest:2\n"),
       "a:5:45: act= needs a fresh csd"},
      {"rearm freed", Head("cpu 1: call_single_async target=0 free=1 act=rearm\n"),
       "a:5:46: act=rearm needs a fresh csd that the callback does not free (free=0)"},
      {"complete with wait=1", Head("cpu 1: call_single target=0 wait=1 act=complete\n"),
       "a:5:40: act=complete waits for the callback itself: it needs wait=0"},
      {"complete on async", Head("cpu 1: call_single_async target=0 act=complete\n"),
       "a:5:39: act=complete is for call_single wait=0"},
      {"act on call_many", Head("cpu 1: call_many mask=0x1 act=rearm\n"),
       "a:5:27: 'call_many' takes no 'act'"},
  };
  for (const Malformed& c : bad) {
    absl::StatusOr<Repro> parsed = ParseRepro(c.text, "a");
    ASSERT_FALSE(parsed.ok()) << c.what;
    const std::string error(parsed.status().message());
    EXPECT_EQ(error.substr(0, c.error.size()), c.error) << c.what << ": got " << error;
  }
  // The byte format holds a delay on call_single only.
  absl::StatusOr<Repro> async_delay =
      ParseRepro(Head("cpu 1: call_single_async target=0 act=delay:2\n"), "a");
  ASSERT_TRUE(async_delay.ok()) << async_delay.status().message();
  EXPECT_EQ(EncodeInputBytes(*async_delay).status().message(),
            "the byte format holds act=delay on call_single only");
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
      {"cond without local", Head("cpu 1: call_many mask=0x7 cond=0x1\n"),
       "f:5:32: cond= is on_each_cpu_cond_mask()'s and needs local=1"},
      {"bad cond", Head("cpu 1: call_many mask=0x7 local=1 cond=x\n"), "f:5:40: expected a CPU mask"},
      {"call_function target", Head("cpu 1: call_function target=0\n"),
       "f:5:22: 'call_function' takes no 'target'"},
      {"call_any without mask", Head("cpu 1: call_any wait=1\n"), "f:5:8: 'call_any' needs mask="},
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
      {"guest unknown", Head("guest qemu\n"), "f:5:7: expected 'model' or 'kernel'"},
      {"guest kernel bare", Head("guest kernel\n"), "f:5:7: 'guest kernel' needs tree=HASH and build=HASH"},
      {"guest bad hash", Head("guest kernel tree=xyz build=1\n"), "f:5:19: expected hexadecimal hashes"},
      {"guest bad key", Head("guest kernel tree=1 build=2 arch=x86\n"), "f:5:29: expected tree=HASH"},
      {"guest twice", Head("guest model\nguest model\n"), "f:6:1: 'guest' given twice"},
  };
  for (const Malformed& c : cases) {
    absl::StatusOr<Repro> parsed = ParseRepro(c.text, "f");
    EXPECT_FALSE(parsed.ok()) << c.what;
    const std::string error(parsed.status().message());
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
  absl::StatusOr<Repro> parsed = ParseRepro(kExample, "x.repro");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const Repro& r = *parsed;
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
  absl::StatusOr<Repro> parsed = ParseRepro(text, "f");
  EXPECT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "f:5:" + std::to_string(9 + 2 * (1 << 22) + 1) + ": schedule longer than 4194304 steps");
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
    absl::StatusOr<std::string> encoded = EncodeInputBytes(r);
    ASSERT_TRUE(encoded.ok()) << encoded.status().message();
    const std::string& again = *encoded;
    Repro r2 = DecodeInputBytes(reinterpret_cast<const std::uint8_t*>(again.data()), again.size(),
                                FindVariant("fixed"));
    ASSERT_TRUE(r2 == r) << i;
  }
}

TEST(InputBytes, CanonicalScenarioRoundTrips) {
  Repro r;
  r.scenario = CanonicalScenario(FindVariant("b0473dcd"));
  r.schedule = CanonicalSelfLoopSchedule();
  absl::StatusOr<std::string> encoded = EncodeInputBytes(r);
  ASSERT_TRUE(encoded.ok()) << encoded.status().message();
  const std::string& bytes = *encoded;
  EXPECT_EQ(bytes.size(), kBytesHeader + 2 * kBytesPerOp + r.schedule.size());
  Repro back = DecodeInputBytes(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(),
                                FindVariant("b0473dcd"));
  EXPECT_TRUE(back == r);
}

TEST(InputBytes, WhatDoesNotFitIsRefusedWithAReason) {
  Repro r;
  r.scenario = CanonicalScenario(FindVariant("fixed"));
  r.scenario.nr_cpus = 9;
  r.scenario.ops.resize(9);
  EXPECT_EQ(EncodeInputBytes(r).status().message(), "the byte format holds 2..8 CPUs, not 9");
  r.scenario = CanonicalScenario(FindVariant("fixed"));
  r.scenario.ops[1][0].target = 40;
  EXPECT_EQ(EncodeInputBytes(r).status().message(), "the byte format holds targets -1..3, not 40");
  r.scenario = CanonicalScenario(FindVariant("fixed"));
  r.scenario.ops[1][0] = Op{.kind = OpKind::kCallMany, .mask = 7, .local = true, .cond = 1};
  EXPECT_EQ(EncodeInputBytes(r).status().message(),
            "the byte format holds cond masks of every CPU, the even ones, the odd ones or none, "
            "not 1");
}

}  // namespace
}  // namespace smpfuzz
