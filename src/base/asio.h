// The one way into Boost.Asio/Beast. Include it only from .cc files (never from a header: a
// Beast TU costs ~14 s and 640 MB to compile). <utility> must precede Asio with Boost 1.74 +
// g++ 12 + C++20 (chriskohlhoff/asio#944: 'exchange' is not a member of 'std').
#pragma once

#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
