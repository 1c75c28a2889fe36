// SPDX-License-Identifier: GPL-2.0-only
#include "lib/repro.h"

#include <cctype>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/hex.h"
#include "lib/json.h"

namespace smpfuzz {
namespace {

constexpr std::size_t kMaxScheduleSteps = 1 << 22;
constexpr int kMaxOps = 1 << 16;
constexpr std::uint64_t kMaxStepsLimit = std::uint64_t{1} << 32;

struct Token {
  std::string_view text;
  int col = 0;  // 1-based
};

// The words of one line, one at a time: a schedule line may hold millions,
// so it is never split into a list.
class Words {
 public:
  explicit Words(std::string_view line) : line_(line) {}
  bool Next(Token* t) {
    while (i_ < line_.size() && (line_[i_] == ' ' || line_[i_] == '\t' || line_[i_] == '\r')) ++i_;
    if (i_ == line_.size() || line_[i_] == '#') return false;
    const std::size_t start = i_;
    while (i_ < line_.size() && line_[i_] != ' ' && line_[i_] != '\t' && line_[i_] != '\r' &&
           line_[i_] != '#') {
      ++i_;
    }
    *t = {line_.substr(start, i_ - start), static_cast<int>(start) + 1};
    return true;
  }

 private:
  std::string_view line_;
  std::size_t i_ = 0;
};

// The words of a line that is not a schedule: at most `max` + 1 of them.
std::vector<Token> Tokenize(std::string_view line, std::size_t max) {
  std::vector<Token> out;
  Words words(line);
  Token t;
  while (out.size() <= max && words.Next(&t)) out.push_back(t);
  return out;
}

// No fact but `schedule` needs more words than this (stop_on, expect and
// offline name at most one signature or CPU each).
constexpr std::size_t kMaxWords = 128;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// A word for an error message: printable, short.
std::string Quoted(std::string_view w) {
  std::string out = "'";
  for (std::size_t i = 0; i < w.size() && i < 24; ++i) {
    unsigned char c = static_cast<unsigned char>(w[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out + (w.size() > 24 ? "...'" : "'");
}

// Decimal or 0x hex, optional leading '-'; false on anything else or overflow.
bool ParseInt(std::string_view s, std::int64_t min, std::int64_t max, std::int64_t* out) {
  bool neg = false;
  if (!s.empty() && s[0] == '-') {
    neg = true;
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  std::uint64_t v = 0;
  for (char ch : s) {
    int d;
    if (ch >= '0' && ch <= '9') {
      d = ch - '0';
    } else if (base == 16 && ch >= 'a' && ch <= 'f') {
      d = ch - 'a' + 10;
    } else if (base == 16 && ch >= 'A' && ch <= 'F') {
      d = ch - 'A' + 10;
    } else {
      return false;
    }
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / base) return false;
    v = v * base + d;
  }
  if (neg) {
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return false;
    std::int64_t sv = -static_cast<std::int64_t>(v);
    if (sv < min) return false;
    *out = sv;
    return true;
  }
  if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    // Only masks need the full unsigned range; they use ParseMask.
    return false;
  }
  if (static_cast<std::int64_t>(v) < min || static_cast<std::int64_t>(v) > max) return false;
  *out = static_cast<std::int64_t>(v);
  return true;
}

bool ParseMask(std::string_view s, std::uint64_t* out) {
  if (s.empty() || s[0] == '-') return false;
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    base = 2;
    s.remove_prefix(2);
  }
  if (s.empty()) return false;
  std::uint64_t v = 0;
  for (char ch : s) {
    int d;
    if (ch >= '0' && ch <= '9') {
      d = ch - '0';
    } else if (ch >= 'a' && ch <= 'f') {
      d = ch - 'a' + 10;
    } else if (ch >= 'A' && ch <= 'F') {
      d = ch - 'A' + 10;
    } else {
      return false;
    }
    if (d >= base) return false;
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / base) return false;
    v = v * base + d;
  }
  *out = v;
  return true;
}

class Parser {
 public:
  Parser(std::string_view filename, Repro* out) : filename_(filename), r_(out) {}

  bool Fail(int line, int col, const std::string& msg) {
    if (error_.empty()) {
      error_ = std::string(filename_) + ":" + std::to_string(line) + ":" + std::to_string(col) +
               ": " + msg;
    }
    return false;
  }
  const std::string& error() const { return error_; }

  bool Parse(std::string_view text) {
    *r_ = Repro{};
    r_->scenario.variant = nullptr;
    if (!HasReproHeader(text)) return Fail(1, 1, MissingHeaderMessage(text));
    int line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
      std::size_t nl = text.find('\n', pos);
      std::string_view line =
          text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      ++line_no;
      for (std::size_t i = 0; i < line.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(line[i]);
        if (c == 0 || (c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
          return Fail(line_no, static_cast<int>(i) + 1, "control character in text");
        }
      }
      Words words(line);
      Token first;
      if (words.Next(&first)) {
        if (first.text == "schedule") {
          if (!ScheduleLine(line_no, &words)) return false;
        } else {
          std::vector<Token> toks = Tokenize(line, kMaxWords);
          if (toks.size() > kMaxWords) {
            return Fail(line_no, toks[kMaxWords].col,
                        "more than " + std::to_string(kMaxWords) + " words on one line");
          }
          if (!Fact(line_no, toks)) return false;
        }
      }
      if (nl == std::string_view::npos) break;
      pos = nl + 1;
    }
    return Finish(line_no);
  }

