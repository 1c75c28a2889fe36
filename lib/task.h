// SPDX-License-Identifier: GPL-2.0-only
//
// Task<T>: the coroutine type every model function returns.
//
// The smp.c model is written as ordinary sequential code in which every
// shared-memory access is a `co_await`. Whoever runs the model decides what an
// await means: the deterministic simulator suspends there and lets its
// scheduler pick the next CPU; the real-thread platform completes the access
// on the spot. Task<T> itself knows nothing of either; it only chains callers
// and callees with symmetric transfer, so a nested call costs one frame and
// no stack switch.
//
// Contract:
//  - A Task starts suspended. Awaiting it runs it to completion (possibly
//    across many suspensions of its leaf) and yields its value.
//  - A root Task (never awaited) is started with start(); when it finishes,
//    control returns to whoever resumed it last and done() becomes true.
//  - Frames come from a per-thread size-class free list, so the simulator's
//    hot loop does not touch malloc after warm-up; FrameAllocator::Rewind
//    makes the addresses they get a function of what runs after it.
//  - Exceptions are not used by the model; an escaping one terminates.

#ifndef SMPFUZZ_LIB_TASK_H_
#define SMPFUZZ_LIB_TASK_H_

#include <algorithm>
#include <coroutine>
#include <cstddef>
#include <cstdlib>
#include <exception>
#include <utility>
#include <vector>

namespace smpfuzz {

// Per-thread recycling allocator for coroutine frames. Frames are rounded up
// to 64-byte classes; freed frames go back on their class's list.
class FrameAllocator {
 public:
  static void* Allocate(std::size_t size) {
    std::size_t cls = (size + kGranule - 1) / kGranule;
    if (cls >= kClasses) return ::operator new(size);
    FreeFrame*& head = free_lists_[cls];
    if (head != nullptr) {
      FreeFrame* f = head;
      head = f->next;
      return f;
    }
    void* fresh = ::operator new(cls * kGranule);
    ThreadPool().frames[cls].push_back(static_cast<FreeFrame*>(fresh));
    return fresh;
  }
  static void Release(void* p, std::size_t size) {
    std::size_t cls = (size + kGranule - 1) / kGranule;
    if (cls >= kClasses) {
      ::operator delete(p);
      return;
    }
    FreeFrame* f = static_cast<FreeFrame*>(p);
    f->next = free_lists_[cls];
    free_lists_[cls] = f;
  }

  // Gives this thread's free frames back to the heap. A process that runs
  // many unrelated simulations and wants each to take the same paths in
  // Allocate whatever ran before (the AFL++ harness: a miss in a run that
  // follows a smaller one is a "variable edge") calls it between runs; each
  // run then starts from empty lists.
  static void ReleaseFreeFrames() { ReleaseFreeFrames(ThreadPool()); }

  // Puts this thread's free frames back on their lists in the order the
  // frames were first taken from the heap, so that from here on the same
  // sequence of allocations and releases gets the same addresses, whatever
  // ran before. The explorer needs it: it compares the addresses a step
  // touched in one run with steps of later runs, and a wait=1 caller's csd
  // lives in a coroutine frame (lib/simulator.cc calls it before each run
  // that records StepEffects). Frames still in use keep their place.
  static void Rewind() {
    Pool& pool = ThreadPool();
    for (std::size_t cls = 0; cls < kClasses; ++cls) {
      std::vector<FreeFrame*> free;
      for (FreeFrame* f = free_lists_[cls]; f != nullptr; f = f->next) free.push_back(f);
      std::sort(free.begin(), free.end());
      FreeFrame* head = nullptr;
      const std::vector<FreeFrame*>& frames = pool.frames[cls];
      for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
        if (std::binary_search(free.begin(), free.end(), *it)) {
          (*it)->next = head;
          head = *it;
        }
      }
      free_lists_[cls] = head;
    }
  }
  // Frames on this thread's free lists (for tests).
  static std::size_t FreeFrameCount() {
    std::size_t n = 0;
    for (const FreeFrame* head : free_lists_) {
      for (const FreeFrame* f = head; f != nullptr; f = f->next) ++n;
    }
    return n;
  }

