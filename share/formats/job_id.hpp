#pragma once
// Job ids as LoBoS made them: username.yymmddhhmmss, the submission's local
// time. Two submissions in the same second get distinct ids because the
// second one finds its id taken and tries the next second (see the client).

#include <optional>
#include <string>
#include <string_view>

#include "share/formats/wall_clock.hpp"

namespace lobos {

// "alice.261123101500" for alice at 2026-11-23 10:15:00 local time.
std::string make_job_id(std::string_view user, WallTime when);

// True for user.yymmddhhmmss where user is a valid user name (letters,
// digits, '_', '-', '.', not starting with '-' or '.') of at most 32
// characters: what a spool file name or `lobosq can` argument must be.
bool is_job_id(std::string_view text);

// The user part of a valid id; nullopt otherwise.
std::optional<std::string> job_id_user(std::string_view id);

}  // namespace lobos