 private:
  bool Once(int line, const Token& t, bool* seen) {
    if (*seen) return Fail(line, t.col, "'" + std::string(t.text) + "' given twice");
    *seen = true;
    return true;
  }

  bool Int(int line, const Token& t, std::int64_t min, std::int64_t max, std::int64_t* out,
           const char* what) {
    if (!ParseInt(t.text, min, max, out)) {
      return Fail(line, t.col,
                  std::string("expected ") + what + " between " + std::to_string(min) + " and " +
                      std::to_string(max) + ", got '" + std::string(t.text) + "'");
    }
    return true;
  }

  bool Arity(int line, const std::vector<Token>& toks, std::size_t n) {
    if (toks.size() < n) {
      const Token& last = toks.back();
      return Fail(line, last.col + static_cast<int>(last.text.size()),
                  "'" + std::string(toks[0].text) + "' needs " + std::to_string(n - 1) +
                      " argument(s)");
    }
    if (toks.size() > n) return Fail(line, toks[n].col, "unexpected '" + std::string(toks[n].text) + "'");
    return true;
  }

  bool Fact(int line, const std::vector<Token>& toks) {
    std::string_view key = toks[0].text;
    if (!seen_header_) {
      if (key != "smpfuzz-repro") {
        return Fail(line, toks[0].col, "expected 'smpfuzz-repro 1' as the first fact, got '" +
                                           std::string(key) + "'");
      }
      if (!Arity(line, toks, 2)) return false;
      if (toks[1].text != "1") {
        return Fail(line, toks[1].col,
                    "unsupported format version '" + std::string(toks[1].text) + "' (this is 1)");
      }
      seen_header_ = true;
      return true;
    }
    std::int64_t v;
    if (key == "smpfuzz-repro") return Fail(line, toks[0].col, "'smpfuzz-repro' given twice");
    if (key == "cpus") {
      if (!Once(line, toks[0], &seen_cpus_) || !Arity(line, toks, 2)) return false;
      if (!Int(line, toks[1], kMinCpus, kMaxScenarioCpus, &v, "a CPU count")) return false;
      r_->scenario.nr_cpus = static_cast<int>(v);
      cpus_line_ = line;
      return true;
    }
    if (key == "variant") {
      if (!Once(line, toks[0], &seen_variant_) || !Arity(line, toks, 2)) return false;
      r_->scenario.variant = FindVariant(toks[1].text);
      if (r_->scenario.variant == nullptr) {
        return Fail(line, toks[1].col, "unknown variant '" + std::string(toks[1].text) +
                                           "' (known: " + VariantNames(true) + ")");
      }
      return true;
    }
    if (key == "csdlock_debug") {
      if (!Once(line, toks[0], &seen_debug_) || !Arity(line, toks, 2)) return false;
      if (toks[1].text == "on") {
        r_->scenario.csdlock_debug = true;
      } else if (toks[1].text == "off") {
        r_->scenario.csdlock_debug = false;
      } else {
        return Fail(line, toks[1].col, "expected 'on' or 'off', got '" + std::string(toks[1].text) + "'");
      }
      return true;
    }
    if (key == "csd_lock_timeout_ms") {
      if (!Once(line, toks[0], &seen_timeout_) || !Arity(line, toks, 2)) return false;
      if (!Int(line, toks[1], 0, 3600000, &v, "milliseconds")) return false;
      r_->scenario.csd_lock_timeout_ms = static_cast<std::uint64_t>(v);
      return true;
    }
    if (key == "max_steps") {
      if (!Once(line, toks[0], &seen_max_steps_) || !Arity(line, toks, 2)) return false;
      if (!Int(line, toks[1], 1, static_cast<std::int64_t>(kMaxStepsLimit), &v, "a step count")) return false;
      r_->max_steps = static_cast<std::uint64_t>(v);
      return true;
    }
    if (key == "ns_per_step") {
      if (!Once(line, toks[0], &seen_ns_) || !Arity(line, toks, 2)) return false;
      if (!Int(line, toks[1], 1, 1000000000, &v, "nanoseconds")) return false;
      r_->ns_per_step = static_cast<std::uint64_t>(v);
      return true;
    }
    if (key == "stop_on") {
      if (!Once(line, toks[0], &seen_stop_on_)) return false;
      if (toks.size() < 2) return Arity(line, toks, 2);
      r_->stop_on = 0;
      if (toks.size() == 2 && toks[1].text == "none") return true;
      for (std::size_t i = 1; i < toks.size(); ++i) {
        Signature s;
        if (!SignatureFromName(toks[i].text, &s)) {
          return Fail(line, toks[i].col, "unknown signature '" + std::string(toks[i].text) + "'");
        }
        r_->stop_on |= SignatureBit(s);
      }
      return true;
    }
    if (key == "offline") {
      if (!Once(line, toks[0], &seen_offline_)) return false;
      if (toks.size() < 2) return Arity(line, toks, 2);
      for (std::size_t i = 1; i < toks.size(); ++i) {
        if (!Int(line, toks[i], 0, kMaxScenarioCpus - 1, &v, "a CPU number")) return false;
        r_->scenario.offline_mask |= std::uint64_t{1} << v;
        offline_.push_back({line, toks[i].col, static_cast<int>(v)});
      }
      return true;
    }
    if (key == "guest") return GuestLine(line, toks);
    if (key == "cpu") return OpLine(line, toks);
    if (key == "task") return TaskLine(line, toks);
    // `schedule` lines never come here: Parse() streams them (ScheduleLine).
    if (key == "expect") return ExpectLine(line, toks);
    if (key == "minimal") return MinimalLine(line, toks);
    return Fail(line, toks[0].col, "unknown fact '" + std::string(key) +
                                       "' (expected cpus, variant, csdlock_debug, "
                                       "csd_lock_timeout_ms, offline, max_steps, ns_per_step, "
                                       "stop_on, guest, cpu, task, schedule, expect or minimal)");
  }

