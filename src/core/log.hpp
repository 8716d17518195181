#pragma once

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

namespace pbx::log {

// Sets the process-wide logger: text lines or one JSON object per line, on stdout.
void init(const std::string& level, const std::string& format);

// The formatter of either format ("text" or "json"). Both keep a message on its one line,
// whatever values from requests it holds: text escapes control characters, JSON as JSON does.
std::unique_ptr<spdlog::formatter> make_formatter(const std::string& format);

// Control characters written visibly: \n, \r and \t, other C0 controls and DEL as \xNN, and the
// C1 controls, U+2028 and U+2029 (line breaks to some readers) as \uNNNN. Anything else,
// invalid UTF-8 included, is left as it is.
std::string escape_controls(std::string_view text);

// The text with the value of every `token` query parameter it quotes ("?token=" or "&token=")
// replaced by "[redacted]": webhook URLs carry the tenant's webhook token, and no line that
// ever quotes one (a URL in an error, a request target) may show it. Both formats apply it to
// every message.
std::string redact(std::string_view text);

}  // namespace pbx::log
