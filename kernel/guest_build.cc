// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/guest_build.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "kernel/embed/embedded.h"
#include "lib/hash.h"
#include "lib/hex.h"

extern char** environ;

namespace smpfuzz::kernel_build {
namespace {

namespace fs = std::filesystem;

// The guest's flags (kernel/defs.bzl GUEST_FLAGS).
const char* const kGuestFlags[] = {
#include "kernel/guest_flags.inc"
};

// The tree's files the guest compiles (kernel/defs.bzl TREE_FILES, which
// Bazel's builds extract too), and its Makefile for the version: a tree may
// lack some headers (6.1 has no string_choices.h), not these two.
const char* const kTreeFiles[] = {
#include "kernel/tree_files.inc"
    "Makefile",
};
const char* const kRequired[] = {"kernel/smp.c", "lib/llist.c"};

// Bumped when what a build does changes in a way its inputs do not show.
constexpr std::uint64_t kBuildFormat = 1;

std::optional<std::string> ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

absl::Status WriteFile(const fs::path& p, std::string_view data) {
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", p.string()));
  return absl::OkStatus();
}

std::uint64_t Mix(std::uint64_t h, std::string_view bytes) {
  return FnvMixWord(FnvMixWord(h, bytes.size()), Fnv1a(bytes));
}

// A program run to its end, its output (both streams) into `log`.
struct Run {
  pid_t pid = -1;
  std::string log;
};

absl::StatusOr<Run> Spawn(const std::vector<std::string>& argv, const std::string& cwd,
                          const std::string& log) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  Run r;
  r.log = log;
  int err = posix_spawnp(&r.pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (err != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot run ", argv[0], ": ", std::strerror(err)));
  }
  return r;
}

// Its exit code (128 + signal when killed).
int Wait(const Run& r) {
  int status = 0;
  while (waitpid(r.pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

// The first line of `log` that says why (an "error:" line, else the first).
std::string FirstError(const std::string& log) {
  std::string text = ReadFile(log).value_or("");
  std::string first;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty()) continue;
    if (first.empty()) first = std::string(line);
    if (absl::StrContains(line, "error:") || absl::StrContains(line, "FAILED") ||
        absl::StrContains(line, "can't find file") || absl::StrContains(line, "malformed")) {
      return std::string(line);
    }
  }
  return first.empty() ? "(no output)" : first;
}

// Where a program is: the first $PATH entry that has it.
std::string OnPath(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path ? path : "/usr/bin:/bin", ':')) {
    std::string p = absl::StrCat(dir.empty() ? "." : dir, "/", program);
    if (access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

std::string Clang() {
  const char* c = std::getenv("SMPFUZZ_CLANG");
  return c != nullptr && *c != '\0' ? c : "clang";
}

// What identifies the compiler without running it: its path, size and time.
absl::StatusOr<std::string> CompilerId() {
  const std::string path = OnPath(Clang());
  struct stat st;
  if (path.empty() || stat(path.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "kernel guest: the compiler '", Clang(),
        "' is not on PATH (ci/setup.sh installs clang; SMPFUZZ_CLANG names another)"));
  }
  return absl::StrCat(path, ":", st.st_size, ":", st.st_mtime);
}

// The paths a patch touches (its "--- a/X" and "+++ b/X" lines, -p1).
std::vector<std::string> TouchedFiles(const std::string& patch) {
  std::vector<std::string> out;
  for (absl::string_view line : absl::StrSplit(patch, '\n')) {
    if (!absl::ConsumePrefix(&line, "+++ ") && !absl::ConsumePrefix(&line, "--- ")) continue;
    line = line.substr(0, line.find('\t'));
    line = absl::StripTrailingAsciiWhitespace(line);
    if (line == "/dev/null") continue;
    const std::size_t slash = line.find('/');
    if (slash == absl::string_view::npos) continue;
    std::string p(line.substr(slash + 1));
    if (!p.empty() && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  }
  return out;
}

bool IsTarball(const std::string& tree) {
  return absl::EndsWith(tree, ".tar.xz") || absl::EndsWith(tree, ".tar.gz") ||
         absl::EndsWith(tree, ".tar") || absl::EndsWith(tree, ".tar.bz2");
}

// The tree's files by path. A directory is read in place; a tarball is
// extracted once into the cache (extracting is the slow part) and read there.
class Tree {
 public:
  static absl::StatusOr<Tree> Open(const std::string& name, const std::string& cache_dir) {
    Tree t;
    t.name_ = name;
    struct stat st;
    if (stat(name.c_str(), &st) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": no such kernel tree", name == kDefaultTree
                                                          ? " (run ci/setup.sh: Debian package "
                                                            "linux-source-6.12)"
                                                          : ""));
    }
    if (S_ISDIR(st.st_mode)) {
      t.root_ = name;
      return t;
    }
    if (!IsTarball(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": not a kernel tree (a directory or a .tar.xz of one)"));
    }
    t.tarball_ = true;
    std::uint64_t key = Mix(Mix(kFnvOffsetBasis, fs::absolute(name).string()),
                            absl::StrCat(st.st_size, ":", st.st_mtime));
    t.root_ = fs::path(cache_dir) / "trees" / Hex16(key);
    return t;
  }

