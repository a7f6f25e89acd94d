#pragma once
// The one way the project includes Boost.Asio. Boost 1.74's Asio uses
// std::exchange without including <utility> when compiled as C++20, so it
// comes first here and nowhere else needs to remember.

#include <utility>

#include <boost/asio.hpp>

namespace lobos {
namespace asio = boost::asio;
}  // namespace lobos
