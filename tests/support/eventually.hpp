#pragma once

#include <algorithm>
#include <chrono>
#include <thread>

namespace pbx::testing {

// The pauses between two polls: `first`, doubling up to `most`.
struct Backoff {
  std::chrono::milliseconds first{20};
  std::chrono::milliseconds most{250};
};

// Polls until `done` holds; false after `limit`. The pause between polls grows, so that a long
// wait does not hammer what it polls and a short one still returns soon after `done` holds.
template <typename Fn>
bool eventually(Fn&& done, std::chrono::milliseconds limit = std::chrono::seconds(15),
                Backoff backoff = {}) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  auto pause = backoff.first;
  while (!done()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    std::this_thread::sleep_for(
        std::min(pause, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)));
    pause = std::min(pause * 2, backoff.most);
  }
  return true;
}

}  // namespace pbx::testing
