#pragma once

// The forward-only call state machine fed by session updates (and by the CDR, through
// cloudonix::terminal_status). Statuses are the lower-cased Cloudonix session statuses.
//
// Rules:
//  - Statuses rank new (0) < processing (1) < ringing (2) < connected = answer (3) <
//    terminal (4): noanswer, busy, cancel, nocredit, error, congestion, failed, external,
//    completed. No status yet ("") ranks -1.
//  - An unknown status ranks like `processing`: it can move a brand-new call forward but
//    never moves a call back past ringing or later. Every status, known or not, is kept in
//    the history (session_events) whether or not it advanced the call.
//  - A call advances only to a strictly higher rank, so a late `ringing` after `connected`,
//    a repeated status, or `answer` after `connected` changes nothing.
//  - First terminal wins: once terminal, nothing changes the call's status again (a late
//    `completed` after `noanswer` is history only). Cloudonix sends one terminal status per
//    call; two different ones mean a reordered or replayed delivery, and the CDR, not the
//    session stream, is the record of how the call ended.
//
// The ranks are also stored in calls.status_rank so that a single SQL upsert can apply the
// same rule atomically: update the status only WHERE calls.status_rank < excluded.status_rank.

#include <string>
#include <string_view>

namespace pbx::cloudonix {

inline constexpr int kRankNone = -1;
inline constexpr int kRankTerminal = 4;

bool is_known_status(std::string_view status);
bool is_terminal(std::string_view status);
int status_rank(std::string_view status);

// The status an OPBX-style session update's `state` stands for, compared case-insensitively
// and ignoring spaces, '_' and '-' (as CDR dispositions are): a native status is itself
// ("No Answer" -> noanswer), `answered` -> connected, `cancelled` / `canceled` -> cancel.
// Anything else is kept lower-cased as sent, so that it is stored and ranks as unknown.
std::string status_from_state(std::string_view state);

// Whether a call whose current status is `current` ("" for none yet) moves to `incoming`.
bool advances(std::string_view current, std::string_view incoming);

// The public call state of the admin API for a status:
//   "" / new / processing / unknown -> "initiated"    ringing -> "ringing"
//   connected / answer -> "connected"                 completed -> "completed"
//   noanswer -> "no_answer"   busy -> "busy"          cancel -> "cancelled"
//   nocredit / error / congestion / failed -> "failed"   external -> "other"
std::string_view public_state(std::string_view status);

// Whether a public state is a live call (initiated, ringing, connected): /calls/active.
bool is_active_state(std::string_view state);

}  // namespace pbx::cloudonix
