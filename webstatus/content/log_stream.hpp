#pragma once
// The pieces of the live log view that need no file or socket: how much of
// a read can go out without splitting a UTF-8 character, where a stream
// starts, and the events it sends. The browser's EventSource gets:
//   event: log      data: {"text": "..."}            id: the offset after it
//   event: skipped  data: {"bytes": N}               the start of a long log, left out
//   event: reset    data: {}                         the log was truncated or replaced
//   event: waiting  data: {"message": "..."}         no ID.log yet
//   event: end      data: {"state": "ended"}         the job ended and all its log was sent
//   event: error    data: {"message": "..."}         the log cannot be shown
// Pure.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lobos::web {

// A stream shows at most this much of what a log already holds when it starts ("tail -f").
inline constexpr std::size_t log_tail_bytes = 64 * 1024;
// ... and sends at most this much in one event.
inline constexpr std::size_t log_event_bytes = 64 * 1024;

// The length of the longest prefix of `bytes` that does not end inside a
// UTF-8 sequence (invalid bytes count as complete: they are sent and shown
// as U+FFFD).
std::size_t utf8_complete_length(std::string_view bytes);

// Where to start: the offset the client asked for (Last-Event-ID after a
// reconnection, or ?from=) when it is a number within the file; otherwise
// the last log_tail_bytes of it.
long long log_start_offset(std::optional<std::string_view> requested, long long size);

// "event: log" with the text as JSON and the offset after it as the event's id.
std::string log_text_event(std::string_view text, long long offset_after);
// Any other event, with a message as {"message": ...} (or `json` as it is when given).
std::string log_notice_event(std::string_view event, std::string_view json);
std::string log_message_json(std::string_view message);

}  // namespace lobos::web
