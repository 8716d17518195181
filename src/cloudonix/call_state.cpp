#include "cloudonix/call_state.hpp"

#include "core/text.hpp"

#include <array>

namespace pbx::cloudonix {

namespace {

struct StatusInfo {
  std::string_view status;
  int rank;
  std::string_view state;
};

constexpr std::array<StatusInfo, 14> kStatuses{{
    {"new", 0, "initiated"},
    {"processing", 1, "initiated"},
    {"ringing", 2, "ringing"},
    {"connected", 3, "connected"},
    {"answer", 3, "connected"},
    {"noanswer", kRankTerminal, "no_answer"},
    {"busy", kRankTerminal, "busy"},
    {"cancel", kRankTerminal, "cancelled"},
    {"nocredit", kRankTerminal, "failed"},
    {"error", kRankTerminal, "failed"},
    {"congestion", kRankTerminal, "failed"},
    {"failed", kRankTerminal, "failed"},
    {"external", kRankTerminal, "other"},
    {"completed", kRankTerminal, "completed"},
}};

constexpr int kUnknownRank = 1;  // the rank of `processing`

const StatusInfo* find(std::string_view status) {
  for (const auto& info : kStatuses) {
    if (info.status == status) return &info;
  }
  return nullptr;
}

}  // namespace

std::string status_from_state(std::string_view state) {
  auto lower = text::to_lower(state);
  std::string key;
  for (char c : lower) {
    if (c != ' ' && c != '_' && c != '-' && c != '\t') key.push_back(c);
  }
  if (key == "answered") return "connected";
  if (key == "cancelled" || key == "canceled") return "cancel";
  if (find(key) != nullptr) return key;
  return lower;
}

bool is_known_status(std::string_view status) { return find(status) != nullptr; }

bool is_terminal(std::string_view status) { return status_rank(status) == kRankTerminal; }

int status_rank(std::string_view status) {
  if (status.empty()) return kRankNone;
  const auto* info = find(status);
  return info ? info->rank : kUnknownRank;
}

bool advances(std::string_view current, std::string_view incoming) {
  return status_rank(incoming) > status_rank(current);
}

std::string_view public_state(std::string_view status) {
  const auto* info = find(status);
  return info ? info->state : "initiated";
}

bool is_active_state(std::string_view state) {
  return state == "initiated" || state == "ringing" || state == "connected";
}

}  // namespace pbx::cloudonix
