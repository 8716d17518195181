#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace pbx::log {

// Sets the process-wide logger: text lines or one JSON object per line, on stdout.
void init(const std::string& level, const std::string& format);

}  // namespace pbx::log
