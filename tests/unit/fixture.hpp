#pragma once

// The sample Cloudonix payloads of tests/fixtures/, as text, for the unit tests (which link no
// test support library).

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

namespace pbx::test {

inline std::string fixture_text(const std::string& name) {
  std::ifstream in(std::string(PBX_FIXTURES_DIR) + "/" + name);
  EXPECT_TRUE(in) << name;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace pbx::test
