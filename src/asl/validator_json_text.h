// Syntax check of definition text that reports problems the way AWS does. AWS parses
// definitions with Jackson, so INVALID_JSON_DESCRIPTION diagnostics carry Jackson's wording
// and its "[Source: (String)"..."; line: L, column: C]" location; this scanner reproduces both
// for the common mistakes. Like Jackson's readTree, it reads one JSON value and ignores
// whatever follows it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace flowstate::asl {

struct JsonTextCheck {
  bool ok = false;
  size_t value_end = 0;  // when ok: end offset of the first JSON value (trailing text ignored)
  std::string message;   // when !ok: Jackson's message, "\n at [Source: ...]" included
  std::string location;  // when !ok: "[Source: (String)\"...\"; line: L, column: C]"
};

// Never throws; iterative, so any nesting depth is safe.
JsonTextCheck CheckJsonText(std::string_view text);

// Jackson's description of a position in `text` (1-based line and column).
std::string JacksonLocation(std::string_view text, size_t offset);

}  // namespace flowstate::asl
