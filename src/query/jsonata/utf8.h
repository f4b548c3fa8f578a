// UTF-8 helpers: JSONata counts and slices strings by Unicode code point.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace flowstate::query::jsonata {

// Decodes UTF-8 to code points; ill-formed bytes decode as themselves (U+0080..U+00FF).
std::u32string DecodeUtf8(std::string_view s);
std::string EncodeUtf8(const std::u32string& s);
size_t CodePointCount(std::string_view s);
// True when the text contains an encoded lone surrogate (from a `\ud800` escape).
bool HasLoneSurrogate(std::string_view s);

}  // namespace flowstate::query::jsonata