  // Makes sure `paths` are there (extracting the missing ones of a tarball);
  // a path the tree does not have stays missing.
  absl::Status Fetch(const std::vector<std::string>& paths, std::FILE* log) {
    if (!tarball_) return absl::OkStatus();
    std::vector<std::string> missing;
    for (const std::string& p : paths) {
      if (!fs::exists(root_ / p) && !fs::exists(root_ / (p + ".absent"))) missing.push_back(p);
    }
    if (missing.empty()) return absl::OkStatus();
    std::error_code ec;
    fs::create_directories(root_, ec);
    if (log != nullptr) {
      std::fprintf(log, "kernel guest: extracting %zu file(s) from %s (once; cached)\n",
                   missing.size(), name_.c_str());
      std::fflush(log);
    }
    std::vector<std::string> argv = {"tar", "-xf", name_, "-C", root_.string(),
                                     "--strip-components=1", "--wildcards",
                                     "--no-wildcards-match-slash"};
    for (const std::string& p : missing) argv.push_back("*/" + p);
    absl::StatusOr<Run> run = Spawn(argv, "", (root_ / "tar.log").string());
    if (!run.ok()) return run.status();
    const int code = Wait(*run);
    // tar fails for a member the tarball lacks, and extracts the others.
    for (const std::string& p : missing) {
      if (!fs::exists(root_ / p)) {
        if (code != 0 && code != 2) {
          return absl::InvalidArgumentError(
              absl::StrCat(name_, ": cannot extract: ", FirstError(run->log)));
        }
        (void)WriteFile(root_ / (p + ".absent"), "");
      }
    }
    return absl::OkStatus();
  }

  std::optional<std::string> Read(const std::string& path) const { return ReadFile(root_ / path); }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  fs::path root_;
  bool tarball_ = false;
};

std::optional<std::string_view> Embedded(std::string_view path) {
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    if (f.path == path) return f.contents;
  }
  return std::nullopt;
}

// "6.12.117" from the top of a tree's Makefile.
std::string MakefileVersion(const std::string& makefile) {
  std::map<std::string, std::string> v;
  int lines = 0;
  for (absl::string_view line : absl::StrSplit(makefile, '\n')) {
    if (++lines > 20) break;
    for (const char* key : {"VERSION", "PATCHLEVEL", "SUBLEVEL"}) {
      absl::string_view rest = line;
      if (absl::ConsumePrefix(&rest, key) && absl::ConsumePrefix(&rest, " = ")) {
        v[key] = std::string(absl::StripAsciiWhitespace(rest));
      }
    }
  }
  if (v["VERSION"].empty()) return "";
  std::string out = v["VERSION"] + "." + v["PATCHLEVEL"];
  if (!v["SUBLEVEL"].empty()) out += "." + v["SUBLEVEL"];
  return out;
}

