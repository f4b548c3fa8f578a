// Standard base64 (RFC 4648 alphabet, padded), for States.Base64Encode/Decode and the API's
// page tokens. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace flowstate::base {

std::string Base64Encode(std::string_view data);
// nullopt for text that is not padded base64 (wrong length, stray characters or padding).
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace flowstate::base