  // `guest model`, or `guest kernel tree=H build=H [patches=H,H...]` (hex).
  bool GuestLine(int line, const std::vector<Token>& toks) {
    if (!Once(line, toks[0], &seen_guest_)) return false;
    if (toks.size() < 2) return Arity(line, toks, 2);
    if (toks[1].text == "model") return Arity(line, toks, 2);
    if (toks[1].text != "kernel") {
      return Fail(line, toks[1].col, "expected 'model' or 'kernel', got '" + std::string(toks[1].text) + "'");
    }
    GuestRecord& g = r_->guest;
    g.kernel = true;
    bool tree = false, build = false;
    for (std::size_t i = 2; i < toks.size(); ++i) {
      const std::string_view t = toks[i].text;
      const std::size_t eq = t.find('=');
      const std::string_view name = t.substr(0, eq);
      if (eq == std::string_view::npos || (name != "tree" && name != "build" && name != "patches")) {
        return Fail(line, toks[i].col, "expected tree=HASH, build=HASH or patches=HASH,..., got '" +
                                           std::string(t) + "'");
      }
      std::vector<std::uint64_t> values;
      for (absl::string_view h : absl::StrSplit(absl::string_view(t.data() + eq + 1, t.size() - eq - 1), ',')) {
        std::uint64_t v = 0;
        if (h.empty() || h.size() > 16 || !absl::SimpleHexAtoi(h, &v)) {
          return Fail(line, toks[i].col + static_cast<int>(eq) + 1,
                      "expected hexadecimal hashes in '" + std::string(t) + "'");
        }
        values.push_back(v);
      }
      if (name == "patches") {
        g.patch_hashes = values;
      } else if (values.size() != 1) {
        return Fail(line, toks[i].col, "expected one hash in '" + std::string(t) + "'");
      } else if (name == "tree") {
        g.tree_hash = values[0];
        tree = true;
      } else {
        g.build_hash = values[0];
        build = true;
      }
    }
    if (!tree || !build) {
      return Fail(line, toks[1].col, "'guest kernel' needs tree=HASH and build=HASH");
    }
    return true;
  }

  // `task T on C: operation ...`: an operation of extra task T (numbered
  // from `cpus` on, as schedules name it), which starts on CPU C.
  bool TaskLine(int line, const std::vector<Token>& toks) {
    if (toks.size() < 5 || toks[2].text != "on") {
      return Fail(line, toks.size() > 2 ? toks[2].col : toks.back().col,
                  "expected 'task T on C: operation ...'");
    }
    std::int64_t task;
    if (!Int(line, toks[1], 0, kMaxTasks - 1, &task, "a task number")) return false;
    std::vector<Token> op_toks = {toks[0]};
    op_toks.insert(op_toks.end(), toks.begin() + 3, toks.end());
    if (!OpLine(line, op_toks)) return false;
    Placed p = ops_.back();
    ops_.pop_back();
    task_ops_.push_back({p, toks[1].col, static_cast<int>(task)});
    return true;
  }