struct Patch {
  PatchId id;
  std::string contents;
};

absl::StatusOr<std::vector<Patch>> ReadPatches(const GuestSpec& spec) {
  std::vector<Patch> out;
  for (const std::string& name : spec.builtin_patches) {
    std::optional<std::string_view> p = Embedded("patches/" + name);
    if (!p) return absl::InternalError(absl::StrCat("no builtin patch ", name));
    out.push_back({{"builtin:" + name, Fnv1a(*p)}, std::string(*p)});
  }
  for (const std::string& name : spec.patches) {
    std::optional<std::string> p = ReadFile(name);
    if (!p) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": cannot read patch: ", std::strerror(errno)));
    }
    if (TouchedFiles(*p).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": not a patch (no '--- a/FILE' / '+++ b/FILE' lines)"));
    }
    out.push_back({{name, Fnv1a(*p)}, std::move(*p)});
  }
  return out;
}

}  // namespace

std::string GuestBuild::Describe() const {
  std::string out = "linux";
  if (!tree_version.empty()) absl::StrAppend(&out, " ", tree_version);
  absl::StrAppend(&out, " (", tree, ", content ", Hex16(tree_hash), ")");
  for (const PatchId& p : patches) absl::StrAppend(&out, " + ", p.name);
  return out;
}

absl::StatusOr<std::vector<std::string>> VariantPatches(const std::string& variant) {
  if (variant == "baseline") return std::vector<std::string>{};
  if (variant == "b0473dcd") return std::vector<std::string>{"b0473dcd.patch"};
  if (variant == "fixed") return std::vector<std::string>{"b0473dcd.patch", "fixed.patch"};
  // The mutants written as patches (on top of the fix): one whose bug needs
  // two tasks on one CPU, one in smp_call_function_any(), one in the flush,
  // one in the hotplug teardown, one in the flush's TTWU pass.
  if (variant == "mutant-put-cpu-early" || variant == "mutant-any-offline-cpu" ||
      variant == "mutant-async-unlock-after-call" || variant == "mutant-no-dying-flush" ||
      variant == "mutant-ttwu-dropped") {
    return std::vector<std::string>{"b0473dcd.patch", "fixed.patch", variant + ".patch"};
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "variant ", variant,
      " is the model's only: the kernel guest has baseline, b0473dcd, fixed, "
      "mutant-put-cpu-early, mutant-any-offline-cpu, mutant-async-unlock-after-call, "
      "mutant-no-dying-flush and mutant-ttwu-dropped (kernel/patches/), or any tree and "
      "patch (--kernel, --patch)"));
}

std::string_view BuiltinPatch(std::string_view name) {
  return Embedded("patches/" + std::string(name)).value_or(std::string_view());
}

std::string CacheDir() {
  if (const char* d = std::getenv("SMPFUZZ_CACHE_DIR"); d != nullptr && *d != '\0') return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d != nullptr && *d != '\0') {
    return absl::StrCat(d, "/smpfuzz");
  }
  const char* home = std::getenv("HOME");
  return absl::StrCat(home != nullptr && *home != '\0' ? home : "/tmp", "/.cache/smpfuzz");
}

