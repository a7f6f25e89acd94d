#pragma once
// The names `Placement` may take in pulse.conf. The policies themselves are
// lobosq/placement/placement_policies' table (config/ knows no placement);
// the names live here so that every program that loads pulse.conf, `pulse
// --check` included, refuses a name lobosqd would not know. A unit test keeps
// the two lists the same.

#include <array>
#include <string_view>

namespace lobos {

// The first is the default.
inline constexpr std::array<std::string_view, 2> placement_policy_names_accepted{"topology", "first_fit"};

}  // namespace lobos
