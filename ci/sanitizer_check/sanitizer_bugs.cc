// Deliberate bugs, one per sanitizer, to prove the sanitizer configs really instrument.
// Usage: sanitizer_bugs race|heap-overflow|int-overflow
// Built without the matching sanitizer each one runs to completion and exits 0.
#include <cstdio>
#include <cstring>
#include <limits>
#include <thread>

namespace {

int counter = 0;  // plain int: the race is on purpose

int Race() {
  auto bump = [] {
    for (int i = 0; i < 100000; ++i) ++counter;
  };
  std::thread a(bump), b(bump);
  a.join();
  b.join();
  std::printf("counter=%d\n", counter);
  return 0;
}

int HeapOverflow(int one) {
  char* buf = new char[8];
  std::memset(buf, 1, 8);
  // One byte past the end: caught by ASan, harmless in practice without it
  // (malloc never hands out chunks this small). The volatile pointer hides the
  // allocation's size from UBSan's object-size check, so ASan is what reports it.
  char* volatile hidden = buf;
  int v = hidden[7 + one];
  delete[] buf;
  std::printf("read %d\n", v);
  return 0;
}

int IntOverflow(int one) {
  volatile int big = std::numeric_limits<int>::max();
  int sum = big + one;  // signed overflow: caught by UBSan
  std::printf("sum=%d\n", sum);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s race|heap-overflow|int-overflow\n", argv[0]);
    return 2;
  }
  const int one = argc - 1;  // not a compile-time constant
  if (std::strcmp(argv[1], "race") == 0) return Race();
  if (std::strcmp(argv[1], "heap-overflow") == 0) return HeapOverflow(one);
  if (std::strcmp(argv[1], "int-overflow") == 0) return IntOverflow(one);
  std::fprintf(stderr, "unknown bug '%s'\n", argv[1]);
  return 2;
}