  bool OpLine(int line, const std::vector<Token>& toks) {
    if (toks.size() < 3) {
      return Fail(line, toks.back().col + static_cast<int>(toks.back().text.size()),
                  "expected 'cpu N: operation ...'");
    }
    std::string_view num = toks[1].text;
    if (num.empty() || num.back() != ':') {
      return Fail(line, toks[1].col, "expected 'N:' (a CPU number and a colon), got '" +
                                         std::string(num) + "'");
    }
    std::int64_t cpu;
    if (!Int(line, Token{num.substr(0, num.size() - 1), toks[1].col}, 0, kMaxScenarioCpus - 1,
             &cpu, "a CPU number")) {
      return false;
    }
    if (++op_count_ > kMaxOps) return Fail(line, toks[0].col, "too many operations");
    Op op;
    std::string_view name = toks[2].text;
    std::map<std::string_view, Token> args;
    for (std::size_t i = 3; i < toks.size(); ++i) {
      std::size_t eq = toks[i].text.find('=');
      if (eq == std::string_view::npos || eq == 0 || eq + 1 == toks[i].text.size()) {
        return Fail(line, toks[i].col,
                    "expected key=value, got '" + std::string(toks[i].text) + "'");
      }
      std::string_view k = toks[i].text.substr(0, eq);
      if (args.count(k)) return Fail(line, toks[i].col, "'" + std::string(k) + "' given twice");
      args[k] = Token{toks[i].text.substr(eq + 1), toks[i].col + static_cast<int>(eq) + 1};
    }
    auto allowed = [&](std::initializer_list<std::string_view> keys) {
      for (const auto& [k, t] : args) {
        bool ok = false;
        for (auto a : keys) ok |= a == k;
        if (!ok) {
          return Fail(line, t.col - static_cast<int>(k.size()) - 1,
                      "'" + std::string(name) + "' takes no '" + std::string(k) + "'");
        }
      }
      return true;
    };
    auto required = [&](std::string_view k) -> const Token* {
      auto it = args.find(k);
      if (it == args.end()) {
        Fail(line, toks[2].col, "'" + std::string(name) + "' needs " + std::string(k) + "=");
        return nullptr;
      }
      return &it->second;
    };
    auto flag = [&](std::string_view k, bool* out) {
      auto it = args.find(k);
      if (it == args.end()) return true;
      if (it->second.text == "0") {
        *out = false;
      } else if (it->second.text == "1") {
        *out = true;
      } else {
        return Fail(line, it->second.col,
                    std::string(k) + "= takes 0 or 1, got '" + std::string(it->second.text) + "'");
      }
      return true;
    };
    // A CPU mask argument; absent and not `needed`: *out stays.
    auto mask = [&](std::string_view k, bool needed, std::uint64_t* out) {
      auto it = args.find(k);
      if (it == args.end()) return needed ? required(k) != nullptr : true;
      if (!ParseMask(it->second.text, out)) {
        return Fail(line, it->second.col, "expected a CPU mask (0x.., 0b.. or decimal), got '" +
                                              std::string(it->second.text) + "'");
      }
      return true;
    };
    std::int64_t v;
    // act=delay:K, act=rearm, act=nest:T: what the callback does.
    auto act = [&]() {
      auto it = args.find("act");
      if (it == args.end()) return true;
      const std::string_view text = it->second.text;
      const std::size_t colon = text.find(':');
      const std::string_view what = text.substr(0, colon);
      const bool has_arg = colon != std::string_view::npos;
      Token arg = it->second;
      if (has_arg) {
        arg.text = text.substr(colon + 1);
        arg.col += static_cast<int>(colon + 1);
      }
      if (what == "delay" && has_arg) {
        if (!Int(line, arg, 1, kMaxActDelay, &v, "a delay in steps")) return false;
        op.act = CallbackAct::kDelay;
        op.act_arg = static_cast<int>(v);
      } else if (what == "nest" && has_arg) {
        if (!Int(line, arg, -1000000, 1000000, &v, "a nested call's target CPU")) return false;
        op.act = CallbackAct::kNest;
        op.act_arg = static_cast<int>(v);
      } else if (what == "rearm" && !has_arg) {
        op.act = CallbackAct::kRearm;
      } else if (what == "complete" && !has_arg) {
        op.act = CallbackAct::kComplete;
      } else {
        return Fail(line, it->second.col,
                    "act= takes delay:STEPS, rearm, nest:CPU or complete, got '" +
                        std::string(text) + "'");
      }
      return true;
    };
    if (name == "call_single") {
      op.kind = OpKind::kCallSingle;
      if (!allowed({"target", "wait", "act"})) return false;
      const Token* t = required("target");
      if (t == nullptr || !Int(line, *t, -1000000, 1000000, &v, "a target CPU")) return false;
      op.target = static_cast<int>(v);
      if (!flag("wait", &op.wait)) return false;
      if (!act()) return false;
      if (op.act == CallbackAct::kRearm) {
        return Fail(line, args.find("act")->second.col,
                    "act=rearm queues the callback's own async csd: call_single has none");
      }
      if (op.act == CallbackAct::kComplete && op.wait) {
        return Fail(line, args.find("act")->second.col,
                    "act=complete waits for the callback itself: it needs wait=0");
      }
    } else if (name == "call_single_async") {
      op.kind = OpKind::kCallSingleAsync;
      if (!allowed({"target", "csd", "free", "act"})) return false;
      const Token* t = required("target");
      if (t == nullptr || !Int(line, *t, -1000000, 1000000, &v, "a target CPU")) return false;
      op.target = static_cast<int>(v);
      auto it = args.find("csd");
      if (it != args.end()) {
        if (!Int(line, it->second, 0, kMaxAsyncCsdSlots - 1, &v, "a csd number")) return false;
        op.csd = static_cast<int>(v);
      }
      if (!flag("free", &op.handler_frees)) return false;
      if (op.handler_frees && op.csd >= 0) {
        return Fail(line, args.find("free")->second.col,
                    "free=1 needs a fresh csd: csd " + std::to_string(op.csd) +
                        " is shared by its calls and outlives them");
      }
      if (!act()) return false;
      if (op.act == CallbackAct::kComplete) {
        return Fail(line, args.find("act")->second.col,
                    "act=complete is for call_single wait=0 (scftorture's SINGLE_RPC)");
      }
      if (op.act != CallbackAct::kNone && op.csd >= 0) {
        return Fail(line, args.find("act")->second.col,
                    "act= needs a fresh csd (no csd=): every call on csd " +
                        std::to_string(op.csd) + " is one request, whose callbacks would all act");
      }
      if (op.act == CallbackAct::kRearm && op.handler_frees) {
        return Fail(line, args.find("act")->second.col,
                    "act=rearm needs a fresh csd that the callback does not free (free=0)");
      }
    } else if (name == "call_many") {
      op.kind = OpKind::kCallMany;
      if (!allowed({"mask", "wait", "local", "cond"})) return false;
      if (!mask("mask", true, &op.mask)) return false;
      if (!flag("wait", &op.wait) || !flag("local", &op.local)) return false;
      if (!mask("cond", false, &op.cond)) return false;
      if (op.cond != kNoCond && !op.local) {
        return Fail(line, args.find("cond")->second.col,
                    "cond= is on_each_cpu_cond_mask()'s and needs local=1");
      }
    } else if (name == "call_function") {
      op.kind = OpKind::kCallFunction;
      if (!allowed({"wait"})) return false;
      if (!flag("wait", &op.wait)) return false;
    } else if (name == "call_any") {
      op.kind = OpKind::kCallAny;
      if (!allowed({"mask", "wait"})) return false;
      if (!mask("mask", true, &op.mask)) return false;
      if (!flag("wait", &op.wait)) return false;
    } else if (name == "irq_work_queue_on") {
      op.kind = OpKind::kIrqWorkQueueOn;
      if (!allowed({"target", "work"})) return false;
      const Token* t = required("target");
      if (t == nullptr || !Int(line, *t, -1000000, 1000000, &v, "a target CPU")) return false;
      op.target = static_cast<int>(v);
      const Token* w = required("work");
      if (w == nullptr || !Int(line, *w, 0, kMaxIrqWorks - 1, &v, "an irq_work number")) return false;
      op.csd = static_cast<int>(v);
    } else if (name == "ttwu_queue") {
      op.kind = OpKind::kTtwuQueue;
      if (!allowed({"target"})) return false;
      const Token* t = required("target");
      if (t == nullptr || !Int(line, *t, -1000000, 1000000, &v, "a target CPU")) return false;
      op.target = static_cast<int>(v);
    } else if (name == "flush") {
      op.kind = OpKind::kFlush;
      if (!allowed({})) return false;
    } else if (name == "irqs_off") {
      op.kind = OpKind::kIrqsOff;
      if (!allowed({"ms"})) return false;
      const Token* t = required("ms");
      if (t == nullptr || !Int(line, *t, 0, 600000, &v, "milliseconds")) return false;
      op.ms = static_cast<std::uint32_t>(v);
    } else if (name == "offline" || name == "online") {
      op.kind = name == "offline" ? OpKind::kCpuOffline : OpKind::kCpuOnline;
      if (!allowed({"target"})) return false;
      const Token* t = required("target");
      if (t == nullptr || !Int(line, *t, 0, kMaxScenarioCpus - 1, &v,
                               name == "offline" ? "a CPU to take down" : "a CPU to bring up")) {
        return false;
      }
      op.target = static_cast<int>(v);
      hotplug_.push_back({line, t->col, op.target, op});
    } else {
      return Fail(line, toks[2].col,
                  "unknown operation '" + std::string(name) +
                      "' (expected call_single, call_single_async, call_many, call_function, "
                      "call_any, irq_work_queue_on, ttwu_queue, flush, irqs_off, offline or "
                      "online)");
    }
    ops_.push_back({line, toks[1].col, static_cast<int>(cpu), op});
    return true;
  }

