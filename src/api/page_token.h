// Opaque pagination tokens: a store cursor wrapped with the operation it belongs to, base64
// encoded, so clients cannot forge or mix them (a foreign token is InvalidToken, as on AWS).
#pragma once

#include <string>
#include <string_view>

#include "api/api_error.h"

namespace flowstate::api {

std::string EncodePageToken(std::string_view operation, std::string_view cursor);
// The cursor inside `token`; InvalidToken when it was not made by EncodePageToken(operation, …).
ApiResult<std::string> DecodePageToken(std::string_view operation, std::string_view token);

}  // namespace flowstate::api
