#pragma once

#include <chrono>
#include <thread>

namespace pbx::testing {

// Polls until `done` holds; false after `limit`.
template <typename Fn>
bool eventually(Fn&& done, std::chrono::milliseconds limit = std::chrono::seconds(15)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace pbx::testing
