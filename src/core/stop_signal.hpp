#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace pbx {

// Lets a background thread pause between rounds of work and wake at once when told to stop.
class StopSignal {
 public:
  // Waits `d`, or less once stop() is called; false once stopping.
  template <typename Rep, typename Period>
  bool wait(std::chrono::duration<Rep, Period> d) {
    std::unique_lock lock(mutex_);
    return !cv_.wait_for(lock, d, [this] { return stopping_; });
  }
  bool stopping() {
    std::lock_guard lock(mutex_);
    return stopping_;
  }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

}  // namespace pbx
