#pragma once
// Text placed into HTML by the server. Job ids, user names, directories and
// log text come from users: any of them may hold `<script>`, so everything
// written into markup goes through here and shows as the text it is.

#include <string>
#include <string_view>

namespace lobos::web {

// & < > " ' as character references: safe in element content and in quoted
// attribute values alike.
std::string html_escape(std::string_view text);

}  // namespace lobos::web
