#include "api/page_token.h"

#include <optional>

#include "base/base64.h"

namespace flowstate::api {
namespace {

constexpr size_t kMaxTokenChars = 1024;

}  // namespace

std::string EncodePageToken(std::string_view operation, std::string_view cursor) {
  std::string plain(operation);
  plain += '\n';
  plain += cursor;
  return base::Base64Encode(plain);
}

ApiResult<std::string> DecodePageToken(std::string_view operation, std::string_view token) {
  std::optional<std::string> decoded;
  if (token.size() <= kMaxTokenChars) {
    decoded = base::Base64Decode(token);
  }
  const std::string plain = decoded.value_or("");
  if (!decoded || plain.size() <= operation.size() ||
      plain.compare(0, operation.size(), operation) != 0 || plain[operation.size()] != '\n') {
    return Fail("InvalidToken", "Invalid Token: '" + std::string(token) + "'");
  }
  return plain.substr(operation.size() + 1);
}

}  // namespace flowstate::api
