// SPDX-License-Identifier: GPL-2.0-only
//
// A deterministic fuzzing smoke run for `bazel test`: mutates the seed inputs
// named on the command line with a fixed seed, feeds each mutant to
// LLVMFuzzerTestOneInput, and (like libFuzzer) uses LLVMFuzzerCustomMutator
// when the harness defines one. It has no coverage feedback: it shows that a
// harness survives many malformed inputs in every build config (asan, tsan
// included) in seconds, not that it searches well.
//
//   smoke_main [--runs=N] [--seed=S] [--max_len=L] SEED_FILE_OR_DIR...
//
// A finding aborts inside the harness, which fails the test.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);
extern "C" __attribute__((weak)) std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data,
                                                                     std::size_t size,
                                                                     std::size_t max_size,
                                                                     unsigned int seed);

namespace {

namespace fs = std::filesystem;

bool Flag(const char* arg, const char* name, std::uint64_t* out) {
  std::size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0) return false;
  char* end = nullptr;
  unsigned long long v = std::strtoull(arg + n, &end, 10);
  if (end == arg + n || *end != '\0') {
    std::fprintf(stderr, "smoke_main: %s: expected a number, got '%s'\n", name, arg + n);
    std::exit(2);
  }
  *out = v;
  return true;
}

void AddSeed(const fs::path& p, std::vector<std::vector<std::uint8_t>>* seeds) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "smoke_main: cannot read %s\n", p.c_str());
    std::exit(2);
  }
  seeds->emplace_back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A few of libFuzzer's mutations, enough to break any format.
void Mutate(std::vector<std::uint8_t>& d, std::mt19937_64& rng,
            const std::vector<std::vector<std::uint8_t>>& seeds, std::size_t max_len) {
  int rounds = 1 + static_cast<int>(rng() % 4);
  for (int r = 0; r < rounds; ++r) {
    switch (rng() % 7) {
      case 0:
        if (!d.empty()) d[rng() % d.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        break;
      case 1:
        if (!d.empty()) d[rng() % d.size()] = static_cast<std::uint8_t>(rng());
        break;
      case 2:
        if (d.size() < max_len) d.insert(d.begin() + (d.empty() ? 0 : rng() % d.size()), static_cast<std::uint8_t>(rng()));
        break;
      case 3:
        if (!d.empty()) d.erase(d.begin() + rng() % d.size());
        break;
      case 4:
        if (!d.empty()) d.resize(rng() % d.size());
        break;
      case 5: {  // copy a chunk of itself elsewhere
        if (d.size() < 2) break;
        std::size_t from = rng() % d.size(), len = 1 + rng() % std::min<std::size_t>(16, d.size() - from);
        std::vector<std::uint8_t> chunk(d.begin() + from, d.begin() + from + len);
        d.insert(d.begin() + rng() % d.size(), chunk.begin(), chunk.end());
        break;
      }
      default: {  // splice with another seed
        const auto& other = seeds[rng() % seeds.size()];
        if (other.empty()) break;
        std::size_t cut = d.empty() ? 0 : rng() % d.size();
        std::size_t from = rng() % other.size();
        d.resize(cut);
        d.insert(d.end(), other.begin() + from, other.end());
        break;
      }
    }
    if (d.size() > max_len) d.resize(max_len);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::uint64_t runs = 10000, seed = 1, max_len = 4096;
  std::vector<std::vector<std::uint8_t>> seeds;
  for (int i = 1; i < argc; ++i) {
    if (Flag(argv[i], "--runs=", &runs) || Flag(argv[i], "--seed=", &seed) ||
        Flag(argv[i], "--max_len=", &max_len)) {
      continue;
    }
    if (argv[i][0] == '-') {
      std::fprintf(stderr, "smoke_main: unknown flag %s\n", argv[i]);
      return 2;
    }
    fs::path p(argv[i]);
    if (fs::is_directory(p)) {
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(p)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) AddSeed(f, &seeds);
    } else {
      AddSeed(p, &seeds);
    }
  }
  if (seeds.empty()) seeds.emplace_back();
  for (const auto& s : seeds) LLVMFuzzerTestOneInput(s.data(), s.size());
  std::mt19937_64 rng(seed);
  for (std::uint64_t i = 0; i < runs; ++i) {
    std::vector<std::uint8_t> d = seeds[rng() % seeds.size()];
    if (LLVMFuzzerCustomMutator != nullptr && rng() % 2 == 0) {
      std::size_t size = std::min<std::size_t>(d.size(), max_len);
      d.resize(max_len);
      std::size_t n = LLVMFuzzerCustomMutator(d.data(), size, max_len, static_cast<unsigned>(rng()));
      d.resize(std::min<std::size_t>(n, max_len));
    } else {
      Mutate(d, rng, seeds, max_len);
    }
    LLVMFuzzerTestOneInput(d.data(), d.size());
  }
  std::printf("smoke_main: %llu mutated inputs from %zu seeds, no finding\n",
              static_cast<unsigned long long>(runs), seeds.size());
  return 0;
}