  // The words after `schedule`, taken one at a time (bounded memory: a step
  // costs its two bytes in the schedule, nothing else).
  bool ScheduleLine(int line, Words* words) {
    Token tok;
    while (words->Next(&tok)) {
      std::string_view t = tok.text;
      std::int64_t count = 1;
      std::size_t star = t.find('*');
      std::string_view head = t.substr(0, star);
      if (star != std::string_view::npos) {
        if (!Int(line, Token{t.substr(star + 1), tok.col + static_cast<int>(star) + 1}, 1,
                 static_cast<std::int64_t>(kMaxScheduleSteps), &count, "a repeat count")) {
          return false;
        }
      }
      bool ipi = !head.empty() && head.back() == 'i';
      if (ipi) head.remove_suffix(1);
      std::int64_t cpu;
      if (!ParseInt(head, 0, kMaxScenarioCpus - 1, &cpu)) {
        return Fail(line, tok.col,
                    "expected a schedule step (CPU, CPUi, CPU*N or CPUi*N), got '" +
                        std::string(t) + "'");
      }
      if (r_->schedule.size() + static_cast<std::size_t>(count) > kMaxScheduleSteps) {
        return Fail(line, tok.col, "schedule longer than " + std::to_string(kMaxScheduleSteps) + " steps");
      }
      // Finish() checks each CPU against `cpus` where it first appears.
      if (!step_seen_[cpu]) {
        step_seen_[cpu] = true;
        steps_.push_back({line, tok.col, static_cast<int>(cpu), Op{}});
      }
      r_->schedule.insert(r_->schedule.end(), static_cast<std::size_t>(count),
                          Choice{static_cast<std::uint8_t>(cpu), ipi});
    }
    return true;
  }

  bool ExpectLine(int line, const std::vector<Token>& toks) {
    if (toks.size() < 3) {
      return Fail(line, toks.back().col + static_cast<int>(toks.back().text.size()),
                  "expected 'expect VARIANT clean' or 'expect VARIANT SIGNATURE...'");
    }
    Expectation e;
    e.line = line;
    e.variant = FindVariant(toks[1].text);
    if (e.variant == nullptr) {
      return Fail(line, toks[1].col, "unknown variant '" + std::string(toks[1].text) +
                                         "' (known: " + VariantNames(true) + ")");
    }
    for (const Expectation& prev : r_->expectations) {
      if (prev.variant == e.variant) {
        return Fail(line, toks[1].col, "a second 'expect' for " + std::string(toks[1].text) +
                                           " (first on line " + std::to_string(prev.line) + ")");
      }
    }
    if (toks[2].text == "clean") {
      if (toks.size() > 3) return Fail(line, toks[3].col, "'clean' stands alone");
      e.clean = true;
    } else {
      for (std::size_t i = 2; i < toks.size(); ++i) {
        Signature s;
        if (!SignatureFromName(toks[i].text, &s)) {
          return Fail(line, toks[i].col, "unknown signature '" + std::string(toks[i].text) + "'");
        }
        e.signatures.push_back(s);
      }
    }
    r_->expectations.push_back(e);
    return true;
  }

