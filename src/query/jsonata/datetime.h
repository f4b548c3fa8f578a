// Date/time pictures (XPath F&O 3.1 format-dateTime markers such as `[Y0001]-[M01]-[D01]`):
// formatting milliseconds since the epoch, and parsing text back with a picture.
#pragma once
#include <optional>
#include <string>

namespace flowstate::query::jsonata {

// Throws Failure (D3132-D3135) on bad pictures. `timezone` like "+0100" or "" for UTC.
std::string FormatDateTime(int64_t millis, const std::string& picture, const std::string& timezone);
// ISO 8601 when `picture` is empty. Returns nullopt when the text does not match the picture;
// throws D3110 for malformed ISO text and D3136 when the picture lacks required components.
std::optional<int64_t> ParseDateTime(const std::string& text, const std::string& picture,
                                     int64_t now_millis);

}  // namespace flowstate::query::jsonata