 private:
  struct FreeFrame {
    FreeFrame* next;
  };
  static constexpr std::size_t kGranule = 64;
  static constexpr std::size_t kClasses = 64;
  // A plain array, so the hot path needs no thread_local guard; the frames
  // on it are freed when the thread ends by the thread's Pool, which the
  // first fresh frame of a thread sets up (a worker thread running
  // simulations, e.g. hunt's triage, would otherwise leak them).
  static inline thread_local FreeFrame* free_lists_[kClasses] = {};

  // Every frame of this thread that came from the heap, per class, in the
  // order it came (Rewind's canonical order).
  struct Pool {
    std::vector<FreeFrame*> frames[kClasses];
    ~Pool() { ReleaseFreeFrames(*this); }
  };
  static Pool& ThreadPool() {
    static thread_local Pool pool;
    return pool;
  }

  static void ReleaseFreeFrames(Pool& pool) {
    for (std::size_t cls = 0; cls < kClasses; ++cls) {
      std::vector<FreeFrame*> freed;
      for (FreeFrame* head = free_lists_[cls]; head != nullptr;) {
        FreeFrame* f = head;
        head = f->next;
        freed.push_back(f);
      }
      free_lists_[cls] = nullptr;
      if (freed.empty()) continue;
      std::sort(freed.begin(), freed.end());
      std::erase_if(pool.frames[cls], [&](FreeFrame* f) {
        return std::binary_search(freed.begin(), freed.end(), f);
      });
      for (FreeFrame* f : freed) ::operator delete(f);
    }
  }
};

namespace task_internal {

struct PromiseBase {
  std::coroutine_handle<> continuation;

  std::suspend_always initial_suspend() noexcept { return {}; }

  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      std::coroutine_handle<> next = h.promise().continuation;
      return next ? next : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { std::terminate(); }

  static void* operator new(std::size_t n) { return FrameAllocator::Allocate(n); }
  static void operator delete(void* p, std::size_t n) { FrameAllocator::Release(p, n); }
};

}  // namespace task_internal

template <class T = void>
class Task;

namespace task_internal {

template <class T>
struct Promise : PromiseBase {
  T value{};
  Task<T> get_return_object();
  void return_value(T v) { value = std::move(v); }
};

template <>
struct Promise<void> : PromiseBase {
  Task<void> get_return_object();
  void return_void() {}
};

// Owns the coroutine; what Task<T> and Task<void> have in common.
template <class T>
class TaskHandle {
 public:
  TaskHandle(TaskHandle&& other) noexcept : h_(std::exchange(other.h_, {})) {}
  TaskHandle& operator=(TaskHandle&& other) noexcept {
    if (this != &other) {
      if (h_) h_.destroy();
      h_ = std::exchange(other.h_, {});
    }
    return *this;
  }
  ~TaskHandle() {
    if (h_) h_.destroy();
  }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> caller) noexcept {
    h_.promise().continuation = caller;
    return h_;
  }

  // Root use: run until the first suspension (or completion).
  void start() { h_.resume(); }
  bool done() const { return h_.done(); }
  bool valid() const { return static_cast<bool>(h_); }

 protected:
  TaskHandle() = default;
  explicit TaskHandle(std::coroutine_handle<Promise<T>> h) : h_(h) {}
  std::coroutine_handle<Promise<T>> h_;
};

}  // namespace task_internal

template <class T>
class [[nodiscard]] Task : public task_internal::TaskHandle<T> {
 public:
  using promise_type = task_internal::Promise<T>;
  Task() = default;
  explicit Task(std::coroutine_handle<promise_type> h) : task_internal::TaskHandle<T>(h) {}
  T await_resume() { return std::move(this->h_.promise().value); }
  T result() { return std::move(this->h_.promise().value); }
};

template <>
class [[nodiscard]] Task<void> : public task_internal::TaskHandle<void> {
 public:
  using promise_type = task_internal::Promise<void>;
  Task() = default;
  explicit Task(std::coroutine_handle<promise_type> h) : task_internal::TaskHandle<void>(h) {}
  void await_resume() {}
};

namespace task_internal {

template <class T>
Task<T> Promise<T>::get_return_object() {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}

}  // namespace task_internal

}  // namespace smpfuzz

#endif  // SMPFUZZ_LIB_TASK_H_