  bool MinimalLine(int line, const std::vector<Token>& toks) {
    constexpr std::string_view kPreemptions = "preemptions=";
    if (toks.size() < 4) {
      return Fail(line, toks.back().col + static_cast<int>(toks.back().text.size()),
                  "expected 'minimal VARIANT SIGNATURE preemptions=N'");
    }
    if (toks.size() > 4) return Fail(line, toks[4].col, "unexpected '" + std::string(toks[4].text) + "'");
    MinimalClaim m;
    m.line = line;
    m.variant = FindVariant(toks[1].text);
    if (m.variant == nullptr) {
      return Fail(line, toks[1].col, "unknown variant '" + std::string(toks[1].text) +
                                         "' (known: " + VariantNames(true) + ")");
    }
    if (!SignatureFromName(toks[2].text, &m.signature)) {
      return Fail(line, toks[2].col, "unknown signature '" + std::string(toks[2].text) + "'");
    }
    std::string_view p = toks[3].text;
    std::int64_t n = 0;
    if (p.substr(0, kPreemptions.size()) != kPreemptions ||
        !ParseInt(p.substr(kPreemptions.size()), 0, 64, &n)) {
      return Fail(line, toks[3].col,
                  "expected preemptions=N (0..64), got '" + std::string(p) + "'");
    }
    m.preemptions = static_cast<std::uint32_t>(n);
    for (const MinimalClaim& prev : r_->minimal) {
      if (prev.variant == m.variant && prev.signature == m.signature) {
        return Fail(line, toks[1].col, "a second 'minimal' for " + std::string(toks[1].text) + " " +
                                           std::string(toks[2].text) + " (first on line " +
                                           std::to_string(prev.line) + ")");
      }
    }
    r_->minimal.push_back(m);
    return true;
  }

  bool Finish(int last_line) {
    if (!seen_header_) return Fail(1, 1, "empty reproducer (expected 'smpfuzz-repro 1')");
    if (!seen_cpus_) return Fail(last_line, 1, "no 'cpus' line");
    if (!seen_variant_) return Fail(last_line, 1, "no 'variant' line");
    if (!seen_debug_) return Fail(last_line, 1, "no 'csdlock_debug' line");
    const int n = r_->scenario.nr_cpus;
    r_->scenario.ops.assign(n, {});
    for (const Placed& p : ops_) {
      if (p.cpu >= n) {
        return Fail(p.line, p.col, "cpu " + std::to_string(p.cpu) + " but 'cpus " +
                                       std::to_string(n) + "' (line " + std::to_string(cpus_line_) + ")");
      }
      r_->scenario.ops[p.cpu].push_back(p.op);
    }
    r_->scenario.tasks.clear();
    for (const TaskPlaced& t : task_ops_) {
      const int k = t.task - n;
      const int have = static_cast<int>(r_->scenario.tasks.size());
      if (k < 0 || k > have) {
        return Fail(t.op.line, t.task_col,
                    "task " + std::to_string(t.task) + ": extra tasks are numbered from 'cpus " +
                        std::to_string(n) + "' on, in order (next: " + std::to_string(n + have) + ")");
      }
      if (t.op.cpu >= n) {
        return Fail(t.op.line, t.op.col, "cpu " + std::to_string(t.op.cpu) + " but 'cpus " +
                                             std::to_string(n) + "'");
      }
      if (k == have) r_->scenario.tasks.push_back({t.op.cpu, {}});
      TaskOps& task = r_->scenario.tasks[k];
      if (task.cpu != t.op.cpu) {
        return Fail(t.op.line, t.op.col, "task " + std::to_string(t.task) + " starts on cpu " +
                                             std::to_string(task.cpu) + " (an earlier line), not " +
                                             std::to_string(t.op.cpu));
      }
      task.ops.push_back(t.op.op);
    }
    for (const Placed& p : hotplug_) {
      if (p.cpu >= n) {
        return Fail(p.line, p.col, std::string(OpKindName(p.op.kind)) + " target=" +
                                       std::to_string(p.cpu) + " but 'cpus " + std::to_string(n) +
                                       "'");
      }
    }
    for (const Placed& p : offline_) {
      if (p.cpu >= n) return Fail(p.line, p.col, "offline cpu " + std::to_string(p.cpu) + " but 'cpus " + std::to_string(n) + "'");
      if (!r_->scenario.ops[p.cpu].empty()) {
        return Fail(p.line, p.col, "cpu " + std::to_string(p.cpu) + " is offline but has operations");
      }
    }
    const int nr_tasks = r_->scenario.nr_tasks();
    for (const Placed& p : steps_) {
      if (p.cpu >= nr_tasks && nr_tasks == n) {
        return Fail(p.line, p.col, "schedule names cpu " + std::to_string(p.cpu) + " but 'cpus " +
                                       std::to_string(n) + "'");
      }
      if (p.cpu >= nr_tasks) {
        return Fail(p.line, p.col, "schedule names task " + std::to_string(p.cpu) + " but there are " +
                                       std::to_string(nr_tasks) + " (CPUs and extra tasks)");
      }
    }
    if (absl::Status valid = r_->scenario.Validate(); !valid.ok()) {
      return Fail(cpus_line_, 1, std::string(valid.message()));
    }
    return true;
  }