absl::StatusOr<GuestBuild> BuildGuest(const GuestSpec& spec, const std::string& cache_dir,
                                      std::FILE* log) {
  GuestBuild b;
  b.tree = spec.tree.empty() ? kDefaultTree : spec.tree;
  absl::StatusOr<std::vector<Patch>> patches = ReadPatches(spec);
  if (!patches.ok()) return patches.status();
  absl::StatusOr<Tree> tree = Tree::Open(b.tree, cache_dir);
  if (!tree.ok()) return tree.status();

  // The tree's files: the guest's, and what the patches touch.
  std::vector<std::string> wanted(std::begin(kTreeFiles), std::end(kTreeFiles));
  std::vector<std::string> guest_files = wanted;
  for (const Patch& p : *patches) {
    for (const std::string& f : TouchedFiles(p.contents)) {
      if (std::find(wanted.begin(), wanted.end(), f) == wanted.end()) wanted.push_back(f);
    }
  }
  if (absl::Status s = tree->Fetch(wanted, log); !s.ok()) return s;
  std::map<std::string, std::string> files;
  for (const std::string& f : wanted) {
    if (std::optional<std::string> c = tree->Read(f)) files[f] = std::move(*c);
  }
  for (const char* f : kRequired) {
    if (!files.count(f)) {
      return absl::InvalidArgumentError(
          absl::StrCat(b.tree, ": not a kernel tree (no ", f, ")"));
    }
  }
  if (files.count("Makefile")) b.tree_version = MakefileVersion(files["Makefile"]);

  // The content hash: the tree's guest files, the patches, the shim and glue,
  // the flags, the compiler.
  b.tree_hash = kFnvOffsetBasis;
  for (const std::string& f : guest_files) {
    if (f == "Makefile" || !files.count(f)) continue;
    b.tree_hash = Mix(Mix(b.tree_hash, f), files[f]);
  }
  absl::StatusOr<std::string> compiler = CompilerId();
  if (!compiler.ok()) return compiler.status();
  std::uint64_t h = Mix(FnvMixWord(kFnvOffsetBasis, kBuildFormat), *compiler);
  h = FnvMixWord(h, b.tree_hash);
  for (const Patch& p : *patches) {
    b.patches.push_back(p.id);
    h = Mix(h, p.contents);
    // A file a patch touches beyond the guest's is part of its result.
    for (const std::string& f : TouchedFiles(p.contents)) {
      auto it = files.find(f);
      h = Mix(Mix(h, f), it == files.end() ? "" : it->second);
    }
  }
  for (const EmbeddedFile& f : EmbeddedFiles()) h = Mix(Mix(h, f.path), f.contents);
  for (const char* flag : kGuestFlags) h = Mix(h, flag);
  h = Mix(h, spec.label);
  b.build_hash = h;

  const fs::path guests = fs::path(cache_dir) / "guests";
  const fs::path final_dir = guests / Hex16(h);
  b.so_path = (final_dir / "guest.so").string();
  if (fs::exists(b.so_path)) {
    b.cached = true;
    return b;
  }

  // A private work directory, renamed into place when the build is whole.
  std::error_code ec;
  fs::create_directories(guests, ec);
  const fs::path work =
      guests / absl::StrCat("tmp-", getpid(), "-",
                            std::chrono::steady_clock::now().time_since_epoch().count());
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code e;
      if (!dir.empty()) fs::remove_all(dir, e);
    }
  } cleanup{work};
  const fs::path src = work / "tree";
  for (const auto& [path, contents] : files) {
    if (absl::Status s = WriteFile(src / path, contents); !s.ok()) return s;
  }
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    if (absl::Status s = WriteFile(work / "kernel" / std::string(f.path), f.contents); !s.ok()) {
      return s;
    }
  }
  for (std::size_t i = 0; i < patches->size(); ++i) {
    const Patch& p = (*patches)[i];
    const fs::path file = work / absl::StrCat("patch-", i);
    if (absl::Status s = WriteFile(file, p.contents); !s.ok()) return s;
    for (bool dry : {true, false}) {
      std::vector<std::string> argv = {"patch", "-p1", "--forward", "--batch", "-s",
                                       "--no-backup-if-mismatch", "-r", "-", "-d", src.string(),
                                       "-i", file.string()};
      if (dry) argv.push_back("--dry-run");
      absl::StatusOr<Run> run = Spawn(argv, "", (work / "patch.log").string());
      if (!run.ok()) return run.status();
      if (Wait(*run) != 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            p.id.name, ": does not apply to ", b.tree, ": ", FirstError(run->log)));
      }
    }
  }
  std::optional<std::string> smp = ReadFile(src / "kernel/smp.c");
  std::optional<std::string_view> glue = Embedded("runtime/smp_glue.inc");
  if (!smp || !glue) return absl::InternalError("kernel guest: lost kernel/smp.c or the glue");
  if (absl::Status s = WriteFile(src / "kernel/smpfuzz_unit.c",
                                 "#line 1 \"kernel/smp.c\"\n" + *smp +
                                     "#line 1 \"kernel/runtime/smp_glue.inc\"\n" +
                                     std::string(*glue));
      !s.ok()) {
    return s;
  }

  const std::string shim = (work / "kernel/shim").string();
  auto compile = [&](const std::string& file, const std::string& object) {
    std::vector<std::string> argv = {Clang()};
    for (const char* flag : kGuestFlags) argv.push_back(flag);
    // -iquote: smp.c's "sched/smp.h" is the tree's (kernel/defs.bzl).
    for (std::string a : std::vector<std::string>{
             "-fPIC", "-I" + shim, "-include", shim + "/smpfuzz_prelude.h",
             "-I" + (src / "include").string(), "-iquote", (src / "kernel").string()}) {
      argv.push_back(a);
    }
    if (files.count("include/linux/kconfig.h")) {
      argv.push_back("-include");
      argv.push_back((src / "include/linux/kconfig.h").string());
    }
    argv.push_back("-DSMPFUZZ_VARIANT=\"" + spec.label + "\"");
    argv.push_back("-c");
    argv.push_back(file);
    argv.push_back("-o");
    argv.push_back((work / object).string());
    return Spawn(argv, src.string(), (work / (object + ".log")).string());
  };
  if (log != nullptr) {
    std::fprintf(log, "kernel guest: building %s with %s (once; cached)\n", b.Describe().c_str(),
                 Clang().c_str());
    std::fflush(log);
  }
  absl::StatusOr<Run> smp_run = compile("kernel/smpfuzz_unit.c", "smp.o");
  if (!smp_run.ok()) return smp_run.status();
  absl::StatusOr<Run> llist_run = compile("lib/llist.c", "llist.o");
  const int smp_code = Wait(*smp_run);
  if (!llist_run.ok()) return llist_run.status();
  const int llist_code = Wait(*llist_run);
  absl::StatusOr<Run> core_run = compile(shim + "/sched_core.c", "sched_core.o");
  if (!core_run.ok()) return core_run.status();
  if (Wait(*core_run) != 0) {
    return absl::InternalError(absl::StrCat(b.Describe(), ": the shim's sched_core.c does not compile: ",
                                            FirstError(core_run->log)));
  }
  if (smp_code != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(b.Describe(), ": kernel/smp.c does not compile: ", FirstError(smp_run->log)));
  }
  if (llist_code != 0) {
    return absl::InvalidArgumentError(absl::StrCat(b.Describe(), ": lib/llist.c does not compile: ",
                                                   FirstError(llist_run->log)));
  }
  absl::StatusOr<Run> link =
      Spawn({Clang(), "-shared", "-Wl,-Bsymbolic", "-o", (work / "guest.so").string(),
             (work / "smp.o").string(), (work / "llist.o").string(),
             (work / "sched_core.o").string()},
            "", (work / "link.log").string());
  if (!link.ok()) return link.status();
  if (Wait(*link) != 0) {
    return absl::InternalError(
        absl::StrCat(b.Describe(), ": linking the guest failed: ", FirstError(link->log)));
  }
  (void)WriteFile(work / "BUILD-INFO", b.Describe() + "\n");
  // Keeps the patched tree (traces name its lines); drops the objects.
  fs::remove(work / "smp.o", ec);
  fs::remove(work / "llist.o", ec);
  fs::remove(work / "sched_core.o", ec);
  fs::rename(work, final_dir, ec);
  if (ec && !fs::exists(b.so_path)) {
    return absl::UnavailableError(
        absl::StrCat("kernel guest: cannot move the build into ", final_dir.string(), ": ",
                     ec.message()));
  }
  if (!ec) cleanup.dir.clear();
  return b;
}

}  // namespace smpfuzz::kernel_build