  struct Placed {
    int line, col, cpu;
    Op op;
  };
  struct TaskPlaced {
    Placed op;
    int task_col, task;
  };
  std::string_view filename_;
  Repro* r_;
  std::string error_;
  bool seen_header_ = false, seen_cpus_ = false, seen_variant_ = false, seen_debug_ = false;
  bool seen_timeout_ = false, seen_max_steps_ = false, seen_ns_ = false, seen_stop_on_ = false;
  bool seen_offline_ = false, seen_guest_ = false;
  int cpus_line_ = 1;
  int op_count_ = 0;
  std::vector<Placed> ops_, offline_;
  std::vector<Placed> hotplug_;  // offline/online ops: their target against `cpus`
  std::vector<TaskPlaced> task_ops_;
  std::vector<Placed> steps_;  // each CPU's first step, in file order
  bool step_seen_[kMaxScenarioCpus] = {};
};

// " act=..." or nothing.
std::string FormatAct(const Op& op) {
  switch (op.act) {
    case CallbackAct::kNone: return "";
    case CallbackAct::kRearm: return " act=rearm";
    case CallbackAct::kComplete: return " act=complete";
    case CallbackAct::kDelay:
    case CallbackAct::kNest:
      return std::string(" act=") + CallbackActName(op.act) + ":" + std::to_string(op.act_arg);
  }
  return "";
}

std::string FormatOp(const Op& op) {
  switch (op.kind) {
    case OpKind::kCallSingle:
      return "call_single target=" + std::to_string(op.target) + " wait=" + (op.wait ? "1" : "0") +
             FormatAct(op);
    case OpKind::kCallSingleAsync:
      return "call_single_async target=" + std::to_string(op.target) +
             (op.csd >= 0 ? " csd=" + std::to_string(op.csd) : "") +
             (op.handler_frees ? " free=1" : "") + FormatAct(op);
    case OpKind::kCallMany:
      return "call_many mask=" + Hex(op.mask) + " wait=" + (op.wait ? "1" : "0") +
             " local=" + (op.local ? "1" : "0") +
             (op.cond != kNoCond ? " cond=" + Hex(op.cond) : "");
    case OpKind::kCallFunction:
      return std::string("call_function wait=") + (op.wait ? "1" : "0");
    case OpKind::kCallAny:
      return "call_any mask=" + Hex(op.mask) + " wait=" + (op.wait ? "1" : "0");
    case OpKind::kFlush:
      return "flush";
    case OpKind::kIrqsOff:
      return "irqs_off ms=" + std::to_string(op.ms);
    case OpKind::kCpuOffline:
      return "offline target=" + std::to_string(op.target);
    case OpKind::kCpuOnline:
      return "online target=" + std::to_string(op.target);
    case OpKind::kIrqWorkQueueOn:
      return "irq_work_queue_on target=" + std::to_string(op.target) +
             " work=" + std::to_string(op.csd);
    case OpKind::kTtwuQueue:
      return "ttwu_queue target=" + std::to_string(op.target);
  }
  return "?";
}

}  // namespace

bool Repro::operator==(const Repro& o) const {
  const Scenario& a = scenario;
  const Scenario& b = o.scenario;
  return a.nr_cpus == b.nr_cpus && a.variant == b.variant && a.csdlock_debug == b.csdlock_debug &&
         a.offline_mask == b.offline_mask && a.csd_lock_timeout_ms == b.csd_lock_timeout_ms &&
         a.ops == b.ops && a.tasks == b.tasks && schedule == o.schedule && expectations == o.expectations &&
         minimal == o.minimal &&
         max_steps == o.max_steps && ns_per_step == o.ns_per_step && stop_on == o.stop_on &&
         guest == o.guest;
}

absl::StatusOr<Repro> ParseRepro(std::string_view text, std::string_view filename) {
  Repro r;
  Parser p(filename, &r);
  if (!p.Parse(text)) return absl::InvalidArgumentError(p.error());
  return r;
}

std::string FormatSchedule(const Schedule& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t j = i;
    while (j < s.size() && s[j] == s[i]) ++j;
    if (!out.empty()) out += ' ';
    out += std::to_string(s[i].cpu);
    if (s[i].ipi) out += 'i';
    if (j - i > 1) out += "*" + std::to_string(j - i);
    i = j;
  }
  return out;
}

std::string FormatRepro(const Repro& r, const std::vector<std::string>& comment) {
  std::string out = "smpfuzz-repro 1\n";
  for (const std::string& c : comment) out += "# " + c + "\n";
  const Scenario& s = r.scenario;
  out += "cpus " + std::to_string(s.nr_cpus) + "\n";
  out += std::string("variant ") + (s.variant ? s.variant->name : "baseline") + "\n";
  out += std::string("csdlock_debug ") + (s.csdlock_debug ? "on" : "off") + "\n";
  if (r.guest.kernel) {
    out += "guest kernel tree=" + Hex16(r.guest.tree_hash) + " build=" + Hex16(r.guest.build_hash);
    for (std::size_t i = 0; i < r.guest.patch_hashes.size(); ++i) {
      out += (i == 0 ? " patches=" : ",") +
             Hex16(r.guest.patch_hashes[i]);
    }
    out += "\n";
  }
  if (s.csd_lock_timeout_ms != Scenario{}.csd_lock_timeout_ms) {
    out += "csd_lock_timeout_ms " + std::to_string(s.csd_lock_timeout_ms) + "\n";
  }
  if (s.offline_mask != 0) {
    out += "offline";
    for (int c = 0; c < 64; ++c) {
      if ((s.offline_mask >> c) & 1) out += " " + std::to_string(c);
    }
    out += "\n";
  }
  if (r.max_steps != Repro::kDefaultMaxSteps) out += "max_steps " + std::to_string(r.max_steps) + "\n";
  if (r.ns_per_step != Repro::kDefaultNsPerStep) {
    out += "ns_per_step " + std::to_string(r.ns_per_step) + "\n";
  }
  if (r.stop_on != Repro::kDefaultStopOn) {
    out += "stop_on";
    if (r.stop_on == 0) out += " none";
    for (int i = 0; i < kSignatureCount; ++i) {
      if ((r.stop_on >> i) & 1) out += std::string(" ") + SignatureName(static_cast<Signature>(i));
    }
    out += "\n";
  }
  for (int c = 0; c < static_cast<int>(s.ops.size()); ++c) {
    for (const Op& op : s.ops[c]) out += "cpu " + std::to_string(c) + ": " + FormatOp(op) + "\n";
  }
  for (int t = s.nr_cpus; t < s.nr_tasks(); ++t) {
    for (const Op& op : s.TaskOpList(t)) {
      out += "task " + std::to_string(t) + " on " + std::to_string(s.TaskHome(t)) + ": " +
             FormatOp(op) + "\n";
    }
  }
  // Schedules wrap at about 20 steps a line.
  std::string sched = FormatSchedule(r.schedule);
  std::size_t start = 0;
  int words = 0;
  std::string line;
  while (start < sched.size()) {
    std::size_t sp = sched.find(' ', start);
    std::string word = sched.substr(start, sp == std::string::npos ? std::string::npos : sp - start);
    line += (line.empty() ? "" : " ") + word;
    if (++words == 20) {
      out += "schedule " + line + "\n";
      line.clear();
      words = 0;
    }
    if (sp == std::string::npos) break;
    start = sp + 1;
  }
  if (!line.empty()) out += "schedule " + line + "\n";
  for (const Expectation& e : r.expectations) {
    out += std::string("expect ") + e.variant->name;
    if (e.clean) {
      out += " clean";
    } else {
      for (Signature sig : e.signatures) out += std::string(" ") + SignatureName(sig);
    }
    out += "\n";
  }
  for (const MinimalClaim& m : r.minimal) {
    out += std::string("minimal ") + m.variant->name + " " + SignatureName(m.signature) +
           " preemptions=" + std::to_string(m.preemptions) + "\n";
  }
  return out;
}

bool HasReproHeader(std::string_view data) {
  return data.substr(0, kReproHeader.size()) == kReproHeader;
}

std::string MissingHeaderMessage(std::string_view data) {
  if (data.substr(0, kBom.size()) == kBom) {
    return "a UTF-8 byte order mark before the header (a reproducer begins with "
           "'smpfuzz-repro 1': save it without the mark)";
  }
  int line_no = 0;
  for (std::size_t pos = 0; pos <= data.size();) {
    std::size_t nl = data.find('\n', pos);
    std::string_view line = data.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    ++line_no;
    Words words(line);
    Token t;
    if (words.Next(&t) && t.text == kReproHeader) {
      return "'smpfuzz-repro 1' must begin the file, found it at line " + std::to_string(line_no) +
             ", column " + std::to_string(t.col) + " (comments go after it)";
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  const std::size_t start = data.find_first_not_of(" \t\r\n");
  if (data.empty()) return "empty reproducer (expected 'smpfuzz-repro 1')";
  if (start == std::string_view::npos) return "only blank space (expected 'smpfuzz-repro 1')";
  if (data[start] == '#') return "expected 'smpfuzz-repro 1' at the start of the file, got a comment";
  std::string_view rest = data.substr(start);
  return "expected 'smpfuzz-repro 1' at the start of the file, got " +
         Quoted(rest.substr(0, rest.find_first_of(" \t\r\n#")));
}

namespace {

// Printable ASCII, tab, CR, LF and well-formed UTF-8: what people write.
bool IsText(std::string_view d) {
  for (std::size_t i = 0; i < d.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(d[i]);
    if (c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c < 0x7f)) continue;
    const std::size_t n = Utf8SequenceAt(d, i);
    if (n == 0) return false;
    i += n - 1;
  }
  return true;
}

}  // namespace

bool LooksLikeHeaderlessRepro(std::string_view data) {
  if (data.substr(0, kBom.size()) == kBom) return true;
  if (!IsText(data)) return false;
  const std::size_t start = data.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return false;
  if (data[start] == '#') return true;
  std::string_view rest = data.substr(start);
  const std::string_view word = rest.substr(0, rest.find_first_of(" \t\r\n#"));
  for (std::string_view fact : {kReproHeader, std::string_view("cpus"), std::string_view("variant"),
                                std::string_view("csdlock_debug"), std::string_view("csd_lock_timeout_ms"),
                                std::string_view("offline"), std::string_view("max_steps"),
                                std::string_view("ns_per_step"), std::string_view("stop_on"),
                                std::string_view("cpu"), std::string_view("schedule"),
                                std::string_view("expect")}) {
    if (word == fact) return true;
  }
  return false;
}

}  // namespace smpfuzz
